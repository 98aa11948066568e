/*
 * text.c - string helpers shared by the parsers (see text.h).
 */
#include "text.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"

int
strncasecmp_ascii(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int ca = ascii_lower((unsigned char)a[i]);
		int cb = ascii_lower((unsigned char)b[i]);

		if (ca != cb)
			return ca - cb;
		if (ca == '\0')
			return 0;
	}
	return 0;
}

int
str_ieq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return 0;
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (ascii_lower((unsigned char)*a) !=
		    ascii_lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

int
str_istarts(const char *s, const char *prefix)
{
	return s != NULL && strncasecmp_ascii(s, prefix, strlen(prefix)) == 0;
}

const char *
str_istr(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	if (s == NULL)
		return NULL;
	for (; *s != '\0'; s++)
		if (strncasecmp_ascii(s, needle, n) == 0)
			return s;
	return NULL;
}

char *
str_trim_dup(struct arena *a, const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return n == 0 ? NULL : arena_strndup(a, s, n);
}

/* Length of the valid UTF-8 sequence at p (at most left bytes), or 0. */
static size_t
utf8_seq(const unsigned char *p, size_t left)
{
	unsigned c = p[0];
	size_t n, i;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int
text_add_line(struct arena *a, struct arena_str *b, const char *s, size_t n,
    size_t max)
{
	size_t sep = b->n > 0;
	int cut = 0;

	if (b->n + sep + n > max) {
		n = max > b->n + sep ? max - b->n - sep : 0;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		cut = 1;
		if (n == 0)
			return cut;
	}
	if (sep)
		arena_str_add(a, b, "\n", 1);
	arena_str_add(a, b, s, n);
	return cut;
}

int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Length of the leading run of ASCII bytes, 32 then eight at a time. */
static size_t
ascii_run(const unsigned char *buf, size_t len)
{
	size_t i = 0;
	uint64_t w[4];

	for (; i + 32 <= len; i += 32) {
		memcpy(w, buf + i, 32);
		if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ULL)
			break;
	}
	for (; i + 8 <= len; i += 8) {
		memcpy(w, buf + i, 8);
		if (w[0] & 0x8080808080808080ULL)
			break;
	}
	while (i < len && buf[i] < 0x80)
		i++;
	return i;
}

int
utf8_valid(const unsigned char *buf, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		i += ascii_run(buf + i, len - i);
		if (i == len)
			break;
		if ((n = utf8_seq(buf + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

const char *
utf8_repair(struct arena *a, const char *s, int *changed)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, i, n, o = 0;
	char *out;

	if (s == NULL)
		return NULL;
	while (*p != '\0' && *p < 0x80) /* the usual case: plain ASCII */
		p++;
	if (*p == '\0')
		return s;
	len = strlen(s);
	p = (const unsigned char *)s;
	if (utf8_valid(p, len))
		return s;
	*changed = 1;
	out = arena_alloc(a, len * 3 + 1);
	for (i = 0; i < len;) {
		if ((n = utf8_seq(p + i, len - i)) == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, p + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	return out;
}

/* Windows-1252 0x80..0x9f; 0 where the code page leaves a hole. */
static const unsigned short cp1252_high[32] = {0x20ac, 0, 0x201a, 0x0192,
    0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,
    0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178};

char *
cp1252_to_utf8(struct arena *a, const unsigned char *buf, size_t len,
    size_t *outlen)
{
	char *out = arena_alloc(a, len * 3 + 1);
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		unsigned cp = buf[i];

		if (cp == 0)
			continue;
		if (cp >= 0x80 && cp < 0xa0)
			cp = cp1252_high[cp - 0x80] ? cp1252_high[cp - 0x80]
						    : 0xfffd;
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xc0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[o++] = (char)(0xe0 | (cp >> 12));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* Copies s lowercased with runs of space, '-' and '_' folded to one ' '. */
static void
fold_word(const char *s, char *w, size_t wlen)
{
	size_t n = 0;
	int space = 1;

	for (; *s != '\0' && n < wlen - 1; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == ' ' || c == '-' || c == '_' || c == '\t') {
			if (!space)
				w[n++] = ' ';
			space = 1;
			continue;
		}
		w[n++] = (char)ascii_lower(c);
		space = 0;
	}
	while (n > 0 && w[n - 1] == ' ')
		n--;
	w[n] = '\0';
}

enum ref_priority
priority_from_word(const char *s)
{
	static const struct {
		const char *word;
		enum ref_priority p;
	} words[] = {
	    {"routine", REF_PRIO_ROUTINE},
	    {"r", REF_PRIO_ROUTINE},
	    {"non urgent", REF_PRIO_ROUTINE},
	    {"soon", REF_PRIO_URGENT},
	    {"urgent", REF_PRIO_URGENT},
	    {"u", REF_PRIO_URGENT},
	    {"asap", REF_PRIO_URGENT},
	    {"a", REF_PRIO_URGENT},
	    {"stat", REF_PRIO_URGENT},
	    {"s", REF_PRIO_URGENT},
	    {"two week wait", REF_PRIO_TWO_WEEK_WAIT},
	    {"2 week wait", REF_PRIO_TWO_WEEK_WAIT},
	    {"2ww", REF_PRIO_TWO_WEEK_WAIT},
	    {"tww", REF_PRIO_TWO_WEEK_WAIT},
	    {"2 ww", REF_PRIO_TWO_WEEK_WAIT},
	    {"urgent suspected cancer", REF_PRIO_TWO_WEEK_WAIT},
	    {"suspected cancer", REF_PRIO_TWO_WEEK_WAIT},
	    {"cancer", REF_PRIO_TWO_WEEK_WAIT},
	    {"fast track", REF_PRIO_TWO_WEEK_WAIT},
	};
	char w[40];
	size_t i;

	if (s == NULL)
		return REF_PRIO_UNKNOWN;
	if (s[0] != '\0' && s[1] == '\0') { /* the usual one-letter code */
		switch (ascii_lower((unsigned char)s[0])) {
		case 'r':
			return REF_PRIO_ROUTINE;
		case 'u':
		case 'a':
		case 's':
			return REF_PRIO_URGENT;
		default:
			break;
		}
	}
	fold_word(s, w, sizeof(w));
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(w, words[i].word) == 0)
			return words[i].p;
	return REF_PRIO_UNKNOWN;
}

enum ref_sex
sex_from_word(const char *s)
{
	char w[16];

	if (s == NULL)
		return REF_SEX_UNKNOWN;
	if (s[0] != '\0' && s[1] == '\0') { /* the usual one-letter code */
		switch (ascii_lower((unsigned char)s[0])) {
		case 'f':
		case '2':
			return REF_SEX_FEMALE;
		case 'm':
		case '1':
			return REF_SEX_MALE;
		case 'o':
		case '9':
		case 'x':
			return REF_SEX_OTHER;
		default:
			break;
		}
	}
	fold_word(s, w, sizeof(w));
	if (strcmp(w, "f") == 0 || strcmp(w, "female") == 0 ||
	    strcmp(w, "2") == 0)
		return REF_SEX_FEMALE;
	if (strcmp(w, "m") == 0 || strcmp(w, "male") == 0 ||
	    strcmp(w, "1") == 0)
		return REF_SEX_MALE;
	if (strcmp(w, "o") == 0 || strcmp(w, "other") == 0 ||
	    strcmp(w, "9") == 0 || strcmp(w, "x") == 0 ||
	    strcmp(w, "indeterminate") == 0)
		return REF_SEX_OTHER;
	return REF_SEX_UNKNOWN;
}
