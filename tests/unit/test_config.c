/*
 * test_config.c - configuration: defaults, every kind of error names the
 * file, line and key, and the environment overrides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "t.h"

static char path[] = "/tmp/pars-test-config-XXXXXX";

#include "tconfig.h"

int
main(void)
{
	char err[1024];
	struct config *c;
	int fd = mkstemp(path);

	close(fd);
	c = load("state_dir: /var/lib/x\n"
	    "spool:\n  dir: /srv/drop\n  batch_bytes: 4M\n"
	    "processing:\n  workers: 3\n", err, sizeof(err));
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK_STR(c->state_dir, "/var/lib/x");
		CHECK_STR(c->spool.dir, "/srv/drop");
		CHECK_INT(c->spool.batch_bytes, 4L << 20);
		CHECK_INT(c->processing.workers, 3);
		CHECK_INT(c->processing.batch, 64);
		CHECK_STR(c->database.dsn, "");
		CHECK_STR(c->keys.pseudonym_key_file,
		    "/var/lib/x/keys/pseudonym.key");
		config_free(c);
	}
	expect_error("state_dir: /x\nspool:\n  dri: /y\n",
	    ":3: key 'spool.dri': unknown key");
	expect_error("state_dir: /x\nprocessing:\n  workers: many\n",
	    ":3: key 'processing.workers': must be a whole number");
	expect_error("state_dir: /x\nprocessing:\n  workers: 0\n",
	    "key 'processing.workers': must be between 1 and 64");
	expect_error("state_dir: /x\nspool: /y\n",
	    ":2: key 'spool': must be a section of keys");
	expect_error("log_level: info\n",
	    ":1: key 'state_dir': is required but missing");
	expect_error("state_dir: /x\nlog_level: loud\n",
	    "key 'log_level': must be error, warning, info or debug");
	expect_error("state_dir: /x\nstate_dir: /y\n",
	    ":2: key 'state_dir' appears twice");
	expect_error("state_dir: /x\ndatabase:\n  dsn: \"host=h password=p\"\n",
	    "must not hold a password");
	expect_error("state_dir: /x\nspool:\n  dir: [a\n", "YAML syntax");
	expect_error("state_dir: /x\nkeys:\n  create_missing: perhaps\n",
	    ":3: key 'keys.create_missing': must be true or false");
	setenv("PARS_DATABASE_DSN", "host=/tmp dbname=other", 1);
	c = load("state_dir: /x\ndatabase:\n  dsn: \"dbname=mine\"\n", err,
	    sizeof(err));
	CHECK(c != NULL);
	if (c != NULL)
		CHECK_STR(c->database.dsn, "host=/tmp dbname=other");
	config_free(c);
	unsetenv("PARS_DATABASE_DSN");
	unlink(path);
	return t_done("test_config");
}
