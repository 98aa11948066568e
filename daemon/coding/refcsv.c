/*
 * refcsv.c - CSV records for the reference data loaders (see refcsv.h).
 */
#include "refcsv.h"

#include <string.h>

#include "arena.h"
#include "buf.h"

void
refcsv_init(struct refcsv *c, const char *buf, size_t len)
{
	c->p = buf;
	c->end = buf + len;
	c->line = 1;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		c->p += 3;
}

/* Consumes one line end (LF, CRLF or CR) if there is one. */
static void
eat_eol(struct refcsv *c)
{
	if (c->p < c->end && *c->p == '\r')
		c->p++;
	if (c->p < c->end && *c->p == '\n')
		c->p++;
	c->line++;
}

static void
skip_line(struct refcsv *c)
{
	while (c->p < c->end && *c->p != '\n' && *c->p != '\r')
		c->p++;
	eat_eol(c);
}

/* Skips blank and comment lines; 1 when a record starts here. */
static int
skip_blank(struct refcsv *c)
{
	while (c->p < c->end) {
		const char *q = c->p;

		while (q < c->end && (*q == ' ' || *q == '\t'))
			q++;
		if (q < c->end && *q != '\n' && *q != '\r' && *q != '#')
			return 1;
		c->p = q;
		skip_line(c);
	}
	return 0;
}

static void
add_field(struct arena *a, struct refcsv_rec *rec, size_t *cap,
    const char *s, size_t n)
{
	if (rec->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;

		rec->f = arena_grow(a, rec->f, *cap * sizeof(*rec->f),
		    ncap * sizeof(*rec->f));
		*cap = ncap;
	}
	rec->f[rec->n++] = arena_strndup(a, s != NULL ? s : "", n);
}

/* Reads a quoted field (c->p after the opening quote) into b. */
static const char *
quoted(struct refcsv *c, struct buf *b)
{
	for (;;) {
		if (c->p == c->end)
			return "a quoted field is not closed";
		if (*c->p == '"') {
			if (c->p + 1 < c->end && c->p[1] == '"') {
				buf_addc(b, '"');
				c->p += 2;
				continue;
			}
			c->p++;
			break;
		}
		if (*c->p == '\n')
			c->line++;
		buf_addc(b, *c->p++);
	}
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
	if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r')
		return "text after the closing quote of a field";
	return NULL;
}

int
refcsv_next(struct refcsv *c, struct arena *a, struct refcsv_rec *rec)
{
	struct buf b;
	size_t cap = 0;

	memset(rec, 0, sizeof(*rec));
	if (!skip_blank(c))
		return 0;
	rec->row = c->line;
	buf_init(&b, REFCSV_MAX_FIELD);
	for (;;) {
		const char *q;

		buf_reset(&b);
		while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
			c->p++;
		if (c->p < c->end && *c->p == '"') {
			c->p++;
			rec->error = quoted(c, &b);
		} else {
			for (q = c->p; q < c->end && *q != ',' && *q != '\n' &&
			    *q != '\r'; q++)
				;
			while (q > c->p && (q[-1] == ' ' || q[-1] == '\t'))
				q--;
			buf_add(&b, c->p, (size_t)(q - c->p));
			while (c->p < c->end && *c->p != ',' && *c->p != '\n' &&
			    *c->p != '\r')
				c->p++;
		}
		if (rec->error == NULL && !buf_ok(&b))
			rec->error = "a field is longer than 64 KiB";
		if (rec->error == NULL && rec->n == REFCSV_MAX_FIELDS)
			rec->error = "more than 512 fields";
		if (rec->error != NULL) {
			skip_line(c);
			break;
		}
		add_field(a, rec, &cap, b.p, b.len);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		eat_eol(c);
		break;
	}
	buf_free(&b);
	return 1;
}
