/*
 * findings.c - pars.findings, a batch at a time (see findings.h).
 *
 * Like store/referrals.c, each column travels as one array parameter and
 * unnest() turns them back into rows: a batch of any size is one
 * statement.
 */
#include "findings.h"

#include <stdlib.h>

#include "db.h"
#include "xmalloc.h"

enum { F_REF, F_RULE, F_VER, F_KIND, F_THEME, F_TITLE, F_MSG, F_ALT,
	F_SAVING, F_SOURCE, F_ASSESSOR, F_NCOLS };

static const char insert_sql[] =
    "INSERT INTO pars.findings (referral_id, rule_id, rule_version, kind,"
    " theme, title, message, alternative_service, saving_pence, source,"
    " assessor)"
    " SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[],"
    "  $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[],"
    "  $10::text[], $11::text[])";

static const char supersede_sql[] =
    "UPDATE pars.findings SET is_current = false, superseded_at = now()"
    " WHERE referral_id = ANY ($1::bigint[]) AND source = 'rule'"
    " AND is_current";

int
findings_insert(struct db *db, const struct finding *v, size_t n)
{
	const char **cols[F_NCOLS];
	char **own, *arrays[F_NCOLS];
	const char *params[F_NCOLS];
	size_t i, c, nown = 0;
	int rc;

	if (n == 0)
		return 0;
	for (c = 0; c < F_NCOLS; c++)
		cols[c] = xcalloc(n, sizeof(*cols[c]));
	own = xcalloc(3 * n, sizeof(*own));
	for (i = 0; i < n; i++) {
		const struct finding *f = &v[i];

		cols[F_REF][i] = own[nown++] = xasprintf("%lld",
		    f->referral_id);
		cols[F_RULE][i] = f->rule_id;
		cols[F_VER][i] = f->rule_id ? (own[nown++] = xasprintf("%d",
		    f->rule_version)) : NULL;
		cols[F_KIND][i] = f->kind;
		cols[F_THEME][i] = f->theme;
		cols[F_TITLE][i] = f->title;
		cols[F_MSG][i] = f->message;
		cols[F_ALT][i] = f->alternative;
		cols[F_SAVING][i] = f->saving_pence >= 0 ? (own[nown++] =
		    xasprintf("%lld", f->saving_pence)) : NULL;
		cols[F_SOURCE][i] = f->rule_id ? "rule" : "assessor";
		cols[F_ASSESSOR][i] = f->rule_id ? NULL : f->assessor;
	}
	for (c = 0; c < F_NCOLS; c++) {
		arrays[c] = db_array(cols[c], n);
		params[c] = arrays[c];
	}
	rc = db_exec(db, insert_sql, F_NCOLS, params);
	for (c = 0; c < F_NCOLS; c++) {
		free(arrays[c]);
		free(cols[c]);
	}
	for (i = 0; i < nown; i++)
		free(own[i]);
	free(own);
	return rc;
}

char *
findings_ids_array(const long long *ids, size_t n)
{
	const char **v = xcalloc(n ? n : 1, sizeof(*v));
	char **own = xcalloc(n ? n : 1, sizeof(*own)), *arr;
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = own[i] = xasprintf("%lld", ids[i]);
	arr = db_array(v, n);
	for (i = 0; i < n; i++)
		free(own[i]);
	free(own);
	free(v);
	return arr;
}

long
findings_supersede(struct db *db, const long long *referral_ids, size_t n)
{
	char *arr;
	const char *param;
	struct db_res *r;
	long cnt = -1;

	if (n == 0)
		return 0;
	arr = findings_ids_array(referral_ids, n);
	param = arr;
	if ((r = db_query(db, supersede_sql, 1, &param)) != NULL) {
		cnt = db_affected(r);
		db_res_free(r);
	}
	free(arr);
	return cnt;
}
