/*
 * deliver.h - getting a practice's report files to it: into the outbox
 * directory (<outbox>/<ODS>/<period>/), by e-mail over SMTP with TLS,
 * S/MIME-encrypted to the practice's certificate, or by SFTP upload with
 * the server's host key checked against known_hosts (libcurl).
 */
#ifndef PARS_DELIVER_H
#define PARS_DELIVER_H

#include <stddef.h>

#include "crypto.h"

struct config;

struct deliver_file {
	const char *name; /* P81000-2025-01.html */
	const char *type; /* MIME type */
	const char *data; /* borrowed */
	size_t len;
	char sha256[2 * SHA256_LEN + 1];
};

/* Fills f->sha256 from its data. */
void deliver_hash(struct deliver_file *f);

/*
 * Writes the files into dir (made with its parents, mode 0750), each as
 * NAME.tmp renamed over NAME, so that a reader never sees half a file.
 * They are durable once deliver_sync() has returned: a run writes
 * thousands of files and syncs once.  Returns 0, or -1 with err set.
 */
int deliver_outbox(const char *dir, const struct deliver_file *f, size_t n,
    char *err, size_t errlen);
/* Flushes the file system holding dir (syncfs): 0, or -1 with err set. */
int deliver_sync(const char *dir, char *err, size_t errlen);

/*
 * Uploads the files to url (sftp://host:port/dir/; the directory is made
 * if missing), each as NAME.part renamed to NAME, authenticating with the
 * configured key and refusing a host key not in known_hosts.  Returns 0,
 * or -1 with err set.
 */
int deliver_sftp(const struct config *cfg, const char *url,
    const struct deliver_file *f, size_t n, char *err, size_t errlen);

/*
 * Sends one e-mail to `to` over the configured SMTP server (TLS required:
 * smtps://, or STARTTLS on smtp://), with body as its text and the files
 * attached, the whole message S/MIME-encrypted to the practice's
 * certificate (smime.h).  Returns 0, or -1 with err set (no certificate,
 * TLS or server refusal).
 */
int deliver_email(const struct config *cfg, const char *practice,
    const char *to, const char *subject, const char *body,
    const struct deliver_file *f, size_t n, char *err, size_t errlen);

#endif
