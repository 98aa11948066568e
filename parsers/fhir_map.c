/*
 * fhir_map.c - FHIR resources to canonical referrals, for both wire forms
 * (JSON and XML, through the view in fhir.h), FHIR R4 and STU3.
 *
 * What is a referral: an R4 ServiceRequest, an STU3 ReferralRequest (the
 * e-RS eRS-ReferralRequest-1 profile), or an e-RS STU3 createReferral
 * Parameters request, alone or as entries of a Bundle (searchset,
 * collection, transaction, document; a message Bundle's MessageHeader
 * focus).  A ServiceRequest that orders a laboratory test or imaging, or
 * is an e-RS advice and guidance request, is not an outpatient referral
 * and is not counted (a document warning, or the error when nothing else
 * is there).  Searchset entries included only as context (search.mode
 * "include") are not counted either.
 *
 * References are resolved inside the document: "#id" (contained),
 * fullUrl (urn:uuid:, absolute URLs) and Type/id; a logical reference
 * (Reference.identifier) is read for its identifier.  Where the fields
 * are read from:
 *
 *   source_id        identifier with system .../Id/UBRN; else (STU3) a
 *                    12-digit resource id, which e-RS makes the UBRN;
 *                    else the first identifier, the resource id, or the
 *                    entry's fullUrl (urn:uuid: taken off)
 *   status           status revoked | cancelled | entered-in-error, or the
 *                    e-RS referral state CANCELLED: cancelled
 *   priority         e-RS priority (Extension-eRS-ReferralPriority-1, the
 *                    R4 Extension-ERS-Referral "priority", codings of the
 *                    eRS-Priority system, the service search criteria);
 *                    else priority (routine | urgent | asap | stat)
 *   specialty        codings of the e-RS specialty and clinic type systems
 *                    (eRS-Specialty-1, eRS-ClinicType-1, .../SPECIALTY,
 *                    .../CLINIC-TYPE) and TFCs (treatment-function) in
 *                    specialty, extensions, code, category, performerType
 *                    and the contained search criteria; text: the coded
 *                    display, else performerType, else the performer's
 *                    specialty
 *   referral_date    authoredOn; else the e-RS eReferralPathwayStart,
 *                    else ClinicalInfoFirstSubmitted; else occurrence[x]
 *   patient          subject -> Patient: identifier .../Id/nhs-number,
 *                    birthDate (age only), gender
 *   referrer         requester (STU3: requester.agent) -> Practitioner,
 *                    PractitionerRole.practitioner: identifier gmp-number
 *                    (G code), else sds-user-id; its name
 *   practice         the requester's organisation (PractitionerRole,
 *                    STU3 onBehalfOf, or a role in the bundle naming the
 *                    requesting Practitioner); else a MessageHeader
 *                    sender with a practice code; else the patient's
 *                    generalPractitioner (with a warning)
 *   provider         performer (STU3: recipient) -> Organization, the
 *                    organisation of a PractitionerRole, HealthcareService
 *                    providedBy or Location managingOrganization: ODS code
 *   consultant       performer -> Practitioner: gmc-number as a C code
 *   diagnoses        reasonCode and reasonReference -> Condition.code:
 *                    SNOMED CT and ICD-10 codings; e-RS clinicalTerm
 *   procedures       code (STU3: serviceRequested): SNOMED CT, OPCS-4
 *   reason_text      note, description, reasonCode text, reasonReference
 *                    display, supportingInfo -> DocumentReference (text
 *                    attachments decoded; others named), basedOn ->
 *                    CarePlan description and outcome text
 *   results_text     supportingInfo -> Observation: name, value, unit
 *   medication_text  supportingInfo -> MedicationStatement/Request
 *
 * Messages never quote document content: they name resource types,
 * element paths, entry positions and codes whose shape is checked.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "dates.h"
#include "fhir.h"
#include "ident.h"
#include "parser.h"
#include "text.h"

#define MAX_HOPS 4    /* references followed from one element */
#define MAX_SAID 4    /* warnings of one kind a referral */
#define MAX_EACH 64   /* repeats read of an element many may share */

/*
 * An index slot: a Bundle entry's fullUrl or resource id (scope NULL; an
 * id has no ':' or '/', so the two do not meet), or the id of a resource
 * contained in scope.  The first resource under a key has a slot for any
 * type; in the Bundle's scope, the first of each other type under it has
 * a typed one (its type hashed too, so that resources of many types
 * under one id do not share one probe chain).
 */
struct slot {
	const char *key;
	const void *scope;
	const void *res;
	const char *type; /* the resource's; with typed, part of the key */
	size_t hash;
	int typed;
};

/* A map keyed by a node (Practitioner -> ODS code, the focus set, the
 * resources a referral has read). */
struct pslot {
	const void *key;
	const char *val;
};

struct pmap {
	struct pslot *v;
	size_t cap, n;
};

/* A text field being built: lines, at most limits.max_field_bytes. */
struct text {
	struct arena_str b;
	int cut;
};

/* What a Bundle entry holds, for choosing and describing referrals. */
struct entry {
	const void *res;
	const char *type, *full_url, *mode;
	long line;
	size_t ncontained;
};

struct map {
	const struct fhir_view *v;
	const struct fhir_view_ops *o;
	struct arena *a;
	const struct parse_limits *lim;
	struct parse_result *res;
	struct slot *idx; /* fullUrl, id, contained id -> resource */
	size_t idx_cap, idx_n;
	struct pmap roles; /* Practitioner -> its PractitionerRole's ODS */
	struct pmap focus; /* the MessageHeader's focus resources */
	struct entry *ent;
	size_t nent;
	const void *header; /* the MessageHeader of a message Bundle */
};

/* The facts gathered from a reference to a person or organisation. */
struct party {
	const char *ods, *gp, *sds, *gmc, *name, *specialty;
	const void *person; /* the Practitioner resource reached */
	const char *type;   /* the type of the first resource reached */
	int unresolved;	    /* a literal reference not in the document */
	int bad_gmp, bad_gmc;
	struct pmap *seen; /* resources already read, or NULL (borrows) */
};

/* One referral being built. */
struct rstate {
	struct referral *r;
	const void *res;       /* the referral resource */
	const void *container; /* what "#id" references resolve in */
	int stu3;
	enum ref_priority ers_prio;
	const char *pathway_start, *clinical_first, *occurrence;
	struct text reason, results, medication;
	int unresolved_said; /* "not in the document" warnings given */
	struct pmap seen;    /* resources read for the texts and codes */
};

/* --- the view, with NULL in giving NULL out --- */

static const void *
get(const struct map *m, const void *n, const char *name)
{
	return n ? m->o->get(m->v, n, name) : NULL;
}

static const char *
val(const struct map *m, const void *n)
{
	return n ? m->o->value(m->v, n) : NULL;
}

static const char *
str(const struct map *m, const void *n, const char *name)
{
	return val(m, get(m, n, name));
}

static const void *
first(const struct map *m, const void *n, const char *name,
    struct fhir_iter *it)
{
	return n ? m->o->first(m->v, n, name, it) : NULL;
}

#define EACH(m, it, x, node, name)                                            \
	for ((x) = first((m), (node), (name), &(it)); (x) != NULL;            \
	     (x) = (m)->o->next(&(it)))

/*
 * The first MAX_EACH repeats of an element of a resource that referrals
 * point at (k counts them): identifiers, codings, a Patient's registered
 * GPs, a document's contents.  Every referral that points at a resource
 * reads it again, so one of many thousands repeats would make a Bundle of
 * many referrals quadratic.
 */
#define EACH_FEW(m, it, x, res, name, k)                                      \
	for ((k) = 0, (x) = first((m), (res), (name), &(it));                \
	     (x) != NULL && (k)++ < MAX_EACH; (x) = (m)->o->next(&(it)))

static const char *
type_of(const struct map *m, const void *res)
{
	return res ? m->o->type(m->v, res) : NULL;
}

static int
is_type(const struct map *m, const void *res, const char *type)
{
	const char *t = type_of(m, res);

	return t != NULL && strcmp(t, type) == 0;
}

/* A trimmed copy in the arena; NULL for NULL or blank. */
static const char *
keep(const struct map *m, const char *s)
{
	return s ? str_trim_dup(m->a, s, strlen(s)) : NULL;
}

/* s when it is safe to quote in a message (a code, not free text). */
static const char *
token(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return NULL;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= 64 || !(isalnum((unsigned char)s[i]) || s[i] == '-' ||
		    s[i] == '_' || s[i] == '.'))
			return NULL;
	return s;
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	if (s == NULL || strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* --- identifier and code systems --- */

enum idsys { ID_NONE, ID_NHS, ID_UBRN, ID_ODS, ID_SDS_USER, ID_GMP, ID_GMC };

/*
 * The NHS identifier systems, under any of the bases NHS England has used
 * (https://fhir.nhs.uk/Id/, the older http://fhir.nhs.net/Id/, HL7 UK's
 * https://fhir.hl7.org.uk/Id/), ignoring case (senders write /id/).
 */
static enum idsys
id_system(const char *sys)
{
	static const char *const bases[] = {"https://fhir.nhs.uk/Id/",
	    "http://fhir.nhs.uk/Id/", "https://fhir.nhs.net/Id/",
	    "http://fhir.nhs.net/Id/", "https://fhir.hl7.org.uk/Id/",
	    "http://fhir.hl7.org.uk/Id/"};
	static const struct {
		const char *name;
		enum idsys id;
	} names[] = {{"nhs-number", ID_NHS}, {"UBRN", ID_UBRN},
	    {"ods-organization-code", ID_ODS}, {"ods-site-code", ID_ODS},
	    {"ods-organisation-code", ID_ODS}, {"sds-user-id", ID_SDS_USER},
	    {"gmp-number", ID_GMP}, {"gmc-number", ID_GMC}};
	size_t i, k;

	if (sys == NULL)
		return ID_NONE;
	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (!str_istarts(sys, bases[i]))
			continue;
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (str_ieq(sys + strlen(bases[i]), names[k].name))
				return names[k].id;
	}
	return ID_NONE;
}

enum csys {
	CSYS_OTHER,
	CSYS_SNOMED,
	CSYS_ICD10,
	CSYS_OPCS4,
	CSYS_ERS_SPECIALTY,
	CSYS_ERS_CLINIC,
	CSYS_ERS_PRIORITY,
	CSYS_TFC
};

/*
 * The first n - 1 bytes of s lowercased (ASCII) into buf: matching a
 * lowercased copy with strstr is much cheaper than a case-blind search
 * per pattern, and no system or extension URL worth knowing is longer.
 */
static const char *
lower(const char *s, char *buf, size_t n)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < n; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[i] = '\0';
	return buf;
}

/* How code systems are told apart, first match wins; in lower case. */
static const struct {
	char how; /* 'p' prefix, 's' suffix, 'c' contains */
	const char *s;
	enum csys cs;
} csys_rules[] = {
    {'p', "http://snomed.info/sct", CSYS_SNOMED},
    {'p', "https://snomed.info/sct", CSYS_SNOMED},
    {'c', "icd-10", CSYS_ICD10},
    {'c', "icd10", CSYS_ICD10},
    {'c', "opcs", CSYS_OPCS4},
    {'c', "ers-specialty", CSYS_ERS_SPECIALTY},
    {'s', "/codesystem/specialty", CSYS_ERS_SPECIALTY},
    {'c', "ers-clinictype", CSYS_ERS_CLINIC},
    {'s', "/codesystem/clinic-type", CSYS_ERS_CLINIC},
    {'c', "ers-priority", CSYS_ERS_PRIORITY},
    {'s', "/codesystem/priority", CSYS_ERS_PRIORITY},
    {'c', "treatment-function", CSYS_TFC},
    {'c', "treatmentfunction", CSYS_TFC},
};

static enum csys
code_system(const struct map *m, const char *sys)
{
	char buf[256];
	const char *l;
	size_t i, n, k;
	int hit;

	if (sys == NULL)
		return CSYS_OTHER;
	l = lower(sys, buf, sizeof(buf));
	n = strlen(l);
	for (i = 0; i < sizeof(csys_rules) / sizeof(csys_rules[0]); i++) {
		k = strlen(csys_rules[i].s);
		if (csys_rules[i].how == 'p')
			hit = strncmp(l, csys_rules[i].s, k) == 0;
		else if (csys_rules[i].how == 's')
			hit = n >= k && strcmp(l + n - k, csys_rules[i].s) == 0;
		else
			hit = strstr(l, csys_rules[i].s) != NULL;
		if (hit)
			return csys_rules[i].cs;
	}
	return CSYS_OTHER;
}

/* --- the resource index and node maps (open addressing) --- */

static size_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

static size_t
ptr_hash(const void *p)
{
	return mix((uint64_t)(uintptr_t)p);
}

/* FNV-1a of the key, then of the type when typed, mixed with the
 * scope. */
static size_t
hash(const char *s, size_t n, const void *scope, const char *type,
    size_t typelen)
{
	uint64_t h = 14695981039346656037ULL;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	if (type != NULL) {
		h = (h ^ '/') * 1099511628211ULL;
		while (typelen-- > 0)
			h = (h ^ (unsigned char)*type++) * 1099511628211ULL;
	}
	return mix(h ^ ptr_hash(scope));
}

static size_t
table_size(size_t n)
{
	size_t cap = 64;

	while (cap * 3 < n * 4) /* load at most 3/4 */
		cap *= 2;
	return cap;
}

/* Sizes the index for n keys, once. */
static void
index_init(struct map *m, size_t n)
{
	m->idx_cap = table_size(n);
	m->idx = arena_zalloc(m->a, m->idx_cap * sizeof(*m->idx));
}

static int
same_type(const char *a, const char *b, size_t blen)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strncmp(a, b, blen) == 0 && a[blen] == '\0';
}

/* The slot under key (n bytes) in scope, typed with type (typelen
 * bytes) when type is not NULL, whose hash is h; else the empty slot
 * that ends the chain. */
static struct slot *
index_slot(const struct map *m, size_t h, const char *key, size_t n,
    const void *scope, const char *type, size_t typelen)
{
	struct slot *sl;
	size_t i;
	int typed = type != NULL;

	for (i = h & (m->idx_cap - 1);; i = (i + 1) & (m->idx_cap - 1)) {
		sl = &m->idx[i];
		if (sl->key == NULL)
			return sl;
		if (sl->hash == h && sl->scope == scope && sl->typed == typed &&
		    strncmp(sl->key, key, n) == 0 && sl->key[n] == '\0' &&
		    (!typed || same_type(sl->type, type, typelen)))
			return sl;
	}
}

/* Puts res under key in the empty slot sl (unless the index is full). */
static void
index_fill(struct map *m, struct slot *sl, size_t h, const char *key,
    const void *scope, const void *res, const char *type, int typed)
{
	if ((m->idx_n + 1) * 4 > m->idx_cap * 3)
		return;
	sl->key = key;
	sl->scope = scope;
	sl->res = res;
	sl->type = type;
	sl->hash = h;
	sl->typed = typed;
	m->idx_n++;
}

/*
 * Adds a key for a resource of type: the first resource under a key, and
 * in the Bundle's scope (where Type/id references look) the first of
 * each other type, win; the rest could never be found and are not
 * added, so a Bundle repeating an id many times makes no long chain.
 * Each key takes at most one slot.
 */
static void
index_add(struct map *m, const char *key, const void *scope, const void *res,
    const char *type)
{
	struct slot *sl;
	size_t n, h, typelen;

	if (key == NULL || *key == '\0' || m->idx_cap == 0)
		return;
	n = strlen(key);
	h = hash(key, n, scope, NULL, 0);
	sl = index_slot(m, h, key, n, scope, NULL, 0);
	if (sl->key == NULL) {
		index_fill(m, sl, h, key, scope, res, type, 0);
		return;
	}
	if (scope != NULL || type == NULL)
		return;
	typelen = strlen(type);
	if (same_type(sl->type, type, typelen))
		return;
	h = hash(key, n, scope, type, typelen);
	sl = index_slot(m, h, key, n, scope, type, typelen);
	if (sl->key == NULL)
		index_fill(m, sl, h, key, scope, res, type, 1);
}

/* The resource under key (n bytes) in scope, with type (typelen bytes)
 * when type is not NULL; NULL when there is none. */
static const void *
index_find(const struct map *m, const char *key, size_t n, const void *scope,
    const char *type, size_t typelen)
{
	const struct slot *sl;

	if (m->idx_cap == 0)
		return NULL;
	sl = index_slot(m, hash(key, n, scope, NULL, 0), key, n, scope, NULL,
	    0);
	if (sl->key == NULL || type == NULL ||
	    same_type(sl->type, type, typelen))
		return sl->res;
	return index_slot(m, hash(key, n, scope, type, typelen), key, n,
	    scope, type, typelen)->res;
}

/* Indexes the resources res contains under their ids, scoped to res. */
static void
index_contained(struct map *m, const void *res)
{
	const void *c, *r;
	struct fhir_iter it;

	EACH(m, it, c, res, "contained")
		if ((r = m->o->resource(m->v, c)) != NULL)
			index_add(m, str(m, r, "id"), res, r, type_of(m, r));
}

static size_t
count(const struct map *m, const void *node, const char *name)
{
	const void *x;
	struct fhir_iter it;
	size_t n = 0;

	EACH(m, it, x, node, name)
		n++;
	return n;
}

static void
pmap_init(const struct map *m, struct pmap *p, size_t n)
{
	p->cap = table_size(n);
	p->v = arena_zalloc(m->a, p->cap * sizeof(*p->v));
}

static struct pslot *
pmap_slot(const struct pmap *p, const void *key)
{
	size_t i;

	if (p->cap == 0 || key == NULL)
		return NULL;
	for (i = ptr_hash(key) & (p->cap - 1); p->v[i].key != NULL &&
	     p->v[i].key != key; i = (i + 1) & (p->cap - 1))
		;
	return &p->v[i];
}

/* Sets key to val unless key is there already (the first one wins). */
static void
pmap_put(struct pmap *p, const void *key, const char *val)
{
	struct pslot *sl = pmap_slot(p, key);

	if (sl != NULL && sl->key == NULL) {
		sl->key = key;
		sl->val = val;
		p->n++;
	}
}

/* 1 when key is there; its value in *val. */
static int
pmap_get(const struct pmap *p, const void *key, const char **val)
{
	const struct pslot *sl = pmap_slot(p, key);

	if (sl == NULL || sl->key == NULL)
		return 0;
	if (val != NULL)
		*val = sl->val;
	return 1;
}

/*
 * Adds key to the set p, which grows (from 8 slots, doubling) to stay at
 * most 3/4 full; 1 when key was not there before.  For sets built as a
 * referral is read, where pmap_init cannot know the size.
 */
static int
pmap_add(struct arena *a, struct pmap *p, const void *key)
{
	struct pmap old = *p;
	size_t i;

	if (key == NULL || pmap_get(p, key, NULL))
		return 0;
	if ((p->n + 1) * 4 > p->cap * 3) {
		p->cap = old.cap ? old.cap * 2 : 8;
		p->v = arena_zalloc(a, p->cap * sizeof(*p->v));
		p->n = 0;
		for (i = 0; i < old.cap; i++)
			if (old.v[i].key != NULL)
				pmap_put(p, old.v[i].key, old.v[i].val);
	}
	pmap_put(p, key, "");
	return 1;
}

/*
 * The resource a Reference points at, or NULL.  "#id" is looked up in
 * the container's contained resources; anything else by fullUrl, then as
 * Type/id (the last two segments of an absolute URL, any _history cut).
 * When inner is not NULL it is set to the container that references made
 * from the resource found resolve in: the same container for a contained
 * resource, else the resource itself.
 */
static const void *
resolve_in(const struct map *m, const void *container, const void *ref,
    const void **inner)
{
	const char *s = str(m, ref, "reference");
	const void *r;

	if (s == NULL || *s == '\0')
		return NULL;
	if (inner != NULL)
		*inner = container;
	if (s[0] == '#')
		return s[1] == '\0' ? container :
		    index_find(m, s + 1, strlen(s + 1), container, NULL, 0);
	if ((r = index_find(m, s, strlen(s), NULL, NULL, 0)) == NULL) {
		/* Type/id from the end, before any /_history/. */
		const char *end = strstr(s, "/_history/"), *rid, *type;

		if (end == NULL)
			end = s + strlen(s);
		for (rid = end; rid > s && rid[-1] != '/'; rid--)
			;
		if (rid == s || rid == end)
			return NULL;
		for (type = rid - 1; type > s && type[-1] != '/'; type--)
			;
		r = index_find(m, rid, (size_t)(end - rid), NULL, type,
		    (size_t)(rid - 1 - type));
	}
	if (r != NULL && inner != NULL)
		*inner = r;
	return r;
}

static const void *
resolve(const struct map *m, const void *container, const void *ref)
{
	return resolve_in(m, container, ref, NULL);
}

/* The referenced resource's type named by a Reference that did not
 * resolve (Reference.type, or the Type/ of its string), if it is one. */
static const char *
ref_type(const struct map *m, const void *ref)
{
	const char *t = str(m, ref, "type"), *s, *p;

	if (fhir_is_resource_type(t))
		return t;
	if ((s = str(m, ref, "reference")) == NULL ||
	    (p = strchr(s, '/')) == NULL || p - s > 64)
		return NULL;
	t = arena_strndup(m->a, s, (size_t)(p - s));
	return fhir_is_resource_type(t) ? t : NULL;
}

/* --- people and organisations --- */

/* A person's name (prefix, given names, family), at most 255 bytes. */
static const char *
human_name(const struct map *m, const void *names)
{
	const char *family, *text, *prefix, *g;
	const void *x;
	struct fhir_iter it;
	char out[256];
	size_t len = 0, k;
	int given = 0;

	if (names == NULL)
		return NULL;
	family = str(m, names, "family");
	prefix = str(m, names, "prefix");
	text = str(m, names, "text");
	out[0] = '\0';
	if (prefix != NULL)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s ",
		    prefix);
	k = 0;
	EACH(m, it, x, names, "given") {
		if (++k > 4 || len >= sizeof(out) - 1)
			break;
		if ((g = val(m, x)) != NULL && *g != '\0') {
			len += (size_t)snprintf(out + len, sizeof(out) - len,
			    "%s ", g);
			given = 1;
		}
	}
	if (family == NULL && !given)
		return text ? keep(m, arena_strndup(m->a, text,
		    strnlen(text, 255))) : NULL;
	if (family != NULL && len < sizeof(out) - 1)
		snprintf(out + len, sizeof(out) - len, "%s", family);
	return keep(m, out);
}

static void
party_identifier(const struct map *m, const void *idel, struct party *p)
{
	const char *v = str(m, idel, "value");

	if (v == NULL || *v == '\0')
		return;
	switch (id_system(str(m, idel, "system"))) {
	case ID_ODS:
		if (p->ods == NULL)
			p->ods = keep(m, v);
		break;
	case ID_GMP:
		if (gp_code_ok(v))
			p->gp = keep(m, v);
		else
			p->bad_gmp = 1;
		break;
	case ID_SDS_USER:
		if (p->sds == NULL)
			p->sds = keep(m, v);
		break;
	case ID_GMC:
		if (consultant_code_ok(v))
			p->gmc = keep(m, v);
		else if (all_digits(v, 7))
			p->gmc = arena_printf(m->a, "C%s", v);
		else
			p->bad_gmc = 1;
		break;
	default:
		/* A G code is a G code whatever system it came under. */
		if (gp_code_ok(v) && p->gp == NULL)
			p->gp = keep(m, v);
		break;
	}
}

static void party_ref(const struct map *m, const void *container,
    const void *ref, struct party *p, int hops);

static void
specialty_display(const struct map *m, const void *res, const char *name,
    struct party *p)
{
	const void *cc, *cd;
	struct fhir_iter it, jt;
	const char *t;

	EACH(m, it, cc, res, name) {
		if (p->specialty != NULL)
			return;
		if ((t = str(m, cc, "text")) != NULL) {
			p->specialty = keep(m, t);
			continue;
		}
		EACH(m, jt, cd, cc, "coding")
			if (p->specialty == NULL &&
			    (t = str(m, cd, "display")) != NULL)
				p->specialty = keep(m, t);
	}
}

/* Reads a resource reached from a reference into p; its own references
 * resolve in container. */
static void
party_res(const struct map *m, const void *res, const void *container,
    struct party *p, int hops)
{
	const char *type = type_of(m, res);
	const void *x;
	struct fhir_iter it;
	size_t k;

	if (type == NULL)
		return;
	if (p->type == NULL)
		p->type = type;
	if (strcmp(type, "Organization") == 0) {
		EACH_FEW(m, it, x, res, "identifier", k)
			if (id_system(str(m, x, "system")) == ID_ODS &&
			    p->ods == NULL)
				p->ods = keep(m, str(m, x, "value"));
	} else if (strcmp(type, "Practitioner") == 0) {
		EACH_FEW(m, it, x, res, "identifier", k)
			party_identifier(m, x, p);
		if (p->name == NULL)
			p->name = human_name(m, get(m, res, "name"));
		if (p->person == NULL)
			p->person = res;
	} else if (strcmp(type, "PractitionerRole") == 0) {
		x = get(m, res, "practitioner");
		party_ref(m, container, x, p, hops + 1);
		if (p->name == NULL) /* a logical reference's display */
			p->name = keep(m, str(m, x, "display"));
		party_ref(m, container, get(m, res, "organization"), p,
		    hops + 1);
		specialty_display(m, res, "specialty", p);
	} else if (strcmp(type, "HealthcareService") == 0) {
		party_ref(m, container, get(m, res, "providedBy"), p,
		    hops + 1);
		specialty_display(m, res, "specialty", p);
		specialty_display(m, res, "type", p);
	} else if (strcmp(type, "Location") == 0) {
		party_ref(m, container, get(m, res, "managingOrganization"),
		    p, hops + 1);
	}
}

/* Follows a Reference (literal or logical) into p. */
static void
party_ref(const struct map *m, const void *container, const void *ref,
    struct party *p, int hops)
{
	const void *res, *inner;
	const char *t, *d;

	if (ref == NULL || hops > MAX_HOPS)
		return;
	if ((res = resolve_in(m, container, ref, &inner)) != NULL) {
		/* Read again, a resource adds nothing. */
		if (p->seen == NULL || pmap_add(m->a, p->seen, res))
			party_res(m, res, inner, p, hops);
		return;
	}
	if (str(m, ref, "reference") != NULL)
		p->unresolved = 1;
	party_identifier(m, get(m, ref, "identifier"), p);
	t = ref_type(m, ref);
	d = str(m, ref, "display");
	if (p->name == NULL && d != NULL && t != NULL &&
	    (strcmp(t, "Practitioner") == 0 ||
	    strcmp(t, "PractitionerRole") == 0))
		p->name = keep(m, d);
	if (p->type == NULL && t != NULL)
		p->type = t;
}

/* The organisation a PractitionerRole in the bundle gives person. */
static const char *
role_org(const struct map *m, const void *person)
{
	const char *ods = NULL;

	return pmap_get(&m->roles, person, &ods) ? ods : NULL;
}

/* --- building the referral --- */

/* s without white space at either end: its start, and its length in
 * *n. */
static const char *
trimmed(const char *s, size_t *n)
{
	while (isspace((unsigned char)*s))
		s++;
	for (*n = strlen(s); *n > 0 && isspace((unsigned char)s[*n - 1]);
	     (*n)--)
		;
	return s;
}

/* Adds a code (trimmed) unless it is there already; copied only when it
 * is added, so a code met many times costs no memory. */
static void
add_code(const struct map *m, struct ref_codes *c, enum code_system cs,
    const char *code, const char *text)
{
	size_t i, n;

	if (code == NULL || c->full)
		return;
	code = trimmed(code, &n);
	if (n == 0)
		return;
	for (i = 0; i < c->n; i++)
		if (c->v[i].system == cs && strncmp(c->v[i].code, code, n) == 0 &&
		    c->v[i].code[n] == '\0')
			return;
	parse_add_code(m->a, c, cs, arena_strndup(m->a, code, n), text);
}

/*
 * Appends a line (trimmed) to t, in amortised constant time a byte: the
 * buffer doubles.  A line that repeats one already there is dropped
 * (looked for while t is short, so that many lines stay linear), and
 * nothing is added past limits.max_field_bytes (t->cut says so).
 */
static void
add_line(const struct map *m, struct text *t, const char *s)
{
	size_t n;
	const char *p;

	if (s == NULL || t->cut)
		return;
	s = trimmed(s, &n);
	if (n == 0)
		return;
	if (t->b.n <= 4096)
		for (p = t->b.p; p != NULL;
		     p = strchr(p, '\n'), p = p ? p + 1 : NULL)
			if (strncmp(p, s, n) == 0 &&
			    (p[n] == '\0' || p[n] == '\n'))
				return;
	t->cut = text_add_line(m->a, &t->b, s, n, m->lim->max_field);
}

/* Reads one coding; returns what kind it was. */
static enum csys
take_coding(const struct map *m, struct rstate *st, const void *coding)
{
	struct referral *r = st->r;
	const char *code = str(m, coding, "code");
	const char *display = str(m, coding, "display");
	enum csys cs = code_system(m, str(m, coding, "system"));

	if (code == NULL || *code == '\0')
		return CSYS_OTHER;
	switch (cs) {
	case CSYS_ERS_SPECIALTY:
		if (r->ers_specialty == NULL)
			r->ers_specialty = keep(m, code);
		if (r->specialty_text == NULL)
			r->specialty_text = keep(m, display);
		break;
	case CSYS_ERS_CLINIC:
		if (r->ers_clinic_type == NULL)
			r->ers_clinic_type = keep(m, code);
		break;
	case CSYS_ERS_PRIORITY:
		if (st->ers_prio == REF_PRIO_UNKNOWN)
			st->ers_prio = priority_from_word(code);
		break;
	case CSYS_TFC:
		if (r->tfc == NULL && all_digits(code, 3))
			r->tfc = keep(m, code);
		if (r->specialty_text == NULL)
			r->specialty_text = keep(m, display);
		break;
	default:
		break;
	}
	return cs;
}

/* Every coding of the CodeableConcepts of property name. */
static void
take_concepts(const struct map *m, struct rstate *st, const void *res,
    const char *name)
{
	const void *cc, *cd;
	struct fhir_iter it, jt;

	EACH(m, it, cc, res, name)
		EACH(m, jt, cd, cc, "coding")
			(void)take_coding(m, st, cd);
}

/* Diagnoses or procedures from the codings of a concept. */
static void
concept_codes(const struct map *m, struct rstate *st, const void *cc,
    int procedures)
{
	const void *cd;
	struct fhir_iter it;
	const char *text = str(m, cc, "text"), *d;
	struct ref_codes *c = procedures ? &st->r->procedures
					 : &st->r->diagnoses;
	size_t k;

	EACH_FEW(m, it, cd, cc, "coding", k) {
		enum csys cs = take_coding(m, st, cd);
		const char *code = str(m, cd, "code");

		d = str(m, cd, "display");
		if (cs == CSYS_SNOMED)
			add_code(m, c, CS_SNOMED, code, d ? d : text);
		else if (cs == CSYS_ICD10 && !procedures)
			add_code(m, c, CS_ICD10, code, d ? d : text);
		else if (cs == CSYS_OPCS4 && procedures)
			add_code(m, c, CS_OPCS4, code, d ? d : text);
	}
}

static void
take_date(const struct map *m, struct rstate *st, const char *s,
    const char **slot, const char *what)
{
	char d[11];

	if (s == NULL || *slot != NULL)
		return;
	if (date_parse_prefix(s, d) == 0)
		*slot = arena_strdup(m->a, d);
	else
		referral_warn(m->a, st->r, "%s is not a full date", what);
}

/* The e-RS extensions and any coded extension on the resource. */
static void
take_extensions(const struct map *m, struct rstate *st, const void *el,
    int depth)
{
	const void *x, *y, *v;
	struct fhir_iter it, jt;
	const char *url, *code;
	char ubuf[256];

	if (depth > 3)
		return;
	EACH(m, it, x, el, "extension") {
		url = m->o->url(m->v, x);
		if (url == NULL)
			continue;
		url = lower(url, ubuf, sizeof(ubuf));
		if (strstr(url, "ereferralpathwaystart")) {
			take_date(m, st, str(m, x, "valueInstant") ?
			    str(m, x, "valueInstant") :
			    str(m, x, "valueDateTime"), &st->pathway_start,
			    "the e-RS pathway start");
			continue;
		}
		if (strstr(url, "clinicalinfofirstsubmitted")) {
			take_date(m, st, str(m, x, "valueDateTime"),
			    &st->clinical_first, "the e-RS clinical "
			    "information date");
			continue;
		}
		if (strstr(url, "referralpriority")) {
			EACH(m, jt, y, get(m, x, "valueCodeableConcept"),
			    "coding") {
				code = str(m, y, "code");
				if (st->ers_prio == REF_PRIO_UNKNOWN)
					st->ers_prio = priority_from_word(code);
			}
			continue;
		}
		/* R4 Extension-ERS-Referral and the e-RS referral state. */
		if (depth > 0 && strcmp(url, "priority") == 0 &&
		    (code = str(m, x, "valueCode")) != NULL &&
		    st->ers_prio == REF_PRIO_UNKNOWN)
			st->ers_prio = priority_from_word(code);
		if (depth > 0 && (strcmp(url, "state") == 0 ||
		    strcmp(url, "status") == 0)) {
			code = str(m, x, "valueCode");
			if (code == NULL)
				code = str(m, get(m, x, "valueCoding"), "code");
			if (str_ieq(code, "CANCELLED") ||
			    str_ieq(code, "cancelled"))
				st->r->status = REF_CANCELLED;
		}
		if ((v = get(m, x, "valueCoding")) != NULL)
			(void)take_coding(m, st, v);
		take_concepts(m, st, x, "valueCodeableConcept");
		take_extensions(m, st, x, depth + 1);
	}
}

/* The e-RS service search criteria (a Parameters resource). */
static void
search_criteria(const struct map *m, struct rstate *st, const void *params)
{
	const void *p, *c;
	struct fhir_iter it;

	EACH(m, it, p, params, "parameter") {
		if ((c = get(m, p, "valueCoding")) == NULL)
			continue;
		if (take_coding(m, st, c) == CSYS_SNOMED &&
		    str_ieq(str(m, p, "name"), "clinicalTerm"))
			add_code(m, &st->r->diagnoses, CS_SNOMED,
			    str(m, c, "code"), str(m, c, "display"));
	}
}

/* Standard base64, white space skipped, at most max bytes of it; NULL
 * when it is not base64. */
static char *
base64_text(const struct map *m, const char *s, size_t max)
{
	size_t n = strlen(s) / 4 * 3, o = 0;
	unsigned acc = 0;
	int bits = 0;
	char *out = arena_alloc(m->a, (n < max ? n : max) + 4);

	for (; *s != '\0' && o < max; s++) {
		int c = (unsigned char)*s, d;

		if (c >= 'A' && c <= 'Z')
			d = c - 'A';
		else if (c >= 'a' && c <= 'z')
			d = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			d = c - '0' + 52;
		else if (c == '+')
			d = 62;
		else if (c == '/')
			d = 63;
		else if (c == '=')
			break;
		else if (isspace(c))
			continue;
		else
			return NULL;
		acc = (acc << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return out;
}

/* A DocumentReference or Binary the referral carries: nothing is decoded
 * or copied once the clinical text is full. */
static void
take_document(const struct map *m, struct rstate *st, const void *doc)
{
	const void *c, *att;
	struct fhir_iter it;
	const char *ct, *data, *name;
	size_t k;

	EACH_FEW(m, it, c, doc, "content", k) {
		if (st->reason.cut)
			return;
		att = get(m, c, "attachment");
		ct = str(m, att, "contentType");
		data = str(m, att, "data");
		if (data != NULL && ct != NULL && str_istarts(ct, "text/")) {
			char *t = base64_text(m, data, m->lim->max_field);

			if (t == NULL)
				referral_warn(m->a, st->r, "a text attachment "
				    "of a DocumentReference is not base64");
			add_line(m, &st->reason, t);
			continue;
		}
		name = str(m, att, "title");
		if (name == NULL)
			name = str(m, doc, "description");
		if (name != NULL)
			add_line(m, &st->reason,
			    arena_printf(m->a, "Attachment: %s", name));
	}
	if (get(m, doc, "content") == NULL)
		add_line(m, &st->reason, str(m, doc, "description"));
}

static void
take_observation(const struct map *m, struct rstate *st, const void *obs)
{
	const void *code = get(m, obs, "code"), *q, *cc;
	const char *name = str(m, code, "text"), *value = NULL, *unit = NULL;

	if (st->results.cut)
		return;
	if (name == NULL)
		name = str(m, get(m, code, "coding"), "display");
	if ((q = get(m, obs, "valueQuantity")) != NULL) {
		value = str(m, q, "value");
		unit = str(m, q, "unit");
		if (unit == NULL)
			unit = str(m, q, "code");
	} else if ((cc = get(m, obs, "valueCodeableConcept")) != NULL) {
		value = str(m, cc, "text");
		if (value == NULL)
			value = str(m, get(m, cc, "coding"), "display");
	} else {
		static const char *const kinds[] = {"valueString",
		    "valueInteger", "valueBoolean", "valueDateTime"};
		size_t i;

		for (i = 0; value == NULL && i < 4; i++)
			value = str(m, obs, kinds[i]);
	}
	if (value == NULL && name == NULL)
		return;
	add_line(m, &st->results, arena_printf(m->a, "%s%s%s%s%s",
	    name ? name : "", name && value ? ": " : "", value ? value : "",
	    unit ? " " : "", unit ? unit : ""));
}

static void
take_medication(const struct map *m, struct rstate *st, const void *med)
{
	const void *cc = get(m, med, "medicationCodeableConcept");
	const char *name = str(m, cc, "text"), *dose;

	if (st->medication.cut)
		return;
	if (name == NULL)
		name = str(m, get(m, cc, "coding"), "display");
	if (name == NULL)
		return;
	dose = str(m, get(m, med, "dosage"), "text");
	if (dose == NULL)
		dose = str(m, get(m, med, "dosageInstruction"), "text");
	add_line(m, &st->medication, arena_printf(m->a, "%s%s%s", name,
	    dose ? ": " : "", dose ? dose : ""));
}

static void
take_careplan(const struct map *m, struct rstate *st, const void *plan)
{
	const void *act, *cc;
	struct fhir_iter it, jt;

	add_line(m, &st->reason, str(m, plan, "description"));
	EACH(m, it, act, plan, "activity") {
		EACH(m, jt, cc, act, "outcomeCodeableConcept")
			if (get(m, cc, "coding") == NULL)
				add_line(m, &st->reason, str(m, cc, "text"));
		add_line(m, &st->reason,
		    str(m, get(m, act, "detail"), "description"));
	}
}

/*
 * 1 the first time the referral reads resource x, then 0: read again, a
 * resource adds nothing, but many references to one big resource would
 * read it many times.
 */
static int
first_read(const struct map *m, struct rstate *st, const void *x)
{
	return pmap_add(m->a, &st->seen, x);
}

/* supportingInfo: documents, results and medication sent with it. */
static void
take_supporting(const struct map *m, struct rstate *st)
{
	const void *ref, *x;
	struct fhir_iter it;
	const char *t;

	EACH(m, it, ref, st->res, "supportingInfo") {
		if (arena_over_cap(m->a))
			return;
		if ((x = resolve(m, st->container, ref)) == NULL ||
		    !first_read(m, st, x))
			continue;
		if ((t = type_of(m, x)) == NULL)
			continue;
		if (strcmp(t, "DocumentReference") == 0 ||
		    strcmp(t, "Binary") == 0)
			take_document(m, st, x);
		else if (strcmp(t, "Observation") == 0)
			take_observation(m, st, x);
		else if (strcmp(t, "MedicationStatement") == 0 ||
		    strcmp(t, "MedicationRequest") == 0)
			take_medication(m, st, x);
	}
}

static void
take_reasons(const struct map *m, struct rstate *st)
{
	const void *cc, *ref, *x;
	struct fhir_iter it;
	const char *t;

	EACH(m, it, cc, st->res, "reasonCode") {
		concept_codes(m, st, cc, 0);
		add_line(m, &st->reason, str(m, cc, "text"));
	}
	EACH(m, it, ref, st->res, "reasonReference") {
		if (arena_over_cap(m->a))
			return;
		x = resolve(m, st->container, ref);
		t = type_of(m, x);
		if (t != NULL && strcmp(t, "Condition") == 0) {
			if (first_read(m, st, x))
				concept_codes(m, st, get(m, x, "code"), 0);
			continue;
		}
		if (t != NULL && strcmp(t, "Observation") == 0) {
			if (first_read(m, st, x))
				take_observation(m, st, x);
			continue;
		}
		add_line(m, &st->reason, str(m, ref, "display"));
	}
}

static void
take_patient(const struct map *m, struct rstate *st, const void *ref,
    const void **gp_holder, const void **gp_container)
{
	struct referral *r = st->r;
	const void *p, *x;
	struct fhir_iter it;
	const char *t;
	char d[11];
	size_t k;

	if (ref == NULL) {
		referral_warn(m->a, r, "no subject: the referral names no "
		    "patient");
		return;
	}
	p = resolve_in(m, st->container, ref, gp_container);
	if (p != NULL && !is_type(m, p, "Patient")) {
		t = type_of(m, p);
		referral_warn(m->a, r, "the subject is a%s %s, not a Patient",
		    t && strchr("AEIOU", t[0]) ? "n" : "",
		    fhir_is_resource_type(t) ? t : "resource");
		p = NULL;
	}
	if (p != NULL) {
		EACH_FEW(m, it, x, p, "identifier", k)
			if (id_system(str(m, x, "system")) == ID_NHS) {
				r->nhs_number = keep(m, str(m, x, "value"));
				break;
			}
		if ((t = str(m, p, "birthDate")) != NULL) {
			if (date_parse(t, d) == 0)
				r->birth_date = arena_strdup(m->a, d);
			else
				referral_warn(m->a, r, "Patient.birthDate is "
				    "not a full date: no age");
		}
		r->sex = sex_from_word(str(m, p, "gender"));
		*gp_holder = p;
		return;
	}
	x = get(m, ref, "identifier");
	if (id_system(str(m, x, "system")) == ID_NHS)
		r->nhs_number = keep(m, str(m, x, "value"));
	else if (str(m, ref, "reference") != NULL)
		referral_warn(m->a, r, "the subject's Patient is not in the "
		    "document: no NHS number, age or sex");
}

static void
warn_party(const struct map *m, struct rstate *st, const struct party *p,
    const char *role)
{
	if (p->unresolved && p->ods == NULL && p->gp == NULL &&
	    p->sds == NULL && p->gmc == NULL) {
		if (st->unresolved_said < MAX_SAID)
			referral_warn(m->a, st->r, "the %s%s%s is not in the "
			    "document", role, p->type ? " " : "",
			    p->type ? p->type : "");
		else if (st->unresolved_said == MAX_SAID)
			referral_warn(m->a, st->r, "more references are not "
			    "in the document");
		st->unresolved_said++;
	}
	if (p->bad_gmp)
		referral_warn(m->a, st->r, "the %s's gmp-number identifier "
		    "is not a G code (G and 7 digits)", role);
	if (p->bad_gmc)
		referral_warn(m->a, st->r, "the %s's gmc-number identifier "
		    "is not a GMC number (7 digits or C and 7 digits)", role);
}

/* Referrer and practice. */
static void
take_requester(const struct map *m, struct rstate *st, const void *gp_holder,
    const void *gp_container)
{
	struct referral *r = st->r;
	const void *req = get(m, st->res, "requester"), *x;
	struct party p, q;
	struct fhir_iter it;
	struct pmap seen; /* the registered GPs' resources read */
	size_t k;

	memset(&p, 0, sizeof(p));
	memset(&seen, 0, sizeof(seen));
	if (req == NULL)
		referral_warn(m->a, r, "no requester: no referrer or referring "
		    "organisation");
	if (get(m, req, "agent") != NULL) { /* STU3 */
		party_ref(m, st->container, get(m, req, "agent"), &p, 0);
		party_ref(m, st->container, get(m, req, "onBehalfOf"), &p, 0);
	} else {
		party_ref(m, st->container, req, &p, 0);
	}
	warn_party(m, st, &p, "requester");
	r->referrer_code = p.gp ? p.gp : p.sds;
	r->referrer_name = p.name;
	if (p.ods == NULL)
		p.ods = role_org(m, p.person);
	if (p.ods == NULL && m->header != NULL) {
		memset(&q, 0, sizeof(q));
		party_ref(m, m->header, get(m, m->header, "sender"), &q, 0);
		if (ods_is_practice(q.ods))
			p.ods = q.ods;
	}
	if (p.ods == NULL && gp_holder != NULL) {
		EACH_FEW(m, it, x, gp_holder, "generalPractitioner", k) {
			if (arena_over_cap(m->a))
				break;
			memset(&q, 0, sizeof(q));
			q.seen = &seen;
			party_ref(m, gp_container, x, &q, 0);
			if (q.ods == NULL)
				q.ods = role_org(m, q.person);
			if (q.ods != NULL) {
				p.ods = q.ods;
				referral_warn(m->a, r, "practice taken from "
				    "the patient's registered GP "
				    "(Patient.generalPractitioner): the "
				    "requester names no practice");
				break;
			}
		}
	}
	r->practice_ods = p.ods;
	if (p.ods != NULL && !ods_is_practice(p.ods))
		referral_warn(m->a, r, "the referring organisation%s%s is not "
		    "a GP practice code", ods_is_org(p.ods) ? " " : "",
		    ods_is_org(p.ods) ? p.ods : "");
}

/* Provider, consultant and their specialty. */
static void
take_performers(const struct map *m, struct rstate *st)
{
	static const char *const names[] = {"performer", "recipient"};
	struct referral *r = st->r;
	const void *ref;
	struct fhir_iter it;
	struct party p;
	struct pmap seen; /* what one performer gave, another cannot */
	size_t i;

	memset(&seen, 0, sizeof(seen));
	for (i = 0; i < 2; i++) {
		EACH(m, it, ref, st->res, names[i]) {
			if (arena_over_cap(m->a))
				return;
			memset(&p, 0, sizeof(p));
			p.seen = &seen;
			party_ref(m, st->container, ref, &p, 0);
			warn_party(m, st, &p, names[i]);
			if (p.ods == NULL)
				p.ods = role_org(m, p.person);
			if (r->provider_ods == NULL)
				r->provider_ods = p.ods;
			if (r->consultant_code == NULL)
				r->consultant_code = p.gmc;
			if (r->specialty_text == NULL)
				r->specialty_text = p.specialty;
		}
	}
}

static const char *
source_id(const struct map *m, struct rstate *st, const char *full_url)
{
	const void *x;
	struct fhir_iter it;
	const char *id = str(m, st->res, "id"), *v, *any = NULL;

	EACH(m, it, x, st->res, "identifier") {
		v = str(m, x, "value");
		if (v != NULL && id_system(str(m, x, "system")) == ID_UBRN)
			return keep(m, v);
		if (any == NULL)
			any = v;
	}
	if (st->stu3 && all_digits(id, 12))
		return keep(m, id);
	if (any != NULL)
		return keep(m, any);
	if (id != NULL)
		return keep(m, id);
	if (full_url != NULL && str_istarts(full_url, "urn:uuid:"))
		full_url += 9;
	return keep(m, full_url);
}

/* A text field's value, with a warning when it was cut. */
static const char *
text_value(const struct map *m, struct rstate *st, const struct text *t,
    const char *what)
{
	if (t->cut)
		referral_warn(m->a, st->r, "%s cut to %zu bytes "
		    "(limits.max_field_bytes)", what, m->lim->max_field);
	return t->b.n > 0 ? t->b.p : NULL;
}

static struct referral *
new_referral(const struct map *m, struct rstate *st, const void *res,
    int stu3)
{
	memset(st, 0, sizeof(*st));
	st->r = parse_new_referral(m->a, m->res, m->lim,
	    stu3 ? m->v->stu3_format : m->v->r4_format);
	st->res = res;
	st->container = res;
	st->stu3 = stu3;
	return st->r;
}

static void
finish_referral(const struct map *m, struct rstate *st, const char *authored)
{
	struct referral *r = st->r;

	if (authored != NULL)
		r->referral_date = authored;
	else if (st->pathway_start != NULL)
		r->referral_date = st->pathway_start;
	else if (st->clinical_first != NULL)
		r->referral_date = st->clinical_first;
	else
		r->referral_date = st->occurrence;
	if (r->referral_date == NULL)
		referral_warn(m->a, r, "no referral date");
	if (st->ers_prio != REF_PRIO_UNKNOWN)
		r->priority = st->ers_prio;
	r->reason_text = text_value(m, st, &st->reason, "clinical text");
	r->results_text = text_value(m, st, &st->results, "results text");
	r->medication_text = text_value(m, st, &st->medication,
	    "medication text");
}

/* An R4 ServiceRequest or an STU3 ReferralRequest. */
static int
map_request(struct map *m, const void *res, const char *full_url, int stu3)
{
	struct rstate st;
	struct referral *r;
	const void *x, *gp_holder = NULL, *gp_container = NULL;
	struct fhir_iter it;
	const char *s, *authored = NULL;

	if ((r = new_referral(m, &st, res, stu3)) == NULL)
		return -1;
	s = str(m, res, "status");
	if (str_ieq(s, "revoked") || str_ieq(s, "cancelled") ||
	    str_ieq(s, "entered-in-error"))
		r->status = REF_CANCELLED;
	else if (str_ieq(s, "draft"))
		referral_warn(m->a, r, "status is draft: the referral may not "
		    "have been sent");
	r->source_id = source_id(m, &st, full_url);

	/* Coded specialty, clinic type and priority, most specific first. */
	take_concepts(m, &st, res, "specialty");
	take_extensions(m, &st, res, 0);
	EACH(m, it, x, res, "contained") {
		const void *c = m->o->resource(m->v, x);

		if (is_type(m, c, "Parameters"))
			search_criteria(m, &st, c);
	}
	take_concepts(m, &st, res, "category");
	EACH(m, it, x, res, stu3 ? "serviceRequested" : "code")
		concept_codes(m, &st, x, 1);
	take_concepts(m, &st, res, "performerType");
	if (r->specialty_text == NULL) {
		x = get(m, res, "performerType");
		s = str(m, x, "text");
		r->specialty_text = keep(m, s ? s : str(m, get(m, x, "coding"),
		    "display"));
	}
	r->priority = priority_from_word(str(m, res, "priority"));

	take_date(m, &st, str(m, res, "authoredOn"), &authored, "authoredOn");
	if ((s = str(m, res, "occurrenceDateTime")) == NULL)
		s = str(m, get(m, res, "occurrencePeriod"), "start");
	take_date(m, &st, s, &st.occurrence, "occurrence");

	take_patient(m, &st, get(m, res, "subject"), &gp_holder,
	    &gp_container);
	take_requester(m, &st, gp_holder, gp_container);
	take_performers(m, &st);
	take_reasons(m, &st);
	EACH(m, it, x, res, "note")
		add_line(m, &st.reason, str(m, x, "text"));
	add_line(m, &st.reason, str(m, res, "description"));
	take_supporting(m, &st);
	EACH(m, it, x, res, "basedOn") {
		const void *plan;

		if (arena_over_cap(m->a))
			break;
		plan = resolve(m, st.container, x);
		if (is_type(m, plan, "CarePlan") && first_read(m, &st, plan))
			take_careplan(m, &st, plan);
	}
	finish_referral(m, &st, authored);
	return 0;
}

/* 1 when a Parameters resource is an e-RS createReferral request. */
static int
is_create_referral(const struct map *m, const void *res)
{
	const void *x;
	struct fhir_iter it;
	int patient = 0, shortlist = 0;

	EACH(m, it, x, get(m, res, "meta"), "profile")
		if (str_istr(val(m, x), "eRS-CreateReferral"))
			return 1;
	EACH(m, it, x, res, "parameter") {
		patient |= str_ieq(str(m, x, "name"), "patient");
		shortlist |= str_ieq(str(m, x, "name"), "shortlist");
	}
	return patient && shortlist;
}

/* An e-RS STU3 createReferral request: a referral e-RS has yet to give
 * a UBRN. */
static int
map_create_referral(struct map *m, const void *res)
{
	struct rstate st;
	struct referral *r;
	const void *x, *list, *c;
	struct fhir_iter it, jt;
	struct party p;
	const char *name;

	if ((r = new_referral(m, &st, res, 1)) == NULL)
		return -1;
	memset(&p, 0, sizeof(p));
	EACH(m, it, x, res, "parameter") {
		name = str(m, x, "name");
		if (str_ieq(name, "patient")) {
			const void *id = get(m, x, "valueIdentifier");

			if (id_system(str(m, id, "system")) == ID_NHS)
				r->nhs_number = keep(m, str(m, id, "value"));
		} else if (str_ieq(name, "referringClinician")) {
			party_identifier(m, get(m, x, "valueIdentifier"), &p);
		} else if (str_ieq(name, "eReferralPathwayStart")) {
			take_date(m, &st, str(m, x, "valueInstant") ?
			    str(m, x, "valueInstant") :
			    str(m, x, "valueDateTime"), &st.pathway_start,
			    "eReferralPathwayStart");
		} else if (str_ieq(name, "shortlist")) {
			list = m->o->resource(m->v, get(m, x, "resource"));
			EACH(m, jt, c, list, "contained") {
				const void *cr = m->o->resource(m->v, c);

				if (is_type(m, cr, "Parameters"))
					search_criteria(m, &st, cr);
			}
		}
	}
	r->referrer_code = p.gp ? p.gp : p.sds;
	referral_warn(m->a, r, "an e-RS createReferral request: e-RS has not "
	    "given it a UBRN yet");
	finish_referral(m, &st, NULL);
	return 0;
}

/* --- what a document holds when it is not a referral --- */

/* NULL when a ServiceRequest is a referral, else what it is instead. */
static const char *
not_a_referral(const struct map *m, const void *sr)
{
	const void *cc, *cd;
	struct fhir_iter it, jt;
	const char *code;
	int sct;

	EACH(m, it, cc, sr, "category")
		EACH(m, jt, cd, cc, "coding") {
			code = str(m, cd, "code");
			if (code == NULL)
				continue;
			sct = code_system(m, str(m, cd, "system")) ==
			    CSYS_SNOMED;
			if (sct && strcmp(code, "108252007") == 0)
				return "a laboratory test request (category "
				       "SNOMED CT 108252007)";
			if (sct && strcmp(code, "363679005") == 0)
				return "an imaging request (category SNOMED CT "
				       "363679005)";
			if (str_ieq(code, "advice"))
				return "an e-RS advice and guidance request "
				       "(category advice)";
		}
	EACH(m, it, cd, get(m, sr, "code"), "coding")
		if (str_ieq(str(m, cd, "code"), "advice-and-guidance"))
			return "an e-RS advice and guidance request (code "
			       "advice-and-guidance)";
	return NULL;
}

/* " (profile NAME)" for a resource's first profile, when it is one of
 * NHS England's, HL7's or HL7 UK's (a name from them is not patient
 * data). */
static const char *
profile_note(const struct map *m, const void *res)
{
	static const char *const authorities[] = {"https://fhir.nhs.uk/",
	    "http://fhir.nhs.uk/", "http://hl7.org/fhir/",
	    "https://fhir.hl7.org.uk/"};
	const char *p = val(m, get(m, get(m, res, "meta"), "profile")), *s;
	size_t i;

	if (p == NULL)
		return "";
	for (i = 0; i < sizeof(authorities) / sizeof(authorities[0]); i++)
		if (str_istarts(p, authorities[i]))
			break;
	if (i == sizeof(authorities) / sizeof(authorities[0]))
		return "";
	s = token(strrchr(p, '/') + 1);
	return s ? arena_printf(m->a, " (profile %s)", s) : "";
}

/* A Bundle's type when it is one FHIR defines, else NULL. */
static const char *
bundle_type(const struct map *m, const void *bundle)
{
	static const char *const types[] = {"document", "message",
	    "transaction", "transaction-response", "batch", "batch-response",
	    "history", "searchset", "collection"};
	const char *t = str(m, bundle, "type");
	size_t i;

	for (i = 0; t != NULL && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(t, types[i]) == 0)
			return types[i];
	return NULL;
}

/* "Patient, Organization, Encounter" for the entries' types: the first
 * six kinds, in order. */
static const char *
type_summary(const struct map *m)
{
	const char *shown[6], *t, *out = "";
	size_t i, k, nshown = 0;
	int unknown = 0, more = 0;

	for (i = 0; i < m->nent; i++) {
		t = m->ent[i].type;
		if (!fhir_is_resource_type(t)) {
			unknown = 1;
			continue;
		}
		for (k = 0; k < nshown && strcmp(shown[k], t) != 0; k++)
			;
		if (k < nshown)
			continue;
		if (nshown == 6) {
			more = 1;
			continue;
		}
		shown[nshown++] = t;
		out = arena_printf(m->a, "%s%s%s", out, *out ? ", " : "", t);
	}
	if (more)
		out = arena_printf(m->a, "%s, ...", out);
	if (unknown)
		out = arena_printf(m->a, "%s%sresources of unknown type", out,
		    *out ? ", " : "");
	return out;
}

static int
no_referral(struct map *m, const void *root, const char *type,
    const char *why, size_t nwhy)
{
	const char *btype = bundle_type(m, root);

	if (strcmp(type, "Bundle") != 0)
		return parse_fail(m->res, 0, -1, "no referral in this "
		    "document: it is a FHIR %s resource%s, not a referral",
		    type, profile_note(m, root));
	if (m->nent == 0)
		return parse_fail(m->res, 0, -1, "no referral in this "
		    "document: it is an empty Bundle%s%s%s", btype ? " (" : "",
		    btype ? btype : "", btype ? ")" : "");
	if (why != NULL)
		return parse_fail(m->res, 0, -1, "no referral in this "
		    "document: a Bundle%s%s%s of %zu entr%s whose "
		    "ServiceRequest%s %s %s, not a referral", btype ? " (" : "",
		    btype ? btype : "", btype ? ")" : "", m->nent,
		    m->nent == 1 ? "y" : "ies", nwhy == 1 ? "" : "s",
		    nwhy == 1 ? "is" : "are (the first)", why);
	return parse_fail(m->res, 0, -1, "no referral in this document: a "
	    "Bundle%s%s%s of %zu entr%s (%s) with no ServiceRequest or "
	    "ReferralRequest", btype ? " (" : "", btype ? btype : "",
	    btype ? ")" : "", m->nent, m->nent == 1 ? "y" : "ies",
	    type_summary(m));
}

/* The words parse_document uses when the arena is over its cap: said
 * here as soon as a referral finds it so, before the next is built. */
static int
too_big(struct map *m)
{
	return parse_fail(m->res, 0, -1, "document needs more memory than "
	    "the limit allows");
}

static int
too_many(struct map *m)
{
	return parse_fail(m->res, 0, -1, "more than %zu referrals in one "
	    "document (limits.max_referrals)", m->lim->max_referrals);
}

/* The resource a Bundle entry holds (in entry.resource, or directly:
 * *bare is then set), or NULL. */
static const void *
entry_resource(const struct map *m, const void *e, int *bare)
{
	const void *holder = get(m, e, "resource"), *r;

	r = holder ? m->o->resource(m->v, holder) : NULL;
	if (r == NULL && (r = m->o->resource(m->v, e)) != NULL)
		*bare = 1;
	return r;
}

/*
 * Reads the entries of a Bundle into m->ent, then indexes their fullUrls,
 * ids and contained resources (the index sized once, by what the entries
 * hold).  Each entry is read once.
 */
static void
read_entries(struct map *m, const void *bundle)
{
	const void *e, *r;
	struct fhir_iter it;
	struct entry *en;
	size_t i, keys = 0;
	int bare = 0;

	m->ent = arena_alloc(m->a, (count(m, bundle, "entry") + 1) *
	    sizeof(*m->ent));
	EACH(m, it, e, bundle, "entry") {
		if ((r = entry_resource(m, e, &bare)) == NULL)
			continue;
		en = &m->ent[m->nent++];
		en->res = r;
		en->type = type_of(m, r);
		en->full_url = str(m, e, "fullUrl");
		en->mode = str(m, get(m, e, "search"), "mode");
		en->line = m->o->line(m->v, r);
		en->ncontained = count(m, r, "contained");
		keys += 2 + en->ncontained;
		if (m->header == NULL && en->type != NULL &&
		    strcmp(en->type, "MessageHeader") == 0)
			m->header = r;
	}
	index_init(m, keys);
	for (i = 0; i < m->nent; i++) {
		en = &m->ent[i];
		index_add(m, en->full_url, NULL, en->res, en->type);
		index_add(m, str(m, en->res, "id"), NULL, en->res, en->type);
		if (en->ncontained > 0)
			index_contained(m, en->res);
	}
	if (bare)
		parse_warn(m->a, m->res, "Bundle entries hold their resources "
		    "directly instead of in entry.resource; read as if they "
		    "did");
}

static int
is_role(const char *type)
{
	return type != NULL && strcmp(type, "PractitionerRole") == 0;
}

/*
 * Which organisation each Practitioner works for, from the Bundle's
 * PractitionerRoles (the first with an ODS code), and the message's
 * focus: both looked up per referral, so made once.
 */
static void
read_roles_and_focus(struct map *m)
{
	const void *person, *f, *r;
	struct fhir_iter it;
	struct party q;
	size_t i, n = 0;

	for (i = 0; i < m->nent; i++)
		n += is_role(m->ent[i].type);
	pmap_init(m, &m->roles, n);
	for (i = 0; i < m->nent; i++) {
		const void *role = m->ent[i].res;

		if (!is_role(m->ent[i].type))
			continue;
		person = resolve(m, role, get(m, role, "practitioner"));
		if (person == NULL || pmap_get(&m->roles, person, NULL))
			continue;
		memset(&q, 0, sizeof(q));
		party_ref(m, role, get(m, role, "organization"), &q, 1);
		if (q.ods != NULL)
			pmap_put(&m->roles, person, q.ods);
	}
	pmap_init(m, &m->focus, count(m, m->header, "focus"));
	EACH(m, it, f, m->header, "focus")
		if ((r = resolve(m, m->header, f)) != NULL)
			pmap_put(&m->focus, r, "");
}

static int
is_request(const char *type)
{
	return type != NULL && (strcmp(type, "ServiceRequest") == 0 ||
	    strcmp(type, "ReferralRequest") == 0);
}

/* 1 when entry i is one of the message's focus resources. */
static int
in_focus(const struct map *m, size_t i)
{
	return pmap_get(&m->focus, m->ent[i].res, NULL);
}

static int
map_bundle(struct map *m, const void *bundle)
{
	const char *why = NULL, *w;
	size_t i, nwhy = 0, nfocus = 0;
	int message;

	read_entries(m, bundle);
	read_roles_and_focus(m);
	message = str_ieq(str(m, bundle, "type"), "message") &&
	    m->header != NULL;
	if (message)
		for (i = 0; i < m->nent; i++)
			nfocus += is_request(m->ent[i].type) && in_focus(m, i);
	for (i = 0; i < m->nent; i++) {
		const struct entry *e = &m->ent[i];

		if (!is_request(e->type))
			continue;
		if (str_ieq(e->mode, "include") || str_ieq(e->mode, "outcome"))
			continue;
		if (message && nfocus > 0 && !in_focus(m, i))
			continue;
		if (arena_over_cap(m->a))
			return too_big(m);
		if (strcmp(e->type, "ServiceRequest") == 0 &&
		    (w = not_a_referral(m, e->res)) != NULL) {
			if (why == NULL)
				why = w;
			if (nwhy++ < MAX_SAID)
				parse_warn(m->a, m->res, "entry %zu%s: the "
				    "ServiceRequest is %s: not counted as a "
				    "referral", i + 1, e->line ?
				    arena_printf(m->a, " (line %ld)", e->line) :
				    "", w);
			continue;
		}
		if (map_request(m, e->res, e->full_url,
		    strcmp(e->type, "ReferralRequest") == 0) < 0)
			return too_many(m);
	}
	if (m->res->n == 0)
		return no_referral(m, bundle, "Bundle", why, nwhy);
	if (nwhy > MAX_SAID)
		parse_warn(m->a, m->res, "%zu more ServiceRequests that are "
		    "not referrals were not counted", nwhy - MAX_SAID);
	return 0;
}

int
fhir_map_document(const struct fhir_view *v, const void *root,
    const struct parse_limits *lim, struct parse_result *res)
{
	struct map m;
	const char *type, *why;

	memset(&m, 0, sizeof(m));
	m.v = v;
	m.o = v->ops;
	m.a = v->a;
	m.lim = lim;
	m.res = res;
	type = type_of(&m, root);
	if (type == NULL || *type == '\0')
		return parse_fail(res, 0, -1, "no referral in this document: "
		    "it has no resourceType, so it is not a FHIR resource");
	if (!fhir_is_resource_type(type))
		return parse_fail(res, 0, -1, "no referral in this document: "
		    "it names a resource type that FHIR does not have");
	if (strcmp(type, "Bundle") == 0)
		return map_bundle(&m, root);
	index_init(&m, count(&m, root, "contained"));
	index_contained(&m, root);
	if (strcmp(type, "ServiceRequest") == 0) {
		if ((why = not_a_referral(&m, root)) != NULL)
			return parse_fail(res, 0, -1, "no referral in this "
			    "document: its ServiceRequest is %s, not a "
			    "referral", why);
		return map_request(&m, root, NULL, 0) < 0 ? too_many(&m) : 0;
	}
	if (strcmp(type, "ReferralRequest") == 0)
		return map_request(&m, root, NULL, 1) < 0 ? too_many(&m) : 0;
	if (strcmp(type, "Parameters") == 0 && is_create_referral(&m, root))
		return map_create_referral(&m, root) < 0 ? too_many(&m) : 0;
	return no_referral(&m, root, type, NULL, 0);
}

/* FHIR R4 resource types and the STU3 ones R4 dropped. */
static const char *const resource_types[] = {
    "Account", "ActivityDefinition", "AdverseEvent", "AllergyIntolerance",
    "Appointment", "AppointmentResponse", "AuditEvent", "Basic", "Binary",
    "BiologicallyDerivedProduct", "BodySite", "BodyStructure", "Bundle",
    "CapabilityStatement", "CarePlan", "CareTeam", "CatalogEntry",
    "ChargeItem", "ChargeItemDefinition", "Claim", "ClaimResponse",
    "ClinicalImpression", "CodeSystem", "Communication",
    "CommunicationRequest", "CompartmentDefinition", "Composition",
    "ConceptMap", "Condition", "Consent", "Contract", "Coverage",
    "CoverageEligibilityRequest", "CoverageEligibilityResponse",
    "DataElement", "DetectedIssue", "Device", "DeviceComponent",
    "DeviceDefinition", "DeviceMetric", "DeviceRequest",
    "DeviceUseStatement", "DiagnosticReport", "DocumentManifest",
    "DocumentReference", "EffectEvidenceSynthesis", "EligibilityRequest",
    "EligibilityResponse", "Encounter", "Endpoint", "EnrollmentRequest",
    "EnrollmentResponse", "EpisodeOfCare", "EventDefinition", "Evidence",
    "EvidenceVariable", "ExampleScenario", "ExpansionProfile",
    "ExplanationOfBenefit", "FamilyMemberHistory", "Flag", "Goal",
    "GraphDefinition", "Group", "GuidanceResponse", "HealthcareService",
    "ImagingManifest", "ImagingStudy", "Immunization",
    "ImmunizationEvaluation", "ImmunizationRecommendation",
    "ImplementationGuide", "InsurancePlan", "Invoice", "Library", "Linkage",
    "List", "Location", "Measure", "MeasureReport", "Media", "Medication",
    "MedicationAdministration", "MedicationDispense", "MedicationKnowledge",
    "MedicationRequest", "MedicationStatement", "MedicinalProduct",
    "MedicinalProductAuthorization", "MedicinalProductContraindication",
    "MedicinalProductIndication", "MedicinalProductIngredient",
    "MedicinalProductInteraction", "MedicinalProductManufactured",
    "MedicinalProductPackaged", "MedicinalProductPharmaceutical",
    "MedicinalProductUndesirableEffect", "MessageDefinition",
    "MessageHeader", "MolecularSequence", "NamingSystem", "NutritionOrder",
    "Observation", "ObservationDefinition", "OperationDefinition",
    "OperationOutcome", "Organization", "OrganizationAffiliation",
    "Parameters", "Patient", "PaymentNotice", "PaymentReconciliation",
    "Person", "PlanDefinition", "Practitioner", "PractitionerRole",
    "Procedure", "ProcedureRequest", "ProcessRequest", "ProcessResponse",
    "Provenance", "Questionnaire", "QuestionnaireResponse",
    "ReferralRequest", "RelatedPerson", "RequestGroup",
    "ResearchDefinition", "ResearchElementDefinition", "ResearchStudy",
    "ResearchSubject", "RiskAssessment", "RiskEvidenceSynthesis",
    "Schedule", "SearchParameter", "Sequence", "ServiceDefinition",
    "ServiceRequest", "Slot", "Specimen", "SpecimenDefinition",
    "StructureDefinition", "StructureMap", "Subscription", "Substance",
    "SubstanceNucleicAcid", "SubstancePolymer", "SubstanceProtein",
    "SubstanceReferenceInformation", "SubstanceSourceMaterial",
    "SubstanceSpecification", "SupplyDelivery", "SupplyRequest", "Task",
    "TerminologyCapabilities", "TestReport", "TestScript", "ValueSet",
    "VerificationResult", "VisionPrescription"};

int
fhir_is_resource_type(const char *s)
{
	size_t lo = 0, hi = sizeof(resource_types) / sizeof(resource_types[0]);

	if (s == NULL)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s, resource_types[mid]);

		if (c == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}
