/*
 * prices.c - tariff and alternative-service prices (see prices.h).
 */
#include "prices.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "xmalloc.h"

struct alt_price {
	char *code;
	long long pence;
};

struct op_price {
	char year[8]; /* "2024/25" */
	char tfc[8];
	long long pence;
};

struct prices {
	struct alt_price *alt;
	size_t nalt;
	struct op_price *op;
	size_t nop;
	atomic_int refs;
};

static const char exist_sql[] =
    "SELECT pg_catalog.to_regclass('ref.alternative_services') IS NOT NULL"
    " AS alt, pg_catalog.to_regclass('ref.op_prices') IS NOT NULL AS op";

static const char alt_sql[] =
    "SELECT code, price_pence::text AS price_pence"
    " FROM ref.alternative_services"
    " WHERE code IS NOT NULL AND price_pence IS NOT NULL ORDER BY id";

static const char op_sql[] =
    "SELECT tariff_year, tfc, wf01b::text AS wf01b FROM ref.op_prices"
    " WHERE tariff_year IS NOT NULL AND tfc IS NOT NULL"
    " AND wf01b IS NOT NULL";

static int
alt_cmp(const void *a, const void *b)
{
	return strcmp(((const struct alt_price *)a)->code,
	    ((const struct alt_price *)b)->code);
}

/* By TFC, then the latest year first. */
static int
op_cmp(const void *a, const void *b)
{
	const struct op_price *x = a, *y = b;
	int c = strcmp(x->tfc, y->tfc);

	return c != 0 ? c : strcmp(y->year, x->year);
}

struct prices *
prices_empty(void)
{
	struct prices *p = xcalloc(1, sizeof(*p));

	atomic_init(&p->refs, 1);
	return p;
}

struct prices *
prices_load(struct db *db)
{
	struct prices *p = prices_empty();
	struct db_res *r;
	size_t i, k;
	int has_alt, has_op;

	if ((r = db_query(db, exist_sql, 0, NULL)) == NULL)
		goto fail;
	has_alt = strcmp(db_get(r, 0, db_col(r, "alt")), "t") == 0;
	has_op = strcmp(db_get(r, 0, db_col(r, "op")), "t") == 0;
	db_res_free(r);
	if (has_alt) {
		if ((r = db_query(db, alt_sql, 0, NULL)) == NULL)
			goto fail;
		p->alt = xcalloc(db_nrows(r) + 1, sizeof(*p->alt));
		for (i = 0; i < db_nrows(r); i++) {
			/* A later row of the same code replaces an earlier. */
			const char *code = db_get(r, i, 0);

			for (k = 0; k < p->nalt; k++)
				if (strcmp(p->alt[k].code, code) == 0)
					break;
			if (k == p->nalt)
				p->alt[p->nalt++].code = xstrdup(code);
			p->alt[k].pence = db_getll(r, i, 1, -1);
		}
		db_res_free(r);
		qsort(p->alt, p->nalt, sizeof(*p->alt), alt_cmp);
	}
	if (has_op) {
		if ((r = db_query(db, op_sql, 0, NULL)) == NULL)
			goto fail;
		p->op = xcalloc(db_nrows(r) + 1, sizeof(*p->op));
		for (i = 0; i < db_nrows(r); i++) {
			struct op_price *o = &p->op[p->nop];
			const char *y = db_get(r, i, 0), *t = db_get(r, i, 1);

			if (strlen(y) >= sizeof(o->year) ||
			    strlen(t) >= sizeof(o->tfc))
				continue;
			memcpy(o->year, y, strlen(y) + 1);
			memcpy(o->tfc, t, strlen(t) + 1);
			o->pence = db_getll(r, i, 2, -1);
			p->nop++;
		}
		db_res_free(r);
		qsort(p->op, p->nop, sizeof(*p->op), op_cmp);
	}
	return p;
fail:
	prices_release(p);
	return NULL;
}

struct prices *
prices_retain(struct prices *p)
{
	atomic_fetch_add(&p->refs, 1);
	return p;
}

void
prices_release(struct prices *p)
{
	size_t i;

	if (p == NULL || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	for (i = 0; i < p->nalt; i++)
		free(p->alt[i].code);
	free(p->alt);
	free(p->op);
	free(p);
}

long long
prices_first(const struct prices *p, const char *tfc, const char *date)
{
	char year[8];
	size_t lo = 0, hi = p->nop, i;

	if (tfc == NULL)
		return -1;
	while (lo < hi) { /* the first row of this TFC */
		size_t mid = (lo + hi) / 2;

		if (strcmp(p->op[mid].tfc, tfc) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == p->nop || strcmp(p->op[lo].tfc, tfc) != 0)
		return -1;
	if (date != NULL && tariff_year(date, year) == 0)
		for (i = lo; i < p->nop && strcmp(p->op[i].tfc, tfc) == 0; i++)
			if (strcmp(p->op[i].year, year) == 0)
				return p->op[i].pence;
	return p->op[lo].pence; /* the latest year loaded */
}

long long
prices_alternative(const struct prices *p, const char *code)
{
	struct alt_price key = {(char *)code, 0}, *hit;

	if (code == NULL || p->nalt == 0)
		return -1;
	hit = bsearch(&key, p->alt, p->nalt, sizeof(*p->alt), alt_cmp);
	return hit ? hit->pence : -1;
}

int
prices_has_alternative(const struct prices *p, const char *code)
{
	return prices_alternative(p, code) >= 0;
}

size_t
prices_count_first(const struct prices *p)
{
	return p->nop;
}

size_t
prices_count_alternatives(const struct prices *p)
{
	return p->nalt;
}

static long long
first_cb(void *ctx, const char *tfc, const char *date)
{
	return prices_first(ctx, tfc, date);
}

static long long
alt_cb(void *ctx, const char *code)
{
	return prices_alternative(ctx, code);
}

struct assess_pricing
prices_pricing(const struct prices *p)
{
	struct assess_pricing pr = {first_cb, alt_cb, (void *)p};

	return pr;
}
