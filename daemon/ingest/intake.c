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

static const char insert_sql[] =
    "WITH d AS ("
    " INSERT INTO pars.documents (sha256, size_bytes, source, practice_ods,"
    "  parent_id, state, format, reason, n_referrals, stored_at)"
    " VALUES ($1, $2, $3, $4, $5, coalesce($9, 'received'), $10, $11,"
    "  CASE WHEN $9 = 'stored' THEN 0 END,"
    "  CASE WHEN $9 = 'stored' THEN now() END)"
    " ON CONFLICT (sha256) DO NOTHING RETURNING id)"
    " INSERT INTO pars.document_blobs (document_id, key_id, raw, meta)"
    " SELECT id, $6, $7, $8 FROM d RETURNING document_id::text AS id";

static const char existing_sql[] =
    "SELECT id::text AS id FROM pars.documents WHERE sha256 = $1";

/* The associated data binding an encrypted blob to its document. */
static void
aad_for(const char *kind, const char *sha_hex, char out[96])
{
	snprintf(out, 96, "pars-%s-v1:%s", kind, sha_hex);
}

static int
insert_one(struct db *db, const struct hub *hub, struct intake_doc *d)
{
	unsigned char sha[SHA256_LEN], *raw, *meta = NULL;
	size_t rawlen, metalen = 0;
	char size[24], parent[24], aad[96];
	const char *vals[11];
	int lens[11] = {0}, fmts[11] = {0};
	struct db_res *r;
	int rc = -1;

	sha256(d->data, d->len, sha);
	hex_encode(sha, SHA256_LEN, d->sha256_hex);
	aad_for("doc", d->sha256_hex, aad);
	raw = archive_encrypt(hub->archive_key, aad, strlen(aad), d->data,
	    d->len, &rawlen);
	if (d->name != NULL) {
		struct buf b;

		buf_init(&b, 1 << 16);
		buf_adds(&b, "{\"name\": ");
		buf_json_str(&b, d->name);
		buf_adds(&b, "}");
		aad_for("meta", d->sha256_hex, aad);
		meta = archive_encrypt(hub->archive_key, aad, strlen(aad), b.p,
		    b.len, &metalen);
		buf_free(&b);
	}
	snprintf(size, sizeof(size), "%zu", d->len);
	if (d->parent != NULL)
		d->parent_id = d->parent->id;
	snprintf(parent, sizeof(parent), "%lld", d->parent_id);
	vals[0] = (const char *)sha;
	lens[0] = SHA256_LEN;
	fmts[0] = 1;
	vals[1] = size;
	vals[2] = d->source;
	vals[3] = d->practice_ods;
	vals[4] = d->parent_id > 0 ? parent : NULL;
	vals[5] = hub->archive_key_id;
	vals[6] = (const char *)raw;
	lens[6] = (int)rawlen;
	fmts[6] = 1;
	vals[7] = (const char *)meta;
	lens[7] = (int)metalen;
	fmts[7] = 1;
	vals[8] = d->state;
	vals[9] = d->format;
	vals[10] = d->reason;
	if ((r = db_queryb(db, insert_sql, 11, vals, lens, fmts, 0)) == NULL)
		goto out;
	if (db_nrows(r) == 1) {
		d->id = db_getll(r, 0, db_col(r, "id"), 0);
		d->duplicate = 0;
	} else {
		db_res_free(r);
		if ((r = db_queryb(db, existing_sql, 1, vals, lens, fmts, 0)) ==
		    NULL)
			goto out;
		d->id = db_nrows(r) ? db_getll(r, 0, db_col(r, "id"), 0) : 0;
		d->duplicate = 1;
	}
	db_res_free(r);
	rc = 0;
out:
	free(raw);
	free(meta);
	return rc;
}

int
intake_commit(struct db *db, const struct hub *hub, struct intake_doc *docs,
    size_t n, char *err, size_t errlen)
{
	size_t i;

	if (n == 0)
		return 0;
	if (db_begin(db) < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (insert_one(db, hub, &docs[i]) < 0)
			goto fail;
	if (db_exec(db, "SELECT pg_catalog.pg_notify('pars_work', '')", 0,
	    NULL) < 0 || db_commit(db) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "could not record %zu document(s): %s", n,
	    db_error(db));
	db_rollback(db);
	return -1;
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
