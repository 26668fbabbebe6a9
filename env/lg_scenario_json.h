/* Scenario files, the world's part, as pieces for loaders that read more
 * sections of the same document (the whole-file functions are in
 * lg_scenario_file.h). The strict JSON reading itself and its message forms
 * are env/base/lg_json.h.
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
#include "lg_scenario_file.h" /* loading and dumping whole files */

/* The pieces, for loaders that read more sections of the same document:
 * parse (stages 1-5 of lg_json.h, with the scenario size limit; c is
 * initialised), read the world keys into sc (no range checks), check
 * (lg_scenario_check, its message prefixed with the source). */
cJSON *lg_scenario_parse_file(lg_jctx *c, const char *path, char *err, size_t errsz);
cJSON *lg_scenario_parse_string(lg_jctx *c, const char *text, size_t len, const char *source_name, char *err,
                                size_t errsz);
int lg_scenario_read(lg_jctx *c, const cJSON *root, lg_scenario *sc);
int lg_scenario_check_json(lg_jctx *c, const lg_scenario *sc);

/* The tree form of lg_scenario_to_json, for writers that append sections
 * (cJSON_Delete it); NULL when out of memory. */
cJSON *lg_scenario_to_tree(const lg_scenario *sc);

#endif
