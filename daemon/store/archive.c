/*
 * archive.c - raw document retention and retrieval (see archive.h).
 */
#include "archive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "crypto.h"
#include "db.h"
#include "hub.h"
#include "log.h"
#include "xmalloc.h"

long
archive_purge(struct db *db, int retention_days)
{
	char days[16];
	const char *p = days;
	struct db_res *r;
	long n;

	snprintf(days, sizeof(days), "%d", retention_days);
	r = db_query(db, "WITH gone AS ("
	    " DELETE FROM pars.document_blobs b USING pars.documents d"
	    " WHERE d.id = b.document_id AND d.state = 'stored'"
	    "  AND d.stored_at < now() - pg_catalog.make_interval("
	    "   days => $1::int)"
	    " RETURNING b.document_id)"
	    " UPDATE pars.documents d SET raw_purged_at = now()"
	    " FROM gone WHERE d.id = gone.document_id", 1, &p);
	if (r == NULL) {
		log_warnx("archive purge: %s", db_error(db));
		return -1;
	}
	n = db_affected(r);
	db_res_free(r);
	return n;
}

static char *
meta_name(const struct hub *hub, const char *sha, const unsigned char *blob,
    size_t len)
{
	char aad[96], *name = NULL;
	unsigned char *meta;
	size_t mlen;
	struct json_object *o, *n;

	snprintf(aad, sizeof(aad), "pars-meta-v1:%s", sha);
	if (archive_decrypt(hub->archive_key, aad, strlen(aad), blob, len,
	    &meta, &mlen) < 0)
		return NULL;
	if ((o = json_tokener_parse((const char *)meta)) != NULL) {
		if (json_object_object_get_ex(o, "name", &n))
			name = xstrdup(json_object_get_string(n));
		json_object_put(o);
	}
	free(meta);
	return name;
}

int
archive_fetch(struct db *db, const struct hub *hub, long long id,
    unsigned char **data, size_t *len, char **name)
{
	char ids[24], aad[96];
	const char *p = ids;
	struct db_res *r;
	const char *sha;
	int c, rc = -1;

	snprintf(ids, sizeof(ids), "%lld", id);
	r = db_queryb(db, "SELECT pg_catalog.encode(d.sha256, 'hex') AS sha,"
	    " b.raw, b.meta FROM pars.documents d"
	    " LEFT JOIN pars.document_blobs b ON b.document_id = d.id"
	    " WHERE d.id = $1", 1, &p, NULL, NULL, 1);
	*data = NULL;
	*name = NULL;
	if (r == NULL) {
		log_warnx("document %lld: %s", id, db_error(db));
		return -1;
	}
	if (db_nrows(r) == 0) {
		log_warnx("document %lld: no such document", id);
		goto out;
	}
	sha = db_get(r, 0, db_col(r, "sha"));
	c = db_col(r, "raw");
	if (db_get(r, 0, c) == NULL) {
		rc = 1;
		goto out;
	}
	snprintf(aad, sizeof(aad), "pars-doc-v1:%s", sha);
	if (archive_decrypt(hub->archive_key, aad, strlen(aad),
	    (const unsigned char *)db_get(r, 0, c), db_getlen(r, 0, c), data,
	    len) < 0) {
		log_warnx("document %lld: could not decrypt it with archive key "
		    "%s", id, hub->archive_key_id);
		goto out;
	}
	c = db_col(r, "meta");
	if (db_get(r, 0, c) != NULL)
		*name = meta_name(hub, sha, (const unsigned char *)db_get(r, 0,
		    c), db_getlen(r, 0, c));
	rc = 0;
out:
	db_res_free(r);
	return rc;
}
