/*
 * rules_load.c - rule files into a rule set (see rules.h; the format is
 * in docs/readme-rules.md).  All or nothing: the first mistake stops the
 * load and is reported as FILE:LINE: what is wrong.
 */
#include "rules.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cond.h"
#include "lexicon.h"
#include "text.h"
#include "xmalloc.h"
#include "yamldoc.h"

#define RULE_FILE_MAX (1 << 20)
#define RULES_MAX 5000
#define EXAMPLES_MAX 50

/* What a file says for all its rules unless a rule says otherwise. */
struct defaults {
	const char *theme, *author, *checked_by;
	char reviewed[11], next_review[11];
};

struct loading {
	struct rule_set *rs;
	size_t cap;
};

const char *
rule_kind_name(enum rule_kind k)
{
	return k == RULE_PUN ? "PUN" : "DEN";
}

static int
valid_id(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 2 || n > 64 || !((s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '-' || s[i] == '.' || s[i] == '_'))
			return 0;
	return 1;
}

/* A text value: a copy in the arena, or NULL with the error set when it
 * is empty or longer than max. */
static const char *
text(struct yload *l, yaml_node_t *n, const char *key, size_t max)
{
	const char *s = yl_str(l, n, key);
	size_t len;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	if (len == 0 || len > max) {
		yl_err(l, n, "'%s' must be 1 to %zu characters", key, max);
		return NULL;
	}
	return arena_strndup(l->arena, s, len);
}

static int
codes_into(struct yload *l, yaml_node_t *v, const char *key,
    enum code_system sys, struct ref_codes *codes)
{
	const char **s;
	size_t n, i;

	if (yl_strs(l, v, key, &s, &n) < 0)
		return -1;
	for (i = 0; i < n; i++)
		ref_codes_add(l->arena, codes, sys, s[i], NULL);
	return 0;
}

/* One example referral (a mapping of canonical referral fields). */
static int
example(struct yload *l, yaml_node_t *n, struct rule_example *ex)
{
	static const char *const keys[] = {"tfc", "tfc_sent", "priority",
	    "age", "sex", "reason", "medication", "results", "specialty",
	    "ers_specialty", "clinic_type", "icd10", "snomed", "opcs4",
	    "nhs_number_valid", "referrer", "practice", "date", "provider",
	    "price", NULL};
	struct referral *r = &ex->r;
	size_t i;

	if (yl_check_map(l, n, "an example", keys) < 0)
		return -1;
	memset(r, 0, sizeof(*r));
	ex->line = yl_line(n);
	ex->price_pence = -1;
	r->format = "example";
	r->practice_ods = "P81000";
	r->referrer_code = "G8000001";
	r->referral_date = "2025-01-15";
	r->provider_ods = "RWG";
	r->nhs_number_valid = 1;
	r->priority = REF_PRIO_ROUTINE;
	r->age_years = -1;
	for (i = 0; i < yl_map_n(n); i++) {
		const char *key, *s = NULL;
		yaml_node_t *v = yl_map_at(l, n, i, &key);
		long num;
		int b, rc = 0;

		if (v == NULL)
			return -1;
		if (strcmp(key, "icd10") == 0)
			rc = codes_into(l, v, key, CS_ICD10, &r->diagnoses);
		else if (strcmp(key, "snomed") == 0)
			rc = codes_into(l, v, key, CS_SNOMED, &r->diagnoses);
		else if (strcmp(key, "opcs4") == 0)
			rc = codes_into(l, v, key, CS_OPCS4, &r->procedures);
		else if (strcmp(key, "age") == 0) {
			rc = yl_int(l, v, key, 0, 150, &num);
			r->age_years = (int)num;
		} else if (strcmp(key, "price") == 0) {
			rc = yl_int(l, v, key, 0, 100000000, &num);
			ex->price_pence = num;
		} else if (strcmp(key, "nhs_number_valid") == 0) {
			rc = yl_bool(l, v, key, &b);
			r->nhs_number_valid = b;
		} else if ((s = yl_str(l, v, key)) == NULL) {
			return -1;
		} else {
			s = *s ? arena_strdup(l->arena, s) : NULL;
		}
		if (rc < 0)
			return -1;
		if (strcmp(key, "tfc") == 0)
			ex->tfc = s;
		else if (strcmp(key, "tfc_sent") == 0)
			r->tfc = s;
		else if (strcmp(key, "priority") == 0) {
			r->priority = priority_from_word(s);
			if (r->priority == REF_PRIO_UNKNOWN && s != NULL &&
			    strcmp(s, "unknown") != 0)
				return yl_err(l, v, "priority must be routine, "
				    "urgent, two_week_wait or unknown");
		} else if (strcmp(key, "sex") == 0) {
			r->sex = sex_from_word(s);
			if (r->sex == REF_SEX_UNKNOWN && s != NULL &&
			    strcmp(s, "unknown") != 0)
				return yl_err(l, v, "sex must be female, male, "
				    "other or unknown");
		} else if (strcmp(key, "reason") == 0)
			r->reason_text = s;
		else if (strcmp(key, "medication") == 0)
			r->medication_text = s;
		else if (strcmp(key, "results") == 0)
			r->results_text = s;
		else if (strcmp(key, "specialty") == 0)
			r->specialty_text = s;
		else if (strcmp(key, "ers_specialty") == 0)
			r->ers_specialty = s;
		else if (strcmp(key, "clinic_type") == 0)
			r->ers_clinic_type = s;
		else if (strcmp(key, "referrer") == 0)
			r->referrer_code = s;
		else if (strcmp(key, "practice") == 0)
			r->practice_ods = s;
		else if (strcmp(key, "provider") == 0)
			r->provider_ods = s;
		else if (strcmp(key, "date") == 0) {
			char d[11];

			if (s != NULL && yl_date(l, v, key, d) < 0)
				return -1;
			r->referral_date = s;
		}
	}
	return 0;
}

static int
examples(struct yload *l, yaml_node_t *n, struct rule *ru)
{
	static const char *const keys[] = {"fire", "not_fire", NULL};
	size_t i, j, total = 0;

	if (yl_check_map(l, n, "examples", keys) < 0)
		return -1;
	ru->examples = arena_zalloc(l->arena, EXAMPLES_MAX *
	    sizeof(*ru->examples));
	for (i = 0; i < yl_map_n(n); i++) {
		const char *key;
		yaml_node_t *v = yl_map_at(l, n, i, &key);

		if (v == NULL)
			return -1;
		if (v->type != YAML_SEQUENCE_NODE || yl_seq_n(v) == 0)
			return yl_err(l, v, "examples '%s' must be a non-empty "
			    "list of referrals", key);
		for (j = 0; j < yl_seq_n(v); j++) {
			yaml_node_t *it = yl_seq_at(l, v, j);

			if (total == EXAMPLES_MAX)
				return yl_err(l, v, "more than %d examples",
				    EXAMPLES_MAX);
			if (it == NULL || example(l, it, &ru->examples[total])
			    < 0)
				return -1;
			ru->examples[total++].must_fire = key[0] == 'f';
		}
	}
	if (yl_map_n(n) != 2)
		return yl_err(l, n, "examples need both 'fire' (referrals the "
		    "rule must fire on) and 'not_fire' (referrals it must "
		    "not)");
	ru->nexamples = total;
	return 0;
}

static int
rule(struct yload *l, yaml_node_t *n, const struct defaults *df,
    struct lexicon *lx, struct rule *ru)
{
	static const char *const keys[] = {"id", "version", "kind", "title",
	    "source", "author", "checked_by", "reviewed", "next_review",
	    "theme", "message", "alternative", "when", "examples", NULL};
	yaml_node_t *when = NULL, *ex = NULL;
	size_t i;

	l->rule_id = yl_peek(l, n, "id");
	if (l->rule_id != NULL && !valid_id(l->rule_id))
		l->rule_id = NULL;
	if (yl_check_map(l, n, "a rule", keys) < 0)
		return -1;
	memset(ru, 0, sizeof(*ru));
	ru->file = l->file;
	ru->line = yl_line(n);
	ru->theme = df->theme;
	ru->author = df->author;
	ru->checked_by = df->checked_by;
	memcpy(ru->reviewed, df->reviewed, 11);
	memcpy(ru->next_review, df->next_review, 11);
	for (i = 0; i < yl_map_n(n); i++) {
		const char *key, *s;
		yaml_node_t *v = yl_map_at(l, n, i, &key);
		long num;

		if (v == NULL)
			return -1;
		if (strcmp(key, "when") == 0) {
			when = v;
			continue;
		}
		if (strcmp(key, "examples") == 0) {
			ex = v;
			continue;
		}
		if (strcmp(key, "version") == 0) {
			if (yl_int(l, v, key, 1, 1000000, &num) < 0)
				return -1;
			ru->version = (int)num;
			continue;
		}
		if (strcmp(key, "reviewed") == 0 ||
		    strcmp(key, "next_review") == 0) {
			if (yl_date(l, v, key, key[0] == 'r' ? ru->reviewed :
			    ru->next_review) < 0)
				return -1;
			continue;
		}
		if ((s = text(l, v, key, strcmp(key, "message") == 0 ? 2000 :
		    300)) == NULL)
			return -1;
		if (strcmp(key, "id") == 0) {
			if (!valid_id(s))
				return yl_err(l, v, "rule id \"%s\" must be 2 "
				    "to 64 of a-z, 0-9, '-', '.', '_'", s);
			ru->id = l->rule_id = s;
		} else if (strcmp(key, "kind") == 0) {
			if (strcmp(s, "PUN") != 0 && strcmp(s, "DEN") != 0)
				return yl_err(l, v, "kind must be PUN or DEN, "
				    "not \"%s\"", s);
			ru->kind = s[0] == 'P' ? RULE_PUN : RULE_DEN;
		} else if (strcmp(key, "title") == 0)
			ru->title = s;
		else if (strcmp(key, "source") == 0)
			ru->source = s;
		else if (strcmp(key, "author") == 0)
			ru->author = s;
		else if (strcmp(key, "checked_by") == 0)
			ru->checked_by = s;
		else if (strcmp(key, "theme") == 0)
			ru->theme = s;
		else if (strcmp(key, "message") == 0)
			ru->message = s;
		else
			ru->alternative = s;
	}
	{
		static const char *const need[] = {"id", "version", "kind",
		    "title", "source", "author", "checked_by", "reviewed",
		    "next_review", "theme", "message", "when", "examples"};
		const void *have[] = {ru->id, ru->version ? "" : NULL,
		    ru->kind ? "" : NULL, ru->title, ru->source, ru->author,
		    ru->checked_by, ru->reviewed[0] ? "" : NULL,
		    ru->next_review[0] ? "" : NULL, ru->theme, ru->message,
		    when, ex};

		for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
			if (have[i] == NULL)
				return yl_err(l, n, "the rule has no '%s'%s",
				    need[i], i >= 5 && i <= 9 ? " (here or at "
				    "the top of the file)" : "");
	}
	if (ru->kind == RULE_PUN && ru->alternative == NULL)
		return yl_err(l, n, "a PUN names the 'alternative' service "
		    "(its code in ref.alternative_services) so that the saving "
		    "can be priced");
	if (ru->kind == RULE_DEN && ru->alternative != NULL)
		return yl_err(l, n, "only a PUN names an 'alternative'");
	if (strcmp(ru->next_review, ru->reviewed) <= 0)
		return yl_err(l, n, "next_review (%s) must come after "
		    "reviewed (%s)", ru->next_review, ru->reviewed);
	if ((ru->when = cond_compile(l, when, lx, 0)) == NULL)
		return -1;
	return examples(l, ex, ru);
}

static int
load_file(struct loading *ld, const char *path, char *err, size_t errlen)
{
	static const char *const keys[] = {"rules", "theme", "author",
	    "checked_by", "reviewed", "next_review", NULL};
	struct rule_set *rs = ld->rs;
	struct defaults df;
	struct yload l;
	yaml_node_t *root, *list = NULL;
	size_t i;
	int rc = -1;

	if (yl_open(&l, path, RULE_FILE_MAX, rs->arena, err, errlen) < 0)
		return -1;
	l.file = arena_strdup(rs->arena, path);
	memset(&df, 0, sizeof(df));
	if ((root = yl_root(&l)) == NULL) {
		yl_err(&l, NULL, "the file is empty: a rule file holds "
		    "'rules:', a list of rules");
		goto out;
	}
	if (yl_check_map(&l, root, "a rule file", keys) < 0)
		goto out;
	for (i = 0; i < yl_map_n(root); i++) {
		const char *key;
		yaml_node_t *v = yl_map_at(&l, root, i, &key);
		int r = 0;

		if (v == NULL)
			goto out;
		if (strcmp(key, "rules") == 0)
			list = v;
		else if (strcmp(key, "reviewed") == 0)
			r = yl_date(&l, v, key, df.reviewed);
		else if (strcmp(key, "next_review") == 0)
			r = yl_date(&l, v, key, df.next_review);
		else if ((key[0] == 't' ? (df.theme = text(&l, v, key, 300)) :
		    key[0] == 'a' ? (df.author = text(&l, v, key, 300)) :
		    (df.checked_by = text(&l, v, key, 300))) == NULL)
			r = -1;
		if (r < 0)
			goto out;
	}
	if (list == NULL || list->type != YAML_SEQUENCE_NODE ||
	    yl_seq_n(list) == 0) {
		yl_err(&l, list ? list : root, "'rules' must be a non-empty "
		    "list of rules");
		goto out;
	}
	for (i = 0; i < yl_seq_n(list); i++) {
		yaml_node_t *it = yl_seq_at(&l, list, i);

		if (it == NULL)
			goto out;
		if (rs->n == RULES_MAX) {
			yl_err(&l, it, "more than %d rules", RULES_MAX);
			goto out;
		}
		if (rs->n == ld->cap) {
			ld->cap = ld->cap ? ld->cap * 2 : 32;
			rs->v = xreallocarray(rs->v, ld->cap, sizeof(*rs->v));
		}
		if (rule(&l, it, &df, rs->lex, &rs->v[rs->n]) < 0)
			goto out;
		rs->n++;
	}
	rc = 0;
out:
	yl_close(&l);
	return rc;
}

static struct rule_set *
set_new(void)
{
	struct rule_set *rs = xcalloc(1, sizeof(*rs));

	rs->arena = arena_new(0);
	rs->lex = lex_new();
	rs->missing = arena_zalloc(rs->arena, sizeof(*rs->missing));
	cond_missing_terms(rs->lex, rs->missing);
	atomic_init(&rs->refs, 1);
	return rs;
}

struct rule_set *
rule_set_empty(void)
{
	struct rule_set *rs = set_new();

	lex_finish(rs->lex);
	return rs;
}

struct rule_set *
rule_set_load_files(const char *const *files, size_t n, char *err,
    size_t errlen)
{
	struct loading ld = {set_new(), 0};
	struct rule_set *rs = ld.rs;
	size_t i, j;

	for (i = 0; i < n; i++)
		if (load_file(&ld, files[i], err, errlen) < 0)
			goto fail;
	rs->nfiles = n;
	for (i = 1; i < rs->n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(rs->v[i].id, rs->v[j].id) == 0) {
				snprintf(err, errlen, "%s:%d: rule %s is also "
				    "defined at %s:%d: rule ids must be unique "
				    "(give a changed rule a new version "
				    "instead)", rs->v[i].file, rs->v[i].line,
				    rs->v[i].id, rs->v[j].file, rs->v[j].line);
				goto fail;
			}
	lex_finish(rs->lex);
	return rs;
fail:
	rule_set_release(rs);
	return NULL;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct rule_set *
rule_set_load(const char *dir, int missing_ok, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct rule_set *rs;

	if (d == NULL) {
		if (errno == ENOENT && missing_ok) {
			rs = rule_set_empty();
			rs->dir = xstrdup(dir);
			return rs;
		}
		snprintf(err, errlen, "could not open rules directory \"%s\": "
		    "%s", dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || !((len > 5 && strcmp(de->d_name +
		    len - 5, ".yaml") == 0) || (len > 4 &&
		    strcmp(de->d_name + len - 4, ".yml") == 0)))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = xasprintf("%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	rs = rule_set_load_files((const char *const *)names, n, err, errlen);
	if (rs != NULL)
		rs->dir = xstrdup(dir);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rs;
}

struct rule_set *
rule_set_retain(struct rule_set *rs)
{
	atomic_fetch_add(&rs->refs, 1);
	return rs;
}

void
rule_set_release(struct rule_set *rs)
{
	if (rs == NULL || atomic_fetch_sub(&rs->refs, 1) != 1)
		return;
	lex_free(rs->lex);
	arena_free(rs->arena);
	free(rs->v);
	free(rs->dir);
	free(rs);
}

const struct rule *
rule_set_find(const struct rule_set *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].id, id) == 0)
			return &rs->v[i];
	return NULL;
}
