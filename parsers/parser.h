/*
 * parser.h - the interface every format parser exports.
 *
 * A parser is pure: bytes in, referrals or a structured error out.  It does
 * no I/O, no logging, keeps no globals, and allocates only from the arena it
 * is given.  Each format file exports one const struct parser.
 */
#ifndef PARS_PARSER_H
#define PARS_PARSER_H

#include <stddef.h>

#include "referral.h"

struct arena;

/* Bounds on what a parser accepts; parse_limits_default() fills them. */
struct parse_limits {
	size_t max_bytes;     /* whole document */
	unsigned max_depth;   /* XML element / JSON nesting */
	size_t max_nodes;     /* XML elements, JSON values, HL7 segments */
	size_t max_referrals; /* referrals in one document */
	size_t max_field;     /* longest text value kept */
};

struct parse_error {
	long line;    /* 1-based; 0 when not known */
	long offset;  /* byte offset in the document; -1 when not known */
	char msg[256];
};

/* A row of a batch that was rejected while the others were kept. */
struct parse_reject {
	long row;
	const char *reason;
};

struct parse_result {
	const char *format;	  /* the parser's name */
	struct referral **v;	  /* the referrals, in document order */
	size_t n, cap;
	struct parse_reject *rejects;
	size_t nrejects, caprejects;
	struct str_list warnings; /* about the document as a whole */
	/* Set by a parser that knows every string it produced is valid
	 * UTF-8 (cut at ASCII bytes from text it checked whole): the
	 * finishing pass then skips its repair of each field.  The fuzz
	 * targets check the claim on every document they parse. */
	int utf8_sure;
	/* Set when parse returns -1.  Last, so that parse_document() clears
	 * the fields before it and not its 256-byte message. */
	struct parse_error err;
};

struct parser {
	const char *name;
	/* How sure the parser is that the bytes are its format: 0 (not
	 * mine) to 100.  Looks at a bounded prefix only. */
	int (*probe)(const unsigned char *buf, size_t len);
	/* Returns 0 with res->n >= 1 referrals, or -1 with res->err set.
	 * A document with no referral in it is an error that says what the
	 * document is instead. */
	int (*parse)(struct arena *a, const unsigned char *buf, size_t len,
	    const struct parse_limits *lim, struct parse_result *res);
};

extern const struct parser parser_hl7v2;
/* CDA, structured letters, CSV batches */
extern const struct parser parser_cda;
extern const struct parser parser_letter;
extern const struct parser parser_csv;
/* FHIR R4 and e-RS STU3, JSON and XML */
extern const struct parser parser_fhir_json;
extern const struct parser parser_fhir_xml;

void parse_limits_default(struct parse_limits *lim);

/*
 * Detects the format from the bytes.  Returns the parser, or NULL with a
 * description of what the bytes looked like in why.
 */
const struct parser *parser_detect(const unsigned char *buf, size_t len,
    char *why, size_t whylen);
/* Returns the parser called name, or NULL. */
const struct parser *parser_by_name(const char *name);

/*
 * Detects, parses and finishes a document: checks the NHS numbers, works
 * out ages, makes every string valid UTF-8 (see utf8_repair) and numbers
 * the referrals.  Returns 0 or -1 with res->err set.  res is zeroed first;
 * everything it points to lives in a.
 */
int parse_document(struct arena *a, const unsigned char *buf, size_t len,
    const struct parse_limits *lim, struct parse_result *res);

/* Helpers for parsers. */

/* Appends a new zeroed referral (age -1) to res, or returns NULL when
 * lim->max_referrals is reached (the caller then fails). */
struct referral *parse_new_referral(struct arena *a, struct parse_result *res,
    const struct parse_limits *lim, const char *format);
/* The most diagnoses, and procedures, a referral keeps. */
#define PARSE_MAX_CODES 256
/*
 * Adds a code to one of a referral's lists (ref_codes_add) unless it
 * already holds PARSE_MAX_CODES: then the code is left out and c->full
 * set, and the finishing pass warns once.  (A document cannot make a
 * list, or a parser's duplicate check over it, grow without end.)
 */
void parse_add_code(struct arena *a, struct ref_codes *c,
    enum code_system sys, const char *code, const char *text);
/* The same for strings that are the arena's already (ref_codes_put):
 * cheaper, above all for a string just written. */
void parse_put_code(struct arena *a, struct ref_codes *c,
    enum code_system sys, const char *code, const char *text);
/* Sets res->err and returns -1. */
int parse_fail(struct parse_result *res, long line, long offset,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Records a rejected row of a batch. */
void parse_reject_row(struct arena *a, struct parse_result *res, long row,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * The text of a text format (HL7 v2, letters, CSV) as UTF-8, by the
 * documented rule: buf itself when it is valid UTF-8, else buf read as
 * Windows-1252 into the arena, with a document warning; a UTF-8 byte
 * order mark is skipped.  Sets [*p, *end).
 */
void parse_text_input(struct arena *a, struct parse_result *res,
    const unsigned char *buf, size_t len, const char **p, const char **end);
/* Appends a document-level warning. */
void parse_warn(struct arena *a, struct parse_result *res, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

#endif
