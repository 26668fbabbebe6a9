/* Inside the scenario file format: what the reader (scenario_read.c) and
 * the dumper (scenario_dump.c) share. */
#ifndef LG_SCENARIO_SCHEMA_H
#define LG_SCENARIO_SCHEMA_H

#include "lg_json.h"
#include "lg_scenario.h"

/* Keys each event type allows; the first `required` after time and type are required. */
typedef struct {
    const char *keys[6];
    int n_required; /* keys[2 .. 2 + n_required) are required */
} lg_event_keys;
extern const lg_event_keys lg_event_key_table[LG_EV_COUNT];

/* The names references resolve against. */
static inline lg_jnames channel_names(const lg_scenario *sc)
{
    lg_jnames nl = {sc->channels_generated ? NULL : sc->channels[0].name, sizeof sc->channels[0], LG_NAME_LEN,
                    sc->n_channels, "channel", "ch"};
    return nl;
}
static inline lg_jnames category_names(const lg_scenario *sc)
{
    lg_jnames nl = {sc->category_names[0], sizeof sc->category_names[0], LG_NAME_LEN, sc->n_categories, "category",
                    NULL};
    return nl;
}
static inline lg_jnames segment_names(const lg_scenario *sc)
{
    lg_jnames nl = {sc->segments[0].name, sizeof sc->segments[0], LG_NAME_LEN, sc->n_segments, "segment", NULL};
    return nl;
}

#endif
