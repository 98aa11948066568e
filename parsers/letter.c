/*
 * letter.c - structured text letters: what a practice system's letter
 * template prints, a block of "Key: value" lines and free text.  One
 * letter is one referral.
 *
 * Read as a person would read it.  A line is a key line when the words
 * before its first ':' are a key we know (any case and spacing; '.', '-',
 * '#', '*', '/' and apostrophes ignored, so "N.H.S. No.", "NHS no" and
 * "NHS Number" are one key).  A line may hold several keys when they are
 * set apart by a tab, two spaces or '|' ("NHS No: 943 476 5919   DOB:
 * 07/03/1960").  Indented lines after a key line continue its value.  The
 * keys, their synonyms and how each value is read are in the table keys[]
 * below and in docs/readme-formats.md.  Where the referral's facts come
 * from:
 *
 *   nhs_number       NHS number key: ten digits, spaces or dashes allowed
 *   birth_date, sex  date of birth and sex keys (age only); without a sex
 *                    key, the title on the patient line (Mr; Mrs, Miss,
 *                    Ms)
 *   referral_date    date key; else a line holding nothing but a date
 *                    before the body
 *   referrer         referrer keys (Referrer, Referring GP, Referred by),
 *                    else GP, else From, else Usual GP: the name, and a G
 *                    code written after it (brackets optional); a GP code
 *                    key wins for the code; a G code in the sign-off
 *                    after "Yours sincerely" is the last resort
 *   practice_ods     practice code key; else a practice code after the
 *                    practice name ("High Street Surgery (E82045)"), or
 *                    after From, or in the letterhead before the body
 *   priority         priority key (routine, urgent, 2WW / two week wait /
 *                    urgent suspected cancer, ...); else a title line
 *                    such as "Two week wait referral"
 *   specialty        specialty key (words, a TFC, or "Dermatology (330)"),
 *                    TFC key, e-RS specialty and clinic type keys
 *   provider_ods     To / Provider / Hospital: the ODS code in brackets,
 *                    or a value that is only an ODS code
 *   consultant_code  consultant key, else a C code in the To line
 *   source_id        UBRN key, else referral id / our ref
 *   diagnoses        diagnosis keys: one item a line or ';'-separated,
 *                    each with an ICD-10 or SNOMED CT code in or out of
 *                    brackets, optionally named ("ICD-10 G56.0")
 *   procedures       procedure keys: OPCS-4 or SNOMED CT codes likewise
 *   medication_text  medication sections
 *   results_text     investigations / results sections
 *   reason_text      every other free text: the reason for referral,
 *                    history, examination, plan, and the unlabelled body
 *                    of the letter, with the headings as written, and
 *                    the diagnosis and procedure lines
 *
 * Left out on purpose: the patient's name, address, telephone numbers and
 * other identifiers (their lines, and the lines of an address block), the
 * salutation ("Dear ...") and the sign-off.  A file that is not valid
 * UTF-8 is read as Windows-1252 with a document warning.  Texts longer
 * than limits.max_field are cut with a warning.  Warnings name lines, not
 * values.
 */
#include <ctype.h>
#include <string.h>

#include "arena.h"
#include "codes.h"
#include "dates.h"
#include "ident.h"
#include "parser.h"
#include "text.h"

enum kind {
	K_NONE = 0,
	K_NHS,
	K_DOB,
	K_SEX,
	K_DATE,
	K_REFERRER,   /* Referring GP, Referred by */
	K_GP,	      /* GP, Doctor */
	K_USUAL_GP,   /* the patient's registered GP */
	K_FROM,
	K_GPCODE,
	K_PRACTICE,
	K_PRACTICE_CODE,
	K_PRIORITY,
	K_SPECIALTY,
	K_TFC,
	K_ERS_SPECIALTY,
	K_CLINIC_TYPE,
	K_PROVIDER,
	K_CONSULTANT,
	K_UBRN,
	K_REFID,
	K_DIAG,
	K_PROC,
	K_PATIENT, /* patient identity: the line is left out */
	K_ADDRESS, /* an address block: the line and what follows */
	K_TEXT,	   /* a free-text heading: into reason_text */
	K_MEDS,
	K_RESULTS,
	K_COUNT
};

/*
 * The keys, folded (lower case, single spaces, no '.', '-', '#', '*', '/'
 * or apostrophes), in strcmp order for bsearch; docs/readme-formats.md
 * lists them by meaning.
 */
static const struct key {
	const char *name;
	enum kind kind;
} keys[] = {
    {"accessibility needs", K_TEXT},
    {"active problems", K_DIAG},
    {"acute medication", K_MEDS},
    {"additional information", K_TEXT},
    {"address", K_ADDRESS},
    {"allergies", K_TEXT},
    {"allergy", K_TEXT},
    {"assessment", K_TEXT},
    {"author", K_REFERRER},
    {"birth date", K_DOB},
    {"birthdate", K_DOB},
    {"blood results", K_RESULTS},
    {"blood tests", K_RESULTS},
    {"bloods", K_RESULTS},
    {"booking reference", K_UBRN},
    {"booking reference number", K_UBRN},
    {"born", K_DOB},
    {"cc", K_PATIENT},
    {"clinic", K_SPECIALTY},
    {"clinic type", K_CLINIC_TYPE},
    {"clinical details", K_TEXT},
    {"clinical history", K_TEXT},
    {"clinical information", K_TEXT},
    {"clinical priority", K_PRIORITY},
    {"clinical question", K_TEXT},
    {"clinical summary", K_TEXT},
    {"coded diagnoses", K_DIAG},
    {"comments", K_TEXT},
    {"communication needs", K_TEXT},
    {"condition", K_DIAG},
    {"conditions", K_DIAG},
    {"consultant", K_CONSULTANT},
    {"consultant code", K_CONSULTANT},
    {"consultant name", K_CONSULTANT},
    {"copy to", K_PATIENT},
    {"current drugs", K_MEDS},
    {"current medication", K_MEDS},
    {"current medications", K_MEDS},
    {"date", K_DATE},
    {"date of birth", K_DOB},
    {"date of letter", K_DATE},
    {"date of referral", K_DATE},
    {"date of request", K_DATE},
    {"date referred", K_DATE},
    {"date sent", K_DATE},
    {"dated", K_DATE},
    {"department", K_SPECIALTY},
    {"destination", K_PROVIDER},
    {"diagnoses", K_DIAG},
    {"diagnosis", K_DIAG},
    {"diagnosis code", K_DIAG},
    {"diagnosis codes", K_DIAG},
    {"disability", K_TEXT},
    {"dob", K_DOB},
    {"doctor", K_GP},
    {"drug history", K_MEDS},
    {"drugs", K_MEDS},
    {"email", K_PATIENT},
    {"emergency contact", K_ADDRESS},
    {"ereferral ubrn", K_UBRN},
    {"ers booking reference", K_UBRN},
    {"ers clinic type", K_CLINIC_TYPE},
    {"ers reference", K_UBRN},
    {"ers speciality", K_ERS_SPECIALTY},
    {"ers specialty", K_ERS_SPECIALTY},
    {"ers ubrn", K_UBRN},
    {"examination", K_TEXT},
    {"examination findings", K_TEXT},
    {"family history", K_TEXT},
    {"family name", K_PATIENT},
    {"findings", K_TEXT},
    {"first language", K_TEXT},
    {"first name", K_PATIENT},
    {"forename", K_PATIENT},
    {"forenames", K_PATIENT},
    {"from", K_FROM},
    {"further information", K_TEXT},
    {"g code", K_GPCODE},
    {"gender", K_SEX},
    {"general practitioner", K_GP},
    {"given name", K_PATIENT},
    {"gmp", K_GPCODE},
    {"gmp code", K_GPCODE},
    {"gnc", K_GPCODE},
    {"gp", K_GP},
    {"gp code", K_GPCODE},
    {"gp name", K_GP},
    {"gp national code", K_GPCODE},
    {"gp practice", K_PRACTICE},
    {"gp practice code", K_PRACTICE_CODE},
    {"gp surgery", K_PRACTICE},
    {"history", K_TEXT},
    {"history of present illness", K_TEXT},
    {"history of presenting complaint", K_TEXT},
    {"home address", K_ADDRESS},
    {"home phone", K_PATIENT},
    {"hospital", K_PROVIDER},
    {"hospital code", K_PROVIDER},
    {"hospital no", K_PATIENT},
    {"hospital number", K_PATIENT},
    {"hpc", K_TEXT},
    {"icd10", K_DIAG},
    {"icd10 code", K_DIAG},
    {"imaging", K_RESULTS},
    {"impression", K_TEXT},
    {"interpreter", K_TEXT},
    {"interpreter required", K_TEXT},
    {"intervention", K_PROC},
    {"investigations", K_RESULTS},
    {"investigations and results", K_RESULTS},
    {"language", K_TEXT},
    {"last name", K_PATIENT},
    {"letter date", K_DATE},
    {"letter ref", K_REFID},
    {"management", K_TEXT},
    {"management so far", K_TEXT},
    {"medication", K_MEDS},
    {"medications", K_MEDS},
    {"meds", K_MEDS},
    {"mobile", K_PATIENT},
    {"mobility", K_TEXT},
    {"mrn", K_PATIENT},
    {"name", K_PATIENT},
    {"named consultant", K_CONSULTANT},
    {"national gp code", K_GPCODE},
    {"next of kin", K_ADDRESS},
    {"nhs", K_NHS},
    {"nhs nbr", K_NHS},
    {"nhs no", K_NHS},
    {"nhs num", K_NHS},
    {"nhs number", K_NHS},
    {"nhs number of patient", K_NHS},
    {"nok", K_ADDRESS},
    {"observations", K_RESULTS},
    {"ods", K_PRACTICE_CODE},
    {"ods code", K_PRACTICE_CODE},
    {"oe", K_TEXT},
    {"on examination", K_TEXT},
    {"opcs", K_PROC},
    {"opcs4", K_PROC},
    {"opcs4 code", K_PROC},
    {"operation", K_PROC},
    {"operation requested", K_PROC},
    {"our ref", K_REFID},
    {"our reference", K_REFID},
    {"past medical history", K_TEXT},
    {"pathology", K_RESULTS},
    {"patient", K_PATIENT},
    {"patient address", K_ADDRESS},
    {"patient date of birth", K_DOB},
    {"patient dob", K_DOB},
    {"patient gender", K_SEX},
    {"patient id", K_PATIENT},
    {"patient name", K_PATIENT},
    {"patient nhs no", K_NHS},
    {"patient nhs number", K_NHS},
    {"patient sex", K_SEX},
    {"patients gp", K_USUAL_GP},
    {"phone", K_PATIENT},
    {"plan", K_TEXT},
    {"pmh", K_TEXT},
    {"post code", K_PATIENT},
    {"postcode", K_PATIENT},
    {"practice", K_PRACTICE},
    {"practice address", K_PRACTICE},
    {"practice code", K_PRACTICE_CODE},
    {"practice name", K_PRACTICE},
    {"practice national code", K_PRACTICE_CODE},
    {"practice ods", K_PRACTICE_CODE},
    {"practice ods code", K_PRACTICE_CODE},
    {"presenting complaint", K_TEXT},
    {"presenting problem", K_TEXT},
    {"priority", K_PRIORITY},
    {"problem list", K_DIAG},
    {"problems", K_DIAG},
    {"procedure", K_PROC},
    {"procedure code", K_PROC},
    {"procedure requested", K_PROC},
    {"procedures", K_PROC},
    {"provider", K_PROVIDER},
    {"provider code", K_PROVIDER},
    {"provider ods", K_PROVIDER},
    {"provider organisation", K_PROVIDER},
    {"provisional diagnosis", K_DIAG},
    {"question", K_TEXT},
    {"re", K_PATIENT},
    {"reason", K_TEXT},
    {"reason for referral", K_TEXT},
    {"reason for request", K_TEXT},
    {"reason for the referral", K_TEXT},
    {"recent investigations", K_RESULTS},
    {"recent results", K_RESULTS},
    {"red flags", K_TEXT},
    {"referral date", K_DATE},
    {"referral id", K_REFID},
    {"referral number", K_REFID},
    {"referral priority", K_PRIORITY},
    {"referral reason", K_TEXT},
    {"referral ref", K_REFID},
    {"referral reference", K_REFID},
    {"referral specialty", K_SPECIALTY},
    {"referral type", K_PRIORITY},
    {"referral urgency", K_PRIORITY},
    {"referred by", K_REFERRER},
    {"referred on", K_DATE},
    {"referred to", K_PROVIDER},
    {"referred to specialty", K_SPECIALTY},
    {"referrer", K_REFERRER},
    {"referrer code", K_GPCODE},
    {"referring clinician", K_REFERRER},
    {"referring doctor", K_REFERRER},
    {"referring gp", K_REFERRER},
    {"referring gp code", K_GPCODE},
    {"referring gp name", K_REFERRER},
    {"referring practice", K_PRACTICE},
    {"referring practitioner", K_REFERRER},
    {"regarding", K_PATIENT},
    {"registered gp", K_USUAL_GP},
    {"registered practice", K_PRACTICE},
    {"relevant history", K_TEXT},
    {"repeat medication", K_MEDS},
    {"repeat medications", K_MEDS},
    {"repeat prescriptions", K_MEDS},
    {"request date", K_DATE},
    {"requested by", K_REFERRER},
    {"requested procedure", K_PROC},
    {"requested service", K_SPECIALTY},
    {"requested speciality", K_SPECIALTY},
    {"requested specialty", K_SPECIALTY},
    {"requester", K_REFERRER},
    {"results", K_RESULTS},
    {"sender", K_FROM},
    {"sent", K_DATE},
    {"service", K_SPECIALTY},
    {"service requested", K_SPECIALTY},
    {"sex", K_SEX},
    {"signed by", K_REFERRER},
    {"snomed", K_DIAG},
    {"snomed code", K_DIAG},
    {"snomed ct", K_DIAG},
    {"social history", K_TEXT},
    {"special needs", K_TEXT},
    {"speciality", K_SPECIALTY},
    {"speciality requested", K_SPECIALTY},
    {"specialty", K_SPECIALTY},
    {"specialty requested", K_SPECIALTY},
    {"summary", K_TEXT},
    {"surgery", K_PRACTICE},
    {"surname", K_PATIENT},
    {"tel", K_PATIENT},
    {"tel no", K_PATIENT},
    {"telephone", K_PATIENT},
    {"test results", K_RESULTS},
    {"tests", K_RESULTS},
    {"tfc", K_TFC},
    {"tfc code", K_TFC},
    {"title", K_PATIENT},
    {"to", K_PROVIDER},
    {"to consultant", K_CONSULTANT},
    {"treatment function", K_TFC},
    {"treatment function code", K_TFC},
    {"treatment so far", K_TEXT},
    {"trust", K_PROVIDER},
    {"trust code", K_PROVIDER},
    {"ubrn", K_UBRN},
    {"unique booking reference number", K_UBRN},
    {"urgency", K_PRIORITY},
    {"usual gp", K_USUAL_GP},
    {"vital signs", K_RESULTS},
    {"working diagnosis", K_DIAG},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define KEY_MAX 48

/* Folds a key candidate; returns its kind, or K_NONE. */
static enum kind
key_kind(const char *p, size_t n)
{
	char w[KEY_MAX + 1];
	size_t i, k = 0;
	int space = 1;

	if (n > KEY_MAX)
		return K_NONE;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '.' || c == '-' || c == '#' || c == '*' || c == '/' ||
		    c == '\'')
			continue;
		if (c == ' ' || c == '\t' || c == '_') {
			if (!space)
				w[k++] = ' ';
			space = 1;
			continue;
		}
		if (!isalnum(c) && c != '(' && c != ')')
			return K_NONE;
		if (c == '(' || c == ')')
			continue;
		w[k++] = (char)tolower(c);
		space = 0;
	}
	while (k > 0 && w[k - 1] == ' ')
		k--;
	w[k] = '\0';
	if (k == 0)
		return K_NONE;
	{
		size_t lo = 0, hi = NKEYS;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int c = strcmp(w, keys[mid].name);

			if (c == 0)
				return keys[mid].kind;
			if (c < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
	}
	return K_NONE;
}


/* A text of the letter being built up. */
struct section {
	struct arena_str s;
	int blank;   /* a blank line is due before the next line */
	int started; /* the section of this kind has been seen */
};

/* Adds a line, trimmed; a run of blank lines becomes one. */
static void
sb_line(struct arena *a, struct section *b, const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0) {
		b->blank = 1;
		return;
	}
	if (b->s.n > 0)
		arena_str_add(a, &b->s, b->blank ? "\n\n" : "\n", b->blank ? 2 : 1);
	b->blank = 0;
	arena_str_add(a, &b->s, s, n);
}

struct pair {
	enum kind kind;
	const char *v; /* the value, as it stands in the line */
	size_t vn;
};

/* Skips a bullet or a number that starts a line ("- ", "2. ", "3) "). */
static size_t
skip_bullet(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i < n && (p[i] == '-' || p[i] == '*') && i + 1 < n &&
	    p[i + 1] == ' ')
		i += 2;
	else if (n - i >= 3 && memcmp(p + i, "\xe2\x80\xa2", 3) == 0)
		i += 3;
	else if (i < n && isdigit((unsigned char)p[i])) {
		size_t j = i;

		while (j < n && isdigit((unsigned char)p[j]))
			j++;
		if (j < n && j - i <= 2 && (p[j] == '.' || p[j] == ')') &&
		    j + 1 < n && p[j + 1] == ' ')
			i = j + 2;
	}
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

/* The kind of the key at p[0..n) up to its ':', and where the ':' is. */
static enum kind
key_at(const char *p, size_t n, size_t *colon)
{
	size_t i, lim = n < KEY_MAX + 1 ? n : KEY_MAX + 1;

	for (i = 0; i < lim; i++)
		if (p[i] == ':')
			break;
	if (i == lim || i == 0)
		return K_NONE;
	*colon = i;
	return key_kind(p, i);
}

/*
 * Splits a line into its "key: value" pairs; returns how many (0 when the
 * line does not start with a key we know).
 */
static size_t
line_pairs(const char *p, size_t n, struct pair *out, size_t max)
{
	size_t i = skip_bullet(p, n), np = 0, colon, j;
	enum kind k;

	while (np < max) {
		if ((k = key_at(p + i, n - i, &colon)) == K_NONE)
			break;
		if (np > 0)
			out[np - 1].vn = (size_t)(p + i - out[np - 1].v);
		out[np].kind = k;
		out[np].v = p + i + colon + 1;
		out[np].vn = n - (i + colon + 1);
		np++;
		/* The next key starts after a tab, a '|' or two spaces. */
		for (j = i + colon + 1; j < n; j++) {
			if (p[j] == ' ' || p[j] == '\t' || p[j] == '|')
				continue;
			if ((p[j - 1] == '\t' || p[j - 1] == '|' ||
			    (p[j - 1] == ' ' && (p[j - 2] == ' ' ||
			    p[j - 2] == '\t' || p[j - 2] == '|'))) &&
			    key_at(p + j, n - j, &colon) != K_NONE)
				break;
		}
		if (j >= n)
			break;
		i = j;
	}
	return np;
}

static int
is_section(enum kind k)
{
	return k == K_TEXT || k == K_MEDS || k == K_RESULTS;
}

/* A trimmed copy of a value without trailing '|' separators. */
static char *
value_dup(struct arena *a, const char *v, size_t n)
{
	while (n > 0 && (isspace((unsigned char)v[n - 1]) || v[n - 1] == '|'))
		n--;
	return str_trim_dup(a, v, n);
}

/* Words of a value: runs of letters, digits and '.', without a final
 * '.'; each upper-cased into buf (NUL-terminated) by word(). */
struct word {
	const char *p;
	size_t n;
	int bracketed;
};

static size_t
words(const char *s, struct word *w, size_t max)
{
	size_t nw = 0;
	int depth = 0;

	while (*s != '\0' && nw < max) {
		if (*s == '(' || *s == '[')
			depth++;
		else if ((*s == ')' || *s == ']') && depth > 0)
			depth--;
		if (!isalnum((unsigned char)*s)) {
			s++;
			continue;
		}
		w[nw].p = s;
		w[nw].bracketed = depth > 0;
		while (isalnum((unsigned char)*s) || (*s == '.' &&
		    isalnum((unsigned char)s[1])))
			s++;
		w[nw].n = (size_t)(s - w[nw].p);
		nw++;
	}
	return nw;
}

static char *
word_upper(const struct word *w, char *buf, size_t len)
{
	size_t i;

	if (w->n >= len) {
		buf[0] = '\0';
		return buf;
	}
	for (i = 0; i < w->n; i++)
		buf[i] = (char)toupper((unsigned char)w->p[i]);
	buf[i] = '\0';
	return buf;
}

/* The first word of s with the given shape, upper-cased into buf. */
static const char *
find_code(const char *s, int (*shape)(const char *), char *buf, size_t len)
{
	struct word w[64];
	size_t n = words(s, w, 64), i;

	for (i = 0; i < n; i++)
		if (shape(word_upper(&w[i], buf, len)))
			return buf;
	return NULL;
}

static int
is_org_code(const char *s)
{
	return ods_is_org(s) && !gp_code_ok(s) && !consultant_code_ok(s);
}

/* An ODS code in brackets ("(RWG)", "[ODS: RWG]"), or a value that is
 * nothing but an upper-case ODS code. */
static const char *
find_org(struct arena *a, const char *s)
{
	struct word w[64];
	char buf[16];
	size_t n = words(s, w, 64), i;

	for (i = 0; i < n; i++) {
		if (!w[i].bracketed)
			continue;
		word_upper(&w[i], buf, sizeof(buf));
		if (strcmp(buf, "ODS") == 0 || strcmp(buf, "CODE") == 0)
			continue;
		if (is_org_code(buf) && strncmp(w[i].p, buf, w[i].n) == 0)
			return arena_strdup(a, buf);
	}
	if (n == 1 && strlen(s) == w[0].n) {
		word_upper(&w[0], buf, sizeof(buf));
		if (is_org_code(buf) && strncmp(w[0].p, buf, w[0].n) == 0)
			return arena_strdup(a, buf);
	}
	return NULL;
}

static int
is_any_person_or_org_code(const char *s)
{
	return gp_code_ok(s) || consultant_code_ok(s) || ods_is_practice(s);
}

/*
 * The words of s with the bracketed groups and any G, C or practice code
 * taken out ("Dr Jane Smith (G8234567)" is "Dr Jane Smith"); NULL when
 * nothing is left.
 */
static char *
name_part(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) + 1), *o = out, buf[16];
	int depth = 0;

	while (*s != '\0') {
		if (*s == '(' || *s == '[') {
			depth++;
			s++;
			continue;
		}
		if ((*s == ')' || *s == ']') && depth > 0) {
			depth--;
			s++;
			continue;
		}
		if (depth > 0) {
			s++;
			continue;
		}
		if (isalnum((unsigned char)*s) && (o == out ||
		    !isalnum((unsigned char)o[-1]))) {
			struct word w;

			w.p = s;
			while (isalnum((unsigned char)*s))
				s++;
			w.n = (size_t)(s - w.p);
			if (is_any_person_or_org_code(word_upper(&w, buf,
			    sizeof(buf))))
				continue;
			memcpy(o, w.p, w.n);
			o += w.n;
			continue;
		}
		*o++ = *s++;
	}
	*o = '\0';
	/* tidy: collapse spaces, trim separators */
	{
		char *r = out, *wp = out;
		int sp = 0;

		for (; *r != '\0'; r++) {
			if (isspace((unsigned char)*r)) {
				sp = 1;
				continue;
			}
			if (sp && wp != out)
				*wp++ = ' ';
			sp = 0;
			*wp++ = *r;
		}
		*wp = '\0';
		while (wp > out && strchr(" ,;:-/", wp[-1]) != NULL)
			*--wp = '\0';
		r = out;
		while (*r != '\0' && strchr(" ,;:-/", *r) != NULL)
			r++;
		return *r == '\0' ? NULL : r;
	}
}

/* Priority from a value: the words senders use, then phrases in it. */
static enum ref_priority
priority_in(const char *v)
{
	enum ref_priority p = priority_from_word(v);

	if (p != REF_PRIO_UNKNOWN || v == NULL)
		return p;
	if (str_istr(v, "2ww") != NULL || str_istr(v, "two week") != NULL ||
	    str_istr(v, "2 week") != NULL || str_istr(v, "two-week") != NULL ||
	    str_istr(v, "2-week") != NULL ||
	    str_istr(v, "suspected cancer") != NULL ||
	    str_istr(v, "fast track") != NULL)
		return REF_PRIO_TWO_WEEK_WAIT;
	if (str_istr(v, "non urgent") != NULL ||
	    str_istr(v, "non-urgent") != NULL ||
	    str_istr(v, "routine") != NULL)
		return REF_PRIO_ROUTINE;
	if (str_istr(v, "urgent") != NULL || str_istr(v, "soon") != NULL)
		return REF_PRIO_URGENT;
	return REF_PRIO_UNKNOWN;
}

/* A title line that names the priority ("Two week wait referral"). */
static enum ref_priority
title_priority(const char *s, size_t n)
{
	char buf[81];
	size_t i;

	if (n > 80 || memchr(s, ':', n) != NULL)
		return REF_PRIO_UNKNOWN;
	for (i = 0; i < n; i++)
		buf[i] = s[i];
	buf[n] = '\0';
	if (str_istr(buf, "referral") == NULL && priority_from_word(buf) ==
	    REF_PRIO_UNKNOWN)
		return REF_PRIO_UNKNOWN;
	return priority_in(buf);
}

/* The sex a patient's title implies: Mr; Mrs, Miss, Ms. */
static enum ref_sex
sex_of_title(const char *v)
{
	static const struct {
		const char *t;
		enum ref_sex s;
	} titles[] = {{"mr", REF_SEX_MALE}, {"mrs", REF_SEX_FEMALE},
	    {"miss", REF_SEX_FEMALE}, {"ms", REF_SEX_FEMALE}};
	size_t i, n;

	for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		n = strlen(titles[i].t);
		if (strncasecmp_ascii(v, titles[i].t, n) == 0 &&
		    (v[n] == ' ' || v[n] == '.'))
			return titles[i].s;
	}
	return REF_SEX_UNKNOWN;
}

/* Where a referrer name and code were read, best first. */
enum rank { R_NONE = 0, R_SIGNOFF, R_USUAL, R_FROM, R_GP, R_REFERRER };

struct letter {
	struct arena *a;
	struct referral *r;
	const struct parse_limits *lim;
	struct section pre;		/* free text before the body starts */
	struct section reason, meds, results;
	struct section *sink;	/* where free text goes; NULL drops it */
	int nkeys;		/* key lines seen */
	int seen[K_COUNT];	/* line where a field kind was first read */
	const char *ref_name[R_REFERRER + 1], *ref_code[R_REFERRER + 1];
	const char *gpcode, *practice_key, *practice_name_code,
	    *practice_from, *practice_head, *ubrn, *refid, *org, *cons_key, *cons_to;
	const char *date_line;	 /* a line that was only a date */
	enum ref_priority title_prio;
	enum ref_sex title_sex;	 /* from "Mrs", "Mr", ... on the Re: line */
	int body_started;	 /* "Dear ..." or a heading was seen */
};

static void
set_referrer(struct letter *L, enum rank rk, const char *v)
{
	char buf[16];
	const char *code = find_code(v, gp_code_ok, buf, sizeof(buf));
	char *name = name_part(L->a, v);

	if (L->ref_code[rk] == NULL && code != NULL)
		L->ref_code[rk] = arena_strdup(L->a, code);
	if (L->ref_name[rk] == NULL && name != NULL)
		L->ref_name[rk] = name;
}

/* Diagnosis or procedure codes in one item of a list. */
static void
coded_item(struct letter *L, int proc, const char *item)
{
	struct word w[64];
	size_t n = words(item, w, 64), i, ncodes = 0;
	enum code_system label = CS_OTHER;
	char buf[24], *text;
	struct {
		enum code_system cs;
		char code[24];
		size_t at;
	} found[8];
	int drop[64];

	memset(drop, 0, sizeof(drop));
	for (i = 0; i < n; i++) {
		enum code_system cs = code_system_from_name(w[i].p, w[i].n);
		int sure;

		if (cs == CS_OTHER && i + 1 < n && w[i].n == 3 &&
		    strncasecmp_ascii(w[i].p, "ICD", 3) == 0 &&
		    w[i + 1].n == 2 && strncmp(w[i + 1].p, "10", 2) == 0) {
			/* "ICD 10" and "ICD-10" */
			cs = CS_ICD10;
			drop[i + 1] = 1;
		}
		if (cs != CS_OTHER) {
			label = cs;
			drop[i] = 1;
			continue;
		}
		if (label == CS_SNOMED && w[i].n == 2 &&
		    strncasecmp_ascii(w[i].p, "CT", 2) == 0) {
			drop[i] = 1;
			continue;
		}
		word_upper(&w[i], buf, sizeof(buf));
		/* A code is trusted in brackets, after a system's name, as
		 * the first or last word, or (ICD-10) with its dot. */
		sure = w[i].bracketed || label != CS_OTHER || i == 0 ||
		    i + 1 == n || memchr(buf, '.', strlen(buf)) != NULL;
		if (!sure || ncodes == 8)
			continue;
		if (!proc && code_icd10_ok(buf) && label != CS_SNOMED)
			found[ncodes].cs = CS_ICD10;
		else if (proc && code_opcs4_ok(buf) && label != CS_SNOMED)
			found[ncodes].cs = CS_OPCS4;
		else if (code_snomed_ok(buf) && (label == CS_OTHER ||
		    label == CS_SNOMED))
			found[ncodes].cs = CS_SNOMED;
		else
			continue;
		memcpy(found[ncodes].code, buf, strlen(buf) + 1);
		found[ncodes].at = i;
		drop[i] = 1;
		ncodes++;
		label = CS_OTHER;
	}
	if (ncodes == 0)
		return;
	/* The text: the item without the codes and system names. */
	{
		char *o = text = arena_alloc(L->a, strlen(item) + 1);
		const char *s = item;
		size_t k = 0;

		while (*s != '\0') {
			if (k < n && s == w[k].p) {
				if (!drop[k]) {
					memcpy(o, s, w[k].n);
					o += w[k].n;
				}
				s += w[k].n;
				k++;
				continue;
			}
			*o++ = *s++;
		}
		*o = '\0';
		/* empty brackets and stray separators go */
		for (o = text; *o != '\0'; o++) {
			char *c = o;

			if (*o != '(' && *o != '[')
				continue;
			c++;
			while (*c == ' ' || *c == ':' || *c == ',' ||
			    *c == ';' || *c == '/' || *c == '-')
				c++;
			if (*c == ')' || *c == ']')
				memset(o, ' ', (size_t)(c - o + 1));
		}
		text = name_part(L->a, text);
	}
	for (i = 0; i < ncodes; i++)
		parse_add_code(L->a, proc ? &L->r->procedures :
		    &L->r->diagnoses, found[i].cs, found[i].code, text);
}

static void
coded_list(struct letter *L, int proc, const char *v)
{
	const char *p = v, *semi;

	while (p != NULL && *p != '\0') {
		char *item;
		size_t n;

		semi = strchr(p, ';');
		n = semi ? (size_t)(semi - p) : strlen(p);
		item = str_trim_dup(L->a, p, n);
		p = semi ? semi + 1 : NULL;
		if (item != NULL)
			coded_item(L, proc, item);
	}
}

static int
once(struct letter *L, enum kind k, long line)
{
	if (L->seen[k])
		return 0;
	L->seen[k] = (int)line;
	return 1;
}

/* Reads one field's value (trimmed, may be NULL). */
static void
field(struct letter *L, enum kind k, const char *v, long line)
{
	struct arena *a = L->a;
	struct referral *r = L->r;
	char buf[24], date[11];
	const char *s;

	switch (k) {
	case K_NHS: {
		char digits[11], tmp[40];
		size_t i = 0, o = 0;

		if (v == NULL)
			return;
		/* The number may be followed by words ("(verified)"). */
		while (v[i] != '\0' && o < sizeof(tmp) - 1 &&
		    (isdigit((unsigned char)v[i]) || v[i] == ' ' ||
		    v[i] == '-'))
			tmp[o++] = v[i++];
		tmp[o] = '\0';
		if (nhs_number_normalise(tmp, digits) < 0) {
			referral_warn(a, r, "line %ld: the NHS number is not "
			    "ten digits", line);
			return;
		}
		if (r->nhs_number == NULL) {
			r->nhs_number = arena_strdup(a, digits);
			L->seen[k] = (int)line;
		} else if (strcmp(r->nhs_number, digits) != 0) {
			referral_warn(a, r, "line %ld: a second, different NHS "
			    "number: the first (line %d) is used", line,
			    L->seen[k]);
		}
		return;
	}
	case K_DOB:
		if (v == NULL || L->seen[k])
			return;
		if (date_parse_prefix(v, date) < 0) {
			referral_warn(a, r, "line %ld: the date of birth is not "
			    "a date", line);
			return;
		}
		once(L, k, line);
		r->birth_date = arena_strdup(a, date);
		return;
	case K_DATE:
		if (v == NULL || L->seen[k])
			return;
		if (date_parse_prefix(v, date) < 0) {
			referral_warn(a, r, "line %ld: the referral date is not "
			    "a date", line);
			return;
		}
		once(L, k, line);
		r->referral_date = arena_strdup(a, date);
		return;
	case K_SEX: {
		struct word w[2];

		if (v == NULL || L->seen[k] || words(v, w, 1) == 0)
			return;
		once(L, k, line);
		r->sex = sex_from_word(word_upper(&w[0], buf, sizeof(buf)));
		if (r->sex == REF_SEX_UNKNOWN && !str_ieq(buf, "U") &&
		    !str_ieq(buf, "UNKNOWN"))
			referral_warn(a, r, "line %ld: sex not understood",
			    line);
		return;
	}
	case K_REFERRER:
	case K_GP:
	case K_USUAL_GP:
	case K_FROM:
		if (v == NULL)
			return;
		if (k == K_FROM) {
			/* From: a practice, a GP, or both. */
			if (L->practice_from == NULL &&
			    (s = find_code(v, ods_is_practice, buf,
			    sizeof(buf))) != NULL)
				L->practice_from = arena_strdup(a, s);
			if (find_code(v, gp_code_ok, buf, sizeof(buf)) == NULL &&
			    !str_istarts(v, "dr ") && !str_istarts(v, "dr.") &&
			    !str_istarts(v, "doctor "))
				return;
		}
		set_referrer(L, k == K_REFERRER ? R_REFERRER : k == K_GP ?
		    R_GP : k == K_FROM ? R_FROM : R_USUAL, v);
		return;
	case K_GPCODE:
		if (v != NULL && L->gpcode == NULL) {
			if ((s = find_code(v, gp_code_ok, buf, sizeof(buf))) !=
			    NULL)
				L->gpcode = arena_strdup(a, s);
			else
				L->gpcode = v; /* perhaps an SDS id */
		}
		return;
	case K_PRACTICE:
		if (v != NULL && L->practice_name_code == NULL &&
		    (s = find_code(v, ods_is_practice, buf, sizeof(buf))) !=
		    NULL)
			L->practice_name_code = arena_strdup(a, s);
		return;
	case K_PRACTICE_CODE:
		if (v == NULL || L->practice_key != NULL)
			return;
		if ((s = find_code(v, ods_is_practice, buf, sizeof(buf))) !=
		    NULL) {
			L->practice_key = arena_strdup(a, s);
		} else {
			L->practice_key = v;
			referral_warn(a, r, "line %ld: the practice code is not "
			    "an ODS practice code (a letter and five digits)",
			    line);
		}
		return;
	case K_PRIORITY:
		if (v == NULL || L->seen[k])
			return;
		once(L, k, line);
		r->priority = priority_in(v);
		if (r->priority == REF_PRIO_UNKNOWN)
			referral_warn(a, r, "line %ld: priority not understood "
			    "(routine, urgent or two week wait)", line);
		return;
	case K_SPECIALTY:
	case K_TFC: {
		struct word w[64];
		size_t n, i;

		if (v == NULL)
			return;
		n = words(v, w, 64);
		for (i = 0; i < n && r->tfc == NULL; i++)
			if (w[i].n == 3 && isdigit((unsigned char)w[i].p[0]) &&
			    isdigit((unsigned char)w[i].p[1]) &&
			    isdigit((unsigned char)w[i].p[2]) &&
			    (i == 0 || w[i].bracketed || k == K_TFC))
				r->tfc = arena_strndup(a, w[i].p, 3);
		if (r->specialty_text == NULL) {
			/* the words without the code */
			char *t = arena_strdup(a, v), *o;

			for (o = t; *o != '\0'; o++)
				if (isdigit((unsigned char)o[0]) &&
				    isdigit((unsigned char)o[1]) &&
				    isdigit((unsigned char)o[2]) &&
				    !isalnum((unsigned char)o[3]) &&
				    (o == t || !isalnum((unsigned char)o[-1])))
					memset(o, ' ', 3);
			for (o = t; *o != '\0'; o++)
				if (strncasecmp_ascii(o, "TFC", 3) == 0 &&
				    !isalnum((unsigned char)o[3]) &&
				    (o == t || !isalnum((unsigned char)o[-1])))
					memset(o, ' ', 3);
			r->specialty_text = name_part(a, t);
		}
		return;
	}
	case K_ERS_SPECIALTY:
		if (v != NULL && r->ers_specialty == NULL)
			r->ers_specialty = v;
		return;
	case K_CLINIC_TYPE:
		if (v != NULL && r->ers_clinic_type == NULL)
			r->ers_clinic_type = v;
		return;
	case K_PROVIDER:
		if (v == NULL)
			return;
		if (L->org == NULL)
			L->org = find_org(a, v);
		if (L->cons_to == NULL && (s = find_code(v, consultant_code_ok,
		    buf, sizeof(buf))) != NULL)
			L->cons_to = arena_strdup(a, s);
		return;
	case K_CONSULTANT:
		if (v != NULL && L->cons_key == NULL && (s = find_code(v,
		    consultant_code_ok, buf, sizeof(buf))) != NULL)
			L->cons_key = arena_strdup(a, s);
		return;
	case K_UBRN: {
		char digits[24];
		size_t i, o = 0;

		if (v == NULL || L->ubrn != NULL)
			return;
		for (i = 0; v[i] != '\0' && o < sizeof(digits) - 1; i++)
			if (isdigit((unsigned char)v[i]))
				digits[o++] = v[i];
			else if (v[i] != ' ' && v[i] != '-')
				break;
		digits[o] = '\0';
		if (o == 12 && v[i] == '\0') {
			L->ubrn = arena_strdup(a, digits);
		} else {
			L->ubrn = v;
			referral_warn(a, r, "line %ld: the UBRN is not 12 "
			    "digits", line);
		}
		return;
	}
	case K_REFID:
		if (v != NULL && L->refid == NULL)
			L->refid = v;
		return;
	case K_DIAG:
	case K_PROC:
		if (v != NULL)
			coded_list(L, k == K_PROC, v);
		return;
	default:
		return;
	}
}

/* Cuts a text to limits.max_field bytes (at a character boundary). */
static const char *
capped(struct letter *L, struct section *sec, const char *what)
{
	struct arena_str *b = &sec->s;
	size_t n = b->n;

	if (n == 0)
		return NULL;
	if (n <= L->lim->max_field)
		return b->p;
	n = L->lim->max_field;
	while (n > 0 && ((unsigned char)b->p[n] & 0xc0) == 0x80)
		n--;
	b->p[n] = '\0';
	referral_warn(L->a, L->r, "%s cut to %zu bytes (limits.max_field)",
	    what, n);
	return b->p;
}

static int
salutation(const char *s, size_t n)
{
	return n >= 5 && strncasecmp_ascii(s, "dear ", 5) == 0;
}

static int
signoff(const char *s, size_t n)
{
	static const char *const phrases[] = {"yours sincerely",
	    "yours faithfully", "kind regards", "best wishes",
	    "with best wishes", "regards", "many thanks", "with thanks",
	    "yours truly", NULL};
	size_t i, k;

	while (n > 0 && (s[n - 1] == ',' || s[n - 1] == '.' ||
	    isspace((unsigned char)s[n - 1])))
		n--;
	for (i = 0; phrases[i] != NULL; i++) {
		k = strlen(phrases[i]);
		if (n == k && strncasecmp_ascii(s, phrases[i], k) == 0)
			return 1;
	}
	return 0;
}

/* Text after the bullet with the white space trimmed. */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* A line that is a section heading without a colon ("HISTORY"). */
static enum kind
bare_heading(const char *s, size_t n)
{
	size_t i = skip_bullet(s, n);
	enum kind k;

	s += i;
	n -= i;
	trim(&s, &n);
	while (n > 0 && s[n - 1] == ':')
		n--;
	k = key_kind(s, n);
	return (is_section(k) || k == K_DIAG || k == K_PROC) ? k : K_NONE;
}

/* Modes for the lines after a key line. */
enum mode {
	M_NORMAL,
	M_CONT,	   /* indented lines continue the last field's value */
	M_LIST,	   /* lines are diagnosis / procedure items */
	M_DROP,	   /* lines are dropped until a blank or key line */
	M_DROP_ONE /* indented lines are dropped */
};

#define MAX_PAIRS 8

static int
line_starts(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	return n >= k && strncasecmp_ascii(p, lit, k) == 0;
}

static int
letter_probe(const unsigned char *buf, size_t len)
{
	size_t lim = len < 8192 ? len : 8192, i = 0, n, np, k;
	int seen[K_COUNT] = {0}, strong = 0;
	struct pair pr[MAX_PAIRS];
	const char *p = (const char *)buf;

	if (lim >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		i = 3;
	while (i < lim && isspace(buf[i]))
		i++;
	if (i < lim && (buf[i] == '<' || buf[i] == '{' || buf[i] == '['))
		return 0;
	if (memchr(buf, '\0', lim) != NULL)
		return 0;
	while (i < lim) {
		const char *eol = memchr(p + i, '\n', lim - i);

		n = eol ? (size_t)(eol - (p + i)) : lim - i;
		/* A mail's header is for the mail parser, not a letter. */
		if (line_starts(p + i, n, "MIME-Version:") ||
		    line_starts(p + i, n, "Content-Type:") ||
		    line_starts(p + i, n, "Message-ID:") ||
		    line_starts(p + i, n, "Received:"))
			return 0;
		np = line_pairs(p + i, n, pr, MAX_PAIRS);
		for (k = 0; k < np; k++)
			seen[pr[k].kind] = 1;
		i += n + 1;
	}
	for (k = K_DOB; k < K_PATIENT; k++)
		strong += seen[k] && k != K_DIAG && k != K_PROC &&
		    k != K_USUAL_GP;
	strong += seen[K_TEXT];
	if (seen[K_NHS] && strong >= 1)
		return 30;
	return strong >= 3 ? 20 : 0;
}

static int
letter_parse(struct arena *a, const unsigned char *buf, size_t len,
    const struct parse_limits *lim, struct parse_result *res)
{
	struct letter L;
	const char *p, *end, *eol, *next;
	struct pair pr[MAX_PAIRS];
	enum mode mode = M_NORMAL;
	enum kind pend_kind = K_NONE, list_kind = K_NONE;
	struct arena_str pend;	/* the value of a field still being read */
	long line = 1, pend_line = 0;
	size_t np, k;

	memset(&L, 0, sizeof(L));
	memset(&pend, 0, sizeof(pend));
	L.a = a;
	L.lim = lim;
	parse_text_input(a, res, buf, len, &p, &end);
	if ((L.r = parse_new_referral(a, res, lim, "letter")) == NULL)
		return parse_fail(res, 0, -1, "more than %zu referrals "
		    "(limits.max_referrals)", lim->max_referrals);
	L.sink = &L.reason;

#define FLUSH()                                                              \
	do {                                                                 \
		if (pend_kind != K_NONE)                                     \
			field(&L, pend_kind, pend.n ? str_trim_dup(a, pend.p, \
			    pend.n) : NULL, pend_line);                      \
		pend_kind = K_NONE;                                          \
		pend.n = 0;                                                  \
	} while (0)

	for (; p < end; p = next, line++) {
		const char *s;
		size_t n, sn;
		int indented;

		for (eol = p; eol < end && *eol != '\r' && *eol != '\n'; eol++)
			;
		next = eol + 1;
		if (eol + 1 < end && eol[0] == '\r' && eol[1] == '\n')
			next = eol + 2;
		n = (size_t)(eol - p);
		s = p;
		sn = n;
		trim(&s, &sn);
		indented = n > 0 && (p[0] == ' ' || p[0] == '\t');
		if (sn == 0) {
			/* A blank line ends a list, an address block or a
			 * continued value (unless the value is yet to come). */
			if (mode == M_CONT && pend.n == 0)
				continue;
			if (mode != M_NORMAL)
				FLUSH();
			mode = M_NORMAL;
			if (L.sink != NULL)
				sb_line(a, L.sink == &L.reason &&
				    !L.body_started ? &L.pre : L.sink, "", 0);
			continue;
		}
		np = line_pairs(p, n, pr, MAX_PAIRS);
		/* In a medication or results list, "Date:" is part of it. */
		if (np > 0 && pr[0].kind == K_DATE &&
		    (L.sink == &L.meds || L.sink == &L.results))
			np = 0;
		if (np > 0) {
			enum kind k0 = pr[0].kind;

			FLUSH();
			L.nkeys++;
			mode = M_NORMAL;
			for (k = 0; k < np; k++) {
				enum kind kk = pr[k].kind;
				const char *v = value_dup(a, pr[k].v, pr[k].vn);

				if (kk == K_PATIENT && v != NULL &&
				    L.title_sex == REF_SEX_UNKNOWN)
					L.title_sex = sex_of_title(v);
				if (is_section(kk) || kk == K_PATIENT ||
				    kk == K_ADDRESS)
					continue;
				if (kk == K_DIAG || kk == K_PROC) {
					field(&L, kk, v, line);
					if (k + 1 == np) {
						mode = M_LIST;
						list_kind = kk;
					}
					continue;
				}
				if (k + 1 == np) {
					/* the last value may go on */
					pend_kind = kk;
					pend_line = line;
					if (v != NULL)
						arena_str_add(a, &pend, v, strlen(v));
					mode = M_CONT;
				} else {
					field(&L, kk, v, line);
				}
			}
			if (k0 == K_ADDRESS)
				mode = M_DROP;
			else if (k0 == K_PATIENT)
				mode = M_DROP_ONE;
			if (is_section(k0)) {
				struct section *b = k0 == K_MEDS ? &L.meds :
				    k0 == K_RESULTS ? &L.results : &L.reason;
				const char *v = value_dup(a, pr[0].v, pr[0].vn);

				L.sink = b;
				if (b == &L.reason) {
					b->blank = b->s.n > 0;
					sb_line(a, b, s, sn);
				} else {
					if (b->started) {
						b->blank = 1;
						sb_line(a, b, s, sn);
					} else if (v != NULL) {
						sb_line(a, b, v, strlen(v));
					}
				}
				b->started = 1;
			} else if (k0 == K_DIAG || k0 == K_PROC) {
				L.sink = &L.reason;
				sb_line(a, &L.reason, s, sn);
			} else {
				/* a field ends a free-text section */
				L.sink = &L.reason;
			}
			L.body_started |= is_section(k0);
			continue;
		}
		if (mode == M_CONT && (indented || pend.n == 0)) {
			if (pend.n > 0)
				arena_str_add(a, &pend, " ", 1);
			arena_str_add(a, &pend, s, sn);
			continue;
		}
		FLUSH();
		if (mode == M_DROP)
			continue;
		if (mode == M_DROP_ONE && indented)
			continue;
		if (mode == M_LIST) {
			size_t i = skip_bullet(s, sn);

			coded_list(&L, list_kind == K_PROC, str_trim_dup(a,
			    s + i, sn - i));
			sb_line(a, &L.reason, s, sn);
			continue;
		}
		mode = M_NORMAL;
		{
			enum kind h = bare_heading(s, sn);

			if (h != K_NONE) {
				L.body_started = 1;
				if (h == K_DIAG || h == K_PROC) {
					mode = M_LIST;
					list_kind = h;
					L.sink = &L.reason;
					L.reason.blank = L.reason.s.n > 0;
					sb_line(a, &L.reason, s, sn);
					continue;
				}
				L.sink = h == K_MEDS ? &L.meds : h == K_RESULTS
				    ? &L.results : &L.reason;
				if (L.sink == &L.reason || L.sink->started) {
					L.sink->blank = L.sink->s.n > 0;
					sb_line(a, L.sink, s, sn);
				}
				L.sink->started = 1;
				continue;
			}
		}
		if (salutation(s, sn)) {
			L.body_started = 1;
			continue;
		}
		if (signoff(s, sn)) {
			L.sink = NULL;
			continue;
		}
		if (L.sink == NULL) {
			/* the sign-off: a G code there is the last resort */
			char *t = arena_strndup(a, s, sn);

			if (L.ref_code[R_SIGNOFF] == NULL)
				set_referrer(&L, R_SIGNOFF, t);
			else if (L.ref_name[R_SIGNOFF] == NULL)
				L.ref_name[R_SIGNOFF] = name_part(a, t);
			continue;
		}
		if (!L.body_started) {
			char date[11], *t = arena_strndup(a, s, sn);

			if (L.date_line == NULL && date_parse(t, date) == 0) {
				L.date_line = arena_strdup(a, date);
				continue;
			}
			if (L.title_prio == REF_PRIO_UNKNOWN)
				L.title_prio = title_priority(s, sn);
			/* the letterhead: "High Street Surgery (E82045)" */
			if (L.practice_head == NULL) {
				char cb[16];
				const char *c = find_code(t, ods_is_practice,
				    cb, sizeof(cb));

				if (c != NULL)
					L.practice_head = arena_strdup(a, c);
			}
		}
		sb_line(a, L.sink == &L.reason && !L.body_started ? &L.pre :
		    L.sink, s, sn);
	}
	FLUSH();
#undef FLUSH

	if (L.nkeys == 0)
		return parse_fail(res, 0, -1, "no referral in this document: "
		    "no \"Key: value\" line that a referral letter has "
		    "(NHS Number:, Date:, GP:, Practice:, Specialty:, ...)");
	{
		struct referral *r = L.r;
		int rk;

		for (rk = R_REFERRER; rk > R_NONE; rk--)
			if (L.ref_name[rk] != NULL) {
				r->referrer_name = L.ref_name[rk];
				break;
			}
		r->referrer_code = L.gpcode;
		for (rk = R_REFERRER; rk > R_NONE && r->referrer_code == NULL;
		    rk--)
			r->referrer_code = L.ref_code[rk];
		r->practice_ods = L.practice_key ? L.practice_key :
		    L.practice_name_code ? L.practice_name_code :
		    L.practice_from ? L.practice_from : L.practice_head;
		r->provider_ods = L.org;
		r->consultant_code = L.cons_key ? L.cons_key : L.cons_to;
		r->source_id = L.ubrn ? L.ubrn : L.refid;
		if (r->referral_date == NULL)
			r->referral_date = L.date_line;
		if (r->referral_date == NULL)
			referral_warn(a, r, "no referral date (a Date: line)");
		if (r->priority == REF_PRIO_UNKNOWN && !L.seen[K_PRIORITY])
			r->priority = L.title_prio;
		if (!L.seen[K_SEX])
			r->sex = L.title_sex;
		/* Text before "Dear ..." or the first heading is the letter's
		 * address blocks, unless the letter has neither. */
		if (!L.body_started && L.pre.s.n > 0) {
			struct section all = L.pre;

			if (L.reason.s.n > 0) {
				arena_str_add(a, &all.s, "\n", 1);
				arena_str_add(a, &all.s, L.reason.s.p, L.reason.s.n);
			}
			L.reason = all;
		}
		r->reason_text = capped(&L, &L.reason, "the letter's text");
		r->medication_text = capped(&L, &L.meds, "the medication text");
		r->results_text = capped(&L, &L.results, "the results text");
	}
	return 0;
}

const struct parser parser_letter = {
	.name = "letter",
	.probe = letter_probe,
	.parse = letter_parse,
};
