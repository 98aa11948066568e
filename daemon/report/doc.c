/*
 * doc.c - see doc.h.
 */
#include "doc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "xmalloc.h"

struct doc *
doc_new(const char *title, const char *subtitle)
{
	struct doc *d = xcalloc(1, sizeof(*d));

	d->a = arena_new(0);
	d->title = arena_strdup(d->a, title);
	d->subtitle = arena_strdup(d->a, subtitle);
	return d;
}

void
doc_free(struct doc *d)
{
	if (d == NULL)
		return;
	arena_free(d->a);
	free(d);
}

static void add_text(struct doc *d, enum doc_kind kind, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));

static struct doc_block *
add(struct doc *d, enum doc_kind kind)
{
	struct doc_block *b;

	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 32;

		d->b = arena_grow(d->a, d->b, d->cap * sizeof(*d->b),
		    ncap * sizeof(*d->b));
		d->cap = ncap;
	}
	b = &d->b[d->n++];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	return b;
}

char *
doc_printf(struct doc *d, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = arena_vprintf(d->a, fmt, ap);
	va_end(ap);
	return s;
}

void
doc_h2(struct doc *d, const char *text)
{
	add(d, DOC_H2)->text = arena_strdup(d->a, text);
}

static void
add_text(struct doc *d, enum doc_kind kind, const char *fmt, va_list ap)
{
	add(d, kind)->text = arena_vprintf(d->a, fmt, ap);
}

void
doc_p(struct doc *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_text(d, DOC_P, fmt, ap);
	va_end(ap);
}

void
doc_note(struct doc *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_text(d, DOC_NOTE, fmt, ap);
	va_end(ap);
}

void
doc_flag(struct doc *d, int level, const char *key, const char *text,
    const char *action)
{
	struct doc_block *b = add(d, DOC_FLAG);

	b->level = level;
	b->key = arena_strdup(d->a, key);
	b->text = arena_strdup(d->a, text);
	b->action = arena_strdup(d->a, action);
}

struct doc_table *
doc_table(struct doc *d, const char *id, size_t ncols,
    const char *const *head)
{
	struct doc_table *t = arena_zalloc(d->a, sizeof(*t));
	size_t i;

	t->id = arena_strdup(d->a, id);
	t->ncols = ncols;
	t->head = arena_alloc(d->a, ncols * sizeof(*t->head));
	for (i = 0; i < ncols; i++)
		t->head[i] = arena_strdup(d->a, head[i]);
	add(d, DOC_TABLE)->table = t;
	return t;
}

void
doc_row(struct doc *d, struct doc_table *t, int mark, ...)
{
	va_list ap;
	size_t i;

	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;

		t->cell = arena_grow(d->a, t->cell,
		    t->cap * t->ncols * sizeof(*t->cell),
		    ncap * t->ncols * sizeof(*t->cell));
		t->mark = arena_grow(d->a, t->mark, t->cap * sizeof(*t->mark),
		    ncap * sizeof(*t->mark));
		t->cap = ncap;
	}
	va_start(ap, mark);
	for (i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);

		t->cell[t->nrows * t->ncols + i] = arena_strdup(d->a,
		    s ? s : "-");
	}
	va_end(ap);
	t->mark[t->nrows++] = mark;
}

void
doc_chart(struct doc *d, struct chart *c)
{
	add(d, DOC_CHART)->chart = c;
}
