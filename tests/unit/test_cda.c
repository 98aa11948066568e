/*
 * test_cda.c - the CDA parser, field by field, on the public C-CDA
 * Referral Note (US: no NHS identifiers) and on an NHS ITK-style
 * referral, and every refusal: DOCTYPE (XXE, billion laughs), too deep,
 * too big, not UTF-8, truncated, no namespace, not a referral; and the
 * cap of 256 codes a list.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "parser.h"
#include "t.h"
#include "tparse.h"

/* Parses the file at path (test data or corpus). */
static int
parse_file(const char *path)
{
	return parse_path(NULL, path, NULL);
}

static void
test_corpus_referral_note(void)
{
	const struct referral *r;

	/* microsoft/FHIR-Converter Referral_Note.ccda (C-CDA R2.1, US) */
	CHECK_INT(parse_file(PARS_CORPUS "/cda/Referral_Note.ccda"), 0);
	CHECK_STR(res.format, "cda");
	CHECK_INT(res.n, 1);
	CHECK_INT(res.warnings.n, 1);
	CHECK_HAS(res.warnings.v[0], "realmCode is US, not GB");
	r = res.v[0];
	CHECK_STR(r->format, "cda");
	CHECK_STR(r->source_id, "sTT988");	   /* setId extension */
	CHECK_STR(r->referral_date, "2013-09-21"); /* 201309210500-0800 */
	/* recordTarget: a US SSN (2.16.840.1.113883.4.1), no NHS number */
	CHECK(r->nhs_number == NULL);
	CHECK_INT(r->nhs_number_valid, 0);
	CHECK_INT(r->warnings.n, 2);
	CHECK_STR(r->warnings.v[0], "the patient's 1 identifier(s) are not "
	    "NHS numbers (root 2.16.840.1.113883.2.1.4.1)");
	CHECK_STR(r->warnings.v[1], "no NHS number");
	CHECK_STR(r->birth_date, "1975-05-01");
	CHECK_INT(r->age_years, 38);
	CHECK_INT(r->sex, REF_SEX_FEMALE);
	/* author: an NPI, not a G code; no ODS organisation anywhere */
	CHECK(r->referrer_code == NULL);
	CHECK_STR(r->referrer_name, "Patricia Primary");
	CHECK(r->practice_ods == NULL);
	CHECK(r->provider_ods == NULL);	   /* recipient has no ODS id */
	CHECK(r->consultant_code == NULL);
	/* the Patient Referral Act's priorityCode A (ASAP) */
	CHECK_INT(r->priority, REF_PRIO_URGENT);
	CHECK(r->tfc == NULL);
	CHECK(r->specialty_text == NULL);
	/* the problem observations' values; status observations skipped */
	CHECK_INT(r->diagnoses.n, 4);
	if (r->diagnoses.n == 4) {
		CHECK_INT(r->diagnoses.v[0].system, CS_SNOMED);
		CHECK_STR(r->diagnoses.v[0].code, "190389009");
		CHECK_STR(r->diagnoses.v[0].text, "Type II diabetes mellitus "
		    "with ulcer (disorder)");
		CHECK_STR(r->diagnoses.v[1].code, "195977004");
		CHECK_STR(r->diagnoses.v[2].code, "304527002");
		CHECK_STR(r->diagnoses.v[3].code, "233604007");
		CHECK_STR(r->diagnoses.v[3].text, "Pneumonia");
	}
	/* the polypectomy was done in 1998 (EVN): history, not a request */
	CHECK_INT(r->procedures.n, 0);
	CHECK(strncmp(r->reason_text, "CHIEF COMPLAINT(S) AND REASON FOR "
	    "VISIT\nDiabetic Management and wound care follow up.\n\n"
	    "REASON FOR REFERRAL\nPatient referral for consultation for full "
	    "care.", 131) == 0);
	CHECK_HAS(r->reason_text, "HISTORY OF PRESENT ILLNESS\nThis is a "
	    "38-year-old white woman");
	CHECK_HAS(r->reason_text, "ASSESSMENT\nUncontrolled brittle Type II "
	    "diabetic.\nObesity.");
	CHECK_HAS(r->medication_text, "Atenolol 25 MG Oral Tablet | 1 every "
	    "12 hours Orally | Mar 18, 2013");
	CHECK_HAS(r->results_text, "Hemoglobin | 13.2 g/dL");
	CHECK_HAS(r->results_text, "VITAL SIGNS\n");
	/* the patient's address is not in the texts */
	CHECK(strstr(r->reason_text, "Home Street") == NULL);
}

static void
test_uk_itk(void)
{
	const struct referral *r;

	CHECK_INT(parse_file(PARS_TESTDATA "/cda/uk_itk_referral.xml"), 0);
	CHECK_INT(res.n, 1);
	CHECK_INT(res.warnings.n, 0);
	r = res.v[0];
	CHECK_STR(r->source_id, "P81003-CDA-0001");
	CHECK_STR(r->referral_date, "2025-01-10");
	CHECK_STR(r->nhs_number, "9995260182");
	CHECK_INT(r->nhs_number_valid, 1);
	CHECK_INT(r->sex, REF_SEX_FEMALE);	   /* NHS code 2 */
	CHECK_INT(r->age_years, 66);
	/* the G code (GMP root) wins over the SDS user id */
	CHECK_STR(r->referrer_code, "G8000031");
	CHECK_STR(r->referrer_name, "Dr Alice Brown");
	CHECK_STR(r->practice_ods, "P81003");
	/* the copy to the GP (TRC) is not the provider */
	CHECK_STR(r->provider_ods, "RWG");
	CHECK_STR(r->consultant_code, "C3012345");
	CHECK_INT(r->priority, REF_PRIO_TWO_WEEK_WAIT); /* the title */
	CHECK_STR(r->tfc, "330");
	CHECK_STR(r->specialty_text, "Dermatology");
	CHECK_INT(r->diagnoses.n, 2);
	if (r->diagnoses.n == 2) {
		CHECK_INT(r->diagnoses.v[0].system, CS_ICD10);
		CHECK_STR(r->diagnoses.v[0].code, "D22.5");
		CHECK_INT(r->diagnoses.v[1].system, CS_SNOMED);
		CHECK_STR(r->diagnoses.v[1].code, "372244006"); /* translation */
	}
	CHECK_INT(r->procedures.n, 1); /* the RQO one, not the EVN one */
	if (r->procedures.n == 1) {
		CHECK_INT(r->procedures.v[0].system, CS_OPCS4);
		CHECK_STR(r->procedures.v[0].code, "S06.1");
	}
	CHECK_STR(r->reason_text, "Reason for referral\nChanging pigmented "
	    "lesion on the upper back for 3 months, now 9 mm with an irregular "
	    "border.\nMeets NICE NG12 criteria (weighted checklist score 4)."
	    "\n\nHistory\nFair skin, several sunburns in childhood.\nNo "
	    "personal history of skin cancer.\n\nDiagnoses\nSuspected "
	    "malignant melanoma of skin");
	CHECK_STR(r->medication_text, "Drug | Dose\nRamipril | 5 mg once "
	    "daily\nAtorvastatin | 20 mg at night");
	CHECK_STR(r->results_text, "Dermoscopy photograph attached to the "
	    "e-RS referral.");
	CHECK_INT(r->warnings.n, 0);
}

static void
test_latin1(void)
{
	CHECK_INT(parse_file(PARS_TESTDATA "/cda/latin1_declared.xml"), 0);
	CHECK_STR(res.v[0]->reason_text, "Reason for referral\nCaf\xc3\xa9 "
	    "owner with a rash on both hands, \xc2\xa3 spent on creams");
	CHECK_STR(res.v[0]->referral_date, "2025-01-17");
}

static void
test_refusals(void)
{
	struct parse_limits lim;
	char path[512];
	size_t len;
	char *data;

	CHECK_INT(parse_file(PARS_TESTDATA "/cda/err_xxe.xml"), -1);
	CHECK_HAS(res.err.msg, "XML with a DOCTYPE is refused");
	CHECK(strstr(res.err.msg, "passwd") == NULL);
	CHECK_INT(parse_file(PARS_TESTDATA "/cda/err_billion_laughs.xml"), -1);
	CHECK_HAS(res.err.msg, "XML with a DOCTYPE is refused");
	CHECK_INT(parse_file(PARS_TESTDATA "/cda/err_too_deep.xml"), -1);
	CHECK_HAS(res.err.msg, "nested deeper than 64 levels");
	CHECK_INT(parse_file(PARS_TESTDATA "/cda/err_truncated.xml"), -1);
	CHECK_HAS(res.err.msg, "XML is not well-formed");
	CHECK_INT(parse_file(PARS_TESTDATA "/cda/err_bad_utf8.xml"), -1);
	CHECK_HAS(res.err.msg, "line 4: the document is not valid UTF-8");
	CHECK(strstr(res.err.msg, "Caf") == NULL);
	CHECK_INT(parse_file(PARS_TESTDATA "/cda/err_no_namespace.xml"), -1);
	CHECK_HAS(res.err.msg, "not a CDA ClinicalDocument");
	CHECK_INT(parse_file(PARS_TESTDATA "/cda/err_discharge_summary.xml"),
	    -1);
	CHECK_HAS(res.err.msg, "no referral in this document: a CDA document "
	    "of type 18842-5");
	CHECK(strstr(res.err.msg, "Uneventful") == NULL);

	snprintf(path, sizeof(path), "%s/cda/uk_itk_referral.xml",
	    PARS_TESTDATA);
	data = slurp(path, &len);
	parse_limits_default(&lim);
	lim.max_bytes = 1000;
	CHECK_INT(parse_mem(data, len, &lim), -1);
	CHECK_HAS(res.err.msg, "over the limit");
	parse_limits_default(&lim);
	lim.max_nodes = 20;
	CHECK_INT(parse_mem(data, len, &lim), -1);
	CHECK_HAS(res.err.msg, "more than 20 XML elements (limits.max_nodes)");
	parse_limits_default(&lim);
	lim.max_field = 30;
	CHECK_INT(parse_mem(data, len, &lim), 0);
	CHECK_STR(res.v[0]->reason_text, "Reason for referral\nChanging p");
	CHECK_HAS(res.v[0]->warnings.v[0], "the clinical text cut to 30 bytes");
	free(data);
}

/*
 * A referral whose problem list has one observation: its value is SNOMED
 * CT 100000000000000000 with the translations 1 and 17 digits of i for i
 * below ntrans (the first repeats the value), then again those of i below
 * again; and a requested OPCS-4 procedure W40.1.  Caller frees.
 */
static char *
many_codes(size_t ntrans, size_t again, size_t *len)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	buf_adds(&b, "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><code "
	    "code=\"57133-1\" codeSystem=\"2.16.840.1.113883.6.1\"/>"
	    "<effectiveTime value=\"20240102\"/><recordTarget><patientRole>"
	    "<id root=\"2.16.840.1.113883.2.1.4.1\" extension=\"9434765919\"/>"
	    "</patientRole></recordTarget><component><structuredBody>"
	    "<component><section><code code=\"11450-4\" "
	    "codeSystem=\"2.16.840.1.113883.6.1\"/><entry><observation>"
	    "<value code=\"100000000000000000\" "
	    "codeSystem=\"2.16.840.1.113883.6.96\">");
	for (i = 0; i < ntrans + again; i++)
		buf_printf(&b, "<translation code=\"1%017zu\" "
		    "codeSystem=\"2.16.840.1.113883.6.96\"/>",
		    i < ntrans ? i : i - ntrans);
	buf_adds(&b, "</value></observation></entry><entry><procedure "
	    "moodCode=\"RQO\"><code code=\"W40.1\" codeSystemName=\"OPCS-4\"/>"
	    "</procedure></entry></section></component></structuredBody>"
	    "</component></ClinicalDocument>");
	CHECK(buf_ok(&b));
	return buf_steal(&b, len);
}

/*
 * Parses many_codes(ntrans, again): the first 256 diagnoses kept, the
 * procedure too (a list of its own), and the warning when warned.
 */
static void
check_cap(size_t ntrans, size_t again, int warned)
{
	const struct referral *r;
	size_t len;
	char *data = many_codes(ntrans, again, &len);

	CHECK_INT(parse_mem(data, len, NULL), 0);
	free(data);
	if ((r = only_referral()) == NULL)
		return;
	CHECK_INT(r->diagnoses.n, 256);
	if (r->diagnoses.n == 256) {
		CHECK_INT(r->diagnoses.v[0].system, CS_SNOMED);
		CHECK_STR(r->diagnoses.v[0].code, "100000000000000000");
		CHECK_STR(r->diagnoses.v[1].code, "100000000000000001");
		CHECK_STR(r->diagnoses.v[255].code, "100000000000000255");
	}
	CHECK_INT(r->procedures.n, 1);
	if (r->procedures.n == 1)
		CHECK_STR(r->procedures.v[0].code, "W40.1");
	CHECK_INT(r->warnings.n, warned);
	if (warned && r->warnings.n == 1)
		CHECK_STR(r->warnings.v[0], "more than 256 diagnosis or "
		    "procedure codes: the rest not kept");
}

/*
 * At most 256 diagnoses and 256 procedures: 50,000 translations of one
 * value (3.8 MB) took seconds in the duplicate scan, and 190,000 over a
 * minute; now the first 256 are kept and a warning says so.  Duplicates
 * of a full list are not new codes: no warning until one more is new.
 */
static void
test_code_cap(void)
{
	check_cap(50000, 0, 1);
	check_cap(256, 256, 0);
	check_cap(257, 256, 1);
}

static void
test_detect(void)
{
	char why[256];
	const char *fhir = "<?xml version=\"1.0\"?>\n<Bundle "
	    "xmlns=\"http://hl7.org/fhir\"><type value=\"collection\"/>"
	    "</Bundle>";
	const char *cda = "<!-- a comment > with a bracket -->\n"
	    "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"/>";

	/* CDA never claims FHIR XML */
	CHECK(parser_by_name("cda")->probe((const unsigned char *)fhir,
	    strlen(fhir)) == 0);
	CHECK(parser_detect((const unsigned char *)cda, strlen(cda), why,
	    sizeof(why)) == parser_by_name("cda"));
	/* XML nobody reads is described by its root element */
	cda = "<?xml version=\"1.0\"?>\n<Catalogue><total>9</total></Catalogue>";
	CHECK(parser_detect((const unsigned char *)cda, strlen(cda), why,
	    sizeof(why)) == NULL);
	CHECK_HAS(why, "an XML document (61 bytes) whose root element is "
	    "<Catalogue>");
}

/*
 * No probe of ours may claim a file of the public corpus that is another
 * format (FHIR XML and JSON, HL7 v2, ODS and reference CSVs, the PDF):
 * the other parsers must win detection on their own files.
 */
static void
test_no_stealing(void)
{
	static const char *const dirs[] = {"fhir-ukcore", "bars-fhir",
	    "ers-fhir", "hl7v2", "ods", "refdata", "letters", NULL};
	const struct parser *cda = parser_by_name("cda");
	const struct parser *csv = parser_by_name("csv");
	const struct parser *letter = parser_by_name("letter");
	size_t i, files = 0;

	for (i = 0; dirs[i] != NULL; i++) {
		char dir[512];
		DIR *d;
		struct dirent *e;

		snprintf(dir, sizeof(dir), "%s/%s", PARS_CORPUS, dirs[i]);
		if ((d = opendir(dir)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			char path[1024];
			size_t len;
			char *data;
			int sc, ss, sl;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			data = slurp(path, &len);
			sc = cda->probe((unsigned char *)data, len);
			ss = csv->probe((unsigned char *)data, len);
			sl = letter->probe((unsigned char *)data, len);
			if (sc || ss || sl)
				fprintf(stderr, "%s: cda %d csv %d letter %d\n",
				    path, sc, ss, sl);
			CHECK(sc == 0 && ss == 0 && sl == 0);
			files++;
			free(data);
		}
		closedir(d);
	}
	CHECK(files > 40);
}

int
main(void)
{
	test_corpus_referral_note();
	test_uk_itk();
	test_latin1();
	test_refusals();
	test_code_cap();
	test_detect();
	test_no_stealing();
	arena_free(a);
	return t_done("test_cda");
}
