/*
 * hl7v2.c - HL7 v2 REF^I12 / RRI^I12 referrals, single messages or batches
 * (FHS/BHS ... BTS/FTS), with the UK conventions of NHS-DATA.md.
 *
 * One pass over a padded copy of the bytes (hl7span.h finds them, 64 at a
 * time): segments end at CR, LF or CRLF; only the segments and fields a
 * referral needs are split, and only fields holding an escape character
 * are decoded (into the arena).  Delimiters come from each MSH, FHS and
 * BHS, and a message ends at the next of them.  Where the referral's
 * facts are read from:
 *
 *   source_id        RF1-11 when it is a UBRN (12 digits or type UBRN),
 *                    else RF1-6 (originating referral id), else MSH-10
 *   status           RF1-1 C/CA/CANCELLED is cancelled, else active
 *   priority         RF1-2 (R routine, U/A/S urgent, 2WW/TWW two-week wait)
 *   specialty        RF1-3 coded TFC (system TFC or a 3-digit code), e-RS
 *                    specialty (system ERS), else its text
 *   referral_date    RF1-7, else RF1-9, else MSH-7
 *   reason_text      RF1-14, NTE-3 lines (RF1-10 text when nothing else)
 *   medication_text  NTE-3 lines starting "Medication:" (or "Current
 *                    medication:", "Medications:", "Drugs:")
 *   patient          PID-3 repetition with authority NHS or type NH; PID-7
 *                    date of birth (age only); PID-8 sex
 *   practice         PD1-3 XON component 3 or 10; else the RP PRD's ODS id
 *   referrer         RP PRD-7 G code, else PD1-4 (G code, name)
 *   provider         RT PRD-7 ODS id or PRD-10 XON; consultant: RT PRD-7
 *                    C code
 *   diagnoses        DG1-3 (I10/ICD10 -> icd10, SCT/SNOMED -> snomed)
 *   procedures       PR1-3 (OPCS4 -> opcs4, SCT -> snomed)
 *   results          OBX-3 text, OBX-5 value, OBX-6 units, one a line
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dates.h"
#include "hl7span.h"
#include "ident.h"
#include "parser.h"
#include "text.h"

#define HL7_MAX_FIELDS 64

/* The strings of a document are carved from the arena 2 KB at a time, so
 * that most cost a pointer bump and no call. */
struct strpool {
	char *p, *end;
};

struct delims {
	char field, comp, rep, esc, sub;
	int *raw; /* set when an \X..\ escape gave a byte over 0x7f */
	struct strpool *pool;
};

/* A text gathered line by line; cut when limits.max_field stopped it. */
struct lines {
	struct arena_str b;
	int cut;
};

/* One message; start_msg() sets every field. */
struct msg {
	struct referral *r;
	long line;	  /* line of its MSH */
	struct span control_id, msh_date, type;
	int have_rf1;
	struct span rf1_6, rf1_11;
	int referrer_from_prd, practice_from_pd1;
	const char *reason;
	/* NTE and OBX lines, each at most limits.max_field bytes */
	struct lines nte, results, meds;
	size_t max_field;
};

/* 1 for the bytes isspace() takes in the C locale. */
static inline int
is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The nth (1-based) component of s, cut at its first subcomponent. */
static inline struct span
comp(const struct delims *d, struct span s, int nth)
{
	return span_comp(s, d->comp, d->sub, nth);
}

/* The first max components of s: out[i] is component i + 1. */
static inline void
comps(const struct delims *d, struct span s, struct span *out, int max)
{
	span_comps(s, d->comp, d->sub, out, max);
}

/* s without leading and trailing white space. */
static inline struct span
trim(struct span s)
{
	while (s.n > 0 && is_space(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n > 0 && is_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

/*
 * Writes s, trimmed and holding an escape character, with its HL7 escape
 * sequences decoded to out (s.n bytes are enough: every escape is longer
 * than what it stands for), trimmed again; returns the length written.
 */
static size_t
unescape(const struct delims *d, struct span s, char *out)
{
	char *o = out;
	const char *p, *end, *q;
	size_t n, lead;

	for (p = s.p, end = s.p + s.n; p < end; p++) {
		if (*p != d->esc) {
			*o++ = *p;
			continue;
		}
		q = memchr(p + 1, d->esc, (size_t)(end - p - 1));
		if (q == NULL) { /* a lone escape character is kept */
			*o++ = *p;
			continue;
		}
		switch (p[1]) {
		case 'F':
			*o++ = d->field;
			break;
		case 'S':
			*o++ = d->comp;
			break;
		case 'R':
			*o++ = d->rep;
			break;
		case 'T':
			*o++ = d->sub;
			break;
		case 'E':
			*o++ = d->esc;
			break;
		case '.': /* \.br\ and \.sp\: a line break */
			if (q - p >= 4 && ((p[2] == 'b' && p[3] == 'r') ||
			    (p[2] == 's' && p[3] == 'p')))
				*o++ = '\n';
			break;
		case 'X': { /* hex bytes */
			const char *h;

			for (h = p + 2; h + 1 < q; h += 2) {
				int hi = hex_value(h[0]), lo = hex_value(h[1]);

				if (hi < 0 || lo < 0)
					break;
				if (hi == 0 && lo == 0)
					continue;
				if (hi >= 8)
					*d->raw = 1;
				*o++ = (char)(hi << 4 | lo);
			}
			break;
		}
		default: /* \H\, \N\, \Zxx\ and unknown: dropped */
			break;
		}
		p = q;
	}
	/* What the escapes gave may be white space too. */
	n = (size_t)(o - out);
	for (lead = 0; lead < n && is_space(out[lead]); lead++)
		;
	while (n > lead && is_space(out[n - 1]))
		n--;
	memmove(out, out + lead, n - lead);
	return n - lead;
}

/*
 * Trims s (HL7's explicit null "" is empty) and returns 1 when it holds
 * no escape character: its text is then its bytes, and can be read
 * where it is (reading back a string just written, with the wide loads
 * of memcpy or strlen, waits for the stores).
 */
static inline int
plain(const struct delims *d, struct span *s)
{
	if (s->n == 0)
		return 1;
	if (s->n == 2 && s->p[0] == '"' && s->p[1] == '"') {
		s->n = 0;
		return 1;
	}
	/* White space is at most ' ': one compare an end, most often. */
	if ((unsigned char)s->p[0] <= ' ' ||
	    (unsigned char)s->p[s->n - 1] <= ' ')
		*s = trim(*s);
	if (s->n < 32)
		return (eq32(s->p, d->esc) & low_bits(s->n)) == 0;
	return find(s->p, s->p + s->n, d->esc) == s->p + s->n;
}

/*
 * Writes s decoded to out (s.n bytes are enough, and out has room for 32
 * when s is shorter), trimmed; returns the length written (no NUL).
 * Empty for HL7's explicit null "".  A short value without an escape,
 * the usual case, is copied with two loads and two stores.
 */
static inline size_t
decode(const struct delims *d, struct span s, char *out)
{
	if (s.n == 0)
		return 0;
	if (plain(d, &s)) {
		memcpy(out, s.p, s.n < 32 ? 32 : s.n);
		return s.n;
	}
	return unescape(d, s, out);
}

/* n bytes for a string from d's pool (or the arena when n is big). */
static inline char *
str_alloc(struct arena *a, const struct delims *d, size_t n)
{
	struct strpool *sp = d->pool;

	if (sp->p == NULL || (size_t)(sp->end - sp->p) < n) {
		if (n > 512)
			return arena_alloc(a, n);
		sp->p = arena_alloc(a, 2048);
		sp->end = sp->p + 2048;
	}
	sp->p += n;
	return sp->p - n;
}

/* s decoded into a trimmed arena string; NULL when nothing is left. */
static char *
text_any(struct arena *a, const struct delims *d, struct span s)
{
	char *out;
	size_t n;

	if (s.p == NULL || s.n == 0)
		return NULL;
	out = str_alloc(a, d, s.n < 32 ? 32 : s.n + 1);
	if ((n = decode(d, s, out)) == 0)
		return NULL;
	out[n] = '\0';
	return out;
}

/*
 * The same, with the usual case inline: a value of 1 to 31 bytes with
 * nothing to trim or decode, copied into the pool's next 32 bytes.
 * (The whole of text_any() inlined at every use made the code too big
 * for the instruction cache.)
 */
static inline char *
text(struct arena *a, const struct delims *d, struct span s)
{
	struct strpool *sp = d->pool;
	char *out;

	if (s.n - 1 < 31 && (unsigned char)s.p[0] > ' ' &&
	    (unsigned char)s.p[s.n - 1] > ' ' && s.p[0] != '"' &&
	    (eq32(s.p, d->esc) & low_bits(s.n)) == 0 &&
	    (size_t)(sp->end - sp->p) >= 32) {
		out = sp->p;
		sp->p += 32;
		memcpy(out, s.p, 32);
		out[s.n] = '\0';
		return out;
	}
	return text_any(a, d, s);
}

/* s decoded into buf (a short value: a date, a code word; size at least
 * 32); NULL when nothing is left or it does not fit. */
static const char *
word(const struct delims *d, struct span s, char *buf, size_t size)
{
	size_t n;

	if (s.p == NULL || s.n == 0 || s.n >= size)
		return NULL;
	if ((n = decode(d, s, buf)) == 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* The date s starts with, as YYYY-MM-DD in the arena; NULL when it
 * does not start with one. */
static const char *
date_of(struct arena *a, const struct delims *d, struct span s)
{
	char w[64], *out = str_alloc(a, d, 11);

	/* Written where it stays (a copy would read back fresh stores);
	 * when there is no date the 11 bytes are left unused. */
	if (date_parse_prefix(word(d, s, w, sizeof(w)), out) < 0)
		return NULL;
	return out;
}

/* Appends a line of n bytes to one of a message's texts (NTE notes, OBX
 * results, medication), in time linear in the line, up to
 * limits.max_field. */
static void
add_line(struct arena *a, struct msg *m, struct lines *l, const char *line,
    size_t n)
{
	if (line != NULL && !l->cut)
		l->cut = text_add_line(a, &l->b, line, n, m->max_field);
}

/* A message's text, with a warning when it was cut; NULL when empty. */
static const char *
lines_text(struct arena *a, const struct msg *m, const struct lines *l,
    const char *what)
{
	if (l->cut)
		referral_warn(a, m->r, "%s cut to %zu bytes "
		    "(limits.max_field_bytes)", what, m->max_field);
	return l->b.n > 0 ? l->b.p : NULL;
}

static enum code_system
code_system_of(struct span sys)
{
	if (span_eq(sys, "I10") || span_eq(sys, "ICD10") ||
	    span_eq(sys, "ICD-10") || span_eq(sys, "I10C") ||
	    span_eq(sys, "ICD10UK"))
		return CS_ICD10;
	if (span_eq(sys, "SCT") || span_eq(sys, "SNM") ||
	    span_eq(sys, "SNOMED") || span_eq(sys, "SNOMEDCT") ||
	    span_eq(sys, "SNOMED-CT"))
		return CS_SNOMED;
	if (span_eq(sys, "OPCS4") || span_eq(sys, "OPCS") ||
	    span_eq(sys, "OPCS-4") || span_eq(sys, "OPC"))
		return CS_OPCS4;
	return CS_OTHER;
}

/* A person's name from an XCN/XPN starting at component first:
 * "prefix given family", each part decoded, in one allocation. */
static char *
person_name(struct arena *a, const struct delims *d, struct span f, int first)
{
	struct span c[6], part[3];
	char *out;
	size_t n = 0, len[3], i;

	comps(d, f, c, first + 4);
	part[0] = c[first + 3]; /* prefix */
	part[1] = c[first];	/* given */
	part[2] = c[first - 1]; /* family */
	/* decode() may store 32 bytes for a short part */
	out = str_alloc(a, d, part[0].n + part[1].n + part[2].n + 3 + 32);
	for (i = 0; i < 3; i++) {
		len[i] = part[i].n > 0 ? decode(d, part[i], out + n) : 0;
		if (len[i] > 0) {
			n += len[i];
			out[n++] = ' ';
		}
	}
	if (len[1] == 0 && len[2] == 0)
		return NULL;
	out[n - 1] = '\0';
	return out;
}

/* s decoded, at most limits.max_field bytes (a reason for referral). */
static const char *
capped_text(struct arena *a, const struct delims *d, struct msg *m,
    struct span s, const char *what)
{
	const char *t = text(a, d, s);
	struct lines l = {{NULL, 0, 0}, 0};

	if (t == NULL || s.n <= m->max_field)
		return t;
	add_line(a, m, &l, t, strlen(t));
	return lines_text(a, m, &l, what);
}

static void
do_rf1(struct arena *a, const struct delims *d, struct msg *m,
    struct span *f, size_t nf)
{
	struct referral *r = m->r;
	struct span s;
	char w[64];
	const char *t;
	int i;

	m->have_rf1 = 1;
	if (nf > 1) {
		s = comp(d, f[1], 1);
		if (span_eq(s, "C") || span_eq(s, "CA") ||
		    span_eq(s, "CANCELLED") || span_eq(s, "CANCELED"))
			r->status = REF_CANCELLED;
	}
	if (nf > 2 && f[2].n > 0) {
		r->priority = priority_from_word(word(d, comp(d, f[2], 1), w,
		    sizeof(w)));
		if (r->priority == REF_PRIO_UNKNOWN)
			r->priority =
			    priority_from_word(word(d, comp(d, f[2], 2),
			    w, sizeof(w)));
		if (r->priority == REF_PRIO_UNKNOWN)
			referral_warn(a, r, "RF1-2 priority \"%s\" not "
			    "recognised", text(a, d, f[2]));
	}
	if (nf > 3 && f[3].n > 0) {
		struct span c3[3], code, sys;
		const char *c;

		comps(d, f[3], c3, 3);
		code = c3[0];
		sys = c3[2];
		c = text(a, d, code);

		if (span_eq(sys, "TFC") || span_eq(sys, "NHSTFC") ||
		    span_eq(sys, "99TFC") || (code.n == 3 && c != NULL &&
		    is_ascii_digit(c[0]) &&
		    is_ascii_digit(c[1]) &&
		    is_ascii_digit(c[2])))
			r->tfc = c;
		else if (span_eq(sys, "ERS") || span_eq(sys, "ERS-SPECIALTY"))
			r->ers_specialty = c;
		t = text(a, d, c3[1]);
		r->specialty_text = t ? t : (r->tfc || r->ers_specialty ? NULL
									 : c);
	}
	if (nf > 6)
		m->rf1_6 = comp(d, f[6], 1);
	for (i = 7; i <= 9 && (size_t)i < nf && r->referral_date == NULL;
	    i += 2)
		r->referral_date = date_of(a, d, f[i]);
	if (nf > 10 && f[10].n > 0)
		m->reason = capped_text(a, d, m, comp(d, f[10], 2),
		    "RF1-10 reason");
	if (nf > 11 && f[11].n > 0) {
		struct span c11[2], id, type;
		size_t k, digits = 0;

		comps(d, f[11], c11, 2);
		id = c11[0];
		type = c11[1];
		for (k = 0; k < id.n; k++)
			digits += is_ascii_digit(id.p[k]);
		if (span_eq(type, "UBRN") || (id.n == 12 && digits == 12))
			m->rf1_11 = id;
	}
	if (nf > 14 && f[14].n > 0 &&
	    (t = capped_text(a, d, m, f[14], "RF1-14 reason")) != NULL)
		m->reason = t;
}

static void
do_pid(struct arena *a, const struct delims *d, struct msg *m,
    struct span *f, size_t nf)
{
	struct referral *r = m->r;
	struct span reps[16];
	size_t n, i;
	char w[64];
	const char *dob;

	if (nf > 3) {
		n = split(f[3], d->rep, reps, 16);
		for (i = 0; i < n; i++) {
			struct span cx[5]; /* CX: id, ..., authority, type */

			comps(d, reps[i], cx, 5);
			if (span_eq(cx[3], "NHS") || span_eq(cx[4], "NH") ||
			    span_eq(cx[3], "NHSNBR")) {
				r->nhs_number = text(a, d, cx[0]);
				break;
			}
		}
	}
	if (r->nhs_number == NULL && nf > 2 && f[2].n > 0 &&
	    span_eq(comp(d, f[2], 4), "NHS"))
		r->nhs_number = text(a, d, comp(d, f[2], 1));
	if (nf > 7 && (dob = date_of(a, d, comp(d, f[7], 1))) != NULL)
		r->birth_date = dob;
	if (nf > 8)
		r->sex = sex_from_word(word(d, comp(d, f[8], 1), w,
		    sizeof(w)));
}

static void
do_pd1(struct arena *a, const struct delims *d, struct msg *m,
    struct span *f, size_t nf)
{
	struct referral *r = m->r;
	const char *ods, *code;

	if (nf > 3 && f[3].n > 0 && r->practice_ods == NULL) {
		ods = text(a, d, comp(d, f[3], 10));
		if (ods == NULL)
			ods = text(a, d, comp(d, f[3], 3));
		r->practice_ods = ods;
		m->practice_from_pd1 = ods != NULL;
	}
	if (nf > 4 && f[4].n > 0 && !m->referrer_from_prd) {
		code = text(a, d, comp(d, f[4], 1));
		if (code != NULL)
			r->referrer_code = code;
		r->referrer_name = person_name(a, d, f[4], 2);
	}
}

/*
 * PRD-7's identifiers, read in one pass over its repetitions: ids[0] the
 * first person's code (type GMP/NATGP/GP, or a GP code's shape; for the
 * RT provider type GMC/NATCONS/CONSULTANT/CONS or a consultant code's
 * shape), ids[1] the first organisation's (type ODS/NHSORG/ORG, or the
 * shape of a practice code, for RT of any organisation code).
 */
static void
prd_ids(struct arena *a, const struct delims *d, struct span f, int rt,
    const char *ids[2])
{
	struct span reps[8], c[2], type;
	size_t n, i;
	const char *id;

	ids[0] = ids[1] = NULL;
	n = split(f, d->rep, reps, 8);
	for (i = 0; i < n && (ids[0] == NULL || ids[1] == NULL); i++) {
		comps(d, reps[i], c, 2); /* id, type */
		type = c[1];
		if ((id = text(a, d, c[0])) == NULL)
			continue;
		if (ids[0] == NULL && (rt ? span_eq(type, "GMC") ||
		    span_eq(type, "NATCONS") || span_eq(type, "CONSULTANT") ||
		    span_eq(type, "CONS") || consultant_code_ok(id) :
		    span_eq(type, "GMP") || span_eq(type, "NATGP") ||
		    span_eq(type, "GP") || gp_code_ok(id)))
			ids[0] = id;
		if (ids[1] == NULL && (span_eq(type, "ODS") ||
		    span_eq(type, "NHSORG") || span_eq(type, "ORG") ||
		    (rt ? ods_is_org(id) : ods_is_practice(id))))
			ids[1] = id;
	}
}

static void
do_prd(struct arena *a, const struct delims *d, struct msg *m,
    struct span *f, size_t nf)
{
	struct referral *r = m->r;
	struct span role;
	const char *ids[2] = {NULL, NULL}, *id;
	int rt;

	if (nf < 2)
		return;
	role = comp(d, f[1], 1);
	if (!(rt = span_eq(role, "RT")) && !span_eq(role, "RP"))
		return;
	if (nf > 7)
		prd_ids(a, d, f[7], rt, ids);
	if (!rt) {
		if (ids[0] != NULL) {
			r->referrer_code = ids[0];
			m->referrer_from_prd = 1;
			if (nf > 2)
				r->referrer_name = person_name(a, d, f[2], 1);
		} else if (r->referrer_name == NULL && nf > 2) {
			r->referrer_name = person_name(a, d, f[2], 1);
		}
		if (!m->practice_from_pd1 && ids[1] != NULL)
			r->practice_ods = ids[1];
	} else {
		if (ids[0] != NULL)
			r->consultant_code = ids[0];
		if (ids[1] != NULL && !consultant_code_ok(ids[1]))
			r->provider_ods = ids[1];
		if (r->provider_ods == NULL && nf > 10 && f[10].n > 0) {
			id = text(a, d, comp(d, f[10], 10));
			r->provider_ods = id ? id : text(a, d, comp(d, f[10], 3));
		}
	}
}

static void
do_code(struct arena *a, const struct delims *d, struct ref_codes *c,
    struct span *f, size_t nf)
{
	struct span ce[3];
	const char *code, *txt;

	if (nf < 4 || f[3].n == 0)
		return;
	comps(d, f[3], ce, 3); /* code, text, system */
	code = text(a, d, ce[0]);
	txt = text(a, d, ce[1]);
	if (txt == NULL && nf > 4)
		txt = text(a, d, f[4]);
	parse_put_code(a, c, code_system_of(ce[2]), code, txt);
}

static void
do_obx(struct arena *a, const struct delims *d, struct msg *m,
    struct span *f, size_t nf)
{
	const char *name = NULL, *value = NULL, *units = NULL, *line;

	if (nf > 3)
		name = text(a, d, comp(d, f[3], 2));
	if (name == NULL && nf > 3)
		name = text(a, d, comp(d, f[3], 1));
	if (nf > 5) {
		/* Repetitions of a value are joined with "; ". */
		struct span reps[8];
		size_t n = split(f[5], d->rep, reps, 8), i;

		for (i = 0; i < n; i++) {
			const char *v = text(a, d, reps[i]);

			if (v != NULL)
				value = value ? arena_cat(a, value, "; ", v,
				    (char *)NULL) : v;
		}
	}
	if (nf > 6)
		units = text(a, d, comp(d, f[6], 1));
	if (value == NULL)
		return;
	line = arena_cat(a, name ? name : "", name ? ": " : "", value,
	    units ? " " : "", units ? units : "", (char *)NULL);
	add_line(a, m, &m->results, line, strlen(line));
}

/* NTE-3: a note starting "Medication:" is the medication list; any
 * other note is clinical text.  (A NUL byte of the input ends it, as it
 * ends every string of the referral.) */
static void
do_nte(struct arena *a, const struct delims *d, struct msg *m,
    struct span v)
{
#define MED(s) {s, sizeof(s) - 1}
	static const struct {
		const char *prefix;
		size_t n;
	} med[] = {MED("current medication:"), MED("medications:"),
	    MED("medication:"), MED("drugs:")};
#undef MED
	const char *t, *z, *rest;
	size_t i, k, n;
	uint32_t colon;

	if (plain(d, &v)) { /* read where it is, most often */
		t = v.p;
		n = (z = memchr(t, '\0', v.n)) != NULL ? (size_t)(z - t) : v.n;
	} else {
		if ((t = text(a, d, v)) == NULL)
			return;
		n = strlen(t);
	}
	if (n == 0)
		return;
	/* Every prefix ends at its colon: only one of that length can
	 * match, and most notes have no colon so early.  (t has at least
	 * 32 bytes: in the padded copy, or a string of the pool.) */
	colon = eq32(t, ':') & low_bits(n < 19 ? n : 19);
	k = colon != 0 ? (size_t)__builtin_ctz(colon) + 1 : 0;
	for (i = 0; k > 0 && i < sizeof(med) / sizeof(med[0]); i++)
		if (med[i].n == k &&
		    strncasecmp_ascii(t, med[i].prefix, k) == 0) {
			for (rest = t + k; rest < t + n && *rest == ' '; rest++)
				;
			if (rest < t + n)
				add_line(a, m, &m->meds, rest,
				    n - (size_t)(rest - t));
			return;
		}
	add_line(a, m, &m->nte, t, n);
}

static int
seg_id_ok(const char *p, size_t n)
{
#define UPPER(c) ((c) >= 'A' && (c) <= 'Z')
#define DIGIT(c) ((c) >= '0' && (c) <= '9')
	return n >= 3 && UPPER(p[0]) && (UPPER(p[1]) || DIGIT(p[1])) &&
	    (UPPER(p[2]) || DIGIT(p[2]));
#undef UPPER
#undef DIGIT
}

/* Reads MSH delimiters; returns 0 or -1. */
static int
read_delims(const char *p, size_t n, struct delims *d)
{
	if (n < 8)
		return -1;
	d->field = p[3];
	d->comp = p[4];
	d->rep = p[5];
	d->esc = p[6];
	d->sub = p[7];
	/* Delimiters are ASCII: a text split at them stays UTF-8. */
	if ((unsigned char)(d->field | d->comp | d->rep | d->esc | d->sub) >=
	    0x80)
		return -1;
	if (d->field == '\0' || is_ascii_alnum(d->field) ||
	    d->field == d->comp || d->field == d->rep || d->comp == d->rep)
		return -1;
	/* Fewer than four encoding characters: the rest are unused. */
	if (d->rep == d->field)
		d->rep = '\x01';
	if (d->esc == d->field)
		d->esc = '\x02';
	if (d->sub == d->field)
		d->sub = '\x03';
	return 0;
}

/* Finishes one message into its referral; returns 0 or -1. */
static int
finish_msg(struct arena *a, const struct delims *d, struct msg *m,
    struct parse_result *res)
{
	struct referral *r = m->r;
	const char *t;

	if (!m->have_rf1) {
		t = text(a, d, m->control_id);
		return parse_fail(res, m->line, -1, "line %ld: %.*s message %s "
		    "has no RF1 segment: a referral message must carry RF1 "
		    "(status, priority, dates)", m->line, (int)m->type.n,
		    m->type.p, t ? t : "(no id)");
	}
	if (m->rf1_11.n > 0)
		r->source_id = text(a, d, m->rf1_11);
	else if (m->rf1_6.n > 0)
		r->source_id = text(a, d, m->rf1_6);
	if (r->source_id == NULL)
		r->source_id = text(a, d, m->control_id);
	if (r->referral_date == NULL)
		r->referral_date = date_of(a, d, m->msh_date);
	r->reason_text = m->reason;
	if (m->reason == NULL) {
		r->reason_text = lines_text(a, m, &m->nte, "NTE notes");
	} else if (m->nte.b.n > 0 || m->nte.cut) {
		/* RF1-14, then the notes: at most max_field bytes in all */
		struct lines all = {{NULL, 0, 0}, 0};

		add_line(a, m, &all, m->reason, strlen(m->reason));
		add_line(a, m, &all, m->nte.b.p, m->nte.b.n);
		all.cut |= m->nte.cut;
		r->reason_text = lines_text(a, m, &all,
		    "RF1-14 reason and NTE notes");
	}
	r->results_text = lines_text(a, m, &m->results, "OBX results");
	r->medication_text = lines_text(a, m, &m->meds, "medication notes");
	if (r->referral_date == NULL)
		referral_warn(a, r, "no referral date (RF1-7, RF1-9, MSH-7)");
	if (r->practice_ods != NULL && !ods_is_practice(r->practice_ods))
		referral_warn(a, r, "practice code \"%s\" is not an ODS "
		    "practice code", r->practice_ods);
	return 0;
}

static int
hl7_probe(const unsigned char *buf, size_t len)
{
	size_t i = 0;

	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		i = 3;
	while (i < len && (buf[i] == '\r' || buf[i] == '\n' || buf[i] == ' '))
		i++;
	if (len - i < 4)
		return 0;
	if ((memcmp(buf + i, "MSH", 3) == 0 || memcmp(buf + i, "FHS", 3) == 0 ||
	    memcmp(buf + i, "BHS", 3) == 0) &&
	    !is_ascii_alnum(buf[i + 3]) && buf[i + 3] > 0x20 &&
	    buf[i + 3] < 0x7f)
		return 100;
	/* Starts like some other segment ("PID|"): HL7 missing its MSH;
	 * claim it weakly so the error can say so. */
	if (seg_id_ok((const char *)buf + i, 3) && buf[i + 3] == '|')
		return 20;
	return 0;
}

/* The segments the parser reads, and how many of their fields. */
enum seg_kind {
	SEG_OTHER,
	SEG_HEADER, /* FHS, BHS: delimiters only */
	SEG_MSH,
	SEG_BTS,
	SEG_RF1,
	SEG_PID,
	SEG_PD1,
	SEG_PRD,
	SEG_PR1,
	SEG_DG1,
	SEG_NTE,
	SEG_OBX,
};
static const size_t seg_fields[] = {
	[SEG_MSH] = 13, [SEG_BTS] = 3, [SEG_RF1] = HL7_MAX_FIELDS,
	[SEG_PID] = 10, [SEG_PD1] = 6, [SEG_PRD] = 12, [SEG_PR1] = 6,
	[SEG_DG1] = 6, [SEG_NTE] = 5, [SEG_OBX] = 8,
};

static enum seg_kind
seg_kind(const char *p, const char *end)
{
#define ID(a, b, c) ((unsigned)(a) << 16 | (unsigned)(b) << 8 | (unsigned)(c))
	if (end - p < 3)
		return SEG_OTHER;
	switch (ID((unsigned char)p[0], (unsigned char)p[1],
	    (unsigned char)p[2])) {
	case ID('M', 'S', 'H'):
		return SEG_MSH;
	case ID('F', 'H', 'S'):
	case ID('B', 'H', 'S'):
		return SEG_HEADER;
	case ID('B', 'T', 'S'):
		return SEG_BTS;
	case ID('R', 'F', '1'):
		return SEG_RF1;
	case ID('P', 'I', 'D'):
		return SEG_PID;
	case ID('P', 'D', '1'):
		return SEG_PD1;
	case ID('P', 'R', 'D'):
		return SEG_PRD;
	case ID('P', 'R', '1'):
		return SEG_PR1;
	case ID('D', 'G', '1'):
		return SEG_DG1;
	case ID('N', 'T', 'E'):
		return SEG_NTE;
	case ID('O', 'B', 'X'):
		return SEG_OBX;
	default:
		return SEG_OTHER;
	}
#undef ID
}

/* Starts a message at its MSH (fields f, nf); returns 0, 1 when it is not
 * a referral (skipped, noted) or -1. */
static int
start_msg(struct arena *a, const struct delims *d, struct msg *m, long line,
    long offset, const struct span *f, size_t nf,
    const struct parse_limits *lim, struct parse_result *res)
{
	struct span msg_type[2], type, ev;

	/* Every field, one by one (a memset of the whole is slower): keep
	 * this in step with struct msg. */
	m->r = NULL;
	m->line = line;
	m->have_rf1 = 0;
	m->rf1_6 = m->rf1_11 = nospan;
	m->referrer_from_prd = m->practice_from_pd1 = 0;
	m->reason = NULL;
	m->nte = m->results = m->meds = (struct lines){{NULL, 0, 0}, 0};
	m->max_field = lim->max_field;
	/* MSH-n is f[n-1]: the field separator is MSH-1. */
	m->type = nf > 8 ? f[8] : nospan;
	m->control_id = nf > 9 ? f[9] : nospan;
	m->msh_date = nf > 6 ? comp(d, f[6], 1) : nospan;
	comps(d, m->type, msg_type, 2);
	type = msg_type[0];
	ev = msg_type[1];
	/* REF^I12 a referral, REF^I13 a change to one, REF^I14 its
	 * cancellation, RRI^I12 the response carrying it. */
	if (!((span_eq(type, "REF") && (span_eq(ev, "I12") ||
	    span_eq(ev, "I13") || span_eq(ev, "I14"))) ||
	    (span_eq(type, "RRI") && span_eq(ev, "I12")))) {
		parse_warn(a, res, "line %ld: message type %.*s is not a "
		    "referral (REF^I12 or RRI^I12): skipped", line,
		    (int)m->type.n, m->type.p);
		return 1;
	}
	m->r = parse_new_referral(a, res, lim, "hl7v2");
	if (m->r == NULL)
		return parse_fail(res, line, offset, "line %ld: more than %zu "
		    "referrals in one document (limits.max_referrals)", line,
		    lim->max_referrals);
	if (span_eq(ev, "I14"))
		m->r->status = REF_CANCELLED;
	return 0;
}

/* BTS-1, the batch's message count, against the messages counted. */
static void
check_bts(struct arena *a, const struct span *f, size_t nf, long line,
    long nmsg, struct parse_result *res)
{
	char tmp[12];
	long count;

	if (nf < 2 || f[1].n == 0 || f[1].n >= 10)
		return;
	memcpy(tmp, f[1].p, f[1].n);
	tmp[f[1].n] = '\0';
	count = strtol(tmp, NULL, 10);
	if (count != nmsg)
		parse_warn(a, res, "line %ld: BTS says %ld messages, the batch "
		    "has %ld", line, count, nmsg);
}

static int
hl7_parse(struct arena *a, const unsigned char *buf, size_t len,
    const struct parse_limits *lim, struct parse_result *res)
{
	const char *p, *end, *eol, *next;
	char *copy;
	long off0;
	size_t n;
	int raw = 0;
	struct strpool pool = {NULL, NULL};
	struct delims d = {'|', '^', '~', '\\', '&', &raw, &pool};
	struct msg m;
	struct span f[HL7_MAX_FIELDS];
	size_t nf, nseg = 0, skipped = 0;
	long line = 1, nmsg_batch = 0;
	int in_msg = 0, have_delims = 0, rc;

	m.r = NULL; /* start_msg() sets the rest before it is read */
	/* The copy the parser reads, with HL7_PAD zero bytes after it.  A
	 * document of ASCII bytes (most are) is its own text; any other is
	 * checked: UTF-8 is read from the same copy (past a byte order
	 * mark), Windows-1252 is converted and copied again.  An error's
	 * offset counts from the start of the text. */
	copy = arena_alloc(a, len + HL7_PAD);
	off0 = 0;
	n = len;
	if (!copy_padded(copy, buf, len)) {
		parse_text_input(a, res, buf, len, &p, &end);
		n = (size_t)(end - p);
		if (p >= (const char *)buf && p <= (const char *)buf + len) {
			off0 = p - (const char *)buf;
			copy += off0;
		} else {
			copy = arena_alloc(a, n + HL7_PAD);
			copy_padded(copy, (const unsigned char *)p, n);
		}
	}
	p = copy;
	end = copy + n;
	for (; p < end; p = next, line++) {
		enum seg_kind k = seg_kind(p, end);
		int header = k == SEG_MSH || k == SEG_HEADER;

		/* A segment ends at CR, LF or CRLF; blank lines are skipped.
		 * Its fields are found in the same pass, split on the
		 * current field separator or, for a header, its own. */
		eol = seg_scan(p, end, header && end - p > 3 ? p[3] : d.field,
		    f, in_msg || k <= SEG_BTS ? seg_fields[k] : 0, &nf);
		next = eol + 1;
		if (eol + 1 < end && eol[0] == '\r' && eol[1] == '\n')
			next = eol + 2;
		n = (size_t)(eol - p);
		if (n == 0)
			continue;
		if (++nseg > lim->max_nodes)
			return parse_fail(res, line, off0 + (p - copy),
			    "line %ld: more than %zu segments "
			    "(limits.max_nodes)", line, lim->max_nodes);
		/* Trailing blanks are not part of the last field. */
		if (p[n - 1] == ' ' || p[n - 1] == '\t') {
			while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
				n--;
			while (nf > 0 && f[nf - 1].p > p + n)
				nf--;
			if (nf > 0 && f[nf - 1].p + f[nf - 1].n > p + n)
				f[nf - 1].n = (size_t)(p + n - f[nf - 1].p);
		}
		if (!seg_id_ok(p, n) || (n > 3 && p[3] != d.field && !header))
			return parse_fail(res, line, off0 + (p - copy),
			    "line %ld: not an HL7 segment (a segment starts "
			    "with a three-character id such as PID, then "
			    "'%c'); the file may be damaged or have line "
			    "breaks inside a field", line, d.field);
		if (header) {
			struct delims nd = d;

			if (read_delims(p, n, &nd) < 0)
				return parse_fail(res, line,
				    off0 + (p - copy), "line %ld: %.3s "
				    "segment has no valid delimiters "
				    "(expected e.g. %.3s|^~\\&)", line, p, p);
			/* The message before ends at any header: its values
			 * are read with its own delimiters. */
			if (in_msg && m.r != NULL &&
			    finish_msg(a, &d, &m, res) < 0)
				return -1;
			in_msg = 0;
			d = nd;
			have_delims = 1;
		} else if (!have_delims) {
			return parse_fail(res, line, off0 + (p - copy),
			    "line %ld: the document starts with %.3s, not MSH: "
			    "an HL7 v2 message must start with MSH", line, p);
		}
		switch (k) {
		case SEG_MSH:
			nmsg_batch++;
			if ((rc = start_msg(a, &d, &m, line,
			    off0 + (p - copy), f, nf, lim, res)) < 0)
				return -1;
			skipped += rc;
			in_msg = rc == 0;
			break;
		case SEG_BTS:
			check_bts(a, f, nf, line, nmsg_batch, res);
			nmsg_batch = 0;
			break;
		case SEG_RF1:
			if (in_msg)
				do_rf1(a, &d, &m, f, nf);
			break;
		case SEG_PID:
			if (in_msg)
				do_pid(a, &d, &m, f, nf);
			break;
		case SEG_PD1:
			if (in_msg)
				do_pd1(a, &d, &m, f, nf);
			break;
		case SEG_PRD:
			if (in_msg)
				do_prd(a, &d, &m, f, nf);
			break;
		case SEG_PR1:
			if (in_msg)
				do_code(a, &d, &m.r->procedures, f, nf);
			break;
		case SEG_DG1:
			if (in_msg)
				do_code(a, &d, &m.r->diagnoses, f, nf);
			break;
		case SEG_NTE:
			if (in_msg && nf > 3)
				do_nte(a, &d, &m, f[3]);
			break;
		case SEG_OBX:
			if (in_msg)
				do_obx(a, &d, &m, f, nf);
			break;
		default:
			break;
		}
	}
	if (in_msg && m.r != NULL && finish_msg(a, &d, &m, res) < 0)
		return -1;
	if (res->n == 0) {
		if (skipped > 0)
			return parse_fail(res, 0, -1, "no referral in this "
			    "document: its %zu HL7 message(s) are not referrals "
			    "(REF^I12, I13, I14 or RRI^I12)", skipped);
		return parse_fail(res, 0, -1, "no referral in this document: "
		    "no MSH segment found");
	}
	res->utf8_sure = !raw;
	return 0;
}

const struct parser parser_hl7v2 = {
	.name = "hl7v2",
	.probe = hl7_probe,
	.parse = hl7_parse,
};
