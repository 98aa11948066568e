/*
 * lexicon.c - words and phrases, found once per referral (see lexicon.h).
 *
 * Terms are indexed by the first three bytes of their first word (the
 * whole word when shorter), so a word of the text is compared only with
 * the few terms that could start there.  Negation follows NegEx (Chapman
 * et al., 2001) in miniature: a cue word up to six words before a term,
 * or three after it, in the same sentence; "not improving after
 * injection" is a pseudo-negation and negates nothing.
 */
#include "lexicon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "xmalloc.h"

#define NEG_BEFORE 6 /* words a negation reaches forward */
#define NEG_AFTER 3  /* words a trailing negation reaches back */
#define VALUE_AFTER 4
#define VALUE_BEFORE 2
#define MAX_WORDS 12

struct word {
	const char *s;
	size_t len;
	int prefix; /* ended in '*' */
};

struct term {
	struct word *w;
	size_t nw;
	const char *text; /* as the rule wrote it */
	const char *key;  /* normalised, for de-duplication */
	int slot;
};

struct lexicon {
	struct arena *arena;
	struct term *t;
	size_t n, cap;
	size_t nslots;
	size_t nbuckets;    /* a power of two */
	uint32_t *bstart;   /* nbuckets + 1 offsets into bterm */
	uint32_t *bterm;
};

enum { T_NUM = 1, T_DATEPART = 2 };

struct tok {
	const char *s; /* in the lowercased copy */
	uint32_t len;
	uint32_t clause;
	uint8_t flags;
};

/* Byte classes. */
enum { C_SEP, C_LETTER, C_DIGIT, C_STOP };

/* Length of the UTF-8 sequence at p and its code point; 1 and -1 when it
 * is not valid. */
static size_t
utf8_at(const unsigned char *p, long *cp)
{
	size_t n, i;
	long c;

	if (p[0] < 0xc2 || p[0] > 0xf4) {
		*cp = -1;
		return 1;
	}
	n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	c = p[0] & (0x3f >> (n - 1));
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*cp = -1;
			return 1;
		}
		c = (c << 6) | (p[i] & 0x3f);
	}
	*cp = c;
	return n;
}

/* Non-ASCII characters that separate words rather than make them. */
static int
unicode_sep(long cp)
{
	return cp < 0 || cp == 0xa0 || cp == 0xb0 || cp == 0xb7 ||
	    (cp >= 0x2000 && cp <= 0x206f) || cp == 0xfeff || cp == 0xfffd;
}

static int
cls(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return C_LETTER;
	if (c >= '0' && c <= '9')
		return C_DIGIT;
	if (c == '.' || c == ';' || c == '!' || c == '?' || c == '\n' ||
	    c == '\r')
		return C_STOP;
	return C_SEP;
}

static int
isdig(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Splits s[0..len) into words, lowercasing into low (len + 1 bytes).
 * Returns the number of tokens; *toks grows as needed.
 */
static size_t
tokenize(const char *s, size_t len, char *low, struct tok **toks,
    size_t *cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0;
	uint32_t clause = 0;

	while (i < len) {
		int c = p[i] >= 0x80 ? C_LETTER : cls(p[i]);
		size_t start = i, step = 1;
		long cp = 0;

		if (p[i] >= 0x80) {
			step = utf8_at(p + i, &cp);
			if (unicode_sep(cp))
				c = C_SEP;
		}
		if (c == C_STOP) {
			if (!(p[i] == '.' && i > 0 && isdig(p[i - 1]) &&
			    i + 1 < len && isdig(p[i + 1])))
				clause++;
			i++;
			continue;
		}
		if (c == C_SEP) {
			i += step;
			continue;
		}
		/* A run of letters, or of digits (with decimal points). */
		while (i < len) {
			int k;

			if (p[i] >= 0x80) {
				step = utf8_at(p + i, &cp);
				k = unicode_sep(cp) ? C_SEP : C_LETTER;
			} else {
				step = 1;
				k = cls(p[i]);
			}
			if (c == C_DIGIT && p[i] == '.' && i + 1 < len &&
			    isdig(p[i + 1]) && i > start) {
				low[i] = '.';
				i++;
				continue;
			}
			if (k != c)
				break;
			for (size_t j = 0; j < step; j++)
				low[i + j] = (char)(p[i + j] >= 'A' &&
				    p[i + j] <= 'Z' ? p[i + j] + 32 : p[i + j]);
			i += step;
		}
		if (n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*toks = xreallocarray(*toks, *cap, sizeof(**toks));
		}
		(*toks)[n].s = low + start;
		(*toks)[n].len = (uint32_t)(i - start);
		(*toks)[n].clause = clause;
		(*toks)[n].flags = 0;
		if (c == C_DIGIT) {
			int before = start > 1 && strchr("/-:", p[start - 1]) &&
			    isdig(p[start - 2]);
			int after = i + 1 < len && strchr("/-:", p[i]) &&
			    isdig(p[i + 1]);

			(*toks)[n].flags = T_NUM | (before || after ?
			    T_DATEPART : 0);
		}
		n++;
	}
	return n;
}

/* The negation words (NegEx's commonest, in British clinical usage). */
enum cue { CUE_NONE, CUE_PRE, CUE_POST, CUE_BOTH, CUE_BREAK, CUE_PSEUDO };

static const struct cueword {
	const char *w;
	enum cue cue;
} cues[] = {
    /* sorted by strcmp for bsearch */
    {"absent", CUE_POST}, {"although", CUE_BREAK},
    {"apart", CUE_BREAK}, {"aren", CUE_PRE},
    {"aside", CUE_BREAK}, {"better", CUE_PSEUDO},
    {"but", CUE_BREAK}, {"cannot", CUE_PRE},
    {"certain", CUE_PSEUDO}, {"change", CUE_PSEUDO},
    {"changed", CUE_PSEUDO}, {"controlled", CUE_PSEUDO},
    {"denied", CUE_BOTH}, {"denies", CUE_PRE},
    {"deny", CUE_PRE}, {"denying", CUE_PRE},
    {"didn", CUE_PRE}, {"doesn", CUE_PRE},
    {"eased", CUE_PSEUDO}, {"easing", CUE_PSEUDO},
    {"effective", CUE_PSEUDO}, {"except", CUE_BREAK},
    {"excluded", CUE_BOTH}, {"fh", CUE_PRE},
    {"hadn", CUE_PRE}, {"hasn", CUE_PRE},
    {"haven", CUE_PRE}, {"help", CUE_PSEUDO},
    {"helped", CUE_PSEUDO}, {"helping", CUE_PSEUDO},
    {"however", CUE_BREAK}, {"improve", CUE_PSEUDO},
    {"improved", CUE_PSEUDO}, {"improvement", CUE_PSEUDO},
    {"improving", CUE_PSEUDO}, {"increase", CUE_PSEUDO},
    {"increased", CUE_PSEUDO}, {"isn", CUE_PRE},
    {"necessarily", CUE_PSEUDO}, {"negative", CUE_BOTH},
    {"never", CUE_PRE}, {"nil", CUE_BOTH},
    {"no", CUE_PRE}, {"none", CUE_BOTH},
    {"not", CUE_PRE}, {"only", CUE_PSEUDO},
    {"relief", CUE_PSEUDO}, {"relieved", CUE_PSEUDO},
    {"resolve", CUE_PSEUDO}, {"resolved", CUE_PSEUDO},
    {"resolving", CUE_PSEUDO}, {"respond", CUE_PSEUDO},
    {"responded", CUE_PSEUDO}, {"responding", CUE_PSEUDO},
    {"response", CUE_PSEUDO}, {"settle", CUE_PSEUDO},
    {"settled", CUE_PSEUDO}, {"settling", CUE_PSEUDO},
    {"successful", CUE_PSEUDO}, {"sure", CUE_PSEUDO},
    {"though", CUE_BREAK}, {"tolerated", CUE_PSEUDO},
    {"tolerating", CUE_PSEUDO}, {"wasn", CUE_PRE},
    {"whereas", CUE_BREAK}, {"without", CUE_PRE},
    {"worked", CUE_PSEUDO}, {"working", CUE_PSEUDO},
};

static enum cue
cue_of(const struct tok *t)
{
	size_t lo = 0, hi = sizeof(cues) / sizeof(cues[0]);

	if (t->flags & T_NUM || t->len > 12)
		return CUE_NONE;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *w = cues[mid].w;
		size_t wl = strlen(w);
		int c = memcmp(t->s, w, t->len < wl ? t->len : wl);

		if (c == 0)
			c = t->len < wl ? -1 : t->len > wl ? 1 : 0;
		if (c == 0)
			return cues[mid].cue;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return CUE_NONE;
}

static int
tok_is(const struct tok *t, const char *w)
{
	return t->len == strlen(w) && memcmp(t->s, w, t->len) == 0;
}

/* 1 when the words toks[start..end) are negated in their sentence. */
static int
negated(const struct tok *toks, size_t n, size_t start, size_t end)
{
	uint32_t clause = toks[start].clause;
	size_t k, d;

	for (d = 1; d <= NEG_BEFORE && d <= start; d++) {
		const struct tok *t = &toks[start - d];
		enum cue c;

		if (t->clause != clause)
			break;
		c = cue_of(t);
		if (c == CUE_BREAK)
			break;
		if (tok_is(t, "history") && start - d > 0 &&
		    tok_is(&toks[start - d - 1], "family"))
			return 1;
		if (tok_is(t, "ruled") && start - d + 1 < start &&
		    tok_is(&toks[start - d + 1], "out"))
			return 1;
		if (c == CUE_PRE || c == CUE_BOTH) {
			/* "not improving after injection": no negation,
			 * unless the pseudo word starts the term itself. */
			size_t nx = start - d + 1;

			if (nx + 1 < start && tok_is(&toks[nx], "t"))
				nx++; /* didn't, doesn't */
			if (nx < start && cue_of(&toks[nx]) == CUE_PSEUDO)
				continue;
			return 1;
		}
	}
	for (k = end, d = 1; k < n && d <= NEG_AFTER; k++, d++) {
		enum cue c;

		if (toks[k].clause != clause)
			break;
		c = cue_of(&toks[k]);
		if (c == CUE_BREAK)
			break;
		if (c == CUE_POST || c == CUE_BOTH)
			return 1;
		if (tok_is(&toks[k], "ruled") && k + 1 < n &&
		    tok_is(&toks[k + 1], "out"))
			return 1;
	}
	return 0;
}

static void
add_value(struct lex_values *v, const struct tok *t, unsigned field)
{
	char num[32];
	char *end;
	double d;

	if (v->n == LEX_MAX_VALUES || t->len >= sizeof(num))
		return;
	memcpy(num, t->s, t->len);
	num[t->len] = '\0';
	d = strtod(num, &end);
	if (*end != '\0')
		return;
	v->v[v->n] = d;
	v->field[v->n] = (uint8_t)field;
	v->n++;
}

/* Records the numbers written next to a value term found at [start,end). */
static void
values(const struct tok *toks, size_t n, size_t start, size_t end,
    unsigned field, struct lex_values *after, struct lex_values *before)
{
	uint32_t clause = toks[start].clause;
	size_t k, d = 0;

	/* Up to VALUE_AFTER words on, not counting the parts of a date. */
	for (k = end; k < n && d < VALUE_AFTER; k++) {
		if (toks[k].clause != clause)
			break;
		if (toks[k].flags & T_DATEPART)
			continue;
		if (toks[k].flags & T_NUM) {
			add_value(after, &toks[k], field);
			break;
		}
		d++;
	}
	for (k = start; k > 0 && start - k < VALUE_BEFORE; k--) {
		const struct tok *t = &toks[k - 1];

		if (t->clause != clause)
			break;
		if ((t->flags & (T_NUM | T_DATEPART)) == T_NUM) {
			add_value(before, t, field);
			break;
		}
	}
}

static uint32_t
key_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len && i < 3; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h ^ (uint32_t)(len < 3 ? len : 3);
}

struct lexicon *
lex_new(void)
{
	struct lexicon *lx = xcalloc(1, sizeof(*lx));

	lx->arena = arena_new(0);
	return lx;
}

void
lex_free(struct lexicon *lx)
{
	if (lx == NULL)
		return;
	arena_free(lx->arena);
	free(lx->t);
	free(lx->bstart);
	free(lx->bterm);
	free(lx);
}

int
lex_add(struct lexicon *lx, const char *term, int want_value, char *err,
    size_t errlen)
{
	size_t len = strlen(term), n, i, klen = 0;
	char *low = arena_alloc(lx->arena, len + 1), *key;
	struct tok *toks = NULL;
	size_t cap = 0;
	struct word w[MAX_WORDS];

	n = tokenize(term, len, low, &toks, &cap);
	if (n == 0 || n > MAX_WORDS) {
		snprintf(err, errlen, "\"%s\" %s", term, n == 0 ? "holds no "
		    "word to look for" : "is longer than 12 words");
		free(toks);
		return -1;
	}
	if (memchr(term, '*', (size_t)(toks[0].s - low)) != NULL) {
		snprintf(err, errlen, "\"%s\": * may only end a word", term);
		free(toks);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *after = toks[i].s + toks[i].len;
		size_t off = (size_t)(after - low);

		w[i].s = toks[i].s;
		w[i].len = toks[i].len;
		w[i].prefix = off < len && term[off] == '*';
		if ((w[i].prefix && toks[i].len < 3) || (toks[i].clause !=
		    toks[0].clause) || (!w[i].prefix && memchr(term + off, '*',
		    i + 1 < n ? (size_t)(toks[i + 1].s - after) : len - off))) {
			snprintf(err, errlen, "\"%s\": %s", term,
			    toks[i].clause != toks[0].clause ? "a term may "
			    "not hold a full stop or a line break" : "* may "
			    "only end a word of three or more letters");
			free(toks);
			return -1;
		}
		klen += toks[i].len + 2;
	}
	key = arena_alloc(lx->arena, klen + 1);
	for (i = 0, klen = 0; i < n; i++) {
		memcpy(key + klen, w[i].s, w[i].len);
		klen += w[i].len;
		key[klen++] = w[i].prefix ? '*' : ' ';
	}
	key[klen] = '\0';
	free(toks);
	for (i = 0; i < lx->n; i++)
		if (strcmp(lx->t[i].key, key) == 0)
			break;
	if (i == lx->n) {
		if (lx->n == lx->cap) {
			lx->cap = lx->cap ? lx->cap * 2 : 64;
			lx->t = xreallocarray(lx->t, lx->cap, sizeof(*lx->t));
		}
		lx->t[i].w = arena_alloc(lx->arena, n * sizeof(*w));
		memcpy(lx->t[i].w, w, n * sizeof(*w));
		lx->t[i].nw = n;
		lx->t[i].text = arena_strdup(lx->arena, term);
		lx->t[i].key = key;
		lx->t[i].slot = -1;
		lx->n++;
	}
	if (want_value && lx->t[i].slot < 0)
		lx->t[i].slot = (int)lx->nslots++;
	return (int)i;
}

void
lex_finish(struct lexicon *lx)
{
	size_t i, nb = 64, *fill;

	while (nb < lx->n * 2)
		nb *= 2;
	free(lx->bstart);
	free(lx->bterm);
	lx->nbuckets = nb;
	lx->bstart = xcalloc(nb + 1, sizeof(*lx->bstart));
	lx->bterm = xcalloc(lx->n ? lx->n : 1, sizeof(*lx->bterm));
	for (i = 0; i < lx->n; i++)
		lx->bstart[(key_hash(lx->t[i].w[0].s, lx->t[i].w[0].len) &
		    (nb - 1)) + 1]++;
	for (i = 0; i < nb; i++)
		lx->bstart[i + 1] += lx->bstart[i];
	fill = xcalloc(nb, sizeof(*fill));
	for (i = 0; i < lx->n; i++) {
		size_t b = key_hash(lx->t[i].w[0].s, lx->t[i].w[0].len) &
		    (nb - 1);

		lx->bterm[lx->bstart[b] + fill[b]++] = (uint32_t)i;
	}
	free(fill);
}

size_t
lex_count(const struct lexicon *lx)
{
	return lx->n;
}

const char *
lex_text(const struct lexicon *lx, int term)
{
	return lx->t[term].text;
}

int
lex_slot(const struct lexicon *lx, int term)
{
	return lx->t[term].slot;
}

void
lex_hits_init(struct lex_hits *h, const struct lexicon *lx)
{
	memset(h, 0, sizeof(*h));
	h->nterms = lx->n;
	h->nslots = lx->nslots;
	h->found = xcalloc(lx->n ? lx->n : 1, 1);
	h->negated = xcalloc(lx->n ? lx->n : 1, 1);
	h->after = xcalloc(lx->nslots ? lx->nslots : 1, sizeof(*h->after));
	h->before = xcalloc(lx->nslots ? lx->nslots : 1, sizeof(*h->before));
}

void
lex_hits_clear(struct lex_hits *h)
{
	memset(h->found, 0, h->nterms);
	memset(h->negated, 0, h->nterms);
	memset(h->after, 0, h->nslots * sizeof(*h->after));
	memset(h->before, 0, h->nslots * sizeof(*h->before));
}

void
lex_hits_free(struct lex_hits *h)
{
	free(h->found);
	free(h->negated);
	free(h->after);
	free(h->before);
	free(h->low);
	free(h->toks);
	memset(h, 0, sizeof(*h));
}

/* 1 when term t's words stand at toks[i...] in one sentence. */
static int
match_at(const struct term *t, const struct tok *toks, size_t n, size_t i)
{
	size_t k;

	if (i + t->nw > n)
		return 0;
	for (k = 0; k < t->nw; k++) {
		const struct tok *tk = &toks[i + k];
		const struct word *w = &t->w[k];

		if (tk->clause != toks[i].clause)
			return 0;
		if (w->prefix ? tk->len < w->len : tk->len != w->len)
			return 0;
		if (memcmp(tk->s, w->s, w->len) != 0)
			return 0;
	}
	return 1;
}

void
lex_scan(const struct lexicon *lx, const char *text, unsigned field,
    struct lex_hits *h)
{
	size_t len, n, i;
	struct tok *toks;

	if (text == NULL || lx->n == 0)
		return;
	len = strlen(text);
	if (len + 1 > h->lowcap) {
		free(h->low);
		h->lowcap = len + 1 > 256 ? len + 1 : 256;
		h->low = xmalloc(h->lowcap);
	}
	toks = h->toks;
	n = tokenize(text, len, h->low, &toks, &h->tokcap);
	h->toks = toks;
	for (i = 0; i < n; i++) {
		size_t b = key_hash(toks[i].s, toks[i].len) &
		    (lx->nbuckets - 1), j;

		for (j = lx->bstart[b]; j < lx->bstart[b + 1]; j++) {
			uint32_t ti = lx->bterm[j];
			const struct term *t = &lx->t[ti];

			if (!match_at(t, toks, n, i))
				continue;
			if (negated(toks, n, i, i + t->nw))
				h->negated[ti] |= (uint8_t)field;
			else
				h->found[ti] |= (uint8_t)field;
			if (t->slot >= 0)
				values(toks, n, i, i + t->nw, field,
				    &h->after[t->slot], &h->before[t->slot]);
		}
	}
}
