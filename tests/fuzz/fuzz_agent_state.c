/* Agent state files (lga_load_bytes), for every agent of the registry (the
 * first byte picks one): whatever loads must act, greedily and not, learn
 * from a few steps and save without undefined behaviour; whatever is
 * refused must leave the agent as it was, byte for byte. Every input starts
 * from the same trained agent and world. */
#include "fuzz_common.h"
#include "lga_agent.h"
#include "lga_policy.h"
#include "lgx_loop.h"

#define MAX 32

static int n_agents;
static lga_agent *agent[MAX];
static char *pristine[MAX];
static size_t pristine_n[MAX];
static char *pristine_saved[MAX]; /* each agent saved again after loading its pristine state */
static size_t pristine_saved_n[MAX];
static lg_env *env, *world;
static lgx_loop loop;

/* Small enough to run fast, with a replay that fills (DQN, SlateQ). */
static const char *params_of(const char *name)
{
    if (!strcmp(name, "dqn"))
        return "{\"buffer_size\": 16, \"batch_size\": 4, \"learning_starts\": 4, \"hidden\": [8], "
               "\"target_update\": 16, \"n_step\": 2}";
    if (!strcmp(name, "slateq"))
        return "{\"buffer_size\": 16, \"batch_size\": 4, \"learning_starts\": 4, \"hidden\": [8], "
               "\"choice_hidden\": [4], \"target_update\": 16, \"choice\": \"cascade\"}";
    return "{}";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    lg_scenario *sc = fuzz_world(LG_KIND_LIVE);
    env = fuzz_env(sc, 4), world = fuzz_env(sc, 4);
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    if (lgx_loop_init(&loop, env)) fuzz_die("loop", "out of memory");
    char err[512], path[512];
    n_agents = lga_count() < MAX ? lga_count() : MAX;
    for (int k = 0; k < n_agents; k++) {
        const char *name = lga_at(k)->name;
        const char *params = params_of(name);
        char kept[700];
        if (!strcmp(name, "saved")) { /* plays the first agent kept (random's state) */
            snprintf(path, sizeof path, "%s/kept.policy", fuzz_dir());
            const char *manifest = "{\"agent\": \"random\", \"label\": \"r\", \"params\": \"{}\", \"seed\": 1, "
                                   "\"trained_steps\": 96, \"scenario\": \"{}\"}";
            if (strcmp(lga_at(0)->name, "random") || lga_policy_write(path, manifest, agent[0], NULL, 0, err, sizeof err))
                fuzz_die("saved", err);
            snprintf(kept, sizeof kept, "{\"file\": \"%s\"}", path);
            params = kept;
        }
        if (!(agent[k] = lga_create(name, params, &shape, 7, err, sizeof err))) fuzz_die(name, err);
        lgx_train(&loop, agent[k], world, 96, NULL);
        snprintf(path, sizeof path, "%s/%s.agent", fuzz_dir(), name);
        if (lga_save(agent[k], path, err, sizeof err)) fuzz_die(name, err);
        pristine[k] = fuzz_read(path, &pristine_n[k]);
        fuzz_seed(name, (uint8_t)k, pristine[k], pristine_n[k]);
        if (lga_load_bytes(agent[k], pristine[k], pristine_n[k], "pristine", err, sizeof err) ||
            lga_save_bytes(agent[k], &pristine_saved[k], &pristine_saved_n[k], err, sizeof err))
            fuzz_die(name, err);
    }
    free(sc);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int k = data[0] % n_agents;
    char err[512];
    if (lga_load_bytes(agent[k], pristine[k], pristine_n[k], "pristine", err, sizeof err)) fuzz_die("reload", err);
    if (lg_env_copy_state(env, world, err, sizeof err)) fuzz_die("copy", err);
    if (lga_load_bytes(agent[k], data + 1, size - 1, "input", err, sizeof err)) {
        /* refused: the agent is as it was */
        char *now;
        size_t n;
        if (lga_save_bytes(agent[k], &now, &n, err, sizeof err)) fuzz_die("save", err);
        if (n != pristine_saved_n[k] || memcmp(now, pristine_saved[k], n)) fuzz_die("refused state", "the agent changed");
        free(now);
        return 0;
    }
    lgx_train(&loop, agent[k], env, 6, NULL); /* act, step, learn (DQN: its replay fills) */
    lga_obs_batch live;
    lga_batch_from_env(env, &live);
    agent[k]->type->act(agent[k], &live, 1, loop.actions);
    char *out;
    size_t n;
    if (lga_save_bytes(agent[k], &out, &n, err, sizeof err)) fuzz_die("save", err);
    free(out);
    return 0;
}
