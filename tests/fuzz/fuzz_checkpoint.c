/* Runner checkpoints (runs/LABEL/seed-S.ckpt, read by --resume): whatever
 * loads into agent, env and timeline must train on without undefined
 * behaviour; whatever is refused must leave all three as they were (checked
 * here, byte for byte, against the states they started from). */
#include "fuzz_common.h"
#include "lga_agent.h"
#include "lgx_results.h"

static lgx_run_config cfg;
static lg_scenario *sc;
static lg_env *env, *world;
static lga_agent *agent;
static char *pristine;
static size_t pristine_n;
static char *agent0, *env0, *env1; /* the agent and world every input starts from, saved */
static size_t agent0_n, env_n;
static lgx_timeline tl, tl0;
static lgx_loop loop;
static int n_points;
static volatile sig_atomic_t no_stop;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char err[1024], path[1024];
    sc = fuzz_world(LG_KIND_LIVE);
    cfg.sc = sc;
    lgx_experiment_default(&cfg.ex);
    if (lgx_select_agents(&cfg.ex, "epsilon-greedy", 1, &cfg.ex, err, sizeof err)) fuzz_die("agents", err);
    cfg.ex.seeds = 1, cfg.ex.slots = 4, cfg.ex.train_steps = 64, cfg.ex.eval_every = 16;
    cfg.out_dir = fuzz_dir(), cfg.command = "fuzz", cfg.stop = &no_stop;
    if (lgx_results_prepare(&cfg, err, sizeof err)) fuzz_die("prepare", err);
    n_points = lgx_run_points(&cfg.ex);
    env = fuzz_env(sc, 4), world = fuzz_env(sc, 4);
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    if (!(agent = lga_create("epsilon-greedy", "{}", &shape, 1, err, sizeof err))) fuzz_die("agent", err);
    double minutes = lgx_trained_minutes(&cfg.ex, sc);
    if (lgx_loop_init(&loop, world) || lgx_loop_enable_relevance(&loop, world) ||
        lgx_timeline_init(&tl, world, minutes) || lgx_timeline_init(&tl0, world, minutes))
        fuzz_die("loop", "out of memory");
    loop.timeline = &tl;
    lgx_eval_point pts[16] = {{0}};
    for (int p = 0; p < 3; p++) { /* checkpoints after points 0, 1, 2; the seed is the last */
        lgx_train(&loop, agent, world, 16, NULL);
        pts[p].step = 16L * p, pts[p].minute = 20.0 * p;
        if (lgx_results_write_checkpoint(&cfg, 0, 1, p, 16L * p, 1.0, pts, agent, world, &tl, err, sizeof err))
            fuzz_die("checkpoint", err);
    }
    for (int p = 0; p < n_points; p++) { /* an agent file for every point an input may name */
        snprintf(path, sizeof path, "%s/runs/epsilon-greedy/seed-1.p%d.agent", cfg.out_dir, p);
        if (lga_save(agent, path, err, sizeof err)) fuzz_die("agent file", err);
    }
    snprintf(path, sizeof path, "%s/runs/epsilon-greedy/seed-1.ckpt", cfg.out_dir);
    size_t n;
    char *ck = fuzz_read(path, &n);
    fuzz_seed("checkpoint", 0, ck, n);
    free(ck);
    snprintf(path, sizeof path, "%s/runs/epsilon-greedy/seed-1.p0.agent", cfg.out_dir);
    pristine = fuzz_read(path, &pristine_n); /* the agent every input starts from */
    memcpy(tl0.block, tl.block, tl.bytes);
    if (lga_load_bytes(agent, pristine, pristine_n, "pristine", err, sizeof err) ||
        lga_save_bytes(agent, &agent0, &agent0_n, err, sizeof err))
        fuzz_die("agent bytes", err);
    env_n = lg_env_state_size(world);
    env0 = malloc(env_n), env1 = malloc(env_n);
    if (!env0 || !env1 || lg_env_state_save(world, env0, env_n) != env_n) fuzz_die("env bytes", "out of memory");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[4400], path[1024];
    if (lga_load_bytes(agent, pristine, pristine_n, "pristine", err, sizeof err)) fuzz_die("reload", err);
    if (lg_env_copy_state(env, world, err, sizeof err)) fuzz_die("copy", err);
    memcpy(tl.block, tl0.block, tl.bytes);
    snprintf(path, sizeof path, "%s/runs/epsilon-greedy/seed-1.ckpt", cfg.out_dir);
    fuzz_write(path, size ? data + 1 : data, size ? size - 1 : 0);
    int point;
    long trained;
    double train_time;
    lgx_eval_point pts[16];
    int rc = lgx_results_read_checkpoint(&cfg, 0, 1, &point, &trained, &train_time, pts, n_points, agent, env, &tl,
                                         err, sizeof err);
    if (rc != 0) {
        if (memcmp(tl.block, tl0.block, tl.bytes)) fuzz_die("refused checkpoint", "the timeline changed");
        char *now;
        size_t now_n;
        if (lga_save_bytes(agent, &now, &now_n, err, sizeof err)) fuzz_die("save", err);
        if (now_n != agent0_n || memcmp(now, agent0, now_n)) fuzz_die("refused checkpoint", "the agent changed");
        free(now);
        if (lg_env_state_save(env, env1, env_n) != env_n || memcmp(env0, env1, env_n))
            fuzz_die("refused checkpoint", "the env changed");
        return 0;
    }
    loop.timeline = &tl;
    lgx_train(&loop, agent, env, 8, NULL);
    return 0;
}
