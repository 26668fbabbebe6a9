/* Files: atomic writes (a reader sees the old file or the complete new one,
 * never a half-written one), bounded reads, directory creation. Every
 * function returns 0, or -1 with a message naming the path in err. */
#ifndef LG_FILE_H
#define LG_FILE_H

#include <stddef.h>
#include <stdio.h>

/* A file being written atomically: a uniquely named temporary file next to
 * `path` (PATH.tmp.XXXXXX, so two writers never share one), flushed to disk
 * and renamed over `path` by commit. abort (or a failed commit) removes it.
 * Both free the handle. */
typedef struct lg_afile lg_afile;
lg_afile *lg_afile_open(const char *path, char *err, size_t errsz);
FILE *lg_afile_stream(lg_afile *f);
int lg_afile_commit(lg_afile *f, char *err, size_t errsz);
void lg_afile_abort(lg_afile *f);

/* data[0..len) as the whole content of path, atomically. */
int lg_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errsz);

/* Read the whole file into a malloc'd buffer with a NUL after the last byte
 * (*len excludes it). A file of more than max bytes is refused after reading
 * max + 1 of them (pipes included). Returns 0; -1 when it cannot be opened
 * or read; -2 when it is larger than max. */
int lg_read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errsz);

/* The first max bytes of the file (all of it when shorter), NUL-terminated
 * as lg_read_file's. Returns 0, or -1 when it cannot be opened or read. */
int lg_read_head(const char *path, size_t max, char **out, size_t *len, char *err, size_t errsz);

/* mkdir -p: create dir and its missing parents. */
int lg_mkdir_p(const char *dir, char *err, size_t errsz);

#endif
