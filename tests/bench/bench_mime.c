/*
 * bench_mime.c - how fast mail intake reads messages: a message with
 * every sample referral of a directory attached (base64, as mail clients
 * send them) is parsed N times (mime_parse, then parser_detect on every
 * part, as mail_unpack does), beside the baseline of hashing the same
 * bytes (SHA-256: what intake must do to every byte anyway), in the same
 * run.
 *
 *   pars-bench-mime [-n N] DIR     (e.g. conf/samples/P81000)
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "arena.h"
#include "buf.h"
#include "mime.h"
#include "parser.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
add_base64(struct buf *b, const unsigned char *p, size_t n)
{
	unsigned char out[80];
	size_t i;

	for (i = 0; i < n; i += 57) {
		int k = EVP_EncodeBlock(out, p + i, (int)(n - i < 57 ? n - i :
		    57));

		buf_add(b, out, (size_t)k);
		buf_adds(b, "\r\n");
	}
}

/* A multipart/mixed message with every file of dir attached. */
static void
build(struct buf *b, const char *dir, int *nfiles)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL) {
		perror(dir);
		exit(2);
	}
	buf_adds(b, "From: pm@practice.test\r\nSubject: referrals\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
	    "boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
	    "Please find the referrals attached.\r\n");
	while ((e = readdir(d)) != NULL) {
		char path[4096], data[1 << 16];
		size_t n;
		FILE *fp;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((fp = fopen(path, "rb")) == NULL)
			continue;
		n = fread(data, 1, sizeof(data), fp);
		fclose(fp);
		buf_printf(b, "--b\r\nContent-Type: application/octet-stream\r\n"
		    "Content-Disposition: attachment; filename=\"%s\"\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n", e->d_name);
		add_base64(b, (unsigned char *)data, n);
		(*nfiles)++;
	}
	closedir(d);
	buf_adds(b, "--b--\r\n");
}

int
main(int argc, char **argv)
{
	struct buf msg;
	struct mime_limits lim;
	unsigned char md[32];
	unsigned int mdlen;
	double t0, t_mime, t_sha, mb;
	int n = 2000, i, ch, nfiles = 0, nref = 0;

	while ((ch = getopt(argc, argv, "n:")) != -1)
		if (ch == 'n')
			n = (int)strtol(optarg, NULL, 10);
	if (optind != argc - 1 || n <= 0) {
		fprintf(stderr, "usage: pars-bench-mime [-n N] DIR\n");
		return 2;
	}
	buf_init(&msg, 0);
	build(&msg, argv[optind], &nfiles);
	mime_limits_default(&lim);
	t0 = now();
	for (i = 0; i < n; i++) {
		struct arena *a = arena_new(0);
		struct mime_message m;
		size_t k;

		if (mime_parse(a, (unsigned char *)msg.p, msg.len, &lim, &m) <
		    0)
			return 1;
		for (k = 0; k < m.nparts; k++)
			nref += parser_detect(m.parts[k].body, m.parts[k].len,
			    NULL, 0) != NULL;
		arena_free(a);
	}
	t_mime = now() - t0;
	t0 = now();
	for (i = 0; i < n; i++)
		EVP_Digest(msg.p, msg.len, md, &mdlen, EVP_sha256(), NULL);
	t_sha = now() - t0;
	mb = (double)msg.len * n / 1e6;
	printf("message: %zu bytes, %d attachments (%d referrals found per "
	    "message)\n", msg.len, nfiles, nref / n);
	printf("mime_parse + detect: %8.0f messages/s  %7.1f MB/s\n",
	    n / t_mime, mb / t_mime);
	printf("baseline sha256:     %8.0f messages/s  %7.1f MB/s\n",
	    n / t_sha, mb / t_sha);
	buf_free(&msg);
	return 0;
}
