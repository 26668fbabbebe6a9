/* Reading a results folder as one run's (docs/results.md, "Whose files"):
 * its status.json names the run and the hash of every file a reader reads;
 * a file that is missing from the list or does not match it belongs to
 * another run, and the folder is a mixture. Readers (plot, compare) check
 * before they read. Nothing here prints or exits. */
#ifndef LGX_FOLDER_H
#define LGX_FOLDER_H

#include <stddef.h>

typedef struct {
    int complete;            /* status "complete" (else "partial") */
    int jobs_done, jobs_total;
    char run[17];            /* the run's id */
    int lock;                /* a shared lock on DIR/.lock while the reader reads (-1: none) */
} lgx_folder;

/* The hash a status.json lists for a file: FNV-1a 64 as 16 hex digits.
 * 0, or -1 with a message when the file cannot be read. */
int lgx_file_hash(const char *path, char hex[17], char *err, size_t errsz);

/* Check that the files[] (names inside dir, NULL-terminated) are this
 * folder's run's. A partial folder is refused unless allow_partial (then
 * out says so). Returns 0; 2 with one line in err (the folder or file,
 * what was expected, what was found). On success the folder is held with a
 * shared lock (no run can start in it) until lgx_folder_release. */
int lgx_folder_check(const char *dir, const char *const *files, int allow_partial, lgx_folder *out, char *err,
                     size_t errsz);
void lgx_folder_release(lgx_folder *f);

#endif
