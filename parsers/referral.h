/*
 * referral.h - the canonical referral (DESIGN.md, "The canonical referral").
 *
 * Every parser turns its format into these.  All strings are NUL-terminated,
 * valid UTF-8 once parse_document() has finished, and owned by the arena the
 * document was parsed into; NULL means "the document does not say".
 *
 * nhs_number and birth_date are carried only so that the caller can compute
 * the pseudonym and the age: they are never printed, logged or stored.
 */
#ifndef PARS_REFERRAL_H
#define PARS_REFERRAL_H

#include <stddef.h>

struct arena;

enum ref_status { REF_ACTIVE = 0, REF_CANCELLED };
enum ref_priority {
	REF_PRIO_UNKNOWN = 0,
	REF_PRIO_ROUTINE,
	REF_PRIO_URGENT,
	REF_PRIO_TWO_WEEK_WAIT
};
enum ref_sex { REF_SEX_UNKNOWN = 0, REF_SEX_FEMALE, REF_SEX_MALE, REF_SEX_OTHER };
enum code_system { CS_OTHER = 0, CS_ICD10, CS_SNOMED, CS_OPCS4 };

struct ref_code {
	enum code_system system;
	const char *code;
	const char *text;
};

struct ref_codes {
	struct ref_code *v;
	size_t n, cap;
	int full; /* a parser left a code out: PARSE_MAX_CODES were kept */
};

struct str_list {
	const char **v;
	size_t n, cap;
};

struct referral {
	const char *format;	    /* "hl7v2", "fhir-r4-json", ... */
	size_t position;	    /* 0-based position in its document */
	const char *source_id;	    /* UBRN, message control id, own id */
	enum ref_status status;
	const char *practice_ods;   /* referring practice */
	const char *referrer_code;  /* G code (or SDS id) of the referrer */
	const char *referrer_name;
	const char *nhs_number;	    /* 10 digits; never printed or stored */
	int nhs_number_valid;	    /* set by parse_document() */
	const char *birth_date;	    /* YYYY-MM-DD; never printed or stored */
	int age_years;		    /* at referral_date; -1 unknown */
	enum ref_sex sex;
	const char *referral_date;  /* YYYY-MM-DD */
	enum ref_priority priority;
	const char *tfc;	    /* treatment function code as sent */
	const char *ers_specialty;  /* e-RS specialty code, e.g. CARDIOLOGY */
	const char *ers_clinic_type;
	const char *specialty_text; /* specialty in words as sent */
	const char *provider_ods;   /* referred-to organisation */
	const char *consultant_code;
	struct ref_codes diagnoses; /* ICD-10, SNOMED CT */
	struct ref_codes procedures; /* OPCS-4, SNOMED CT */
	const char *reason_text;    /* the clinical text */
	const char *medication_text;
	const char *results_text;   /* investigations and results included */
	struct str_list warnings;
};

/* Adds a code (strings copied into the arena); empty codes are ignored. */
void ref_codes_add(struct arena *a, struct ref_codes *c, enum code_system sys,
    const char *code, const char *text);
/* The same for strings that are the arena's already: not copied. */
void ref_codes_put(struct arena *a, struct ref_codes *c, enum code_system sys,
    const char *code, const char *text);
/* Appends a copy of s to the list. */
void str_list_add(struct arena *a, struct str_list *l, const char *s);
/* Appends a formatted warning to the referral. */
void referral_warn(struct arena *a, struct referral *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Names used in JSON and the database; NULL for the "unknown" values. */
const char *ref_status_name(enum ref_status s);
const char *ref_priority_name(enum ref_priority p);
const char *ref_sex_name(enum ref_sex s);
const char *code_system_name(enum code_system s);

#endif
