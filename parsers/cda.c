/*
 * cda.c - HL7 CDA R2 clinical documents (NHS ITK / NPfIT CDA and US
 * C-CDA), XML in the namespace urn:hl7-org:v3, read through xmlsafe (no
 * DOCTYPE, no entities, no network, bounded depth and size).  One
 * ClinicalDocument is one referral.
 *
 * Where the referral's facts are read from:
 *
 *   source_id        setId (extension, else root), else id
 *   referral_date    the document's effectiveTime
 *   patient          recordTarget/patientRole/id with root
 *                    2.16.840.1.113883.2.1.4.1 (NHS number) or
 *                    2.16.840.1.113883.2.1.3.2.4.18.23 (NHS number not
 *                    verified: a warning); patient/birthTime (age only);
 *                    patient/administrativeGenderCode (HL7 F/M/UN, NHS
 *                    1/2/9/0)
 *   referrer         the first author with an assignedPerson:
 *                    assignedAuthor/id that is a G code (any root, or
 *                    root 2.16.840.1.113883.2.1.3.2.4.16.62, GMP), else
 *                    an SDS user id (root 1.2.826.0.1285.0.2.0.65); the
 *                    name from assignedPerson/name (prefix, first given
 *                    name, family)
 *   practice_ods     that author's representedOrganization/id with an ODS
 *                    root (2.16.840.1.113883.2.1.3.2.4.19.1, sites .19.2);
 *                    else the custodian's or the patient's
 *                    providerOrganization's ODS id when it is a practice
 *   provider_ods     the first informationRecipient that is not a copy
 *                    (typeCode TRC): intendedRecipient/receivedOrganization
 *                    /id with an ODS root
 *   consultant_code  that intendedRecipient's id that is a C code (or
 *                    root 2.16.840.1.113883.2.1.3.2.4.16.63, GMC)
 *   priority         the referral act's (classCode PCPR) priorityCode
 *                    (HL7 ActPriority R/EL routine, UR/A/S/EM/T urgent),
 *                    else a title naming the priority ("Two week wait")
 *   specialty        a code in the recipient or the referral act whose
 *                    codeSystemName is a treatment function code list
 *                    (CDA has no standard place for it)
 *   diagnoses        coded observations in problem / diagnosis sections
 *                    (LOINC 11450-4, 29548-5, 11535-2, or a title with
 *                    "problem" or "diagnos"): the value, else the code
 *                    unless it only says "Condition", "Problem", ...;
 *                    status observations (LOINC 33999-4) are skipped;
 *                    ICD-10 codes in any section; translations kept;
 *                    duplicates dropped; at most PARSE_MAX_CODES (256)
 *                    in diagnoses and in procedures, with a warning
 *   procedures       procedure entries that are requested or planned
 *                    (moodCode RQO, INT, ARQ, PRP, PRMS, APT), SNOMED CT
 *                    or OPCS-4; past procedures (EVN) are history, not
 *                    a request, and are not coded
 *   reason_text      the narrative of the reason-for-referral sections
 *                    (LOINC 42349-1, 46239-0, 29299-5, 10154-3, or the
 *                    title), then of the history, examination,
 *                    assessment, plan and problem sections, each under
 *                    its title
 *   medication_text  medication sections (LOINC 10160-0, 29549-3,
 *                    10183-2, or the title)
 *   results_text     results and vital signs (LOINC 30954-2, 8716-3, or
 *                    a title with "result", "investigation", "vital")
 *
 * Code systems: SNOMED CT 2.16.840.1.113883.6.96 and the NHS's
 * 2.16.840.1.113883.2.1.3.2.4.15; ICD-10 2.16.840.1.113883.6.3 and
 * ICD-10-CM 2.16.840.1.113883.6.90; otherwise the codeSystemName
 * ("SNOMED CT", "ICD-10", "OPCS-4": OPCS-4 has no OID we could confirm).
 *
 * Note: 2.16.840.1.113883.2.1.3.2.4.18.24 is the NHS OID for a *local*
 * identifier (of a patient or a user), not the SDS user id; it is not
 * taken as a referrer code.
 *
 * XML that declares no encoding (or UTF-8) must be valid UTF-8: it is
 * refused otherwise, with the line of the first bad byte.  A document
 * that is not a referral (no referral type code, title, reason-for-
 * referral section or referral act) is refused, naming its type code.
 */
#include <ctype.h>
#include <string.h>

#include <libxml/tree.h>

#include "arena.h"
#include "codes.h"
#include "dates.h"
#include "ident.h"
#include "parser.h"
#include "text.h"
#include "xmlsafe.h"

#define OID_NHS_NUMBER "2.16.840.1.113883.2.1.4.1"
#define OID_NHS_NUMBER_UNVERIFIED "2.16.840.1.113883.2.1.3.2.4.18.23"
#define OID_ODS_ORG "2.16.840.1.113883.2.1.3.2.4.19.1"
#define OID_ODS_SITE "2.16.840.1.113883.2.1.3.2.4.19.2"
#define OID_SDS_USER "1.2.826.0.1285.0.2.0.65"
#define OID_GMP "2.16.840.1.113883.2.1.3.2.4.16.62"
#define OID_GMC "2.16.840.1.113883.2.1.3.2.4.16.63"
#define OID_LOINC "2.16.840.1.113883.6.1"
#define CDA_NS "urn:hl7-org:v3"

enum sect {
	S_OTHER = 0,
	S_REASON,
	S_HISTORY,
	S_PROBLEMS,
	S_MEDS,
	S_RESULTS
};

struct cda {
	struct arena *a;
	struct referral *r;
	struct parse_result *res;
	const struct parse_limits *lim;
	struct arena_str reason, history, meds, results;
	int is_referral;	/* a referral type, title, section or act */
	int have_prio;
	const char *title;
	char *patient_practice; /* the patient's registered practice */
};

/* 1 when n is an element of the CDA namespace (or none) called name. */
static int
is_el(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE &&
	    (n->ns == NULL || n->ns->href == NULL ||
		strcmp((const char *)n->ns->href, CDA_NS) == 0) &&
	    strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
	xmlNodePtr c;

	for (c = n ? n->children : NULL; c != NULL; c = c->next)
		if (is_el(c, name))
			return c;
	return NULL;
}

/* An attribute's value (not copied: valid while the tree is), or NULL. */
static const char *
attr(xmlNodePtr n, const char *name)
{
	xmlAttrPtr p;

	if (n == NULL)
		return NULL;
	for (p = n->properties; p != NULL; p = p->next)
		if (p->ns == NULL && strcmp((const char *)p->name, name) == 0 &&
		    p->children != NULL && p->children->type == XML_TEXT_NODE &&
		    p->children->next == NULL)
			return (const char *)p->children->content;
	return NULL;
}

/* A trimmed arena copy of an attribute, or NULL when empty. */
static char *
attr_dup(struct arena *a, xmlNodePtr n, const char *name)
{
	const char *v = attr(n, name);

	return v ? str_trim_dup(a, v, strlen(v)) : NULL;
}

static int
attr_is(xmlNodePtr n, const char *name, const char *value)
{
	const char *v = attr(n, name);

	return v != NULL && strcmp(v, value) == 0;
}

/* The text of an element with white space collapsed, in the arena. */
static char *
plain_text(struct arena *a, xmlNodePtr n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *out, *o;
	const char *s;
	int sp = 0;

	if (c == NULL)
		return NULL;
	out = o = arena_alloc(a, strlen((const char *)c) + 1);
	for (s = (const char *)c; *s != '\0'; s++) {
		if (isspace((unsigned char)*s)) {
			sp = o != out;
			continue;
		}
		if (sp)
			*o++ = ' ';
		sp = 0;
		*o++ = *s;
	}
	*o = '\0';
	xmlFree(c);
	return o == out ? NULL : out;
}

/* The code system of a coded element, from its OID or its name. */
static enum code_system
system_of(xmlNodePtr code)
{
	const char *oid = attr(code, "codeSystem");
	const char *name = attr(code, "codeSystemName");

	if (oid != NULL) {
		if (strcmp(oid, "2.16.840.1.113883.6.96") == 0 ||
		    strcmp(oid, "2.16.840.1.113883.2.1.3.2.4.15") == 0)
			return CS_SNOMED;
		if (strcmp(oid, "2.16.840.1.113883.6.3") == 0 ||
		    strcmp(oid, "2.16.840.1.113883.6.90") == 0)
			return CS_ICD10;
	}
	if (name != NULL)
		return code_system_from_name(name, strlen(name));
	return CS_OTHER;
}

static int
has_code(const struct ref_codes *c, enum code_system cs, const char *code)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].system == cs && strcmp(c->v[i].code, code) == 0)
			return 1;
	return 0;
}

/*
 * Adds a coded element (and its translations) whose system is wanted, at
 * most PARSE_MAX_CODES to a list (parse_add_code): so the duplicate scan
 * is bounded, and a full list is not looked at again.
 */
static void
add_coded(struct cda *C, struct ref_codes *c, xmlNodePtr el, int proc)
{
	xmlNodePtr t;
	enum code_system cs;
	char *code, *text;

	if (c->full)
		return;
	cs = system_of(el);
	if ((cs == CS_SNOMED || (proc ? cs == CS_OPCS4 : cs == CS_ICD10)) &&
	    (code = attr_dup(C->a, el, "code")) != NULL &&
	    !has_code(c, cs, code)) {
		text = attr_dup(C->a, el, "displayName");
		if (text == NULL && child(el, "originalText") != NULL &&
		    child(child(el, "originalText"), "reference") == NULL)
			text = plain_text(C->a, child(el, "originalText"));
		parse_add_code(C->a, c, cs, code, text);
	}
	for (t = el->children; t != NULL; t = t->next)
		if (is_el(t, "translation"))
			add_coded(C, c, t, proc);
}

/* SNOMED CT codes that only say what kind of thing a problem is. */
static int
generic_problem_code(xmlNodePtr code)
{
	static const char *const generic[] = {"64572001", "55607006",
	    "282291009", "404684003", "409586006", "248536006", "418799008",
	    "373930000", "439401001", NULL};
	const char *c = attr(code, "code");
	size_t i;

	if (c == NULL)
		return 1;
	for (i = 0; generic[i] != NULL; i++)
		if (strcmp(c, generic[i]) == 0)
			return 1;
	return 0;
}

static int
requested_mood(xmlNodePtr n)
{
	static const char *const moods[] = {"RQO", "INT", "ARQ", "PRP", "PRMS",
	    "APT", NULL};
	const char *m = attr(n, "moodCode");
	size_t i;

	for (i = 0; m != NULL && moods[i] != NULL; i++)
		if (strcmp(m, moods[i]) == 0)
			return 1;
	return 0;
}

static enum ref_priority
act_priority(xmlNodePtr pc)
{
	const char *c = attr(pc, "code");
	enum ref_priority p;

	if (c == NULL)
		return REF_PRIO_UNKNOWN;
	if (strcmp(c, "EL") == 0)
		return REF_PRIO_ROUTINE;
	if (strcmp(c, "UR") == 0 || strcmp(c, "EM") == 0 ||
	    strcmp(c, "T") == 0)
		return REF_PRIO_URGENT;
	if ((p = priority_from_word(c)) != REF_PRIO_UNKNOWN)
		return p;
	return priority_from_word(attr(pc, "displayName"));
}

/* A TFC named by its code list ("Treatment Function Code", "TFC"). */
static void
maybe_tfc(struct cda *C, xmlNodePtr code)
{
	const char *name = attr(code, "codeSystemName");
	const char *c = attr(code, "code");

	if (C->r->tfc != NULL || name == NULL || c == NULL)
		return;
	if (str_istr(name, "treatment function") == NULL &&
	    !str_ieq(name, "TFC"))
		return;
	if (strlen(c) == 3 && isdigit((unsigned char)c[0]) &&
	    isdigit((unsigned char)c[1]) && isdigit((unsigned char)c[2])) {
		C->r->tfc = arena_strdup(C->a, c);
		C->r->specialty_text = attr_dup(C->a, code, "displayName");
	}
}

/* Looks for TFC codes anywhere under n. */
static void
find_tfc(struct cda *C, xmlNodePtr n)
{
	xmlNodePtr c;

	for (c = n ? n->children : NULL; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (attr(c, "codeSystemName") != NULL)
			maybe_tfc(C, c);
		find_tfc(C, c);
	}
}

/*
 * Walks the entries under n for codes, the referral act and requested
 * procedures.  kind is the section's kind.
 */
static void
walk_entries(struct cda *C, xmlNodePtr n, enum sect kind)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(c, "section"))
			continue; /* nested sections are walked on their own */
		if (is_el(c, "act") && attr_is(c, "classCode", "PCPR")) {
			xmlNodePtr pc = child(c, "priorityCode");

			C->is_referral = 1;
			if (pc != NULL && !C->have_prio) {
				C->r->priority = act_priority(pc);
				C->have_prio = C->r->priority !=
				    REF_PRIO_UNKNOWN;
			}
			find_tfc(C, c);
		}
		if (is_el(c, "procedure") && requested_mood(c) &&
		    child(c, "code") != NULL)
			add_coded(C, &C->r->procedures, child(c, "code"), 1);
		if (is_el(c, "observation")) {
			xmlNodePtr code = child(c, "code"), v = child(c, "value");
			int status = code != NULL &&
			    attr_is(code, "codeSystem", OID_LOINC) &&
			    attr_is(code, "code", "33999-4");

			if (!status && kind == S_PROBLEMS) {
				if (v != NULL && attr(v, "code") != NULL &&
				    (system_of(v) == CS_SNOMED ||
				    system_of(v) == CS_ICD10))
					add_coded(C, &C->r->diagnoses, v, 0);
				else if (code != NULL &&
				    !generic_problem_code(code))
					add_coded(C, &C->r->diagnoses, code, 0);
			} else if (!status) {
				/* ICD-10 only ever codes a diagnosis. */
				if (v != NULL && system_of(v) == CS_ICD10)
					add_coded(C, &C->r->diagnoses, v, 0);
				if (code != NULL && system_of(code) == CS_ICD10)
					add_coded(C, &C->r->diagnoses, code, 0);
			}
			if (status)
				continue;
		}
		walk_entries(C, c, kind);
	}
}

/* Appends a line break unless the text is at the start of a line. */
static void
newline(struct cda *C, struct arena_str *b)
{
	if (b->n > 0 && b->p[b->n - 1] != '\n')
		arena_str_add(C->a, b, "\n", 1);
}

/* Renders CDA narrative (paragraph, list, table, content, br ...). */
static void
render(struct cda *C, struct arena_str *b, xmlNodePtr n)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			const char *s = (const char *)c->content;

			for (; s != NULL && *s != '\0'; s++) {
				if (isspace((unsigned char)*s)) {
					if (b->n > 0 && b->p[b->n - 1] != ' ' &&
					    b->p[b->n - 1] != '\n')
						arena_str_add(C->a, b, " ", 1);
					continue;
				}
				arena_str_add(C->a, b, s, 1);
			}
			continue;
		}
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(c, "renderMultiMedia") || is_el(c, "footnoteRef"))
			continue;
		if (is_el(c, "br")) {
			/* a break ends the line, trailing space and all */
			while (b->n > 0 && b->p[b->n - 1] == ' ')
				b->p[--b->n] = '\0';
			arena_str_add(C->a, b, "\n", 1);
			continue;
		}
		if (is_el(c, "td") || is_el(c, "th")) {
			xmlNodePtr prev;

			for (prev = c->prev; prev != NULL &&
			    prev->type != XML_ELEMENT_NODE; prev = prev->prev)
				;
			if (prev != NULL) {
				while (b->n > 0 && b->p[b->n - 1] == ' ')
					b->p[--b->n] = '\0';
				arena_str_adds(C->a, b, " | ");
			}
			render(C, b, c);
			continue;
		}
		if (is_el(c, "paragraph") || is_el(c, "item") ||
		    is_el(c, "tr") || is_el(c, "caption") ||
		    is_el(c, "list") || is_el(c, "table") ||
		    is_el(c, "thead") || is_el(c, "tbody") ||
		    is_el(c, "tfoot")) {
			while (b->n > 0 && b->p[b->n - 1] == ' ')
				b->p[--b->n] = '\0';
			newline(C, b);
			render(C, b, c);
			while (b->n > 0 && b->p[b->n - 1] == ' ')
				b->p[--b->n] = '\0';
			newline(C, b);
			continue;
		}
		render(C, b, c); /* content, sub, sup, linkHtml, ... */
	}
}

/* A section's kind from its LOINC code, else its title. */
static enum sect
section_kind(xmlNodePtr sec, const char *title)
{
	static const struct {
		const char *code;
		enum sect kind;
	} loinc[] = {
	    {"42349-1", S_REASON},   /* reason for referral */
	    {"46239-0", S_REASON},   /* chief complaint and reason for visit */
	    {"29299-5", S_REASON},   /* reason for visit */
	    {"10154-3", S_REASON},   /* chief complaint */
	    {"10164-2", S_HISTORY},  /* history of present illness */
	    {"11348-0", S_HISTORY},  /* history of past illness */
	    {"10157-6", S_HISTORY},  /* family history */
	    {"29762-2", S_HISTORY},  /* social history */
	    {"51848-0", S_HISTORY},  /* assessment */
	    {"51847-2", S_HISTORY},  /* assessment and plan */
	    {"18776-5", S_HISTORY},  /* plan of treatment */
	    {"29545-1", S_HISTORY},  /* physical findings */
	    {"10210-3", S_HISTORY},  /* general status */
	    {"11450-4", S_PROBLEMS}, /* problem list */
	    {"29548-5", S_PROBLEMS}, /* diagnosis */
	    {"11535-2", S_PROBLEMS}, /* hospital discharge diagnosis */
	    {"10160-0", S_MEDS},     /* history of medication use */
	    {"29549-3", S_MEDS},     /* medications administered */
	    {"10183-2", S_MEDS},     /* hospital discharge medications */
	    {"30954-2", S_RESULTS},  /* relevant diagnostic tests */
	    {"8716-3", S_RESULTS},   /* vital signs */
	};
	static const struct {
		const char *word;
		enum sect kind;
	} words[] = {
	    {"reason for referral", S_REASON},
	    {"referral reason", S_REASON},
	    {"reason for visit", S_REASON},
	    {"presenting complaint", S_REASON},
	    {"chief complaint", S_REASON},
	    {"medication", S_MEDS},
	    {"drug", S_MEDS},
	    {"prescri", S_MEDS},
	    {"result", S_RESULTS},
	    {"investigation", S_RESULTS},
	    {"vital sign", S_RESULTS},
	    {"problem", S_PROBLEMS},
	    {"diagnos", S_PROBLEMS},
	    {"history", S_HISTORY},
	    {"examination", S_HISTORY},
	    {"finding", S_HISTORY},
	    {"assessment", S_HISTORY},
	    {"plan", S_HISTORY},
	    {"clinical", S_HISTORY},
	    {"summary", S_HISTORY},
	};
	xmlNodePtr code = child(sec, "code");
	const char *c = attr(code, "code");
	size_t i;

	if (c != NULL && attr_is(code, "codeSystem", OID_LOINC))
		for (i = 0; i < sizeof(loinc) / sizeof(loinc[0]); i++)
			if (strcmp(c, loinc[i].code) == 0)
				return loinc[i].kind;
	for (i = 0; title != NULL && i < sizeof(words) / sizeof(words[0]); i++)
		if (str_istr(title, words[i].word) != NULL)
			return words[i].kind;
	return S_OTHER;
}

static void
do_section(struct cda *C, xmlNodePtr sec, enum sect parent, unsigned depth)
{
	xmlNodePtr c, t = child(sec, "title"), text = child(sec, "text");
	char *title = t ? plain_text(C->a, t) : NULL;
	enum sect kind = section_kind(sec, title);
	struct arena_str *b = NULL;

	if (kind == S_OTHER)
		kind = parent;
	if (kind == S_REASON)
		C->is_referral = 1;
	switch (kind) {
	case S_REASON:
		b = &C->reason;
		break;
	case S_HISTORY:
	case S_PROBLEMS:
		b = &C->history;
		break;
	case S_MEDS:
		b = &C->meds;
		break;
	case S_RESULTS:
		b = &C->results;
		break;
	default:
		break;
	}
	if (b != NULL && text != NULL) {
		size_t mark = b->n;

		if (b->n > 0)
			arena_str_adds(C->a, b, "\n\n");
		if (title != NULL && (b == &C->reason || b == &C->history ||
		    b->n > 0)) {
			arena_str_adds(C->a, b, title);
			arena_str_add(C->a, b, "\n", 1);
		}
		{
			size_t before = b->n;

			render(C, b, text);
			if (b->n == before) /* an empty narrative */
				b->n = mark, b->p[mark] = '\0';
		}
	}
	walk_entries(C, sec, kind);
	if (depth >= C->lim->max_depth)
		return;
	for (c = sec->children; c != NULL; c = c->next)
		if (is_el(c, "component") && child(c, "section") != NULL)
			do_section(C, child(c, "section"), kind, depth + 1);
}

/* Tidies rendered narrative: no trailing spaces, at most one blank line
 * in a row; cut to limits.max_field.  NULL when empty. */
static const char *
finish_text(struct cda *C, struct arena_str *b, const char *what)
{
	char *o, *s;
	size_t n;

	if (b->n == 0)
		return NULL;
	for (s = o = b->p; *s != '\0'; s++) {
		if (*s == '\n') {
			while (o > b->p && o[-1] == ' ')
				o--;
			if (o - b->p >= 2 && o[-1] == '\n' && o[-2] == '\n')
				continue;
			if (o == b->p)
				continue;
		}
		if (*s == ' ' && (o == b->p || o[-1] == '\n'))
			continue;
		*o++ = *s;
	}
	while (o > b->p && (o[-1] == '\n' || o[-1] == ' '))
		o--;
	*o = '\0';
	n = (size_t)(o - b->p);
	if (n == 0)
		return NULL;
	if (n > C->lim->max_field) {
		n = C->lim->max_field;
		while (n > 0 && ((unsigned char)b->p[n] & 0xc0) == 0x80)
			n--;
		b->p[n] = '\0';
		referral_warn(C->a, C->r, "%s cut to %zu bytes "
		    "(limits.max_field)", what, n);
	}
	return b->p;
}

/* prefix, first given name and family of a name element. */
static char *
person_name(struct arena *a, xmlNodePtr name)
{
	xmlNodePtr prefix = child(name, "prefix"), given = child(name, "given");
	xmlNodePtr family = child(name, "family");
	char *p = prefix ? plain_text(a, prefix) : NULL;
	char *g = given ? plain_text(a, given) : NULL;
	char *f = family ? plain_text(a, family) : NULL;

	if (name == NULL)
		return NULL;
	if (g == NULL && f == NULL)
		return plain_text(a, name); /* an unstructured name */
	return arena_printf(a, "%s%s%s%s%s", p ? p : "", p ? " " : "",
	    g ? g : "", g && f ? " " : "", f ? f : "");
}

/* The ODS code among an element's id children, or NULL. */
static char *
ods_id(struct arena *a, xmlNodePtr el)
{
	xmlNodePtr c;

	for (c = el ? el->children : NULL; c != NULL; c = c->next)
		if (is_el(c, "id") && (attr_is(c, "root", OID_ODS_ORG) ||
		    attr_is(c, "root", OID_ODS_SITE)))
			return attr_dup(a, c, "extension");
	return NULL;
}

static void
do_patient(struct cda *C, xmlNodePtr rt)
{
	xmlNodePtr role = child(rt, "patientRole"), c, pat;
	struct referral *r = C->r;
	int others = 0;
	char date[11];

	for (c = role ? role->children : NULL; c != NULL; c = c->next) {
		if (!is_el(c, "id"))
			continue;
		if (r->nhs_number == NULL && attr_is(c, "root", OID_NHS_NUMBER))
			r->nhs_number = attr_dup(C->a, c, "extension");
		else if (r->nhs_number == NULL &&
		    attr_is(c, "root", OID_NHS_NUMBER_UNVERIFIED)) {
			r->nhs_number = attr_dup(C->a, c, "extension");
			referral_warn(C->a, r, "the NHS number is marked as not "
			    "verified (root %s)", OID_NHS_NUMBER_UNVERIFIED);
		} else
			others++;
	}
	if (r->nhs_number == NULL && others > 0)
		referral_warn(C->a, r, "the patient's %d identifier(s) are "
		    "not NHS numbers (root %s)", others, OID_NHS_NUMBER);
	if ((pat = child(role, "patient")) != NULL) {
		if (date_parse_prefix(attr(child(pat, "birthTime"), "value"),
		    date) == 0)
			r->birth_date = arena_strdup(C->a, date);
		r->sex = sex_from_word(attr(child(pat,
		    "administrativeGenderCode"), "code"));
	}
	C->patient_practice = ods_id(C->a, child(role, "providerOrganization"));
}

static void
do_author(struct cda *C, xmlNodePtr au)
{
	xmlNodePtr aa = child(au, "assignedAuthor"), c;
	struct referral *r = C->r;
	char *g = NULL, *sds = NULL, *ods;

	for (c = aa ? aa->children : NULL; c != NULL; c = c->next) {
		char *ext;

		if (!is_el(c, "id") || (ext = attr_dup(C->a, c,
		    "extension")) == NULL)
			continue;
		if (g == NULL && (gp_code_ok(ext) || attr_is(c, "root",
		    OID_GMP)))
			g = ext;
		else if (sds == NULL && attr_is(c, "root", OID_SDS_USER))
			sds = ext;
	}
	r->referrer_code = g ? g : sds;
	r->referrer_name = person_name(C->a, child(child(aa, "assignedPerson"),
	    "name"));
	if ((ods = ods_id(C->a, child(aa, "representedOrganization"))) !=
	    NULL) {
		r->practice_ods = ods;
		if (!ods_is_practice(ods))
			referral_warn(C->a, r, "the author's organisation is "
			    "not an ODS practice code (a letter and five "
			    "digits)");
	}
}

static void
do_recipient(struct cda *C, xmlNodePtr ir)
{
	xmlNodePtr ie = child(ir, "intendedRecipient"), c;
	struct referral *r = C->r;
	char *ods;

	for (c = ie ? ie->children : NULL; c != NULL; c = c->next) {
		char *ext;

		if (!is_el(c, "id") || r->consultant_code != NULL ||
		    (ext = attr_dup(C->a, c, "extension")) == NULL)
			continue;
		if (consultant_code_ok(ext) || attr_is(c, "root", OID_GMC))
			r->consultant_code = ext;
	}
	if ((ods = ods_id(C->a, child(ie, "receivedOrganization"))) != NULL)
		r->provider_ods = ods;
	find_tfc(C, ir);
}

/* Line of the first byte that is not UTF-8, or 0 when all are. */
static long
bad_utf8_line(const unsigned char *buf, size_t len)
{
	size_t i = 0, j;
	long line = 1;

	while (i < len) {
		for (j = i; j < len && buf[j] != '\n'; j++)
			;
		if (!utf8_valid(buf + i, j - i))
			return line;
		i = j + 1;
		line++;
	}
	return 0;
}

/* 1 when the XML declaration names an encoding other than UTF-8, or the
 * bytes start with a UTF-16 byte order mark. */
static int
declares_other_encoding(const unsigned char *buf, size_t len)
{
	const char *end, *e;
	size_t n = len < 200 ? len : 200;
	char decl[201];

	if (len >= 2 && ((buf[0] == 0xfe && buf[1] == 0xff) ||
	    (buf[0] == 0xff && buf[1] == 0xfe)))
		return 1;
	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		return 0;
	if (n < 5 || memcmp(buf, "<?xml", 5) != 0)
		return 0;
	memcpy(decl, buf, n);
	decl[n] = '\0';
	if ((end = strstr(decl, "?>")) == NULL)
		return 0;
	if ((e = str_istr(decl, "encoding")) == NULL || e > end)
		return 0;
	for (e += 8; *e == ' ' || *e == '=' || *e == '"' || *e == '\''; e++)
		;
	return !(str_istarts(e, "utf-8") || str_istarts(e, "utf8"));
}

static int
cda_probe(const unsigned char *buf, size_t len)
{
	return xmlsafe_root_is(buf, len, "ClinicalDocument") ? 90 : 0;
}

static int
cda_document(struct cda *C, xmlNodePtr root)
{
	struct referral *r = C->r;
	xmlNodePtr c, body = NULL, doc_code = NULL;
	char *set_id = NULL, *doc_id = NULL, date[11];
	int have_author = 0, have_recipient = 0;
	xmlNodePtr custodian = NULL;

	for (c = root->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(c, "realmCode") && attr(c, "code") != NULL &&
		    !attr_is(c, "code", "GB") && !attr_is(c, "code", "UK"))
			parse_warn(C->a, C->res, "the document's realmCode is "
			    "%.8s, not GB: it is not an NHS document and may "
			    "lack NHS identifiers", attr(c, "code"));
		else if (is_el(c, "id"))
			doc_id = attr_dup(C->a, c, "extension") ?
			    attr_dup(C->a, c, "extension") :
			    attr_dup(C->a, c, "root");
		else if (is_el(c, "setId"))
			set_id = attr_dup(C->a, c, "extension") ?
			    attr_dup(C->a, c, "extension") :
			    attr_dup(C->a, c, "root");
		else if (is_el(c, "code"))
			doc_code = c;
		else if (is_el(c, "title"))
			C->title = plain_text(C->a, c);
		else if (is_el(c, "effectiveTime")) {
			if (date_parse_prefix(attr(c, "value"), date) == 0)
				r->referral_date = arena_strdup(C->a, date);
		} else if (is_el(c, "recordTarget") && r->nhs_number == NULL)
			do_patient(C, c);
		else if (is_el(c, "author") && !have_author &&
		    child(child(c, "assignedAuthor"), "assignedPerson") !=
		    NULL) {
			do_author(C, c);
			have_author = 1;
		} else if (is_el(c, "custodian"))
			custodian = c;
		else if (is_el(c, "informationRecipient") && !have_recipient &&
		    !attr_is(c, "typeCode", "TRC")) {
			do_recipient(C, c);
			have_recipient = 1;
		} else if (is_el(c, "component"))
			body = child(c, "structuredBody");
	}
	if (r->practice_ods == NULL) {
		/* the custodian of a GP's document is the practice, else the
		 * patient's registered practice */
		char *ods = ods_id(C->a, child(child(custodian,
		    "assignedCustodian"), "representedCustodianOrganization"));

		if (ods_is_practice(ods))
			r->practice_ods = ods;
		else if (ods_is_practice(C->patient_practice))
			r->practice_ods = C->patient_practice;
	}
	r->source_id = set_id ? set_id : doc_id;
	if (r->referral_date == NULL)
		referral_warn(C->a, r, "no referral date (the document's "
		    "effectiveTime)");
	if (doc_code != NULL && attr_is(doc_code, "codeSystem", OID_LOINC) &&
	    attr_is(doc_code, "code", "57133-1"))
		C->is_referral = 1;
	if (C->title != NULL && str_istr(C->title, "referral") != NULL)
		C->is_referral = 1;
	if (body != NULL) {
		for (c = body->children; c != NULL; c = c->next)
			if (is_el(c, "component") && child(c, "section") != NULL)
				do_section(C, child(c, "section"), S_OTHER, 1);
	}
	if (!C->is_referral) {
		const char *code = attr(doc_code, "code");

		return parse_fail(C->res, 0, -1, "no referral in this "
		    "document: a CDA document of type %s (code system %s) "
		    "with no referral in its title, no reason-for-referral "
		    "section and no referral act", code ? code : "(none)",
		    attr(doc_code, "codeSystem") ? attr(doc_code,
		    "codeSystem") : "(none)");
	}
	if (!C->have_prio && C->title != NULL) {
		enum ref_priority p = priority_from_word(C->title);

		if (str_istr(C->title, "two week wait") != NULL ||
		    str_istr(C->title, "2ww") != NULL ||
		    str_istr(C->title, "suspected cancer") != NULL)
			p = REF_PRIO_TWO_WEEK_WAIT;
		else if (p == REF_PRIO_UNKNOWN && str_istr(C->title,
		    "urgent") != NULL)
			p = REF_PRIO_URGENT;
		r->priority = p;
	}
	if (body == NULL)
		referral_warn(C->a, r, "the document has no structured body: "
		    "no clinical text or codes");
	{
		/* reason first, then the other clinical sections */
		struct arena_str all = C->reason;

		if (C->history.n > 0) {
			if (all.n > 0)
				arena_str_adds(C->a, &all, "\n\n");
			arena_str_add(C->a, &all, C->history.p, C->history.n);
		}
		r->reason_text = finish_text(C, &all, "the clinical text");
	}
	r->medication_text = finish_text(C, &C->meds, "the medication text");
	r->results_text = finish_text(C, &C->results, "the results text");
	return 0;
}

static int
cda_parse(struct arena *a, const unsigned char *buf, size_t len,
    const struct parse_limits *lim, struct parse_result *res)
{
	struct cda C;
	xmlDocPtr doc;
	xmlNodePtr root;
	long line;
	int rc;

	if (!declares_other_encoding(buf, len) &&
	    (line = bad_utf8_line(buf, len)) > 0)
		return parse_fail(res, line, -1, "line %ld: the document is not "
		    "valid UTF-8 and its XML declaration names no other "
		    "encoding: XML is read as UTF-8 unless it declares "
		    "another", line);
	if ((doc = xmlsafe_parse(buf, len, lim, &res->err)) == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (!is_el(root, "ClinicalDocument") || root->ns == NULL ||
	    strcmp((const char *)root->ns->href, CDA_NS) != 0) {
		xmlFreeDoc(doc);
		return parse_fail(res, 0, -1, "the XML root is not a CDA "
		    "ClinicalDocument in the namespace %s", CDA_NS);
	}
	memset(&C, 0, sizeof(C));
	C.a = a;
	C.res = res;
	C.lim = lim;
	if ((C.r = parse_new_referral(a, res, lim, "cda")) == NULL) {
		xmlFreeDoc(doc);
		return parse_fail(res, 0, -1, "more than %zu referrals "
		    "(limits.max_referrals)", lim->max_referrals);
	}
	rc = cda_document(&C, root);
	xmlFreeDoc(doc);
	return rc;
}

const struct parser parser_cda = {
	.name = "cda",
	.probe = cda_probe,
	.parse = cda_parse,
};
