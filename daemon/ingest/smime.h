/*
 * smime.h - S/MIME for mail intake (OpenSSL CMS): decrypting messages
 * enveloped to the hub's certificate, and verifying signatures against
 * the registry of practices' certificates (<practice_certs_dir>/<ODS>.pem)
 * with chain validation to the configured CAs, and the CRL when one is
 * configured.  The practice a message comes from is the one whose
 * registered certificate signed it.
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

#endif
