/*
 * deliver.c - see deliver.h.
 */
#include "deliver.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "smime.h"
#include "xmalloc.h"

void
deliver_hash(struct deliver_file *f)
{
	unsigned char h[SHA256_LEN];

	sha256(f->data, f->len, h);
	hex_encode(h, SHA256_LEN, f->sha256);
}

/* mkdir -p with mode; 0 or -1 (errno set). */
static int
mkdirs(const char *dir, mode_t mode)
{
	char *p = xstrdup(dir), *s;
	int rc = 0;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, mode) < 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

int
deliver_outbox(const char *dir, const struct deliver_file *f, size_t n,
    char *err, size_t errlen)
{
	size_t i;

	if (mkdirs(dir, 0750) < 0) {
		snprintf(err, errlen, "could not create directory \"%s\": %s",
		    dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		char *tmp = xasprintf("%s/%s.tmp", dir, f[i].name);
		char *dst = xasprintf("%s/%s", dir, f[i].name);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0640);
		int ok = fd >= 0 && write(fd, f[i].data, f[i].len) ==
		    (ssize_t)f[i].len;

		if (fd >= 0 && close(fd) < 0)
			ok = 0;
		if (ok && rename(tmp, dst) < 0)
			ok = 0;
		if (!ok) {
			snprintf(err, errlen, "could not write \"%s\": %s", dst,
			    strerror(errno));
			unlink(tmp);
		}
		free(tmp);
		free(dst);
		if (!ok)
			return -1;
	}
	return 0;
}

int
deliver_sync(const char *dir, char *err, size_t errlen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0 && errno == ENOENT)
		return 0; /* nothing was written */
	if (fd < 0 || (rc = syncfs(fd)) < 0) {
		snprintf(err, errlen, "could not sync \"%s\": %s", dir,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

struct src {
	const char *p;
	size_t len, off;
};

static size_t
read_src(char *out, size_t size, size_t nmemb, void *arg)
{
	struct src *s = arg;
	size_t n = size * nmemb;

	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(out, s->p + s->off, n);
	s->off += n;
	return n;
}

/* Accepts the server only when known_hosts has its key. */
static int
known_host(CURL *c, const struct curl_khkey *knownkey,
    const struct curl_khkey *foundkey, enum curl_khmatch match, void *arg)
{
	return match == CURLKHMATCH_OK ? CURLKHSTAT_FINE : CURLKHSTAT_REJECT;
}

/* Curl's message for rc, with its error buffer when it has one. */
static void
curl_err(char *err, size_t errlen, const char *what, CURLcode rc,
    const char *ebuf)
{
	snprintf(err, errlen, "%s: %s%s%s", what, curl_easy_strerror(rc),
	    ebuf[0] ? ": " : "", ebuf);
	err[strcspn(err, "\n")] = '\0';
}

int
deliver_sftp(const struct config *cfg, const char *url,
    const struct deliver_file *f, size_t n, char *err, size_t errlen)
{
	const char *base = url;
	char ebuf[CURL_ERROR_SIZE];
	size_t i;
	int rc = 0;

	if (strncmp(url, "sftp://", 7) != 0 ||
	    cfg->reports.sftp.known_hosts == NULL) {
		snprintf(err, errlen, "an SFTP delivery needs an sftp:// URL "
		    "and reports.sftp.known_hosts");
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		CURL *c = curl_easy_init();
		struct curl_slist *post = NULL;
		struct src s = {f[i].data, f[i].len, 0};
		const char *slash = base[strlen(base) - 1] == '/' ? "" : "/";
		char *part = xasprintf("%s%s%s.part", base, slash, f[i].name);
		char *path, *cmd;
		CURLcode cr;

		/* the remote path: everything after host[:port] */
		path = strchr(base + 7, '/');
		cmd = xasprintf("rename %s%s%s.part %s%s%s",
		    path ? path : "/", slash, f[i].name, path ? path : "/",
		    slash, f[i].name);
		{
			char *rm = xasprintf("*rm %s%s%s", path ? path : "/",
			    slash, f[i].name);

			post = curl_slist_append(post, rm);
			free(rm);
		}
		post = curl_slist_append(post, cmd);
		ebuf[0] = '\0';
		curl_easy_setopt(c, CURLOPT_URL, part);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "sftp");
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, read_src);
		curl_easy_setopt(c, CURLOPT_READDATA, &s);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)f[i].len);
		curl_easy_setopt(c, CURLOPT_FTP_CREATE_MISSING_DIRS,
		    (long)CURLFTP_CREATE_DIR);
		curl_easy_setopt(c, CURLOPT_POSTQUOTE, post);
		curl_easy_setopt(c, CURLOPT_SSH_AUTH_TYPES,
		    (long)CURLSSH_AUTH_PUBLICKEY);
		curl_easy_setopt(c, CURLOPT_SSH_KNOWNHOSTS,
		    cfg->reports.sftp.known_hosts);
		curl_easy_setopt(c, CURLOPT_SSH_KEYFUNCTION, known_host);
		if (cfg->reports.sftp.username)
			curl_easy_setopt(c, CURLOPT_USERNAME,
			    cfg->reports.sftp.username);
		if (cfg->reports.sftp.private_key)
			curl_easy_setopt(c, CURLOPT_SSH_PRIVATE_KEYFILE,
			    cfg->reports.sftp.private_key);
		if (cfg->reports.sftp.public_key)
			curl_easy_setopt(c, CURLOPT_SSH_PUBLIC_KEYFILE,
			    cfg->reports.sftp.public_key);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		if ((cr = curl_easy_perform(c)) != CURLE_OK) {
			curl_err(err, errlen, "SFTP upload failed", cr, ebuf);
			rc = -1;
		}
		curl_slist_free_all(post);
		curl_easy_cleanup(c);
		free(part);
		free(cmd);
	}
	return rc;
}

static void
base64_lines(struct buf *b, const char *data, size_t len)
{
	unsigned char out[80];
	size_t i;

	for (i = 0; i < len; i += 57) {
		size_t k = len - i < 57 ? len - i : 57;
		int n = EVP_EncodeBlock(out, (const unsigned char *)data + i,
		    (int)k);

		buf_add(b, out, (size_t)n);
		buf_adds(b, "\r\n");
	}
}

/* The message inside the encryption: text and attachments. */
static void
inner_mime(struct buf *b, const char *body, const struct deliver_file *f,
    size_t n, const char *boundary)
{
	size_t i;

	buf_printf(b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n"
	    "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", boundary, boundary);
	base64_lines(b, body, strlen(body));
	for (i = 0; i < n; i++) {
		buf_printf(b, "--%s\r\nContent-Type: %s\r\n"
		    "Content-Disposition: attachment; filename=\"%s\"\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n", boundary,
		    f[i].type, f[i].name);
		base64_lines(b, f[i].data, f[i].len);
	}
	buf_printf(b, "--%s--\r\n", boundary);
}

int
deliver_email(const struct config *cfg, const char *practice,
    const char *to, const char *subject, const char *body,
    const struct deliver_file *f, size_t n, char *err, size_t errlen)
{
	const char *url = cfg->reports.smtp.url, *from = cfg->reports.smtp.from;
	unsigned char rnd[12];
	char boundary[40], id[25], date[64], ebuf[CURL_ERROR_SIZE];
	char *enc, *password = NULL;
	struct buf inner, msg;
	struct curl_slist *rcpt = NULL;
	struct src s;
	size_t enclen;
	time_t now = time(NULL);
	struct tm tm;
	CURLcode cr;
	CURL *c;
	int rc = -1;

	if (url == NULL || from == NULL || to == NULL) {
		snprintf(err, errlen, "e-mail delivery needs reports.smtp.url, "
		    "reports.smtp.from and the practice's address");
		return -1;
	}
	if (strncmp(url, "smtps://", 8) != 0 && strncmp(url, "smtp://", 7)) {
		snprintf(err, errlen, "reports.smtp.url must be smtps:// or "
		    "smtp:// (with STARTTLS)");
		return -1;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		snprintf(err, errlen, "could not make a message id");
		return -1;
	}
	hex_encode(rnd, sizeof(rnd), id);
	snprintf(boundary, sizeof(boundary), "pars-%s", id);
	buf_init(&inner, 512u << 20);
	inner_mime(&inner, body, f, n, boundary);
	enc = smime_encrypt(cfg->reports.certs_dir, practice, inner.p,
	    inner.len, &enclen, err, errlen);
	buf_free(&inner);
	if (enc == NULL)
		return -1;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_init(&msg, 512u << 20);
	buf_printf(&msg, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
	    "Message-ID: <%s.report@pars>\r\n", from, to, subject, date, id);
	/* SMIME_write_CMS ends lines with \n: make them CRLF for SMTP */
	{
		const char *p;

		for (p = enc; *p != '\0'; p++) {
			if (*p == '\n' && (p == enc || p[-1] != '\r'))
				buf_addc(&msg, '\r');
			buf_addc(&msg, *p);
		}
	}
	free(enc);
	if (!buf_ok(&msg)) {
		snprintf(err, errlen, "the message is too big to send");
		buf_free(&msg);
		return -1;
	}
	if (cfg->reports.smtp.password_file != NULL &&
	    (password = secret_file_read(cfg->reports.smtp.password_file, err,
	    errlen)) == NULL) {
		buf_free(&msg);
		return -1;
	}
	s.p = msg.p;
	s.len = msg.len;
	s.off = 0;
	c = curl_easy_init();
	rcpt = curl_slist_append(rcpt, to);
	ebuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (cfg->reports.smtp.ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->reports.smtp.ca_file);
	if (cfg->reports.smtp.username)
		curl_easy_setopt(c, CURLOPT_USERNAME,
		    cfg->reports.smtp.username);
	if (password)
		curl_easy_setopt(c, CURLOPT_PASSWORD, password);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_src);
	curl_easy_setopt(c, CURLOPT_READDATA, &s);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if ((cr = curl_easy_perform(c)) != CURLE_OK)
		curl_err(err, errlen, "SMTP delivery failed", cr, ebuf);
	else
		rc = 0;
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	if (password) {
		wipe(password, strlen(password));
		free(password);
	}
	buf_free(&msg);
	return rc;
}
