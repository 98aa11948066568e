/*
 * live.h - the rules in force in this process, and assessing a stored
 * batch with them (called by process.c inside its transaction).
 *
 * The rule set in force is swapped whole: a reload (SIGHUP) loads the
 * new set beside the old and swaps the pointer only when every file was
 * good; a worker holds a reference to the set it started a batch with,
 * so a swap never pulls a set from under it.  Prices are re-read from the
 * reference tables at most once a minute.
 */
#ifndef PARS_LIVE_H
#define PARS_LIVE_H

#include <stddef.h>

#include "assess.h"

struct db;

/*
 * Loads the rules of dir (a missing directory gives no rules, with a
 * warning) and puts them in force.  Returns 0, or -1 with err set and
 * the rules already in force kept.
 */
int assess_live_load(const char *dir, char *err, size_t errlen);
/*
 * The rules in force, loading them from dir when none were loaded yet
 * (a bad file is logged and gives no rules).  Returns a reference the
 * caller releases with rule_set_release; never NULL.
 */
struct rule_set *assess_live_get(const char *dir);
/* Forgets the rules in force (tests, exit). */
void assess_live_clear(void);

/*
 * Assesses n stored referrals with the rules in force, pricing savings
 * from coding's snapshot ref (NULL: no savings), and inserts their
 * findings, in the caller's transaction.  Returns the number of findings,
 * or -1 when the database failed (db_error() says why).
 */
struct coding_ref;
long assess_store(struct db *db, const char *dir, struct coding_ref *ref,
    const struct assess_input *in, size_t n);

#endif
