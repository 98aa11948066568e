/*
 * figures.c - see figures.h.  Nine queries whatever the number of
 * practices: members and list sizes, referrals by practice x TFC x
 * provider, by practice x month, PUNs, DENs by theme, DENs by clinician,
 * documents, quarantined documents, shadow contracts; then the locality
 * statistics (funnels, quartiles, ranks) in C.
 */
#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "dates.h"
#include "xmalloc.h"

/* The referrals a report counts: current versions, not cancelled. */
#define COUNTED "r.is_current AND r.status = 'active'"

/* Fills the trend months (the twelve ending with to's month) and the
 * tariff year of from. */
static void
period_finish(struct fig_period *p)
{
	int y = 0, m = 0, i;

	y = (int)strtol(p->to, NULL, 10);
	m = (int)strtol(p->to + 5, NULL, 10);
	for (i = FIG_MONTHS - 1; i >= 0; i--) {
		snprintf(p->months[i], sizeof(p->months[i]), "%04u-%02u",
		    (unsigned)y % 10000u, (unsigned)m % 100u);
		if (--m == 0) {
			m = 12;
			y--;
		}
	}
	y = (int)strtol(p->from, NULL, 10);
	m = (int)strtol(p->from + 5, NULL, 10);
	if (m < 4)
		y--;
	snprintf(p->tariff_year, sizeof(p->tariff_year), "%04u/%02u",
	    (unsigned)y % 10000u, (unsigned)(y + 1) % 100u);
}

static int
parse_ym(const char *s, int *y, int *m)
{
	char *end;
	long v;

	if (strlen(s) != 7 || s[4] != '-')
		return -1;
	v = strtol(s, &end, 10);
	if (end != s + 4 || v < 1900 || v > 2200)
		return -1;
	*y = (int)v;
	v = strtol(s + 5, &end, 10);
	if (*end != '\0' || v < 1 || v > 12)
		return -1;
	*m = (int)v;
	return 0;
}

int
figures_period_month(struct fig_period *p, const char *ym, const char *kind,
    char *err, size_t errlen)
{
	int y, m;

	memset(p, 0, sizeof(*p));
	if (parse_ym(ym, &y, &m) < 0) {
		snprintf(err, errlen, "\"%s\" is not a month (YYYY-MM)", ym);
		return -1;
	}
	snprintf(p->from, sizeof(p->from), "%04d-%02d-01", y, m);
	snprintf(p->to, sizeof(p->to), "%04d-%02d-%02d", y, m,
	    date_month_days(y, m));
	snprintf(p->label, sizeof(p->label), "%04d-%02d", y, m);
	snprintf(p->kind, sizeof(p->kind), "%s", kind);
	period_finish(p);
	return 0;
}

int
figures_period_quarter(struct fig_period *p, const char *yq, char *err,
    size_t errlen)
{
	char *end;
	long y;
	int q;

	memset(p, 0, sizeof(*p));
	y = strtol(yq, &end, 10);
	if (end != yq + 4 || strlen(yq) != 7 || end[0] != '-' ||
	    end[1] != 'Q' || end[2] < '1' || end[2] > '4' || y < 1900 ||
	    y > 2200) {
		snprintf(err, errlen, "\"%s\" is not a quarter (YYYY-Qn)", yq);
		return -1;
	}
	q = end[2] - '0';
	date_make((int)y, q * 3 - 2, 1, p->from);
	date_make((int)y, q * 3, date_month_days((int)y, q * 3), p->to);
	snprintf(p->label, sizeof(p->label), "%04ld-Q%d", y, q);
	snprintf(p->kind, sizeof(p->kind), "quarterly");
	period_finish(p);
	return 0;
}

int
figures_period_range(struct fig_period *p, const char *from, const char *to,
    char *err, size_t errlen)
{
	char f[11], t[11];

	memset(p, 0, sizeof(*p));
	if (date_parse(from, f) < 0 || date_parse(to, t) < 0 ||
	    strcmp(f, t) > 0) {
		snprintf(err, errlen, "--from and --to must be dates "
		    "(YYYY-MM-DD), the first not after the second");
		return -1;
	}
	memcpy(p->from, f, 11);
	memcpy(p->to, t, 11);
	snprintf(p->label, sizeof(p->label), "%s..%s", f, t);
	snprintf(p->kind, sizeof(p->kind), "adhoc");
	period_finish(p);
	return 0;
}

void
figures_opts_default(struct fig_opts *o)
{
	o->min_count = 5;
	o->min_expected = 5.0;
	o->winsor = 0.1;
	o->min_units = 5;
	o->contract_pod = "";
}

/* Practices by code, for the rows of the aggregate queries. */
struct index {
	struct fig_practice **p;
	size_t n;
};

static int
cmp_code(const void *a, const void *b)
{
	const struct fig_practice *x = *(struct fig_practice *const *)a;
	const struct fig_practice *y = *(struct fig_practice *const *)b;

	return strcmp(x->code, y->code);
}

static struct fig_practice *
find(const struct index *ix, const char *code)
{
	size_t lo = 0, hi = ix->n;

	if (code == NULL)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(ix->p[mid]->code, code);

		if (c == 0)
			return ix->p[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static double
getf(const struct db_res *r, size_t row, int col)
{
	const char *s = db_get(r, row, col);

	return s ? strtod(s, NULL) : NAN;
}

static const char *
gets_(struct arena *a, const struct db_res *r, size_t row, int col)
{
	return arena_strdup(a, db_get(r, row, col));
}

/*
 * Runs sql with the parameters every figure query takes ($1 from, $2 to,
 * $3 the practice codes in scope, $4 the first day of the trend; a query
 * that does not need one still names it, "$4::date IS NOT NULL", so that
 * its type is known) and returns the rows, or NULL with err set.
 */
static struct db_res *
run(struct db *db, const char *what, const char *sql, const char *const *v,
    char *err, size_t errlen)
{
	struct db_res *r = db_query(db, sql, 4, v);

	if (r == NULL)
		snprintf(err, errlen, "report figures (%s): %s", what,
		    db_error(db));
	return r;
}

/*
 * Calls fn for each run of consecutive rows that belong to one practice
 * in scope (the rows are ordered by practice code in column col).
 */
static void
each_practice(const struct db_res *r, int col, const struct index *ix,
    void (*fn)(struct fig_set *, struct fig_practice *,
	const struct db_res *, size_t, size_t),
    struct fig_set *s)
{
	size_t i = 0, j, n = db_nrows(r);

	while (i < n) {
		const char *code = db_get(r, i, col);
		struct fig_practice *p = find(ix, code);

		for (j = i + 1; j < n; j++) {
			const char *c2 = db_get(r, j, col);

			if (code == NULL ? c2 != NULL
					 : c2 == NULL || strcmp(c2, code) != 0)
				break;
		}
		if (p != NULL)
			fn(s, p, r, i, j);
		i = j;
	}
}

/* Referrals by practice x TFC x provider (ordered so). */
static void
take_costs(struct fig_set *s, struct fig_practice *p, const struct db_res *r,
    size_t from, size_t to)
{
	int ct = db_col(r, "tfc"), cv = db_col(r, "provider"),
	    cn = db_col(r, "n"), cc = db_col(r, "cost"),
	    cp = db_col(r, "priced"), cti = db_col(r, "title");
	size_t i;

	p->costs = arena_zalloc(s->arena, (to - from) * sizeof(*p->costs));
	for (i = from; i < to; i++) {
		struct fig_cost *c = &p->costs[p->ncosts++];
		const char *tfc = db_get(r, i, ct);

		c->tfc = tfc ? arena_strdup(s->arena, tfc) : "";
		c->title = gets_(s->arena, r, i, cti);
		c->provider = gets_(s->arena, r, i, cv);
		c->n = db_getll(r, i, cn, 0);
		c->cost = db_getll(r, i, cc, 0);
		c->share_activity = c->share_value = NAN;
		p->n += c->n;
		p->cost += c->cost;
		p->priced += db_getll(r, i, cp, 0);
		if (tfc == NULL)
			p->uncoded += c->n;
	}
}

static void
take_trend(struct fig_set *s, struct fig_practice *p, const struct db_res *r,
    size_t from, size_t to)
{
	int cm = db_col(r, "month"), cn = db_col(r, "n"), k;
	size_t i;

	for (i = from; i < to; i++)
		for (k = 0; k < FIG_MONTHS; k++)
			if (strcmp(db_get(r, i, cm), s->period.months[k]) == 0)
				p->trend[k] = db_getll(r, i, cn, 0);
}

static void
take_puns(struct fig_set *s, struct fig_practice *p, const struct db_res *r,
    size_t from, size_t to)
{
	int cs = db_col(r, "source_id"), cd = db_col(r, "date"),
	    ct = db_col(r, "tfc"), cti = db_col(r, "title"),
	    ca = db_col(r, "alt_code"), can = db_col(r, "alt_name"),
	    cv = db_col(r, "saving");
	size_t i;

	p->puns = arena_zalloc(s->arena, (to - from) * sizeof(*p->puns));
	for (i = from; i < to; i++) {
		struct fig_pun *u = &p->puns[p->npuns++];

		u->source_id = gets_(s->arena, r, i, cs);
		u->date = gets_(s->arena, r, i, cd);
		u->tfc = gets_(s->arena, r, i, ct);
		u->title = gets_(s->arena, r, i, cti);
		u->alt_code = gets_(s->arena, r, i, ca);
		u->alt_name = gets_(s->arena, r, i, can);
		u->saving = db_getll(r, i, cv, -1);
		if (u->saving > 0)
			p->saving_total += u->saving;
	}
}

static void
take_den_themes(struct fig_set *s, struct fig_practice *p,
    const struct db_res *r, size_t from, size_t to)
{
	int ct = db_col(r, "theme"), cti = db_col(r, "title"),
	    cn = db_col(r, "n");
	size_t i;

	p->den_themes = arena_zalloc(s->arena,
	    (to - from) * sizeof(*p->den_themes));
	for (i = from; i < to; i++) {
		struct fig_den_theme *d = &p->den_themes[p->nden_themes++];

		d->theme = gets_(s->arena, r, i, ct);
		d->title = gets_(s->arena, r, i, cti);
		d->n = db_getll(r, i, cn, 0);
		p->dens += d->n;
	}
}

static void
take_den_clins(struct fig_set *s, struct fig_practice *p,
    const struct db_res *r, size_t from, size_t to)
{
	int cc = db_col(r, "clinician"), cn = db_col(r, "name"),
	    ck = db_col(r, "n"), co = db_col(r, "own");
	size_t i;

	p->den_clins = arena_zalloc(s->arena,
	    (to - from) * sizeof(*p->den_clins));
	for (i = from; i < to; i++) {
		long long n = db_getll(r, i, ck, 0);
		const char *own = db_get(r, i, co);

		if (own == NULL || strcmp(own, "t") != 0) {
			p->dens_other_clinicians += n;
			continue;
		}
		p->den_clins[p->nden_clins].code = gets_(s->arena, r, i, cc);
		p->den_clins[p->nden_clins].name = gets_(s->arena, r, i, cn);
		p->den_clins[p->nden_clins++].n = n;
	}
}

static void
take_docs(struct fig_set *s, struct fig_practice *p, const struct db_res *r,
    size_t from, size_t to)
{
	p->docs_received = db_getll(r, from, db_col(r, "received"), 0);
	p->docs_stored = db_getll(r, from, db_col(r, "stored"), 0);
	p->docs_quarantined = db_getll(r, from, db_col(r, "quarantined"), 0);
	p->docs_waiting = db_getll(r, from, db_col(r, "waiting"), 0);
	p->refs_stored = db_getll(r, from, db_col(r, "refs"), 0);
}

static void
take_quarantined(struct fig_set *s, struct fig_practice *p,
    const struct db_res *r, size_t from, size_t to)
{
	int ci = db_col(r, "id"), cr = db_col(r, "received"),
	    cw = db_col(r, "reason");
	size_t i;

	p->quarantined = arena_zalloc(s->arena,
	    (to - from) * sizeof(*p->quarantined));
	for (i = from; i < to; i++) {
		struct fig_doc *d = &p->quarantined[p->nquarantined++];

		d->id = db_getll(r, i, ci, 0);
		d->received = gets_(s->arena, r, i, cr);
		d->reason = gets_(s->arena, r, i, cw);
	}
}

static const char q_members[] =
    "SELECT p.code, p.name, p.locality, p.email,"
    " ls.weighted::float8 AS weighted, ls.raw::float8 AS raw"
    " FROM pars.practices p"
    " LEFT JOIN LATERAL (SELECT l.weighted, l.raw FROM ref.list_sizes l"
    "  WHERE l.practice_code = p.code"
    "  ORDER BY l.as_of <= $2::date DESC, abs(l.as_of - $2::date)"
    "  LIMIT 1) ls ON true"
    " WHERE p.active AND ($1::text[] = '{}' OR p.locality IN"
    "  (SELECT q.locality FROM pars.practices q WHERE q.code = ANY ($1)))"
    " ORDER BY p.locality, p.code";

static const char q_costs[] =
    "SELECT r.practice_ods AS code, r.tfc, r.provider_ods AS provider,"
    " t.title, count(*) AS n, coalesce(sum(r.price_pence), 0) AS cost,"
    " count(r.price_pence) AS priced"
    " FROM pars.referrals r LEFT JOIN ref.tfc t ON t.code = r.tfc"
    " WHERE " COUNTED " AND r.referral_date BETWEEN $1::date AND $2::date"
    " AND r.practice_ods = ANY ($3::text[]) AND $4::date IS NOT NULL"
    " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3";

static const char q_trend[] =
    "SELECT r.practice_ods AS code,"
    " to_char(r.referral_date, 'YYYY-MM') AS month, count(*) AS n"
    " FROM pars.referrals r"
    " WHERE " COUNTED " AND r.referral_date BETWEEN $4::date AND $2::date"
    " AND r.practice_ods = ANY ($3::text[]) AND $1::date IS NOT NULL"
    " GROUP BY 1, 2 ORDER BY 1, 2";

static const char q_puns[] =
    "SELECT r.practice_ods AS code, r.source_id, r.referral_date::text AS"
    " date, r.tfc, f.title, f.alternative_service AS alt_code,"
    " a.name AS alt_name, coalesce(f.saving_pence,"
    "  r.price_pence - a.price_pence) AS saving"
    " FROM pars.findings f JOIN pars.referrals r ON r.id = f.referral_id"
    " LEFT JOIN ref.alternative_services a"
    "  ON a.code = f.alternative_service"
    " WHERE f.is_current AND f.kind = 'PUN' AND " COUNTED
    " AND r.referral_date BETWEEN $1::date AND $2::date"
    " AND r.practice_ods = ANY ($3::text[]) AND $4::date IS NOT NULL"
    " ORDER BY r.practice_ods, r.referral_date, r.source_id, f.id";

static const char q_den_themes[] =
    "SELECT r.practice_ods AS code, coalesce(f.theme, 'other') AS theme,"
    " coalesce(f.title, f.rule_id) AS title, count(*) AS n"
    " FROM pars.findings f JOIN pars.referrals r ON r.id = f.referral_id"
    " WHERE f.is_current AND f.kind = 'DEN' AND " COUNTED
    " AND r.referral_date BETWEEN $1::date AND $2::date"
    " AND r.practice_ods = ANY ($3::text[]) AND $4::date IS NOT NULL"
    " GROUP BY 1, 2, 3 ORDER BY 1, 2, 4 DESC, 3";

/*
 * A clinician is the practice's own when ref.gps registers the code at
 * the practice, or when ref.gps does not know the code and no other
 * practice's referrals of the last twelve months carry it.
 */
static const char q_den_clins[] =
    "WITH d AS (SELECT r.practice_ods, r.referrer_code, r.referrer_name"
    "  FROM pars.findings f JOIN pars.referrals r ON r.id = f.referral_id"
    "  WHERE f.is_current AND f.kind = 'DEN' AND " COUNTED
    "  AND r.referral_date BETWEEN $1::date AND $2::date"
    "  AND r.practice_ods = ANY ($3::text[])),"
    " shared AS (SELECT o.referrer_code FROM pars.referrals o"
    "  WHERE o.is_current AND o.referral_date BETWEEN $4::date AND $2::date"
    "  AND o.referrer_code IN (SELECT d.referrer_code FROM d)"
    "  GROUP BY 1 HAVING min(o.practice_ods) <> max(o.practice_ods))"
    " SELECT d.practice_ods AS code, d.referrer_code AS clinician,"
    " max(d.referrer_name) AS name, count(*) AS n,"
    " bool_and(d.referrer_code IS NOT NULL AND"
    "  CASE WHEN g.code IS NOT NULL THEN g.practice_code = d.practice_ods"
    "  ELSE d.referrer_code NOT IN (SELECT referrer_code FROM shared) END)"
    "  AS own"
    " FROM d LEFT JOIN ref.gps g ON g.code = d.referrer_code"
    " GROUP BY 1, 2 ORDER BY 1, 4 DESC, 2";

static const char q_docs[] =
    "SELECT d.practice_ods AS code, count(*) AS received,"
    " count(*) FILTER (WHERE d.state = 'stored') AS stored,"
    " count(*) FILTER (WHERE d.state = 'quarantined') AS quarantined,"
    " count(*) FILTER (WHERE d.state = 'received') AS waiting,"
    " coalesce(sum(d.n_referrals) FILTER (WHERE d.state = 'stored'), 0)"
    "  AS refs"
    " FROM pars.documents d"
    " WHERE d.received_at >= $1::date AND d.received_at < $2::date + 1"
    " AND d.practice_ods = ANY ($3::text[]) AND $4::date IS NOT NULL"
    " GROUP BY 1 ORDER BY 1";

static const char q_quarantined[] =
    "SELECT d.practice_ods AS code, d.id,"
    " to_char(d.received_at, 'YYYY-MM-DD HH24:MI') AS received, d.reason"
    " FROM pars.documents d"
    " WHERE d.state = 'quarantined' AND d.received_at >= $1::date"
    " AND d.received_at < $2::date + 1"
    " AND d.practice_ods = ANY ($3::text[]) AND $4::date IS NOT NULL"
    " ORDER BY 1, 2";

static const char q_contracts[] =
    "SELECT c.provider, c.tfc, sum(c.planned_activity)::float8 AS activity,"
    " sum(c.planned_activity * c.price_pence)::float8 AS value,"
    " (SELECT sum(ls.weighted)::float8 FROM pars.practices p"
    "  CROSS JOIN LATERAL (SELECT l.weighted FROM ref.list_sizes l"
    "   WHERE l.practice_code = p.code"
    "   ORDER BY l.as_of <= $2::date DESC, abs(l.as_of - $2::date)"
    "   LIMIT 1) ls WHERE p.active) AS population"
    " FROM ref.shadow_contracts c"
    " WHERE c.year = $1 AND ($3 = '' OR c.pod = $3)"
    " GROUP BY 1, 2 ORDER BY 1, 2";

static int
cmp_tfc(const void *a, const void *b)
{
	const struct fig_tfc *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->tfc, y->tfc);
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The TFCs seen in a locality (from its members' cost rows). */
static const char **
locality_tfcs(struct fig_set *s, struct fig_locality *l, size_t *n)
{
	const char **t = NULL;
	size_t i, j, k, m = 0, cap = 0;

	for (i = 0; i < l->n; i++)
		for (j = 0; j < l->members[i]->ncosts; j++) {
			const struct fig_cost *c = &l->members[i]->costs[j];

			if (c->tfc[0] == '\0')
				continue;
			for (k = 0; k < m; k++)
				if (strcmp(t[k], c->tfc) == 0)
					break;
			if (k < m)
				continue;
			if (m == cap) {
				t = arena_grow(s->arena, t, cap * sizeof(*t),
				    (cap ? cap * 2 : 16) * sizeof(*t));
				cap = cap ? cap * 2 : 16;
			}
			t[m++] = c->tfc;
		}
	*n = m;
	return t;
}

static const char *
cost_title(const struct fig_practice *p, const char *tfc)
{
	size_t j;

	for (j = 0; j < p->ncosts; j++)
		if (strcmp(p->costs[j].tfc, tfc) == 0)
			return p->costs[j].title;
	return NULL;
}

/* Per-specialty figures and funnels for one locality. */
static void
locality_tfc(struct fig_set *s, struct fig_locality *l)
{
	size_t nt, t, i, j, k;
	const char **tfcs = locality_tfcs(s, l, &nt);
	double *obs = xmalloc((l->n + 1) * sizeof(double));
	double *den = xmalloc((l->n + 1) * sizeof(double));
	double *peer = xmalloc((l->n + 1) * sizeof(double));

	for (i = 0; i < l->n; i++) {
		l->members[i]->tfc = arena_zalloc(s->arena,
		    (nt ? nt : 1) * sizeof(struct fig_tfc));
		l->members[i]->ntfc = nt;
	}
	for (t = 0; t < nt; t++) {
		struct stats_funnel f;
		const char *title = NULL;
		int ok;

		for (i = 0; i < l->n; i++) {
			struct fig_practice *p = l->members[i];
			struct fig_tfc *x = &p->tfc[t];

			x->tfc = tfcs[t];
			x->rate = x->peer_median = NAN;
			for (j = 0; j < p->ncosts; j++)
				if (strcmp(p->costs[j].tfc, tfcs[t]) == 0) {
					x->n += p->costs[j].n;
					x->cost += p->costs[j].cost;
				}
			if (title == NULL)
				title = cost_title(p, tfcs[t]);
			obs[i] = (double)x->n;
			den[i] = p->weighted;
			if (p->weighted > 0)
				x->rate = 1000.0 * (double)x->n / p->weighted;
		}
		ok = stats_funnel_fit(obs, den, l->n, s->opts.winsor,
		    (size_t)s->opts.min_units, &f) == 0;
		for (i = 0; i < l->n; i++) {
			struct fig_practice *p = l->members[i];
			struct fig_tfc *x = &p->tfc[t];
			struct stats_summary sm;

			x->title = title;
			for (j = 0, k = 0; j < l->n; j++)
				if (j != i && l->members[j]->weighted > 0)
					peer[k++] = l->members[j]->tfc[t].rate;
			stats_summary(peer, k, &sm);
			x->peer_median = sm.median;
			x->lim[0] = x->lim[1] = x->lim[2] = x->lim[3] = NAN;
			if (!ok || p->weighted <= 0)
				continue;
			stats_funnel_limits(&f, p->weighted, x->lim);
			for (k = 0; k < 4; k++)
				x->lim[k] *= 1000.0;
			x->overdispersed = f.overdispersed;
			x->judged = f.target * p->weighted >=
			    s->opts.min_expected;
			if (x->judged)
				x->position = stats_funnel_position(x->lim,
				    1000.0 * (double)x->n, p->weighted);
		}
	}
	for (i = 0; i < l->n; i++)
		qsort(l->members[i]->tfc, nt, sizeof(struct fig_tfc), cmp_tfc);
	free(obs);
	free(den);
	free(peer);
}

/* Rates, ranks, quartiles, funnel and trend for one locality. */
static void
locality_stats(struct fig_set *s, struct fig_locality *l)
{
	double *obs = xmalloc((l->n + 1) * sizeof(double));
	double *den = xmalloc((l->n + 1) * sizeof(double));
	double *v = xmalloc((l->n + 1) * sizeof(double));
	size_t i, j, k;
	int m;

	for (i = 0; i < l->n; i++) {
		struct fig_practice *p = l->members[i];

		obs[i] = (double)p->n;
		den[i] = p->weighted;
		p->rate = p->weighted > 0 ? 1000.0 * (double)p->n / p->weighted
					  : NAN;
		for (m = 0; m < FIG_MONTHS; m++)
			p->trend_rate[m] = p->weighted > 0 ?
			    1000.0 * (double)p->trend[m] / p->weighted : NAN;
	}
	l->have_funnel = stats_funnel_fit(obs, den, l->n, s->opts.winsor,
	    (size_t)s->opts.min_units, &l->funnel) == 0;
	for (i = 0, k = 0; i < l->n; i++)
		if (l->members[i]->weighted > 0)
			v[k++] = l->members[i]->rate;
	stats_summary(v, k, &l->rates);
	for (i = 0; i < l->n; i++) {
		struct fig_practice *p = l->members[i];
		size_t kk = 0;

		p->lim[0] = p->lim[1] = p->lim[2] = p->lim[3] = NAN;
		for (j = 0; j < l->n; j++)
			if (j != i && l->members[j]->weighted > 0)
				v[kk++] = l->members[j]->rate;
		stats_summary(v, kk, &p->peers);
		if (p->weighted <= 0)
			continue;
		p->ranked = (int)k;
		p->rank = 1;
		for (j = 0; j < l->n; j++)
			if (j != i && l->members[j]->weighted > 0 &&
			    l->members[j]->rate > p->rate)
				p->rank++;
		if (!l->have_funnel)
			continue;
		stats_funnel_limits(&l->funnel, p->weighted, p->lim);
		for (j = 0; j < 4; j++)
			p->lim[j] *= 1000.0;
		p->judged = l->funnel.target * p->weighted >=
		    s->opts.min_expected;
		if (p->judged)
			p->position = stats_funnel_position(p->lim,
			    1000.0 * (double)p->n, p->weighted);
	}
	for (m = 0; m < FIG_MONTHS; m++) {
		struct stats_summary sm;

		for (i = 0, k = 0; i < l->n; i++)
			if (l->members[i]->weighted > 0)
				v[k++] = l->members[i]->trend_rate[m];
		qsort(v, k, sizeof(*v), cmp_dbl);
		stats_summary(v, k, &sm);
		l->trend_median[m] = sm.median;
	}
	free(obs);
	free(den);
	free(v);
	locality_tfc(s, l);
}

/* Spreads the shadow contract over the practices by weighted list and
 * over the period by days. */
static void
contract_shares(struct fig_set *s, const struct db_res *r)
{
	int cp = db_col(r, "provider"), ct = db_col(r, "tfc"),
	    ca = db_col(r, "activity"), cv = db_col(r, "value"),
	    cpop = db_col(r, "population");
	double days = (double)(date_days(s->period.to) -
	    date_days(s->period.from) + 1);
	size_t i, j, k;

	for (k = 0; k < db_nrows(r); k++) {
		const char *prov = db_get(r, k, cp), *tfc = db_get(r, k, ct);
		double pop = getf(r, k, cpop);

		if (prov == NULL || tfc == NULL || !(pop > 0))
			continue;
		for (i = 0; i < s->n; i++) {
			struct fig_practice *p = &s->practices[i];
			double share = p->weighted / pop * days / 365.0;

			if (p->weighted <= 0)
				continue;
			for (j = 0; j < p->ncosts; j++) {
				struct fig_cost *c = &p->costs[j];

				if (c->provider == NULL ||
				    strcmp(c->provider, prov) != 0 ||
				    strcmp(c->tfc, tfc) != 0)
					continue;
				c->share_activity = getf(r, k, ca) * share;
				c->share_value = getf(r, k, cv) * share;
			}
		}
	}
}

static struct fig_set *
load_members(struct db *db, const struct fig_period *p,
    const char *const *only, size_t n_only, char *err, size_t errlen)
{
	char *arr = db_array(only, n_only);
	const char *v[2] = {arr, p->to};
	struct db_res *r = db_query(db, q_members, 2, v);
	struct fig_set *s;
	size_t i, j;

	free(arr);
	if (r == NULL) {
		snprintf(err, errlen, "report figures (practices): %s",
		    db_error(db));
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->arena = arena_new(0);
	s->period = *p;
	s->n = db_nrows(r);
	s->practices = arena_zalloc(s->arena,
	    (s->n ? s->n : 1) * sizeof(*s->practices));
	for (i = 0; i < s->n; i++) {
		struct fig_practice *x = &s->practices[i];
		double w = getf(r, i, db_col(r, "weighted"));
		double raw = getf(r, i, db_col(r, "raw"));

		x->code = gets_(s->arena, r, i, db_col(r, "code"));
		x->name = gets_(s->arena, r, i, db_col(r, "name"));
		x->locality = gets_(s->arena, r, i, db_col(r, "locality"));
		x->email = gets_(s->arena, r, i, db_col(r, "email"));
		x->weighted = w > 0 ? w : 0;
		x->raw = raw > 0 ? raw : 0;
		x->selected = n_only == 0;
		for (j = 0; j < n_only; j++)
			if (strcmp(only[j], x->code) == 0)
				x->selected = 1;
	}
	db_res_free(r);
	for (j = 0; j < n_only; j++) {
		for (i = 0; i < s->n; i++)
			if (strcmp(only[j], s->practices[i].code) == 0)
				break;
		if (i == s->n) {
			snprintf(err, errlen, "%s is not an active member "
			    "practice (pars practice list)", only[j]);
			figures_free(s);
			return NULL;
		}
	}
	return s;
}

static void
group_localities(struct fig_set *s)
{
	size_t i = 0, j;

	s->localities = arena_zalloc(s->arena,
	    (s->n ? s->n : 1) * sizeof(*s->localities));
	while (i < s->n) {
		struct fig_locality *l = &s->localities[s->nloc++];

		for (j = i; j < s->n && strcmp(s->practices[j].locality,
		    s->practices[i].locality) == 0; j++)
			s->practices[j].loc = l;
		l->name = s->practices[i].locality;
		l->n = j - i;
		l->members = arena_alloc(s->arena, l->n * sizeof(*l->members));
		for (; i < j; i++)
			l->members[l->n - (j - i)] = &s->practices[i];
	}
}

struct fig_set *
figures_load(struct db *db, const struct fig_period *p,
    const struct fig_opts *o, const char *const *only, size_t n_only,
    char *err, size_t errlen)
{
	static const struct {
		const char *what, *sql;
		void (*fn)(struct fig_set *, struct fig_practice *,
		    const struct db_res *, size_t, size_t);
	} steps[] = {
	    {"referrals", q_costs, take_costs},
	    {"trend", q_trend, take_trend},
	    {"PUNs", q_puns, take_puns},
	    {"DENs by theme", q_den_themes, take_den_themes},
	    {"DENs by clinician", q_den_clins, take_den_clins},
	    {"documents", q_docs, take_docs},
	    {"quarantined documents", q_quarantined, take_quarantined},
	};
	struct fig_set *s;
	struct index ix;
	const char **codes;
	const char *v[4];
	char *arr, first[11];
	size_t i;

	if ((s = load_members(db, p, only, n_only, err, errlen)) == NULL)
		return NULL;
	s->opts = *o;
	group_localities(s);
	ix.n = s->n;
	ix.p = xmalloc((s->n ? s->n : 1) * sizeof(*ix.p));
	codes = xmalloc((s->n ? s->n : 1) * sizeof(*codes));
	for (i = 0; i < s->n; i++) {
		ix.p[i] = &s->practices[i];
		codes[i] = s->practices[i].code;
	}
	qsort(ix.p, ix.n, sizeof(*ix.p), cmp_code);
	arr = db_array(codes, s->n);
	free(codes);
	snprintf(first, sizeof(first), "%s-01", p->months[0]);
	v[0] = p->from;
	v[1] = p->to;
	v[2] = arr;
	v[3] = first;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct db_res *r = run(db, steps[i].what, steps[i].sql, v, err,
		    errlen);

		if (r == NULL)
			goto fail;
		each_practice(r, db_col(r, "code"), &ix, steps[i].fn, s);
		db_res_free(r);
	}
	{
		const char *cv[3] = {p->tariff_year, p->to,
		    o->contract_pod ? o->contract_pod : ""};
		struct db_res *r = db_query(db, q_contracts, 3, cv);

		if (r == NULL) {
			snprintf(err, errlen, "report figures (contracts): %s",
			    db_error(db));
			goto fail;
		}
		contract_shares(s, r);
		db_res_free(r);
	}
	for (i = 0; i < s->nloc; i++)
		locality_stats(s, &s->localities[i]);
	free(arr);
	free(ix.p);
	return s;
fail:
	free(arr);
	free(ix.p);
	figures_free(s);
	return NULL;
}

void
figures_free(struct fig_set *s)
{
	if (s == NULL)
		return;
	arena_free(s->arena);
	free(s);
}
