/*
 * cond_compile.c - a rule's `when:` from YAML into struct cond (see
 * cond.h; docs/readme-rules.md, "Conditions", is the user's view).
 */
#include "cond.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "lexicon.h"
#include "yamldoc.h"

#define COND_MAX_DEPTH 12

const char *const missing_item_names[MISS_N] = {
    [MISS_NHS_NUMBER] = "nhs_number",
    [MISS_REASON] = "reason",
    [MISS_MEDICATION] = "medication",
    [MISS_RESULTS] = "results",
    [MISS_RECENT_RESULTS] = "recent_results",
    [MISS_REFERRER] = "referrer",
    [MISS_PRACTICE] = "practice",
    [MISS_PRIORITY] = "priority",
    [MISS_SPECIALTY] = "specialty",
    [MISS_DATE] = "date",
    [MISS_AGE] = "age",
    [MISS_SEX] = "sex",
    [MISS_DIAGNOSIS] = "diagnosis",
    [MISS_PROVIDER] = "provider",
    [MISS_BMI] = "bmi",
    [MISS_QUESTION] = "question",
};

/* Words by which a letter asks the specialist something. */
static const char *const question_words[] = {"please", "grateful",
    "would you", "could you", "can you", "advice", "advise", "opinion",
    "assess", "assessment", "review", "consider", "request", "requesting",
    "investigate", "investigation", "further management", "thank you",
    "refer for", "referral for", "for consideration of"};

void
cond_missing_terms(struct lexicon *lx, struct missing_terms *mt)
{
	char err[128];
	size_t i;

	mt->bmi[0] = lex_add(lx, "bmi", 1, err, sizeof(err));
	mt->bmi[1] = lex_add(lx, "body mass index", 1, err, sizeof(err));
	mt->nquestion = 0;
	for (i = 0; i < sizeof(question_words) / sizeof(question_words[0]);
	    i++) {
		int t = lex_add(lx, question_words[i], 0, err, sizeof(err));

		if (t >= 0 && mt->nquestion < sizeof(mt->question) /
		    sizeof(mt->question[0]))
			mt->question[mt->nquestion++] = t;
	}
}

static struct cond *
new_cond(struct yload *l, enum cond_op op, yaml_node_t *n)
{
	struct cond *c = arena_zalloc(l->arena, sizeof(*c));

	c->op = op;
	c->line = yl_line(n);
	return c;
}

/* Picks each of strs from names[0..n) into mask bits; -1 on a stranger. */
static int
name_mask(struct yload *l, yaml_node_t *n, const char *key,
    const char *const *names, size_t nnames, unsigned *mask)
{
	const char **v;
	size_t nv, i, j;

	if (yl_strs(l, n, key, &v, &nv) < 0)
		return -1;
	for (i = 0; i < nv; i++) {
		for (j = 0; j < nnames; j++)
			if (names[j] != NULL && strcmp(v[i], names[j]) == 0)
				break;
		if (j == nnames) {
			char list[256];
			size_t off = 0, k;

			list[0] = '\0';
			for (k = 0; k < nnames && off < sizeof(list); k++)
				if (names[k] != NULL)
					off += (size_t)snprintf(list + off,
					    sizeof(list) - off, "%s%s",
					    off ? ", " : "", names[k]);
			return yl_err(l, n, "%s \"%s\" is not one of %s", key,
			    v[i], list);
		}
		*mask |= 1u << j;
	}
	return 0;
}

/* Normalises a code: upper case, no dots or spaces.  NULL when it holds
 * anything but letters and digits. */
static char *
norm_code(struct arena *a, const char *s, size_t len)
{
	char *o = arena_alloc(a, len + 1);
	size_t i, k = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return NULL;
		o[k++] = c;
	}
	o[k] = '\0';
	return k ? o : NULL;
}

/* 1 when c (normalised) has the shape of its system's codes: ICD-10 a
 * letter, a digit and up to five more; OPCS-4 a letter and one to four
 * digits; SNOMED CT 6 to 18 digits. */
static int
code_shape(enum code_system sys, const char *c)
{
	size_t n = strlen(c), i;

	for (i = sys == CS_SNOMED ? 0 : 1; i < n; i++)
		if ((c[i] < '0' || c[i] > '9') && (sys != CS_ICD10 || i < 2))
			return 0;
	if (sys == CS_SNOMED)
		return n >= 6 && n <= 18;
	if (c[0] < 'A' || c[0] > 'Z' || n < 2)
		return 0;
	return sys == CS_OPCS4 ? n <= 5 : n <= 7;
}

static int
compile_codes(struct yload *l, yaml_node_t *n, struct cond *c)
{
	static const char *const keys[] = {"icd10", "snomed", "opcs4", NULL};
	static const enum code_system sys[] = {CS_ICD10, CS_SNOMED, CS_OPCS4};
	size_t i, j, total = 0;

	if (yl_check_map(l, n, "codes", keys) < 0)
		return -1;
	if (yl_map_n(n) == 0)
		return yl_err(l, n, "'codes' names no code system");
	c->codes = arena_alloc(l->arena, 64 * sizeof(*c->codes));
	for (i = 0; i < yl_map_n(n); i++) {
		const char *key, **v;
		size_t nv, s;
		yaml_node_t *val = yl_map_at(l, n, i, &key);

		if (val == NULL || yl_strs(l, val, key, &v, &nv) < 0)
			return -1;
		for (s = 0; strcmp(keys[s], key) != 0; s++)
			;
		for (j = 0; j < nv; j++) {
			struct code_pat *p;
			const char *dash = strchr(v[j], '-');
			size_t len = strlen(v[j]);

			if (total == 64)
				return yl_err(l, val, "more than 64 code "
				    "patterns in one condition");
			p = &c->codes[total];
			p->system = sys[s];
			p->text = v[j];
			if (len > 0 && v[j][len - 1] == '*')
				len--;
			if (len > 0 && v[j][len - 1] == '.')
				len--;
			p->lo = norm_code(l->arena, v[j], dash ?
			    (size_t)(dash - v[j]) : len);
			p->hi = dash ? norm_code(l->arena, dash + 1,
			    len - (size_t)(dash - v[j]) - 1) : NULL;
			if (p->lo == NULL || !code_shape(sys[s], p->lo) ||
			    (dash && (p->hi == NULL ||
			    !code_shape(sys[s], p->hi))))
				return yl_err(l, val, "\"%s\" is not an %s code, "
				    "a code with * after it, or a range like "
				    "%s", v[j], key, sys[s] == CS_SNOMED ?
				    "(SNOMED CT: a concept id, no range)" :
				    sys[s] == CS_OPCS4 ? "W37-W39" : "M17-M19");
			if (dash && (sys[s] == CS_SNOMED ||
			    strcmp(p->lo, p->hi) > 0))
				return yl_err(l, val, "\"%s\": %s", v[j],
				    sys[s] == CS_SNOMED ? "SNOMED CT has no "
				    "ranges" : "the range runs backwards");
			total++;
		}
	}
	c->ncodes = total;
	return 0;
}

/* Reads `in:` into LEX_* bits. */
static int
compile_fields(struct yload *l, yaml_node_t *n, unsigned *fields)
{
	static const char *const names[] = {"reason", "medication", "results",
	    "codes", "specialty", "all"};

	*fields = 0;
	if (name_mask(l, n, "in", names, 6, fields) < 0)
		return -1;
	if (*fields & 32)
		*fields = LEX_ALL_FIELDS;
	return 0;
}

static int
add_terms(struct yload *l, yaml_node_t *n, const char *key,
    struct lexicon *lx, int want_value, struct cond *c)
{
	const char **v;
	size_t nv, i;
	char err[256];

	if (yl_strs(l, n, key, &v, &nv) < 0)
		return -1;
	c->terms = arena_alloc(l->arena, nv * sizeof(*c->terms));
	for (i = 0; i < nv; i++) {
		if ((c->terms[i] = lex_add(lx, v[i], want_value, err,
		    sizeof(err))) < 0)
			return yl_err(l, n, "'%s': %s", key, err);
	}
	c->nterms = nv;
	return 0;
}

static int
compile_text(struct yload *l, yaml_node_t *n, struct lexicon *lx,
    struct cond *c)
{
	static const char *const keys[] = {"any", "in", "negation", NULL};
	size_t i;
	int negation = 1;

	c->fields = LEX_DEFAULT_FIELDS;
	if (n->type != YAML_MAPPING_NODE)
		return add_terms(l, n, "text", lx, 0, c);
	if (yl_check_map(l, n, "text", keys) < 0)
		return -1;
	for (i = 0; i < yl_map_n(n); i++) {
		const char *key;
		yaml_node_t *v = yl_map_at(l, n, i, &key);
		int rc;

		if (v == NULL)
			return -1;
		if (strcmp(key, "any") == 0)
			rc = add_terms(l, v, "text.any", lx, 0, c);
		else if (strcmp(key, "in") == 0)
			rc = compile_fields(l, v, &c->fields);
		else
			rc = yl_bool(l, v, "negation", &negation);
		if (rc < 0)
			return -1;
	}
	if (c->nterms == 0)
		return yl_err(l, n, "'text' needs 'any:' with the words to "
		    "look for");
	c->with_negated = !negation;
	return 0;
}

static int
compile_value(struct yload *l, yaml_node_t *n, struct lexicon *lx,
    struct cond *c)
{
	static const char *const keys[] = {"of", "min", "max", "above",
	    "below", "side", "in", NULL};
	size_t i;

	c->fields = LEX_REASON | LEX_RESULTS;
	if (yl_check_map(l, n, "value", keys) < 0)
		return -1;
	for (i = 0; i < yl_map_n(n); i++) {
		const char *key, *s;
		yaml_node_t *v = yl_map_at(l, n, i, &key);
		int rc = 0;

		if (v == NULL)
			return -1;
		if (strcmp(key, "of") == 0) {
			rc = add_terms(l, v, "value.of", lx, 1, c);
		} else if (strcmp(key, "in") == 0) {
			rc = compile_fields(l, v, &c->fields);
		} else if (strcmp(key, "side") == 0) {
			if ((s = yl_str(l, v, key)) == NULL)
				return -1;
			if (strcmp(s, "after") != 0 && strcmp(s, "before") != 0)
				return yl_err(l, v, "'side' must be after or "
				    "before, not \"%s\"", s);
			c->before = strcmp(s, "before") == 0;
		} else if (strcmp(key, "min") == 0 || strcmp(key, "above") == 0) {
			if (c->has_min)
				return yl_err(l, v, "give one of min and above");
			rc = yl_num(l, v, key, &c->vmin);
			c->has_min = 1;
			c->min_strict = key[0] == 'a';
		} else {
			if (c->has_max)
				return yl_err(l, v, "give one of max and below");
			rc = yl_num(l, v, key, &c->vmax);
			c->has_max = 1;
			c->max_strict = key[0] == 'b';
		}
		if (rc < 0)
			return -1;
	}
	if (c->nterms == 0)
		return yl_err(l, n, "'value' needs 'of:' with the words the "
		    "number follows");
	if (c->has_min && c->has_max && c->vmin > c->vmax)
		return yl_err(l, n, "'value': the lower bound is above the "
		    "upper");
	return 0;
}

static int
compile_age(struct yload *l, yaml_node_t *n, struct cond *c)
{
	static const char *const keys[] = {"min", "max", NULL};
	size_t i;
	long v;

	c->lo = 0;
	c->hi = 150;
	if (yl_check_map(l, n, "age", keys) < 0)
		return -1;
	if (yl_map_n(n) == 0)
		return yl_err(l, n, "'age' needs min:, max: or both");
	for (i = 0; i < yl_map_n(n); i++) {
		const char *key;
		yaml_node_t *val = yl_map_at(l, n, i, &key);

		if (val == NULL || yl_int(l, val, key, 0, 150, &v) < 0)
			return -1;
		if (key[1] == 'i')
			c->lo = (int)v;
		else
			c->hi = (int)v;
	}
	if (c->lo > c->hi)
		return yl_err(l, n, "'age': min is above max");
	return 0;
}

static int
compile_strs(struct yload *l, yaml_node_t *n, const char *key, int tfc,
    struct cond *c)
{
	size_t i, k;

	if (yl_strs(l, n, key, &c->strs, &c->nstrs) < 0)
		return -1;
	for (i = 0; i < c->nstrs; i++) {
		const char *s = c->strs[i];
		size_t len = strlen(s);

		for (k = 0; k < len; k++)
			if (!((s[k] >= '0' && s[k] <= '9') || (s[k] >= 'A' &&
			    s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z') ||
			    (!tfc && (s[k] == '_' || (s[k] == '*' &&
			    k == len - 1)))))
				break;
		if (len == 0 || k < len || (tfc && len != 3))
			return yl_err(l, n, "'%s': \"%s\" is not %s", key, s,
			    tfc ? "a treatment function code (3 characters)" :
			    "an e-RS code (letters, digits, _ and a final *)");
	}
	return 0;
}

static struct cond *compile_one(struct yload *l, const char *key,
    yaml_node_t *v, struct lexicon *lx, int depth);

static int
compile_list(struct yload *l, yaml_node_t *v, const char *key,
    struct lexicon *lx, int depth, struct cond *c)
{
	size_t i;

	if (v->type != YAML_SEQUENCE_NODE || yl_seq_n(v) == 0)
		return yl_err(l, v, "'%s' must be a non-empty list of "
		    "conditions", key);
	c->nkids = yl_seq_n(v);
	c->kids = arena_alloc(l->arena, c->nkids * sizeof(*c->kids));
	for (i = 0; i < c->nkids; i++) {
		yaml_node_t *it = yl_seq_at(l, v, i);

		if (it == NULL || (c->kids[i] = cond_compile(l, it, lx,
		    depth + 1)) == NULL)
			return -1;
	}
	return 0;
}

static struct cond *
compile_one(struct yload *l, const char *key, yaml_node_t *v,
    struct lexicon *lx, int depth)
{
	static const char *const prio[] = {"unknown", "routine", "urgent",
	    "two_week_wait"};
	static const char *const sex[] = {"unknown", "female", "male",
	    "other"};
	struct cond *c;
	int rc;

	if (strcmp(key, "all") == 0 || strcmp(key, "any") == 0) {
		c = new_cond(l, key[1] == 'l' ? COND_ALL : COND_ANY, v);
		rc = compile_list(l, v, key, lx, depth, c);
	} else if (strcmp(key, "not") == 0) {
		c = new_cond(l, COND_NOT, v);
		c->nkids = 1;
		c->kids = arena_alloc(l->arena, sizeof(*c->kids));
		rc = (c->kids[0] = cond_compile(l, v, lx, depth + 1)) ? 0 : -1;
	} else if (strcmp(key, "tfc") == 0) {
		c = new_cond(l, COND_TFC, v);
		rc = compile_strs(l, v, key, 1, c);
	} else if (strcmp(key, "ers_specialty") == 0 ||
	    strcmp(key, "clinic_type") == 0) {
		c = new_cond(l, key[0] == 'e' ? COND_ERS_SPECIALTY :
		    COND_CLINIC_TYPE, v);
		rc = compile_strs(l, v, key, 0, c);
	} else if (strcmp(key, "priority") == 0) {
		c = new_cond(l, COND_PRIORITY, v);
		rc = name_mask(l, v, key, prio, 4, &c->mask);
	} else if (strcmp(key, "sex") == 0) {
		c = new_cond(l, COND_SEX, v);
		rc = name_mask(l, v, key, sex, 4, &c->mask);
	} else if (strcmp(key, "age") == 0) {
		c = new_cond(l, COND_AGE, v);
		rc = compile_age(l, v, c);
	} else if (strcmp(key, "codes") == 0) {
		c = new_cond(l, COND_CODES, v);
		rc = compile_codes(l, v, c);
	} else if (strcmp(key, "text") == 0) {
		c = new_cond(l, COND_TEXT, v);
		rc = compile_text(l, v, lx, c);
	} else if (strcmp(key, "value") == 0) {
		c = new_cond(l, COND_VALUE, v);
		rc = compile_value(l, v, lx, c);
	} else {
		c = new_cond(l, COND_MISSING, v);
		rc = name_mask(l, v, key, missing_item_names, MISS_N,
		    &c->mask);
	}
	return rc < 0 ? NULL : c;
}

struct cond *
cond_compile(struct yload *l, yaml_node_t *n, struct lexicon *lx, int depth)
{
	static const char *const keys[] = {"all", "any", "not", "tfc",
	    "ers_specialty", "clinic_type", "priority", "sex", "age", "codes",
	    "text", "value", "missing", NULL};
	struct cond *all;
	size_t i, nk;

	if (depth > COND_MAX_DEPTH) {
		yl_err(l, n, "conditions nested more than %d deep",
		    COND_MAX_DEPTH);
		return NULL;
	}
	if (yl_check_map(l, n, "a condition", keys) < 0)
		return NULL;
	if ((nk = yl_map_n(n)) == 0) {
		yl_err(l, n, "an empty condition");
		return NULL;
	}
	all = nk > 1 ? new_cond(l, COND_ALL, n) : NULL;
	if (all != NULL) {
		all->nkids = nk;
		all->kids = arena_alloc(l->arena, nk * sizeof(*all->kids));
	}
	for (i = 0; i < nk; i++) {
		const char *key;
		yaml_node_t *v = yl_map_at(l, n, i, &key);
		struct cond *c;

		if (v == NULL || (c = compile_one(l, key, v, lx, depth)) ==
		    NULL)
			return NULL;
		c->line = yl_key_line(l, n, i); /* explain names the key */
		if (all == NULL)
			return c;
		all->kids[i] = c;
	}
	return all;
}
