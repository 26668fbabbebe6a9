/* The experiment options of `livegym run` and of the bindings (lgx_binding.h)
 * over a file's experiment section: one set of checks for both. */
#include <stdio.h>
#include <string.h>

#include "lgx_run.h"

void lgx_run_options_init(lgx_run_options *o)
{
    *o = (lgx_run_options){.seeds = -1, .steps = -1, .minutes = -1, .eval_every = -1, .sessions = -1, .slots = -1,
                           .threads = 1};
}

/* A given option (not -1) within [lo, hi]. */
static int in_range(long v, long lo, long hi, const char *prefix, const char *name, char *err, size_t errsz)
{
    if (v == -1 || (v >= lo && v <= hi)) return 0;
    snprintf(err, errsz, "%s%s: expected an integer in [%ld, %ld], found %ld", prefix, name, lo, hi, v);
    return -1;
}

int lgx_apply_options(const lgx_run_options *o, const char *prefix, const char *file, const lg_scenario *sc,
                      lgx_experiment *ex, lg_sbuf *notes, char *err, size_t errsz)
{
    if (in_range(o->seeds, 1, 100000, prefix, "seeds", err, errsz) ||
        in_range(o->steps, 0, 2000000000L, prefix, "steps", err, errsz) ||
        in_range(o->eval_every, 1, 2000000000L, prefix, *prefix == '-' ? "eval-every" : "eval_every", err, errsz) ||
        in_range(o->sessions, 1, 10000000, prefix, "sessions", err, errsz) ||
        in_range(o->slots, 1, 100000, prefix, "slots", err, errsz) ||
        in_range(o->threads, 1, 256, prefix, "threads", err, errsz))
        return -1;
    if (o->minutes != -1 && !(o->minutes >= 0 && o->minutes <= 1e8))
        return snprintf(err, errsz, "%sminutes: expected a number in [0, 1e8], found %g", prefix, o->minutes), -1;
    if (o->steps >= 0 && o->minutes >= 0)
        return snprintf(err, errsz, "expected either %ssteps or %sminutes, found both", prefix, prefix), -1;
    int claims = ex->n_claims;
    char e[512];
    if (o->agents && lgx_select_agents(ex, o->agents, LGX_MAX_AGENTS, ex, e, sizeof e))
        return snprintf(err, errsz, "%sagents: %s", prefix, e), -1;
    if (ex->n_claims < claims)
        lg_sb_printf(notes, "%d of the file's %d claims name agents %s; they are not checked\n",
                     claims - ex->n_claims, claims, *prefix ? "that --agents leaves out" : "this run leaves out");
    if (o->seeds > 0) ex->seeds = (int)o->seeds;
    if (o->steps >= 0) ex->train_steps = (int)o->steps, ex->train_minutes = 0;
    if (o->minutes >= 0) ex->train_minutes = (float)o->minutes, ex->train_steps = 0;
    if (o->eval_every > 0) ex->eval_every = (int)o->eval_every, ex->eval_every_minutes = 0;
    if (o->sessions > 0) ex->eval_sessions = (int)o->sessions, ex->eval_days = 0; /* asked for sessions */
    if (o->slots > 0) ex->slots = (int)o->slots;
    if (o->baseline) snprintf(ex->baseline, sizeof ex->baseline, "%s", o->baseline);
    if (o->keep_agents && sc->kind != LG_KIND_LIVE)
        return snprintf(err, errsz, "%skeep%sagents: only the live protocol keeps its trained agents; this is a %s "
                                    "world", prefix, *prefix == '-' ? "-" : "_", lg_env_kind_name(sc->kind)), -1;
    if (o->keep_agents) ex->keep_agents = 1;
    for (int a = 0; a < ex->n_agents && ex->keep_agents; a++)
        if (ex->agents[a].type)
            return snprintf(err, errsz, "%skeep%sagents: agent \"%s\" is the caller's own; only the registry's "
                                        "agents can be kept", prefix, *prefix == '-' ? "-" : "_", ex->agents[a].label), -1;
    lgx_resolve_budget(ex, sc);
    if (ex->slots > sc->n_viewers)
        return snprintf(err, errsz, "%sslots: expected at most population.viewers (%d), found %d", prefix,
                        sc->n_viewers, ex->slots), -1;
    if (ex->n_agents == 0)
        return snprintf(err, errsz, "no agents to run (experiment.agents is empty and %sagents not given)", prefix),
               -1;
    if (o->baseline && lgx_baseline_index(ex) < 0)
        return snprintf(err, errsz, "%sbaseline: expected one of the agents' labels, found \"%s\"", prefix,
                        o->baseline), -1;
    if (lgx_check_reach(sc, ex, e, sizeof e))
        lg_sb_printf(notes, "%s: %s (this run will not see it)\n", file ? file : "scenario", e);
    return 0;
}
