/*
 * fuzz_parser.c - one fuzz target per parser, chosen at compile time with
 * -DFUZZ_PARSER=parser_xxx (or parse_document itself when unset, which
 * exercises detection too).  With libFuzzer (-DPARS_FUZZ=ON, clang) this
 * is the target; without it, replay.c supplies a main that runs every
 * seed under ctest.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
		if (FUZZ_PARSER.probe(data, size) >= 0)
			(void)FUZZ_PARSER.parse(a, data, size, &lim, &res);
	}
#else
	(void)parse_document(a, data, size, &lim, &res);
#endif
	arena_free(a);
	return 0;
}
