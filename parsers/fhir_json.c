/*
 * fhir_json.c - FHIR R4 and STU3 in JSON: a ServiceRequest, an e-RS
 * ReferralRequest or createReferral request, alone or in a Bundle.
 *
 * The bytes go through jsonsafe (UTF-8, then strict RFC 8259 into a
 * compact tree, with the depth and value-count limits), and the tree is
 * read through the FHIR view of fhir.h, so what each canonical
 * field is read from is the same as for XML: see fhir_map.c.  Referrals
 * are "fhir-r4-json" or "fhir-stu3-json" by their resource type.
 *
 * JSON form of FHIR: a property is an object member, repeating ones are
 * arrays, primitives are strings, numbers or booleans, a resource is an
 * object with a resourceType member (primitive extensions, "_name", are
 * not read).
 */
#include <string.h>

#include "arena.h"
#include "fhir.h"
#include "jsonsafe.h"
#include "parser.h"

/* The value of member name of node; NULL when node is not an object, or
 * has no such member, or its value is null. */
static const struct jnode *
member(const void *node, const char *name)
{
	const struct jnode *x = jnode_get(node, name, strlen(name));

	return x != NULL && x->type != J_NULL ? x : NULL;
}

static const void *
j_get(const struct fhir_view *v, const void *node, const char *name)
{
	const struct jnode *x = member(node, name);

	if (x != NULL && x->type == J_ARRAY)
		return x->n > 0 && x->u.v[0].type != J_NULL ? &x->u.v[0] :
		    NULL;
	return x;
}

static const void *
j_next(struct fhir_iter *it)
{
	const struct jnode *arr = it->arr;

	while (it->i < it->n)
		if (arr->u.v[it->i++].type != J_NULL)
			return &arr->u.v[it->i - 1];
	return NULL;
}

static const void *
j_first(const struct fhir_view *v, const void *node, const char *name,
    struct fhir_iter *it)
{
	const struct jnode *x = member(node, name);

	memset(it, 0, sizeof(*it));
	if (x == NULL || x->type != J_ARRAY)
		return x; /* it->n is 0: next gives NULL */
	it->arr = x;
	it->n = x->n;
	return j_next(it);
}

static const char *
j_value(const struct fhir_view *v, const void *node)
{
	const struct jnode *x = node;

	switch (x->type) {
	case J_STRING:
	case J_NUMBER:
		return x->u.s;
	case J_TRUE:
		return "true";
	case J_FALSE:
		return "false";
	default:
		return NULL;
	}
}

static const char *
j_url(const struct fhir_view *v, const void *node)
{
	const void *x = j_get(v, node, "url");

	return x != NULL ? j_value(v, x) : NULL;
}

static const char *
j_type(const struct fhir_view *v, const void *res)
{
	const struct jnode *t = member(res, "resourceType");

	return t != NULL && t->type == J_STRING ? t->u.s : NULL;
}

static const void *
j_resource(const struct fhir_view *v, const void *node)
{
	return j_type(v, node) != NULL ? node : NULL;
}

static long
j_line(const struct fhir_view *v, const void *node)
{
	return 0; /* the tree does not keep positions */
}

static const struct fhir_view_ops json_ops = {
	.get = j_get,
	.first = j_first,
	.next = j_next,
	.value = j_value,
	.url = j_url,
	.resource = j_resource,
	.type = j_type,
	.line = j_line,
};

/*
 * An object whose first bytes hold a "resourceType" member is FHIR; any
 * other JSON object or array is still claimed (lower) so that the error
 * can say it is JSON but not FHIR.
 */
static int
fhir_json_probe(const unsigned char *buf, size_t len)
{
	static const char key[] = "\"resourceType\"";
	size_t i = 0, limit = len < 65536 ? len : 65536;

	if (limit >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		i = 3;
	while (i < limit && (buf[i] == ' ' || buf[i] == '\t' ||
	    buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i >= limit)
		return 0;
	if (buf[i] == '[')
		return 30;
	if (buf[i] != '{')
		return 0;
	return memmem(buf + i, limit - i, key, sizeof(key) - 1) ? 95 : 60;
}

static int
fhir_json_parse(struct arena *a, const unsigned char *buf, size_t len,
    const struct parse_limits *lim, struct parse_result *res)
{
	struct fhir_view v = {
		.ops = &json_ops,
		.a = a,
		.r4_format = "fhir-r4-json",
		.stu3_format = "fhir-stu3-json",
	};
	const struct jnode *root;
	struct parse_error err;
	struct arena *tree;
	int rc;

	/* The tree has its own arena, freed once the mapping has copied
	 * what it keeps: a document's referrals may be held for a while
	 * (a batch of them is stored at once), its tree need not.  Its size
	 * is bounded by the limits (values, bytes). */
	tree = arena_new(0);
	if ((root = jsonsafe_parse(tree, buf, len, lim, &err)) == NULL) {
		res->err = err;
		rc = -1;
	} else if (root->type != J_OBJECT) {
		rc = parse_fail(res, 0, -1, "no referral in this document: "
		    "it is JSON but not a JSON object, so not a FHIR "
		    "resource");
	} else {
		rc = fhir_map_document(&v, root, lim, res);
	}
	arena_free(tree);
	return rc;
}

const struct parser parser_fhir_json = {
	.name = "fhir-json",
	.probe = fhir_json_probe,
	.parse = fhir_json_parse,
};
