/*
 * smime.h - S/MIME (OpenSSL CMS) for both directions: decrypting mail
 * enveloped to the hub's certificate and verifying signatures against the
 * registry of practices' certificates (<practice_certs_dir>/<ODS>.pem,
 * smime_cert_path) with chain validation to the configured CAs and the
 * CRL when one is configured — the practice a message comes from is the
 * one whose registered certificate signed it; and encrypting reports to a
 * practice's certificate from the same registry.
 *
 * One struct smime per thread.  The registry, CA file and CRL are read
 * again when their modification times change, so a new practice
 * certificate or CRL needs no restart (replace files by rename).
 */
#ifndef PARS_SMIME_H
#define PARS_SMIME_H

#include <stddef.h>

struct config;
struct smime;

/*
 * Loads what cfg->smime configures (any of it may be unset).  Returns
 * the context (smime_close frees it) or NULL with err set.
 */
struct smime *smime_open(const struct config *cfg, char *err, size_t errlen);
void smime_close(struct smime *s);

/*
 * Decrypts an enveloped entity (a message, or a MIME entity with its
 * headers).  Returns 0 with *out the inner entity (malloc'ed, caller
 * frees), or -1 with why set to a quarantine reason.
 */
int smime_decrypt(struct smime *s, const unsigned char *in, size_t len,
    unsigned char **out, size_t *outlen, char *why, size_t whylen);

/*
 * Verifies a signed entity (multipart/signed, or application/pkcs7-mime
 * signed-data): the signature over the content, the signer's chain to a
 * configured CA (and the CRL), and the signer in the registry.  Returns 0
 * with *out the signed content (malloc'ed, caller frees) and practice set
 * to the signer's ODS code, or -1 with why set to a quarantine reason.
 */
int smime_verify(struct smime *s, const unsigned char *in, size_t len,
    unsigned char **out, size_t *outlen, char practice[8], char *why,
    size_t whylen);

/*
 * The registry file for a practice: a malloc'ed "<dir>/<ODS>.pem" (caller
 * frees), or NULL when ods is not a practice code (nothing else may name
 * a file there).
 */
char *smime_cert_path(const char *dir, const char *ods);

/*
 * Encrypts the MIME entity (headers, blank line, body) to the practice's
 * certificate with AES-256-CBC in a CMS enveloped-data, and returns the
 * S/MIME entity (MIME-Version, Content-Type application/pkcs7-mime;
 * smime-type=enveloped-data, base64 body) as a malloc'ed string (caller
 * frees), or NULL with err set: no certificate for the practice, not
 * valid today, or OpenSSL failing.
 */
char *smime_encrypt(const char *certs_dir, const char *ods,
    const char *mime, size_t len, size_t *outlen, char *err, size_t errlen);

#endif
