/*
 * mail.c - e-mail messages into a container document and its referral
 * parts (see mail.h).
 */
#include "mail.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "log.h"
#include "mime.h"
#include "parser.h"
#include "smime.h"

#define MAIL_MAX_LAYERS 4 /* signed inside encrypted inside signed ... */

static int
is_pkcs7_mime(const struct mime_type *t)
{
	return strcmp(t->type, "application/pkcs7-mime") == 0 ||
	    strcmp(t->type, "application/x-pkcs7-mime") == 0;
}

static int
is_signed(const struct mime_type *t)
{
	if (strcmp(t->type, "multipart/signed") == 0)
		return t->protocol == NULL ||
		    strcmp(t->protocol, "application/pkcs7-signature") == 0 ||
		    strcmp(t->protocol, "application/x-pkcs7-signature") == 0;
	return is_pkcs7_mime(t) && t->smime_type != NULL &&
	    strcmp(t->smime_type, "signed-data") == 0;
}

static int
is_enveloped(const struct mime_type *t)
{
	return is_pkcs7_mime(t) && !is_signed(t);
}

static void
verdict(struct mail_docs *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Makes the message a quarantined container alone. */
static void
verdict(struct mail_docs *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	m->docs[0].reason = arena_vprintf(m->arena, fmt, ap);
	va_end(ap);
	m->docs[0].state = "quarantined";
	m->n = 1;
}

/* Copies a malloc'ed buffer into the arena and frees it. */
static const unsigned char *
keep(struct arena *a, unsigned char *p, size_t n)
{
	unsigned char *copy = arena_alloc(a, n + 1);

	memcpy(copy, p, n);
	copy[n] = '\0';
	free(p);
	return copy;
}

/*
 * Undoes the S/MIME layers of the entity at *ent.  Returns 0 (with *ent
 * the innermost entity and *signed_ set), or -1 with the verdict given.
 */
static int
unwrap(struct mail_docs *m, struct smime *sm, const unsigned char **ent,
    size_t *entlen, int *signed_)
{
	char why[1024], practice[8];
	int layer;

	for (layer = 0; layer < MAIL_MAX_LAYERS; layer++) {
		struct mime_type t;
		unsigned char *out;
		size_t outlen;

		mime_entity_type(m->arena, *ent, *entlen, &t);
		if (!is_signed(&t) && !is_enveloped(&t))
			return 0;
		if (sm == NULL) {
			verdict(m, "the message is %s (S/MIME), but S/MIME is "
			    "not configured on this hub (smime:)",
			    is_signed(&t) ? "signed" : "encrypted");
			return -1;
		}
		if (is_enveloped(&t)) {
			if (smime_decrypt(sm, *ent, *entlen, &out, &outlen, why,
			    sizeof(why)) < 0) {
				verdict(m, "%s", why);
				return -1;
			}
		} else {
			if (smime_verify(sm, *ent, *entlen, &out, &outlen,
			    practice, why, sizeof(why)) < 0) {
				verdict(m, "%s", why);
				return -1;
			}
			if (m->practice[0] != '\0' &&
			    strcmp(m->practice, practice) != 0) {
				free(out);
				verdict(m, "the message is signed by two "
				    "practices (%s and %s): a message must "
				    "come from one practice", m->practice,
				    practice);
				return -1;
			}
			memcpy(m->practice, practice, sizeof(m->practice));
			*signed_ = 1;
		}
		*ent = keep(m->arena, out, outlen);
		*entlen = outlen;
	}
	verdict(m, "the message has more than %d layers of S/MIME",
	    MAIL_MAX_LAYERS);
	return -1;
}

/* "text/plain 120 bytes, application/pdf 53211 bytes" (no names: a file
 * name can hold a patient's name). */
static const char *
parts_summary(struct arena *a, const struct mime_message *msg)
{
	struct buf b;
	size_t i;
	const char *s;

	buf_init(&b, 600);
	for (i = 0; i < msg->nparts && i < 8; i++)
		buf_printf(&b, "%s%s %zu bytes", i ? ", " : "",
		    msg->parts[i].type, msg->parts[i].len);
	if (msg->nparts > 8)
		buf_printf(&b, " and %zu more", msg->nparts - 8);
	s = arena_strdup(a, b.p ? b.p : "nothing");
	buf_free(&b);
	return s;
}

static int
is_signature_part(const struct mime_part *p)
{
	return strcmp(p->type, "application/pkcs7-signature") == 0 ||
	    strcmp(p->type, "application/x-pkcs7-signature") == 0;
}

void
mail_unpack(const unsigned char *raw, size_t len, const char *source,
    int require_signed, struct smime *sm, const struct parse_limits *lim,
    struct mail_docs *m)
{
	struct mime_limits mlim;
	struct mime_message outer, inner;
	const struct mime_message *msg = &outer;
	const unsigned char *ent = raw;
	size_t entlen = len, i;
	int signed_ = 0, rc;

	memset(m, 0, sizeof(*m));
	/* Room for the decoded parts, S/MIME layers and headers. */
	m->arena = arena_new(0);
	mime_limits_default(&mlim);
	rc = mime_parse(m->arena, raw, len, &mlim, &outer);
	m->docs = arena_zalloc(m->arena, sizeof(*m->docs) *
	    (1 + (rc == 0 ? outer.nparts : 0)));
	m->n = 1;
	m->docs[0].data = raw;
	m->docs[0].len = len;
	m->docs[0].source = source;
	m->docs[0].name = outer.message_id;
	m->docs[0].format = "mime";
	m->docs[0].state = "stored";
	if (unwrap(m, sm, &ent, &entlen, &signed_) < 0)
		return;
	if (signed_)
		m->docs[0].practice_ods = m->practice;
	else if (require_signed) {
		verdict(m, "the message is not signed (S/MIME), and %s takes "
		    "only signed messages: ask the practice to send it signed "
		    "with its registered certificate", source);
		return;
	}
	if (ent != raw) {
		rc = mime_parse(m->arena, ent, entlen, &mlim, &inner);
		msg = &inner;
		if (rc == 0)
			m->docs = arena_grow(m->arena, m->docs,
			    sizeof(*m->docs), sizeof(*m->docs) *
			    (1 + inner.nparts));
	}
	if (rc < 0) {
		verdict(m, "the message cannot be read: %s", msg->err);
		return;
	}
	for (i = 0; i < msg->nparts; i++) {
		const struct mime_part *p = &msg->parts[i];
		struct intake_doc *d;
		char why[256];

		if (p->len == 0 || is_signature_part(p))
			continue;
		if (p->len > lim->max_bytes || parser_detect(p->body, p->len,
		    why, sizeof(why)) == NULL) {
			if (p->attachment || p->filename != NULL) {
				m->ignored++;
				log_info("%s: part %zu of a message (%s, %zu "
				    "bytes) is not a referral: %s", source,
				    i + 1, p->type, p->len, p->len >
				    lim->max_bytes ? "over the size limit" :
				    why);
			}
			continue;
		}
		if (p->problem != NULL)
			log_info("%s: part %zu of a message: %s", source,
			    i + 1, p->problem);
		d = &m->docs[m->n++];
		d->data = p->body;
		d->len = p->len;
		d->source = source;
		d->practice_ods = signed_ ? m->practice : NULL;
		d->name = p->filename != NULL ? p->filename :
		    arena_printf(m->arena, "part-%zu", i + 1);
		d->parent = &m->docs[0];
	}
	if (m->n == 1)
		verdict(m, "the message holds no referral: none of its "
		    "%zu part(s) (%s) is in a format the hub reads (HL7 v2, "
		    "FHIR, CDA, a CSV batch or a structured letter)",
		    msg->nparts, parts_summary(m->arena, msg));
}

void
mail_docs_free(struct mail_docs *m)
{
	if (m == NULL)
		return;
	arena_free(m->arena);
	memset(m, 0, sizeof(*m));
}
