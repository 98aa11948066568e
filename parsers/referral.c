/*
 * referral.c - building canonical referrals (see referral.h).
 */
#include "referral.h"

#include <stdarg.h>

#include "arena.h"

void
ref_codes_put(struct arena *a, struct ref_codes *c, enum code_system sys,
    const char *code, const char *text)
{
	struct ref_code *rc;

	if (code == NULL || *code == '\0')
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4;

		c->v = arena_grow(a, c->v, c->n * sizeof(*c->v),
		    cap * sizeof(*c->v));
		c->cap = cap;
	}
	rc = &c->v[c->n++];
	rc->system = sys;
	rc->code = code;
	rc->text = text != NULL && *text != '\0' ? text : NULL;
}

void
ref_codes_add(struct arena *a, struct ref_codes *c, enum code_system sys,
    const char *code, const char *text)
{
	if (code != NULL && *code != '\0')
		ref_codes_put(a, c, sys, arena_strdup(a, code),
		    text != NULL && *text != '\0' ? arena_strdup(a, text) :
		    NULL);
}

void
str_list_add(struct arena *a, struct str_list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;

		l->v = arena_grow(a, l->v, l->n * sizeof(*l->v),
		    cap * sizeof(*l->v));
		l->cap = cap;
	}
	l->v[l->n++] = arena_strdup(a, s);
}

void
referral_warn(struct arena *a, struct referral *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = arena_vprintf(a, fmt, ap);
	va_end(ap);
	str_list_add(a, &r->warnings, s);
}

const char *
ref_status_name(enum ref_status s)
{
	return s == REF_CANCELLED ? "cancelled" : "active";
}

const char *
ref_priority_name(enum ref_priority p)
{
	switch (p) {
	case REF_PRIO_ROUTINE:
		return "routine";
	case REF_PRIO_URGENT:
		return "urgent";
	case REF_PRIO_TWO_WEEK_WAIT:
		return "two_week_wait";
	default:
		return NULL;
	}
}

const char *
ref_sex_name(enum ref_sex s)
{
	switch (s) {
	case REF_SEX_FEMALE:
		return "female";
	case REF_SEX_MALE:
		return "male";
	case REF_SEX_OTHER:
		return "other";
	default:
		return "unknown";
	}
}

const char *
code_system_name(enum code_system s)
{
	switch (s) {
	case CS_ICD10:
		return "icd10";
	case CS_SNOMED:
		return "snomed";
	case CS_OPCS4:
		return "opcs4";
	default:
		return "other";
	}
}
