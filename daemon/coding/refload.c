/*
 * refload.c - reference data files into the ref schema (see refload.h).
 *
 * The file is parsed and checked in C (refkinds.c); the good rows travel
 * to PostgreSQL as one JSON array and ref.merge (sql/010_refdata.sql)
 * upserts them, counting what it added, changed and left alone.
 */
#include "refload.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "crypto.h"
#include "db.h"
#include "readfile.h"
#include "refparse.h"
#include "text.h"
#include "xmalloc.h"

/* The operator: the OS user running the load. */
static void
who_am_i(char *out, size_t outlen)
{
	struct passwd *pw = getpwuid(getuid());
	const char *sudo = getenv("SUDO_USER");

	if (pw == NULL)
		snprintf(out, outlen, "uid %u", (unsigned)getuid());
	else if (sudo != NULL && *sudo != '\0' && strcmp(sudo, pw->pw_name))
		snprintf(out, outlen, "%s (sudo from %s)", pw->pw_name, sudo);
	else
		snprintf(out, outlen, "%s", pw->pw_name);
}

/* The good rows as a JSON array of objects (caller frees). */
static char *
rows_json(const struct ref_rows *r)
{
	struct buf b;
	size_t i, c;

	buf_init(&b, 0);
	buf_addc(&b, '[');
	for (i = 0; i < r->n; i++) {
		buf_adds(&b, i ? ",{" : "{");
		for (c = 0; c < r->ncols; c++) {
			if (c > 0)
				buf_addc(&b, ',');
			buf_json_str(&b, r->cols[c]);
			buf_addc(&b, ':');
			buf_json_str(&b, r->rows[i][c]);
		}
		buf_addc(&b, '}');
	}
	buf_addc(&b, ']');
	if (!buf_ok(&b)) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}

static const char lock_sql[] =
    "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext($1))";
static const char load_sql[] =
    "INSERT INTO ref.loads (kind, file_name, file_sha256, options, who,"
    " rows_read, rejected)"
    " VALUES ($1, $2, pg_catalog.decode($3, 'hex'), $4, $5, $6, $7)"
    " RETURNING id";
static const char merge_sql[] =
    "SELECT added, changed, unchanged, closed"
    " FROM ref.merge($1::regclass, $2::text[], $3::text[], $4::jsonb,"
    "  $5::bigint)";
static const char counts_sql[] =
    "UPDATE ref.loads SET added = $2, changed = $3, unchanged = $4,"
    " closed = $5 WHERE id = $1";
static const char rejects_sql[] =
    "INSERT INTO ref.load_rejects (load_id, row_no, reason)"
    " SELECT $1, u.r, u.m FROM unnest($2::int[], $3::text[]) AS u(r, m)";

static int
record_rejects(struct db *db, const char *id, const struct ref_rows *r)
{
	const char **rows = xcalloc(r->nrejects + 1, sizeof(*rows));
	const char **why = xcalloc(r->nrejects + 1, sizeof(*why));
	char **own = xcalloc(r->nrejects + 1, sizeof(*own));
	const char *p[3];
	char *a1, *a2;
	size_t i;
	int rc;

	for (i = 0; i < r->nrejects; i++) {
		rows[i] = own[i] = xasprintf("%ld", r->rejects[i].row);
		why[i] = r->rejects[i].reason;
	}
	a1 = db_array(rows, r->nrejects);
	a2 = db_array(why, r->nrejects);
	p[0] = id;
	p[1] = a1;
	p[2] = a2;
	rc = db_exec(db, rejects_sql, 3, p);
	free(a1);
	free(a2);
	for (i = 0; i < r->nrejects; i++)
		free(own[i]);
	free(own);
	free(rows);
	free(why);
	return rc;
}

/* Runs the load's statements; 0 or -1 (transaction open, rolled back by
 * the caller). */
static int
store(struct db *db, const struct ref_rows *r, const char *path,
    const char *year, struct refload_summary *s)
{
	const struct ref_kind *k = r->kind;
	char who[128], nread[24], nrej[24], opts[32], id[24], counts[4][24];
	char *keys, *cols, *json;
	const char *p[7];
	struct db_res *res;
	int rc = -1, i;

	p[0] = k->table;
	if (db_exec(db, lock_sql, 1, p) < 0)
		return -1;
	who_am_i(who, sizeof(who));
	snprintf(nread, sizeof(nread), "%zu", r->n + r->nrejects);
	snprintf(nrej, sizeof(nrej), "%zu", r->nrejects);
	snprintf(opts, sizeof(opts), "year=%s", year ? year : "");
	p[0] = k->name;
	p[1] = path;
	p[2] = s->sha256;
	p[3] = year ? opts : NULL;
	p[4] = who;
	p[5] = nread;
	p[6] = nrej;
	if ((res = db_query(db, load_sql, 7, p)) == NULL)
		return -1;
	s->load_id = db_getll(res, 0, db_col(res, "id"), 0);
	db_res_free(res);
	snprintf(id, sizeof(id), "%lld", s->load_id);
	keys = db_array(r->cols, (size_t)k->nkeys);
	cols = db_array(r->cols + k->nkeys, r->ncols - (size_t)k->nkeys);
	if ((json = rows_json(r)) == NULL) {
		free(keys);
		free(cols);
		return -1;
	}
	p[0] = k->table;
	p[1] = keys;
	p[2] = cols;
	p[3] = json;
	p[4] = id;
	res = db_query(db, merge_sql, 5, p);
	free(keys);
	free(cols);
	free(json);
	if (res == NULL)
		return -1;
	s->added = (long)db_getll(res, 0, db_col(res, "added"), 0);
	s->changed = (long)db_getll(res, 0, db_col(res, "changed"), 0);
	s->unchanged = (long)db_getll(res, 0, db_col(res, "unchanged"), 0);
	s->closed = (long)db_getll(res, 0, db_col(res, "closed"), 0);
	db_res_free(res);
	snprintf(counts[0], 24, "%ld", s->added);
	snprintf(counts[1], 24, "%ld", s->changed);
	snprintf(counts[2], 24, "%ld", s->unchanged);
	snprintf(counts[3], 24, "%ld", s->closed);
	p[0] = id;
	for (i = 0; i < 4; i++)
		p[i + 1] = counts[i];
	if (db_exec(db, counts_sql, 5, p) == 0 &&
	    (r->nrejects == 0 || record_rejects(db, id, r) == 0))
		rc = 0;
	return rc;
}

static void
print_summary(FILE *out, const struct ref_rows *r, const char *path,
    const struct refload_summary *s)
{
	size_t i;

	fprintf(out, "%s: loaded %s as load %lld (sha256 %.12s...)\n", path,
	    r->kind->name, s->load_id, s->sha256);
	fprintf(out, "  %ld rows read: %ld added, %ld changed, %ld unchanged, "
	    "%ld rejected", s->rows_read, s->added, s->changed, s->unchanged,
	    s->rejected);
	if (s->closed > 0)
		fprintf(out, "; %ld closed", s->closed);
	fputc('\n', out);
	for (i = 0; i < r->nrejects; i++)
		fprintf(out, "  rejected row %ld: %s\n", r->rejects[i].row,
		    r->rejects[i].reason);
}

int
refload_file(struct db *db, const struct ref_kind *k, const char *path,
    const char *year, FILE *out, struct refload_summary *sum, char *err,
    size_t errlen)
{
	struct refload_summary s;
	struct ref_rows rows;
	unsigned char *buf, hash[SHA256_LEN];
	char perr[512], y[8], real[PATH_MAX];
	size_t len;
	int rc;

	memset(&s, 0, sizeof(s));
	if (year != NULL && ref_year_parse(year, y) == 0)
		year = y;
	if ((buf = file_read(path, REFLOAD_MAX_BYTES, &len, err,
	    errlen)) == NULL)
		return -1;
	sha256(buf, len, hash);
	hex_encode(hash, SHA256_LEN, s.sha256);
	rc = ref_parse(k, buf, len, year, &rows, perr, sizeof(perr));
	free(buf);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot load as %s: %s", path, k->name,
		    perr);
		return -1;
	}
	if (rows.n == 0) {
		snprintf(err, errlen, "%s: cannot load as %s: no row could be "
		    "read%s%s", path, k->name, rows.nrejects ? "; row 1: " :
		    " (the file is empty)", rows.nrejects ?
		    rows.rejects[0].reason : "");
		ref_rows_free(&rows);
		return -1;
	}
	s.rows_read = (long)(rows.n + rows.nrejects);
	s.rejected = (long)rows.nrejects;
	if (realpath(path, real) == NULL)
		snprintf(real, sizeof(real), "%s", path);
	if (db_begin(db) < 0 ||
	    store(db, &rows, real, k->needs_year ? year : NULL, &s) < 0 ||
	    db_commit(db) < 0) {
		snprintf(err, errlen, "%s: could not load %s: %s", path,
		    k->name, db_error(db));
		db_rollback(db);
		ref_rows_free(&rows);
		return -1;
	}
	if (out != NULL)
		print_summary(out, &rows, path, &s);
	ref_rows_free(&rows);
	if (sum != NULL)
		*sum = s;
	return 0;
}

/* One file of a directory load. */
static int
dir_one(struct db *db, const char *dir, const char *name,
    const struct ref_kind *k, const char *year, FILE *out, int brief)
{
	char *path = xasprintf("%s/%s", dir, name), err[1024];
	struct refload_summary s;
	int rc;

	rc = refload_file(db, k, path, year && *year ? year : NULL,
	    brief ? NULL : out, &s, err, sizeof(err));
	if (rc < 0 && out != NULL)
		fprintf(out, "%s\n", err);
	else if (brief && out != NULL)
		fprintf(out, "  %-22s %-44.44s %6ld rows, %ld added, %ld "
		    "changed, %ld rejected\n", k->name, name, s.rows_read,
		    s.added, s.changed, s.rejected);
	free(path);
	return rc;
}

/* The MANIFEST, line by line; -1 with err set when it is malformed. */
static int
dir_manifest(struct db *db, const char *dir, const char *text, FILE *out,
    int brief, char *err, size_t errlen)
{
	const char *p = text;
	int line = 0, failed = 0;

	while (*p != '\0') {
		size_t n = strcspn(p, "\n");
		char buf[1024], *w[3] = {NULL, NULL, NULL}, *s = buf;
		const struct ref_kind *k;
		const char *year = NULL;
		int nw = 0;

		line++;
		snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		buf[strcspn(buf, "#\r")] = '\0';
		while (nw < 3) {
			s += strspn(s, " \t");
			if (*s == '\0')
				break;
			w[nw++] = s;
			s += strcspn(s, " \t");
			if (*s != '\0')
				*s++ = '\0';
		}
		if (nw == 0)
			continue;
		if (nw < 2 || (k = ref_kind_find(w[0])) == NULL ||
		    (nw == 3 && strncmp(w[2], "year=", 5) != 0) ||
		    strchr(w[1], '/') != NULL) {
			snprintf(err, errlen, "%s/%s:%d: expected \"KIND FILE "
			    "[year=2024/25]\" with a known kind and a file of "
			    "the directory", dir, REFLOAD_MANIFEST, line);
			return -1;
		}
		if (nw == 3)
			year = w[2] + 5;
		if (dir_one(db, dir, w[1], k, year, out, brief) < 0)
			failed++;
	}
	return failed;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
refload_dir(struct db *db, const char *dir, FILE *out, int brief, char *err,
    size_t errlen)
{
	char *mpath = xasprintf("%s/%s", dir, REFLOAD_MANIFEST), **names = NULL;
	unsigned char *manifest;
	size_t len, n = 0, i, nk, kind;
	const struct ref_kind *kinds = ref_kinds(&nk);
	struct dirent *e;
	DIR *d;
	int failed = 0;

	if (access(mpath, F_OK) == 0) {
		manifest = file_read(mpath, REFLOAD_MAX_BYTES, &len, err, errlen);
		free(mpath);
		if (manifest == NULL)
			return -1;
		failed = dir_manifest(db, dir, (const char *)manifest, out,
		    brief, err, errlen);
		free(manifest);
		return failed;
	}
	free(mpath);
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "could not open directory \"%s\": %s",
		    dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	/* In the kinds' order, so practices come before their GPs. */
	for (kind = 0; kind < nk; kind++)
		for (i = 0; i < n; i++) {
			char year[8];

			if (ref_kind_infer(names[i], year) == &kinds[kind] &&
			    dir_one(db, dir, names[i], &kinds[kind], year, out,
			    brief) < 0)
				failed++;
		}
	for (i = 0; i < n; i++) {
		char year[8];

		if (ref_kind_infer(names[i], year) == NULL && out != NULL &&
		    !brief)
			fprintf(out, "%s/%s: skipped: its name says no kind\n",
			    dir, names[i]);
		free(names[i]);
	}
	free(names);
	return failed;
}
