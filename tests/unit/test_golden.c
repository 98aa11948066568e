/*
 * test_golden.c - parser golden tests (tests as data files, as curl
 * does): for every CASE.expected.json in EXPECTED_DIR, INPUT_DIR/CASE is
 * parsed and its JSON must equal the file; for every CASE.expected.err,
 * parsing must fail with a message containing the file's text.
 *
 *   test_golden INPUT_DIR EXPECTED_DIR
 *
 * Pseudonyms are made with the fixed test key 00 01 02 ... 1f.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "crypto.h"
#include "parser.h"
#include "readfile.h"
#include "referral_json.h"

/* The whole file, or NULL. */
static char *
slurp(const char *path, size_t *len)
{
	char err[512];

	return (char *)file_read(path, 64u << 20, len, err, sizeof(err));
}

/* The JSON pars parse prints for the document, or NULL with err. */
static char *
render(const unsigned char *data, size_t len, char *err, size_t errlen)
{
	unsigned char key[KEY_LEN];
	struct parse_limits lim;
	struct parse_result res;
	struct arena *a = arena_new(0);
	struct buf b;
	size_t i;

	for (i = 0; i < KEY_LEN; i++)
		key[i] = (unsigned char)i;
	parse_limits_default(&lim);
	if (parse_document(a, data, len, &lim, &res) < 0) {
		snprintf(err, errlen, "%s", res.err.msg);
		arena_free(a);
		return NULL;
	}
	buf_init(&b, 0);
	buf_adds(&b, "[");
	for (i = 0; i < res.n; i++) {
		char ps[PSEUDONYM_HEX_LEN + 1];
		const struct referral *r = res.v[i];
		int has = r->nhs_number != NULL && strlen(r->nhs_number) == 10;

		if (has)
			pseudonym_hex(key, r->nhs_number, ps);
		buf_adds(&b, i ? ",\n" : "\n");
		referral_json(&b, r, has ? ps : NULL, 2);
	}
	for (i = 0; i < res.nrejects; i++) {
		/* Rejected rows are part of what a golden file asserts. */
		buf_printf(&b, "%s  { \"rejected_row\": %ld, \"reason\": ",
		    (i || res.n) ? ",\n" : "\n", res.rejects[i].row);
		buf_json_str(&b, res.rejects[i].reason);
		buf_adds(&b, " }");
	}
	buf_adds(&b, "\n]\n");
	arena_free(a);
	return buf_steal(&b, NULL);
}

int
main(int argc, char **argv)
{
	DIR *d;
	struct dirent *e;
	int cases = 0, failed = 0;
	const char *update = getenv("PARS_GOLDEN_UPDATE");

	if (argc != 3) {
		fprintf(stderr, "usage: test_golden INPUT_DIR EXPECTED_DIR\n");
		return 2;
	}
	if ((d = opendir(argv[2])) == NULL) {
		perror(argv[2]);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		char *suffix, name[512], in[1024], exp[1024], err[512];
		int want_err;
		size_t len, elen;
		char *data, *want, *got;

		if ((suffix = strstr(e->d_name, ".expected.")) == NULL)
			continue;
		want_err = strcmp(suffix, ".expected.err") == 0;
		if (!want_err && strcmp(suffix, ".expected.json") != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s",
		    (int)(suffix - e->d_name), e->d_name);
		snprintf(in, sizeof(in), "%s/%s", argv[1], name);
		snprintf(exp, sizeof(exp), "%s/%s", argv[2], e->d_name);
		cases++;
		if ((data = slurp(in, &len)) == NULL) {
			fprintf(stderr, "%s: cannot read the input\n", in);
			failed++;
			continue;
		}
		want = slurp(exp, &elen);
		err[0] = '\0';
		got = render((unsigned char *)data, len, err, sizeof(err));
		if (update != NULL && got != NULL && !want_err) {
			FILE *fp = fopen(exp, "w");

			if (fp != NULL) {
				fputs(got, fp);
				fclose(fp);
			}
		} else if (want_err) {
			want[strcspn(want, "\n")] = '\0';
			if (got != NULL || strstr(err, want) == NULL) {
				fprintf(stderr, "%s: want an error containing "
				    "\"%s\", got %s%s\n", name, want,
				    got ? "a result" : "error: ",
				    got ? "" : err);
				failed++;
			}
		} else if (got == NULL) {
			fprintf(stderr, "%s: parse failed: %s\n", name, err);
			failed++;
		} else if (want == NULL || strcmp(got, want) != 0) {
			fprintf(stderr, "%s: output differs from %s; got:\n%s",
			    name, exp, got);
			failed++;
		}
		free(data);
		free(want);
		free(got);
	}
	closedir(d);
	fprintf(stderr, "golden %s: %d cases, %d failed\n", argv[2], cases,
	    failed);
	return (cases == 0 || failed) ? 1 : 0;
}
