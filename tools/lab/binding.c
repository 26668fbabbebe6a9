/* lgx_run_text: `livegym run` for a binding, without a results folder and
 * with the binding's own agents (lgx_binding.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lgx_results.h"

/* The caller's types by name: never a registry name (an experiment could
 * not say which it means), never twice. */
static int check_types(const lga_agent_type *const *types, int n, char *err, size_t errsz)
{
    if (n < 0 || (n > 0 && !types)) return snprintf(err, errsz, "expected a list of agent types, found none"), -1;
    for (int i = 0; i < n; i++) {
        const lga_agent_type *t = types[i];
        if (!t || !t->name || !*t->name || strlen(t->name) >= LG_NAME_LEN || !t->create || !t->act || !t->free)
            return snprintf(err, errsz, "agent type %d: expected a name of 1 to %d characters and create, act and "
                                        "free callbacks", i, LG_NAME_LEN - 1), -1;
        if (strchr(t->name, ','))
            return snprintf(err, errsz, "agent type \"%s\": expected a name without commas", t->name), -1;
        if (lga_find(t->name))
            return snprintf(err, errsz, "agent type \"%s\": expected a name that is not a built-in agent's",
                            t->name), -1;
        for (int j = 0; j < i; j++)
            if (!strcmp(types[j]->name, t->name))
                return snprintf(err, errsz, "agent type \"%s\": expected distinct names, found it twice", t->name),
                       -1;
    }
    return 0;
}

typedef struct {
    void (*fn)(double fraction);
} progress_ctx;

static void progress(void *ctx, const lgx_progress *p)
{
    ((progress_ctx *)ctx)->fn(p->fraction);
}

int lgx_run_text(const char *text, size_t len, const char *source_name, const lgx_run_options *o,
                 const lga_agent_type *const *types, int n_types, volatile sig_atomic_t *stop,
                 void (*on_progress)(double fraction), char **summary, char **curves, char **notes, char *err,
                 size_t errsz)
{
    *summary = *curves = *notes = NULL;
    if (check_types(types, n_types, err, errsz)) return 2;
    lg_scenario *sc = malloc(sizeof *sc);
    lgx_run_config *cfg = calloc(1, sizeof *cfg); /* its experiment is large: not on a caller's stack */
    lg_sbuf nb = {0};
    if (!sc || !cfg) return free(sc), free(cfg), snprintf(err, errsz, "out of memory"), -1;
    int rc = text ? lgx_load_string(text, len, source_name ? source_name : "scenario", sc, &cfg->ex, err, errsz)
                  : lgx_load_default(sc, &cfg->ex, err, errsz);
    for (int a = 0; a < cfg->ex.n_agents && !rc; a++)
        for (int t = 0; t < n_types && !rc; t++)
            if (!strcmp(cfg->ex.agents[a].label, types[t]->name) || !strcmp(cfg->ex.agents[a].name, types[t]->name))
                rc = 1, snprintf(err, errsz, "agent type \"%s\": expected a name that is not one of the file's "
                                             "agents (experiment.agents[%d])", types[t]->name, a);
    if (rc || lgx_apply_options(o, "", source_name, sc, &cfg->ex, &nb, err, errsz)) {
        free(sc), free(cfg), free(nb.p);
        return 2;
    }
    for (int a = 0; a < cfg->ex.n_agents; a++)
        for (int t = 0; t < n_types; t++)
            if (!strcmp(cfg->ex.agents[a].name, types[t]->name)) cfg->ex.agents[a].type = types[t];
    cfg->sc = sc;
    cfg->threads = (int)o->threads;
    volatile sig_atomic_t never = 0;
    cfg->stop = stop ? stop : &never;
    progress_ctx pc = {on_progress};
    if (on_progress) cfg->on_progress = progress, cfg->progress_ctx = &pc;
    lgx_run_result res;
    rc = lgx_run(cfg, &res, err, errsz);
    if (rc >= 0) {
        *summary = lgx_results_summary_text(cfg, &res);
        *curves = lgx_results_curves_text(cfg, &res);
        int oom = nb.oom;
        *notes = lg_sb_take(&nb);
        if (!*notes && !oom) *notes = calloc(1, 1);
        if (!*summary || !*curves || !*notes) {
            free(*summary), free(*curves), free(*notes);
            *summary = *curves = *notes = NULL;
            rc = -1, snprintf(err, errsz, "out of memory");
        }
    }
    lg_sb_free(&nb);
    lgx_run_result_free(&res);
    free(sc), free(cfg);
    return rc == -2 ? 2 : rc;
}
