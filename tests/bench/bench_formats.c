/*
 * bench_formats.c - parse throughput of the CDA, letter and CSV parsers,
 * each beside a baseline measured in the same run on the same bytes:
 *
 *   cda     libxml2 parsing the bytes into a tree (XML_PARSE_NONET) and
 *           freeing it, nothing else
 *   letter  splitting the bytes into lines and each line at its first ':'
 *   csv     splitting the bytes into records and fields (RFC 4180 quotes)
 *
 *   pars-bench-formats [--docs N] [--rows R] [--seconds S]
 *
 * The documents are synthetic and made in memory (deterministic): N CDA
 * referrals and N letters shaped like tests/data/{cda,letter}, and CSV
 * batches of R rows.  Each measurement runs whole passes over the
 * documents until S seconds (default 1) have gone.  parse_document() is
 * what is timed: detection, the parser and the finishing pass.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>

#include "arena.h"
#include "ident.h"
#include "parser.h"

struct spec {
	const char *tfc, *name, *icd, *icd_text, *reason, *med;
};

static const struct spec specs[] = {
    {"110", "Trauma and Orthopaedics", "M17.1", "Primary osteoarthritis of "
	"knee", "Knee pain for 9 months despite physiotherapy and analgesia, "
	"worse on stairs, night pain.", "Paracetamol 1 g four times daily"},
    {"120", "ENT", "J35.0", "Chronic tonsillitis", "Recurrent tonsillitis, "
	"7 episodes in the last year, each needing antibiotics.",
	"Phenoxymethylpenicillin when needed"},
    {"330", "Dermatology", "D22.5", "Melanocytic naevi of trunk", "Pigmented "
	"lesion on the back, changing over 3 months, irregular border.",
	"Emollients"},
    {"320", "Cardiology", "I48.9", "Atrial fibrillation", "Palpitations and "
	"an irregular pulse; ECG shows atrial fibrillation, rate 110.",
	"Bisoprolol 2.5 mg once daily; apixaban 5 mg twice daily"},
    {"301", "Gastroenterology", "K21.9", "Gastro-oesophageal reflux disease",
	"Dyspepsia not settling on a proton pump inhibitor for 8 weeks, FIT "
	"4 ug/g.", "Omeprazole 20 mg once daily"},
    {"502", "Gynaecology", "N92.0", "Heavy menstrual bleeding", "Heavy "
	"menstrual bleeding, Hb 105, tranexamic acid tried.",
	"Tranexamic acid 1 g three times daily during menses"},
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static const char *const trusts[] = {"RWG", "RAL", "RYJ", "R1H", "RJ1",
    "RQM", "RAP", "RKE"};
static const char *const surnames[] = {"Ahmed", "Brown", "Clarke", "Davies",
    "Evans", "Green", "Hughes", "Khan", "Patel", "Shah"};
static const char *const forenames[] = {"Alice", "Ben", "Chloe", "David",
    "Emma", "Femi", "Grace", "Harry", "Priya", "Oliver"};

static unsigned long long rng_state = 88172645463325252ULL;

static unsigned
pick(unsigned n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 2685821657736338717ULL) >> 33) % n;
}

/* A valid NHS number in the test range 999 000 0000 up. */
static void
nhs_number(char out[11])
{
	unsigned i;

	do {
		memcpy(out, "999", 3);
		for (i = 3; i < 9; i++)
			out[i] = (char)('0' + pick(10));
		out[10] = '\0';
		for (i = 0; i < 10; i++) {
			out[9] = (char)('0' + i);
			if (nhs_number_check(out))
				break;
		}
	} while (!nhs_number_check(out));
}

struct doc {
	char *p;
	size_t n;
};

struct corpus {
	struct doc *v;
	size_t n, bytes, referrals;
};

static void
add(struct corpus *c, char *p, size_t n, size_t referrals)
{
	c->v = realloc(c->v, (c->n + 1) * sizeof(*c->v));
	if (c->v == NULL)
		abort();
	c->v[c->n].p = p;
	c->v[c->n].n = n;
	c->n++;
	c->bytes += n;
	c->referrals += referrals;
}

/* printf into a growing malloc'd buffer */
struct out {
	char *p;
	size_t n, cap;
};

static void
outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
outf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(o->p + o->n, o->cap - o->n, fmt, ap);
		va_end(ap);
		if (k >= 0 && (size_t)k < o->cap - o->n) {
			o->n += (size_t)k;
			return;
		}
		o->cap = o->cap ? o->cap * 2 : 4096;
		while (k >= 0 && o->cap - o->n <= (size_t)k)
			o->cap *= 2;
		if ((o->p = realloc(o->p, o->cap)) == NULL)
			abort();
	}
}

struct person {
	char nhs[11], gp[9], cons[9], practice[7];
	const struct spec *s;
	const char *trust, *sur, *fore, *gp_sur, *gp_fore;
	int day, month, year, dob_y, dob_m, dob_d, female;
};

static void
person(struct person *p, unsigned i)
{
	unsigned pr = pick(2);

	nhs_number(p->nhs);
	snprintf(p->practice, sizeof(p->practice), "P8100%u", 3 + pr);
	snprintf(p->gp, sizeof(p->gp), "G80000%u%u", 3 + pr, pick(6));
	snprintf(p->cons, sizeof(p->cons), "C%07u", 3000000 + pick(900000));
	p->s = &specs[pick(NSPECS)];
	p->trust = trusts[pick(8)];
	p->sur = surnames[pick(10)];
	p->fore = forenames[pick(10)];
	p->gp_sur = surnames[(i * 7) % 10];
	p->gp_fore = forenames[(i * 3) % 10];
	p->year = 2025;
	p->month = 1;
	p->day = 1 + (int)pick(31);
	p->dob_y = 1930 + (int)pick(80);
	p->dob_m = 1 + (int)pick(12);
	p->dob_d = 1 + (int)pick(28);
	p->female = (int)pick(2);
}

static void
gen_cda(struct corpus *c, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct person p;
		struct out o = {0};

		person(&p, i);
		outf(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<ClinicalDocument xmlns=\"urn:hl7-org:v3\" "
		    "classCode=\"DOCCLIN\" moodCode=\"EVN\">\n"
		    "  <typeId root=\"2.16.840.1.113883.1.3\" "
		    "extension=\"POCD_HD000040\"/>\n"
		    "  <id root=\"5B2E9C41-7A3D-4F0E-9D1B-%012u\"/>\n"
		    "  <code code=\"3457005\" codeSystem=\"2.16.840.1.113883.2."
		    "1.3.2.4.15\" displayName=\"Patient referral\"/>\n"
		    "  <title>Referral to %s</title>\n"
		    "  <effectiveTime value=\"%04d%02d%02d093000+0000\"/>\n"
		    "  <setId root=\"5B2E9C41-7A3D-4F0E-9D1B-3C8A6E2F1A00\" "
		    "extension=\"%s-CDA-%06u\"/>\n  <versionNumber value=\"1\"/>\n",
		    i, p.s->name, p.year, p.month, p.day, p.practice, i);
		outf(&o, "  <recordTarget typeCode=\"RCT\"><patientRole "
		    "classCode=\"PAT\">\n"
		    "    <id root=\"2.16.840.1.113883.2.1.4.1\" "
		    "extension=\"%s\"/>\n"
		    "    <addr use=\"H\"><streetAddressLine>%u High Street"
		    "</streetAddressLine><city>Anytown</city><postalCode>AN1 "
		    "1AA</postalCode></addr>\n"
		    "    <patient classCode=\"PSN\"><name><given>%s</given>"
		    "<family>%s</family></name>\n"
		    "      <administrativeGenderCode code=\"%s\" "
		    "codeSystem=\"2.16.840.1.113883.2.1.3.2.4.16.25\"/>\n"
		    "      <birthTime value=\"%04d%02d%02d\"/></patient>\n"
		    "    <providerOrganization classCode=\"ORG\"><id "
		    "root=\"2.16.840.1.113883.2.1.3.2.4.19.1\" extension=\"%s\"/>"
		    "</providerOrganization>\n  </patientRole></recordTarget>\n",
		    p.nhs, 1 + pick(200), p.fore, p.sur, p.female ? "2" : "1",
		    p.dob_y, p.dob_m, p.dob_d, p.practice);
		outf(&o, "  <author typeCode=\"AUT\"><time value=\"%04d%02d%02d"
		    "\"/><assignedAuthor classCode=\"ASSIGNED\">\n"
		    "    <id root=\"2.16.840.1.113883.2.1.3.2.4.16.62\" "
		    "extension=\"%s\"/>\n"
		    "    <assignedPerson classCode=\"PSN\"><name><prefix>Dr"
		    "</prefix><given>%s</given><family>%s</family></name>"
		    "</assignedPerson>\n"
		    "    <representedOrganization classCode=\"ORG\"><id "
		    "root=\"2.16.840.1.113883.2.1.3.2.4.19.1\" extension=\"%s\"/>"
		    "<name>Practice %s</name></representedOrganization>\n"
		    "  </assignedAuthor></author>\n"
		    "  <custodian typeCode=\"CST\"><assignedCustodian classCode="
		    "\"ASSIGNED\"><representedCustodianOrganization classCode="
		    "\"ORG\"><id root=\"2.16.840.1.113883.2.1.3.2.4.19.1\" "
		    "extension=\"%s\"/></representedCustodianOrganization>"
		    "</assignedCustodian></custodian>\n"
		    "  <informationRecipient typeCode=\"PRCP\"><intendedRecipient "
		    "classCode=\"ASSIGNED\">\n"
		    "    <id root=\"2.16.840.1.113883.2.1.3.2.4.16.63\" "
		    "extension=\"%s\"/>\n"
		    "    <receivedOrganization classCode=\"ORG\"><id "
		    "root=\"2.16.840.1.113883.2.1.3.2.4.19.1\" extension=\"%s\"/>"
		    "</receivedOrganization>\n"
		    "  </intendedRecipient></informationRecipient>\n",
		    p.year, p.month, p.day, p.gp, p.gp_fore, p.gp_sur,
		    p.practice, p.practice, p.practice, p.cons, p.trust);
		outf(&o, "  <component typeCode=\"COMP\"><structuredBody "
		    "classCode=\"DOCBODY\" moodCode=\"EVN\">\n"
		    "    <component><section><title>Reason for referral</title>"
		    "<text><paragraph>%s</paragraph><paragraph>Seen three times "
		    "in the last six months; examination findings recorded "
		    "below.</paragraph></text>\n"
		    "      <entry><act classCode=\"PCPR\" moodCode=\"RQO\">"
		    "<code code=\"306140003\" codeSystem=\"2.16.840.1.113883.2."
		    "1.3.2.4.15\"/><priorityCode code=\"%s\" codeSystem=\"2.16."
		    "840.1.113883.5.7\"/><participant typeCode=\"REFT\">"
		    "<participantRole><code code=\"%s\" codeSystemName="
		    "\"Treatment Function Code\" displayName=\"%s\"/>"
		    "</participantRole></participant></act></entry>\n"
		    "    </section></component>\n"
		    "    <component><section><title>History</title><text><list>"
		    "<item>Non-smoker.</item><item>Hypertension, well "
		    "controlled.</item><item>No previous surgery.</item></list>"
		    "</text></section></component>\n"
		    "    <component><section><title>Diagnoses</title><text>%s"
		    "</text><entry><observation classCode=\"OBS\" moodCode="
		    "\"EVN\"><code code=\"%s\" codeSystem=\"2.16.840.1.113883.6."
		    "3\" displayName=\"%s\"/></observation></entry></section>"
		    "</component>\n"
		    "    <component><section><title>Current medication</title>"
		    "<text><table><thead><tr><th>Drug</th><th>Dose</th></tr>"
		    "</thead><tbody><tr><td>%s</td><td>as directed</td></tr>"
		    "<tr><td>Ramipril</td><td>5 mg once daily</td></tr></tbody>"
		    "</table></text></section></component>\n"
		    "    <component><section><title>Investigations</title><text>"
		    "<paragraph>FBC, U&amp;E and LFT normal on %02d/12/2024."
		    "</paragraph></text></section></component>\n"
		    "  </structuredBody></component>\n</ClinicalDocument>\n",
		    p.s->reason, pick(4) ? "R" : "UR", p.s->tfc, p.s->name,
		    p.s->icd_text, p.s->icd, p.s->icd_text, p.s->med,
		    1 + (int)pick(28));
		add(c, o.p, o.n, 1);
	}
}

static void
gen_letter(struct corpus *c, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct person p;
		struct out o = {0};

		person(&p, i);
		outf(&o, "Practice %s (%s)\n1 High Street, Anytown AN1 1AA\n"
		    "Tel: 01234 567890\n\nDate: %d January %d\n\n"
		    "To: Dr R %s, Consultant (%s)\n    %s, Royal Hospital (%s)"
		    "\n\nRe: %s %s %s   DOB: %02d/%02d/%04d   NHS No: %.3s %.3s "
		    "%.4s\nAddress: %u Low Road\nAnytown\nAN1 2BB\n\n"
		    "Priority: %s\nSpecialty: %s (%s)\nReferring GP: Dr %s %s "
		    "(%s)\n\nDear Dr %s,\n\nReason for referral:\n%s\nSeen "
		    "three times in the last six months.\n\nDiagnosis: %s "
		    "(ICD-10 %s)\n\nPast medical history:\nHypertension, well "
		    "controlled.\n\nCurrent medication:\n%s\nRamipril 5 mg "
		    "once daily\n\nInvestigations:\nFBC, U&E and LFT normal on "
		    "%02d/12/2024.\n\nYours sincerely,\n\nDr %s %s\nGP Partner\n",
		    p.practice, p.practice, p.day, p.year, p.sur, p.cons,
		    p.s->name, p.trust, p.female ? "Mrs" : "Mr", p.fore, p.sur,
		    p.dob_d, p.dob_m, p.dob_y, p.nhs, p.nhs + 3, p.nhs + 6,
		    1 + pick(200), pick(4) ? "Routine" : "Urgent", p.s->name,
		    p.s->tfc, p.gp_fore, p.gp_sur, p.gp, p.sur, p.s->reason,
		    p.s->icd_text, p.s->icd, p.s->med, 1 + (int)pick(28),
		    p.gp_fore, p.gp_sur);
		add(c, o.p, o.n, 1);
	}
}

static void
gen_csv(struct corpus *c, unsigned batches, unsigned rows)
{
	unsigned b, i;

	for (b = 0; b < batches; b++) {
		struct out o = {0};

		outf(&o, "source_id,referral_date,practice_ods,referrer_code,"
		    "referrer_name,nhs_number,dob,sex,priority,specialty,tfc,"
		    "provider_ods,consultant_code,icd10,snomed,opcs4,reason\r\n");
		for (i = 0; i < rows; i++) {
			struct person p;

			person(&p, i);
			outf(&o, "%s-%06u,%04d-%02d-%02d,%s,%s,Dr %s %s,%s,"
			    "%04d-%02d-%02d,%s,%s,\"%s\",%s,%s,%s,%s,,,\"%s\""
			    "\r\n", p.practice, b * rows + i, p.year, p.month,
			    p.day, p.practice, p.gp, p.gp_fore, p.gp_sur,
			    p.nhs, p.dob_y, p.dob_m, p.dob_d, p.female ? "F" :
			    "M", pick(4) ? "routine" : "urgent", p.s->name,
			    p.s->tfc, p.trust, p.cons, p.s->icd, p.s->reason);
		}
		add(c, o.p, o.n, rows);
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The parse: whole passes until secs have gone; returns seconds/pass. */
static double
time_parse(const struct corpus *c, double secs)
{
	struct parse_limits lim;
	struct parse_result res;
	struct arena *a = arena_new(0);
	double t0 = now(), t;
	size_t i, passes = 0, got = 0;

	parse_limits_default(&lim);
	do {
		for (i = 0; i < c->n; i++) {
			arena_reset(a);
			if (parse_document(a, (const unsigned char *)c->v[i].p,
			    c->v[i].n, &lim, &res) < 0) {
				fprintf(stderr, "bench: document %zu: %s\n", i,
				    res.err.msg);
				exit(1);
			}
			got += res.n;
		}
		passes++;
		t = now() - t0;
	} while (t < secs);
	arena_free(a);
	if (got != c->referrals * passes) {
		fprintf(stderr, "bench: %zu referrals, want %zu\n", got,
		    c->referrals * passes);
		exit(1);
	}
	return t / (double)passes;
}

static volatile size_t sink;

static void
base_xml(const struct doc *d)
{
	xmlDocPtr x = xmlReadMemory(d->p, (int)d->n, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

	if (x == NULL)
		abort();
	sink += (size_t)xmlDocGetRootElement(x);
	xmlFreeDoc(x);
}

static void
base_lines(const struct doc *d)
{
	const char *p = d->p, *end = d->p + d->n, *eol, *colon;
	size_t n = 0;

	for (; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if ((colon = memchr(p, ':', (size_t)(eol - p))) != NULL)
			n += (size_t)(colon - p);
		n++;
	}
	sink += n;
}

static void
base_fields(const struct doc *d)
{
	const char *p = d->p, *end = d->p + d->n;
	size_t fields = 0, records = 0;
	int inq = 0;

	for (; p < end; p++) {
		char ch = *p;

		if (ch == '"')
			inq = !inq;
		else if (inq)
			continue;
		else if (ch == ',')
			fields++;
		else if (ch == '\n')
			records++;
	}
	sink += fields + records;
}

static double
time_base(const struct corpus *c, void (*fn)(const struct doc *),
    double secs)
{
	double t0 = now(), t;
	size_t i, passes = 0;

	do {
		for (i = 0; i < c->n; i++)
			fn(&c->v[i]);
		passes++;
		t = now() - t0;
	} while (t < secs);
	return t / (double)passes;
}

static void
report(const char *name, const struct corpus *c, double tp, double tb,
    const char *base)
{
	double mb = (double)c->bytes / 1e6;

	printf("%-7s %6zu %7.2f %10.1f %12.0f   %-26s %9.1f %8.2fx\n", name,
	    c->n, mb, mb / tp, (double)c->referrals / tp, base, mb / tb,
	    tp / tb);
}

int
main(int argc, char **argv)
{
	unsigned docs = 2000, rows = 1000;
	double secs = 1.0;
	struct corpus cda = {0}, letter = {0}, csv = {0};
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--docs") == 0)
			docs = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--rows") == 0)
			rows = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--seconds") == 0)
			secs = strtod(argv[i + 1], NULL);
		else {
			fprintf(stderr, "usage: pars-bench-formats [--docs N] "
			    "[--rows R] [--seconds S]\n");
			return 2;
		}
	}
	if (docs == 0 || rows == 0) {
		fprintf(stderr, "pars-bench-formats: --docs and --rows must be "
		    "at least 1\n");
		return 2;
	}
	xmlInitParser();
	gen_cda(&cda, docs);
	gen_letter(&letter, docs);
	gen_csv(&csv, docs / 100 + 1, rows);
	printf("%-7s %6s %7s %10s %12s   %-26s %9s %9s\n", "format", "docs",
	    "MB", "parse MB/s", "referrals/s", "baseline (same bytes)",
	    "base MB/s", "parse/base");
	report("cda", &cda, time_parse(&cda, secs), time_base(&cda, base_xml,
	    secs), "libxml2 tree, nothing else");
	report("letter", &letter, time_parse(&letter, secs), time_base(&letter,
	    base_lines, secs), "split lines at ':'");
	report("csv", &csv, time_parse(&csv, secs), time_base(&csv,
	    base_fields, secs), "split records and fields");
	return 0;
}
