/*
 * cli_demo.c - pars demo: the hub's main job on its embedded default.
 *
 * Makes a private configuration under a demo directory, starts the
 * embedded PostgreSQL, starts the real daemon (parsd) on it, drops the
 * bundled sample referrals into the practices' drop directories the way
 * an SFTP client does (write NAME.part, rename), waits until every one is
 * stored or quarantined, prints what was stored, and stops everything.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "db.h"
#include "figures.h"
#include "hub.h"
#include "ident.h"
#include "log.h"
#include "refload.h"
#include "run.h"
#include "xmalloc.h"

#define DEMO_MARKER ".pars-demo"

static int
run(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Empties a previous demo directory (only one that has our marker). */
static int
prepare_dir(const char *dir)
{
	char *marker = xasprintf("%s/%s", dir, DEMO_MARKER);
	struct stat st;
	int fd;

	if (stat(dir, &st) == 0) {
		if (access(marker, F_OK) < 0) {
			fprintf(stderr, "pars demo: %s exists and is not a demo "
			    "directory: choose another with --dir\n", dir);
			free(marker);
			return -1;
		}
		{
			char *argv[] = {"rm", "-rf", "--", (char *)dir, NULL};

			if (run(argv) != 0) {
				fprintf(stderr, "pars demo: could not clear "
				    "%s\n", dir);
				free(marker);
				return -1;
			}
		}
	}
	if (mkdir(dir, 0755) < 0) {
		fprintf(stderr, "pars demo: could not create %s: %s\n", dir,
		    strerror(errno));
		free(marker);
		return -1;
	}
	fd = open(marker, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd >= 0)
		close(fd);
	free(marker);
	return 0;
}

static char *
write_config(const char *dir)
{
	char *path = xasprintf("%s/parsd.yaml", dir);
	FILE *fp = fopen(path, "w");

	if (fp == NULL) {
		fprintf(stderr, "pars demo: could not write %s: %s\n", path,
		    strerror(errno));
		free(path);
		return NULL;
	}
	fprintf(fp, "# Written by pars demo: the embedded default.\n"
	    "state_dir: %s/state\n"
	    "log_level: info\n"
	    "database:\n"
	    "  dsn: \"\"        # empty: the embedded PostgreSQL\n"
	    "spool:\n"
	    "  dir: %s/spool\n"
	    "  rescan_seconds: 2\n"
	    "  settle_seconds: 1\n"
	    "rules:\n"
	    "  dir: %s\n", dir, dir, PARS_SOURCE_DIR "/conf/rules");
	fclose(fp);
	return path;
}

/* Copies src to dst the way an SFTP upload lands: NAME.part, rename. */
static int
drop_file(const char *src, const char *dstdir, const char *name)
{
	char *part = xasprintf("%s/%s.part", dstdir, name);
	char *dst = xasprintf("%s/%s", dstdir, name);
	char buf[65536];
	int in, out, rc = -1;
	ssize_t n;

	if ((in = open(src, O_RDONLY)) < 0)
		goto done;
	if ((out = open(part, O_WRONLY | O_CREAT | O_TRUNC, 0640)) < 0) {
		close(in);
		goto done;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	close(in);
	if (close(out) == 0 && n == 0 && rename(part, dst) == 0)
		rc = 0;
done:
	if (rc < 0)
		fprintf(stderr, "pars demo: could not drop %s: %s\n", src,
		    strerror(errno));
	free(part);
	free(dst);
	return rc;
}

/* Drops every sample (samples/<ODS>/<file>); returns how many. */
static int
drop_samples(const char *samples, const char *spool)
{
	DIR *d = opendir(samples), *pd;
	struct dirent *e, *f;
	int n = 0;

	if (d == NULL) {
		fprintf(stderr, "pars demo: no sample data in %s: %s\n",
		    samples, strerror(errno));
		return -1;
	}
	if (mkdir(spool, 0755) < 0 && errno != EEXIST)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char *src, *dst;

		if (!ods_is_practice(e->d_name))
			continue;
		src = xasprintf("%s/%s", samples, e->d_name);
		dst = xasprintf("%s/%s", spool, e->d_name);
		if (mkdir(dst, 0755) < 0 && errno != EEXIST) {
			free(src);
			free(dst);
			continue;
		}
		if ((pd = opendir(src)) != NULL) {
			while ((f = readdir(pd)) != NULL) {
				char *file;

				if (f->d_name[0] == '.')
					continue;
				file = xasprintf("%s/%s", src, f->d_name);
				if (drop_file(file, dst, f->d_name) == 0)
					n++;
				free(file);
			}
			closedir(pd);
		}
		free(src);
		free(dst);
	}
	closedir(d);
	return n;
}

/* Makes every sample practice a member of the demo hub. */
static void
register_practices(struct db *db, const char *samples)
{
	DIR *d = opendir(samples);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (ods_is_practice(e->d_name) &&
		    cli_practice_add(db, e->d_name, NULL, NULL, "demo") < 0)
			fprintf(stderr, "pars demo: %s\n", db_error(db));
	closedir(d);
}

static pid_t
start_daemon(const char *config)
{
	char self[PATH_MAX], *slash, *parsd;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	pid_t pid;

	if (n < 0)
		return -1;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	parsd = xasprintf("%s/parsd", self);
	pid = fork();
	if (pid == 0) {
		execl(parsd, "parsd", "-c", config, (char *)NULL);
		fprintf(stderr, "pars demo: could not run %s: %s\n", parsd,
		    strerror(errno));
		_exit(127);
	}
	free(parsd);
	return pid;
}

/* Waits until n documents arrived and none is waiting; 0 or -1. */
static int
wait_done(struct db *db, int n, pid_t daemon, int timeout_s)
{
	time_t end = time(NULL) + timeout_s;
	struct db_res *r;
	int status;

	while (time(NULL) < end) {
		long long total, waiting;

		if (waitpid(daemon, &status, WNOHANG) == daemon) {
			fprintf(stderr, "pars demo: the daemon exited early\n");
			return -1;
		}
		r = db_query(db, "SELECT count(*) AS total, count(*) FILTER "
		    "(WHERE state = 'received') AS waiting FROM pars.documents",
		    0, NULL);
		if (r == NULL)
			return -1;
		total = db_getll(r, 0, db_col(r, "total"), 0);
		waiting = db_getll(r, 0, db_col(r, "waiting"), 0);
		db_res_free(r);
		if (total >= n && waiting == 0)
			return 0;
		usleep(200 * 1000);
	}
	fprintf(stderr, "pars demo: timed out waiting for the daemon\n");
	return -1;
}

static void
print_summary(struct db *db)
{
	struct db_res *r;
	size_t i;

	r = db_query(db, "SELECT coalesce(d.practice_ods, '-') AS practice,"
	    " count(*) AS docs,"
	    " count(*) FILTER (WHERE d.state = 'stored') AS stored,"
	    " count(*) FILTER (WHERE d.state = 'quarantined') AS quarantined,"
	    " coalesce(sum(d.n_referrals), 0) AS referrals,"
	    " string_agg(DISTINCT d.format, ', ') AS formats"
	    " FROM pars.documents d GROUP BY 1 ORDER BY 1", 0, NULL);
	if (r == NULL)
		return;
	printf("\n%-8s %9s %7s %11s %9s  %s\n", "practice", "documents",
	    "stored", "quarantined", "referrals", "formats");
	for (i = 0; i < db_nrows(r); i++)
		printf("%-8s %9s %7s %11s %9s  %s\n",
		    db_get(r, i, db_col(r, "practice")),
		    db_get(r, i, db_col(r, "docs")),
		    db_get(r, i, db_col(r, "stored")),
		    db_get(r, i, db_col(r, "quarantined")),
		    db_get(r, i, db_col(r, "referrals")),
		    db_get(r, i, db_col(r, "formats")) ?
		    db_get(r, i, db_col(r, "formats")) : "-");
	db_res_free(r);
	r = db_query(db, "SELECT r.practice_ods, coalesce(r.source_id, '-') AS"
	    " source_id, coalesce(r.referral_date::text, '-') AS date,"
	    " coalesce(r.priority, '-') AS priority,"
	    " coalesce(r.tfc_sent, r.ers_specialty, r.specialty_text, '-') AS"
	    " specialty, coalesce(r.provider_ods, '-') AS provider,"
	    " left(r.patient_pseudonym, 12) AS pseudonym"
	    " FROM pars.referrals r WHERE r.is_current"
	    " ORDER BY r.practice_ods, r.referral_date, r.id LIMIT 12", 0, NULL);
	if (r == NULL)
		return;
	printf("\nSome stored referrals (patients appear only as "
	    "pseudonyms):\n%-8s %-16s %-10s %-13s %-20s %-8s %s\n", "practice",
	    "source id", "date", "priority", "specialty", "provider",
	    "pseudonym");
	for (i = 0; i < db_nrows(r); i++)
		printf("%-8s %-16.16s %-10s %-13s %-20.20s %-8s %s...\n",
		    db_get(r, i, 0), db_get(r, i, 1), db_get(r, i, 2),
		    db_get(r, i, 3), db_get(r, i, 4), db_get(r, i, 5),
		    db_get(r, i, 6) ? db_get(r, i, 6) : "(none)");
	db_res_free(r);
	r = db_query(db, "SELECT id, reason FROM pars.documents"
	    " WHERE state = 'quarantined' ORDER BY id", 0, NULL);
	if (r == NULL)
		return;
	if (db_nrows(r) > 0)
		printf("\nQuarantined (each with what to do):\n");
	for (i = 0; i < db_nrows(r); i++)
		printf("  document %s: %s\n", db_get(r, i, 0), db_get(r, i, 1));
	db_res_free(r);
}

/* Runs the practices' reports for the demo's month into DIR/reports and
 * says where they are. */
static void
demo_reports(struct hub *hub, struct db *db, const char *dir)
{
	struct db_res *r = db_query(db, "SELECT to_char(max(referral_date),"
	    " 'YYYY-MM'), (SELECT min(code) FROM pars.practices WHERE active)"
	    " FROM pars.referrals WHERE is_current", 0, NULL);
	char code[16];
	struct fig_period p;
	struct run_result res;
	char err[1024];

	if (r == NULL || db_get(r, 0, 0) == NULL ||
	    figures_period_month(&p, db_get(r, 0, 0), "monthly", err,
	    sizeof(err)) < 0 || db_get(r, 0, 1) == NULL) {
		db_res_free(r);
		return;
	}
	snprintf(code, sizeof(code), "%s", db_get(r, 0, 1));
	db_res_free(r);
	free(hub->cfg->reports.outbox);
	hub->cfg->reports.outbox = xasprintf("%s/reports", dir);
	if (report_run(hub->cfg, db, &p, NULL, 0, 0, &res, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "pars demo: reports: %s\n", err);
		return;
	}
	printf("\nReports for %s (HTML, CSV and PDF for each practice, and "
	    "a locality summary): %d report(s) in %s/<practice>/%s/\n"
	    "  e.g. open %s/%s/%s/%s-%s.html\n", p.label, res.reports,
	    hub->cfg->reports.outbox, p.label, hub->cfg->reports.outbox,
	    code, p.label, code, p.label);
}

int
cmd_demo(const struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"samples", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0}};
	const char *dir = "/var/tmp/pars-demo";
	const char *samples = PARS_SOURCE_DIR "/conf/samples";
	char *config, *spool, err[1024];
	struct config *cfg;
	struct hub *hub;
	struct db *db;
	pid_t daemon;
	int ch, n, rc = 1, status;

	while ((ch = getopt_long(argc, argv, "d:s:", opts, NULL)) != -1) {
		if (ch == 'd')
			dir = optarg;
		else if (ch == 's')
			samples = optarg;
		else {
			fprintf(stderr, "usage: pars demo [--dir DIR] "
			    "[--samples DIR]\n");
			return 2;
		}
	}
	if (dir[0] != '/') {
		fprintf(stderr, "pars demo: --dir must be an absolute path\n");
		return 2;
	}
	if (prepare_dir(dir) < 0 || (config = write_config(dir)) == NULL)
		return 1;
	printf("PARS hub demo in %s\n", dir);
	if ((cfg = config_load(config, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	log_setlevel(LOG_LVL_WARN);
	printf("starting the embedded PostgreSQL...\n");
	fflush(stdout);
	hub = hub_open(cfg, HUB_KEYS | HUB_DATABASE | HUB_MIGRATE, err,
	    sizeof(err));
	if (hub == NULL) {
		fprintf(stderr, "pars demo: %s\n", err);
		return 1;
	}
	db = cli_db(hub);
	register_practices(db, samples);
	printf("loading the reference data in %s...\n", PARS_SOURCE_DIR
	    "/conf/refdata");
	err[0] = '\0';
	if (refload_dir(db, PARS_SOURCE_DIR "/conf/refdata", stdout, 1, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "pars demo: the reference data did not load%s%s"
		    "\n", err[0] ? ": " : "", err);
		goto out;
	}
	printf("starting parsd...\n");
	fflush(stdout);
	if ((daemon = start_daemon(config)) < 0) {
		fprintf(stderr, "pars demo: could not start parsd\n");
		goto out;
	}
	spool = xasprintf("%s/spool", dir);
	/* Let the daemon set up its watches before files arrive; the
	 * rescan would find them anyway. */
	usleep(500 * 1000);
	n = drop_samples(samples, spool);
	free(spool);
	if (n <= 0)
		goto stop;
	printf("dropped %d sample referral file(s) into the practices' drop "
	    "directories\n", n);
	fflush(stdout);
	if (wait_done(db, n, daemon, 120) < 0)
		goto stop;
	print_summary(db);
	printf("\n");
	cli_coding_report(db, NULL, NULL);
	demo_reports(hub, db, dir);
	rc = 0;
stop:
	kill(daemon, SIGTERM);
	waitpid(daemon, &status, 0);
out:
	db_close(db);
	hub_close(hub);
	if (rc == 0)
		printf("\nDone.  The hub's state is in %s (configuration %s); "
		    "the embedded database is stopped.\nSee it again with: "
		    "pars -c %s status\n", dir, config, config);
	free(config);
	return rc;
}
