/*
 * receipts.h - receipts mailed back to practices (SMTP over TLS with
 * libcurl, the server's certificate verified): for the top-level
 * documents (a message, a file) that came by a source with receipts on,
 * once every part of them is processed, one receipt per practice saying
 * how many referrals were accepted (by source id) and what was not and
 * why, so the practice knows what to send again.  The address is the
 * practice's in pars.practices.email, never a message's From.  A receipt
 * holds source ids, counts and reasons: never a patient identifier, a
 * file name or a subject line.
 */
#ifndef PARS_RECEIPTS_H
#define PARS_RECEIPTS_H

#include <stdatomic.h>
#include <stddef.h>

struct config;
struct db;
struct hub;

struct receipts_setup {
	const char *smtp_url, *from, *user, *password_file, *ca_file;
	int max_age_days, timeout_seconds;
	char **labels; /* sources with receipts on ("imap:NAME") */
	size_t nlabels;
};

/* Takes what receipts need from cfg (strings borrowed, labels owned). */
void receipts_setup(const struct config *cfg, struct receipts_setup *rs);
void receipts_setup_free(struct receipts_setup *rs);

/*
 * Sends the receipts that are due, on connection *db (connected when
 * NULL).  Returns the number sent, or -1 with err set (what was not sent
 * is tried again next time).
 */
int receipts_run(struct hub *hub, const struct receipts_setup *rs,
    struct db **db, const atomic_int *stop, char *err, size_t errlen);

#endif
