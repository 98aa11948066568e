/*
 * recode.c - coding stored referrals again (see coding_recode in
 * coding.h): what pars recode runs after new reference data is loaded.
 */
#include "coding.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "xmalloc.h"

static const char select_sql[] =
    "SELECT r.id::text AS id, r.practice_ods, r.referrer_code,"
    " r.referrer_name, r.referral_date::text AS referral_date, r.tfc_sent,"
    " r.ers_specialty, r.ers_clinic_type, r.specialty_text, r.provider_ods,"
    " r.consultant_code,"
    " (SELECT pg_catalog.string_agg(c.code, ' ') FROM pars.referral_codes c"
    "   WHERE c.referral_id = r.id AND c.kind = 'procedure'"
    "   AND c.system = 'opcs4') AS opcs4"
    " FROM pars.referrals r"
    " WHERE r.id > $1 AND ($2::date IS NULL OR r.referral_date >= $2::date)"
    " ORDER BY r.id LIMIT $3";

/* Writes only the rows whose coding changed, and counts them. */
static const char update_sql[] =
    "WITH v AS (SELECT u.id, u.tfc, u.ev, u.hrg, u.pr, u.yr, u.st,"
    "  CASE WHEN u.w IS NULL THEN '{}'::text[]"
    "   ELSE pg_catalog.string_to_array(u.w, E'\\n') END AS w,"
    "  u.kr, u.kp, u.kv"
    "  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[],"
    "   $5::bigint[], $6::text[], $7::text[], $8::text[], $9::boolean[],"
    "   $10::boolean[], $11::boolean[])"
    "   AS u(id, tfc, ev, hrg, pr, yr, st, w, kr, kp, kv)),"
    " upd AS (UPDATE pars.referrals r SET tfc = v.tfc, tfc_evidence = v.ev,"
    "  hrg = v.hrg, price_pence = v.pr, tariff_year = v.yr,"
    "  coding_status = v.st, coding_warnings = v.w, referrer_known = v.kr,"
    "  practice_known = v.kp, provider_known = v.kv"
    "  FROM v WHERE r.id = v.id AND ROW(r.tfc, r.tfc_evidence, r.hrg,"
    "   r.price_pence, r.tariff_year, r.coding_status, r.coding_warnings,"
    "   r.referrer_known, r.practice_known, r.provider_known)"
    "   IS DISTINCT FROM ROW(v.tfc, v.ev, v.hrg, v.pr, v.yr, v.st, v.w,"
    "   v.kr, v.kp, v.kv)"
    "  RETURNING 1)"
    " SELECT count(*) AS changed FROM upd";

/* Codes the rows of res into the UPDATE's arrays and runs it. */
static int
update(struct db *db, const struct coding_ref *ref, struct db_res *res,
    long *changed)
{
	static const char *const names[] = {"practice_ods", "referrer_code",
	    "referrer_name", "referral_date", "tfc_sent", "ers_specialty",
	    "ers_clinic_type", "specialty_text", "provider_ods",
	    "consultant_code", "opcs4"};
	size_t n = db_nrows(res), i, c;
	const char **cols[1 + STORED_CODING_NCOLS];
	char **own = xcalloc(2 * n + 1, sizeof(*own)), *arr[11];
	const char *params[11];
	struct stored_coding *sc = xcalloc(n, sizeof(*sc));
	struct db_res *u;
	int col[11], cid = db_col(res, "id"), rc = -1;
	size_t nown = 0;

	for (c = 0; c < 11; c++)
		col[c] = db_col(res, names[c]);
	for (c = 0; c < 1 + STORED_CODING_NCOLS; c++)
		cols[c] = xcalloc(n, sizeof(*cols[c]));
	for (i = 0; i < n; i++) {
		const char *v[11], *opcs4[16], *cc[STORED_CODING_NCOLS];
		char *codes, price[24], *tok;
		struct coding_in in;

		for (c = 0; c < 11; c++)
			v[c] = db_get(res, i, col[c]);
		memset(&in, 0, sizeof(in));
		in.practice = v[0];
		in.referrer_code = v[1];
		in.referrer_name = v[2];
		in.date = v[3];
		in.tfc = v[4];
		in.ers_specialty = v[5];
		in.ers_clinic_type = v[6];
		in.specialty_text = v[7];
		in.provider = v[8];
		in.consultant = v[9];
		in.opcs4 = opcs4;
		/* The requested OPCS-4 codes, space-separated. */
		for (tok = codes = own[nown++] = xstrdup(v[10] ? v[10] : "");
		    *tok != '\0' && in.nopcs4 < 16;) {
			size_t k = strcspn(tok, " ");
			int last = tok[k] == '\0';

			tok[k] = '\0';
			if (k > 0)
				opcs4[in.nopcs4++] = tok;
			if (last)
				break;
			tok += k + 1;
		}
		coding_code(ref, &in, &sc[i]);
		stored_coding_cols(&sc[i], cc, price);
		cols[0][i] = db_get(res, i, cid);
		for (c = 0; c < STORED_CODING_NCOLS; c++)
			cols[1 + c][i] = cc[c];
		if (cc[3] != NULL)
			cols[4][i] = own[nown++] = xstrdup(price);
	}
	for (c = 0; c < 11; c++)
		params[c] = arr[c] = db_array(cols[c], n);
	if ((u = db_query(db, update_sql, 11, params)) != NULL) {
		*changed += (long)db_getll(u, 0, db_col(u, "changed"), 0);
		db_res_free(u);
		rc = 0;
	}
	for (c = 0; c < 11; c++) {
		free(arr[c]);
		free(cols[c]);
	}
	for (i = 0; i < nown; i++)
		free(own[i]);
	free(own);
	free(sc);
	return rc;
}

int
coding_recode(struct db *db, const struct coding_ref *ref, const char *since,
    int batch, long *seen, long *changed)
{
	char last[24] = "0", lim[16];
	const char *p[3];

	snprintf(lim, sizeof(lim), "%d", batch);
	for (;;) {
		struct db_res *res;
		size_t n;

		p[0] = last;
		p[1] = since;
		p[2] = lim;
		if (db_begin(db) < 0)
			return -1;
		if ((res = db_query(db, select_sql, 3, p)) == NULL) {
			db_rollback(db);
			return -1;
		}
		if ((n = db_nrows(res)) == 0) {
			db_res_free(res);
			db_rollback(db);
			return 0;
		}
		snprintf(last, sizeof(last), "%s", db_get(res, n - 1,
		    db_col(res, "id")));
		if (update(db, ref, res, changed) < 0 || db_commit(db) < 0) {
			db_res_free(res);
			db_rollback(db);
			return -1;
		}
		*seen += (long)n;
		db_res_free(res);
	}
}
