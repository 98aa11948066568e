/*
 * crypto.h - the hub's keys and what it does with them (OpenSSL):
 * SHA-256 document ids, HMAC-SHA256 patient pseudonyms, AES-256-GCM
 * archive encryption, and secret files read with their permissions
 * checked.
 */
#ifndef PARS_CRYPTO_H
#define PARS_CRYPTO_H

#include <stddef.h>

#define KEY_LEN 32
#define SHA256_LEN 32
#define PSEUDONYM_HEX_LEN 64
/* Encrypted blob: version byte, 12-byte nonce, ciphertext, 16-byte tag. */
#define ARCHIVE_OVERHEAD (1 + 12 + 16)

/*
 * Reads a key file: 64 hex digits (an optional newline after).  With
 * create, a missing file is made with 32 random bytes, mode 0600, written
 * crash-safely.  Refuses a file that is not a regular file or that its
 * group or others may read or write.  Returns 0, or -1 with err set.
 */
int key_load(const char *path, int create, unsigned char key[KEY_LEN],
    char *err, size_t errlen);
/*
 * Reads a secret (a password) from a file: the first line, without its
 * newline, at most 4096 bytes.  The same permission rule as key_load.
 * Returns a malloc'ed string (caller frees and should wipe), or NULL with
 * err set.
 */
char *secret_file_read(const char *path, char *err, size_t errlen);
/* Checks that a file holding a secret another library reads (a private
 * key) is private by the same rule.  Returns 0, or -1 with err set. */
int secret_file_check(const char *path, char *err, size_t errlen);

void sha256(const void *data, size_t n, unsigned char out[SHA256_LEN]);
/* SHA-256 of everything read from fd (from where it is); 0 or -1. */
int sha256_fd(int fd, unsigned char out[SHA256_LEN]);
/* Lower-case hex of data into out (2n+1 bytes). */
void hex_encode(const unsigned char *data, size_t n, char *out);
/* Reads 2n hex digits into out; returns 0 or -1. */
int hex_decode(const char *s, unsigned char *out, size_t n);
/* Eight hex digits naming a key without revealing it. */
void key_id(const unsigned char key[KEY_LEN], char out[9]);

/* HMAC-SHA256 of "nhs:" + the ten digits, in hex (65 bytes with NUL). */
void pseudonym_hex(const unsigned char key[KEY_LEN], const char *nhs_digits,
    char out[PSEUDONYM_HEX_LEN + 1]);

/*
 * Encrypts n bytes with AES-256-GCM under key, binding aad.  Returns a
 * malloc'ed blob of n + ARCHIVE_OVERHEAD bytes (caller frees).
 */
unsigned char *archive_encrypt(const unsigned char key[KEY_LEN],
    const void *aad, size_t aadlen, const void *data, size_t n,
    size_t *outlen);
/*
 * Decrypts a blob from archive_encrypt.  Returns 0 with *out malloc'ed
 * (caller frees), or -1 when the blob is malformed or fails
 * authentication (wrong key, wrong aad, or tampered).
 */
int archive_decrypt(const unsigned char key[KEY_LEN], const void *aad,
    size_t aadlen, const unsigned char *blob, size_t bloblen,
    unsigned char **out, size_t *outlen);

/* Overwrites memory the compiler may not optimise away. */
void wipe(void *p, size_t n);

#endif
