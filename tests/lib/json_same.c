/*
 * json_same.c - the hub's JSON tree against json-c's (see json_same.h).
 */
#include "json_same.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* 1 when v has a name that json-c would cut to key at a NUL (jsonsafe
 * reads that \u0000 as U+FFFD). */
static int
has_cut_name(const struct jnode *v, const char *key)
{
	size_t i, n = strlen(key);

	for (i = 0; i < v->n; i++)
		if (v->u.m[i].klen >= n + 3 &&
		    memcmp(v->u.m[i].key, key, n) == 0 &&
		    memcmp(v->u.m[i].key + n, "\xef\xbf\xbd", 3) == 0)
			return 1;
	return 0;
}

/* 1 when json-c's string (n bytes, which may hold NULs) is s once each
 * NUL is U+FFFD, as jsonsafe reads \u0000. */
static int
same_text(const char *c, size_t n, const char *s, size_t sn)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (c[i] != '\0') {
			if (k >= sn || s[k++] != c[i])
				return 0;
		} else {
			if (sn - k < 3 || memcmp(s + k, "\xef\xbf\xbd", 3) != 0)
				return 0;
			k += 3;
		}
	}
	return k == sn;
}

/* 1 when json-c's number reads as the text jsonsafe kept. */
static int
same_number(struct json_object *c, const char *s)
{
	long long v;
	char *end;

	if (json_object_is_type(c, json_type_double))
		return strcmp(json_object_get_string(c), s) == 0;
	if (!json_object_is_type(c, json_type_int))
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE || *end != '\0')
		return 1; /* past int64: json-c saturates */
	return v == json_object_get_int64(c);
}

int
json_same(struct json_object *c, const struct jnode *v)
{
	struct json_object *x;
	size_t i;

	switch (v->type) {
	case J_NULL:
		return c == NULL;
	case J_TRUE:
	case J_FALSE:
		return json_object_is_type(c, json_type_boolean) &&
		    json_object_get_boolean(c) == (v->type == J_TRUE);
	case J_NUMBER:
		return same_number(c, v->u.s);
	case J_STRING:
		return json_object_is_type(c, json_type_string) &&
		    same_text(json_object_get_string(c),
		    (size_t)json_object_get_string_len(c), v->u.s, v->n);
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
		if (!json_object_is_type(c, json_type_object))
			return 0;
		/* Every name of each is in the other, with the same value
		 * (json-c cuts a name at a NUL, which may make it another
		 * name: those are skipped). */
		for (i = 0; i < v->n; i++) {
			const struct jmember *m = &v->u.m[i];

			if (strstr(m->key, "\xef\xbf\xbd") != NULL ||
			    has_cut_name(v, m->key))
				continue; /* json-c's may be another's value */
			if (!json_object_object_get_ex(c, m->key, &x) ||
			    !json_same(x, jnode_get(v, m->key, m->klen)))
				return 0;
		}
		{
			json_object_object_foreach(c, key, val)
			{
				(void)val;
				if (jnode_get(v, key, strlen(key)) == NULL &&
				    !has_cut_name(v, key))
					return 0;
			}
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
