/*
 * sftp.c - an SFTP directory as a source (libcurl with libssh2).
 *
 * Key authentication only; the server's host key must be in the
 * known_hosts file: a key that is missing or different is refused, never
 * trusted on first use.  One poll lists the directory (or, when no
 * practice is configured, each subdirectory named by a practice code),
 * downloads each complete regular file (dotfiles and *.part, *.tmp,
 * *.filepart are uploads in progress), hands it to intake for the
 * directory's practice, and only after the commit removes it, or renames
 * it into done_dir.  A file over the limit is hashed as it streams past,
 * recorded as quarantined without its bytes and moved to oversize_dir
 * (default: an "oversize" directory beside it).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "ident.h"
#include "intake.h"
#include "log.h"
#include "sources.h"
#include "transfer.h"
#include "xmalloc.h"

struct entry {
	char *name;
	char practice[8];
	long long size;
	char *dir_url, *dir_path; /* borrowed from the listing's dir */
};

struct hostkey_check {
	char problem[300]; /* why the host key was refused */
};

/* SHA256:base64 of a host key as ssh-keygen -l prints it. */
static void
fingerprint(const struct curl_khkey *k, char *out, size_t n)
{
	unsigned char raw[8192], sha[SHA256_LEN];
	unsigned char b64[64];
	int len;
	size_t i;

	if (k->len == 0) {
		len = EVP_DecodeBlock(raw, (const unsigned char *)k->key,
		    (int)strlen(k->key));
		if (len < 0) {
			snprintf(out, n, "(unreadable key)");
			return;
		}
		/* EVP_DecodeBlock counts the padding as zero bytes. */
		for (i = strlen(k->key); i > 0 && k->key[i - 1] == '='; i--)
			len--;
		sha256(raw, (size_t)len, sha);
	} else {
		sha256(k->key, k->len, sha);
	}
	len = EVP_EncodeBlock(b64, sha, SHA256_LEN);
	while (len > 0 && b64[len - 1] == '=')
		b64[--len] = '\0';
	snprintf(out, n, "SHA256:%s", b64);
}

static int
on_hostkey(CURL *h, const struct curl_khkey *known,
    const struct curl_khkey *found, enum curl_khmatch match, void *arg)
{
	struct hostkey_check *hk = arg;
	char fp[80];

	if (match == CURLKHMATCH_OK)
		return CURLKHSTAT_FINE;
	fingerprint(found, fp, sizeof(fp));
	snprintf(hk->problem, sizeof(hk->problem), "the server's host key "
	    "(%s) %s: refused; if the server's key really changed, put the "
	    "new key in the known_hosts file", fp, match ==
	    CURLKHMATCH_MISMATCH ? "does not match the one in known_hosts" :
	    "is not in known_hosts");
	return CURLKHSTAT_REJECT;
}

static int
ignored_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' || name[n - 1] == '~' ||
	    (n > 5 && strcmp(name + n - 5, ".part") == 0) ||
	    (n > 4 && strcmp(name + n - 4, ".tmp") == 0) ||
	    (n > 9 && strcmp(name + n - 9, ".filepart") == 0) ||
	    strchr(name, '/') != NULL;
}

/*
 * Reads one "ls -l" line of a listing (OpenSSH's long names): the type,
 * the size and the name (all after the eighth field).  Returns 0 or -1.
 */
static int
parse_long(const char *line, char *type, long long *size, const char **name)
{
	const char *p = line;
	int field;

	*type = line[0];
	for (field = 0; field < 8; field++) {
		while (*p != '\0' && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return -1;
		if (field == 3) {
			char *end;

			errno = 0;
			*size = strtoll(p, &end, 10);
			if (errno != 0 || end == p)
				return -1;
		}
	}
	*name = p;
	return 0;
}

/* Lists dir_url; calls back for every line.  0 or -1. */
static int
list_dir(struct transfer *t, const char *dir_url, char *err, size_t errlen)
{
	transfer_reset(t, dir_url, 8u << 20);
	if (transfer_run(t, "listing the directory", err, errlen) < 0)
		return -1;
	if (transfer_over(t)) {
		snprintf(err, errlen, "the directory listing is over 8 MiB");
		return -1;
	}
	return 0;
}

/* The next line of the listing at *p (modified in place), or NULL. */
static char *
next_line(char **p)
{
	char *line = *p, *nl;

	if (line == NULL || *line == '\0')
		return NULL;
	nl = strchr(line, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = line + strlen(line);
	}
	if (nl != NULL && nl > line && nl[-1] == '\r')
		nl[-1] = '\0';
	return line;
}

/* A path for a quote command: in double quotes, " and \ escaped. */
static void
quote_path(struct buf *b, const char *dir, const char *name)
{
	const char *p;

	buf_addc(b, '"');
	for (p = dir; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *p);
	}
	for (p = name; p != NULL && *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

/* Runs quote commands (rm, rename, mkdir) on the server.  0 or -1. */
static int
quote(struct transfer *t, const char *dir_url, struct curl_slist *cmds,
    const char *what, char *err, size_t errlen)
{
	int rc;

	transfer_reset(t, dir_url, 1 << 16);
	curl_easy_setopt(t->h, CURLOPT_QUOTE, cmds);
	curl_easy_setopt(t->h, CURLOPT_NOBODY, 1L);
	rc = transfer_run(t, what, err, errlen);
	curl_easy_setopt(t->h, CURLOPT_QUOTE, NULL);
	curl_slist_free_all(cmds);
	return rc;
}

/* Moves a file into dir on the server (made if missing) as prefix-name. */
static int
move_into(struct transfer *t, const struct entry *e, const char *dir,
    const char *prefix, char *err, size_t errlen)
{
	struct curl_slist *cmds = NULL;
	struct buf b;

	buf_init(&b, 0);
	buf_adds(&b, "*mkdir ");
	quote_path(&b, dir, NULL);
	cmds = curl_slist_append(cmds, b.p);
	buf_reset(&b);
	buf_adds(&b, "rename ");
	quote_path(&b, e->dir_path, e->name);
	buf_addc(&b, ' ');
	quote_path(&b, dir, NULL);
	b.len--; /* reopen the quotes to add /prefix-name */
	buf_adds(&b, "/");
	buf_adds(&b, prefix);
	{
		struct buf q;

		buf_init(&q, 0);
		quote_path(&q, "", e->name);
		buf_add(&b, q.p + 1, q.len - 1);
		buf_free(&q);
	}
	cmds = curl_slist_append(cmds, b.p);
	buf_free(&b);
	return quote(t, e->dir_url, cmds, "moving a taken file", err, errlen);
}

static int
remove_file(struct transfer *t, const struct entry *e, char *err,
    size_t errlen)
{
	struct buf b;
	struct curl_slist *cmds;

	buf_init(&b, 0);
	buf_adds(&b, "rm ");
	quote_path(&b, e->dir_path, e->name);
	cmds = curl_slist_append(NULL, b.p);
	buf_free(&b);
	return quote(t, e->dir_url, cmds, "removing a taken file", err,
	    errlen);
}

/* Takes one file in.  0, or -1 with err set (nothing acknowledged). */
static int
take(struct transfer *t, struct source_ctx *x, const struct sftp_source_cfg *c,
    const struct entry *e, char *err, size_t errlen)
{
	char *esc = curl_easy_escape(t->h, e->name, 0), *url, *name, sha8[9];
	char prefix[12];
	unsigned char sha[SHA256_LEN];
	struct intake_doc doc;
	int rc;

	url = xasprintf("%s%s", e->dir_url, esc);
	curl_free(esc);
	transfer_reset(t, url, e->size > (long long)x->lim.max_bytes ? 0 :
	    x->lim.max_bytes);
	rc = transfer_run(t, "downloading a file", err, errlen);
	free(url);
	if (rc < 0)
		return -1;
	transfer_sha256(t, sha);
	hex_encode(sha, 4, sha8);
	snprintf(prefix, sizeof(prefix), "%s-", sha8);
	if (t->hash_only || transfer_over(t)) {
		char *dir = c->oversize_dir ? xstrdup(c->oversize_dir) :
		    xasprintf("%soversize", e->dir_path), *kept;

		kept = xasprintf("%s/%s%s on %s", dir, prefix, e->name,
		    c->url);
		rc = source_oversize(x, sha, t->total, e->practice[0] ?
		    e->practice : NULL, kept, err, errlen);
		if (rc == 0) {
			log_warnx("%s: a file of %lld bytes is over the limit: "
			    "recorded as quarantined and moved to %s", x->label,
			    t->total, kept);
			rc = move_into(t, e, dir, prefix, err, errlen);
		}
		if (rc == 0)
			x->st.taken++;
		free(dir);
		free(kept);
		return rc;
	}
	memset(&doc, 0, sizeof(doc));
	doc.data = (const unsigned char *)t->body.p;
	doc.len = t->body.len;
	doc.source = x->label;
	doc.practice_ods = e->practice[0] ? e->practice : NULL;
	name = xasprintf("%s/%s", e->practice[0] ? e->practice : ".", e->name);
	doc.name = name;
	rc = source_commit(x, &doc, 1, err, errlen);
	free(name);
	if (rc < 0)
		return -1;
	log_debug("%s: a file of %zu bytes for practice %s is document %lld%s",
	    x->label, doc.len, e->practice[0] ? e->practice : "-", doc.id,
	    doc.duplicate ? " (already held)" : "");
	if (c->done_dir != NULL)
		rc = move_into(t, e, c->done_dir, prefix, err, errlen);
	else
		rc = remove_file(t, e, err, errlen);
	if (rc == 0)
		x->st.taken++;
	return rc;
}

/* The URL-decoded path of an sftp:// URL, ending in '/'. */
static char *
url_path(CURL *h, const char *url)
{
	const char *p = strstr(url, "://");
	char *dec;
	int n;

	p = p ? strchr(p + 3, '/') : NULL;
	if (p == NULL)
		return xstrdup("/");
	dec = curl_easy_unescape(h, p, 0, &n);
	if (dec == NULL)
		return xstrdup("/");
	p = xasprintf("%s", dec);
	curl_free(dec);
	return (char *)p;
}

/* Adds the files of one directory to the list. */
static int
collect(struct transfer *t, const char *dir_url, const char *dir_path,
    const char *practice, struct entry **v, size_t *n, size_t max,
    char *err, size_t errlen)
{
	char *listing, *p, *line;

	if (list_dir(t, dir_url, err, errlen) < 0)
		return -1;
	listing = xstrdup(t->body.p ? t->body.p : "");
	p = listing;
	while ((line = next_line(&p)) != NULL && *n < max) {
		const char *name;
		char type;
		long long size = 0;

		if (parse_long(line, &type, &size, &name) < 0 || type != '-' ||
		    ignored_name(name))
			continue;
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[*n].name = xstrdup(name);
		snprintf((*v)[*n].practice, sizeof((*v)[*n].practice), "%s",
		    practice ? practice : "");
		(*v)[*n].size = size;
		(*v)[*n].dir_url = (char *)dir_url;
		(*v)[*n].dir_path = (char *)dir_path;
		(*n)++;
	}
	free(listing);
	return 0;
}

int
sftp_poll(const void *cfg, struct source_ctx *x, char *err, size_t errlen)
{
	const struct sftp_source_cfg *c = cfg;
	struct hostkey_check hk = {""};
	struct transfer t;
	struct entry *v = NULL;
	char **urls = NULL, **paths = NULL, *pass = NULL, e[512];
	size_t n = 0, nd = 0, i;
	int rc = -1;

	if (secret_file_check(c->key_file, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "key_file: %s", e);
		return -1;
	}
	if (c->key_passphrase_file != NULL && (pass = secret_file_read(
	    c->key_passphrase_file, e, sizeof(e))) == NULL) {
		snprintf(err, errlen, "key_passphrase_file: %s", e);
		return -1;
	}
	if (transfer_open(&t, "sftp", x->stop, c->timeout_seconds,
	    c->max_recv_speed, NULL, err, errlen) < 0)
		goto out;
	curl_easy_setopt(t.h, CURLOPT_USERNAME, c->user);
	curl_easy_setopt(t.h, CURLOPT_SSH_AUTH_TYPES,
	    (long)CURLSSH_AUTH_PUBLICKEY);
	curl_easy_setopt(t.h, CURLOPT_SSH_PRIVATE_KEYFILE, c->key_file);
	if (c->public_key_file != NULL)
		curl_easy_setopt(t.h, CURLOPT_SSH_PUBLIC_KEYFILE,
		    c->public_key_file);
	if (pass != NULL)
		curl_easy_setopt(t.h, CURLOPT_KEYPASSWD, pass);
	curl_easy_setopt(t.h, CURLOPT_SSH_KNOWNHOSTS, c->known_hosts);
	curl_easy_setopt(t.h, CURLOPT_SSH_KEYFUNCTION, on_hostkey);
	curl_easy_setopt(t.h, CURLOPT_SSH_KEYDATA, &hk);

	/* The directories: the one, or one per practice. */
	urls = xcalloc(1, sizeof(*urls));
	paths = xcalloc(1, sizeof(*paths));
	if (c->practice != NULL) {
		urls[0] = xstrdup(c->url);
		paths[0] = url_path(t.h, c->url);
		nd = 1;
		if (collect(&t, urls[0], paths[0], c->practice, &v, &n,
		    (size_t)c->max_per_poll, err, errlen) < 0)
			goto fail;
	} else {
		char *base = url_path(t.h, c->url), *listing, *p, *line;

		if (list_dir(&t, c->url, err, errlen) < 0) {
			free(base);
			goto fail;
		}
		listing = xstrdup(t.body.p ? t.body.p : "");
		p = listing;
		while ((line = next_line(&p)) != NULL) {
			const char *name;
			char type, ods[8];
			long long size;
			size_t k;

			if (parse_long(line, &type, &size, &name) < 0 ||
			    type != 'd' || strlen(name) != 6)
				continue;
			for (k = 0; k < 6; k++)
				ods[k] = (char)toupper((unsigned char)name[k]);
			ods[6] = '\0';
			if (!ods_is_practice(ods))
				continue;
			urls = xreallocarray(urls, nd + 1, sizeof(*urls));
			paths = xreallocarray(paths, nd + 1, sizeof(*paths));
			urls[nd] = xasprintf("%s%s/", c->url, name);
			paths[nd] = xasprintf("%s%s/", base, name);
			if (collect(&t, urls[nd], paths[nd], ods, &v, &n,
			    (size_t)c->max_per_poll, err, errlen) < 0) {
				nd++;
				free(listing);
				free(base);
				goto fail;
			}
			nd++;
		}
		free(listing);
		free(base);
	}
	x->st.found = (int)n;
	for (i = 0; i < n && !atomic_load(x->stop); i++)
		if (take(&t, x, c, &v[i], err, errlen) < 0)
			break;
	rc = i == n ? 0 : -1;
	if (rc < 0 && atomic_load(x->stop))
		snprintf(err, errlen, "stopped (the hub is shutting down)");
fail:
	if (rc < 0 && hk.problem[0] != '\0')
		snprintf(err, errlen, "%s: %s", c->url, hk.problem);
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	for (i = 0; i < nd; i++) {
		free(urls[i]);
		free(paths[i]);
	}
	free(urls);
	free(paths);
	transfer_close(&t);
out:
	if (pass != NULL) {
		wipe(pass, strlen(pass));
		free(pass);
	}
	return rc;
}
