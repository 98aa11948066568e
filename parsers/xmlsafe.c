/*
 * xmlsafe.c - hardened libxml2 parsing (see xmlsafe.h).
 */
#include "xmlsafe.h"

#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>

void
xmlsafe_init(void)
{
	xmlInitParser();
}

/* "<!DOCTYPE" anywhere in buf (memmem: a byte loop here cost a tenth of
 * libxml2's own parse time). */
static int
has_doctype(const unsigned char *buf, size_t len)
{
	static const char pat[] = "<!DOCTYPE";

	return memmem(buf, len, pat, sizeof(pat) - 1) != NULL;
}

/*
 * 1 when a start tag in buf has more than XMLSAFE_MAX_ATTRIBUTES
 * attributes (its '=' signs outside quotes), with *line that tag's line;
 * comments, CDATA sections, declarations and instructions are skipped.
 * libxml2 checks an element's attributes against each other, so one of
 * many thousands costs quadratic time (100,000 attributes, 1.2 MB: 7.5 s)
 * before any callback could stop it.  memchr skips the text between
 * tags, so this costs little beside the parse.
 */
static int
too_many_attributes(const unsigned char *buf, size_t len, long *line)
{
	const unsigned char *p = buf, *end = buf + len, *tag;
	unsigned char quote;
	size_t n;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		tag = p++;
		if (p < end && (*p == '!' || *p == '?')) {
			/* A comment, CDATA section, declaration or
			 * instruction, skipped whole: what is in it is not
			 * an attribute. */
			const char *close = end - p >= 3 &&
			    memcmp(p, "!--", 3) == 0 ? "-->" : end - p >= 8 &&
			    memcmp(p, "![CDATA[", 8) == 0 ? "]]>" :
			    *p == '?' ? "?>" : ">";

			p = memmem(p, (size_t)(end - p), close, strlen(close));
			if (p == NULL)
				break;
			continue;
		}
		for (n = 0, quote = 0; p < end; p++) {
			if (quote != 0) {
				if (*p == quote)
					quote = 0;
			} else if (*p == '"' || *p == '\'') {
				quote = *p;
			} else if (*p == '>' || *p == '<') {
				break;
			} else if (*p == '=' && ++n > XMLSAFE_MAX_ATTRIBUTES) {
				for (*line = 1, p = buf; p < tag; p++)
					*line += *p == '\n';
				return 1;
			}
		}
		if (p >= end)
			break;
	}
	return 0;
}

/*
 * The limits, checked as libxml2 builds each element (its own start
 * callback first, so the node and its line are there), in document order
 * as a walk of the finished tree would: the first element over a limit is
 * kept in err and reported once the document has parsed.
 */
struct shape {
	const struct parse_limits *lim;
	struct parse_error *err;
	startElementNsSAX2Func start; /* libxml2's own */
	size_t count;
	int over;
};

static void
shape_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct shape *sh = ctxt->_private;
	struct parse_error *err = sh->err;
	xmlNodePtr n;

	sh->start(ctx, localname, prefix, uri, nb_namespaces, namespaces,
	    nb_attributes, nb_defaulted, attributes);
	if (sh->over || (n = ctxt->node) == NULL)
		return;
	if (++sh->count > sh->lim->max_nodes) {
		err->line = n->line;
		snprintf(err->msg, sizeof(err->msg), "more than %zu XML "
		    "elements (limits.max_nodes)", sh->lim->max_nodes);
		sh->over = 1;
	} else if (ctxt->nodeNr > 0 &&
	    (unsigned)ctxt->nodeNr > sh->lim->max_depth) {
		err->line = n->line;
		snprintf(err->msg, sizeof(err->msg), "line %d: XML nested "
		    "deeper than %u levels (limits.max_depth)", n->line,
		    sh->lim->max_depth);
		sh->over = 1;
	}
}

xmlDocPtr
xmlsafe_parse(const unsigned char *buf, size_t len,
    const struct parse_limits *lim, struct parse_error *err)
{
	struct parse_error over;
	struct shape sh = {.lim = lim, .err = &over};
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	const xmlError *e;

	memset(err, 0, sizeof(*err));
	memset(&over, 0, sizeof(over));
	over.offset = -1;
	err->offset = -1;
	if (len > (size_t)0x7fffffff) {
		snprintf(err->msg, sizeof(err->msg), "XML document too big");
		return NULL;
	}
	if (has_doctype(buf, len)) {
		snprintf(err->msg, sizeof(err->msg), "XML with a DOCTYPE is "
		    "refused: document type definitions can pull in external "
		    "files or expand entities without bound (XXE, billion "
		    "laughs); send the document without one");
		return NULL;
	}
	if (too_many_attributes(buf, len, &err->line)) {
		snprintf(err->msg, sizeof(err->msg), "line %ld: an XML element "
		    "with more than %d attributes is refused", err->line,
		    XMLSAFE_MAX_ATTRIBUTES);
		return NULL;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	sh.start = ctxt->sax->startElementNs;
	if (sh.start == NULL) {
		snprintf(err->msg, sizeof(err->msg), "XML parser has no "
		    "element callback");
		xmlFreeParserCtxt(ctxt);
		return NULL;
	}
	ctxt->sax->startElementNs = shape_start;
	ctxt->_private = &sh;
	doc = xmlCtxtReadMemory(ctxt, (const char *)buf, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		XML_PARSE_NOCDATA);
	if (doc == NULL) {
		e = xmlCtxtGetLastError(ctxt);
		if (e != NULL && e->message != NULL) {
			size_t n;

			err->line = e->line;
			snprintf(err->msg, sizeof(err->msg), "line %d: XML is "
			    "not well-formed: %s", e->line, e->message);
			n = strlen(err->msg);
			while (n > 0 && err->msg[n - 1] == '\n')
				err->msg[--n] = '\0';
		} else {
			snprintf(err->msg, sizeof(err->msg), "XML is not "
			    "well-formed");
		}
		xmlFreeParserCtxt(ctxt);
		return NULL;
	}
	xmlFreeParserCtxt(ctxt);
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		snprintf(err->msg, sizeof(err->msg), "XML with a DOCTYPE is "
		    "refused");
		xmlFreeDoc(doc);
		return NULL;
	}
	if (xmlDocGetRootElement(doc) == NULL) {
		snprintf(err->msg, sizeof(err->msg), "XML document has no root "
		    "element");
		xmlFreeDoc(doc);
		return NULL;
	}
	if (sh.over) {
		*err = over;
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

int
xmlsafe_root_is(const unsigned char *buf, size_t len, const char *root)
{
	size_t i = 0, n = strlen(root), limit = len < 8192 ? len : 8192;

	if (limit >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		i = 3;
	while (i < limit) {
		while (i < limit && (buf[i] == ' ' || buf[i] == '\t' ||
		    buf[i] == '\r' || buf[i] == '\n'))
			i++;
		if (i + 1 >= limit || buf[i] != '<')
			return 0;
		if (buf[i + 1] == '?' || buf[i + 1] == '!') {
			/* declaration, comment or DOCTYPE: skip to its '>' (a
			 * comment ends at "-->", a DOCTYPE's internal subset
			 * [...] holds '>'s of its own), so that a document
			 * with a DOCTYPE is still recognised, then refused by
			 * xmlsafe_parse with a clear message */
			const unsigned char *end = NULL;
			size_t j, depth = 0;

			if (limit - i >= 4 && memcmp(buf + i, "<!--", 4) == 0) {
				for (j = i + 4; j + 2 < limit; j++)
					if (memcmp(buf + j, "-->", 3) == 0) {
						end = buf + j + 2;
						break;
					}
			} else {
				for (j = i + 2; j < limit; j++) {
					if (buf[j] == '[')
						depth++;
					else if (buf[j] == ']' && depth > 0)
						depth--;
					else if (buf[j] == '>' && depth == 0) {
						end = buf + j;
						break;
					}
				}
			}
			if (end == NULL)
				return 0;
			i = (size_t)(end - buf) + 1;
			continue;
		}
		i++;
		{
			/* skip a namespace prefix */
			size_t j = i;

			while (j < limit && buf[j] != ':' && buf[j] != ' ' &&
			    buf[j] != '>' && buf[j] != '/' && buf[j] != '\t' &&
			    buf[j] != '\r' && buf[j] != '\n')
				j++;
			if (j < limit && buf[j] == ':')
				i = j + 1;
		}
		return i + n <= limit && memcmp(buf + i, root, n) == 0 &&
		    (i + n == limit || buf[i + n] == ' ' || buf[i + n] == '>' ||
			buf[i + n] == '/' || buf[i + n] == '\t' ||
			buf[i + n] == '\r' || buf[i + n] == '\n');
	}
	return 0;
}
