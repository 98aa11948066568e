/*
 * test_config_sources.c - the sources, smime and receipts sections: lists
 * of IMAP and SFTP sources, their defaults, and errors that name the file,
 * line and key (or the file and key for rules across keys).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "t.h"

static char path[] = "/tmp/pars-test-config-sources-XXXXXX";

#include "tconfig.h"

static const char good[] =
    "state_dir: /var/lib/x\n"
    "sources:\n"
    "  imap:\n"
    "    - name: nhsmail\n"
    "      url: imaps://mail.example.nhs.uk/INBOX\n"
    "      user: referrals\n"
    "      password_file: /etc/parsd/imap.pw\n"
    "      require_signed: true\n"
    "      receipts: yes\n"
    "      max_recv_speed: 2M\n"
    "    - name: second\n"
    "      url: imap://127.0.0.1:1143/\n"
    "      user: x\n"
    "      client_cert_file: /c.pem\n"
    "      client_key_file: /c.key\n"
    "      done_folder: Taken\n"
    "      poll_seconds: 5\n"
    "  sftp:\n"
    "    - name: emis\n"
    "      url: sftp://sftp.example.org:2222/drop\n"
    "      user: pars\n"
    "      key_file: /k\n"
    "      known_hosts: /kh\n"
    "      practice: E82045\n"
    "smime:\n"
    "  practice_certs_dir: /certs\n"
    "  ca_file: /ca.pem\n"
    "  crl_file: /crl.pem\n"
    "receipts:\n"
    "  smtp_url: smtps://smtp.example.org\n"
    "  from: pars@hub.example.org\n";

static void
test_good(void)
{
	char err[1024];
	struct config *c = load(good, err, sizeof(err)), *d;

	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK_INT(c->sources.imap_n, 2);
	CHECK_STR(c->sources.imap[0].name, "nhsmail");
	CHECK_INT(c->sources.imap[0].require_signed, 1);
	CHECK_INT(c->sources.imap[0].receipts, 1);
	CHECK_INT(c->sources.imap[0].max_recv_speed, 2L << 20);
	CHECK_INT(c->sources.imap[0].poll_seconds, 60);
	CHECK_INT(c->sources.imap[0].max_per_poll, 500);
	CHECK_STR(c->sources.imap[0].oversize_folder, "PARS-Oversize");
	CHECK(c->sources.imap[0].done_folder == NULL);
	CHECK_STR(c->sources.imap[1].done_folder, "Taken");
	CHECK_INT(c->sources.imap[1].poll_seconds, 5);
	CHECK_INT(c->sources.sftp_n, 1);
	CHECK_STR(c->sources.sftp[0].url, "sftp://sftp.example.org:2222/drop/");
	CHECK_STR(c->sources.sftp[0].practice, "E82045");
	CHECK_STR(c->smime.crl_file, "/crl.pem");
	CHECK(c->smime.cert_file == NULL);
	CHECK_STR(c->receipts.from, "pars@hub.example.org");
	CHECK_INT(c->receipts.interval_seconds, 60);

	/* A reload keeps the running sections. */
	d = config_defaults();
	d->path = strdup("other");
	config_swap_remote(d, c);
	CHECK_INT(d->sources.imap_n, 2);
	CHECK_INT(c->sources.imap_n, 0);
	CHECK_STR(d->receipts.smtp_url, "smtps://smtp.example.org");
	CHECK(c->receipts.smtp_url == NULL);
	config_free(c);
	config_free(d);
}

int
main(void)
{
	int fd = mkstemp(path);

	close(fd);
	test_good();
	expect_error("state_dir: /x\nsources:\n  imap:\n    - name: a\n"
	    "      url: imaps://h/\n      user: u\n      password_file: /p\n"
	    "      bogus: 1\n", ":8: key 'sources.imap[0].bogus': unknown key");
	expect_error("state_dir: /x\nsources:\n  imap:\n    - name: a\n"
	    "      url: imaps://h/\n      user: u\n      password_file: /p\n"
	    "      poll_seconds: often\n",
	    ":8: key 'sources.imap[0].poll_seconds': must be a whole number");
	expect_error("state_dir: /x\nsources:\n  sftp:\n    - name: a\n"
	    "      url: sftp://h/d/\n      user: u\n      key_file: /k\n",
	    ":4: key 'sources.sftp[0].known_hosts': is required but missing");
	expect_error("state_dir: /x\nsources:\n  imap: imaps://h/\n",
	    ":3: key 'sources.imap': must be a list");
	expect_error("state_dir: /x\nsources:\n  imap:\n    - name: a\n"
	    "      url: imaps://u:secret@h/\n      user: u\n"
	    "      password_file: /p\n",
	    "key 'sources.imap[0]': url must be imaps://host[:port]/MAILBOX");
	expect_error("state_dir: /x\nsources:\n  imap:\n    - name: a\n"
	    "      url: imaps://h/\n      user: u\n",
	    "key 'sources.imap[0]': needs password_file or client_cert_file");
	expect_error("state_dir: /x\nsources:\n  imap:\n    - name: a\n"
	    "      url: imaps://h/\n      user: u\n      password_file: /p\n"
	    "      require_signed: true\n",
	    "key 'smime': checking signatures needs practice_certs_dir and "
	    "ca_file");
	expect_error("state_dir: /x\nsources:\n  sftp:\n    - name: a\n"
	    "      url: sftp://h/d/\n      user: u\n      key_file: /k\n"
	    "      known_hosts: /kh\n      receipts: true\n",
	    "key 'receipts': a source sends receipts: smtp_url and from are "
	    "needed");
	expect_error("state_dir: /x\nsources:\n  sftp:\n    - name: a\n"
	    "      url: sftp://h/d/\n      user: u\n      key_file: /k\n"
	    "      known_hosts: /kh\n      practice: E8204\n",
	    "practice must be a practice code");
	expect_error("state_dir: /x\nsources:\n  imap:\n    - name: a\n"
	    "      url: imaps://h/\n      user: u\n      password_file: /p\n"
	    "  sftp:\n    - name: a\n      url: sftp://h/d/\n      user: u\n"
	    "      key_file: /k\n      known_hosts: /kh\n",
	    "name \"a\" is used by sources.imap[0] too");
	expect_error("state_dir: /x\nreceipts:\n  smtp_url: http://h/\n"
	    "  from: a@b\n", "key 'receipts.smtp_url': must be smtp://");
	expect_error("state_dir: /x\nsmime:\n  cert_file: /c\n",
	    "key 'smime': cert_file and key_file go together");
	unlink(path);
	return t_done("test_config_sources");
}
