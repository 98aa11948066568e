/*
 * intake.h - the durability contract's first half (DESIGN.md): a
 * document row keyed by the SHA-256 of the bytes, and the bytes
 * themselves encrypted, committed in one transaction before any source is
 * acknowledged.
 */
#ifndef PARS_INTAKE_H
#define PARS_INTAKE_H

#include <stddef.h>

struct db;
struct hub;

struct intake_doc {
	/* in (borrowed) */
	const unsigned char *data;
	size_t len;
	const char *source;	  /* "spool", "cli", "imap:NAME", ... */
	const char *practice_ods; /* vouched for by the channel, or NULL */
	const char *name;	  /* file name; stored only encrypted */
	long long parent_id;	  /* the message it came in, or 0 */
	/* or an earlier doc of the same commit: its id becomes parent_id
	 * (such docs must follow every doc without one) */
	const struct intake_doc *parent;
	/* NULL: received, for processing.  "stored": a container (an e-mail
	 * message) whose children carry its referrals; "quarantined" with
	 * reason.  format names what it is (e.g. "mime"). */
	const char *state, *format, *reason;
	/* out */
	long long id;  /* the document's id (the earlier one if duplicate) */
	int duplicate; /* the same bytes were already received */
	char sha256_hex[65];
};

/*
 * Records every document in one transaction and wakes the workers.
 * Returns 0 once committed (each doc's id, duplicate and sha256_hex set):
 * only then may the caller acknowledge the sources.  Returns -1 when
 * nothing was committed, with err set.
 */
int intake_commit(struct db *db, const struct hub *hub,
    struct intake_doc *docs, size_t n, char *err, size_t errlen);

/*
 * Records a file that cannot be taken in (over the size limit) as a
 * quarantined document without its bytes, so an operator sees it; the
 * caller has kept the file at kept_at.  sha is the file's SHA-256.
 * Returns 0 or -1 with err set.
 */
int intake_record_oversize(struct db *db, const unsigned char sha[32],
    long long size, const char *source, const char *practice_ods,
    const char *kept_at, long long limit, char *err, size_t errlen);

#endif
