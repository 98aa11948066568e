/*
 * gen_referrals.c - synthetic, realistic UK outpatient referrals for
 * tests, the demo and benchmarks.  Deterministic for a given seed.
 *
 *   pars-gen --practices N --referrals M --out DIR [--seed S]
 *            [--from YYYY-MM-DD] [--days D]
 *            [--format hl7v2|csv|cda|letter] [--per-file K] [--rows]
 *
 * Writes DIR/<ODS>/<name> files: one referral a file (HL7 v2 REF^I12, an
 * ITK-style CDA document, or a practice letter), or a CSV batch of K
 * referrals a file.  --rows prints the same referrals as
 * tab-separated rows for COPY into pars.referrals (the benchmark's
 * baseline) instead of writing files.
 *
 * Every identifier is synthetic: NHS numbers are valid check-digit
 * numbers in the 999 range that NHS England reserves for testing
 * (999 000 0000 - 999 999 9999), and names are made up.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dates.h"
#include "ident.h"

struct spec {
	const char *tfc, *name;
	int weight;
	const char *icd[4];
	const char *icd_text[4];
	const char *reason[3];
};

/* Roughly the shape of GP outpatient referrals by specialty. */
static const struct spec specs[] = {
    {"110", "Trauma and Orthopaedics", 16, {"M17.1", "M75.1", "M54.5", "G56.0"},
	{"Primary osteoarthritis of knee", "Rotator cuff syndrome",
	    "Low back pain", "Carpal tunnel syndrome"},
	{"Knee pain for 9 months despite physiotherapy and analgesia",
	    "Shoulder pain, painful arc, not improving after injection",
	    "Numbness in the hand at night, worse over 6 months"}},
    {"120", "ENT", 9, {"H65.3", "J35.0", "H81.1", "R04.0"},
	{"Chronic mucoid otitis media", "Chronic tonsillitis",
	    "Benign paroxysmal vertigo", "Epistaxis"},
	{"Recurrent tonsillitis, 7 episodes in the last year",
	    "Hearing loss and glue ear for 4 months",
	    "Recurrent nosebleeds from the left nostril"}},
    {"130", "Ophthalmology", 8, {"H25.9", "H40.1", "H35.3", "H00.1"},
	{"Senile cataract", "Primary open-angle glaucoma",
	    "Degeneration of macula", "Chalazion"},
	{"Gradual loss of vision, cataract seen by optometrist",
	    "Raised intraocular pressure found by optometrist",
	    "Chalazion left upper lid for 8 months"}},
    {"330", "Dermatology", 9, {"L82", "L40.0", "D22.5", "L70.0"},
	{"Seborrhoeic keratosis", "Psoriasis vulgaris",
	    "Melanocytic naevi of trunk", "Acne vulgaris"},
	{"Pigmented lesion on the back, changing over 3 months",
	    "Extensive psoriasis not controlled on topical treatment",
	    "Benign-looking seborrhoeic keratoses, patient wants removal"}},
    {"320", "Cardiology", 7, {"I48.9", "R07.4", "I50.9", "R00.2"},
	{"Atrial fibrillation", "Chest pain", "Heart failure",
	    "Palpitations"},
	{"Palpitations and irregular pulse, ECG shows AF",
	    "Exertional chest tightness for 6 weeks",
	    "Breathless on exertion, ankle swelling, raised NT-proBNP"}},
    {"301", "Gastroenterology", 7, {"K21.9", "K58.9", "R19.4", "K50.9"},
	{"Gastro-oesophageal reflux disease", "Irritable bowel syndrome",
	    "Change in bowel habit", "Crohn's disease"},
	{"Change in bowel habit for 8 weeks, FIT 4 ug/g",
	    "Dyspepsia not settling on PPI",
	    "Abdominal pain and bloating, coeliac screen negative"}},
    {"502", "Gynaecology", 7, {"N92.0", "N95.1", "N81.1", "N83.2"},
	{"Heavy menstrual bleeding", "Menopausal symptoms", "Cystocele",
	    "Ovarian cyst"},
	{"Heavy menstrual bleeding, Hb 105, tried tranexamic acid",
	    "Prolapse symptoms, dragging sensation",
	    "Simple ovarian cyst 4 cm on ultrasound"}},
    {"101", "Urology", 6, {"N40", "R31", "N20.0", "N43.3"},
	{"Hyperplasia of prostate", "Haematuria", "Calculus of kidney",
	    "Hydrocele"},
	{"Lower urinary tract symptoms, PSA 3.1",
	    "Visible haematuria on one occasion",
	    "Left renal colic, 6 mm stone on CT"}},
    {"100", "General Surgery", 6, {"K40.9", "K80.2", "I84.2", "L72.1"},
	{"Inguinal hernia", "Gallstones", "Internal haemorrhoids",
	    "Sebaceous cyst"},
	{"Reducible right inguinal hernia, symptomatic",
	    "Biliary colic, gallstones on ultrasound",
	    "Bleeding haemorrhoids despite conservative treatment"}},
    {"340", "Respiratory Medicine", 5, {"J44.9", "J45.9", "R05", "R04.2"},
	{"COPD", "Asthma", "Cough", "Haemoptysis"},
	{"Persistent cough for 3 months, normal chest X-ray",
	    "Poorly controlled asthma despite step 3 treatment",
	    "Breathlessness, FEV1 55% predicted"}},
    {"410", "Rheumatology", 4, {"M06.9", "M79.7", "M10.9", "M35.3"},
	{"Rheumatoid arthritis", "Fibromyalgia", "Gout",
	    "Polymyalgia rheumatica"},
	{"Inflammatory arthritis of hands, raised CRP",
	    "Widespread pain, normal bloods",
	    "Recurrent gout despite allopurinol"}},
    {"400", "Neurology", 4, {"G43.9", "G40.9", "R51", "G35"},
	{"Migraine", "Epilepsy", "Headache", "Multiple sclerosis"},
	{"Headaches for 2 months, no red flags",
	    "First seizure, witnessed",
	    "Migraine not responding to two preventers"}},
    {"103", "Breast Surgery", 4, {"N63", "N64.4", "N60.1", "R92"},
	{"Lump in breast", "Mastodynia", "Fibrocystic disease",
	    "Abnormal breast imaging"},
	{"Breast lump left upper outer quadrant, 2 cm",
	    "Breast pain, no lump, normal examination",
	    "Nipple discharge, one-sided"}},
    {"300", "General Internal Medicine", 3, {"R53", "R63.4", "E11.9", "D64.9"},
	{"Malaise and fatigue", "Abnormal weight loss",
	    "Type 2 diabetes", "Anaemia"},
	{"Tiredness and weight loss, bloods normal",
	    "Unexplained weight loss of 6 kg",
	    "Iron deficiency anaemia, normal FIT"}},
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static const char *const meds[] = {"ramipril 5mg od, atorvastatin 20mg on",
    "co-codamol 30/500 prn", "omeprazole 20mg od", "amlodipine 5mg od",
    "metformin 500mg bd", "levothyroxine 100mcg od", "sertraline 50mg od",
    "salbutamol inhaler prn, beclometasone 200mcg bd", "none"};

static const char *const trusts[] = {"RWG", "RAL", "RYJ", "R1H", "RJ1",
    "RQM", "RAP", "RKE"};
static const char *const surnames[] = {"Ahmed", "Brown", "Clarke", "Davies",
    "Evans", "Fletcher", "Green", "Hughes", "Iqbal", "Jones", "Khan",
    "Lewis", "Morgan", "Nolan", "Owen", "Patel", "Roberts", "Shah",
    "Taylor", "Walker"};
static const char *const forenames[] = {"Alice", "Ben", "Chloe", "David",
    "Emma", "Femi", "Grace", "Harry", "Isla", "Jack", "Kiran", "Laura",
    "Mohammed", "Nina", "Oliver", "Priya"};

static uint64_t rng_state;

static uint32_t
rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static unsigned
pick(unsigned n)
{
	return rng() % n;
}

/* A valid NHS number in the reserved test range 999 000 0000 up. */
static void
nhs_number(char out[11])
{
	do {
		unsigned i;

		memcpy(out, "999", 3);
		for (i = 3; i < 9; i++)
			out[i] = (char)('0' + pick(10));
		out[9] = '0';
		out[10] = '\0';
		for (i = 0; i < 10; i++) {
			out[9] = (char)('0' + i);
			if (nhs_number_check(out))
				break;
		}
	} while (!nhs_number_check(out));
}

static void
practice_code(unsigned i, char out[7])
{
	snprintf(out, 7, "P8%04u", 1000 + i % 9000);
}

static void
gp_code(unsigned practice, unsigned gp, char out[9])
{
	snprintf(out, 9, "G%07u", (8000000 + practice * 10 + gp) % 10000000);
}

static void
add_days(const char *from, long days, char out[11])
{
	long d = date_days(from) + days;
	/* civil_from_days (Howard Hinnant) */
	long z = d + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153, dd = doy - (153 * mp + 2) / 5 + 1;
	long mm = mp + (mp < 10 ? 3 : -9);

	char tmp[80];

	y += mm <= 2;
	snprintf(tmp, sizeof(tmp), "%04ld-%02ld-%02ld", y, mm, dd);
	memcpy(out, tmp, 10);
	out[10] = '\0';
}

static const struct spec *
pick_spec(void)
{
	unsigned total = 0, i, r;

	for (i = 0; i < NSPECS; i++)
		total += (unsigned)specs[i].weight;
	r = pick(total);
	for (i = 0; i < NSPECS; i++) {
		if (r < (unsigned)specs[i].weight)
			return &specs[i];
		r -= (unsigned)specs[i].weight;
	}
	return &specs[0];
}

struct gen {
	char practice[7], gp[9], nhs[11], date[11], dob[11], id[32];
	const struct spec *spec;
	const char *prio, *trust, *sex, *gp_sur, *gp_fore;
	unsigned dx;
	char consultant[9];
	int reason;
	int meds; /* index into meds, -1: not stated */
};

static void
make(struct gen *g, unsigned practice, unsigned long serial, const char *from,
    int days)
{
	unsigned p = pick(100), gpn = pick(6);

	practice_code(practice, g->practice);
	gp_code(practice, gpn, g->gp);
	g->gp_sur = surnames[(practice + gpn) % 20];
	g->gp_fore = forenames[(practice * 3 + gpn) % 16];
	nhs_number(g->nhs);
	add_days(from, (long)pick((unsigned)days), g->date);
	add_days("1930-01-01", (long)pick(365 * 88), g->dob);
	if (strcmp(g->dob, g->date) > 0)
		memcpy(g->dob, "1950-06-15", 11);
	g->spec = pick_spec();
	g->prio = p < 74 ? "R" : p < 88 ? "U" : "2WW";
	g->trust = trusts[pick(8)];
	g->sex = pick(2) ? "F" : "M";
	if (strcmp(g->spec->tfc, "502") == 0 || strcmp(g->spec->tfc, "103") == 0)
		g->sex = "F";
	if (strcmp(g->spec->tfc, "101") == 0 && pick(3) > 0)
		g->sex = "M";
	g->dx = pick(4);
	g->reason = (int)pick(3);
	g->meds = pick(10) < 8 ? (int)pick(9) : -1;
	snprintf(g->consultant, 9, "C%07u", 3000000 + pick(900000));
	snprintf(g->id, sizeof(g->id), "%s-%06lu", g->practice, serial);
}

static void
hl7(FILE *fp, const struct gen *g, unsigned long serial)
{
	char d[9], dob[9];

	snprintf(d, 9, "%.4s%.2s%.2s", g->date, g->date + 5, g->date + 8);
	snprintf(dob, 9, "%.4s%.2s%.2s", g->dob, g->dob + 5, g->dob + 8);
	fprintf(fp, "MSH|^~\\&|GPSYS|%s|PARS|PARS|%s093000||REF^I12^REF_I12|"
	    "M%s%06lu|P|2.4|||AL|NE|GBR\r", g->practice, d, g->practice,
	    serial);
	fprintf(fp, "RF1|A|%s|%s^%s^TFC||O|%s|%s|||||||%s\r",
	    strcmp(g->prio, "R") == 0 ? "R^Routine" : strcmp(g->prio, "U") == 0
	    ? "U^Urgent" : "2WW^Two week wait", g->spec->tfc, g->spec->name,
	    g->id, d, g->spec->reason[g->reason]);
	fprintf(fp, "PRD|RP|%s^%s^^^DR|||||%s^GMP~%s^ODS\r", g->gp_sur,
	    g->gp_fore, g->gp, g->practice);
	fprintf(fp, "PRD|RT|%s^%s^^^MR|||||%s^GMC~%s^ODS\r",
	    surnames[g->dx * 5 % 20], forenames[g->dx * 3 % 16], g->consultant,
	    g->trust);
	fprintf(fp, "PID|1||%s^^^NHS^NH||%s^%s||%s|%s|||1 High Street^^"
	    "Anytown^^AN1 1AA\r", g->nhs, surnames[pick(20)],
	    forenames[pick(16)], dob, g->sex);
	fprintf(fp, "PD1|||SURGERY %s^^%s|%s^%s^%s^^^DR^^NATGP\r", g->practice,
	    g->practice, g->gp, g->gp_sur, g->gp_fore);
	fprintf(fp, "DG1|1||%s^%s^I10\r", g->spec->icd[g->dx],
	    g->spec->icd_text[g->dx]);
	if (g->meds >= 0)
		fprintf(fp, "NTE|||Medication: %s\r", meds[g->meds]);
}

static void
csv_header(FILE *fp)
{
	fputs("source_id,referral_date,practice_ods,referrer_code,"
	    "referrer_name,nhs_number,dob,sex,priority,specialty,tfc,"
	    "provider_ods,consultant_code,icd10,snomed,opcs4,reason\r\n", fp);
}

static void
csv_row(FILE *fp, const struct gen *g)
{
	fprintf(fp, "%s,%s,%s,%s,Dr %s %s,%s,%s,%s,%s,\"%s\",%s,%s,%s,%s,,,"
	    "\"%s\"\r\n", g->id, g->date, g->practice, g->gp, g->gp_fore,
	    g->gp_sur, g->nhs, g->dob, g->sex, strcmp(g->prio, "R") == 0 ?
	    "routine" : strcmp(g->prio, "U") == 0 ? "urgent" : "2WW",
	    g->spec->name, g->spec->tfc, g->trust, g->consultant,
	    g->spec->icd[g->dx], g->spec->reason[g->reason]);
}

/* Digits of a YYYY-MM-DD date: year, month, day. */
static void
ymd(const char *d, int *y, int *m, int *dd)
{
	*y = (int)strtol(d, NULL, 10);
	*m = (int)strtol(d + 5, NULL, 10);
	*dd = (int)strtol(d + 8, NULL, 10);
}

/* An NHS ITK-style CDA referral (the shape of tests/data/cda). */
static void
cda(FILE *fp, const struct gen *g, unsigned long serial)
{
	int y, m, d, by, bm, bd;

	ymd(g->date, &y, &m, &d);
	ymd(g->dob, &by, &bm, &bd);
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ClinicalDocument xmlns=\"urn:hl7-org:v3\" classCode=\"DOCCLIN\" "
	    "moodCode=\"EVN\">\n"
	    "  <typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"/>\n"
	    "  <id root=\"5B2E9C41-7A3D-4F0E-9D1B-%012lu\"/>\n"
	    "  <code code=\"3457005\" codeSystem=\"2.16.840.1.113883.2.1.3.2.4.15\" "
	    "displayName=\"Patient referral\"/>\n"
	    "  <title>Referral to %s</title>\n"
	    "  <effectiveTime value=\"%04d%02d%02d093000+0000\"/>\n"
	    "  <setId root=\"5B2E9C41-7A3D-4F0E-9D1B-3C8A6E2F1A00\" extension=\"%s\"/>\n"
	    "  <versionNumber value=\"1\"/>\n", serial, g->spec->name, y, m, d,
	    g->id);
	fprintf(fp, "  <recordTarget typeCode=\"RCT\"><patientRole classCode=\"PAT\">\n"
	    "    <id root=\"2.16.840.1.113883.2.1.4.1\" extension=\"%s\"/>\n"
	    "    <addr use=\"H\"><streetAddressLine>1 High Street</streetAddressLine>"
	    "<city>Anytown</city><postalCode>AN1 1AA</postalCode></addr>\n"
	    "    <patient classCode=\"PSN\"><name><given>%s</given><family>%s"
	    "</family></name>\n"
	    "      <administrativeGenderCode code=\"%s\" "
	    "codeSystem=\"2.16.840.1.113883.2.1.3.2.4.16.25\"/>\n"
	    "      <birthTime value=\"%04d%02d%02d\"/></patient>\n"
	    "  </patientRole></recordTarget>\n", g->nhs,
	    forenames[serial % 16], surnames[serial % 20],
	    g->sex[0] == 'F' ? "2" : "1", by, bm, bd);
	fprintf(fp, "  <author typeCode=\"AUT\"><time value=\"%04d%02d%02d\"/>"
	    "<assignedAuthor classCode=\"ASSIGNED\">\n"
	    "    <id root=\"2.16.840.1.113883.2.1.3.2.4.16.62\" extension=\"%s\"/>\n"
	    "    <assignedPerson classCode=\"PSN\"><name><prefix>Dr</prefix>"
	    "<given>%s</given><family>%s</family></name></assignedPerson>\n"
	    "    <representedOrganization classCode=\"ORG\"><id "
	    "root=\"2.16.840.1.113883.2.1.3.2.4.19.1\" extension=\"%s\"/>"
	    "<name>Surgery %s</name></representedOrganization>\n"
	    "  </assignedAuthor></author>\n"
	    "  <custodian typeCode=\"CST\"><assignedCustodian classCode=\"ASSIGNED\">"
	    "<representedCustodianOrganization classCode=\"ORG\"><id "
	    "root=\"2.16.840.1.113883.2.1.3.2.4.19.1\" extension=\"%s\"/>"
	    "</representedCustodianOrganization></assignedCustodian></custodian>\n"
	    "  <informationRecipient typeCode=\"PRCP\"><intendedRecipient "
	    "classCode=\"ASSIGNED\">\n"
	    "    <id root=\"2.16.840.1.113883.2.1.3.2.4.16.63\" extension=\"%s\"/>\n"
	    "    <receivedOrganization classCode=\"ORG\"><id "
	    "root=\"2.16.840.1.113883.2.1.3.2.4.19.1\" extension=\"%s\"/>"
	    "</receivedOrganization>\n"
	    "  </intendedRecipient></informationRecipient>\n", y, m, d, g->gp,
	    g->gp_fore, g->gp_sur, g->practice, g->practice, g->practice,
	    g->consultant, g->trust);
	fprintf(fp, "  <component typeCode=\"COMP\"><structuredBody "
	    "classCode=\"DOCBODY\" moodCode=\"EVN\">\n"
	    "    <component><section><title>Reason for referral</title><text>"
	    "<paragraph>%s</paragraph></text>\n"
	    "      <entry><act classCode=\"PCPR\" moodCode=\"RQO\"><code "
	    "code=\"306140003\" codeSystem=\"2.16.840.1.113883.2.1.3.2.4.15\"/>"
	    "<priorityCode code=\"%s\" codeSystem=\"2.16.840.1.113883.5.7\"/>"
	    "<participant typeCode=\"REFT\"><participantRole><code code=\"%s\" "
	    "codeSystemName=\"Treatment Function Code\" displayName=\"%s\"/>"
	    "</participantRole></participant></act></entry>\n"
	    "    </section></component>\n"
	    "    <component><section><title>Diagnoses</title><text>%s</text>"
	    "<entry><observation classCode=\"OBS\" moodCode=\"EVN\"><code "
	    "code=\"%s\" codeSystem=\"2.16.840.1.113883.6.3\" displayName=\"%s\"/>"
	    "</observation></entry></section></component>\n"
	    "    <component><section><title>Current medication</title><text>"
	    "<paragraph>%s</paragraph></text></section></component>\n"
	    "  </structuredBody></component>\n</ClinicalDocument>\n",
	    g->spec->reason[g->reason], strcmp(g->prio, "R") == 0 ? "R" : "UR",
	    g->spec->tfc, g->spec->name, g->spec->icd_text[g->dx],
	    g->spec->icd[g->dx], g->spec->icd_text[g->dx],
	    g->meds >= 0 ? meds[g->meds] : "none recorded");
}

/* A practice system's referral letter (the shape of tests/data/letter). */
static void
letter(FILE *fp, const struct gen *g, unsigned long serial)
{
	int y, m, d, by, bm, bd;
	static const char *const months[] = {"January", "February", "March",
	    "April", "May", "June", "July", "August", "September", "October",
	    "November", "December"};

	ymd(g->date, &y, &m, &d);
	ymd(g->dob, &by, &bm, &bd);
	fprintf(fp, "Surgery %s (%s)\n1 High Street, Anytown AN1 1AA\n"
	    "Tel: 01234 567890\n\nDate: %d %s %d\n\n"
	    "To: Consultant (%s)\n    %s, Royal Hospital (%s)\n\n"
	    "Re: %s %s   DOB: %02d/%02d/%04d   NHS No: %.3s %.3s %.4s\n"
	    "Address: 2 Low Road\nAnytown\nAN1 2BB\n\n"
	    "Referral ID: %s\nPriority: %s\nSpecialty: %s (%s)\n"
	    "Referring GP: Dr %s %s (%s)\n\nDear Colleague,\n\n"
	    "Reason for referral:\n%s\n\nDiagnosis: %s (ICD-10 %s)\n\n"
	    "Current medication:\n%s\n\nYours sincerely,\n\nDr %s %s\n",
	    g->practice, g->practice, d, months[m - 1], y, g->consultant,
	    g->spec->name, g->trust, forenames[serial % 16],
	    surnames[serial % 20], bd, bm, by, g->nhs, g->nhs + 3, g->nhs + 6,
	    g->id, strcmp(g->prio, "R") == 0 ? "Routine" :
	    strcmp(g->prio, "U") == 0 ? "Urgent" : "Two week wait",
	    g->spec->name, g->spec->tfc, g->gp_fore, g->gp_sur, g->gp,
	    g->spec->reason[g->reason], g->spec->icd_text[g->dx],
	    g->spec->icd[g->dx], g->meds >= 0 ? meds[g->meds] : "none",
	    g->gp_fore, g->gp_sur);
}

/* One tab-separated row in the column order of pars.referrals' COPY. */
static void
copy_row(FILE *fp, const struct gen *g, unsigned long serial)
{
	/* document_id, position, format, source_id, status, practice_ods,
	 * referrer_code, patient_pseudonym (fake hex), nhs_number_valid,
	 * age_years, sex, referral_date, priority, tfc_sent, provider_ods,
	 * consultant_code, reason_text, content_sha256 */
	fprintf(fp, "%lu\t0\thl7v2\t%s\tactive\t%s\t%s\t%064lx\tt\t%d\t%s\t%s"
	    "\t%s\t%s\t%s\t%s\t%s\t\\\\x%064lx\n", serial + 1, g->id,
	    g->practice, g->gp, serial, date_age(g->dob, g->date),
	    g->sex[0] == 'F' ? "female" : "male", g->date,
	    strcmp(g->prio, "R") == 0 ? "routine" : strcmp(g->prio, "U") == 0
	    ? "urgent" : "two_week_wait", g->spec->tfc, g->trust,
	    g->consultant, g->spec->reason[g->reason], serial);
}

static void
usage(void)
{
	fprintf(stderr, "usage: pars-gen --practices N --referrals M "
	    "--out DIR [--seed S] [--from DATE] [--days D] "
	    "[--format hl7v2|csv|cda|letter] [--per-file K] [--rows]\n");
	exit(2);
}

static long
number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		usage();
	return v;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"practices", required_argument, NULL, 'p'},
	    {"referrals", required_argument, NULL, 'n'},
	    {"out", required_argument, NULL, 'o'},
	    {"seed", required_argument, NULL, 's'},
	    {"from", required_argument, NULL, 'f'},
	    {"days", required_argument, NULL, 'd'},
	    {"format", required_argument, NULL, 'F'},
	    {"per-file", required_argument, NULL, 'k'},
	    {"rows", no_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0}};
	long practices = 10, n = 100, days = 30, per_file = 1;
	const char *out = NULL, *from = "2025-01-01", *format = "hl7v2";
	unsigned long i = 0, p;
	int ch, rows = 0;
	char check[11];
	FILE *fp = NULL;

	rng_state = 0x9e3779b97f4a7c15ULL;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': practices = number(optarg); break;
		case 'n': n = number(optarg); break;
		case 'o': out = optarg; break;
		case 's': rng_state ^= (uint64_t)number(optarg) * 0x100000001b3ULL; break;
		case 'f': from = optarg; break;
		case 'd': days = number(optarg); break;
		case 'F': format = optarg; break;
		case 'k': per_file = number(optarg); break;
		case 'r': rows = 1; break;
		default: usage();
		}
	}
	if (practices < 1 || days < 1 || per_file < 1 ||
	    date_parse(from, check) < 0 || (!rows && out == NULL) ||
	    (strcmp(format, "hl7v2") != 0 && strcmp(format, "csv") != 0 &&
	    strcmp(format, "cda") != 0 && strcmp(format, "letter") != 0) ||
	    (per_file > 1 && strcmp(format, "csv") != 0))
		usage();
	if (rng_state == 0)
		rng_state = 1;
	if (!rows && mkdir(out, 0755) < 0 && errno != EEXIST) {
		perror(out);
		return 1;
	}
	for (p = 0; p < (unsigned long)practices; p++) {
		unsigned long cnt = (unsigned long)n / (unsigned long)practices +
		    (p < (unsigned long)n % (unsigned long)practices), j;

		for (j = 0; j < cnt; j++, i++) {
			struct gen g;

			make(&g, (unsigned)p, i, from, (int)days);
			if (rows) {
				copy_row(stdout, &g, i);
				continue;
			}
			if (j % (unsigned long)per_file == 0) {
				char dir[4096], path[4200];

				if (fp != NULL)
					fclose(fp);
				snprintf(dir, sizeof(dir), "%s/%s", out,
				    g.practice);
				if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
					perror(dir);
					return 1;
				}
				snprintf(path, sizeof(path), "%s/%s%s", dir,
				    g.id, strcmp(format, "csv") == 0 ? ".csv" :
				    strcmp(format, "cda") == 0 ? ".xml" :
				    strcmp(format, "letter") == 0 ? ".txt" :
				    ".hl7");
				if ((fp = fopen(path, "wb")) == NULL) {
					perror(path);
					return 1;
				}
				if (strcmp(format, "csv") == 0)
					csv_header(fp);
			}
			if (strcmp(format, "csv") == 0)
				csv_row(fp, &g);
			else if (strcmp(format, "cda") == 0)
				cda(fp, &g, i);
			else if (strcmp(format, "letter") == 0)
				letter(fp, &g, i);
			else
				hl7(fp, &g, i);
		}
	}
	if (fp != NULL)
		fclose(fp);
	return 0;
}
