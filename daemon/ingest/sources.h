/*
 * sources.h - the remote sources (IMAP mailboxes, SFTP directories):
 * each polled in its own thread with its own database connection, on its
 * interval, at once when woken (SIGHUP), with a growing back-off while
 * its server or the database is away; and once, from the operator's tool
 * (pars fetch).  A source acknowledges what it took (expunge, remove)
 * only after intake has committed it.
 */
#ifndef PARS_SOURCES_H
#define PARS_SOURCES_H

#include <stdatomic.h>
#include <stddef.h>

#include "parser.h"

struct config;
struct db;
struct hub;
struct intake_doc;
struct smime;

struct fetch_stats {
	int found;	 /* messages or files seen on the server */
	int taken;	 /* committed and acknowledged */
	int documents;	 /* documents committed (with a message's parts) */
	int duplicates;	 /* already held: acknowledged only */
	int quarantined; /* taken in as quarantined (unreadable, unsigned) */
	int oversize;	 /* over the limit: recorded and set aside */
};

/* What a poll works with. */
struct source_ctx {
	struct hub *hub;
	const char *label;	 /* "imap:NAME", the documents' source */
	struct db *db;		 /* NULL until source_db connects */
	struct smime *smime;	 /* NULL: S/MIME is not configured */
	const atomic_int *stop;	 /* set when the hub shuts down */
	struct parse_limits lim; /* copied at start: reloads leave it */
	struct fetch_stats st;
};

struct source {
	const char *kind; /* "imap", "sftp" */
	const char *name;
	char label[64];	  /* "imap:NAME" */
	const void *cfg;  /* struct imap_source_cfg or sftp_source_cfg */
	int poll_seconds;
	/* One pass over the server: 0, or -1 with err set (what was
	 * committed before the failure stays committed). */
	int (*poll)(const void *cfg, struct source_ctx *x, char *err,
	    size_t errlen);
};

int imap_poll(const void *cfg, struct source_ctx *x, char *err,
    size_t errlen);
int sftp_poll(const void *cfg, struct source_ctx *x, char *err,
    size_t errlen);

/* The configured sources (malloc'ed array, caller frees; the entries
 * borrow from the configuration). */
struct source *sources_list(const struct config *cfg, size_t *n);

/*
 * Polls one source once on connection *db (connected if NULL; left open
 * for the caller to close), with S/MIME context sm (may be NULL).  Returns 0 or -1 with err set; *st filled.
 */
int source_poll_once(struct hub *hub, const struct source *s, struct db **db,
    struct smime *sm, const atomic_int *stop, struct fetch_stats *st,
    char *err, size_t errlen);

/* The poll's database connection, connected on first use; NULL with err
 * set when the database cannot be reached. */
struct db *source_db(struct source_ctx *x, char *err, size_t errlen);
/* Commits docs (intake_commit) and counts them.  Returns 0, or -1 with
 * err set and nothing committed: acknowledge nothing then. */
int source_commit(struct source_ctx *x, struct intake_doc *docs, size_t n,
    char *err, size_t errlen);
/* Records something over the size limit, kept at kept_at.  0 or -1. */
int source_oversize(struct source_ctx *x, const unsigned char sha[32],
    long long size, const char *practice, const char *kept_at, char *err,
    size_t errlen);

struct sources;
/* Starts a thread for every source (and the receipts, when configured).
 * Returns NULL with err set when S/MIME cannot be set up. */
struct sources *sources_start(struct hub *hub, char *err, size_t errlen);
/* Polls every source now (SIGHUP). */
void sources_wake(struct sources *s);
/* Stops the threads (transfers in flight are aborted) and waits. */
void sources_stop(struct sources *s);

#endif
