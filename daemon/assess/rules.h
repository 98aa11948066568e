/*
 * rules.h - the assessment rules (DESIGN.md, "Assessment";
 * docs/readme-rules.md has the file format).
 *
 * A rule set is every *.yaml file of a directory, compiled once: the
 * rules, their conditions and one lexicon of every word they look for.
 * It is immutable once loaded and shared by reference count, so a reload
 * can swap in a new set while workers finish with the old one.
 */
#ifndef PARS_RULES_H
#define PARS_RULES_H

#include <stdatomic.h>
#include <stddef.h>

#include "referral.h"

struct arena;
struct cond;
struct lexicon;
struct missing_terms;

enum rule_kind { RULE_PUN = 1, RULE_DEN };

/* A referral in a rule's examples, with what the rule must do with it. */
struct rule_example {
	int line;
	int must_fire;
	struct referral r;     /* in the set's arena */
	const char *tfc;       /* coded TFC, or NULL */
	long long price_pence; /* first attendance, or -1 */
};

struct rule {
	const char *id;
	int version;
	enum rule_kind kind;
	const char *title, *source, *author, *checked_by;
	char reviewed[11], next_review[11]; /* YYYY-MM-DD */
	const char *theme, *message;
	const char *alternative; /* PUN: code in ref.alternative_services */
	const char *file;
	int line;
	struct cond *when;
	struct rule_example *examples;
	size_t nexamples;
};

struct rule_set {
	struct rule *v;
	size_t n;
	size_t nfiles;
	char *dir;
	struct lexicon *lex;
	struct missing_terms *missing; /* the built-in checks' words */
	struct arena *arena; /* everything above lives here */
	atomic_int refs;
};

/*
 * Loads every *.yaml and *.yml file of dir (in name order).  All or
 * nothing: returns a set holding one reference (release it with
 * rule_set_release), or NULL with err set to "FILE:LINE: what is wrong".
 * A directory that does not exist gives an empty set when missing_ok.
 */
struct rule_set *rule_set_load(const char *dir, int missing_ok, char *err,
    size_t errlen);
/* The same for a list of files. */
struct rule_set *rule_set_load_files(const char *const *files, size_t n,
    char *err, size_t errlen);
/* A set without rules (one reference). */
struct rule_set *rule_set_empty(void);
/* Takes one more reference; returns rs. */
struct rule_set *rule_set_retain(struct rule_set *rs);
/* Drops a reference, freeing the set with the last; NULL does nothing. */
void rule_set_release(struct rule_set *rs);
/* The rule called id, or NULL. */
const struct rule *rule_set_find(const struct rule_set *rs, const char *id);

const char *rule_kind_name(enum rule_kind k);

#endif
