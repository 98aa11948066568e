/*
 * crypto.c - keys, hashes, pseudonyms and archive encryption (crypto.h).
 */
#include "crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "log.h"
#include "text.h"
#include "xmalloc.h"

void
wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

void
sha256(const void *data, size_t n, unsigned char out[SHA256_LEN])
{
	unsigned int len = SHA256_LEN;

	if (EVP_Digest(data, n, out, &len, EVP_sha256(), NULL) != 1)
		fatalx("EVP_Digest(sha256) failed");
}

int
sha256_fd(int fd, unsigned char out[SHA256_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[65536];
	unsigned int len = SHA256_LEN;
	ssize_t n;
	int rc = 0;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		fatalx("EVP_DigestInit_ex(sha256) failed");
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	if (rc == 0)
		EVP_DigestFinal_ex(ctx, out, &len);
	EVP_MD_CTX_free(ctx);
	return rc;
}

void
hex_encode(const unsigned char *data, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 15];
	}
	out[2 * n] = '\0';
}

int
hex_decode(const char *s, unsigned char *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int hi = hex_value(s[2 * i]), lo;

		if (hi < 0)
			return -1;
		lo = hex_value(s[2 * i + 1]);
		if (lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

void
key_id(const unsigned char key[KEY_LEN], char out[9])
{
	unsigned char h[SHA256_LEN];

	sha256(key, KEY_LEN, h);
	hex_encode(h, 4, out);
}

/* Opens path for reading after checking it is a private regular file. */
static int
open_private(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "could not open \"%s\": %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "\"%s\" is not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "cannot use \"%s\": it is readable or "
		    "writable by group or others (mode %03o); run chmod 600 "
		    "on it", path, (unsigned)(st.st_mode & 0777));
		close(fd);
		return -1;
	}
	return fd;
}

/* Creates path holding data, crash-safely: temp file, fsync, link, fsync
 * the directory.  Fails if path already exists. */
static int
create_private(const char *path, const char *data, size_t n, char *err,
    size_t errlen)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	char *dircopy = xstrdup(path);
	int fd, dfd, rc = -1;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "could not create \"%s\": %s", tmp,
		    strerror(errno));
		goto out;
	}
	if (write(fd, data, n) != (ssize_t)n || fsync(fd) < 0) {
		snprintf(err, errlen, "could not write \"%s\": %s", tmp,
		    strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (link(tmp, path) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "could not create \"%s\": %s", path,
		    strerror(errno));
		unlink(tmp);
		goto out;
	}
	unlink(tmp);
	if ((dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	rc = 0;
out:
	free(tmp);
	free(dircopy);
	return rc;
}

int
key_load(const char *path, int create, unsigned char key[KEY_LEN],
    char *err, size_t errlen)
{
	char text[2 * KEY_LEN + 4];
	ssize_t n;
	int fd;

	if (create && access(path, F_OK) < 0 && errno == ENOENT) {
		unsigned char fresh[KEY_LEN];
		char hexkey[2 * KEY_LEN + 2];

		if (RAND_bytes(fresh, KEY_LEN) != 1) {
			snprintf(err, errlen, "could not make a random key");
			return -1;
		}
		hex_encode(fresh, KEY_LEN, hexkey);
		hexkey[2 * KEY_LEN] = '\n';
		hexkey[2 * KEY_LEN + 1] = '\0';
		wipe(fresh, sizeof(fresh));
		if (create_private(path, hexkey, 2 * KEY_LEN + 1, err,
		    errlen) < 0) {
			wipe(hexkey, sizeof(hexkey));
			return -1;
		}
		wipe(hexkey, sizeof(hexkey));
		log_info("created key file %s", path);
	}
	if ((fd = open_private(path, err, errlen)) < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n < 2 * KEY_LEN || (n > 2 * KEY_LEN && text[2 * KEY_LEN] != '\n' &&
	    text[2 * KEY_LEN] != '\r') || hex_decode(text, key, KEY_LEN) < 0) {
		wipe(text, sizeof(text));
		snprintf(err, errlen, "key file \"%s\" must hold 64 hex digits "
		    "(make one with: openssl rand -hex 32 > FILE)", path);
		return -1;
	}
	wipe(text, sizeof(text));
	return 0;
}

char *
secret_file_read(const char *path, char *err, size_t errlen)
{
	char buf[4097];
	ssize_t n;
	size_t len;
	int fd;
	char *s;

	if ((fd = open_private(path, err, errlen)) < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "could not read \"%s\": %s", path,
		    strerror(errno));
		return NULL;
	}
	buf[n] = '\0';
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	if (len == 0) {
		snprintf(err, errlen, "secret file \"%s\" is empty", path);
		return NULL;
	}
	s = xstrdup(buf);
	wipe(buf, sizeof(buf));
	return s;
}

int
secret_file_check(const char *path, char *err, size_t errlen)
{
	int fd = open_private(path, err, errlen);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

void
pseudonym_hex(const unsigned char key[KEY_LEN], const char *nhs_digits,
    char out[PSEUDONYM_HEX_LEN + 1])
{
	unsigned char mac[SHA256_LEN], msg[4 + 10];
	unsigned int len = sizeof(mac);

	memcpy(msg, "nhs:", 4);
	memcpy(msg + 4, nhs_digits, 10);
	if (HMAC(EVP_sha256(), key, KEY_LEN, msg, sizeof(msg), mac, &len) ==
	    NULL)
		fatalx("HMAC-SHA256 failed");
	hex_encode(mac, SHA256_LEN, out);
	wipe(msg, sizeof(msg));
}

unsigned char *
archive_encrypt(const unsigned char key[KEY_LEN], const void *aad,
    size_t aadlen, const void *data, size_t n, size_t *outlen)
{
	unsigned char *out = xmalloc(n + ARCHIVE_OVERHEAD);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int len;

	if (ctx == NULL)
		fatalx("EVP_CIPHER_CTX_new failed");
	out[0] = 1;
	if (RAND_bytes(out + 1, 12) != 1)
		fatalx("RAND_bytes failed");
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, out + 1) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aadlen) != 1 ||
	    EVP_EncryptUpdate(ctx, out + 13, &len, data, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(ctx, out + 13 + len, &len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out + 13 + n) != 1)
		fatalx("AES-256-GCM encryption failed");
	EVP_CIPHER_CTX_free(ctx);
	*outlen = n + ARCHIVE_OVERHEAD;
	return out;
}

int
archive_decrypt(const unsigned char key[KEY_LEN], const void *aad,
    size_t aadlen, const unsigned char *blob, size_t bloblen,
    unsigned char **out, size_t *outlen)
{
	EVP_CIPHER_CTX *ctx;
	unsigned char *pt;
	size_t n;
	int len, ok;

	if (bloblen < ARCHIVE_OVERHEAD || blob[0] != 1)
		return -1;
	n = bloblen - ARCHIVE_OVERHEAD;
	pt = xmalloc(n + 1);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		fatalx("EVP_CIPHER_CTX_new failed");
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, blob + 1) ==
	    1 &&
	    EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aadlen) == 1 &&
	    EVP_DecryptUpdate(ctx, pt, &len, blob + 13, (int)n) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16,
		(void *)(blob + 13 + n)) == 1 &&
	    EVP_DecryptFinal_ex(ctx, pt + len, &len) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		wipe(pt, n);
		free(pt);
		return -1;
	}
	pt[n] = '\0';
	*out = pt;
	*outlen = n;
	return 0;
}
