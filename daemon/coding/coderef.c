/*
 * coderef.c - the in-memory reference data snapshot (see coderef.h).
 */
#include "coderef_int.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dates.h"
#include "db.h"
#include "log.h"
#include "refkinds.h"
#include "xmalloc.h"

struct coding_ref *
coding_ref_new(void)
{
	struct coding_ref *r = xcalloc(1, sizeof(*r));

	atomic_init(&r->refs, 1);
	r->arena = arena_new(0);
	return r;
}

struct coding_ref *
coding_ref_retain(struct coding_ref *r)
{
	atomic_fetch_add(&r->refs, 1);
	return r;
}

void
coding_ref_release(struct coding_ref *r)
{
	size_t i;

	if (r == NULL || atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	{
		struct refmap *m[] = {&r->practices, &r->gps, &r->gps_at,
		    &r->gps_code,
		    &r->consultants, &r->trusts, &r->tfc, &r->tfc_retired,
		    &r->main_specs, &r->clinic_types, &r->clinic_tfc,
		    &r->ers_spec_tfc, &r->main_spec_tfc, &r->synonyms,
		    &r->titles, &r->op_prices, &r->proc_hrg, &r->hrg_prices,
		    &r->alt};

		for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
			refmap_free(m[i]);
	}
	free(r->syn_list.v);
	free(r->title_list.v);
	arena_free(r->arena);
	free(r);
}

long long
coding_ref_version(const struct coding_ref *r)
{
	return r->version;
}

void
coding_ref_set_version(struct coding_ref *r, long long version)
{
	r->version = version;
}


static long long
pence_or_none(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0' && v >= 0 ? v : -1;
}

static struct cr_org *
org(struct arena *a, const char *open, const char *close, const char *status)
{
	struct cr_org *o = arena_zalloc(a, sizeof(*o));

	o->open = open ? date_days(open) : DATE_NONE;
	o->close = close ? date_days(close) : DATE_NONE;
	o->open_s = arena_strdup(a, open);
	o->close_s = arena_strdup(a, close);
	o->status = status ? status[0] : '\0';
	return o;
}

/* "Year|code" keys for the price tables. */
static const char *
year_key(struct arena *a, const char *year, const char *code)
{
	return arena_printf(a, "%s|%s", year, code);
}

/* Splits an ODS GP name "SURNAME INITIALS" (upper case). */
static void
add_gp(struct coding_ref *r, const char *const *v)
{
	struct cr_gp *g = arena_zalloc(r->arena, sizeof(*g));
	char *name = arena_strdup(r->arena, v[2]), *sp, *p;

	for (p = name; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	sp = strrchr(name, ' ');
	if (sp != NULL) {
		*sp = '\0';
		g->initials = sp + 1;
	} else {
		g->initials = "";
	}
	g->surname = name;
	g->code = arena_strdup(r->arena, v[0]);
	g->practice = arena_strdup(r->arena, v[1]);
	g->left = v[3] ? date_days(v[3]) : DATE_NONE;
	refmap_put(&r->gps, arena_printf(r->arena, "%s|%s", v[0], v[1]), g);
	g->next = refmap_put(&r->gps_at, g->practice, g);
	refmap_put(&r->gps_code, g->code, g);
}

static void
add_phrase(struct arena *a, struct refmap *m, struct cr_phrases *l,
    const char *text, const char *tfc)
{
	char norm[256];
	const char *key;

	ref_phrase(text, norm, sizeof(norm));
	if (norm[0] == '\0' || refmap_get(m, norm) != NULL)
		return;
	key = arena_strdup(a, norm);
	refmap_put(m, key, (void *)tfc);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n].phrase = key;
	l->v[l->n].tfc = tfc;
	l->n++;
}

void
coding_ref_add(struct coding_ref *r, enum coderef_table t,
    const char *const *v)
{
	struct arena *a = r->arena;
	const char *k = v[0] ? arena_strdup(a, v[0]) : NULL;

	if (k == NULL)
		return;
	r->rows++;
	switch (t) {
	case CR_PRACTICES:
		refmap_put(&r->practices, k, org(a, v[1], v[2], v[3]));
		break;
	case CR_GPS:
		if (v[1] != NULL && v[2] != NULL)
			add_gp(r, v);
		break;
	case CR_CONSULTANTS: {
		struct cr_consultant *c = arena_zalloc(a, sizeof(*c)), *first;

		c->main_specialty = arena_strdup(a, v[1]);
		c->trust = arena_strdup(a, v[2] ? v[2] : "");
		/* Keep the list in load order: append. */
		if ((first = refmap_get(&r->consultants, k)) == NULL)
			refmap_put(&r->consultants, k, c);
		else {
			while (first->next != NULL)
				first = first->next;
			first->next = c;
		}
		break;
	}
	case CR_TRUSTS:
		refmap_put(&r->trusts, k, org(a, v[1], v[2], NULL));
		break;
	case CR_TFC:
		if (v[2] != NULL && v[2][0] == 't') {
			refmap_put(&r->tfc, k, arena_strdup(a, v[1] ? v[1] :
			    ""));
			if (v[1] != NULL)
				add_phrase(a, &r->titles, &r->title_list, v[1],
				    k);
		} else {
			refmap_put(&r->tfc_retired, k, arena_strdup(a, v[1] ?
			    v[1] : ""));
		}
		break;
	case CR_MAIN_SPECS:
		refmap_put(&r->main_specs, k, arena_strdup(a, v[1] ? v[1]
		    : ""));
		break;
	case CR_CLINIC_TYPES:
		/* "": a clinic type without a parent specialty. */
		refmap_put(&r->clinic_types, k, arena_strdup(a, v[1] ? v[1]
		    : ""));
		break;
	case CR_CLINIC_TFC:
		refmap_put(&r->clinic_tfc, k, arena_strdup(a, v[1]));
		break;
	case CR_ERS_SPEC_TFC:
		refmap_put(&r->ers_spec_tfc, k, arena_strdup(a, v[1]));
		break;
	case CR_MAIN_SPEC_TFC:
		refmap_put(&r->main_spec_tfc, k, arena_strdup(a, v[1]));
		break;
	case CR_SYNONYMS:
		if (v[1] != NULL)
			add_phrase(a, &r->synonyms, &r->syn_list, v[0],
			    arena_strdup(a, v[1]));
		break;
	case CR_OP_PRICES: {
		struct cr_price *p = arena_zalloc(a, sizeof(*p));

		p->wf01a = pence_or_none(v[2]);
		p->wf01b = pence_or_none(v[3]);
		p->wf02a = pence_or_none(v[4]);
		p->wf02b = pence_or_none(v[5]);
		if (v[1] != NULL)
			refmap_put(&r->op_prices, year_key(a, v[0], v[1]), p);
		break;
	}
	case CR_PROC_HRG:
		refmap_put(&r->proc_hrg, k, arena_strdup(a, v[1]));
		break;
	case CR_HRG_PRICES: {
		long long *p = arena_alloc(a, sizeof(*p));

		*p = pence_or_none(v[2]);
		if (v[1] != NULL && *p >= 0)
			refmap_put(&r->hrg_prices, year_key(a, v[0], v[1]), p);
		break;
	}
	case CR_ALT_SERVICES: {
		struct cr_alt *s = arena_zalloc(a, sizeof(*s));

		s->code = k;
		s->name = arena_strdup(a, v[1]);
		s->tfc = arena_strdup(a, v[2]);
		s->replaces = arena_strdup(a, v[3]);
		s->price_pence = pence_or_none(v[4]);
		refmap_put(&r->alt, k, s);
		break;
	}
	case CR_NTABLES:
		break;
	}
}

/* What each table's query returns, by column name. */
static const struct {
	enum coderef_table t;
	const char *sql;
	const char *cols[6];
} queries[] = {
	{CR_PRACTICES, "SELECT code, open_date::text AS open_date,"
	    " close_date::text AS close_date, status FROM ref.practices",
	    {"code", "open_date", "close_date", "status"}},
	{CR_GPS, "SELECT code, practice_code, name,"
	    " left_date::text AS left_date FROM ref.gps",
	    {"code", "practice_code", "name", "left_date"}},
	{CR_CONSULTANTS, "SELECT code, main_specialty, trust"
	    " FROM ref.consultants ORDER BY code, trust",
	    {"code", "main_specialty", "trust"}},
	{CR_TRUSTS, "SELECT code, open_date::text AS open_date,"
	    " close_date::text AS close_date FROM ref.trusts",
	    {"code", "open_date", "close_date"}},
	{CR_TFC, "SELECT code, title, in_use::text AS in_use FROM ref.tfc",
	    {"code", "title", "in_use"}},
	{CR_MAIN_SPECS, "SELECT code, title FROM ref.main_specialties",
	    {"code", "title"}},
	{CR_CLINIC_TYPES, "SELECT code, ers_specialty FROM ref.ers_clinic_types",
	    {"code", "ers_specialty"}},
	{CR_CLINIC_TFC, "SELECT clinic_type, tfc FROM ref.ers_clinic_type_tfc",
	    {"clinic_type", "tfc"}},
	{CR_ERS_SPEC_TFC, "SELECT ers_specialty, tfc FROM ref.ers_specialty_tfc",
	    {"ers_specialty", "tfc"}},
	{CR_MAIN_SPEC_TFC, "SELECT main_specialty, tfc"
	    " FROM ref.main_specialty_tfc", {"main_specialty", "tfc"}},
	{CR_SYNONYMS, "SELECT phrase, tfc FROM ref.specialty_synonyms",
	    {"phrase", "tfc"}},
	{CR_OP_PRICES, "SELECT tariff_year, tfc, wf01a::text AS wf01a,"
	    " wf01b::text AS wf01b, wf02a::text AS wf02a, wf02b::text AS wf02b"
	    " FROM ref.op_prices",
	    {"tariff_year", "tfc", "wf01a", "wf01b", "wf02a", "wf02b"}},
	{CR_PROC_HRG, "SELECT opcs4, hrg FROM ref.procedure_hrg",
	    {"opcs4", "hrg"}},
	{CR_HRG_PRICES, "SELECT tariff_year, hrg,"
	    " price_pence::text AS price_pence FROM ref.hrg_prices",
	    {"tariff_year", "hrg", "price_pence"}},
	{CR_ALT_SERVICES, "SELECT code, name, tfc, replaces,"
	    " price_pence::text AS price_pence FROM ref.alternative_services",
	    {"code", "name", "tfc", "replaces", "price_pence"}},
};

static const char newest_sql[] =
    "SELECT coalesce(max(id), 0) AS id FROM ref.loads";

static int
newest_load(struct db *db, long long *v)
{
	struct db_res *res = db_query(db, newest_sql, 0, NULL);

	if (res == NULL)
		return -1;
	*v = db_getll(res, 0, db_col(res, "id"), 0);
	db_res_free(res);
	return 0;
}

struct coding_ref *
coding_ref_load(struct db *db)
{
	struct coding_ref *r = coding_ref_new();
	size_t q, row;

	if (newest_load(db, &r->version) < 0) {
		coding_ref_release(r);
		return NULL;
	}
	for (q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		struct db_res *res = db_query(db, queries[q].sql, 0, NULL);
		int col[6];
		size_t c, nc = 0;

		if (res == NULL) {
			coding_ref_release(r);
			return NULL;
		}
		for (c = 0; c < 6 && queries[q].cols[c] != NULL; c++, nc++)
			col[c] = db_col(res, queries[q].cols[c]);
		for (row = 0; row < db_nrows(res); row++) {
			const char *v[6];

			for (c = 0; c < nc; c++)
				v[c] = db_get(res, row, col[c]);
			coding_ref_add(r, queries[q].t, v);
		}
		db_res_free(res);
	}
	return r;
}

/* The process-wide snapshot. */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static struct coding_ref *cache_cur;

/* A reference to the current snapshot, or NULL. */
static struct coding_ref *
cache_take(void)
{
	struct coding_ref *r;

	pthread_mutex_lock(&cache_lock);
	if ((r = cache_cur) != NULL)
		atomic_fetch_add(&r->refs, 1);
	pthread_mutex_unlock(&cache_lock);
	return r;
}

static void
cache_set(struct coding_ref *fresh)
{
	struct coding_ref *old;

	pthread_mutex_lock(&cache_lock);
	old = cache_cur;
	cache_cur = fresh;
	pthread_mutex_unlock(&cache_lock);
	coding_ref_release(old);
}

struct coding_ref *
coding_cache_get(struct db *db)
{
	struct coding_ref *cur, *fresh;
	long long v;

	if (newest_load(db, &v) < 0)
		return NULL;
	cur = cache_take();
	if (cur != NULL && cur->version >= v)
		return cur;
	/* Someone else is reading the newer data: go on with ours. */
	if (cur != NULL && pthread_mutex_trylock(&load_lock) != 0)
		return cur;
	if (cur == NULL)
		pthread_mutex_lock(&load_lock);
	fresh = cache_take();
	if (fresh != NULL && fresh->version >= v) {
		pthread_mutex_unlock(&load_lock);
		coding_ref_release(cur);
		return fresh;
	}
	coding_ref_release(fresh);
	if ((fresh = coding_ref_load(db)) == NULL) {
		pthread_mutex_unlock(&load_lock);
		coding_ref_release(cur);
		return NULL;
	}
	log_info("coding: reference data up to load %lld in memory (%zu "
	    "rows)", fresh->version, fresh->rows);
	atomic_fetch_add(&fresh->refs, 1);
	cache_set(fresh);
	pthread_mutex_unlock(&load_lock);
	coding_ref_release(cur);
	return fresh;
}

