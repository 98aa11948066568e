/*
 * fuzz_jsonsafe.c - jsonsafe_parse with small limits taken from the
 * input's first two bytes, so that every path runs (both cheap bounds,
 * the exact counting lexer, json-c's depth limit), and a differential
 * check: whatever it accepts must really hold no more values and no
 * deeper nesting than the limits allow, counted on json-c's tree.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "jsonsafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Values in the tree, and its depth in arrays and objects. */
static size_t
walk(struct json_object *o, unsigned level, unsigned *depth)
{
	size_t n = 1, i, len;

	if (json_object_is_type(o, json_type_object) ||
	    json_object_is_type(o, json_type_array)) {
		if (level > *depth)
			*depth = level;
	}
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v)
		{
			(void)k;
			n += walk(v, level + 1, depth);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		len = json_object_array_length(o);
		for (i = 0; i < len; i++)
			n += walk(json_object_array_get_idx(o, i), level + 1,
			    depth);
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_limits lim;
	struct parse_error err;
	struct json_object *root;
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
		json_object_put(root);
	} else if (err.msg[0] == '\0') {
		abort(); /* a failure always says why */
	}
	arena_free(a);
	return 0;
}
