/*
 * readfile.h - reading a whole file into memory, with a size cap.
 */
#ifndef PARS_READFILE_H
#define PARS_READFILE_H

#include <stddef.h>

/*
 * Reads the regular file path, at most max bytes, NUL-terminated.
 * Returns a malloc'ed buffer (caller frees) with *len set, or NULL with
 * err set: the file could not be opened or read, is not a regular file,
 * or is over max.
 */
unsigned char *file_read(const char *path, size_t max, size_t *len,
    char *err, size_t errlen);

#endif
