/*
 * refparse.h - the pure part of loading a reference file: bytes in,
 * checked rows (and rejected rows with their row numbers and reasons)
 * out.  No database, no I/O.
 */
#ifndef PARS_REFPARSE_H
#define PARS_REFPARSE_H

#include <stddef.h>

#include "refkinds.h"

struct arena;

struct ref_reject {
	long row;
	const char *reason;
};

struct ref_rows {
	const struct ref_kind *kind;
	struct arena *arena;
	size_t ncols;
	const char **cols;   /* column names, keys first */
	const char ***rows;  /* n rows of ncols values; NULL is SQL NULL */
	long *rowno;
	size_t n, cap;
	struct ref_reject *rejects;
	size_t nrejects, rcap;
	long header_row;     /* CSV kinds: the header's row, else 0 */
};

/*
 * Parses a whole file of kind k.  year ("2024/25") is needed by kinds
 * that need it and refused by the others.  Returns 0 with out filled
 * (free with ref_rows_free; rows that fail their checks are in
 * out->rejects with the row number: the line, or for code systems the
 * concept's line (XML) or number (JSON)), or -1 with err set when the
 * file as a whole is not of this kind (nothing to free).
 */
int ref_parse(const struct ref_kind *k, const unsigned char *buf,
    size_t len, const char *year, struct ref_rows *out, char *err,
    size_t errlen);
void ref_rows_free(struct ref_rows *r);

#endif
