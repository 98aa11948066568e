/*
 * fuzz_mime.c - the MIME parser's fuzz target: any bytes as a message,
 * then every leaf part through format detection as mail intake does.
 * Replayed over tests/fuzz/corpus/mime under ctest (replay.c), or linked
 * with libFuzzer when PARS_FUZZ is on.
 */
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "mime.h"
#include "parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_limits lim;
	struct mime_message m;
	struct mime_type t;
	struct arena *a = arena_new(256u << 20);
	size_t i;

	mime_limits_default(&lim);
	mime_entity_type(a, data, size, &t);
	if (mime_parse(a, data, size, &lim, &m) == 0)
		for (i = 0; i < m.nparts; i++)
			(void)parser_detect(m.parts[i].body, m.parts[i].len,
			    NULL, 0);
	arena_free(a);
	return 0;
}
