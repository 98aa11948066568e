/*
 * xmalloc.h - allocation that never returns NULL: out of memory is fatal.
 */
#ifndef PARS_XMALLOC_H
#define PARS_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* A malloc'ed formatted string (caller frees). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
