/*
 * test_csv.c - the CSV batch parser, field by field: quoting (commas,
 * "" and line breaks in fields), CRLF and LF, a BOM, reordered and
 * unknown columns, Windows-1252, bad rows mixed with good ones (row
 * numbers and reasons), every row bad, the limits, and cells of
 * many codes (bad ones named four at a time, 256 kept).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "parser.h"
#include "t.h"
#include "tparse.h"

static int
parse_file(const char *name)
{
	return parse_path(PARS_TESTDATA "/csv", name, NULL);
}

static void
test_uk_batch(void)
{
	const struct referral *r;

	CHECK_INT(parse_file("uk_batch.csv"), 0);
	CHECK_STR(res.format, "csv");
	CHECK_INT(res.n, 3);
	CHECK_INT(res.nrejects, 0);
	CHECK_INT(res.warnings.n, 0);
	if (res.n != 3)
		return;
	r = res.v[0];
	CHECK_STR(r->format, "csv");
	CHECK_STR(r->source_id, "P81003-000101");
	CHECK_STR(r->referral_date, "2025-01-06");
	CHECK_STR(r->practice_ods, "P81003");
	CHECK_STR(r->referrer_code, "G8000031");
	CHECK_STR(r->referrer_name, "Dr Alice Brown");
	CHECK_STR(r->nhs_number, "9995260182"); /* "999 526 0182" */
	CHECK_INT(r->nhs_number_valid, 1);
	CHECK_STR(r->birth_date, "1958-04-12");
	CHECK_INT(r->age_years, 66);
	CHECK_INT(r->sex, REF_SEX_FEMALE);
	CHECK_INT(r->priority, REF_PRIO_ROUTINE);
	CHECK_STR(r->specialty_text, "Trauma and Orthopaedics");
	CHECK_STR(r->tfc, "110");
	CHECK_STR(r->provider_ods, "RWG");
	CHECK_STR(r->consultant_code, "C3012345");
	CHECK_INT(r->diagnoses.n, 2);
	CHECK_INT(r->diagnoses.v[0].system, CS_ICD10);
	CHECK_STR(r->diagnoses.v[0].code, "M17.1");
	CHECK(r->diagnoses.v[0].text == NULL);
	CHECK_STR(r->diagnoses.v[1].code, "M25.56");
	CHECK_STR(r->diagnoses.v[1].text, "Pain in joint lower leg");
	CHECK_INT(r->procedures.n, 1);
	CHECK_INT(r->procedures.v[0].system, CS_OPCS4);
	CHECK_STR(r->procedures.v[0].code, "W40.1");
	/* a quoted field with a comma in it */
	CHECK_STR(r->reason_text, "Right knee pain for 9 months, worse on "
	    "stairs; physiotherapy and analgesia tried");
	CHECK_INT(r->warnings.n, 0);

	r = res.v[1];
	CHECK_STR(r->source_id, "P81003-000102");
	CHECK_STR(r->referral_date, "2025-01-07"); /* 07/01/2025 */
	CHECK_STR(r->practice_ods, "P81003");	   /* p81003 */
	CHECK_STR(r->referrer_code, "G8000032");   /* g8000032 */
	CHECK_STR(r->referrer_name, "Dr Ben Clarke, GP Partner");
	CHECK_STR(r->birth_date, "1971-03-03");	   /* 3 March 1971 */
	CHECK_INT(r->sex, REF_SEX_MALE);
	CHECK_INT(r->priority, REF_PRIO_URGENT);
	CHECK_STR(r->tfc, "120");
	CHECK_STR(r->specialty_text, "ENT");
	CHECK_STR(r->provider_ods, "RAL");
	CHECK(r->consultant_code == NULL);
	CHECK_INT(r->diagnoses.n, 2);
	CHECK_STR(r->diagnoses.v[0].code, "R04.0");
	CHECK_INT(r->diagnoses.v[1].system, CS_SNOMED);
	CHECK_STR(r->diagnoses.v[1].code, "249366005");
	CHECK_STR(r->diagnoses.v[1].text, "Bleeding from nose");
	/* a line break and doubled quotes inside a quoted field */
	CHECK_STR(r->reason_text, "Recurrent epistaxis from the left "
	    "nostril.\nSaid \"it won't stop\" on the phone.");

	r = res.v[2];
	CHECK_INT(r->priority, REF_PRIO_TWO_WEEK_WAIT); /* 2WW */
	CHECK_STR(r->tfc, "103");
	CHECK_INT(r->age_years, 75);
	CHECK_INT(r->diagnoses.n, 2); /* "bad code" left out */
	CHECK_STR(r->diagnoses.v[0].code, "N63");
	CHECK_STR(r->diagnoses.v[1].code, "R92");
	CHECK_INT(r->warnings.n, 2);
	CHECK_STR(r->warnings.v[0], "icd10: item 2 is not an ICD-10 code: "
	    "left out");
	CHECK_STR(r->warnings.v[1], "snomed: item 1 is not a SNOMED CT code: "
	    "left out");
}

static void
test_crlf_bom_reordered(void)
{
	const struct referral *r;

	CHECK_INT(parse_file("crlf_bom_reordered.csv"), 0);
	CHECK_INT(res.n, 2);
	CHECK_INT(res.nrejects, 0);
	/* the unknown and the unnamed column are named in warnings */
	CHECK_INT(res.warnings.n, 2);
	if (res.warnings.n == 2) {
		CHECK_STR(res.warnings.v[0], "column 4 \"GP notes\" is not a "
		    "documented column: ignored");
		CHECK_STR(res.warnings.v[1], "column 11 has no name: ignored");
	}
	if (res.n != 2)
		return;
	r = res.v[0];
	CHECK_STR(r->source_id, "P81004-7");
	CHECK_STR(r->referral_date, "2025-01-13");
	CHECK_STR(r->nhs_number, "9991860916");
	CHECK_INT(r->nhs_number_valid, 1);
	CHECK_STR(r->practice_ods, "P81004");
	CHECK_INT(r->priority, REF_PRIO_TWO_WEEK_WAIT);
	CHECK_STR(r->tfc, "330");
	CHECK_INT(r->sex, REF_SEX_FEMALE);
	CHECK_INT(r->age_years, 64); /* born 29 Feb 1960 */
	CHECK_INT(r->diagnoses.n, 1);
	CHECK_STR(r->diagnoses.v[0].code, "D22.5");
	CHECK_STR(r->reason_text, "Changing pigmented lesion on the back, 3 "
	    "months");
	CHECK_STR(r->provider_ods, "RYJ");
	CHECK(r->referrer_code == NULL);
	r = res.v[1];
	CHECK_STR(r->referral_date, "2025-01-14"); /* 14/01/2025 */
	CHECK_STR(r->tfc, "301");
	CHECK_INT(r->diagnoses.n, 0);
	CHECK_STR(r->provider_ods, "RQM");
	CHECK_INT(r->priority, REF_PRIO_ROUTINE);
}

static void
test_bad_rows(void)
{
	static const struct {
		long row;
		const char *reason;
	} want[] = {
	    {3, "9 fields, the header has 10"},
	    {4, "referral_date is not a date (dd/mm/yyyy, yyyy-mm-dd or d "
		"Month yyyy)"},
	    {6, "sex is not female, male, other or unknown (F, M, O, U)"},
	    {7, "priority is not routine, urgent or two week wait (2WW)"},
	    {8, "nhs_number is not 10 digits"},
	    {9, "tfc is not a 3-digit treatment function code"},
	    {10, "dob is after referral_date"},
	    {11, "a quoted field has more after its closing quote"},
	    {13, "a quoted field is not closed before the end of the file "
		"(is the file cut short?)"},
	};
	size_t i;

	CHECK_INT(parse_file("bad_rows.csv"), 0);
	/* rows 2 and 12 are good; row 5 is blank */
	CHECK_INT(res.n, 2);
	if (res.n == 2) {
		CHECK_STR(res.v[0]->source_id, "B-1");
		CHECK_STR(res.v[0]->reason_text, "good row one");
		CHECK_STR(res.v[1]->source_id, "B-11");
		CHECK_INT(res.v[1]->nhs_number_valid, 0);
		CHECK_INT(res.v[1]->sex, REF_SEX_UNKNOWN); /* U */
		CHECK_STR(res.v[1]->warnings.v[0], "NHS number fails the "
		    "modulus 11 check");
		CHECK_INT(res.v[1]->position, 1);
	}
	CHECK_INT(res.nrejects, 9);
	for (i = 0; i < res.nrejects && i < 9; i++) {
		CHECK_INT(res.rejects[i].row, want[i].row);
		CHECK_STR(res.rejects[i].reason, want[i].reason);
		/* no value from a row is ever quoted */
		CHECK(strstr(res.rejects[i].reason, "999") == NULL);
	}
}

static void
test_cp1252(void)
{
	CHECK_INT(parse_file("cp1252.csv"), 0);
	CHECK_INT(res.warnings.n, 1);
	CHECK_STR(res.warnings.v[0], "document is not UTF-8: read as "
	    "Windows-1252");
	CHECK_STR(res.v[0]->reason_text, "Lesion \xc2\xa3" "250 private quote "
	    "\xe2\x80\x93 declined, caf\xc3\xa9 owner");
	CHECK_STR(res.v[0]->specialty_text, "Dermatology");
}

static void
test_errors(void)
{
	CHECK_INT(parse_file("err_all_bad.csv"), -1);
	CHECK_HAS(res.err.msg, "every one of the 2 data rows was rejected "
	    "(first: row 2: referral_date is not a date");
	CHECK_INT(res.nrejects, 2);
	CHECK(strstr(res.err.msg, "9993667129") == NULL);
	CHECK_INT(parse_file("err_header_only.csv"), -1);
	CHECK_HAS(res.err.msg, "header row but no data rows");
	/* an ODS extract has no header: not a CSV batch we know */
	CHECK_INT(parse_file("err_no_header.csv"), -1);
	CHECK_HAS(res.err.msg, "unknown format: 64 bytes of comma-separated "
	    "text whose first line (27 fields) is not a header");
	CHECK(strstr(res.err.msg, "SMITH") == NULL);
}

static void
test_limits(void)
{
	struct parse_limits lim;
	const char *two = "source_id,referral_date,reason\n"
	    "1,2025-01-02,short\n2,2025-01-02,a longer reason\n";

	parse_limits_default(&lim);
	lim.max_referrals = 1;
	CHECK_INT(parse_mem(two, strlen(two), &lim), -1);
	CHECK_HAS(res.err.msg, "row 3: more than 1 rows in one batch "
	    "(limits.max_referrals)");
	parse_limits_default(&lim);
	lim.max_field = 10;
	CHECK_INT(parse_mem(two, strlen(two), &lim), 0);
	CHECK_INT(res.n, 1);
	CHECK_INT(res.nrejects, 1);
	if (res.nrejects == 1) {
		CHECK_INT(res.rejects[0].row, 3);
		CHECK_STR(res.rejects[0].reason, "reason is longer than 10 "
		    "bytes (limits.max_field)");
	}
	parse_limits_default(&lim);
	lim.max_bytes = 10;
	CHECK_INT(parse_mem(two, strlen(two), &lim), -1);
	CHECK_HAS(res.err.msg, "over the limit");
	/* a CR-only file (old Mac) and a last line without a newline */
	{
		const char *cr = "source_id,referral_date\r1,2025-01-02\r"
		    "2,2025-01-03";

		CHECK_INT(parse_mem(cr, strlen(cr), NULL), 0);
		CHECK_INT(res.n, 2);
		if (res.n == 2)
			CHECK_STR(res.v[1]->referral_date, "2025-01-03");
	}
}

/* Parses the CSV in b (freed), as parse_mem. */
static int
parse_buf(struct buf *b)
{
	size_t len;
	char *data;
	int rc;

	CHECK(buf_ok(b));
	data = buf_steal(b, &len);
	rc = parse_mem(data, len, NULL);
	free(data);
	return rc;
}

/*
 * 50 rows whose icd10 cell is 32,000 bad items "x;x;...": one warning an
 * item cost about 88 bytes of memory an input byte (12.8 MB took 1.1 GB);
 * now each cell names its first four and counts the rest in one warning.
 */
static void
test_bad_code_cells(void)
{
	struct buf b;
	size_t i, k;
	const struct referral *r;

	buf_init(&b, 0);
	buf_adds(&b, "source_id,referral_date,nhs_number,icd10\n");
	for (i = 0; i < 50; i++) {
		buf_printf(&b, "r%zu,2024-01-02,9434765919,x", i);
		for (k = 1; k < 32000; k++)
			buf_adds(&b, ";x");
		buf_addc(&b, '\n');
	}
	CHECK_INT(parse_buf(&b), 0);
	CHECK_INT(res.n, 50);
	CHECK_INT(res.nrejects, 0);
	for (i = 0; i < res.n; i++) {
		r = res.v[i];
		CHECK_INT(r->diagnoses.n, 0);
		CHECK_INT(r->warnings.n, 5);
		if (r->warnings.n != 5)
			continue;
		for (k = 0; k < 4; k++) {
			char w[64];

			snprintf(w, sizeof(w), "icd10: item %zu is not an "
			    "ICD-10 code: left out", k + 1);
			CHECK_STR(r->warnings.v[k], w);
		}
		CHECK_STR(r->warnings.v[4], "icd10: 31996 more items are not "
		    "ICD-10 codes: left out");
	}
	CHECK_STR(res.v[49]->source_id, "r49");
}

/*
 * Item numbers count the good items too; the other items are counted
 * in the last warning.  Diagnoses (icd10 and snomed together) and
 * procedures keep 256 codes each.
 */
static void
test_code_cap(void)
{
	static const char *const want[] = {
	    "icd10: item 2 is not an ICD-10 code: left out",
	    "icd10: item 4 is not an ICD-10 code: left out",
	    "icd10: item 5 is not an ICD-10 code: left out",
	    "icd10: item 6 is not an ICD-10 code: left out",
	    "icd10: 2 more items are not ICD-10 codes: left out",
	    "more than 256 diagnosis or procedure codes: the rest not kept",
	};
	struct buf b;
	size_t i;
	const struct referral *r;

	buf_init(&b, 0);
	buf_adds(&b, "source_id,referral_date,nhs_number,icd10,snomed,opcs4\n"
	    "c1,2024-01-02,9434765919,A00;x;A01 Typhoid fever; y ;z;"
	    "G56.0X1Y2;v;u,");
	for (i = 0; i < 300; i++)
		buf_printf(&b, "%s%zu", i ? ";" : "", 100000 + i);
	buf_adds(&b, ",W40.1; W37\n");
	CHECK_INT(parse_buf(&b), 0);
	if ((r = only_referral()) == NULL)
		return;
	CHECK_INT(r->diagnoses.n, 256);
	if (r->diagnoses.n == 256) {
		CHECK_STR(r->diagnoses.v[0].code, "A00");
		CHECK_STR(r->diagnoses.v[1].code, "A01");
		CHECK_STR(r->diagnoses.v[1].text, "Typhoid fever");
		CHECK_INT(r->diagnoses.v[2].system, CS_SNOMED);
		CHECK_STR(r->diagnoses.v[2].code, "100000");
		CHECK_STR(r->diagnoses.v[255].code, "100253");
	}
	CHECK_INT(r->procedures.n, 2);
	if (r->procedures.n == 2)
		CHECK_STR(r->procedures.v[1].code, "W37");
	CHECK_INT(r->warnings.n, 6);
	for (i = 0; i < r->warnings.n && i < 6; i++)
		CHECK_STR(r->warnings.v[i], want[i]);
}

static void
test_detect(void)
{
	char why[256];
	const char *hdr = "Source_ID,Referral Date,NHS-Number\n";

	CHECK(parser_detect((const unsigned char *)hdr, strlen(hdr), why,
	    sizeof(why)) == parser_by_name("csv"));
	/* one documented name is not enough to call it a batch */
	hdr = "code,title,reason\n";
	CHECK(parser_detect((const unsigned char *)hdr, strlen(hdr), why,
	    sizeof(why)) == NULL);
}

int
main(void)
{
	test_uk_batch();
	test_crlf_bom_reordered();
	test_bad_rows();
	test_cp1252();
	test_errors();
	test_limits();
	test_bad_code_cells();
	test_code_cap();
	test_detect();
	arena_free(a);
	return t_done("test_csv");
}
