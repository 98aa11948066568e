/*
 * referrals.h - writing canonical referrals and their codes, a batch at a
 * time, inside the caller's transaction.
 */
#ifndef PARS_REFERRALS_H
#define PARS_REFERRALS_H

#include <stddef.h>

#include "crypto.h"

struct db;
struct referral;

struct stored_ref {
	const struct referral *r; /* borrowed */
	long long document_id;
	const char *practice_ods; /* the referral's, or the channel's */
	char pseudonym[PSEUDONYM_HEX_LEN + 1]; /* "" when no NHS number */
	unsigned char content[SHA256_LEN];     /* see referral_content_hash */
	long long id;			       /* out: the new row's id */
};

/*
 * Hash of what a referral says (not where it came from or how), to tell a
 * re-sent copy from a correction.
 */
void referral_content_hash(const struct referral *r, const char *practice,
    const char *pseudonym, unsigned char out[SHA256_LEN]);

/*
 * Inserts the referrals and their codes and decides which version of each
 * is current (pars.resolve_versions).  Sets each id.  Runs in the caller's
 * transaction; returns 0 or -1 (db_error() says why).
 */
int referrals_insert(struct db *db, struct stored_ref *refs, size_t n);

#endif
