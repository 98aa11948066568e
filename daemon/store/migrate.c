/*
 * migrate.c - schema migrations (see migrate.h).
 */
#include "migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "log.h"

/* Any fixed number: the key of the advisory lock migrations hold. */
#define MIGRATE_LOCK "7283451"

static const char create_table[] =
    "CREATE SCHEMA IF NOT EXISTS pars;"
    "CREATE TABLE IF NOT EXISTS pars.schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " sha256 text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

static void
sql_hash(const char *sql, char out[65])
{
	unsigned char h[SHA256_LEN];

	sha256(sql, strlen(sql), h);
	hex_encode(h, SHA256_LEN, out);
}

/* Returns the applied versions' rows, or NULL. */
static struct db_res *
applied(struct db *db)
{
	return db_query(db, "SELECT version::text AS version, name, sha256, "
	    "to_char(applied_at, 'YYYY-MM-DD HH24:MI:SS') AS applied_at "
	    "FROM pars.schema_migrations ORDER BY version", 0, NULL);
}

static long
find_row(const struct db_res *r, int version)
{
	size_t i;
	int c = db_col(r, "version");

	for (i = 0; i < db_nrows(r); i++)
		if (db_getll(r, i, c, -1) == version)
			return (long)i;
	return -1;
}

int
migrate_apply(struct db *db, int verbose)
{
	struct db_res *r = NULL;
	unsigned i;
	int n = 0;
	const char *lock = MIGRATE_LOCK;

	if (db_exec(db, "SELECT pg_catalog.pg_advisory_lock($1::bigint)", 1,
	    &lock) < 0) {
		log_warnx("migrate: could not take the migration lock: %s",
		    db_error(db));
		return -1;
	}
	if (db_exec_script(db, create_table) < 0) {
		log_warnx("migrate: could not create pars.schema_migrations: "
		    "%s", db_error(db));
		n = -1;
		goto out;
	}
	if ((r = applied(db)) == NULL) {
		log_warnx("migrate: %s", db_error(db));
		n = -1;
		goto out;
	}
	for (i = 0; i < nmigrations; i++) {
		const struct migration *m = &migrations[i];
		char hash[65], version[16];
		const char *params[3];
		long row;

		sql_hash(m->sql, hash);
		if ((row = find_row(r, m->version)) >= 0) {
			const char *had = db_get(r, (size_t)row,
			    db_col(r, "sha256"));

			if (had != NULL && strcmp(had, hash) != 0)
				log_warnx("migrate: %s was applied from "
				    "different SQL than this build has "
				    "(edited after it was applied?)", m->name);
			continue;
		}
		snprintf(version, sizeof(version), "%d", m->version);
		params[0] = version;
		params[1] = m->name;
		params[2] = hash;
		if (db_begin(db) < 0 || db_exec_script(db, m->sql) < 0 ||
		    db_exec(db, "INSERT INTO pars.schema_migrations (version, "
		    "name, sha256) VALUES ($1, $2, $3)", 3, params) < 0 ||
		    db_commit(db) < 0) {
			log_warnx("migrate: %s failed: %s", m->name,
			    db_error(db));
			db_rollback(db);
			n = -1;
			goto out;
		}
		if (verbose)
			printf("applied %s\n", m->name);
		log_debug("migrate: applied %s", m->name);
		n++;
	}
out:
	db_res_free(r);
	if (db_exec(db, "SELECT pg_catalog.pg_advisory_unlock($1::bigint)", 1,
	    &lock) < 0)
		log_warnx("migrate: could not release the lock: %s",
		    db_error(db));
	return n;
}

int
migrate_pending(struct db *db)
{
	struct db_res *r;
	unsigned i;
	int n = 0;
	const char *name = "pars.schema_migrations";
	struct db_res *t = db_query(db, "SELECT pg_catalog.to_regclass($1) "
	    "IS NOT NULL AS present", 1, &name);

	if (t == NULL)
		return -1;
	if (strcmp(db_get(t, 0, db_col(t, "present")), "t") != 0) {
		db_res_free(t);
		return (int)nmigrations;
	}
	db_res_free(t);
	if ((r = applied(db)) == NULL)
		return -1;
	for (i = 0; i < nmigrations; i++)
		if (find_row(r, migrations[i].version) < 0)
			n++;
	db_res_free(r);
	return n;
}

int
migrate_status(struct db *db)
{
	struct db_res *r = NULL;
	unsigned i;
	int pending = 0;

	if (migrate_pending(db) == (int)nmigrations) {
		for (i = 0; i < nmigrations; i++)
			printf("%-32s pending\n", migrations[i].name);
		return (int)nmigrations;
	}
	if ((r = applied(db)) == NULL) {
		log_warnx("db status: %s", db_error(db));
		return -1;
	}
	for (i = 0; i < nmigrations; i++) {
		long row = find_row(r, migrations[i].version);

		if (row < 0) {
			printf("%-32s pending\n", migrations[i].name);
			pending++;
		} else {
			printf("%-32s applied %s UTC\n", migrations[i].name,
			    db_get(r, (size_t)row, db_col(r, "applied_at")));
		}
	}
	db_res_free(r);
	return pending;
}
