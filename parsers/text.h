/*
 * text.h - small string helpers shared by the parsers: ASCII case-blind
 * comparison, trimming, UTF-8 checking and repair, and the words senders
 * use for priority and sex.
 */
#ifndef PARS_TEXT_H
#define PARS_TEXT_H

#include <stddef.h>

#include "referral.h"

struct arena;

/* 1 for '0'..'9' only, in any locale (and no call, unlike isdigit()). */
static inline int
is_ascii_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* 1 for 'A'..'Z' only, in any locale. */
static inline int
is_ascii_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

/* c in lower case when it is an ASCII capital, else c (any locale). */
static inline int
is_ascii_alnum(int c)
{
	return is_ascii_digit(c) || is_ascii_upper(c) ||
	    (c >= 'a' && c <= 'z');
}

static inline int
ascii_lower(int c)
{
	return is_ascii_upper(c) ? c | 0x20 : c;
}

int strncasecmp_ascii(const char *a, const char *b, size_t n);
/* 1 when a and b are equal ignoring ASCII case (NULL never equal). */
int str_ieq(const char *a, const char *b);
/* 1 when s starts with prefix, ignoring ASCII case. */
int str_istarts(const char *s, const char *prefix);
/* Pointer to the first case-blind occurrence of needle in s, or NULL. */
const char *str_istr(const char *s, const char *needle);
/* Copy of s[0..n) without leading and trailing white space; NULL when
 * nothing is left. */
char *str_trim_dup(struct arena *a, const char *s, size_t n);

/*
 * Appends s[0..n) to b as a line (a "\n" before it unless b is empty),
 * keeping b to at most max bytes: what does not fit is dropped, cut at a
 * UTF-8 character boundary.  Linear in what is added (b doubles).
 * Returns 1 when something was dropped.
 */
struct arena_str;
int text_add_line(struct arena *a, struct arena_str *b, const char *s,
    size_t n, size_t max);

/* The value of a hex digit (either case), or -1. */
int hex_value(int c);

/* 1 when buf[0..len) is valid UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const unsigned char *buf, size_t len);
/*
 * The documented repair rule: every byte that does not start a valid
 * UTF-8 sequence becomes U+FFFD, and NUL bytes are dropped.  Returns s
 * itself when it was valid, else a repaired copy in the arena.
 */
const char *utf8_repair(struct arena *a, const char *s, int *changed);
/*
 * Reads Windows-1252 text (the usual encoding of UK practice systems when
 * a text document is not UTF-8) into UTF-8 in the arena.
 */
char *cp1252_to_utf8(struct arena *a, const unsigned char *buf, size_t len,
    size_t *outlen);

/*
 * Priority from what senders write: routine, urgent, "two week wait",
 * 2WW, TWO_WEEK_WAIT, cancer, and FHIR routine|urgent|asap|stat (asap and
 * stat are urgent).  REF_PRIO_UNKNOWN when not recognised.
 */
enum ref_priority priority_from_word(const char *s);
/* Sex from F/M/U/O, female/male/other/unknown, FHIR and HL7 codes. */
enum ref_sex sex_from_word(const char *s);

#endif
