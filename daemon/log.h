/*
 * log.h - the tiny logging API (after OpenBSD's log.c).
 *
 * Lines go to stderr, one write(2) each so threads do not interleave.
 * Under systemd (JOURNAL_STREAM set) each line starts with a <N> priority
 * that journald reads.  Put context in the line ("document 42: ...");
 * never a patient identifier.
 */
#ifndef PARS_LOG_H
#define PARS_LOG_H

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7 };

/* level: the most verbose level printed. */
void log_init(int level);
void log_setlevel(int level);
/* Returns the level named ("error", "warning", "info", "debug") or -1. */
int log_level_from_name(const char *name);

/* log_warn and fatal append ": strerror(errno)". */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif
