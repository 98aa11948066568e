/*
 * json_same.c - the hub's JSON tree against json-c's (see json_same.h).
 */
#include "json_same.h"

#include <stdlib.h>
#include <string.h>

int
json_same(struct json_object *c, const struct jnode *v)
{
	struct json_object *x;
	size_t i, n;

	switch (v->type) {
	case J_NULL:
		return c == NULL;
	case J_TRUE:
	case J_FALSE:
		return json_object_is_type(c, json_type_boolean) &&
		    json_object_get_boolean(c) == (v->type == J_TRUE);
	case J_NUMBER:
		return json_object_is_type(c, json_type_int) ||
		    json_object_is_type(c, json_type_double);
	case J_STRING:
		if (!json_object_is_type(c, json_type_string))
			return 0;
		n = (size_t)json_object_get_string_len(c);
		if (strlen(json_object_get_string(c)) != n ||
		    strstr(v->u.s, "\xef\xbf\xbd") != NULL)
			return 1; /* U+0000 or a lone surrogate */
		return n == v->n && memcmp(json_object_get_string(c), v->u.s,
		    n) == 0;
	case J_ARRAY:
		if (!json_object_is_type(c, json_type_array) ||
		    json_object_array_length(c) != v->n)
			return 0;
		for (i = 0; i < v->n; i++)
			if (!json_same(json_object_array_get_idx(c, i),
			    &v->u.v[i]))
				return 0;
		return 1;
	case J_OBJECT:
		if (!json_object_is_type(c, json_type_object) ||
		    (size_t)json_object_object_length(c) > v->n)
			return 0;
		for (i = 0; i < v->n; i++) {
			const struct jmember *m = &v->u.m[i];

			if (strstr(m->key, "\xef\xbf\xbd") != NULL)
				continue; /* U+0000 or a lone surrogate */
			if (!json_object_object_get_ex(c, m->key, &x) ||
			    !json_same(x, jnode_get(v, m->key, m->klen)))
				return 0;
		}
		return 1;
	default:
		return 0;
	}
}

struct json_object *
json_c_parse(const unsigned char *buf, size_t len)
{
	struct json_tokener *tok;
	struct json_object *c;
	char *text;
	int ok;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	/* json-c wants the NUL after a number that ends the text. */
	if ((text = malloc(len + 1)) == NULL)
		abort();
	memcpy(text, buf, len);
	text[len] = '\0';
	tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH * 4);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	c = json_tokener_parse_ex(tok, text, (int)len + 1);
	ok = json_tokener_get_error(tok) == json_tokener_success;
	json_tokener_free(tok);
	free(text);
	if (!ok) {
		json_object_put(c);
		return NULL;
	}
	return c;
}
