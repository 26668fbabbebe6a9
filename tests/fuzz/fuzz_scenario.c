/* Scenario files: any bytes through the world loader and through the
 * experiment layer's loader (world, experiment, claims, agents). Whatever
 * loads must dump to a file that loads again to the same dump (a dumped file
 * always validates); nothing may be undefined behaviour. */
#include "fuzz_common.h"
#include "lg_scenario_json.h"
#include "lgx_experiment.h"

static void same_dump(const char *a, const char *b, const char *what)
{
    if (strcmp(a, b)) {
        fprintf(stderr, "%s: the dump of a dump differs\n--- first\n%s\n--- second\n%s\n", what, a, b);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lg_scenario *sc = malloc(sizeof *sc), *back = malloc(sizeof *back);
    lgx_experiment *ex = malloc(sizeof *ex), *ex2 = malloc(sizeof *ex2);
    char err[2048];
    int world = lg_scenario_load_string((const char *)data, size, "input", sc, err, sizeof err) == 0;
    /* Worlds of many viewers take milliseconds to build (the agents are
     * created at load, in an env): the experiment layer's code is the same
     * for any size, so it is fuzzed on small worlds (the seeds have 300
     * viewers; a large catalogue only with a candidate stage, which keeps
     * the observation, and so the agents, small);
     * the world loader on all. The experiment layer's dump contains the
     * world's, so either property covers the world's dump. */
    if (world && sc->n_viewers <= 2000 && (sc->n_channels <= 4096 || sc->candidates > 0) &&
        lgx_load_string((const char *)data, size, "input", sc, ex, err, sizeof err) == 0) {
        char *d1 = lgx_scenario_to_json(sc, ex);
        if (!d1 || lgx_load_string(d1, strlen(d1), "dump", back, ex2, err, sizeof err)) {
            fprintf(stderr, "a dumped scenario does not load: %s\n", err);
            abort();
        }
        char *d2 = lgx_scenario_to_json(back, ex2);
        same_dump(d1, d2, "scenario");
        free(d1), free(d2);
    } else if (world) {
        char *d1 = lg_scenario_to_json(sc);
        if (!d1 || lg_scenario_load_string(d1, strlen(d1), "dump", back, err, sizeof err)) {
            fprintf(stderr, "a dumped world does not load: %s\n", err);
            abort();
        }
        char *d2 = lg_scenario_to_json(back);
        same_dump(d1, d2, "world");
        free(d1), free(d2);
    }
    free(sc), free(back), free(ex), free(ex2);
    return 0;
}
