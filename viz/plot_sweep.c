/* `livegym plot --sweep PARAM`: a results folder's final metric against one
 * hyperparameter (lgv_app.h), read from its summary.json, which is as
 * hostile as any file: every field is checked before use. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "lg_file.h"
#include "lgv_app.h"
#include "lgv_draw.h"
#include "lgx_experiment.h"
#include "lgx_folder.h"

typedef struct {
    char key[600];   /* name and the other hyperparameters: one family */
    char label[96];
    int random;      /* a random search's samples: points, not a line */
    int n;
    double *x, *y, *lo, *hi;
} family;

typedef struct {
    int n, cap;
    family *f;
} families;

static family *family_of(families *fs, const char *key, const char *label, int random, int max_points)
{
    for (int i = 0; i < fs->n; i++)
        if (!strcmp(fs->f[i].key, key)) return &fs->f[i];
    if (fs->n == fs->cap) return NULL; /* cap = agents: never reached */
    family *f = &fs->f[fs->n++];
    memset(f, 0, sizeof *f);
    snprintf(f->key, sizeof f->key, "%s", key);
    snprintf(f->label, sizeof f->label, "%s", label);
    f->random = random;
    f->x = calloc((size_t)max_points, sizeof(double));
    f->y = calloc((size_t)max_points, sizeof(double));
    f->lo = calloc((size_t)max_points, sizeof(double));
    f->hi = calloc((size_t)max_points, sizeof(double));
    return f->x && f->y && f->lo && f->hi ? f : NULL;
}

/* The family's legend: the label without " PARAM=value" (a grid's), or the
 * agent's name for a random search. */
static void family_label(const char *label, const char *name, const char *param, int random, char *out, size_t n)
{
    if (random) {
        snprintf(out, n, "%s (random search)", name);
        return;
    }
    char tok[80];
    snprintf(tok, sizeof tok, " %s=", param);
    const char *at = strstr(label, tok);
    if (!at) {
        snprintf(out, n, "%s", label);
        return;
    }
    const char *end = strchr(at + 1, ' ');
    snprintf(out, n, "%.*s%s", (int)(at - label), label, end ? end : "");
}

/* One agent of summary.json: its point on the chart, if it has the
 * hyperparameter as a number. 0, or 2 with a message. */
static int add_agent(const cJSON *a, int i, const char *param, const char *metric, int live, families *fs, int cap,
                     char *seen, size_t seen_n, char *err, size_t errsz)
{
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(a, "label");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(a, "name");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(a, "params");
    if (!cJSON_IsString(label) || !cJSON_IsObject(params) || !cJSON_IsString(name))
        return snprintf(err, errsz, "summary.json: agents[%d]: expected a label, a name and params (a summary "
                                    "written by this livegym)", i), 2;
    for (const cJSON *p = params->child; p; p = p->next)
        if (cJSON_IsNumber(p) && !strstr(seen, p->string) && strlen(seen) + strlen(p->string) + 3 < seen_n)
            strcat(strcat(seen, seen[0] ? ", " : ""), p->string);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, param);
    if (!cJSON_IsNumber(v)) return 0;
    double y, ci = NAN;
    const cJSON *m = live ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(a, "metrics"), metric)
                          : cJSON_GetObjectItemCaseSensitive(a, metric);
    const cJSON *mean = live ? cJSON_GetObjectItemCaseSensitive(m, "mean") : m;
    if (!m || !(cJSON_IsNumber(mean) || cJSON_IsNull(mean)))
        return snprintf(err, errsz, "summary.json: agents[%d]: no metric \"%s\" (the metrics of docs/results.md%s)",
                        i, metric, live ? "" : ": mean_reward, mean_reward_last_10pct, pct_optimal_last_10pct"),
               2;
    y = cJSON_IsNumber(mean) ? mean->valuedouble : NAN;
    if (live) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "ci95");
        ci = cJSON_IsNumber(c) ? c->valuedouble : NAN;
    }
    const char *nm = name->valuestring;
    int random = strchr(label->valuestring, '#') != NULL;
    cJSON *rest = cJSON_Duplicate(params, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(rest, param);
    char *text = rest ? cJSON_PrintUnformatted(rest) : NULL;
    cJSON_Delete(rest);
    char key[600], leg[96];
    snprintf(key, sizeof key, "%s\x01%s", nm, random ? "#" : text ? text : "");
    free(text);
    family_label(label->valuestring, nm, param, random, leg, sizeof leg);
    family *f = family_of(fs, key, leg, random, cap);
    if (!f) return snprintf(err, errsz, "out of memory"), 1;
    f->x[f->n] = v->valuedouble;
    f->y[f->n] = y;
    f->lo[f->n] = y - ci;
    f->hi[f->n] = y + ci;
    f->n++;
    return 0;
}

static void sort_family(family *f)
{
    for (int i = 1; i < f->n; i++)
        for (int j = i; j > 0 && f->x[j - 1] > f->x[j]; j--) {
            double *arr[4] = {f->x, f->y, f->lo, f->hi};
            for (int k = 0; k < 4; k++) {
                double t = arr[k][j];
                arr[k][j] = arr[k][j - 1], arr[k][j - 1] = t;
            }
        }
}

static int draw(const cJSON *sum, families *fs, const char *param, const char *metric, int live,
                const char *out_png, const lgv_plot_options *o, char *err, size_t errsz)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < fs->n; i++)
        for (int k = 0; k < fs->f[i].n; k++) lo = fmin(lo, fs->f[i].x[k]), hi = fmax(hi, fs->f[i].x[k]);
    int log2x = lo > 0 && hi / lo >= 8;
    lgv_chart_series *sr = calloc((size_t)fs->n, sizeof *sr);
    if (!sr) return snprintf(err, errsz, "out of memory"), 1;
    for (int i = 0; i < fs->n; i++) {
        family *f = &fs->f[i];
        sort_family(f);
        if (log2x)
            for (int k = 0; k < f->n; k++) f->x[k] = log2(f->x[k]);
        sr[i] = (lgv_chart_series){.label = f->label, .color = lgv_agent_color(i), .n = f->n, .x = f->x, .y = f->y,
                                   .lo = live && !f->random ? f->lo : NULL, .hi = live && !f->random ? f->hi : NULL,
                                   .width = 2.2f, .markers = 1, .points_only = f->random, .in_legend = 1};
    }
    const cJSON *scen = cJSON_GetObjectItemCaseSensitive(sum, "scenario");
    const cJSON *seeds = cJSON_GetObjectItemCaseSensitive(sum, live ? "seeds" : "runs");
    char title[256], sub[256], xlabel[128];
    snprintf(title, sizeof title, "%s", o->title ? o->title : cJSON_IsString(scen) ? scen->valuestring : "sweep");
    if (live)
        snprintf(sub, sizeof sub, "%s at the final evaluation against %s: mean and 95%% CI over %d seeds", metric,
                 param, cJSON_IsNumber(seeds) ? seeds->valueint : 0);
    else
        snprintf(sub, sizeof sub, "%s against %s, averaged over %d runs", metric, param,
                 cJSON_IsNumber(seeds) ? seeds->valueint : 0);
    snprintf(xlabel, sizeof xlabel, "%s%s", param, log2x ? " (log scale)" : "");
    lgv_chart ch = {.title = title, .subtitle = sub, .xlabel = xlabel, .ylabel = metric, .series = sr,
                    .n_series = fs->n, .legend = LGV_LEGEND_RIGHT, .title_font = LGV_FONT_TITLE,
                    .label_font = LGV_FONT_NORMAL, .band_alpha = 0.16f, .x_log2 = log2x};
    int W = o->width > 0 ? o->width : 1000, H = o->height > 0 ? o->height : 620;
    int rc = lgv_chart_png(&ch, W, H, o->font_path, out_png, err, errsz);
    free(sr);
    return rc;
}

static int plot_summary(const cJSON *sum, const char *out_png, const lgv_plot_options *o, char *err, size_t errsz)
{
    const cJSON *proto = cJSON_GetObjectItemCaseSensitive(sum, "protocol");
    const cJSON *agents = cJSON_GetObjectItemCaseSensitive(sum, "agents");
    if (!cJSON_IsString(proto) || !cJSON_IsArray(agents))
        return snprintf(err, errsz, "summary.json: expected a protocol and an array of agents"), 2;
    int live = !strcmp(proto->valuestring, "train-eval"), n = cJSON_GetArraySize(agents);
    if (n > LGX_MAX_AGENTS)
        return snprintf(err, errsz, "summary.json: expected at most %d agents (as a run writes), found %d",
                        LGX_MAX_AGENTS, n),
               2;
    const char *metric = o->metric ? o->metric : live ? "return" : "mean_reward";
    families fs = {0, n, calloc((size_t)(n > 0 ? n : 1), sizeof(family))};
    char seen[512] = "";
    int rc = fs.f ? 0 : (snprintf(err, errsz, "out of memory"), 1), i = 0;
    for (const cJSON *a = agents->child; a && rc == 0; a = a->next, i++)
        rc = add_agent(a, i, o->sweep, metric, live, &fs, n, seen, sizeof seen, err, errsz);
    if (rc == 0 && fs.n == 0)
        rc = 2, snprintf(err, errsz, "summary.json: expected agents with hyperparameter \"%s\" as a number, found none "
                                     "(numeric hyperparameters here: %s)",
                         o->sweep, seen[0] ? seen : "none");
    if (rc == 0) rc = draw(sum, &fs, o->sweep, metric, live, out_png, o, err, errsz);
    for (int k = 0; k < fs.n; k++) free(fs.f[k].x), free(fs.f[k].y), free(fs.f[k].lo), free(fs.f[k].hi);
    free(fs.f);
    return rc;
}

int lgv_plot_sweep(const char *folder, const char *out_png, const lgv_plot_options *o, char *err, size_t errsz)
{
    struct stat st;
    if (stat(folder, &st) != 0 || !S_ISDIR(st.st_mode))
        return snprintf(err, errsz, "%s: expected a results folder written by livegym run --out", folder), 2;
    const char *files[] = {"summary.json", "scenario.json", NULL};
    lgx_folder info = {1, 0, 0, "", -1};
    int rc = lgx_folder_check(folder, files, o->partial, &info, err, errsz);
    if (rc) return rc;
    char path[4300], *buf = NULL;
    size_t n = 0;
    snprintf(path, sizeof path, "%.4000s/summary.json", folder);
    rc = lg_read_file(path, 64u << 20, &buf, &n, err, errsz) ? 2 : 0;
    lgx_folder_release(&info);
    if (rc) return rc;
    cJSON *sum = cJSON_ParseWithLength(buf, n);
    free(buf);
    if (!sum) return snprintf(err, errsz, "%s: not JSON", path), 2;
    rc = plot_summary(sum, out_png, o, err, errsz);
    cJSON_Delete(sum);
    return rc;
}
