/*
 * arena.c - per-document bump allocator (see arena.h).
 */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_BLOCK 16384

struct block {
	struct block *next;
	size_t size, used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena {
	struct block *head;
	size_t cap, total;
};

static void
arena_oom(void)
{
	fputs("fatal: out of memory\n", stderr);
	abort();
}

struct arena *
arena_new(size_t cap)
{
	struct arena *a = calloc(1, sizeof(*a));

	if (a == NULL)
		arena_oom();
	a->cap = cap;
	return a;
}

void
arena_free(struct arena *a)
{
	struct block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void
arena_reset(struct arena *a)
{
	struct block *b, *next, *last = NULL;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		if (next == NULL)
			last = b;
		else
			free(b);
	}
	if (last != NULL) {
		last->used = 0;
		last->next = NULL;
	}
	a->head = last;
	a->total = 0;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct block *b = a->head;
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (need < n)
		arena_oom();
	if (b == NULL || b->size - b->used < need) {
		size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;

		if (size > SIZE_MAX - sizeof(*b))
			arena_oom();
		b = malloc(sizeof(*b) + size);
		if (b == NULL)
			arena_oom();
		b->size = size;
		b->used = 0;
		/* A big one-off block goes behind the current one so the
		 * space left in the current block is not wasted. */
		if (a->head != NULL && size > ARENA_BLOCK) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = b->data + b->used;
	b->used += need;
	a->total += need;
	return p;
}

void *
arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	memset(p, 0, n);
	return p;
}

void *
arena_grow(struct arena *a, void *old, size_t oldn, size_t newn)
{
	void *p = arena_alloc(a, newn);

	if (old != NULL && oldn > 0)
		memcpy(p, old, oldn < newn ? oldn : newn);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (s == NULL)
		return NULL;
	p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return arena_strdup(a, "");
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

char *
arena_cat(struct arena *a, ...)
{
	va_list ap;
	const char *part;
	size_t n = 0;
	char *p, *o;

	va_start(ap, a);
	while ((part = va_arg(ap, const char *)) != NULL)
		n += strlen(part);
	va_end(ap);
	o = p = arena_alloc(a, n + 1);
	va_start(ap, a);
	while ((part = va_arg(ap, const char *)) != NULL) {
		size_t k = strlen(part);

		memcpy(o, part, k);
		o += k;
	}
	va_end(ap);
	*o = '\0';
	return p;
}

void
arena_str_add(struct arena *a, struct arena_str *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;

		while (cap < b->n + n + 1)
			cap *= 2;
		b->p = arena_grow(a, b->p, b->n, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void
arena_str_adds(struct arena *a, struct arena_str *b, const char *s)
{
	arena_str_add(a, b, s, strlen(s));
}


int
arena_over_cap(const struct arena *a)
{
	return a->cap != 0 && a->total > a->cap;
}
