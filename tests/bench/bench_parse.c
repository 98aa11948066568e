/*
 * bench_parse.c - parse throughput of one format beside a baseline
 * measured in the same run, on the same bytes, in the same process.
 *
 *   pars-bench-parse [-n PASSES] [-r ROUNDS] FORMAT FILE...
 *
 * Loads the files, then for each round runs PASSES passes of the baseline
 * over all of them and PASSES passes of parse_document() (detection,
 * parser, finishing pass: what the hub really does per document, into an
 * arena reset between documents), and prints the best round of each:
 * MB/s, documents/s, referrals/s, and the ratio of the two times.  Then,
 * because a shared machine's noise comes and goes within a run, the ratio
 * round by round (each round's two sides run back to back, parse first in
 * every other round): its median and range.  Times are the process's CPU
 * time (CLOCK_PROCESS_CPUTIME_ID), so other work on a shared machine does
 * not count against either side; MB/s is then the rate of one core.
 *
 * FORMAT is a parser name (parser_by_name).  The baseline is the work no
 * parser of that format can avoid: for XML formats, libxml2 building the
 * tree with the options xmlsafe uses and nothing else; for JSON, json-c
 * building its tree (and, beside it, the hub's own JSON tree, so that the
 * mapping's share shows); for HL7 v2, splitting into segments and fields; for
 * the other text formats, splitting into lines and comma-separated fields.
 * Add a format to baselines[] to give it another.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libxml/parser.h>

#include "arena.h"
#include "hl7span.h"
#include "jsonsafe.h"
#include "parser.h"
#include "xmlsafe.h"

struct doc {
	unsigned char *p;
	size_t len;
};

static volatile size_t sink; /* keeps the baselines' work observable */

static void
base_xml(const unsigned char *p, size_t len)
{
	xmlDocPtr d = xmlReadMemory((const char *)p, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		XML_PARSE_NOCDATA);

	sink += d != NULL;
	xmlFreeDoc(d);
}

static void
base_json(const unsigned char *p, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = json_tokener_parse_ex(tok, (const char *)p,
	    (int)len);

	sink += o != NULL;
	json_object_put(o);
	json_tokener_free(tok);
}

/* The hub's own JSON tree (jsonsafe) and nothing else: what the FHIR JSON
 * parser costs before its mapping. */
static void
base_jsonsafe(const unsigned char *p, size_t len)
{
	static struct arena *a;
	struct parse_limits lim;
	struct parse_error err;

	if (a == NULL)
		a = arena_new(0);
	arena_reset(a);
	parse_limits_default(&lim);
	sink += jsonsafe_parse(a, p, len, &lim, &err) != NULL;
}

/*
 * Segments end at CR or LF; each segment is split on MSH's field
 * separator into (start, length) pairs, the least any HL7 v2 parser has
 * to do before it can read a field.
 */
static void
base_hl7(const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len, *q, *f;
	unsigned char sep = len > 3 ? p[3] : '|';
	struct {
		const unsigned char *p;
		size_t n;
	} fields[256];
	size_t nf, total = 0, i;

	while (p < end) {
		nf = 0;
		for (q = f = p; q < end && *q != '\r' && *q != '\n'; q++)
			if (*q == sep && nf < 256) {
				fields[nf].p = f;
				fields[nf++].n = (size_t)(q - f);
				f = q + 1;
			}
		if (nf < 256) {
			fields[nf].p = f;
			fields[nf++].n = (size_t)(q - f);
		}
		for (i = 0; i < nf; i++)
			total += fields[i].n + (fields[i].p != NULL);
		p = q + 1;
	}
	sink += total;
}

/*
 * The same split done with the parser's own scan (hl7span.h): 64 bytes
 * a step, fields taken from the bits of compares.  Faster than the
 * byte loop, so the stricter yardstick.  (Documents are loaded with
 * HL7_PAD bytes after them, as the parser's copy has.)
 */
static void
base_hl7_scan(const unsigned char *p, size_t len)
{
	const char *s = (const char *)p, *end = s + len, *eol;
	char sep = len > 3 ? s[3] : '|';
	struct span fields[256];
	size_t nf, total = 0, i;

	for (; s < end; s = eol + 1) {
		eol = seg_scan(s, end, sep, fields, 256, &nf);
		for (i = 0; i < nf; i++)
			total += fields[i].n + (fields[i].p != NULL);
	}
	sink += total;
}

/* Lines, and comma-separated fields in them. */
static void
base_lines(const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len, *nl;
	size_t fields = 0;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		for (; p < nl; p++)
			fields += *p == ',';
		p = nl + 1;
	}
	sink += fields;
}

static const struct {
	const char *format, *what;
	void (*run)(const unsigned char *, size_t);
} baselines[] = {
    {"fhir-xml", "libxml2 tree", base_xml},
    {"cda", "libxml2 tree", base_xml},
    {"fhir-json", "json-c tree", base_json},
    {"fhir-json", "hub's tree (jsonsafe)", base_jsonsafe},
    {"hl7v2", "split segments+fields", base_hl7},
    {"hl7v2", "split, parser's scan", base_hl7_scan},
    {NULL, "split lines+fields", base_lines},
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of passes passes of parse_document over every document. */
static double
run_parse(struct arena *a, const struct doc *docs, size_t ndocs, long passes,
    const struct parse_limits *lim, struct parse_result *res)
{
	double t = now();
	long k;
	size_t i;

	for (k = 0; k < passes; k++)
		for (i = 0; i < ndocs; i++) {
			arena_reset(a);
			(void)parse_document(a, docs[i].p, docs[i].len, lim,
			    res);
		}
	return now() - t;
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

static int
load(const char *path, struct doc *d)
{
	FILE *fp = fopen(path, "rb");
	long n;

	if (fp == NULL) {
		perror(path);
		return -1;
	}
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	d->p = calloc(1, (size_t)n + HL7_PAD);
	if (d->p == NULL || fread(d->p, 1, (size_t)n, fp) != (size_t)n) {
		fprintf(stderr, "%s: short read\n", path);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	d->len = (size_t)n;
	return 0;
}

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr, "usage: pars-bench-parse [-n PASSES] [-r ROUNDS] "
	    "FORMAT FILE...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct parse_limits lim;
	struct parse_result res;
	const struct parser *p;
	struct arena *a;
	struct doc *docs;
	size_t ndocs, i, b, nb, k2, bytes = 0, refs = 0, bad = 0;
	long passes = 100, rounds = 3, k, round;
	double t, best_base[4] = {1e300, 1e300, 1e300, 1e300};
	double best_parse = 1e300, t_parse, mb, base_t[4], *ratio[4];
	int ch;

	while ((ch = getopt(argc, argv, "n:r:")) != -1) {
		char *end;

		if (ch == 'n')
			passes = strtol(optarg, &end, 10);
		else if (ch == 'r')
			rounds = strtol(optarg, &end, 10);
		else
			usage();
		if (*end != '\0' || passes < 1 || rounds < 1)
			usage();
	}
	if (argc - optind < 2)
		usage();
	if ((p = parser_by_name(argv[optind])) == NULL) {
		fprintf(stderr, "pars-bench-parse: no parser called %s\n",
		    argv[optind]);
		return 2;
	}
	/* This format's baselines (a run of rows), or the last row's. */
	for (b = 0; baselines[b].format != NULL; b++)
		if (strcmp(baselines[b].format, p->name) == 0)
			break;
	for (nb = 1; baselines[b].format != NULL &&
	    baselines[b + nb].format != NULL && nb < 4 &&
	    strcmp(baselines[b + nb].format, p->name) == 0; nb++)
		;
	xmlsafe_init();
	parse_limits_default(&lim);
	ndocs = (size_t)(argc - optind - 1);
	docs = calloc(ndocs, sizeof(*docs));
	if (docs == NULL)
		return 1;
	for (k2 = 0; k2 < nb; k2++)
		if ((ratio[k2] = calloc((size_t)rounds,
		    sizeof(double))) == NULL)
			return 1;
	a = arena_new(0);
	for (i = 0; i < ndocs; i++) {
		if (load(argv[optind + 1 + i], &docs[i]) < 0)
			return 1;
		bytes += docs[i].len;
		arena_reset(a);
		if (parse_document(a, docs[i].p, docs[i].len, &lim, &res) < 0 ||
		    strcmp(res.format, p->name) != 0) {
			fprintf(stderr, "%s: not a %s referral document%s%s\n",
			    argv[optind + 1 + i], p->name,
			    res.err.msg[0] ? ": " : "", res.err.msg);
			bad++;
		} else {
			refs += res.n;
		}
	}
	for (round = 0; round < rounds; round++) {
		/* Odd rounds parse first, so that neither side always runs
		 * on the heap the other left. */
		if (round % 2 == 1)
			t_parse = run_parse(a, docs, ndocs, passes, &lim, &res);
		for (k2 = 0; k2 < nb; k2++) {
			t = now();
			for (k = 0; k < passes; k++)
				for (i = 0; i < ndocs; i++)
					baselines[b + k2].run(docs[i].p,
					    docs[i].len);
			base_t[k2] = now() - t;
			if (base_t[k2] < best_base[k2])
				best_base[k2] = base_t[k2];
		}
		if (round % 2 == 0)
			t_parse = run_parse(a, docs, ndocs, passes, &lim, &res);
		if (t_parse < best_parse)
			best_parse = t_parse;
		for (k2 = 0; k2 < nb; k2++)
			ratio[k2][round] = t_parse / base_t[k2];
	}
	mb = (double)bytes * (double)passes / 1e6;
	printf("%s: %zu files, %.3f MB, %zu referrals a pass; %ld passes, "
	    "best of %ld rounds (CPU time)\n", p->name, ndocs,
	    (double)bytes / 1e6, refs, passes, rounds);
	printf("  %-32s %9.1f MB/s %11.0f docs/s %11.0f referrals/s\n",
	    "parse_document", mb / best_parse,
	    (double)ndocs * (double)passes / best_parse,
	    (double)refs * (double)passes / best_parse);
	for (k2 = 0; k2 < nb; k2++) {
		printf("  baseline: %-22s %9.1f MB/s %11.0f docs/s\n",
		    baselines[b + k2].what, mb / best_base[k2],
		    (double)ndocs * (double)passes / best_base[k2]);
		qsort(ratio[k2], (size_t)rounds, sizeof(double), cmp_double);
		printf("  parse time / baseline time: %.2fx (best rounds); "
		    "round by round %.2fx median, %.2f-%.2fx\n",
		    best_parse / best_base[k2], ratio[k2][rounds / 2],
		    ratio[k2][0], ratio[k2][rounds - 1]);
		free(ratio[k2]);
	}
	for (i = 0; i < ndocs; i++)
		free(docs[i].p);
	free(docs);
	arena_free(a);
	return bad ? 1 : 0;
}
