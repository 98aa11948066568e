/*
 * run.c - see run.h.  The database work is done by the calling thread:
 * the figures before, one query for the previous deliveries, one insert
 * for all the records after.  Composing, drawing, writing and delivering
 * each report runs on two worker threads.
 */
#include "run.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "buf.h"
#include "compose.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "deliver.h"
#include "doc.h"
#include "log.h"
#include "render.h"
#include "xmalloc.h"

/* Any fixed number: the key of the advisory lock the report leader holds
 * (migrations use 7283451). */
#define REPORT_LOCK "7283452"
#define WORKERS 2

struct job {
	const struct fig_practice *p; /* a practice's report, or */
	const struct fig_locality *l; /* a locality summary */
	const char *code;	      /* practice code or locality name */
	const char *channel, *email, *sftp_url, *when;
	char *dir;		      /* outbox directory */
	char *prefix;		      /* file names: PREFIX.html ... */
	/* the last report for the practice, period and channel */
	char *prev_hash, *prev_files, *prev_summary;
	/* what happened */
	char hash[2 * SHA256_LEN + 1];
	char *summary, *changes, *files, *reason, *dest;
	const char *status;
	int attempts;
};

struct runner {
	const struct config *cfg;
	const struct fig_set *s;
	struct job *jobs;
	size_t n, next;
	pthread_mutex_t mu;
};

static char *
slug(const char *s)
{
	char *out = xstrdup(s), *p;

	for (p = out; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			*p = '_';
	return out;
}

static const struct config_report_practice *
practice_conf(const struct config *cfg, const char *code)
{
	size_t i;

	for (i = 0; i < cfg->reports.practices_n; i++)
		if (strcmp(cfg->reports.practices[i].code, code) == 0)
			return &cfg->reports.practices[i];
	return NULL;
}

static char *
files_json(const struct deliver_file *f, size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	buf_addc(&b, '[');
	for (i = 0; i < n; i++) {
		buf_adds(&b, i ? ",{\"name\":" : "{\"name\":");
		buf_json_str(&b, f[i].name);
		buf_printf(&b, ",\"bytes\":%zu,\"sha256\":\"%s\"}", f[i].len,
		    f[i].sha256);
	}
	buf_addc(&b, ']');
	return buf_steal(&b, NULL);
}

/* Tries fn up to the configured number of times, waiting longer each
 * time; returns 0 or -1 with err holding the last failure. */
static int
with_retries(const struct config *cfg, struct job *j,
    int (*fn)(const struct config *, struct job *, const struct deliver_file *,
	size_t, char *, size_t),
    const struct deliver_file *f, size_t n, char *err, size_t errlen)
{
	unsigned wait = (unsigned)cfg->reports.retry_seconds;
	int k;

	for (k = 0; k < cfg->reports.retry_attempts; k++) {
		j->attempts++;
		if (fn(cfg, j, f, n, err, errlen) == 0)
			return 0;
		log_warnx("report %s: delivery attempt %d failed: %s", j->code,
		    k + 1, err);
		if (k + 1 < cfg->reports.retry_attempts && wait > 0) {
			sleep(wait);
			wait *= 2;
		}
	}
	return -1;
}

static int
send_outbox(const struct config *cfg, struct job *j,
    const struct deliver_file *f, size_t n, char *err, size_t errlen)
{
	return deliver_outbox(j->dir, f, n, err, errlen);
}

static int
send_sftp(const struct config *cfg, struct job *j,
    const struct deliver_file *f, size_t n, char *err, size_t errlen)
{
	return deliver_sftp(cfg, j->dest, f, n, err, errlen);
}

static int
send_email(const struct config *cfg, struct job *j,
    const struct deliver_file *f, size_t n, char *err, size_t errlen)
{
	char *subject = xasprintf("PARS referral report %s", j->prefix);
	char *body = xasprintf("Your practice's referral feedback report from "
	    "the PARS hub is attached: the HTML file to read on screen or a "
	    "phone, the PDF to print, and the CSV with every figure.\r\n\r\n"
	    "What changed since the last report for this period: %s.\r\n",
	    j->changes);
	int rc = deliver_email(cfg, j->code, j->email, subject, body, f, n,
	    err, errlen);

	free(subject);
	free(body);
	return rc;
}

/* Composes, draws, writes and delivers one report. */
static void
do_job(struct runner *r, struct job *j)
{
	const struct fig_set *s = r->s;
	struct doc *d;
	struct deliver_file f[3];
	char *html = NULL, *csv, *pdf = NULL, err[1024];
	size_t lh = 0, lc = 0, lp = 0, i;
	int is_new = 0;

	d = j->p ? compose_practice(s, j->p, &j->summary)
		 : compose_locality(s, j->l, &j->summary);
	csv = render_csv(d, &lc);
	if (csv == NULL) {
		j->status = "failed";
		j->reason = xstrdup("the report is too big to write");
		doc_free(d);
		return;
	}
	{
		struct deliver_file c = {NULL, NULL, csv, lc, ""};

		deliver_hash(&c);
		memcpy(j->hash, c.sha256, sizeof(j->hash));
	}
	j->changes = compose_changes(j->prev_summary, j->summary, &is_new);
	if (j->prev_hash != NULL && strcmp(j->prev_hash, j->hash) == 0) {
		/* the same figures as already made: nothing to deliver */
		j->status = "unchanged";
		j->files = xstrdup(j->prev_files ? j->prev_files : "[]");
		free(j->changes);
		j->changes = xstrdup("no change");
		free(csv);
		doc_free(d);
		return;
	}
	html = render_html(d, &lh);
	pdf = render_pdf(d, &lp);
	doc_free(d);
	f[0] = (struct deliver_file){xasprintf("%s.html", j->prefix),
	    "text/html; charset=utf-8", html, lh, ""};
	f[1] = (struct deliver_file){xasprintf("%s.csv", j->prefix),
	    "text/csv; charset=utf-8", csv, lc, ""};
	f[2] = (struct deliver_file){xasprintf("%s.pdf", j->prefix),
	    "application/pdf", pdf, lp, ""};
	if (html == NULL || pdf == NULL) {
		j->status = "failed";
		j->reason = xstrdup("the HTML or PDF could not be drawn");
		goto out;
	}
	for (i = 0; i < 3; i++)
		deliver_hash(&f[i]);
	j->files = files_json(f, 3);
	/* the hub always keeps the files in the outbox */
	if (with_retries(r->cfg, j, send_outbox, f, 3, err, sizeof(err)) < 0) {
		j->status = "failed";
		j->reason = xstrdup(err);
		goto out;
	}
	j->status = "delivered";
	if (strcmp(j->channel, "outbox") != 0)
		j->attempts = 0; /* count the tries of the channel itself */
	if (strcmp(j->channel, "email") == 0) {
		if (strcmp(j->when, "new") == 0 && !is_new) {
			j->status = "held";
			j->reason = xstrdup("nothing new since the last e-mail "
			    "(email_when: new)");
		} else if (with_retries(r->cfg, j, send_email, f, 3, err,
		    sizeof(err)) < 0) {
			j->status = "failed";
			j->reason = xstrdup(err);
		}
	} else if (strcmp(j->channel, "sftp") == 0 &&
	    with_retries(r->cfg, j, send_sftp, f, 3, err, sizeof(err)) < 0) {
		j->status = "failed";
		j->reason = xstrdup(err);
	}
out:
	for (i = 0; i < 3; i++)
		free((char *)f[i].name);
	free(html);
	free(csv);
	free(pdf);
}

static void *
worker(void *arg)
{
	struct runner *r = arg;

	for (;;) {
		size_t k;

		pthread_mutex_lock(&r->mu);
		k = r->next++;
		pthread_mutex_unlock(&r->mu);
		if (k >= r->n)
			break;
		do_job(r, &r->jobs[k]);
	}
	return NULL;
}

static void
setup_job(const struct config *cfg, const struct fig_set *s, struct job *j)
{
	const char *label = s->period.label;

	if (j->p != NULL) {
		const struct config_report_practice *pc =
		    practice_conf(cfg, j->p->code);

		j->code = j->p->code;
		j->channel = pc && pc->channel ? pc->channel
					       : cfg->reports.channel;
		j->when = pc && pc->email_when ? pc->email_when
					       : cfg->reports.email_when;
		j->email = pc && pc->email ? pc->email : j->p->email;
		j->sftp_url = pc ? pc->sftp_url : NULL;
		j->dir = xasprintf("%s/%s/%s", cfg->reports.outbox, j->code,
		    label);
		j->prefix = xasprintf("%s-%s", j->code, label);
	} else {
		char *sl = slug(j->l->name);

		j->code = j->l->name;
		j->channel = "outbox";
		j->when = "always";
		j->dir = xasprintf("%s/locality-%s/%s", cfg->reports.outbox, sl,
		    label);
		j->prefix = xasprintf("locality-%s-%s", sl, label);
		free(sl);
	}
	if (strcmp(j->channel, "email") == 0)
		j->dest = xstrdup(j->email ? j->email : "");
	else if (strcmp(j->channel, "sftp") == 0 && j->sftp_url != NULL &&
	    j->sftp_url[0] != '\0')
		j->dest = xasprintf("%s%s%s/", j->sftp_url,
		    j->sftp_url[strlen(j->sftp_url) - 1] == '/' ? "" : "/",
		    label);
	else if (strcmp(j->channel, "sftp") == 0)
		j->dest = xstrdup(""); /* deliver_sftp says what is missing */
	else
		j->dest = xstrdup(j->dir);
}

static const char q_prev[] =
    "SELECT DISTINCT ON (d.audience, d.practice_code, d.channel)"
    " d.audience, d.practice_code, d.channel, d.content_sha256, d.files::text"
    " AS files, (SELECT e.summary::text FROM pars.report_deliveries e"
    "  WHERE e.audience = d.audience AND e.practice_code = d.practice_code"
    "  AND e.period = d.period AND e.status = 'delivered'"
    "  ORDER BY e.id DESC LIMIT 1) AS sent_summary"
    " FROM pars.report_deliveries d"
    " WHERE d.period = $1 AND d.status IN ('delivered', 'unchanged', 'held')"
    " ORDER BY d.audience, d.practice_code, d.channel, d.id DESC";

/* Attaches each job's previous delivery (one query for all). */
static int
load_previous(struct db *db, const char *period, struct job *jobs, size_t n,
    char *err, size_t errlen)
{
	struct db_res *r = db_query(db, q_prev, 1, &period);
	size_t i, k;

	if (r == NULL) {
		snprintf(err, errlen, "report run: %s", db_error(db));
		return -1;
	}
	for (k = 0; k < db_nrows(r); k++) {
		const char *aud = db_get(r, k, db_col(r, "audience"));
		const char *code = db_get(r, k, db_col(r, "practice_code"));
		const char *ch = db_get(r, k, db_col(r, "channel"));

		for (i = 0; i < n; i++) {
			struct job *j = &jobs[i];

			if (strcmp(aud, j->p ? "practice" : "locality") != 0 ||
			    strcmp(code, j->code) != 0 ||
			    strcmp(ch, j->channel) != 0)
				continue;
			j->prev_hash = xstrdup(db_get(r, k,
			    db_col(r, "content_sha256")));
			j->prev_files = xstrdup(db_get(r, k,
			    db_col(r, "files")));
			if (db_get(r, k, db_col(r, "sent_summary")))
				j->prev_summary = xstrdup(db_get(r, k,
				    db_col(r, "sent_summary")));
		}
	}
	db_res_free(r);
	return 0;
}

static const char q_record[] =
    "INSERT INTO pars.report_deliveries (run_id, period, audience,"
    " practice_code, channel, destination, files, content_sha256, summary,"
    " changes, status, reason, attempts, delivered_at)"
    " SELECT $1::bigint, $2, a, c, ch, de, f::jsonb, h, s::jsonb, chg, st,"
    " re, at::integer, CASE WHEN st = 'delivered' THEN now() END"
    " FROM unnest($3::text[], $4::text[], $5::text[], $6::text[],"
    "  $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],"
    "  $12::text[], $13::text[]) AS x(a, c, ch, de, f, h, s, chg, st, re, at)";

/* Records every job in one statement; 0 or -1. */
static int
record(struct db *db, const char *run_id, const char *period,
    struct job *jobs, size_t n, char *err, size_t errlen)
{
	const char **col[11];
	char **att = xcalloc(n ? n : 1, sizeof(*att));
	char *arr[11];
	const char *v[13];
	size_t i, k;
	int rc;

	for (k = 0; k < 11; k++)
		col[k] = xcalloc(n ? n : 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		struct job *j = &jobs[i];

		att[i] = xasprintf("%d", j->attempts);
		col[0][i] = j->p ? "practice" : "locality";
		col[1][i] = j->code;
		col[2][i] = j->channel;
		col[3][i] = j->dest;
		col[4][i] = j->files ? j->files : "[]";
		col[5][i] = j->hash;
		col[6][i] = j->summary ? j->summary : "{}";
		col[7][i] = j->changes;
		col[8][i] = j->status;
		col[9][i] = j->reason;
		col[10][i] = att[i];
	}
	v[0] = run_id;
	v[1] = period;
	for (k = 0; k < 11; k++) {
		arr[k] = db_array(col[k], n);
		v[k + 2] = arr[k];
	}
	rc = db_exec(db, q_record, 13, v);
	if (rc < 0)
		snprintf(err, errlen, "report run: could not record the "
		    "deliveries: %s", db_error(db));
	for (k = 0; k < 11; k++) {
		free(arr[k]);
		free(col[k]);
	}
	for (i = 0; i < n; i++)
		free(att[i]);
	free(att);
	return rc;
}

static void
free_jobs(struct job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct job *j = &jobs[i];

		free(j->dir);
		free(j->prefix);
		free(j->prev_hash);
		free(j->prev_files);
		free(j->prev_summary);
		free(j->summary);
		free(j->changes);
		free(j->files);
		free(j->reason);
		free(j->dest);
	}
	free(jobs);
}

/* Takes the leader lock: 1 got it, 0 another hub has it, -1 error. */
static int
lock(struct db *db)
{
	const char *key = REPORT_LOCK;
	struct db_res *r = db_query(db, "SELECT pg_catalog.pg_try_advisory_lock"
	    "($1::bigint) AS got", 1, &key);
	int got;

	if (r == NULL)
		return -1;
	got = strcmp(db_get(r, 0, 0), "t") == 0;
	db_res_free(r);
	return got;
}

static void
unlock(struct db *db)
{
	const char *key = REPORT_LOCK;

	if (db_exec(db, "SELECT pg_catalog.pg_advisory_unlock($1::bigint)", 1,
	    &key) < 0)
		log_warnx("report run: could not release the lock: %s",
		    db_error(db));
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
fig_opts(const struct config *cfg, struct fig_opts *o)
{
	figures_opts_default(o);
	o->min_count = cfg->reports.min_count;
	o->min_expected = cfg->reports.min_expected;
	o->contract_pod = cfg->reports.contract_pod;
}

int
report_run(const struct config *cfg, struct db *db,
    const struct fig_period *p, const char *const *only, size_t n_only,
    int verbose, struct run_result *res, char *err, size_t errlen)
{
	struct runner r = {cfg, NULL, NULL, 0, 0, PTHREAD_MUTEX_INITIALIZER};
	pthread_t th[WORKERS];
	struct fig_opts o;
	struct fig_set *s;
	struct db_res *dr;
	char host[256] = "", run_id[32], counts[4][16];
	const char *v[5];
	double t;
	size_t i, k;
	int got, rc = -1;

	memset(res, 0, sizeof(*res));
	if ((got = lock(db)) < 0) {
		snprintf(err, errlen, "report run: %s", db_error(db));
		return -1;
	}
	if (got == 0) {
		res->skipped = 1;
		return 0;
	}
	gethostname(host, sizeof(host) - 1);
	v[0] = p->kind;
	v[1] = p->label;
	v[2] = p->from;
	v[3] = p->to;
	v[4] = host;
	dr = db_query(db, "INSERT INTO pars.report_runs (kind, period,"
	    " period_from, period_to, host) VALUES ($1, $2, $3, $4, $5)"
	    " RETURNING id", 5, v);
	if (dr == NULL) {
		snprintf(err, errlen, "report run: %s", db_error(db));
		unlock(db);
		return -1;
	}
	snprintf(run_id, sizeof(run_id), "%s", db_get(dr, 0, 0));
	res->run_id = db_getll(dr, 0, 0, 0);
	db_res_free(dr);
	fig_opts(cfg, &o);
	t = seconds();
	if ((s = figures_load(db, p, &o, only, n_only, err, errlen)) == NULL) {
		unlock(db);
		return -1;
	}
	r.s = s;
	r.jobs = xcalloc(s->n + s->nloc + 1, sizeof(*r.jobs));
	for (i = 0; i < s->n; i++)
		if (s->practices[i].selected)
			r.jobs[r.n++].p = &s->practices[i];
	for (i = 0; i < s->nloc; i++) {
		for (k = 0; k < s->localities[i].n; k++)
			if (s->localities[i].members[k]->selected)
				break;
		if (k < s->localities[i].n)
			r.jobs[r.n++].l = &s->localities[i];
	}
	for (i = 0; i < r.n; i++)
		setup_job(cfg, s, &r.jobs[i]);
	if (load_previous(db, p->label, r.jobs, r.n, err, errlen) < 0)
		goto out;
	res->secs_figures = seconds() - t;
	t = seconds();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (i = 0; i < WORKERS; i++)
		if (pthread_create(&th[i], NULL, worker, &r) != 0)
			fatalx("report run: could not start a thread");
	for (i = 0; i < WORKERS; i++)
		pthread_join(th[i], NULL);
	render_pdf_cleanup();
	/* the files are on disk before any is recorded as delivered */
	if (deliver_sync(cfg->reports.outbox, err, errlen) < 0)
		goto out;
	res->secs_reports = seconds() - t;
	t = seconds();
	for (i = 0; i < r.n; i++) {
		struct job *j = &r.jobs[i];

		res->reports++;
		if (strcmp(j->status, "delivered") == 0)
			res->delivered++;
		else if (strcmp(j->status, "unchanged") == 0)
			res->unchanged++;
		else if (strcmp(j->status, "held") == 0)
			res->held++;
		else
			res->failed++;
		if (verbose)
			printf("%-8s %s %-7s %-9s %s%s%s\n", j->code, p->label,
			    j->channel, j->status, j->changes ? j->changes
			    : "", j->reason ? ": " : "",
			    j->reason ? j->reason : "");
	}
	if (record(db, run_id, p->label, r.jobs, r.n, err, errlen) < 0)
		goto out;
	snprintf(counts[0], sizeof(counts[0]), "%d", res->reports);
	snprintf(counts[1], sizeof(counts[1]), "%d", res->delivered);
	snprintf(counts[2], sizeof(counts[2]), "%d", res->unchanged);
	snprintf(counts[3], sizeof(counts[3]), "%d", res->failed);
	{
		const char *u[5] = {counts[0], counts[1], counts[2], counts[3],
		    run_id};

		if (db_exec(db, "UPDATE pars.report_runs SET finished_at ="
		    " now(), reports = $1::integer, delivered = $2::integer,"
		    " unchanged = $3::integer, failed = $4::integer"
		    " WHERE id = $5::bigint", 5, u) < 0) {
			snprintf(err, errlen, "report run: %s", db_error(db));
			goto out;
		}
	}
	res->secs_record = seconds() - t;
	rc = res->failed > 0;
out:
	free_jobs(r.jobs, r.n);
	figures_free(s);
	unlock(db);
	return rc;
}

static const char q_failed[] =
    "SELECT * FROM (SELECT DISTINCT ON (d.audience, d.practice_code,"
    " d.period, d.channel) d.id, d.run_id, d.audience, d.practice_code,"
    " d.period, d.channel, d.destination, d.files::text AS files,"
    " d.content_sha256, d.summary::text AS summary, d.changes, d.status"
    " FROM pars.report_deliveries d"
    " ORDER BY d.audience, d.practice_code, d.period, d.channel, d.id DESC)"
    " x WHERE x.status = 'failed' ORDER BY x.id";

/* Reads the files a delivery recorded from dir, checking each one's
 * SHA-256; returns how many (0 with err set when one is missing or
 * different). */
static size_t
read_files(const char *dir, const char *json, struct deliver_file *f,
    char **data, char *err, size_t errlen)
{
	struct json_object *a = json_tokener_parse(json);
	size_t i, n = a ? json_object_array_length(a) : 0;

	if (n > 3)
		n = 3;
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(a, i), *v;
		const char *name = "", *want = "";
		char *path;
		FILE *fp;
		long len;

		if (json_object_object_get_ex(o, "name", &v))
			name = json_object_get_string(v);
		if (json_object_object_get_ex(o, "sha256", &v))
			want = json_object_get_string(v);
		path = xasprintf("%s/%s", dir, name);
		data[i] = NULL;
		if ((fp = fopen(path, "rb")) != NULL &&
		    fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) >= 0 &&
		    fseek(fp, 0, SEEK_SET) == 0) {
			data[i] = xmalloc((size_t)len + 1);
			if (fread(data[i], 1, (size_t)len, fp) != (size_t)len)
				len = -1;
			f[i] = (struct deliver_file){xstrdup(name),
			    strstr(name, ".pdf") ? "application/pdf" :
			    strstr(name, ".csv") ? "text/csv; charset=utf-8" :
			    "text/html; charset=utf-8", data[i],
			    len < 0 ? 0 : (size_t)len, ""};
			deliver_hash(&f[i]);
		}
		if (fp != NULL)
			fclose(fp);
		if (data[i] == NULL || strcmp(f[i].sha256, want) != 0) {
			snprintf(err, errlen, "\"%s\" is missing or has "
			    "changed: make the report again with pars report "
			    "run", path);
			free(path);
			if (data[i] != NULL)
				free((char *)f[i].name);
			free(data[i]);
			while (i-- > 0) {
				free((char *)f[i].name);
				free(data[i]);
			}
			json_object_put(a);
			return 0;
		}
		free(path);
	}
	json_object_put(a);
	if (n == 0)
		snprintf(err, errlen, "no files were made: make the report "
		    "again with pars report run");
	return n;
}

int
report_retry(const struct config *cfg, struct db *db, int verbose,
    char *err, size_t errlen)
{
	struct db_res *r = db_query(db, q_failed, 0, NULL);
	size_t k;
	int still = 0;

	if (r == NULL) {
		snprintf(err, errlen, "report retry: %s", db_error(db));
		return -1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (k = 0; k < db_nrows(r); k++) {
		struct job j;
		struct deliver_file f[3];
		char *data[3], e[1024], att[16];
		const char *aud = db_get(r, k, db_col(r, "audience"));
		const char *period = db_get(r, k, db_col(r, "period"));
		size_t n, i;
		int ok;

		memset(&j, 0, sizeof(j));
		j.code = db_get(r, k, db_col(r, "practice_code"));
		j.channel = db_get(r, k, db_col(r, "channel"));
		j.dest = xstrdup(db_get(r, k, db_col(r, "destination")));
		j.email = j.dest;
		j.changes = xstrdup(db_get(r, k, db_col(r, "changes")) ?
		    db_get(r, k, db_col(r, "changes")) : "");
		if (strcmp(aud, "practice") == 0) {
			j.dir = xasprintf("%s/%s/%s", cfg->reports.outbox,
			    j.code, period);
			j.prefix = xasprintf("%s-%s", j.code, period);
		} else {
			char *sl = slug(j.code);

			j.dir = xasprintf("%s/locality-%s/%s",
			    cfg->reports.outbox, sl, period);
			j.prefix = xasprintf("locality-%s-%s", sl, period);
			free(sl);
		}
		n = read_files(j.dir, db_get(r, k, db_col(r, "files")), f,
		    data, e, sizeof(e));
		ok = 0;
		if (n > 0) {
			if (strcmp(j.channel, "email") == 0)
				ok = with_retries(cfg, &j, send_email, f, n, e,
				    sizeof(e)) == 0;
			else if (strcmp(j.channel, "sftp") == 0)
				ok = with_retries(cfg, &j, send_sftp, f, n, e,
				    sizeof(e)) == 0;
			else
				ok = with_retries(cfg, &j, send_outbox, f, n, e,
				    sizeof(e)) == 0;
			for (i = 0; i < n; i++) {
				free((char *)f[i].name);
				free(data[i]);
			}
		}
		snprintf(att, sizeof(att), "%d", j.attempts);
		{
			const char *v[7] = {db_get(r, k, db_col(r, "id")),
			    ok ? "delivered" : "failed", ok ? NULL : e, att,
			    ok ? "delivered on retry" : "retry failed", NULL,
			    NULL};

			if (db_exec(db, "INSERT INTO pars.report_deliveries"
			    " (run_id, period, audience, practice_code,"
			    " channel, destination, files, content_sha256,"
			    " summary, changes, status, reason, attempts,"
			    " delivered_at) SELECT run_id, period, audience,"
			    " practice_code, channel, destination, files,"
			    " content_sha256, summary, $5, $2, $3,"
			    " $4::integer, CASE WHEN $2 = 'delivered' THEN"
			    " now() END FROM pars.report_deliveries"
			    " WHERE id = $1::bigint", 5, v) < 0) {
				snprintf(err, errlen, "report retry: %s",
				    db_error(db));
				still = -1;
			}
		}
		if (verbose)
			printf("%-8s %s %-7s %s%s%s\n", j.code, period,
			    j.channel, ok ? "delivered" : "failed",
			    ok ? "" : ": ", ok ? "" : e);
		if (!ok && still >= 0)
			still++;
		free(j.dest);
		free(j.changes);
		free(j.dir);
		free(j.prefix);
		if (still < 0)
			break;
	}
	db_res_free(r);
	return still;
}

/* The civil date of a day number (Howard Hinnant's civil_from_days). */
static void
days_to_ymd(long days, int *y, int *m, int *d)
{
	long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int
report_schedule(const struct config *cfg, const char *today,
    struct fig_period out[3])
{
	char e[256], ym[32], yq[32], yesterday[48];
	long y, m, d, days;
	int n = 0, yy, mm, dd;

	y = strtol(today, NULL, 10);
	m = strtol(today + 5, NULL, 10);
	d = strtol(today + 8, NULL, 10);
	days = date_days(today);
	if (days == DATE_NONE)
		return 0;
	if (d > 1) {
		/* month to date, up to yesterday */
		snprintf(ym, sizeof(ym), "%04ld-%02ld", y % 10000, m % 100);
		if (figures_period_month(&out[n], ym, "nightly", e,
		    sizeof(e)) == 0) {
			days_to_ymd(days - 1, &yy, &mm, &dd);
			snprintf(yesterday, sizeof(yesterday),
			    "%04d-%02d-%02d", yy % 10000, mm % 100, dd % 100);
			memcpy(out[n].to, yesterday, sizeof(out[n].to) - 1);
			n++;
		}
	}
	if (d == cfg->reports.final_day) {
		long py = m == 1 ? y - 1 : y, pm = m == 1 ? 12 : m - 1;

		snprintf(ym, sizeof(ym), "%04ld-%02ld", py % 10000, pm % 100);
		if (figures_period_month(&out[n], ym, "monthly", e,
		    sizeof(e)) == 0)
			n++;
		if (m % 3 == 1) {
			long qy = m == 1 ? y - 1 : y, q = m == 1 ? 4 : (m - 1) / 3;

			snprintf(yq, sizeof(yq), "%04ld-Q%ld", qy % 10000, q % 10);
			if (figures_period_quarter(&out[n], yq, e,
			    sizeof(e)) == 0)
				n++;
		}
	}
	return n;
}
