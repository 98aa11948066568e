/*
 * test_coding.c - coding a referral against a small hand-made reference
 * set: each evidence path for the TFC, the evidence order, the HRG and
 * price rules (procedure HRG, WF01B, WF02B), the tariff-year boundary
 * (31 March vs 1 April), and each failure with its warning.  Every
 * expected value is worked out by hand from the rows added below.
 */
#include <stdio.h>
#include <string.h>

#include "coderef.h"
#include "coding.h"
#include "t.h"

static struct coding_ref *ref;

#define ADD(t, ...)                                                          \
	do {                                                                 \
		const char *v_[] = {__VA_ARGS__};                            \
		coding_ref_add(ref, t, v_);                                  \
	} while (0)

static void
build(void)
{
	ref = coding_ref_new();
	coding_ref_set_version(ref, 7);
	ADD(CR_PRACTICES, "P81000", "1990-04-01", NULL, "A");
	ADD(CR_PRACTICES, "P81001", "1990-04-01", "2024-12-31", "C");
	ADD(CR_PRACTICES, "P81002", "2025-02-01", NULL, "P");
	ADD(CR_GPS, "G8000002", "P81000", "CLARKE C", NULL);
	ADD(CR_GPS, "G8000003", "P81000", "DAVIES D", NULL);
	ADD(CR_GPS, "G8000004", "P81000", "PATEL P", "2024-06-30");
	ADD(CR_GPS, "G8000005", "P81000", "SHAH AK", NULL);
	ADD(CR_GPS, "G8000006", "P81000", "SHAH AR", NULL);
	ADD(CR_GPS, "G8000010", "P81001", "BROWN B", NULL);
	ADD(CR_CONSULTANTS, "C1111111", "330", "RWG");
	ADD(CR_CONSULTANTS, "C2222222", "110", "RWG");
	ADD(CR_CONSULTANTS, "C2222222", "130", "RAL");
	ADD(CR_CONSULTANTS, "C3333333", "810", "RWG");
	ADD(CR_TRUSTS, "RWG", "2000-04-01", NULL);
	ADD(CR_TRUSTS, "RAL", "1991-04-01", NULL);
	ADD(CR_TRUSTS, "RAP", "1991-04-01", "2024-12-31");
	ADD(CR_TFC, "101", "Urology", "true");
	ADD(CR_TFC, "103", "Breast Surgery", "true");
	ADD(CR_TFC, "110", "Trauma & Orthopaedics", "true");
	ADD(CR_TFC, "130", "Ophthalmology", "true");
	ADD(CR_TFC, "191", "Pain Management", "true");
	ADD(CR_TFC, "330", "Dermatology", "true");
	ADD(CR_TFC, "410", "Rheumatology", "true");
	ADD(CR_TFC, "502", "Gynaecology", "true");
	ADD(CR_TFC, "503", "Gynaecological Oncology", "true");
	ADD(CR_TFC, "500", "not a Treatment Function", "false");
	ADD(CR_TFC, "510", "Retired", "false");
	ADD(CR_MAIN_SPECS, "110", "Trauma and Orthopaedics");
	ADD(CR_MAIN_SPECS, "330", "Dermatology");
	ADD(CR_MAIN_SPECS, "500", "Obstetrics and Gynaecology");
	ADD(CR_MAIN_SPECS, "810", "Radiology");
	ADD(CR_CLINIC_TYPES, "KNEE", "ORTHOPAEDICS");
	ADD(CR_CLINIC_TYPES, "2WW_BREAST", "2WW");
	ADD(CR_CLINIC_TYPES, "MYSTERY", "NOSUCH_SPECIALTY");
	ADD(CR_CLINIC_TFC, "2WW_BREAST", "103");
	ADD(CR_ERS_SPEC_TFC, "ORTHOPAEDICS", "110");
	ADD(CR_ERS_SPEC_TFC, "DERMATOLOGY", "330");
	ADD(CR_MAIN_SPEC_TFC, "110", "110");
	ADD(CR_MAIN_SPEC_TFC, "130", "130");
	ADD(CR_MAIN_SPEC_TFC, "330", "330");
	ADD(CR_MAIN_SPEC_TFC, "500", "502");
	ADD(CR_SYNONYMS, "t and o", "110");
	ADD(CR_SYNONYMS, "gynae", "502");
	ADD(CR_SYNONYMS, "gynae oncology", "503");
	ADD(CR_SYNONYMS, "2ww breast", "103");
	/* tariff_year, tfc, wf01a, wf01b, wf02a, wf02b (pence) */
	ADD(CR_OP_PRICES, "2024/25", "110", "8800", "17600", "9680", "20240");
	ADD(CR_OP_PRICES, "2025/26", "110", "9050", "18100", "9950", "20800");
	ADD(CR_OP_PRICES, "2023/24", "110", "8600", "17300", NULL, NULL);
	ADD(CR_OP_PRICES, "2024/25", "101", NULL, "16100", NULL, NULL);
	ADD(CR_OP_PRICES, "2024/25", "103", NULL, "22700", NULL, NULL);
	ADD(CR_OP_PRICES, "2024/25", "130", NULL, "13200", NULL, NULL);
	ADD(CR_OP_PRICES, "2024/25", "191", NULL, NULL, "12000", "24000");
	ADD(CR_OP_PRICES, "2024/25", "330", NULL, "13400", NULL, NULL);
	ADD(CR_OP_PRICES, "2024/25", "502", NULL, "17000", NULL, NULL);
	ADD(CR_OP_PRICES, "2024/25", "503", NULL, "19500", NULL, NULL);
	ADD(CR_PROC_HRG, "M45", "LB72A");
	ADD(CR_PROC_HRG, "W37", "HN12A");
	ADD(CR_PROC_HRG, "W371", "HN13B");
	ADD(CR_PROC_HRG, "C12", "BZ94Z");
	ADD(CR_HRG_PRICES, "2024/25", "LB72A", "23000");
	ADD(CR_HRG_PRICES, "2025/26", "LB72A", "23600");
	ADD(CR_HRG_PRICES, "2024/25", "HN12A", "100000");
	ADD(CR_HRG_PRICES, "2024/25", "HN13B", "150000");
	ADD(CR_ALT_SERVICES, "MSK01", "Community MSK", "110",
	    "first_attendance", "7500");
	ADD(CR_ALT_SERVICES, "AG01", "Advice and guidance", NULL,
	    "first_attendance", "2000");
}

/* A referral that codes fully: T&O at RWG from Dr Clarke of P81000. */
static struct coding_in
base(void)
{
	struct coding_in in;

	memset(&in, 0, sizeof(in));
	in.practice = "P81000";
	in.referrer_code = "G8000002";
	in.referrer_name = "DR Chloe Clarke";
	in.date = "2025-01-21";
	in.tfc = "110";
	in.provider = "RWG";
	return in;
}

static struct stored_coding out;

static void
code(const struct coding_in *in)
{
	coding_code(ref, in, &out);
}

#define CHECK_CODED(status_, tfc_, ev_, hrg_, pence_, year_)                 \
	do {                                                                 \
		CHECK_STR(out.status, status_);                              \
		CHECK_STR(out.tfc, tfc_);                                    \
		CHECK_STR(out.evidence, ev_);                                \
		CHECK_STR(out.hrg, hrg_);                                    \
		CHECK_INT(out.price_pence, pence_);                          \
		CHECK_STR(out.tariff_year, year_);                           \
	} while (0)

static void
test_explicit_and_years(void)
{
	struct coding_in in = base();
	char y[8];

	code(&in);
	CHECK_CODED("coded", "110", "explicit", "WF01B", 17600, "2024/25");
	CHECK_STR(out.warnings, "");
	CHECK_INT(out.practice_known, 1);
	CHECK_INT(out.referrer_known, 1);
	CHECK_INT(out.provider_known, 1);

	/* The tariff year turns on 1 April. */
	in.date = "2025-03-31";
	code(&in);
	CHECK_CODED("coded", "110", "explicit", "WF01B", 17600, "2024/25");
	in.date = "2025-04-01";
	code(&in);
	CHECK_CODED("coded", "110", "explicit", "WF01B", 18100, "2025/26");
	in.date = "2024-03-31";
	code(&in);
	CHECK_CODED("coded", "110", "explicit", "WF01B", 17300, "2023/24");
	in.date = "2024-04-01";
	code(&in);
	CHECK_INT(out.price_pence, 17600);

	CHECK_INT(coding_tariff_year("2025-03-31", y), 0);
	CHECK_STR(y, "2024/25");
	CHECK_INT(coding_tariff_year("2025-04-01", y), 0);
	CHECK_STR(y, "2025/26");
	CHECK_INT(coding_tariff_year("2000-01-15", y), 0);
	CHECK_STR(y, "1999/00");
	CHECK_INT(coding_tariff_year("2025-02-30", y), -1);
	CHECK_INT(coding_tariff_year(NULL, y), -1);
}

static void
test_evidence(void)
{
	struct coding_in in = base();

	in.tfc = NULL;
	in.ers_clinic_type = "2WW_BREAST";
	code(&in);
	CHECK_CODED("coded", "103", "ers_clinic_type", "WF01B", 22700,
	    "2024/25");
	/* A clinic type with no map of its own: its parent specialty's. */
	in.ers_clinic_type = "KNEE";
	code(&in);
	CHECK_CODED("coded", "110", "ers_clinic_type", "WF01B", 17600,
	    "2024/25");
	/* An explicit TFC outranks the clinic type. */
	in.tfc = "330";
	code(&in);
	CHECK_CODED("coded", "330", "explicit", "WF01B", 13400, "2024/25");

	in = base();
	in.tfc = NULL;
	in.ers_specialty = "DERMATOLOGY";
	code(&in);
	CHECK_CODED("coded", "330", "ers_specialty", "WF01B", 13400,
	    "2024/25");
	/* An unknown clinic type, then the specialty. */
	in.ers_clinic_type = "NOPE";
	code(&in);
	CHECK_CODED("coded", "330", "ers_specialty", "WF01B", 13400,
	    "2024/25");
	CHECK_STR(out.warnings, "unknown e-RS clinic type: NOPE");

	/* A main specialty code sent as the TFC (500 is no TFC). */
	in = base();
	in.tfc = "500";
	code(&in);
	CHECK_CODED("coded", "502", "main_specialty", "WF01B", 17000,
	    "2024/25");
	CHECK_STR(out.warnings, "");
	in.tfc = NULL;
	in.specialty_text = "330";
	code(&in);
	CHECK_CODED("coded", "330", "main_specialty", "WF01B", 13400,
	    "2024/25");

	/* The consultant's main specialty, at the provider's trust. */
	in = base();
	in.tfc = NULL;
	in.consultant = "C1111111";
	code(&in);
	CHECK_CODED("coded", "330", "consultant", "WF01B", 13400, "2024/25");
	in.consultant = "C2222222";
	code(&in);
	CHECK_STR(out.tfc, "110");
	in.provider = "RAL";
	code(&in);
	CHECK_CODED("coded", "130", "consultant", "WF01B", 13200, "2024/25");
	/* Radiology (810) has no TFC in this map: nothing from it. */
	in.consultant = "C3333333";
	code(&in);
	CHECK_STR(out.status, "uncoded");
	CHECK_STR(out.tfc, "");
	CHECK_STR(out.evidence, NULL);

	/* Free text: whole-text synonym, longest phrase, TFC title. */
	in = base();
	in.tfc = NULL;
	in.specialty_text = "T&O";
	code(&in);
	CHECK_CODED("coded", "110", "synonym", "WF01B", 17600, "2024/25");
	in.specialty_text = "Gynae oncology please";
	code(&in);
	CHECK_CODED("coded", "503", "synonym", "WF01B", 19500, "2024/25");
	in.specialty_text = "urgent 2WW Breast referral";
	code(&in);
	CHECK_STR(out.tfc, "103");
	in.specialty_text = "RHEUMATOLOGY";
	code(&in);
	CHECK_CODED("partial", "410", "synonym", "", -1, "2024/25");
	CHECK_STR(out.warnings, "no outpatient price: TFC 410 has none in "
	    "2024/25");
	/* Main specialty text outranks synonyms; a known consultant too. */
	in.specialty_text = "T&O";
	in.consultant = "C1111111";
	code(&in);
	CHECK_CODED("coded", "330", "consultant", "WF01B", 13400, "2024/25");
}

static void
test_no_tfc(void)
{
	struct coding_in in = base();

	in.tfc = NULL;
	in.specialty_text = "Zebra clinic";
	code(&in);
	CHECK_CODED("uncoded", "", NULL, "", -1, "2024/25");
	CHECK_STR(out.warnings, "specialty not recognised: the text matches "
	    "no synonym or TFC title");
	in.specialty_text = NULL;
	code(&in);
	CHECK_STR(out.status, "uncoded");
	CHECK_STR(out.warnings, "no specialty: no TFC, e-RS code or specialty "
	    "text");
	in.tfc = "999";
	code(&in);
	CHECK_STR(out.status, "uncoded");
	CHECK_STR(out.warnings, "unknown TFC: 999 is not in ref.tfc");
	in.tfc = "510";
	in.specialty_text = "T&O";
	code(&in);
	CHECK_CODED("coded", "110", "synonym", "WF01B", 17600, "2024/25");
	CHECK_STR(out.warnings, "retired TFC: 510 is not a treatment function "
	    "in use");
	in.tfc = NULL;
	in.specialty_text = NULL;
	in.ers_clinic_type = "MYSTERY";
	code(&in);
	CHECK_STR(out.status, "uncoded");
	CHECK_STR(out.warnings, "e-RS clinic type without a TFC: MYSTERY");
	in.ers_clinic_type = NULL;
	in.ers_specialty = "2WW";
	code(&in);
	CHECK_STR(out.warnings, "e-RS specialty without a TFC: 2WW");
}

static void
test_prices(void)
{
	struct coding_in in = base();
	const char *m45[] = {"M45.9"}, *w371[] = {"W37.1"},
	    *w379[] = {"W37.9"}, *c12[] = {"C12.1"}, *two[] = {"Z99.9",
	    "m459"};

	in.tfc = "101";
	in.opcs4 = m45;
	in.nopcs4 = 1;
	code(&in);
	CHECK_CODED("coded", "101", "explicit", "LB72A", 23000, "2024/25");
	/* 101 has no attendance price in 2025/26: the procedure has. */
	in.date = "2025-04-01";
	code(&in);
	CHECK_CODED("coded", "101", "explicit", "LB72A", 23600, "2025/26");
	CHECK_STR(out.warnings, "");
	in.date = "2025-01-21";
	/* The longest listed prefix: W371 before W37. */
	in.tfc = "110";
	in.opcs4 = w371;
	code(&in);
	CHECK_CODED("coded", "110", "explicit", "HN13B", 150000, "2024/25");
	in.opcs4 = w379;
	code(&in);
	CHECK_CODED("coded", "110", "explicit", "HN12A", 100000, "2024/25");
	/* The first listed procedure of several. */
	in.opcs4 = two;
	in.nopcs4 = 2;
	code(&in);
	CHECK_CODED("coded", "110", "explicit", "LB72A", 23000, "2024/25");
	/* A procedure HRG without a price: the attendance is priced. */
	in.tfc = "130";
	in.opcs4 = c12;
	in.nopcs4 = 1;
	code(&in);
	CHECK_CODED("coded", "130", "explicit", "WF01B", 13200, "2024/25");
	CHECK_STR(out.warnings, "procedure HRG not priced: BZ94Z has no price "
	    "in 2024/25");
	/* Priced only as multi-professional: WF02B. */
	in = base();
	in.tfc = "191";
	code(&in);
	CHECK_CODED("coded", "191", "explicit", "WF02B", 24000, "2024/25");
	/* No date: a TFC but no price. */
	in = base();
	in.date = NULL;
	code(&in);
	CHECK_CODED("partial", "110", "explicit", "", -1, "");
	CHECK_STR(out.warnings, "no referral date: not priced");
}

static void
test_practice_referrer(void)
{
	struct coding_in in = base();

	in.practice = "P89999";
	code(&in);
	CHECK_CODED("partial", "110", "explicit", "WF01B", 17600, "2024/25");
	CHECK_INT(out.practice_known, 0);
	CHECK_INT(out.referrer_known, 0);
	CHECK_STR(out.warnings, "unknown practice: P89999 is not in "
	    "ref.practices\nunknown referrer: G8000002 is a GP of P81000, not "
	    "of P89999");

	/* Closed on 31 December: open that day, closed the next. */
	in = base();
	in.practice = "P81001";
	in.referrer_code = "G8000010";
	in.referrer_name = NULL;
	in.date = "2024-12-31";
	code(&in);
	CHECK_STR(out.status, "coded");
	CHECK_INT(out.practice_known, 1);
	in.date = "2025-01-01";
	code(&in);
	CHECK_STR(out.status, "partial");
	CHECK_INT(out.practice_known, 1);
	CHECK_INT(out.referrer_known, 1);
	CHECK_STR(out.warnings, "practice closed: P81001 closed on "
	    "2024-12-31");
	in.practice = "P81002";
	in.referrer_code = NULL;
	in.referrer_name = "Dr Someone Else";
	code(&in);
	CHECK_STR(out.warnings, "practice not yet open: P81002 opened on "
	    "2025-02-01\nunknown referrer: the name fits no GP of P81002");

	/* The referrer by name when the code is missing or wrong. */
	in = base();
	in.referrer_code = NULL;
	code(&in);
	CHECK_STR(out.status, "coded");
	CHECK_INT(out.referrer_known, 1);
	CHECK_STR(out.warnings, "");
	in.referrer_code = "G8000099";
	in.referrer_name = "CLARKE C";
	code(&in);
	CHECK_STR(out.status, "coded");
	CHECK_INT(out.referrer_known, 1);
	CHECK_STR(out.warnings, "referrer code not at the practice: G8000099 "
	    "is not a GP of P81000; the name matches G8000002");
	in.referrer_name = NULL;
	code(&in);
	CHECK_STR(out.status, "partial");
	CHECK_INT(out.referrer_known, 0);
	CHECK_STR(out.warnings, "unknown referrer: G8000099 is not in "
	    "ref.gps");
	in.referrer_code = NULL;
	in.referrer_name = "Dr A. Shah";
	code(&in);
	CHECK_INT(out.referrer_known, 0);
	CHECK_STR(out.warnings, "unknown referrer: the name fits more than "
	    "one GP of P81000");
	in.referrer_name = "Dr AK Shah";
	code(&in);
	CHECK_INT(out.referrer_known, 1);
	CHECK_STR(out.warnings, "");
	in.referrer_name = "Ali Rashid Shah";
	code(&in);
	CHECK_INT(out.referrer_known, 1);
	in.referrer_name = "Dr R Shah";
	code(&in);
	CHECK_INT(out.referrer_known, 0);
	in.referrer_name = "Davies";
	code(&in);
	CHECK_INT(out.referrer_known, 1);
	in.referrer_name = "Dr E Davies";
	code(&in);
	CHECK_INT(out.referrer_known, 0);
	in.referrer_code = "G9999998";
	in.referrer_name = NULL;
	code(&in);
	CHECK_STR(out.warnings, "no referrer: neither a GP code nor a name");
	/* A GP who had left the practice by the referral date. */
	in.referrer_code = "G8000004";
	code(&in);
	CHECK_STR(out.status, "partial");
	CHECK_INT(out.referrer_known, 1);
	CHECK_STR(out.warnings, "referrer left the practice: G8000004 left "
	    "P81000 before the referral date");
}

static void
test_consultant_provider(void)
{
	struct coding_in in = base();

	in.consultant = "C7654321";
	code(&in);
	CHECK_STR(out.status, "coded");
	CHECK_STR(out.warnings, "unknown consultant: C7654321 is not in "
	    "ref.consultants");
	in.consultant = "C9999998";
	code(&in);
	CHECK_STR(out.warnings, "");

	in = base();
	in.provider = NULL;
	code(&in);
	CHECK_STR(out.status, "partial");
	CHECK_INT(out.provider_known, 0);
	CHECK_STR(out.warnings, "no provider: the referral names none");
	in.provider = "RXX";
	code(&in);
	CHECK_STR(out.warnings, "unknown provider: RXX is not in ref.trusts");
	in.provider = "RAP";
	code(&in);
	CHECK_STR(out.status, "partial");
	CHECK_INT(out.provider_known, 1);
	CHECK_STR(out.warnings, "provider closed: RAP closed on 2024-12-31");
	/* A site of a known trust. */
	in.provider = "RWG01";
	code(&in);
	CHECK_STR(out.status, "coded");
	CHECK_INT(out.provider_known, 1);
}

static void
test_api(void)
{
	struct coding_alt_service s;
	struct coding_ref *empty = coding_ref_new();
	struct coding_in in = base();
	const char *hrg;

	CHECK_INT(coding_first_attendance_price(ref, "110", "2025-04-01",
	    &hrg), 18100);
	CHECK_STR(hrg, "WF01B");
	CHECK_INT(coding_first_attendance_price(ref, "191", "2024-06-01",
	    &hrg), 24000);
	CHECK_STR(hrg, "WF02B");
	CHECK_INT(coding_first_attendance_price(ref, "410", "2024-06-01",
	    &hrg), -1);
	CHECK_STR(hrg, NULL);
	CHECK_INT(coding_first_attendance_price(ref, "110", "2026-04-01",
	    NULL), -1);
	CHECK_INT(coding_alt_service_price(ref, "MSK01"), 7500);
	CHECK_INT(coding_alt_service_price(ref, "NOPE"), -1);
	CHECK_INT(coding_alt_service(ref, "AG01", &s), 0);
	CHECK_STR(s.name, "Advice and guidance");
	CHECK_STR(s.tfc, NULL);
	CHECK_STR(s.replaces, "first_attendance");
	CHECK_INT(s.price_pence, 2000);

	/* Nothing loaded: one warning, nothing coded. */
	coding_code(empty, &in, &out);
	CHECK_STR(out.status, "uncoded");
	CHECK_STR(out.warnings, "no reference data: nothing has been loaded "
	    "(pars refdata load)");
	CHECK_INT(out.practice_known, -1);
	CHECK_STR(out.tariff_year, "2024/25");
	coding_ref_release(empty);
}

int
main(void)
{
	build();
	test_explicit_and_years();
	test_evidence();
	test_no_tfc();
	test_prices();
	test_practice_referrer();
	test_consultant_provider();
	test_api();
	coding_ref_release(ref);
	return t_done("test_coding");
}
