/* A program outside the source tree, built against an installed livegym
 * (tests/python/test_install.py builds it with pkg-config and with CMake's
 * find_package): load a scenario file, let an epsilon-greedy agent act in
 * the world for 300 steps, print the version and what it earned. */
#include <stdio.h>
#include <stdlib.h>

#include <lg_env.h>
#include <lg_scenario_file.h>
#include <lga_agent.h>

int main(int argc, char **argv)
{
    char err[512];
    lg_scenario *sc = malloc(sizeof *sc);
    if (!sc || argc < 2 || lg_scenario_load_file(argv[1], sc, err, sizeof err)) {
        fprintf(stderr, "consumer: %s\n", argc < 2 ? "usage: consumer SCENARIO" : err);
        return 1;
    }
    lg_env *env;
    if (lg_env_create(sc, 4, 7, LG_LAYOUT_FLAT, &env, err, sizeof err)) {
        fprintf(stderr, "consumer: %s\n", err);
        return 1;
    }
    lga_obs_batch batch;
    lga_batch_from_env(env, &batch);
    lga_agent *agent = lga_create("epsilon-greedy", "{}", &batch, 1, err, sizeof err);
    if (!agent) {
        fprintf(stderr, "consumer: %s\n", err);
        return 1;
    }
    const lg_buffers *b = lg_env_buffers(env);
    int32_t actions[4 * 8];
    double total = 0;
    for (int t = 0; t < 300; t++) {
        lga_batch_from_env(env, &batch);
        agent->type->act(agent, &batch, 0, actions);
        lg_env_step(env, actions);
        for (int i = 0; i < b->n_slots; i++) total += b->reward[i];
    }
    printf("livegym %s: %d channels, %d slots, 300 steps, reward %.6f\n", lg_version(), b->n_actions, b->n_slots,
           total);
    lga_free(agent);
    lg_env_free(env);
    free(sc);
    return 0;
}
