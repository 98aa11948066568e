/*
 * jsonsafe.c - untrusted JSON into a compact tree (see jsonsafe.h).
 *
 * One pass, no recursion: an explicit stack of the open arrays and
 * objects, and one scratch vector that holds the values of every open
 * container; when a container closes, its values are copied into the
 * arena as one array and popped.  So the tree is in document order, a
 * container's values are contiguous, and the parser's own memory holds
 * only the values of the containers still open.  Values are counted and
 * nesting measured as they open, so the limits hold before anything
 * beyond them is built.
 */
#include "jsonsafe.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "text.h"

static long
line_at(const unsigned char *buf, size_t off)
{
	long line = 1;
	const unsigned char *p = buf, *end = buf + off, *q;

	while (p < end && (q = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		line++;
		p = q + 1;
	}
	return line;
}

long
jsonsafe_bad_utf8_line(const unsigned char *buf, size_t len)
{
	const unsigned char *p, *end, *q;
	uint64_t w;

	if (len == 0)
		return 0;
	for (p = buf, end = buf + len; p < end;) {
		/* ASCII a word at a time. */
		while (end - p >= 8) {
			memcpy(&w, p, sizeof(w));
			if (w & 0x8080808080808080ull)
				break;
			p += 8;
		}
		while (p < end && *p < 0x80)
			p++;
		if (p == end)
			break;
		/* A run of bytes >= 0x80 between ASCII bytes must be whole
		 * UTF-8 sequences. */
		for (q = p; q < end && *q >= 0x80; q++)
			;
		if (!utf8_valid(p, (size_t)(q - p)))
			return line_at(buf, (size_t)(p - buf));
		p = q;
	}
	return 0;
}

struct frame {
	size_t start; /* its first value in scratch */
	int obj;
};

struct jp {
	struct arena *a;
	const unsigned char *buf, *p, *end;
	const struct parse_limits *lim;
	struct parse_error *err;
	size_t skip; /* byte order mark before buf */
	size_t nodes, max_nodes;
	struct jmember *scratch;
	size_t ns, caps;
	struct frame *stack;
	size_t depth, capd;
};

static void *
grow(void *v, size_t *cap, size_t size)
{
	size_t n = *cap ? *cap * 2 : 64;

	if (n > SIZE_MAX / size || (v = realloc(v, n * size)) == NULL) {
		fputs("fatal: out of memory\n", stderr);
		abort();
	}
	*cap = n;
	return v;
}

/* Sets err's line and offset to those of at; returns the line. */
static long
place(struct jp *j, const unsigned char *at)
{
	size_t off = (size_t)(at - j->buf);

	j->err->offset = (long)(off + j->skip);
	return j->err->line = line_at(j->buf, off);
}

/* Bytes at at that are not JSON; returns -1. */
static int
bad(struct jp *j, const unsigned char *at, const char *what)
{
	long line = place(j, at);

	snprintf(j->err->msg, sizeof(j->err->msg), "line %ld: JSON is not "
	    "well-formed: %s (byte offset %ld)", line, what, j->err->offset);
	return -1;
}

static int
truncated(struct jp *j)
{
	size_t len = (size_t)(j->end - j->buf);

	j->err->line = line_at(j->buf, len);
	j->err->offset = (long)(len + j->skip);
	snprintf(j->err->msg, sizeof(j->err->msg), "JSON ends before the "
	    "document is complete (truncated after %zu bytes, line %ld)",
	    len + j->skip, j->err->line);
	return -1;
}

static void
ws(struct jp *j)
{
	const unsigned char *p = j->p, *end = j->end;

	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' ||
	    *p == '\t'))
		p++;
	j->p = p;
}

/* The first '"', '\\' or NUL in [p, end), or end; eight bytes a step (as
 * hl7v2.c's find()). */
static const unsigned char *
string_stop(const unsigned char *p, const unsigned char *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101ULL, high = ones << 7;
	uint64_t w, q, b, z;

	for (; end - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		z = (((q - ones) & ~q) | ((b - ones) & ~b) |
		    ((w - ones) & ~w)) & high;
		if (z != 0)
			return p + (__builtin_ctzll(z) >> 3);
	}
#endif
	while (p < end && *p != '"' && *p != '\\' && *p != '\0')
		p++;
	return p;
}

static int
hex4(const unsigned char *p)
{
	int v = 0, i, h;

	for (i = 0; i < 4; i++) {
		if ((h = hex_value((char)p[i])) < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

static char *
put_utf8(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/*
 * The escapes of [s, q) decoded into out (q - s bytes are enough: no
 * escape is shorter than what it gives).  A \u escape that is a lone
 * surrogate or U+0000 gives U+FFFD (documented in formats.md).  Returns
 * the length, or -1 with err set.
 */
static long
unescape(struct jp *j, const unsigned char *s, const unsigned char *q,
    char *out)
{
	const unsigned char *p = s;
	char *o = out;
	long cp, lo;

	while (p < q) {
		if (*p != '\\') {
			*o++ = (char)*p++;
			continue;
		}
		switch (p[1]) {
		case '"':
		case '\\':
		case '/':
			*o++ = (char)p[1];
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if (q - p < 6 || (cp = hex4(p + 2)) < 0)
				return bad(j, p, "a \\u escape without four "
				    "hex digits in a string");
			if (cp >= 0xd800 && cp <= 0xdbff && q - p >= 12 &&
			    p[6] == '\\' && p[7] == 'u' &&
			    (lo = hex4(p + 8)) >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				p += 6;
			} else if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0) {
				cp = 0xfffd;
			}
			o = put_utf8(o, (unsigned long)cp);
			p += 4;
			break;
		default:
			return bad(j, p, "an invalid escape (a backslash not "
			    "followed by \" \\ / b f n r t or u) in a string");
		}
		p += 2;
	}
	return o - out;
}

/* The string whose opening quote is at j->p, decoded into the arena. */
static int
string(struct jp *j, const char **out, size_t *outn)
{
	const unsigned char *s = j->p + 1, *q = s;
	int esc = 0;
	long n;
	char *d;

	for (;;) {
		q = string_stop(q, j->end);
		if (q == j->end)
			return truncated(j);
		if (*q == '"')
			break;
		if (*q == '\0')
			return bad(j, q, "a NUL byte inside a string");
		if (j->end - q < 2)
			return truncated(j);
		esc = 1;
		q += 2;
	}
	d = arena_alloc(j->a, (size_t)(q - s) + 1);
	if (!esc) {
		memcpy(d, s, (size_t)(q - s));
		n = q - s;
	} else if ((n = unescape(j, s, q, d)) < 0) {
		return -1;
	}
	d[n] = '\0';
	*out = d;
	*outn = (size_t)n;
	j->p = q + 1;
	return 0;
}

static int
is_digit(const unsigned char *p, const unsigned char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

/* Past the digits that must come at *pp; what says what lacks them. */
static int
digits(struct jp *j, const unsigned char **pp, const char *what)
{
	const unsigned char *p = *pp;

	if (p == j->end)
		return truncated(j);
	if (!is_digit(p, j->end))
		return bad(j, p, what);
	while (is_digit(p, j->end))
		p++;
	*pp = p;
	return 0;
}

/* RFC 8259's number at j->p, kept as written. */
static int
number(struct jp *j, struct jnode *v)
{
	const unsigned char *s = j->p, *p = s, *end = j->end;

	if (*p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (digits(j, &p, "a minus sign that is not followed by a "
	    "number") < 0)
		return -1;
	if (p < end && *p == '.') {
		p++;
		if (digits(j, &p, "a number with no digit after its decimal "
		    "point") < 0)
			return -1;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (digits(j, &p, "a number with no digit in its exponent") < 0)
			return -1;
	}
	v->type = J_NUMBER;
	v->n = (uint32_t)(p - s);
	v->u.s = arena_strndup(j->a, (const char *)s, (size_t)(p - s));
	j->p = p;
	return 0;
}

static int
literal(struct jp *j, struct jnode *v, const char *word, enum jtype type)
{
	size_t n = strlen(word), left = (size_t)(j->end - j->p);

	if (left < n && memcmp(j->p, word, left) == 0)
		return truncated(j);
	if (left < n || memcmp(j->p, word, n) != 0)
		return bad(j, j->p, "a word that is not true, false or null");
	v->type = type;
	j->p += n;
	return 0;
}

/* A member's name and its ':'; pushes the member (its value to come). */
static int
member_name(struct jp *j)
{
	const char *k;
	size_t kn;

	ws(j);
	if (j->p == j->end)
		return truncated(j);
	if (*j->p != '"')
		return bad(j, j->p, "an object member that does not start "
		    "with its name in double quotes");
	if (string(j, &k, &kn) < 0)
		return -1;
	ws(j);
	if (j->p == j->end)
		return truncated(j);
	if (*j->p != ':')
		return bad(j, j->p, "a member name not followed by ':'");
	j->p++;
	if (j->ns == j->caps)
		j->scratch = grow(j->scratch, &j->caps, sizeof(*j->scratch));
	j->scratch[j->ns].key = k;
	j->scratch[j->ns++].klen = kn;
	return 0;
}

/* Opens an array or object at j->p; 1 when it is empty and closed. */
static int
open_container(struct jp *j)
{
	int obj = *j->p == '{';
	if (j->depth + 1 > j->lim->max_depth) {
		snprintf(j->err->msg, sizeof(j->err->msg), "line %ld: JSON "
		    "nested deeper than %u levels (limits.max_depth)",
		    place(j, j->p), j->lim->max_depth);
		return -1;
	}
	if (j->depth == j->capd)
		j->stack = grow(j->stack, &j->capd, sizeof(*j->stack));
	j->stack[j->depth].start = j->ns;
	j->stack[j->depth++].obj = obj;
	j->p++;
	ws(j);
	if (j->p == j->end)
		return truncated(j);
	if (*j->p == (obj ? '}' : ']')) {
		j->p++;
		return 1;
	}
	return obj ? member_name(j) : 0;
}

/*
 * Objects of more than SCAN_MAX members carry an index after their
 * members: the members' positions sorted by name (length, then bytes,
 * then position), so that a name is found by binary search.  A scan
 * would do (the mapping asks an object for a bounded set of names), but
 * one object can be asked once for every referral that points at it, and
 * a hostile Bundle could make that object huge.
 */
#define SCAN_MAX 16

static int
name_cmp(const struct jmember *a, const struct jmember *b)
{
	int c;

	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	if ((c = memcmp(a->key, b->key, a->klen)) != 0)
		return c;
	return (a > b) - (a < b);
}

static int
index_cmp(const void *x, const void *y, void *members)
{
	const struct jmember *m = members;

	return name_cmp(&m[*(const uint32_t *)x], &m[*(const uint32_t *)y]);
}

/* Closes the innermost container into v. */
static void
close_container(struct jp *j, struct jnode *v)
{
	struct frame *f = &j->stack[--j->depth];
	size_t n = j->ns - f->start, i;

	v->n = (uint32_t)n;
	if (f->obj) {
		size_t ix = n > SCAN_MAX ? n * sizeof(uint32_t) : 0;
		struct jmember *m = arena_alloc(j->a, n * sizeof(*m) + ix + 1);

		if (n > 0)
			memcpy(m, j->scratch + f->start, n * sizeof(*m));
		if (ix > 0) {
			uint32_t *idx = (uint32_t *)(m + n);

			for (i = 0; i < n; i++)
				idx[i] = (uint32_t)i;
			qsort_r(idx, n, sizeof(*idx), index_cmp, m);
		}
		v->type = J_OBJECT;
		v->u.m = m;
	} else {
		struct jnode *e = arena_alloc(j->a, n * sizeof(*e) + 1);

		for (i = 0; i < n; i++)
			e[i] = j->scratch[f->start + i].val;
		v->type = J_ARRAY;
		v->u.v = e;
	}
	j->ns = f->start;
}

/* The value at j->p (after white space) into v; 1 when it opened a
 * container that is still open, so the next value is its first. */
static int
value(struct jp *j, struct jnode *v)
{
	int rc;

	ws(j);
	if (j->p == j->end)
		return truncated(j);
	if (++j->nodes > j->max_nodes) {
		snprintf(j->err->msg, sizeof(j->err->msg), "line %ld: more "
		    "than %zu JSON values (limits.max_nodes)", place(j, j->p),
		    j->max_nodes);
		return -1;
	}
	memset(v, 0, sizeof(*v));
	switch (*j->p) {
	case '{':
	case '[':
		if ((rc = open_container(j)) <= 0)
			return rc < 0 ? -1 : 1;
		close_container(j, v);
		return 0;
	case '"': {
		size_t n;

		if (string(j, &v->u.s, &n) < 0)
			return -1;
		v->type = J_STRING;
		v->n = (uint32_t)n;
		return 0;
	}
	case 't':
		return literal(j, v, "true", J_TRUE);
	case 'f':
		return literal(j, v, "false", J_FALSE);
	case 'n':
		return literal(j, v, "null", J_NULL);
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return number(j, v);
		return bad(j, j->p, "a character that cannot start a JSON "
		    "value");
	}
}

/*
 * After a value v: stores it in its container and reads what follows (a
 * ',' and the next member's name, or the container's end, which makes the
 * container the value just read).  Returns 1 when a value is to be read
 * next, 0 when v is the whole document's, -1 on error.
 */
static int
after_value(struct jp *j, struct jnode *v)
{
	struct frame *f;

	while (j->depth > 0) {
		f = &j->stack[j->depth - 1];
		if (f->obj) {
			j->scratch[j->ns - 1].val = *v;
		} else {
			if (j->ns == j->caps)
				j->scratch = grow(j->scratch, &j->caps,
				    sizeof(*j->scratch));
			j->scratch[j->ns].key = NULL;
			j->scratch[j->ns].klen = 0;
			j->scratch[j->ns++].val = *v;
		}
		ws(j);
		if (j->p == j->end)
			return truncated(j);
		if (*j->p == ',') {
			j->p++;
			if (f->obj && member_name(j) < 0)
				return -1;
			return 1;
		}
		if (*j->p != (f->obj ? '}' : ']'))
			return bad(j, j->p, f->obj ? "an object member not "
			    "followed by ',' or '}'" : "an array element not "
			    "followed by ',' or ']'");
		j->p++;
		close_container(j, v);
	}
	return 0;
}

const struct jnode *
jsonsafe_parse(struct arena *a, const unsigned char *buf, size_t len,
    const struct parse_limits *lim, struct parse_error *err)
{
	struct jp j;
	struct jnode v, *root = NULL;
	int rc;

	memset(err, 0, sizeof(*err));
	err->offset = -1;
	memset(&j, 0, sizeof(j));
	if (len == 0) {
		snprintf(err->msg, sizeof(err->msg), "the JSON document is "
		    "empty or null");
		return NULL;
	}
	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		j.skip = 3;
	buf += j.skip;
	len -= j.skip;
	if (len > (size_t)INT_MAX) {
		snprintf(err->msg, sizeof(err->msg), "JSON document too big");
		return NULL;
	}
	if ((err->line = jsonsafe_bad_utf8_line(buf, len)) > 0) {
		snprintf(err->msg, sizeof(err->msg), "line %ld: JSON text is "
		    "not valid UTF-8; send it as UTF-8", err->line);
		return NULL;
	}
	j.a = a;
	j.buf = j.p = buf;
	j.end = buf + len;
	j.lim = lim;
	j.err = err;
	j.max_nodes = lim->max_nodes < UINT32_MAX ? lim->max_nodes :
	    UINT32_MAX;
	ws(&j);
	if (j.p == j.end) {
		snprintf(err->msg, sizeof(err->msg), "the JSON document is "
		    "empty or null");
		goto out;
	}
	do {
		while ((rc = value(&j, &v)) == 1)
			;
	} while (rc == 0 && (rc = after_value(&j, &v)) == 1);
	if (rc < 0)
		goto out;
	ws(&j);
	if (j.p < j.end) {
		bad(&j, j.p, "data after the end of the JSON value");
		goto out;
	}
	if (v.type == J_NULL) {
		snprintf(err->msg, sizeof(err->msg), "the JSON document is "
		    "empty or null");
		goto out;
	}
	root = arena_alloc(a, sizeof(*root));
	*root = v;
out:
	free(j.scratch);
	free(j.stack);
	return root;
}

const struct jnode *
jnode_get(const struct jnode *o, const char *key, size_t klen)
{
	const struct jmember *m;
	const uint32_t *idx;
	size_t i, lo, hi, mid;
	int c;

	if (o == NULL || o->type != J_OBJECT)
		return NULL;
	m = o->u.m;
	if (o->n <= SCAN_MAX) {
		for (i = o->n; i-- > 0;)
			if (m[i].klen == klen && m[i].key[0] == key[0] &&
			    memcmp(m[i].key, key, klen) == 0)
				return &m[i].val;
		return NULL;
	}
	/* The last member of that name: the first index entry past the
	 * name, less one. */
	idx = (const uint32_t *)(m + o->n);
	for (lo = 0, hi = o->n; lo < hi;) {
		mid = lo + (hi - lo) / 2;
		if (m[idx[mid]].klen != klen)
			c = m[idx[mid]].klen < klen ? -1 : 1;
		else
			c = memcmp(m[idx[mid]].key, key, klen);
		if (c <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || m[idx[lo - 1]].klen != klen ||
	    memcmp(m[idx[lo - 1]].key, key, klen) != 0)
		return NULL;
	return &m[idx[lo - 1]].val;
}
