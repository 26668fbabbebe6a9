/* Mid-run checkpoints of the results folder (docs/results.md).
 *
 * After each evaluation a learning job writes the agent's state to
 * runs/LABEL/seed-S.pP.agent (lga_save), then runs/LABEL/seed-S.ckpt, which
 * names point P and holds the curve so far, the training counters, the
 * training env's state and the timeline so far, checksummed. The .ckpt is written last and
 * atomically, so it only ever names an agent file that is complete. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_checksum.h"
#include "lg_file.h"
#include "lga_agent.h"
#include "lgx_results.h"

#define CKPT_MAGIC "LGRUNCK1"
#define CKPT_VERSION 5u /* 2: eval points carry their minute; the timeline follows the env; 3: retrieval_recall;
                          4: diversity; 5: retention's metrics */

static void ckpt_paths(const lgx_run_config *cfg, int agent, int seed, int point, char *ckpt, char *agent_file,
                       size_t n)
{
    char dir[4200];
    lgx_results_job_path(cfg, agent, seed, dir, sizeof dir, 1);
    snprintf(ckpt, n, "%s/seed-%d.ckpt", dir, seed);
    if (agent_file) snprintf(agent_file, n, "%s/seed-%d.p%d.agent", dir, seed, point);
}

int lgx_results_write_checkpoint(const lgx_run_config *cfg, int agent_i, int seed, int point, long trained,
                                double train_time, const lgx_eval_point *points, lga_agent *agent,
                                const lg_env *env, const lgx_timeline *tl, char *err, size_t errsz)
{
    char ckpt[4300], afile[4300], old[4300];
    ckpt_paths(cfg, agent_i, seed, point, ckpt, afile, sizeof ckpt);
    if (lga_save(agent, afile, err, errsz)) return -1;
    size_t env_len = lg_env_state_size(env);
    size_t pts = sizeof(lgx_eval_point) * (size_t)(point + 1);
    size_t n = 8 + 4 + 4 + 8 + 8 + pts + 8 + env_len + 8 + tl->bytes + 8;
    unsigned char *buf = malloc(n);
    if (!buf) return snprintf(err, errsz, "out of memory for a checkpoint"), -1;
    size_t at = 0;
    uint32_t version = CKPT_VERSION;
    int32_t p = point;
    int64_t tr = trained;
    uint64_t el = env_len;
    memcpy(buf + at, CKPT_MAGIC, 8), at += 8;
    memcpy(buf + at, &version, 4), at += 4;
    memcpy(buf + at, &p, 4), at += 4;
    memcpy(buf + at, &tr, 8), at += 8;
    memcpy(buf + at, &train_time, 8), at += 8;
    memcpy(buf + at, points, pts), at += pts;
    memcpy(buf + at, &el, 8), at += 8;
    lg_env_state_save(env, buf + at, env_len), at += env_len;
    uint64_t tb = tl->bytes;
    memcpy(buf + at, &tb, 8), at += 8;
    memcpy(buf + at, tl->block, tl->bytes), at += tl->bytes;
    uint64_t h = lg_fnv1a64(LG_FNV1A64_INIT, buf, at);
    memcpy(buf + at, &h, 8), at += 8;
    int rc = lg_write_atomic(ckpt, (const char *)buf, at, err, errsz);
    free(buf);
    if (rc) return -1;
    if (point > 0) {
        ckpt_paths(cfg, agent_i, seed, point - 1, old, old, sizeof old);
        remove(old); /* the previous point's agent file */
    }
    return 0;
}

/* The curve so far as a checkpoint stores it: points in order, within the
 * budget, at finite minutes; metrics are numbers or NaN (no data). */
static int check_points(const lgx_run_config *cfg, const unsigned char *at, int n, int64_t trained, double train_time,
                        char *err, size_t errsz)
{
    if (trained < 0 || trained > cfg->ex.train_steps || !(train_time >= 0 && train_time < 1e12))
        return snprintf(err, errsz, "expected trained slot-steps in [0, %d] and a training time >= 0, found %lld and %g",
                        cfg->ex.train_steps, (long long)trained, train_time), -1;
    for (int i = 0; i < n; i++) {
        lgx_eval_point pt;
        memcpy(&pt, at + (size_t)i * sizeof pt, sizeof pt);
        int ok = pt.step >= 0 && pt.step <= trained && pt.minute >= 0 && pt.minute < 1e12;
        for (int m = 0; m < LGX_M_COUNT && ok; m++) ok = !isinf(pt.m[m]);
        if (!ok)
            return snprintf(err, errsz, "evaluation point %d: expected a step in [0, %lld], a minute >= 0 and finite "
                                        "metrics, found step %ld, minute %g",
                            i, (long long)trained, pt.step, pt.minute), -1;
    }
    return 0;
}

int lgx_results_read_checkpoint(const lgx_run_config *cfg, int agent_i, int seed, int *point, long *trained,
                               double *train_time, lgx_eval_point *points, int n_points, lga_agent *agent,
                               lg_env *env, lgx_timeline *tl, char *err, size_t errsz)
{
    char ckpt[4300], afile[4300], why[1024] = "";
    ckpt_paths(cfg, agent_i, seed, 0, ckpt, NULL, sizeof ckpt);
    FILE *f = fopen(ckpt, "rb");
    if (!f) return 1;
    size_t env_len = lg_env_state_size(env);
    size_t max = 8 + 4 + 4 + 8 + 8 + sizeof(lgx_eval_point) * (size_t)n_points + 8 + env_len + 8 + tl->bytes + 8;
    unsigned char *buf = malloc(max + 1);
    unsigned char *backup = malloc(env_len); /* the env as it was, if the agent refuses */
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    int rc = -1;
    int32_t p = -1;
    uint32_t version = 0;
    int64_t tr = 0;
    double tt = 0;
    uint64_t el = 0, tb = 0, h = 0, stored = 0;
    if (!buf || !backup) {
        snprintf(why, sizeof why, "out of memory");
        goto out;
    }
    if (n < 8 + 4 + 4 + 8 + 8 + 8 || memcmp(buf, CKPT_MAGIC, 8)) {
        snprintf(why, sizeof why, "not a livegym checkpoint (bad magic number or too short)");
        goto out;
    }
    memcpy(&version, buf + 8, 4), memcpy(&p, buf + 12, 4), memcpy(&tr, buf + 16, 8), memcpy(&tt, buf + 24, 8);
    if (version != CKPT_VERSION || p < 0 || p >= n_points) {
        snprintf(why, sizeof why, "expected version %u and a point in [0, %d], found version %u and point %d",
                 CKPT_VERSION, n_points - 1, version, (int)p);
        goto out;
    }
    size_t pts = sizeof(lgx_eval_point) * (size_t)(p + 1);
    size_t env_at = 24 + 8 + pts + 8, tl_at = env_at + env_len + 8;
    size_t want = tl_at + tl->bytes + 8;
    if (n != want) {
        snprintf(why, sizeof why, "expected %zu bytes for point %d of this experiment, found %s%zu", want, (int)p,
                 n > max ? "more than " : "", n > max ? max : n);
        goto out;
    }
    h = LG_FUZZING ? 0 : lg_fnv1a64(LG_FNV1A64_INIT, buf, want - 8);
    memcpy(&stored, buf + want - 8, 8), memcpy(&el, buf + env_at - 8, 8), memcpy(&tb, buf + tl_at - 8, 8);
    if (el != env_len || tb != tl->bytes) {
        snprintf(why, sizeof why, "expected %zu bytes of env state and %zu of timeline, found %llu and %llu", env_len,
                 tl->bytes, (unsigned long long)el, (unsigned long long)tb);
        goto out;
    }
    if (h != stored && !LG_FUZZING) {
        snprintf(why, sizeof why, "checksum mismatch: the file is damaged");
        goto out;
    }
    if (check_points(cfg, buf + 32, p + 1, tr, tt, why, sizeof why) ||
        lgx_timeline_check(buf + tl_at, tl->bytes, why, sizeof why))
        goto out;
    ckpt_paths(cfg, agent_i, seed, p, ckpt, afile, sizeof ckpt);
    /* Agent, env and timeline change together or not at all: the env is
     * loaded first (it checks itself and stays as it was on a refusal),
     * then the agent (likewise); if the agent refuses, the env goes back to
     * the state saved just before (fuzz_checkpoint checks it, byte for
     * byte). */
    if (lg_env_state_save(env, backup, env_len) != env_len) {
        snprintf(why, sizeof why, "cannot save the env state to restore it (a bug)");
        goto out;
    }
    if (lg_env_state_load(env, buf + env_at, env_len, why, sizeof why)) goto out;
    if (lga_load(agent, afile, why, sizeof why)) {
        char again[256] = "";
        if (lg_env_state_load(env, backup, env_len, again, sizeof again)) /* a state the env had: cannot fail */
            snprintf(why + strlen(why), sizeof why - strlen(why), "; restoring the env failed too (a bug): %s", again);
        goto out;
    }
    memcpy(tl->block, buf + tl_at, tl->bytes);
    memcpy(train_time, &tt, 8);
    memcpy(points, buf + 32, pts);
    *point = p;
    *trained = (long)tr;
    rc = 0;
out:
    if (rc) {
        ckpt_paths(cfg, agent_i, seed, 0, ckpt, NULL, sizeof ckpt);
        snprintf(err, errsz, "%.2000s: %.1500s", ckpt, why);
    }
    free(buf);
    free(backup);
    return rc;
}

void lgx_results_remove_checkpoint(const lgx_run_config *cfg, int agent_i, int seed, int point)
{
    char ckpt[4300], afile[4300];
    ckpt_paths(cfg, agent_i, seed, point, ckpt, afile, sizeof ckpt);
    remove(afile);
    remove(ckpt);
}
