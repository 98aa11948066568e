/*
 * imap.c - an IMAP mailbox as a source (libcurl, TLS always).
 *
 * One poll: UID SEARCH ALL; for each message (oldest first) its size,
 * then the message itself (UID FETCH); mail_unpack makes the message and
 * its referral parts into documents; intake commits them; only then is
 * the message flagged \Deleted and expunged by UID (UID EXPUNGE), or moved
 * to done_folder (UID MOVE).  A message fetched again after a crash or a
 * lost connection is the same bytes: intake finds the document already
 * held, and the message is acknowledged without a second copy.  A message
 * over limits.max_document_bytes is hashed while it streams past,
 * recorded as a quarantined document without its bytes, and moved to
 * oversize_folder on the server.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "log.h"
#include "mail.h"
#include "sources.h"
#include "transfer.h"
#include "xmalloc.h"

/* The UIDs in "* SEARCH 4 8 15\r\n" (at most max), in order. */
static size_t
parse_search(const char *text, unsigned long *uids, size_t max)
{
	const char *p = strstr(text, "* SEARCH");
	size_t n = 0;

	if (p == NULL)
		return 0;
	p += 8;
	while (*p == ' ' && n < max) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(p + 1, &end, 10);
		if (errno != 0 || end == p + 1 || v == 0)
			break;
		uids[n++] = v;
		p = end;
	}
	return n;
}

/* The RFC822.SIZE in a FETCH response, or -1. */
static long long
parse_size(const char *text)
{
	const char *p = strstr(text, "RFC822.SIZE ");
	char *end;
	long long v;

	if (p == NULL)
		return -1;
	errno = 0;
	v = strtoll(p + 12, &end, 10);
	return errno != 0 || end == p + 12 || v < 0 ? -1 : v;
}

/* Runs an IMAP command on the mailbox; the untagged replies are in
 * t->body.  0 or -1 (err set). */
static int
command(struct transfer *t, const char *mailbox_url, const char *cmd,
    char *err, size_t errlen)
{
	transfer_reset(t, mailbox_url, 1 << 20);
	curl_easy_setopt(t->h, CURLOPT_CUSTOMREQUEST, cmd);
	return transfer_run(t, cmd, err, errlen);
}

/* Moves a message to folder, creating the folder when the server says
 * it is not there.  0 or -1. */
static int
move_to(struct transfer *t, const char *url, unsigned long uid,
    const char *folder, char *err, size_t errlen)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "UID MOVE %lu \"%s\"", uid, folder);
	if (command(t, url, cmd, err, errlen) == 0)
		return 0;
	snprintf(cmd, sizeof(cmd), "CREATE \"%s\"", folder);
	(void)command(t, url, cmd, err, errlen);
	snprintf(cmd, sizeof(cmd), "UID MOVE %lu \"%s\"", uid, folder);
	return command(t, url, cmd, err, errlen);
}

/* Acknowledges a committed message: moved, or deleted and expunged. */
static int
ack(struct transfer *t, const struct imap_source_cfg *c, const char *url,
    unsigned long uid, char *err, size_t errlen)
{
	char cmd[128];

	if (c->done_folder != NULL)
		return move_to(t, url, uid, c->done_folder, err, errlen);
	snprintf(cmd, sizeof(cmd), "UID STORE %lu +FLAGS.SILENT (\\Deleted)",
	    uid);
	if (command(t, url, cmd, err, errlen) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "UID EXPUNGE %lu", uid);
	return command(t, url, cmd, err, errlen);
}

/* A message over the limit: hashed as it streams past, recorded, moved
 * aside on the server.  0 or -1. */
static int
set_aside(struct transfer *t, struct source_ctx *x,
    const struct imap_source_cfg *c, const char *url, unsigned long uid,
    int fetched, char *err, size_t errlen)
{
	unsigned char sha[SHA256_LEN];
	char *kept;
	int rc;

	if (!fetched) {
		char *msgurl = xasprintf("%s;UID=%lu", url, uid);

		transfer_reset(t, msgurl, 0);
		rc = transfer_run(t, "UID FETCH (hashing an oversize message)",
		    err, errlen);
		free(msgurl);
		if (rc < 0)
			return -1;
	}
	transfer_sha256(t, sha);
	kept = xasprintf("folder \"%s\" of mailbox %s", c->oversize_folder,
	    c->url);
	rc = source_oversize(x, sha, t->total, NULL, kept, err, errlen);
	if (rc == 0)
		log_warnx("%s: message uid %lu is %lld bytes, over the limit: "
		    "recorded as quarantined and moved to %s", x->label, uid,
		    t->total, kept);
	free(kept);
	if (rc < 0)
		return -1;
	if (move_to(t, url, uid, c->oversize_folder, err, errlen) < 0)
		return -1;
	x->st.taken++;
	return 0;
}

/* Takes one message in.  0, or -1 with err set (nothing acknowledged). */
static int
take(struct transfer *t, struct source_ctx *x, const struct imap_source_cfg *c,
    const char *url, unsigned long uid, char *err, size_t errlen)
{
	char cmd[128], *msgurl;
	struct mail_docs md;
	long long size;
	int rc;

	snprintf(cmd, sizeof(cmd), "UID FETCH %lu RFC822.SIZE", uid);
	if (command(t, url, cmd, err, errlen) < 0)
		return -1;
	if ((size = parse_size(t->body.p ? t->body.p : "")) < 0)
		return 0; /* gone since the search */
	if (size > (long long)x->lim.max_bytes)
		return set_aside(t, x, c, url, uid, 0, err, errlen);
	log_debug("%s: fetching message uid %lu (%lld bytes)", x->label, uid,
	    size);
	msgurl = xasprintf("%s;UID=%lu", url, uid);
	transfer_reset(t, msgurl, x->lim.max_bytes);
	rc = transfer_run(t, "UID FETCH", err, errlen);
	free(msgurl);
	if (rc < 0)
		return -1;
	if (transfer_over(t))
		return set_aside(t, x, c, url, uid, 1, err, errlen);
	if (t->total == 0)
		return 0;
	mail_unpack((const unsigned char *)t->body.p, t->body.len, x->label,
	    c->require_signed, x->smime, &x->lim, &md);
	if (md.docs[0].state != NULL && strcmp(md.docs[0].state,
	    "quarantined") == 0)
		log_info("%s: message uid %lu quarantined: %s", x->label, uid,
		    md.docs[0].reason);
	if (source_commit(x, md.docs, md.n, err, errlen) < 0) {
		mail_docs_free(&md);
		return -1;
	}
	log_debug("%s: message uid %lu is document %lld%s with %zu part(s)",
	    x->label, uid, md.docs[0].id, md.docs[0].duplicate ?
	    " (already held)" : "", md.n - 1);
	mail_docs_free(&md);
	if (ack(t, c, url, uid, err, errlen) < 0)
		return -1;
	x->st.taken++;
	return 0;
}

/* The mailbox URL without a trailing slash (INBOX when none is named). */
static char *
mailbox_url(const char *url)
{
	const char *path = strstr(url, "://");
	size_t n = strlen(url);

	path = path ? strchr(path + 3, '/') : NULL;
	if (path == NULL || path[1] == '\0')
		return xasprintf("%.*s/INBOX", (int)(path ? (size_t)(path - url)
		    : n), url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	return xasprintf("%.*s", (int)n, url);
}

int
imap_poll(const void *cfg, struct source_ctx *x, char *err, size_t errlen)
{
	const struct imap_source_cfg *c = cfg;
	struct transfer t;
	char *password = NULL, *url, e[512];
	unsigned long *uids;
	size_t n, i;
	int rc = -1;

	if (transfer_open(&t, "imaps,imap", x->stop, c->timeout_seconds,
	    c->max_recv_speed, c->ca_file, err, errlen) < 0)
		return -1;
	curl_easy_setopt(t.h, CURLOPT_USERNAME, c->user);
	if (c->password_file != NULL) {
		if ((password = secret_file_read(c->password_file, e,
		    sizeof(e))) == NULL) {
			snprintf(err, errlen, "password: %s", e);
			transfer_close(&t);
			return -1;
		}
		curl_easy_setopt(t.h, CURLOPT_PASSWORD, password);
	}
	if (c->client_cert_file != NULL) {
		if (secret_file_check(c->client_key_file, e, sizeof(e)) < 0) {
			snprintf(err, errlen, "client key: %s", e);
			goto out;
		}
		curl_easy_setopt(t.h, CURLOPT_SSLCERT, c->client_cert_file);
		curl_easy_setopt(t.h, CURLOPT_SSLKEY, c->client_key_file);
		if (password == NULL)
			curl_easy_setopt(t.h, CURLOPT_LOGIN_OPTIONS,
			    "AUTH=EXTERNAL");
	}
	url = mailbox_url(c->url);
	uids = xcalloc((size_t)c->max_per_poll, sizeof(*uids));
	if (command(&t, url, "UID SEARCH ALL", err, errlen) == 0) {
		n = parse_search(t.body.p ? t.body.p : "", uids,
		    (size_t)c->max_per_poll);
		x->st.found = (int)n;
		for (i = 0; i < n && !atomic_load(x->stop); i++)
			if (take(&t, x, c, url, uids[i], err, errlen) < 0)
				break;
		rc = i == n ? 0 : -1;
		if (rc < 0 && atomic_load(x->stop) && i < n)
			snprintf(err, errlen, "stopped (the hub is shutting "
			    "down)");
	}
	free(uids);
	free(url);
out:
	transfer_close(&t);
	if (password != NULL) {
		wipe(password, strlen(password));
		free(password);
	}
	return rc;
}
