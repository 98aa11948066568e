/*
 * cli_fetch.c - pars fetch [NAME...]: poll the remote sources (IMAP
 * mailboxes, SFTP directories) once, now; pars receipts: send the
 * receipts that are due.  What parsd does on its interval, for an
 * operator who does not want to wait (or runs no daemon).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "db.h"
#include "hub.h"
#include "log.h"
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

	if (argc > 1 && argv[1][0] == '-') {
		fprintf(stderr, "usage: pars fetch [NAME...]\n");
		return 2;
	}
	hub = cli_hub(cli, HUB_KEYS | HUB_DATABASE | HUB_MIGRATE);
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
