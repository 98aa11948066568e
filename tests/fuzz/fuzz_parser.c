/*
 * fuzz_parser.c - one fuzz target per parser, chosen at compile time with
 * -DFUZZ_PARSER=parser_xxx (or parse_document itself when unset, which
 * exercises detection too).  With libFuzzer (-DPARS_FUZZ=ON, clang) this
 * is the target; without it, replay.c supplies a main that runs every
 * seed under ctest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "parser.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_utf8(const char *s)
{
	if (s != NULL && !utf8_valid((const unsigned char *)s, strlen(s)))
		abort(); /* text that would reach the database broken */
}

static void
check_codes(const struct ref_codes *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		check_utf8(c->v[i].code);
		check_utf8(c->v[i].text);
	}
}

/* Every text field of every referral is valid UTF-8: after the finishing
 * pass always, and straight from a parser that says it is sure. */
static void
check_text(const struct parse_result *res)
{
	size_t i;

	for (i = 0; i < res->n; i++) {
		const struct referral *r = res->v[i];
		const char *const f[] = {r->source_id, r->nhs_number,
		    r->practice_ods, r->referrer_code, r->referrer_name,
		    r->tfc, r->ers_specialty, r->ers_clinic_type,
		    r->specialty_text, r->provider_ods, r->consultant_code,
		    r->reason_text, r->medication_text, r->results_text};
		size_t k;

		for (k = 0; k < sizeof(f) / sizeof(f[0]); k++)
			check_utf8(f[k]);
		check_codes(&r->diagnoses);
		check_codes(&r->procedures);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_limits lim;
	struct parse_result res;
	struct arena *a = arena_new(64u << 20);

	parse_limits_default(&lim);
	lim.max_bytes = 1u << 20;
#ifdef FUZZ_PARSER
	{
		extern const struct parser FUZZ_PARSER;

		memset(&res, 0, sizeof(res));
		if (FUZZ_PARSER.probe(data, size) >= 0 &&
		    FUZZ_PARSER.parse(a, data, size, &lim, &res) == 0 &&
		    res.utf8_sure)
			check_text(&res);
	}
#else
	if (parse_document(a, data, size, &lim, &res) == 0)
		check_text(&res);
#endif
	arena_free(a);
	return 0;
}
