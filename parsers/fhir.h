/*
 * fhir.h - what the FHIR JSON and XML parsers share: a read-only view of a
 * FHIR resource tree that both jsonsafe's and libxml2's trees implement,
 * and the one mapping from that view to canonical referrals (fhir_map.c).
 *
 * FHIR's two wire forms hold the same tree: a property is a JSON member or
 * a child element of that name; a repeating property is a JSON array or
 * repeated elements; a primitive is a JSON string/number/boolean or the
 * element's value attribute; a resource is a JSON object with a
 * resourceType, or an element named after its type inside a wrapper
 * (<resource>, <contained>).  Nodes are opaque pointers into the
 * library's tree, valid until the tree is freed; strings the view returns
 * are borrowed from the tree too, so fhir_map copies whatever it keeps
 * into the arena.
 */
#ifndef PARS_FHIR_H
#define PARS_FHIR_H

#include <stddef.h>

#include "parser.h"

struct arena;
struct fhir_view;

/* Position in the values of one property. */
struct fhir_iter {
	const void *cur;  /* XML: the current element */
	const void *arr;  /* JSON: the array */
	size_t i, n;
	const char *name;
	const struct fhir_view *v;
};

struct fhir_view_ops {
	/* The first value of property name of node, or NULL. */
	const void *(*get)(const struct fhir_view *v, const void *node,
	    const char *name);
	/* Every value of property name in order: first, then next until
	 * NULL. */
	const void *(*first)(const struct fhir_view *v, const void *node,
	    const char *name, struct fhir_iter *it);
	const void *(*next)(struct fhir_iter *it);
	/* A primitive's value as text (borrowed, or copied into the arena),
	 * or NULL when node holds no primitive value. */
	const char *(*value)(const struct fhir_view *v, const void *node);
	/* An extension's url, or NULL. */
	const char *(*url)(const struct fhir_view *v, const void *node);
	/* The resource a Resource-typed property holds (Bundle.entry.resource,
	 * contained, Parameters.parameter.resource), or NULL. */
	const void *(*resource)(const struct fhir_view *v, const void *node);
	/* A resource's type name, or NULL. */
	const char *(*type)(const struct fhir_view *v, const void *res);
	/* 1-based line of node in the document; 0 when not known. */
	long (*line)(const struct fhir_view *v, const void *node);
};

struct fhir_view {
	const struct fhir_view_ops *ops;
	struct arena *a;
	const void *root_ns; /* XML: the FHIR namespace of the root */
	const void *dict;    /* XML: the document's name dictionary */
	const char *r4_format;   /* "fhir-r4-json" ... */
	const char *stu3_format; /* "fhir-stu3-json" ... */
};

/*
 * Maps the resource tree rooted at root (a Bundle, a ServiceRequest, an
 * e-RS ReferralRequest or createReferral Parameters, or any other
 * resource, which is then "no referral") to canonical referrals in res.
 * Returns 0 with res->n >= 1, or -1 with res->err saying what the
 * document holds instead.  Never quotes document content in a message.
 */
int fhir_map_document(const struct fhir_view *v, const void *root,
    const struct parse_limits *lim, struct parse_result *res);

/* 1 when s is the name of a FHIR (R4 or STU3) resource type. */
int fhir_is_resource_type(const char *s);

#endif
