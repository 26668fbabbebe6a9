/* livegym compare DIR_A DIR_B: two results folders side by side, with the
 * paired difference B - A per agent over the seeds both ran (the same seeds
 * see the same evaluation envs, so the pairing is meaningful when both runs
 * come from the same scenario). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "lgx_run.h"
#include "lgx_stats.h"

#define MAX_ROWS 20000
#define MAX_LABELS 64
#define MAX_SEEDS 1000

typedef struct {
    char labels[MAX_LABELS][LG_NAME_LEN];
    int n_labels;
    /* final value per (label, seed); NAN when absent */
    double *final; /* [MAX_LABELS * MAX_SEEDS] */
    long *step;    /* step of the stored value */
    char scenario[128];
} folder;

static int label_index(folder *f, const char *label, int add)
{
    for (int i = 0; i < f->n_labels; i++)
        if (!strcmp(f->labels[i], label)) return i;
    if (!add || f->n_labels == MAX_LABELS) return -1;
    snprintf(f->labels[f->n_labels], LG_NAME_LEN, "%s", label);
    return f->n_labels++;
}

/* Read DIR/curves.csv (live protocol) keeping each (agent, seed)'s last evaluation. */
static int read_folder(const char *dir, int metric, folder *f)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/curves.csv", dir);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "livegym compare: %s: cannot open: %s (is %s a results folder?)\n", path, strerror(errno),
                dir);
        return -1;
    }
    f->final = malloc(sizeof(double) * MAX_LABELS * MAX_SEEDS);
    f->step = malloc(sizeof(long) * MAX_LABELS * MAX_SEEDS);
    for (int i = 0; i < MAX_LABELS * MAX_SEEDS; i++) f->final[i] = NAN, f->step[i] = -1;
    char line[8192];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        if (lineno == 1) {
            if (strncmp(line, "agent,seed,step,", 16) != 0) {
                fprintf(stderr, "livegym compare: %s:1: expected the header \"agent,seed,step,...\" of a train-eval "
                                "run, found \"%.40s\"\n", path, line);
                rc = -1;
                break;
            }
            continue;
        }
        char *fields[3 + LGX_M_COUNT];
        int nf = 0;
        for (char *tok = strtok(line, ",\n"); tok && nf < 3 + LGX_M_COUNT; tok = strtok(NULL, ",\n"))
            fields[nf++] = tok;
        if (nf != 3 + LGX_M_COUNT) {
            fprintf(stderr, "livegym compare: %s:%d: expected %d fields, found %d\n", path, lineno, 3 + LGX_M_COUNT, nf);
            rc = -1;
            break;
        }
        int a = label_index(f, fields[0], 1);
        long seed = strtol(fields[1], NULL, 10), step = strtol(fields[2], NULL, 10);
        if (a < 0 || seed < 1 || seed > MAX_SEEDS) {
            fprintf(stderr, "livegym compare: %s:%d: expected at most %d agents and seeds in [1, %d]\n", path, lineno,
                    MAX_LABELS, MAX_SEEDS);
            rc = -1;
            break;
        }
        size_t at = (size_t)a * MAX_SEEDS + (size_t)(seed - 1);
        if (step >= f->step[at]) {
            f->step[at] = step;
            f->final[at] = strtod(fields[3 + metric], NULL);
        }
    }
    fclose(fp);
    return rc;
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
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: livegym compare DIR_A DIR_B [--metric NAME]\n\n"
                   "Final evaluations of two results folders side by side, with the paired difference B - A\n"
                   "(mean ± 95%% CI over the seeds both ran). Metrics: the columns of curves.csv.\n");
            return 0;
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
    folder f[2];
    memset(f, 0, sizeof f);
    int rc = 2;
    if (read_folder(dirs[0], metric, &f[0]) || read_folder(dirs[1], metric, &f[1])) goto out;
    printf("%s: A = %s, B = %s; final evaluation; mean ± 95%% CI over seeds; B - A paired by seed\n\n", metric_name,
           dirs[0], dirs[1]);
    printf("%-20s", "agent");
    cell("A", 22), cell("B", 22), cell("B - A", 22);
    printf("   seeds\n");
    for (int a = 0; a < f[0].n_labels; a++) {
        int b = label_index(&f[1], f[0].labels[a], 0);
        double xa[MAX_SEEDS], xb[MAX_SEEDS], pa[MAX_SEEDS], pb[MAX_SEEDS];
        int na = 0, nb = 0, np = 0;
        for (int s = 0; s < MAX_SEEDS; s++) {
            double va = f[0].final[(size_t)a * MAX_SEEDS + s];
            double vb = b >= 0 ? f[1].final[(size_t)b * MAX_SEEDS + s] : NAN;
            if (!isnan(va)) xa[na++] = va;
            if (!isnan(vb)) xb[nb++] = vb;
            if (!isnan(va) && !isnan(vb)) pa[np] = va, pb[np++] = vb;
        }
        char ca[64], cb[64], cd[64];
        fmt(ca, sizeof ca, lgx_stat_of(xa, na));
        fmt(cb, sizeof cb, lgx_stat_of(xb, nb));
        fmt(cd, sizeof cd, lgx_stat_paired(pb, pa, np));
        printf("%-20s", f[0].labels[a]);
        cell(ca, 22), cell(cb, 22), cell(cd, 22);
        printf("   %5d\n", np);
    }
    for (int b = 0; b < f[1].n_labels; b++)
        if (label_index(&f[0], f[1].labels[b], 0) < 0) printf("%-20s (only in B)\n", f[1].labels[b]);
    rc = 0;
out:
    for (int i = 0; i < 2; i++) free(f[i].final), free(f[i].step);
    return rc;
}
