/*
 * smime.h - S/MIME encryption of outgoing reports (OpenSSL CMS) and the
 * registry of practices' certificates: a directory of PEM files named by
 * ODS code (<dir>/<ODS>.pem).  The mail work (signature checking) reads
 * the same registry; smime_cert_path is the one place that knows its
 * layout.
 */
#ifndef PARS_SMIME_H
#define PARS_SMIME_H

#include <stddef.h>

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
