/*
 * embedded.c - the embedded PostgreSQL cluster (see embedded.h).
 */
#include "embedded.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "xmalloc.h"

struct embedded {
	char *bindir, *datadir, *sockdir, *logfile;
	uid_t uid;
	gid_t gid;
	int as_other; /* run the tools as uid/gid */
	int started;  /* this process started the server */
};

/* The newest /usr/lib/postgresql/N/bin holding initdb. */
static char *
find_bindir(void)
{
	DIR *d = opendir("/usr/lib/postgresql");
	struct dirent *e;
	long best = -1;
	char *path = NULL;

	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		char *end, *cand;
		long v = strtol(e->d_name, &end, 10);

		if (*end != '\0' || end == e->d_name || v <= best)
			continue;
		cand = xasprintf("/usr/lib/postgresql/%s/bin/initdb", e->d_name);
		if (access(cand, X_OK) == 0) {
			best = v;
			free(path);
			path = xasprintf("/usr/lib/postgresql/%s/bin",
			    e->d_name);
		}
		free(cand);
	}
	closedir(d);
	return path;
}

/*
 * Runs argv (argv[0] a tool in bindir) as the cluster's user, output to
 * the log file.  Returns the exit status, or -1.
 */
static int
run_tool(struct embedded *h, char *const argv[])
{
	pid_t pid;
	int status;
	char *tool = xasprintf("%s/%s", h->bindir, argv[0]);

	pid = fork();
	if (pid < 0) {
		log_warn("embedded database: fork");
		free(tool);
		return -1;
	}
	if (pid == 0) {
		int fd = open(h->logfile, O_WRONLY | O_APPEND | O_CREAT |
		    O_CLOEXEC, 0600);

		if (h->as_other && (setgroups(0, NULL) < 0 ||
		    setgid(h->gid) < 0 || setuid(h->uid) < 0))
			_exit(126);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		/* PostgreSQL tools want a working directory they can read. */
		if (chdir(h->datadir) < 0 && chdir("/") < 0)
			_exit(126);
		execv(tool, argv);
		_exit(127);
	}
	free(tool);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Makes dir (mode 0700), owned by the cluster's user. */
static int
make_dir(struct embedded *h, const char *dir, char *err, size_t errlen)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "could not create \"%s\": %s", dir,
		    strerror(errno));
		return -1;
	}
	if (h->as_other && chown(dir, h->uid, h->gid) < 0) {
		snprintf(err, errlen, "could not give \"%s\" to the database "
		    "user: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* The unprivileged user must be able to reach its directories. */
static int
check_reachable(struct embedded *h, const char *state_dir, char *err,
    size_t errlen)
{
	char *copy = xstrdup(state_dir), *p;
	struct stat st;
	int rc = 0;

	if (!h->as_other) {
		free(copy);
		return 0;
	}
	for (p = copy + strlen(copy); p > copy; p = strrchr(copy, '/')) {
		*p = '\0';
		if (*copy == '\0')
			break;
		if (stat(copy, &st) == 0 && !(st.st_mode & S_IXOTH) &&
		    st.st_uid != h->uid) {
			snprintf(err, errlen, "the embedded database runs as an "
			    "unprivileged user who cannot enter \"%s\" (mode "
			    "%03o): choose a state_dir outside it", copy,
			    (unsigned)(st.st_mode & 0777));
			rc = -1;
			break;
		}
	}
	free(copy);
	return rc;
}

static int
create_database(const char *sockdir, char *err, size_t errlen)
{
	char *dsn = xasprintf("host=%s dbname=postgres user=pars", sockdir);
	struct db *db = db_open(dsn, NULL, err, errlen);
	struct db_res *r;
	int rc = -1;
	const char *name = "pars";

	free(dsn);
	if (db == NULL)
		return -1;
	r = db_query(db, "SELECT 1 FROM pg_catalog.pg_database "
	    "WHERE datname = $1", 1, &name);
	if (r == NULL) {
		snprintf(err, errlen, "embedded database: %s", db_error(db));
	} else if (db_nrows(r) == 1) {
		rc = 0;
	} else if (db_exec_script(db, "CREATE DATABASE pars") < 0 &&
	    strcmp(db_sqlstate(db), "42P04") != 0) {
		snprintf(err, errlen, "embedded database: could not create "
		    "database pars: %s", db_error(db));
	} else {
		rc = 0;
	}
	db_res_free(r);
	db_close(db);
	return rc;
}

struct embedded *
embedded_start(const struct config *cfg, char *dsn, size_t dsnlen, char *err,
    size_t errlen)
{
	struct embedded *h = xcalloc(1, sizeof(*h));
	char *pgversion = NULL, *opts = NULL;
	struct stat st;

	h->bindir = cfg->database.embedded_bindir &&
		*cfg->database.embedded_bindir
	    ? xstrdup(cfg->database.embedded_bindir)
	    : find_bindir();
	if (h->bindir == NULL) {
		snprintf(err, errlen, "no PostgreSQL server found under "
		    "/usr/lib/postgresql (install postgresql, or set "
		    "database.dsn or database.embedded_bindir)");
		goto fail;
	}
	h->datadir = xasprintf("%s/pgdata", cfg->state_dir);
	h->sockdir = xasprintf("%s/pgsock", cfg->state_dir);
	h->logfile = xasprintf("%s/postgresql.log", cfg->state_dir);
	if (strlen(h->sockdir) + sizeof("/.s.PGSQL.5432") > 107) {
		snprintf(err, errlen, "state_dir \"%s\" is too long for a "
		    "PostgreSQL socket path (at most about 80 characters)",
		    cfg->state_dir);
		goto fail;
	}
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam(cfg->database.embedded_user);

		if (pw == NULL || pw->pw_uid == 0) {
			snprintf(err, errlen, "PostgreSQL will not run as root "
			    "and database.embedded_user \"%s\" is not an "
			    "unprivileged user on this host (create it, e.g. "
			    "useradd --system %s)",
			    cfg->database.embedded_user,
			    cfg->database.embedded_user);
			goto fail;
		}
		h->uid = pw->pw_uid;
		h->gid = pw->pw_gid;
		h->as_other = 1;
	}
	if (check_reachable(h, h->datadir, err, errlen) < 0)
		goto fail;
	if (mkdir(cfg->state_dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "could not create state_dir \"%s\": %s",
		    cfg->state_dir, strerror(errno));
		goto fail;
	}
	if (make_dir(h, h->datadir, err, errlen) < 0 ||
	    make_dir(h, h->sockdir, err, errlen) < 0)
		goto fail;
	{
		int fd = open(h->logfile, O_WRONLY | O_APPEND | O_CREAT |
		    O_CLOEXEC, 0600);

		if (fd >= 0) {
			if (h->as_other && fchown(fd, h->uid, h->gid) < 0)
				log_warn("embedded database: chown %s",
				    h->logfile);
			close(fd);
		}
	}
	pgversion = xasprintf("%s/PG_VERSION", h->datadir);
	if (stat(pgversion, &st) < 0) {
		char *argv[] = {"initdb", "-D", h->datadir, "-U", "pars", "-A",
		    "trust", "-E", "UTF8", "--locale=C", NULL};

		log_info("embedded database: creating a cluster in %s",
		    h->datadir);
		if (run_tool(h, argv) != 0) {
			snprintf(err, errlen, "initdb failed: see %s",
			    h->logfile);
			goto fail;
		}
	}
	{
		char *argv[] = {"pg_ctl", "-D", h->datadir, "status", NULL};

		if (run_tool(h, argv) != 0) {
			char *sargv[] = {"pg_ctl", "-D", h->datadir, "-l",
			    h->logfile, "-w", "-t", "60", "-o", NULL, "start",
			    NULL};

			opts = xasprintf("-c listen_addresses='' -k %s "
			    "-c unix_socket_permissions=0700 -c jit=off", h->sockdir);
			sargv[9] = opts;
			if (run_tool(h, sargv) != 0) {
				snprintf(err, errlen, "the embedded PostgreSQL "
				    "did not start: see %s", h->logfile);
				goto fail;
			}
			h->started = 1;
			log_info("embedded database: started (socket in %s)",
			    h->sockdir);
		}
	}
	if (create_database(h->sockdir, err, errlen) < 0)
		goto fail;
	snprintf(dsn, dsnlen, "host=%s dbname=pars user=pars", h->sockdir);
	free(pgversion);
	free(opts);
	return h;
fail:
	free(pgversion);
	free(opts);
	embedded_stop(h);
	return NULL;
}

static void
embedded_free(struct embedded *h)
{
	free(h->bindir);
	free(h->datadir);
	free(h->sockdir);
	free(h->logfile);
	free(h);
}

void
embedded_stop(struct embedded *h)
{
	if (h == NULL)
		return;
	if (h->started) {
		char *argv[] = {"pg_ctl", "-D", h->datadir, "-m", "fast", "-w",
		    "stop", NULL};

		if (run_tool(h, argv) != 0)
			log_warnx("embedded database: pg_ctl stop failed: see "
			    "%s", h->logfile);
		else
			log_info("embedded database: stopped");
	}
	embedded_free(h);
}

