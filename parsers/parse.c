/*
 * parse.c - format detection and the finishing pass every document gets
 * (see parser.h).
 */
#include "parser.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "dates.h"
#include "ident.h"
#include "text.h"

/* Every format the hub reads, most specific first. */
static const struct parser *const parsers[] = {
	&parser_hl7v2,
	/* CDA, CSV batches and letters (the letter probe scores lowest) */
	&parser_cda,
	&parser_csv,
	&parser_letter,
	/* FHIR R4 and e-RS STU3 (fhir_json.c, fhir_xml.c) */
	&parser_fhir_json,
	&parser_fhir_xml,
};
#define NPARSERS (sizeof(parsers) / sizeof(parsers[0]))

void
parse_limits_default(struct parse_limits *lim)
{
	lim->max_bytes = 20u << 20;
	lim->max_depth = 64;
	lim->max_nodes = 200000;
	lim->max_referrals = 10000;
	lim->max_field = 1u << 20;
}

const struct parser *
parser_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < NPARSERS; i++)
		if (strcmp(parsers[i]->name, name) == 0)
			return parsers[i];
	return NULL;
}

/*
 * XML whose root no parser knows, and comma-separated text without the
 * documented header, described by their structure only: the root
 * element's name (XML name characters, at most 40) or the number of
 * fields in the first line.  Returns 1 when it wrote why.
 */
static int
describe_shape(const unsigned char *buf, size_t len, char *why, size_t whylen)
{
	size_t i = 0, n = 0, lim = len < 8192 ? len : 8192, commas = 0;

	if (lim >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < lim && isspace(buf[i]))
		i++;
	if (i < lim && buf[i] == '<') {
		while (i + 1 < lim && buf[i] == '<' && (buf[i + 1] == '?' ||
		    buf[i + 1] == '!')) {
			const unsigned char *e = memchr(buf + i, '>', lim - i);

			if (e == NULL)
				break;
			i = (size_t)(e - buf) + 1;
			while (i < lim && isspace(buf[i]))
				i++;
		}
		if (i < lim && buf[i] == '<')
			for (i++; i + n < lim && n < 40 && (isalnum(buf[i + n]) ||
			    buf[i + n] == '_' || buf[i + n] == ':' ||
			    buf[i + n] == '-' || buf[i + n] == '.'); n++)
				;
		snprintf(why, whylen, "unknown format: an XML document (%zu "
		    "bytes) whose root element is <%.*s>, which is neither a "
		    "CDA ClinicalDocument nor a FHIR resource this hub reads",
		    len, (int)n, (const char *)buf + i);
		return 1;
	}
	for (; i < lim && buf[i] != '\n' && buf[i] != '\r'; i++)
		commas += buf[i] == ',';
	if (commas >= 2) {
		snprintf(why, whylen, "unknown format: %zu bytes of comma-"
		    "separated text whose first line (%zu fields) is not a "
		    "header with the documented column names (source_id, "
		    "referral_date, practice_ods, nhs_number, ...)", len,
		    commas + 1);
		return 1;
	}
	return 0;
}

/*
 * Describes what unknown bytes looked like, for the operator, by their
 * shape only: a message must never quote a document (it could quote a
 * patient's name or NHS number into a log).
 */
static void
describe(const unsigned char *buf, size_t len, char *why, size_t whylen)
{
	size_t i, bin = 0, lines = 1;

	if (len == 0) {
		snprintf(why, whylen, "unknown format: the file is empty");
		return;
	}
	if (len >= 5 && memcmp(buf, "%PDF-", 5) == 0) {
		snprintf(why, whylen, "unknown format: the file is a PDF "
		    "(%zu bytes); send the referral as HL7, FHIR, CDA, a CSV "
		    "batch or a structured text letter", len);
		return;
	}
	if (len >= 4 && memcmp(buf, "PK\x03\x04", 4) == 0) {
		snprintf(why, whylen, "unknown format: the file is a ZIP "
		    "archive or an Office document (%zu bytes); send the "
		    "referral as text, HL7, FHIR, CDA or CSV", len);
		return;
	}
	if (len >= 5 && memcmp(buf, "{\\rtf", 5) == 0) {
		snprintf(why, whylen, "unknown format: the file is an RTF "
		    "document (%zu bytes); save it as plain text", len);
		return;
	}
	/* XML and comma-separated text that no parser took,
	 * described by their structure (an element name, a field count). */
	if (describe_shape(buf, len, why, whylen))
		return;
	for (i = 0; i < len; i++) {
		if (i < 4096 && (buf[i] < 0x09 || (buf[i] > 0x0d &&
		    buf[i] < 0x20)))
			bin++;
		if (buf[i] == '\n')
			lines++;
	}
	if (bin > 0) {
		snprintf(why, whylen, "unknown format: the file looks binary "
		    "(%zu bytes, first bytes %02x %02x %02x %02x)", len,
		    buf[0], len > 1 ? buf[1] : 0, len > 2 ? buf[2] : 0,
		    len > 3 ? buf[3] : 0);
		return;
	}
	snprintf(why, whylen, "unknown format: %zu bytes of text in %zu "
	    "line(s) that is not HL7 v2 (no MSH segment), FHIR or CDA (no XML "
	    "or JSON resource), a CSV batch (no header row with the "
	    "documented column names) or a structured letter (no \"Key: "
	    "value\" lines such as \"NHS Number:\")", len, lines);
}

const struct parser *
parser_detect(const unsigned char *buf, size_t len, char *why, size_t whylen)
{
	const struct parser *best = NULL;
	int best_score = 0, s;
	size_t i;

	for (i = 0; i < NPARSERS; i++) {
		s = parsers[i]->probe(buf, len);
		if (s > best_score) {
			best_score = s;
			best = parsers[i];
		}
		if (s >= 100) /* certain: no other probe can do better */
			break;
	}
	if (best == NULL && why != NULL)
		describe(buf, len, why, whylen);
	return best;
}

int
parse_fail(struct parse_result *res, long line, long offset, const char *fmt,
    ...)
{
	va_list ap;

	res->err.line = line;
	res->err.offset = offset;
	va_start(ap, fmt);
	vsnprintf(res->err.msg, sizeof(res->err.msg), fmt, ap);
	va_end(ap);
	return -1;
}

void
parse_reject_row(struct arena *a, struct parse_result *res, long row,
    const char *fmt, ...)
{
	va_list ap;

	if (res->nrejects == res->caprejects) {
		size_t cap = res->caprejects ? res->caprejects * 2 : 8;

		res->rejects = arena_grow(a, res->rejects,
		    res->nrejects * sizeof(*res->rejects),
		    cap * sizeof(*res->rejects));
		res->caprejects = cap;
	}
	res->rejects[res->nrejects].row = row;
	va_start(ap, fmt);
	res->rejects[res->nrejects].reason = arena_vprintf(a, fmt, ap);
	va_end(ap);
	res->nrejects++;
}

void
parse_warn(struct arena *a, struct parse_result *res, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = arena_vprintf(a, fmt, ap);
	va_end(ap);
	str_list_add(a, &res->warnings, s);
}

void
parse_text_input(struct arena *a, struct parse_result *res,
    const unsigned char *buf, size_t len, const char **p, const char **end)
{
	if (!utf8_valid(buf, len)) {
		size_t n;

		*p = cp1252_to_utf8(a, buf, len, &n);
		*end = *p + n;
		parse_warn(a, res, "document is not UTF-8: read as "
		    "Windows-1252");
	} else {
		*p = (const char *)buf;
		*end = *p + len;
	}
	if (*end - *p >= 3 && memcmp(*p, "\xef\xbb\xbf", 3) == 0)
		*p += 3;
}

struct referral *
parse_new_referral(struct arena *a, struct parse_result *res,
    const struct parse_limits *lim, const char *format)
{
	struct referral *r;

	if (res->n >= lim->max_referrals)
		return NULL;
	if (res->n == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 4;

		res->v = arena_grow(a, res->v, res->n * sizeof(*res->v),
		    cap * sizeof(*res->v));
		res->cap = cap;
	}
	r = arena_zalloc(a, sizeof(*r));
	r->format = format;
	r->age_years = -1;
	r->position = res->n;
	res->v[res->n++] = r;
	return r;
}

/* 1 when code goes into c; else 0, c->full set when c is full. */
static int
code_fits(struct ref_codes *c, const char *code)
{
	if (code == NULL || *code == '\0')
		return 0;
	if (c->n >= PARSE_MAX_CODES) {
		c->full = 1;
		return 0;
	}
	return 1;
}

void
parse_add_code(struct arena *a, struct ref_codes *c, enum code_system sys,
    const char *code, const char *text)
{
	if (code_fits(c, code))
		ref_codes_add(a, c, sys, code, text);
}

void
parse_put_code(struct arena *a, struct ref_codes *c, enum code_system sys,
    const char *code, const char *text)
{
	if (code_fits(c, code))
		ref_codes_put(a, c, sys, code, text);
}

/* Makes one string field valid UTF-8, noting a repair. */
static void
fix_text(struct arena *a, struct referral *r, const char **field,
    const char *name)
{
	int changed = 0;

	*field = utf8_repair(a, *field, &changed);
	if (changed)
		referral_warn(a, r, "%s was not valid UTF-8: invalid bytes "
		    "replaced by U+FFFD", name);
}

static void
fix_codes(struct arena *a, struct referral *r, struct ref_codes *c)
{
	size_t i;
	int changed = 0;

	for (i = 0; i < c->n; i++) {
		c->v[i].code = utf8_repair(a, c->v[i].code, &changed);
		c->v[i].text = utf8_repair(a, c->v[i].text, &changed);
	}
	if (changed)
		referral_warn(a, r, "a code was not valid UTF-8: invalid bytes "
		    "replaced by U+FFFD");
}

/* Makes every text field of r valid UTF-8 (the documented repair). */
static void
fix_referral_text(struct arena *a, struct referral *r)
{
	fix_text(a, r, &r->source_id, "source id");
	fix_text(a, r, &r->practice_ods, "practice code");
	fix_text(a, r, &r->referrer_code, "referrer code");
	fix_text(a, r, &r->referrer_name, "referrer name");
	fix_text(a, r, &r->tfc, "treatment function code");
	fix_text(a, r, &r->ers_specialty, "e-RS specialty");
	fix_text(a, r, &r->ers_clinic_type, "e-RS clinic type");
	fix_text(a, r, &r->specialty_text, "specialty");
	fix_text(a, r, &r->provider_ods, "provider code");
	fix_text(a, r, &r->consultant_code, "consultant code");
	fix_text(a, r, &r->reason_text, "clinical text");
	fix_text(a, r, &r->medication_text, "medication text");
	fix_text(a, r, &r->results_text, "results text");
	fix_codes(a, r, &r->diagnoses);
	fix_codes(a, r, &r->procedures);
}

/* Checks identifiers, works out the age and repairs the text (unless the
 * parser is sure it is UTF-8). */
static void
finish_referral(struct arena *a, struct referral *r, int utf8_sure)
{
	char digits[11];
	size_t i;
	int changed = 0;

	if (r->nhs_number != NULL) {
		if (nhs_number_normalise(r->nhs_number, digits) == 0) {
			/* Ten digits and more: it had separators.  (Not a
			 * compare with digits, just written: it would wait
			 * for the stores.) */
			if (r->nhs_number[10] != '\0')
				r->nhs_number = arena_strdup(a, digits);
			r->nhs_number_valid = nhs_number_check(digits);
		} else {
			r->nhs_number_valid = 0;
		}
		if (!r->nhs_number_valid)
			referral_warn(a, r, "NHS number fails the modulus 11 "
			    "check");
	} else {
		referral_warn(a, r, "no NHS number");
	}
	if (r->diagnoses.full || r->procedures.full)
		referral_warn(a, r, "more than %d diagnosis or procedure codes: "
		    "the rest not kept", PARSE_MAX_CODES);
	if (r->age_years < 0 && r->birth_date != NULL &&
	    r->referral_date != NULL)
		r->age_years = date_age(r->birth_date, r->referral_date);
	if (!utf8_sure)
		fix_referral_text(a, r);
	for (i = 0; i < r->warnings.n; i++)
		r->warnings.v[i] = utf8_repair(a, r->warnings.v[i], &changed);
}

int
parse_document(struct arena *a, const unsigned char *buf, size_t len,
    const struct parse_limits *lim, struct parse_result *res)
{
	const struct parser *p;
	char why[256];
	size_t i;
	int changed = 0;

	memset(res, 0, offsetof(struct parse_result, err));
	res->err.line = 0;
	res->err.offset = -1;
	res->err.msg[0] = '\0';
	if (len > lim->max_bytes)
		return parse_fail(res, 0, -1, "document is %zu bytes, over the "
		    "limit of %zu bytes (limits.max_document_bytes)", len,
		    lim->max_bytes);
	if ((p = parser_detect(buf, len, why, sizeof(why))) == NULL)
		return parse_fail(res, 0, 0, "%s", why);
	res->format = p->name;
	if (p->parse(a, buf, len, lim, res) < 0) {
		if (res->err.msg[0] == '\0')
			parse_fail(res, 0, -1, "%s: could not parse the "
			    "document", p->name);
		return -1;
	}
	if (res->n == 0)
		return parse_fail(res, 0, -1, "%s: no referral in this "
		    "document", p->name);
	if (arena_over_cap(a))
		return parse_fail(res, 0, -1, "document needs more memory "
		    "than the limit allows");
	for (i = 0; i < res->n; i++) {
		res->v[i]->position = i;
		finish_referral(a, res->v[i], res->utf8_sure);
	}
	for (i = 0; i < res->nrejects; i++)
		res->rejects[i].reason =
		    utf8_repair(a, res->rejects[i].reason, &changed);
	for (i = 0; i < res->warnings.n; i++)
		res->warnings.v[i] = utf8_repair(a, res->warnings.v[i],
		    &changed);
	return 0;
}
