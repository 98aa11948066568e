/*
 * spool.c - practice drop directories: <spool.dir>/<ODS>/<file>, what
 * practices' SFTP uploads land in.
 *
 * A file is taken when the writer has finished with it: inotify reports
 * IN_CLOSE_WRITE or IN_MOVED_TO, or a rescan finds it untouched for
 * settle_seconds with nobody holding it open for writing (a read lease,
 * F_SETLEASE, is refused while any process has the file open for
 * writing).  Dotfiles, *.part, *.tmp and *.filepart are left alone.
 * Files are committed by intake in batches, and removed only after the
 * commit.
 */
#include "spool.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "hub.h"
#include "ident.h"
#include "intake.h"
#include "log.h"
#include "xmalloc.h"

#define SPOOL_MAXWATCH 4096

struct pending {
	char *practice; /* NULL for the spool root */
	char *name;
	int settled;	/* found by rescan: check age and writers */
};

struct spool {
	char *dir;
	int ifd;
	int root_wd;
	struct {
		int wd;
		char *practice;
	} watches[SPOOL_MAXWATCH];
	size_t nwatches;
	struct pending *q;
	size_t nq, capq;
	int settle_seconds, batch_files;
	size_t max_queue;
	long batch_bytes, max_bytes;
	int lease_ok; /* leases work for us (root or CAP_LEASE) */
	int capped;   /* files were left for a rescan: the queue was full */
};

static int
ignored_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.' || n == 0 || name[n - 1] == '~')
		return 1;
	if ((n > 5 && strcmp(name + n - 5, ".part") == 0) ||
	    (n > 4 && strcmp(name + n - 4, ".tmp") == 0) ||
	    (n > 9 && strcmp(name + n - 9, ".filepart") == 0))
		return 1;
	return 0;
}

/* The practice code a directory name stands for, or NULL. */
static char *
practice_of(const char *dirname)
{
	char code[8];
	size_t i, n = strlen(dirname);

	if (n != 6)
		return NULL;
	for (i = 0; i < n; i++)
		code[i] = (char)toupper((unsigned char)dirname[i]);
	code[n] = '\0';
	return ods_is_practice(code) ? xstrdup(code) : NULL;
}

static void
enqueue(struct spool *s, const char *practice, const char *name, int settled)
{
	struct pending *p;

	if (ignored_name(name))
		return;
	/* Beyond the cap files wait on disk for the next rescan, so memory
	 * does not grow with the backlog. */
	if (s->nq >= s->max_queue) {
		s->capped = 1;
		return;
	}
	if (s->nq == s->capq) {
		s->capq = s->capq ? s->capq * 2 : 64;
		s->q = xreallocarray(s->q, s->capq, sizeof(*s->q));
	}
	p = &s->q[s->nq++];
	p->practice = practice ? xstrdup(practice) : NULL;
	p->name = xstrdup(name);
	p->settled = settled;
}

static void
watch_practice(struct spool *s, const char *name)
{
	char *practice = practice_of(name), *path;
	int wd;
	size_t i;

	if (practice == NULL)
		return;
	path = xasprintf("%s/%s", s->dir, name);
	wd = inotify_add_watch(s->ifd, path, IN_CLOSE_WRITE | IN_MOVED_TO |
	    IN_ONLYDIR | IN_DONT_FOLLOW);
	free(path);
	if (wd < 0) {
		log_warn("spool: could not watch %s/%s", s->dir, name);
		free(practice);
		return;
	}
	for (i = 0; i < s->nwatches; i++)
		if (s->watches[i].wd == wd) {
			free(practice);
			return;
		}
	if (s->nwatches == SPOOL_MAXWATCH) {
		log_warnx("spool: more than %d practice directories: %s is "
		    "found by rescans only", SPOOL_MAXWATCH, name);
		free(practice);
		return;
	}
	s->watches[s->nwatches].wd = wd;
	s->watches[s->nwatches].practice = practice;
	s->nwatches++;
}

struct spool *
spool_open(const struct config *cfg, char *err, size_t errlen)
{
	struct spool *s = xcalloc(1, sizeof(*s));
	DIR *d;
	struct dirent *e;

	s->dir = xstrdup(cfg->spool.dir);
	s->settle_seconds = cfg->spool.settle_seconds;
	s->batch_files = cfg->spool.batch_files;
	s->batch_bytes = cfg->spool.batch_bytes;
	s->max_bytes = cfg->limits.max_document_bytes;
	s->max_queue = (size_t)cfg->spool.queue_files;
	s->lease_ok = 1;
	if (mkdir(s->dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "could not create spool directory "
		    "\"%s\": %s", s->dir, strerror(errno));
		goto fail;
	}
	if ((s->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		snprintf(err, errlen, "inotify: %s", strerror(errno));
		goto fail;
	}
	s->root_wd = inotify_add_watch(s->ifd, s->dir, IN_CREATE |
	    IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR);
	if (s->root_wd < 0) {
		snprintf(err, errlen, "could not watch \"%s\": %s", s->dir,
		    strerror(errno));
		goto fail;
	}
	if ((d = opendir(s->dir)) == NULL) {
		snprintf(err, errlen, "could not read \"%s\": %s", s->dir,
		    strerror(errno));
		goto fail;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			watch_practice(s, e->d_name);
	closedir(d);
	return s;
fail:
	spool_close(s);
	return NULL;
}

void
spool_reconfigure(struct spool *s, const struct config *cfg)
{
	s->settle_seconds = cfg->spool.settle_seconds;
	s->batch_files = cfg->spool.batch_files;
	s->batch_bytes = cfg->spool.batch_bytes;
	s->max_bytes = cfg->limits.max_document_bytes;
	s->max_queue = (size_t)cfg->spool.queue_files;
}

int
spool_fd(const struct spool *s)
{
	return s->ifd;
}

static const char *
practice_for_wd(const struct spool *s, int wd)
{
	size_t i;

	for (i = 0; i < s->nwatches; i++)
		if (s->watches[i].wd == wd)
			return s->watches[i].practice;
	return NULL;
}

int
spool_events(struct spool *s)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	char *p;
	int rescan = 0;

	for (;;) {
		n = read(s->ifd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				rescan = 1;
				continue;
			}
			if (ev->len == 0)
				continue;
			if (ev->wd == s->root_wd) {
				if (ev->mask & IN_ISDIR) {
					watch_practice(s, ev->name);
					rescan = 1; /* files may be in it */
				} else if (ev->mask & (IN_CLOSE_WRITE |
				    IN_MOVED_TO)) {
					enqueue(s, NULL, ev->name, 0);
				}
				continue;
			}
			if (ev->mask & IN_ISDIR)
				continue;
			{
				const char *practice = practice_for_wd(s,
				    ev->wd);

				if (practice != NULL)
					enqueue(s, practice, ev->name, 0);
			}
		}
	}
	return rescan;
}

static void
scan_dir(struct spool *s, const char *practice, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d == NULL) {
		log_warn("spool: could not read %s", path);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_type == DT_REG || e->d_type == DT_UNKNOWN)
			enqueue(s, practice, e->d_name, 1);
	closedir(d);
}

void
spool_rescan(struct spool *s)
{
	DIR *d = opendir(s->dir);
	struct dirent *e;

	if (d == NULL) {
		log_warn("spool: could not read %s", s->dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char *practice, *path;

		if (e->d_name[0] == '.')
			continue;
		if (e->d_type == DT_REG) {
			enqueue(s, NULL, e->d_name, 1);
			continue;
		}
		if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
			continue;
		if ((practice = practice_of(e->d_name)) == NULL) {
			if (e->d_type == DT_DIR)
				log_debug("spool: %s/%s is not named by a "
				    "practice code: ignored", s->dir,
				    e->d_name);
			continue;
		}
		watch_practice(s, e->d_name);
		path = xasprintf("%s/%s", s->dir, e->d_name);
		scan_dir(s, practice, path);
		free(path);
		free(practice);
	}
	closedir(d);
}

static char *
pending_path(const struct spool *s, const struct pending *p)
{
	/* The directory keeps the case it was created with: find it. */
	if (p->practice == NULL)
		return xasprintf("%s/%s", s->dir, p->name);
	{
		char *upper = xasprintf("%s/%s/%s", s->dir, p->practice,
		    p->name);
		char lower[8];
		size_t i;

		if (access(upper, F_OK) == 0)
			return upper;
		free(upper);
		for (i = 0; p->practice[i] != '\0' && i < 7; i++)
			lower[i] = (char)tolower((unsigned char)p->practice[i]);
		lower[i] = '\0';
		return xasprintf("%s/%s/%s", s->dir, lower, p->name);
	}
}

static int
cmp_pending(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	int c;

	c = strcmp(x->practice ? x->practice : "", y->practice ? y->practice
							     : "");
	return c ? c : strcmp(x->name, y->name);
}

/* 1 when another process has the file open for writing. */
static int
being_written(struct spool *s, int fd)
{
	if (!s->lease_ok)
		return 0;
	if (fcntl(fd, F_SETLEASE, F_RDLCK) < 0) {
		if (errno == EAGAIN || errno == EBUSY)
			return 1;
		/* Not the owner and no CAP_LEASE: rely on settle time. */
		s->lease_ok = 0;
		log_info("spool: file leases are not available (%s): files "
		    "found by rescan are taken once untouched for %d s",
		    strerror(errno), s->settle_seconds);
		return 0;
	}
	(void)fcntl(fd, F_SETLEASE, F_UNLCK);
	return 0;
}

/* Moves an oversize file aside and records it; the file is kept. */
static void
set_aside(struct spool *s, struct db *db, const struct pending *p,
    const char *path, int fd, long long size)
{
	char *dir = xasprintf("%s/.oversize", s->dir), *dest;
	char err[512];
	unsigned char sha[SHA256_LEN];

	if (sha256_fd(fd, sha) < 0) {
		log_warn("spool: could not read %s", path);
		free(dir);
		return;
	}
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		log_warn("spool: could not create %s", dir);
	dest = xasprintf("%s/%s-%s", dir, p->practice ? p->practice : "root",
	    p->name);
	if (rename(path, dest) < 0) {
		log_warn("spool: could not move oversize file to %s", dest);
	} else if (intake_record_oversize(db, sha, size, "spool",
	    p->practice, dest, s->max_bytes, err, sizeof(err)) < 0) {
		log_warnx("spool: %s", err);
	} else {
		log_warnx("spool: practice %s: a file of %lld bytes is over "
		    "the limit: kept in %s and recorded as quarantined",
		    p->practice ? p->practice : "(none)", size, dir);
	}
	free(dir);
	free(dest);
}

/*
 * Reads one queued file if it is ready.  Returns 1 with *data set, 0 when
 * it is not there or not ready (left for later), -1 on a read error.
 */
static int
read_ready(struct spool *s, struct db *db, const struct pending *p,
    const char *path, unsigned char **data, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ELOOP) {
			log_warnx("spool: %s is a symbolic link: refused and "
			    "left in place", path);
			return 0;
		}
		log_warn("spool: could not open %s", path);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	if (p->settled && time(NULL) - st.st_mtime < s->settle_seconds) {
		close(fd);
		return 0;
	}
	if (being_written(s, fd)) {
		close(fd);
		return 0;
	}
	if (st.st_size > s->max_bytes) {
		set_aside(s, db, p, path, fd, (long long)st.st_size);
		close(fd);
		return 0;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		log_warnx("spool: %s changed size while being read: left for "
		    "the next pass", path);
		free(buf);
		return 0;
	}
	*data = buf;
	*len = got;
	return 1;
}

static void
pending_free(struct pending *p)
{
	free(p->practice);
	free(p->name);
}

int
spool_drain(struct spool *s, struct hub *hub, struct db *db)
{
	struct intake_doc *docs;
	char **paths;
	size_t i, j, nd = 0, taken = 0;
	long bytes = 0;
	char err[1024];
	int rc = 0;

	if (s->nq == 0)
		return 0;
	qsort(s->q, s->nq, sizeof(*s->q), cmp_pending);
	docs = xcalloc((size_t)s->batch_files, sizeof(*docs));
	paths = xcalloc((size_t)s->batch_files, sizeof(*paths));
	for (i = 0; i <= s->nq; i++) {
		int flush = i == s->nq || nd == (size_t)s->batch_files ||
		    bytes >= s->batch_bytes;

		if (flush && nd > 0) {
			if (intake_commit(db, hub, docs, nd, err,
			    sizeof(err)) < 0) {
				log_warnx("spool: %s: the files stay in the "
				    "drop directories for the next rescan",
				    err);
				rc = -1;
			} else {
				for (j = 0; j < nd; j++) {
					if (unlink(paths[j]) < 0 &&
					    errno != ENOENT)
						log_warn("spool: document "
						    "%lld is stored but %s "
						    "could not be removed",
						    docs[j].id, paths[j]);
					log_debug("spool: document %lld%s from "
					    "practice %s", docs[j].id,
					    docs[j].duplicate ?
					    " (duplicate)" : "",
					    docs[j].practice_ods ?
					    docs[j].practice_ods : "-");
				}
				taken += nd;
			}
			for (j = 0; j < nd; j++) {
				free((void *)docs[j].data);
				free((void *)docs[j].name);
				free(paths[j]);
			}
			nd = 0;
			bytes = 0;
			if (rc < 0)
				break;
		}
		if (i == s->nq)
			break;
		if (i > 0 && cmp_pending(&s->q[i - 1], &s->q[i]) == 0)
			continue; /* queued twice */
		{
			unsigned char *data;
			size_t len;
			char *path = pending_path(s, &s->q[i]);

			if (read_ready(s, db, &s->q[i], path, &data, &len) !=
			    1) {
				free(path);
				continue;
			}
			docs[nd].data = data;
			docs[nd].len = len;
			docs[nd].source = "spool";
			docs[nd].practice_ods = s->q[i].practice;
			docs[nd].name = xasprintf("%s/%s", s->q[i].practice ?
			    s->q[i].practice : ".", s->q[i].name);
			docs[nd].parent_id = 0;
			paths[nd] = path;
			bytes += (long)len;
			nd++;
		}
	}
	/* Forget the queue: after a failed commit every file is still in
	 * its directory and the next rescan finds it again. */
	for (i = 0; i < s->nq; i++)
		pending_free(&s->q[i]);
	s->nq = 0;
	free(docs);
	free(paths);
	return rc < 0 ? -1 : (int)taken;
}

size_t
spool_queued(const struct spool *s)
{
	return s->nq;
}

int
spool_take_capped(struct spool *s)
{
	int c = s->capped;

	s->capped = 0;
	return c;
}

void
spool_close(struct spool *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->ifd > 0)
		close(s->ifd);
	for (i = 0; i < s->nwatches; i++)
		free(s->watches[i].practice);
	for (i = 0; i < s->nq; i++)
		pending_free(&s->q[i]);
	free(s->q);
	free(s->dir);
	free(s);
}
