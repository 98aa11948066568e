/*
 * refmap.h - a string-keyed hash table (open addressing, FNV-1a) for the
 * reference data held in memory.  Keys are borrowed: they must outlive the
 * map (the coding snapshot keeps them in its arena).
 */
#ifndef PARS_REFMAP_H
#define PARS_REFMAP_H

#include <stddef.h>

struct refmap_slot {
	const char *key;
	void *val;
	unsigned long hash;
};

struct refmap {
	struct refmap_slot *slots;
	size_t cap, n;
};

void refmap_init(struct refmap *m);
/* Frees the table (not the keys or values). */
void refmap_free(struct refmap *m);
/* The value stored under key, or NULL. */
void *refmap_get(const struct refmap *m, const char *key);
/* Stores val under key (borrowed); returns the value it replaced, or NULL. */
void *refmap_put(struct refmap *m, const char *key, void *val);

#endif
