/*
 * engine.c - evaluating rules over a referral, and explaining why (see
 * assess.h).
 *
 * A referral's texts are read once (lexicon.c) and its codes normalised
 * once; every rule is then a walk over its compiled conditions that only
 * looks things up.
 */
#include "assess.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cond.h"
#include "dates.h"
#include "lexicon.h"
#include "text.h"
#include "xmalloc.h"

#define RECENT_DAYS 90 /* results older than this are not recent */
#define CODE_MAX 15

struct assess_scratch {
	const struct lexicon *lex; /* the hits are sized for it */
	struct lex_hits hits;
	char (*codes)[CODE_MAX + 1];
	enum code_system *sys;
	size_t ncodes, cap;
};

/* One evaluation: the referral as prepared, and where to explain. */
struct ectx {
	const struct rule_set *rs;
	const struct assess_input *in;
	struct assess_scratch *s;
	const char *tfc;
	struct buf *trace;
	int indent;
};

struct assess_scratch *
assess_scratch_new(const struct rule_set *rs)
{
	struct assess_scratch *s = xcalloc(1, sizeof(*s));

	lex_hits_init(&s->hits, rs->lex);
	s->lex = rs->lex;
	return s;
}

void
assess_scratch_free(struct assess_scratch *s)
{
	if (s == NULL)
		return;
	lex_hits_free(&s->hits);
	free(s->codes);
	free(s->sys);
	free(s);
}

static void
add_code(struct assess_scratch *s, const struct ref_code *c)
{
	size_t i, k = 0;

	if (c->code == NULL)
		return;
	if (s->ncodes == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->codes = xreallocarray(s->codes, s->cap, sizeof(*s->codes));
		s->sys = xreallocarray(s->sys, s->cap, sizeof(*s->sys));
	}
	for (i = 0; c->code[i] != '\0' && k < CODE_MAX; i++) {
		char ch = c->code[i];

		if (ch == '.' || ch == ' ')
			continue;
		s->codes[s->ncodes][k++] = (char)(ch >= 'a' && ch <= 'z' ?
		    ch - 32 : ch);
	}
	s->codes[s->ncodes][k] = '\0';
	s->sys[s->ncodes] = c->system;
	if (k > 0)
		s->ncodes++;
}

/* Reads the referral once: its texts and codes. */
static void
prepare(const struct rule_set *rs, struct assess_scratch *s,
    const struct referral *r)
{
	const struct ref_codes *sets[2] = {&r->diagnoses, &r->procedures};
	size_t i, k;

	lex_hits_clear(&s->hits);
	s->ncodes = 0;
	lex_scan(rs->lex, r->reason_text, LEX_REASON, &s->hits);
	lex_scan(rs->lex, r->medication_text, LEX_MEDICATION, &s->hits);
	lex_scan(rs->lex, r->results_text, LEX_RESULTS, &s->hits);
	lex_scan(rs->lex, r->specialty_text, LEX_SPECIALTY, &s->hits);
	for (k = 0; k < 2; k++)
		for (i = 0; i < sets[k]->n; i++) {
			lex_scan(rs->lex, sets[k]->v[i].text, LEX_CODES,
			    &s->hits);
			add_code(s, &sets[k]->v[i]);
		}
}

static int
blank(const char *s)
{
	if (s == NULL)
		return 1;
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

/* 1 when results are given and none is dated more than RECENT_DAYS
 * before the referral (undated results count as recent). */
static int
results_recent(const struct referral *r)
{
	long ref = date_days(r->referral_date), newest = DATE_NONE;
	const char *p;
	int dated = 0;

	if (blank(r->results_text))
		return 0;
	for (p = r->results_text; *p != '\0'; p++) {
		char d[11];

		if (*p < '0' || *p > '9' || (p > r->results_text &&
		    ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.')))
			continue;
		if (date_parse_prefix(p, d) == 0) {
			long days = date_days(d);

			dated = 1;
			if (days > newest)
				newest = days;
		}
	}
	return !dated || ref == DATE_NONE || ref - newest <= RECENT_DAYS;
}

static int
any_term(const struct ectx *e, const int *terms, size_t n, unsigned fields,
    int with_negated)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned f = e->s->hits.found[terms[i]];

		if (with_negated)
			f |= e->s->hits.negated[terms[i]];
		if (f & fields)
			return 1;
	}
	return 0;
}

static int
value_ok(const struct cond *c, double v)
{
	if (c->has_min && (c->min_strict ? v <= c->vmin : v < c->vmin))
		return 0;
	if (c->has_max && (c->max_strict ? v >= c->vmax : v > c->vmax))
		return 0;
	return 1;
}

/* The first number next to one of c's terms that is in range (*got set
 * to any number seen, for explaining); 1 when there is one. */
static int
value_found(const struct ectx *e, const struct cond *c, double *got,
    int *seen)
{
	size_t i, k;

	*seen = 0;
	for (i = 0; i < c->nterms; i++) {
		int slot = lex_slot(e->rs->lex, c->terms[i]);
		const struct lex_values *v;

		if (slot < 0)
			continue;
		v = c->before ? &e->s->hits.before[slot] :
		    &e->s->hits.after[slot];
		for (k = 0; k < v->n; k++) {
			if (!(v->field[k] & c->fields))
				continue;
			*got = v->v[k];
			*seen = 1;
			if (value_ok(c, v->v[k]))
				return 1;
		}
	}
	return 0;
}

static int
missing(const struct ectx *e, enum missing_item item)
{
	const struct referral *r = e->in->r;
	const struct missing_terms *mt = e->rs->missing;
	size_t i;

	switch (item) {
	case MISS_NHS_NUMBER:
		return !r->nhs_number_valid;
	case MISS_REASON:
		return blank(r->reason_text);
	case MISS_MEDICATION:
		return blank(r->medication_text);
	case MISS_RESULTS:
		return blank(r->results_text);
	case MISS_RECENT_RESULTS:
		return !results_recent(r);
	case MISS_REFERRER:
		return blank(r->referrer_code) && blank(r->referrer_name);
	case MISS_PRACTICE:
		return blank(r->practice_ods);
	case MISS_PRIORITY:
		return r->priority == REF_PRIO_UNKNOWN;
	case MISS_SPECIALTY:
		return blank(e->tfc) && blank(r->ers_specialty) &&
		    blank(r->ers_clinic_type) && blank(r->specialty_text);
	case MISS_DATE:
		return blank(r->referral_date);
	case MISS_AGE:
		return r->age_years < 0;
	case MISS_SEX:
		return r->sex == REF_SEX_UNKNOWN;
	case MISS_DIAGNOSIS:
		return r->diagnoses.n == 0;
	case MISS_PROVIDER:
		return blank(r->provider_ods);
	case MISS_BMI:
		for (i = 0; i < 2; i++) {
			int slot = lex_slot(e->rs->lex, mt->bmi[i]);

			if (e->s->hits.after[slot].n > 0)
				return 0;
		}
		return 1;
	case MISS_QUESTION:
		if (r->reason_text != NULL && strchr(r->reason_text, '?'))
			return 0;
		return !any_term(e, mt->question, mt->nquestion, LEX_REASON, 1);
	default:
		return 0;
	}
}

static int
code_match(const struct code_pat *p, const char *code)
{
	size_t ll = strlen(p->lo);

	if (p->system == CS_SNOMED) /* concept ids: no hierarchy to match */
		return strcmp(code, p->lo) == 0;
	if (p->hi == NULL)
		return strncmp(code, p->lo, ll) == 0;
	return strncmp(code, p->lo, ll) >= 0 &&
	    strncmp(code, p->hi, strlen(p->hi)) <= 0;
}

/* 1 when s matches pattern (case-blind; a final * matches any tail). */
static int
word_match(const char *pat, const char *s)
{
	size_t n = strlen(pat);

	if (s == NULL)
		return 0;
	if (n > 0 && pat[n - 1] == '*')
		return strncasecmp_ascii(s, pat, n - 1) == 0;
	return str_ieq(s, pat);
}

static void explain_leaf(const struct ectx *e, const struct cond *c, int yes,
    int depth);

static int eval(const struct ectx *e, const struct cond *c, int depth);

static int
eval_kids(const struct ectx *e, const struct cond *c, int depth)
{
	size_t i;
	int yes = c->op == COND_ALL, r;

	for (i = 0; i < c->nkids; i++) {
		r = eval(e, c->kids[i], depth + 1);
		if (c->op == COND_ALL && !r)
			yes = 0;
		else if (c->op == COND_ANY && r)
			yes = 1;
		else if (c->op == COND_NOT)
			yes = !r;
		if (e->trace == NULL && ((c->op == COND_ALL && !yes) ||
		    (c->op == COND_ANY && yes)))
			break;
	}
	return yes;
}

static int
eval(const struct ectx *e, const struct cond *c, int depth)
{
	const struct referral *r = e->in->r;
	size_t i, k;
	int yes = 0, seen;
	double got;

	switch (c->op) {
	case COND_ALL:
	case COND_ANY:
	case COND_NOT:
		if (e->trace != NULL) {
			struct buf sub, *outer = e->trace;
			struct ectx e2 = *e;

			buf_init(&sub, 0);
			e2.trace = &sub;
			yes = eval_kids(&e2, c, depth);
			explain_leaf(e, c, yes, depth);
			buf_add(outer, sub.p, sub.len);
			buf_free(&sub);
			return yes;
		}
		return eval_kids(e, c, depth);
	case COND_TFC:
		for (i = 0; i < c->nstrs && !yes; i++)
			yes = e->tfc != NULL && strcmp(e->tfc, c->strs[i]) == 0;
		break;
	case COND_ERS_SPECIALTY:
	case COND_CLINIC_TYPE:
		for (i = 0; i < c->nstrs && !yes; i++)
			yes = word_match(c->strs[i], c->op == COND_CLINIC_TYPE ?
			    r->ers_clinic_type : r->ers_specialty);
		break;
	case COND_PRIORITY:
		yes = (c->mask >> r->priority) & 1;
		break;
	case COND_SEX:
		yes = (c->mask >> r->sex) & 1;
		break;
	case COND_AGE:
		yes = r->age_years >= 0 && r->age_years >= c->lo &&
		    r->age_years <= c->hi;
		break;
	case COND_CODES:
		for (k = 0; k < e->s->ncodes && !yes; k++)
			for (i = 0; i < c->ncodes && !yes; i++)
				yes = c->codes[i].system == e->s->sys[k] &&
				    code_match(&c->codes[i], e->s->codes[k]);
		break;
	case COND_TEXT:
		yes = any_term(e, c->terms, c->nterms, c->fields,
		    c->with_negated);
		break;
	case COND_VALUE:
		yes = value_found(e, c, &got, &seen);
		break;
	case COND_MISSING:
		for (i = 0; i < MISS_N && !yes; i++)
			yes = ((c->mask >> i) & 1) && missing(e, i);
		break;
	}
	if (e->trace != NULL)
		explain_leaf(e, c, yes, depth);
	return yes;
}

/* Explaining. */

static void
fields_names(struct buf *b, unsigned f)
{
	static const char *const names[] = {"reason", "medication",
	    "results", "codes", "specialty"};
	size_t i;
	int first = 1;

	for (i = 0; i < 5; i++)
		if (f & (1u << i)) {
			buf_printf(b, "%s%s", first ? "" : ", ", names[i]);
			first = 0;
		}
}

static void
terms_list(struct buf *b, const struct ectx *e, const int *terms, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 8; i++)
		buf_printf(b, "%s\"%s\"", i ? (i + 1 == n ? " or " : ", ") : "",
		    lex_text(e->rs->lex, terms[i]));
	if (n > 8)
		buf_printf(b, " or %zu more", n - 8);
}

static void
names_mask(struct buf *b, unsigned mask, const char *const *names, size_t n)
{
	size_t i;
	int first = 1;

	for (i = 0; i < n; i++)
		if ((mask >> i) & 1) {
			buf_printf(b, "%s%s", first ? "" : " or ", names[i]);
			first = 0;
		}
}

static void
explain_leaf(const struct ectx *e, const struct cond *c, int yes, int depth)
{
	static const char *const prio[] = {"unknown", "routine", "urgent",
	    "two_week_wait"};
	static const char *const sex[] = {"unknown", "female", "male",
	    "other"};
	const struct referral *r = e->in->r;
	struct buf *b = e->trace;
	size_t i, k;
	int seen;
	double got;

	buf_printf(b, "%*s", e->indent + 2 * depth, "");
	switch (c->op) {
	case COND_ALL:
	case COND_ANY:
		buf_printf(b, "%s of these", c->op == COND_ALL ? "all" : "any");
		break;
	case COND_NOT:
		buf_adds(b, "not this");
		break;
	case COND_TFC:
	case COND_ERS_SPECIALTY:
	case COND_CLINIC_TYPE:
		buf_adds(b, c->op == COND_TFC ? "TFC is " : c->op ==
		    COND_CLINIC_TYPE ? "e-RS clinic type is " :
		    "e-RS specialty is ");
		for (i = 0; i < c->nstrs; i++)
			buf_printf(b, "%s%s", i ? " or " : "", c->strs[i]);
		break;
	case COND_PRIORITY:
		buf_adds(b, "priority is ");
		names_mask(b, c->mask, prio, 4);
		break;
	case COND_SEX:
		buf_adds(b, "sex is ");
		names_mask(b, c->mask, sex, 4);
		break;
	case COND_AGE:
		if (c->hi >= 150)
			buf_printf(b, "age %d or over", c->lo);
		else if (c->lo == 0)
			buf_printf(b, "age %d or under", c->hi);
		else
			buf_printf(b, "age %d to %d", c->lo, c->hi);
		break;
	case COND_CODES:
		buf_adds(b, "a code in ");
		for (i = 0; i < c->ncodes; i++)
			buf_printf(b, "%s%s %s", i ? ", " : "",
			    code_system_name(c->codes[i].system),
			    c->codes[i].text);
		break;
	case COND_TEXT:
		buf_adds(b, "the text mentions ");
		terms_list(b, e, c->terms, c->nterms);
		break;
	case COND_VALUE:
		buf_printf(b, "a number %s ", c->before ? "before" : "after");
		terms_list(b, e, c->terms, c->nterms);
		if (c->has_min)
			buf_printf(b, " %s %g", c->min_strict ? "above" :
			    "at least", c->vmin);
		if (c->has_max)
			buf_printf(b, "%s %s %g", c->has_min ? " and" : "",
			    c->max_strict ? "below" : "at most", c->vmax);
		break;
	case COND_MISSING:
		buf_adds(b, "missing: ");
		names_mask(b, c->mask, missing_item_names, MISS_N);
		break;
	}
	if (c->op == COND_TEXT || c->op == COND_VALUE) {
		buf_adds(b, " (in ");
		fields_names(b, c->fields);
		buf_adds(b, ")");
	}
	buf_printf(b, " [line %d]: %s", c->line, yes ? "yes" : "no");
	switch (c->op) {
	case COND_TFC:
		buf_printf(b, " (TFC %s)", e->tfc ? e->tfc : "not known");
		break;
	case COND_ERS_SPECIALTY:
		buf_printf(b, " (%s)", r->ers_specialty ? r->ers_specialty :
		    "none given");
		break;
	case COND_CLINIC_TYPE:
		buf_printf(b, " (%s)", r->ers_clinic_type ? r->ers_clinic_type
		    : "none given");
		break;
	case COND_PRIORITY:
		buf_printf(b, " (%s)", prio[r->priority]);
		break;
	case COND_SEX:
		buf_printf(b, " (%s)", sex[r->sex]);
		break;
	case COND_AGE:
		if (r->age_years >= 0)
			buf_printf(b, " (%d)", r->age_years);
		else
			buf_adds(b, " (age not known)");
		break;
	case COND_CODES:
		buf_adds(b, " (");
		for (k = 0; k < e->s->ncodes; k++)
			buf_printf(b, "%s%s %s", k ? ", " : "",
			    code_system_name(e->s->sys[k]), e->s->codes[k]);
		buf_adds(b, e->s->ncodes ? ")" : "no codes)");
		break;
	case COND_TEXT:
		for (i = 0, k = 0; i < c->nterms; i++) {
			int t = c->terms[i];
			unsigned f = e->s->hits.found[t] & c->fields;
			unsigned n = e->s->hits.negated[t] & c->fields;

			if (f == 0 && n == 0)
				continue;
			buf_printf(b, "%s\"%s\" ", k++ ? "; " : " (",
			    lex_text(e->rs->lex, t));
			if (f) {
				buf_adds(b, "in ");
				fields_names(b, f);
			}
			if (n && !f) {
				buf_adds(b, "negated in ");
				fields_names(b, n);
				if (c->with_negated)
					buf_adds(b, ", counted");
			}
		}
		if (k)
			buf_addc(b, ')');
		break;
	case COND_VALUE:
		if (value_found(e, c, &got, &seen) || seen)
			buf_printf(b, " (%g)", got);
		else
			buf_adds(b, " (no number found)");
		break;
	default:
		break;
	}
	buf_addc(b, '\n');
}

static void
ectx_init(struct ectx *e, const struct rule_set *rs, struct assess_scratch *s,
    const struct assess_input *in)
{
	memset(e, 0, sizeof(*e));
	e->rs = rs;
	e->in = in;
	e->s = s;
	e->tfc = in->tfc != NULL ? in->tfc : in->r->tfc;
	if (s->lex != rs->lex) { /* scratch made for another rule set */
		lex_hits_free(&s->hits);
		lex_hits_init(&s->hits, rs->lex);
		s->lex = rs->lex;
	}
	prepare(rs, s, in->r);
}

long long
assess_saving(long long first_pence, long long alternative_pence)
{
	if (first_pence < 0 || alternative_pence < 0)
		return -1;
	return first_pence > alternative_pence ? first_pence -
	    alternative_pence : 0;
}

int
tariff_year(const char *date, char out[8])
{
	int y;

	if (date_days(date) == DATE_NONE)
		return -1;
	y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 +
	    (date[2] - '0') * 10 + (date[3] - '0');
	if (date[5] == '0' && date[6] < '4')
		y--;
	/* date_days() allows the years 1850..2200 only */
	snprintf(out, 8, "%04u/%02u", (unsigned)y % 10000,
	    (unsigned)(y + 1) % 100);
	return 0;
}

void
findings_add(struct findings *f, const struct finding *x)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->v = xreallocarray(f->v, f->cap, sizeof(*f->v));
	}
	f->v[f->n++] = *x;
}

void
findings_free(struct findings *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

size_t
assess_referral(const struct rule_set *rs, struct assess_scratch *s,
    const struct assess_input *in, const struct assess_pricing *pricing,
    struct findings *out)
{
	struct ectx e;
	size_t i, before = out->n;
	long long first = -2;

	ectx_init(&e, rs, s, in);
	for (i = 0; i < rs->n; i++) {
		const struct rule *ru = &rs->v[i];
		struct finding f;

		if (!eval(&e, ru->when, 0))
			continue;
		memset(&f, 0, sizeof(f));
		f.referral_id = in->referral_id;
		f.rule_id = ru->id;
		f.rule_version = ru->version;
		f.kind = rule_kind_name(ru->kind);
		f.theme = ru->theme;
		f.title = ru->title;
		f.message = ru->message;
		f.alternative = ru->alternative;
		f.saving_pence = -1;
		if (ru->alternative != NULL && pricing != NULL) {
			if (first == -2)
				first = in->price_pence >= 0 ? in->price_pence :
				    pricing->first_price && e.tfc ?
				    pricing->first_price(pricing->ctx, e.tfc,
				    in->r->referral_date) : -1;
			f.saving_pence = assess_saving(first,
			    pricing->alternative_price ?
			    pricing->alternative_price(pricing->ctx,
			    ru->alternative) : -1);
		}
		findings_add(out, &f);
	}
	return out->n - before;
}

int
assess_rule_fires(const struct rule_set *rs, struct assess_scratch *s,
    const struct rule *rule, const struct assess_input *in)
{
	struct ectx e;

	ectx_init(&e, rs, s, in);
	return eval(&e, rule->when, 0);
}

void
assess_explain(const struct rule_set *rs, struct assess_scratch *s,
    const struct rule *rule, const struct assess_input *in, int indent,
    struct buf *out)
{
	struct ectx e;
	size_t i;

	ectx_init(&e, rs, s, in);
	e.trace = out;
	e.indent = indent + 2;
	for (i = 0; i < rs->n; i++) {
		const struct rule *ru = &rs->v[i];
		struct buf sub;
		int yes;

		if (rule != NULL && ru != rule)
			continue;
		buf_init(&sub, 0);
		e.trace = &sub;
		yes = eval(&e, ru->when, 0);
		buf_printf(out, "%*srule %s v%d (%s, %s; %s:%d): %s\n", indent,
		    "", ru->id, ru->version, rule_kind_name(ru->kind),
		    ru->theme, ru->file, ru->line, yes ? "FIRES" :
		    "does not fire");
		buf_add(out, sub.p, sub.len);
		buf_free(&sub);
	}
}
