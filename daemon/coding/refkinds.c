/*
 * refkinds.c - the kinds of reference file and the checks on their rows
 * (see refkinds.h).  Layouts: NHS-DATA.md ("Reference files") and
 * docs/readme-coding.md.
 */
#include "refkinds.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dates.h"
#include "ident.h"
#include "refcodesys.h"
#include "refcsv.h"
#include "refmap.h"
#include "text.h"

/* The kinds. */

static const struct ref_field epraccur_fields[] = {
	{"code", 1, NULL, RT_PRACTICE, REF_REQ_VALUE},
	{"name", 2, NULL, RT_TEXT, REF_REQ_VALUE},
	{"national_grouping", 3, NULL, RT_TEXT, 0},
	{"health_geography", 4, NULL, RT_TEXT, 0},
	{"postcode", 10, NULL, RT_TEXT, 0},
	{"open_date", 11, NULL, RT_DATE8, 0},
	{"close_date", 12, NULL, RT_DATE8, 0},
	{"status", 13, NULL, RT_STATUS, 0},
	{"commissioner", 15, NULL, RT_TEXT, 0},
	{"prescribing_setting", 26, NULL, RT_TEXT, 0},
	{NULL, 0, NULL, RT_TEXT, 0},
};

static const struct ref_field egpcur_fields[] = {
	{"code", 1, NULL, RT_GP, REF_REQ_VALUE},
	{"practice_code", 15, NULL, RT_PARENT, REF_REQ_VALUE},
	{"name", 2, NULL, RT_TEXT, REF_REQ_VALUE},
	{"status", 13, NULL, RT_TEXT, 0},
	{"open_date", 11, NULL, RT_DATE8, 0},
	{"close_date", 12, NULL, RT_DATE8, 0},
	{"joined", 16, NULL, RT_DATE8, 0},
	{"left_date", 17, NULL, RT_DATE8, 0},
	{NULL, 0, NULL, RT_TEXT, 0},
};

static const struct ref_field econcur_fields[] = {
	{"code", 2, NULL, RT_CONSULTANT, REF_REQ_VALUE},
	{"trust", 8, NULL, RT_ORG, REF_REQ_VALUE},
	{"gmc", 1, NULL, RT_GMC, 0},
	{"surname", 3, NULL, RT_TEXT, REF_REQ_VALUE},
	{"initial", 4, NULL, RT_TEXT, 0},
	{"sex", 5, NULL, RT_TEXT, 0},
	{"main_specialty", 6, NULL, RT_CODE3, 0},
	{"type", 7, NULL, RT_TEXT, 0},
	{NULL, 0, NULL, RT_TEXT, 0},
};

static const struct ref_field etr_fields[] = {
	{"code", 1, NULL, RT_ORG, REF_REQ_VALUE},
	{"name", 2, NULL, RT_TEXT, REF_REQ_VALUE},
	{"national_grouping", 3, NULL, RT_TEXT, 0},
	{"health_geography", 4, NULL, RT_TEXT, 0},
	{"postcode", 10, NULL, RT_TEXT, 0},
	{"open_date", 11, NULL, RT_DATE8, 0},
	{"close_date", 12, NULL, RT_DATE8, 0},
	{"parent", 15, NULL, RT_ORG, 0},
	{NULL, 0, NULL, RT_TEXT, 0},
};

static const struct ref_field tfc_fields[] = {
	{"code", 0, "tfc|code|tfc code|treatment function code", RT_CODE3,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	{"title", 0, "title|name|description|treatment function title",
	    RT_TEXT, REF_REQ_VALUE | REF_REQ_HEADER},
	{"comment", 0, "comment|comments|notes", RT_TEXT, 0},
	{"in_use", REF_POS_COMPUTED, NULL, RT_TEXT, 0},
	{NULL, 0, NULL, RT_TEXT, 0},
};

static const struct ref_field mainspec_fields[] = {
	{"code", 1, NULL, RT_CODE3, REF_REQ_VALUE},
	{"title", 2, NULL, RT_TEXT, REF_REQ_VALUE},
	{NULL, 0, NULL, RT_TEXT, 0},
};

static const struct ref_field ersspec_fields[] = {
	{"code", 1, NULL, RT_ERSCODE, REF_REQ_VALUE},
	{"display", 2, NULL, RT_TEXT, REF_REQ_VALUE},
	{"effective_to", 4, NULL, RT_DATETIME, 0},
	{NULL, 0, NULL, RT_TEXT, 0},
};

static const struct ref_field ersclinic_fields[] = {
	{"code", 1, NULL, RT_ERSCODE, REF_REQ_VALUE},
	{"display", 2, NULL, RT_TEXT, REF_REQ_VALUE},
	{"ers_specialty", 3, NULL, RT_ERSCODE, REF_REQ_VALUE},
	{"effective_to", 4, NULL, RT_DATETIME, 0},
	{NULL, 0, NULL, RT_TEXT, 0},
};

#define TFC_FIELD {"tfc", 0, "tfc", RT_CODE3, REF_REQ_VALUE | REF_REQ_HEADER}
#define COMMENT_FIELD {"comment", 0, "comment|comments|notes|note|source", \
	RT_TEXT, 0}
#define END_FIELD {NULL, 0, NULL, RT_TEXT, 0}

static const struct ref_field ersspectfc_fields[] = {
	{"ers_specialty", 0, "ers specialty|specialty", RT_ERSCODE,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	TFC_FIELD, COMMENT_FIELD, END_FIELD,
};

static const struct ref_field ersclinictfc_fields[] = {
	{"clinic_type", 0, "clinic type|ers clinic type", RT_ERSCODE,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	TFC_FIELD, COMMENT_FIELD, END_FIELD,
};

static const struct ref_field mainspectfc_fields[] = {
	{"main_specialty", 0, "main specialty|main specialty code", RT_CODE3,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	TFC_FIELD, COMMENT_FIELD, END_FIELD,
};

static const struct ref_field synonym_fields[] = {
	{"phrase", 0, "phrase|synonym", RT_PHRASE,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	TFC_FIELD, COMMENT_FIELD, END_FIELD,
};

static const struct ref_field opprice_fields[] = {
	{"tariff_year", REF_POS_YEAR, NULL, RT_YEAR, REF_REQ_VALUE},
	{"tfc", 0, "tfc|tfc code|treatment function code|treatment function",
	    RT_CODE3, REF_REQ_VALUE | REF_REQ_HEADER},
	{"wf01a", 0, "~wf01a", RT_PENCE, 0},
	{"wf01b", 0, "~wf01b", RT_PENCE, REF_REQ_HEADER},
	{"wf02a", 0, "~wf02a", RT_PENCE, 0},
	{"wf02b", 0, "~wf02b", RT_PENCE, 0},
	END_FIELD,
};

static const struct ref_field prochrg_fields[] = {
	{"opcs4", 0, "opcs4|opcs 4|opcs|opcs4 code|opcs 4 code", RT_OPCS,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	{"hrg", 0, "hrg|hrg code", RT_HRG, REF_REQ_VALUE | REF_REQ_HEADER},
	{"description", 0, "description|name|comment", RT_TEXT, 0},
	END_FIELD,
};

static const struct ref_field hrgprice_fields[] = {
	{"tariff_year", REF_POS_YEAR, NULL, RT_YEAR, REF_REQ_VALUE},
	{"hrg", 0, "hrg|hrg code", RT_HRG, REF_REQ_VALUE | REF_REQ_HEADER},
	{"name", 0, "hrg name|name|description", RT_TEXT, 0},
	{"price_pence", 0, "~price|tariff", RT_PENCE,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	END_FIELD,
};

static const struct ref_field altsvc_fields[] = {
	{"code", 0, "code|service code", RT_SERVICE,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	{"name", 0, "name|service", RT_TEXT, REF_REQ_VALUE | REF_REQ_HEADER},
	{"tfc", 0, "tfc", RT_CODE3, REF_REQ_HEADER},
	{"replaces", 0, "replaces", RT_REPLACES,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	{"price_pence", 0, "price|unit price", RT_PENCE,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	{"provider", 0, "provider", RT_ORG, 0},
	COMMENT_FIELD, END_FIELD,
};

static const struct ref_field shadow_fields[] = {
	{"provider", 0, "provider", RT_ORG, REF_REQ_VALUE | REF_REQ_HEADER},
	TFC_FIELD,
	{"pod", 0, "pod|point of delivery", RT_POD,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	{"year", 0, "year|tariff year", RT_YEAR,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	{"planned_activity", 0, "planned activity|activity", RT_INT,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	{"price_pence", 0, "price|unit price", RT_PENCE,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	COMMENT_FIELD, END_FIELD,
};

static const struct ref_field listsize_fields[] = {
	{"practice_code", 0, "practice code|practice|code", RT_PRACTICE,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	{"as_of", 0, "as of|date|extract date", RT_DATE,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	{"raw", 0, "raw|registered|list size|number of patients", RT_INT,
	    REF_REQ_VALUE | REF_REQ_HEADER},
	{"weighted", 0, "weighted|weighted list size", RT_NUM, 0},
	END_FIELD,
};

/* A trust's site (ets) belongs to its parent (field 15), else to the
 * trust its code starts with. */
static const char *
check_ets(struct arena *a, const char **v)
{
	if (strlen(v[0]) != 5)
		return "a site code has five characters";
	if (v[7] == NULL)
		v[7] = arena_strndup(a, v[0], 3);
	return NULL;
}

/* The TFC list marks withdrawn codes in the title. */
static const char *
check_tfc(struct arena *a, const char **v)
{
	v[3] = str_istarts(v[1], "not a treatment function") ||
	    str_istarts(v[1], "retired") ? "false" : "true";
	return NULL;
}

static const char *
check_opprice(struct arena *a, const char **v)
{
	if (v[2] == NULL && v[3] == NULL && v[4] == NULL && v[5] == NULL)
		return "no price in any of the WF01A, WF01B, WF02A, WF02B "
		       "columns";
	return NULL;
}

static const struct ref_kind kinds[] = {
	{"epraccur", "ref.practices", "ODS GP practices: 27 quoted fields, "
	    "no header", "epraccur", "csv", RR_ODS, 27, 1, epraccur_fields, 0,
	    NULL},
	{"egpcur", "ref.gps", "ODS GPs: 27 quoted fields, no header",
	    "egpcur", "csv", RR_ODS, 27, 2, egpcur_fields, 0, NULL},
	{"egpam", "ref.gps", "ODS GP amendments: the egpcur layout", "egpam",
	    "csv", RR_ODS, 27, 2, egpcur_fields, 0, NULL},
	{"econcur", "ref.consultants", "ODS consultants: 13 quoted fields, no "
	    "header", "econcur", "csv", RR_ODS, 13, 2, econcur_fields, 0,
	    NULL},
	{"etr", "ref.trusts", "ODS NHS trusts: 27 quoted fields, no header",
	    "etr", "csv", RR_ODS, 27, 1, etr_fields, 0, NULL},
	{"ets", "ref.trusts", "ODS NHS trust sites: the etr layout", "ets",
	    "csv", RR_ODS, 27, 1, etr_fields, 0, check_ets},
	{"tfc", "ref.tfc", "treatment function codes: CSV tfc,title[,comment]",
	    "tfc", "csv", RR_CSV, 0, 1, tfc_fields, 0, check_tfc},
	{"main-specialties", "ref.main_specialties", "main specialty codes: "
	    "FHIR CodeSystem XML (UK Core PracticeSettingCode)",
	    "main-specialties|CodeSystem-UKCore-PracticeSettingCode", "xml",
	    RR_XML_CODESYSTEM, 0, 1, mainspec_fields, 0, NULL},
	{"ers-specialties", "ref.ers_specialties", "e-RS specialties: FHIR "
	    "CodeSystem JSON (SPECIALTY)",
	    "ers-specialties|eRS-CodeSystem-SPECIALTY|"
	    "stu3-CodeSystem-SpecialtyCodeSystem", "json", RR_JSON_CODESYSTEM,
	    0, 1, ersspec_fields, 0, NULL},
	{"ers-clinic-types", "ref.ers_clinic_types", "e-RS clinic types: FHIR "
	    "CodeSystem JSON (CLINIC-TYPE, each with its specialty)",
	    "ers-clinic-types|eRS-CodeSystem-CLINIC-TYPE|"
	    "stu3-CodeSystem-ClinicTypeCodeSystem", "json",
	    RR_JSON_CODESYSTEM, 0, 1, ersclinic_fields, 0, NULL},
	{"ers-specialty-tfc", "ref.ers_specialty_tfc", "CSV ers_specialty,tfc"
	    "[,comment]", "ers-specialty-tfc", "csv", RR_CSV, 0, 1,
	    ersspectfc_fields, 0, NULL},
	{"ers-clinic-type-tfc", "ref.ers_clinic_type_tfc", "CSV clinic_type,"
	    "tfc[,comment]", "ers-clinic-type-tfc", "csv", RR_CSV, 0, 1,
	    ersclinictfc_fields, 0, NULL},
	{"main-specialty-tfc", "ref.main_specialty_tfc", "CSV main_specialty,"
	    "tfc[,comment]", "main-specialty-tfc", "csv", RR_CSV, 0, 1,
	    mainspectfc_fields, 0, NULL},
	{"synonyms", "ref.specialty_synonyms", "CSV phrase,tfc[,comment]",
	    "synonyms", "csv", RR_CSV, 0, 1, synonym_fields, 0, NULL},
	{"op-prices", "ref.op_prices", "NHS Payment Scheme Annex A outpatient "
	    "attendance sheet as CSV: title rows, a header with a TFC column "
	    "and WF01A/WF01B/WF02A/WF02B price columns (--year)", "op-prices",
	    "csv", RR_CSV_FIND_HEADER, 0, 2, opprice_fields, 1,
	    check_opprice},
	{"procedure-hrg", "ref.procedure_hrg", "CSV opcs4,hrg[,description]",
	    "procedure-hrg", "csv", RR_CSV, 0, 1, prochrg_fields, 0, NULL},
	{"hrg-prices", "ref.hrg_prices", "HRG prices as CSV: title rows, a "
	    "header with HRG code, name and price columns (--year)",
	    "hrg-prices", "csv", RR_CSV_FIND_HEADER, 0, 2, hrgprice_fields, 1,
	    NULL},
	{"alternative-services", "ref.alternative_services", "CSV code,name,"
	    "tfc,replaces,price[,provider,comment]", "alternative-services",
	    "csv", RR_CSV, 0, 1, altsvc_fields, 0, NULL},
	{"shadow-contracts", "ref.shadow_contracts", "CSV provider,tfc,pod,"
	    "year,planned_activity,price[,comment]", "shadow-contracts", "csv",
	    RR_CSV, 0, 4, shadow_fields, 0, NULL},
	{"list-sizes", "ref.list_sizes", "CSV practice_code,as_of,raw"
	    "[,weighted]", "list-sizes", "csv", RR_CSV, 0, 2, listsize_fields,
	    0, NULL},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

const struct ref_kind *
ref_kinds(size_t *n)
{
	*n = NKINDS;
	return kinds;
}

const struct ref_kind *
ref_kind_find(const char *name)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

int
ref_year_parse(const char *s, char out[8])
{
	long y, y2;
	char *end;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	y = strtol(s, &end, 10);
	if (errno != 0 || end - s != 4 || (*end != '/' && *end != '-' &&
	    *end != '_') || y < 1990 || y > 2100)
		return -1;
	s = end + 1;
	if (!isdigit((unsigned char)s[0]))
		return -1;
	y2 = strtol(s, &end, 10);
	if (*end != '\0' || !((end - s == 2 && y2 == (y + 1) % 100) ||
	    (end - s == 4 && y2 == y + 1)))
		return -1;
	snprintf(out, 8, "%04ld/%02ld", y, (y + 1) % 100);
	return 0;
}

/* The year in a file name: the first NNNN-NN (or _ or /) that is one. */
static void
year_in_name(const char *base, char year[8])
{
	const char *p;

	year[0] = '\0';
	for (p = base; strlen(p) >= 7; p++) {
		char cand[8];

		memcpy(cand, p, 7);
		cand[7] = '\0';
		if ((p == base || !isdigit((unsigned char)p[-1])) &&
		    !isdigit((unsigned char)p[7]) &&
		    ref_year_parse(cand, year) == 0)
			return;
	}
	year[0] = '\0';
}

const struct ref_kind *
ref_kind_infer(const char *base, char year[8])
{
	const struct ref_kind *best = NULL;
	size_t i, bestlen = 0;
	const char *dot = strrchr(base, '.');

	year[0] = '\0';
	if (dot == NULL)
		return NULL;
	for (i = 0; i < NKINDS; i++) {
		const char *p = kinds[i].file_prefixes;

		if (!str_ieq(dot + 1, kinds[i].ext))
			continue;
		while (*p != '\0') {
			size_t n = strcspn(p, "|");

			if (n > bestlen && strncasecmp_ascii(base, p, n) == 0) {
				best = &kinds[i];
				bestlen = n;
			}
			p += n + (p[n] == '|');
		}
	}
	if (best != NULL && best->needs_year)
		year_in_name(base, year);
	return best;
}

char *
ref_phrase(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	int space = 0;
	const char *p;

	for (p = in; *p != '\0' && n + 1 < outlen; p++) {
		unsigned char c = (unsigned char)*p;
		const char *word = NULL;

		if (c == '&' || c == '+')
			word = "and";
		else if (isalnum(c) || c >= 0x80) {
			if (space && n > 0 && n + 1 < outlen)
				out[n++] = ' ';
			space = 0;
			out[n++] = (char)tolower(c);
			continue;
		}
		space = 1;
		if (word != NULL) {
			size_t wl = strlen(word);

			if (n > 0 && n + 1 < outlen)
				out[n++] = ' ';
			if (n + wl + 1 > outlen)
				break;
			memcpy(out + n, word, wl);
			n += wl;
		}
	}
	out[n] = '\0';
	return out;
}

/* Values. */

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
code_chars(const char *s, size_t max, int dash)
{
	size_t i;

	if (s[0] == '\0' || strlen(s) > max)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!isupper((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_' &&
		    !(dash && s[i] == '-'))
			return 0;
	return 1;
}

static char *
upper(struct arena *a, const char *s)
{
	char *u = arena_strdup(a, s), *p;

	for (p = u; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

/* Pounds as written in a price sheet ("£1,234.56", "163") to pence;
 * 0, or -1 when it is not an amount. */
static int
pence(const char *s, long long *out)
{
	long long whole = 0, frac = 0;
	int digits = 0, fd = 0;

	if (strncmp(s, "\xc2\xa3", 2) == 0)
		s += 2;
	for (; *s != '\0' && *s != '.'; s++) {
		if (*s == ',' || *s == ' ')
			continue;
		if (!isdigit((unsigned char)*s) || whole > 100000000000LL)
			return -1;
		whole = whole * 10 + (*s - '0');
		digits++;
	}
	if (*s == '.')
		for (s++; *s != '\0'; s++) {
			if (!isdigit((unsigned char)*s) || fd == 2)
				return -1;
			frac = frac * 10 + (*s - '0');
			fd++;
		}
	if (digits == 0)
		return -1;
	if (fd == 1)
		frac *= 10;
	*out = whole * 100 + frac;
	return 0;
}

/* A whole or decimal (2 places) number >= 0, as text; 0 or -1. */
static int
number(const char *s, int decimals)
{
	int digits = 0, fd = 0;

	for (; isdigit((unsigned char)*s); s++)
		digits++;
	if (decimals && *s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			fd++;
	return digits > 0 && digits <= 9 && fd <= 2 && *s == '\0' ? 0 : -1;
}

/*
 * Checks and normalises in (already trimmed, not empty) as type t into
 * *out.  Returns NULL, or what is wrong with it.
 */
static const char *
convert(struct arena *a, enum ref_type t, const char *in, const char **out)
{
	char date[11];
	long long p;

	*out = in;
	switch (t) {
	case RT_TEXT:
		return NULL;
	case RT_PHRASE: {
		char buf[256];

		ref_phrase(in, buf, sizeof(buf));
		if (buf[0] == '\0')
			return "is not a phrase";
		*out = arena_strdup(a, buf);
		return NULL;
	}
	case RT_PRACTICE:
		*out = upper(a, in);
		return ods_is_practice(*out) ? NULL : "is not a practice code "
		    "(a letter and five digits)";
	case RT_PARENT:
		*out = upper(a, in);
		return strlen(*out) == 6 && isupper((unsigned char)(*out)[0]) &&
		    code_chars(*out + 1, 5, 0) && strchr(*out, '_') == NULL ?
		    NULL : "is not a practice code (a letter and five letters or "
		    "digits)";
	case RT_ORG:
		*out = upper(a, in);
		return ods_is_org(*out) ? NULL : "is not an ODS organisation "
		    "code";
	case RT_GP:
		return gp_code_ok(in) ? NULL : "is not a GP code (G and seven "
		    "digits)";
	case RT_CONSULTANT:
		return consultant_code_ok(in) ? NULL : "is not a consultant "
		    "code (C and seven digits)";
	case RT_GMC:
		return all_digits(in, 7) ? NULL : "is not a GMC number (seven "
		    "digits)";
	case RT_CODE3:
		return all_digits(in, 3) ? NULL : "is not a three-digit code";
	case RT_ERSCODE:
		return code_chars(in, 64, 0) ? NULL : "is not an e-RS code "
		    "(capitals, digits and _)";
	case RT_SERVICE:
		return code_chars(in, 32, 1) ? NULL : "is not a service code "
		    "(capitals, digits, _ and -, up to 32)";
	case RT_DATE8:
		if (!all_digits(in, 8) || date_parse(in, date) < 0)
			return "is not a date (CCYYMMDD)";
		*out = arena_strdup(a, date);
		return NULL;
	case RT_DATE:
		if (date_parse(in, date) < 0)
			return "is not a date";
		*out = arena_strdup(a, date);
		return NULL;
	case RT_DATETIME:
		if (date_parse_prefix(in, date) < 0)
			return "is not a date";
		*out = arena_strdup(a, date);
		return NULL;
	case RT_STATUS:
		return strlen(in) == 1 && strchr("ACDP", in[0]) != NULL ? NULL
		    : "is not an ODS status (A, C, D or P)";
	case RT_INT:
		return number(in, 0) == 0 ? NULL : "is not a whole number";
	case RT_NUM:
		return number(in, 1) == 0 ? NULL : "is not a number";
	case RT_PENCE:
		if (strcmp(in, "-") == 0 || str_ieq(in, "n/a") ||
		    str_ieq(in, "na")) {
			*out = NULL;
			return NULL;
		}
		if (pence(in, &p) < 0)
			return "is not an amount in pounds";
		*out = arena_printf(a, "%lld", p);
		return NULL;
	case RT_YEAR:
		if (ref_year_parse(in, date) < 0)
			return "is not a tariff year (2024/25)";
		*out = arena_strdup(a, date);
		return NULL;
	case RT_OPCS: {
		char *c = upper(a, in), *dot = strchr(c, '.');

		if (dot != NULL)
			memmove(dot, dot + 1, strlen(dot));
		*out = c;
		return isupper((unsigned char)c[0]) &&
		    (all_digits(c + 1, 2) || all_digits(c + 1, 3)) ? NULL :
		    "is not an OPCS-4 code (W37.1 or W37)";
	}
	case RT_HRG:
		*out = upper(a, in);
		return strlen(*out) == 5 && isupper((unsigned char)(*out)[0]) &&
		    isupper((unsigned char)(*out)[1]) &&
		    isdigit((unsigned char)(*out)[2]) &&
		    isdigit((unsigned char)(*out)[3]) &&
		    isupper((unsigned char)(*out)[4]) ? NULL :
		    "is not an HRG code (two letters, two digits, a letter)";
	case RT_POD:
		*out = upper(a, in);
		return code_chars(*out, 12, 0) && strlen(*out) >= 2 ? NULL :
		    "is not a point of delivery code";
	case RT_REPLACES:
		return strcmp(in, "first_attendance") == 0 ||
		    strcmp(in, "procedure") == 0 ||
		    strcmp(in, "diagnostic") == 0 ? NULL : "is not "
		    "first_attendance, procedure or diagnostic";
	}
	return "has an unknown type";
}

/* Rows. */

static void
reject(struct ref_rows *r, long row, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
reject(struct ref_rows *r, long row, const char *fmt, ...)
{
	va_list ap;

	if (r->nrejects == r->rcap) {
		size_t ncap = r->rcap ? r->rcap * 2 : 16;

		r->rejects = arena_grow(r->arena, r->rejects,
		    r->rcap * sizeof(*r->rejects), ncap * sizeof(*r->rejects));
		r->rcap = ncap;
	}
	va_start(ap, fmt);
	r->rejects[r->nrejects].row = row;
	r->rejects[r->nrejects].reason = arena_vprintf(r->arena, fmt, ap);
	r->nrejects++;
	va_end(ap);
}

static void
add_row(struct ref_rows *r, const char **vals, long row)
{
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;

		r->rows = arena_grow(r->arena, r->rows,
		    r->cap * sizeof(*r->rows), ncap * sizeof(*r->rows));
		r->rowno = arena_grow(r->arena, r->rowno,
		    r->cap * sizeof(*r->rowno), ncap * sizeof(*r->rowno));
		r->cap = ncap;
	}
	r->rows[r->n] = vals;
	r->rowno[r->n] = row;
	r->n++;
}

/* Normalised header cell: lower case, runs of other characters as one
 * space (so "Practice_Code" is "practice code"). */
static void
header_norm(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	int space = 0;

	for (; *in != '\0' && n + 2 < outlen; in++) {
		if (isalnum((unsigned char)*in)) {
			if (space && n > 0)
				out[n++] = ' ';
			space = 0;
			out[n++] = (char)tolower((unsigned char)*in);
		} else {
			space = 1;
		}
	}
	out[n] = '\0';
}

/* 1 when the header cell matches one of the field's names. */
static int
header_match(const char *names, const char *cell)
{
	char want[64], have[256];
	const char *p = names;

	header_norm(cell, have, sizeof(have));
	while (*p != '\0') {
		size_t n = strcspn(p, "|");
		int contains = *p == '~';
		char raw[64];

		snprintf(raw, sizeof(raw), "%.*s", (int)(n - contains),
		    p + contains);
		header_norm(raw, want, sizeof(want));
		if (contains) {
			const char *hit = strstr(have, want);
			size_t wl = strlen(want);

			if (hit != NULL && (hit == have || hit[-1] == ' ') &&
			    (hit[wl] == '\0' || hit[wl] == ' '))
				return 1;
		} else if (strcmp(have, want) == 0) {
			return 1;
		}
		p += n + (p[n] == '|');
	}
	return 0;
}

/* Maps each field to a column of the header record; -1 with the first
 * required field that has no column in *missing. */
static int
map_header(const struct ref_kind *k, const struct refcsv_rec *h, int *map,
    const char **missing)
{
	size_t i, c;

	for (i = 0; k->fields[i].col != NULL; i++) {
		const struct ref_field *f = &k->fields[i];

		map[i] = -1;
		if (f->header == NULL) {
			map[i] = f->pos > 0 ? f->pos - 1 : -1;
			continue;
		}
		for (c = 0; c < h->n; c++)
			if (header_match(f->header, h->f[c])) {
				map[i] = (int)c;
				break;
			}
		if (map[i] < 0 && (f->required & REF_REQ_HEADER)) {
			*missing = f->header;
			return -1;
		}
	}
	return 0;
}

/* Checks one record against the kind and keeps it or rejects it. */
static void
take_record(struct ref_rows *r, const struct refcsv_rec *rec, const int *map,
    const char *year, struct refmap *seen)
{
	const struct ref_kind *k = r->kind;
	const char **vals;
	const char *why;
	char *key;
	size_t i, klen = 0;
	long prev;

	if (rec->error != NULL) {
		reject(r, rec->row, "%s", rec->error);
		return;
	}
	if (k->reader == RR_ODS && rec->n != (size_t)k->nfields) {
		reject(r, rec->row, "%zu fields, expected %d", rec->n,
		    k->nfields);
		return;
	}
	vals = arena_zalloc(r->arena, r->ncols * sizeof(*vals));
	for (i = 0; i < r->ncols; i++) {
		const struct ref_field *f = &k->fields[i];
		const char *in = NULL;

		if (f->pos == REF_POS_YEAR)
			in = year;
		else if (map[i] >= 0 && (size_t)map[i] < rec->n &&
		    rec->f[map[i]][0] != '\0')
			in = rec->f[map[i]];
		if (in != NULL &&
		    (why = convert(r->arena, f->type, in, &vals[i])) != NULL) {
			reject(r, rec->row, "%s \"%.40s\" %s", f->col, in, why);
			return;
		}
		if (vals[i] == NULL && (f->required & REF_REQ_VALUE)) {
			reject(r, rec->row, "no %s", f->col);
			return;
		}
	}
	if (k->check != NULL && (why = k->check(r->arena, vals)) != NULL) {
		reject(r, rec->row, "%s", why);
		return;
	}
	for (i = 0; i < (size_t)k->nkeys; i++)
		klen += strlen(vals[i]) + 1;
	key = arena_alloc(r->arena, klen);
	key[0] = '\0';
	for (i = 0, klen = 0; i < (size_t)k->nkeys; i++) {
		size_t n = strlen(vals[i]);

		memcpy(key + klen, vals[i], n);
		klen += n;
		key[klen++] = i + 1 < (size_t)k->nkeys ? '\x1f' : '\0';
	}
	if ((prev = (long)(intptr_t)refmap_get(seen, key)) != 0) {
		char names[128] = "";

		for (i = 0; i < (size_t)k->nkeys; i++)
			snprintf(names + strlen(names), sizeof(names) -
			    strlen(names), "%s%s", i ? ", " : "",
			    k->fields[i].col);
		reject(r, rec->row, "the same %s as row %ld", names, prev);
		return;
	}
	refmap_put(seen, key, (void *)(intptr_t)rec->row);
	add_row(r, vals, rec->row);
}

/* Text of the file as UTF-8: as it is, or read as Windows-1252. */
static const char *
as_utf8(struct arena *a, const unsigned char *buf, size_t len, size_t *outlen)
{
	if (utf8_valid(buf, len)) {
		*outlen = len;
		return (const char *)buf;
	}
	return cp1252_to_utf8(a, buf, len, outlen);
}

static int
read_records(struct ref_rows *r, const unsigned char *buf, size_t len,
    const char *year, struct refmap *seen, char *err, size_t errlen)
{
	const struct ref_kind *k = r->kind;
	struct refcsv c;
	struct refcsv_rec rec;
	int map[32];
	const char *text, *missing = NULL;
	size_t tlen, i;
	int have_header = 0, scanned = 0;

	if (k->reader == RR_XML_CODESYSTEM || k->reader == RR_JSON_CODESYSTEM) {
		struct refcsv_rec *recs;
		size_t n;

		if ((k->reader == RR_XML_CODESYSTEM ?
		    refcodesys_xml(buf, len, r->arena, &recs, &n, err, errlen) :
		    refcodesys_json(buf, len, r->arena, &recs, &n, err,
		    errlen)) < 0)
			return -1;
		for (i = 0; k->fields[i].col != NULL; i++)
			map[i] = k->fields[i].pos - 1;
		for (i = 0; i < n; i++)
			take_record(r, &recs[i], map, year, seen);
		return 0;
	}
	text = as_utf8(r->arena, buf, len, &tlen);
	refcsv_init(&c, text, tlen);
	if (k->reader == RR_ODS) {
		for (i = 0; k->fields[i].col != NULL; i++)
			map[i] = k->fields[i].pos - 1;
		have_header = 1;
	}
	while (refcsv_next(&c, r->arena, &rec)) {
		if (have_header) {
			take_record(r, &rec, map, year, seen);
			continue;
		}
		scanned++;
		if (rec.error == NULL && map_header(k, &rec, map, &missing) == 0) {
			have_header = 1;
			r->header_row = rec.row;
			continue;
		}
		if (k->reader == RR_CSV || scanned == 50) {
			snprintf(err, errlen, "%s row %ld: no column for \"%s\" "
			    "in the header (%s)", k->reader == RR_CSV ? "header"
			    : "no header in the first 50 rows; last tried",
			    rec.row, missing ? missing : "?", k->about);
			return -1;
		}
	}
	if (!have_header) {
		snprintf(err, errlen, "no header row found (%s)", k->about);
		return -1;
	}
	return 0;
}

int
ref_parse(const struct ref_kind *k, const unsigned char *buf, size_t len,
    const char *year, struct ref_rows *out, char *err, size_t errlen)
{
	struct refmap seen;
	char y[8];
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (k->needs_year && (year == NULL || ref_year_parse(year, y) < 0)) {
		snprintf(err, errlen, "%s needs the tariff year (--year "
		    "2024/25)%s%s", k->name, year ? ", not " : "", year ? year
		    : "");
		return -1;
	}
	if (!k->needs_year && year != NULL) {
		snprintf(err, errlen, "%s takes no year: only op-prices and "
		    "hrg-prices do", k->name);
		return -1;
	}
	out->kind = k;
	out->arena = arena_new(0);
	for (i = 0; k->fields[i].col != NULL; i++)
		;
	out->ncols = i;
	out->cols = arena_zalloc(out->arena, i * sizeof(*out->cols));
	for (i = 0; i < out->ncols; i++)
		out->cols[i] = k->fields[i].col;
	refmap_init(&seen);
	rc = read_records(out, buf, len, k->needs_year ? y : NULL, &seen, err,
	    errlen);
	refmap_free(&seen);
	if (rc < 0) {
		arena_free(out->arena);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

void
ref_rows_free(struct ref_rows *r)
{
	if (r == NULL)
		return;
	arena_free(r->arena);
	memset(r, 0, sizeof(*r));
}
