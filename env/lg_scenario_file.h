/* Scenario files, for users of the library: load a world from a JSON file or
 * string (strictly: docs/scenarios.md is the reference for every key) and
 * dump a world as the canonical file. An "experiment" section belongs to the
 * experiment layer and is accepted here unread.
 *
 * On error the outputs are left untouched. Nothing here prints or exits. */
#ifndef LG_SCENARIO_FILE_H
#define LG_SCENARIO_FILE_H

#include <stddef.h>

#include "lg_scenario.h"

#pragma GCC visibility push(default)

#define LG_SCENARIO_MAX_FILE_BYTES (4 * 1024 * 1024) /* larger files are refused unread */

/* World-only loading: start from lg_scenario_default(), apply the file, run
 * lg_scenario_check(). Returns 0, or -1 with a message in err (prefixed with
 * the path, or source_name: NULL gives "(string)"). text need not be
 * NUL-terminated. */
int lg_scenario_load_file(const char *path, lg_scenario *sc, char *err, size_t errsz);
int lg_scenario_load_string(const char *text, size_t len, const char *source_name, lg_scenario *sc, char *err,
                            size_t errsz);

/* The fully resolved scenario as a pretty-printed document that loads back to
 * an identical struct. malloc'd (caller frees), NULL when out of memory. */
char *lg_scenario_to_json(const lg_scenario *sc);

/* For code that cannot see the struct (bindings): a scenario in memory of
 * its own, loaded from text as lg_scenario_load_string does, or the default
 * world when text is NULL. NULL with a message on error. Free it with
 * lg_scenario_free. */
lg_scenario *lg_scenario_new(const char *text, size_t len, const char *source_name, char *err, size_t errsz);
void lg_scenario_free(lg_scenario *sc);

#pragma GCC visibility pop

#endif
