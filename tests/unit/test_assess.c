/*
 * test_assess.c - the rule engine: conditions, negation, numbers, codes,
 * combinations, missing items, savings, explanations, and rule files
 * that must be refused with their file, line and reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "assess.h"
#include "buf.h"
#include "live.h"
#include "log.h"
#include "rules.h"
#include "t.h"

static char dir[] = "/tmp/test_assess.XXXXXX";
static int nfile;

static const char head[] =
    "author: unit test\n"
    "checked_by: \"unchecked: needs a clinician\"\n"
    "reviewed: 2026-01-01\n"
    "next_review: 2027-01-01\n"
    "theme: Tests\n"
    "rules:\n";

/* Writes text to a new file in dir; returns its path (static buffer). */
static const char *
write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* A rule file with one DEN rule "t" whose condition is `when` (YAML flow
 * style). */
static struct rule_set *
one_rule(const char *when, char *err, size_t errlen)
{
	char text[4096], name[32];
	const char *path;

	snprintf(text, sizeof(text), "%s"
	    "  - id: t1\n    version: 3\n    kind: DEN\n    title: T\n"
	    "    source: test\n    message: do something\n"
	    "    when: %s\n"
	    "    examples:\n      fire: [{reason: a}]\n"
	    "      not_fire: [{reason: b}]\n", head, when);
	snprintf(name, sizeof(name), "r%d.yaml", nfile++);
	path = write_file(name, text);
	return rule_set_load_files(&path, 1, err, errlen);
}

struct fixture {
	struct arena *a;
	struct referral r;
	struct assess_input in;
};

static void
fx_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->a = arena_new(0);
	f->r.practice_ods = "P81000";
	f->r.referrer_code = "G8000001";
	f->r.referral_date = "2025-01-15";
	f->r.nhs_number_valid = 1;
	f->r.priority = REF_PRIO_ROUTINE;
	f->r.age_years = 50;
	f->r.sex = REF_SEX_FEMALE;
	f->r.provider_ods = "RWG";
	f->in.r = &f->r;
	f->in.price_pence = -1;
}

/* 1 when the single rule of `when` fires on f, -1 when it did not load. */
static int
fires(const char *when, struct fixture *f)
{
	char err[512];
	struct rule_set *rs = one_rule(when, err, sizeof(err));
	struct assess_scratch *s;
	int yes;

	if (rs == NULL) {
		fprintf(stderr, "rule did not load: %s\n", err);
		return -1;
	}
	s = assess_scratch_new(rs);
	yes = assess_rule_fires(rs, s, &rs->v[0], &f->in);
	assess_scratch_free(s);
	rule_set_release(rs);
	return yes;
}

static int
text_fires(const char *when, const char *reason)
{
	struct fixture f;
	int yes;

	fx_init(&f);
	f.r.reason_text = reason;
	yes = fires(when, &f);
	arena_free(f.a);
	return yes;
}

static void
test_words(void)
{
	const char *w = "{text: [haemoptysis, coughing up blood, lump*]}";

	CHECK_INT(text_fires(w, "Haemoptysis for 2 weeks"), 1);
	CHECK_INT(text_fires(w, "HAEMOPTYSIS."), 1);
	CHECK_INT(text_fires(w, "she is coughing up blood"), 1);
	CHECK_INT(text_fires(w, "coughing, up, blood"), 1);
	CHECK_INT(text_fires(w, "coughing up. Blood tests normal"), 0);
	CHECK_INT(text_fires(w, "haemoptysisx and nothing"), 0);
	CHECK_INT(text_fires(w, "lumpy breast"), 1);
	CHECK_INT(text_fires(w, "a lump"), 1);
	CHECK_INT(text_fires(w, "plump"), 0);
	CHECK_INT(text_fires(w, ""), 0);
	CHECK_INT(text_fires("{text: [x-ray]}", "chest X-ray normal"), 1);
	CHECK_INT(text_fires("{text: [x-ray]}", "chest xray normal"), 0);
	CHECK_INT(text_fires("{text: [dupuytren's]}", "Dupuytren\xe2\x80\x99s"
	    " contracture"), 1);
	CHECK_INT(text_fires("{text: [dupuytren]}", "Dupuytren's disease"), 1);
	CHECK_INT(text_fires("{text: [type 2 diabetes]}", "Type 2 diabetes"),
	    1);
	CHECK_INT(text_fires("{text: [b12]}", "low B12 level"), 1);
	CHECK_INT(text_fires("{text: [\xc2\xb5g]}", "FIT 4 \xc2\xb5g/g"), 1);
}

static void
test_negation(void)
{
	const char *w = "{text: [haemoptysis, weight loss, injection*, "
	    "physio*, change in bowel habit, breast cancer]}";

	CHECK_INT(text_fires(w, "no haemoptysis"), 0);
	CHECK_INT(text_fires(w, "No haemoptysis, no weight loss"), 0);
	CHECK_INT(text_fires(w, "denies weight loss"), 0);
	CHECK_INT(text_fires(w, "Denies any recent weight loss"), 0);
	CHECK_INT(text_fires(w, "not had any haemoptysis"), 0);
	CHECK_INT(text_fires(w, "without weight loss"), 0);
	CHECK_INT(text_fires(w, "haemoptysis denied"), 0);
	CHECK_INT(text_fires(w, "weight loss: none"), 0);
	CHECK_INT(text_fires(w, "she doesn't have haemoptysis"), 0);
	/* a negation reaches six words, and stops at a sentence end */
	CHECK_INT(text_fires(w, "no cough fever sweats rigors or "
	    "haemoptysis"), 0);
	CHECK_INT(text_fires(w, "no cough, fever, night sweats, rigors, "
	    "malaise or haemoptysis"), 1);
	CHECK_INT(text_fires(w, "No cough. Haemoptysis for a week"), 1);
	CHECK_INT(text_fires(w, "no cough but haemoptysis"), 1);
	CHECK_INT(text_fires(w, "no cough; weight loss 5 kg"), 1);
	/* pseudo-negations */
	CHECK_INT(text_fires(w, "not improving after injection"), 1);
	CHECK_INT(text_fires(w, "didn't improve with physiotherapy"), 1);
	CHECK_INT(text_fires(w, "has not tried physiotherapy"), 0);
	CHECK_INT(text_fires(w, "no change in bowel habit"), 0);
	CHECK_INT(text_fires(w, "change in bowel habit for 8 weeks"), 1);
	/* someone else's history */
	CHECK_INT(text_fires(w, "family history of breast cancer"), 0);
	CHECK_INT(text_fires(w, "FH breast cancer"), 0);
	CHECK_INT(text_fires(w, "breast cancer ruled out"), 0);
	/* a negated mention elsewhere does not hide a real one */
	CHECK_INT(text_fires(w, "No haemoptysis last year. Now haemoptysis "
	    "daily"), 1);
	/* negation: false counts negated mentions */
	CHECK_INT(text_fires("{text: {any: [coeliac], negation: false}}",
	    "coeliac screen negative"), 1);
	CHECK_INT(text_fires("{text: {any: [coeliac]}}",
	    "coeliac screen negative"), 0);
}

static void
test_fields(void)
{
	struct fixture f;
	struct ref_code c = {CS_ICD10, "R04.2", "Haemoptysis"};

	fx_init(&f);
	f.r.medication_text = "amlodipine 5mg";
	CHECK_INT(fires("{text: [amlodipine]}", &f), 0);
	CHECK_INT(fires("{text: {any: [amlodipine], in: [medication]}}", &f),
	    1);
	CHECK_INT(fires("{text: {any: [amlodipine], in: all}}", &f), 1);
	f.r.diagnoses.v = &c;
	f.r.diagnoses.n = 1;
	CHECK_INT(fires("{text: [haemoptysis]}", &f), 1);
	CHECK_INT(fires("{text: {any: [haemoptysis], in: [reason]}}", &f), 0);
	f.r.results_text = "Hb 105 g/L";
	CHECK_INT(fires("{value: {of: hb, below: 110}}", &f), 1);
	CHECK_INT(fires("{value: {of: hb, below: 110, in: reason}}", &f), 0);
	arena_free(f.a);
}

static void
test_values(void)
{
	const char *low = "{value: {of: [fit, faecal immunochemical test], "
	    "below: 10}}";
	const char *high = "{value: {of: [fit, faecal immunochemical test], "
	    "min: 10}}";

	CHECK_INT(text_fires(low, "Change in bowel habit, FIT 4 ug/g"), 1);
	CHECK_INT(text_fires(high, "Change in bowel habit, FIT 4 ug/g"), 0);
	CHECK_INT(text_fires(high, "FIT 10"), 1);
	CHECK_INT(text_fires(low, "FIT 10"), 0);
	CHECK_INT(text_fires(high, "FIT result was 150 ug Hb/g"), 1);
	CHECK_INT(text_fires(high, "faecal immunochemical test 12.5"), 1);
	CHECK_INT(text_fires(high, "FIT on 12/01/2025: 150"), 1);
	CHECK_INT(text_fires(low, "FIT on 12/01/2025: 150"), 0);
	CHECK_INT(text_fires(high, "FIT requested. 150 patients"), 0);
	CHECK_INT(text_fires(high, "no FIT done"), 0);
	CHECK_INT(text_fires("{value: {of: fit}}", "FIT 4"), 1);
	CHECK_INT(text_fires("{value: {of: fit}}", "FIT pending"), 0);
	CHECK_INT(text_fires("{value: {of: episodes, side: before, min: 7}}",
	    "7 episodes in the last year"), 1);
	CHECK_INT(text_fires("{value: {of: episodes, side: before, min: 7}}",
	    "4 episodes in 7 months"), 0);
	CHECK_INT(text_fires("{value: {of: episodes, min: 7}}",
	    "episodes: 9"), 1);
	CHECK_INT(text_fires("{value: {of: psa, above: 4.5}}", "PSA 4.5"), 0);
	CHECK_INT(text_fires("{value: {of: psa, above: 4.5}}", "PSA 4.6"), 1);
	CHECK_INT(text_fires("{value: {of: psa, min: 3, max: 4}}",
	    "PSA 3.1"), 1);
}

static void
test_codes(void)
{
	struct fixture f;
	struct ref_code c[2] = {{CS_ICD10, "M17.1", NULL},
	    {CS_OPCS4, "W82.2", NULL}};

	fx_init(&f);
	f.r.diagnoses.v = &c[0];
	f.r.diagnoses.n = 1;
	f.r.procedures.v = &c[1];
	f.r.procedures.n = 1;
	CHECK_INT(fires("{codes: {icd10: M17}}", &f), 1);
	CHECK_INT(fires("{codes: {icd10: M17.1}}", &f), 1);
	CHECK_INT(fires("{codes: {icd10: m171}}", &f), 1);
	CHECK_INT(fires("{codes: {icd10: M17.0}}", &f), 0);
	CHECK_INT(fires("{codes: {icd10: M17.*}}", &f), 1);
	CHECK_INT(fires("{codes: {icd10: M1*}}", &f), 1);
	CHECK_INT(fires("{codes: {icd10: M15-M19}}", &f), 1);
	CHECK_INT(fires("{codes: {icd10: M18-M19}}", &f), 0);
	CHECK_INT(fires("{codes: {icd10: M10-M17}}", &f), 1);
	CHECK_INT(fires("{codes: {icd10: [K40, M16]}}", &f), 0);
	CHECK_INT(fires("{codes: {opcs4: W82}}", &f), 1);
	CHECK_INT(fires("{codes: {opcs4: W80-W81}}", &f), 0);
	CHECK_INT(fires("{codes: {opcs4: M17}}", &f), 0); /* system counts */
	CHECK_INT(fires("{codes: {icd10: W82}}", &f), 0);
	c[0].system = CS_SNOMED;
	c[0].code = "239873007";
	CHECK_INT(fires("{codes: {snomed: 239873007}}", &f), 1);
	CHECK_INT(fires("{codes: {snomed: 23987300}}", &f), 0);
	arena_free(f.a);
}

static void
test_who_and_what(void)
{
	struct fixture f;

	fx_init(&f);
	f.r.tfc = "110";
	CHECK_INT(fires("{tfc: 110}", &f), 1);
	CHECK_INT(fires("{tfc: [120, 130]}", &f), 0);
	f.in.tfc = "214"; /* the coded TFC wins over the one sent */
	CHECK_INT(fires("{tfc: 110}", &f), 0);
	CHECK_INT(fires("{tfc: 214}", &f), 1);
	CHECK_INT(fires("{age: {min: 40}}", &f), 1);
	CHECK_INT(fires("{age: {min: 51}}", &f), 0);
	CHECK_INT(fires("{age: {max: 50}}", &f), 1);
	CHECK_INT(fires("{age: {min: 18, max: 49}}", &f), 0);
	f.r.age_years = -1;
	CHECK_INT(fires("{age: {max: 150}}", &f), 0);
	CHECK_INT(fires("{missing: age}", &f), 1);
	CHECK_INT(fires("{sex: female}", &f), 1);
	CHECK_INT(fires("{sex: [male, other]}", &f), 0);
	CHECK_INT(fires("{priority: routine}", &f), 1);
	CHECK_INT(fires("{priority: [urgent, two_week_wait]}", &f), 0);
	f.r.priority = REF_PRIO_UNKNOWN;
	CHECK_INT(fires("{priority: unknown}", &f), 1);
	CHECK_INT(fires("{missing: priority}", &f), 1);
	f.r.ers_clinic_type = "2ww_lung";
	CHECK_INT(fires("{clinic_type: 2WW_*}", &f), 1);
	CHECK_INT(fires("{clinic_type: 2WW_LUNG}", &f), 1);
	CHECK_INT(fires("{clinic_type: 2WW_BREAST}", &f), 0);
	CHECK_INT(fires("{ers_specialty: CARDIOLOGY}", &f), 0);
	arena_free(f.a);
}

static void
test_combinations(void)
{
	struct fixture f;

	fx_init(&f);
	f.r.reason_text = "haemoptysis";
	f.r.tfc = "340";
	CHECK_INT(fires("{all: [{tfc: 340}, {text: [haemoptysis]}]}", &f), 1);
	CHECK_INT(fires("{all: [{tfc: 340}, {text: [cough]}]}", &f), 0);
	CHECK_INT(fires("{any: [{tfc: 110}, {text: [haemoptysis]}]}", &f), 1);
	CHECK_INT(fires("{any: [{tfc: 110}, {text: [cough]}]}", &f), 0);
	CHECK_INT(fires("{not: {priority: two_week_wait}}", &f), 1);
	CHECK_INT(fires("{not: {priority: routine}}", &f), 0);
	/* several keys in one mapping must all hold */
	CHECK_INT(fires("{tfc: 340, age: {min: 40}, text: [haemoptysis]}",
	    &f), 1);
	CHECK_INT(fires("{tfc: 340, age: {min: 60}, text: [haemoptysis]}",
	    &f), 0);
	CHECK_INT(fires("{all: [{tfc: 340}, {any: [{age: {min: 60}}, "
	    "{not: {sex: male}}]}]}", &f), 1);
	arena_free(f.a);
}

static void
test_missing(void)
{
	struct fixture f;

	fx_init(&f);
	CHECK_INT(fires("{missing: nhs_number}", &f), 0);
	f.r.nhs_number_valid = 0;
	CHECK_INT(fires("{missing: nhs_number}", &f), 1);
	CHECK_INT(fires("{missing: reason}", &f), 1);
	f.r.reason_text = "  \n";
	CHECK_INT(fires("{missing: reason}", &f), 1);
	f.r.reason_text = "Knee replacement please, BMI 31";
	CHECK_INT(fires("{missing: reason}", &f), 0);
	CHECK_INT(fires("{missing: bmi}", &f), 0);
	CHECK_INT(fires("{missing: question}", &f), 0);
	f.r.reason_text = "Knee pain, body mass index 31";
	CHECK_INT(fires("{missing: bmi}", &f), 0);
	f.r.reason_text = "Knee pain, BMI not recorded";
	CHECK_INT(fires("{missing: bmi}", &f), 1);
	CHECK_INT(fires("{missing: question}", &f), 1);
	f.r.reason_text = "Knee pain: is this suitable for surgery?";
	CHECK_INT(fires("{missing: question}", &f), 0);
	CHECK_INT(fires("{missing: medication}", &f), 1);
	f.r.medication_text = "none";
	CHECK_INT(fires("{missing: medication}", &f), 0);
	CHECK_INT(fires("{missing: results}", &f), 1);
	CHECK_INT(fires("{missing: recent_results}", &f), 1);
	f.r.results_text = "Hb 125 g/L";
	CHECK_INT(fires("{missing: [results, recent_results]}", &f), 0);
	f.r.results_text = "Hb 125 g/L (2024-06-01)";
	CHECK_INT(fires("{missing: results}", &f), 0);
	CHECK_INT(fires("{missing: recent_results}", &f), 1);
	f.r.results_text = "Hb 125 g/L 2024-06-01, CRP 3 on 02/01/2025";
	CHECK_INT(fires("{missing: recent_results}", &f), 0);
	CHECK_INT(fires("{missing: specialty}", &f), 1);
	f.in.tfc = "110";
	CHECK_INT(fires("{missing: specialty}", &f), 0);
	CHECK_INT(fires("{missing: diagnosis}", &f), 1);
	CHECK_INT(fires("{missing: [referrer, practice, date, provider]}",
	    &f), 0);
	f.r.provider_ods = NULL;
	CHECK_INT(fires("{missing: [referrer, practice, date, provider]}",
	    &f), 1);
	arena_free(f.a);
}

/* Savings: first attendance 16500p, alternatives A 6000p, B 20000p. */
static long long
first_price(void *ctx, const char *tfc, const char *date)
{
	(void)ctx;
	return strcmp(tfc, "330") == 0 && strcmp(date, "2025-01-15") == 0 ?
	    16500 : -1;
}

static long long
alt_price(void *ctx, const char *code)
{
	(void)ctx;
	return strcmp(code, "A") == 0 ? 6000 : strcmp(code, "B") == 0 ?
	    20000 : -1;
}

static void
test_savings(void)
{
	static const char yaml[] =
	    "  - id: pun-a\n    version: 2\n    kind: PUN\n    title: A\n"
	    "    source: s\n    message: use A\n    alternative: A\n"
	    "    theme: Alternatives\n"
	    "    when: {tfc: 330}\n"
	    "    examples: {fire: [{tfc: '330'}], not_fire: [{tfc: '110'}]}\n"
	    "  - id: pun-b\n    version: 1\n    kind: PUN\n    title: B\n"
	    "    source: s\n    message: use B\n    alternative: B\n"
	    "    when: {tfc: 330}\n"
	    "    examples: {fire: [{tfc: '330'}], not_fire: [{tfc: '110'}]}\n"
	    "  - id: pun-c\n    version: 1\n    kind: PUN\n    title: C\n"
	    "    source: s\n    message: use C\n    alternative: C\n"
	    "    when: {tfc: 330}\n"
	    "    examples: {fire: [{tfc: '330'}], not_fire: [{tfc: '110'}]}\n"
	    "  - id: den-d\n    version: 1\n    kind: DEN\n    title: D\n"
	    "    source: s\n    message: learn D\n"
	    "    when: {tfc: 330}\n"
	    "    examples: {fire: [{tfc: '330'}], not_fire: [{tfc: '110'}]}\n";
	char text[4096], err[512];
	const char *path;
	struct rule_set *rs;
	struct assess_scratch *s;
	struct assess_pricing pr = {first_price, alt_price, NULL};
	struct findings out = {NULL, 0, 0};
	struct fixture f;
	char y[8];

	snprintf(text, sizeof(text), "%s%s", head, yaml);
	path = write_file("savings.yaml", text);
	rs = rule_set_load_files(&path, 1, err, sizeof(err));
	CHECK(rs != NULL);
	if (rs == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	s = assess_scratch_new(rs);
	fx_init(&f);
	f.r.tfc = "330";
	f.in.referral_id = 42;
	CHECK_INT(assess_referral(rs, s, &f.in, &pr, &out), 4);
	CHECK_STR(out.v[0].rule_id, "pun-a");
	CHECK_INT(out.v[0].rule_version, 2);
	CHECK_STR(out.v[0].kind, "PUN");
	CHECK_STR(out.v[0].theme, "Alternatives");
	CHECK_STR(out.v[1].theme, "Tests"); /* the file's default */
	CHECK_STR(out.v[0].alternative, "A");
	CHECK_INT(out.v[0].referral_id, 42);
	CHECK_INT(out.v[0].saving_pence, 10500);
	CHECK_INT(out.v[1].saving_pence, 0);  /* dearer: floored at 0 */
	CHECK_INT(out.v[2].saving_pence, -1); /* C has no price */
	CHECK_INT(out.v[3].saving_pence, -1); /* a DEN saves nothing */
	CHECK(out.v[3].alternative == NULL);
	out.n = 0;
	f.in.price_pence = 9000; /* coding's price wins */
	assess_referral(rs, s, &f.in, &pr, &out);
	CHECK_INT(out.v[0].saving_pence, 3000);
	out.n = 0;
	assess_referral(rs, s, &f.in, NULL, &out);
	CHECK_INT(out.v[0].saving_pence, -1);
	CHECK_INT(assess_saving(100, 40), 60);
	CHECK_INT(assess_saving(40, 100), 0);
	CHECK_INT(assess_saving(-1, 100), -1);
	CHECK_INT(tariff_year("2025-01-15", y), 0);
	CHECK_STR(y, "2024/25");
	CHECK_INT(tariff_year("2025-04-01", y), 0);
	CHECK_STR(y, "2025/26");
	CHECK_INT(tariff_year("2025-03-31", y), 0);
	CHECK_STR(y, "2024/25");
	CHECK_INT(tariff_year("2099-12-31", y), 0);
	CHECK_STR(y, "2099/00");
	CHECK_INT(tariff_year("2025-13-01", y), -1);
	findings_free(&out);
	assess_scratch_free(s);
	rule_set_release(rs);
	arena_free(f.a);
}

static void
test_explain(void)
{
	char err[512];
	struct rule_set *rs = one_rule("{all: [{age: {min: 40}}, "
	    "{text: [haemoptysis, cough]}, {not: {priority: two_week_wait}}, "
	    "{value: {of: fit, min: 10}}]}", err, sizeof(err));
	struct assess_scratch *s;
	struct fixture f;
	struct buf b;

	CHECK(rs != NULL);
	if (rs == NULL)
		return;
	s = assess_scratch_new(rs);
	fx_init(&f);
	f.r.age_years = 67;
	f.r.reason_text = "No haemoptysis. FIT 4";
	buf_init(&b, 0);
	assess_explain(rs, s, NULL, &f.in, 0, &b);
	CHECK_HAS(b.p, "rule t1 v3 (DEN, Tests; ");
	CHECK_HAS(b.p, "): does not fire\n");
	CHECK_HAS(b.p, "\n  all of these [line 13]: no\n");
	CHECK_HAS(b.p, "\n    age 40 or over [line 13]: yes (67)\n");
	CHECK_HAS(b.p, "the text mentions \"haemoptysis\" or \"cough\" (in "
	    "reason, results, codes) [line 13]: no (\"haemoptysis\" negated "
	    "in reason)\n");
	CHECK_HAS(b.p, "\n    not this [line 13]: yes\n");
	CHECK_HAS(b.p, "\n      priority is two_week_wait [line 13]: no "
	    "(routine)\n");
	CHECK_HAS(b.p, "a number after \"fit\" at least 10 (in reason, "
	    "results) [line 13]: no (4)\n");
	CHECK(strstr(b.p, "No haemoptysis") == NULL); /* never the text */
	buf_free(&b);
	assess_scratch_free(s);
	rule_set_release(rs);
	arena_free(f.a);
}

/* A rule file that must be refused with want in the message. */
static void
refused(const char *name, const char *text, const char *want)
{
	char err[1024], path[300];
	const char *p = write_file(name, text);
	struct rule_set *rs;

	snprintf(path, sizeof(path), "%s", p);
	p = path;
	err[0] = '\0';
	rs = rule_set_load_files(&p, 1, err, sizeof(err));
	CHECK(rs == NULL);
	rule_set_release(rs);
	CHECK_HAS(err, want);
}

#define RULE_START "  - id: bad\n    version: 1\n    kind: DEN\n" \
	"    title: T\n    source: s\n    message: m\n"
#define EXAMPLES "    examples: {fire: [{reason: a}], not_fire: [{}]}\n"

static void
test_bad_files(void)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s" RULE_START "    when: {text: [a]}\n"
	    "    colour: blue\n" EXAMPLES, head);
	refused("b1.yaml", text, "b1.yaml:14: rule bad: unknown key 'colour' "
	    "in a rule (known: id, version");
	snprintf(text, sizeof(text), "%s" RULE_START "    when: {txt: [a]}\n"
	    EXAMPLES, head);
	refused("b2.yaml", text, "b2.yaml:13: rule bad: unknown key 'txt' in "
	    "a condition");
	snprintf(text, sizeof(text), "%s  - id: bad\n    version: 1\n"
	    "    kind: PUN\n    title: T\n    source: s\n    message: m\n"
	    "    when: {text: [a]}\n" EXAMPLES, head);
	refused("b3.yaml", text, "b3.yaml:7: rule bad: a PUN names the "
	    "'alternative' service");
	snprintf(text, sizeof(text), "%s  - id: bad\n    version: 1\n"
	    "    kind: MAYBE\n", head);
	refused("b4.yaml", text, "b4.yaml:9: rule bad: kind must be PUN or "
	    "DEN, not \"MAYBE\"");
	snprintf(text, sizeof(text), "%s" RULE_START "    when: {text: [a]}\n"
	    "    reviewed: 2026-02-30\n" EXAMPLES, head);
	refused("b5.yaml", text, "b5.yaml:14: rule bad: 'reviewed' must be a "
	    "date written YYYY-MM-DD, not \"2026-02-30\"");
	snprintf(text, sizeof(text), "%s" RULE_START "    when: {text: [a]}\n"
	    "    next_review: 2025-06-01\n" EXAMPLES, head);
	refused("b6.yaml", text, "b6.yaml:7: rule bad: next_review "
	    "(2025-06-01) must come after reviewed (2026-01-01)");
	snprintf(text, sizeof(text), "%s" RULE_START
	    "    when:\n      codes: {icd10: [M17, 17M]}\n" EXAMPLES, head);
	refused("b7.yaml", text, "b7.yaml:14: rule bad: \"17M\" is not an "
	    "icd10 code");
	snprintf(text, sizeof(text), "%s" RULE_START
	    "    when: {codes: {icd10: M19-M17}}\n" EXAMPLES, head);
	refused("b8.yaml", text, "the range runs backwards");
	snprintf(text, sizeof(text), "%s" RULE_START
	    "    when: {text: [\"lu*mp\"]}\n" EXAMPLES, head);
	refused("b9.yaml", text, "b9.yaml:13: rule bad: 'text': \"lu*mp\": * "
	    "may only end a word of three or more letters");
	snprintf(text, sizeof(text), "%s" RULE_START
	    "    when: &w {text: [a]}\n    examples: *w\n", head);
	refused("b10.yaml", text, "YAML aliases (*name) are not accepted");
	snprintf(text, sizeof(text), "%s" RULE_START
	    "    when: {text: [a]\n" EXAMPLES, head);
	refused("b11.yaml", text, "b11.yaml:14: YAML syntax: ");
	refused("b12.yaml", "", "b12.yaml: the file is empty");
	snprintf(text, sizeof(text), "%s" RULE_START "    when: {text: [a]}\n"
	    "    title: again\n" EXAMPLES, head);
	refused("b13.yaml", text, "b13.yaml:14: rule bad: key 'title' appears "
	    "twice in a rule");
	snprintf(text, sizeof(text), "%s" RULE_START "    when: {text: [a]}\n"
	    "    examples: {fire: [{reason: a}]}\n", head);
	refused("b14.yaml", text, "b14.yaml:14: rule bad: examples need both "
	    "'fire'");
	snprintf(text, sizeof(text), "%s" RULE_START
	    "    when: {age: {min: 60, max: 40}}\n" EXAMPLES, head);
	refused("b15.yaml", text, "b15.yaml:13: rule bad: 'age': min is above "
	    "max");
	snprintf(text, sizeof(text), "%s" RULE_START
	    "    when: {missing: [medication, shoe_size]}\n" EXAMPLES, head);
	refused("b16.yaml", text, "b16.yaml:13: rule bad: missing \"shoe_size\" "
	    "is not one of nhs_number, reason");
	snprintf(text, sizeof(text), "%s  - id: bad\n    version: 1\n"
	    "    kind: DEN\n    title: T\n    message: m\n"
	    "    when: {text: [a]}\n" EXAMPLES, head);
	refused("b17.yaml", text, "b17.yaml:7: rule bad: the rule has no "
	    "'source'");
	snprintf(text, sizeof(text), "rules:\n" RULE_START
	    "    when: {text: [a]}\n" EXAMPLES);
	refused("b18.yaml", text, "b18.yaml:2: rule bad: the rule has no "
	    "'author' (here or at the top of the file)");
	snprintf(text, sizeof(text), "%s" RULE_START
	    "    when: {priority: soon}\n" EXAMPLES, head);
	refused("b19.yaml", text, "priority \"soon\" is not one of unknown, "
	    "routine, urgent, two_week_wait");
	snprintf(text, sizeof(text), "%s" RULE_START
	    "    when: {text: [a]}\n    examples: {fire: [{reason: a, "
	    "priority: whenever}], not_fire: [{}]}\n", head);
	refused("b20.yaml", text, "b20.yaml:14: rule bad: priority must be "
	    "routine, urgent, two_week_wait or unknown");
	snprintf(text, sizeof(text), "%s" RULE_START
	    "    when: {tfc: 1100}\n" EXAMPLES, head);
	refused("b21.yaml", text, "'tfc': \"1100\" is not a treatment "
	    "function code");
	snprintf(text, sizeof(text), "%s" RULE_START "    when: {}\n" EXAMPLES,
	    head);
	refused("b22.yaml", text, "b22.yaml:13: rule bad: an empty condition");
	snprintf(text, sizeof(text), "%s  - id: Bad Id\n", head);
	refused("b23.yaml", text, "b23.yaml:7: rule id \"Bad Id\" must be");
	snprintf(text, sizeof(text), "%s" RULE_START
	    "    when: {value: {of: fit, min: 20, below: 10}}\n" EXAMPLES,
	    head);
	refused("b24.yaml", text, "the lower bound is above the upper");
	refused("b25.yaml", "rules: []\n", "b25.yaml:1: 'rules' must be a "
	    "non-empty list of rules");
	refused("b26.yaml", "rules: [{id: x1}]\n---\nrules: []\n",
	    "b26.yaml:3: only one YAML document is allowed");
}

static void
test_dir(void)
{
	char sub[300], err[1024], text[4096];
	struct rule_set *rs;

	snprintf(sub, sizeof(sub), "%s/dir", dir);
	CHECK(mkdir(sub, 0700) == 0);
	rs = rule_set_load(sub, 0, err, sizeof(err));
	CHECK(rs != NULL && rs->n == 0 && rs->nfiles == 0);
	rule_set_release(rs);
	snprintf(text, sizeof(text), "%s/missing", dir);
	rs = rule_set_load(text, 1, err, sizeof(err));
	CHECK(rs != NULL && rs->n == 0);
	rule_set_release(rs);
	CHECK(rule_set_load(text, 0, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "could not open rules directory");
	snprintf(text, sizeof(text), "%s" RULE_START "    when: {text: [a]}\n"
	    EXAMPLES, head);
	write_file("dir/b.yml", text);
	write_file("dir/notes.txt", "not a rule file");
	snprintf(text, sizeof(text), "%s  - id: first\n    version: 1\n"
	    "    kind: DEN\n    title: T\n    source: s\n    message: m\n"
	    "    when: {text: [a]}\n" EXAMPLES, head);
	write_file("dir/a.yaml", text);
	rs = rule_set_load(sub, 0, err, sizeof(err));
	CHECK(rs != NULL);
	if (rs != NULL) {
		CHECK_INT(rs->n, 2);
		CHECK_INT(rs->nfiles, 2);
		CHECK_STR(rs->v[0].id, "first");
		CHECK_STR(rs->v[1].id, "bad");
		CHECK(rule_set_find(rs, "bad") == &rs->v[1]);
		CHECK(rule_set_find(rs, "nope") == NULL);
		CHECK_INT(rs->v[1].nexamples, 2);
		CHECK_INT(rs->v[1].examples[0].must_fire, 1);
		CHECK_INT(rs->v[1].examples[1].must_fire, 0);
		CHECK_STR(rs->v[1].examples[0].r.reason_text, "a");
		CHECK_STR(rs->v[1].reviewed, "2026-01-01");
		CHECK_STR(rs->v[1].checked_by, "unchecked: needs a clinician");
	}
	rule_set_release(rs);
	/* the same id twice across files */
	snprintf(text, sizeof(text), "%s" RULE_START "    when: {text: [b]}\n"
	    EXAMPLES, head);
	write_file("dir/c.yaml", text);
	CHECK(rule_set_load(sub, 0, err, sizeof(err)) == NULL);
	CHECK_HAS(err, "c.yaml:7: rule bad is also defined at ");
	CHECK_HAS(err, "b.yml:7");

	/* The live set: a bad file keeps the rules in force. */
	snprintf(text, sizeof(text), "%s/dir/c.yaml", dir);
	unlink(text);
	CHECK_INT(assess_live_load(sub, err, sizeof(err)), 0);
	rs = assess_live_get(sub);
	CHECK_INT(rs->n, 2);
	write_file("dir/d.yaml", "rules: [\n");
	CHECK_INT(assess_live_load(sub, err, sizeof(err)), -1);
	CHECK_HAS(err, "d.yaml:2: YAML syntax");
	{
		struct rule_set *now = assess_live_get(sub);

		CHECK(now == rs);
		rule_set_release(now);
	}
	snprintf(text, sizeof(text), "%s/dir/d.yaml", dir);
	unlink(text);
	snprintf(text, sizeof(text), "%s/dir/b.yml", dir);
	unlink(text);
	CHECK_INT(assess_live_load(sub, err, sizeof(err)), 0);
	{
		struct rule_set *now = assess_live_get(sub);

		CHECK(now != rs);
		CHECK_INT(now->n, 1);
		CHECK_INT(rs->n, 2); /* still whole for whoever holds it */
		rule_set_release(now);
	}
	rule_set_release(rs);
	assess_live_clear();
}

int
main(void)
{
	char cmd[300];

	log_init(LOG_LVL_ERR);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_words();
	test_negation();
	test_fields();
	test_values();
	test_codes();
	test_who_and_what();
	test_combinations();
	test_missing();
	test_savings();
	test_explain();
	test_bad_files();
	test_dir();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return t_done("test_assess");
}
