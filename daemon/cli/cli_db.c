/*
 * cli_db.c - pars check-config, db migrate|status, status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "db.h"
#include "hub.h"
#include "log.h"
#include "migrate.h"

int
cmd_check_config(const struct cli *cli, int argc, char **argv)
{
	char err[1024], *path = config_choose_path(cli->config_path);
	struct config *cfg = config_load(path, err, sizeof(err));

	if (cfg == NULL) {
		fprintf(stderr, "%s\n", err);
		free(path);
		return 1;
	}
	printf("%s: configuration OK\n", path);
	printf("  database: %s\n", cfg->database.dsn[0] ? "by DSN"
	    : "embedded PostgreSQL under state_dir");
	printf("  state_dir: %s\n  spool.dir: %s\n", cfg->state_dir,
	    cfg->spool.dir);
	free(path);
	config_free(cfg);
	return 0;
}

int
cmd_db(const struct cli *cli, int argc, char **argv)
{
	struct hub *hub;
	struct db *db;
	int rc;

	if (argc != 2 || (strcmp(argv[1], "migrate") != 0 &&
	    strcmp(argv[1], "status") != 0)) {
		fprintf(stderr, "usage: pars db migrate|status\n");
		return 2;
	}
	hub = cli_hub(cli, HUB_DATABASE);
	db = cli_db(hub);
	if (strcmp(argv[1], "migrate") == 0) {
		rc = migrate_apply(db, 1);
		if (rc >= 0)
			printf("%d migration(s) applied; the schema is up to "
			    "date\n", rc);
		rc = rc < 0;
	} else {
		rc = migrate_status(db) < 0;
	}
	db_close(db);
	hub_close(hub);
	return rc;
}

int
cmd_status(const struct cli *cli, int argc, char **argv)
{
	struct hub *hub = cli_hub(cli, HUB_DATABASE);
	struct db *db = cli_db(hub);
	struct db_res *r;
	size_t i;
	int rc = 1;

	r = db_query(db, "SELECT state, count(*)::text AS n,"
	    " coalesce(sum(n_referrals), 0)::text AS refs,"
	    " coalesce(to_char(max(received_at), 'YYYY-MM-DD HH24:MI:SS'), '-')"
	    "  AS last"
	    " FROM pars.documents GROUP BY state ORDER BY state", 0, NULL);
	if (r == NULL) {
		fprintf(stderr, "pars status: %s\n", db_error(db));
		goto out;
	}
	printf("%-12s %10s %10s  %s\n", "documents", "count", "referrals",
	    "last received (UTC)");
	for (i = 0; i < db_nrows(r); i++)
		printf("%-12s %10s %10s  %s\n", db_get(r, i, db_col(r, "state")),
		    db_get(r, i, db_col(r, "n")), db_get(r, i, db_col(r, "refs")),
		    db_get(r, i, db_col(r, "last")));
	db_res_free(r);
	r = db_query(db, "SELECT count(*) FILTER (WHERE is_current)::text AS cur,"
	    " count(*) FILTER (WHERE duplicate_of IS NOT NULL)::text AS dup,"
	    " count(*) FILTER (WHERE superseded_by IS NOT NULL)::text AS sup"
	    " FROM pars.referrals", 0, NULL);
	if (r == NULL) {
		fprintf(stderr, "pars status: %s\n", db_error(db));
		goto out;
	}
	printf("referrals: %s current, %s duplicate copies, %s superseded by "
	    "a correction\n", db_get(r, 0, db_col(r, "cur")),
	    db_get(r, 0, db_col(r, "dup")), db_get(r, 0, db_col(r, "sup")));
	db_res_free(r);
	rc = 0;
out:
	db_close(db);
	hub_close(hub);
	return rc;
}
