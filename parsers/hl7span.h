/*
 * hl7span.h - finding the bytes of HL7 v2: segments, fields, components
 * (for hl7v2.c, which maps them to a referral).
 *
 * The parser reads a copy of the document followed by HL7_PAD zero
 * bytes, so that up to 64 bytes can be loaded from any position before
 * its end.  eq16() gives a bit for each of sixteen bytes that
 * equals c: SSE2 (every x86-64) compares them at once; other little-endian
 * machines eight bytes a word (a byte of x is zero exactly where the 0x80
 * bit of ~((x & 0x7f..) + 0x7f.. | x | 0x7f..) is set, and the multiply
 * gathers those bits into one byte); any other machine one by one.
 * Segments and short values, which are most of a message, are then read
 * with a few bit operations and without a branch per byte: on this data a
 * branch that depends on a byte is mispredicted often, and costs more than
 * the byte.
 */
#ifndef PARS_HL7SPAN_H
#define PARS_HL7SPAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HL7_PAD 64

/* Bytes of the document: a field, a component, a value. */
struct span {
	const char *p;
	size_t n;
};

static const struct span nospan = {NULL, 0};

#if defined(__SSE2__)
#include <emmintrin.h>
static inline unsigned
eq16(const char *p, char c)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);

	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
	    _mm_set1_epi8(c)));
}
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline unsigned
eq8(const char *p, char c)
{
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t x;

	memcpy(&x, p, 8);
	x ^= 0x0101010101010101ULL * (unsigned char)c;
	x = ~(((x & low7) + low7) | x | low7);
	return (unsigned)(((x >> 7) * 0x0102040810204080ULL) >> 56);
}

static inline unsigned
eq16(const char *p, char c)
{
	return eq8(p, c) | eq8(p + 8, c) << 8;
}
#else
static inline unsigned
eq16(const char *p, char c)
{
	unsigned m = 0, i;

	for (i = 0; i < 16; i++)
		m |= (unsigned)(p[i] == c) << i;
	return m;
}
#endif

/*
 * Copies n bytes from src to dst and adds HL7_PAD zero bytes after them;
 * returns 1 when every byte copied is ASCII.
 */
static inline int
copy_padded(char *dst, const unsigned char *src, size_t n)
{
	size_t i = 0;
	unsigned high = 0;

#if defined(__SSE2__)
	__m128i v, any = _mm_setzero_si128();

	for (; i + 16 <= n; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
		_mm_storeu_si128((__m128i *)(void *)(dst + i), v);
		any = _mm_or_si128(any, v);
	}
	if (i < n && n >= 16) { /* the last sixteen, overlapping */
		v = _mm_loadu_si128((const __m128i *)(const void *)(src + n -
		    16));
		_mm_storeu_si128((__m128i *)(void *)(dst + n - 16), v);
		any = _mm_or_si128(any, v);
		i = n;
	}
	high = (unsigned)_mm_movemask_epi8(any);
#endif
	for (; i < n; i++) {
		dst[i] = (char)src[i];
		high |= src[i] & 0x80u;
	}
	memset(dst + n, 0, HL7_PAD);
	return high == 0;
}

/* The same for thirty-two bytes (a short value). */
static inline uint32_t
eq32(const char *p, char c)
{
	return eq16(p, c) | (uint32_t)eq16(p + 16, c) << 16;
}

/* The same for sixty-four bytes (a step of a segment's scan). */
static inline uint64_t
eq64(const char *p, char c)
{
	return eq32(p, c) | (uint64_t)eq32(p + 32, c) << 32;
}

/* The bits of the first n (at most 32) bytes. */
static inline uint32_t
low_bits(size_t n)
{
	return n >= 32 ? 0xffffffffu : (1u << n) - 1;
}

/*
 * Scans the segment at p: records its fields (split on sep, at most max)
 * in f and their number in *nf, and returns where the segment ends (its
 * CR or LF, or end).  With max 0 only the end is looked for.  64 bytes a
 * step (most segments are one or two): the compares find a step's
 * separators and line ends, and the fields are taken from the bits.
 * (Sixteen a step was 6% slower: the loop over the bits ended, often
 * mispredicted, four times as often.)
 */
static inline const char *
seg_scan(const char *p, const char *end, char sep, struct span *f,
    size_t max, size_t *nf)
{
	const char *b, *q, *from = p;
	uint64_t s, e;
	size_t n = 0;

	for (b = p; b < end; b += 64) {
		s = eq64(b, sep);
		e = eq64(b, '\r') | eq64(b, '\n');
		if (end - b < 64) {
			uint64_t in = (UINT64_C(1) << (end - b)) - 1;

			s &= in;
			e &= in;
		}
		if (e != 0)
			s &= (e & -e) - 1; /* the separators before the end */
		for (; s != 0 && n < max; s &= s - 1) {
			q = b + __builtin_ctzll(s);
			f[n].p = from;
			f[n++].n = (size_t)(q - from);
			from = q + 1;
		}
		if (e != 0) {
			end = b + __builtin_ctzll(e);
			break;
		}
	}
	if (n < max) {
		f[n].p = from;
		f[n++].n = (size_t)(end - from);
	}
	*nf = n;
	return end;
}

/* The first sep in [p, end), or end (long values). */
static inline const char *
find(const char *p, const char *end, char sep)
{
	unsigned m;

	for (; p < end; p += 16) {
		m = eq16(p, sep);
		if (end - p < 16)
			m &= low_bits((size_t)(end - p));
		if (m != 0)
			return p + __builtin_ctz(m);
	}
	return end;
}

/* Splits s on sep into at most max spans; returns how many. */
static inline size_t
split(struct span s, char sep, struct span *out, size_t max)
{
	const char *p = s.p, *end, *q;
	size_t n = 0;

	if (s.p == NULL)
		return 0;
	end = s.p + s.n;
	while (n < max) {
		q = find(p, end, sep);
		out[n].p = p;
		out[n++].n = (size_t)(q - p);
		if (q == end)
			break;
		p = q + 1;
	}
	return n;
}

/* The nth (1-based) piece of s split on sep, or an empty span. */
static inline struct span
piece(struct span s, char sep, int nth)
{
	const char *p = s.p, *end, *q;

	if (s.p == NULL)
		return nospan;
	end = s.p + s.n;
	while (--nth > 0) {
		q = find(p, end, sep);
		if (q == end)
			return nospan;
		p = q + 1;
	}
	q = find(p, end, sep);
	return (struct span){p, (size_t)(q - p)};
}

/*
 * The nth (1-based) component of s (split on csep), cut at its first
 * subcomponent separator ssep; no span when s has fewer.  A value of at
 * most 32 bytes (most are) is read from the bits of one compare.
 */
static inline struct span
span_comp(struct span s, char csep, char ssep, int nth)
{
	uint32_t c, sub;
	size_t start = 0, stop;
	int i;

	if (s.p == NULL)
		return nospan;
	if (s.n > 32)
		return piece(piece(s, csep, nth), ssep, 1);
	c = eq32(s.p, csep) & low_bits(s.n);
	for (i = 1; i < nth; i++) {
		if (c == 0)
			return nospan;
		start = (size_t)__builtin_ctz(c) + 1;
		c &= c - 1;
	}
	stop = c != 0 ? (size_t)__builtin_ctz(c) : s.n;
	sub = eq32(s.p, ssep) & low_bits(stop) & ~low_bits(start);
	if (sub != 0)
		stop = (size_t)__builtin_ctz(sub);
	return (struct span){s.p + start, stop - start};
}

/*
 * The first max components of s, each as span_comp() gives it (out[i]
 * is component i + 1), from one compare of each separator when s is at
 * most 32 bytes: for a field read several components of.
 */
static inline void
span_comps(struct span s, char csep, char ssep, struct span *out, int max)
{
	uint32_t c, sub, cut;
	size_t start = 0, stop;
	int i;

	if (s.p == NULL || s.n > 32) {
		for (i = 0; i < max; i++)
			out[i] = span_comp(s, csep, ssep, i + 1);
		return;
	}
	c = eq32(s.p, csep) & low_bits(s.n);
	sub = eq32(s.p, ssep) & low_bits(s.n);
	for (i = 0; i < max; i++) {
		if (i > 0) {
			if (c == 0)
				break;
			start = (size_t)__builtin_ctz(c) + 1;
			c &= c - 1;
		}
		stop = c != 0 ? (size_t)__builtin_ctz(c) : s.n;
		cut = sub & low_bits(stop) & ~low_bits(start);
		if (cut != 0)
			stop = (size_t)__builtin_ctz(cut);
		out[i] = (struct span){s.p + start, stop - start};
	}
	for (; i < max; i++)
		out[i] = nospan;
}

/* 1 when s is lit (upper case letters, digits, '-') ignoring case. */
static inline int
span_is(struct span s, const char *lit, size_t n)
{
	size_t i;

	if (s.n != n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s.p[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != lit[i])
			return 0;
	}
	return 1;
}
#define span_eq(s, lit) span_is((s), "" lit, sizeof(lit) - 1)

#endif
