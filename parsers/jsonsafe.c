/*
 * jsonsafe.c - bounded json-c parsing (see jsonsafe.h).
 *
 * The text must be valid UTF-8 (text.h's strict rule: no overlong
 * forms, no surrogates).  Then a small lexer tracks whether it is inside a
 * string, the nesting (one bit a level: array or object) and the line,
 * and counts values exactly: the top value, one per ':' (a member's
 * value) and one per array element.  It stops at the first byte over a
 * limit, so json-c only ever sees bounded input.
 */
#include "jsonsafe.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "text.h"

long
jsonsafe_bad_utf8_line(const unsigned char *buf, size_t len)
{
	const unsigned char *p = buf, *end = buf + len, *nl;
	long line = 1;

	if (utf8_valid(buf, len))
		return 0;
	/* '\n' never occurs inside a multi-byte sequence: check a line at a
	 * time to say where. */
	for (; p < end; p = nl + 1, line++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (!utf8_valid(p, (size_t)(nl - p)))
			return line;
	}
	return line;
}

/* The bounds pass; 0 or -1 with err set. */
static int
prescan(struct arena *a, const unsigned char *buf, size_t len, size_t skip,
    const struct parse_limits *lim, struct parse_error *err)
{
	uint64_t *arrays;
	size_t i, nodes = 1;
	unsigned depth = 0;
	long line = 1;
	int in_str = 0, opened = 0;
	unsigned char c;

	arrays = arena_zalloc(a, (lim->max_depth / 64 + 2) * sizeof(*arrays));
	for (i = 0; i < len; i++) {
		c = buf[i];
		if (in_str) {
			if (c == '"')
				in_str = 0;
			else if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '\n')
				line++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r')
			continue;
		if (c == '\n') {
			line++;
			continue;
		}
		if (opened) {
			/* The first element of an array just opened. */
			opened = 0;
			if (c != ']')
				nodes++;
		}
		switch (c) {
		case '"':
			in_str = 1;
			break;
		case '[':
		case '{':
			if (++depth > lim->max_depth) {
				err->line = line;
				err->offset = (long)(i + skip);
				snprintf(err->msg, sizeof(err->msg), "line %ld: "
				    "JSON nested deeper than %u levels "
				    "(limits.max_depth)", line, lim->max_depth);
				return -1;
			}
			if (c == '[') {
				arrays[depth / 64] |= (uint64_t)1 << (depth % 64);
				opened = 1;
			} else {
				arrays[depth / 64] &=
				    ~((uint64_t)1 << (depth % 64));
			}
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			break;
		case ':':
			nodes++;
			break;
		case ',':
			if (depth > 0 && (arrays[depth / 64] >> (depth % 64) & 1))
				nodes++;
			break;
		default:
			break;
		}
		if (nodes > lim->max_nodes) {
			err->line = line;
			err->offset = (long)(i + skip);
			snprintf(err->msg, sizeof(err->msg), "line %ld: more "
			    "than %zu JSON values (limits.max_nodes)", line,
			    lim->max_nodes);
			return -1;
		}
	}
	return 0;
}

static long
line_at(const unsigned char *buf, size_t off)
{
	long line = 1;
	const unsigned char *p = buf, *end = buf + off, *q;

	while (p < end && (q = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		line++;
		p = q + 1;
	}
	return line;
}

struct json_object *
jsonsafe_parse(struct arena *a, const unsigned char *buf, size_t len,
    const struct parse_limits *lim, struct parse_error *err)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	size_t end, skip = 0;

	memset(err, 0, sizeof(*err));
	err->offset = -1;
	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		skip = 3;
	buf += skip;
	len -= skip;
	if (len > (size_t)INT_MAX) {
		snprintf(err->msg, sizeof(err->msg), "JSON document too big");
		return NULL;
	}
	if ((err->line = jsonsafe_bad_utf8_line(buf, len)) > 0) {
		snprintf(err->msg, sizeof(err->msg), "line %ld: JSON text is "
		    "not valid UTF-8; send it as UTF-8", err->line);
		return NULL;
	}
	if (prescan(a, buf, len, skip, lim, err) < 0)
		return NULL;
	/* json-c counts the outer value as a level too. */
	if ((tok = json_tokener_new_ex((int)lim->max_depth + 1)) == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, (const char *)buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (root == NULL && jerr == json_tokener_continue) {
		err->line = line_at(buf, len);
		err->offset = (long)(len + skip);
		snprintf(err->msg, sizeof(err->msg), "JSON ends before the "
		    "document is complete (truncated after %zu bytes, line "
		    "%ld)", len + skip, err->line);
		return NULL;
	}
	if (root == NULL && jerr == json_tokener_success) {
		snprintf(err->msg, sizeof(err->msg), "the JSON document is "
		    "empty or null");
		return NULL;
	}
	if (root == NULL) {
		err->line = line_at(buf, end);
		err->offset = (long)(end + skip);
		snprintf(err->msg, sizeof(err->msg), "line %ld: JSON is not "
		    "well-formed: %s (byte offset %zu)", err->line,
		    json_tokener_error_desc(jerr), end + skip);
		return NULL;
	}
	while (end < len && (buf[end] == ' ' || buf[end] == '\t' ||
	    buf[end] == '\r' || buf[end] == '\n'))
		end++;
	if (end < len) {
		json_object_put(root);
		err->line = line_at(buf, end);
		err->offset = (long)(end + skip);
		snprintf(err->msg, sizeof(err->msg), "line %ld: JSON is not "
		    "well-formed: data after the end of the JSON value (byte "
		    "offset %zu)", err->line, end + skip);
		return NULL;
	}
	return root;
}
