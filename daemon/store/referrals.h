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

/*
 * What the coding step found for a referral (daemon/coding/coding.h).
 * status NULL means not coded (coding off): the coded columns stay NULL.
 */
#define STORED_CODING_WARN_MAX 1024
struct stored_coding {
	const char *status;   /* "coded", "partial", "uncoded" (static) */
	const char *evidence; /* tfc_evidence (static), or NULL */
	char tfc[4];	      /* "" when none */
	char hrg[8];
	char tariff_year[8];
	long long price_pence; /* -1 when not priced */
	signed char practice_known, referrer_known, provider_known; /* -1 */
	char warnings[STORED_CODING_WARN_MAX]; /* "reason: detail" lines */
};

/*
 * The coded columns as text (NULL for SQL NULL) into out, in the order
 * tfc, tfc_evidence, hrg, price_pence (written into price), tariff_year,
 * coding_status, coding_warnings (newline-separated), referrer_known,
 * practice_known, provider_known.  Strings borrow from cd and price.
 */
#define STORED_CODING_NCOLS 10
void stored_coding_cols(const struct stored_coding *cd, const char **out,
    char price[24]);

struct stored_ref {
	const struct referral *r; /* borrowed */
	long long document_id;
	const char *practice_ods; /* the referral's, or the channel's */
	char pseudonym[PSEUDONYM_HEX_LEN + 1]; /* "" when no NHS number */
	unsigned char content[SHA256_LEN];     /* see referral_content_hash */
	long long id;			       /* out: the new row's id */
	struct stored_coding coding;	       /* set by the coding step */
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
