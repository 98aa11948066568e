/*
 * cli_fetch.c - pars fetch [NAME...]: poll the remote sources (IMAP
 * mailboxes, SFTP directories) once, now; pars fetch --again ID: unpack a
 * quarantined message again (a certificate registered since, a CRL
 * renewed); pars receipts: send the receipts that are due.  What parsd
 * does on its interval, for an operator who does not want to wait (or
 * runs no daemon).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "archive.h"
#include "cli.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "hub.h"
#include "intake.h"
#include "log.h"
#include "mail.h"
#include "receipts.h"
#include "smime.h"
#include "sources.h"

static int
wanted(const struct source *s, int argc, char **argv)
{
	int i;

	if (argc <= 1)
		return 1;
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], s->name) == 0 ||
		    strcmp(argv[i], s->label) == 0)
			return 1;
	return 0;
}

/* The require_signed of the IMAP source called label, or -1. */
static int
policy_of(const struct config *cfg, const char *label)
{
	size_t i;

	for (i = 0; i < cfg->sources.imap_n; i++)
		if (strncmp(label, "imap:", 5) == 0 &&
		    strcmp(label + 5, cfg->sources.imap[i].name) == 0)
			return cfg->sources.imap[i].require_signed;
	return -1;
}

/*
 * Unpacks quarantined message id again under its source's policy and the
 * S/MIME trust in force now.  Its parts are committed first, then the
 * message marked stored (run it again if it stops between the two: the
 * parts are then found already held).  Returns the exit status.
 */
static int
again(struct hub *hub, struct db *db, struct smime *sm, const char *ids)
{
	static const char *const cols = "SELECT source, state,"
	    " coalesce(format, '') AS format, parent_id FROM pars.documents"
	    " WHERE id = $1";
	struct db_res *r;
	struct mail_docs md;
	unsigned char *raw = NULL;
	char *name = NULL, *source, err[1024];
	const char *v[3];
	size_t len, i;
	long long id;
	int policy, rc = 1;

	errno = 0;
	id = strtoll(ids, &name, 10);
	if (errno != 0 || *name != '\0' || id <= 0) {
		fprintf(stderr, "pars fetch --again: \"%s\" is not a document "
		    "id\n", ids);
		return 2;
	}
	name = NULL;
	if ((r = db_query(db, cols, 1, &ids)) == NULL || db_nrows(r) == 0) {
		fprintf(stderr, "pars fetch --again: no document %s\n", ids);
		db_res_free(r);
		return 1;
	}
	source = strdup(db_get(r, 0, db_col(r, "source")));
	if (strcmp(db_get(r, 0, db_col(r, "format")), "mime") != 0 ||
	    strcmp(db_get(r, 0, db_col(r, "state")), "quarantined") != 0 ||
	    (policy = policy_of(hub->cfg, source)) < 0) {
		fprintf(stderr, "pars fetch --again: document %s is not a "
		    "quarantined message from a configured IMAP source\n", ids);
		db_res_free(r);
		free(source);
		return 1;
	}
	db_res_free(r);
	if (archive_fetch(db, hub, id, &raw, &len, &name) != 0) {
		fprintf(stderr, "pars fetch --again: document %s: its raw bytes "
		    "are not held\n", ids);
		free(source);
		return 1;
	}
	mail_unpack(raw, len, source, policy, sm, &hub->limits, &md);
	if (md.n == 1) {
		v[0] = ids;
		v[1] = md.docs[0].reason;
		if (db_exec(db, "UPDATE pars.documents SET reason = $2,"
		    " attempts = attempts + 1, updated_at = now()"
		    " WHERE id = $1", 2, v) == 0) {
			printf("document %s: still quarantined: %s\n", ids,
			    md.docs[0].reason);
			rc = 0;
		}
		goto out;
	}
	for (i = 1; i < md.n; i++) {
		md.docs[i].parent = NULL;
		md.docs[i].parent_id = id;
	}
	if (intake_commit(db, hub, md.docs + 1, md.n - 1, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "pars fetch --again: %s\n", err);
		goto out;
	}
	v[0] = ids;
	v[1] = md.practice[0] ? md.practice : NULL;
	if (db_exec(db, "UPDATE pars.documents SET state = 'stored',"
	    " reason = NULL, practice_ods = $2, n_referrals = 0,"
	    " stored_at = now(), updated_at = now()"
	    " WHERE id = $1 AND state = 'quarantined'", 2, v) < 0) {
		fprintf(stderr, "pars fetch --again: %s\n", db_error(db));
		goto out;
	}
	printf("document %s: stored, %zu part(s) to process\n", ids,
	    md.n - 1);
	rc = 0;
out:
	mail_docs_free(&md);
	wipe(raw, len);
	free(raw);
	free(name);
	free(source);
	return rc;
}

int
cmd_fetch(const struct cli *cli, int argc, char **argv)
{
	static atomic_int never;
	struct hub *hub;
	struct source *list;
	struct smime *sm;
	struct db *db = NULL;
	char err[1024];
	size_t n, i;
	int rc = 0, k, matched;

	if (argc > 1 && argv[1][0] == '-' && !(argc == 3 &&
	    strcmp(argv[1], "--again") == 0)) {
		fprintf(stderr, "usage: pars fetch [NAME...]\n"
		    "       pars fetch --again ID\n");
		return 2;
	}
	hub = cli_hub(cli, HUB_KEYS | HUB_DATABASE | HUB_MIGRATE);
	if (argc == 3 && strcmp(argv[1], "--again") == 0) {
		if ((sm = smime_open(hub->cfg, err, sizeof(err))) == NULL) {
			hub_close(hub);
			fatalx("%s", err);
		}
		db = cli_db(hub);
		rc = again(hub, db, sm, argv[2]);
		db_close(db);
		smime_close(sm);
		hub_close(hub);
		return rc;
	}
	list = sources_list(hub->cfg, &n);
	for (k = 1; k < argc; k++) {
		for (matched = 0, i = 0; i < n; i++)
			matched |= wanted(&list[i], 2, argv + k - 1);
		if (!matched) {
			fprintf(stderr, "pars fetch: no source called \"%s\"\n",
			    argv[k]);
			free(list);
			hub_close(hub);
			return 2;
		}
	}
	if ((sm = smime_open(hub->cfg, err, sizeof(err))) == NULL) {
		free(list);
		hub_close(hub);
		fatalx("%s", err);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (i = 0; i < n; i++) {
		struct fetch_stats st;

		if (!wanted(&list[i], argc, argv))
			continue;
		if (source_poll_once(hub, &list[i], &db, sm, &never, &st, err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", list[i].label, err);
			rc = 1;
		}
		printf("%s: %d found, %d taken in: %d new document(s), %d "
		    "already held, %d quarantined, %d over the size limit\n",
		    list[i].label, st.found, st.taken, st.documents,
		    st.duplicates, st.quarantined, st.oversize);
	}
	if (n == 0)
		printf("no sources configured (sources.imap, sources.sftp)\n");
	db_close(db);
	smime_close(sm);
	free(list);
	curl_global_cleanup();
	hub_close(hub);
	return rc;
}

int
cmd_receipts(const struct cli *cli, int argc, char **argv)
{
	static atomic_int never;
	struct receipts_setup rs;
	struct hub *hub;
	struct db *db = NULL;
	char err[1024];
	int sent;

	if (argc != 1) {
		fprintf(stderr, "usage: pars receipts\n");
		return 2;
	}
	hub = cli_hub(cli, HUB_DATABASE | HUB_MIGRATE);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	receipts_setup(hub->cfg, &rs);
	if (rs.nlabels == 0)
		printf("no source sends receipts (receipts: true)\n");
	sent = receipts_run(hub, &rs, &db, &never, err, sizeof(err));
	if (sent < 0)
		fprintf(stderr, "pars receipts: %s\n", err);
	else
		printf("%d receipt(s) sent\n", sent);
	receipts_setup_free(&rs);
	db_close(db);
	curl_global_cleanup();
	hub_close(hub);
	return sent < 0 ? 1 : 0;
}
