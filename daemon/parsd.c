/*
 * parsd.c - the PARS hub daemon.
 *
 * Runs in the foreground for systemd (Type=notify).  The main thread
 * watches the drop directories and commits what arrives (intake); worker
 * threads claim and process received documents.  Signal handlers only set
 * flags: SIGTERM/SIGINT finish the work in hand and exit, SIGHUP reloads
 * the configuration.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config.h"
#include "db.h"
#include "hub.h"
#include "live.h"
#include "log.h"
#include "notify.h"
#include "process.h"
#include "spool.h"
#include "sources.h"
#include "archive.h"
#include "xmalloc.h"

static volatile sig_atomic_t got_term, got_hup;
static atomic_int stopping;

struct worker {
	pthread_t tid;
	int n;
	struct hub *hub;
	pthread_rwlock_t *live; /* held for reading while a batch runs */
};

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleeps up to ms, waking early when the daemon stops. */
static void
nap(int ms)
{
	while (ms > 0 && !atomic_load(&stopping)) {
		int step = ms > 200 ? 200 : ms;

		poll(NULL, 0, step);
		ms -= step;
	}
}

static struct db *
connect_retry(struct hub *hub, const char *who)
{
	char err[512];
	int backoff = 500;
	struct db *db;

	while (!atomic_load(&stopping)) {
		if ((db = hub_connect(hub, err, sizeof(err))) != NULL)
			return db;
		log_warnx("%s: %s (retrying in %d ms)", who, err, backoff);
		nap(backoff);
		if (backoff < 30000)
			backoff *= 2;
	}
	return NULL;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct process_stats st = {0, 0, 0};
	struct db *db = NULL;
	char who[32];
	int n, batch;

	snprintf(who, sizeof(who), "worker %d", w->n);
	while (!atomic_load(&stopping)) {
		if (db == NULL) {
			if ((db = connect_retry(w->hub, who)) == NULL)
				break;
			if (db_listen(db, "pars_work") < 0)
				log_warnx("%s: LISTEN failed: %s", who,
				    db_error(db));
		}
		pthread_rwlock_rdlock(w->live);
		batch = w->hub->cfg->processing.batch;
		n = process_batch(w->hub, db, batch, 0, &st);
		pthread_rwlock_unlock(w->live);
		if (n < 0) {
			log_warnx("%s: database trouble (%s): reconnecting",
			    who, db_error(db));
			db_close(db);
			db = NULL;
			nap(1000);
		} else if (n == 0) {
			if (db_wait_notify(db, 1000) < 0) {
				db_close(db);
				db = NULL;
			}
		}
	}
	log_debug("%s: stopping after %d stored, %d quarantined", who,
	    st.stored, st.quarantined);
	db_close(db);
	return NULL;
}

/* Reloads the configuration; keeps the old one if the new is bad. */
static void
reload(struct hub *hub, pthread_rwlock_t *live, struct spool *spool)
{
	char err[1024];
	struct config *c = config_load(hub->cfg->path, err, sizeof(err));

	if (c == NULL) {
		log_warnx("reload: %s: keeping the configuration in force",
		    err);
		return;
	}
	if (strcmp(c->database.dsn, hub->cfg->database.dsn) != 0 ||
	    strcmp(c->state_dir, hub->cfg->state_dir) != 0 ||
	    strcmp(c->spool.dir, hub->cfg->spool.dir) != 0 ||
	    c->processing.workers != hub->cfg->processing.workers ||
	    strcmp(c->keys.archive_key_file,
		hub->cfg->keys.archive_key_file) != 0 ||
	    strcmp(c->keys.pseudonym_key_file,
		hub->cfg->keys.pseudonym_key_file) != 0)
		log_warnx("reload: database, state_dir, spool.dir, keys and "
		    "processing.workers change only on restart");
	pthread_rwlock_wrlock(live);
	/* Keep what only a restart may change. */
	{
		struct config *old = hub->cfg;

		/* The source threads hold the running sources, smime and
		 * receipts: those change on restart. */
		config_swap_remote(c, old);
		char *keep[] = {old->database.dsn, old->state_dir,
		    old->spool.dir, old->keys.archive_key_file,
		    old->keys.pseudonym_key_file};

		old->database.dsn = c->database.dsn;
		old->state_dir = c->state_dir;
		old->spool.dir = c->spool.dir;
		old->keys.archive_key_file = c->keys.archive_key_file;
		old->keys.pseudonym_key_file = c->keys.pseudonym_key_file;
		c->database.dsn = keep[0];
		c->state_dir = keep[1];
		c->spool.dir = keep[2];
		c->keys.archive_key_file = keep[3];
		c->keys.pseudonym_key_file = keep[4];
		c->processing.workers = old->processing.workers;
		hub->cfg = c;
		hub_limits(c, &hub->limits);
		config_free(old);
	}
	pthread_rwlock_unlock(live);
	spool_reconfigure(spool, hub->cfg);
	log_setlevel(log_level_from_name(hub->cfg->log_level));
	log_info("reload: configuration reloaded from %s", hub->cfg->path);
}

static void
usage(void)
{
	fprintf(stderr, "usage: parsd [-n] [-c FILE]\n"
	    "  -c FILE  configuration (default $PARS_CONFIG or %s)\n"
	    "  -n       check the configuration and exit\n",
	    CONFIG_DEFAULT_PATH);
	exit(2);
}

int
main(int argc, char **argv)
{
	char err[1024], *path = NULL;
	const char *cpath = NULL;
	struct config *cfg;
	struct hub *hub;
	struct spool *spool;
	struct sources *sources;
	struct db *db = NULL;
	struct worker *workers;
	pthread_rwlock_t live = PTHREAD_RWLOCK_INITIALIZER;
	struct sigaction sa;
	sigset_t block, unblocked;
	unsigned long long wd_usec;
	double next_rescan = 0, next_purge, next_wd = 0, backoff_until = 0;
	int ch, check_only = 0, i, nworkers;

	while ((ch = getopt(argc, argv, "c:nh")) != -1) {
		switch (ch) {
		case 'c':
			cpath = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init(LOG_LVL_INFO);
	path = config_choose_path(cpath);
	if ((cfg = config_load(path, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	free(path);
	/* The rules, all or nothing like the configuration (issue 6). */
	if (assess_live_load(cfg->rules.dir, err, sizeof(err)) < 0)
		fatalx("%s", err);
	if (check_only) {
		printf("configuration OK\n");
		config_free(cfg);
		return 0;
	}
	log_setlevel(log_level_from_name(cfg->log_level));

	/* Signals: blocked everywhere, taken by the main thread's ppoll. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &unblocked);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	hub = hub_open(cfg, HUB_KEYS | HUB_DATABASE | HUB_MIGRATE, err,
	    sizeof(err));
	if (hub == NULL)
		fatalx("%s", err);
	if ((spool = spool_open(hub->cfg, err, sizeof(err))) == NULL) {
		hub_close(hub);
		fatalx("%s", err);
	}
	nworkers = hub->cfg->processing.workers;
	workers = xcalloc((size_t)nworkers, sizeof(*workers));
	for (i = 0; i < nworkers; i++) {
		workers[i].n = i + 1;
		workers[i].hub = hub;
		workers[i].live = &live;
		if (pthread_create(&workers[i].tid, NULL, worker_main,
		    &workers[i]) != 0)
			fatalx("could not start worker %d", i + 1);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((sources = sources_start(hub, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	wd_usec = notify_watchdog_usec();
	next_purge = now_s() + 60;
	log_info("parsd %s started: %d worker(s), drop directories in %s",
	    PARS_VERSION, nworkers, hub->cfg->spool.dir);
	notify_send("READY=1\nSTATUS=taking referrals");

	while (!got_term) {
		struct pollfd pfd = {.fd = spool_fd(spool), .events = POLLIN};
		struct timespec ts = {0, 200 * 1000 * 1000};
		double t;
		int rc;

		if (spool_queued(spool) > 0 && now_s() >= backoff_until)
			ts.tv_nsec = 0;
		rc = ppoll(&pfd, 1, &ts, &unblocked);
		if (rc < 0 && errno != EINTR)
			log_warn("ppoll");
		if (got_term)
			break;
		if (got_hup) {
			got_hup = 0;
			reload(hub, &live, spool);
			if (assess_live_load(hub->cfg->rules.dir, err,
			    sizeof(err)) < 0)
				log_warnx("reload: %s: the rules already loaded "
				    "stay in force", err);
			sources_wake(sources);
			next_rescan = 0;
		}
		t = now_s();
		if (rc > 0 && spool_events(spool))
			next_rescan = 0;
		if (t >= next_rescan) {
			spool_rescan(spool);
			next_rescan = t + hub->cfg->spool.rescan_seconds;
		}
		/* A full queue left files on disk: look again once drained. */
		if (spool_take_capped(spool))
			next_rescan = t;
		if (spool_queued(spool) > 0 && t >= backoff_until) {
			if (db == NULL &&
			    (db = hub_connect(hub, err, sizeof(err))) == NULL) {
				log_warnx("intake: %s (retrying in 5 s; files "
				    "wait in the drop directories)", err);
				backoff_until = t + 5;
				continue;
			}
			if (spool_drain(spool, hub, db) < 0) {
				/* Nothing was acknowledged: try again soon. */
				if (!db_ok(db)) {
					db_close(db);
					db = NULL;
				}
				backoff_until = t + 2;
				next_rescan = t + 2;
			}
		}
		if (t >= next_purge && db != NULL) {
			long n = archive_purge(db,
			    hub->cfg->archive.retention_days);

			if (n > 0)
				log_info("archive: purged the raw bytes of %ld "
				    "stored document(s) older than %d days", n,
				    hub->cfg->archive.retention_days);
			next_purge = t + 86400;
		}
		if (wd_usec > 0 && t >= next_wd) {
			notify_send("WATCHDOG=1");
			next_wd = t + (double)wd_usec / 2e6;
		}
	}

	log_info("stopping: finishing the work in hand");
	notify_send("STOPPING=1");
	atomic_store(&stopping, 1);
	sources_stop(sources);
	for (i = 0; i < nworkers; i++)
		pthread_join(workers[i].tid, NULL);
	free(workers);
	db_close(db);
	spool_close(spool);
	hub_close(hub);
	curl_global_cleanup();
	log_info("stopped");
	return 0;
}
