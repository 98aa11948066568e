/*
 * migrate.h - the numbered migrations of sql/, compiled into the binary
 * and applied in order, each in its own transaction, recorded in
 * pars.schema_migrations.
 */
#ifndef PARS_MIGRATE_H
#define PARS_MIGRATE_H

struct db;

struct migration {
	int version;
	const char *name; /* file name without .sql */
	const char *sql;
};

extern const struct migration migrations[];
extern const unsigned nmigrations;

/*
 * Applies every pending migration under an advisory lock (safe to run
 * twice, and from two hosts at once).  Prints what it applied when
 * verbose.  Returns the number applied, or -1 with the error logged.
 */
int migrate_apply(struct db *db, int verbose);
/* Prints each migration, applied (when) or pending.  Returns the number
 * pending, or -1. */
int migrate_status(struct db *db);
/* Number of migrations not applied yet, or -1 on error. */
int migrate_pending(struct db *db);

#endif
