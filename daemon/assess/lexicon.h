/*
 * lexicon.h - the words and phrases the rules look for in a referral's
 * clinical text, compiled once per rule set into an index so that a
 * referral's texts are read once, however many rules there are.
 *
 * Text is split into words (ASCII letters, digits and any non-ASCII
 * letter; a number keeps its decimal point) and compared without case, a
 * whole word at a time: "lump" finds "Lump" but not "lumpy"; "lump*" finds
 * both.  A word found after a negation ("no haemoptysis", "denies weight
 * loss", "not ... within six words", "FH of bowel cancer") or before one
 * ("haemoptysis denied") in the same sentence is recorded as negated, not
 * found.  "but", "however" and sentence ends stop a negation.
 */
#ifndef PARS_LEXICON_H
#define PARS_LEXICON_H

#include <stddef.h>
#include <stdint.h>

/* The text fields of a referral, one bit each. */
enum lex_field {
	LEX_REASON = 1,	    /* reason and clinical history */
	LEX_MEDICATION = 2, /* medication list */
	LEX_RESULTS = 4,    /* investigations and results */
	LEX_CODES = 8,	    /* the words of the diagnosis/procedure codes */
	LEX_SPECIALTY = 16, /* the specialty as written */
};
#define LEX_DEFAULT_FIELDS (LEX_REASON | LEX_RESULTS | LEX_CODES)
#define LEX_ALL_FIELDS 31

/* Numbers written next to a term ("FIT 4", "7 episodes"). */
#define LEX_MAX_VALUES 4
struct lex_values {
	double v[LEX_MAX_VALUES];
	uint8_t field[LEX_MAX_VALUES];
	uint8_t n;
};

struct lexicon;

/* What one referral's texts hold; reuse it for many referrals. */
struct lex_hits {
	uint8_t *found;	  /* per term: fields where it stands un-negated */
	uint8_t *negated; /* per term: fields where it stands only negated */
	struct lex_values *after, *before; /* per value slot */
	size_t nterms, nslots;
	/* scratch for the scanner */
	char *low;
	size_t lowcap;
	void *toks;
	size_t tokcap;
};

/* A new, empty lexicon (caller frees with lex_free). */
struct lexicon *lex_new(void);
void lex_free(struct lexicon *lx);
/*
 * Adds a term: a word or phrase, where a word of three or more letters
 * may end in * to match every word starting so.  want_value asks for the
 * numbers written next to it.  Returns the term's number (the same term
 * added twice has one number), or -1 with err set when the term holds no
 * word or a misplaced *.
 */
int lex_add(struct lexicon *lx, const char *term, int want_value, char *err,
    size_t errlen);
/* Builds the index; call once after the last lex_add. */
void lex_finish(struct lexicon *lx);
size_t lex_count(const struct lexicon *lx);
/* The term as written by the rule (owned by the lexicon). */
const char *lex_text(const struct lexicon *lx, int term);
/* The value slot of a term added with want_value, else -1. */
int lex_slot(const struct lexicon *lx, int term);

/* Sizes h for lx and clears it (allocates; free with lex_hits_free). */
void lex_hits_init(struct lex_hits *h, const struct lexicon *lx);
/* Forgets what was found, for the next referral. */
void lex_hits_clear(struct lex_hits *h);
void lex_hits_free(struct lex_hits *h);
/* Reads text (NULL does nothing) as field and records what it holds. */
void lex_scan(const struct lexicon *lx, const char *text, unsigned field,
    struct lex_hits *h);

#endif
