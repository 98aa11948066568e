/*
 * readfile.c - a whole file into memory (see readfile.h).
 */
#include "readfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xmalloc.h"

unsigned char *
file_read(const char *path, size_t max, size_t *len, char *err,
    size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	struct stat st;
	size_t n;

	if (fp == NULL) {
		snprintf(err, errlen, "could not open file \"%s\": %s", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "\"%s\" is not a regular file", path);
		fclose(fp);
		return NULL;
	}
	if ((size_t)st.st_size > max) {
		snprintf(err, errlen, "\"%s\" is %lld bytes, over the limit of "
		    "%zu", path, (long long)st.st_size, max);
		fclose(fp);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	n = fread(buf, 1, (size_t)st.st_size, fp);
	fclose(fp);
	if (n != (size_t)st.st_size) {
		snprintf(err, errlen, "could not read file \"%s\"", path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}
