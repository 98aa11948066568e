/*
 * archive.h - the encrypted raw documents: purge after retention, and
 * read one back (for quarantine show and retry).
 */
#ifndef PARS_ARCHIVE_H
#define PARS_ARCHIVE_H

#include <stddef.h>

struct db;
struct hub;

/*
 * Deletes the raw bytes of documents stored more than retention_days ago
 * (their rows and referrals stay).  Returns how many, or -1.
 */
long archive_purge(struct db *db, int retention_days);

/*
 * Decrypts document id's raw bytes and its file name.  Returns 0 with
 * *data (caller frees) and *name (caller frees, may be NULL), 1 when the
 * bytes are not held, -1 on error (logged).
 */
int archive_fetch(struct db *db, const struct hub *hub, long long id,
    unsigned char **data, size_t *len, char **name);

#endif
