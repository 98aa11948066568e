/*
 * bench_assess.c - referrals assessed per second, in process (no
 * database): parses every file under DIR/<practice>/ once, then runs the
 * rules of RULES over all the referrals again and again for SECONDS and
 * prints the rate, beside the rate of parsing the same files (a baseline
 * measured in the same run).
 *
 *   pars-bench-assess RULES_DIR GEN_DIR [SECONDS]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "assess.h"
#include "lexicon.h"
#include "log.h"
#include "parser.h"
#include "rules.h"
#include "xmalloc.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct file {
	char *data;
	size_t len;
};

static struct file *files;
static size_t nfiles, capfiles;

static void
read_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct file f;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		perror(path);
		exit(1);
	}
	f.len = (size_t)n;
	f.data = xmalloc(f.len + 1);
	if (fread(f.data, 1, f.len, fp) != f.len) {
		perror(path);
		exit(1);
	}
	fclose(fp);
	if (nfiles == capfiles) {
		capfiles = capfiles ? capfiles * 2 : 1024;
		files = xreallocarray(files, capfiles, sizeof(*files));
	}
	files[nfiles++] = f;
}

/* Reads DIR/<practice>/<file>. */
static void
read_dir(const char *dir)
{
	DIR *d = opendir(dir), *sd;
	struct dirent *de, *fe;
	char path[4096];

	if (d == NULL) {
		perror(dir);
		exit(1);
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((sd = opendir(path)) == NULL)
			continue;
		while ((fe = readdir(sd)) != NULL) {
			char fpath[8192];

			if (fe->d_name[0] == '.')
				continue;
			snprintf(fpath, sizeof(fpath), "%s/%s", path, fe->d_name);
			read_file(fpath);
		}
		closedir(sd);
	}
	closedir(d);
}

int
main(int argc, char **argv)
{
	char err[1024];
	struct rule_set *rs;
	struct assess_scratch *s;
	struct parse_limits lim;
	struct arena *a;
	struct assess_input *in = NULL;
	size_t nin = 0, cap = 0, i, passes = 0, found = 0;
	double secs = argc > 3 ? strtod(argv[3], NULL) : 3, t0, parse_s, t;

	if (argc < 3) {
		fprintf(stderr, "usage: pars-bench-assess RULES_DIR GEN_DIR "
		    "[SECONDS]\n");
		return 2;
	}
	log_init(LOG_LVL_WARN);
	if ((rs = rule_set_load(argv[1], 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	read_dir(argv[2]);
	parse_limits_default(&lim);
	a = arena_new(0);
	t0 = now_s();
	for (i = 0; i < nfiles; i++) {
		struct parse_result res;
		size_t j;

		if (parse_document(a, (unsigned char *)files[i].data,
		    files[i].len, &lim, &res) < 0)
			continue;
		for (j = 0; j < res.n; j++) {
			if (nin == cap) {
				cap = cap ? cap * 2 : 1024;
				in = xreallocarray(in, cap, sizeof(*in));
			}
			in[nin].r = res.v[j];
			in[nin].tfc = NULL;
			in[nin].price_pence = -1;
			in[nin].referral_id = 0;
			nin++;
		}
	}
	parse_s = now_s() - t0;
	if (nin == 0) {
		fprintf(stderr, "no referrals under %s\n", argv[2]);
		return 1;
	}
	s = assess_scratch_new(rs);
	t0 = now_s();
	do {
		struct findings f = {NULL, 0, 0};

		for (i = 0; i < nin; i++)
			assess_referral(rs, s, &in[i], NULL, &f);
		found += f.n;
		findings_free(&f);
		passes++;
		t = now_s() - t0;
	} while (t < secs);
	printf("in process: %zu rules (%zu words and phrases) over %zu "
	    "referrals, %zu passes\n", rs->n, lex_count(rs->lex), nin, passes);
	printf("  assessed: %.0f referrals/s (%.1f findings a referral)\n",
	    (double)(nin * passes) / t, (double)found / (double)(nin *
	    passes));
	printf("  baseline, parsing the same referrals: %.0f referrals/s\n",
	    (double)nin / parse_s);
	assess_scratch_free(s);
	rule_set_release(rs);
	arena_free(a);
	for (i = 0; i < nfiles; i++)
		free(files[i].data);
	free(files);
	free(in);
	return 0;
}
