/*
 * stored.h - stored referrals (pars.referrals and their codes) back into
 * canonical referrals, to assess them again (pars reassess) or explain
 * them (pars rules explain).  The coded TFC and price are read from the
 * columns coding adds (tfc, price_pence) when the database has them.
 */
#ifndef PARS_STORED_H
#define PARS_STORED_H

#include <stddef.h>

#include "assess.h"

struct arena;
struct db;

/*
 * Loads up to limit current referrals dated from since (inclusive) to
 * until (exclusive; NULL: no end) with ids above after_id, in id order,
 * into *out (allocated from a, as is everything it points to).  Returns
 * how many, or -1 when the database failed.
 */
long stored_load_period(struct db *db, struct arena *a, const char *since,
    const char *until, long long after_id, int limit,
    struct assess_input **out);
/* Loads referral id (current or not) into *out.  Returns 1, 0 when there
 * is no such referral, or -1 when the database failed. */
int stored_load_one(struct db *db, struct arena *a, long long id,
    struct assess_input *out);

#endif
