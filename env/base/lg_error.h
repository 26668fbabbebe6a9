/* Errors are values: a function that fails writes one line into the
 * caller's buffer (which may be NULL) and returns -1. */
#ifndef LG_ERROR_H
#define LG_ERROR_H

#include <stddef.h>

int lg_fail(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
