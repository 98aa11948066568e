/*
 * tconfig.h - what the configuration tests share: writing YAML to the
 * test's file (path, a mkstemp template each test names) and loading it.
 */
#ifndef PARS_TCONFIG_H
#define PARS_TCONFIG_H

#include <stdio.h>

#include "config.h"
#include "t.h"

/* Loads yaml as the configuration file path; NULL with err set. */
static struct config *
load(const char *yaml, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "w");

	fputs(yaml, fp);
	fclose(fp);
	return config_load(path, err, errlen);
}

/* yaml must be refused with an error naming the file and saying want. */
static __attribute__((unused)) void
expect_error(const char *yaml, const char *want)
{
	char err[1024];
	struct config *c = load(yaml, err, sizeof(err));

	CHECK(c == NULL);
	if (c == NULL) {
		CHECK_HAS(err, path);
		CHECK_HAS(err, want);
	}
	config_free(c);
}

#endif
