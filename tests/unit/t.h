/*
 * t.h - the unit tests' whole framework: checks that report the file,
 * line and both values, and an exit status for ctest.
 */
#ifndef PARS_T_H
#define PARS_T_H

#include <stdio.h>
#include <string.h>

static int t_failures, t_checks;

#define CHECK(cond)                                                          \
	do {                                                                 \
		t_checks++;                                                  \
		if (!(cond)) {                                               \
			t_failures++;                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
			    __FILE__, __LINE__, #cond);                      \
		}                                                            \
	} while (0)

/* Compares strings; NULL equals only NULL. */
#define CHECK_STR(got, want)                                                 \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		t_checks++;                                                  \
		if ((g_ == NULL) != (w_ == NULL) ||                          \
		    (g_ != NULL && strcmp(g_, w_) != 0)) {                   \
			t_failures++;                                        \
			fprintf(stderr, "%s:%d: %s is \"%s\", want \"%s\"\n",\
			    __FILE__, __LINE__, #got, g_ ? g_ : "(null)",    \
			    w_ ? w_ : "(null)");                             \
		}                                                            \
	} while (0)

#define CHECK_INT(got, want)                                                 \
	do {                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);     \
		t_checks++;                                                  \
		if (g_ != w_) {                                              \
			t_failures++;                                        \
			fprintf(stderr, "%s:%d: %s is %lld, want %lld\n",    \
			    __FILE__, __LINE__, #got, g_, w_);               \
		}                                                            \
	} while (0)

/* Checks that haystack contains needle. */
#define CHECK_HAS(haystack, needle)                                          \
	do {                                                                 \
		const char *h_ = (haystack), *n_ = (needle);                 \
		t_checks++;                                                  \
		if (h_ == NULL || strstr(h_, n_) == NULL) {                  \
			t_failures++;                                        \
			fprintf(stderr, "%s:%d: %s is \"%s\", which does "   \
			    "not contain \"%s\"\n", __FILE__, __LINE__,       \
			    #haystack, h_ ? h_ : "(null)", n_);              \
		}                                                            \
	} while (0)

static inline int
t_done(const char *name)
{
	if (t_checks == 0) {
		fprintf(stderr, "%s: no checks ran\n", name);
		return 1;
	}
	fprintf(stderr, "%s: %d checks, %d failed\n", name, t_checks,
	    t_failures);
	return t_failures ? 1 : 0;
}

#endif
