/*
 * db.c - libpq behind a small API (see db.h).
 */
#include "db.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "buf.h"
#include "log.h"
#include "xmalloc.h"

#define DB_NPREP 256

struct prep {
	const char *sql; /* the caller's string: statements are literals */
	size_t len;
	unsigned long hash;
};

struct db {
	PGconn *conn;
	char err[1024];
	char sqlstate[6];
	struct prep prep[DB_NPREP];
	size_t nprep;
};

struct db_res {
	PGresult *res;
};

static void
set_err(struct db *db, const PGresult *res)
{
	const char *msg = NULL, *state = NULL;
	size_t n;

	if (res != NULL) {
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	}
	if (msg == NULL)
		msg = PQerrorMessage(db->conn);
	snprintf(db->err, sizeof(db->err), "%s", msg ? msg : "unknown error");
	n = strlen(db->err);
	while (n > 0 && (db->err[n - 1] == '\n' || db->err[n - 1] == ' '))
		db->err[--n] = '\0';
	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
}

/* Makes the session safe: empty search_path, UTC. */
static int
db_setup(struct db *db)
{
	PGresult *res = PQexec(db->conn,
	    "SELECT pg_catalog.set_config('search_path', '', false), "
	    "pg_catalog.set_config('TimeZone', 'UTC', false)");
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		set_err(db, res);
	PQclear(res);
	db->nprep = 0;
	return ok ? 0 : -1;
}

/* Server notices ("relation already exists, skipping") go to the debug
 * log, not to stderr. */
static void
notice(void *arg, const char *msg)
{
	size_t n = strlen(msg);

	while (n > 0 && msg[n - 1] == '\n')
		n--;
	log_debug("database notice: %.*s", (int)n, msg);
}

struct db *
db_open(const char *dsn, const char *password, char *err, size_t errlen)
{
	const char *keys[4] = {"dbname", "application_name", NULL, NULL};
	const char *vals[4] = {dsn, "parsd", NULL, NULL};
	struct db *db = xcalloc(1, sizeof(*db));

	if (password != NULL) {
		keys[2] = "password";
		vals[2] = password;
	}
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		snprintf(err, errlen, "could not connect to the database: %s",
		    db->conn ? PQerrorMessage(db->conn) : "out of memory");
		err[strcspn(err, "\n")] = '\0';
		PQfinish(db->conn);
		free(db);
		return NULL;
	}
	PQsetNoticeProcessor(db->conn, notice, NULL);
	if (db_setup(db) < 0) {
		snprintf(err, errlen, "could not set up the session: %s",
		    db->err);
		PQfinish(db->conn);
		free(db);
		return NULL;
	}
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	PQfinish(db->conn);
	free(db);
}

const char *
db_error(const struct db *db)
{
	return db->err;
}

const char *
db_sqlstate(const struct db *db)
{
	return db->sqlstate;
}

int
db_ok(struct db *db)
{
	return PQstatus(db->conn) == CONNECTION_OK;
}


static unsigned long
hash_sql(const char *s, size_t *len)
{
	unsigned long h = 5381;
	const char *p;

	for (p = s; *p != '\0'; p++)
		h = h * 33 + (unsigned char)*p;
	*len = (size_t)(p - s);
	return h;
}

/* Returns the name of the prepared statement for sql, preparing it on
 * first use; NULL when it cannot be prepared (run unprepared). */
static const char *
prepared(struct db *db, const char *sql, int n, char name[24])
{
	size_t i, len;
	unsigned long h = hash_sql(sql, &len);
	PGresult *res;

	for (i = 0; i < db->nprep; i++)
		if (db->prep[i].hash == h && db->prep[i].len == len &&
		    (db->prep[i].sql == sql ||
			memcmp(db->prep[i].sql, sql, len) == 0)) {
			snprintf(name, 24, "p%zu", i);
			return name;
		}
	if (db->nprep == DB_NPREP)
		return NULL;
	snprintf(name, 24, "p%zu", db->nprep);
	res = PQprepare(db->conn, name, sql, n, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		set_err(db, res);
		PQclear(res);
		return NULL;
	}
	PQclear(res);
	db->prep[db->nprep].sql = sql;
	db->prep[db->nprep].len = len;
	db->prep[db->nprep].hash = h;
	db->nprep++;
	return name;
}

static struct db_res *
run(struct db *db, const char *sql, int n, const char *const *vals,
    const int *lens, const int *fmts, int binary_result, int prepare)
{
	char name[24];
	const char *stmt = NULL;
	PGresult *res;
	struct db_res *r;
	ExecStatusType st;

	db->err[0] = '\0';
	db->sqlstate[0] = '\0';
	if (prepare) {
		stmt = prepared(db, sql, n, name);
		if (stmt == NULL && db->err[0] != '\0')
			return NULL;
	}
	if (stmt != NULL)
		res = PQexecPrepared(db->conn, stmt, n, vals, lens, fmts,
		    binary_result);
	else
		res = PQexecParams(db->conn, sql, n, NULL, vals, lens, fmts,
		    binary_result);
	st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		set_err(db, res);
		PQclear(res);
		return NULL;
	}
	r = xmalloc(sizeof(*r));
	r->res = res;
	return r;
}

struct db_res *
db_queryb(struct db *db, const char *sql, int n, const char *const *vals,
    const int *lens, const int *fmts, int binary_result)
{
	return run(db, sql, n, vals, lens, fmts, binary_result, 1);
}

struct db_res *
db_query_unprepared(struct db *db, const char *sql, int n,
    const char *const *vals, const int *lens, const int *fmts)
{
	return run(db, sql, n, vals, lens, fmts, 0, 0);
}

struct db_res *
db_query(struct db *db, const char *sql, int n, const char *const *vals)
{
	return db_queryb(db, sql, n, vals, NULL, NULL, 0);
}

int
db_exec(struct db *db, const char *sql, int n, const char *const *vals)
{
	struct db_res *r = db_query(db, sql, n, vals);

	if (r == NULL)
		return -1;
	db_res_free(r);
	return 0;
}

int
db_exec_script(struct db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		set_err(db, res);
	PQclear(res);
	return ok ? 0 : -1;
}

int
db_begin(struct db *db)
{
	return db_exec(db, "BEGIN", 0, NULL);
}

int
db_commit(struct db *db)
{
	return db_exec(db, "COMMIT", 0, NULL);
}

void
db_rollback(struct db *db)
{
	PGresult *res;

	if (PQtransactionStatus(db->conn) == PQTRANS_IDLE)
		return;
	res = PQexec(db->conn, "ROLLBACK");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		log_warnx("database: rollback failed: %s",
		    PQerrorMessage(db->conn));
	PQclear(res);
}

size_t
db_nrows(const struct db_res *r)
{
	return (size_t)PQntuples(r->res);
}

long
db_affected(const struct db_res *r)
{
	const char *s = PQcmdTuples(r->res);

	return s && *s ? strtol(s, NULL, 10) : 0;
}

int
db_col(const struct db_res *r, const char *name)
{
	int c = PQfnumber(r->res, name);

	if (c < 0)
		fatalx("database: result has no column \"%s\"", name);
	return c;
}

const char *
db_get(const struct db_res *r, size_t row, int col)
{
	if (PQgetisnull(r->res, (int)row, col))
		return NULL;
	return PQgetvalue(r->res, (int)row, col);
}

size_t
db_getlen(const struct db_res *r, size_t row, int col)
{
	return (size_t)PQgetlength(r->res, (int)row, col);
}

long long
db_getll(const struct db_res *r, size_t row, int col, long long dflt)
{
	const char *s = db_get(r, row, col);
	char *end;
	long long v;

	if (s == NULL)
		return dflt;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s)
		return dflt;
	return v;
}

void
db_res_free(struct db_res *r)
{
	if (r == NULL)
		return;
	PQclear(r->res);
	free(r);
}

int
db_listen(struct db *db, const char *channel)
{
	char sql[128];

	/* Identifiers cannot be parameters; channel is a fixed name. */
	snprintf(sql, sizeof(sql), "LISTEN %s", channel);
	return db_exec_script(db, sql);
}

int
db_wait_notify(struct db *db, int timeout_ms)
{
	PGnotify *n;
	struct pollfd pfd;
	int got = 0, rc;

	if (!PQconsumeInput(db->conn))
		goto fail;
	while ((n = PQnotifies(db->conn)) != NULL) {
		PQfreemem(n);
		got = 1;
	}
	if (got)
		return 1;
	pfd.fd = PQsocket(db->conn);
	pfd.events = POLLIN;
	if (pfd.fd < 0)
		goto fail;
	rc = poll(&pfd, 1, timeout_ms);
	if (rc < 0 && errno != EINTR)
		goto fail;
	if (rc <= 0)
		return 0;
	if (!PQconsumeInput(db->conn))
		goto fail;
	while ((n = PQnotifies(db->conn)) != NULL) {
		PQfreemem(n);
		got = 1;
	}
	return got;
fail:
	set_err(db, NULL);
	return -1;
}

char *
db_array(const char *const *vals, size_t n)
{
	struct buf b;
	size_t i;
	const char *p;

	buf_init(&b, 0);
	buf_addc(&b, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&b, ',');
		if (vals[i] == NULL) {
			buf_adds(&b, "NULL");
			continue;
		}
		buf_addc(&b, '"');
		for (p = vals[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				buf_addc(&b, '\\');
			buf_addc(&b, *p);
		}
		buf_addc(&b, '"');
	}
	buf_addc(&b, '}');
	if (!buf_ok(&b))
		fatalx("database: array parameter too large");
	return buf_steal(&b, NULL);
}
