/* Kept-agent files (lga_policy_parse, then what livegym eval does with
 * one): whatever parses must either make an agent for the fuzz world that
 * acts, or be refused with a message; a world part of the right size must
 * either load into an env that steps, or be refused leaving it as it was.
 * Seeds: a trained ucb1 and a random agent kept with their world. */
#include "fuzz_common.h"
#include "lga_agent.h"
#include "lga_policy.h"
#include "lgx_loop.h"

static lg_env *env, *pristine;
static lgx_loop loop;

static void seed_with(const char *name, uint8_t k)
{
    char err[512], path[600];
    lga_obs_batch shape;
    lga_batch_from_env(pristine, &shape);
    lga_agent *a = lga_create(name, "{}", &shape, 3, err, sizeof err);
    if (!a) fuzz_die(name, err);
    lgx_train(&loop, a, pristine, 64, NULL);
    size_t wn = lg_env_state_size(pristine);
    void *world = malloc(wn);
    lg_env_state_save(pristine, world, wn);
    char manifest[300];
    snprintf(manifest, sizeof manifest,
             "{\"agent\": \"%s\", \"label\": \"%s\", \"params\": \"{}\", \"seed\": 3, \"trained_steps\": 64, "
             "\"scenario\": \"{\\\"name\\\": \\\"fuzz\\\"}\", \"livegym\": \"%s\"}", name, name, LG_VERSION);
    snprintf(path, sizeof path, "%s/%s.policy", fuzz_dir(), name);
    if (lga_policy_write(path, manifest, a, world, wn, err, sizeof err)) fuzz_die(name, err);
    size_t n;
    char *bytes = fuzz_read(path, &n);
    fuzz_seed(name, k, bytes, n);
    free(bytes), free(world);
    lga_free(a);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    lg_scenario *sc = fuzz_world(LG_KIND_LIVE);
    env = fuzz_env(sc, 4), pristine = fuzz_env(sc, 4);
    if (lgx_loop_init(&loop, env)) fuzz_die("loop", "out of memory");
    seed_with("ucb1", 0);
    seed_with("random", 1);
    free(sc);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char err[1024];
    lga_policy p;
    if (lga_policy_parse(data + 1, size - 1, "fuzz", &p, err, sizeof err)) return 0;
    if (lg_env_copy_state(env, pristine, err, sizeof err)) fuzz_die("copy", err);
    if (p.world && p.world_len == lg_env_state_size(env) && lg_env_state_load(env, p.world, p.world_len, err, sizeof err) == 0)
        fuzz_steps(env, 2);
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    lga_agent *a = lga_policy_agent(&p, "fuzz", &shape, err, sizeof err);
    if (a) {
        lga_obs_batch b;
        lga_batch_from_env(env, &b);
        a->type->act(a, &b, 1, loop.actions);
        lga_free(a);
    }
    lga_policy_free(&p);
    return 0;
}
