/*
 * test_fhir.c - the FHIR parsers (fhir_json.c, fhir_xml.c, fhir_map.c),
 * field by field: every FHIR file of the public corpus (UK Core, e-RS,
 * BaRS) with what it really says, the UK referrals in tests/data/fhir
 * (the same referral in JSON and XML must give the same referral), and
 * every refusal and limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "fhir.h"
#include "parser.h"
#include "referral_json.h"
#include "t.h"
#include "tparse.h"

#define UKCORE PARS_CORPUS "/fhir-ukcore"
#define ERS PARS_CORPUS "/ers-fhir"
#define BARS PARS_CORPUS "/bars-fhir"
#define DATA PARS_TESTDATA "/fhir"

static int
parse_file(const char *dir, const char *name)
{
	return parse_path(dir, name, NULL);
}

/* 1 when one of the referral's warnings contains s. */
static int
warned(const struct referral *r, const char *s)
{
	size_t i;

	for (i = 0; i < r->warnings.n; i++)
		if (strstr(r->warnings.v[i], s) != NULL)
			return 1;
	return 0;
}

static void
check_code(const struct ref_codes *c, size_t i, enum code_system sys,
    const char *code, const char *text)
{
	CHECK(i < c->n);
	if (i >= c->n)
		return;
	CHECK_INT(c->v[i].system, sys);
	CHECK_STR(c->v[i].code, code);
	CHECK_STR(c->v[i].text, text);
}

/* A file that holds no referral: the error says what it holds. */
static void
check_none(const char *dir, const char *name, const char *says)
{
	CHECK_INT(parse_file(dir, name), -1);
	CHECK_INT(res.n, 0);
	CHECK_HAS(res.err.msg, "no referral in this document");
	CHECK_HAS(res.err.msg, says);
}

static void
test_corpus_ukcore(void)
{
	const struct referral *r;

	/* A GP's colonoscopy request; Patient, Practitioners elsewhere. */
	CHECK_INT(parse_file(UKCORE, "UKCore-ServiceRequest-ColonoscopyRequest-"
	    "Example.xml"), 0);
	CHECK_STR(res.format, "fhir-xml");
	CHECK_INT(res.n, 1);
	r = res.v[0];
	CHECK_STR(r->format, "fhir-r4-xml");
	CHECK_STR(r->source_id,
	    "UKCore-ServiceRequest-ColonoscopyRequest-Example"); /* its id */
	CHECK_INT(r->status, REF_ACTIVE);
	CHECK_STR(r->referral_date, "2021-10-13"); /* authoredOn, local */
	CHECK_INT(r->priority, REF_PRIO_UNKNOWN);
	CHECK(r->practice_ods == NULL);
	CHECK(r->referrer_code == NULL); /* Practitioner not in the file */
	CHECK(r->provider_ods == NULL);
	CHECK(r->consultant_code == NULL);
	CHECK(r->nhs_number == NULL);
	CHECK_INT(r->diagnoses.n, 1);
	check_code(&r->diagnoses, 0, CS_SNOMED, "271835004",
	    "Abdominal distension, gaseous");
	CHECK_INT(r->procedures.n, 1);
	check_code(&r->procedures, 0, CS_SNOMED, "73761001", "Colonoscopy");
	CHECK_STR(r->reason_text, "Swollen abdomen\nDiagnostic report on the "
	    "Blood specimen warrants a colonoscopy to investigate this "
	    "further");
	CHECK(warned(r, "the requester Practitioner is not in the document"));
	CHECK(warned(r, "the performer Practitioner is not in the document"));
	CHECK(warned(r, "the subject's Patient is not in the document"));

	CHECK_INT(parse_file(UKCORE, "UKCore-ServiceRequest-HipReplacement-"
	    "Example.xml"), 0);
	r = res.v[0];
	CHECK_STR(r->source_id, "UKCore-ServiceRequest-HipReplacement-Example");
	CHECK_STR(r->referral_date, "2023-05-18");
	CHECK_INT(r->diagnoses.n, 0);
	CHECK_INT(r->procedures.n, 1);
	check_code(&r->procedures, 0, CS_SNOMED, "858611000000102",
	    "Metal-on-metal hip replacement annual review");
	CHECK(r->reason_text == NULL);

	/* The source-of-referral extension example: a bare request. */
	CHECK_INT(parse_file(UKCORE, "Extension-UKCore-SourceOfServiceRequest-"
	    "Example.xml"), 0);
	r = res.v[0];
	CHECK_STR(r->source_id,
	    "Extension-UKCore-SourceOfServiceRequest-Example");
	CHECK(r->referral_date == NULL);
	CHECK(warned(r, "no referral date"));
	CHECK(warned(r, "no requester"));
	CHECK_INT(r->diagnoses.n + r->procedures.n, 0);

	/* A laboratory order is a ServiceRequest but not a referral. */
	check_none(UKCORE, "UKCore-ServiceRequest-Lab-CReactiveProtein-"
	    "Example.xml", "its ServiceRequest is a laboratory test request "
	    "(category SNOMED CT 108252007), not a referral");
	check_none(UKCORE, "UKCore-Patient-RichardSmith-Example.xml",
	    "it is a FHIR Patient resource, not a referral");
	check_none(UKCORE, "UKCore-Appointment-OrthopaedicSurgery-Example.xml",
	    "it is a FHIR Appointment resource");
	check_none(UKCORE, "UKCore-Composition-Discharge-Example.xml",
	    "it is a FHIR Composition resource");
	check_none(UKCORE, "UKCore-Condition-HipReplacement-Example.xml",
	    "it is a FHIR Condition resource");
	check_none(UKCORE, "UKCore-Encounter-InpatientEncounter-Example.xml",
	    "it is a FHIR Encounter resource");
	check_none(UKCORE,
	    "UKCore-HealthcareService-OrthopaedicService-Example.xml",
	    "it is a FHIR HealthcareService resource");
	check_none(UKCORE, "UKCore-Location-HospitalSJUH-Example.xml",
	    "it is a FHIR Location resource");
	check_none(UKCORE, "UKCore-MessageHeader-Discharge-Example.xml",
	    "it is a FHIR MessageHeader resource");
	check_none(UKCORE,
	    "UKCore-Organization-LeedsTeachingHospital-Example.xml",
	    "it is a FHIR Organization resource");
	check_none(UKCORE,
	    "UKCore-Organization-WhiteRoseMedicalCentre-Example.xml",
	    "it is a FHIR Organization resource");
	check_none(UKCORE,
	    "UKCore-Practitioner-ConsultantSandraGose-Example.xml",
	    "it is a FHIR Practitioner resource");
	check_none(UKCORE, "UKCore-Practitioner-DoctorPaulRastall-Example.xml",
	    "it is a FHIR Practitioner resource");
	check_none(UKCORE,
	    "UKCore-PractitionerRole-GeneralPractitioner-Example.xml",
	    "it is a FHIR PractitionerRole resource");
}

/* The three e-RS STU3 CARDIOLOGY / HEART_FAILURE sandbox referrals. */
static void
check_ers_cardiology(const struct referral *r)
{
	CHECK_STR(r->format, "fhir-stu3-json");
	CHECK_INT(r->status, REF_ACTIVE);
	CHECK_STR(r->ers_specialty, "CARDIOLOGY");
	CHECK_STR(r->ers_clinic_type, "HEART_FAILURE");
	CHECK(r->tfc == NULL);
	CHECK_STR(r->nhs_number, "9912003888");
	CHECK_INT(r->nhs_number_valid, 1);
	CHECK(r->practice_ods == NULL); /* R69 is the commissioning org */
	CHECK(r->provider_ods == NULL); /* shortlisted by e-RS service id */
}

static void
test_corpus_ers(void)
{
	const struct referral *r;

	/* R4 searchset, one referral. */
	CHECK_INT(parse_file(ERS, "r4-searchServiceRequest-ResponseExample"
	    "Referral.json"), 0);
	CHECK_STR(res.format, "fhir-json");
	CHECK_INT(res.n, 1);
	r = res.v[0];
	CHECK_STR(r->format, "fhir-r4-json");
	CHECK_STR(r->source_id, "000000070000"); /* UBRN, not the id */
	CHECK_INT(r->status, REF_ACTIVE);
	CHECK_STR(r->nhs_number, "9912003888"); /* logical subject */
	CHECK_INT(r->nhs_number_valid, 1);
	CHECK(r->referral_date == NULL);
	CHECK_INT(r->priority, REF_PRIO_UNKNOWN);
	CHECK(warned(r, "no requester"));

	check_none(ERS, "r4-searchServiceRequest-ResponseExampleAdvice.json",
	    "a Bundle (searchset) of 1 entry whose ServiceRequest is an e-RS "
	    "advice and guidance request");
	check_none(ERS, "r4-PractitionerRoleBundle.json", "a Bundle "
	    "(searchset) of 2 entries (PractitionerRole) with no "
	    "ServiceRequest or ReferralRequest");

	/* STU3 ReferralRequest, booked: the id is the UBRN. */
	CHECK_INT(parse_file(ERS, "stu3-ReferralRequest-BookedDBS.json"), 0);
	r = res.v[0];
	check_ers_cardiology(r);
	CHECK_STR(r->source_id, "000000070001");
	CHECK_INT(r->priority, REF_PRIO_ROUTINE);
	CHECK_STR(r->specialty_text, "Cardiology");
	CHECK_STR(r->referral_date, "2024-05-08"); /* eReferralPathwayStart */
	CHECK_STR(r->reason_text, "Attachment: referralletter.pdf");

	CHECK_INT(parse_file(ERS, "stu3-ReferralRequest-Unbooked.json"), 0);
	r = res.v[0];
	check_ers_cardiology(r);
	CHECK_STR(r->source_id, "000000070000");
	CHECK_INT(r->priority, REF_PRIO_ROUTINE);
	CHECK(r->specialty_text == NULL); /* coded without a display */
	/* No pathway start: ClinicalInfoFirstSubmitted. */
	CHECK_STR(r->referral_date, "2021-06-11");

	CHECK_INT(parse_file(ERS, "stu3-createReferral-response-"
	    "ReferralRequest.json"), 0);
	r = res.v[0];
	check_ers_cardiology(r);
	CHECK_STR(r->source_id, "000000070000");
	CHECK_INT(r->priority, REF_PRIO_URGENT);
	CHECK_STR(r->referral_date, "2024-05-01");
	CHECK(r->reason_text == NULL);

	/* createReferral requests: a referral without a UBRN yet. */
	CHECK_INT(parse_file(ERS, "stu3-createReferral-request-MinimalRequest."
	    "json"), 0);
	r = res.v[0];
	check_ers_cardiology(r);
	CHECK(r->source_id == NULL);
	CHECK(r->referrer_code == NULL);
	CHECK_INT(r->priority, REF_PRIO_URGENT);
	CHECK_STR(r->referral_date, "2024-05-01");
	CHECK(warned(r, "e-RS has not given it a UBRN yet"));

	CHECK_INT(parse_file(ERS, "stu3-createReferral-request-MinimalRequest"
	    "WithReferringClinician.json"), 0);
	r = res.v[0];
	check_ers_cardiology(r);
	CHECK_STR(r->referrer_code, "021600556514"); /* SDS user id */
	CHECK_INT(r->priority, REF_PRIO_URGENT);

	CHECK_INT(parse_file(ERS, "eRS-createreferral-request-withPathway."
	    "json"), 0);
	r = res.v[0];
	CHECK_STR(r->format, "fhir-stu3-json");
	CHECK_STR(r->nhs_number, "1000000001");
	CHECK_STR(r->referrer_code, "021600556514");
	CHECK_INT(r->priority, REF_PRIO_ROUTINE);
	CHECK_STR(r->ers_specialty, "ALLERGY");
	CHECK_STR(r->ers_clinic_type, "ALLERGY_1");
	CHECK(r->referral_date == NULL);
	CHECK_INT(r->diagnoses.n, 1); /* the search's clinicalTerm */
	check_code(&r->diagnoses, 0, CS_SNOMED, "84727000", NULL);

	check_none(ERS, "stu3-maintainReferralLetter-UpdateClinicalInfo.json",
	    "a FHIR Parameters resource (profile eRS-MaintainReferralLetter-"
	    "Parameters-1)");
	check_none(ERS, "stu3-CodeSystem-SpecialtyCodeSystem.json",
	    "a FHIR CodeSystem resource");
	check_none(ERS, "stu3-CodeSystem-ClinicTypeCodeSystem.json",
	    "a FHIR CodeSystem resource");
	check_none(ERS, "stu3-CodeSystem-PriorityCodeSystem.json",
	    "a FHIR CodeSystem resource");
	check_none(ERS, "stu3-CodeSystem-ReferralCancellationReasonCodeSystem."
	    "json", "a FHIR CodeSystem resource");
	check_none(ERS, "eRS-A004-Specialty-subset.json",
	    "a FHIR CodeSystem resource (profile eRS-Specialty-CodeSystem-1)");
}

/* The BaRS 111 patient Julie Jones: the same fullUrl in every file. */
static void
check_bars_patient(const struct referral *r)
{
	CHECK_STR(r->source_id, "236bb75d-90ef-461f-b71e-fde7f899802c");
	CHECK_STR(r->nhs_number, "3478526985");
	CHECK_INT(r->nhs_number_valid, 0); /* the example's number fails */
	CHECK(warned(r, "NHS number fails the modulus 11 check"));
	CHECK_INT(r->sex, REF_SEX_FEMALE);
	CHECK_INT(r->age_years, 62); /* born 1959-05-04 */
}

static void
test_corpus_bars(void)
{
	const struct referral *r;

	CHECK_INT(parse_file(BARS, "BaRS-ValidationRequest-message-bundle."
	    "json"), 0);
	CHECK_INT(res.n, 1);
	r = res.v[0];
	CHECK_STR(r->format, "fhir-r4-json");
	check_bars_patient(r);
	CHECK_INT(r->status, REF_ACTIVE);
	CHECK_STR(r->referral_date, "2021-11-26"); /* occurrencePeriod */
	CHECK_STR(r->referrer_name, "Marcy BLAKE");
	CHECK(r->referrer_code == NULL); /* only an SDS role profile id */
	/* Requester's organisation has no ODS code; sender RND is a trust;
	 * so the patient's registered practice. */
	CHECK_STR(r->practice_ods, "G82080");
	CHECK(warned(r, "practice taken from the patient's registered GP"));
	/* performer HealthcareService -> providedBy RYE */
	CHECK_STR(r->provider_ods, "RYE");
	CHECK_HAS(r->reason_text, "CONSULTATION SUMMARY"); /* CarePlan */
	CHECK_INT(r->priority, REF_PRIO_UNKNOWN);

	CHECK_INT(parse_file(BARS, "REFREQ01-111-to-ED.xml"), 0);
	CHECK_INT(res.n, 1);
	r = res.v[0];
	CHECK_STR(r->format, "fhir-r4-xml");
	check_bars_patient(r);
	CHECK_STR(r->referral_date, "2021-10-11"); /* authoredOn */
	CHECK_STR(r->referrer_name, "Marcy BLAKE");
	CHECK_STR(r->practice_ods, "G82080");
	CHECK_STR(r->provider_ods, "RYE"); /* performer Organization */
	CHECK_HAS(r->reason_text, "PATHWAYS ASSESSMENT");

	CHECK_INT(parse_file(BARS, "SERVREQ01-ServiceRequest-Revoked.xml"), 0);
	r = res.v[0];
	check_bars_patient(r);
	CHECK_INT(r->status, REF_CANCELLED);
	CHECK_STR(r->referral_date, "2021-11-26");
	CHECK(r->practice_ods == NULL);

	/* Entries hold the resources directly: read, with a warning. */
	CHECK_INT(parse_file(BARS, "BaRS-ServiceRequest-GET-success.json"), 0);
	CHECK_INT(res.n, 1);
	CHECK_INT(res.warnings.n, 1);
	CHECK_HAS(res.warnings.v[0], "directly instead of in entry.resource");
	r = res.v[0];
	CHECK_STR(r->source_id, "71d2b38e-b81c-4894-a522-6a65265b1d58");
	CHECK_STR(r->referral_date, "2021-11-26");
	CHECK(r->nhs_number == NULL);
	CHECK(warned(r, "the requester is not in the document"));

	CHECK_INT(parse_file(BARS, "BaRS-ServiceRequest-id-GET-success.json"),
	    0);
	CHECK_INT(res.warnings.n, 0);
	r = res.v[0];
	CHECK_STR(r->source_id, "71d2b38e-b81c-4894-a522-6a65265b1d58");
	CHECK_INT(r->status, REF_ACTIVE);

	check_none(BARS, "BaRS-Booking-message-bundle.json", "a Bundle "
	    "(message) of 12 entries (MessageHeader, Appointment, Patient, "
	    "Organization, Slot, Schedule, ...) with no ServiceRequest");
}

/* The JSON of a parse with "format" blanked, to compare JSON and XML. */
static char *
render(void)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < res.n; i++) {
		struct referral copy = *res.v[i];

		copy.format = "fhir";
		referral_json(&b, &copy, NULL, 0);
	}
	return buf_steal(&b, NULL);
}

static void
check_uk_referral(const char *format)
{
	const struct referral *r;

	CHECK_INT(res.n, 1);
	r = res.v[0];
	CHECK_STR(r->format, format);
	CHECK_STR(r->source_id, "000049215537");
	CHECK_INT(r->status, REF_ACTIVE);
	CHECK_STR(r->practice_ods, "E82045");
	CHECK_STR(r->referrer_code, "G8234567"); /* GMP before SDS id */
	CHECK_STR(r->referrer_name, "Dr Ann Jones");
	CHECK_STR(r->nhs_number, "9434765919");
	CHECK_INT(r->nhs_number_valid, 1);
	CHECK_INT(r->age_years, 63);
	CHECK_INT(r->sex, REF_SEX_FEMALE);
	CHECK_STR(r->referral_date, "2024-11-05");
	CHECK_INT(r->priority, REF_PRIO_URGENT);
	CHECK_STR(r->tfc, "320");
	CHECK_STR(r->ers_specialty, "CARDIOLOGY");
	CHECK_STR(r->ers_clinic_type, "HEART_FAILURE");
	CHECK_STR(r->specialty_text, "Cardiology");
	CHECK_STR(r->provider_ods, "RWG");
	CHECK_STR(r->consultant_code, "C4123456"); /* GMC 4123456 */
	CHECK_INT(r->diagnoses.n, 4);
	check_code(&r->diagnoses, 0, CS_SNOMED, "84114007", "Heart failure");
	check_code(&r->diagnoses, 1, CS_ICD10, "I50.0",
	    "Congestive heart failure");
	check_code(&r->diagnoses, 2, CS_SNOMED, "49436004",
	    "Atrial fibrillation"); /* reasonReference -> Condition */
	check_code(&r->diagnoses, 3, CS_ICD10, "I48.9",
	    "Atrial fibrillation and atrial flutter, unspecified");
	CHECK_INT(r->procedures.n, 1);
	check_code(&r->procedures, 0, CS_SNOMED, "183519002",
	    "Referral to cardiology service");
	CHECK_HAS(r->reason_text, "Suspected heart failure\nBreathless on "
	    "exertion");
	/* The base64 text attachment. */
	CHECK_HAS(r->reason_text, "ECG: atrial fibrillation, rate 96.");
	CHECK_STR(r->results_text, "NT-proBNP: 2100 ng/L");
	CHECK_STR(r->medication_text, "Bisoprolol 2.5mg tablets: One tablet "
	    "once a day");
	CHECK_INT(r->warnings.n, 0);
}

static void
test_uk_referral(void)
{
	char *json, *xml;

	CHECK_INT(parse_file(DATA, "uk_referral_r4.json"), 0);
	check_uk_referral("fhir-r4-json");
	json = render();
	CHECK_INT(parse_file(DATA, "uk_referral_r4.xml"), 0);
	check_uk_referral("fhir-r4-xml");
	xml = render();
	CHECK_STR(xml, json);
	free(json);
	free(xml);
}

static void
test_bundles(void)
{
	const struct referral *r;

	CHECK_INT(parse_file(DATA, "multi_referral_bundle.json"), 0);
	CHECK_INT(res.n, 2); /* A&G and the included request not counted */
	CHECK_INT(res.warnings.n, 1);
	CHECK_HAS(res.warnings.v[0], "entry 3: the ServiceRequest is an e-RS "
	    "advice and guidance request");
	r = res.v[0];
	CHECK_INT(r->position, 0);
	CHECK_STR(r->source_id, "000011110001");
	CHECK_INT(r->priority, REF_PRIO_TWO_WEEK_WAIT); /* e-RS over urgent */
	CHECK_STR(r->practice_ods, "E82045");	/* contained role */
	CHECK_STR(r->referrer_code, "G8234567"); /* logical reference */
	CHECK_STR(r->referrer_name, "DR A JONES");
	CHECK_STR(r->provider_ods, "RAL");
	CHECK_STR(r->ers_specialty, "2WW");
	CHECK_STR(r->ers_clinic_type, "2WW_BREAST");
	CHECK_STR(r->tfc, "103");
	check_code(&r->diagnoses, 1, CS_ICD10, "N63",
	    "Unspecified lump in breast"); /* icd-10-uk system */
	r = res.v[1];
	CHECK_INT(r->position, 1);
	CHECK_STR(r->source_id, "000011110002");
	CHECK_INT(r->priority, REF_PRIO_ROUTINE);
	/* Practitioner requester; practice from the role naming it. */
	CHECK_STR(r->referrer_code, "G8000011");
	CHECK_STR(r->referrer_name, "Dr Test Doctor");
	CHECK_STR(r->practice_ods, "P81001");
	CHECK_STR(r->provider_ods, "RJ1");
	CHECK_STR(r->nhs_number, "9912003888");
	CHECK_INT(r->age_years, 72);
	CHECK_INT(r->sex, REF_SEX_MALE);

	CHECK_INT(parse_file(DATA, "transaction_r4.xml"), 0);
	r = res.v[0];
	CHECK_STR(r->format, "fhir-r4-xml");
	CHECK_STR(r->source_id, "REF-2025-000077"); /* no UBRN */
	CHECK_INT(r->priority, REF_PRIO_TWO_WEEK_WAIT); /* over asap */
	CHECK_STR(r->practice_ods, "P81001");
	CHECK_STR(r->referrer_code, "G8000012");
	CHECK_STR(r->referrer_name, "Dr Test Second Doctor");
	CHECK_STR(r->provider_ods, "RQM"); /* HealthcareService.providedBy */
	CHECK_STR(r->specialty_text, "Gastroenterology");
	check_code(&r->diagnoses, 0, CS_ICD10, "K92.1", "Melaena");
	check_code(&r->procedures, 1, CS_OPCS4, "H22.9",
	    "Unspecified diagnostic endoscopic examination of colon");
	CHECK_STR(r->results_text, "Faecal occult blood test: 150 ug Hb/g");
	CHECK_INT(r->age_years, 66);
}

/* Type/id references in a Bundle that repeats ids: the first resource of
 * the type under an id wins; another type under the same id is found. */
static void
test_repeated_ids(void)
{
	static const char doc[] = "{\"resourceType\": \"Bundle\", "
	    "\"type\": \"collection\", \"entry\": ["
	    "{\"resource\": {\"resourceType\": \"ServiceRequest\", "
	    "\"id\": \"x\", \"status\": \"active\", "
	    "\"authoredOn\": \"2025-03-01\", "
	    "\"requester\": {\"reference\": \"Practitioner/x\"}, "
	    "\"performer\": [{\"reference\": \"Organization/x\"}]}},"
	    "{\"resource\": {\"resourceType\": \"Practitioner\", "
	    "\"id\": \"x\", \"identifier\": [{\"system\": "
	    "\"https://fhir.nhs.uk/Id/gmp-number\", \"value\": "
	    "\"G8000011\"}]}},"
	    "{\"resource\": {\"resourceType\": \"Practitioner\", "
	    "\"id\": \"x\", \"identifier\": [{\"system\": "
	    "\"https://fhir.nhs.uk/Id/gmp-number\", \"value\": "
	    "\"G8000012\"}]}},"
	    "{\"resource\": {\"resourceType\": \"Organization\", "
	    "\"id\": \"x\", \"identifier\": [{\"system\": "
	    "\"https://fhir.nhs.uk/Id/ods-organization-code\", "
	    "\"value\": \"RJ1\"}]}}]}";

	CHECK_INT(parse_mem(doc, strlen(doc), NULL), 0);
	CHECK_INT(res.n, 1);
	CHECK_STR(res.v[0]->referrer_code, "G8000011");
	CHECK_STR(res.v[0]->provider_ods, "RJ1");
}

static void
test_status(void)
{
	const struct referral *r;

	CHECK_INT(parse_file(DATA, "revoked_r4.json"), 0);
	r = res.v[0];
	CHECK_INT(r->status, REF_CANCELLED);
	CHECK_STR(r->source_id, "000049215537"); /* matches the original */
	CHECK_STR(r->referrer_code, "G8234567");
	CHECK_STR(r->referrer_name, "Dr Ann Jones"); /* typed display */

	CHECK_INT(parse_file(DATA, "entered_in_error.xml"), 0);
	r = res.v[0];
	CHECK_INT(r->status, REF_CANCELLED);
	CHECK_STR(r->nhs_number, "9434765919"); /* written with spaces */

	/* STU3 in XML, cancelled by the e-RS referral state. */
	CHECK_INT(parse_file(DATA, "stu3_referralrequest.xml"), 0);
	r = res.v[0];
	CHECK_STR(r->format, "fhir-stu3-xml");
	CHECK_INT(r->status, REF_CANCELLED);
	CHECK_STR(r->source_id, "000022220001");
	CHECK_STR(r->referrer_code, "021600556514"); /* #referrer */
	CHECK_STR(r->referrer_name, "Dr Test Doctor");
	CHECK_STR(r->practice_ods, "P81002"); /* onBehalfOf */
	CHECK_STR(r->provider_ods, "RKE");    /* recipient */
	CHECK_INT(r->priority, REF_PRIO_URGENT);
	CHECK_STR(r->ers_specialty, "DERMATOLOGY");
	CHECK_STR(r->ers_clinic_type, "PSORIASIS");
	CHECK_STR(r->referral_date, "2025-01-14");
	CHECK_STR(r->reason_text, "Extensive plaque psoriasis not controlled "
	    "by topical treatment.");
}

static void
check_err(const char *name, const char *says)
{
	CHECK_INT(parse_file(DATA, name), -1);
	CHECK_HAS(res.err.msg, says);
}

static void
test_refusals(void)
{
	check_err("err_xxe.xml", "XML with a DOCTYPE is refused");
	CHECK_STR(res.format, "fhir-xml"); /* still known as FHIR */
	check_err("err_billion_laughs.xml", "XML with a DOCTYPE is refused");
	check_err("err_doctype.xml", "XML with a DOCTYPE is refused");
	check_err("err_too_deep.json", "line 2: JSON nested deeper than 64 "
	    "levels (limits.max_depth)");
	check_err("err_too_deep.xml", "XML nested deeper than 64 levels");
	check_err("err_too_many_values.json", "more than 200000 JSON values "
	    "(limits.max_nodes)");
	check_err("err_invalid_utf8.json", "line 4: JSON text is not valid "
	    "UTF-8");
	check_err("err_overlong_utf8.json", "line 4: JSON text is not valid "
	    "UTF-8");
	check_err("err_invalid_utf8.xml", "line 4: XML text is not valid "
	    "UTF-8");
	CHECK(strstr(res.err.msg, "0x") == NULL); /* no bytes quoted */
	check_err("err_truncated.json", "JSON ends before the document is "
	    "complete");
	check_err("err_truncated.xml", "XML is not well-formed");
	check_err("err_trailing_data.json", "line 2: JSON is not well-formed");
	check_err("err_comment.json", "line 3: JSON is not well-formed");
	check_err("err_wrong_resource_type.json", "it names a resource type "
	    "that FHIR does not have");
	check_err("err_no_resource_type.json", "it has no resourceType");
	check_err("err_json_array.json", "not a JSON object");
	check_err("err_no_namespace.xml", "not in the FHIR namespace");
	check_err("err_patient_only.json", "it is a FHIR Patient resource, "
	    "not a referral");
	check_err("err_bundle_no_referral.json", "a Bundle (collection) of 3 "
	    "entries (Patient, Organization, Encounter) with no "
	    "ServiceRequest or ReferralRequest");
	check_err("err_empty_bundle.json", "an empty Bundle (searchset)");
	check_err("err_lab_request.json", "laboratory test request");
}

/* Messages name shapes, never a document's words or numbers. */
static void
test_no_quoting(void)
{
	static const char *const docs[] = {
	    "{\"resourceType\": \"Patient Smith 9434765919\"}",
	    "{\"resourceType\": \"Bundle\", \"type\": \"Smith\", "
	    "\"entry\": [{\"resource\": {\"resourceType\": \"Jones\"}}]}",
	    "{\"resourceType\": \"CodeSystem\", \"meta\": {\"profile\": "
	    "[\"http://x/Mrs Smith, 1 High St\"]}}",
	    "{\"resourceType\": \"CodeSystem\", \"meta\": {\"profile\": "
	    "[\"http://example.org/StructureDefinition/Smith\"]}}",
	    "{\"resourceType\": \"ServiceRequest\", \"requester\": "
	    "{\"reference\": \"Practitioner/Smith\"}, \"performer\": "
	    "[{\"reference\": \"Organization/Jones\"}], \"requester\": "
	    "{\"reference\": \"#Smith\"}}",
	};
	size_t i, k;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		parse_mem(docs[i], strlen(docs[i]), NULL);
		CHECK(strstr(res.err.msg, "Smith") == NULL);
		CHECK(strstr(res.err.msg, "Jones") == NULL);
		CHECK(strstr(res.err.msg, "9434765919") == NULL);
		for (k = 0; k < res.warnings.n; k++)
			CHECK(strstr(res.warnings.v[k], "Smith") == NULL);
		for (k = 0; k < res.n; k++) {
			size_t w;

			for (w = 0; w < res.v[k]->warnings.n; w++) {
				CHECK(strstr(res.v[k]->warnings.v[w],
				    "Smith") == NULL);
				CHECK(strstr(res.v[k]->warnings.v[w],
				    "Jones") == NULL);
			}
		}
	}
	CHECK_INT(res.n, 1); /* the last one is a (poor) referral */
}

static void
test_limits(void)
{
	struct parse_limits lim;
	const struct referral *r;

	parse_limits_default(&lim);
	lim.max_depth = 5;
	CHECK_INT(parse_path(DATA, "uk_referral_r4.json", &lim), -1);
	CHECK_HAS(res.err.msg, "JSON nested deeper than 5 levels");
	CHECK(res.err.line > 1);
	CHECK_INT(parse_path(DATA, "uk_referral_r4.xml", &lim), -1);
	CHECK_HAS(res.err.msg, "line 14: XML nested deeper than 5 levels");
	CHECK_INT(res.err.line, 14); /* the first element at level 6 */
	{
		/* Too deep and not well-formed: the parse error is the one
		 * reported, as the limits are checked on a finished tree. */
		static const char deep_bad[] = "<Bundle xmlns=\"http://hl7.org/"
		    "fhir\">\n<a><b><c><d><e><f/></e></d></c></b>\n<g>"
		    "</Bundle>";

		CHECK_INT(parse_mem(deep_bad, strlen(deep_bad), &lim), -1);
		CHECK_HAS(res.err.msg, "XML is not well-formed");
	}

	parse_limits_default(&lim);
	lim.max_nodes = 50;
	CHECK_INT(parse_path(DATA, "uk_referral_r4.json", &lim), -1);
	CHECK_HAS(res.err.msg, "more than 50 JSON values (limits.max_nodes)");
	CHECK_INT(parse_path(DATA, "uk_referral_r4.xml", &lim), -1);
	CHECK_HAS(res.err.msg, "more than 50 XML elements");
	CHECK_INT(res.err.line, 66); /* the 51st element */

	/* Values counted exactly (7 here), containers included. */
	{
		static const char seven[] = "{\"a\": [1, 2, {\"b\": true}], "
		    "\"c\": \"x,:[{\"}";

		parse_limits_default(&lim);
		lim.max_nodes = 7;
		CHECK_INT(parse_mem(seven, strlen(seven), &lim), -1);
		CHECK_HAS(res.err.msg, "it has no resourceType"); /* got past */
		lim.max_nodes = 6;
		CHECK_INT(parse_mem(seven, strlen(seven), &lim), -1);
		CHECK_HAS(res.err.msg, "line 1: more than 6 JSON values");
		lim.max_nodes = 100;
		CHECK_INT(parse_path(DATA, "err_too_deep.json", &lim), -1);
		CHECK_HAS(res.err.msg, "line 2: JSON nested deeper than 64 "
		    "levels");
		CHECK_INT(res.err.offset, 132); /* the 64th '[': level 65 */
	}

	parse_limits_default(&lim);
	lim.max_referrals = 1;
	CHECK_INT(parse_path(DATA, "multi_referral_bundle.json", &lim), -1);
	CHECK_HAS(res.err.msg, "more than 1 referrals in one document "
	    "(limits.max_referrals)");

	parse_limits_default(&lim);
	lim.max_field = 20;
	CHECK_INT(parse_path(DATA, "uk_referral_r4.json", &lim), 0);
	r = res.v[0];
	CHECK_STR(r->reason_text, "Suspected heart fail");
	CHECK(warned(r, "clinical text cut to 20 bytes "
	    "(limits.max_field_bytes)"));

	parse_limits_default(&lim);
	lim.max_bytes = 100;
	CHECK_INT(parse_path(DATA, "uk_referral_r4.json", &lim), -1);
	CHECK_HAS(res.err.msg, "over the limit");
}

static void
test_detect(void)
{
	static const char cda[] = "<?xml version=\"1.0\"?>\n<ClinicalDocument "
	    "xmlns=\"urn:hl7-org:v3\"><id/></ClinicalDocument>";
	static const char commented[] = "\xef\xbb\xbf<!-- a > b -->\n"
	    "<?pi x?><Bundle xmlns='http://hl7.org/fhir'/>";
	static const char json[] = " \n{\"id\": \"x\", \"resourceType\": "
	    "\"Bundle\"}";
	const struct parser *p;
	char why[256];

	CHECK(parser_fhir_xml.probe((const unsigned char *)cda,
	    strlen(cda)) == 0);
	CHECK_INT(parser_fhir_xml.probe((const unsigned char *)commented,
	    strlen(commented)), 95);
	CHECK_INT(parser_fhir_json.probe((const unsigned char *)json,
	    strlen(json)), 95);
	CHECK(parser_fhir_json.probe((const unsigned char *)cda,
	    strlen(cda)) == 0);
	CHECK(parser_fhir_xml.probe((const unsigned char *)json,
	    strlen(json)) == 0);
	p = parser_detect((const unsigned char *)json, strlen(json), why,
	    sizeof(why));
	CHECK(p == &parser_fhir_json);
	CHECK(parser_by_name("fhir-json") == &parser_fhir_json);
	CHECK(parser_by_name("fhir-xml") == &parser_fhir_xml);
	CHECK(fhir_is_resource_type("ServiceRequest"));
	CHECK(fhir_is_resource_type("ReferralRequest"));
	CHECK(fhir_is_resource_type("Account"));
	CHECK(fhir_is_resource_type("VisionPrescription"));
	CHECK(fhir_is_resource_type("BodySite"));
	CHECK(!fhir_is_resource_type("Referral"));
	CHECK(!fhir_is_resource_type("servicerequest"));
	CHECK(!fhir_is_resource_type(NULL));
}

/* Parses the JSON built in b (and frees it); 0 or -1. */
static int
parse_buf(struct buf *b, const struct parse_limits *lim)
{
	int rc = parse_mem(b->p, b->len, lim);

	buf_free(b);
	return rc;
}

/*
 * An element of n attributes on line 3: 1024 are read, more refused
 * before libxml2 sees them (it reads an element's attributes in
 * quadratic time: 100,000 took 7.5 s).
 */
static void
check_attributes(int n, int ok)
{
	struct buf b;
	int i;

	buf_init(&b, 0);
	buf_adds(&b, "<ServiceRequest xmlns=\"http://hl7.org/fhir\">\n"
	    "<status value=\"active\"/><intent value=\"order\"/>\n"
	    "<authoredOn value=\"2024-01-02\"");
	for (i = 1; i < n; i++)
		buf_printf(&b, " a%d='>'", i);
	buf_adds(&b, "/></ServiceRequest>");
	if (ok) {
		CHECK_INT(parse_buf(&b, NULL), 0);
		CHECK_INT(res.n, 1);
		if (res.n == 1)
			CHECK_STR(res.v[0]->referral_date, "2024-01-02");
	} else {
		CHECK_INT(parse_buf(&b, NULL), -1);
		CHECK_STR(res.err.msg, "line 3: an XML element with more than "
		    "1024 attributes is refused");
	}
}

static void
test_attributes(void)
{
	struct buf b;
	int i;

	check_attributes(1024, 1);
	check_attributes(1025, 0);
	check_attributes(100000, 0);
	/* What a comment or an instruction holds is not attributes: a '<'
	 * then 2000 '=' in a comment, an odd quote in an instruction. */
	buf_init(&b, 0);
	buf_adds(&b, "<?xml version=\"1.0\"?><?pi a='?>"
	    "<ServiceRequest xmlns=\"http://hl7.org/fhir\"><!-- <x");
	for (i = 0; i < 2000; i++)
		buf_adds(&b, " a=");
	buf_adds(&b, " --><status value=\"active\"/><intent value=\"order\"/>"
	    "<authoredOn value=\"2024-01-03\"/></ServiceRequest>");
	CHECK_INT(parse_buf(&b, NULL), 0);
	CHECK_INT(res.n, 1);
	if (res.n == 1)
		CHECK_STR(res.v[0]->referral_date, "2024-01-03");
}

/*
 * Shapes that were quadratic once (every line copied the text so far,
 * every lookup rescanned the Bundle): now linear, and capped where a
 * referral cannot sensibly need more.  Sizes are such that a quadratic
 * regression takes seconds.
 */
static void
test_hostile(void)
{
	struct parse_limits lim;
	struct buf b;
	const struct referral *r;
	int i;

	/* 20000 notes: the text stops at limits.max_field_bytes. */
	buf_init(&b, 0);
	buf_adds(&b, "{\"resourceType\": \"ServiceRequest\", \"note\": [");
	for (i = 0; i < 20000; i++)
		buf_printf(&b, "%s{\"text\": \"note %d\"}", i ? "," : "", i);
	buf_adds(&b, "]}");
	parse_limits_default(&lim);
	lim.max_field = 1000;
	CHECK_INT(parse_buf(&b, &lim), 0);
	r = res.v[0];
	CHECK(r->reason_text != NULL && strlen(r->reason_text) <= 1000);
	CHECK_HAS(r->reason_text, "note 0\nnote 1\n");
	CHECK(warned(r, "clinical text cut to 1000 bytes"));

	/* Objects of 60000 members, in every object the mapping reads from
	 * (a member is found by scanning its object, and the mapping asks
	 * each object for a bounded set of names): read as fast as ever. */
	buf_init(&b, 0);
	buf_adds(&b, "{\"resourceType\": \"ServiceRequest\", \"priority\": "
	    "\"urgent\", \"subject\": {");
	for (i = 0; i < 60000; i++)
		buf_printf(&b, "\"x%d\": %d, ", i, i);
	buf_adds(&b, "\"display\": \"x\"}, \"requester\": {");
	for (i = 0; i < 60000; i++)
		buf_printf(&b, "\"y%d\": %d, ", i, i);
	buf_adds(&b, "\"display\": \"Dr A\"}, ");
	for (i = 0; i < 60000; i++)
		buf_printf(&b, "\"z%d\": %d, ", i, i);
	buf_adds(&b, "\"note\": [{\"text\": \"after 60000 members\"}]}");
	CHECK_INT(parse_buf(&b, NULL), 0);
	r = res.v[0];
	CHECK_INT(r->priority, REF_PRIO_URGENT);
	CHECK_STR(r->reason_text, "after 60000 members");

	/* One Patient of 60000 members that 3000 referrals point at: the
	 * Patient is read once for each of them (a big object is searched
	 * through its sorted index, not scanned). */
	buf_init(&b, 0);
	buf_adds(&b, "{\"resourceType\": \"Bundle\", \"type\": "
	    "\"collection\", \"entry\": [{\"fullUrl\": \"urn:uuid:p\", "
	    "\"resource\": {\"resourceType\": \"Patient\", \"identifier\": "
	    "[{\"system\": \"https://fhir.nhs.uk/Id/nhs-number\", \"value\": "
	    "\"9434765919\"}]");
	for (i = 0; i < 60000; i++)
		buf_printf(&b, ", \"identifieX%d\": 0", i);
	buf_adds(&b, "}}");
	for (i = 0; i < 3000; i++)
		buf_printf(&b, ", {\"resource\": {\"resourceType\": "
		    "\"ServiceRequest\", \"id\": \"s%d\", \"subject\": "
		    "{\"reference\": \"urn:uuid:p\"}}}", i);
	buf_adds(&b, "]}");
	CHECK_INT(parse_buf(&b, NULL), 0);
	CHECK_INT(res.n, 3000);
	if (res.n == 3000) {
		CHECK_STR(res.v[0]->nhs_number, "9434765919");
		CHECK_STR(res.v[2999]->nhs_number, "9434765919");
	}

	/* 5000 codings in 100 concepts of 50: PARSE_MAX_CODES kept, and
	 * said.  (Of one concept, only the first 64 codings are read.) */
	buf_init(&b, 0);
	buf_adds(&b, "{\"resourceType\": \"ServiceRequest\", \"reasonCode\": "
	    "[{\"coding\": [");
	for (i = 0; i < 5000; i++)
		buf_printf(&b, "%s{\"system\": \"http://snomed.info/sct\", "
		    "\"code\": \"%d\"}", i == 0 ? "" : i % 50 ? "," :
		    "]}, {\"coding\": [", 100000 + i);
	buf_adds(&b, "]}]}");
	CHECK_INT(parse_buf(&b, NULL), 0);
	r = res.v[0];
	CHECK_INT(r->diagnoses.n, 256);
	CHECK_STR(r->diagnoses.v[0].code, "100000");
	CHECK_STR(r->diagnoses.v[255].code, "100255");
	CHECK(warned(r, "more than 256 diagnosis or procedure codes"));

	/* One concept of 5000 codings: the first 64 read. */
	buf_init(&b, 0);
	buf_adds(&b, "{\"resourceType\": \"ServiceRequest\", \"reasonCode\": "
	    "[{\"coding\": [");
	for (i = 0; i < 5000; i++)
		buf_printf(&b, "%s{\"system\": \"http://snomed.info/sct\", "
		    "\"code\": \"%d\"}", i ? "," : "", 100000 + i);
	buf_adds(&b, "]}]}");
	CHECK_INT(parse_buf(&b, NULL), 0);
	r = res.v[0];
	CHECK_INT(r->diagnoses.n, 64);
	CHECK_STR(r->diagnoses.v[63].code, "100063");
	CHECK(!warned(r, "more than 256 diagnosis or procedure codes"));

	/* 3000 contained Observations, referenced backwards by "#id", and
	 * 3000 performers that are not there: found by hash, warned about
	 * a few times only. */
	buf_init(&b, 0);
	buf_adds(&b, "{\"resourceType\": \"ServiceRequest\", \"contained\": [");
	for (i = 0; i < 3000; i++)
		buf_printf(&b, "%s{\"resourceType\": \"Observation\", "
		    "\"id\": \"o%d\", \"code\": {\"text\": \"test %d\"}, "
		    "\"valueString\": \"ok\"}", i ? "," : "", i, i);
	buf_adds(&b, "], \"supportingInfo\": [");
	for (i = 0; i < 3000; i++)
		buf_printf(&b, "%s{\"reference\": \"#o%d\"}", i ? "," : "",
		    2999 - i);
	buf_adds(&b, "], \"performer\": [");
	for (i = 0; i < 3000; i++)
		buf_printf(&b, "%s{\"reference\": \"#gone%d\"}", i ? "," : "",
		    i);
	buf_adds(&b, "]}");
	CHECK_INT(parse_buf(&b, NULL), 0);
	r = res.v[0];
	CHECK_HAS(r->results_text, "test 2999: ok\ntest 2998: ok\n");
	CHECK_HAS(r->results_text, "test 0: ok");
	/* 4 said and "more", then no subject, requester, date, NHS no. */
	CHECK_INT(r->warnings.n, 4 + 1 + 4);
	CHECK(warned(r, "more references are not in the document"));

	/* A name of 10000 given names: cut short. */
	buf_init(&b, 0);
	buf_adds(&b, "{\"resourceType\": \"ServiceRequest\", \"contained\": "
	    "[{\"resourceType\": \"Practitioner\", \"id\": \"gp\", "
	    "\"name\": [{\"family\": \"Doctor\", \"given\": [");
	for (i = 0; i < 10000; i++)
		buf_printf(&b, "%s\"Given%d\"", i ? "," : "", i);
	buf_adds(&b, "]}]}], \"requester\": {\"reference\": \"#gp\"}}");
	CHECK_INT(parse_buf(&b, NULL), 0);
	CHECK_STR(res.v[0]->referrer_name,
	    "Given0 Given1 Given2 Given3 Doctor");

	/* 1500 referrals by Practitioners whose practices come from 1500
	 * PractitionerRoles: one map, not a scan per referral. */
	buf_init(&b, 0);
	buf_adds(&b, "{\"resourceType\": \"Bundle\", \"type\": "
	    "\"collection\", \"entry\": [");
	for (i = 0; i < 1500; i++)
		buf_printf(&b, "%s{\"fullUrl\": \"urn:uuid:sr%d\", "
		    "\"resource\": {\"resourceType\": \"ServiceRequest\", "
		    "\"requester\": "
		    "{\"reference\": \"urn:uuid:gp%d\"}}},"
		    "{\"fullUrl\": \"urn:uuid:gp%d\", \"resource\": "
		    "{\"resourceType\": \"Practitioner\"}},"
		    "{\"resource\": {\"resourceType\": \"PractitionerRole\", "
		    "\"practitioner\": {\"reference\": \"urn:uuid:gp%d\"}, "
		    "\"organization\": {\"identifier\": {\"system\": "
		    "\"https://fhir.nhs.uk/Id/ods-organization-code\", "
		    "\"value\": \"P%05d\"}}}}", i ? "," : "", i, i, i, i, i);
	buf_adds(&b, "]}");
	CHECK_INT(parse_buf(&b, NULL), 0);
	CHECK_INT(res.n, 1500);
	CHECK_STR(res.v[0]->practice_ods, "P00000");
	CHECK_STR(res.v[1499]->practice_ods, "P01499");

	/* A message whose focus is 2000 of its 4000 requests; the other
	 * 2000 advice and guidance requests in focus are said a few times. */
	buf_init(&b, 0);
	buf_adds(&b, "{\"resourceType\": \"Bundle\", \"type\": \"message\", "
	    "\"entry\": [{\"resource\": {\"resourceType\": "
	    "\"MessageHeader\", \"focus\": [");
	for (i = 0; i < 4000; i += 2)
		buf_printf(&b, "%s{\"reference\": \"urn:uuid:s%d\"}",
		    i ? "," : "", i);
	buf_adds(&b, "]}}");
	for (i = 0; i < 4000; i++)
		buf_printf(&b, ",{\"fullUrl\": \"urn:uuid:s%d\", \"resource\": "
		    "{\"resourceType\": \"ServiceRequest\"%s}}", i,
		    i % 4 == 2 ? ", \"code\": {\"coding\": [{\"code\": "
		    "\"advice-and-guidance\"}]}" : "");
	buf_adds(&b, "]}");
	CHECK_INT(parse_buf(&b, NULL), 0);
	CHECK_INT(res.n, 1000);
	CHECK_INT(res.warnings.n, 5);
	CHECK_HAS(res.warnings.v[4], "996 more ServiceRequests that are not "
	    "referrals were not counted");
}

/*
 * Shapes where one resource was read for every reference to it: each
 * now costs what the resource costs once.  Sizes are such that the old
 * mapping took seconds (a minute in all under ASan).
 */

/* Parses the JSON in b (and frees it) into an arena of cap bytes. */
static int
parse_capped(struct buf *b, size_t cap)
{
	struct parse_limits lim;
	int rc;

	parse_limits_default(&lim);
	arena_free(a);
	a = arena_new(cap);
	rc = parse_document(a, (const unsigned char *)b->p, b->len, &lim,
	    &res);
	buf_free(b);
	return rc;
}

/* A Bundle's opening, up to the first entry. */
static void
bundle_open(struct buf *b)
{
	buf_init(b, 0);
	buf_adds(b, "{\"resourceType\": \"Bundle\", \"type\": \"collection\", "
	    "\"entry\": [");
}

/* Appends s n times. */
static void
add_times(struct buf *b, const char *s, int n)
{
	while (n-- > 0)
		buf_adds(b, s);
}

/* n references (a JSON array's values) to target, but every every-th,
 * from the first, to alt. */
static void
add_refs(struct buf *b, int n, const char *target, int every, const char *alt)
{
	int i;

	for (i = 0; i < n; i++)
		buf_printf(b, "%s{\"reference\": \"%s\"}", i ? ", " : "",
		    i % every ? target : alt);
}

/* Ends the Bundle in b with n references as add_refs makes them, closing
 * the last entry's array, and parses it (freeing b): its first referral,
 * or NULL. */
static const struct referral *
parse_with_refs(struct buf *b, int n, const char *target, int every,
    const char *alt)
{
	add_refs(b, n, target, every, alt);
	buf_adds(b, "]}}]}");
	CHECK_INT(parse_buf(b, NULL), 0);
	return res.n > 0 ? res.v[0] : NULL;
}

/* One text attachment referenced 3000 times (and a second document
 * between them): each decoded once for the referral. */
static void
test_fanout_documents(void)
{
	struct parse_limits lim;
	struct buf b, want;
	const struct referral *r;
	int i;

	bundle_open(&b);
	buf_adds(&b, "{\"resource\": {\"resourceType\": \"DocumentReference\", "
	    "\"id\": \"d\", \"content\": [{\"attachment\": {\"contentType\": "
	    "\"text/plain\", \"data\": \"");
	add_times(&b, "YWJj", 50000); /* "abc" */
	buf_adds(&b, "\"}}]}}, {\"resource\": {\"resourceType\": "
	    "\"DocumentReference\", \"id\": \"e\", \"content\": "
	    "[{\"attachment\": {\"contentType\": \"application/pdf\", "
	    "\"title\": \"Discharge letter\"}}]}}, {\"resource\": "
	    "{\"resourceType\": \"ServiceRequest\", \"supportingInfo\": [");
	r = parse_with_refs(&b, 3000, "DocumentReference/e", 2,
	    "DocumentReference/d");
	if (r == NULL)
		return;
	buf_init(&want, 0);
	add_times(&want, "abc", 50000);
	buf_adds(&want, "\nAttachment: Discharge letter");
	/* (CHECK_STR would print 150 kB when it failed.) */
	CHECK_INT(r->reason_text ? strlen(r->reason_text) : 0, want.len);
	CHECK(r->reason_text != NULL && strcmp(r->reason_text, want.p) == 0);
	buf_free(&want);
	CHECK(!warned(r, "cut to"));

	/* Once the text is full, nothing more is decoded or named. */
	parse_limits_default(&lim);
	lim.max_field = 1000;
	bundle_open(&b);
	for (i = 0; i < 3; i++) {
		static const char *const b64[] = {"YWJj", "ZGVm", "Z2hp"};

		buf_printf(&b, "{\"resource\": {\"resourceType\": "
		    "\"DocumentReference\", \"id\": \"d%d\", \"content\": "
		    "[{\"attachment\": {\"contentType\": \"text/plain\", "
		    "\"data\": \"", i);
		add_times(&b, b64[i], 20000); /* abc, def, ghi */
		buf_adds(&b, "\"}}]}}, ");
	}
	buf_adds(&b, "{\"resource\": {\"resourceType\": \"ServiceRequest\", "
	    "\"supportingInfo\": [{\"reference\": \"DocumentReference/d0\"}, "
	    "{\"reference\": \"DocumentReference/d1\"}, {\"reference\": "
	    "\"DocumentReference/d2\"}]}}]}");
	CHECK_INT(parse_buf(&b, &lim), 0);
	r = res.v[0];
	CHECK_INT(strlen(r->reason_text), 1000);
	CHECK_INT(strspn(r->reason_text, "abc"), 1000);
	CHECK(warned(r, "clinical text cut to 1000 bytes"));
}

/* 2000 referrals sharing a 20 kB description: each has its copy while
 * memory allows, and the document stops at the arena's cap, not after
 * building all of them. */
static void
test_fanout_shared_text(void)
{
	struct buf b;
	size_t i;
	int k;

	for (k = 0; k < 2; k++) {
		bundle_open(&b);
		buf_adds(&b, "{\"resource\": {\"resourceType\": "
		    "\"DocumentReference\", \"id\": \"d\", \"description\": "
		    "\"");
		add_times(&b, "shared text 20 byte ", 1000);
		buf_adds(&b, "\"}}");
		for (i = 0; i < (k ? 2000 : 40); i++)
			buf_printf(&b, ", {\"resource\": {\"resourceType\": "
			    "\"ServiceRequest\", \"id\": \"s%zu\", "
			    "\"supportingInfo\": [{\"reference\": "
			    "\"DocumentReference/d\"}]}}", i);
		buf_adds(&b, "]}");
		if (k == 0) {
			CHECK_INT(parse_capped(&b, 4u << 20), 0);
			CHECK_INT(res.n, 40);
			for (i = 0; i < res.n; i++)
				CHECK(res.v[i]->reason_text != NULL &&
				    strlen(res.v[i]->reason_text) == 19999);
			continue;
		}
		CHECK_INT(parse_capped(&b, 4u << 20), -1);
		CHECK_STR(res.err.msg, "document needs more memory than the "
		    "limit allows");
		/* 4 MiB holds at most about 200 texts of 20 kB. */
		CHECK(res.n >= 1 && res.n <= 205);
	}
}

/* n identifiers of other systems, each followed by ", ". */
static void
add_other_ids(struct buf *b, int n)
{
	int i;

	for (i = 0; i < n; i++)
		buf_printf(b, "{\"system\": \"urn:x:%d\", \"value\": \"x\"}, ",
		    i);
}

/* 3000 performers naming one Organization of 3000 identifiers, and 500
 * referrals sharing a requester and a Patient of 3000 identifiers each:
 * each resource read once a referral, at most MAX_IDS (64) identifiers
 * of it. */
static void
test_fanout_identifiers(void)
{
	struct buf b;
	size_t i;

	bundle_open(&b);
	buf_adds(&b, "{\"resource\": {\"resourceType\": \"Organization\", "
	    "\"id\": \"o\", \"identifier\": [{\"system\": "
	    "\"https://fhir.nhs.uk/Id/ods-organization-code\", \"value\": "
	    "\"RJ1\"}, ");
	add_other_ids(&b, 3000);
	buf_adds(&b, "{}]}}, {\"resource\": {\"resourceType\": "
	    "\"Practitioner\", \"id\": \"gp\", \"identifier\": "
	    "[{\"system\": \"https://fhir.nhs.uk/Id/gmp-number\", "
	    "\"value\": \"G8000011\"}, ");
	add_other_ids(&b, 3000);
	buf_adds(&b, "{}]}}, {\"resource\": {\"resourceType\": \"Patient\", "
	    "\"id\": \"p\", \"gender\": \"female\", \"identifier\": [");
	add_other_ids(&b, 3000);
	buf_adds(&b, "{\"system\": \"https://fhir.nhs.uk/Id/nhs-number\", "
	    "\"value\": \"9434765919\"}]}}, {\"resource\": {\"resourceType\": "
	    "\"Practitioner\", \"id\": \"late\", \"identifier\": [");
	add_other_ids(&b, 64);
	buf_adds(&b, "{\"system\": \"https://fhir.nhs.uk/Id/gmc-number\", "
	    "\"value\": \"1234567\"}]}}, {\"resource\": {\"resourceType\": "
	    "\"ServiceRequest\", \"id\": \"first\", \"performer\": [");
	add_refs(&b, 3000, "Organization/o", 1, "Organization/o");
	buf_adds(&b, ", {\"reference\": \"Practitioner/late\"}]}}");
	add_times(&b, ", {\"resource\": {\"resourceType\": \"ServiceRequest\", "
	    "\"subject\": {\"reference\": \"Patient/p\"}, \"requester\": "
	    "{\"reference\": \"Practitioner/gp\"}}}", 500);
	buf_adds(&b, "]}");
	CHECK_INT(parse_buf(&b, NULL), 0);
	CHECK_INT(res.n, 501);
	if (res.n != 501)
		return;
	CHECK_STR(res.v[0]->provider_ods, "RJ1");
	/* The gmc-number is the 65th identifier: not read. */
	CHECK(res.v[0]->consultant_code == NULL);
	for (i = 1; i < res.n; i++) {
		CHECK_STR(res.v[i]->referrer_code, "G8000011");
		CHECK_INT(res.v[i]->sex, REF_SEX_FEMALE);
	}
	/* The NHS number is the 3001st identifier: not read either. */
	CHECK(res.v[1]->nhs_number == NULL);
}

/* 3000 reasonReferences to one Condition of 3000 codings (and to a
 * second Condition between them): its codes read once. */
static void
test_fanout_codes(void)
{
	struct buf b;
	const struct referral *r;
	char code[16];
	size_t i;

	bundle_open(&b);
	buf_adds(&b, "{\"resource\": {\"resourceType\": \"Condition\", "
	    "\"id\": \"c\", \"code\": {\"coding\": [");
	for (i = 0; i < 3000; i++)
		buf_printf(&b, "%s{\"system\": \"http://snomed.info/sct\", "
		    "\"code\": \"%s%zu\"}", i ? "," : "", i % 2 ? " " : "",
		    100000000 + i / 2);
	buf_adds(&b, "]}}}, {\"resource\": {\"resourceType\": \"Condition\", "
	    "\"id\": \"k\", \"code\": {\"coding\": [{\"system\": "
	    "\"http://hl7.org/fhir/sid/icd-10\", \"code\": \"I50.0\", "
	    "\"display\": \"Heart failure\"}]}}}, {\"resource\": "
	    "{\"resourceType\": \"ServiceRequest\", \"reasonCode\": "
	    "[{\"coding\": [{\"system\": \"http://snomed.info/sct\", "
	    "\"code\": \"84114007 \", \"display\": \"Heart failure\"}]}], "
	    "\"reasonReference\": [");
	if ((r = parse_with_refs(&b, 3000, "Condition/c", 3,
	    "Condition/k")) == NULL)
		return;
	/* Each code twice, once with a space: kept once, trimmed; of the
	 * 3000 codings of the Condition the first 64 are read (32 codes),
	 * once, though 3000 references name it. */
	CHECK_INT(r->diagnoses.n, 34);
	check_code(&r->diagnoses, 0, CS_SNOMED, "84114007", "Heart failure");
	check_code(&r->diagnoses, 1, CS_ICD10, "I50.0", "Heart failure");
	for (i = 2; i < r->diagnoses.n; i++) {
		snprintf(code, sizeof(code), "%zu", 100000000 + i - 2);
		check_code(&r->diagnoses, i, CS_SNOMED, code, NULL);
	}
	CHECK(!warned(r, "more than 256 diagnosis or procedure codes"));
}

/* 20000 entries of as many types under one id: each type's resource is
 * found, and the first entry is found by the bare id. */
static void
test_fanout_index(void)
{
	struct buf b;
	size_t i;

	bundle_open(&b);
	buf_adds(&b, "{\"resource\": {\"resourceType\": "
	    "\"DocumentReference\", \"id\": \"x\", \"description\": "
	    "\"first under x\"}}, ");
	for (i = 0; i < 20000; i++)
		buf_printf(&b, "{\"resource\": {\"resourceType\": \"T%zu\", "
		    "\"id\": \"x\"}}, ", i);
	buf_adds(&b, "{\"resource\": {\"resourceType\": \"Patient\", \"id\": "
	    "\"x\", \"identifier\": [{\"system\": "
	    "\"https://fhir.nhs.uk/Id/nhs-number\", \"value\": "
	    "\"9434765919\"}]}}, {\"resource\": {\"resourceType\": "
	    "\"Organization\", \"id\": \"x\", \"identifier\": [{\"system\": "
	    "\"https://fhir.nhs.uk/Id/ods-organization-code\", \"value\": "
	    "\"RJ1\"}]}}, {\"resource\": {\"resourceType\": "
	    "\"ServiceRequest\", \"id\": \"x\", \"subject\": {\"reference\": "
	    "\"Patient/x\"}, \"performer\": [{\"reference\": "
	    "\"Organization/x\"}], \"supportingInfo\": [{\"reference\": "
	    "\"x\"}]}}]}");
	CHECK_INT(parse_buf(&b, NULL), 0);
	CHECK_INT(res.n, 1);
	CHECK_STR(res.v[0]->nhs_number, "9434765919");
	CHECK_STR(res.v[0]->provider_ods, "RJ1");
	CHECK_STR(res.v[0]->reason_text, "first under x");
}

/* FHIR XML: 2000 referrals sharing a Patient of 20000 other children
 * and a Practitioner's name of 100: the first referral scans them, the
 * others read them through the index of their children, in document
 * order, FHIR namespace only, to the same values. */
static void
test_fanout_xml(void)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	buf_adds(&b, "<Bundle xmlns=\"http://hl7.org/fhir\"><type "
	    "value=\"collection\"/><entry><fullUrl value=\"urn:uuid:p\"/>"
	    "<resource><Patient><gender xmlns=\"urn:other\" "
	    "value=\"female\"/>");
	add_times(&b, "<x/>", 20000);
	buf_adds(&b, "<identifier><system value=\"urn:z\"/><value "
	    "value=\"1\"/></identifier><identifier><system "
	    "value=\"https://fhir.nhs.uk/Id/nhs-number\"/><value "
	    "value=\"9434765919\"/></identifier><gender value=\"male\"/>"
	    "</Patient></resource></entry><entry><fullUrl "
	    "value=\"urn:uuid:gp\"/><resource><Practitioner><name>");
	add_times(&b, "<x/>", 100);
	buf_adds(&b, "<given value=\"Ann\"/><x/><given value=\"Beth\"/>"
	    "<family value=\"Jones\"/></name></Practitioner></resource>"
	    "</entry>");
	add_times(&b, "<entry><resource><ServiceRequest><subject><reference "
	    "value=\"urn:uuid:p\"/></subject><requester><reference "
	    "value=\"urn:uuid:gp\"/></requester></ServiceRequest></resource>"
	    "</entry>", 2000);
	buf_adds(&b, "</Bundle>");
	CHECK_INT(parse_buf(&b, NULL), 0);
	CHECK_INT(res.n, 2000);
	for (i = 0; i < res.n; i++) {
		CHECK_STR(res.v[i]->nhs_number, "9434765919");
		CHECK_INT(res.v[i]->sex, REF_SEX_MALE);
		CHECK_STR(res.v[i]->referrer_name, "Ann Beth Jones");
	}
}

/* The demo's FHIR samples (conf/samples): synthetic, and as the demo
 * needs them. */
static void
test_samples(void)
{
	static const struct {
		const char *practice, *file, *gp_lo, *gp_hi;
	} samples[] = {
	    {"P81001", "fhir-r4-cardiology.json", "G8000010", "G8000015"},
	    {"P81001", "fhir-r4-orthopaedics.xml", "G8000010", "G8000015"},
	    {"P81001", "ers-stu3-skin-2ww.json", "G8000010", "G8000015"},
	    {"P81002", "fhir-r4-gastroenterology.json", "G8000020", "G8000025"},
	    {"P81002", "fhir-r4-ent.xml", "G8000020", "G8000025"},
	    {"P81002", "ers-stu3-gynaecology-2ww.json", "G8000020", "G8000025"},
	};
	static const char providers[] = " RWG RAL RYJ R1H RJ1 RQM RAP RKE ";
	char dir[512], prov[8];
	const struct referral *r;
	size_t i;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/conf/samples/%s",
		    PARS_SOURCE_DIR, samples[i].practice);
		CHECK_INT(parse_file(dir, samples[i].file), 0);
		if ((r = only_referral()) == NULL)
			continue;
		CHECK_STR(r->practice_ods, samples[i].practice);
		CHECK(r->referrer_code != NULL &&
		    strcmp(r->referrer_code, samples[i].gp_lo) >= 0 &&
		    strcmp(r->referrer_code, samples[i].gp_hi) <= 0);
		snprintf(prov, sizeof(prov), " %s ",
		    r->provider_ods ? r->provider_ods : "-");
		CHECK(strstr(providers, prov) != NULL);
		CHECK(r->nhs_number != NULL &&
		    strncmp(r->nhs_number, "999", 3) == 0);
		CHECK_INT(r->nhs_number_valid, 1);
		CHECK(r->referral_date != NULL &&
		    strncmp(r->referral_date, "2025-01-", 8) == 0);
		CHECK(r->ers_specialty != NULL && r->ers_clinic_type != NULL);
		CHECK(r->priority != REF_PRIO_UNKNOWN);
		CHECK_HAS(r->reason_text, "Synthetic demo referral.");
		CHECK_INT(r->warnings.n, 0);
	}
}

/*
 * 400 referrals that share a Condition of 20,000 codings, a Patient with
 * 20,000 registered-GP references and a DocumentReference of 20,000
 * contents: each referral reads the first 64 of each (a referral reads
 * a shared resource again, so reading them all made such a Bundle
 * quadratic: 1.6 MB took 6 to 16 seconds).
 */
static void
test_shared_repeats(void)
{
	struct buf b;
	size_t i;

	bundle_open(&b);
	buf_adds(&b, "{\"resource\": {\"resourceType\": \"Organization\", "
	    "\"id\": \"o\"}}, {\"resource\": {\"resourceType\": "
	    "\"Condition\", \"id\": \"c\", \"code\": {\"coding\": [");
	for (i = 0; i < 20000; i++)
		buf_printf(&b, "%s{\"system\": \"http://snomed.info/sct\", "
		    "\"code\": \"%zu\"}", i ? "," : "", 100000000 + i);
	buf_adds(&b, "]}}}, {\"resource\": {\"resourceType\": "
	    "\"DocumentReference\", \"id\": \"d\", \"content\": [");
	for (i = 0; i < 20000; i++)
		buf_printf(&b, "%s{\"attachment\": {\"contentType\": "
		    "\"text/plain\", \"data\": \"%s\"}}", i ? "," : "",
		    i < 64 ? "bm90ZQ==" : "");
	buf_adds(&b, "]}}, {\"resource\": {\"resourceType\": \"Patient\", "
	    "\"id\": \"p\", \"generalPractitioner\": [");
	add_refs(&b, 20000, "Organization/o", 20000, "Organization/o");
	buf_adds(&b, "]}}");
	add_times(&b, ", {\"resource\": {\"resourceType\": "
	    "\"ServiceRequest\", \"subject\": {\"reference\": "
	    "\"Patient/p\"}, \"reasonReference\": [{\"reference\": "
	    "\"Condition/c\"}], \"supportingInfo\": [{\"reference\": "
	    "\"DocumentReference/d\"}]}}", 400);
	buf_adds(&b, "]}");
	CHECK_INT(parse_buf(&b, NULL), 0);
	CHECK_INT(res.n, 400);
	for (i = 0; i < res.n; i += 399) {
		const struct referral *r = res.v[i];

		CHECK_INT(r->diagnoses.n, 64);
		check_code(&r->diagnoses, 63, CS_SNOMED, "100000063", NULL);
		/* "note" from each of the first 64 contents, said once. */
		CHECK_STR(r->reason_text, "note");
		CHECK(r->practice_ods == NULL);
	}
}

int
main(void)
{
	test_corpus_ukcore();
	test_corpus_ers();
	test_corpus_bars();
	test_uk_referral();
	test_bundles();
	test_repeated_ids();
	test_status();
	test_refusals();
	test_no_quoting();
	test_limits();
	test_hostile();
	test_fanout_documents();
	test_fanout_shared_text();
	test_fanout_identifiers();
	test_fanout_codes();
	test_shared_repeats();
	test_attributes();
	test_fanout_index();
	test_fanout_xml();
	test_detect();
	test_samples();
	arena_free(a);
	return t_done("test_fhir");
}
