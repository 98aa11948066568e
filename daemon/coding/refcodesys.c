/*
 * refcodesys.c - FHIR CodeSystem resources as records (see refcodesys.h).
 */
#include "refcodesys.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/tree.h>

#include "arena.h"
#include "parser.h"
#include "xmlsafe.h"

#define FHIR_NS "http://hl7.org/fhir"

struct recs {
	struct refcsv_rec *v;
	size_t n, cap;
};

/* Appends a record of nf fields (copied; NULL as ""). */
static struct refcsv_rec *
add(struct arena *a, struct recs *rs, long row, const char *const *f,
    size_t nf)
{
	struct refcsv_rec *r;
	size_t i;

	if (rs->n == rs->cap) {
		size_t ncap = rs->cap ? rs->cap * 2 : 64;

		rs->v = arena_grow(a, rs->v, rs->cap * sizeof(*rs->v),
		    ncap * sizeof(*rs->v));
		rs->cap = ncap;
	}
	r = &rs->v[rs->n++];
	memset(r, 0, sizeof(*r));
	r->row = row;
	r->n = nf;
	r->f = arena_zalloc(a, nf * sizeof(*r->f));
	for (i = 0; i < nf; i++)
		r->f[i] = arena_strdup(a, f[i] ? f[i] : "");
	return r;
}

static int
is_fhir(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0 && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, FHIR_NS) == 0;
}

/* The value attribute of the FHIR child element called name, or NULL
 * (xmlFree'd by the caller). */
static xmlChar *
child_value(xmlNodePtr n, const char *name)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next)
		if (is_fhir(c, name))
			return xmlGetProp(c, (const xmlChar *)"value");
	return NULL;
}

int
refcodesys_xml(const unsigned char *buf, size_t len, struct arena *a,
    struct refcsv_rec **recs, size_t *n, char *err, size_t errlen)
{
	struct parse_limits lim;
	struct parse_error perr;
	struct recs rs = {NULL, 0, 0};
	xmlDocPtr doc;
	xmlNodePtr root, c;

	parse_limits_default(&lim);
	if (len > lim.max_bytes) {
		snprintf(err, errlen, "the code system is larger than %zu "
		    "bytes", lim.max_bytes);
		return -1;
	}
	memset(&perr, 0, sizeof(perr));
	if ((doc = xmlsafe_parse(buf, len, &lim, &perr)) == NULL) {
		snprintf(err, errlen, "not readable XML: %s", perr.msg);
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !is_fhir(root, "CodeSystem")) {
		snprintf(err, errlen, "not a FHIR CodeSystem (the root element "
		    "is %s)", root ? (const char *)root->name : "missing");
		xmlFreeDoc(doc);
		return -1;
	}
	/* Concepts, nested ones too, in document order. */
	c = root->children;
	while (c != NULL) {
		if (is_fhir(c, "concept")) {
			xmlChar *code = child_value(c, "code");
			xmlChar *disp = child_value(c, "display");
			const char *f[2] = {(const char *)code,
			    (const char *)disp};
			struct refcsv_rec *r = add(a, &rs, c->line, f, 2);

			if (code == NULL)
				r->error = "a concept without a code";
			xmlFree(code);
			xmlFree(disp);
			if (c->children != NULL) {
				c = c->children;
				continue;
			}
		}
		while (c != NULL && c->next == NULL && c != root)
			c = c->parent;
		if (c == NULL || c == root)
			break;
		c = c->next;
	}
	xmlFreeDoc(doc);
	*recs = rs.v;
	*n = rs.n;
	return 0;
}

static const char *
jstr(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static json_object *
jarr(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

/* The e-RS concept's parent specialty and effectiveTo date. */
static void
concept_props(json_object *c, const char **spec, const char **to)
{
	json_object *props = jarr(c, "property"), *exts = jarr(c, "extension");
	size_t i;

	for (i = 0; props != NULL && i < json_object_array_length(props); i++) {
		json_object *p = json_object_array_get_idx(props, i), *vc;
		const char *code = jstr(p, "code");

		if (code == NULL)
			continue;
		if (strcmp(code, "specialty") == 0 &&
		    json_object_object_get_ex(p, "valueCoding", &vc))
			*spec = jstr(vc, "code");
		else if (strcmp(code, "effectiveTo") == 0)
			*to = jstr(p, "valueDateTime");
	}
	for (i = 0; *to == NULL && exts != NULL &&
	    i < json_object_array_length(exts); i++) {
		json_object *e = json_object_array_get_idx(exts, i);
		const char *url = jstr(e, "url");

		if (url != NULL && strstr(url, "EffectivetoDate") != NULL)
			*to = jstr(e, "valueDate");
	}
}

int
refcodesys_json(const unsigned char *buf, size_t len, struct arena *a,
    struct refcsv_rec **recs, size_t *n, char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new_ex(64);
	json_object *root, *concepts;
	struct recs rs = {NULL, 0, 0};
	const char *rt;
	size_t i;

	if (tok == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	root = json_tokener_parse_ex(tok, (const char *)buf, (int)len);
	if (root == NULL || json_tokener_get_error(tok) != json_tokener_success) {
		snprintf(err, errlen, "not readable JSON: %s",
		    json_tokener_error_desc(json_tokener_get_error(tok)));
		json_object_put(root);
		json_tokener_free(tok);
		return -1;
	}
	json_tokener_free(tok);
	rt = jstr(root, "resourceType");
	if (rt == NULL || strcmp(rt, "CodeSystem") != 0 ||
	    (concepts = jarr(root, "concept")) == NULL) {
		snprintf(err, errlen, "not a FHIR CodeSystem with concepts "
		    "(resourceType %s)", rt ? rt : "missing");
		json_object_put(root);
		return -1;
	}
	for (i = 0; i < json_object_array_length(concepts); i++) {
		json_object *c = json_object_array_get_idx(concepts, i);
		const char *spec = NULL, *to = NULL, *f[4];
		struct refcsv_rec *r;

		concept_props(c, &spec, &to);
		f[0] = jstr(c, "code");
		f[1] = jstr(c, "display");
		f[2] = spec;
		f[3] = to;
		r = add(a, &rs, (long)i + 1, f, 4);
		if (f[0] == NULL)
			r->error = "a concept without a code";
	}
	json_object_put(root);
	*recs = rs.v;
	*n = rs.n;
	return 0;
}
