/*
 * fhir_json.c - FHIR R4 and STU3 in JSON: a ServiceRequest, an e-RS
 * ReferralRequest or createReferral request, alone or in a Bundle.
 *
 * The bytes go through jsonsafe (UTF-8, depth and value-count limits
 * before json-c builds anything, then strict RFC 8259), and the json-c
 * tree is read through the FHIR view of fhir.h, so what each canonical
 * field is read from is the same as for XML: see fhir_map.c.  Referrals
 * are "fhir-r4-json" or "fhir-stu3-json" by their resource type.
 *
 * JSON form of FHIR: a property is an object member, repeating ones are
 * arrays, primitives are strings, numbers or booleans, a resource is an
 * object with a resourceType member (primitive extensions, "_name", are
 * not read).
 */
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "fhir.h"
#include "jsonsafe.h"
#include "parser.h"

static const void *
j_get(const struct fhir_view *v, const void *node, const char *name)
{
	struct json_object *o = (struct json_object *)node, *x;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, name, &x) || x == NULL)
		return NULL;
	if (json_object_is_type(x, json_type_array))
		return json_object_array_length(x) > 0 ?
		    json_object_array_get_idx(x, 0) : NULL;
	return x;
}

static const void *
j_next(struct fhir_iter *it)
{
	struct json_object *x;

	while (it->i < it->n) {
		x = json_object_array_get_idx((struct json_object *)it->arr,
		    it->i++);
		if (x != NULL)
			return x;
	}
	return NULL;
}

static const void *
j_first(const struct fhir_view *v, const void *node, const char *name,
    struct fhir_iter *it)
{
	struct json_object *o = (struct json_object *)node, *x;

	memset(it, 0, sizeof(*it));
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, name, &x) || x == NULL)
		return NULL;
	if (!json_object_is_type(x, json_type_array))
		return x; /* it->n is 0: next gives NULL */
	it->arr = x;
	it->n = json_object_array_length(x);
	return j_next(it);
}

static const char *
j_value(const struct fhir_view *v, const void *node)
{
	struct json_object *x = (struct json_object *)node;

	switch (json_object_get_type(x)) {
	case json_type_string:
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		return json_object_get_string(x);
	default:
		return NULL;
	}
}

static const char *
j_url(const struct fhir_view *v, const void *node)
{
	return j_value(v, j_get(v, node, "url"));
}

static const char *
j_type(const struct fhir_view *v, const void *res)
{
	struct json_object *t;

	if (!json_object_is_type((struct json_object *)res, json_type_object) ||
	    !json_object_object_get_ex((struct json_object *)res,
	    "resourceType", &t) || !json_object_is_type(t, json_type_string))
		return NULL;
	return json_object_get_string(t);
}

static const void *
j_resource(const struct fhir_view *v, const void *node)
{
	return j_type(v, node) != NULL ? node : NULL;
}

static long
j_line(const struct fhir_view *v, const void *node)
{
	return 0; /* json-c does not keep positions */
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
	struct json_object *root;
	struct parse_error err;
	int rc;

	if ((root = jsonsafe_parse(a, buf, len, lim, &err)) == NULL) {
		res->err = err;
		return -1;
	}
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return parse_fail(res, 0, -1, "no referral in this document: "
		    "it is JSON but not a JSON object, so not a FHIR resource");
	}
	rc = fhir_map_document(&v, root, lim, res);
	json_object_put(root);
	return rc;
}

const struct parser parser_fhir_json = {
	.name = "fhir-json",
	.probe = fhir_json_probe,
	.parse = fhir_json_parse,
};
