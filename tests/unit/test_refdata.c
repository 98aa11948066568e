/*
 * test_refdata.c - the pure half of the reference data loaders: the CSV
 * reader, and every kind parsed from the real public extracts in the
 * corpus (ODS epraccur, egpam, econcur, etr; the TFC table; UK Core main
 * specialties; the e-RS clinic types) with the values read by hand from
 * the files, plus malformed rows rejected with their row numbers while
 * the good rows are kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "readfile.h"
#include "refcsv.h"
#include "refparse.h"
#include "t.h"

/* A whole file (caller frees); a missing file ends the test. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	char err[512];
	unsigned char *buf = file_read(path, 64u << 20, len, err, sizeof(err));

	if (buf == NULL) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	return buf;
}

/* Parses a corpus file as kind; exits when the file is refused. */
static void
parse_file(const char *kind, const char *rel, const char *year,
    struct ref_rows *out)
{
	char path[1024], err[512];
	unsigned char *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", PARS_CORPUS, rel);
	buf = slurp(path, &len);
	if (ref_parse(ref_kind_find(kind), buf, len, year, out, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", rel, err);
		exit(1);
	}
	free(buf);
}

static int
parse_text(const char *kind, const char *text, const char *year,
    struct ref_rows *out, char *err, size_t errlen)
{
	return ref_parse(ref_kind_find(kind), (const unsigned char *)text,
	    strlen(text), year, out, err, errlen);
}

/* The value of column col in the row whose first key is key. */
static const char *
val(const struct ref_rows *r, const char *key, const char *col)
{
	size_t i, c;

	for (c = 0; c < r->ncols && strcmp(r->cols[c], col) != 0; c++)
		;
	if (c == r->ncols)
		return "(no such column)";
	for (i = 0; i < r->n; i++)
		if (strcmp(r->rows[i][0], key) == 0)
			return r->rows[i][c];
	return "(no such row)";
}

static long
row_of(const struct ref_rows *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->rows[i][0], key) == 0)
			return r->rowno[i];
	return -1;
}

static void
test_csv(void)
{
	static const char text[] = "\xef\xbb\xbf# a comment\r\n"
	    "a, b ,\"c,\"\"d\"\"\"\r\n"
	    "\r\n"
	    "\"multi\nline\",x\n"
	    "  \n"
	    "last,row";
	struct arena *a = arena_new(0);
	struct refcsv c;
	struct refcsv_rec r;

	refcsv_init(&c, text, sizeof(text) - 1);
	CHECK_INT(refcsv_next(&c, a, &r), 1);
	CHECK_INT(r.row, 2);
	CHECK_INT(r.n, 3);
	CHECK_STR(r.f[0], "a");
	CHECK_STR(r.f[1], "b");
	CHECK_STR(r.f[2], "c,\"d\"");
	CHECK(r.error == NULL);
	CHECK_INT(refcsv_next(&c, a, &r), 1);
	CHECK_INT(r.row, 4);
	CHECK_STR(r.f[0], "multi\nline");
	CHECK_STR(r.f[1], "x");
	CHECK_INT(refcsv_next(&c, a, &r), 1);
	CHECK_INT(r.row, 7);
	CHECK_STR(r.f[1], "row");
	CHECK_INT(refcsv_next(&c, a, &r), 0);

	{
		static const char bad[] = "\"ok\",1\n\"bad\"x,2\n\"ok2\",3\n"
		    "\"open,4\n";

		refcsv_init(&c, bad, sizeof(bad) - 1);
	}
	CHECK_INT(refcsv_next(&c, a, &r), 1);
	CHECK(r.error == NULL);
	CHECK_INT(refcsv_next(&c, a, &r), 1);
	CHECK_INT(r.row, 2);
	CHECK_STR(r.error, "text after the closing quote of a field");
	CHECK_INT(refcsv_next(&c, a, &r), 1);
	CHECK_INT(r.row, 3);
	CHECK(r.error == NULL);
	CHECK_STR(r.f[0], "ok2");
	CHECK_INT(refcsv_next(&c, a, &r), 1);
	CHECK_INT(r.row, 4);
	CHECK_STR(r.error, "a quoted field is not closed");
	CHECK_INT(refcsv_next(&c, a, &r), 0);
	arena_free(a);
}

static void
test_epraccur(void)
{
	struct ref_rows r;

	parse_file("epraccur", "ods/epraccur_2017_08_extract.csv", NULL, &r);
	CHECK_INT(r.n, 4);
	CHECK_INT(r.nrejects, 0);
	CHECK_STR(val(&r, "L84073", "name"), "ACORN PRACTICE");
	CHECK_STR(val(&r, "L84073", "postcode"), "GL11 4JN");
	CHECK_STR(val(&r, "L84073", "open_date"), "1974-04-01");
	CHECK_STR(val(&r, "L84073", "close_date"), NULL);
	CHECK_STR(val(&r, "L84073", "status"), "A");
	CHECK_STR(val(&r, "L84073", "commissioner"), "11M");
	CHECK_STR(val(&r, "L84073", "prescribing_setting"), "4");
	CHECK_STR(val(&r, "B85010", "health_geography"), "Q72");
	CHECK_INT(row_of(&r, "B85010"), 4);
	ref_rows_free(&r);

	/* Three rows, the last without a line end. */
	parse_file("epraccur", "ods/epraccur_sample_openprescribing.csv", NULL,
	    &r);
	CHECK_INT(r.n, 3);
	CHECK_STR(val(&r, "Y01063", "name"), "ACUTE GP REFERRAL SERVICE");
	CHECK_STR(val(&r, "Y01063", "open_date"), "2005-05-01");
	CHECK_STR(val(&r, "Y01063", "prescribing_setting"), "9");
	CHECK_STR(val(&r, "A81043", "commissioner"), "00M");
	ref_rows_free(&r);
}

static void
test_etr(void)
{
	struct ref_rows r;

	parse_file("etr", "ods/etr_2025.csv", NULL, &r);
	CHECK_INT(r.n, 210);
	CHECK_INT(r.nrejects, 0);
	CHECK_STR(val(&r, "RWG", "name"), "WEST HERTFORDSHIRE TEACHING "
	    "HOSPITALS NHS TRUST");
	CHECK_STR(val(&r, "RWG", "postcode"), "WD18 0HB");
	CHECK_STR(val(&r, "RAP", "open_date"), "1991-04-01");
	CHECK_STR(val(&r, "RAP", "close_date"), "2024-12-31");
	CHECK_STR(val(&r, "RAL", "close_date"), NULL);
	/* A trust with a new-style five-character code. */
	CHECK_STR(val(&r, "G6V2S", "name"), "NORTH LONDON NHS FOUNDATION "
	    "TRUST");
	CHECK_INT(row_of(&r, "G6V2S"), 1);
	CHECK_STR(val(&r, "R1H", "parent"), NULL);
	ref_rows_free(&r);
}

static void
test_econcur_egpam(void)
{
	struct ref_rows r;
	size_t i, n = 0;

	parse_file("econcur", "ods/econcur_2019_extract_first150.csv", NULL,
	    &r);
	CHECK_INT(r.n, 150);
	CHECK_INT(r.nrejects, 0);
	CHECK_STR(r.cols[0], "code");
	CHECK_STR(r.cols[1], "trust");
	CHECK_STR(val(&r, "C0000048", "gmc"), "0000048");
	CHECK_STR(val(&r, "C0000048", "surname"), "Alaghband Zadeh");
	CHECK_STR(val(&r, "C0000048", "main_specialty"), "822");
	CHECK_STR(val(&r, "C0000048", "trust"), "RYJ");
	/* One consultant at two trusts, two rows (rows 144 and 145). */
	for (i = 0; i < r.n; i++)
		if (strcmp(r.rows[i][0], "C1353792") == 0) {
			n++;
			CHECK(strcmp(r.rows[i][1], "RBL") == 0 ?
			    r.rowno[i] == 144 : r.rowno[i] == 145);
		}
	CHECK_INT(n, 2);
	ref_rows_free(&r);

	parse_file("egpam", "ods/egpam_2015-12_GP_rows_first75.csv", NULL, &r);
	CHECK_INT(r.n, 75);
	CHECK_STR(val(&r, "G0324090", "name"), "CRANE WP");
	CHECK_STR(val(&r, "G0324090", "practice_code"), "E82018");
	CHECK_STR(val(&r, "G0324090", "joined"), "1974-04-01");
	CHECK_STR(val(&r, "G0324090", "left_date"), "1993-03-31");
	/* Practices of the Channel Islands have six-character codes. */
	CHECK_STR(val(&r, "G5003280", "practice_code"), "JER010");
	ref_rows_free(&r);
}

static void
test_code_lists(void)
{
	struct ref_rows r;

	parse_file("tfc", "refdata/tfc_codes_derived.csv", NULL, &r);
	CHECK_INT(r.n, 173);
	CHECK_INT(r.header_row, 1);
	CHECK_STR(val(&r, "110", "title"), "Trauma & Orthopaedics");
	CHECK_STR(val(&r, "110", "in_use"), "true");
	CHECK_STR(val(&r, "120", "comment"), "Ear, nose and throat");
	CHECK_STR(val(&r, "500", "in_use"), "false");
	CHECK_STR(val(&r, "510", "in_use"), "false");
	CHECK_INT(row_of(&r, "100"), 2);
	ref_rows_free(&r);

	parse_file("main-specialties",
	    "refdata/CodeSystem-UKCore-PracticeSettingCode.xml", NULL, &r);
	CHECK_INT(r.n, 87);
	CHECK_STR(val(&r, "110", "title"), "Trauma and Orthopaedics");
	CHECK_STR(val(&r, "960", "title"), "Allied Health Professional");
	/* The row of a concept is its line in the XML. */
	CHECK_INT(row_of(&r, "100"), 23);
	ref_rows_free(&r);

	parse_file("ers-clinic-types", "refdata/eRS-CodeSystem-CLINIC-TYPE-"
	    "full.json", NULL, &r);
	CHECK_INT(r.n, 672);
	CHECK_INT(r.nrejects, 0);
	CHECK_STR(val(&r, "2WW_BREAST", "display"), "2WW Breast");
	CHECK_STR(val(&r, "2WW_BREAST", "ers_specialty"), "2WW");
	CHECK_STR(val(&r, "2WW_BREAST", "effective_to"), NULL);
	CHECK_STR(val(&r, "2WW_OTHER", "effective_to"), "2009-02-28");
	CHECK_STR(val(&r, "KNEE", "ers_specialty"), "ORTHOPAEDICS");
	CHECK_INT(row_of(&r, "2WW_BONE"), 1);
	ref_rows_free(&r);

	parse_file("ers-specialties", "ers-fhir/stu3-CodeSystem-Specialty"
	    "CodeSystem.json", NULL, &r);
	CHECK_INT(r.n, 4);
	CHECK_STR(val(&r, "ADULT_MENTAL_ILLNESS", "effective_to"),
	    "2008-05-09");
	CHECK_STR(val(&r, "ALLERGY", "display"), "Allergy");
	ref_rows_free(&r);
}

/* Real etr rows with malformed ones among them: the bad are rejected
 * with their row numbers, the good kept. */
static void
test_malformed(void)
{
	static const char text[] =
	    "\"RWG\",\"WEST HERTFORDSHIRE TEACHING HOSPITALS NHS TRUST\","
	    "\"Y61\",\"QM7\",\"TRUST OFFICES\",\"WATFORD GENERAL HOSPITAL\","
	    "\"VICARAGE ROAD\",\"WATFORD\",\"\",\"WD18 0HB\",\"20000401\","
	    "\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"0\",\"\","
	    "\"G\",\"\",\"\",\"\"\n"
	    /* 2: 26 fields */
	    "\"RXX\",\"SHORT ROW\",\"Y61\",\"QM7\",\"\",\"\",\"\",\"\",\"\","
	    "\"\",\"20000401\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\","
	    "\"\",\"0\",\"\",\"G\",\"\",\"\"\n"
	    /* 3: a date that is not one */
	    "\"RYY\",\"BAD DATE TRUST\",\"Y61\",\"QM7\",\"\",\"\",\"\",\"\","
	    "\"\",\"\",\"20241399\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\","
	    "\"\",\"\",\"0\",\"\",\"G\",\"\",\"\",\"\"\n"
	    /* 4: no code */
	    "\"\",\"NO CODE TRUST\",\"Y61\",\"QM7\",\"\",\"\",\"\",\"\",\"\","
	    "\"\",\"20000401\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\","
	    "\"\",\"0\",\"\",\"G\",\"\",\"\",\"\"\n"
	    /* 5: broken quoting */
	    "\"RZZ\"X,\"BROKEN\"\n"
	    /* 6: good */
	    "\"RAL\",\"ROYAL FREE LONDON NHS FOUNDATION TRUST\",\"Y56\","
	    "\"QMJ\",\"ROYAL FREE HOSPITAL\",\"POND STREET\",\"\",\"LONDON\","
	    "\"\",\"NW3 2QG\",\"19910401\",\"\",\"\",\"\",\"\",\"\",\"\",\"\","
	    "\"\",\"\",\"\",\"0\",\"\",\"H\",\"\",\"\",\"\"\n"
	    /* 7: the same code again */
	    "\"RWG\",\"AGAIN\",\"Y61\",\"QM7\",\"\",\"\",\"\",\"\",\"\",\"\","
	    "\"20000401\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\","
	    "\"0\",\"\",\"G\",\"\",\"\",\"\"\n";
	struct ref_rows r;
	char err[256];

	CHECK_INT(parse_text("etr", text, NULL, &r, err, sizeof(err)), 0);
	CHECK_INT(r.n, 2);
	CHECK_STR(val(&r, "RWG", "name"), "WEST HERTFORDSHIRE TEACHING "
	    "HOSPITALS NHS TRUST");
	CHECK_STR(val(&r, "RAL", "open_date"), "1991-04-01");
	CHECK_INT(r.nrejects, 5);
	if (r.nrejects == 5) {
		CHECK_INT(r.rejects[0].row, 2);
		CHECK_STR(r.rejects[0].reason, "26 fields, expected 27");
		CHECK_INT(r.rejects[1].row, 3);
		CHECK_STR(r.rejects[1].reason, "open_date \"20241399\" is not "
		    "a date (CCYYMMDD)");
		CHECK_INT(r.rejects[2].row, 4);
		CHECK_STR(r.rejects[2].reason, "no code");
		CHECK_INT(r.rejects[3].row, 5);
		CHECK_STR(r.rejects[3].reason, "text after the closing quote "
		    "of a field");
		CHECK_INT(r.rejects[4].row, 7);
		CHECK_STR(r.rejects[4].reason, "the same code as row 1");
	}
	ref_rows_free(&r);
}

/* Annex A's outpatient sheet saved as CSV: title rows, then the header;
 * columns found by their WF codes in any order; pounds to pence. */
static void
test_op_prices(void)
{
	static const char sheet[] =
	    "NHS Payment Scheme 2024/25,,,,\n"
	    "Annex A: outpatient attendances,,,,\n"
	    ",,,,\n"
	    "Treatment function code,Treatment function name,"
	    "Follow-up single professional (WF01A),"
	    "First attendance single professional (WF01B),"
	    "First attendance multi-professional (WF02B),"
	    "Follow-up multi-professional (WF02A)\n"
	    "110,Trauma & Orthopaedics,£89,£176,\"£1,202.50\",98.5\n"
	    "191,Pain Management,,,£240,£120\n"
	    "999,Nothing,-,,n/a,\n"
	    "12,Short code,£1,£2,£3,£4\n"
	    "330,Dermatology,£67,£12x,£154,£74\n";
	struct ref_rows r;
	char err[256];

	CHECK_INT(parse_text("op-prices", sheet, "2024-25", &r, err,
	    sizeof(err)), 0);
	CHECK_INT(r.header_row, 4);
	CHECK_INT(r.n, 2);
	CHECK_STR(r.rows[0][0], "2024/25");
	CHECK_STR(val(&r, "2024/25", "tfc"), "110");
	CHECK_STR(val(&r, "2024/25", "wf01a"), "8900");
	CHECK_STR(val(&r, "2024/25", "wf01b"), "17600");
	CHECK_STR(val(&r, "2024/25", "wf02b"), "120250");
	CHECK_STR(val(&r, "2024/25", "wf02a"), "9850");
	CHECK_STR(r.rows[1][1], "191");
	CHECK_STR(r.rows[1][3], NULL);
	CHECK_STR(r.rows[1][5], "24000");
	CHECK_INT(r.nrejects, 3);
	if (r.nrejects == 3) {
		CHECK_INT(r.rejects[0].row, 7);
		CHECK_STR(r.rejects[0].reason, "no price in any of the WF01A, "
		    "WF01B, WF02A, WF02B columns");
		CHECK_INT(r.rejects[1].row, 8);
		CHECK_STR(r.rejects[1].reason, "tfc \"12\" is not a three-digit "
		    "code");
		CHECK_INT(r.rejects[2].row, 9);
		CHECK_STR(r.rejects[2].reason, "wf01b \"£12x\" is not an amount "
		    "in pounds");
	}
	ref_rows_free(&r);

	/* The year is needed, and only these kinds take one. */
	CHECK_INT(parse_text("op-prices", sheet, NULL, &r, err, sizeof(err)),
	    -1);
	CHECK_HAS(err, "needs the tariff year");
	CHECK_INT(parse_text("op-prices", sheet, "2024/26", &r, err,
	    sizeof(err)), -1);
	CHECK_INT(parse_text("tfc", "tfc,title\n110,T&O\n", "2024/25", &r, err,
	    sizeof(err)), -1);
	CHECK_HAS(err, "takes no year");
	/* A sheet without the WF01B column is not a price sheet. */
	CHECK_INT(parse_text("op-prices", "TFC,WF01A\n110,£1\n", "2024/25", &r,
	    err, sizeof(err)), -1);
	CHECK_HAS(err, "no header");
}

static void
test_csv_kinds(void)
{
	struct ref_rows r;
	char err[256];

	CHECK_INT(parse_text("synonyms", "phrase,tfc,comment\n"
	    "T&O,110,\n\"Ear, nose & throat\",120,x\nt and o,110,\n"
	    "Derm,33,\n", NULL, &r, err, sizeof(err)), 0);
	CHECK_INT(r.n, 2);
	CHECK_STR(r.rows[0][0], "t and o");
	CHECK_STR(r.rows[1][0], "ear nose and throat");
	CHECK_INT(r.nrejects, 2);
	CHECK_STR(r.rejects[0].reason, "the same phrase as row 2");
	CHECK_INT(r.rejects[1].row, 5);
	ref_rows_free(&r);

	CHECK_INT(parse_text("procedure-hrg", "OPCS-4 code,HRG code\n"
	    "m45.9,lb72a\nW37,HN12A\nW3x,HN12A\nM45,LB7\n", NULL, &r, err,
	    sizeof(err)), 0);
	CHECK_INT(r.n, 2);
	CHECK_STR(val(&r, "M459", "hrg"), "LB72A");
	CHECK_STR(val(&r, "W37", "hrg"), "HN12A");
	CHECK_INT(r.nrejects, 2);
	ref_rows_free(&r);

	CHECK_INT(parse_text("list-sizes", "Practice_Code,Extract_Date,"
	    "Number_of_Patients,Weighted\nP81000,01/01/2025,9874,10321.45\n"
	    "P81001,2025-01-01,12410,\nP81002,2025-01-01,-5,1\n", NULL, &r,
	    err, sizeof(err)), 0);
	CHECK_INT(r.n, 2);
	CHECK_STR(val(&r, "P81000", "as_of"), "2025-01-01");
	CHECK_STR(val(&r, "P81000", "weighted"), "10321.45");
	CHECK_STR(val(&r, "P81001", "weighted"), NULL);
	CHECK_STR(r.rejects[0].reason, "raw \"-5\" is not a whole number");
	ref_rows_free(&r);

	CHECK_INT(parse_text("shadow-contracts", "provider,tfc,pod,year,"
	    "planned_activity,price\nRWG,110,OPFA,2024-25,160,176.00\n"
	    "RWG,110,OPFA,2024/25,1,1\n", NULL, &r, err, sizeof(err)), 0);
	CHECK_INT(r.n, 1);
	CHECK_STR(val(&r, "RWG", "year"), "2024/25");
	CHECK_STR(val(&r, "RWG", "price_pence"), "17600");
	CHECK_STR(r.rejects[0].reason, "the same provider, tfc, pod, year as "
	    "row 2");
	ref_rows_free(&r);

	/* A header without a required column. */
	CHECK_INT(parse_text("alternative-services", "code,name,tfc,price\n"
	    "MSK01,MSK,110,75\n", NULL, &r, err, sizeof(err)), -1);
	CHECK_HAS(err, "replaces");
	/* Windows-1252 text (a pound sign as 0xA3) is read as such. */
	CHECK_INT(parse_text("alternative-services", "code,name,tfc,replaces,"
	    "price\nMSK01,Caf\xe9 MSK,110,first_attendance,\xa3" "75.5\n",
	    NULL, &r, err, sizeof(err)), 0);
	CHECK_STR(val(&r, "MSK01", "name"), "Caf\xc3\xa9 MSK");
	CHECK_STR(val(&r, "MSK01", "price_pence"), "7550");
	ref_rows_free(&r);
}

static void
test_helpers(void)
{
	char y[8], buf[64];

	CHECK_INT(ref_year_parse("2024/25", y), 0);
	CHECK_STR(y, "2024/25");
	CHECK_INT(ref_year_parse("2024-2025", y), 0);
	CHECK_STR(y, "2024/25");
	CHECK_INT(ref_year_parse("2099_00", y), 0);
	CHECK_STR(y, "2099/00");
	CHECK_INT(ref_year_parse("2024/26", y), -1);
	CHECK_INT(ref_year_parse("24/25", y), -1);
	CHECK_STR(ref_phrase("  T&O ", buf, sizeof(buf)), "t and o");
	CHECK_STR(ref_phrase("Ear, Nose+Throat!", buf, sizeof(buf)),
	    "ear nose and throat");
	CHECK_STR(ref_phrase("2WW  breast", buf, sizeof(buf)), "2ww breast");
	CHECK_STR(ref_kind_infer("epraccur.csv", y)->name, "epraccur");
	CHECK_STR(ref_kind_infer("EGPCUR-2025.CSV", y)->name, "egpcur");
	CHECK_STR(ref_kind_infer("eRS-CodeSystem-CLINIC-TYPE-full.json",
	    y)->name, "ers-clinic-types");
	CHECK_STR(ref_kind_infer("CodeSystem-UKCore-PracticeSettingCode.xml",
	    y)->name, "main-specialties");
	CHECK_STR(ref_kind_infer("ers-specialty-tfc.csv", y)->name,
	    "ers-specialty-tfc");
	CHECK_STR(ref_kind_infer("op-prices-2024-25.csv", y)->name,
	    "op-prices");
	CHECK_STR(y, "2024/25");
	CHECK(ref_kind_infer("epraccur.xml", y) == NULL);
	CHECK(ref_kind_infer("README.md", y) == NULL);
}

int
main(void)
{
	test_csv();
	test_epraccur();
	test_etr();
	test_econcur_egpam();
	test_code_lists();
	test_malformed();
	test_op_prices();
	test_csv_kinds();
	test_helpers();
	return t_done("test_refdata");
}
