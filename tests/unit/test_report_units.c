/*
 * test_report_units.c - the reports' pure pieces: the reports section of
 * the configuration, periods and the schedule, what changed between two
 * reports, money, and the certificate registry's paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose.h"
#include "config.h"
#include "figures.h"
#include "run.h"
#include "smime.h"
#include "t.h"

static char path[] = "/tmp/pars-test-report-XXXXXX";

#include "tconfig.h"

static void
test_config(void)
{
	char err[1024];
	struct config *c;

	c = load("state_dir: /var/lib/x\n", err, sizeof(err));
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK_STR(c->reports.outbox, "/var/lib/x/reports");
		CHECK_STR(c->reports.certs_dir, "/var/lib/x/certs");
		CHECK_STR(c->reports.channel, "outbox");
		CHECK_STR(c->reports.email_when, "changed");
		CHECK_INT(c->reports.min_count, 5);
		CHECK_INT(c->reports.final_day, 1);
		CHECK_INT(c->reports.practices_n, 0);
		config_free(c);
	}
	c = load("state_dir: /var/lib/x\nreports:\n  outbox: /srv/out\n"
	    "  smtp:\n    url: smtps://mail:465\n    from: a@b\n"
	    "  practices:\n    - code: E82045\n      channel: email\n"
	    "      email_when: new\n    - code: E82046\n      channel: sftp\n"
	    "      sftp_url: sftp://h/x\n", err, sizeof(err));
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK_STR(c->reports.outbox, "/srv/out");
		CHECK_INT(c->reports.practices_n, 2);
		CHECK_STR(c->reports.practices[0].code, "E82045");
		CHECK_STR(c->reports.practices[0].email_when, "new");
		CHECK_STR(c->reports.practices[1].sftp_url, "sftp://h/x");
		CHECK(c->reports.practices[1].email == NULL);
		config_free(c);
	}
	c = load("state_dir: /x\nreports:\n  practices:\n    - code: E82046\n"
	    "      channel: sftp\n", err, sizeof(err));
	CHECK(c == NULL);
	CHECK_HAS(err, "channel sftp needs sftp_url");
	c = load("state_dir: /x\nreports:\n  practices:\n    - code: E82046\n"
	    "      channel: email\n", err, sizeof(err));
	CHECK(c == NULL);
	CHECK_HAS(err, "needs reports.smtp.url");
	c = load("state_dir: /x\nreports:\n  channel: pigeon\n", err,
	    sizeof(err));
	CHECK(c == NULL);
	CHECK_HAS(err, "channel must be outbox, email or sftp");
	c = load("state_dir: /x\nreports:\n  practices:\n    - channel: x\n",
	    err, sizeof(err));
	CHECK(c == NULL);
	CHECK_HAS(err, "reports.practices[0].code");
	c = load("state_dir: /x\nreports:\n  min_count: 0\n", err, sizeof(err));
	CHECK(c == NULL);
	CHECK_HAS(err, ":3: key 'reports.min_count'");
}

static void
test_periods(void)
{
	struct fig_period p;
	char err[256];

	CHECK_INT(figures_period_month(&p, "2024-02", "monthly", err,
	    sizeof(err)), 0);
	CHECK_STR(p.from, "2024-02-01");
	CHECK_STR(p.to, "2024-02-29"); /* leap year */
	CHECK_STR(p.months[0], "2023-03");
	CHECK_STR(p.months[11], "2024-02");
	CHECK_STR(p.tariff_year, "2023/24");
	CHECK_INT(figures_period_quarter(&p, "2025-Q2", err, sizeof(err)), 0);
	CHECK_STR(p.from, "2025-04-01");
	CHECK_STR(p.to, "2025-06-30");
	CHECK_STR(p.label, "2025-Q2");
	CHECK_STR(p.tariff_year, "2025/26");
	CHECK_INT(figures_period_range(&p, "2025-01-05", "2025-03-02", err,
	    sizeof(err)), 0);
	CHECK_STR(p.label, "2025-01-05..2025-03-02");
	CHECK_STR(p.months[11], "2025-03");
	CHECK_INT(figures_period_month(&p, "2025-13", "monthly", err,
	    sizeof(err)), -1);
	CHECK_INT(figures_period_quarter(&p, "2025-Q5", err, sizeof(err)), -1);
	CHECK_INT(figures_period_range(&p, "2025-02-01", "2025-01-01", err,
	    sizeof(err)), -1);
}

static void
test_schedule(void)
{
	struct config *c = config_defaults();
	struct fig_period p[3];

	/* the 1st of April: March's final report and Q1, no month to date */
	CHECK_INT(report_schedule(c, "2025-04-01", p), 2);
	CHECK_STR(p[0].kind, "monthly");
	CHECK_STR(p[0].label, "2025-03");
	CHECK_STR(p[1].kind, "quarterly");
	CHECK_STR(p[1].label, "2025-Q1");
	/* the 1st of January: December and the last quarter of 2024 */
	CHECK_INT(report_schedule(c, "2025-01-01", p), 2);
	CHECK_STR(p[0].label, "2024-12");
	CHECK_STR(p[1].label, "2024-Q4");
	/* an ordinary night: the month to date, up to yesterday */
	CHECK_INT(report_schedule(c, "2025-03-01", p), 1);
	CHECK_STR(p[0].label, "2025-02");
	CHECK_INT(report_schedule(c, "2025-03-17", p), 1);
	CHECK_STR(p[0].kind, "nightly");
	CHECK_STR(p[0].from, "2025-03-01");
	CHECK_STR(p[0].to, "2025-03-16");
	/* final reports on the 3rd: nightly too that day */
	c->reports.final_day = 3;
	CHECK_INT(report_schedule(c, "2025-07-03", p), 3);
	CHECK_STR(p[0].to, "2025-07-02");
	CHECK_STR(p[1].label, "2025-06");
	CHECK_STR(p[2].label, "2025-Q2");
	config_free(c);
}

static void
test_changes(void)
{
	const char *a = "{\"referrals\":120,\"cost\":100,\"puns\":1,"
	    "\"saving\":5,\"dens\":0,\"quarantined\":0,\"flags\":[\"puns\"],"
	    "\"pun_refs\":[\"U1\"],\"quarantined_ids\":[]}";
	const char *b = "{\"referrals\":125,\"cost\":100,\"puns\":2,"
	    "\"saving\":5,\"dens\":0,\"quarantined\":1,\"flags\":[\"puns\","
	    "\"rate_high\"],\"pun_refs\":[\"U1\",\"U2\"],"
	    "\"quarantined_ids\":[42]}";
	const char *c = "{\"referrals\":121,\"cost\":100,\"puns\":1,"
	    "\"saving\":5,\"dens\":0,\"quarantined\":0,\"flags\":[\"puns\"],"
	    "\"pun_refs\":[\"U1\"],\"quarantined_ids\":[]}";
	char *s;
	int is_new;

	s = compose_changes(a, b, &is_new);
	CHECK_STR(s, "referrals 120 -> 125; puns 1 -> 2; quarantined 0 -> 1; "
	    "1 new flag(s); 1 new PUN referral(s); 1 new quarantined "
	    "document(s)");
	CHECK(is_new);
	free(s);
	s = compose_changes(a, c, &is_new);
	CHECK_STR(s, "referrals 120 -> 121");
	CHECK(!is_new);
	free(s);
	s = compose_changes(a, a, &is_new);
	CHECK_STR(s, "no change");
	free(s);
	s = compose_changes(NULL, a, &is_new);
	CHECK_STR(s, "first report for this period");
	CHECK(is_new);
	free(s);
}

static void
test_money_and_registry(void)
{
	char m[48], *p;

	compose_money(m, sizeof(m), 123456789);
	CHECK_STR(m, "\xc2\xa3" "1,234,568");
	compose_money(m, sizeof(m), 49);
	CHECK_STR(m, "\xc2\xa3" "0");
	compose_money(m, sizeof(m), -150000);
	CHECK_STR(m, "-\xc2\xa3" "1,500");
	p = smime_cert_path("/etc/parsd/certs", "E82045");
	CHECK_STR(p, "/etc/parsd/certs/E82045.pem");
	free(p);
	CHECK(smime_cert_path("/etc/parsd/certs", "../../etc/x") == NULL);
	CHECK(smime_cert_path("/etc/parsd/certs", "RWG") == NULL);
}

int
main(void)
{
	int fd = mkstemp(path);

	close(fd);
	test_config();
	test_periods();
	test_schedule();
	test_changes();
	test_money_and_registry();
	unlink(path);
	return t_done("test_report_units");
}
