/*
 * stored.c - stored referrals back into struct referral (see stored.h).
 */
#include "stored.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "findings.h"
#include "text.h"
#include "xmalloc.h"

#define COLS                                                                 \
	"SELECT r.id::text AS id, r.format, r.source_id, r.status,"          \
	" r.practice_ods, r.referrer_code, r.referrer_name,"                 \
	" r.nhs_number_valid::text AS nhs_valid, r.age_years::text AS age,"  \
	" r.sex, r.referral_date::text AS referral_date, r.priority,"        \
	" r.tfc_sent, r.ers_specialty, r.ers_clinic_type, r.specialty_text," \
	" r.provider_ods, r.consultant_code, r.reason_text,"                 \
	" r.medication_text, r.results_text, "
#define CODED " r.tfc AS tfc_coded, r.price_pence::text AS price"
#define UNCODED " NULL::text AS tfc_coded, NULL::text AS price"
#define PERIOD                                                               \
	" FROM pars.referrals r WHERE r.is_current"                          \
	" AND r.referral_date >= $1::date"                                   \
	" AND ($2::date IS NULL OR r.referral_date < $2::date)"              \
	" AND r.id > $3::bigint ORDER BY r.id LIMIT $4::int"
#define ONE " FROM pars.referrals r WHERE r.id = $1::bigint"

static const char period_coded_sql[] = COLS CODED PERIOD;
static const char period_uncoded_sql[] = COLS UNCODED PERIOD;
static const char one_coded_sql[] = COLS CODED ONE;
static const char one_uncoded_sql[] = COLS UNCODED ONE;

static const char coded_sql[] =
    "SELECT count(*)::text AS n FROM pg_catalog.pg_attribute"
    " WHERE attrelid = 'pars.referrals'::regclass AND NOT attisdropped"
    " AND attname IN ('tfc', 'price_pence')";

static const char codes_sql[] =
    "SELECT referral_id::text AS referral_id, kind, system, code, text"
    " FROM pars.referral_codes WHERE referral_id = ANY ($1::bigint[])";

/* 1 when coding's columns are there, 0 when not, -1 on failure. */
static int
has_coded(struct db *db)
{
	struct db_res *r = db_query(db, coded_sql, 0, NULL);
	int yes;

	if (r == NULL)
		return -1;
	yes = db_getll(r, 0, 0, 0) == 2;
	db_res_free(r);
	return yes;
}

static const char *
col(struct arena *a, const struct db_res *r, size_t row, const char *name)
{
	return arena_strdup(a, db_get(r, row, db_col(r, name)));
}

static void
fill(struct arena *a, const struct db_res *r, size_t row,
    struct assess_input *in)
{
	struct referral *x = arena_zalloc(a, sizeof(*x));
	const char *s;

	in->r = x;
	in->referral_id = db_getll(r, row, db_col(r, "id"), 0);
	in->tfc = col(a, r, row, "tfc_coded");
	in->price_pence = db_getll(r, row, db_col(r, "price"), -1);
	x->format = col(a, r, row, "format");
	x->source_id = col(a, r, row, "source_id");
	s = db_get(r, row, db_col(r, "status"));
	x->status = s && strcmp(s, "cancelled") == 0 ? REF_CANCELLED :
	    REF_ACTIVE;
	x->practice_ods = col(a, r, row, "practice_ods");
	x->referrer_code = col(a, r, row, "referrer_code");
	x->referrer_name = col(a, r, row, "referrer_name");
	s = db_get(r, row, db_col(r, "nhs_valid"));
	x->nhs_number_valid = s && strcmp(s, "true") == 0;
	x->age_years = (int)db_getll(r, row, db_col(r, "age"), -1);
	x->sex = sex_from_word(db_get(r, row, db_col(r, "sex")));
	x->referral_date = col(a, r, row, "referral_date");
	x->priority = priority_from_word(db_get(r, row,
	    db_col(r, "priority")));
	x->tfc = col(a, r, row, "tfc_sent");
	x->ers_specialty = col(a, r, row, "ers_specialty");
	x->ers_clinic_type = col(a, r, row, "ers_clinic_type");
	x->specialty_text = col(a, r, row, "specialty_text");
	x->provider_ods = col(a, r, row, "provider_ods");
	x->consultant_code = col(a, r, row, "consultant_code");
	x->reason_text = col(a, r, row, "reason_text");
	x->medication_text = col(a, r, row, "medication_text");
	x->results_text = col(a, r, row, "results_text");
}

static int
cmp_id(const void *a, const void *b)
{
	long long x = ((const struct assess_input *)a)->referral_id;
	long long y = ((const struct assess_input *)b)->referral_id;

	return x < y ? -1 : x > y;
}

/* Adds the codes of the referrals in[0..n) (sorted by id). */
static int
load_codes(struct db *db, struct arena *a, struct assess_input *in, size_t n)
{
	long long *ids;
	char *arr;
	const char *param;
	struct db_res *r;
	size_t i;

	if (n == 0)
		return 0;
	ids = xcalloc(n, sizeof(*ids));
	for (i = 0; i < n; i++)
		ids[i] = in[i].referral_id;
	arr = findings_ids_array(ids, n);
	free(ids);
	param = arr;
	r = db_query(db, codes_sql, 1, &param);
	free(arr);
	if (r == NULL)
		return -1;
	for (i = 0; i < db_nrows(r); i++) {
		struct assess_input key, *hit;
		const char *sys = db_get(r, i, 2), *kind = db_get(r, i, 1);
		enum code_system cs = strcmp(sys, "icd10") == 0 ? CS_ICD10 :
		    strcmp(sys, "snomed") == 0 ? CS_SNOMED :
		    strcmp(sys, "opcs4") == 0 ? CS_OPCS4 : CS_OTHER;
		struct referral *x;

		key.referral_id = db_getll(r, i, 0, 0);
		hit = bsearch(&key, in, n, sizeof(*in), cmp_id);
		if (hit == NULL)
			continue;
		x = (struct referral *)hit->r;
		ref_codes_add(a, strcmp(kind, "procedure") == 0 ?
		    &x->procedures : &x->diagnoses, cs, db_get(r, i, 3),
		    db_get(r, i, 4));
	}
	db_res_free(r);
	return 0;
}

long
stored_load_period(struct db *db, struct arena *a, const char *since,
    const char *until, long long after_id, int limit,
    struct assess_input **out)
{
	char after[24], lim[16];
	const char *params[4] = {since, until, after, lim};
	struct db_res *r;
	struct assess_input *in;
	size_t i, n;
	int coded = has_coded(db);

	if (coded < 0)
		return -1;
	snprintf(after, sizeof(after), "%lld", after_id);
	snprintf(lim, sizeof(lim), "%d", limit);
	r = db_query(db, coded ? period_coded_sql : period_uncoded_sql, 4,
	    params);
	if (r == NULL)
		return -1;
	n = db_nrows(r);
	in = arena_zalloc(a, (n ? n : 1) * sizeof(*in));
	for (i = 0; i < n; i++)
		fill(a, r, i, &in[i]);
	db_res_free(r);
	if (load_codes(db, a, in, n) < 0)
		return -1;
	*out = in;
	return (long)n;
}

int
stored_load_one(struct db *db, struct arena *a, long long id,
    struct assess_input *out)
{
	char ids[24];
	const char *param = ids;
	struct db_res *r;
	int coded = has_coded(db);

	if (coded < 0)
		return -1;
	snprintf(ids, sizeof(ids), "%lld", id);
	if ((r = db_query(db, coded ? one_coded_sql : one_uncoded_sql, 1,
	    &param)) == NULL)
		return -1;
	if (db_nrows(r) == 0) {
		db_res_free(r);
		return 0;
	}
	fill(a, r, 0, out);
	db_res_free(r);
	return load_codes(db, a, out, 1) < 0 ? -1 : 1;
}
