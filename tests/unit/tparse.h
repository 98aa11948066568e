/*
 * tparse.h - what the parser unit tests share: reading a test file and
 * parsing it into the globals a (the arena, renewed each time) and res.
 */
#ifndef PARS_TPARSE_H
#define PARS_TPARSE_H

#include <stdio.h>
#include <stdlib.h>

#include "arena.h"
#include "parser.h"
#include "readfile.h"
#include "t.h"

static struct arena *a;
static struct parse_result res;

/* A whole file, NUL-terminated (caller frees); a missing file ends the
 * test. */
static char *
slurp(const char *path, size_t *len)
{
	char err[512];
	unsigned char *buf = file_read(path, 64u << 20, len, err, sizeof(err));

	if (buf == NULL) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	return (char *)buf;
}

/* Parses data with lim (NULL: the defaults); 0 or -1 like
 * parse_document. */
static int
parse_mem(const char *data, size_t len, const struct parse_limits *lim)
{
	struct parse_limits def;

	if (lim == NULL) {
		parse_limits_default(&def);
		lim = &def;
	}
	arena_free(a);
	a = arena_new(0);
	return parse_document(a, (const unsigned char *)data, len, lim, &res);
}

/* Parses the file dir/name (name alone when dir is NULL). */
static int
parse_path(const char *dir, const char *name, const struct parse_limits *lim)
{
	char path[1024];
	size_t len;
	char *data;
	int rc;

	snprintf(path, sizeof(path), "%s%s%s", dir ? dir : "", dir ? "/" : "",
	    name);
	data = slurp(path, &len);
	rc = parse_mem(data, len, lim);
	free(data);
	return rc;
}

/* res's one referral, checked; NULL (the check failed) when it holds
 * some other number. */
static inline const struct referral *
only_referral(void)
{
	CHECK_INT(res.n, 1);
	return res.n == 1 ? res.v[0] : NULL;
}

#endif
