/*
 * coding.c - coding one referral against the reference data snapshot
 * (see coding.h for the evidence order and the pricing rule).
 */
#include "coding.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "coderef_int.h"
#include "dates.h"
#include "refkinds.h"

/* The NHS "not known" practitioner codes (NHS-DATA.md). */
#define GP_UNKNOWN "G9999998"
#define CONSULTANT_UNKNOWN "C9999998"

struct ctx {
	const struct coding_ref *ref;
	const struct coding_in *in;
	struct stored_coding *out;
	size_t wlen;
	long day;     /* the referral date, or DATE_NONE */
	int complete; /* cleared by anything that makes it "partial" */
};

static void
warn(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends a warning line, or drops it when the buffer is full. */
static void
warn(struct ctx *c, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	if (c->wlen + n + 2 > sizeof(c->out->warnings))
		return;
	if (c->wlen > 0)
		c->out->warnings[c->wlen++] = '\n';
	memcpy(c->out->warnings + c->wlen, line, n + 1);
	c->wlen += n;
}

int
coding_tariff_year(const char *date, char out[8])
{
	int y;

	if (date == NULL || date_days(date) == DATE_NONE)
		return -1;
	y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 +
	    (date[2] - '0') * 10 + (date[3] - '0');
	if (date[5] == '0' && date[6] < '4')
		y--;
	snprintf(out, 8, "%04u/%02u", (unsigned)y % 10000u,
	    (unsigned)(y + 1) % 100u);
	return 0;
}

/* Whether an organisation is open on the referral date; warns if not. */
static int
check_open(struct ctx *c, const struct cr_org *o, const char *what,
    const char *code)
{
	if (c->day != DATE_NONE && o->open != DATE_NONE && c->day < o->open) {
		warn(c, "%s not yet open: %s opened on %s", what, code,
		    o->open_s);
		return 0;
	}
	if (c->day != DATE_NONE && o->close != DATE_NONE && c->day > o->close) {
		warn(c, "%s closed: %s closed on %s", what, code, o->close_s);
		return 0;
	}
	if (o->close == DATE_NONE && o->status == 'C') {
		warn(c, "%s closed: %s has status C", what, code);
		return 0;
	}
	return 1;
}

static void
check_practice(struct ctx *c)
{
	const char *p = c->in->practice;
	const struct cr_org *o;

	c->out->practice_known = 0;
	if (p == NULL) {
		warn(c, "no practice: the referral names none");
	} else if ((o = refmap_get(&c->ref->practices, p)) == NULL) {
		warn(c, "unknown practice: %s is not in ref.practices", p);
	} else {
		c->out->practice_known = 1;
		if (check_open(c, o, "practice", p))
			return;
	}
	c->complete = 0;
}

/* Upper-case words of a name, titles and punctuation dropped. */
static size_t
name_words(const char *name, char words[][32], size_t max)
{
	static const char *const titles[] = {"DR", "MR", "MRS", "MS", "MISS",
	    "MX", "PROF", "PROFESSOR", "SIR", "DAME", NULL};
	size_t n = 0, len = 0, t;
	const char *p;

	for (p = name;; p++) {
		if (*p != '\0' && (isalpha((unsigned char)*p) || *p == '\'' ||
		    *p == '-')) {
			if (len + 1 < sizeof(words[0]) && n < max)
				words[n][len++] = (char)toupper((unsigned char)*p);
			continue;
		}
		if (len > 0 && n < max) {
			words[n][len] = '\0';
			for (t = 0; titles[t] != NULL; t++)
				if (strcmp(words[n], titles[t]) == 0)
					break;
			if (titles[t] == NULL)
				n++;
		}
		len = 0;
		if (*p == '\0')
			break;
	}
	return n;
}

/*
 * How well a GP ("SURNAME INITIALS") matches the words of a name: 3 the
 * surname and all the initials ("Dr A K Shah", "AK SHAH", "Ali Khan
 * Shah" for SHAH AK), 2 the surname and the first initial, 1 the surname
 * alone (no other words), 0 not at all.
 */
static int
name_score(const struct cr_gp *g, char words[][32], size_t n)
{
	char sur[8][32], ini[16];
	size_t ns = name_words(g->surname, sur, 8), i, j, k, ni = 0;

	if (ns == 0 || g->initials[0] == '\0')
		return 0;
	for (i = 0; i + ns <= n; i++) {
		for (j = 0; j < ns && strcmp(words[i + j], sur[j]) == 0; j++)
			;
		if (j == ns)
			break;
	}
	if (i + ns > n)
		return 0;
	/* The other words as initials: one or two letters are initials
	 * ("AK"), a longer word a forename ("Ali"). */
	for (k = 0; k < n; k++) {
		size_t len = strlen(words[k]);

		if (k >= i && k < i + ns)
			continue;
		if (len <= 2) {
			for (j = 0; j < len && ni + 1 < sizeof(ini); j++)
				ini[ni++] = words[k][j];
		} else if (ni + 1 < sizeof(ini)) {
			ini[ni++] = words[k][0];
		}
	}
	ini[ni] = '\0';
	if (ni == 0)
		return 1;
	if (strcmp(ini, g->initials) == 0)
		return 3;
	return ini[0] == g->initials[0] ? 2 : 0;
}

/* The one GP of the practice the name fits best; NULL when none does or
 * two fit equally (*ambiguous set). */
static const struct cr_gp *
match_name(const struct coding_ref *ref, const char *practice,
    const char *name, int *ambiguous)
{
	char words[12][32];
	size_t n = name_words(name, words, 12);
	const struct cr_gp *g, *best = NULL;
	int best_score = 0, tie = 0;

	*ambiguous = 0;
	for (g = refmap_get(&ref->gps_at, practice); g != NULL; g = g->next) {
		int s = name_score(g, words, n);

		if (s > best_score) {
			best = g;
			best_score = s;
			tie = 0;
		} else if (s > 0 && s == best_score && strcmp(g->code,
		    best->code) != 0) {
			tie = 1;
		}
	}
	if (tie) {
		*ambiguous = 1;
		return NULL;
	}
	return best;
}

static void
check_referrer(struct ctx *c)
{
	const struct coding_in *in = c->in;
	const char *code = in->referrer_code;
	const struct cr_gp *g = NULL, *other;
	char key[64];
	int ambiguous = 0;

	c->out->referrer_known = 0;
	if (code != NULL && strcmp(code, GP_UNKNOWN) == 0)
		code = NULL;
	if (code == NULL && in->referrer_name == NULL) {
		warn(c, "no referrer: neither a GP code nor a name");
		c->complete = 0;
		return;
	}
	if (code != NULL && in->practice != NULL) {
		snprintf(key, sizeof(key), "%s|%s", code, in->practice);
		g = refmap_get(&c->ref->gps, key);
	}
	if (g == NULL && in->referrer_name != NULL && in->practice != NULL &&
	    (g = match_name(c->ref, in->practice, in->referrer_name,
	    &ambiguous)) != NULL && code != NULL)
		warn(c, "referrer code not at the practice: %s is not a GP of "
		    "%s; the name matches %s", code, in->practice, g->code);
	if (g != NULL) {
		c->out->referrer_known = 1;
		if (c->day != DATE_NONE && g->left != DATE_NONE &&
		    c->day > g->left) {
			warn(c, "referrer left the practice: %s left %s before "
			    "the referral date", g->code, g->practice);
			c->complete = 0;
		}
		return;
	}
	c->complete = 0;
	if (ambiguous)
		warn(c, "unknown referrer: the name fits more than one GP of "
		    "%s", in->practice);
	else if (code != NULL && (other = refmap_get(&c->ref->gps_code,
	    code)) != NULL)
		warn(c, "unknown referrer: %s is a GP of %s, not of %s", code,
		    other->practice, in->practice ? in->practice : "-");
	else if (code != NULL)
		warn(c, "unknown referrer: %s is not in ref.gps", code);
	else
		warn(c, "unknown referrer: the name fits no GP of %s",
		    in->practice ? in->practice : "the practice");
}

static void
check_consultant(struct ctx *c)
{
	const char *code = c->in->consultant;

	if (code != NULL && strcmp(code, CONSULTANT_UNKNOWN) != 0 &&
	    refmap_get(&c->ref->consultants, code) == NULL)
		warn(c, "unknown consultant: %s is not in ref.consultants",
		    code);
}

static void
check_provider(struct ctx *c)
{
	const char *p = c->in->provider;
	const struct cr_org *o = NULL;
	char trust[4];

	c->out->provider_known = 0;
	if (p == NULL) {
		warn(c, "no provider: the referral names none");
		c->complete = 0;
		return;
	}
	if ((o = refmap_get(&c->ref->trusts, p)) == NULL &&
	    (o = refmap_get(&c->ref->practices, p)) == NULL &&
	    strlen(p) == 5) {
		/* A site of a trust whose sites are not loaded. */
		memcpy(trust, p, 3);
		trust[3] = '\0';
		o = refmap_get(&c->ref->trusts, trust);
	}
	if (o == NULL) {
		warn(c, "unknown provider: %s is not in ref.trusts", p);
		c->complete = 0;
		return;
	}
	c->out->provider_known = 1;
	if (!check_open(c, o, "provider", p))
		c->complete = 0;
}

/* The longest phrase of l found in text on word boundaries. */
static const char *
phrase_in(const struct cr_phrases *l, const char *text)
{
	const char *best = NULL;
	size_t i, best_len = 0;

	for (i = 0; i < l->n; i++) {
		size_t pl = strlen(l->v[i].phrase);
		const char *hit = text;

		if (pl <= best_len)
			continue;
		while ((hit = strstr(hit, l->v[i].phrase)) != NULL) {
			if ((hit == text || hit[-1] == ' ') &&
			    (hit[pl] == '\0' || hit[pl] == ' ')) {
				best = l->v[i].tfc;
				best_len = pl;
				break;
			}
			hit++;
		}
	}
	return best;
}

static const char *
synonym(const struct coding_ref *ref, const char *text)
{
	char norm[256];
	const char *t;

	ref_phrase(text, norm, sizeof(norm));
	if (norm[0] == '\0')
		return NULL;
	if ((t = refmap_get(&ref->synonyms, norm)) != NULL ||
	    (t = phrase_in(&ref->syn_list, norm)) != NULL ||
	    (t = refmap_get(&ref->titles, norm)) != NULL)
		return t;
	return phrase_in(&ref->title_list, norm);
}

static int
three_digits(const char *s)
{
	return s != NULL && strlen(s) == 3 && isdigit((unsigned char)s[0]) &&
	    isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]);
}

/* The consultant's main specialty: at the provider's trust when econcur
 * lists one there, else the first listed; NULL when unknown. */
static const char *
consultant_specialty(const struct coding_ref *r, const char *code,
    const char *provider)
{
	const struct cr_consultant *c = refmap_get(&r->consultants, code), *k;

	for (k = c; k != NULL && provider != NULL; k = k->next)
		if (strncmp(k->trust, provider, strlen(k->trust)) == 0 &&
		    k->trust[0] != '\0' && k->main_specialty != NULL)
			return k->main_specialty;
	for (k = c; k != NULL; k = k->next)
		if (k->main_specialty != NULL)
			return k->main_specialty;
	return NULL;
}

/* The TFC from the best evidence there is, or NULL. */
static const char *
assign_tfc(struct ctx *c)
{
	const struct coding_ref *r = c->ref;
	const struct coding_in *in = c->in;
	const char *t, *ms = NULL, *spec;

	if (in->tfc != NULL) {
		if (refmap_get(&r->tfc, in->tfc) != NULL) {
			c->out->evidence = "explicit";
			return in->tfc;
		}
		if (refmap_get(&r->main_specs, in->tfc) != NULL)
			ms = in->tfc;
		else if (refmap_get(&r->tfc_retired, in->tfc) != NULL)
			warn(c, "retired TFC: %s is not a treatment function "
			    "in use", in->tfc);
		else
			warn(c, "unknown TFC: %s is not in ref.tfc", in->tfc);
	}
	if (in->ers_clinic_type != NULL) {
		t = refmap_get(&r->clinic_tfc, in->ers_clinic_type);
		spec = refmap_get(&r->clinic_types, in->ers_clinic_type);
		if (t == NULL && spec != NULL)
			t = refmap_get(&r->ers_spec_tfc, spec);
		if (t != NULL) {
			c->out->evidence = "ers_clinic_type";
			return t;
		}
		warn(c, spec ? "e-RS clinic type without a TFC: %s" :
		    "unknown e-RS clinic type: %s", in->ers_clinic_type);
	}
	if (in->ers_specialty != NULL) {
		if ((t = refmap_get(&r->ers_spec_tfc, in->ers_specialty)) !=
		    NULL) {
			c->out->evidence = "ers_specialty";
			return t;
		}
		warn(c, "e-RS specialty without a TFC: %s", in->ers_specialty);
	}
	if (ms == NULL && three_digits(in->specialty_text) &&
	    refmap_get(&r->main_specs, in->specialty_text) != NULL)
		ms = in->specialty_text;
	if (ms != NULL) {
		if ((t = refmap_get(&r->main_spec_tfc, ms)) != NULL) {
			c->out->evidence = "main_specialty";
			return t;
		}
		warn(c, "main specialty without a TFC: %s", ms);
	}
	if (in->consultant != NULL && (spec = consultant_specialty(r,
	    in->consultant, in->provider)) != NULL &&
	    (t = refmap_get(&r->main_spec_tfc, spec)) != NULL) {
		c->out->evidence = "consultant";
		return t;
	}
	if (in->specialty_text != NULL) {
		if ((t = synonym(r, in->specialty_text)) != NULL) {
			c->out->evidence = "synonym";
			return t;
		}
		warn(c, "specialty not recognised: the text matches no synonym "
		    "or TFC title");
	}
	if (in->tfc == NULL && in->ers_clinic_type == NULL &&
	    in->ers_specialty == NULL && in->specialty_text == NULL)
		warn(c, "no specialty: no TFC, e-RS code or specialty text");
	return NULL;
}

long long
coding_first_attendance_price(const struct coding_ref *ref, const char *tfc,
    const char *date, const char **hrg)
{
	const struct cr_price *p;
	char year[8], key[16];

	if (hrg != NULL)
		*hrg = NULL;
	if (tfc == NULL || coding_tariff_year(date, year) < 0)
		return -1;
	snprintf(key, sizeof(key), "%s|%.3s", year, tfc);
	if ((p = refmap_get(&ref->op_prices, key)) == NULL)
		return -1;
	if (p->wf01b >= 0) {
		if (hrg != NULL)
			*hrg = "WF01B";
		return p->wf01b;
	}
	if (p->wf02b >= 0 && hrg != NULL)
		*hrg = "WF02B";
	return p->wf02b;
}

/* The procedure HRG of the first listed procedure requested, or NULL. */
static const char *
procedure_hrg(const struct coding_ref *ref, const struct coding_in *in)
{
	size_t i, j, len;

	for (i = 0; i < in->nopcs4; i++) {
		char code[8];

		for (j = 0, len = 0; in->opcs4[i][j] != '\0' && len < 4; j++)
			if (in->opcs4[i][j] != '.')
				code[len++] = (char)toupper(
				    (unsigned char)in->opcs4[i][j]);
		for (; len >= 3; len--) {
			const char *h;

			code[len] = '\0';
			if ((h = refmap_get(&ref->proc_hrg, code)) != NULL)
				return h;
		}
	}
	return NULL;
}

static void
price(struct ctx *c, const char *tfc)
{
	struct stored_coding *out = c->out;
	const char *year = out->tariff_year, *hrg, *ahrg;
	long long p;
	char key[24];

	if (c->day == DATE_NONE) {
		warn(c, "no referral date: not priced");
		return;
	}
	if ((hrg = procedure_hrg(c->ref, c->in)) != NULL) {
		const long long *hp;

		snprintf(key, sizeof(key), "%s|%s", year, hrg);
		if ((hp = refmap_get(&c->ref->hrg_prices, key)) != NULL) {
			snprintf(out->hrg, sizeof(out->hrg), "%s", hrg);
			out->price_pence = *hp;
			return;
		}
		warn(c, "procedure HRG not priced: %s has no price in %s", hrg,
		    year);
	}
	if (tfc == NULL)
		return;
	if ((p = coding_first_attendance_price(c->ref, tfc, c->in->date,
	    &ahrg)) < 0) {
		warn(c, "no outpatient price: TFC %s has none in %s", tfc,
		    year);
		return;
	}
	snprintf(out->hrg, sizeof(out->hrg), "%s", ahrg);
	out->price_pence = p;
}

void
coding_code(const struct coding_ref *ref, const struct coding_in *in,
    struct stored_coding *out)
{
	struct ctx c = {ref, in, out, 0, DATE_NONE, 1};
	const char *tfc;

	memset(out, 0, sizeof(*out));
	out->price_pence = -1;
	out->practice_known = out->referrer_known = out->provider_known = -1;
	out->status = "uncoded";
	if (in->date != NULL && coding_tariff_year(in->date, out->tariff_year)
	    == 0)
		c.day = date_days(in->date);
	if (ref->version == 0) {
		warn(&c, "no reference data: nothing has been loaded (pars "
		    "refdata load)");
		return;
	}
	check_practice(&c);
	check_referrer(&c);
	check_consultant(&c);
	check_provider(&c);
	if ((tfc = assign_tfc(&c)) != NULL)
		snprintf(out->tfc, sizeof(out->tfc), "%s", tfc);
	price(&c, tfc);
	if (out->price_pence < 0)
		c.complete = 0;
	if (tfc != NULL)
		out->status = c.complete ? "coded" : "partial";
}

int
coding_alt_service(const struct coding_ref *ref, const char *code,
    struct coding_alt_service *out)
{
	const struct cr_alt *s = code ? refmap_get(&ref->alt, code) : NULL;

	if (s == NULL)
		return -1;
	out->code = s->code;
	out->name = s->name;
	out->tfc = s->tfc;
	out->replaces = s->replaces;
	out->price_pence = s->price_pence;
	return 0;
}

long long
coding_alt_service_price(const struct coding_ref *ref, const char *code)
{
	struct coding_alt_service s;

	return coding_alt_service(ref, code, &s) == 0 ? s.price_pence : -1;
}
