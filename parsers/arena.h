/*
 * arena.h - per-document bump allocator.
 *
 * Every document is parsed into one arena and everything it produced is
 * freed with one arena_free().  Allocation never returns NULL: running out
 * of memory aborts (the house rule for memory exhaustion).  An arena has a
 * byte cap so that a hostile document cannot make a parser eat the machine:
 * arena_over_cap() says when a parser should stop and report "too big".
 */
#ifndef PARS_ARENA_H
#define PARS_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* Returns a new arena; cap is the most it may hand out (0: no cap). */
struct arena *arena_new(size_t cap);
/* Frees the arena and everything allocated from it; NULL does nothing. */
void arena_free(struct arena *a);
/* Forgets every allocation but keeps the first block for reuse. */
void arena_reset(struct arena *a);

/* Memory from the arena, aligned for any type; owned by the arena. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_zalloc(struct arena *a, size_t n);
/* Grows an array allocated from the arena (old contents copied). */
void *arena_grow(struct arena *a, void *old, size_t oldn, size_t newn);
/* NUL-terminated copies; NULL in gives NULL out. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
/* The strings up to a NULL, concatenated (no formatting, so it is the
 * cheap way to join text).  Give "" for a part that may be empty. */
char *arena_cat(struct arena *a, ...) __attribute__((sentinel));

/* A string built up in the arena (start zeroed); p is NUL-terminated. */
struct arena_str {
	char *p;
	size_t n, cap;
};
void arena_str_add(struct arena *a, struct arena_str *b, const char *s,
    size_t n);
void arena_str_adds(struct arena *a, struct arena_str *b, const char *s);



/* 1 when more than the cap has been handed out. */
int arena_over_cap(const struct arena *a);

#endif
