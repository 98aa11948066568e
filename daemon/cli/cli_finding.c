/*
 * cli_finding.c - pars finding add|import: PUNs and DENs recorded by the
 * hub's clinical assessors (source 'assessor': never replaced or hidden
 * by a re-run of the rules).
 *
 * The CSV file names its columns in a header row:
 *   referral_id, kind, title, message, assessor   (required)
 *   alternative, saving_pence, theme              (optional)
 * in any order; fields may be quoted ("a, b" and "" for a quote).  The
 * whole file goes in one transaction or not at all.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "assess.h"
#include "buf.h"
#include "cli.h"
#include "db.h"
#include "findings.h"
#include "hub.h"
#include "prices.h"
#include "stored.h"
#include "xmalloc.h"

#define CSV_MAX_BYTES (16 << 20)
#define CSV_MAX_FIELDS 32

enum { K_REF, K_KIND, K_TITLE, K_MSG, K_ASSESSOR, K_ALT, K_SAVING, K_THEME,
	K_N };

static const char *const columns[K_N] = {"referral_id", "kind", "title",
    "message", "assessor", "alternative", "saving_pence", "theme"};

static int
number(const char *s, long long *out)
{
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno != 0 || *end != '\0' || *out < 0 ? -1 : 0;
}

/*
 * Checks one finding's fields (v indexed by K_*, NULL or "" when absent)
 * and fills f, pricing the saving when an alternative is named and no
 * saving given.  Returns 0, or -1 with why set.
 */
static int
make_finding(struct db *db, const struct prices *p, struct arena *a,
    const char *const *v, struct finding *f, char *why, size_t whylen)
{
	long long id, saving = -1;
	struct assess_input in;
	int k, rc;

	for (k = 0; k < K_ALT; k++)
		if (v[k] == NULL || *v[k] == '\0') {
			snprintf(why, whylen, "%s is required", columns[k]);
			return -1;
		}
	if (number(v[K_REF], &id) < 0 || id == 0) {
		snprintf(why, whylen, "referral_id \"%s\" is not a referral id",
		    v[K_REF]);
		return -1;
	}
	if (strcmp(v[K_KIND], "PUN") != 0 && strcmp(v[K_KIND], "DEN") != 0) {
		snprintf(why, whylen, "kind must be PUN or DEN, not \"%s\"",
		    v[K_KIND]);
		return -1;
	}
	if (v[K_SAVING] != NULL && *v[K_SAVING] != '\0' &&
	    number(v[K_SAVING], &saving) < 0) {
		snprintf(why, whylen, "saving_pence \"%s\" is not a whole "
		    "number of pence", v[K_SAVING]);
		return -1;
	}
	memset(&in, 0, sizeof(in));
	if ((rc = stored_load_one(db, a, id, &in)) <= 0) {
		snprintf(why, whylen, "%s", rc < 0 ? db_error(db) :
		    "there is no referral with that id");
		return -1;
	}
	if (saving < 0 && v[K_ALT] != NULL && *v[K_ALT] != '\0') {
		const char *tfc = in.tfc ? in.tfc : in.r->tfc;

		saving = assess_saving(in.price_pence >= 0 ? in.price_pence :
		    prices_first(p, tfc, in.r->referral_date),
		    prices_alternative(p, v[K_ALT]));
		if (saving < 0)
			fprintf(stderr, "note: referral %lld: the saving could "
			    "not be priced (alternative %s or the referral's "
			    "tariff not loaded)\n", id, v[K_ALT]);
	}
	memset(f, 0, sizeof(*f));
	f->referral_id = id;
	f->kind = v[K_KIND];
	f->title = v[K_TITLE];
	f->message = v[K_MSG];
	f->assessor = v[K_ASSESSOR];
	f->alternative = v[K_ALT] && *v[K_ALT] ? v[K_ALT] : NULL;
	f->theme = v[K_THEME] && *v[K_THEME] ? v[K_THEME] : "Clinical "
	    "assessment";
	f->saving_pence = saving;
	return 0;
}

static int
f_add(struct db *db, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"referral", required_argument, NULL, K_REF},
	    {"kind", required_argument, NULL, K_KIND},
	    {"title", required_argument, NULL, K_TITLE},
	    {"message", required_argument, NULL, K_MSG},
	    {"assessor", required_argument, NULL, K_ASSESSOR},
	    {"alternative", required_argument, NULL, K_ALT},
	    {"saving", required_argument, NULL, K_SAVING},
	    {"theme", required_argument, NULL, K_THEME},
	    {NULL, 0, NULL, 0}};
	const char *v[K_N] = {NULL};
	struct prices *p;
	struct arena *a = arena_new(0);
	struct finding f;
	char why[512];
	int ch, rc = 1;

	optind = 2;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch < 0 || ch >= K_N) {
			arena_free(a);
			return 2;
		}
		v[ch] = optarg;
	}
	if (optind != argc) {
		arena_free(a);
		return 2;
	}
	if ((p = prices_load(db)) == NULL)
		p = prices_empty();
	if (make_finding(db, p, a, v, &f, why, sizeof(why)) < 0)
		fprintf(stderr, "pars finding add: %s\n", why);
	else if (findings_insert(db, &f, 1) < 0)
		fprintf(stderr, "pars finding add: %s\n", db_error(db));
	else {
		printf("finding recorded for referral %lld (%s by %s)\n",
		    f.referral_id, f.kind, f.assessor);
		rc = 0;
	}
	prices_release(p);
	arena_free(a);
	return rc;
}

/*
 * Reads one CSV record at *pp into fields (in the arena).  Returns the
 * number of fields, 0 at the end, or -1 on an unterminated quote.
 */
static int
csv_record(struct arena *a, const char **pp, const char *end, char **fields,
    int max)
{
	const char *p = *pp;
	int n = 0;
	struct buf b;

	if (p >= end)
		return 0;
	buf_init(&b, 0);
	for (;;) {
		int quoted = p < end && *p == '"';

		buf_reset(&b);
		if (quoted) {
			for (p++;; p++) {
				if (p >= end) {
					buf_free(&b);
					return -1;
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						buf_addc(&b, '"');
						p++;
						continue;
					}
					p++;
					break;
				}
				buf_addc(&b, *p);
			}
		}
		while (p < end && *p != ',' && *p != '\n' && *p != '\r')
			buf_addc(&b, *p++);
		if (n < max)
			fields[n] = arena_strndup(a, b.p, b.len);
		n++;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		break;
	}
	buf_free(&b);
	*pp = p;
	return n;
}

static int
f_import(struct db *db, const char *path)
{
	size_t len;
	unsigned char *data = cli_slurp(path, CSV_MAX_BYTES, &len);
	const char *p, *end;
	char *fields[CSV_MAX_FIELDS], why[512];
	int col[K_N], n, k, i, row = 1, rc = 1;
	struct arena *a = arena_new(0);
	struct findings f = {NULL, 0, 0};
	struct prices *pr = NULL;

	if (data == NULL)
		goto out;
	p = (const char *)data;
	end = p + len;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3; /* a byte order mark from a spreadsheet */
	if ((n = csv_record(a, &p, end, fields, CSV_MAX_FIELDS)) <= 0) {
		fprintf(stderr, "%s: no header row\n", path);
		goto out;
	}
	for (k = 0; k < K_N; k++) {
		col[k] = -1;
		for (i = 0; i < n && i < CSV_MAX_FIELDS; i++)
			if (strcmp(fields[i], columns[k]) == 0)
				col[k] = i;
		if (col[k] < 0 && k < K_ALT) {
			fprintf(stderr, "%s: line 1: the header has no \"%s\" "
			    "column (required: referral_id, kind, title, "
			    "message, assessor)\n", path, columns[k]);
			goto out;
		}
	}
	if ((pr = prices_load(db)) == NULL)
		pr = prices_empty();
	if (db_begin(db) < 0)
		goto dberr;
	while ((n = csv_record(a, &p, end, fields, CSV_MAX_FIELDS)) != 0) {
		const char *v[K_N];
		struct finding x;

		row++;
		if (n < 0) {
			fprintf(stderr, "%s: line %d: a quoted field is not "
			    "closed\n", path, row);
			goto rollback;
		}
		if (n == 1 && fields[0][0] == '\0')
			continue; /* an empty line */
		for (k = 0; k < K_N; k++)
			v[k] = col[k] >= 0 && col[k] < n ? fields[col[k]] :
			    NULL;
		if (make_finding(db, pr, a, v, &x, why, sizeof(why)) < 0) {
			fprintf(stderr, "%s: line %d: %s\n", path, row, why);
			goto rollback;
		}
		findings_add(&f, &x);
	}
	if (findings_insert(db, f.v, f.n) < 0 || db_commit(db) < 0)
		goto dberr;
	printf("%zu finding(s) recorded from %s\n", f.n, path);
	rc = 0;
	goto out;
dberr:
	fprintf(stderr, "%s: %s\n", path, db_error(db));
rollback:
	db_rollback(db);
	fprintf(stderr, "%s: nothing was recorded\n", path);
out:
	prices_release(pr);
	findings_free(&f);
	arena_free(a);
	free(data);
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: pars finding add --referral ID --kind PUN|DEN "
	    "--title TEXT --message TEXT --assessor NAME\n"
	    "                         [--alternative CODE] [--saving PENCE] "
	    "[--theme TEXT]\n"
	    "       pars finding import FILE.csv   (header: referral_id,kind,"
	    "title,message,assessor[,alternative,saving_pence,theme])\n");
	return 2;
}

int
cmd_finding(const struct cli *cli, int argc, char **argv)
{
	struct hub *hub;
	struct db *db;
	int rc;

	if (argc < 2 || (strcmp(argv[1], "add") != 0 &&
	    strcmp(argv[1], "import") != 0) ||
	    (strcmp(argv[1], "import") == 0 && argc != 3))
		return usage();
	hub = cli_hub(cli, HUB_DATABASE | HUB_MIGRATE);
	db = cli_db(hub);
	if (strcmp(argv[1], "add") == 0)
		rc = f_add(db, argc, argv);
	else
		rc = f_import(db, argv[2]);
	db_close(db);
	hub_close(hub);
	return rc == 2 ? usage() : rc;
}
