/*
 * smime.c - S/MIME decryption and signature checks (see smime.h).
 */
#include "smime.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "crypto.h"
#include "ident.h"
#include "log.h"
#include "xmalloc.h"

struct registered {
	char ods[8];
	X509 *cert;
};

struct smime {
	char *cert_file, *key_file, *certs_dir, *ca_file, *crl_file;
	X509 *cert;
	EVP_PKEY *key;
	X509_STORE *store;	/* CAs (+ CRL); NULL: cannot verify */
	struct registered *reg; /* the practices' certificates */
	size_t nreg;
	struct timespec seen[3]; /* mtimes of certs_dir, ca_file, crl_file */
};

/* The last OpenSSL error in words (and the queue emptied). */
static const char *
ssl_reason(char *buf, size_t n)
{
	unsigned long e, last = 0;

	while ((e = ERR_get_error()) != 0)
		last = e;
	if (last == 0)
		snprintf(buf, n, "no detail");
	else
		ERR_error_string_n(last, buf, n);
	return buf;
}

static void
mtime(const char *path, struct timespec *ts)
{
	struct stat st;

	if (path != NULL && stat(path, &st) == 0)
		*ts = st.st_mtim;
	else
		ts->tv_sec = ts->tv_nsec = 0;
}

static void
free_trust(struct smime *s)
{
	size_t i;

	X509_STORE_free(s->store);
	s->store = NULL;
	for (i = 0; i < s->nreg; i++)
		X509_free(s->reg[i].cert);
	free(s->reg);
	s->reg = NULL;
	s->nreg = 0;
}

/* Adds every certificate in one registry file. */
static void
load_registered(struct smime *s, const char *path, const char *ods)
{
	BIO *b = BIO_new_file(path, "r");
	X509 *x;

	if (b == NULL) {
		log_warnx("smime: could not read %s", path);
		return;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		s->reg = xreallocarray(s->reg, s->nreg + 1, sizeof(*s->reg));
		snprintf(s->reg[s->nreg].ods, sizeof(s->reg[s->nreg].ods),
		    "%s", ods);
		s->reg[s->nreg].cert = x;
		s->nreg++;
	}
	ERR_clear_error();
	BIO_free(b);
}

/* (Re)loads the CA store, the CRL and the registry.  0 or -1. */
static int
load_trust(struct smime *s, char *err, size_t errlen)
{
	char e[256];
	DIR *d;
	struct dirent *de;

	free_trust(s);
	mtime(s->certs_dir, &s->seen[0]);
	mtime(s->ca_file, &s->seen[1]);
	mtime(s->crl_file, &s->seen[2]);
	if (s->ca_file == NULL)
		return 0;
	s->store = X509_STORE_new();
	if (X509_STORE_load_file(s->store, s->ca_file) != 1) {
		snprintf(err, errlen, "smime.ca_file \"%s\": %s", s->ca_file,
		    ssl_reason(e, sizeof(e)));
		return -1;
	}
	if (s->crl_file != NULL) {
		BIO *b = BIO_new_file(s->crl_file, "r");
		X509_CRL *crl;
		int n = 0;

		if (b == NULL) {
			snprintf(err, errlen, "smime.crl_file \"%s\": %s",
			    s->crl_file, ssl_reason(e, sizeof(e)));
			return -1;
		}
		while ((crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL)) !=
		    NULL) {
			X509_STORE_add_crl(s->store, crl);
			X509_CRL_free(crl);
			n++;
		}
		ERR_clear_error();
		BIO_free(b);
		if (n == 0) {
			snprintf(err, errlen, "smime.crl_file \"%s\" holds no "
			    "CRL", s->crl_file);
			return -1;
		}
		X509_STORE_set_flags(s->store, X509_V_FLAG_CRL_CHECK);
	}
	if (s->certs_dir == NULL)
		return 0;
	if ((d = opendir(s->certs_dir)) == NULL) {
		snprintf(err, errlen, "smime.practice_certs_dir \"%s\": %s",
		    s->certs_dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char ods[8], *path;
		size_t i, n = strlen(de->d_name);

		if (n != 10 || strcmp(de->d_name + 6, ".pem") != 0)
			continue;
		for (i = 0; i < 6; i++)
			ods[i] = (char)toupper((unsigned char)de->d_name[i]);
		ods[6] = '\0';
		if (!ods_is_practice(ods))
			continue;
		path = xasprintf("%s/%s", s->certs_dir, de->d_name);
		load_registered(s, path, ods);
		free(path);
	}
	closedir(d);
	log_debug("smime: %zu practice certificate(s) registered", s->nreg);
	return 0;
}

/* Reloads the trust material when a file changed; keeps the old on error. */
static void
refresh(struct smime *s)
{
	struct timespec now[3];
	char err[512];
	int i;

	mtime(s->certs_dir, &now[0]);
	mtime(s->ca_file, &now[1]);
	mtime(s->crl_file, &now[2]);
	for (i = 0; i < 3; i++)
		if (now[i].tv_sec != s->seen[i].tv_sec ||
		    now[i].tv_nsec != s->seen[i].tv_nsec)
			break;
	if (i == 3)
		return;
	if (load_trust(s, err, sizeof(err)) < 0)
		log_warnx("smime: %s: signatures cannot be checked until it "
		    "is fixed", err);
	else
		log_info("smime: reloaded the CAs, CRL and practice "
		    "certificates");
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

struct smime *
smime_open(const struct config *cfg, char *err, size_t errlen)
{
	struct smime *s = xcalloc(1, sizeof(*s));
	char e[256];

	s->cert_file = dup_or_null(cfg->smime.cert_file);
	s->key_file = dup_or_null(cfg->smime.key_file);
	s->certs_dir = dup_or_null(cfg->smime.practice_certs_dir);
	s->ca_file = dup_or_null(cfg->smime.ca_file);
	s->crl_file = dup_or_null(cfg->smime.crl_file);
	if (s->cert_file != NULL) {
		BIO *b;

		if (secret_file_check(s->key_file, e, sizeof(e)) < 0) {
			snprintf(err, errlen, "smime.key_file: %s", e);
			goto fail;
		}
		if ((b = BIO_new_file(s->cert_file, "r")) != NULL) {
			s->cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
			BIO_free(b);
		}
		if ((b = BIO_new_file(s->key_file, "r")) != NULL) {
			s->key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
			BIO_free(b);
		}
		if (s->cert == NULL || s->key == NULL) {
			snprintf(err, errlen, "smime: could not read the hub's "
			    "%s: %s", s->cert == NULL ? "certificate" : "key",
			    ssl_reason(e, sizeof(e)));
			goto fail;
		}
		if (X509_check_private_key(s->cert, s->key) != 1) {
			ERR_clear_error();
			snprintf(err, errlen, "smime: smime.key_file is not the "
			    "key of smime.cert_file");
			goto fail;
		}
	}
	if (load_trust(s, err, errlen) < 0)
		goto fail;
	return s;
fail:
	smime_close(s);
	return NULL;
}

void
smime_close(struct smime *s)
{
	if (s == NULL)
		return;
	free_trust(s);
	X509_free(s->cert);
	EVP_PKEY_free(s->key);
	free(s->cert_file);
	free(s->key_file);
	free(s->certs_dir);
	free(s->ca_file);
	free(s->crl_file);
	free(s);
}

/* Moves a memory BIO's bytes into a malloc'ed buffer. */
static void
take_bio(BIO *b, unsigned char **out, size_t *outlen)
{
	char *p;
	long n = BIO_get_mem_data(b, &p);

	*out = xmalloc((size_t)n + 1);
	memcpy(*out, p, (size_t)n);
	(*out)[n] = '\0';
	*outlen = (size_t)n;
}

int
smime_decrypt(struct smime *s, const unsigned char *in, size_t len,
    unsigned char **out, size_t *outlen, char *why, size_t whylen)
{
	BIO *bin, *bout;
	CMS_ContentInfo *cms;
	char e[256];
	int nid, rc = -1;

	if (s->key == NULL) {
		snprintf(why, whylen, "the message is encrypted (S/MIME), but "
		    "the hub has no certificate to decrypt it with "
		    "(smime.cert_file and smime.key_file)");
		return -1;
	}
	ERR_clear_error();
	bin = BIO_new_mem_buf(in, (int)len);
	if ((cms = SMIME_read_CMS(bin, NULL)) == NULL) {
		snprintf(why, whylen, "the message says it is encrypted "
		    "(S/MIME) but its encrypted part cannot be read: %s",
		    ssl_reason(e, sizeof(e)));
		BIO_free(bin);
		return -1;
	}
	nid = OBJ_obj2nid(CMS_get0_type(cms));
	bout = BIO_new(BIO_s_mem());
	if (nid != NID_pkcs7_enveloped && nid != NID_id_smime_ct_authEnvelopedData) {
		snprintf(why, whylen, "the message says it is encrypted "
		    "(S/MIME) but holds %s", OBJ_nid2ln(nid));
	} else if (CMS_decrypt(cms, s->key, s->cert, NULL, bout, 0) != 1) {
		unsigned long err = ERR_peek_last_error();

		if (ERR_GET_REASON(err) == CMS_R_NO_MATCHING_RECIPIENT) {
			char subject[256];

			X509_NAME_oneline(X509_get_subject_name(s->cert),
			    subject, sizeof(subject));
			ERR_clear_error();
			snprintf(why, whylen, "the message is encrypted, but "
			    "not to the hub's certificate (%s): ask the "
			    "practice to encrypt to the hub's current "
			    "certificate", subject);
		} else {
			snprintf(why, whylen, "the message could not be "
			    "decrypted: %s", ssl_reason(e, sizeof(e)));
		}
	} else {
		take_bio(bout, out, outlen);
		rc = 0;
	}
	BIO_free(bout);
	BIO_free(bin);
	CMS_ContentInfo_free(cms);
	return rc;
}

/* "subject, serial N" of a certificate, for a reason. */
static void
describe_cert(X509 *x, char *buf, size_t n)
{
	char subject[200];
	ASN1_INTEGER *serial = X509_get_serialNumber(x);
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	X509_NAME_oneline(X509_get_subject_name(x), subject, sizeof(subject));
	snprintf(buf, n, "%s, serial %s", subject, hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
}

/* Checks one signer's chain and finds its practice.  0 or -1 (why set). */
static int
check_signer(struct smime *s, X509 *signer, STACK_OF(X509) *untrusted,
    char practice[8], char *why, size_t whylen)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	char who[300];
	size_t i;
	int ok;

	describe_cert(signer, who, sizeof(who));
	if (ctx == NULL || X509_STORE_CTX_init(ctx, s->store, signer,
	    untrusted) != 1)
		fatalx("X509_STORE_CTX_init failed");
	X509_STORE_CTX_set_default(ctx, "smime_sign");
	ok = X509_verify_cert(ctx) == 1;
	if (!ok)
		snprintf(why, whylen, "the signing certificate (%s) is not "
		    "trusted: %s", who, X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	if (!ok)
		return -1;
	for (i = 0; i < s->nreg; i++)
		if (X509_cmp(s->reg[i].cert, signer) == 0)
			break;
	if (i == s->nreg) {
		snprintf(why, whylen, "the message is signed by a certificate "
		    "(%s) that is not registered to any practice: if it is a "
		    "member practice's, add it as <ODS>.pem in "
		    "smime.practice_certs_dir", who);
		return -1;
	}
	if (practice[0] != '\0' && strcmp(practice, s->reg[i].ods) != 0) {
		snprintf(why, whylen, "the message is signed by two practices "
		    "(%s and %s): a message must come from one practice",
		    practice, s->reg[i].ods);
		return -1;
	}
	snprintf(practice, 8, "%s", s->reg[i].ods);
	return 0;
}

int
smime_verify(struct smime *s, const unsigned char *in, size_t len,
    unsigned char **out, size_t *outlen, char practice[8], char *why,
    size_t whylen)
{
	BIO *bin, *bcont = NULL, *bout = NULL;
	CMS_ContentInfo *cms;
	STACK_OF(X509) *signers = NULL, *certs = NULL;
	char e[256];
	int i, rc = -1;

	practice[0] = '\0';
	refresh(s);
	if (s->store == NULL) {
		snprintf(why, whylen, "the message is signed, but the hub has "
		    "no CAs to check signatures with (smime.ca_file)");
		return -1;
	}
	ERR_clear_error();
	bin = BIO_new_mem_buf(in, (int)len);
	if ((cms = SMIME_read_CMS(bin, &bcont)) == NULL) {
		snprintf(why, whylen, "the message says it is signed (S/MIME) "
		    "but its signature cannot be read: %s",
		    ssl_reason(e, sizeof(e)));
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		snprintf(why, whylen, "the message says it is signed (S/MIME) "
		    "but holds %s", OBJ_nid2ln(OBJ_obj2nid(CMS_get0_type(cms))));
		goto out;
	}
	bout = BIO_new(BIO_s_mem());
	/* The signature over the content first, the certificates after. */
	if (CMS_verify(cms, NULL, NULL, bcont, bout,
	    CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		ERR_clear_error();
		snprintf(why, whylen, "the signature does not match the "
		    "message: it was changed after it was signed, or damaged "
		    "on the way");
		goto out;
	}
	signers = CMS_get0_signers(cms);
	if (signers == NULL || sk_X509_num(signers) == 0) {
		snprintf(why, whylen, "the signature names no certificate: ask "
		    "the practice to include its certificate when signing");
		goto out;
	}
	certs = CMS_get1_certs(cms);
	for (i = 0; i < sk_X509_num(signers); i++)
		if (check_signer(s, sk_X509_value(signers, i), certs, practice,
		    why, whylen) < 0)
			goto out;
	take_bio(bout, out, outlen);
	rc = 0;
out:
	if (rc < 0)
		practice[0] = '\0';
	sk_X509_pop_free(certs, X509_free);
	sk_X509_free(signers);
	BIO_free(bout);
	BIO_free(bcont);
	BIO_free(bin);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}

/* Encrypting reports to a practice's registered certificate. */

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
