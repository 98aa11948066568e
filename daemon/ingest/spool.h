/*
 * spool.h - practice drop directories (<spool.dir>/<ODS>/), watched with
 * inotify and rescanned; files are removed only after intake commits.
 */
#ifndef PARS_SPOOL_H
#define PARS_SPOOL_H

#include <stddef.h>

struct config;
struct db;
struct hub;
struct spool;

/* Creates the spool directory if missing and starts watching it.
 * Returns the spool (close with spool_close) or NULL with err set. */
struct spool *spool_open(const struct config *cfg, char *err, size_t errlen);
/* Takes new settings after a reload. */
void spool_reconfigure(struct spool *s, const struct config *cfg);
/* The inotify descriptor to poll for reading. */
int spool_fd(const struct spool *s);
/* Reads pending inotify events and queues finished files.  Returns 1
 * when a rescan is needed (new directory, or events were lost). */
int spool_events(struct spool *s);
/* Queues every file in every practice directory (settle rule applies). */
void spool_rescan(struct spool *s);
/* Files queued and not yet taken. */
size_t spool_queued(const struct spool *s);
/* 1 (once) when files were left on disk because the queue was full: a
 * rescan after the next drain finds them. */
int spool_take_capped(struct spool *s);
/*
 * Takes in the queued files that are ready, in batches of one
 * transaction each, removing each file after its batch commits.  Returns
 * the number taken, or -1 when a commit failed (those files stay in their
 * directories for the next rescan).
 */
int spool_drain(struct spool *s, struct hub *hub, struct db *db);
void spool_close(struct spool *s);

#endif
