/*
 * csv.c - CSV batches: one referral a row under a header row that names
 * the columns with the words of DESIGN.md ("The canonical referral").
 *
 * RFC 4180 with the tolerance real exports need: fields are separated by
 * ',' and may be quoted with '"' (a quoted field may hold commas, line
 * breaks and "" for a quote); records end at CRLF, LF or CR; a UTF-8 BOM
 * is skipped; a file that is not valid UTF-8 is read as Windows-1252
 * (with a document warning).  A '"' inside an unquoted field is kept as
 * it is.  Header names match ignoring case and surrounding space, with
 * ' ' or '-' allowed for '_' ("Referral Date"); the columns may come in
 * any order; unknown columns are ignored and named in a document warning.
 *
 * Where the referral's facts are read from (the column of the same name
 * unless said otherwise):
 *
 *   source_id, referral_date, practice_ods, referrer_code, referrer_name,
 *   nhs_number, sex, priority, tfc, provider_ods, consultant_code
 *   birth_date       dob (age only)
 *   specialty_text   specialty (a bare 3-digit value there is the TFC
 *                    when the tfc column is empty)
 *   diagnoses        icd10 (system icd10), snomed (system snomed)
 *   procedures       opcs4 (system opcs4)
 *   reason_text      reason
 *
 * A code cell holds one or more codes separated by ';', each optionally
 * followed by its text after a space ("G56.0 Carpal tunnel syndrome").
 * ODS, GP and consultant codes are upper-cased.
 *
 * Rows are numbered as a spreadsheet shows them: the header is row 1 and
 * blank rows count.  A row that cannot be trusted (a different number of
 * fields from the header, broken quoting, a field over limits.max_field,
 * a referral_date or dob that is not a date, a sex or priority that is
 * not one, an NHS number that is not ten digits, a TFC that is not three
 * digits) is rejected with its row number and reason (parse_reject_row)
 * and the others are kept.  A code that does not have its system's shape
 * is left out with a warning on the referral (the first MAX_SAID of a
 * cell, then one counting the rest); diagnoses and procedures keep at
 * most PARSE_MAX_CODES codes each, with a warning.  A file whose rows are
 * all rejected is an error; so is one with more than limits.max_referrals
 * rows.  No message quotes a value from a row.
 */
#include <ctype.h>
#include <string.h>

#include "arena.h"
#include "codes.h"
#include "dates.h"
#include "ident.h"
#include "parser.h"
#include "text.h"

#define CSV_MAX_COLUMNS 256
#define MAX_SAID 4    /* bad items of one cell named in warnings */
#define CODE_MAX 18   /* the longest code (SNOMED CT) */

enum col {
	COL_SOURCE_ID,
	COL_REFERRAL_DATE,
	COL_PRACTICE_ODS,
	COL_REFERRER_CODE,
	COL_REFERRER_NAME,
	COL_NHS_NUMBER,
	COL_DOB,
	COL_SEX,
	COL_PRIORITY,
	COL_SPECIALTY,
	COL_TFC,
	COL_PROVIDER_ODS,
	COL_CONSULTANT_CODE,
	COL_ICD10,
	COL_SNOMED,
	COL_OPCS4,
	COL_REASON,
	NCOLS
};

static const char *const col_names[NCOLS] = {"source_id", "referral_date",
    "practice_ods", "referrer_code", "referrer_name", "nhs_number", "dob",
    "sex", "priority", "specialty", "tfc", "provider_ods", "consultant_code",
    "icd10", "snomed", "opcs4", "reason"};

struct field {
	const char *p;
	size_t n;
};

enum flaw { FLAW_NONE = 0, FLAW_AFTER_QUOTE, FLAW_UNCLOSED };

struct reader {
	struct arena *a;
	const char *p, *end;
	long line; /* the line the next record starts on */
};

/* The column a header name stands for, or -1. */
static int
col_lookup(const char *p, size_t n)
{
	char w[24];
	size_t k = 0;
	int i;

	while (n > 0 && (isspace((unsigned char)*p) || *p == '"')) {
		p++;
		n--;
	}
	while (n > 0 && (isspace((unsigned char)p[n - 1]) || p[n - 1] == '"'))
		n--;
	if (n == 0 || n >= sizeof(w))
		return -1;
	for (k = 0; k < n; k++) {
		unsigned char c = (unsigned char)p[k];

		w[k] = (c == ' ' || c == '-') ? '_' : (char)tolower(c);
	}
	w[k] = '\0';
	for (i = 0; i < NCOLS; i++)
		if (strcmp(w, col_names[i]) == 0)
			return i;
	return -1;
}

/*
 * Reads one record into f (at most max fields kept; *nf counts them all).
 * Returns 0 at the end of the input, else 1 with *flaw saying whether the
 * quoting was broken.
 */
static int
read_record(struct reader *rd, struct field *f, size_t max, size_t *nf,
    enum flaw *flaw)
{
	const char *p = rd->p, *end = rd->end;
	size_t n = 0;

	*flaw = FLAW_NONE;
	if (p >= end)
		return 0;
	for (;;) {
		struct field cur;

		if (p < end && *p == '"') {
			const char *start = ++p, *q = p, *s;
			int esc = 0;

			for (;;) {
				q = memchr(q, '"', (size_t)(end - q));
				if (q == NULL || q + 1 >= end || q[1] != '"')
					break;
				esc = 1;
				q += 2;
			}
			if (q == NULL) {
				*flaw = FLAW_UNCLOSED;
				q = end;
			}
			for (s = start; s < q; s++)
				if (*s == '\n' || (*s == '\r' && (s + 1 == q ||
				    s[1] != '\n')))
					rd->line++;
			cur.p = start;
			cur.n = (size_t)(q - start);
			if (esc) {
				char *o = arena_alloc(rd->a, cur.n + 1);

				cur.p = o;
				for (s = start; s < q; s++) {
					*o++ = *s;
					if (*s == '"')
						s++;
				}
				cur.n = (size_t)(o - cur.p);
			}
			p = q < end ? q + 1 : end;
			if (p < end && *p != ',' && *p != '\r' && *p != '\n') {
				if (*flaw == FLAW_NONE)
					*flaw = FLAW_AFTER_QUOTE;
				while (p < end && *p != ',' && *p != '\r' &&
				    *p != '\n')
					p++;
			}
		} else {
			cur.p = p;
			while (p < end && *p != ',' && *p != '\r' && *p != '\n')
				p++;
			cur.n = (size_t)(p - cur.p);
		}
		if (n < max)
			f[n] = cur;
		n++;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end) { /* end of line: CRLF, LF or CR */
			if (*p == '\r' && p + 1 < end && p[1] == '\n')
				p++;
			p++;
			rd->line++;
		}
		break;
	}
	rd->p = p;
	*nf = n;
	return 1;
}

static int
blank(const struct field *f, size_t nf, size_t max)
{
	size_t i, k;

	for (i = 0; i < nf && i < max; i++)
		for (k = 0; k < f[i].n; k++)
			if (!isspace((unsigned char)f[i].p[k]))
				return 0;
	return 1;
}

/* A header name that is safe to repeat in a message: a short label. */
static int
label_shaped(const struct field *fl)
{
	size_t i;

	if (fl->n == 0 || fl->n > 40)
		return 0;
	for (i = 0; i < fl->n; i++) {
		unsigned char c = (unsigned char)fl->p[i];

		if (!isalnum(c) && c != ' ' && c != '_' && c != '-' &&
		    c != '.' && c != '(' && c != ')' && c != '#' && c != '/')
			return 0;
	}
	return 1;
}

static char *
upper(char *s)
{
	char *p;

	for (p = s; p != NULL && *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return s;
}

/* Sex words that mean "not known" (everything else sex_from_word does
 * not know is an error). */
static int
sex_unknown_word(const char *s)
{
	static const char *const words[] = {"u", "unknown", "0", "not known",
	    "nk", "n/k", "not stated", "not specified", NULL};
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (str_ieq(s, words[i]))
			return 1;
	return 0;
}

/* Appends one reason to a row's list. */
static const char *
because(struct arena *a, const char *reasons, const char *why)
{
	return reasons == NULL ? why : arena_printf(a, "%s; %s", reasons, why);
}

/*
 * Adds the codes of one cell ("C1; C2 text; ...") to c, at most
 * PARSE_MAX_CODES (parse_add_code).  The first MAX_SAID bad items are
 * named in warnings and the rest counted in one more, and a bad item is
 * not copied: a hostile cell costs no memory of its own.
 */
static void
add_codes(struct arena *a, struct referral *r, struct ref_codes *c,
    enum code_system sys, const char *cell, const char *colname)
{
	const char *p = cell;
	size_t item = 0, bad = 0;

	while (p != NULL && *p != '\0') {
		const char *s = p, *e = strchr(p, ';'), *sp;
		char code[CODE_MAX + 1];
		size_t n;
		int ok = 0;

		if (e == NULL)
			e = s + strlen(s);
		p = *e == ';' ? e + 1 : NULL;
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (s == e)
			continue;
		item++;
		for (sp = s; sp < e && !isspace((unsigned char)*sp); sp++)
			;
		if ((n = (size_t)(sp - s)) <= CODE_MAX) {
			memcpy(code, s, n);
			code[n] = '\0';
			upper(code);
			ok = sys == CS_ICD10 ? code_icd10_ok(code) :
			    sys == CS_OPCS4 ? code_opcs4_ok(code) :
			    code_snomed_ok(code);
		}
		if (!ok) {
			if (++bad <= MAX_SAID)
				referral_warn(a, r, "%s: item %zu is not %s "
				    "code: left out", colname, item,
				    sys == CS_ICD10 ? "an ICD-10" :
				    sys == CS_OPCS4 ? "an OPCS-4" :
				    "a SNOMED CT");
		} else if (!c->full) {
			parse_add_code(a, c, sys, code, sp < e ?
			    str_trim_dup(a, sp, (size_t)(e - sp)) : NULL);
		}
	}
	if (bad > MAX_SAID)
		referral_warn(a, r, "%s: %zu more items are not %s codes: left "
		    "out", colname, bad - MAX_SAID, sys == CS_ICD10 ?
		    "ICD-10" : sys == CS_OPCS4 ? "OPCS-4" : "SNOMED CT");
}

struct row {
	char *v[NCOLS];
	char date[11], dob[11], nhs[11];
	enum ref_sex sex;
	enum ref_priority prio;
};

/* Checks a row's values; returns NULL when it is good, else why not. */
static const char *
check_row(struct arena *a, struct row *w)
{
	const char *why = NULL;
	const char *t = w->v[COL_TFC];

	if (w->v[COL_REFERRAL_DATE] != NULL &&
	    date_parse(w->v[COL_REFERRAL_DATE], w->date) < 0)
		why = because(a, why, "referral_date is not a date (dd/mm/yyyy, "
		    "yyyy-mm-dd or d Month yyyy)");
	if (w->v[COL_DOB] != NULL && date_parse(w->v[COL_DOB], w->dob) < 0)
		why = because(a, why, "dob is not a date (dd/mm/yyyy, "
		    "yyyy-mm-dd or d Month yyyy)");
	else if (w->v[COL_DOB] != NULL && w->v[COL_REFERRAL_DATE] != NULL &&
	    w->date[0] != '\0' && strcmp(w->dob, w->date) > 0)
		why = because(a, why, "dob is after referral_date");
	if (w->v[COL_NHS_NUMBER] != NULL &&
	    nhs_number_normalise(w->v[COL_NHS_NUMBER], w->nhs) < 0)
		why = because(a, why, "nhs_number is not 10 digits");
	if (w->v[COL_SEX] != NULL) {
		w->sex = sex_from_word(w->v[COL_SEX]);
		if (w->sex == REF_SEX_UNKNOWN &&
		    !sex_unknown_word(w->v[COL_SEX]))
			why = because(a, why, "sex is not female, male, other "
			    "or unknown (F, M, O, U)");
	}
	if (w->v[COL_PRIORITY] != NULL) {
		w->prio = priority_from_word(w->v[COL_PRIORITY]);
		if (w->prio == REF_PRIO_UNKNOWN)
			why = because(a, why, "priority is not routine, urgent "
			    "or two week wait (2WW)");
	}
	if (t != NULL && !(strlen(t) == 3 && isdigit((unsigned char)t[0]) &&
	    isdigit((unsigned char)t[1]) && isdigit((unsigned char)t[2])))
		why = because(a, why, "tfc is not a 3-digit treatment function "
		    "code");
	return why;
}

/* Builds the referral of a good row. */
static void
fill(struct arena *a, struct referral *r, struct row *w)
{
	const char *s;
	r->source_id = w->v[COL_SOURCE_ID];
	if (w->v[COL_REFERRAL_DATE] != NULL)
		r->referral_date = arena_strdup(a, w->date);
	else
		referral_warn(a, r, "no referral_date");
	r->practice_ods = upper(w->v[COL_PRACTICE_ODS]);
	if (r->practice_ods != NULL && !ods_is_practice(r->practice_ods))
		referral_warn(a, r, "practice_ods is not an ODS practice code "
		    "(a letter and five digits)");
	r->referrer_code = upper(w->v[COL_REFERRER_CODE]);
	r->referrer_name = w->v[COL_REFERRER_NAME];
	if (w->v[COL_NHS_NUMBER] != NULL)
		r->nhs_number = arena_strdup(a, w->nhs);
	if (w->v[COL_DOB] != NULL)
		r->birth_date = arena_strdup(a, w->dob);
	r->sex = w->sex;
	r->priority = w->prio;
	r->tfc = w->v[COL_TFC];
	s = w->v[COL_SPECIALTY];
	if (r->tfc == NULL && s != NULL && strlen(s) == 3 &&
	    isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]))
		r->tfc = s;
	else
		r->specialty_text = s;
	r->provider_ods = upper(w->v[COL_PROVIDER_ODS]);
	if (r->provider_ods != NULL && !ods_is_org(r->provider_ods))
		referral_warn(a, r, "provider_ods is not an ODS organisation "
		    "code");
	r->consultant_code = upper(w->v[COL_CONSULTANT_CODE]);
	if (r->consultant_code != NULL && !consultant_code_ok(r->consultant_code))
		referral_warn(a, r, "consultant_code is not a consultant code "
		    "(C and seven digits)");
	add_codes(a, r, &r->diagnoses, CS_ICD10, w->v[COL_ICD10], "icd10");
	add_codes(a, r, &r->diagnoses, CS_SNOMED, w->v[COL_SNOMED], "snomed");
	add_codes(a, r, &r->procedures, CS_OPCS4, w->v[COL_OPCS4], "opcs4");
	r->reason_text = w->v[COL_REASON];
}

static int
csv_probe(const unsigned char *buf, size_t len)
{
	size_t i = 0, lim = len < 4096 ? len : 4096, known = 0, start;
	int inq = 0;

	if (lim >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		i = 3;
	while (i < lim && (buf[i] == '\r' || buf[i] == '\n' || buf[i] == ' ' ||
	    buf[i] == '\t'))
		i++;
	if (i >= lim || buf[i] == '<' || buf[i] == '{' || buf[i] == '[')
		return 0;
	for (start = i; i <= lim; i++) {
		int c = i < lim ? buf[i] : '\n';

		if (c == '"' && i < lim) {
			inq = !inq;
			continue;
		}
		if (inq)
			continue;
		if (c == ',' || c == '\r' || c == '\n') {
			if (col_lookup((const char *)buf + start,
			    i - start) >= 0)
				known++;
			start = i + 1;
			if (c != ',')
				break;
		}
	}
	if (known >= 3)
		return 80;
	return known == 2 ? 50 : 0;
}

static int
csv_parse(struct arena *a, const unsigned char *buf, size_t len,
    const struct parse_limits *lim, struct parse_result *res)
{
	struct reader rd;
	struct field *f;
	int colidx[NCOLS], k;
	size_t nf, ncols, i, nrows = 0, known = 0;
	long row = 0;
	enum flaw flaw;

	rd.a = a;
	parse_text_input(a, res, buf, len, &rd.p, &rd.end);
	rd.line = 1;
	f = arena_alloc(a, CSV_MAX_COLUMNS * sizeof(*f));
	do {
		if (!read_record(&rd, f, CSV_MAX_COLUMNS, &nf, &flaw))
			return parse_fail(res, 0, -1, "the CSV file is empty: "
			    "it has no header row");
		row++;
	} while (blank(f, nf, CSV_MAX_COLUMNS));
	if (nf > CSV_MAX_COLUMNS)
		return parse_fail(res, row, -1, "row %ld: the header has %zu "
		    "columns, more than %d", row, nf, CSV_MAX_COLUMNS);
	if (flaw != FLAW_NONE)
		return parse_fail(res, row, -1, "row %ld: the header row's "
		    "quoting is broken", row);
	for (k = 0; k < NCOLS; k++)
		colidx[k] = -1;
	for (i = 0; i < nf; i++) {
		if ((k = col_lookup(f[i].p, f[i].n)) < 0) {
			if (blank(&f[i], 1, 1))
				parse_warn(a, res, "column %zu has no name: "
				    "ignored", i + 1);
			else if (label_shaped(&f[i]))
				parse_warn(a, res, "column %zu \"%.*s\" is not "
				    "a documented column: ignored", i + 1,
				    (int)f[i].n, f[i].p);
			else
				parse_warn(a, res, "column %zu is not a "
				    "documented column: ignored", i + 1);
		} else if (colidx[k] >= 0) {
			parse_warn(a, res, "column %zu repeats %s: the first "
			    "(column %d) is used", i + 1, col_names[k],
			    colidx[k] + 1);
		} else {
			colidx[k] = (int)i;
			known++;
		}
	}
	if (known == 0)
		return parse_fail(res, row, -1, "row %ld: the header names none "
		    "of the documented columns (source_id, referral_date, "
		    "practice_ods, nhs_number, ...)", row);
	if (colidx[COL_NHS_NUMBER] < 0)
		parse_warn(a, res, "no nhs_number column");
	if (colidx[COL_REFERRAL_DATE] < 0)
		parse_warn(a, res, "no referral_date column");
	ncols = nf;

	for (;;) {
		struct referral *r;
		struct row w;
		const char *why = NULL;
		long line = rd.line;

		if (!read_record(&rd, f, CSV_MAX_COLUMNS, &nf, &flaw))
			break;
		row++;
		if (blank(f, nf, CSV_MAX_COLUMNS))
			continue;
		if (++nrows > lim->max_referrals)
			return parse_fail(res, line, -1, "row %ld: more than "
			    "%zu rows in one batch (limits.max_referrals)", row,
			    lim->max_referrals);
		if (flaw == FLAW_UNCLOSED) {
			parse_reject_row(a, res, row, "a quoted field is not "
			    "closed before the end of the file (is the file "
			    "cut short?)");
			continue;
		}
		if (flaw == FLAW_AFTER_QUOTE) {
			parse_reject_row(a, res, row, "a quoted field has more "
			    "after its closing quote");
			continue;
		}
		if (nf != ncols) {
			parse_reject_row(a, res, row, "%zu fields, the header "
			    "has %zu", nf, ncols);
			continue;
		}
		memset(&w, 0, sizeof(w));
		for (k = 0; k < NCOLS; k++) {
			const struct field *fl;

			if (colidx[k] < 0)
				continue;
			fl = &f[colidx[k]];
			if (fl->n > lim->max_field) {
				why = because(a, why, arena_printf(a, "%s is "
				    "longer than %zu bytes (limits.max_field)",
				    col_names[k], lim->max_field));
				continue;
			}
			w.v[k] = str_trim_dup(a, fl->p, fl->n);
		}
		if (why == NULL)
			why = check_row(a, &w);
		if (why != NULL) {
			parse_reject_row(a, res, row, "%s", why);
			continue;
		}
		if ((r = parse_new_referral(a, res, lim, "csv")) == NULL)
			return parse_fail(res, line, -1, "row %ld: more than "
			    "%zu referrals in one batch (limits.max_referrals)",
			    row, lim->max_referrals);
		fill(a, r, &w);
	}
	if (res->n == 0) {
		if (nrows == 0)
			return parse_fail(res, 0, -1, "no referral in this "
			    "document: the CSV has a header row but no data "
			    "rows");
		return parse_fail(res, res->rejects[0].row, -1, "every one of "
		    "the %zu data rows was rejected (first: row %ld: %s)",
		    nrows, res->rejects[0].row, res->rejects[0].reason);
	}
	return 0;
}

const struct parser parser_csv = {
	.name = "csv",
	.probe = csv_probe,
	.parse = csv_parse,
};
