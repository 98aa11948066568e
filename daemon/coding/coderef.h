/*
 * coderef.h - the reference data the coding step needs, held in memory:
 * a read-only snapshot of the ref.* tables, shared by the worker threads
 * and replaced when a newer load is committed (ref.loads.id grows).
 *
 * Why memory and not a query per batch: coding a referral is then a few
 * hash lookups; the only database work per batch is one tiny query for
 * the newest load id.  The benchmark (tests/bench/coding.sh) measures it.
 */
#ifndef PARS_CODEREF_H
#define PARS_CODEREF_H

#include <stddef.h>

struct db;
struct coding_ref;

/* The tables a snapshot holds, and the values each row gives (strings,
 * NULL for SQL NULL), in this order. */
enum coderef_table {
	CR_PRACTICES,	  /* code, open_date, close_date, status */
	CR_GPS,		  /* code, practice_code, name, left_date */
	CR_CONSULTANTS,	  /* code, main_specialty, trust */
	CR_TRUSTS,	  /* code, open_date, close_date */
	CR_TFC,		  /* code, title, in_use (t/f) */
	CR_MAIN_SPECS,	  /* code, title */
	CR_CLINIC_TYPES,  /* code, ers_specialty */
	CR_CLINIC_TFC,	  /* clinic_type, tfc */
	CR_ERS_SPEC_TFC,  /* ers_specialty, tfc */
	CR_MAIN_SPEC_TFC, /* main_specialty, tfc */
	CR_SYNONYMS,	  /* phrase (normalised), tfc */
	CR_OP_PRICES,	  /* tariff_year, tfc, wf01a, wf01b, wf02a, wf02b */
	CR_PROC_HRG,	  /* opcs4 (no dot), hrg */
	CR_HRG_PRICES,	  /* tariff_year, hrg, price_pence */
	CR_ALT_SERVICES,  /* code, name, tfc, replaces, price_pence */
	CR_NTABLES
};

/* An empty snapshot at version 0 (caller releases). */
struct coding_ref *coding_ref_new(void);
/* Adds a row of table t (values copied; see enum coderef_table). */
void coding_ref_add(struct coding_ref *ref, enum coderef_table t,
    const char *const *vals);
/* Reads every ref.* table the coding step uses.  Returns a snapshot
 * (caller releases) labelled with the newest load id, or NULL with the
 * reason in db_error(). */
struct coding_ref *coding_ref_load(struct db *db);
/* The newest ref.loads id this snapshot reflects (0: nothing loaded). */
long long coding_ref_version(const struct coding_ref *ref);
/* Labels a snapshot built with coding_ref_add (0 means "nothing loaded"
 * and codes nothing). */
void coding_ref_set_version(struct coding_ref *ref, long long version);
/* Another reference to ref (release it too). */
struct coding_ref *coding_ref_retain(struct coding_ref *ref);
/* Drops a reference; the last one frees the snapshot.  NULL is fine. */
void coding_ref_release(struct coding_ref *ref);

/*
 * The process-wide snapshot, refreshed when ref.loads has a newer load
 * than it reflects (one query: the newest load id).  While one thread
 * reads a newer snapshot the others keep coding with the one they have.
 * Returns a reference (caller releases), or NULL when the database
 * failed (db_error() says why).
 */
struct coding_ref *coding_cache_get(struct db *db);

#endif
