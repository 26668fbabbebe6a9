/* Env state bytes (lg_env_state_load), for the live world, the live world
 * with a candidate stage (its platform moving every 7 steps, so that the
 * state's ranked lists are read: saved, loaded and stepped between ticks),
 * the two classic envs and the live world with
 * retention (idle slots, return times; the first byte picks one): whatever loads must step, answer
 * ground-truth and channel queries, and save back without undefined
 * behaviour. Every input starts from the same saved world. */
#include "fuzz_common.h"

#define N_WORLDS 5
static lg_env *env[N_WORLDS], *pristine[N_WORLDS];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    static const lg_env_kind kinds[N_WORLDS] = {LG_KIND_LIVE, LG_KIND_BANDIT, LG_KIND_CLIFF, LG_KIND_LIVE,
                                                LG_KIND_LIVE};
    static const char *const names[N_WORLDS] = {"live", "bandit", "cliff", "live-candidates", "live-retention"};
    for (int k = 0; k < N_WORLDS; k++) {
        lg_scenario *sc = fuzz_world(kinds[k]);
        if (k == 3) sc->candidates = 5, sc->platform_tick = 7;
        if (k == 4) /* few viewers, short gaps: idle slots and returns within the 120 steps */
            sc->retention.enabled = 1, sc->retention.gap_hours = 2.0f, sc->n_viewers = 8;
        env[k] = fuzz_env(sc, 4), pristine[k] = fuzz_env(sc, 4);
        fuzz_steps(pristine[k], 120);
        size_t n = lg_env_state_size(pristine[k]);
        void *buf = malloc(n);
        lg_env_state_save(pristine[k], buf, n);
        fuzz_seed(names[k], (uint8_t)k, buf, n);
        free(buf), free(sc);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int k = data[0] % N_WORLDS;
    char err[512];
    if (lg_env_copy_state(env[k], pristine[k], err, sizeof err)) fuzz_die("copy", err);
    if (lg_env_state_load(env[k], data + 1, size - 1, err, sizeof err)) return 0;
    const lg_buffers *b = lg_env_buffers(env[k]);
    float *er = malloc(sizeof(float) * (size_t)b->n_actions);
    for (int i = 0; i < b->n_slots; i++) lg_env_expected_reward(env[k], i, er);
    lg_channel_state cs;
    for (int c = 0; c < b->n_channels; c++) lg_env_channel(env[k], c, &cs);
    fuzz_steps(env[k], 3);
    size_t n = lg_env_state_size(env[k]);
    void *buf = malloc(n);
    lg_env_state_save(env[k], buf, n);
    free(buf), free(er);
    return 0;
}
