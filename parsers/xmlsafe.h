/*
 * xmlsafe.h - libxml2 with the doors shut (DESIGN.md, "Parsers"): no
 * network (XML_PARSE_NONET), no DTD loading or validation, no entity
 * substitution, and any document with a DOCTYPE refused outright, which
 * stops XXE and "billion laughs" before libxml2 sees them.  Depth and
 * element count are bounded by the parse limits, and an element may have
 * at most XMLSAFE_MAX_ATTRIBUTES attributes (libxml2 reads an element's
 * attributes in quadratic time).
 */
#ifndef PARS_XMLSAFE_H
#define PARS_XMLSAFE_H

#include <stddef.h>

#include <libxml/tree.h>

#include "parser.h"

#define XMLSAFE_MAX_ATTRIBUTES 1024

/* Call once from the main thread before any thread parses XML. */
void xmlsafe_init(void);

/*
 * Parses buf into a tree.  Returns the document (caller frees with
 * xmlFreeDoc) or NULL with err set to a message that says what and where.
 */
xmlDocPtr xmlsafe_parse(const unsigned char *buf, size_t len,
    const struct parse_limits *lim, struct parse_error *err);

/* 1 when buf starts (after a BOM, an XML declaration, comments and white
 * space) with an element whose local name is root. */
int xmlsafe_root_is(const unsigned char *buf, size_t len, const char *root);

#endif
