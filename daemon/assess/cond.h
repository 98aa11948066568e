/*
 * cond.h - a rule's conditions, compiled (private to daemon/assess/:
 * rules_load.c builds them, engine.c evaluates and explains them).
 */
#ifndef PARS_COND_H
#define PARS_COND_H

#include <stddef.h>

#include "referral.h"

enum cond_op {
	COND_ALL,
	COND_ANY,
	COND_NOT,
	COND_TFC,	    /* coded TFC (else as sent) in strs */
	COND_ERS_SPECIALTY, /* e-RS specialty in strs (prefix with *) */
	COND_CLINIC_TYPE,   /* e-RS clinic type in strs (prefix with *) */
	COND_PRIORITY,	    /* bit (1 << enum ref_priority) in mask */
	COND_SEX,	    /* bit (1 << enum ref_sex) in mask */
	COND_AGE,	    /* lo <= age <= hi */
	COND_CODES,	    /* any code matches any pattern */
	COND_TEXT,	    /* any term found un-negated in fields */
	COND_VALUE,	    /* a number next to a term, in range */
	COND_MISSING,	    /* any item in mask is missing */
};

/* Data items a referral should carry (missing: ...). */
enum missing_item {
	MISS_NHS_NUMBER,
	MISS_REASON,
	MISS_MEDICATION,
	MISS_RESULTS,
	MISS_RECENT_RESULTS,
	MISS_REFERRER,
	MISS_PRACTICE,
	MISS_PRIORITY,
	MISS_SPECIALTY,
	MISS_DATE,
	MISS_AGE,
	MISS_SEX,
	MISS_DIAGNOSIS,
	MISS_PROVIDER,
	MISS_BMI,
	MISS_QUESTION,
	MISS_N
};

extern const char *const missing_item_names[MISS_N];

/* An ICD-10 / OPCS-4 / SNOMED CT pattern, normalised (upper case, no
 * dot): a code and everything under it, or a range of them. */
struct code_pat {
	enum code_system system;
	const char *lo, *hi; /* hi NULL: lo and the codes under it */
	const char *text;    /* as written */
};

struct cond {
	enum cond_op op;
	int line;
	struct cond **kids; /* ALL, ANY, NOT */
	size_t nkids;
	const char **strs; /* TFC, specialties, clinic types */
	size_t nstrs;
	unsigned mask;	   /* PRIORITY, SEX, MISSING */
	int lo, hi;	   /* AGE */
	int *terms;	   /* TEXT, VALUE: lexicon term numbers */
	size_t nterms;
	unsigned fields;   /* TEXT, VALUE: LEX_* bits */
	int with_negated;  /* TEXT: a negated mention counts too */
	int before;	   /* VALUE: the number is written before the term */
	double vmin, vmax; /* VALUE bounds */
	int has_min, has_max, min_strict, max_strict;
	struct code_pat *codes;
	size_t ncodes;
};

/* Terms the missing-item checks look for, added to every lexicon. */
struct missing_terms {
	int bmi[2];	  /* value terms: "bmi", "body mass index" */
	int question[24]; /* words that ask something */
	size_t nquestion;
};

struct lexicon;
struct yload;
struct yaml_node_s;

/*
 * Compiles the condition at node n (a mapping; several keys in it must
 * all hold), adding its words to lx.  Returns the condition (in the
 * loader's arena), or NULL with the loader's error set.
 */
struct cond *cond_compile(struct yload *l, struct yaml_node_s *n,
    struct lexicon *lx, int depth);
/* Adds the words of the built-in checks (missing: bmi, question). */
void cond_missing_terms(struct lexicon *lx, struct missing_terms *mt);

#endif
