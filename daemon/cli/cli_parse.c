/*
 * cli_parse.c - pars parse, ingest and process: the stable interface for
 * scripts (README, "Interfaces").
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "cli.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "hub.h"
#include "ident.h"
#include "intake.h"
#include "log.h"
#include "parser.h"
#include "process.h"
#include "readfile.h"
#include "referral_json.h"
#include "xmalloc.h"

unsigned char *
cli_slurp(const char *path, size_t max, size_t *len)
{
	char err[1024];
	unsigned char *data = file_read(path, max, len, err, sizeof(err));

	if (data == NULL)
		fprintf(stderr, "%s\n", err);
	return data;
}

struct arena *
cli_parse_file(const char *path, const struct parse_limits *lim,
    struct parse_result *res)
{
	unsigned char *data;
	struct arena *a;
	size_t len, j;

	if ((data = cli_slurp(path, lim->max_bytes, &len)) == NULL)
		return NULL;
	a = arena_new(lim->max_bytes * 8 + (1 << 20));
	if (parse_document(a, data, len, lim, res) < 0) {
		fprintf(stderr, "%s: %s\n", path, res->err.msg);
		arena_free(a);
		a = NULL;
	} else {
		for (j = 0; j < res->nrejects; j++)
			fprintf(stderr, "%s: row %ld rejected: %s\n", path,
			    res->rejects[j].row, res->rejects[j].reason);
		for (j = 0; j < res->warnings.n; j++)
			fprintf(stderr, "%s: %s\n", path, res->warnings.v[j]);
	}
	wipe(data, len);
	free(data);
	return a;
}

/*
 * The pseudonym key, when a configuration and its key file are there;
 * pars parse works without either (pseudonyms are then null).
 */
static int
parse_setup(const struct cli *cli, unsigned char key[KEY_LEN],
    struct parse_limits *lim)
{
	char err[1024], *path = config_choose_path(cli->config_path);
	struct config *cfg = NULL;
	int have = 0;

	parse_limits_default(lim);
	if (cli->config_path != NULL || access(path, R_OK) == 0) {
		if ((cfg = config_load(path, err, sizeof(err))) == NULL) {
			fprintf(stderr, "%s\n", err);
			free(path);
			exit(1);
		}
		hub_limits(cfg, lim);
		have = key_load(cfg->keys.pseudonym_key_file, 0, key, err,
		    sizeof(err)) == 0;
		if (!have)
			fprintf(stderr, "note: no pseudonyms (%s)\n", err);
		config_free(cfg);
	}
	free(path);
	return have;
}

int
cmd_parse(const struct cli *cli, int argc, char **argv)
{
	unsigned char key[KEY_LEN];
	struct parse_limits lim;
	struct buf out;
	int have_key, i, failed = 0, first = 1;
	size_t j;

	if (argc < 2) {
		fprintf(stderr, "usage: pars parse FILE...\n");
		return 2;
	}
	have_key = parse_setup(cli, key, &lim);
	buf_init(&out, 0);
	buf_adds(&out, "[");
	for (i = 1; i < argc; i++) {
		struct parse_result res;
		struct arena *a = cli_parse_file(argv[i], &lim, &res);

		if (a == NULL) {
			failed = 1;
			continue;
		}
		for (j = 0; j < res.n; j++) {
			char ps[PSEUDONYM_HEX_LEN + 1];
			const struct referral *r = res.v[j];
			int has = have_key && r->nhs_number != NULL &&
			    strlen(r->nhs_number) == 10;

			if (has)
				pseudonym_hex(key, r->nhs_number, ps);
			buf_adds(&out, first ? "\n" : ",\n");
			first = 0;
			referral_json(&out, r, has ? ps : NULL, 2);
		}
		arena_free(a);
	}
	buf_adds(&out, first ? "]\n" : "\n]\n");
	fwrite(out.p, 1, out.len, stdout);
	buf_free(&out);
	wipe(key, sizeof(key));
	return failed;
}

int
cmd_ingest(const struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"practice", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0}};
	const char *practice = NULL;
	struct intake_doc *docs;
	struct hub *hub;
	struct db *db;
	char err[1024];
	int ch, i, n = 0, rc = 0;

	while ((ch = getopt_long(argc, argv, "p:", opts, NULL)) != -1) {
		if (ch != 'p') {
			fprintf(stderr, "usage: pars ingest [--practice ODS] "
			    "FILE...\n");
			return 2;
		}
		practice = optarg;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: pars ingest [--practice ODS] FILE...\n");
		return 2;
	}
	if (practice != NULL && !ods_is_practice(practice)) {
		fprintf(stderr, "pars ingest: \"%s\" is not a practice code "
		    "(a letter and five digits)\n", practice);
		return 2;
	}
	hub = cli_hub(cli, HUB_KEYS | HUB_DATABASE | HUB_MIGRATE);
	db = cli_db(hub);
	docs = xcalloc((size_t)(argc - optind), sizeof(*docs));
	for (i = optind; i < argc; i++) {
		size_t len;
		unsigned char *data = cli_slurp(argv[i], hub->limits.max_bytes,
		    &len);

		if (data == NULL) {
			rc = 1;
			continue;
		}
		docs[n].data = data;
		docs[n].len = len;
		docs[n].source = "cli";
		docs[n].practice_ods = practice;
		docs[n].name = argv[i];
		n++;
	}
	if (intake_commit(db, hub, docs, (size_t)n, err, sizeof(err)) < 0) {
		fprintf(stderr, "pars ingest: %s\n", err);
		rc = 1;
	} else {
		for (i = 0; i < n; i++)
			printf("%s: document %lld%s\n", docs[i].name,
			    docs[i].id, docs[i].duplicate ?
			    " (already received: not stored again)" : "");
	}
	for (i = 0; i < n; i++)
		free((void *)docs[i].data);
	free(docs);
	db_close(db);
	hub_close(hub);
	return rc;
}

int
cmd_process(const struct cli *cli, int argc, char **argv)
{
	struct hub *hub = cli_hub(cli, HUB_KEYS | HUB_DATABASE | HUB_MIGRATE);
	struct db *db = cli_db(hub);
	struct process_stats st = {0, 0, 0};
	int n, rc = 0;

	while ((n = process_batch(hub, db, hub->cfg->processing.batch, 0,
	    &st)) > 0)
		;
	if (n < 0) {
		fprintf(stderr, "pars process: %s\n", db_error(db));
		rc = 1;
	}
	printf("%d document(s) stored (%d referrals), %d quarantined\n",
	    st.stored, st.referrals, st.quarantined);
	db_close(db);
	hub_close(hub);
	return rc;
}
