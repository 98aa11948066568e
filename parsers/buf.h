/*
 * buf.h - a growable byte buffer with a cap (curl's dynbuf idea).
 *
 * Appending past the cap drops the data and sets overflow; the caller
 * checks buf_ok() once at the end instead of after every append.  The
 * contents are always NUL-terminated.  Out of memory aborts.
 */
#ifndef PARS_BUF_H
#define PARS_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *p;
	size_t len, cap, max;
	int overflow;
};

/* max is the most the buffer may hold (0: 1 GiB). */
void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const void *data, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, or null when s is NULL. */
void buf_json_str(struct buf *b, const char *s);
/* Returns 1 when nothing was dropped. */
int buf_ok(const struct buf *b);
/* Hands the contents to the caller (caller frees) and empties b. */
char *buf_steal(struct buf *b, size_t *len);

#endif
