/*
 * refkinds.c - the kinds of reference file: their fields, their file
 * names, and the checks on whole rows (see refkinds.h).  Layouts: NHS-DATA.md ("Reference files") and
 * docs/readme-coding.md.
 */
#include "refkinds.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "text.h"

/* The kinds. */

/* The fields every ODS organisation file starts with. */
#define ODS_ORG(code_type)                                                   \
	{"code", 1, NULL, code_type, REF_REQ_VALUE},                         \
	{"name", 2, NULL, RT_TEXT, REF_REQ_VALUE},                           \
	{"national_grouping", 3, NULL, RT_TEXT, 0},                          \
	{"health_geography", 4, NULL, RT_TEXT, 0},                           \
	{"postcode", 10, NULL, RT_TEXT, 0},                                  \
	{"open_date", 11, NULL, RT_DATE8, 0},                                \
	{"close_date", 12, NULL, RT_DATE8, 0}

static const struct ref_field epraccur_fields[] = {
	ODS_ORG(RT_PRACTICE),
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
	ODS_ORG(RT_ORG),
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
