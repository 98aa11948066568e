/*
 * mime.h - e-mail messages (RFC 5322, MIME RFC 2045-2047, RFC 2183,
 * RFC 2231): bytes in, the message's leaf parts out, decoded.
 *
 * Pure, like the format parsers: no I/O, no logging, no globals; every
 * allocation comes from the arena it is given.  Nested multiparts and
 * attached messages (message/rfc822) are flattened in document order;
 * base64 and quoted-printable bodies are decoded; RFC 2047 encoded words
 * and RFC 2231 parameters are decoded to UTF-8.  File names are reduced to
 * a safe base name ("../../etc/passwd" gives "passwd"): they are labels,
 * never paths.  Header text has control characters replaced by spaces, so
 * it cannot split a log line or a mail header.
 */
#ifndef PARS_MIME_H
#define PARS_MIME_H

#include <stddef.h>

struct arena;

struct mime_limits {
	size_t max_parts;   /* leaf parts in one message */
	unsigned max_depth; /* multipart / message nesting */
};

struct mime_part {
	const char *type;	   /* "text/plain", lower case */
	const char *charset;	   /* lower case, or NULL */
	const char *filename;	   /* safe base name, or NULL */
	int attachment;		   /* Content-Disposition: attachment */
	const unsigned char *body; /* decoded; NUL after the last byte */
	size_t len;
	unsigned depth;	     /* 1 for a part of the top-level entity */
	const char *problem; /* what could not be decoded, or NULL */
};

/* The top-level entity's type, for S/MIME: enough to tell an enveloped
 * or signed message from a plain one without parsing the body. */
struct mime_type {
	const char *type;	/* "multipart/signed", lower case */
	const char *smime_type; /* parameter smime-type, lower case, or NULL */
	const char *protocol;	/* parameter protocol, lower case, or NULL */
};

struct mime_message {
	struct mime_type top;
	const char *from, *subject, *message_id; /* decoded, or NULL */
	struct mime_part *parts;		 /* leaves, document order */
	size_t nparts, cap;
	char err[256]; /* set when mime_parse returns -1 */
};

void mime_limits_default(struct mime_limits *lim);

/*
 * Parses a message (or a MIME entity: headers, a blank line, a body).
 * Returns 0 with msg filled (everything in the arena), or -1 with msg->err
 * saying why (nested too deeply, too many parts).  Damage short of that
 * (a missing closing boundary, bad base64) is noted in the part's
 * problem and the rest is kept.
 */
int mime_parse(struct arena *a, const unsigned char *buf, size_t len,
    const struct mime_limits *lim, struct mime_message *msg);

/* Reads only the entity's Content-Type.  Never fails: a missing or
 * unreadable header gives "text/plain". */
void mime_entity_type(struct arena *a, const unsigned char *buf, size_t len,
    struct mime_type *out);

/* Decodes RFC 2047 encoded words in a header value into UTF-8 (control
 * characters become spaces).  Returns a string in the arena. */
char *mime_decode_header(struct arena *a, const char *s, size_t n);

#endif
