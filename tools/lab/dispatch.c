/* A finished job as bytes for the root of an MPI run (lgx_dispatch.h).
 * A live job travels as the two files --resume reads back (the job's JSON,
 * whose numbers read back exactly, and its timeline block), so the root
 * stores it through the same checked path; a classic job as its raw rows.
 *
 * Layout: a kind byte padded to 8, then
 *   'L': u64 text length, f64 train seconds, f64 steps/s, the text, the timeline block
 *   'C': u64 row length, f64 train seconds, f64 steps/s, the rewards (f32), the optimal flags (u8)
 *   'E': the failure's message */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lgx_dispatch.h"
#include "lgx_results.h"

#define HEAD 32

static void put_head(unsigned char *b, char kind, uint64_t n, double secs, double rate)
{
    memset(b, 0, 8);
    b[0] = (unsigned char)kind;
    memcpy(b + 8, &n, 8);
    memcpy(b + 16, &secs, 8);
    memcpy(b + 24, &rate, 8);
}

int lgx_job_payload(const lgx_run_config *cfg, const lgx_run_result *res, int j, void **out, size_t *len)
{
    const lgx_job *job = &res->jobs[j];
    int agent = j / res->seeds, seed = 1 + j % res->seeds;
    unsigned char *b;
    if (res->online) {
        const lgx_online_curve *oc = &res->online[agent];
        size_t n = (size_t)oc->length, at = (size_t)(seed - 1) * n;
        *len = HEAD + n * sizeof(float) + n;
        if (!(b = malloc(*len))) return -1;
        put_head(b, 'C', n, job->train_seconds, job->steps_per_sec);
        memcpy(b + HEAD, &oc->raw_reward[at], n * sizeof(float));
        memcpy(b + HEAD + n * sizeof(float), &oc->raw_optimal[at], n);
    } else {
        char *text = lgx_results_job_text(cfg, agent, seed, job);
        if (!text) return -1;
        size_t tn = strlen(text);
        *len = HEAD + tn + job->timeline.bytes;
        if (!(b = malloc(*len))) return free(text), -1;
        put_head(b, 'L', tn, job->train_seconds, job->steps_per_sec);
        memcpy(b + HEAD, text, tn);
        memcpy(b + HEAD + tn, job->timeline.block, job->timeline.bytes);
        free(text);
    }
    *out = b;
    return 0;
}

int lgx_job_failure_payload(const char *msg, void **out, size_t *len)
{
    size_t n = strlen(msg);
    unsigned char *b = malloc(8 + n);
    if (!b) return -1;
    memset(b, 0, 8);
    b[0] = 'E';
    memcpy(b + 8, msg, n);
    *out = b, *len = 8 + n;
    return 0;
}

static int accept_classic(lgx_run_result *res, int j, const unsigned char *b, size_t len, uint64_t n, char *err,
                          size_t errsz)
{
    lgx_online_curve *oc = &res->online[j / res->seeds];
    if (n != (uint64_t)oc->length || len != HEAD + n * sizeof(float) + n)
        return snprintf(err, errsz, "job %d: expected %d steps of an online curve, found another size", j, oc->length),
               -1;
    size_t at = (size_t)(j % res->seeds) * n;
    memcpy(&oc->raw_reward[at], b + HEAD, n * sizeof(float));
    memcpy(&oc->raw_optimal[at], b + HEAD + n * sizeof(float), n);
    return 0;
}

static int accept_live(const lgx_run_config *cfg, lgx_run_result *res, int j, const unsigned char *b, size_t len,
                       uint64_t tn, char *err, size_t errsz)
{
    lgx_job *job = &res->jobs[j];
    int agent = j / res->seeds, seed = 1 + j % res->seeds;
    char why[512];
    if (tn > len - HEAD) return snprintf(err, errsz, "job %d: a payload shorter than its text", j), -1;
    if (lgx_results_parse_job(cfg, agent, (const char *)b + HEAD, tn, job, why, sizeof why))
        return snprintf(err, errsz, "job %d: %s", j, why), -1;
    if (lgx_timeline_from_block(cfg, b + HEAD + tn, len - HEAD - tn, &job->timeline, why, sizeof why)) {
        free(job->points), job->points = NULL, job->n_points = 0;
        return snprintf(err, errsz, "job %d: %s", j, why), -1;
    }
    if (cfg->out_dir) return lgx_results_write_job(cfg, agent, seed, job, err, errsz);
    return 0;
}

int lgx_job_accept(const lgx_run_config *cfg, lgx_run_result *res, int j, const void *p, size_t len, char *err,
                   size_t errsz)
{
    const unsigned char *b = p;
    if (j < 0 || j >= res->jobs_total || res->jobs[j].done)
        return snprintf(err, errsz, "a result for job %d, which is not one running", j), -1;
    if (len >= 8 && b[0] == 'E') return snprintf(err, errsz, "%.*s", (int)(len - 8), (const char *)b + 8), -1;
    if (len < HEAD || b[0] != (res->online ? 'C' : 'L'))
        return snprintf(err, errsz, "job %d: a payload of another kind of job", j), -1;
    uint64_t n;
    memcpy(&n, b + 8, 8);
    int rc = res->online ? accept_classic(res, j, b, len, n, err, errsz)
                         : accept_live(cfg, res, j, b, len, n, err, errsz);
    if (rc == 0) {
        memcpy(&res->jobs[j].train_seconds, b + 16, 8);
        memcpy(&res->jobs[j].steps_per_sec, b + 24, 8);
    }
    return rc;
}
