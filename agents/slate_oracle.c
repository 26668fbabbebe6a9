/* slate-oracle (CHEATING): the slate with the highest expected immediate
 * reward under the true state and the scenario's slate choice model
 * (docs/model.md "Slates"), found exactly; the myopic `oracle` instead
 * shows the k channels best alone, which no model makes optimal in
 * general. Per channel on air: its choice weight and the reward of a step
 * in which it is taken (lg_env_item_truth), handed to the exact solvers of
 * lga_slate.h (logit family, position factors decay^j; cascade).
 * Myopic all the same: it ignores what a slate does to the session. */
#include <stdio.h>
#include <stdlib.h>

#include "lga_agent.h"
#include "lga_params.h"
#include "lga_slate.h"

typedef struct {
    lga_agent base;
    lg_stream rng;
    double *w, *r;       /* [n] */
    lga_slate_solver solver;
} so_agent;

static void act(lga_agent *base, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    (void)greedy;
    so_agent *a = (so_agent *)base;
    const lg_scenario *sc = lg_env_scenario(b->env);
    const int k = b->slate_size;
    const double d = sc->position_decay;
    double f[LG_MAX_SLATE], value;
    for (int j = 0; j < k; j++) f[j] = j ? f[j - 1] * d : 1.0;
    for (int i = 0; i < b->n; i++) {
        const uint8_t *mask = &b->mask[(size_t)i * b->n_actions];
        int32_t *out = &actions[(size_t)i * k];
        lg_env_item_truth(b->env, i, a->w, a->r);
        int got = sc->slate_choice == LG_SLATE_CASCADE
                      ? lga_slate_cascade(&a->solver, a->w, a->r, mask, k, d, out, &value)
                      : lga_slate_logit(&a->solver, a->w, a->r, mask, k, sc->slate_choice == LG_SLATE_POSITION ? f : NULL,
                                        out, &value);
        lga_slate_fill(&a->solver, mask, got, k, &a->rng, out);
    }
}

static void update(lga_agent *a, const lga_transition_batch *tr) { (void)a, (void)tr; }

static void destroy(lga_agent *base)
{
    so_agent *a = (so_agent *)base;
    lga_slate_solver_free(&a->solver);
    free(a->w), free(a->r), free(a);
}

static lga_agent *create(const char *params, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    static const lga_param none[] = {{0}};
    int unused;
    if (lga_params_parse("slate-oracle", params, none, &unused, err, errsz)) return NULL;
    so_agent *a = calloc(1, sizeof *a);
    size_t n = (size_t)shape->n_actions, k = (size_t)shape->slate_size;
    if (!a || !(a->w = malloc(n * sizeof(double))) || !(a->r = malloc(n * sizeof(double))) ||
        lga_slate_solver_init(&a->solver, (int)n, (int)k)) {
        if (a) destroy(&a->base);
        snprintf(err, errsz, "slate-oracle: out of memory");
        return NULL;
    }
    a->rng = lg_stream_make(seed, LGA_STREAM, 0);
    return &a->base;
}

static int state(lga_agent *base, lga_state_block *blocks)
{
    so_agent *a = (so_agent *)base;
    blocks[0] = LGA_RAW_BLOCK("rng", &a->rng, sizeof a->rng);
    return 1;
}

const lga_agent_type lga_slate_oracle_type = {
    .name = "slate-oracle",
    .summary = "CHEATING slate oracle: the slate with the best expected immediate reward under the true state and the "
               "scenario's slate choice model, found exactly",
    .cheats = 1,
    .create = create,
    .act = act,
    .update = update,
    .free = destroy,
    .state = state,
};
