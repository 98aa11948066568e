/*
 * jsonsafe.c - bounded json-c parsing (see jsonsafe.h).
 *
 * The text must be valid UTF-8 (text.h's strict rule: no overlong
 * forms, no surrogates).  Then the number of values is bounded before
 * json-c allocates anything, most cheaply first:
 *
 *   - every value but the first needs two bytes of its own (one of it and
 *     the ',', ':' or '[' before it), so len bytes hold at most
 *     (len + 1) / 2 values;
 *   - every value but the first follows a ':' (a member's), a ',' or a
 *     '[' (an element's), so there are at most 1 + the number of those
 *     bytes, counted anywhere, strings included;
 *   - only when both bounds pass limits.max_nodes, a small lexer counts
 *     exactly (the top value, one per ':', one per array element; it
 *     tracks strings and one bit a level for array or object) and stops
 *     at the first value or level over the limits.
 *
 * json-c's own depth limit is set to limits.max_depth too, so depth is
 * bounded on every path.
 */
#include "jsonsafe.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "text.h"

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

long
jsonsafe_bad_utf8_line(const unsigned char *buf, size_t len)
{
	const unsigned char *p = buf, *end = buf + len, *q;
	uint64_t w;

	while (p < end) {
		/* ASCII a word at a time. */
		while (end - p >= 8) {
			memcpy(&w, p, sizeof(w));
			if (w & 0x8080808080808080ull)
				break;
			p += 8;
		}
		while (p < end && *p < 0x80)
			p++;
		if (p == end)
			break;
		/* A run of bytes >= 0x80 between ASCII bytes must be whole
		 * UTF-8 sequences. */
		for (q = p; q < end && *q >= 0x80; q++)
			;
		if (!utf8_valid(p, (size_t)(q - p)))
			return line_at(buf, (size_t)(p - buf));
		p = q;
	}
	return 0;
}

/* Byte classes for the bounds pass (0: anything else). */
enum { C_OTHER, C_SPACE, C_QUOTE, C_OPEN, C_CLOSE, C_COLON, C_COMMA };

static const unsigned char byte_class[256] = {
    [' '] = C_SPACE, ['\t'] = C_SPACE, ['\r'] = C_SPACE, ['\n'] = C_SPACE,
    ['"'] = C_QUOTE, ['['] = C_OPEN, ['{'] = C_OPEN, [']'] = C_CLOSE,
    ['}'] = C_CLOSE, [':'] = C_COLON, [','] = C_COMMA,
};

/* 1 + the number of ':', ',' and '[' bytes (at least the number of
 * values), counting no further than max + 1. */
static size_t
value_bound(const unsigned char *buf, size_t len, size_t max)
{
	static const char seps[] = ":,[";
	const unsigned char *p, *end = buf + len;
	size_t n = 1, k;

	for (k = 0; k < sizeof(seps) - 1 && n <= max; k++)
		for (p = buf; n <= max && (p = memchr(p, seps[k],
		    (size_t)(end - p))) != NULL; p++)
			n++;
	return n;
}

/* Offset just past the string whose opening quote is at i, or len. */
static size_t
string_end(const unsigned char *buf, size_t len, size_t i)
{
	const unsigned char *q;
	size_t j, bs, from = i + 1;

	while (from < len &&
	    (q = memchr(buf + from, '"', len - from)) != NULL) {
		j = (size_t)(q - buf);
		for (bs = 0; j - bs > i + 1 && buf[j - 1 - bs] == '\\'; bs++)
			;
		if (bs % 2 == 0)
			return j + 1;
		from = j + 1; /* an escaped quote */
	}
	return len;
}

/* The bounds pass; 0 or -1 with err set. */
static int
prescan(struct arena *a, const unsigned char *buf, size_t len, size_t skip,
    const struct parse_limits *lim, struct parse_error *err)
{
	uint64_t *arrays, bit;
	size_t i = 0, nodes = 1;
	unsigned depth = 0;
	int opened = 0, k;
	unsigned char c;

	arrays = arena_zalloc(a, (lim->max_depth / 64 + 2) * sizeof(*arrays));
	while (i < len) {
		while (i < len && byte_class[buf[i]] == C_SPACE) {
			/* Indentation: eight spaces at a time. */
			while (len - i >= 8 &&
			    memcmp(buf + i, "        ", 8) == 0)
				i += 8;
			if (i < len && byte_class[buf[i]] == C_SPACE)
				i++;
		}
		if (i == len)
			break;
		c = buf[i];
		k = byte_class[c];
		if (opened) {
			/* The first element of an array just opened. */
			opened = 0;
			if (c != ']')
				nodes++;
		}
		switch (k) {
		case C_QUOTE:
			i = string_end(buf, len, i);
			continue;
		case C_OPEN:
			if (++depth > lim->max_depth) {
				err->line = line_at(buf, i);
				err->offset = (long)(i + skip);
				snprintf(err->msg, sizeof(err->msg),
				    "line %ld: JSON nested deeper than %u "
				    "levels (limits.max_depth)", err->line,
				    lim->max_depth);
				return -1;
			}
			bit = (uint64_t)1 << (depth % 64);
			if (c == '[') {
				arrays[depth / 64] |= bit;
				opened = 1;
			} else {
				arrays[depth / 64] &= ~bit;
			}
			break;
		case C_CLOSE:
			if (depth > 0)
				depth--;
			break;
		case C_COLON:
			nodes++;
			break;
		case C_COMMA:
			if (depth > 0 &&
			    (arrays[depth / 64] >> (depth % 64) & 1))
				nodes++;
			break;
		default:
			break;
		}
		if (nodes > lim->max_nodes) {
			err->line = line_at(buf, i);
			err->offset = (long)(i + skip);
			snprintf(err->msg, sizeof(err->msg), "line %ld: more "
			    "than %zu JSON values (limits.max_nodes)",
			    err->line, lim->max_nodes);
			return -1;
		}
		i++;
	}
	return 0;
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
	if ((len + 1) / 2 > lim->max_nodes &&
	    value_bound(buf, len, lim->max_nodes) > lim->max_nodes &&
	    prescan(a, buf, len, skip, lim, err) < 0)
		return NULL;
	/* json-c's depth d allows exactly d nested arrays and objects. */
	if ((tok = json_tokener_new_ex(lim->max_depth > 0 &&
	    lim->max_depth < INT_MAX ? (int)lim->max_depth : 1)) == NULL) {
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
		if (jerr == json_tokener_error_depth)
			snprintf(err->msg, sizeof(err->msg), "line %ld: JSON "
			    "nested deeper than %u levels (limits.max_depth)",
			    err->line, lim->max_depth);
		else
			snprintf(err->msg, sizeof(err->msg), "line %ld: JSON "
			    "is not well-formed: %s (byte offset %zu)",
			    err->line, json_tokener_error_desc(jerr),
			    end + skip);
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
