/*
 * db.h - the hub's only door to PostgreSQL (libpq stays inside db.c).
 *
 * Every statement is parameterised ($1, $2, ...) and prepared once per
 * connection on first use.  The connection's search_path is empty, so
 * every name in SQL is schema-qualified.  One struct db per thread.
 */
#ifndef PARS_DB_H
#define PARS_DB_H

#include <stddef.h>

struct db;
struct db_res;

/*
 * Connects (password may be NULL).  Returns a connection (caller closes
 * with db_close) or NULL with err set.
 */
struct db *db_open(const char *dsn, const char *password, char *err,
    size_t errlen);
void db_close(struct db *db);
/* The last error on this connection, e.g. for a log line. */
const char *db_error(const struct db *db);
/* 1 when the connection is usable. */
int db_ok(struct db *db);
/* The SQLSTATE of the last error ("23505"), or "" . */
const char *db_sqlstate(const struct db *db);

/*
 * Runs a statement with n text parameters (NULL is SQL NULL).  Returns the
 * rows (caller frees with db_res_free; a statement without rows gives an
 * empty result) or NULL on error with db_error() set.
 */
struct db_res *db_query(struct db *db, const char *sql, int n,
    const char *const *vals);
/* The same with binary parameters where fmts[i] is 1 (lens[i] bytes), and
 * binary results when binary_result is set. */
struct db_res *db_queryb(struct db *db, const char *sql, int n,
    const char *const *vals, const int *lens, const int *fmts,
    int binary_result);
/* db_queryb (text results) without preparing the statement: for SQL
 * built at run time, such as a batch whose size varies. */
struct db_res *db_query_unprepared(struct db *db, const char *sql, int n,
    const char *const *vals, const int *lens, const int *fmts);
/* db_query discarding the rows: 0 or -1. */
int db_exec(struct db *db, const char *sql, int n, const char *const *vals);
/* Runs a trusted script of several statements (migrations): 0 or -1. */
int db_exec_script(struct db *db, const char *sql);

int db_begin(struct db *db);
int db_commit(struct db *db);
/* Rolls back; never fails the caller (errors are logged). */
void db_rollback(struct db *db);

size_t db_nrows(const struct db_res *r);
/* Rows changed by an INSERT/UPDATE/DELETE. */
long db_affected(const struct db_res *r);
/* The column called name; a missing column is a broken invariant (fatal). */
int db_col(const struct db_res *r, const char *name);
/* The value (NULL for SQL NULL); owned by the result. */
const char *db_get(const struct db_res *r, size_t row, int col);
size_t db_getlen(const struct db_res *r, size_t row, int col);
/* The value as a number, or dflt when NULL or not a number. */
long long db_getll(const struct db_res *r, size_t row, int col, long long dflt);
void db_res_free(struct db_res *r);

/* LISTEN on a channel (a fixed identifier, not user data): 0 or -1. */
int db_listen(struct db *db, const char *channel);
/* Waits up to timeout_ms for a notification: 1 one came, 0 timed out,
 * -1 the connection failed.  Drains everything pending. */
int db_wait_notify(struct db *db, int timeout_ms);

/*
 * Builds a PostgreSQL array literal ({"a","b",NULL}) from n strings
 * (NULL elements are SQL NULL).  Returns a malloc'ed string (caller
 * frees); used to pass a batch as one parameter to unnest().
 */
char *db_array(const char *const *vals, size_t n);

#endif
