/*
 * mail.h - an e-mail message into documents for intake.
 *
 * The raw message is archived as a document of its own, a container:
 * state "stored", format "mime", no referrals of its own.  Each part that
 * holds a referral (parser_detect knows its format: an attachment, or a
 * plain-text body such as a structured letter) becomes a document linked
 * to it (parent_id), to be parsed by the workers like any other file.  So
 * counts and reports see each referral once, in the part it came in.
 *
 * S/MIME is undone first: an enveloped message is decrypted with the
 * hub's key, a signed one is verified, and the signer's practice is the
 * practice every part is vouched for by.  A message the hub cannot read,
 * or may not accept (unsigned where a signature is required, a bad or
 * untrusted signature, no referral in it), is the container alone,
 * quarantined with the reason: kept, never dropped, never stored as a
 * referral.
 */
#ifndef PARS_MAIL_H
#define PARS_MAIL_H

#include <stddef.h>

#include "intake.h"

struct arena;
struct parse_limits;
struct smime;

struct mail_docs {
	struct arena *arena;	 /* everything below lives here */
	struct intake_doc *docs; /* [0] the message, then its parts */
	size_t n;
	char practice[8];	 /* the signer's practice, or "" */
	size_t ignored;		 /* parts that are not referrals */
};

/*
 * Unpacks the raw message (borrowed: docs[0].data points at it) that
 * came by source, under the source's signature policy.  Never fails: what
 * cannot be read becomes a quarantined container.  sm may be NULL (no
 * S/MIME configured).  Free with mail_docs_free.
 */
void mail_unpack(const unsigned char *raw, size_t len, const char *source,
    int require_signed, struct smime *sm, const struct parse_limits *lim,
    struct mail_docs *out);
void mail_docs_free(struct mail_docs *m);

#endif
