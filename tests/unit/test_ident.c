/*
 * test_ident.c - NHS identifiers, dates, text helpers.
 */
#include "arena.h"
#include "dates.h"
#include "ident.h"
#include "t.h"
#include "text.h"

static void
test_nhs_numbers(void)
{
	char d[11];

	/* NHS-DATA.md's valid and invalid test numbers. */
	CHECK_INT(nhs_number_check("9434765919"), 1);
	CHECK_INT(nhs_number_check("9912003888"), 1);
	CHECK_INT(nhs_number_check("9476719931"), 1);
	CHECK_INT(nhs_number_check("9434765918"), 0);
	/* Check digit 10 means invalid: 0000000019 sums to ... */
	CHECK_INT(nhs_number_check("123456789"), 0);
	CHECK_INT(nhs_number_check("94347659190"), 0);
	CHECK_INT(nhs_number_check("943476591X"), 0);
	CHECK_INT(nhs_number_normalise("943 476 5919", d), 0);
	CHECK_STR(d, "9434765919");
	CHECK_INT(nhs_number_normalise("943-476-5919", d), 0);
	CHECK_STR(d, "9434765919");
	CHECK_INT(nhs_number_normalise("943 476 591", d), -1);
	CHECK_INT(nhs_number_normalise("943 476 59190", d), -1);
	CHECK_INT(nhs_number_normalise("NHS9434765919", d), -1);
	/* A check digit that works out at 10: 1000000010 -> sum 10,
	 * 11 - 10 = 1, so craft one whose remainder is 1. */
	{
		/* 0000000060: sum = 6*2 = 12, 12 mod 11 = 1, check 10. */
		CHECK_INT(nhs_number_check("0000000060"), 0);
		CHECK_INT(nhs_number_check("0000000061"), 0);
		/* 0000000110: sum = 1*3+1*2 = 5, check 6 */
		CHECK_INT(nhs_number_check("0000000116"), 1);
	}
}

static void
test_codes(void)
{
	CHECK(ods_is_practice("E82045"));
	CHECK(ods_is_practice("Y01234"));
	CHECK(!ods_is_practice("E8204"));
	CHECK(!ods_is_practice("e82045"));
	CHECK(!ods_is_practice("RWG"));
	CHECK(ods_is_org("RWG"));
	CHECK(ods_is_org("R69"));
	CHECK(ods_is_org("RWG01"));
	CHECK(!ods_is_org("rwg"));
	CHECK(gp_code_ok("G8234567"));
	CHECK(!gp_code_ok("C8234567"));
	CHECK(!gp_code_ok("G823456"));
	CHECK(consultant_code_ok("C1234567"));
	CHECK(!consultant_code_ok("C123456A"));
}

static void
test_dates(void)
{
	char d[11];

	CHECK_INT(date_parse("2024-03-05", d), 0);
	CHECK_STR(d, "2024-03-05");
	CHECK_INT(date_parse("2024-03-05T10:11:12Z", d), 0);
	CHECK_STR(d, "2024-03-05");
	CHECK_INT(date_parse("20240305", d), 0);
	CHECK_STR(d, "2024-03-05");
	CHECK_INT(date_parse("202403051230+0000", d), 0);
	CHECK_STR(d, "2024-03-05");
	CHECK_INT(date_parse("05/03/2024", d), 0);
	CHECK_STR(d, "2024-03-05");
	CHECK_INT(date_parse("5/3/2024", d), 0);
	CHECK_STR(d, "2024-03-05");
	CHECK_INT(date_parse("5 March 2024", d), 0);
	CHECK_STR(d, "2024-03-05");
	CHECK_INT(date_parse("5th Mar 2024", d), 0);
	CHECK_STR(d, "2024-03-05");
	CHECK_INT(date_parse("21st SEPT 1961", d), 0);
	CHECK_STR(d, "1961-09-21");
	CHECK_INT(date_parse("29 February 2024", d), 0);
	CHECK_INT(date_parse("29 February 2023", d), -1);
	CHECK_INT(date_parse("31/04/2024", d), -1);
	CHECK_INT(date_parse("05/03/24", d), -1);
	CHECK_INT(date_parse("2024-13-01", d), -1);
	CHECK_INT(date_parse("yesterday", d), -1);
	CHECK_INT(date_parse("", d), -1);
	CHECK_INT(date_age("1960-03-07", "2024-03-05"), 63);
	CHECK_INT(date_age("1960-03-05", "2024-03-05"), 64);
	CHECK_INT(date_age("2000-02-29", "2001-02-28"), 0);
	CHECK_INT(date_age("2000-02-29", "2001-03-01"), 1);
	CHECK_INT(date_age("2025-01-01", "2024-03-05"), -1);
	CHECK_INT(date_days("1970-01-01"), 0);
	CHECK_INT(date_days("2000-03-01"), 11017);
	CHECK_INT(date_days("1969-12-31"), -1);
	CHECK_INT(date_days("not a date"), DATE_NONE);
}

static void
test_text(void)
{
	struct arena *a = arena_new(0);
	const char *r;
	int changed = 0;
	size_t n;
	char *s;

	CHECK_INT(priority_from_word("Routine"), REF_PRIO_ROUTINE);
	CHECK_INT(priority_from_word("URGENT"), REF_PRIO_URGENT);
	CHECK_INT(priority_from_word("asap"), REF_PRIO_URGENT);
	CHECK_INT(priority_from_word("stat"), REF_PRIO_URGENT);
	CHECK_INT(priority_from_word("TWO_WEEK_WAIT"), REF_PRIO_TWO_WEEK_WAIT);
	CHECK_INT(priority_from_word("Two Week Wait"), REF_PRIO_TWO_WEEK_WAIT);
	CHECK_INT(priority_from_word("2WW"), REF_PRIO_TWO_WEEK_WAIT);
	CHECK_INT(priority_from_word("whenever"), REF_PRIO_UNKNOWN);
	CHECK_INT(sex_from_word("F"), REF_SEX_FEMALE);
	CHECK_INT(sex_from_word("male"), REF_SEX_MALE);
	CHECK_INT(sex_from_word("unknown"), REF_SEX_UNKNOWN);
	CHECK(utf8_valid((const unsigned char *)"caf\xc3\xa9", 5));
	CHECK(!utf8_valid((const unsigned char *)"caf\xe9", 4));
	CHECK(!utf8_valid((const unsigned char *)"\xc0\xaf", 2)); /* overlong */
	CHECK(!utf8_valid((const unsigned char *)"\xed\xa0\x80", 3)); /* surrogate */
	r = utf8_repair(a, "caf\xe9!", &changed);
	CHECK_STR(r, "caf\xef\xbf\xbd!");
	CHECK_INT(changed, 1);
	changed = 0;
	r = utf8_repair(a, "plain", &changed);
	CHECK_STR(r, "plain");
	CHECK_INT(changed, 0);
	s = cp1252_to_utf8(a, (const unsigned char *)"\xa3" "5 \x93ok\x94", 7,
	    &n);
	CHECK_STR(s, "\xc2\xa3" "5 \xe2\x80\x9cok\xe2\x80\x9d");
	CHECK_STR(str_trim_dup(a, "  x y \n", 7), "x y");
	CHECK(str_trim_dup(a, "   ", 3) == NULL);
	CHECK(str_ieq("NHS No", "nhs no"));
	CHECK(str_istr("Reason for Referral", "REFERRAL") != NULL);
	arena_free(a);
}

int
main(void)
{
	test_nhs_numbers();
	test_codes();
	test_dates();
	test_text();
	return t_done("test_ident");
}
