/*
 * mime.c - e-mail messages into decoded leaf parts (see mime.h).
 *
 * An entity is a header block, a blank line and a body.  Headers are read
 * leniently (LF or CRLF, folded lines, a missing blank line ends the
 * headers at the first line that is not a header); multipart bodies are
 * cut at their boundary delimiter lines and each piece walked again, to a
 * depth limit.
 */
#include "mime.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "text.h"

#define MIME_MAX_PARAMS 48
#define MIME_MAX_HEADER 65536

struct entity {
	const unsigned char *hdr, *body;
	size_t hdrlen, bodylen;
};

struct param {
	char *name;  /* lower case */
	char *value; /* unquoted, not yet decoded */
};

struct ctype {
	char *type; /* lower case "type/subtype", or NULL */
	struct param p[MIME_MAX_PARAMS];
	size_t np;
};

struct walker {
	struct arena *a;
	const struct mime_limits *lim;
	struct mime_message *msg;
};

void
mime_limits_default(struct mime_limits *lim)
{
	lim->max_parts = 1000;
	lim->max_depth = 20;
}

/* Length of the line at p (without its CR LF) and where the next starts. */
static size_t
line_at(const unsigned char *p, const unsigned char *end,
    const unsigned char **next)
{
	const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n;

	if (nl == NULL) {
		*next = end;
		return (size_t)(end - p);
	}
	*next = nl + 1;
	n = (size_t)(nl - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

/* 1 when the line looks like "Name:" (printable, no space before ':'). */
static int
is_header_line(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == ':')
			return i > 0;
		if (p[i] <= ' ' || p[i] > '~')
			return 0;
	}
	return 0;
}

static void
split_entity(const unsigned char *buf, size_t len, struct entity *e)
{
	const unsigned char *p = buf, *end = buf + len, *next;
	size_t n;

	e->hdr = buf;
	while (p < end) {
		n = line_at(p, end, &next);
		if (n == 0) {
			e->hdrlen = (size_t)(p - buf);
			e->body = next;
			e->bodylen = (size_t)(end - next);
			return;
		}
		if (!is_header_line(p, n) && !(p > buf && (*p == ' ' ||
		    *p == '\t')))
			break;
		p = next;
	}
	e->hdrlen = (size_t)(p - buf);
	e->body = p;
	e->bodylen = (size_t)(end - p);
}

/* The unfolded value of the first header called name (at most
 * MIME_MAX_HEADER bytes), or NULL. */
static char *
header_get(struct arena *a, const struct entity *e, const char *name)
{
	const unsigned char *p = e->hdr, *end = e->hdr + e->hdrlen, *next;
	const unsigned char *q, *qnext;
	size_t nlen = strlen(name), n, total, o, k;
	char *out;

	for (; p < end; p = next) {
		n = line_at(p, end, &next);
		if (n > nlen && p[nlen] == ':' && strncasecmp_ascii(
		    (const char *)p, name, nlen) == 0)
			break;
	}
	if (p >= end)
		return NULL;
	/* The length first, then one allocation of the right size. */
	total = n - nlen - 1;
	for (q = next; q < end; q = qnext) {
		size_t m = line_at(q, end, &qnext);

		if (m == 0 || (*q != ' ' && *q != '\t'))
			break;
		total += m;
	}
	if (total > MIME_MAX_HEADER)
		total = MIME_MAX_HEADER;
	out = arena_alloc(a, total + 1);
	for (o = 0, k = nlen + 1; k < n && o < total; k++)
		out[o++] = (char)p[k];
	for (q = next; q < end && o < total; q = qnext) {
		size_t m = line_at(q, end, &qnext);

		if (m == 0 || (*q != ' ' && *q != '\t'))
			break;
		for (k = 0; k < m && o < total; k++)
			out[o++] = (char)q[k];
	}
	out[o] = '\0';
	return out;
}

static char *
lower(char *s)
{
	char *p;

	for (p = s; p != NULL && *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

/* Skips white space and (comments). */
static const char *
skip_cfws(const char *s)
{
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (*s != '(')
			return s;
		{
			int level = 0;

			for (; *s != '\0'; s++) {
				if (*s == '\\' && s[1] != '\0')
					s++;
				else if (*s == '(')
					level++;
				else if (*s == ')' && --level == 0) {
					s++;
					break;
				}
			}
		}
	}
}

/* Reads a token or a quoted string at s; returns the end. */
static const char *
read_value(struct arena *a, const char *s, char **out)
{
	size_t o = 0;
	char *v;

	if (*s == '"') {
		v = arena_alloc(a, strlen(s) + 1);
		for (s++; *s != '\0' && *s != '"'; s++) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			v[o++] = *s;
		}
		if (*s == '"')
			s++;
	} else {
		const char *start = s;

		while (*s != '\0' && *s != ';' && *s != ' ' && *s != '\t' &&
		    *s != '\r' && *s != '\n')
			s++;
		v = arena_alloc(a, (size_t)(s - start) + 1);
		memcpy(v, start, (size_t)(s - start));
		o = (size_t)(s - start);
	}
	v[o] = '\0';
	*out = v;
	return s;
}

/* Parses "type/subtype; a=b; c="d"" (also Content-Disposition). */
static void
parse_ctype(struct arena *a, const char *v, struct ctype *ct)
{
	const char *s, *start;

	ct->type = NULL;
	ct->np = 0;
	if (v == NULL)
		return;
	s = skip_cfws(v);
	start = s;
	while (*s != '\0' && *s != ';' && *s != ' ' && *s != '\t' &&
	    *s != '(')
		s++;
	if (s > start)
		ct->type = lower(arena_strndup(a, start, (size_t)(s - start)));
	while (*s != '\0' && ct->np < MIME_MAX_PARAMS) {
		char *name;

		s = skip_cfws(s);
		if (*s != ';') {
			if (*s == '\0')
				break;
			s++;
			continue;
		}
		s = skip_cfws(s + 1);
		start = s;
		while (*s != '\0' && *s != '=' && *s != ';' && *s != ' ' &&
		    *s != '\t')
			s++;
		if (s == start)
			continue;
		name = lower(arena_strndup(a, start, (size_t)(s - start)));
		s = skip_cfws(s);
		if (*s != '=')
			continue;
		s = skip_cfws(s + 1);
		ct->p[ct->np].name = name;
		s = read_value(a, s, &ct->p[ct->np].value);
		ct->np++;
	}
}

static const char *
param_raw(const struct ctype *ct, const char *name)
{
	size_t i;

	for (i = 0; i < ct->np; i++)
		if (strcmp(ct->p[i].name, name) == 0)
			return ct->p[i].value;
	return NULL;
}

/*
 * Bytes in a charset into UTF-8 in the arena, with control characters
 * (but tab) turned into spaces.  Latin-1 and Windows-1252 are converted;
 * anything else is taken as UTF-8 and repaired.
 */
static char *
to_utf8(struct arena *a, const unsigned char *b, size_t n,
    const char *charset)
{
	char *s, *p;
	size_t outlen;
	int changed = 0;

	if (charset != NULL && (str_istarts(charset, "iso-8859-") ||
	    str_ieq(charset, "latin1") || str_istarts(charset, "windows-125")
	    || str_ieq(charset, "cp1252"))) {
		s = cp1252_to_utf8(a, b, n, &outlen);
	} else {
		s = arena_alloc(a, n + 1);
		memcpy(s, b, n);
		s[n] = '\0';
		s = (char *)utf8_repair(a, s, &changed);
	}
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return s;
}

/* One encoded word "=?charset?B|Q?text?=" at s: its UTF-8 text and the
 * end, or NULL when s does not start one. */
static char *
encoded_word(struct arena *a, const char *s, const char **end)
{
	const char *cs, *q, *text, *stop;
	char *charset, enc, *bytes;
	size_t o = 0;

	if (s[0] != '=' || s[1] != '?')
		return NULL;
	cs = s + 2;
	if ((q = strchr(cs, '?')) == NULL || q == cs)
		return NULL;
	enc = (char)toupper((unsigned char)q[1]);
	if ((enc != 'B' && enc != 'Q') || q[2] != '?')
		return NULL;
	text = q + 3;
	if ((stop = strstr(text, "?=")) == NULL)
		return NULL;
	for (q = text; q < stop; q++)
		if (*q == ' ' || *q == '\t')
			return NULL;
	charset = arena_strndup(a, cs, (size_t)(strchr(cs, '?') - cs));
	if (strchr(charset, '*') != NULL) /* RFC 2231 language */
		*strchr(charset, '*') = '\0';
	bytes = arena_alloc(a, (size_t)(stop - text) + 1);
	if (enc == 'Q') {
		for (q = text; q < stop; q++) {
			if (*q == '_')
				bytes[o++] = ' ';
			else if (*q == '=' && q + 2 < stop &&
			    hex_value(q[1]) >= 0 && hex_value(q[2]) >= 0) {
				bytes[o++] = (char)(hex_value(q[1]) << 4 |
				    hex_value(q[2]));
				q += 2;
			} else
				bytes[o++] = *q;
		}
	} else {
		static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
		    "klmnopqrstuvwxyz0123456789+/";
		unsigned acc = 0, bits = 0;
		const char *pos;

		for (q = text; q < stop; q++) {
			if (*q == '=' || (pos = strchr(b64, *q)) == NULL)
				continue;
			acc = acc << 6 | (unsigned)(pos - b64);
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				bytes[o++] = (char)((acc >> bits) & 0xff);
			}
		}
	}
	*end = stop + 2;
	return to_utf8(a, (const unsigned char *)bytes, o, charset);
}

char *
mime_decode_header(struct arena *a, const char *s, size_t n)
{
	char *in = arena_strndup(a, s, n), *out;
	const char *p = in, *end, *gap = NULL;
	size_t cap = n * 3 + 16, o = 0;
	int last_encoded = 0;

	out = arena_alloc(a, cap + 1);
	while (*p != '\0' && o < cap) {
		char *w = encoded_word(a, p, &end);

		if (w != NULL) {
			size_t wl = strlen(w);

			/* White space between two encoded words goes. */
			if (gap != NULL && !last_encoded) {
				size_t gl = (size_t)(p - gap);

				if (gl > cap - o)
					gl = cap - o;
				memcpy(out + o, gap, gl);
				o += gl;
			}
			if (wl > cap - o)
				wl = cap - o;
			memcpy(out + o, w, wl);
			o += wl;
			p = end;
			gap = NULL;
			last_encoded = 1;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			if (gap == NULL)
				gap = p;
			p++;
			continue;
		}
		if (gap != NULL) {
			size_t gl = (size_t)(p - gap);

			if (gl > cap - o)
				gl = cap - o;
			memcpy(out + o, gap, gl);
			o += gl;
			gap = NULL;
		}
		last_encoded = 0;
		out[o++] = *p++;
	}
	out[o] = '\0';
	/* Leading and trailing white space, and raw 8-bit text. */
	{
		const char *t = out;
		size_t len;

		while (*t == ' ' || *t == '\t')
			t++;
		len = strlen(t);
		while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\t' ||
		    t[len - 1] == '\r' || t[len - 1] == '\n'))
			len--;
		return to_utf8(a, (const unsigned char *)t, len, "utf-8");
	}
}

/* RFC 2231 "charset'lang'%xx..." (extended) or plain; into UTF-8. */
static char *
decode_2231(struct arena *a, const char *v, int extended, char **charset)
{
	unsigned char *b = arena_alloc(a, strlen(v) + 1);
	size_t o = 0;
	const char *p = v, *q;

	if (extended && charset != NULL && *charset == NULL &&
	    (q = strchr(v, '\'')) != NULL && strchr(q + 1, '\'') != NULL) {
		*charset = arena_strndup(a, v, (size_t)(q - v));
		p = strchr(q + 1, '\'') + 1;
	}
	for (; *p != '\0'; p++) {
		if (extended && *p == '%' && hex_value(p[1]) >= 0 &&
		    hex_value(p[2]) >= 0) {
			b[o++] = (unsigned char)(hex_value(p[1]) << 4 |
			    hex_value(p[2]));
			p += 2;
		} else
			b[o++] = (unsigned char)*p;
	}
	b[o] = '\0';
	return (char *)b;
}

/* A parameter's value decoded (RFC 2231 sections and charset, or RFC 2047
 * words as many mailers write them), or NULL. */
static char *
param_get(struct arena *a, const struct ctype *ct, const char *name)
{
	const char *v;
	char key[80], *charset = NULL, *acc = NULL;
	size_t acclen = 0;
	unsigned k;

	snprintf(key, sizeof(key), "%s*", name);
	if ((v = param_raw(ct, key)) != NULL) {
		char *b = decode_2231(a, v, 1, &charset);

		return to_utf8(a, (unsigned char *)b, strlen(b), charset);
	}
	for (k = 0; k < 32; k++) {
		const char *sec;
		char *b;
		int ext = 1;

		snprintf(key, sizeof(key), "%s*%u*", name, k);
		if ((sec = param_raw(ct, key)) == NULL) {
			snprintf(key, sizeof(key), "%s*%u", name, k);
			sec = param_raw(ct, key);
			ext = 0;
		}
		if (sec == NULL)
			break;
		b = decode_2231(a, sec, ext, k == 0 ? &charset : NULL);
		acc = arena_grow(a, acc, acclen, acclen + strlen(b) + 1);
		memcpy(acc + acclen, b, strlen(b) + 1);
		acclen += strlen(b);
	}
	if (acc != NULL)
		return to_utf8(a, (unsigned char *)acc, acclen, charset);
	if ((v = param_raw(ct, name)) == NULL)
		return NULL;
	return mime_decode_header(a, v, strlen(v));
}

/* A file name as a label: its last path component, no control
 * characters, no leading dots, at most 128 bytes; NULL if nothing is left. */
static const char *
safe_name(struct arena *a, const char *name)
{
	const char *base = name, *p;
	char *out;
	size_t o = 0, i;

	if (name == NULL)
		return NULL;
	for (p = name; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	out = arena_alloc(a, strlen(base) + 1);
	for (p = base; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x20 && *p != 0x7f && *p != ':')
			out[o++] = *p;
	out[o] = '\0';
	while (o > 0 && out[o - 1] == ' ')
		out[--o] = '\0';
	for (i = 0; i < o && (out[i] == '.' || out[i] == ' '); i++)
		out[i] = '_';
	if (i == o)
		return NULL;
	if (o > 128) {
		o = 128;
		while (o > 0 && ((unsigned char)out[o] & 0xc0) == 0x80)
			o--;
		out[o] = '\0';
	}
	return out;
}

static unsigned char *
decode_base64(struct arena *a, const unsigned char *in, size_t n,
    size_t *outlen, const char **problem)
{
	signed char map[256];
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+/";
	unsigned char *out = arena_alloc(a, n / 4 * 3 + 4);
	unsigned acc = 0, bits = 0;
	size_t i, o = 0;
	int bad = 0, pad = 0;

	memset(map, -1, sizeof(map));
	for (i = 0; i < 64; i++)
		map[(unsigned char)b64[i]] = (signed char)i;
	for (i = 0; i < n; i++) {
		int c = in[i];

		if (c == '=') {
			pad = 1;
			continue;
		}
		if (map[c] < 0) {
			if (c != '\r' && c != '\n' && c != ' ' && c != '\t')
				bad = 1;
			continue;
		}
		if (pad)
			bad = 1;
		acc = acc << 6 | (unsigned)map[c];
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	if (bits >= 6)
		bad = 1; /* a lone sixth of a byte */
	if (bad)
		*problem = "the base64 body holds characters or padding that "
		    "do not belong: decoded what could be";
	out[o] = '\0';
	*outlen = o;
	return out;
}

static unsigned char *
decode_qp(struct arena *a, const unsigned char *in, size_t n, size_t *outlen)
{
	unsigned char *out = arena_alloc(a, n + 1);
	const unsigned char *p = in, *end = in + n, *next;
	size_t o = 0, len, i;

	while (p < end) {
		int newline, crlf, soft;

		len = line_at(p, end, &next);
		newline = next[-1] == '\n';
		crlf = newline && next - p >= 2 && next[-2] == '\r';
		/* Trailing white space on a line is padding (RFC 2045). */
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		soft = len > 0 && p[len - 1] == '=';
		if (soft)
			len--;
		for (i = 0; i < len; i++) {
			if (p[i] == '=' && i + 2 < len &&
			    hex_value(p[i + 1]) >= 0 && hex_value(p[i + 2]) >= 0) {
				out[o++] = (unsigned char)(hex_value(p[i + 1]) << 4 |
				    hex_value(p[i + 2]));
				i += 2;
			} else {
				out[o++] = p[i];
			}
		}
		if (newline && !soft) {
			if (crlf)
				out[o++] = '\r';
			out[o++] = '\n';
		}
		p = next;
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

static int
fail(struct walker *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct walker *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->msg->err, sizeof(w->msg->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int
add_part(struct walker *w, struct mime_part *part)
{
	struct mime_message *m = w->msg;

	if (m->nparts >= w->lim->max_parts)
		return fail(w, "the message has more than %zu parts",
		    w->lim->max_parts);
	if (m->nparts == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;

		m->parts = arena_grow(w->a, m->parts, m->nparts *
		    sizeof(*m->parts), cap * sizeof(*m->parts));
		m->cap = cap;
	}
	m->parts[m->nparts++] = *part;
	return 0;
}

/*
 * The next delimiter line "--boundary" at a line start at or after p.
 * Returns where it starts (and sets *close and *next, the line after it),
 * or NULL.
 */
static const unsigned char *
find_delim(const unsigned char *start, const unsigned char *p,
    const unsigned char *end, const char *dash, size_t dlen, int *close,
    const unsigned char **next)
{
	while (p < end) {
		const unsigned char *q = memmem(p, (size_t)(end - p), dash,
		    dlen), *r;

		if (q == NULL)
			return NULL;
		p = q + 1;
		if (q != start && q[-1] != '\n')
			continue;
		r = q + dlen;
		*close = 0;
		if (end - r >= 2 && r[0] == '-' && r[1] == '-') {
			*close = 1;
			r += 2;
		}
		while (r < end && (*r == ' ' || *r == '\t'))
			r++;
		if (r < end && *r != '\r' && *r != '\n')
			continue; /* a longer boundary that starts the same */
		line_at(r, end, next);
		return q;
	}
	return NULL;
}

static int walk(struct walker *w, const unsigned char *buf, size_t len,
    unsigned depth);

static int
walk_multipart(struct walker *w, const struct entity *e, const char *boundary,
    unsigned depth)
{
	const unsigned char *start = e->body, *end = e->body + e->bodylen;
	const unsigned char *d, *next, *from;
	char *dash = arena_printf(w->a, "--%s", boundary);
	size_t dlen = strlen(dash);
	int close = 0;

	if ((d = find_delim(start, start, end, dash, dlen, &close, &next)) ==
	    NULL) {
		struct mime_part part = {"text/plain", NULL, NULL, 0, NULL, 0,
		    depth, "a multipart body without its boundary: kept whole"};

		part.body = arena_alloc(w->a, e->bodylen + 1);
		memcpy((void *)part.body, e->body, e->bodylen);
		((unsigned char *)part.body)[e->bodylen] = '\0';
		part.len = e->bodylen;
		return add_part(w, &part);
	}
	while (!close) {
		const unsigned char *pe;
		size_t before = w->msg->nparts;

		from = next;
		d = find_delim(start, from, end, dash, dlen, &close, &next);
		pe = d != NULL ? d : end;
		if (d != NULL && pe > from && pe[-1] == '\n') {
			pe--;
			if (pe > from && pe[-1] == '\r')
				pe--;
		}
		if (walk(w, from, (size_t)(pe - from), depth + 1) < 0)
			return -1;
		if (d == NULL) {
			if (w->msg->nparts > before)
				w->msg->parts[w->msg->nparts - 1].problem =
				    "the closing boundary is missing: the "
				    "message may have been cut short";
			break;
		}
	}
	return 0;
}

static int
walk(struct walker *w, const unsigned char *buf, size_t len, unsigned depth)
{
	struct entity e;
	struct ctype ct, cd;
	struct mime_part part;
	const char *cte;

	if (depth > w->lim->max_depth)
		return fail(w, "the message nests parts more than %u deep",
		    w->lim->max_depth);
	split_entity(buf, len, &e);
	parse_ctype(w->a, header_get(w->a, &e, "content-type"), &ct);
	if (ct.type == NULL || strchr(ct.type, '/') == NULL)
		ct.type = "text/plain";
	if (strncmp(ct.type, "multipart/", 10) == 0) {
		const char *b = param_get(w->a, &ct, "boundary");

		if (b != NULL && *b != '\0' && strlen(b) <= 200)
			return walk_multipart(w, &e, b, depth);
	}
	cte = header_get(w->a, &e, "content-transfer-encoding");
	if (cte != NULL) {
		char *t;

		read_value(w->a, skip_cfws(cte), &t);
		cte = lower(t);
	}
	memset(&part, 0, sizeof(part));
	part.type = ct.type;
	part.depth = depth;
	if (cte == NULL || *cte == '\0' || strcmp(cte, "7bit") == 0 ||
	    strcmp(cte, "8bit") == 0 || strcmp(cte, "binary") == 0) {
		unsigned char *copy = arena_alloc(w->a, e.bodylen + 1);

		memcpy(copy, e.body, e.bodylen);
		copy[e.bodylen] = '\0';
		part.body = copy;
		part.len = e.bodylen;
	} else if (strcmp(cte, "base64") == 0) {
		part.body = decode_base64(w->a, e.body, e.bodylen, &part.len,
		    &part.problem);
	} else if (strcmp(cte, "quoted-printable") == 0) {
		part.body = decode_qp(w->a, e.body, e.bodylen, &part.len);
	} else {
		unsigned char *copy = arena_alloc(w->a, e.bodylen + 1);

		memcpy(copy, e.body, e.bodylen);
		copy[e.bodylen] = '\0';
		part.body = copy;
		part.len = e.bodylen;
		part.problem = "an unknown transfer encoding: kept as sent";
	}
	if (strcmp(ct.type, "message/rfc822") == 0 ||
	    strcmp(ct.type, "message/global") == 0)
		return walk(w, part.body, part.len, depth + 1);
	if (param_raw(&ct, "charset") != NULL)
		part.charset = lower(arena_strdup(w->a, param_raw(&ct,
		    "charset")));
	parse_ctype(w->a, header_get(w->a, &e, "content-disposition"), &cd);
	part.attachment = cd.type != NULL && strcmp(cd.type, "attachment") ==
	    0;
	part.filename = safe_name(w->a, param_get(w->a, &cd, "filename"));
	if (part.filename == NULL)
		part.filename = safe_name(w->a, param_get(w->a, &ct, "name"));
	return add_part(w, &part);
}

void
mime_entity_type(struct arena *a, const unsigned char *buf, size_t len,
    struct mime_type *out)
{
	struct entity e;
	struct ctype ct;
	const char *v;

	split_entity(buf, len, &e);
	parse_ctype(a, header_get(a, &e, "content-type"), &ct);
	out->type = ct.type != NULL && strchr(ct.type, '/') != NULL ? ct.type
								     : "text/plain";
	out->smime_type = (v = param_raw(&ct, "smime-type")) != NULL ?
	    lower(arena_strdup(a, v)) : NULL;
	out->protocol = (v = param_raw(&ct, "protocol")) != NULL ?
	    lower(arena_strdup(a, v)) : NULL;
}

/* A top-level header, decoded and at most 998 bytes, or NULL. */
static const char *
top_header(struct arena *a, const struct entity *e, const char *name)
{
	char *v = header_get(a, e, name);

	if (v == NULL)
		return NULL;
	if (strlen(v) > 998)
		v[998] = '\0';
	v = mime_decode_header(a, v, strlen(v));
	return *v != '\0' ? v : NULL;
}

int
mime_parse(struct arena *a, const unsigned char *buf, size_t len,
    const struct mime_limits *lim, struct mime_message *msg)
{
	struct walker w = {a, lim, msg};
	struct entity e;

	memset(msg, 0, sizeof(*msg));
	mime_entity_type(a, buf, len, &msg->top);
	split_entity(buf, len, &e);
	msg->from = top_header(a, &e, "from");
	msg->subject = top_header(a, &e, "subject");
	msg->message_id = top_header(a, &e, "message-id");
	return walk(&w, buf, len, 0);
}
