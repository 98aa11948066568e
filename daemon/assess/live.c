/*
 * live.c - the rules in force and the prices cache (see live.h).
 */
#include "live.h"

#include <pthread.h>
#include <stdio.h>

#include "db.h"
#include "findings.h"
#include "log.h"
#include "prices.h"
#include "rules.h"

static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static struct rule_set *live;

int
assess_live_load(const char *dir, char *err, size_t errlen)
{
	struct rule_set *rs = rule_set_load(dir, 1, err, errlen), *old;

	if (rs == NULL)
		return -1;
	if (rs->nfiles == 0)
		log_warnx("rules: no rule files in %s: referrals are stored "
		    "without rule findings", dir);
	else
		log_info("rules: %zu rule(s) from %zu file(s) in %s", rs->n,
		    rs->nfiles, dir);
	pthread_mutex_lock(&live_mu);
	old = live;
	live = rs;
	pthread_mutex_unlock(&live_mu);
	rule_set_release(old);
	return 0;
}

struct rule_set *
assess_live_get(const char *dir)
{
	struct rule_set *rs;
	char err[1024];

	pthread_mutex_lock(&live_mu);
	if (live == NULL) {
		if ((live = rule_set_load(dir, 1, err, sizeof(err))) == NULL) {
			log_warnx("rules: %s: referrals are stored without rule "
			    "findings until the file is fixed (then run pars "
			    "reassess)", err);
			live = rule_set_empty();
		}
	}
	rs = rule_set_retain(live);
	pthread_mutex_unlock(&live_mu);
	return rs;
}

void
assess_live_clear(void)
{
	pthread_mutex_lock(&live_mu);
	rule_set_release(live);
	live = NULL;
	pthread_mutex_unlock(&live_mu);
}

long
assess_store(struct db *db, const char *dir, struct coding_ref *ref,
    const struct assess_input *in, size_t n)
{
	struct rule_set *rs;
	struct prices *p;
	struct assess_scratch *s;
	struct assess_pricing pr;
	struct findings f = {NULL, 0, 0};
	size_t i;
	long rc;

	if (n == 0)
		return 0;
	rs = assess_live_get(dir);
	if (rs->n == 0) {
		rule_set_release(rs);
		return 0;
	}
	p = prices_of(ref);
	pr = prices_pricing(p);
	s = assess_scratch_new(rs);
	for (i = 0; i < n; i++)
		assess_referral(rs, s, &in[i], &pr, &f);
	rc = findings_insert(db, f.v, f.n) < 0 ? -1 : (long)f.n;
	findings_free(&f);
	assess_scratch_free(s);
	prices_release(p);
	rule_set_release(rs);
	return rc;
}
