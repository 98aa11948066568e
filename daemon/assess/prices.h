/*
 * prices.h - the prices a PUN's saving is worked out from: the first
 * attendance at the referral's TFC under the tariff year of its date, and
 * the alternative service's price, both from coding's snapshot of the
 * reference data (coding_first_attendance_price, coding_alt_service_price).
 * With no reference data loaded, nothing is priced and findings are made
 * without savings.  One owner; prices_release frees it.
 */
#ifndef PARS_PRICES_H
#define PARS_PRICES_H

#include "assess.h"

struct coding_ref;
struct db;
struct prices;

/*
 * The current snapshot (coding_cache_get: re-read only after a new
 * reference data load).  Returns it (release with prices_release), or
 * NULL when the database failed (db_error() says why).
 */
struct prices *prices_load(struct db *db);
/* The prices of snapshot ref (retained; NULL: none known). */
struct prices *prices_of(struct coding_ref *ref);
/* Empty tables: no prices known. */
struct prices *prices_empty(void);
/* NULL does nothing. */
void prices_release(struct prices *p);

/* The first attendance at tfc under the tariff year of date, in pence,
 * or -1 when that year has no price for it. */
long long prices_first(const struct prices *p, const char *tfc,
    const char *date);
/* The alternative service's price in pence, or -1. */
long long prices_alternative(const struct prices *p, const char *code);
struct referral;
struct stored_coding;
/* Codes r (counted against its own practice) with p's snapshot into out;
 * 0, or -1 when no reference data is loaded (out untouched). */
int prices_code(const struct prices *p, const struct referral *r,
    struct stored_coding *out);
/* The pricing interface of assess.h over p (borrowed). */
struct assess_pricing prices_pricing(const struct prices *p);

#endif
