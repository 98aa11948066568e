/*
 * cli_assess.c - pars assess FILE... (the rules' findings on files,
 * storing nothing) and pars reassess (run the rules again over a period
 * of stored referrals, keeping the history of what each rule version
 * found).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "assess.h"
#include "buf.h"
#include "cli.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "findings.h"
#include "hub.h"
#include "parser.h"
#include "prices.h"
#include "referrals.h"
#include "referral_json.h"
#include "rules.h"
#include "stored.h"
#include "xmalloc.h"

/* Any fixed number: the advisory lock one pars reassess holds. */
#define REASSESS_LOCK "7283461"

static void
json_pence(struct buf *b, long long v)
{
	if (v < 0)
		buf_adds(b, "null");
	else
		buf_printf(b, "%lld", v);
}

static void
json_findings(struct buf *b, const struct findings *f)
{
	size_t i;

	buf_adds(b, "[");
	for (i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];

		buf_adds(b, i ? ",\n      {" : "\n      {");
		buf_adds(b, "\"rule_id\": ");
		buf_json_str(b, x->rule_id);
		buf_printf(b, ", \"version\": %d, \"kind\": ", x->rule_version);
		buf_json_str(b, x->kind);
		buf_adds(b, ", \"theme\": ");
		buf_json_str(b, x->theme);
		buf_adds(b, ",\n       \"title\": ");
		buf_json_str(b, x->title);
		buf_adds(b, ",\n       \"message\": ");
		buf_json_str(b, x->message);
		buf_adds(b, ",\n       \"alternative\": ");
		buf_json_str(b, x->alternative);
		buf_adds(b, ", \"saving_pence\": ");
		json_pence(b, x->saving_pence);
		buf_adds(b, "}");
	}
	buf_adds(b, f->n ? "\n    ]" : "]");
}

/*
 * The prices for pars assess: from the configured database when there is
 * one (or the embedded one, with --db), else none.  *hubp and *dbp are
 * set when a database was opened.
 */
static struct prices *
assess_prices(const struct cli *cli, int want, int refuse,
    struct parse_limits *lim, struct hub **hubp, struct db **dbp)
{
	char err[1024], *path = config_choose_path(cli->config_path);
	struct config *cfg = NULL;
	struct prices *p = NULL;

	*hubp = NULL;
	*dbp = NULL;
	parse_limits_default(lim);
	if (cli->config_path != NULL || access(path, R_OK) == 0) {
		if ((cfg = config_load(path, err, sizeof(err))) == NULL) {
			fprintf(stderr, "%s\n", err);
			exit(1);
		}
		hub_limits(cfg, lim);
	}
	free(path);
	if (cfg != NULL && !refuse && (want || cfg->database.dsn[0])) {
		if ((*hubp = hub_open(cfg, HUB_DATABASE, err, sizeof(err))) ==
		    NULL || (*dbp = hub_connect(*hubp, err, sizeof(err))) ==
		    NULL)
			fprintf(stderr, "note: %s\n", err);
		else if ((p = prices_load(*dbp)) == NULL)
			fprintf(stderr, "note: could not read prices: %s\n",
			    db_error(*dbp));
		cfg = NULL; /* the hub took it */
	}
	config_free(cfg);
	if (p == NULL) {
		fprintf(stderr, "note: no database: findings are not priced "
		    "(savings are null)\n");
		p = prices_empty();
	}
	return p;
}

int
cmd_assess(const struct cli *cli, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"rules", required_argument, NULL, 'r'},
	    {"db", no_argument, NULL, 'd'},
	    {"no-db", no_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0}};
	const char *dir = NULL;
	int ch, want = 0, refuse = 0, i, failed = 0, first = 1;
	struct parse_limits lim;
	struct rule_set *rs;
	struct assess_scratch *s;
	struct prices *p;
	struct assess_pricing pr;
	struct hub *hub;
	struct db *db;
	struct buf out;
	size_t j;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'r')
			dir = optarg;
		else if (ch == 'd')
			want = 1;
		else if (ch == 'n')
			refuse = 1;
		else
			goto usage;
	}
	if (optind >= argc)
		goto usage;
	rs = cli_rules_load(cli, dir);
	p = assess_prices(cli, want, refuse, &lim, &hub, &db);
	pr = prices_pricing(p);
	s = assess_scratch_new(rs);
	buf_init(&out, 0);
	buf_adds(&out, "[");
	for (i = optind; i < argc; i++) {
		struct parse_result res;
		struct arena *a = cli_parse_file(argv[i], &lim, &res);

		if (a == NULL) {
			failed = 1;
			continue;
		}
		for (j = 0; j < res.n; j++) {
			const struct referral *r = res.v[j];
			struct assess_input in = {r, r->tfc, -1, 0};
			struct findings f = {NULL, 0, 0};
			struct stored_coding cd;

			/* Coded as the daemon would, when reference data is
			 * loaded: the coded TFC and its price at tariff. */
			if (prices_code(p, r, &cd) == 0) {
				if (cd.tfc[0] != '\0')
					in.tfc = cd.tfc;
				in.price_pence = cd.price_pence;
			}
			assess_referral(rs, s, &in, &pr, &f);
			buf_adds(&out, first ? "\n  {\"file\": " : ",\n  {"
			    "\"file\": ");
			first = 0;
			buf_json_str(&out, argv[i]);
			buf_printf(&out, ", \"position\": %zu, \"tfc\": ",
			    r->position);
			buf_json_str(&out, in.tfc);
			buf_adds(&out, ", \"first_price_pence\": ");
			json_pence(&out, in.price_pence >= 0 ? in.price_pence
			    : prices_first(p, in.tfc, r->referral_date));
			buf_adds(&out, ",\n    \"referral\": ");
			referral_json(&out, r, NULL, 4);
			buf_adds(&out, ",\n    \"findings\": ");
			json_findings(&out, &f);
			buf_adds(&out, "}");
			findings_free(&f);
		}
		arena_free(a);
	}
	buf_adds(&out, first ? "]\n" : "\n]\n");
	fwrite(out.p, 1, out.len, stdout);
	buf_free(&out);
	assess_scratch_free(s);
	prices_release(p);
	rule_set_release(rs);
	db_close(db);
	if (hub != NULL)
		hub_close(hub);
	return failed;
usage:
	fprintf(stderr, "usage: pars assess [--rules DIR] [--db | --no-db] "
	    "FILE...\n");
	return 2;
}

/* One batch in one transaction; returns referrals done, -1 on failure. */
static long
reassess_batch(struct db *db, struct rule_set *rs, struct assess_scratch *s,
    const struct assess_pricing *pr, const char *since, const char *until,
    int batch, long long *last, long *old, long *made)
{
	struct arena *a = arena_new(0);
	struct assess_input *in;
	struct findings f = {NULL, 0, 0};
	long long *ids = NULL;
	long n, i, sup;

	if (db_begin(db) < 0)
		goto fail;
	if ((n = stored_load_period(db, a, since, until, *last, batch, &in))
	    <= 0) {
		db_rollback(db);
		arena_free(a);
		return n;
	}
	ids = xcalloc((size_t)n, sizeof(*ids));
	for (i = 0; i < n; i++) {
		ids[i] = in[i].referral_id;
		assess_referral(rs, s, &in[i], pr, &f);
	}
	if ((sup = findings_supersede(db, ids, (size_t)n)) < 0 ||
	    findings_insert(db, f.v, f.n) < 0 || db_commit(db) < 0) {
		db_rollback(db);
		goto fail;
	}
	*last = ids[n - 1];
	*old += sup;
	*made += (long)f.n;
	free(ids);
	findings_free(&f);
	arena_free(a);
	return n;
fail:
	free(ids);
	findings_free(&f);
	arena_free(a);
	return -1;
}

int
cmd_reassess(const struct cli *cli, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 'u'},
	    {"batch", required_argument, NULL, 'b'},
	    {"rules", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0}};
	const char *since = NULL, *until = NULL, *dir = NULL;
	long batch = 500, n, total = 0, old = 0, made = 0;
	long long last = 0;
	int ch, rc = 0;
	char *end;
	struct rule_set *rs;
	struct hub *hub;
	struct db *db;
	struct db_res *r;
	struct prices *p;
	struct assess_pricing pr;
	struct assess_scratch *s;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 's')
			since = optarg;
		else if (ch == 'u')
			until = optarg;
		else if (ch == 'r')
			dir = optarg;
		else if (ch == 'b') {
			batch = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || batch < 1 ||
			    batch > 100000)
				goto usage;
		} else
			goto usage;
	}
	if (optind != argc || since == NULL || date_days(since) == DATE_NONE ||
	    (until != NULL && date_days(until) == DATE_NONE))
		goto usage;
	rs = cli_rules_load(cli, dir);
	hub = cli_hub(cli, HUB_DATABASE | HUB_MIGRATE);
	db = cli_db(hub);
	r = db_query(db, "SELECT pg_catalog.pg_try_advisory_lock("
	    REASSESS_LOCK ")::text AS got", 0, NULL);
	if (r == NULL || strcmp(db_get(r, 0, 0), "true") != 0) {
		fprintf(stderr, "pars reassess: %s\n", r ? "another pars "
		    "reassess is running: wait for it to finish" :
		    db_error(db));
		db_res_free(r);
		rc = 1;
		goto out;
	}
	db_res_free(r);
	if ((p = prices_load(db)) == NULL) {
		fprintf(stderr, "pars reassess: could not read prices: %s\n",
		    db_error(db));
		rc = 1;
		goto out;
	}
	pr = prices_pricing(p);
	s = assess_scratch_new(rs);
	while ((n = reassess_batch(db, rs, s, &pr, since, until, (int)batch,
	    &last, &old, &made)) > 0) {
		total += n;
		if (n == batch)
			fprintf(stderr, "pars reassess: %ld referral(s) so "
			    "far\n", total);
	}
	if (n < 0) {
		fprintf(stderr, "pars reassess: %s (the %ld referral(s) done "
		    "so far are committed; run it again to finish)\n",
		    db_error(db), total);
		rc = 1;
	}
	printf("reassessed %ld referral(s) dated from %s%s%s with %zu "
	    "rule(s) from %s: %ld rule finding(s) replaced by %ld (the old "
	    "ones are kept, no longer current)\n", total, since,
	    until ? " to before " : "", until ? until : "", rs->n, rs->dir,
	    old, made);
	assess_scratch_free(s);
	prices_release(p);
out:
	db_close(db);
	hub_close(hub);
	rule_set_release(rs);
	return rc;
usage:
	fprintf(stderr, "usage: pars reassess --since YYYY-MM-DD [--until "
	    "YYYY-MM-DD] [--batch N] [--rules DIR]\n");
	return 2;
}
