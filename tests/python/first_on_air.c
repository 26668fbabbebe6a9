/* The C side of test_env.py's "same numbers" test: N slots of a scenario
 * file (or the default world), seed S, every slot recommends its first
 * on-air channel for T steps; prints the rewards' sum (in double, slot by
 * slot, step by step), the sessions that ended and the last observation's
 * sum. Usage: first_on_air SCENARIO|- N S T */
#include <stdio.h>
#include <stdlib.h>

#include <lg_env.h>
#include <lg_scenario_file.h>

int main(int argc, char **argv)
{
    char err[512];
    if (argc != 5) return 2;
    lg_scenario *sc = argv[1][0] == '-' ? lg_scenario_new(NULL, 0, NULL, err, sizeof err) : malloc(sizeof *sc);
    if (!sc || (argv[1][0] != '-' && lg_scenario_load_file(argv[1], sc, err, sizeof err))) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int n = atoi(argv[2]), steps = atoi(argv[4]);
    lg_env *env;
    if (lg_env_create(sc, n, strtoull(argv[3], NULL, 10), LG_LAYOUT_FLAT, &env, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    lg_env_reset(env, strtoull(argv[3], NULL, 10));
    const lg_buffers *b = lg_env_buffers(env);
    int32_t *act = calloc((size_t)n, sizeof *act);
    double total = 0, last = 0;
    long ended = 0;
    for (int t = 0; t < steps; t++) {
        for (int i = 0; i < n; i++) {
            int c = 0;
            while (c < b->n_actions - 1 && !b->mask[i * b->n_actions + c]) c++;
            act[i] = c;
        }
        lg_env_step(env, act);
        for (int i = 0; i < n; i++) total += b->reward[i], ended += b->terminated[i] | b->truncated[i];
    }
    for (int i = 0; i < n * b->obs_dim; i++) last += b->obs[i];
    printf("%.17g %ld %.17g\n", total, ended, last);
    free(act);
    lg_env_free(env);
    lg_scenario_free(sc);
    return 0;
}
