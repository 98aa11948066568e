/*
 * compose.c - see compose.h.
 */
#include "compose.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "buf.h"
#include "chart.h"
#include "doc.h"
#include "xmalloc.h"

#define TOP_TFCS 12

struct ctx {
	struct doc *d;
	const struct fig_set *s;
	const struct fig_practice *p;
	int min;
	struct buf flags; /* JSON array of flag keys */
};

void
compose_money(char *out, size_t n, long long pence)
{
	char digits[32], tmp[48];
	long long pounds = llabs(pence) / 100 + (llabs(pence) % 100 >= 50);
	size_t len, i, j = 0;

	snprintf(digits, sizeof(digits), "%lld", pounds);
	len = strlen(digits);
	if (pence < 0)
		tmp[j++] = '-';
	tmp[j++] = '\xc2'; /* U+00A3 POUND SIGN */
	tmp[j++] = '\xa3';
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			tmp[j++] = ',';
		tmp[j++] = digits[i];
	}
	tmp[j] = '\0';
	snprintf(out, n, "%s", tmp);
}

/* A count as shown: under the threshold (but not 0) as "<5". */
static const char *
cnt(struct ctx *c, long long n)
{
	if (n > 0 && n < c->min)
		return doc_printf(c->d, "<%d", c->min);
	return doc_printf(c->d, "%lld", n);
}

static int
small(const struct ctx *c, long long n)
{
	return n > 0 && n < c->min;
}

/* A figure derived from a count n: hidden ("*") when n is small. */
static const char *
rate_s(struct ctx *c, double r, long long n)
{
	if (small(c, n))
		return "*";
	if (isnan(r))
		return "-";
	return doc_printf(c->d, "%.1f", r);
}

static const char *
money_s(struct ctx *c, long long pence, long long n)
{
	char m[48];

	if (small(c, n))
		return "*";
	compose_money(m, sizeof(m), pence);
	return doc_printf(c->d, "%s", m);
}

static const char *
ordinal(struct ctx *c, int n)
{
	const char *suf = "th";

	if (n % 100 < 11 || n % 100 > 13) {
		if (n % 10 == 1)
			suf = "st";
		else if (n % 10 == 2)
			suf = "nd";
		else if (n % 10 == 3)
			suf = "rd";
	}
	return doc_printf(c->d, "%d%s", n, suf);
}

static const char *
position_s(int judged, int pos)
{
	if (!judged)
		return "not judged (too few expected)";
	switch (pos) {
	case 2: return "above the 99.8% limit";
	case 1: return "above the 95% limit";
	case -1: return "below the 95% limit";
	case -2: return "below the 99.8% limit";
	default: return "within the limits";
	}
}

static const char *
short_position(int judged, int pos)
{
	static const char *const w[] = {"below 99.8%", "below 95%", "within",
	    "above 95%", "above 99.8%"};

	return judged ? w[pos + 2] : "not judged";
}

static const char *
tfc_label(struct ctx *c, const char *tfc, const char *title)
{
	if (tfc == NULL || tfc[0] == '\0')
		return "not coded";
	if (title == NULL)
		return doc_printf(c->d, "TFC %s", tfc);
	return doc_printf(c->d, "%s %s", tfc, title);
}

static void
flag(struct ctx *c, int level, const char *key, const char *text,
    const char *action)
{
	doc_flag(c->d, level, key, text, action);
	buf_adds(&c->flags, c->flags.len > 1 ? "," : "");
	buf_json_str(&c->flags, key);
}

/*
 * Copies a quarantine reason with any other practice's code and any
 * clinician's code taken out (a reason may name what the document said).
 */
static const char *
scrub(struct ctx *c, const char *reason)
{
	struct buf b;
	const char *s = reason ? reason : "";
	char *out;
	size_t i, n = strlen(s);

	buf_init(&b, 0);
	for (i = 0; i < n;) {
		int boundary = i == 0 || !isalnum((unsigned char)s[i - 1]);
		size_t k = 1;

		while (i + k < n && isdigit((unsigned char)s[i + k]))
			k++;
		if (boundary && isupper((unsigned char)s[i]) &&
		    (i + k == n || !isalnum((unsigned char)s[i + k]))) {
			if (k == 6 && strncmp(s + i, c->p->code, 6) != 0) {
				buf_adds(&b, "another practice");
				i += k;
				continue;
			}
			if (k == 8 && s[i] == 'G') {
				buf_adds(&b, "a clinician");
				i += k;
				continue;
			}
		}
		buf_addc(&b, s[i++]);
	}
	out = doc_printf(c->d, "%s", b.p ? b.p : "");
	buf_free(&b);
	return out;
}

static void
headline(struct ctx *c)
{
	const struct fig_practice *p = c->p;
	static const char *const head[] = {"measure", "value"};
	struct doc_table *t = doc_table(c->d, "summary", 2, head);
	char m[48];

	doc_row(c->d, t, 1, "referrals in the period", cnt(c, p->n));
	doc_row(c->d, t, 0, "weighted list size", p->weighted > 0 ?
	    doc_printf(c->d, "%.0f", p->weighted) : "not known");
	doc_row(c->d, t, 1, "referrals per 1,000 weighted patients",
	    rate_s(c, p->rate, p->n));
	doc_row(c->d, t, 0, "other practices: median rate",
	    rate_s(c, p->peers.median, 0));
	doc_row(c->d, t, 0, "other practices: interquartile range",
	    p->peers.n > 0 ? doc_printf(c->d, "%.1f to %.1f", p->peers.q1,
	    p->peers.q3) : "-");
	doc_row(c->d, t, 0, "rank in the locality (1 = highest rate)",
	    p->rank > 0 ? doc_printf(c->d, "%s of %d", ordinal(c, p->rank),
	    p->ranked) : "-");
	doc_row(c->d, t, 0, "95% control limits",
	    isnan(p->lim[0]) ? "-" : doc_printf(c->d, "%.1f to %.1f",
	    p->lim[0], p->lim[1]));
	doc_row(c->d, t, 0, "99.8% control limits",
	    isnan(p->lim[2]) ? "-" : doc_printf(c->d, "%.1f to %.1f",
	    p->lim[2], p->lim[3]));
	doc_row(c->d, t, 0, "against the funnel", small(c, p->n) ? "*" :
	    position_s(p->judged, p->position));
	doc_row(c->d, t, 0, "limits used", !p->loc->have_funnel ? "-" :
	    p->loc->funnel.overdispersed ? "widened for overdispersion" :
	    "exact Poisson");
	doc_row(c->d, t, 0, "cost at tariff", money_s(c, p->cost, p->n));
	doc_row(c->d, t, 0, "PUNs (referrals with a better alternative)",
	    cnt(c, (long long)p->npuns));
	compose_money(m, sizeof(m), p->saving_total);
	doc_row(c->d, t, 0, "potential savings", m);
	doc_row(c->d, t, 0, "DENs (learning points)", cnt(c, p->dens));
	doc_row(c->d, t, 0, "documents quarantined",
	    doc_printf(c->d, "%lld", p->docs_quarantined));
}

static void
rate_flags(struct ctx *c)
{
	const struct fig_practice *p = c->p;
	size_t i;

	if (p->judged && p->position != 0 && !small(c, p->n)) {
		int hi = p->position > 0, lvl = abs(p->position);

		flag(c, lvl, hi ? "rate_high" : "rate_low", doc_printf(c->d,
		    "Your practice referred %.1f patients per 1,000 weighted "
		    "patients, %s around the locality's rate of %.1f "
		    "(other practices' median %.1f).", p->rate,
		    position_s(1, p->position),
		    p->loc->funnel.target * 1000.0, p->peers.median),
		    hi ? "Look at a sample of this period's referrals together"
		    " at a practice meeting: could advice and guidance, a "
		    "community service or direct-access tests have met some "
		    "of the needs? The specialty table shows where the "
		    "difference is." : "Check that every referral is being "
		    "copied to the hub (missing copies lower the rate), and "
		    "that patients who need a specialist opinion are "
		    "referred.");
	}
	for (i = 0; i < p->ntfc; i++) {
		const struct fig_tfc *x = &p->tfc[i];
		int hi = x->position > 0;

		if (!x->judged || x->position == 0 || small(c, x->n))
			continue;
		flag(c, abs(x->position), doc_printf(c->d, "tfc_%s_%s", x->tfc,
		    hi ? "high" : "low"), doc_printf(c->d, "%s: %.1f "
		    "referrals per 1,000 weighted patients, %s (other "
		    "practices' median %.1f).", tfc_label(c, x->tfc, x->title),
		    x->rate, position_s(1, x->position), x->peer_median),
		    hi ? doc_printf(c->d, "Review this period's %s referrals: "
		    "the pathway, the local alternatives (see PUNs) and "
		    "advice and guidance before referring.",
		    tfc_label(c, x->tfc, x->title)) : doc_printf(c->d,
		    "Check that %s referrals are copied to the hub and coded "
		    "with the right specialty.", tfc_label(c, x->tfc,
		    x->title)));
	}
}

static void
other_flags(struct ctx *c)
{
	const struct fig_practice *p = c->p;
	char m[48];
	size_t i;

	for (i = 0; i < p->ncosts; i++) {
		const struct fig_cost *k = &p->costs[i];
		char plan[48];

		if (isnan(k->share_value) || small(c, k->n) || k->n == 0 ||
		    (double)k->cost <= 1.2 * k->share_value)
			continue;
		compose_money(m, sizeof(m), k->cost);
		compose_money(plan, sizeof(plan), (long long)k->share_value);
		flag(c, 1, doc_printf(c->d, "cost_%s_%s", k->provider,
		    k->tfc), doc_printf(c->d, "Referrals to %s for %s cost "
		    "%s at tariff, more than 20%% over your share of the "
		    "shadow contract (%s).", k->provider,
		    tfc_label(c, k->tfc, k->title), m, plan),
		    "Compare with the alternatives in the PUN list, and raise "
		    "the pathway at the locality meeting if the plan looks "
		    "too low.");
	}
	if (p->npuns > 0) {
		compose_money(m, sizeof(m), p->saving_total);
		flag(c, 1, "puns", doc_printf(c->d, "%s referrals could have "
		    "been met by an alternative service, a potential saving "
		    "of %s.", cnt(c, (long long)p->npuns), m),
		    "Look up each referral by your own reference in the PUN "
		    "list and consider the alternative named there next "
		    "time.");
	}
	for (i = 0; i < p->nden_themes; i++) {
		const struct fig_den_theme *t = &p->den_themes[i];

		if (i > 0 && strcmp(t->theme, p->den_themes[i - 1].theme) == 0)
			continue;
		flag(c, 1, doc_printf(c->d, "den_%s", t->theme),
		    doc_printf(c->d, "Learning points on %s (see the DEN "
		    "table).", t->theme), "Discuss the examples at a "
		    "clinical meeting and add what was missing to your "
		    "referral template.");
	}
	if (p->docs_quarantined > 0)
		flag(c, 2, "quarantined", doc_printf(c->d, "%lld document(s) "
		    "you sent could not be read and are not counted.",
		    p->docs_quarantined), "Correct each one as its reason "
		    "says (data quality section) and send it again.");
	if (p->uncoded > 0)
		flag(c, 1, "uncoded", doc_printf(c->d, "%s referral(s) could "
		    "not be given a specialty and are left out of the "
		    "specialty figures.", cnt(c, p->uncoded)), "Make sure "
		    "each referral names the specialty (treatment function "
		    "code or e-RS specialty) in the field your system "
		    "sends.");
}

static void
rate_section(struct ctx *c)
{
	const struct fig_practice *p = c->p;
	const struct fig_locality *l = p->loc;
	double *den = arena_alloc(c->d->a, (l->n + 1) * sizeof(double));
	double *rate = arena_alloc(c->d->a, (l->n + 1) * sizeof(double));
	static const char *const th[] = {"month", "your referrals",
	    "your rate per 1,000", "locality median rate"};
	const char *months[FIG_MONTHS];
	double mine[FIG_MONTHS];
	struct doc_table *t;
	long me = -1;
	size_t i;
	int m;

	doc_h2(c->d, "Referral rate against the locality");
	for (i = 0; i < l->n; i++) {
		den[i] = l->members[i]->weighted;
		rate[i] = small(c, l->members[i]->n) ? NAN
						      : l->members[i]->rate;
		if (l->members[i] == p)
			me = (long)i;
	}
	if (l->have_funnel) {
		doc_chart(c->d, chart_funnel(c->d->a, den, rate, l->n, me,
		    &l->funnel, "Funnel plot: your practice among the "
		    "locality's practices", "Referral rate per 1,000 weighted "
		    "patients against list size; your practice highlighted, "
		    "other practices as grey dots, control limits at 95% and "
		    "99.8%."));
		if (l->funnel.overdispersed)
			doc_note(c->d, "Limits used: the locality's rates are "
			    "more spread than chance allows (overdispersion "
			    "%.2f), so the limits are widened by a random-"
			    "effects term (Spiegelhalter 2005; DerSimonian-"
			    "Laird estimate on Winsorised z-scores, tau "
			    "%.2f per 1,000).", l->funnel.phi,
			    sqrt(l->funnel.tau2) * 1000.0);
		else
			doc_note(c->d, "Limits used: exact Poisson limits "
			    "around the locality's rate of %.1f per 1,000 "
			    "(no overdispersion beyond chance: %.2f).",
			    l->funnel.target * 1000.0, l->funnel.phi);
	} else {
		doc_note(c->d, "No funnel plot: the locality has no referrals "
		    "or no list sizes for this period.");
	}
	if (p->weighted <= 0)
		doc_note(c->d, "No weighted list size is loaded for your "
		    "practice, so rates cannot be given (pars refdata load "
		    "list-sizes).");
	for (m = 0; m < FIG_MONTHS; m++) {
		months[m] = c->s->period.months[m];
		mine[m] = small(c, p->trend[m]) ? NAN : p->trend_rate[m];
	}
	doc_chart(c->d, chart_trend(c->d->a, months, mine, l->trend_median,
	    FIG_MONTHS, "Twelve-month trend", "Your referral rate per 1,000 "
	    "weighted patients each month against the locality's median."));
	t = doc_table(c->d, "trend", 4, th);
	for (m = 0; m < FIG_MONTHS; m++)
		doc_row(c->d, t, 0, months[m], cnt(c, p->trend[m]),
		    rate_s(c, p->trend_rate[m], p->trend[m]),
		    isnan(l->trend_median[m]) ? "-" : doc_printf(c->d, "%.1f",
		    l->trend_median[m]));
}

static void
specialty_section(struct ctx *c)
{
	const struct fig_practice *p = c->p;
	static const char *const th[] = {"specialty", "referrals",
	    "rate per 1,000", "other practices' median", "95% limits",
	    "99.8% limits", "against the funnel", "limits used"};
	const char *labels[TOP_TFCS];
	double val[TOP_TFCS], ref[TOP_TFCS];
	struct doc_table *t;
	size_t i, n = 0;
	int any_od = 0;

	doc_h2(c->d, "By specialty");
	for (i = 0; i < p->ntfc && n < TOP_TFCS; i++) {
		const struct fig_tfc *x = &p->tfc[i];

		labels[n] = x->title ? x->title : tfc_label(c, x->tfc, NULL);
		val[n] = small(c, x->n) ? NAN : x->rate;
		ref[n] = x->peer_median;
		n++;
	}
	if (n > 0)
		doc_chart(c->d, chart_bars(c->d->a, labels, val, ref, n,
		    "per 1,000 weighted patients", "Your rate by specialty "
		    "against the other practices' median", "Bars: your "
		    "referral rate per 1,000 weighted patients in each "
		    "specialty; ticks: the median of the other practices."));
	t = doc_table(c->d, "specialty", 8, th);
	for (i = 0; i < p->ntfc; i++) {
		const struct fig_tfc *x = &p->tfc[i];

		any_od |= x->overdispersed;
		doc_row(c->d, t, 0, tfc_label(c, x->tfc, x->title),
		    cnt(c, x->n), rate_s(c, x->rate, x->n),
		    rate_s(c, x->peer_median, 0), isnan(x->lim[0]) ? "-" :
		    doc_printf(c->d, "%.1f to %.1f", x->lim[0], x->lim[1]),
		    isnan(x->lim[2]) ? "-" : doc_printf(c->d, "%.1f to %.1f",
		    x->lim[2], x->lim[3]), small(c, x->n) ? "*" :
		    position_s(x->judged, x->position), isnan(x->lim[0]) ? "-"
		    : x->overdispersed ? "widened for overdispersion" :
		    "exact Poisson");
	}
	if (p->uncoded > 0)
		doc_row(c->d, t, 0, "not coded", cnt(c, p->uncoded), "-", "-",
		    "-", "-", "-", "-");
	doc_note(c->d, "Each specialty has its own funnel around the "
	    "locality's rate for it: exact Poisson limits%s.  No specialty "
	    "is flagged where fewer than %.0f referrals would be expected.",
	    any_od ? ", widened for overdispersion where the practices' "
	    "rates vary more than chance allows" : "",
	    c->s->opts.min_expected);
}

static void
cost_section(struct ctx *c)
{
	const struct fig_practice *p = c->p;
	static const char *const th[] = {"provider", "specialty", "referrals",
	    "cost at tariff", "your share of the plan: activity",
	    "your share of the plan: value", "difference"};
	static const char *const ts[] = {"specialty", "referrals",
	    "cost at tariff"};
	struct doc_table *t;
	size_t i;

	doc_h2(c->d, "Cost at tariff");
	t = doc_table(c->d, "cost_by_specialty", 3, ts);
	for (i = 0; i < p->ntfc; i++)
		if (p->tfc[i].n > 0)
			doc_row(c->d, t, 0, tfc_label(c, p->tfc[i].tfc,
			    p->tfc[i].title), cnt(c, p->tfc[i].n),
			    money_s(c, p->tfc[i].cost, p->tfc[i].n));
	doc_row(c->d, t, 1, "total", cnt(c, p->n), money_s(c, p->cost, p->n));
	t = doc_table(c->d, "cost_by_provider", 7, th);
	for (i = 0; i < p->ncosts; i++) {
		const struct fig_cost *k = &p->costs[i];
		int plan = !isnan(k->share_value);

		doc_row(c->d, t, 0, k->provider ? k->provider : "not stated",
		    tfc_label(c, k->tfc, k->title), cnt(c, k->n),
		    money_s(c, k->cost, k->n), plan ? doc_printf(c->d, "%.1f",
		    k->share_activity) : "no contract line", plan ?
		    money_s(c, (long long)llround(k->share_value), 0) : "-",
		    plan ? money_s(c, k->cost - llround(k->share_value), k->n)
			 : "-");
	}
	doc_note(c->d, "Cost at tariff: the expected first outpatient "
	    "attendance at the NHS Payment Scheme price (%s).  Your share of "
	    "the shadow contract: the plan for the provider and specialty "
	    "times your weighted list's share of the hub's, for the %s of "
	    "this period.", c->s->period.tariff_year, "days");
}

static const char *
tfc_title(const struct fig_practice *p, const char *tfc)
{
	size_t i;

	for (i = 0; tfc != NULL && i < p->ntfc; i++)
		if (strcmp(p->tfc[i].tfc, tfc) == 0)
			return p->tfc[i].title;
	return NULL;
}

static void
pun_section(struct ctx *c)
{
	const struct fig_practice *p = c->p;
	static const char *const th[] = {"your reference", "date",
	    "specialty", "finding", "alternative", "potential saving"};
	struct doc_table *t;
	char m[48];
	size_t i;

	doc_h2(c->d, "PUNs: patients' needs an alternative could meet");
	if (p->npuns == 0) {
		doc_p(c->d, "No PUNs this period.");
		return;
	}
	t = doc_table(c->d, "puns", 6, th);
	for (i = 0; i < p->npuns; i++) {
		const struct fig_pun *u = &p->puns[i];

		if (u->saving >= 0)
			compose_money(m, sizeof(m), u->saving);
		doc_row(c->d, t, 0, u->source_id ? u->source_id : "(none)",
		    u->date, tfc_label(c, u->tfc, tfc_title(p, u->tfc)),
		    u->title,
		    u->alt_name ? u->alt_name : u->alt_code,
		    u->saving >= 0 ? m : "not priced");
	}
	compose_money(m, sizeof(m), p->saving_total);
	doc_row(c->d, t, 1, "total", cnt(c, (long long)p->npuns), "", "", "",
	    m);
	doc_note(c->d, "Referrals are named by your own reference for them "
	    "(the UBRN or your system's id), never by patient details.");
}

static void
den_section(struct ctx *c)
{
	const struct fig_practice *p = c->p;
	static const char *const th[] = {"theme", "learning point",
	    "referrals"};
	static const char *const tc[] = {"clinician code", "clinician",
	    "learning points"};
	struct doc_table *t;
	size_t i;

	doc_h2(c->d, "DENs: learning points");
	if (p->dens == 0) {
		doc_p(c->d, "No DENs this period.");
		return;
	}
	t = doc_table(c->d, "dens_by_theme", 3, th);
	for (i = 0; i < p->nden_themes; i++)
		doc_row(c->d, t, 0, p->den_themes[i].theme,
		    p->den_themes[i].title, cnt(c, p->den_themes[i].n));
	t = doc_table(c->d, "dens_by_clinician", 3, tc);
	for (i = 0; i < p->nden_clins; i++)
		doc_row(c->d, t, 0, p->den_clins[i].code,
		    p->den_clins[i].name, cnt(c, p->den_clins[i].n));
	if (p->dens_other_clinicians > 0)
		doc_row(c->d, t, 0, "-", "clinicians not registered at your "
		    "practice", cnt(c, p->dens_other_clinicians));
	doc_note(c->d, "Only your practice's own clinicians are named.");
}

static void
quality_section(struct ctx *c)
{
	const struct fig_practice *p = c->p;
	static const char *const th[] = {"measure", "value"};
	static const char *const tq[] = {"document", "received", "reason",
	    "what to do"};
	struct doc_table *t;
	size_t i;

	doc_h2(c->d, "Data quality");
	t = doc_table(c->d, "data_quality", 2, th);
	doc_row(c->d, t, 0, "documents received",
	    doc_printf(c->d, "%lld", p->docs_received));
	doc_row(c->d, t, 0, "documents stored",
	    doc_printf(c->d, "%lld", p->docs_stored));
	doc_row(c->d, t, 0, "documents quarantined",
	    doc_printf(c->d, "%lld", p->docs_quarantined));
	doc_row(c->d, t, 0, "documents waiting to be read",
	    doc_printf(c->d, "%lld", p->docs_waiting));
	doc_row(c->d, t, 0, "referrals stored from them",
	    doc_printf(c->d, "%lld", p->refs_stored));
	doc_row(c->d, t, 0, "referrals without a specialty",
	    cnt(c, p->uncoded));
	if (p->nquarantined > 0) {
		t = doc_table(c->d, "quarantined", 4, tq);
		for (i = 0; i < p->nquarantined; i++)
			doc_row(c->d, t, 0, doc_printf(c->d, "%lld",
			    p->quarantined[i].id), p->quarantined[i].received,
			    scrub(c, p->quarantined[i].reason), "correct it "
			    "as the reason says and send it again; nothing "
			    "from it is counted until then");
	}
	doc_note(c->d, "Document counts are not suppressed: they are about "
	    "files, not patients, and you need them to re-send.");
}

static char *
summary_json(const struct fig_practice *p, const struct buf *flags)
{
	struct buf b;
	size_t i;

	buf_init(&b, 64u << 20);
	buf_printf(&b, "{\"referrals\":%lld,\"rate\":", p->n);
	if (isnan(p->rate))
		buf_adds(&b, "null");
	else
		buf_printf(&b, "%.1f", p->rate);
	buf_printf(&b, ",\"cost\":%lld,\"puns\":%zu,\"saving\":%lld,"
	    "\"dens\":%lld,\"quarantined\":%lld,\"flags\":%s,\"pun_refs\":[",
	    p->cost, p->npuns, p->saving_total, p->dens, p->docs_quarantined,
	    flags->p);
	for (i = 0; i < p->npuns; i++) {
		buf_adds(&b, i ? "," : "");
		buf_json_str(&b, p->puns[i].source_id ? p->puns[i].source_id
						     : "");
	}
	buf_adds(&b, "],\"quarantined_ids\":[");
	for (i = 0; i < p->nquarantined; i++)
		buf_printf(&b, "%s%lld", i ? "," : "", p->quarantined[i].id);
	buf_adds(&b, "]}");
	return buf_steal(&b, NULL);
}

static const char *
kind_words(const struct fig_period *pr)
{
	if (strcmp(pr->kind, "nightly") == 0)
		return "month to date";
	if (strcmp(pr->kind, "monthly") == 0)
		return "month";
	if (strcmp(pr->kind, "quarterly") == 0)
		return "quarter";
	return "period";
}

/* The data's date for the PDF's metadata: the period's last day. */
static void
set_date(struct doc *d, const struct fig_period *pr)
{
	d->date = doc_printf(d, "%sT00:00:00Z", pr->to);
}

struct doc *
compose_practice(const struct fig_set *s, const struct fig_practice *p,
    char **summary)
{
	struct ctx c = {NULL, s, p, s->opts.min_count, {0}};
	const struct fig_period *pr = &s->period;
	char *title, *sub;
	size_t before;

	title = xasprintf("Referral feedback for %s (%s)",
	    p->name ? p->name : "your practice", p->code);
	sub = xasprintf("%s %s (%s to %s), made %s.  Locality %s: your "
	    "practice against %zu other practice(s), anonymously.",
	    strcmp(pr->kind, "nightly") == 0 ? "Month to date" : "Report for",
	    pr->label, pr->from, pr->to, strcmp(pr->kind, "nightly") == 0 ?
	    "nightly" : "at the end of the period", p->locality,
	    p->loc->n - 1);
	c.d = doc_new(title, sub);
	free(title);
	free(sub);
	set_date(c.d, pr);
	buf_init(&c.flags, 0);
	buf_addc(&c.flags, '[');
	headline(&c);
	doc_h2(c.d, "What stands out");
	before = c.d->n;
	rate_flags(&c);
	other_flags(&c);
	if (c.d->n == before)
		doc_p(c.d, "Nothing stands out this %s: your figures are "
		    "within the locality's limits and no PUN, DEN or data "
		    "problem was found.", kind_words(pr));
	rate_section(&c);
	specialty_section(&c);
	cost_section(&c);
	pun_section(&c);
	den_section(&c);
	quality_section(&c);
	doc_h2(c.d, "How these figures are made");
	doc_note(c.d, "Referrals: the current version of each referral your "
	    "practice copied to the hub, dated in the period, not cancelled.  "
	    "Rates are per 1,000 weighted patients (the latest published "
	    "weighted list size).  Other practices are the other members of "
	    "your locality; they appear only as anonymous peers.");
	doc_note(c.d, "Medians and interquartile ranges by linear "
	    "interpolation (as R's default).  Control limits: exact Poisson "
	    "limits (chi-square / gamma) around the locality's rate at 95%% "
	    "and 99.8%%, widened by a random-effects term where the "
	    "practices' rates are over-dispersed (Spiegelhalter 2005, "
	    "Winsorised DerSimonian-Laird).");
	doc_note(c.d, "Small numbers: counts from 1 to %d are shown as "
	    "\"<%d\" and figures worked out from them as \"*\"; nothing is "
	    "flagged where fewer than %.0f referrals would be expected.",
	    c.min - 1, c.min, s->opts.min_expected);
	c.d->footer = doc_printf(c.d, "Made by the PARS hub from the "
	    "referrals %s copied to it.  No other practice is named in this "
	    "report.", p->code);
	buf_addc(&c.flags, ']');
	*summary = summary_json(p, &c.flags);
	buf_free(&c.flags);
	return c.d;
}

struct doc *
compose_locality(const struct fig_set *s, const struct fig_locality *l,
    char **summary)
{
	static const char *const th[] = {"practice", "name", "weighted list",
	    "referrals", "rate per 1,000", "rank", "funnel", "cost at tariff",
	    "PUNs", "savings", "DENs", "quarantined", "not coded"};
	static const char *const ts[] = {"specialty", "practices above "
	    "99.8%", "practices above 95% only", "practices below 95%"};
	struct ctx c = {NULL, s, NULL, 1, {0}};
	double *den = xmalloc((l->n + 1) * sizeof(double));
	double *rate = xmalloc((l->n + 1) * sizeof(double));
	struct doc_table *t;
	long long total = 0;
	char *sub, m[48], v[48];
	size_t i, j, k;

	sub = xasprintf("%s (%s to %s): %zu member practice(s).  For the "
	    "hub's staff: every practice is named; not for sending to "
	    "practices.", s->period.label, s->period.from, s->period.to,
	    l->n);
	c.d = doc_new(l->name, sub);
	c.d->title = doc_printf(c.d, "Locality summary: %s", l->name);
	free(sub);
	set_date(c.d, &s->period);
	buf_init(&c.flags, 0);
	buf_addc(&c.flags, '[');
	for (i = 0; i < l->n; i++) {
		const struct fig_practice *p = l->members[i];

		total += p->n;
		den[i] = p->weighted;
		rate[i] = p->rate;
		if (p->judged && abs(p->position) == 2) {
			buf_adds(&c.flags, c.flags.len > 1 ? "," : "");
			buf_json_str(&c.flags, p->code);
			doc_flag(c.d, 2, p->code, doc_printf(c.d, "%s %s: %.1f "
			    "referrals per 1,000, %s.", p->code,
			    p->name ? p->name : "", p->rate,
			    position_s(1, p->position)), "Offer the practice a "
			    "review visit: the specialty and PUN tables of its "
			    "report show where to start.");
		}
	}
	doc_h2(c.d, "Practices");
	t = doc_table(c.d, "practices", 13, th);
	for (i = 0; i < l->n; i++) {
		const struct fig_practice *p = l->members[i];

		compose_money(m, sizeof(m), p->cost);
		compose_money(v, sizeof(v), p->saving_total);
		doc_row(c.d, t, 0, p->code, p->name, p->weighted > 0 ?
		    doc_printf(c.d, "%.0f", p->weighted) : "-",
		    doc_printf(c.d, "%lld", p->n), rate_s(&c, p->rate, 0),
		    p->rank ? doc_printf(c.d, "%d of %d", p->rank, p->ranked)
			    : "-", short_position(p->judged, p->position), m,
		    doc_printf(c.d, "%zu", p->npuns), v,
		    doc_printf(c.d, "%lld", p->dens),
		    doc_printf(c.d, "%lld", p->docs_quarantined),
		    doc_printf(c.d, "%lld", p->uncoded));
	}
	doc_p(c.d, "%lld referrals; locality rate %.1f per 1,000 weighted "
	    "patients; practices' median %.1f (interquartile range %.1f to "
	    "%.1f).", total, l->funnel.target * 1000.0, l->rates.median,
	    l->rates.q1, l->rates.q3);
	if (l->have_funnel) {
		doc_chart(c.d, chart_funnel(c.d->a, den, rate, l->n, -1,
		    &l->funnel, "Funnel plot of the locality's practices",
		    "Referral rate per 1,000 weighted patients against list "
		    "size for every practice, with 95% and 99.8% limits."));
		doc_note(c.d, "%s (overdispersion %.2f%s).",
		    l->funnel.overdispersed ? "Limits widened for "
		    "overdispersion" : "Exact Poisson limits", l->funnel.phi,
		    l->funnel.overdispersed ? doc_printf(c.d, ", tau %.2f per "
		    "1,000", sqrt(l->funnel.tau2) * 1000.0) : "");
	}
	doc_h2(c.d, "Specialty outliers");
	t = doc_table(c.d, "specialty_outliers", 4, ts);
	for (k = 0; l->n > 0 && k < l->members[0]->ntfc; k++) {
		struct buf g[3];
		const struct fig_tfc *x0 = NULL;

		for (j = 0; j < 3; j++)
			buf_init(&g[j], 0);
		for (i = 0; i < l->n; i++) {
			const struct fig_practice *p = l->members[i];
			size_t q;

			for (q = 0; q < p->ntfc; q++) {
				const struct fig_tfc *x = &p->tfc[q];
				int slot = x->position == 2 ? 0 :
				    x->position == 1 ? 1 : x->position < 0 ? 2
									  : -1;

				if (strcmp(x->tfc, l->members[0]->tfc[k].tfc))
					continue;
				x0 = x;
				if (!x->judged || slot < 0)
					continue;
				buf_adds(&g[slot], g[slot].len ? ", " : "");
				buf_adds(&g[slot], p->code);
			}
		}
		if (x0 != NULL)
			doc_row(c.d, t, 0, tfc_label(&c, x0->tfc, x0->title),
			    g[0].len ? g[0].p : "-", g[1].len ? g[1].p : "-",
			    g[2].len ? g[2].p : "-");
		for (j = 0; j < 3; j++)
			buf_free(&g[j]);
	}
	c.d->footer = doc_printf(c.d, "Made by the PARS hub for its staff.  "
	    "Counts are not suppressed in this summary.");
	buf_addc(&c.flags, ']');
	*summary = xasprintf("{\"practices\":%zu,\"referrals\":%lld,"
	    "\"flags\":%s}", l->n, total, c.flags.p);
	buf_free(&c.flags);
	free(den);
	free(rate);
	return c.d;
}

static long long
num(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_int64(v);
}

/* Items of cur's array key that prev's lacks; appends "N new WHAT". */
static int
new_items(struct json_object *prev, struct json_object *cur,
    const char *key, const char *what, struct buf *b)
{
	struct json_object *pa = NULL, *ca = NULL;
	size_t i, j, n = 0;

	if (!json_object_object_get_ex(cur, key, &ca))
		return 0;
	if (prev != NULL)
		json_object_object_get_ex(prev, key, &pa);
	for (i = 0; i < json_object_array_length(ca); i++) {
		const char *s = json_object_get_string(
		    json_object_array_get_idx(ca, i));
		int found = 0;

		for (j = 0; pa != NULL && j < json_object_array_length(pa);
		    j++)
			if (strcmp(s, json_object_get_string(
			    json_object_array_get_idx(pa, j))) == 0)
				found = 1;
		n += !found;
	}
	if (n > 0)
		buf_printf(b, "%s%zu new %s", b->len ? "; " : "", n, what);
	return n > 0;
}

char *
compose_changes(const char *prev, const char *cur, int *is_new)
{
	static const char *const keys[] = {"referrals", "cost", "puns",
	    "saving", "dens", "quarantined", "practices"};
	struct json_object *po = prev ? json_tokener_parse(prev) : NULL;
	struct json_object *co = json_tokener_parse(cur);
	struct buf b;
	size_t i;

	*is_new = 0;
	buf_init(&b, 0);
	if (co == NULL) {
		json_object_put(po);
		return xstrdup("figures not readable");
	}
	if (po == NULL) {
		*is_new = 1;
		json_object_put(co);
		return xstrdup("first report for this period");
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		long long a = num(po, keys[i]), z = num(co, keys[i]);

		if (a != z)
			buf_printf(&b, "%s%s %lld -> %lld", b.len ? "; " : "",
			    keys[i], a, z);
	}
	*is_new |= new_items(po, co, "flags", "flag(s)", &b);
	*is_new |= new_items(po, co, "pun_refs", "PUN referral(s)", &b);
	*is_new |= new_items(po, co, "quarantined_ids",
	    "quarantined document(s)", &b);
	json_object_put(po);
	json_object_put(co);
	if (b.len == 0) {
		buf_free(&b);
		return xstrdup("no change");
	}
	return buf_steal(&b, NULL);
}
