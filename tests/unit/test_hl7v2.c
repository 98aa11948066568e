/*
 * test_hl7v2.c - the HL7 v2 parser, field by field, on the public corpus
 * and on UK-style messages in tests/data/hl7v2 (all three line endings,
 * batches, escapes, Windows-1252, and broken messages).
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
parse_file(const char *dir, const char *name)
{
	return parse_path(dir, name, NULL);
}

static void
test_corpus_ref_i12(void)
{
	const struct referral *r;

	/* microsoft/FHIR-Converter REF-I12-01.hl7, US style. */
	CHECK_INT(parse_file(PARS_CORPUS "/hl7v2", "REF-I12-01.hl7"), 0);
	CHECK_INT(res.n, 1);
	r = res.v[0];
	CHECK_STR(r->format, "hl7v2");
	CHECK_STR(res.format, "hl7v2");
	/* RF1-6 originating referral id 226839^EPIC (RF1-11 11001 is not
	 * a UBRN). */
	CHECK_STR(r->source_id, "226839");
	CHECK_INT(r->status, REF_ACTIVE);	  /* RF1-1 P pending */
	CHECK_INT(r->priority, REF_PRIO_ROUTINE); /* RF1-2 R^Routine */
	CHECK_STR(r->specialty_text, "Medical");  /* RF1-3 Med^Medical */
	CHECK(r->tfc == NULL);
	CHECK_STR(r->referral_date, "2022-01-25"); /* RF1-7 */
	CHECK_STR(r->referrer_name, "DR ROBERT POWELL"); /* PRD RP */
	CHECK(r->referrer_code == NULL); /* PLN1001^SL is a state licence */
	CHECK(r->practice_ods == NULL);
	CHECK(r->nhs_number == NULL);
	CHECK_INT(r->nhs_number_valid, 0);
	CHECK_INT(r->age_years, 60); /* PID-7 19610615 */
	CHECK_INT(r->sex, REF_SEX_MALE);
	CHECK_INT(r->diagnoses.n, 1);
	CHECK_STR(r->diagnoses.v[0].code, "K63.3");
	CHECK_INT(r->diagnoses.v[0].system, CS_ICD10);
	CHECK_STR(r->diagnoses.v[0].text, "Ulcer of Intestine");
	CHECK_INT(r->procedures.n, 1);
	CHECK_STR(r->procedures.v[0].code, "76164006");
	CHECK_INT(r->procedures.v[0].system, CS_SNOMED);
	CHECK_HAS(r->reason_text, "Lab Test for Ulcer");
	CHECK_HAS(r->results_text, "Helicobacter pylori Ab[Presence] in "
	    "Serum: Positive");

	/* REF^I14 is HL7's "cancel patient referral". */
	CHECK_INT(parse_file(PARS_CORPUS "/hl7v2", "REF-I14-01.hl7"), 0);
	CHECK_INT(res.n, 1);
	CHECK_INT(res.v[0]->status, REF_CANCELLED);
	CHECK_STR(res.v[0]->source_id, "226839");
}

static void
check_uk(const struct referral *r)
{
	CHECK_STR(r->source_id, "REF-0001");
	CHECK_INT(r->status, REF_ACTIVE);
	CHECK_INT(r->priority, REF_PRIO_TWO_WEEK_WAIT);
	CHECK_STR(r->tfc, "120");
	CHECK_STR(r->specialty_text, "ENT");
	CHECK_STR(r->referral_date, "2024-03-05");
	CHECK_STR(r->practice_ods, "E82045");
	CHECK_STR(r->referrer_code, "G8234567");
	CHECK_STR(r->referrer_name, "DR JANE SMITH");
	CHECK_STR(r->provider_ods, "RWG");
	CHECK_STR(r->consultant_code, "C1234567");
	CHECK_STR(r->nhs_number, "9434765919");
	CHECK_INT(r->nhs_number_valid, 1);
	CHECK_INT(r->age_years, 63); /* born 1960-03-07, referred 2024-03-05 */
	CHECK_INT(r->sex, REF_SEX_MALE);
	CHECK_INT(r->diagnoses.n, 1);
	CHECK_STR(r->diagnoses.v[0].code, "R49.0");
	CHECK_INT(r->procedures.n, 1);
	CHECK_STR(r->procedures.v[0].code, "E36.3");
	CHECK_INT(r->procedures.v[0].system, CS_OPCS4);
	CHECK_STR(r->reason_text, "Hoarse voice for 4 weeks in a smoker\n"
	    "Smoker, 30 pack years.\nNo weight loss.");
	CHECK_STR(r->results_text, "Haemoglobin: 141 g/L");
	CHECK_INT(r->warnings.n, 0);
}

static void
test_uk_line_endings(void)
{
	CHECK_INT(parse_file(PARS_TESTDATA "/hl7v2", "uk_ref_cr.hl7"), 0);
	CHECK_INT(res.n, 1);
	check_uk(res.v[0]);
	CHECK_INT(parse_file(PARS_TESTDATA "/hl7v2", "uk_ref_lf.hl7"), 0);
	CHECK_INT(res.n, 1);
	check_uk(res.v[0]);
	CHECK_INT(parse_file(PARS_TESTDATA "/hl7v2", "uk_ref_crlf.hl7"), 0);
	CHECK_INT(res.n, 1);
	check_uk(res.v[0]);
}

static void
test_batch(void)
{
	CHECK_INT(parse_file(PARS_TESTDATA "/hl7v2", "uk_batch.hl7"), 0);
	CHECK_INT(res.n, 3);
	CHECK_INT(res.warnings.n, 0); /* BTS|3 matches */
	if (res.n != 3)
		return;
	CHECK_STR(res.v[0]->source_id, "Y01234-R1");
	CHECK_STR(res.v[1]->source_id, "Y01234-R2");
	CHECK_STR(res.v[2]->source_id, "Y01234-R3");
	CHECK_INT(res.v[1]->position, 1);
	CHECK_STR(res.v[0]->tfc, "110");
	CHECK_STR(res.v[1]->tfc, "330");
	CHECK_STR(res.v[2]->tfc, "502");
	CHECK_INT(res.v[0]->priority, REF_PRIO_ROUTINE);
	CHECK_INT(res.v[1]->priority, REF_PRIO_URGENT);
	CHECK_STR(res.v[0]->provider_ods, "RAL");
	CHECK_INT(res.v[2]->nhs_number_valid, 0); /* 9434765918 */
	CHECK_STR(res.v[2]->referrer_code, "G1234578");
	CHECK_INT(res.v[2]->sex, REF_SEX_FEMALE);
	CHECK_INT(res.v[2]->age_years, 33);
}

static void
test_escapes_and_cancel(void)
{
	const struct referral *r;

	CHECK_INT(parse_file(PARS_TESTDATA "/hl7v2", "rri_cancel_escapes.hl7"),
	    0);
	CHECK_INT(res.n, 1);
	r = res.v[0];
	/* '#' is the field separator here; \T\ is '&', \E\ the escape
	 * itself, \F\ the field separator, \S\ the component separator,
	 * \.br\ a line break and \X4D72\ hex for "Mr". */
	CHECK_INT(r->status, REF_CANCELLED);
	CHECK_STR(r->source_id, "C81001-REF-77");
	CHECK_STR(r->practice_ods, "C81001");
	CHECK_STR(r->referrer_name, "DR SEAN O'BRIEN");
	CHECK_STR(r->reason_text, "Lesion 5mm \\ 7mm#raised^irregular\n"
	    "Seen by Mr Khan");
	CHECK_STR(r->referral_date, "2023-01-30");
	CHECK_INT(r->age_years, 77);
}

/* Hex escapes may give any byte: UTF-8 they make is kept, bytes that are
 * not UTF-8 are repaired by the documented rule, with a warning. */
static void
test_hex_escape_utf8(void)
{
	static const char good[] = "MSH|^~\\&|GP|P81000|PARS|PARS|"
	    "20250102||REF^I12|M1|P|2.4\r"
	    "RF1|A|R||||R-1|20250102|||||||Cost \\XC2A3\\250\r";
	static const char bad[] = "MSH|^~\\&|GP|P81000|PARS|PARS|"
	    "20250102||REF^I12|M1|P|2.4\r"
	    "RF1|A|R||||R-1|20250102|||||||Caf\\XE9\\ au lait\r";

	CHECK_INT(parse_mem(good, sizeof(good) - 1, NULL), 0);
	CHECK_STR(res.v[0]->reason_text, "Cost \xc2\xa3" "250");
	CHECK_INT(parse_mem(bad, sizeof(bad) - 1, NULL), 0);
	CHECK_STR(res.v[0]->reason_text, "Caf\xef\xbf\xbd au lait");
	CHECK_HAS(res.v[0]->warnings.v[res.v[0]->warnings.n - 1],
	    "clinical text was not valid UTF-8");
}

/* A delimiter that is not ASCII would cut UTF-8 text apart: refused (a
 * field separator that is not ASCII is not taken for HL7 at all). */
static void
test_non_ascii_delimiter(void)
{
	static const char msg[] = "MSH|\xc2\xa7\\&|GP|P81000\rRF1|A\r";

	CHECK_INT(parse_mem(msg, sizeof(msg) - 1, NULL), -1);
	CHECK_HAS(res.err.msg, "line 1: MSH segment has no valid delimiters");
}

static void
test_cp1252(void)
{
	CHECK_INT(parse_file(PARS_TESTDATA "/hl7v2", "uk_cp1252.hl7"), 0);
	CHECK_INT(res.warnings.n, 1);
	CHECK_HAS(res.warnings.v[0], "Windows-1252");
	CHECK_STR(res.v[0]->reason_text, "Cost of private scan \xc2\xa3"
	    "250 \xe2\x80\x93 \xe2\x80\x9c" "declined\xe2\x80\x9d");
}

static void
test_errors(void)
{
	CHECK_INT(parse_file(PARS_TESTDATA "/hl7v2", "err_no_msh.hl7"), -1);
	CHECK_HAS(res.err.msg, "starts with PID, not MSH");
	/* No patient data may be quoted in a message. */
	CHECK(strstr(res.err.msg, "9434765919") == NULL);
	CHECK(strstr(res.err.msg, "DOE") == NULL);
	CHECK_INT(parse_file(PARS_TESTDATA "/hl7v2", "err_bad_segment.hl7"),
	    -1);
	CHECK_HAS(res.err.msg, "line 3: not an HL7 segment");
	CHECK_INT(parse_file(PARS_TESTDATA "/hl7v2", "err_no_rf1.hl7"), -1);
	CHECK_HAS(res.err.msg, "has no RF1 segment");
	CHECK_INT(parse_file(PARS_TESTDATA "/hl7v2", "err_adt.hl7"), -1);
	CHECK_HAS(res.err.msg, "not referrals (REF^I12, I13, I14 or RRI^I12)");
	CHECK_INT(parse_file(PARS_TESTDATA "/hl7v2", "err_truncated.hl7"), -1);
	CHECK_HAS(res.err.msg, "no valid delimiters");
}

static void
test_limits(void)
{
	struct parse_limits lim;
	const char *two = "MSH|^~\\&|A|B|C|D|20240101||REF^I12|1|P|2.4\r"
	    "RF1|A|R\rMSH|^~\\&|A|B|C|D|20240101||REF^I12|2|P|2.4\rRF1|A|R\r";

	parse_limits_default(&lim);
	lim.max_referrals = 1;
	arena_free(a);
	a = arena_new(0);
	CHECK_INT(parse_document(a, (const unsigned char *)two, strlen(two),
	    &lim, &res), -1);
	CHECK_HAS(res.err.msg, "limits.max_referrals");
	parse_limits_default(&lim);
	lim.max_nodes = 3;
	CHECK_INT(parse_document(a, (const unsigned char *)two, strlen(two),
	    &lim, &res), -1);
	CHECK_HAS(res.err.msg, "limits.max_nodes");
	parse_limits_default(&lim);
	lim.max_bytes = 10;
	CHECK_INT(parse_document(a, (const unsigned char *)two, strlen(two),
	    &lim, &res), -1);
	CHECK_HAS(res.err.msg, "over the limit");
}

/* A message with n NTE lines "note I", m OBX results "Hb I" and three
 * medication notes, in a buffer the caller frees. */
static char *
many_lines(int n, int m, size_t *len)
{
	size_t cap = 256 + (size_t)(n + m) * 48, o;
	char *buf = malloc(cap);
	int i;

	if (buf == NULL)
		abort();
	o = (size_t)snprintf(buf, cap, "MSH|^~\\&|A|B|C|D|20240101||"
	    "REF^I12|1|P|2.4\rRF1|A|R|130^Eyes^TFC||O|1|20240101\r"
	    "NTE|||Medication: aspirin 75mg od\rNTE|||Drugs: ramipril\r"
	    "NTE|||Medications: statin\r");
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, cap - o, "NTE|||note %d\r", i);
	for (i = 0; i < m; i++)
		o += (size_t)snprintf(buf + o, cap - o,
		    "OBX|%d|NM|718-7^Hb||%d|g/L\r", i + 1, i);
	*len = o;
	return buf;
}

/*
 * Notes and results are gathered in time linear in their size, and each
 * text stops at limits.max_field with a warning.  (Appending each line
 * to a copy of the text so far made 60,000 notes take minutes and
 * gigabytes, and the document was refused.)
 */
static void
test_many_lines(void)
{
	struct parse_limits lim;
	size_t len, want, i;
	char *buf = many_lines(60000, 20000, &len), *p;
	const struct referral *r;

	CHECK_INT(parse_mem(buf, len, NULL), 0);
	CHECK_INT(res.n, 1);
	r = res.v[0];
	/* "note 0\n" .. "note 59999": 60,000 lines of 6 to 10 bytes. */
	for (want = 0, i = 0; i < 60000; i++)
		want += (size_t)snprintf(NULL, 0, "note %zu", i) + 1;
	CHECK_INT(strlen(r->reason_text), want - 1);
	CHECK(strncmp(r->reason_text, "note 0\nnote 1\nnote 2\n", 21) == 0);
	CHECK(strcmp(r->reason_text + want - 11, "note 59999") == 0);
	CHECK_STR(r->medication_text, "aspirin 75mg od\nramipril\nstatin");
	for (want = 1, p = (char *)r->results_text; (p = strchr(p, '\n'));
	    p++)
		want++;
	CHECK_INT(want, 20000);
	CHECK(strncmp(r->results_text, "Hb: 0 g/L\nHb: 1 g/L\n", 20) == 0);
	CHECK_INT(r->warnings.n, 1); /* no NHS number; nothing was cut */
	CHECK_HAS(r->warnings.v[0], "no NHS number");

	/* Cut at the limit: the first 100 bytes of the notes, a warning. */
	parse_limits_default(&lim);
	lim.max_field = 100;
	CHECK_INT(parse_mem(buf, len, &lim), 0);
	r = res.v[0];
	CHECK_INT(strlen(r->reason_text), 100);
	CHECK(strncmp(r->reason_text, "note 0\nnote 1\n", 14) == 0);
	/* ... "note 12" (86-92), then 6 bytes of "note 13" after its
	 * newline. */
	CHECK(strcmp(r->reason_text + 86, "note 12\nnote 1") == 0);
	/* Each text has its own limit: the results are cut too, the
	 * medication is whole. */
	/* "Hb: 0 g/L" .. "Hb: 9 g/L" is 99 bytes: no room for a newline
	 * and a byte of the next. */
	CHECK_INT(strlen(r->results_text), 99);
	CHECK(strncmp(r->results_text, "Hb: 0 g/L\nHb: 1 g/L\n", 20) == 0);
	CHECK(strcmp(r->results_text + 89, "\nHb: 9 g/L") == 0);
	CHECK_STR(r->medication_text, "aspirin 75mg od\nramipril\nstatin");
	CHECK_INT(r->warnings.n, 3);
	CHECK_STR(r->warnings.v[0], "NTE notes cut to 100 bytes "
	    "(limits.max_field_bytes)");
	CHECK_STR(r->warnings.v[1], "OBX results cut to 100 bytes "
	    "(limits.max_field_bytes)");
	CHECK_HAS(r->warnings.v[2], "no NHS number");
	free(buf);
}

/* A run of n c's, NUL-terminated, in a static buffer of its own (k). */
static const char *
run(int k, char c, int n)
{
	static char bufs[6][64];

	memset(bufs[k], c, (size_t)n);
	bufs[k][n] = '\0';
	return bufs[k];
}

/*
 * Values at the edges of the parser's 32-byte reads: a component
 * separator at byte 31 of a 32-byte field, a 33-byte field (read the
 * long way), a 32-byte name whose prefix ends the field, an escape in a
 * 31-byte value, a 32-byte value, and a last field of 33 bytes that ends
 * the document with no line end.
 */
static void
test_read_edges(void)
{
	char msg[1024], want[256];
	const struct referral *r;

	snprintf(msg, sizeof(msg), "MSH|^~\\&|A|B|C|D|20240101||REF^I12|1|P|"
	    "2.4\rRF1|A|R|130^%s^|||%s|20240101\r"
	    "PRD|RP|%s^Given^^^DR|||||G1234567^GMP\r"
	    "NTE|||%s\\T\\\rNTE|||%s\rNTE|||%s", run(0, 'A', 27),
	    run(1, 'B', 33), run(2, 'C', 21), run(3, 'D', 28),
	    run(4, 'E', 32), run(5, 'F', 33));
	CHECK_INT(parse_mem(msg, strlen(msg), NULL), 0);
	if ((r = only_referral()) == NULL)
		return;
	CHECK_STR(r->tfc, "130");
	CHECK_STR(r->specialty_text, run(0, 'A', 27));
	CHECK_STR(r->source_id, run(0, 'B', 33));
	snprintf(want, sizeof(want), "DR Given %s", run(0, 'C', 21));
	CHECK_STR(r->referrer_name, want);
	CHECK_STR(r->referrer_code, "G1234567");
	snprintf(want, sizeof(want), "%s&\n%s\n", run(0, 'D', 28),
	    run(1, 'E', 32));
	strcat(want, run(2, 'F', 33));
	CHECK_STR(r->reason_text, want);
}

/*
 * A batch whose messages declare different delimiters: each message's
 * values are read with its own, even those read when the next header
 * (BHS, or MSH) ends it: the source id from RF1-6 or MSH-10.  And a
 * repeated segment that cannot be read does not undo what the first one
 * gave.
 */
static void
test_delimiters_per_message(void)
{
	static const char msg[] =
	    "MSH|^~\\&|A|B|C|D|20240101||REF^I12|CTL#1#|P|2.4\r"
	    "RF1|A|R|110|||REF#2#|20240102\r"
	    "PID|1||9434765919^^^NHS^NH||Doe^J||19800315|F\r"
	    "PID|1||||Doe^J||notadate|F\r"
	    "BHS|^~#&\r"
	    "MSH|^~#&|A|B|C|D|20240101||REF^I12|CTL#F#3|P|2.4\r"
	    "RF1|A|R|110|||\r"
	    "MSH|^~\\&|A|B|C|D|20240101||REF^I12|CTL4|P|2.4\r"
	    "RF1|A|R|110|||R#5#\r";

	CHECK_INT(parse_mem(msg, sizeof(msg) - 1, NULL), 0);
	CHECK_INT(res.n, 3);
	if (res.n != 3)
		return;
	/* Message 1 has no escape '#': its '#' are text. */
	CHECK_STR(res.v[0]->source_id, "REF#2#");
	CHECK_STR(res.v[0]->referral_date, "2024-01-02");
	CHECK_INT(res.v[0]->age_years, 43);
	/* Message 2 reads "#F#" as its field separator. */
	CHECK_STR(res.v[1]->source_id, "CTL|3");
	CHECK_STR(res.v[1]->referral_date, "2024-01-01");
	CHECK_STR(res.v[2]->source_id, "R#5#");
}

/*
 * Segments and fields at the edges of the scan's 64-byte steps: an RF1
 * of 50 to 140 bytes (its line end, and the separator before its last
 * field, fall on every byte around 64 and 128), then an NTE that must
 * still be found whole.
 */
static void
test_scan_edges(void)
{
	char msg[512], reason[128];
	int len, k;

	for (len = 50; len <= 140; len++) {
		/* "RF1|A|R|110|||S1|20240101|||||||" is 32 bytes */
		k = len - 32;
		memset(reason, 'a' + len % 26, (size_t)k);
		reason[k] = '\0';
		snprintf(msg, sizeof(msg), "MSH|^~\\&|A|B|C|D|20240101||"
		    "REF^I12|1|P|2.4\rRF1|A|R|110|||S1|20240101|||||||%s\r"
		    "NTE|||Seen %d\r", reason, len);
		CHECK_INT(parse_mem(msg, strlen(msg), NULL), 0);
		if (res.n != 1)
			continue;
		CHECK_STR(res.v[0]->source_id, "S1");
		CHECK_STR(res.v[0]->referral_date, "2024-01-01");
		snprintf(msg, sizeof(msg), "%s\nSeen %d", reason, len);
		CHECK_STR(res.v[0]->reason_text, msg);
	}
}

/*
 * The copy's ASCII check sees every byte: a document whose one byte over
 * 0x7f is its last (in the overlapping last sixteen bytes, or the first
 * ones) is read as Windows-1252, at every length modulo sixteen.
 */
static void
test_last_byte_not_ascii(void)
{
	char msg[256];
	int pad;

	for (pad = 0; pad < 16; pad++) {
		snprintf(msg, sizeof(msg), "MSH|^~\\&|A|B|C|D|20240101||"
		    "REF^I12|1|P|2.4\rRF1|A|R|110|||S1\rNTE|||%scaf\xe9",
		    run(0, 'p', pad));
		CHECK_INT(parse_mem(msg, strlen(msg), NULL), 0);
		CHECK_INT(res.warnings.n, 1);
		if (res.n != 1 || res.warnings.n != 1)
			continue;
		CHECK_HAS(res.warnings.v[0], "Windows-1252");
		CHECK_HAS(res.v[0]->reason_text, "caf\xc3\xa9");
	}
}

/*
 * A UTF-8 document with a byte order mark is read from the copy made
 * first (past the mark), with no warning; an error's offset is where the
 * bad line starts in the file.
 */
static void
test_utf8_bom(void)
{
	static const char ok[] = "\xef\xbb\xbfMSH|^~\\&|A|B|C|D|20240101||"
	    "REF^I12|1|P|2.4\rRF1|A|R|110|||S1\rNTE|||Zo\xc3\xab's knee";
	static const char bad[] = "\xef\xbb\xbfMSH|^~\\&|A|B|C|D|20240101||"
	    "REF^I12|1|P|2.4\rRF1|A|R|110|||S1\rnot a segment \xc3\xab";

	CHECK_INT(parse_mem(ok, sizeof(ok) - 1, NULL), 0);
	CHECK_INT(res.warnings.n, 0);
	if (res.n == 1) {
		CHECK_STR(res.v[0]->source_id, "S1");
		CHECK_STR(res.v[0]->reason_text, "Zo\xc3\xab's knee");
	}
	CHECK_INT(parse_mem(bad, sizeof(bad) - 1, NULL), -1);
	CHECK_INT(res.err.line, 3);
	CHECK_INT(res.err.offset, (long)(strstr(bad, "not a") - bad));
}

/* Parses the message at most lim allows and checks its reason_text and
 * its first warning (then "no NHS number"). */
static void
check_cut(const char *msg, const struct parse_limits *lim, const char *want,
    const char *warning)
{
	CHECK_INT(parse_mem(msg, strlen(msg), lim), 0);
	if (res.n != 1)
		return;
	CHECK_STR(res.v[0]->reason_text, want);
	CHECK_INT(res.v[0]->warnings.n, 2);
	if (res.v[0]->warnings.n == 2)
		CHECK_STR(res.v[0]->warnings.v[0], warning);
}

/*
 * The clinical text (RF1-14, then the NTE notes) is at most
 * limits.max_field bytes in all, with a warning, and so is RF1-14 alone,
 * or RF1-10's text, read when RF1-14 is empty.
 */
static void
test_reason_cap(void)
{
	struct parse_limits lim;
	char msg[512], want[256], warning[96];
	int i;

	parse_limits_default(&lim);
	lim.max_field = 100;
	snprintf(msg, sizeof(msg), "MSH|^~\\&|A|B|C|D|20240101||REF^I12|1|P|"
	    "2.4\rRF1|A|R|110|||S1|20240101|||||||%s\rNTE|||%s\rNTE|||%s",
	    run(0, 'r', 60), run(1, 'n', 30), run(2, 'm', 30));
	snprintf(want, sizeof(want), "%s\n%s\n%.8s", run(0, 'r', 60),
	    run(1, 'n', 30), run(2, 'm', 30));
	check_cut(msg, &lim, want, "RF1-14 reason and NTE notes cut to 100 "
	    "bytes (limits.max_field_bytes)");
	/* One field of 120 bytes: RF1-14, or RF1-10's text. */
	for (i = 0; i < 2; i++) {
		snprintf(msg, sizeof(msg), "MSH|^~\\&|A|B|C|D|20240101||"
		    "REF^I12|1|P|2.4\rRF1|A|R|110|||S1|20240101|||%s%s%s",
		    i == 0 ? "||||" : "R^", run(0, 't', 60), run(1, 'u', 60));
		snprintf(want, sizeof(want), "%s%.40s", run(0, 't', 60),
		    run(1, 'u', 60));
		snprintf(warning, sizeof(warning), "RF1-%s reason cut to 100 "
		    "bytes (limits.max_field_bytes)", i == 0 ? "14" : "10");
		check_cut(msg, &lim, want, warning);
	}
}

/* At most 256 diagnoses a referral (parse_add_code), with a warning. */
static void
test_code_cap(void)
{
	struct buf b;
	const struct referral *r;
	size_t len;
	char *data;
	int i;

	buf_init(&b, 0);
	buf_adds(&b, "MSH|^~\\&|A|B|C|D|20240101||REF^I12|1|P|2.4\r"
	    "RF1|A|R|130^Eyes^TFC||O|1|20240101\r"
	    "PID|1||9434765919^^^NHS^NH\r");
	for (i = 0; i < 300; i++)
		buf_printf(&b, "DG1|%d||A%02d.%d^Code %d^I10\r", i + 1,
		    i / 10, i % 10, i);
	buf_adds(&b, "PR1|1||W40.1^Knee^OPCS4\r");
	data = buf_steal(&b, &len);
	CHECK_INT(parse_mem(data, len, NULL), 0);
	free(data);
	r = res.v[0];
	CHECK_INT(r->diagnoses.n, 256);
	CHECK_STR(r->diagnoses.v[0].code, "A00.0");
	CHECK_STR(r->diagnoses.v[255].code, "A25.5");
	CHECK_STR(r->diagnoses.v[255].text, "Code 255");
	CHECK_INT(r->procedures.n, 1);
	CHECK_STR(r->procedures.v[0].code, "W40.1");
	CHECK_INT(r->warnings.n, 1);
	CHECK_STR(r->warnings.v[0], "more than 256 diagnosis or procedure "
	    "codes: the rest not kept");
}

int
main(void)
{
	test_corpus_ref_i12();
	test_uk_line_endings();
	test_batch();
	test_escapes_and_cancel();
	test_cp1252();
	test_errors();
	test_limits();
	test_hex_escape_utf8();
	test_non_ascii_delimiter();
	test_many_lines();
	test_code_cap();
	test_read_edges();
	test_delimiters_per_message();
	test_scan_edges();
	test_last_byte_not_ascii();
	test_utf8_bom();
	test_reason_cap();
	arena_free(a);
	return t_done("test_hl7v2");
}
