/*
 * fhir_xml.c - FHIR R4 and STU3 in XML: a ServiceRequest, an e-RS
 * ReferralRequest or createReferral request, alone or in a Bundle.
 *
 * The bytes go through xmlsafe (no DOCTYPE, so no XXE and no entity
 * expansion; no network; depth and element limits), and the libxml2 tree
 * is read through the FHIR view of fhir.h, so what each canonical field
 * is read from is the same as for JSON: see fhir_map.c.  Referrals are
 * "fhir-r4-xml" or "fhir-stu3-xml" by their resource type.
 *
 * XML form of FHIR: every element is in the namespace
 * http://hl7.org/fhir; a property is a child element, repeated for a
 * repeating one; a primitive's value is its value attribute (an
 * extension's url is an attribute too); a resource is an element named
 * after its type (capitalised) inside <resource> or <contained>.  The
 * XHTML narrative is in another namespace and is never read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "arena.h"
#include "fhir.h"
#include "jsonsafe.h"
#include "parser.h"
#include "xmlsafe.h"

#define FHIR_NS "http://hl7.org/fhir"

static int
in_fhir(const struct fhir_view *v, xmlNodePtr n)
{
	if (n->type != XML_ELEMENT_NODE || n->ns == NULL)
		return 0;
	return (const void *)n->ns == v->root_ns ||
	    strcmp((const char *)n->ns->href, FHIR_NS) == 0;
}

/*
 * Element names are interned in the document's dictionary: the name asked
 * for is looked up there once (NULL: no element anywhere has it) and
 * children are compared by pointer.
 */
static const char *
interned(const struct fhir_view *v, const char *name)
{
	return (const char *)xmlDictExists((xmlDictPtr)v->dict,
	    (const xmlChar *)name, -1);
}

/* The first FHIR element named name from n on (n, then its next
 * siblings), or NULL; *steps counts the nodes looked at. */
static xmlNodePtr
named_from(const struct fhir_view *v, xmlNodePtr n, const char *name,
    size_t *steps)
{
	for (; n != NULL; n = n->next) {
		(*steps)++;
		if ((const char *)n->name == name &&
		    n->type == XML_ELEMENT_NODE && in_fhir(v, n))
			return n;
	}
	return NULL;
}

/*
 * An element whose children were once looked through more than SCAN_MAX
 * at a time gets an index of its FHIR children sorted by name (the
 * interned pointer), then document order, kept in the node's _private
 * (which libxml2 leaves to the application).  A scan does for the rest
 * (the mapping asks an element for a bounded set of names), but one
 * element can be asked once for every referral that points at it, and a
 * hostile Bundle could give it many thousands of children.  As jsonsafe
 * does for big objects.
 */
#define SCAN_MAX 64

struct kid {
	uintptr_t name;
	size_t pos;
	xmlNodePtr node;
};

struct kids {
	size_t n;
	struct kid v[];
};

static int
kid_cmp(const void *x, const void *y)
{
	const struct kid *a = x, *b = y;

	if (a->name != b->name)
		return a->name < b->name ? -1 : 1;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

/* Indexes n's children, unless they are already, after a scan of steps
 * nodes. */
static void
index_kids(const struct fhir_view *v, xmlNodePtr n, size_t steps)
{
	struct kids *k;
	xmlNodePtr c;
	size_t all = 0, i = 0;

	if (steps <= SCAN_MAX || n->_private != NULL)
		return;
	for (c = n->children; c != NULL; c = c->next)
		all++;
	k = arena_alloc(v->a, sizeof(*k) + all * sizeof(k->v[0]));
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && in_fhir(v, c)) {
			k->v[i].name = (uintptr_t)c->name;
			k->v[i].pos = i;
			k->v[i].node = c;
			i++;
		}
	k->n = i;
	qsort(k->v, k->n, sizeof(k->v[0]), kid_cmp);
	n->_private = k;
}

/* The first entry of k named name, or k->n. */
static size_t
kid_find(const struct kids *k, const char *name)
{
	size_t lo = 0, hi = k->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (k->v[mid].name < (uintptr_t)name)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < k->n && k->v[lo].name == (uintptr_t)name ? lo : k->n;
}

static const void *
x_first(const struct fhir_view *v, const void *node, const char *name,
    struct fhir_iter *it)
{
	xmlNodePtr n = (xmlNodePtr)node;
	const struct kids *k;
	size_t steps = 0;

	memset(it, 0, sizeof(*it));
	if ((name = interned(v, name)) == NULL)
		return NULL;
	it->v = v;
	it->name = name;
	if ((k = n->_private) == NULL) {
		it->cur = named_from(v, n->children, name, &steps);
		index_kids(v, n, steps); /* for the next time */
		return it->cur;
	}
	it->arr = k;
	it->n = k->n;
	it->i = kid_find(k, name);
	it->cur = it->i < it->n ? k->v[it->i].node : NULL;
	return it->cur;
}

static const void *
x_next(struct fhir_iter *it)
{
	const struct kids *k = it->arr;
	xmlNodePtr cur = (xmlNodePtr)it->cur;
	size_t steps = 0;

	if (cur == NULL)
		return NULL;
	if (k == NULL) {
		it->cur = named_from(it->v, cur->next, it->name, &steps);
		index_kids(it->v, cur->parent, steps);
	} else if (++it->i < it->n &&
	    k->v[it->i].name == (uintptr_t)it->name) {
		it->cur = k->v[it->i].node;
	} else {
		it->cur = NULL;
	}
	return it->cur;
}

static const void *
x_get(const struct fhir_view *v, const void *node, const char *name)
{
	struct fhir_iter it;

	return x_first(v, node, name, &it);
}

/* An attribute with no namespace, borrowed from the tree when it is one
 * text node (the usual case), else copied into the arena. */
static const char *
attr(const struct fhir_view *v, xmlNodePtr n, const char *name)
{
	xmlAttrPtr a;
	xmlChar *s;
	char *copy;

	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return NULL;
	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns != NULL || strcmp((const char *)a->name, name) != 0)
			continue;
		if (a->children == NULL)
			return "";
		if (a->children->next == NULL &&
		    a->children->type == XML_TEXT_NODE)
			return (const char *)a->children->content;
		if ((s = xmlNodeListGetString(n->doc, a->children, 1)) == NULL)
			return NULL;
		copy = arena_strdup(v->a, (const char *)s);
		xmlFree(s);
		return copy;
	}
	return NULL;
}

static const char *
x_value(const struct fhir_view *v, const void *node)
{
	return attr(v, (xmlNodePtr)node, "value");
}

static const char *
x_url(const struct fhir_view *v, const void *node)
{
	return attr(v, (xmlNodePtr)node, "url");
}

static const void *
x_resource(const struct fhir_view *v, const void *node)
{
	xmlNodePtr n;

	for (n = ((xmlNodePtr)node)->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return in_fhir(v, n) && n->name[0] >= 'A' &&
			    n->name[0] <= 'Z' ? n : NULL;
	return NULL;
}

static const char *
x_type(const struct fhir_view *v, const void *res)
{
	return (const char *)((xmlNodePtr)res)->name;
}

static long
x_line(const struct fhir_view *v, const void *node)
{
	return xmlGetLineNo((xmlNodePtr)node);
}

static const struct fhir_view_ops xml_ops = {
	.get = x_get,
	.first = x_first,
	.next = x_next,
	.value = x_value,
	.url = x_url,
	.resource = x_resource,
	.type = x_type,
	.line = x_line,
};

/* Skips white space, the XML declaration, comments, processing
 * instructions and a DOCTYPE (with its internal subset); returns the
 * offset of the root element's '<', or len. */
static size_t
skip_prolog(const unsigned char *buf, size_t len)
{
	size_t i = 0, skip;
	const unsigned char *e;

	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		i = 3;
	while (i < len) {
		while (i < len && (buf[i] == ' ' || buf[i] == '\t' ||
		    buf[i] == '\r' || buf[i] == '\n'))
			i++;
		if (i + 1 >= len || buf[i] != '<')
			return len;
		if (buf[i + 1] == '?') {
			e = memmem(buf + i, len - i, "?>", 2);
			skip = 2;
		} else if (len - i >= 4 && memcmp(buf + i, "<!--", 4) == 0) {
			e = memmem(buf + i, len - i, "-->", 3);
			skip = 3;
		} else if (buf[i + 1] == '!') {
			/* DOCTYPE: to the "]>" of an internal subset, or to
			 * the first '>' when it has none. */
			const unsigned char *gt = memchr(buf + i, '>', len - i);
			const unsigned char *br = memchr(buf + i, '[', len - i);

			if (br != NULL && gt != NULL && br < gt) {
				e = memmem(br, len - (size_t)(br - buf), "]>",
				    2);
				skip = 2;
			} else {
				e = gt;
				skip = 1;
			}
		} else {
			return i;
		}
		if (e == NULL)
			return len;
		i = (size_t)(e - buf) + skip;
	}
	return len;
}

/*
 * The root element's start tag declares the FHIR namespace: 95.  A root
 * named like a FHIR resource without it: 50, so that the error can say
 * the namespace is missing.
 */
static int
fhir_xml_probe(const unsigned char *buf, size_t len)
{
	size_t limit = len < 65536 ? len : 65536, i, j;
	const unsigned char *gt;
	char name[64];

	i = skip_prolog(buf, limit);
	if (i >= limit)
		return 0;
	if ((gt = memchr(buf + i, '>', limit - i)) == NULL)
		return 0;
	if (memmem(buf + i, (size_t)(gt - (buf + i)), FHIR_NS "\"",
	    sizeof(FHIR_NS)) != NULL || memmem(buf + i,
	    (size_t)(gt - (buf + i)), FHIR_NS "'", sizeof(FHIR_NS)) != NULL)
		return 95;
	for (j = 0, i++; i < limit && j + 1 < sizeof(name) &&
	     ((buf[i] >= 'A' && buf[i] <= 'Z') || (buf[i] >= 'a' &&
	     buf[i] <= 'z')); i++)
		name[j++] = (char)buf[i];
	name[j] = '\0';
	return fhir_is_resource_type(name) ? 50 : 0;
}

static int
fhir_xml_parse(struct arena *a, const unsigned char *buf, size_t len,
    const struct parse_limits *lim, struct parse_result *res)
{
	struct fhir_view v = {
		.ops = &xml_ops,
		.a = a,
		.r4_format = "fhir-r4-xml",
		.stu3_format = "fhir-stu3-xml",
	};
	struct parse_error err;
	xmlDocPtr doc;
	xmlNodePtr root;
	long line;
	char *nl;
	int rc;

	/* FHIR XML is UTF-8 (the FHIR spec says SHALL); checked here so that
	 * the message is ours, since libxml2's quotes the bytes. */
	if ((line = jsonsafe_bad_utf8_line(buf, len)) > 0)
		return parse_fail(res, line, -1, "line %ld: XML text is not "
		    "valid UTF-8; FHIR XML must be sent as UTF-8", line);
	if ((doc = xmlsafe_parse(buf, len, lim, &err)) == NULL) {
		/* libxml2 puts what it saw on a second line: not kept, it
		 * could be the document's own words. */
		if ((nl = strchr(err.msg, '\n')) != NULL)
			*nl = '\0';
		res->err = err;
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (root->ns == NULL || strcmp((const char *)root->ns->href,
	    FHIR_NS) != 0) {
		rc = parse_fail(res, root->line, -1, "no referral in this "
		    "document: its root element is not in the FHIR namespace "
		    "(%s)", FHIR_NS);
		xmlFreeDoc(doc);
		return rc;
	}
	v.root_ns = root->ns;
	v.dict = doc->dict;
	if (v.dict == NULL) {
		rc = parse_fail(res, 0, -1, "XML parser gave no name "
		    "dictionary");
		xmlFreeDoc(doc);
		return rc;
	}
	rc = fhir_map_document(&v, root, lim, res);
	xmlFreeDoc(doc);
	return rc;
}

const struct parser parser_fhir_xml = {
	.name = "fhir-xml",
	.probe = fhir_xml_probe,
	.parse = fhir_xml_parse,
};
