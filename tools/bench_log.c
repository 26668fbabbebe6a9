/* livegym bench log: what writing a log costs. In one run, medians of
 * repeats: the training loop of a behaviour policy (random) without a log,
 * the same loop writing its HDF5 log, and a sequential fwrite + fsync of as
 * many bytes as the log holds (the reference for data movement to a file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "cli_util.h"
#include "lgx_experiment.h"
#include "log_file.h"

/* Seconds for `steps` slot-steps of random behaviour, logged to path when
 * path is set; the log's size in *bytes. -1 on failure (said on stderr). */
static double time_loop(const lg_scenario *sc, int slots, long steps, const char *path, double *bytes)
{
    char err[1024];
    lg_env *env = NULL;
    lga_agent *agent = NULL;
    lg_log_writer *w = NULL;
    lgx_loop lp;
    memset(&lp, 0, sizeof lp);
    double t = -1.0;
    if (lg_env_create(sc, slots, 1, LG_LAYOUT_FLAT, &env, err, sizeof err)) goto fail;
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    if (!(agent = lga_create("random", "{}", &shape, 1, err, sizeof err))) goto fail;
    if (lgx_loop_init(&lp, env)) goto oom;
    double t0 = lg_now();
    if (path) {
        lg_log_meta meta = {"{}", "random", "random", "{}", "exact", 1};
        if (!(w = lg_log_open(path, env, &meta, err, sizeof err))) goto fail;
        lgx_log_sink sink = lg_log_sink(w);
        if (lgx_loop_set_log(&lp, env, &sink, 1)) goto oom;
    }
    if (lgx_train(&lp, agent, env, steps, NULL)) {
        snprintf(err, sizeof err, "%s", lg_log_error(w));
        goto fail;
    }
    if (w) {
        int rc = lg_log_close(w, env, err, sizeof err);
        w = NULL;
        if (rc) goto fail;
    }
    t = lg_now() - t0;
    struct stat st;
    *bytes = path && stat(path, &st) == 0 ? (double)st.st_size : 0.0;
    goto done;
oom:
    snprintf(err, sizeof err, "out of memory");
fail:
    fprintf(stderr, "livegym bench: %s\n", err);
done:
    lg_log_abort(w);
    lgx_loop_free(&lp);
    if (agent) lga_free(agent);
    lg_env_free(env);
    return t;
}

/* Seconds to write `bytes` bytes to path with fwrite and fsync them, as the
 * log's close does (the log also reads itself back once for its hash). */
static double time_fwrite(const char *path, double bytes)
{
    static char block[1 << 20];
    memset(block, 1, sizeof block);
    double t0 = lg_now();
    FILE *fp = fopen(path, "wb");
    if (!fp) return -1.0;
    for (double done = 0; done < bytes; done += sizeof block) {
        size_t n = bytes - done < sizeof block ? (size_t)(bytes - done) : sizeof block;
        if (fwrite(block, 1, n, fp) != n) {
            fclose(fp);
            return -1.0;
        }
    }
    if (fflush(fp) || fsync(fileno(fp))) {
        fclose(fp);
        return -1.0;
    }
    if (fclose(fp)) return -1.0;
    return lg_now() - t0;
}

int lg_bench_log(const lg_scenario *sc, int slots, long steps, int repeats, int json)
{
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char path[1024];
    snprintf(path, sizeof path, "%s/livegym-bench-log-%ld.h5", dir, (long)getpid());
    double *plain = malloc(sizeof(double) * (size_t)repeats), *logged = malloc(sizeof(double) * (size_t)repeats);
    double *ref = malloc(sizeof(double) * (size_t)repeats), bytes = 0.0, none;
    int rc = 1;
    if (!plain || !logged || !ref) goto out;
    for (int r = 0; r < repeats; r++) {
        if (lg_progress_enabled()) fprintf(stderr, "bench: log, repeat %d of %d...\n", r + 1, repeats);
        double a = time_loop(sc, slots, steps, NULL, &none), b = time_loop(sc, slots, steps, path, &bytes);
        double c = b > 0 ? time_fwrite(path, bytes) : -1.0;
        remove(path);
        if (a <= 0 || b <= 0 || c <= 0) {
            if (c <= 0 && b > 0) fprintf(stderr, "livegym bench: %s: cannot write\n", path);
            goto out;
        }
        plain[r] = (double)steps / a, logged[r] = (double)steps / b, ref[r] = bytes / 1e6 / c;
    }
    double p = lg_median(plain, repeats), l = lg_median(logged, repeats), f = lg_median(ref, repeats);
    double log_mb_s = l * (bytes / (double)steps) / 1e6;
    if (json) {
        printf("{\"bench\": \"log\", \"slots\": %d, \"steps\": %ld, \"repeats\": %d, \"loop_steps_per_sec\": %.0f, "
               "\"logged_steps_per_sec\": %.0f, \"bytes_per_step\": %.1f, \"log_mb_per_sec\": %.1f, "
               "\"fwrite_mb_per_sec\": %.1f}\n",
               slots, steps, repeats, p, l, bytes / (double)steps, log_mb_s, f);
    } else {
        printf("livegym bench log: random behaviour, default world, %d slots, %ld slot-steps, 1 thread, median of %d\n",
               slots, steps, repeats);
        printf("training loop without a log:     %10.0f slot-steps/s\n", p);
        printf("training loop writing its log:   %10.0f slot-steps/s (%.2f of the loop alone)\n", l, l / p);
        printf("log: %.1f bytes per slot-step, %.1f MB in all, written at %.0f MB/s; fwrite + fsync of as many "
               "bytes: %.0f MB/s (log/fwrite %.2f)\n",
               bytes / (double)steps, bytes / 1e6, log_mb_s, f, log_mb_s / f);
    }
    rc = 0;
out:
    free(plain), free(logged), free(ref);
    return rc;
}
