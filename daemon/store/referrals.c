/*
 * referrals.c - batch insert of referrals and codes (see referrals.h).
 *
 * Each column travels as one array parameter and unnest() turns them back
 * into rows: a batch of any size is three statements.
 */
#include "referrals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "log.h"
#include "referral.h"
#include "referral_json.h"
#include "xmalloc.h"

void
referral_content_hash(const struct referral *r, const char *practice,
    const char *pseudonym, unsigned char out[SHA256_LEN])
{
	struct referral copy = *r;
	struct buf b;

	copy.format = NULL;
	copy.position = 0;
	copy.practice_ods = practice;
	memset(&copy.warnings, 0, sizeof(copy.warnings));
	buf_init(&b, 0);
	referral_json(&b, &copy, pseudonym, 0);
	sha256(b.p, b.len, out);
	buf_free(&b);
}

enum {
	C_DOC, C_POS, C_FORMAT, C_SOURCE, C_STATUS, C_PRACTICE, C_REFCODE,
	C_REFNAME, C_PSEUDO, C_NHSVALID, C_AGE, C_SEX, C_DATE, C_PRIO, C_TFC,
	C_ERSSPEC, C_ERSCLINIC, C_SPECTEXT, C_PROVIDER, C_CONSULTANT, C_REASON,
	C_MEDS, C_RESULTS, C_WARN, C_CONTENT,
	C_CTFC, C_CEVID, C_CHRG, C_CPRICE, C_CYEAR, C_CSTATUS, C_CWARN,
	C_CREFERRER, C_CPRACTICE, C_CPROVIDER, NCOLS
};

static const char insert_sql[] =
    "INSERT INTO pars.referrals (document_id, position, format, source_id,"
    " status, practice_ods, referrer_code, referrer_name, patient_pseudonym,"
    " nhs_number_valid, age_years, sex, referral_date, priority, tfc_sent,"
    " ers_specialty, ers_clinic_type, specialty_text, provider_ods,"
    " consultant_code, reason_text, medication_text, results_text, warnings,"
    " content_sha256, tfc, tfc_evidence, hrg, price_pence, tariff_year,"
    " coding_status, coding_warnings, referrer_known, practice_known,"
    " provider_known)"
    " SELECT d, p, f, s, st, pr, rc, rn, ps, nv, ag, sx, dt, pri, tf, es,"
    "  ec, spt, prov, cons, rt, mt, rst,"
    "  CASE WHEN w IS NULL THEN '{}'::text[]"
    "   ELSE pg_catalog.string_to_array(w, E'\\n') END,"
    "  pg_catalog.decode(h, 'hex'), ctfc, cev, chrg, cpr, cyr, cst,"
    "  CASE WHEN cw IS NULL THEN '{}'::text[]"
    "   ELSE pg_catalog.string_to_array(cw, E'\\n') END, ckr, ckp, ckv"
    " FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[],"
    "  $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],"
    "  $10::boolean[], $11::int[], $12::text[], $13::date[], $14::text[],"
    "  $15::text[], $16::text[], $17::text[], $18::text[], $19::text[],"
    "  $20::text[], $21::text[], $22::text[], $23::text[], $24::text[],"
    "  $25::text[], $26::text[], $27::text[], $28::text[], $29::bigint[],"
    "  $30::text[], $31::text[], $32::text[], $33::boolean[],"
    "  $34::boolean[], $35::boolean[])"
    "  AS u(d, p, f, s, st, pr, rc, rn, ps, nv, ag, sx, dt, pri, tf, es, ec,"
    "  spt, prov, cons, rt, mt, rst, w, h, ctfc, cev, chrg, cpr, cyr, cst,"
    "  cw, ckr, ckp, ckv)"
    " RETURNING id::text AS id, document_id::text AS document_id,"
    "  position::text AS position";

static const char codes_sql[] =
    "INSERT INTO pars.referral_codes (referral_id, kind, system, code, text)"
    " SELECT r, k, s, c, t FROM unnest($1::bigint[], $2::text[], $3::text[],"
    "  $4::text[], $5::text[]) AS u(r, k, s, c, t)";

static const char resolve_sql[] =
    "SELECT pars.resolve_versions($1::bigint[])";

/* Warnings joined by newlines (a newline inside one becomes a space). */
static char *
join_warnings(const struct referral *r)
{
	struct buf b;
	size_t i;
	const char *p;

	if (r->warnings.n == 0)
		return NULL;
	buf_init(&b, 0);
	for (i = 0; i < r->warnings.n; i++) {
		if (i > 0)
			buf_addc(&b, '\n');
		for (p = r->warnings.v[i]; *p != '\0'; p++)
			buf_addc(&b, *p == '\n' ? ' ' : *p);
	}
	return buf_steal(&b, NULL);
}

static char *
num(long long v)
{
	return xasprintf("%lld", v);
}

static int
insert_codes(struct db *db, struct stored_ref *refs, size_t n)
{
	size_t total = 0, i, j, k = 0;
	const char **rid, **kind, **sys, **code, **text;
	char **ids;
	const char *params[5];
	char *arrays[5];
	int rc;

	for (i = 0; i < n; i++)
		total += refs[i].r->diagnoses.n + refs[i].r->procedures.n;
	if (total == 0)
		return 0;
	rid = xcalloc(total, sizeof(*rid));
	kind = xcalloc(total, sizeof(*kind));
	sys = xcalloc(total, sizeof(*sys));
	code = xcalloc(total, sizeof(*code));
	text = xcalloc(total, sizeof(*text));
	ids = xcalloc(n, sizeof(*ids));
	for (i = 0; i < n; i++) {
		const struct ref_codes *sets[2] = {&refs[i].r->diagnoses,
		    &refs[i].r->procedures};
		int s;

		ids[i] = num(refs[i].id);
		for (s = 0; s < 2; s++)
			for (j = 0; j < sets[s]->n; j++, k++) {
				rid[k] = ids[i];
				kind[k] = s == 0 ? "diagnosis" : "procedure";
				sys[k] = code_system_name(sets[s]->v[j].system);
				code[k] = sets[s]->v[j].code;
				text[k] = sets[s]->v[j].text;
			}
	}
	arrays[0] = db_array(rid, total);
	arrays[1] = db_array(kind, total);
	arrays[2] = db_array(sys, total);
	arrays[3] = db_array(code, total);
	arrays[4] = db_array(text, total);
	for (i = 0; i < 5; i++)
		params[i] = arrays[i];
	rc = db_exec(db, codes_sql, 5, params);
	for (i = 0; i < 5; i++)
		free(arrays[i]);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	free(rid);
	free(kind);
	free(sys);
	free(code);
	free(text);
	return rc;
}

void
stored_coding_cols(const struct stored_coding *cd, const char **out,
    char price[24])
{
	static const char *const tf[] = {NULL, "f", "t"};

	out[0] = cd->tfc[0] ? cd->tfc : NULL;
	out[1] = cd->evidence;
	out[2] = cd->hrg[0] ? cd->hrg : NULL;
	snprintf(price, 24, "%lld", cd->price_pence);
	out[3] = cd->price_pence >= 0 ? price : NULL;
	out[4] = cd->tariff_year[0] ? cd->tariff_year : NULL;
	out[5] = cd->status;
	out[6] = cd->warnings[0] ? cd->warnings : NULL;
	out[7] = tf[cd->referrer_known + 1];
	out[8] = tf[cd->practice_known + 1];
	out[9] = tf[cd->provider_known + 1];
}

int
referrals_insert(struct db *db, struct stored_ref *refs, size_t n)
{
	const char **cols[NCOLS];
	char **owned;
	char *arrays[NCOLS];
	const char *params[NCOLS];
	size_t i, nowned = 0, c;
	struct db_res *res = NULL;
	int rc = -1;

	if (n == 0)
		return 0;
	for (c = 0; c < NCOLS; c++)
		cols[c] = xcalloc(n, sizeof(*cols[c]));
	owned = xcalloc(n * 6, sizeof(*owned));
	for (i = 0; i < n; i++) {
		const struct referral *r = refs[i].r;
		char hexhash[2 * SHA256_LEN + 1];

		hex_encode(refs[i].content, SHA256_LEN, hexhash);
		cols[C_DOC][i] = owned[nowned++] = num(refs[i].document_id);
		cols[C_POS][i] = owned[nowned++] = num((long long)r->position);
		cols[C_FORMAT][i] = r->format;
		cols[C_SOURCE][i] = r->source_id;
		cols[C_STATUS][i] = ref_status_name(r->status);
		cols[C_PRACTICE][i] = refs[i].practice_ods;
		cols[C_REFCODE][i] = r->referrer_code;
		cols[C_REFNAME][i] = r->referrer_name;
		cols[C_PSEUDO][i] = refs[i].pseudonym[0] ? refs[i].pseudonym
							  : NULL;
		cols[C_NHSVALID][i] = r->nhs_number_valid ? "t" : "f";
		cols[C_AGE][i] = r->age_years >= 0 && r->age_years <= 150
		    ? (owned[nowned++] = num(r->age_years))
		    : NULL;
		cols[C_SEX][i] = ref_sex_name(r->sex);
		cols[C_DATE][i] = r->referral_date;
		cols[C_PRIO][i] = ref_priority_name(r->priority);
		cols[C_TFC][i] = r->tfc;
		cols[C_ERSSPEC][i] = r->ers_specialty;
		cols[C_ERSCLINIC][i] = r->ers_clinic_type;
		cols[C_SPECTEXT][i] = r->specialty_text;
		cols[C_PROVIDER][i] = r->provider_ods;
		cols[C_CONSULTANT][i] = r->consultant_code;
		cols[C_REASON][i] = r->reason_text;
		cols[C_MEDS][i] = r->medication_text;
		cols[C_RESULTS][i] = r->results_text;
		cols[C_WARN][i] = owned[nowned++] = join_warnings(r);
		cols[C_CONTENT][i] = owned[nowned++] = xstrdup(hexhash);
		if (refs[i].coding.status != NULL) {
			const char *cc[STORED_CODING_NCOLS];
			char price[24];

			stored_coding_cols(&refs[i].coding, cc, price);
			for (c = 0; c < STORED_CODING_NCOLS; c++)
				cols[C_CTFC + c][i] = cc[c];
			if (cc[3] != NULL)
				cols[C_CPRICE][i] = owned[nowned++] =
				    xstrdup(price);
		}
	}
	for (c = 0; c < NCOLS; c++) {
		arrays[c] = db_array(cols[c], n);
		params[c] = arrays[c];
	}
	if ((res = db_query(db, insert_sql, NCOLS, params)) == NULL)
		goto out;
	if (db_nrows(res) != n) {
		log_warnx("store: inserted %zu referrals of %zu",
		    db_nrows(res), n);
		goto out;
	}
	{
		int cid = db_col(res, "id"), cdoc = db_col(res, "document_id");
		int cpos = db_col(res, "position");
		size_t row;

		for (row = 0; row < n; row++) {
			long long doc = db_getll(res, row, cdoc, -1);
			long long pos = db_getll(res, row, cpos, -1);

			for (i = 0; i < n; i++)
				if (refs[i].document_id == doc &&
				    (long long)refs[i].r->position == pos) {
					refs[i].id = db_getll(res, row, cid, 0);
					break;
				}
		}
	}
	if (insert_codes(db, refs, n) < 0)
		goto out;
	{
		const char **idv = xcalloc(n, sizeof(*idv));
		char **idown = xcalloc(n, sizeof(*idown));
		char *arr;
		const char *p;

		for (i = 0; i < n; i++)
			idv[i] = idown[i] = num(refs[i].id);
		arr = db_array(idv, n);
		p = arr;
		rc = db_exec(db, resolve_sql, 1, &p);
		free(arr);
		for (i = 0; i < n; i++)
			free(idown[i]);
		free(idown);
		free(idv);
	}
out:
	db_res_free(res);
	for (c = 0; c < NCOLS; c++) {
		free(arrays[c]);
		free(cols[c]);
	}
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	return rc;
}
