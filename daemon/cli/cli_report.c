/*
 * cli_report.c - pars report run|retry|list: the practices' feedback
 * reports (DESIGN.md, "Reports"; docs/readme-reports.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "db.h"
#include "figures.h"
#include "hub.h"
#include "run.h"
#include "xmalloc.h"

static int
usage(void)
{
	fprintf(stderr, "usage: pars report run [--period YYYY-MM | --quarter "
	    "YYYY-Qn | --from DATE --to DATE]\n"
	    "                       [--practice ODS]... [ODS...]\n"
	    "       pars report run --scheduled [--today DATE]\n"
	    "       pars report retry\n"
	    "       pars report list [--period P]\n");
	return 2;
}

static void
today_utc(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* The month before today's, as a monthly period. */
static int
last_month(struct fig_period *p, char *err, size_t errlen)
{
	char today[11], ym[16];
	long y, m;

	today_utc(today);
	y = strtol(today, NULL, 10);
	m = strtol(today + 5, NULL, 10);
	if (--m == 0) {
		m = 12;
		y--;
	}
	snprintf(ym, sizeof(ym), "%04ld-%02ld", y % 10000, m % 100);
	return figures_period_month(p, ym, "monthly", err, errlen);
}

static int
one_run(const struct config *cfg, struct db *db, const struct fig_period *p,
    const char *const *only, size_t n_only)
{
	struct run_result res;
	char err[1024];
	int rc;

	rc = report_run(cfg, db, p, only, n_only, 1, &res, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "pars report run: %s\n", err);
		return 1;
	}
	if (res.skipped) {
		printf("another hub is running the reports (it holds the "
		    "report lock): nothing done\n");
		return 0;
	}
	printf("report run %lld, %s %s (%s to %s): %d report(s), %d "
	    "delivered, %d unchanged, %d held, %d failed; files under %s "
	    "(figures %.1f s, reports %.1f s, records %.1f s)\n",
	    res.run_id, p->kind, p->label, p->from, p->to, res.reports,
	    res.delivered, res.unchanged, res.held, res.failed,
	    cfg->reports.outbox, res.secs_figures, res.secs_reports,
	    res.secs_record);
	return rc;
}

static int
r_run(struct hub *hub, struct db *db, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"period", required_argument, NULL, 'p'},
	    {"quarter", required_argument, NULL, 'q'},
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"practice", required_argument, NULL, 'P'},
	    {"scheduled", no_argument, NULL, 's'},
	    {"today", required_argument, NULL, 'T'},
	    {NULL, 0, NULL, 0}};
	const char *period = NULL, *quarter = NULL, *from = NULL, *to = NULL;
	const char *today = NULL, **only = xcalloc((size_t)argc + 1,
	    sizeof(*only));
	struct fig_period p[3];
	char err[512], now[11];
	size_t n_only = 0;
	int ch, scheduled = 0, rc = 0, np, i;

	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': period = optarg; break;
		case 'q': quarter = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'P': only[n_only++] = optarg; break;
		case 's': scheduled = 1; break;
		case 'T': today = optarg; break;
		default: free(only); return usage();
		}
	}
	while (optind < argc)
		only[n_only++] = argv[optind++];
	if ((period != NULL) + (quarter != NULL) + (from || to) +
	    scheduled > 1 || (from == NULL) != (to == NULL) ||
	    (today && !scheduled)) {
		free(only);
		return usage();
	}
	if (scheduled) {
		if (today == NULL) {
			today_utc(now);
			today = now;
		}
		np = report_schedule(hub->cfg, today, p);
		if (np == 0)
			printf("nothing scheduled for %s\n", today);
	} else {
		np = 1;
		if ((period && figures_period_month(&p[0], period, "monthly",
		    err, sizeof(err)) < 0) || (quarter &&
		    figures_period_quarter(&p[0], quarter, err,
		    sizeof(err)) < 0) || (from && figures_period_range(&p[0],
		    from, to, err, sizeof(err)) < 0) || (!period && !quarter &&
		    !from && last_month(&p[0], err, sizeof(err)) < 0)) {
			fprintf(stderr, "pars report run: %s\n", err);
			free(only);
			return 2;
		}
	}
	for (i = 0; i < np; i++)
		rc |= one_run(hub->cfg, db, &p[i], only, n_only);
	if (scheduled) {
		int left = report_retry(hub->cfg, db, 1, err, sizeof(err));

		if (left < 0)
			fprintf(stderr, "pars report run: %s\n", err);
		rc |= left != 0;
	}
	free(only);
	return rc;
}

static int
r_list(struct db *db, int argc, char **argv)
{
	const char *period = argc == 4 && strcmp(argv[2], "--period") == 0
	    ? argv[3] : NULL;
	struct db_res *r;
	size_t i;

	if (argc != 2 && period == NULL)
		return usage();
	r = db_query(db, "SELECT d.run_id, d.period, d.practice_code,"
	    " d.channel, d.status, coalesce(d.changes, '') AS changes,"
	    " coalesce(d.reason, '') AS reason,"
	    " to_char(d.created_at, 'YYYY-MM-DD HH24:MI') AS at"
	    " FROM pars.report_deliveries d"
	    " WHERE $1::text IS NULL OR d.period = $1"
	    " ORDER BY d.id DESC LIMIT 200", 1, &period);
	if (r == NULL) {
		fprintf(stderr, "pars report list: %s\n", db_error(db));
		return 1;
	}
	for (i = db_nrows(r); i-- > 0;)
		printf("%s run %-4s %-8s %-24s %-7s %-9s %s%s%s\n",
		    db_get(r, i, db_col(r, "at")),
		    db_get(r, i, db_col(r, "run_id")),
		    db_get(r, i, db_col(r, "practice_code")),
		    db_get(r, i, db_col(r, "period")),
		    db_get(r, i, db_col(r, "channel")),
		    db_get(r, i, db_col(r, "status")),
		    db_get(r, i, db_col(r, "changes")),
		    *db_get(r, i, db_col(r, "reason")) ? ": " : "",
		    db_get(r, i, db_col(r, "reason")));
	if (db_nrows(r) == 0)
		printf("no reports yet: pars report run\n");
	db_res_free(r);
	return 0;
}

int
cmd_report(const struct cli *cli, int argc, char **argv)
{
	struct hub *hub;
	struct db *db;
	char err[1024];
	int rc;

	if (argc < 2 || (strcmp(argv[1], "run") != 0 &&
	    strcmp(argv[1], "retry") != 0 && strcmp(argv[1], "list") != 0))
		return usage();
	hub = cli_hub(cli, HUB_DATABASE | HUB_MIGRATE);
	db = cli_db(hub);
	if (strcmp(argv[1], "run") == 0) {
		rc = r_run(hub, db, argc, argv);
	} else if (strcmp(argv[1], "retry") == 0) {
		rc = report_retry(hub->cfg, db, 1, err, sizeof(err));
		if (rc < 0)
			fprintf(stderr, "pars report retry: %s\n", err);
		rc = rc != 0;
	} else {
		rc = r_list(db, argc, argv);
	}
	db_close(db);
	hub_close(hub);
	return rc;
}
