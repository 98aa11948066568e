/*
 * cli_coding.c - pars coding report (how much of what arrived is coded,
 * and why the rest is not) and pars recode (code stored referrals again
 * after new reference data is loaded).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "coding.h"
#include "dates.h"
#include "db.h"
#include "hub.h"
#include "log.h"

#define RECODE_BATCH 1000

static const char totals_sql[] =
    "SELECT count(*) AS total,"
    " count(*) FILTER (WHERE coding_status IS NULL) AS not_coded,"
    " count(*) FILTER (WHERE tfc IS NOT NULL) AS tfc,"
    " count(*) FILTER (WHERE price_pence IS NOT NULL) AS priced,"
    " count(*) FILTER (WHERE tfc IS NOT NULL AND price_pence IS NOT NULL)"
    "  AS tfc_priced,"
    " count(*) FILTER (WHERE referrer_known) AS referrer,"
    " count(*) FILTER (WHERE practice_known) AS practice,"
    " count(*) FILTER (WHERE provider_known) AS provider,"
    " count(*) FILTER (WHERE coding_status = 'coded') AS coded,"
    " count(*) FILTER (WHERE coding_status = 'partial') AS partial,"
    " count(*) FILTER (WHERE coding_status = 'uncoded') AS uncoded,"
    " coalesce(sum(price_pence), 0) AS pence"
    " FROM pars.referrals"
    " WHERE is_current AND ($1::date IS NULL OR referral_date >= $1::date)"
    " AND ($2::date IS NULL OR referral_date <= $2::date)";

static const char evidence_sql[] =
    "SELECT coalesce(tfc_evidence, 'none') AS evidence, count(*) AS n"
    " FROM pars.referrals"
    " WHERE is_current AND coding_status IS NOT NULL"
    " AND ($1::date IS NULL OR referral_date >= $1::date)"
    " AND ($2::date IS NULL OR referral_date <= $2::date)"
    " GROUP BY 1 ORDER BY 2 DESC, 1";

/* Warnings read "reason: detail"; the reason is what is counted. */
static const char reasons_sql[] =
    "SELECT pg_catalog.split_part(w, ':', 1) AS reason,"
    " count(DISTINCT r.id) AS n"
    " FROM pars.referrals r, unnest(r.coding_warnings) AS w"
    " WHERE r.is_current"
    " AND ($1::date IS NULL OR r.referral_date >= $1::date)"
    " AND ($2::date IS NULL OR r.referral_date <= $2::date)"
    " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10";

static void
share(const char *what, long long n, long long total)
{
	printf("  %-28s %8lld  %5.1f%%\n", what, n,
	    total > 0 ? 100.0 * (double)n / (double)total : 0.0);
}

int
cli_coding_report(struct db *db, const char *from, const char *to)
{
	const char *p[2] = {from, to};
	struct db_res *r;
	long long total, pence;
	size_t i;

	if ((r = db_query(db, totals_sql, 2, p)) == NULL) {
		fprintf(stderr, "pars coding report: %s\n", db_error(db));
		return 1;
	}
#define V(name) db_getll(r, 0, db_col(r, name), 0)
	total = V("total");
	pence = V("pence");
	printf("Coding report: referrals dated %s to %s (current versions): "
	    "%lld\n", from ? from : "any time", to ? to : "now", total);
	share("coded to a TFC", V("tfc"), total);
	share("priced", V("priced"), total);
	share("coded to a TFC and priced", V("tfc_priced"), total);
	share("with a known referrer", V("referrer"), total);
	share("from a known practice", V("practice"), total);
	share("to a known provider", V("provider"), total);
	printf("  status: %lld coded, %lld partial, %lld uncoded, %lld not "
	    "coded (coding off)\n", V("coded"), V("partial"), V("uncoded"),
	    V("not_coded"));
	printf("  value at tariff: \xc2\xa3%lld.%02lld\n", pence / 100,
	    pence % 100);
#undef V
	db_res_free(r);
	if ((r = db_query(db, evidence_sql, 2, p)) == NULL) {
		fprintf(stderr, "pars coding report: %s\n", db_error(db));
		return 1;
	}
	printf("  TFC evidence:");
	for (i = 0; i < db_nrows(r); i++)
		printf("%s %s %s", i ? "," : "", db_get(r, i, db_col(r,
		    "evidence")), db_get(r, i, db_col(r, "n")));
	printf("%s\n", db_nrows(r) ? "" : " none");
	db_res_free(r);
	if ((r = db_query(db, reasons_sql, 2, p)) == NULL) {
		fprintf(stderr, "pars coding report: %s\n", db_error(db));
		return 1;
	}
	printf("Most common coding warnings (referrals affected):\n");
	for (i = 0; i < db_nrows(r); i++)
		printf("  %8s  %s\n", db_get(r, i, db_col(r, "n")),
		    db_get(r, i, db_col(r, "reason")));
	if (db_nrows(r) == 0)
		printf("  none\n");
	db_res_free(r);
	return 0;
}

/* YYYY-MM into its first and last days. */
static int
period(const char *s, char from[11], char to[11])
{
	char first[16];
	int y, m;

	snprintf(first, sizeof(first), "%.7s-01", s);
	if (strlen(s) != 7 || date_parse(first, from) < 0)
		return -1;
	y = (int)strtol(from, NULL, 10);
	m = (int)strtol(from + 5, NULL, 10);
	return date_make(y, m, date_month_days(y, m), to);
}

static int
report(const struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"period", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0}};
	char from[11], to[11];
	const char *f = NULL, *t = NULL;
	struct hub *hub;
	struct db *db;
	int ch, rc;

	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'f' && date_parse(optarg, from) == 0)
			f = from;
		else if (ch == 't' && date_parse(optarg, to) == 0)
			t = to;
		else if (ch == 'p' && period(optarg, from, to) == 0) {
			f = from;
			t = to;
		} else {
			fprintf(stderr, "usage: pars coding report [--from DATE] "
			    "[--to DATE] | [--period YYYY-MM]\n");
			return 2;
		}
	}
	if (optind != argc)
		return 2;
	hub = cli_hub(cli, HUB_DATABASE | HUB_MIGRATE);
	db = cli_db(hub);
	rc = cli_coding_report(db, f, t);
	db_close(db);
	hub_close(hub);
	return rc;
}

int
cmd_coding(const struct cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "report") == 0)
		return report(cli, argc, argv);
	fprintf(stderr, "usage: pars coding report [--from DATE] [--to DATE] "
	    "| [--period YYYY-MM]\n");
	return 2;
}

int
cmd_recode(const struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"since", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0}};
	char since[11];
	const char *s = NULL;
	struct coding_ref *ref;
	struct hub *hub;
	struct db *db;
	long seen = 0, changed = 0;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 's' || date_parse(optarg, since) < 0) {
			fprintf(stderr, "usage: pars recode [--since DATE]\n");
			return 2;
		}
		s = since;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: pars recode [--since DATE]\n");
		return 2;
	}
	hub = cli_hub(cli, HUB_DATABASE | HUB_MIGRATE);
	db = cli_db(hub);
	if ((ref = coding_ref_load(db)) == NULL) {
		fprintf(stderr, "pars recode: could not read the reference "
		    "data: %s\n", db_error(db));
		rc = 1;
	} else {
		printf("recoding referrals%s%s with reference data up to load "
		    "%lld, %d at a time\n", s ? " dated from " : "", s ? s : "",
		    coding_ref_version(ref), RECODE_BATCH);
		if (coding_recode(db, ref, s, RECODE_BATCH, &seen, &changed) <
		    0) {
			fprintf(stderr, "pars recode: stopped after %ld: %s\n",
			    seen, db_error(db));
			rc = 1;
		}
		printf("%ld referral(s) recoded: %ld changed\n", seen, changed);
		coding_ref_release(ref);
	}
	db_close(db);
	hub_close(hub);
	return rc;
}
