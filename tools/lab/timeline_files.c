/* The timeline in a results folder: each job's timeline as it finished
 * (runs/LABEL/seed-S.timeline, read back by --resume), and timeline.csv,
 * the long table of every window of every run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_checksum.h"
#include "lg_file.h"
#include "lg_sbuf.h"
#include "lgx_results.h"

#define TL_MAGIC "LGTIMEL1"

static void timeline_path(const lgx_run_config *cfg, int agent, int seed, char *out, size_t n)
{
    char dir[4200];
    lgx_results_job_path(cfg, agent, seed, dir, sizeof dir, 1);
    snprintf(out, n, "%s/seed-%d.timeline", dir, seed);
}

/* magic, u64 byte count, the block, u64 FNV-1a of everything before it */
int lgx_timeline_write(const lgx_run_config *cfg, int agent, int seed, const lgx_timeline *tl, char *err,
                       size_t errsz)
{
    char path[4300];
    timeline_path(cfg, agent, seed, path, sizeof path);
    size_t n = 8 + 8 + tl->bytes + 8;
    unsigned char *buf = malloc(n);
    if (!buf) return snprintf(err, errsz, "out of memory"), -1;
    uint64_t bytes = tl->bytes;
    memcpy(buf, TL_MAGIC, 8);
    memcpy(buf + 8, &bytes, 8);
    memcpy(buf + 16, tl->block, tl->bytes);
    uint64_t h = lg_fnv1a64(LG_FNV1A64_INIT, buf, n - 8);
    memcpy(buf + n - 8, &h, 8);
    int rc = lg_write_atomic(path, buf, n, err, errsz);
    free(buf);
    return rc;
}

/* A timeline of this experiment's shape, zeroed. */
static int init_for(const lgx_run_config *cfg, lgx_timeline *tl, char *err, size_t errsz)
{
    if (lgx_timeline_init_shape(tl, lgx_trained_minutes(&cfg->ex, cfg->sc), cfg->sc->n_channels, cfg->ex.slots,
                                cfg->sc->start_minute))
        return snprintf(err, errsz, "out of memory"), -1;
    return 0;
}

/* n bytes of a timeline from elsewhere into tl, once checked; tl freed when
 * they are refused. */
static int fill(lgx_timeline *tl, const void *block, size_t n, char *err, size_t errsz)
{
    if (n != tl->bytes) {
        snprintf(err, errsz, "timeline: expected %zu bytes, found %zu", tl->bytes, n);
        return lgx_timeline_free(tl), -1;
    }
    if (lgx_timeline_check(block, n, err, errsz)) return lgx_timeline_free(tl), -1;
    memcpy(tl->block, block, n);
    return 0;
}

int lgx_timeline_read(const lgx_run_config *cfg, int agent, int seed, lgx_timeline *tl, char *err, size_t errsz)
{
    char path[4300], *buf;
    size_t n;
    timeline_path(cfg, agent, seed, path, sizeof path);
    if (init_for(cfg, tl, err, errsz)) return -1;
    if (lg_read_file(path, 8 + 8 + tl->bytes + 8, &buf, &n, err, errsz)) return lgx_timeline_free(tl), -1;
    uint64_t bytes = 0, h = 0;
    const char *why = NULL;
    if (n != 8 + 8 + tl->bytes + 8 || memcmp(buf, TL_MAGIC, 8)) why = "not the timeline of a run of this experiment";
    if (!why) {
        memcpy(&bytes, buf + 8, 8);
        memcpy(&h, buf + n - 8, 8);
        if (bytes != tl->bytes || (lg_fnv1a64(LG_FNV1A64_INIT, buf, n - 8) != h && !LG_FUZZING))
            why = "checksum mismatch: damaged";
    }
    char bad[256];
    if (!why && fill(tl, buf + 16, tl->bytes, bad, sizeof bad)) why = bad;
    if (why) snprintf(err, errsz, "%.3000s: %s", path, why);
    free(buf);
    if (why) lgx_timeline_free(tl);
    return why ? -1 : 0;
}

int lgx_timeline_from_block(const lgx_run_config *cfg, const void *block, size_t n, lgx_timeline *tl, char *err,
                            size_t errsz)
{
    if (init_for(cfg, tl, err, errsz)) return -1;
    return fill(tl, block, n, err, errsz);
}

int lgx_timeline_csv(const lgx_run_config *cfg, const lgx_run_result *res, char *err, size_t errsz)
{
    lg_sbuf csv = {0};
    lg_sb_puts(&csv, "agent,seed,minute,day,hour,slot_steps,sessions");
    /* a window's figures come from its tally alone: retention's, which need
     * the viewers' visits over days, are the evaluations' (curves.csv) */
    for (int m = 0; m < LGX_M_RETENTION; m++) lg_sb_printf(&csv, ",%s", lgx_metric_names[m]);
    lg_sb_putc(&csv, '\n');
    const int k = cfg->sc->slate_size;
    for (int j = 0; j < res->jobs_total; j++) {
        const lgx_job *job = &res->jobs[j];
        const lgx_timeline *tl = &job->timeline;
        if (!job->done || !tl->block) continue;
        for (int w = 0; w < tl->n_windows; w++) {
            const lgx_tally *t = &tl->tally[w];
            if (t->steps <= 0) continue;
            double m[LGX_M_COUNT], minute = w * LGX_WINDOW_MINUTES, clock = tl->start + minute;
            lgx_metrics_from(t, &tl->recs[(size_t)w * tl->n_channels], tl->n_channels, k, m);
            lg_sb_printf(&csv, "%s,%d,%.10g,%d,%.4g,%.0f,%.0f", cfg->ex.agents[j / res->seeds].label,
                         1 + j % res->seeds, minute, (int)floor(clock / 1440.0), fmod(clock, 1440.0) / 60.0,
                         t->steps, t->sessions);
            for (int i = 0; i < LGX_M_RETENTION; i++) lg_sb_printf(&csv, ",%.10g", m[i]);
            lg_sb_putc(&csv, '\n');
        }
    }
    char *text = lg_sb_take(&csv);
    if (!text) return snprintf(err, errsz, "out of memory"), -1;
    char path[4200];
    snprintf(path, sizeof path, "%s/timeline.csv", cfg->out_dir);
    int rc = lg_write_atomic(path, text, strlen(text), err, errsz);
    free(text);
    return rc;
}
