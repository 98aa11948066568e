/*
 * notify.h - sd_notify(3) written to $NOTIFY_SOCKET directly (systemd's
 * notify-selfcontained-example), so no libsystemd is needed.
 */
#ifndef PARS_NOTIFY_H
#define PARS_NOTIFY_H

/* Sends a state string ("READY=1", "STOPPING=1", "WATCHDOG=1",
 * "STATUS=..."); does nothing when not run by systemd.  0 or -1. */
int notify_send(const char *state);
/* The watchdog interval in microseconds asked for by systemd, or 0. */
unsigned long long notify_watchdog_usec(void);

#endif
