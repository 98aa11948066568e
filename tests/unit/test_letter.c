/*
 * test_letter.c - the structured letter parser, field by field, on UK
 * letters written the ways practices write them: keys in any case and
 * spacing with their synonyms, several keys on a line, codes in brackets
 * after names, NHS numbers with and without spaces, dates as dd/mm/yyyy,
 * "5th Jan 2025" and ISO, priorities in words and in the title,
 * Windows-1252, and text that is not a letter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "parser.h"
#include "t.h"
#include "tparse.h"

static int
parse_file(const char *name)
{
	return parse_path(PARS_TESTDATA "/letter", name, NULL);
}

static void
test_uk_referral(void)
{
	const struct referral *r;

	CHECK_INT(parse_file("uk_referral.txt"), 0);
	CHECK_STR(res.format, "letter");
	CHECK_INT(res.n, 1);
	CHECK_INT(res.warnings.n, 0);
	r = res.v[0];
	CHECK_STR(r->format, "letter");
	CHECK_STR(r->source_id, "000049382150");   /* e-RS UBRN */
	CHECK_STR(r->practice_ods, "P81003");	   /* the letterhead */
	CHECK_STR(r->referrer_code, "G8000031");   /* Referring GP: (...) */
	CHECK_STR(r->referrer_name, "Dr Alice Brown");
	CHECK_STR(r->nhs_number, "9995260182");	   /* NHS No: 999 526 0182 */
	CHECK_INT(r->nhs_number_valid, 1);
	CHECK_STR(r->birth_date, "1958-04-12");	   /* DOB: 12/04/1958 */
	CHECK_INT(r->age_years, 66);
	CHECK_INT(r->sex, REF_SEX_FEMALE);	   /* "Re: Mrs ..." */
	CHECK_STR(r->referral_date, "2025-01-06"); /* 6 January 2025 */
	CHECK_INT(r->priority, REF_PRIO_ROUTINE);
	CHECK_STR(r->tfc, "110");
	CHECK_STR(r->specialty_text, "Trauma and Orthopaedics");
	CHECK_STR(r->provider_ods, "RWG");	   /* indented To: line */
	CHECK_STR(r->consultant_code, "C3012345");
	CHECK_INT(r->diagnoses.n, 1);
	CHECK_INT(r->diagnoses.v[0].system, CS_ICD10);
	CHECK_STR(r->diagnoses.v[0].code, "M17.1");
	CHECK_STR(r->diagnoses.v[0].text, "Primary osteoarthritis of knee");
	CHECK_INT(r->procedures.n, 0);
	CHECK_STR(r->reason_text, "Reason for referral:\nRight knee pain for "
	    "9 months, worse on stairs. Physiotherapy and\nanalgesia have not "
	    "helped.\n\nDiagnosis: Primary osteoarthritis of knee (ICD-10 "
	    "M17.1)\n\nPast medical history:\nHypertension.\n\nExamination: "
	    "Crepitus, small effusion, fixed flexion 10 degrees.");
	CHECK_STR(r->medication_text, "Ramipril 5 mg once daily\n"
	    "Paracetamol 1 g four times daily");
	CHECK_STR(r->results_text, "X-ray right knee 12/12/2024: joint space "
	    "narrowing, osteophytes.");
	CHECK_INT(r->warnings.n, 0);
	/* the patient's name and address, the salutation and the sign-off
	 * are nowhere in the texts */
	CHECK(strstr(r->reason_text, "Example") == NULL);
	CHECK(strstr(r->reason_text, "Low Road") == NULL);
	CHECK(strstr(r->reason_text, "AN1") == NULL);
	CHECK(strstr(r->reason_text, "Dear") == NULL);
	CHECK(strstr(r->reason_text, "sincerely") == NULL);
	CHECK(strstr(r->medication_text, "GP Partner") == NULL);
}

static void
test_variants(void)
{
	const struct referral *r;

	CHECK_INT(parse_file("variants.txt"), 0);
	CHECK_INT(res.n, 1);
	r = res.v[0];
	CHECK_STR(r->source_id, "CLP/2025/0042");  /* Our ref: */
	CHECK_STR(r->practice_ods, "P81004");	   /* Surgery: ... [P81004] */
	CHECK_STR(r->referrer_code, "G8000042");   /* no brackets */
	CHECK_STR(r->referrer_name, "Dr Ben Clarke");
	CHECK_STR(r->nhs_number, "9991860916");	   /* n.h.s. number: */
	CHECK_STR(r->birth_date, "1960-02-29");	   /* D.O.B.: ISO, on a
						      tabbed line */
	CHECK_INT(r->sex, REF_SEX_FEMALE);	   /* gender: female */
	CHECK_STR(r->referral_date, "2025-01-05"); /* 5th Jan 2025 */
	CHECK_INT(r->priority, REF_PRIO_TWO_WEEK_WAIT); /* the title */
	CHECK_STR(r->tfc, "330");		   /* speciality: 330 */
	CHECK(r->specialty_text == NULL);
	CHECK_STR(r->provider_ods, "RAL");	   /* provider: RAL */
	CHECK_STR(r->consultant_code, "C4000001");
	CHECK_INT(r->diagnoses.n, 2);
	if (r->diagnoses.n == 2) {
		CHECK_INT(r->diagnoses.v[0].system, CS_ICD10);
		CHECK_STR(r->diagnoses.v[0].code, "D22.5");
		CHECK_STR(r->diagnoses.v[0].text, "Melanocytic naevi of trunk");
		CHECK_INT(r->diagnoses.v[1].system, CS_SNOMED);
		CHECK_STR(r->diagnoses.v[1].code, "372244006");
		CHECK_STR(r->diagnoses.v[1].text, "Suspected malignant melanoma "
		    "of skin");
	}
	CHECK_INT(r->procedures.n, 1);
	if (r->procedures.n == 1) {
		CHECK_INT(r->procedures.v[0].system, CS_OPCS4);
		CHECK_STR(r->procedures.v[0].code, "S06.1");
		CHECK_STR(r->procedures.v[0].text, "Excision biopsy of skin "
		    "lesion");
	}
	CHECK_STR(r->medication_text, "none");	   /* Drugs: none */
	CHECK(r->results_text == NULL);
	CHECK_HAS(r->reason_text, "Clinical details: Changing pigmented "
	    "lesion on the upper back for\n3 months");
	CHECK_HAS(r->reason_text, "Allergies: penicillin (rash)");
	/* the letterhead and title come before the body: left out */
	CHECK(strstr(r->reason_text, "CHURCH LANE") == NULL);
	CHECK_INT(r->warnings.n, 0);
}

static void
test_pipes_and_minimal(void)
{
	const struct referral *r;

	CHECK_INT(parse_file("pipes_and_minimal.txt"), 0);
	r = res.v[0];
	CHECK_STR(r->nhs_number, "9993909963");
	CHECK_STR(r->birth_date, "1985-07-01");	   /* 01-07-1985 */
	CHECK_INT(r->sex, REF_SEX_MALE);
	CHECK_STR(r->referrer_code, "G8000043");
	CHECK_STR(r->referrer_name, "Dr Femi Green");
	CHECK_STR(r->practice_ods, "P81004");	   /* Practice Code: */
	CHECK_STR(r->referral_date, "2025-01-14");
	CHECK_INT(r->priority, REF_PRIO_URGENT);   /* Urgency: soon */
	CHECK_STR(r->specialty_text, "Gastroenterology");
	CHECK(r->tfc == NULL);
	CHECK_STR(r->provider_ods, "RQM");	   /* (ODS: RQM) */
	CHECK_STR(r->source_id, "GAS-17");
	/* no salutation or heading: all the free text is the reason */
	CHECK_STR(r->reason_text, "REFERRAL LETTER\n\nDyspepsia not settling "
	    "on a proton pump inhibitor for 8 weeks.\nNo weight loss, no "
	    "dysphagia. FIT 4 ug/g.");
}

static void
test_cp1252(void)
{
	const struct referral *r;

	CHECK_INT(parse_file("cp1252.txt"), 0);
	CHECK_INT(res.warnings.n, 1);
	CHECK_STR(res.warnings.v[0], "document is not UTF-8: read as "
	    "Windows-1252");
	r = res.v[0];
	CHECK_STR(r->practice_ods, "P81003");
	CHECK_STR(r->nhs_number, "9990166137");	   /* Patient NHS number: */
	CHECK_STR(r->birth_date, "1949-11-30");
	CHECK_STR(r->referral_date, "2025-01-15"); /* 15 Jan 2025 */
	/* "Urgent - suspected cancer" is the two-week-wait route */
	CHECK_INT(r->priority, REF_PRIO_TWO_WEEK_WAIT);
	CHECK_STR(r->provider_ods, "RR8");
	CHECK_STR(r->reason_text, "History:\nBreast lump, patient paid "
	    "\xc2\xa3" "250 for a private scan \xe2\x80\x9cinconclusive"
	    "\xe2\x80\x9d.");
}

static void
test_no_nhs_number(void)
{
	const struct referral *r;

	CHECK_INT(parse_file("no_nhs_number.txt"), 0);
	r = res.v[0];
	CHECK(r->nhs_number == NULL);
	CHECK_INT(r->nhs_number_valid, 0);
	CHECK_INT(r->warnings.n, 1);
	CHECK_STR(r->warnings.v[0], "no NHS number");
	CHECK_STR(r->referral_date, "2025-01-20");
	CHECK_STR(r->referrer_code, "G8000044");
	CHECK_STR(r->practice_ods, "P81003");
	CHECK_STR(r->specialty_text, "Dermatology");
	CHECK_INT(r->priority, REF_PRIO_ROUTINE);
}

static void
test_warnings(void)
{
	const char *s = "NHS Number: 943 476 591\nDate: the fifth\n"
	    "DOB: 31/02/1970\nPriority: whenever\nSex: Q\nGP: Dr X\n"
	    "Practice code: High Street\nUBRN: 1234\n";
	const struct referral *r;

	CHECK_INT(parse_mem(s, strlen(s), NULL), 0);
	r = res.v[0];
	CHECK_INT(r->warnings.n, 9);
	if (r->warnings.n == 9) {
		CHECK_STR(r->warnings.v[0], "line 1: the NHS number is not ten "
		    "digits");
		CHECK_STR(r->warnings.v[1], "line 2: the referral date is not "
		    "a date");
		CHECK_STR(r->warnings.v[2], "line 3: the date of birth is not "
		    "a date");
		CHECK_STR(r->warnings.v[3], "line 4: priority not understood "
		    "(routine, urgent or two week wait)");
		CHECK_STR(r->warnings.v[4], "line 5: sex not understood");
		CHECK_STR(r->warnings.v[5], "line 7: the practice code is not "
		    "an ODS practice code (a letter and five digits)");
		CHECK_STR(r->warnings.v[6], "line 8: the UBRN is not 12 "
		    "digits");
		CHECK_STR(r->warnings.v[7], "no referral date (a Date: line)");
		CHECK_STR(r->warnings.v[8], "no NHS number");
	}
}

static void
test_limits_and_refusals(void)
{
	struct parse_limits lim;
	const char *s = "NHS No: 9434765919\nDate: 01/02/2025\n\n"
	    "Reason for referral: a long story about the knee\n";
	char why[256];

	parse_limits_default(&lim);
	lim.max_field = 20;
	CHECK_INT(parse_mem(s, strlen(s), &lim), 0);
	CHECK_STR(res.v[0]->reason_text, "Reason for referral:");
	CHECK_HAS(res.v[0]->warnings.v[0], "the letter's text cut to 20 "
	    "bytes (limits.max_field)");
	CHECK_INT(parse_file("err_prose.txt"), -1);
	CHECK_HAS(res.err.msg, "unknown format");
	CHECK(strstr(res.err.msg, "rota") == NULL);
	/* a mail's header block is not a letter */
	s = "From: a@example.org\nTo: b@example.org\nDate: Mon, 6 Jan 2025\n"
	    "MIME-Version: 1.0\nContent-Type: text/plain\n\nNHS No: 943 476 "
	    "5919\n";
	CHECK(parser_detect((const unsigned char *)s, strlen(s), why,
	    sizeof(why)) != parser_by_name("letter"));
	/* the letter probe scores below the formats with a real header */
	s = "source_id,referral_date,nhs_number\nNHS No: 1,Date: 2,GP: 3\n";
	CHECK(parser_detect((const unsigned char *)s, strlen(s), why,
	    sizeof(why)) == parser_by_name("csv"));
}

int
main(void)
{
	test_uk_referral();
	test_variants();
	test_pipes_and_minimal();
	test_cp1252();
	test_no_nhs_number();
	test_warnings();
	test_limits_and_refusals();
	arena_free(a);
	return t_done("test_letter");
}
