/*
 * refparse.c - the pure half of a load: a file of some kind into checked
 * rows and rejected rows (see refparse.h).  Each value is checked and
 * normalised by its field's type; CSV headers are matched by name.
 */
#include "refparse.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dates.h"
#include "ident.h"
#include "refcodesys.h"
#include "refcsv.h"
#include "refmap.h"
#include "text.h"

/* Values. */

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
code_chars(const char *s, size_t max, int dash)
{
	size_t i;

	if (s[0] == '\0' || strlen(s) > max)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!isupper((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_' &&
		    !(dash && s[i] == '-'))
			return 0;
	return 1;
}

static char *
upper(struct arena *a, const char *s)
{
	char *u = arena_strdup(a, s), *p;

	for (p = u; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

/* Pounds as written in a price sheet ("£1,234.56", "163") to pence;
 * 0, or -1 when it is not an amount. */
static int
pence(const char *s, long long *out)
{
	long long whole = 0, frac = 0;
	int digits = 0, fd = 0;

	if (strncmp(s, "\xc2\xa3", 2) == 0)
		s += 2;
	for (; *s != '\0' && *s != '.'; s++) {
		if (*s == ',' || *s == ' ')
			continue;
		if (!isdigit((unsigned char)*s) || whole > 100000000000LL)
			return -1;
		whole = whole * 10 + (*s - '0');
		digits++;
	}
	if (*s == '.')
		for (s++; *s != '\0'; s++) {
			if (!isdigit((unsigned char)*s) || fd == 2)
				return -1;
			frac = frac * 10 + (*s - '0');
			fd++;
		}
	if (digits == 0)
		return -1;
	if (fd == 1)
		frac *= 10;
	*out = whole * 100 + frac;
	return 0;
}

/* A whole or decimal (2 places) number >= 0, as text; 0 or -1. */
static int
number(const char *s, int decimals)
{
	int digits = 0, fd = 0;

	for (; isdigit((unsigned char)*s); s++)
		digits++;
	if (decimals && *s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			fd++;
	return digits > 0 && digits <= 9 && fd <= 2 && *s == '\0' ? 0 : -1;
}

/*
 * Checks and normalises in (already trimmed, not empty) as type t into
 * *out.  Returns NULL, or what is wrong with it.
 */
static const char *
convert(struct arena *a, enum ref_type t, const char *in, const char **out)
{
	char date[11];
	long long p;

	*out = in;
	switch (t) {
	case RT_TEXT:
		return NULL;
	case RT_PHRASE: {
		char buf[256];

		ref_phrase(in, buf, sizeof(buf));
		if (buf[0] == '\0')
			return "is not a phrase";
		*out = arena_strdup(a, buf);
		return NULL;
	}
	case RT_PRACTICE:
		*out = upper(a, in);
		return ods_is_practice(*out) ? NULL : "is not a practice code "
		    "(a letter and five digits)";
	case RT_PARENT:
		*out = upper(a, in);
		return strlen(*out) == 6 && isupper((unsigned char)(*out)[0]) &&
		    code_chars(*out + 1, 5, 0) && strchr(*out, '_') == NULL ?
		    NULL : "is not a practice code (a letter and five letters or "
		    "digits)";
	case RT_ORG:
		*out = upper(a, in);
		return ods_is_org(*out) ? NULL : "is not an ODS organisation "
		    "code";
	case RT_GP:
		return gp_code_ok(in) ? NULL : "is not a GP code (G and seven "
		    "digits)";
	case RT_CONSULTANT:
		return consultant_code_ok(in) ? NULL : "is not a consultant "
		    "code (C and seven digits)";
	case RT_GMC:
		return all_digits(in, 7) ? NULL : "is not a GMC number (seven "
		    "digits)";
	case RT_CODE3:
		return all_digits(in, 3) ? NULL : "is not a three-digit code";
	case RT_ERSCODE:
		return code_chars(in, 64, 0) ? NULL : "is not an e-RS code "
		    "(capitals, digits and _)";
	case RT_SERVICE:
		return code_chars(in, 32, 1) ? NULL : "is not a service code "
		    "(capitals, digits, _ and -, up to 32)";
	case RT_DATE8:
		if (!all_digits(in, 8) || date_parse(in, date) < 0)
			return "is not a date (CCYYMMDD)";
		*out = arena_strdup(a, date);
		return NULL;
	case RT_DATE:
		if (date_parse(in, date) < 0)
			return "is not a date";
		*out = arena_strdup(a, date);
		return NULL;
	case RT_DATETIME:
		if (date_parse_prefix(in, date) < 0)
			return "is not a date";
		*out = arena_strdup(a, date);
		return NULL;
	case RT_STATUS:
		return strlen(in) == 1 && strchr("ACDP", in[0]) != NULL ? NULL
		    : "is not an ODS status (A, C, D or P)";
	case RT_INT:
		return number(in, 0) == 0 ? NULL : "is not a whole number";
	case RT_NUM:
		return number(in, 1) == 0 ? NULL : "is not a number";
	case RT_PENCE:
		if (strcmp(in, "-") == 0 || str_ieq(in, "n/a") ||
		    str_ieq(in, "na")) {
			*out = NULL;
			return NULL;
		}
		if (pence(in, &p) < 0)
			return "is not an amount in pounds";
		*out = arena_printf(a, "%lld", p);
		return NULL;
	case RT_YEAR:
		if (ref_year_parse(in, date) < 0)
			return "is not a tariff year (2024/25)";
		*out = arena_strdup(a, date);
		return NULL;
	case RT_OPCS: {
		char *c = upper(a, in), *dot = strchr(c, '.');

		if (dot != NULL)
			memmove(dot, dot + 1, strlen(dot));
		*out = c;
		return isupper((unsigned char)c[0]) &&
		    (all_digits(c + 1, 2) || all_digits(c + 1, 3)) ? NULL :
		    "is not an OPCS-4 code (W37.1 or W37)";
	}
	case RT_HRG:
		*out = upper(a, in);
		return strlen(*out) == 5 && isupper((unsigned char)(*out)[0]) &&
		    isupper((unsigned char)(*out)[1]) &&
		    isdigit((unsigned char)(*out)[2]) &&
		    isdigit((unsigned char)(*out)[3]) &&
		    isupper((unsigned char)(*out)[4]) ? NULL :
		    "is not an HRG code (two letters, two digits, a letter)";
	case RT_POD:
		*out = upper(a, in);
		return code_chars(*out, 12, 0) && strlen(*out) >= 2 ? NULL :
		    "is not a point of delivery code";
	case RT_REPLACES:
		return strcmp(in, "first_attendance") == 0 ||
		    strcmp(in, "procedure") == 0 ||
		    strcmp(in, "diagnostic") == 0 ? NULL : "is not "
		    "first_attendance, procedure or diagnostic";
	}
	return "has an unknown type";
}

/* Rows. */

static void
reject(struct ref_rows *r, long row, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
reject(struct ref_rows *r, long row, const char *fmt, ...)
{
	va_list ap;

	if (r->nrejects == r->rcap) {
		size_t ncap = r->rcap ? r->rcap * 2 : 16;

		r->rejects = arena_grow(r->arena, r->rejects,
		    r->rcap * sizeof(*r->rejects), ncap * sizeof(*r->rejects));
		r->rcap = ncap;
	}
	va_start(ap, fmt);
	r->rejects[r->nrejects].row = row;
	r->rejects[r->nrejects].reason = arena_vprintf(r->arena, fmt, ap);
	r->nrejects++;
	va_end(ap);
}

static void
add_row(struct ref_rows *r, const char **vals, long row)
{
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;

		r->rows = arena_grow(r->arena, r->rows,
		    r->cap * sizeof(*r->rows), ncap * sizeof(*r->rows));
		r->rowno = arena_grow(r->arena, r->rowno,
		    r->cap * sizeof(*r->rowno), ncap * sizeof(*r->rowno));
		r->cap = ncap;
	}
	r->rows[r->n] = vals;
	r->rowno[r->n] = row;
	r->n++;
}

/* Normalised header cell: lower case, runs of other characters as one
 * space (so "Practice_Code" is "practice code"). */
static void
header_norm(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	int space = 0;

	for (; *in != '\0' && n + 2 < outlen; in++) {
		if (isalnum((unsigned char)*in)) {
			if (space && n > 0)
				out[n++] = ' ';
			space = 0;
			out[n++] = (char)tolower((unsigned char)*in);
		} else {
			space = 1;
		}
	}
	out[n] = '\0';
}

/* 1 when the header cell matches one of the field's names. */
static int
header_match(const char *names, const char *cell)
{
	char want[64], have[256];
	const char *p = names;

	header_norm(cell, have, sizeof(have));
	while (*p != '\0') {
		size_t n = strcspn(p, "|");
		int contains = *p == '~';
		char raw[64];

		snprintf(raw, sizeof(raw), "%.*s", (int)(n - contains),
		    p + contains);
		header_norm(raw, want, sizeof(want));
		if (contains) {
			const char *hit = strstr(have, want);
			size_t wl = strlen(want);

			if (hit != NULL && (hit == have || hit[-1] == ' ') &&
			    (hit[wl] == '\0' || hit[wl] == ' '))
				return 1;
		} else if (strcmp(have, want) == 0) {
			return 1;
		}
		p += n + (p[n] == '|');
	}
	return 0;
}

/* Maps each field to a column of the header record; -1 with the first
 * required field that has no column in *missing. */
static int
map_header(const struct ref_kind *k, const struct refcsv_rec *h, int *map,
    const char **missing)
{
	size_t i, c;

	for (i = 0; k->fields[i].col != NULL; i++) {
		const struct ref_field *f = &k->fields[i];

		map[i] = -1;
		if (f->header == NULL) {
			map[i] = f->pos > 0 ? f->pos - 1 : -1;
			continue;
		}
		for (c = 0; c < h->n; c++)
			if (header_match(f->header, h->f[c])) {
				map[i] = (int)c;
				break;
			}
		if (map[i] < 0 && (f->required & REF_REQ_HEADER)) {
			*missing = f->header;
			return -1;
		}
	}
	return 0;
}

/* Checks one record against the kind and keeps it or rejects it. */
static void
take_record(struct ref_rows *r, const struct refcsv_rec *rec, const int *map,
    const char *year, struct refmap *seen)
{
	const struct ref_kind *k = r->kind;
	const char **vals;
	const char *why;
	char *key;
	size_t i, klen = 0;
	long prev;

	if (rec->error != NULL) {
		reject(r, rec->row, "%s", rec->error);
		return;
	}
	if (k->reader == RR_ODS && rec->n != (size_t)k->nfields) {
		reject(r, rec->row, "%zu fields, expected %d", rec->n,
		    k->nfields);
		return;
	}
	vals = arena_zalloc(r->arena, r->ncols * sizeof(*vals));
	for (i = 0; i < r->ncols; i++) {
		const struct ref_field *f = &k->fields[i];
		const char *in = NULL;

		if (f->pos == REF_POS_YEAR)
			in = year;
		else if (map[i] >= 0 && (size_t)map[i] < rec->n &&
		    rec->f[map[i]][0] != '\0')
			in = rec->f[map[i]];
		if (in != NULL &&
		    (why = convert(r->arena, f->type, in, &vals[i])) != NULL) {
			reject(r, rec->row, "%s \"%.40s\" %s", f->col, in, why);
			return;
		}
		if (vals[i] == NULL && (f->required & REF_REQ_VALUE)) {
			reject(r, rec->row, "no %s", f->col);
			return;
		}
	}
	if (k->check != NULL && (why = k->check(r->arena, vals)) != NULL) {
		reject(r, rec->row, "%s", why);
		return;
	}
	for (i = 0; i < (size_t)k->nkeys; i++)
		klen += strlen(vals[i]) + 1;
	key = arena_alloc(r->arena, klen);
	key[0] = '\0';
	for (i = 0, klen = 0; i < (size_t)k->nkeys; i++) {
		size_t n = strlen(vals[i]);

		memcpy(key + klen, vals[i], n);
		klen += n;
		key[klen++] = i + 1 < (size_t)k->nkeys ? '\x1f' : '\0';
	}
	if ((prev = (long)(intptr_t)refmap_get(seen, key)) != 0) {
		char names[128] = "";

		for (i = 0; i < (size_t)k->nkeys; i++)
			snprintf(names + strlen(names), sizeof(names) -
			    strlen(names), "%s%s", i ? ", " : "",
			    k->fields[i].col);
		reject(r, rec->row, "the same %s as row %ld", names, prev);
		return;
	}
	refmap_put(seen, key, (void *)(intptr_t)rec->row);
	add_row(r, vals, rec->row);
}

/* Text of the file as UTF-8: as it is, or read as Windows-1252. */
static const char *
as_utf8(struct arena *a, const unsigned char *buf, size_t len, size_t *outlen)
{
	if (utf8_valid(buf, len)) {
		*outlen = len;
		return (const char *)buf;
	}
	return cp1252_to_utf8(a, buf, len, outlen);
}

static int
read_records(struct ref_rows *r, const unsigned char *buf, size_t len,
    const char *year, struct refmap *seen, char *err, size_t errlen)
{
	const struct ref_kind *k = r->kind;
	struct refcsv c;
	struct refcsv_rec rec;
	int map[32];
	const char *text, *missing = NULL;
	size_t tlen, i;
	int have_header = 0, scanned = 0;

	if (k->reader == RR_XML_CODESYSTEM || k->reader == RR_JSON_CODESYSTEM) {
		struct refcsv_rec *recs;
		size_t n;

		if ((k->reader == RR_XML_CODESYSTEM ?
		    refcodesys_xml(buf, len, r->arena, &recs, &n, err, errlen) :
		    refcodesys_json(buf, len, r->arena, &recs, &n, err,
		    errlen)) < 0)
			return -1;
		for (i = 0; k->fields[i].col != NULL; i++)
			map[i] = k->fields[i].pos - 1;
		for (i = 0; i < n; i++)
			take_record(r, &recs[i], map, year, seen);
		return 0;
	}
	text = as_utf8(r->arena, buf, len, &tlen);
	refcsv_init(&c, text, tlen);
	if (k->reader == RR_ODS) {
		for (i = 0; k->fields[i].col != NULL; i++)
			map[i] = k->fields[i].pos - 1;
		have_header = 1;
	}
	while (refcsv_next(&c, r->arena, &rec)) {
		if (have_header) {
			take_record(r, &rec, map, year, seen);
			continue;
		}
		scanned++;
		if (rec.error == NULL && map_header(k, &rec, map, &missing) == 0) {
			have_header = 1;
			r->header_row = rec.row;
			continue;
		}
		if (k->reader == RR_CSV || scanned == 50) {
			snprintf(err, errlen, "%s row %ld: no column for \"%s\" "
			    "in the header (%s)", k->reader == RR_CSV ? "header"
			    : "no header in the first 50 rows; last tried",
			    rec.row, missing ? missing : "?", k->about);
			return -1;
		}
	}
	if (!have_header) {
		snprintf(err, errlen, "no header row found (%s)", k->about);
		return -1;
	}
	return 0;
}

int
ref_parse(const struct ref_kind *k, const unsigned char *buf, size_t len,
    const char *year, struct ref_rows *out, char *err, size_t errlen)
{
	struct refmap seen;
	char y[8];
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (k->needs_year && (year == NULL || ref_year_parse(year, y) < 0)) {
		snprintf(err, errlen, "%s needs the tariff year (--year "
		    "2024/25)%s%s", k->name, year ? ", not " : "", year ? year
		    : "");
		return -1;
	}
	if (!k->needs_year && year != NULL) {
		snprintf(err, errlen, "%s takes no year: only op-prices and "
		    "hrg-prices do", k->name);
		return -1;
	}
	out->kind = k;
	out->arena = arena_new(0);
	for (i = 0; k->fields[i].col != NULL; i++)
		;
	out->ncols = i;
	out->cols = arena_zalloc(out->arena, i * sizeof(*out->cols));
	for (i = 0; i < out->ncols; i++)
		out->cols[i] = k->fields[i].col;
	refmap_init(&seen);
	rc = read_records(out, buf, len, k->needs_year ? y : NULL, &seen, err,
	    errlen);
	refmap_free(&seen);
	if (rc < 0) {
		arena_free(out->arena);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

void
ref_rows_free(struct ref_rows *r)
{
	if (r == NULL)
		return;
	arena_free(r->arena);
	memset(r, 0, sizeof(*r));
}
