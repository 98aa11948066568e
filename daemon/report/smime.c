/*
 * smime.c - see smime.h.
 */
#include "smime.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ident.h"
#include "xmalloc.h"

char *
smime_cert_path(const char *dir, const char *ods)
{
	if (dir == NULL || ods == NULL || !ods_is_practice(ods))
		return NULL;
	return xasprintf("%s/%s.pem", dir, ods);
}

static void
ssl_err(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char msg[256];

	ERR_error_string_n(e, msg, sizeof(msg));
	snprintf(err, errlen, "%s: %s", what, e ? msg : "failed");
	ERR_clear_error();
}

/* The practice's certificate, checked to be valid today; NULL with err. */
static X509 *
load_cert(const char *dir, const char *ods, char *err, size_t errlen)
{
	char *path = smime_cert_path(dir, ods);
	X509 *x = NULL;
	FILE *fp;

	if (path == NULL) {
		snprintf(err, errlen, "\"%s\" is not a practice code", ods);
		return NULL;
	}
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "no certificate for %s: could not open "
		    "\"%s\" (put the practice's PEM certificate there)", ods,
		    path);
		free(path);
		return NULL;
	}
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (x == NULL) {
		ssl_err(err, errlen, "could not read the certificate");
	} else if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0 ||
	    X509_cmp_current_time(X509_get0_notAfter(x)) < 0) {
		snprintf(err, errlen, "the certificate in \"%s\" is not valid "
		    "today: renew it", path);
		X509_free(x);
		x = NULL;
	}
	free(path);
	return x;
}

char *
smime_encrypt(const char *certs_dir, const char *ods, const char *mime,
    size_t len, size_t *outlen, char *err, size_t errlen)
{
	X509 *cert = load_cert(certs_dir, ods, err, errlen);
	STACK_OF(X509) *certs = NULL;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL, *out = NULL;
	char *res = NULL, *p;
	long n;

	if (cert == NULL)
		return NULL;
	certs = sk_X509_new_null();
	if (certs == NULL || !sk_X509_push(certs, cert)) {
		ssl_err(err, errlen, "could not build the recipient list");
		X509_free(cert);
		goto out;
	}
	in = BIO_new_mem_buf(mime, (int)len);
	out = BIO_new(BIO_s_mem());
	if (in == NULL || out == NULL)
		goto fail;
	cms = CMS_encrypt(certs, in, EVP_aes_256_cbc(), CMS_BINARY);
	if (cms == NULL)
		goto fail;
	/* the body is already read; SMIME_write_CMS wants only the data */
	if (!SMIME_write_CMS(out, cms, NULL, CMS_BINARY))
		goto fail;
	n = BIO_get_mem_data(out, &p);
	res = xmalloc((size_t)n + 1);
	memcpy(res, p, (size_t)n);
	res[n] = '\0';
	*outlen = (size_t)n;
	goto out;
fail:
	ssl_err(err, errlen, "S/MIME encryption failed");
out:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(out);
	sk_X509_pop_free(certs, X509_free);
	return res;
}
