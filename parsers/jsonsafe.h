/*
 * jsonsafe.h - json-c with bounds (DESIGN.md, "Parsers"): before json-c
 * sees a byte, one pass checks that the text is valid UTF-8, nests no
 * deeper than limits.max_depth and holds no more than limits.max_nodes
 * values, so a hostile document cannot make json-c build a huge tree.
 * Then json-c parses in strict mode (RFC 8259: no comments, no single
 * quotes, no trailing commas or data).
 */
#ifndef PARS_JSONSAFE_H
#define PARS_JSONSAFE_H

#include <stddef.h>

#include <json-c/json.h>

#include "parser.h"

struct arena;

/*
 * Parses buf (a UTF-8 byte order mark is skipped) into a json-c tree.
 * Returns the root (caller frees with json_object_put) or NULL with err
 * set to a message that says what and where (line; byte offset when
 * known), never quoting the document.  Only scratch space comes from a.
 */
struct json_object *jsonsafe_parse(struct arena *a, const unsigned char *buf,
    size_t len, const struct parse_limits *lim, struct parse_error *err);

/* The line (1-based) of the first bytes that are not valid UTF-8 by the
 * strict rule of text.h, or 0 when all of buf is valid.  Not JSON-only:
 * fhir_xml.c uses it too. */
long jsonsafe_bad_utf8_line(const unsigned char *buf, size_t len);

#endif
