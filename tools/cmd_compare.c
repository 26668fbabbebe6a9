/* livegym compare DIR_A DIR_B: two results folders side by side, with the
 * paired difference B - A per agent over the seeds both ran (the same seeds
 * see the same evaluation envs, so the pairing is meaningful when both runs
 * come from the same scenario). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "lgx_curves.h"
#include "lgx_folder.h"
#include "lgx_metrics.h"
#include "lgx_stats.h"

/* DIR/curves.csv's final evaluation of every (agent, seed), once the folder
 * is known to be one run's (and complete, unless partial is allowed); 0,
 * or 2 with a message. */
static int read_folder(const char *dir, const char *metric, int partial, lgx_finals *f, lgx_folder *info)
{
    static const char *const files[] = {"curves.csv", NULL};
    char path[4200], err[4400];
    snprintf(path, sizeof path, "%.4000s/curves.csv", dir);
    int rc = lgx_folder_check(dir, files, partial, info, err, sizeof err);
    if (rc == 0) rc = lgx_finals_load(path, metric, f, err, sizeof err), lgx_folder_release(info);
    if (rc) fprintf(stderr, "livegym compare: %s\n", err);
    return rc ? 2 : 0;
}

static int label_index(const lgx_finals *f, const char *label)
{
    for (int i = 0; i < f->n_agents; i++)
        if (!strcmp(f->labels[i], label)) return i;
    return -1;
}

/* Agent a's final values (xs), and those paired with agent b's of g by seed. */
static void values(const lgx_finals *f, int a, const lgx_finals *g, int b, double *xs, int *n, double *pa,
                   double *pb, int *np)
{
    *n = *np = 0;
    for (int i = 0; i < f->n; i++) {
        if (f->rows[i].agent != a || isnan(f->rows[i].value)) continue;
        xs[(*n)++] = f->rows[i].value;
        for (int j = 0; b >= 0 && j < g->n; j++)
            if (g->rows[j].agent == b && g->rows[j].seed == f->rows[i].seed && !isnan(g->rows[j].value)) {
                pa[*np] = f->rows[i].value;
                pb[(*np)++] = g->rows[j].value;
            }
    }
}

static void fmt(char *buf, size_t n, lgx_stat s)
{
    if (s.n == 0)
        snprintf(buf, n, "-");
    else if (isnan(s.ci95))
        snprintf(buf, n, "%.3f", s.mean);
    else
        snprintf(buf, n, "%.3f ± %.3f", s.mean, s.ci95);
}

static void cell(const char *s, int width)
{
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) cols += (*p & 0xC0) != 0x80;
    printf("%*s%s", width > cols ? width - cols : 0, "", s);
}

int lg_cmd_compare(int argc, char **argv)
{
    const char *dirs[2] = {NULL, NULL}, *metric_name = "return";
    int partial = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: livegym compare DIR_A DIR_B [--metric NAME] [--partial]\n\n"
                   "Final evaluations of two results folders side by side, with the paired difference B - A\n"
                   "(mean ± 95%% CI over the seeds both ran). Metrics: the columns of curves.csv.\n"
                   "Each folder must be one complete run's (its status.json lists the hash of its\n"
                   "curves.csv); --partial also reads an interrupted run, and says so.\n");
            return 0;
        } else if (!strcmp(argv[i], "--partial")) {
            partial = 1;
        } else if (!strcmp(argv[i], "--metric") && i + 1 < argc) {
            metric_name = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "livegym compare: unknown flag \"%s\"\n", argv[i]);
            return 2;
        } else if (!dirs[0]) dirs[0] = argv[i];
        else if (!dirs[1]) dirs[1] = argv[i];
        else {
            fprintf(stderr, "livegym compare: expected two results folders, found a third \"%s\"\n", argv[i]);
            return 2;
        }
    }
    if (!dirs[1]) {
        fprintf(stderr, "usage: livegym compare DIR_A DIR_B [--metric NAME]\n");
        return 2;
    }
    int metric = -1;
    for (int m = 0; m < LGX_M_COUNT; m++)
        if (!strcmp(lgx_metric_names[m], metric_name)) metric = m;
    if (metric < 0) {
        fprintf(stderr, "livegym compare: --metric: unknown metric \"%s\" (see docs/results.md)\n", metric_name);
        return 2;
    }
    lgx_finals f[2];
    lgx_folder info[2];
    memset(f, 0, sizeof f);
    int rc = 2;
    if (read_folder(dirs[0], metric_name, partial, &f[0], &info[0]) ||
        read_folder(dirs[1], metric_name, partial, &f[1], &info[1]))
        goto out;
    for (int d = 0; d < 2; d++)
        if (!info[d].complete)
            printf("%s is PARTIAL: %d of %d runs done (--partial)\n", d ? "B" : "A", info[d].jobs_done,
                   info[d].jobs_total);
    printf("%s: A = %s, B = %s; final evaluation; mean ± 95%% CI over seeds; B - A paired by seed\n\n", metric_name,
           dirs[0], dirs[1]);
    printf("%-20s", "agent");
    cell("A", 22), cell("B", 22), cell("B - A", 22);
    printf("   seeds\n");
    double *buf = malloc(sizeof(double) * 5 * (size_t)(f[0].n + f[1].n + 1));
    if (!buf) {
        fprintf(stderr, "livegym compare: out of memory\n");
        rc = 1;
        goto out;
    }
    double *xa = buf, *xb = xa + f[0].n + 1, *pa = xb + f[1].n + 1, *pb = pa + f[0].n + 1, *skip = pb + f[0].n + 1;
    for (int a = 0; a < f[0].n_agents; a++) {
        int b = label_index(&f[1], f[0].labels[a]);
        int na, nb = 0, np, unused;
        values(&f[0], a, &f[1], b, xa, &na, pa, pb, &np);
        if (b >= 0) values(&f[1], b, &f[1], -1, xb, &nb, skip, skip, &unused);
        char ca[64], cb[64], cd[64];
        fmt(ca, sizeof ca, lgx_stat_of(xa, na));
        fmt(cb, sizeof cb, lgx_stat_of(xb, nb));
        fmt(cd, sizeof cd, lgx_stat_paired(pb, pa, np));
        printf("%-20s", f[0].labels[a]);
        cell(ca, 22), cell(cb, 22), cell(cd, 22);
        printf("   %5d\n", np);
    }
    for (int b = 0; b < f[1].n_agents; b++)
        if (label_index(&f[0], f[1].labels[b]) < 0) printf("%-20s (only in B)\n", f[1].labels[b]);
    free(buf);
    rc = 0;
out:
    lgx_finals_free(&f[0]), lgx_finals_free(&f[1]);
    return rc;
}
