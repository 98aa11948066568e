/*
 * test_crypto.c - keys, pseudonyms and archive encryption.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "t.h"

static void
test_pseudonym(void)
{
	unsigned char key[KEY_LEN];
	char ps[PSEUDONYM_HEX_LEN + 1];
	size_t i;

	for (i = 0; i < KEY_LEN; i++)
		key[i] = (unsigned char)i;
	/* Worked out independently:
	 *   printf 'nhs:9434765919' | openssl dgst -sha256 -mac HMAC \
	 *     -macopt hexkey:000102...1f */
	pseudonym_hex(key, "9434765919", ps);
	CHECK_STR(ps, "802eae953ba6a3bce3566aa433ccf39d89c473d060ba328d7f91bece22a22d67");
}

static void
test_archive(void)
{
	unsigned char key[KEY_LEN], other[KEY_LEN], *blob, *out;
	size_t bloblen, outlen;
	const char msg[] = "PID|1||9434765919^^^NHS^NH";

	memset(key, 7, sizeof(key));
	memset(other, 8, sizeof(other));
	blob = archive_encrypt(key, "aad", 3, msg, sizeof(msg) - 1, &bloblen);
	CHECK_INT(bloblen, sizeof(msg) - 1 + ARCHIVE_OVERHEAD);
	/* The NHS number must not be readable in the blob. */
	CHECK(memmem(blob, bloblen, "9434765919", 10) == NULL);
	CHECK_INT(archive_decrypt(key, "aad", 3, blob, bloblen, &out, &outlen),
	    0);
	CHECK_INT(outlen, sizeof(msg) - 1);
	CHECK(memcmp(out, msg, outlen) == 0);
	free(out);
	CHECK_INT(archive_decrypt(other, "aad", 3, blob, bloblen, &out,
	    &outlen), -1);
	CHECK_INT(archive_decrypt(key, "aaX", 3, blob, bloblen, &out, &outlen),
	    -1);
	blob[20] ^= 1;
	CHECK_INT(archive_decrypt(key, "aad", 3, blob, bloblen, &out, &outlen),
	    -1);
	free(blob);
}

static void
test_key_files(void)
{
	char dir[] = "/tmp/pars-test-keys-XXXXXX", path[128], err[256];
	unsigned char k1[KEY_LEN], k2[KEY_LEN];
	struct stat st;
	char *secret;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/k", dir);
	CHECK_INT(key_load(path, 0, k1, err, sizeof(err)), -1);
	CHECK_HAS(err, "could not open");
	CHECK_INT(key_load(path, 1, k1, err, sizeof(err)), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(key_load(path, 1, k2, err, sizeof(err)), 0);
	CHECK(memcmp(k1, k2, KEY_LEN) == 0);
	chmod(path, 0640);
	CHECK_INT(key_load(path, 0, k2, err, sizeof(err)), -1);
	CHECK_HAS(err, "readable or writable by group or others");
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	CHECK_INT(write(fd, "not hex\n", 8), 8);
	close(fd);
	CHECK_INT(key_load(path, 0, k2, err, sizeof(err)), -1);
	CHECK_HAS(err, "64 hex digits");
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	CHECK_INT(write(fd, "s3cret\nsecond line\n", 19), 19);
	close(fd);
	secret = secret_file_read(path, err, sizeof(err));
	CHECK_STR(secret, "s3cret");
	free(secret);
	chmod(path, 0644);
	CHECK(secret_file_read(path, err, sizeof(err)) == NULL);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	test_pseudonym();
	test_archive();
	test_key_files();
	return t_done("test_crypto");
}
