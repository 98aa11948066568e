/*
 * hub.c - start-up shared by parsd and pars (see hub.h).
 */
#include "hub.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "db.h"
#include "embedded.h"
#include "log.h"
#include "migrate.h"
#include "xmalloc.h"

void
hub_limits(const struct config *cfg, struct parse_limits *lim)
{
	parse_limits_default(lim);
	lim->max_bytes = (size_t)cfg->limits.max_document_bytes;
	lim->max_depth = (unsigned)cfg->limits.max_depth;
	lim->max_nodes = (size_t)cfg->limits.max_nodes;
	lim->max_referrals = (size_t)cfg->limits.max_referrals;
	lim->max_field = (size_t)cfg->limits.max_field_bytes;
}

/* Makes the directory holding a key file (0700) when it is missing. */
static void
key_dir(const char *file)
{
	char *dir = xstrdup(file), *slash = strrchr(dir, '/');

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			log_warn("could not create %s", dir);
	}
	free(dir);
}

static int
load_keys(struct hub *hub, char *err, size_t errlen)
{
	const struct config *c = hub->cfg;
	char e[512];

	if (c->keys.create_missing) {
		if (mkdir(c->state_dir, 0755) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "could not create state_dir "
			    "\"%s\": %s", c->state_dir, strerror(errno));
			return -1;
		}
		key_dir(c->keys.pseudonym_key_file);
		key_dir(c->keys.archive_key_file);
	}
	if (key_load(c->keys.pseudonym_key_file, c->keys.create_missing,
	    hub->pseudonym_key, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "pseudonym key: %s", e);
		return -1;
	}
	if (key_load(c->keys.archive_key_file, c->keys.create_missing,
	    hub->archive_key, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "archive key: %s", e);
		return -1;
	}
	if (memcmp(hub->pseudonym_key, hub->archive_key, KEY_LEN) == 0) {
		snprintf(err, errlen, "the pseudonym key and the archive key "
		    "must be different keys");
		return -1;
	}
	key_id(hub->archive_key, hub->archive_key_id);
	hub->have_keys = 1;
	return 0;
}

struct hub *
hub_open(struct config *cfg, int flags, char *err, size_t errlen)
{
	struct hub *hub = xcalloc(1, sizeof(*hub));

	hub->cfg = cfg;
	hub_limits(cfg, &hub->limits);
	if ((flags & HUB_KEYS) && load_keys(hub, err, errlen) < 0)
		goto fail;
	if (flags & HUB_DATABASE) {
		if (cfg->database.password_file != NULL &&
		    *cfg->database.password_file != '\0') {
			char e[512];

			hub->password = secret_file_read(
			    cfg->database.password_file, e, sizeof(e));
			if (hub->password == NULL) {
				snprintf(err, errlen, "database password: %s",
				    e);
				goto fail;
			}
		}
		if (cfg->database.dsn[0] == '\0') {
			hub->emb = embedded_start(cfg, hub->dsn,
			    sizeof(hub->dsn), err, errlen);
			if (hub->emb == NULL)
				goto fail;
		} else {
			snprintf(hub->dsn, sizeof(hub->dsn), "%s",
			    cfg->database.dsn);
		}
	}
	if (flags & HUB_MIGRATE) {
		struct db *db = hub_connect(hub, err, errlen);
		int n;

		if (db == NULL)
			goto fail;
		n = migrate_apply(db, 0);
		db_close(db);
		if (n < 0) {
			snprintf(err, errlen, "database migrations failed (see "
			    "the log above)");
			goto fail;
		}
		if (n > 0)
			log_info("applied %d database migration(s)", n);
	}
	return hub;
fail:
	hub_close(hub);
	return NULL;
}

struct db *
hub_connect(struct hub *hub, char *err, size_t errlen)
{
	return db_open(hub->dsn, hub->password, err, errlen);
}

static void
hub_free(struct hub *hub)
{
	wipe(hub->pseudonym_key, KEY_LEN);
	wipe(hub->archive_key, KEY_LEN);
	if (hub->password != NULL) {
		wipe(hub->password, strlen(hub->password));
		free(hub->password);
	}
	config_free(hub->cfg);
	free(hub);
}

void
hub_close(struct hub *hub)
{
	if (hub == NULL)
		return;
	embedded_stop(hub->emb);
	hub_free(hub);
}

