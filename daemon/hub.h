/*
 * hub.h - what both programs need to start: the configuration, the keys
 * and the database (embedded or by DSN).
 */
#ifndef PARS_HUB_H
#define PARS_HUB_H

#include <stddef.h>

#include "crypto.h"
#include "parser.h"

struct config;
struct db;
struct embedded;

struct hub {
	struct config *cfg;
	unsigned char pseudonym_key[KEY_LEN];
	unsigned char archive_key[KEY_LEN];
	char archive_key_id[9];
	int have_keys;
	struct embedded *emb;
	char dsn[1024];
	char *password; /* from database.password_file, or NULL */
	struct parse_limits limits;
};

enum {
	HUB_KEYS = 1,	  /* load (or create) the keys */
	HUB_DATABASE = 2, /* start the embedded database if no DSN */
	HUB_MIGRATE = 4,  /* apply pending migrations */
};

/*
 * Opens the hub on cfg (takes ownership).  Returns the hub (close with
 * hub_close) or NULL with err set; cfg is freed then too.
 */
struct hub *hub_open(struct config *cfg, int flags, char *err, size_t errlen);
/* A new database connection (caller closes), or NULL with err set. */
struct db *hub_connect(struct hub *hub, char *err, size_t errlen);
/* Stops the embedded database if this process started it. */
void hub_close(struct hub *hub);
/* Parse limits from the configuration. */
void hub_limits(const struct config *cfg, struct parse_limits *lim);

#endif
