/*
 * refload.h - loading reference data files into the ref schema: each
 * file one transaction, recorded in ref.loads (kind, file, SHA-256, who,
 * when, what it added, changed and rejected), idempotent (rows that are
 * the same are left alone), and summarised for the operator.
 */
#ifndef PARS_REFLOAD_H
#define PARS_REFLOAD_H

#include <stddef.h>
#include <stdio.h>

struct db;
struct ref_kind;

#define REFLOAD_MAX_BYTES (512L << 20)
#define REFLOAD_MANIFEST "MANIFEST"

struct refload_summary {
	long long load_id;
	char sha256[65];
	long rows_read, added, changed, unchanged, rejected, closed;
};

/*
 * Loads path as kind k (year: "2024/25" for the price kinds, else NULL)
 * in one transaction.  Writes the summary, with every rejected row, to
 * out unless it is NULL.  Returns 0 with *sum filled (sum may be NULL),
 * or -1 with err set and nothing loaded.
 */
int refload_file(struct db *db, const struct ref_kind *k, const char *path,
    const char *year, FILE *out, struct refload_summary *sum, char *err,
    size_t errlen);

/*
 * Loads every file of a directory: in the order its MANIFEST names them
 * (lines "KIND FILE [year=2024/25]", # comments), or without one, every
 * file whose name says its kind (ref_kind_infer).  Each file is its own
 * load.  brief: one line per file instead of the full summary.  Returns
 * the number of files that failed (0: all loaded), or -1 with err set
 * when the directory or its manifest cannot be read.
 */
int refload_dir(struct db *db, const char *dir, FILE *out, int brief,
    char *err, size_t errlen);

#endif
