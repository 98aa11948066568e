/*
 * assess.h - running the rules over a referral (DESIGN.md, "Assessment").
 *
 * The engine takes a referral with what coding made of it (the coded TFC
 * and the price of a first attendance), and prices a PUN's saving through
 * a small lookup interface, so it neither knows nor cares where the
 * reference data lives.  Pure: no database, no globals; any number of
 * threads may assess with one rule set at once.
 */
#ifndef PARS_ASSESS_H
#define PARS_ASSESS_H

#include <stddef.h>

#include "rules.h"

struct buf;

/* One referral to assess. */
struct assess_input {
	const struct referral *r; /* borrowed */
	const char *tfc;	  /* coded TFC; NULL: the TFC as sent */
	long long price_pence;	  /* first attendance at tariff; -1: ask */
	long long referral_id;	  /* pars.referrals.id, 0 when not stored */
};

/* Where prices come from (either function may be NULL). */
struct assess_pricing {
	/* The first attendance at tfc for a referral dated date
	 * (YYYY-MM-DD), in pence, or -1 when not known. */
	long long (*first_price)(void *ctx, const char *tfc, const char *date);
	/* The alternative service called code, in pence, or -1. */
	long long (*alternative_price)(void *ctx, const char *code);
	void *ctx;
};

/* A finding, from a rule or a clinical assessor (pars.findings). */
struct finding {
	long long referral_id;
	const char *rule_id;  /* NULL for an assessor's finding */
	int rule_version;
	const char *kind;     /* "PUN" or "DEN" */
	const char *theme, *title, *message;
	const char *alternative; /* alternative service code, or NULL */
	long long saving_pence;	 /* -1: not priced */
	const char *assessor;	 /* the assessor's name; NULL for a rule's */
};

struct findings {
	struct finding *v;
	size_t n, cap;
};

/* Per-thread scratch for assessing; reuse it for many referrals. */
struct assess_scratch;

/* Scratch sized for rs (caller frees with assess_scratch_free). */
struct assess_scratch *assess_scratch_new(const struct rule_set *rs);
void assess_scratch_free(struct assess_scratch *s);

/*
 * Runs every rule of rs over in and appends a finding for each that
 * fires (strings borrowed from rs: keep the set until they are used).
 * pricing may be NULL (no savings).  Returns the number appended.
 */
size_t assess_referral(const struct rule_set *rs, struct assess_scratch *s,
    const struct assess_input *in, const struct assess_pricing *pricing,
    struct findings *out);
/* 1 when rule fires on in, else 0. */
int assess_rule_fires(const struct rule_set *rs, struct assess_scratch *s,
    const struct rule *rule, const struct assess_input *in);
/*
 * Appends to out, for rule (every rule of rs when NULL), whether it fires
 * on in and why, condition by condition, indented by indent spaces.
 * Names the words found, never quotes the referral's text.
 */
void assess_explain(const struct rule_set *rs, struct assess_scratch *s,
    const struct rule *rule, const struct assess_input *in, int indent,
    struct buf *out);

/* The saving a PUN would make: first - alternative, floored at 0;
 * -1 when either price is unknown. */
long long assess_saving(long long first_pence, long long alternative_pence);
/* The NHS tariff year of a date: "2024/25" for 2024-04-01..2025-03-31.
 * Returns 0, or -1 when date is not YYYY-MM-DD. */
int tariff_year(const char *date, char out[8]);

void findings_add(struct findings *f, const struct finding *x);
void findings_free(struct findings *f);

#endif
