/*
 * fuzz_jsonsafe.c - jsonsafe_parse with small limits taken from the
 * input's first two bytes, so that both limits are reached, and three
 * checks on whatever it accepts:
 *   - the tree really holds no more values and no deeper nesting than
 *     the limits allow;
 *   - json-c, in strict mode, accepts the same bytes and builds the same
 *     tree (types, member names, strings), so the hub's parser is never
 *     more lenient than the library it replaced, nor reads differently;
 *   - every string and name is valid UTF-8 without a NUL.
 * (A \u0000 is U+FFFD in jsonsafe; see json_same.h.)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json_same.h"
#include "jsonsafe.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when s is n bytes of valid UTF-8 without a NUL. */
static int
text_ok(const char *s, size_t n)
{
	return strlen(s) == n && utf8_valid((const unsigned char *)s, n);
}

/* Values in the tree, and its depth in arrays and objects; aborts on a
 * string or name that is not valid UTF-8 or holds a NUL. */
static size_t
walk(const struct jnode *o, unsigned level, unsigned *depth)
{
	size_t n = 1, i;

	if ((o->type == J_STRING || o->type == J_NUMBER) &&
	    !text_ok(o->u.s, o->n))
		abort();
	for (i = 0; o->type == J_OBJECT && i < o->n; i++)
		if (!text_ok(o->u.m[i].key, o->u.m[i].klen))
			abort();
	if (o->type == J_OBJECT || o->type == J_ARRAY) {
		if (level > *depth)
			*depth = level;
		for (i = 0; i < o->n; i++)
			n += walk(o->type == J_OBJECT ? &o->u.m[i].val :
			    &o->u.v[i], level + 1, depth);
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_limits lim;
	struct parse_error err;
	const struct jnode *root;
	struct json_object *c;
	struct arena *a;
	unsigned depth = 0;

	if (size < 2)
		return 0;
	parse_limits_default(&lim);
	lim.max_depth = 1 + data[0] % 16;
	lim.max_nodes = 1 + data[1] % 128;
	a = arena_new(1u << 20);
	root = jsonsafe_parse(a, data + 2, size - 2, &lim, &err);
	if (root != NULL) {
		if (walk(root, 1, &depth) > lim.max_nodes ||
		    depth > lim.max_depth)
			abort();
		c = json_c_parse(data + 2, size - 2);
		if (c == NULL || !json_same(c, root))
			abort(); /* json-c refused it, or read it differently */
		json_object_put(c);
	} else if (err.msg[0] == '\0') {
		abort(); /* a failure always says why */
	}
	arena_free(a);
	return 0;
}
