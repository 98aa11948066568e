/*
 * embedded.h - a private PostgreSQL cluster under the state directory,
 * used when no database.dsn is configured (DESIGN.md, "Database").
 *
 * Unix socket only (listen_addresses=''), socket directory mode 0700.
 * PostgreSQL will not run as root: started by root, the cluster runs as
 * database.embedded_user.
 */
#ifndef PARS_EMBEDDED_H
#define PARS_EMBEDDED_H

#include <stddef.h>

struct config;
struct embedded;

/*
 * Creates the cluster if needed (initdb), starts it if it is not running,
 * and makes the database "pars".  Writes the DSN to use into dsn.
 * Returns a handle (stop it with embedded_stop) or NULL with err set.
 */
struct embedded *embedded_start(const struct config *cfg, char *dsn,
    size_t dsnlen, char *err, size_t errlen);
/* Stops the cluster if this process started it, then frees h. */
void embedded_stop(struct embedded *h);

#endif
