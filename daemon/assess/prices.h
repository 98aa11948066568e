/*
 * prices.h - the prices a PUN's saving is worked out from, read from the
 * reference data coding loads (ref.op_prices: first attendance, WF01B,
 * by tariff year and TFC; ref.alternative_services: price by code).
 *
 * A database without those tables (coding not loaded yet) gives empty
 * tables: findings are then made without savings.  Immutable once
 * loaded, shared by reference count.
 */
#ifndef PARS_PRICES_H
#define PARS_PRICES_H

#include "assess.h"

struct db;
struct prices;

/*
 * Reads the tables.  Returns them (release with prices_release), or NULL
 * when a query failed (db_error() says why; inside a transaction, the
 * caller rolls back to a savepoint).
 */
struct prices *prices_load(struct db *db);
/* Empty tables: no prices known. */
struct prices *prices_empty(void);
struct prices *prices_retain(struct prices *p);
/* NULL does nothing. */
void prices_release(struct prices *p);

/* The first attendance at tfc under the tariff year of date (the latest
 * year loaded when that year is not), in pence, or -1. */
long long prices_first(const struct prices *p, const char *tfc,
    const char *date);
/* The alternative service's price in pence, or -1. */
long long prices_alternative(const struct prices *p, const char *code);
/* 1 when the alternative service code is known. */
int prices_has_alternative(const struct prices *p, const char *code);
/* How many of each were loaded. */
size_t prices_count_first(const struct prices *p);
size_t prices_count_alternatives(const struct prices *p);
/* The pricing interface of assess.h over p (borrowed). */
struct assess_pricing prices_pricing(const struct prices *p);

#endif
