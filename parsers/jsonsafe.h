/*
 * jsonsafe.h - untrusted JSON (DESIGN.md, "Parsers") read into a compact
 * read-only tree in the document's arena.
 *
 * The text must be valid UTF-8 (text.h's strict rule); then one strict
 * RFC 8259 pass (no comments, no single quotes, no trailing commas or
 * data, no NaN) builds the tree, counting values and nesting as it goes,
 * so that limits.max_nodes and limits.max_depth stop a hostile document
 * before it costs more than that.  Nothing is allocated outside the arena
 * but the parser's own stacks, which are freed before it returns.
 *
 * Why not json-c (which the hub uses for its own JSON): a FHIR Bundle is
 * read once and thrown away, and json-c's tree of hash tables is about
 * eight times the size of the text and slow to walk.  This tree is in
 * document order: 16 bytes a value, 32 a member, and the strings; an
 * object's members are scanned, or found by binary search in an index
 * sorted by name when there are more than 16 of them.  At the default
 * limits (200000 values) it is at most about 20 MB besides the text.
 * json-c stays the yardstick: tests compare the two trees on every JSON
 * example and the fuzz target compares them on whatever it makes.
 */
#ifndef PARS_JSONSAFE_H
#define PARS_JSONSAFE_H

#include <stddef.h>
#include <stdint.h>

#include "parser.h"

struct arena;

enum jtype { J_NULL, J_FALSE, J_TRUE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT };

struct jmember;

/* A value.  Strings are decoded UTF-8 and numbers their text as written,
 * both NUL-terminated (a string's \u0000 is read as U+FFFD); n is their
 * length in bytes, or the number of elements or members. */
struct jnode {
	uint32_t type; /* enum jtype */
	uint32_t n;
	union {
		const char *s;		 /* J_STRING, J_NUMBER */
		const struct jnode *v;	 /* J_ARRAY: n elements */
		const struct jmember *m; /* J_OBJECT: n members, in order */
	} u;
};

struct jmember {
	const char *key; /* NUL-terminated */
	size_t klen;
	struct jnode val;
};

/*
 * Parses buf (a UTF-8 byte order mark is skipped).  Returns the root, or
 * NULL with err set to a message that says what and where (line; byte
 * offset when known), never quoting the document.
 */
const struct jnode *jsonsafe_parse(struct arena *a, const unsigned char *buf,
    size_t len, const struct parse_limits *lim, struct parse_error *err);

/* The value of member key of object o (the last one when a key repeats,
 * as json-c does), or NULL when o is not an object or has no such
 * member. */
const struct jnode *jnode_get(const struct jnode *o, const char *key,
    size_t klen);

/* The line (1-based) of the first bytes that are not valid UTF-8 by the
 * strict rule of text.h, or 0 when all of buf is valid.  Not JSON-only:
 * fhir_xml.c uses it too. */
long jsonsafe_bad_utf8_line(const unsigned char *buf, size_t len);

#endif
