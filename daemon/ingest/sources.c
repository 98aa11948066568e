/*
 * sources.c - polling the remote sources, once or in threads (see
 * sources.h).
 */
#include "sources.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "hub.h"
#include "intake.h"
#include "log.h"
#include "receipts.h"
#include "smime.h"
#include "xmalloc.h"

#define BACKOFF_MAX 300 /* seconds */

struct source *
sources_list(const struct config *cfg, size_t *n)
{
	struct source *v = xcalloc(cfg->sources.imap_n + cfg->sources.sftp_n +
	    1, sizeof(*v));
	size_t i, k = 0;

	for (i = 0; i < cfg->sources.imap_n; i++, k++) {
		const struct imap_source_cfg *c = &cfg->sources.imap[i];

		v[k].kind = "imap";
		v[k].name = c->name;
		v[k].cfg = c;
		v[k].poll_seconds = c->poll_seconds;
		v[k].poll = imap_poll;
		snprintf(v[k].label, sizeof(v[k].label), "imap:%s", c->name);
	}
	for (i = 0; i < cfg->sources.sftp_n; i++, k++) {
		const struct sftp_source_cfg *c = &cfg->sources.sftp[i];

		v[k].kind = "sftp";
		v[k].name = c->name;
		v[k].cfg = c;
		v[k].poll_seconds = c->poll_seconds;
		v[k].poll = sftp_poll;
		snprintf(v[k].label, sizeof(v[k].label), "sftp:%s", c->name);
	}
	*n = k;
	return v;
}

struct db *
source_db(struct source_ctx *x, char *err, size_t errlen)
{
	if (x->db != NULL && !db_ok(x->db)) {
		db_close(x->db);
		x->db = NULL;
	}
	if (x->db == NULL)
		x->db = hub_connect(x->hub, err, errlen);
	return x->db;
}

int
source_commit(struct source_ctx *x, struct intake_doc *docs, size_t n,
    char *err, size_t errlen)
{
	size_t i;

	if (source_db(x, err, errlen) == NULL)
		return -1;
	if (intake_commit(x->db, x->hub, docs, n, err, errlen) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (docs[i].duplicate)
			x->st.duplicates++;
		else
			x->st.documents++;
		if (docs[i].state != NULL &&
		    strcmp(docs[i].state, "quarantined") == 0 &&
		    !docs[i].duplicate)
			x->st.quarantined++;
	}
	return 0;
}

int
source_oversize(struct source_ctx *x, const unsigned char sha[32],
    long long size, const char *practice, const char *kept_at, char *err,
    size_t errlen)
{
	if (source_db(x, err, errlen) == NULL)
		return -1;
	if (intake_record_oversize(x->db, sha, size, x->label, practice,
	    kept_at, (long long)x->lim.max_bytes, err, errlen) < 0)
		return -1;
	x->st.oversize++;
	return 0;
}

int
source_poll_once(struct hub *hub, const struct source *s, struct db **db,
    struct smime *sm, const atomic_int *stop, struct fetch_stats *st,
    char *err, size_t errlen)
{
	struct source_ctx x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.hub = hub;
	x.label = s->label;
	x.db = *db;
	x.smime = sm;
	x.stop = stop;
	x.lim = hub->limits;
	rc = s->poll(s->cfg, &x, err, errlen);
	*db = x.db;
	*st = x.st;
	return rc;
}

/* The threads. */

struct job {
	pthread_t tid;
	struct sources *owner;
	const struct source *src; /* NULL: the receipts */
	struct smime *sm;
	int interval;
	int started;
};

struct sources {
	struct hub *hub;
	struct source *list;
	size_t n;
	struct job *jobs;
	size_t njobs;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned long generation; /* bumped by sources_wake */
	atomic_int stop;
	struct receipts_setup receipts;
};

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits until t, a wake-up or the stop.  Returns 1 when woken early. */
static int
wait_until(struct sources *s, double t, unsigned long *seen)
{
	int woken = 0;

	pthread_mutex_lock(&s->mu);
	while (!atomic_load(&s->stop) && s->generation == *seen && mono() < t) {
		struct timespec ts;
		double left = t - mono();

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)left;
		ts.tv_nsec += (long)((left - (double)(time_t)left) * 1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	}
	if (s->generation != *seen) {
		*seen = s->generation;
		woken = 1;
	}
	pthread_mutex_unlock(&s->mu);
	return woken;
}

static void
log_stats(const char *label, const struct fetch_stats *st)
{
	if (st->found == 0)
		return;
	log_info("%s: %d of %d taken in: %d new document(s), %d already "
	    "held, %d quarantined, %d over the size limit", label, st->taken,
	    st->found, st->documents, st->duplicates, st->quarantined,
	    st->oversize);
}

static void *
job_main(void *arg)
{
	struct job *j = arg;
	struct sources *s = j->owner;
	const char *label = j->src ? j->src->label : "receipts";
	struct db *db = NULL;
	unsigned long seen;
	double next = 0;
	int backoff = 0;
	char err[1024];

	pthread_mutex_lock(&s->mu);
	seen = s->generation;
	pthread_mutex_unlock(&s->mu);
	while (!atomic_load(&s->stop)) {
		struct fetch_stats st;
		int rc;

		wait_until(s, next, &seen);
		if (atomic_load(&s->stop))
			break;
		memset(&st, 0, sizeof(st));
		if (j->src != NULL)
			rc = source_poll_once(s->hub, j->src, &db, j->sm,
			    &s->stop, &st, err, sizeof(err));
		else
			rc = receipts_run(s->hub, &s->receipts, &db, &s->stop,
			    err, sizeof(err));
		log_stats(label, &st);
		if (rc < 0 && !atomic_load(&s->stop)) {
			backoff = backoff ? backoff * 2 : 2;
			if (backoff > BACKOFF_MAX)
				backoff = BACKOFF_MAX;
			log_warnx("%s: %s (trying again in %d s)", label, err,
			    backoff);
			next = mono() + backoff;
			if (db != NULL && !db_ok(db)) {
				db_close(db);
				db = NULL;
			}
			continue;
		}
		if (backoff > 0)
			log_info("%s: working again", label);
		backoff = 0;
		next = mono() + j->interval;
	}
	db_close(db);
	return NULL;
}

struct sources *
sources_start(struct hub *hub, char *err, size_t errlen)
{
	struct sources *s = xcalloc(1, sizeof(*s));
	pthread_condattr_t ca;
	size_t i;

	s->hub = hub;
	s->list = sources_list(hub->cfg, &s->n);
	s->jobs = xcalloc(s->n + 1, sizeof(*s->jobs));
	/* Everything from the configuration is taken here, in the main
	 * thread: a reload swaps hub->cfg under the threads' feet. */
	for (i = 0; i < s->n; i++) {
		s->jobs[i].src = &s->list[i];
		s->jobs[i].interval = s->list[i].poll_seconds;
		s->jobs[i].sm = smime_open(hub->cfg, err, errlen);
		if (s->jobs[i].sm == NULL) {
			while (i-- > 0)
				smime_close(s->jobs[i].sm);
			free(s->jobs);
			free(s->list);
			free(s);
			return NULL;
		}
	}
	s->njobs = s->n;
	receipts_setup(hub->cfg, &s->receipts);
	if (s->receipts.nlabels > 0) {
		s->jobs[s->njobs].src = NULL;
		s->jobs[s->njobs].interval = hub->cfg->receipts.interval_seconds;
		s->njobs++;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	for (i = 0; i < s->njobs; i++) {
		s->jobs[i].owner = s;
		if (pthread_create(&s->jobs[i].tid, NULL, job_main,
		    &s->jobs[i]) != 0)
			fatalx("could not start a source thread");
		s->jobs[i].started = 1;
	}
	for (i = 0; i < s->n; i++)
		log_info("%s: polling every %d s", s->list[i].label,
		    s->list[i].poll_seconds);
	return s;
}

void
sources_wake(struct sources *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->generation++;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void
sources_stop(struct sources *s)
{
	size_t i;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	atomic_store(&s->stop, 1);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < s->njobs; i++) {
		if (s->jobs[i].started)
			pthread_join(s->jobs[i].tid, NULL);
		smime_close(s->jobs[i].sm);
	}
	receipts_setup_free(&s->receipts);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s->jobs);
	free(s->list);
	free(s);
}
