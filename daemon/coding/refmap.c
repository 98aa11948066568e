/*
 * refmap.c - string-keyed hash table (see refmap.h).
 */
#include "refmap.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static unsigned long
hash_str(const char *s)
{
	unsigned long h = 2166136261UL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619UL;
	}
	return h;
}

void
refmap_init(struct refmap *m)
{
	memset(m, 0, sizeof(*m));
}

void
refmap_free(struct refmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static struct refmap_slot *
find(const struct refmap *m, const char *key, unsigned long h)
{
	size_t i = h & (m->cap - 1);

	for (;;) {
		struct refmap_slot *s = &m->slots[i];

		if (s->key == NULL ||
		    (s->hash == h && strcmp(s->key, key) == 0))
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

void *
refmap_get(const struct refmap *m, const char *key)
{
	struct refmap_slot *s;

	if (m->cap == 0 || key == NULL)
		return NULL;
	s = find(m, key, hash_str(key));
	return s->key != NULL ? s->val : NULL;
}

static void
grow(struct refmap *m)
{
	struct refmap old = *m;
	size_t i;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].key != NULL)
			*find(m, old.slots[i].key, old.slots[i].hash) =
			    old.slots[i];
	free(old.slots);
}

void *
refmap_put(struct refmap *m, const char *key, void *val)
{
	unsigned long h = hash_str(key);
	struct refmap_slot *s;
	void *prev;

	if ((m->n + 1) * 4 > m->cap * 3)
		grow(m);
	s = find(m, key, h);
	if (s->key == NULL) {
		s->key = key;
		s->hash = h;
		s->val = val;
		m->n++;
		return NULL;
	}
	prev = s->val;
	s->val = val;
	return prev;
}
