/*
 * prices.c - the prices a PUN's saving is worked out from, read through
 * coding's reference-data snapshot (daemon/coding/coderef.h), so that the
 * rules and the coding step price from one copy of ref.op_prices and
 * ref.alternative_services (see prices.h).
 */
#include "prices.h"

#include <stdlib.h>

#include "coding.h"
#include "referral.h"
#include "xmalloc.h"

struct prices {
	struct coding_ref *ref; /* NULL: nothing priced */
};

struct prices *
prices_load(struct db *db)
{
	struct coding_ref *ref = coding_cache_get(db);
	struct prices *p;

	if (ref == NULL)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->ref = ref;
	return p;
}

struct prices *
prices_of(struct coding_ref *ref)
{
	struct prices *p = xcalloc(1, sizeof(*p));

	p->ref = ref != NULL ? coding_ref_retain(ref) : NULL;
	return p;
}

struct prices *
prices_empty(void)
{
	struct prices *p = xcalloc(1, sizeof(*p));

	return p;
}

void
prices_release(struct prices *p)
{
	if (p == NULL)
		return;
	coding_ref_release(p->ref);
	free(p);
}

long long
prices_first(const struct prices *p, const char *tfc, const char *date)
{
	if (p->ref == NULL || tfc == NULL || date == NULL)
		return -1;
	return coding_first_attendance_price(p->ref, tfc, date, NULL);
}

long long
prices_alternative(const struct prices *p, const char *code)
{
	if (p->ref == NULL || code == NULL)
		return -1;
	return coding_alt_service_price(p->ref, code);
}

int
prices_code(const struct prices *p, const struct referral *r,
    struct stored_coding *out)
{
	if (p->ref == NULL)
		return -1;
	coding_code_referral(p->ref, r, r->practice_ods, out);
	return 0;
}

static long long
first_cb(void *ctx, const char *tfc, const char *date)
{
	return prices_first(ctx, tfc, date);
}

static long long
alternative_cb(void *ctx, const char *code)
{
	return prices_alternative(ctx, code);
}

struct assess_pricing
prices_pricing(const struct prices *p)
{
	struct assess_pricing pr = {first_cb, alternative_cb, (void *)p};

	return pr;
}
