/* livegym bench env: simulator throughput under a uniform-random policy over
 * on-air channels, single thread, median of several timed repeats, with a
 * same-run reference (memcpy of one flat observation) to make the figures
 * comparable across machines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli_util.h"
#include "commands.h"
#include "lg_env.h"
#include "lg_rng.h"
#include "lga_agent.h"
#include "lgn.h"
#include "lgx_experiment.h"
#include "lgx_loop.h"
#include "bench.h"

typedef struct {
    int slots;
    lg_layout layout;
    double slot_steps_per_sec; /* median */
    double min, max;
} bench_result;

/* One timed repeat: run batches of steps until `seconds` have passed. */
static double time_env(lg_env *env, int32_t *actions, int32_t *on_list, lg_stream *rng, double seconds)
{
    const lg_buffers *b = lg_env_buffers(env);
    const int N = b->n_slots, C = b->n_actions, k = b->slate_size;
    long steps = 0;
    double t0 = lg_now(), t;
    do {
        for (int rep = 0; rep < 64; rep++) {
            /* The mask is the same for every slot: list the on-air channels once
             * (with a candidate stage, slot 0's valid positions, used by all). */
            int n_on = 0;
            for (int c = 0; c < C; c++)
                if (b->mask[c]) on_list[n_on++] = c;
            for (int i = 0; i < N * k; i++)
                actions[i] = n_on ? on_list[lg_stream_below(rng, (uint32_t)n_on)] : 0;
            lg_env_step(env, actions);
        }
        steps += 64;
        t = lg_now();
    } while (t - t0 < seconds);
    return (double)steps * N / (t - t0);
}

static int bench_one(const lg_scenario *sc, int slots, lg_layout layout, int repeats, double seconds,
                     bench_result *out)
{
    char err[512];
    lg_env *env;
    if (lg_env_create(sc, slots, 1, layout, &env, err, sizeof err) != 0) {
        fprintf(stderr, "livegym bench: %s\n", err);
        return -1;
    }
    const lg_buffers *b = lg_env_buffers(env);
    int32_t *actions = malloc(sizeof(int32_t) * (size_t)slots * (size_t)b->slate_size);
    int32_t *on_list = malloc(sizeof(int32_t) * (size_t)b->n_actions);
    double *rates = malloc(sizeof(double) * (size_t)repeats);
    if (!actions || !on_list || !rates) {
        fprintf(stderr, "livegym bench: out of memory\n");
        free(actions), free(on_list), free(rates), lg_env_free(env);
        return -1;
    }
    lg_stream rng = lg_stream_make(1, LGA_STREAM, 0);
    time_env(env, actions, on_list, &rng, seconds * 0.2); /* warm caches and the branch predictor */
    for (int r = 0; r < repeats; r++) rates[r] = time_env(env, actions, on_list, &rng, seconds);
    out->slots = slots;
    out->layout = layout;
    out->slot_steps_per_sec = lg_median(rates, repeats); /* sorts rates */
    out->min = rates[0];
    out->max = rates[repeats - 1];
    free(actions), free(on_list), free(rates);
    lg_env_free(env);
    return 0;
}

/* Reference: how many flat observations per second a plain memcpy writes. */
static double reference_copy(int obs_dim, int repeats, double seconds)
{
    size_t n = 64 * (size_t)obs_dim;
    float *src = calloc(n, sizeof(float)), *dst = calloc(n, sizeof(float));
    double *rates = malloc(sizeof(double) * (size_t)repeats);
    if (!src || !dst || !rates) {
        free(src), free(dst), free(rates);
        return 0.0;
    }
    for (int r = 0; r < repeats; r++) {
        long copies = 0;
        double t0 = lg_now(), t;
        do {
            for (int rep = 0; rep < 256; rep++) {
                memcpy(dst, src, n * sizeof(float));
                src[rep % n] += 1.0f; /* keep the copies from being optimised away */
            }
            copies += 256 * 64;
            t = lg_now();
        } while (t - t0 < seconds);
        rates[r] = (double)copies / (t - t0);
    }
    double med = lg_median(rates, repeats);
    volatile float sink = dst[0];
    (void)sink;
    free(src), free(dst), free(rates);
    return med;
}

/* One DQN training loop: its env, agent and loop state. */
typedef struct {
    lg_env *env;
    lga_agent *agent;
    lgx_loop lp;
    lgn_team *team;
} dqn_loop;

static void dqn_loop_free(dqn_loop *d)
{
    if (d->env) lgx_loop_free(&d->lp);
    lga_free(d->agent), lgn_team_free(d->team), lg_env_free(d->env);
}

/* learning from the first step, so every timed step includes learning */
static int dqn_loop_init(dqn_loop *d, const lg_scenario *sc, int slots, int threads, lga_obs_batch *shape, char *err,
                         size_t errsz)
{
    memset(d, 0, sizeof *d);
    if (lg_env_create(sc, slots, 1, LG_LAYOUT_FLAT, &d->env, err, errsz)) return -1;
    lga_batch_from_env(d->env, shape);
    d->agent = lga_create("dqn", "{\"learning_starts\": 0}", shape, 1, err, errsz);
    if (!d->agent) return -1;
    if (threads > 1 && lgn_team_create(threads, &d->team, err, errsz)) return -1;
    lga_use_team(d->agent, d->team);
    if (lgx_loop_init(&d->lp, d->env)) {
        lgx_loop_free(&d->lp);
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    lgx_train(&d->lp, d->agent, d->env, 2000, NULL); /* warm up: fill some replay */
    return 0;
}

static double time_loop(dqn_loop *d, int slots, double seconds)
{
    long steps = 0;
    double t0 = lg_now(), t;
    do {
        lgx_train(&d->lp, d->agent, d->env, 20L * slots, NULL);
        steps += 20L * slots;
        t = lg_now();
    } while (t - t0 < seconds);
    return steps / (t - t0);
}

/* The network's updates and products, then env + DQN agent: slot-steps per
 * second of the whole training loop (act, step, store, learn) with the
 * agent's defaults, on one thread and (threads > 1) on a team; medians of
 * repeats. */
static int bench_dqn(const lg_scenario *sc, int slots, int threads, int repeats, double seconds, int json)
{
    char err[512] = "";
    dqn_loop loops[2] = {{0}};
    lga_obs_batch shape;
    const int n_loops = threads > 1 ? 2 : 1;
    for (int k = 0; k < n_loops; k++)
        if (dqn_loop_init(&loops[k], sc, slots, k ? threads : 1, &shape, err, sizeof err)) {
            fprintf(stderr, "livegym bench: %s\n", err[0] ? err : "out of memory");
            dqn_loop_free(&loops[0]), dqn_loop_free(&loops[1]);
            return 1;
        }
    const int widths[4] = {shape.obs_dim, 120, 84, shape.n_actions};
    if (lg_progress_enabled()) fprintf(stderr, "bench: gradient updates, batch 128...\n");
    double ups = lg_bench_nn_updates(widths, 4, 128, seconds * repeats);
    double gflops = ups * lg_bench_nn_update_flops(widths, 4, 128) / 1e9;
    /* The products of the first layer, the largest: forward X W, weight
     * gradient X^T dY, input-side product dY W^T (the shapes PyTorch and
     * OpenBLAS are measured on in tools/reference/). */
    const int gemm_shapes[3][4] = {{128, widths[1], widths[0], 0}, {widths[0], widths[1], 128, 1},
                                   {128, widths[0], widths[1], 0}};
    double gemm[3];
    if (lg_progress_enabled()) fprintf(stderr, "bench: matrix products...\n");
    for (int g = 0; g < 3; g++)
        gemm[g] = lg_bench_gemm_gflops(gemm_shapes[g][0], gemm_shapes[g][1], gemm_shapes[g][2], gemm_shapes[g][3],
                                       seconds * repeats / 3);
    if (lg_progress_enabled()) fprintf(stderr, "bench: env + dqn training loop, %d slots...\n", slots);
    /* With more threads, the one-thread loop and the team's alternate, so
     * that both see the same neighbours. */
    double *rates = malloc(sizeof(double) * 2 * (size_t)repeats);
    if (!rates) {
        dqn_loop_free(&loops[0]), dqn_loop_free(&loops[1]);
        return 1;
    }
    for (int r = 0; r < repeats; r++)
        for (int k = 0; k < n_loops; k++) rates[k * repeats + r] = time_loop(&loops[k], slots, seconds);
    double steps_per_sec = lg_median(rates, repeats);
    double team_steps_per_sec = n_loops > 1 ? lg_median(rates + repeats, repeats) : steps_per_sec;
    const char *isa = lg_isa_name(lg_isa_get());
    if (json) {
        printf("{\"bench\": \"dqn\", \"scenario\": \"%s\", \"isa\": \"%s\", \"batch\": 128, "
               "\"layers\": [%d, %d, %d, %d], \"updates_per_sec\": %.1f, \"gflops\": %.2f, \"gemm_gflops\": [",
               sc->name, isa, widths[0], widths[1], widths[2], widths[3], ups, gflops);
        for (int g = 0; g < 3; g++)
            printf("%s{\"m\": %d, \"n\": %d, \"k\": %d, \"a_transposed\": %s, \"gflops\": %.2f}", g ? ", " : "",
                   gemm_shapes[g][0], gemm_shapes[g][1], gemm_shapes[g][2], gemm_shapes[g][3] ? "true" : "false",
                   gemm[g]);
        printf("], \"env_agent_steps_per_sec\": %.0f, \"threads\": %d, \"env_agent_steps_per_sec_threads\": %.0f, "
               "\"slots\": %d, \"train_frequency\": 10, \"peak_rss_mb\": %.1f}\n",
               steps_per_sec, threads, team_steps_per_sec, slots, lg_peak_rss_mb());
    } else {
        printf("livegym bench dqn: scenario \"%s\", network %d-%d-%d-%d (the dqn default), %s\n", sc->name,
               widths[0], widths[1], widths[2], widths[3], isa);
        printf("gradient updates (batch 128: forward, loss, backward, Adam; 1 thread): %.1f /s (median), %.2f "
               "GFLOP/s\n",
               ups, gflops);
        for (int g = 0; g < 3; g++)
            printf("matrix product %d x %d x %d%s (1 thread): %.2f GFLOP/s (median)\n", gemm_shapes[g][0],
                   gemm_shapes[g][1], gemm_shapes[g][2], gemm_shapes[g][3] ? " (A transposed)" : "", gemm[g]);
        printf("env + agent training loop (%d slots, one update per 10 slot-steps, 1 thread): %.0f slot-steps/s "
               "(median of %d)\n",
               slots, steps_per_sec, repeats);
        if (n_loops > 1)
            printf("the same loop, the network on %d threads: %.0f slot-steps/s (median of %d, %.2fx)\n", threads,
                   team_steps_per_sec, repeats, team_steps_per_sec / steps_per_sec);
        printf("peak RSS: %.1f MB\n", lg_peak_rss_mb());
    }
    free(rates);
    dqn_loop_free(&loops[0]), dqn_loop_free(&loops[1]);
    return 0;
}

/* The env benchmark's figures beside a memcpy of one flat observation,
 * as a table or as JSON. */
static void report_env(const lg_scenario *sc, const bench_result *res, int n_res, long repeats, double seconds,
                       int json)
{
    char err[512];
    lg_env *probe;
    int obs_dim = 0;
    if (lg_env_create(sc, 1, 1, sc->candidates > 0 ? LG_LAYOUT_FLAT : LG_LAYOUT_SHARED, &probe, err, sizeof err) ==
        0) {
        obs_dim = lg_env_buffers(probe)->obs_dim;
        lg_env_free(probe);
    }
    double ref = reference_copy(obs_dim, (int)repeats, seconds * 0.5);
    double rss = lg_peak_rss_mb();
    /* largest N, shared layout (flat with a candidate stage: it has no other) */
    const bench_result *main_res = &res[n_res - (sc->candidates > 0 ? 1 : 2)];
    if (json) {
        cJSON *name = cJSON_CreateString(sc->name); /* a file's name may hold quotes */
        char *quoted = name ? cJSON_PrintUnformatted(name) : NULL;
        cJSON_Delete(name);
        printf("{\"bench\": \"env\", \"scenario\": %s, \"isa\": \"%s\", \"channels\": %d, \"viewers\": %d, "
               "\"candidates\": %d, \"slots\": %d, \"steps_per_sec\": %.0f, "
               "\"flat_steps_per_sec\": %.0f, \"obs_dim\": %d, \"repeats\": %ld, \"seconds_per_repeat\": %g, "
               "\"reference_obs_copies_per_sec\": %.0f, \"peak_rss_mb\": %.1f, \"results\": [",
               quoted ? quoted : "null", lg_isa_name(lg_isa_get()), sc->n_channels, sc->n_viewers, sc->candidates, main_res->slots,
               main_res->slot_steps_per_sec, res[n_res - 1].slot_steps_per_sec, obs_dim, repeats, seconds, ref, rss);
        for (int r = 0; r < n_res; r++)
            printf("%s{\"slots\": %d, \"layout\": \"%s\", \"steps_per_sec\": %.0f, \"min\": %.0f, \"max\": %.0f, "
                   "\"ratio_to_reference\": %.4f}",
                   r ? ", " : "", res[r].slots, res[r].layout == LG_LAYOUT_SHARED ? "shared" : "flat",
                   res[r].slot_steps_per_sec, res[r].min, res[r].max, ref > 0 ? res[r].slot_steps_per_sec / ref : 0);
        printf("]}\n");
        free(quoted);
    } else {
        printf("livegym bench env: scenario \"%s\" (%d channels, %d viewers), obs_dim %d, random policy, 1 thread, "
               "%s\n",
               sc->name, sc->n_channels, sc->n_viewers, obs_dim, lg_isa_name(lg_isa_get()));
        printf("median of %ld repeats x %.2g s; steps/s counts slot-steps (one viewer, one recommendation)\n\n",
               repeats, seconds);
        printf("%6s  %-7s  %14s  %14s  %14s  %10s\n", "slots", "layout", "steps/s", "min", "max", "x memcpy");
        for (int r = 0; r < n_res; r++)
            printf("%6d  %-7s  %14.0f  %14.0f  %14.0f  %10.3f\n", res[r].slots,
                   res[r].layout == LG_LAYOUT_SHARED ? "shared" : "flat", res[r].slot_steps_per_sec, res[r].min,
                   res[r].max, ref > 0 ? res[r].slot_steps_per_sec / ref : 0);
        printf("\nreference: memcpy of one flat observation (%d floats): %.0f /s\n", obs_dim, ref);
        printf("peak RSS: %.1f MB\n", rss);
    }
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: livegym bench env [--scenario FILE] [--slots N] [--repeats R] [--seconds S] [--json] [--isa SET]\n"
            "       livegym bench dqn [--slots N] [--threads T] [--repeats R] [--seconds S] [--json] [--isa SET]\n"
            "       livegym bench log [--slots N] [--steps N] [--repeats R] [--json]\n"
            "\n"
            "Slot-steps per second of a world (the default one, or FILE's) under a uniform-random\n"
            "policy over on-air channels, one thread. Without --slots: N = 1 and N = 64. Each N runs in\n"
            "both observation layouts (shared: channel table once per step; flat: full vector per\n"
            "slot; a world with a candidate stage has only the flat one). Figures are medians of R\n"
            "timed repeats of S seconds (defaults 5 and 1.0); peak RSS is the process's.\n"
            "bench dqn: gradient updates per second of the default DQN network at batch 128 (and\n"
            "GFLOP/s), GFLOP/s of its first layer's matrix products, and slot-steps per second of the\n"
            "env + DQN training loop (default 16 slots); with --threads T > 1 (default 1) also the same\n"
            "loop with the agent's networks on T threads, the two alternating. --isa forces the vector\n"
            "instruction set of the network core and of the world's per-channel loops (auto, sse2, avx2,\n"
            "avx512; default auto: the best the CPU has); every set, and every thread count, gives the\n"
            "same results, bit for bit (docs/benchmarks.md).\n"
            "bench log: slot-steps per second of a random behaviour policy's training loop in the default\n"
            "world, without and with its HDF5 log (livegym log), and fwrite + fsync of as many bytes as\n"
            "the log holds (defaults: 64 slots, 1,000,000 slot-steps, 3 repeats; the log goes to\n"
            "$TMPDIR or /tmp and is removed).\n");
}

int lg_cmd_bench(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    int dqn = !strcmp(argv[1], "dqn"), log = !strcmp(argv[1], "log");
    if (strcmp(argv[1], "env") != 0 && !dqn && !log) {
        fprintf(stderr, "livegym bench: unknown benchmark \"%s\" (available: env, dqn, log)\n", argv[1]);
        return 2;
    }
    long slots = 0, repeats = log ? 3 : 5, steps = 1000000, threads = 1;
    double seconds = 1.0;
    int json = 0;
    const char *file = NULL;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--scenario") && !dqn) {
            if (lg_flag_str("bench", argc, argv, &i, &file)) return 2;
        } else if (!strcmp(argv[i], "--steps") && log) {
            if (lg_flag_int("bench", argc, argv, &i, 1000, 2000000000L, &steps)) return 2;
        } else if (!strcmp(argv[i], "--threads") && dqn) {
            if (lg_flag_int("bench", argc, argv, &i, 1, LGN_TEAM_MAX, &threads)) return 2;
        } else if (!strcmp(argv[i], "--slots")) {
            if (lg_flag_int("bench", argc, argv, &i, 1, 100000, &slots)) return 2;
        } else if (!strcmp(argv[i], "--repeats")) {
            if (lg_flag_int("bench", argc, argv, &i, 1, 1000, &repeats)) return 2;
        } else if (!strcmp(argv[i], "--seconds")) {
            if (lg_flag_double("bench", argc, argv, &i, 0.01, 3600, &seconds)) return 2;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--isa")) {
            int isa = i + 1 < argc ? lg_isa_parse(argv[i + 1]) : -1;
            if (isa < 0) {
                fprintf(stderr, "livegym bench: --isa: expected one of auto, sse2, avx2, avx512, found %s\n",
                        i + 1 < argc ? argv[i + 1] : "nothing");
                return 2;
            }
            if (lg_isa_set((lg_isa)isa)) {
                fprintf(stderr, "livegym bench: --isa: this CPU cannot run %s (the best it has: %s)\n", argv[i + 1],
                        lg_isa_name(lg_isa_get()));
                return 2;
            }
            i++;
        } else {
            fprintf(stderr, "livegym bench: unknown flag \"%s\"\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    lg_scenario *sc = malloc(sizeof *sc);
    if (!sc) return 1;
    lg_scenario_default(sc);
    char err[1024];
    if (file && lgx_load_file(file, sc, NULL, err, sizeof err)) {
        fprintf(stderr, "livegym bench: %s\n", err);
        free(sc);
        return 2;
    }
    if (slots > sc->n_viewers) {
        fprintf(stderr, "livegym bench: --slots: expected at most population.viewers (%d), found %ld\n",
                sc->n_viewers, slots);
        free(sc);
        return 2;
    }
    if (log) {
        int rc = lg_bench_log(sc, slots ? (int)slots : 64, steps, (int)repeats, json);
        free(sc);
        return rc;
    }
    if (dqn) {
        int rc = bench_dqn(sc, slots ? (int)slots : 16, (int)threads, (int)repeats, seconds, json);
        free(sc);
        return rc;
    }
    int sizes[2] = {1, sc->n_viewers < 64 ? sc->n_viewers : 64}, n_sizes = 2;
    if (slots) sizes[0] = (int)slots, n_sizes = 1;
    bench_result res[4];
    int n_res = 0;
    for (int s = 0; s < n_sizes; s++) {
        for (int l = sc->candidates > 0; l < 2; l++) {
            lg_layout layout = l == 0 ? LG_LAYOUT_SHARED : LG_LAYOUT_FLAT;
            if (lg_progress_enabled())
                fprintf(stderr, "bench: %d slot(s), %s layout...\n", sizes[s], l == 0 ? "shared" : "flat");
            if (bench_one(sc, sizes[s], layout, (int)repeats, seconds, &res[n_res]) != 0) {
                free(sc);
                return 1;
            }
            n_res++;
        }
    }
    report_env(sc, res, n_res, repeats, seconds, json);
    free(sc);
    return 0;
}
