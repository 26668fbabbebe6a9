/* Scenario files, the world's part: reading a JSON document into an
 * lg_scenario (strictly: docs/scenarios.md is the reference for every key)
 * and the canonical dump. The strict JSON reading itself and its message
 * forms are env/base/lg_json.h.
 *
 * A file may also hold an "experiment" section: it belongs to the
 * experiment layer (tools/lab/lgx_experiment.h: lgx_load_file reads a whole
 * file, world and experiment). The functions here accept the key and leave
 * it unread.
 *
 * On error the outputs are left untouched. Nothing here prints or exits. */
#ifndef LG_SCENARIO_JSON_H
#define LG_SCENARIO_JSON_H

#include <stddef.h>

#include "lg_json.h"
#include "lg_scenario.h"

#define LG_SCENARIO_MAX_FILE_BYTES (4 * 1024 * 1024) /* larger files are refused unread */

/* World-only loading: start from lg_scenario_default(), apply the file, run
 * lg_scenario_check(). Returns 0, or -1 with a message in err (prefixed with
 * the path, or source_name: NULL gives "(string)"). text need not be
 * NUL-terminated. */
int lg_scenario_load_file(const char *path, lg_scenario *sc, char *err, size_t errsz);
int lg_scenario_load_string(const char *text, size_t len, const char *source_name, lg_scenario *sc, char *err,
                            size_t errsz);

/* The pieces, for loaders that read more sections of the same document:
 * parse (stages 1-5 of lg_json.h, with the scenario size limit; c is
 * initialised), read the world keys into sc (no range checks), check
 * (lg_scenario_check, its message prefixed with the source). */
cJSON *lg_scenario_parse_file(lg_jctx *c, const char *path, char *err, size_t errsz);
cJSON *lg_scenario_parse_string(lg_jctx *c, const char *text, size_t len, const char *source_name, char *err,
                                size_t errsz);
int lg_scenario_read(lg_jctx *c, const cJSON *root, lg_scenario *sc);
int lg_scenario_check_json(lg_jctx *c, const lg_scenario *sc);

/* The fully resolved scenario as a pretty-printed document that loads back to
 * an identical struct. malloc'd (caller frees), NULL when out of memory. The
 * tree form is for writers that append sections (cJSON_Delete it). */
char *lg_scenario_to_json(const lg_scenario *sc);
cJSON *lg_scenario_to_tree(const lg_scenario *sc);

#endif
