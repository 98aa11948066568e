/*
 * refcsv.h - reading the CSV files reference data comes in: RFC 4180
 * quoting ("" inside quotes, commas and newlines in quoted fields), LF or
 * CRLF line ends, a UTF-8 byte order mark skipped.  Blank lines and lines
 * starting with '#' (the hub's own files carry comments, e.g. which prices
 * are illustrative) are skipped.  Pure: no I/O, strings from an arena.
 */
#ifndef PARS_REFCSV_H
#define PARS_REFCSV_H

#include <stddef.h>

struct arena;

#define REFCSV_MAX_FIELDS 512
#define REFCSV_MAX_FIELD (64 * 1024)

struct refcsv {
	const char *p, *end;
	long line; /* physical line the reader is on (1-based) */
};

struct refcsv_rec {
	char **f;	   /* the fields, trimmed when unquoted (arena) */
	size_t n;
	long row;	   /* line the record starts on */
	const char *error; /* set when the record is malformed (static) */
};

void refcsv_init(struct refcsv *c, const char *buf, size_t len);
/*
 * Reads the next record into rec, its strings from a.  Returns 1 with a
 * record (rec->error set when it is malformed: the reader has skipped to
 * the end of its line and the caller rejects it), or 0 at the end.
 */
int refcsv_next(struct refcsv *c, struct arena *a, struct refcsv_rec *rec);

#endif
