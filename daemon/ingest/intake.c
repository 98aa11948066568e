/*
 * intake.c - documents committed before their source is acknowledged
 * (see intake.h).
 */
#include "intake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crypto.h"
#include "db.h"
#include "hub.h"
#include "log.h"
#include "xmalloc.h"

static const char existing_sql[] =
    "SELECT id::text AS id FROM pars.documents WHERE sha256 = $1";

/* The associated data binding an encrypted blob to its document. */
static void
aad_for(const char *kind, const char *sha_hex, char out[96])
{
	snprintf(out, 96, "pars-%s-v1:%s", kind, sha_hex);
}

/* Parameters of one document: 10 each, in this order. */
enum { P_SHA, P_SIZE, P_SOURCE, P_PRACTICE, P_PARENT, P_RAW, P_META, P_STATE,
	P_FORMAT, P_REASON, NP };

struct prepared {
	unsigned char sha[SHA256_LEN];
	char size[24], parent[24];
	unsigned char *raw, *meta;
	size_t rawlen, metalen;
};

static void
prepare_doc(const struct hub *hub, struct intake_doc *d, struct prepared *p)
{
	char aad[96];

	sha256(d->data, d->len, p->sha);
	hex_encode(p->sha, SHA256_LEN, d->sha256_hex);
	aad_for("doc", d->sha256_hex, aad);
	p->raw = archive_encrypt(hub->archive_key, aad, strlen(aad), d->data,
	    d->len, &p->rawlen);
	p->meta = NULL;
	p->metalen = 0;
	if (d->name != NULL) {
		struct buf b;

		buf_init(&b, 1 << 16);
		buf_adds(&b, "{\"name\": ");
		buf_json_str(&b, d->name);
		buf_adds(&b, "}");
		aad_for("meta", d->sha256_hex, aad);
		p->meta = archive_encrypt(hub->archive_key, aad, strlen(aad),
		    b.p, b.len, &p->metalen);
		buf_free(&b);
	}
	snprintf(p->size, sizeof(p->size), "%zu", d->len);
	if (d->parent != NULL)
		d->parent_id = d->parent->id;
	snprintf(p->parent, sizeof(p->parent), "%lld", d->parent_id);
}

/*
 * The statement for n documents: every document row and its encrypted
 * bytes in one round trip.  Documents already received (same SHA-256)
 * are skipped by ON CONFLICT and come back without an id.
 */
static char *
batch_sql(size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	buf_adds(&b, "WITH v (sha, size, source, practice, parent, raw, meta,"
	    " state, format, reason) AS (VALUES ");
	for (i = 0; i < n; i++) {
		size_t k = i * NP;

		buf_printf(&b, "%s($%zu::bytea, $%zu::bigint, $%zu::text,"
		    " $%zu::text, $%zu::bigint, $%zu::bytea, $%zu::bytea,"
		    " $%zu::text, $%zu::text, $%zu::text)",
		    i ? ", " : "", k + 1, k + 2, k + 3, k + 4, k + 5, k + 6,
		    k + 7, k + 8, k + 9, k + 10);
	}
	buf_printf(&b, "), d AS ("
	    " INSERT INTO pars.documents (sha256, size_bytes, source,"
	    "  practice_ods, parent_id, state, format, reason, n_referrals,"
	    "  stored_at)"
	    " SELECT sha, size, source, practice, parent,"
	    "  coalesce(state, 'received'), format, reason,"
	    "  CASE WHEN state = 'stored' THEN 0 END,"
	    "  CASE WHEN state = 'stored' THEN now() END FROM v"
	    " ON CONFLICT (sha256) DO NOTHING RETURNING id, sha256),"
	    " b AS (INSERT INTO pars.document_blobs (document_id, key_id, raw,"
	    "  meta)"
	    " SELECT d.id, $%zu, v.raw, v.meta FROM d JOIN v ON v.sha = d.sha256)"
	    " SELECT d.id::text AS id, pg_catalog.encode(d.sha256, 'hex') AS sha"
	    " FROM d", n * NP + 1);
	return buf_steal(&b, NULL);
}

static int
insert_batch(struct db *db, const struct hub *hub, struct intake_doc *docs,
    size_t n)
{
	struct prepared *p = xcalloc(n, sizeof(*p));
	size_t np = n * NP + 1, i, row;
	const char **vals = xcalloc(np, sizeof(*vals));
	int *lens = xcalloc(np, sizeof(*lens));
	int *fmts = xcalloc(np, sizeof(*fmts));
	char *sql = batch_sql(n);
	struct db_res *r = NULL;
	int rc = -1;

	for (i = 0; i < n; i++) {
		size_t k = i * NP;

		prepare_doc(hub, &docs[i], &p[i]);
		docs[i].id = 0;
		docs[i].duplicate = 1;
		vals[k + P_SHA] = (const char *)p[i].sha;
		lens[k + P_SHA] = SHA256_LEN;
		fmts[k + P_SHA] = 1;
		vals[k + P_SIZE] = p[i].size;
		vals[k + P_SOURCE] = docs[i].source;
		vals[k + P_PRACTICE] = docs[i].practice_ods;
		vals[k + P_PARENT] = docs[i].parent_id > 0 ? p[i].parent : NULL;
		vals[k + P_RAW] = (const char *)p[i].raw;
		lens[k + P_RAW] = (int)p[i].rawlen;
		fmts[k + P_RAW] = 1;
		vals[k + P_META] = (const char *)p[i].meta;
		lens[k + P_META] = (int)p[i].metalen;
		fmts[k + P_META] = 1;
		vals[k + P_STATE] = docs[i].state;
		vals[k + P_FORMAT] = docs[i].format;
		vals[k + P_REASON] = docs[i].reason;
	}
	vals[np - 1] = hub->archive_key_id;
	/* Not prepared: the text differs with n. */
	if ((r = db_query_unprepared(db, sql, (int)np, vals, lens, fmts)) ==
	    NULL)
		goto out;
	for (row = 0; row < db_nrows(r); row++) {
		const char *sha = db_get(r, row, db_col(r, "sha"));

		for (i = 0; i < n; i++)
			if (docs[i].duplicate &&
			    strcmp(docs[i].sha256_hex, sha) == 0) {
				docs[i].id = db_getll(r, row, db_col(r, "id"), 0);
				docs[i].duplicate = 0;
				break;
			}
	}
	/* The same bytes received before (or twice in this batch): say
	 * which document they are. */
	for (i = 0; i < n; i++) {
		struct db_res *e;
		const char *v = (const char *)p[i].sha;
		int l = SHA256_LEN, f = 1;

		if (!docs[i].duplicate)
			continue;
		if ((e = db_queryb(db, existing_sql, 1, &v, &l, &f, 0)) == NULL)
			goto out;
		docs[i].id = db_nrows(e) ? db_getll(e, 0, 0, 0) : 0;
		db_res_free(e);
	}
	rc = 0;
out:
	db_res_free(r);
	for (i = 0; i < n; i++) {
		free(p[i].raw);
		free(p[i].meta);
	}
	free(p);
	free(vals);
	free(lens);
	free(fmts);
	free(sql);
	return rc;
}

int
intake_commit(struct db *db, const struct hub *hub, struct intake_doc *docs,
    size_t n, char *err, size_t errlen)
{
	size_t first;

	if (n == 0)
		return 0;
	/* Documents naming a parent in this commit go in a second batch,
	 * once their parents have ids. */
	for (first = 0; first < n && docs[first].parent == NULL; first++)
		;
	if (db_begin(db) < 0 || (first > 0 && insert_batch(db, hub, docs,
	    first) < 0) ||
	    (first < n && insert_batch(db, hub, docs + first, n - first) < 0) ||
	    db_exec(db, "SELECT pg_catalog.pg_notify('pars_work', '')", 0,
	    NULL) < 0 || db_commit(db) < 0) {
		snprintf(err, errlen, "could not record %zu document(s): %s", n,
		    db_error(db));
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
intake_record_oversize(struct db *db, const unsigned char sha[32],
    long long size, const char *source, const char *practice_ods,
    const char *kept_at, long long limit, char *err, size_t errlen)
{
	char sizes[24], reason[1024];
	const char *vals[5];
	int lens[5] = {SHA256_LEN, 0, 0, 0, 0}, fmts[5] = {1, 0, 0, 0, 0};
	struct db_res *r;

	snprintf(sizes, sizeof(sizes), "%lld", size);
	snprintf(reason, sizeof(reason), "the file is %lld bytes, over the "
	    "limit of %lld (limits.max_document_bytes), so it was not taken "
	    "in; it was kept at %s: ask the practice to split it, or raise "
	    "the limit and put it back in its drop directory", size, limit,
	    kept_at);
	vals[0] = (const char *)sha;
	vals[1] = sizes;
	vals[2] = source;
	vals[3] = practice_ods;
	vals[4] = reason;
	r = db_queryb(db, "INSERT INTO pars.documents (sha256, size_bytes, "
	    "source, practice_ods, state, reason) VALUES ($1, $2, $3, $4, "
	    "'quarantined', $5) ON CONFLICT (sha256) DO NOTHING", 5, vals,
	    lens, fmts, 0);
	if (r == NULL) {
		snprintf(err, errlen, "could not record an oversize file: %s",
		    db_error(db));
		return -1;
	}
	db_res_free(r);
	return 0;
}
