/*
 * cli_quarantine.c - pars quarantine list|show|retry and archive purge:
 * what an operator on call needs to see and re-run what failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "cli.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "hub.h"
#include "log.h"
#include "process.h"

static int
parse_id(const char *s, long long *id)
{
	char *end;

	errno = 0;
	*id = strtoll(s, &end, 10);
	return (errno != 0 || *end != '\0' || end == s || *id <= 0) ? -1 : 0;
}

static int
q_list(struct db *db)
{
	struct db_res *r = db_query(db, "SELECT id::text AS id,"
	    " to_char(received_at, 'YYYY-MM-DD HH24:MI') AS received,"
	    " coalesce(practice_ods, '-') AS practice, source,"
	    " attempts::text AS attempts, reason"
	    " FROM pars.documents WHERE state = 'quarantined' ORDER BY id",
	    0, NULL);
	size_t i;

	if (r == NULL) {
		fprintf(stderr, "pars quarantine list: %s\n", db_error(db));
		return 1;
	}
	if (db_nrows(r) == 0)
		printf("no documents in quarantine\n");
	for (i = 0; i < db_nrows(r); i++)
		printf("%s  %s  %s  %s  tries %s\n    %s\n",
		    db_get(r, i, db_col(r, "id")),
		    db_get(r, i, db_col(r, "received")),
		    db_get(r, i, db_col(r, "practice")),
		    db_get(r, i, db_col(r, "source")),
		    db_get(r, i, db_col(r, "attempts")),
		    db_get(r, i, db_col(r, "reason")));
	db_res_free(r);
	return 0;
}

static int
q_show(struct hub *hub, struct db *db, long long id, int raw)
{
	char ids[24], *name = NULL;
	const char *p = ids;
	struct db_res *r;
	unsigned char *data = NULL;
	size_t len = 0, i;
	int rc;

	snprintf(ids, sizeof(ids), "%lld", id);
	r = db_query(db, "SELECT state, source, coalesce(practice_ods, '-') AS"
	    " practice, coalesce(format, '-') AS format, size_bytes::text AS"
	    " size, attempts::text AS attempts, reason,"
	    " to_char(received_at, 'YYYY-MM-DD HH24:MI:SS') AS received,"
	    " pg_catalog.encode(sha256, 'hex') AS sha"
	    " FROM pars.documents WHERE id = $1", 1, &p);
	if (r == NULL || db_nrows(r) == 0) {
		fprintf(stderr, "pars quarantine show: no document %lld%s%s\n",
		    id, r ? "" : ": ", r ? "" : db_error(db));
		db_res_free(r);
		return 1;
	}
	rc = archive_fetch(db, hub, id, &data, &len, &name);
	if (raw) {
		if (rc != 0) {
			fprintf(stderr, "document %lld: the raw bytes are not "
			    "held\n", id);
			db_res_free(r);
			return 1;
		}
		fwrite(data, 1, len, stdout);
	} else {
		printf("document %lld\n  state     %s\n  received  %s UTC via "
		    "%s\n  practice  %s\n  file      %s\n  format    %s\n"
		    "  size      %s bytes\n  sha256    %s\n  attempts  %s\n",
		    id, db_get(r, 0, db_col(r, "state")),
		    db_get(r, 0, db_col(r, "received")),
		    db_get(r, 0, db_col(r, "source")),
		    db_get(r, 0, db_col(r, "practice")),
		    name ? name : "-", db_get(r, 0, db_col(r, "format")),
		    db_get(r, 0, db_col(r, "size")),
		    db_get(r, 0, db_col(r, "sha")),
		    db_get(r, 0, db_col(r, "attempts")));
		if (db_get(r, 0, db_col(r, "reason")) != NULL)
			printf("  reason    %s\n",
			    db_get(r, 0, db_col(r, "reason")));
		printf("  raw bytes %s\n", rc == 0 ? "held (encrypted); "
		    "--raw prints them" : "not held");
	}
	db_res_free(r);
	r = db_query(db, "SELECT coalesce(row_no::text, '-') AS row_no, message"
	    " FROM pars.document_issues WHERE document_id = $1 ORDER BY row_no",
	    1, &p);
	if (r != NULL && !raw)
		for (i = 0; i < db_nrows(r); i++)
			printf("  row %s rejected: %s\n",
			    db_get(r, i, db_col(r, "row_no")),
			    db_get(r, i, db_col(r, "message")));
	db_res_free(r);
	if (data != NULL)
		wipe(data, len);
	free(data);
	free(name);
	return 0;
}

/* Puts a quarantined document back and processes it here and now. */
static int
q_retry_one(struct hub *hub, struct db *db, long long id)
{
	char ids[24];
	const char *p = ids;
	struct db_res *r;
	struct process_stats st = {0, 0, 0};

	snprintf(ids, sizeof(ids), "%lld", id);
	r = db_query(db, "UPDATE pars.documents SET state = 'received',"
	    " reason = NULL, updated_at = now()"
	    " WHERE id = $1 AND state = 'quarantined'", 1, &p);
	if (r == NULL) {
		fprintf(stderr, "document %lld: %s\n", id, db_error(db));
		return 1;
	}
	if (db_affected(r) != 1) {
		fprintf(stderr, "document %lld is not in quarantine\n", id);
		db_res_free(r);
		return 1;
	}
	db_res_free(r);
	if (process_batch(hub, db, 1, id, &st) < 0) {
		fprintf(stderr, "document %lld: %s (it waits as received for "
		    "the daemon)\n", id, db_error(db));
		return 1;
	}
	if (st.stored == 1) {
		printf("document %lld: stored (%d referral(s))\n", id,
		    st.referrals);
		return 0;
	}
	r = db_query(db, "SELECT reason FROM pars.documents WHERE id = $1", 1,
	    &p);
	printf("document %lld: still quarantined: %s\n", id,
	    r && db_nrows(r) ? db_get(r, 0, 0) : "?");
	db_res_free(r);
	return 1;
}

int
cmd_quarantine(const struct cli *cli, int argc, char **argv)
{
	struct hub *hub;
	struct db *db;
	long long id = 0;
	int rc = 0, i;

	if (argc < 2 || (strcmp(argv[1], "list") != 0 &&
	    strcmp(argv[1], "show") != 0 && strcmp(argv[1], "retry") != 0))
		goto usage;
	if (strcmp(argv[1], "show") == 0 && (argc < 3 || argc > 4 ||
	    (argc == 4 && strcmp(argv[3], "--raw") != 0) ||
	    parse_id(argv[2], &id) < 0))
		goto usage;
	if (strcmp(argv[1], "retry") == 0 && argc < 3)
		goto usage;
	hub = cli_hub(cli, HUB_KEYS | HUB_DATABASE | HUB_MIGRATE);
	db = cli_db(hub);
	if (strcmp(argv[1], "list") == 0) {
		rc = q_list(db);
	} else if (strcmp(argv[1], "show") == 0) {
		rc = q_show(hub, db, id, argc == 4);
	} else if (strcmp(argv[2], "--all") == 0) {
		struct db_res *r = db_query(db, "SELECT id::text AS id FROM "
		    "pars.documents WHERE state = 'quarantined' ORDER BY id",
		    0, NULL);
		size_t k;

		for (k = 0; r != NULL && k < db_nrows(r); k++)
			rc |= q_retry_one(hub, db, db_getll(r, k, 0, 0));
		if (r == NULL) {
			fprintf(stderr, "%s\n", db_error(db));
			rc = 1;
		}
		db_res_free(r);
	} else {
		for (i = 2; i < argc; i++) {
			if (parse_id(argv[i], &id) < 0) {
				fprintf(stderr, "\"%s\" is not a document id\n",
				    argv[i]);
				rc = 1;
				continue;
			}
			rc |= q_retry_one(hub, db, id);
		}
	}
	db_close(db);
	hub_close(hub);
	return rc;
usage:
	fprintf(stderr, "usage: pars quarantine list\n"
	    "       pars quarantine show ID [--raw]\n"
	    "       pars quarantine retry ID...|--all\n");
	return 2;
}

int
cmd_archive(const struct cli *cli, int argc, char **argv)
{
	struct hub *hub;
	struct db *db;
	long n;
	int days = -1;

	if (argc == 4 && strcmp(argv[1], "purge") == 0 &&
	    strcmp(argv[2], "--days") == 0) {
		char *end;

		errno = 0;
		days = (int)strtol(argv[3], &end, 10);
		if (errno != 0 || *end != '\0' || days < 0)
			goto usage;
	} else if (argc != 2 || strcmp(argv[1], "purge") != 0) {
		goto usage;
	}
	hub = cli_hub(cli, HUB_DATABASE | HUB_MIGRATE);
	db = cli_db(hub);
	if (days < 0)
		days = hub->cfg->archive.retention_days;
	n = archive_purge(db, days);
	if (n >= 0)
		printf("purged the raw bytes of %ld stored document(s) older "
		    "than %d days\n", n, days);
	db_close(db);
	hub_close(hub);
	return n < 0;
usage:
	fprintf(stderr, "usage: pars archive purge [--days N]\n");
	return 2;
}
