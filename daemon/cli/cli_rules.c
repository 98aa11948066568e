/*
 * cli_rules.c - pars rules test|list|explain: the assessment rules'
 * examples, governance and reasoning (docs/readme-rules.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "assess.h"
#include "buf.h"
#include "cli.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "hub.h"
#include "rules.h"
#include "stored.h"
#include "xmalloc.h"

#define CLI_RULES_UNCHECKED "unchecked"

struct rule_set *
cli_rules_load(const struct cli *cli, const char *dir)
{
	char err[1024], *path = NULL;
	struct config *cfg = NULL;
	struct rule_set *rs;

	if (dir == NULL) {
		path = config_choose_path(cli->config_path);
		if ((cfg = config_load(path, err, sizeof(err))) == NULL) {
			fprintf(stderr, "%s\n(give the rules directory with "
			    "--rules DIR)\n", err);
			free(path);
			exit(1);
		}
		dir = cfg->rules.dir;
	}
	rs = rule_set_load(dir, 0, err, sizeof(err));
	if (rs == NULL) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	config_free(cfg);
	free(path);
	return rs;
}

/* Today as YYYY-MM-DD (local time). */
static void
today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Warns about rules past their review date and counts the unchecked. */
static void
governance(const struct rule_set *rs, const char *now, size_t *due,
    size_t *unchecked)
{
	size_t i;

	*due = *unchecked = 0;
	for (i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->v[i];

		if (strcmp(r->next_review, now) < 0) {
			fprintf(stderr, "warning: %s:%d: rule %s: its review "
			    "was due on %s (last reviewed %s, checked by %s)\n",
			    r->file, r->line, r->id, r->next_review,
			    r->reviewed, r->checked_by);
			(*due)++;
		}
		if (strncmp(r->checked_by, CLI_RULES_UNCHECKED,
		    strlen(CLI_RULES_UNCHECKED)) == 0)
			(*unchecked)++;
	}
}

struct opts {
	const char *dir, *today;
	int fired_only;
};

/* Reads --rules DIR, --today DATE and --fired; returns optind or -1. */
static int
rules_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"rules", required_argument, NULL, 'r'},
	    {"today", required_argument, NULL, 't'},
	    {"fired", no_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0}};
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'r')
			o->dir = optarg;
		else if (ch == 't')
			o->today = optarg;
		else if (ch == 'f')
			o->fired_only = 1;
		else
			return -1;
	}
	if (o->today != NULL && date_days(o->today) == DATE_NONE) {
		fprintf(stderr, "pars rules: --today wants YYYY-MM-DD\n");
		return -1;
	}
	return optind;
}

static int
r_test(const struct cli *cli, const struct opts *o)
{
	struct rule_set *rs = cli_rules_load(cli, o->dir);
	struct assess_scratch *s = assess_scratch_new(rs);
	size_t i, j, nex = 0, failed = 0, due, unchecked;
	char now[11];

	if (o->today)
		memcpy(now, o->today, 11);
	else
		today(now);
	for (i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->v[i];

		for (j = 0; j < r->nexamples; j++) {
			const struct rule_example *ex = &r->examples[j];
			struct assess_input in = {&ex->r, ex->tfc,
			    ex->price_pence, 0};
			struct buf b;

			nex++;
			if (assess_rule_fires(rs, s, r, &in) == ex->must_fire)
				continue;
			failed++;
			buf_init(&b, 0);
			assess_explain(rs, s, r, &in, 4, &b);
			printf("FAIL %s:%d: rule %s: this example must%s fire "
			    "but it does%s:\n%s", r->file, ex->line, r->id,
			    ex->must_fire ? "" : " not", ex->must_fire ?
			    " not" : "", b.p);
			buf_free(&b);
		}
	}
	governance(rs, now, &due, &unchecked);
	if (failed)
		printf("%zu rule(s) in %zu file(s), %zu example(s): %zu FAILED\n",
		    rs->n, rs->nfiles, nex, failed);
	else
		printf("%zu rule(s) in %zu file(s), %zu example(s): all "
		    "passed\n", rs->n, rs->nfiles, nex);
	if (due)
		printf("%zu rule(s) past their review date\n", due);
	if (unchecked)
		printf("%zu rule(s) not yet checked by a clinician\n",
		    unchecked);
	assess_scratch_free(s);
	rule_set_release(rs);
	return failed ? 1 : 0;
}

static int
r_list(const struct cli *cli, const struct opts *o)
{
	struct rule_set *rs = cli_rules_load(cli, o->dir);
	size_t i, due, unchecked;
	char now[11];

	if (o->today)
		memcpy(now, o->today, 11);
	else
		today(now);
	printf("%-40s %3s %-4s %-11s %-4s %-28s %s\n", "RULE", "VER", "KIND",
	    "NEXT REVIEW", "DUE", "CHECKED BY", "SOURCE");
	for (i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->v[i];

		printf("%-40s %3d %-4s %-11s %-4s %-28.28s %s\n", r->id,
		    r->version, rule_kind_name(r->kind), r->next_review,
		    strcmp(r->next_review, now) < 0 ? "DUE" : "-",
		    r->checked_by, r->source);
	}
	governance(rs, now, &due, &unchecked);
	printf("%zu rule(s) from %s: %zu past their review date, %zu not yet "
	    "checked by a clinician\n", rs->n, rs->dir, due, unchecked);
	rule_set_release(rs);
	return 0;
}

static const char stored_findings_sql[] =
    "SELECT id::text AS id, source, coalesce(rule_id || ' v' ||"
    " rule_version, 'by ' || assessor) AS who, kind, title,"
    " coalesce(saving_pence::text || ' pence', 'none') AS saving,"
    " CASE WHEN is_current THEN 'current' ELSE 'superseded' END AS state,"
    " to_char(created_at, 'YYYY-MM-DD HH24:MI') AS created"
    " FROM pars.findings WHERE referral_id = $1::bigint ORDER BY id";

static int
r_explain(const struct cli *cli, const struct opts *o, const char *idarg)
{
	struct rule_set *rs;
	struct hub *hub;
	struct db *db;
	struct arena *a;
	struct assess_input in;
	struct assess_scratch *s;
	struct db_res *r;
	struct buf b;
	char *end;
	long long id = strtoll(idarg, &end, 10);
	size_t i;
	int rc;

	if (*idarg == '\0' || *end != '\0' || id <= 0) {
		fprintf(stderr, "pars rules explain: \"%s\" is not a referral "
		    "id\n", idarg);
		return 2;
	}
	rs = cli_rules_load(cli, o->dir);
	hub = cli_hub(cli, HUB_DATABASE | HUB_MIGRATE);
	db = cli_db(hub);
	a = arena_new(0);
	memset(&in, 0, sizeof(in));
	if ((rc = stored_load_one(db, a, id, &in)) <= 0) {
		fprintf(stderr, "pars rules explain: %s\n", rc < 0 ?
		    db_error(db) : "no such referral");
		rc = 1;
		goto out;
	}
	printf("referral %lld: practice %s, dated %s, TFC %s (%s), %s, age "
	    "%s, %s; codes:", id, in.r->practice_ods ? in.r->practice_ods :
	    "-", in.r->referral_date ? in.r->referral_date : "-",
	    in.tfc ? in.tfc : in.r->tfc ? in.r->tfc : "-", in.tfc ? "coded" :
	    "as sent", in.r->priority ? ref_priority_name(in.r->priority) :
	    "priority unknown", in.r->age_years >= 0 ? arena_printf(a, "%d",
	    in.r->age_years) : "unknown", ref_sex_name(in.r->sex));
	for (i = 0; i < in.r->diagnoses.n; i++)
		printf(" %s %s", code_system_name(in.r->diagnoses.v[i].system),
		    in.r->diagnoses.v[i].code);
	for (i = 0; i < in.r->procedures.n; i++)
		printf(" %s %s", code_system_name(
		    in.r->procedures.v[i].system), in.r->procedures.v[i].code);
	printf("%s\n\nthe rules in %s, condition by condition:\n",
	    in.r->diagnoses.n + in.r->procedures.n ? "" : " none", rs->dir);
	s = assess_scratch_new(rs);
	buf_init(&b, 0);
	for (i = 0; i < rs->n; i++)
		if (!o->fired_only || assess_rule_fires(rs, s, &rs->v[i], &in))
			assess_explain(rs, s, &rs->v[i], &in, 2, &b);
	fwrite(b.p, 1, b.len, stdout);
	buf_free(&b);
	assess_scratch_free(s);
	{
		char ids[24];
		const char *p = ids;

		snprintf(ids, sizeof(ids), "%lld", id);
		if ((r = db_query(db, stored_findings_sql, 1, &p)) == NULL) {
			fprintf(stderr, "pars rules explain: %s\n",
			    db_error(db));
			rc = 1;
			goto out;
		}
	}
	printf("\nstored findings:%s\n", db_nrows(r) ? "" : " none");
	for (i = 0; i < db_nrows(r); i++)
		printf("  #%s %-10s %s %s by %s: %s (saving %s) [%s]\n",
		    db_get(r, i, 0), db_get(r, i, 6), db_get(r, i, 7),
		    db_get(r, i, 3), db_get(r, i, 2), db_get(r, i, 4),
		    db_get(r, i, 5), db_get(r, i, 1));
	db_res_free(r);
	rc = 0;
out:
	arena_free(a);
	db_close(db);
	hub_close(hub);
	rule_set_release(rs);
	return rc;
}

int
cmd_rules(const struct cli *cli, int argc, char **argv)
{
	struct opts o;
	int i;

	if (argc < 2 || (i = rules_opts(argc, argv, &o)) < 0)
		goto usage;
	if (strcmp(argv[1], "test") == 0 && i == argc)
		return r_test(cli, &o);
	if (strcmp(argv[1], "list") == 0 && i == argc)
		return r_list(cli, &o);
	if (strcmp(argv[1], "explain") == 0 && i == argc - 1)
		return r_explain(cli, &o, argv[i]);
usage:
	fprintf(stderr, "usage: pars rules test [--rules DIR] [--today DATE]\n"
	    "       pars rules list [--rules DIR] [--today DATE]\n"
	    "       pars rules explain [--rules DIR] [--fired] REFERRAL_ID\n"
	    "The rules directory is --rules DIR, else rules.dir of the "
	    "configuration.\n");
	return 2;
}
