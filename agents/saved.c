/* saved: a kept agent (lga_policy.h) played back frozen. It acts as the
 * trained agent acts greedily, never explores and never learns, in any world
 * whose observation and actions fit its state: the policy leaves the run
 * that trained it (`livegym eval`, docs/results.md "Kept agents"). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "lga_params.h"
#include "lga_policy.h"

#define FILE_LEN 400

typedef struct {
    char file[FILE_LEN];
} saved_params;

static const lga_param saved_table[] = {
    {"file", LGA_STRING, offsetof(saved_params, file), "", 0, 0, NULL, FILE_LEN,
     "a kept agent (runs/LABEL/seed-S.policy of a results folder made with --keep-agents), or its folder runs/LABEL: "
     "seed s then plays seed-s.policy"},
    {NULL, 0, 0, NULL, 0, 0, NULL, 0, NULL},
};

typedef struct {
    lga_agent base;
    lga_agent *inner;
} saved_agent;

static lga_agent *create(const char *params, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    saved_params p;
    if (lga_params_parse("saved", params, saved_table, &p, err, errsz)) return NULL;
    if (!p.file[0]) {
        snprintf(err, errsz, "saved.params.file: expected the path of a kept agent (livegym run --keep-agents), "
                             "found none");
        return NULL;
    }
    char path[FILE_LEN + 40];
    lga_policy_path(p.file, (long)seed, path, sizeof path);
    lga_policy pol;
    if (lga_policy_read(path, &pol, err, errsz)) return NULL;
    saved_agent *a = calloc(1, sizeof *a);
    if (a) a->inner = lga_policy_agent(&pol, path, shape, err, errsz);
    else snprintf(err, errsz, "saved: out of memory");
    lga_policy_free(&pol);
    if (a && !a->inner) free(a), a = NULL;
    return a ? &a->base : NULL;
}

static void act(lga_agent *base, const lga_obs_batch *obs, int greedy, int32_t *actions)
{
    (void)greedy; /* frozen: the greedy policy always */
    lga_agent *in = ((saved_agent *)base)->inner;
    in->type->act(in, obs, 1, actions);
}

static void update(lga_agent *base, const lga_transition_batch *tr) { (void)base, (void)tr; }

static void destroy(lga_agent *base)
{
    saved_agent *a = (saved_agent *)base;
    lga_free(a->inner);
    free(a);
}

/* The trained agent's own blocks: a checkpoint keeps where its random
 * tie-breaking stands. */
static int state(lga_agent *base, lga_state_block *blocks)
{
    lga_agent *in = ((saved_agent *)base)->inner;
    return in->type->state(in, blocks);
}

static int check(const lga_agent *base, char *err, size_t errsz)
{
    const lga_agent *in = ((const saved_agent *)base)->inner;
    return in->type->check ? in->type->check(in, err, errsz) : 0;
}

static int scores(lga_agent *base, const lga_obs_batch *b, int slot, float *out)
{
    lga_agent *in = ((saved_agent *)base)->inner;
    return in->type->scores ? in->type->scores(in, b, slot, out) : 0;
}

const lga_agent_type lga_saved_type = {
    .name = "saved",
    .summary = "a kept agent (livegym run --keep-agents) played back frozen and greedy",
    .params = saved_table,
    .create = create,
    .act = act,
    .update = update,
    .free = destroy,
    .state = state,
    .check = check,
    .scores = scores,
};
