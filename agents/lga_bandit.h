/* Shared plumbing of the bandit agents: value tables indexed by (context,
 * action), where the context is nothing (one bandit for the whole platform)
 * or the tabular state id (a separate bandit per state), and the reward each
 * shown item earned. */
#ifndef LGA_BANDIT_H
#define LGA_BANDIT_H

#include <stdio.h>
#include <string.h>

#include <stddef.h>

#include "lga_agent.h"
#include "lga_params.h"

typedef struct {
    int by_state; /* context "state": one table per tabular state */
    int n_ctx;
    int n_actions;
} lga_contexts;

static const char *const lga_context_choices[] = {"none", "state", NULL};

/* The "context" row of a bandit's table, for its params struct TYPE with an
 * int FIELD. */
#define LGA_PARAM_CONTEXT(TYPE, FIELD)                                                                             \
    {"context", LGA_CHOICE, offsetof(TYPE, FIELD), "none", 0, 0, lga_context_choices, 0,                         \
     "none = one bandit for the whole platform; state = one bandit per tabular state"}

static inline void lga_contexts_init(int by_state, const lga_obs_batch *shape, lga_contexts *c)
{
    c->by_state = by_state;
    c->n_ctx = by_state ? shape->n_states : 1;
    c->n_actions = shape->n_actions;
}

/* Row of the value table for slot i of batch b. */
static inline size_t lga_ctx_row(const lga_contexts *c, const lga_obs_batch *b, int i)
{
    return c->by_state ? (size_t)b->state[i] * (size_t)c->n_actions : 0;
}

/* The scores hook of a bandit whose values are a table [n_ctx][n_actions]:
 * slot's row. */
static inline int lga_ctx_scores(const lga_contexts *c, const float *table, const lga_obs_batch *b, int slot,
                                 float *out)
{
    memcpy(out, &table[lga_ctx_row(c, b, slot)], sizeof(float) * (size_t)c->n_actions);
    return 1;
}

/* Reward credited to slate item j of slot i: with one item, the step reward;
 * with a slate, the reward goes to the item the viewer watched, 0 to the rest. */
static inline float lga_item_reward(const lga_transition_batch *tr, int i, int j)
{
    int k = tr->obs->slate_size;
    if (k == 1) return tr->reward[i];
    return tr->info[i].position == j ? tr->reward[i] : 0.0f;
}

/* The recommended items of a transition batch, one at a time, with the row
 * of the value table they belong to and the reward credited to them:
 *     for (lga_shown it = LGA_SHOWN_START; lga_next_shown(&ctx, tr, &it);) ...
 * Out-of-range items (never produced by the agents) are skipped. */
typedef struct {
    int slot, item;
    size_t row;      /* lga_ctx_row of the slot */
    int32_t channel;
    float reward;    /* lga_item_reward */
} lga_shown;
#define LGA_SHOWN_START ((lga_shown){0, -1, 0, 0, 0.0f})

static inline int lga_next_shown(const lga_contexts *c, const lga_transition_batch *tr, lga_shown *it)
{
    const lga_obs_batch *b = tr->obs;
    for (;;) {
        if (++it->item >= b->slate_size) it->item = 0, it->slot++;
        if (it->slot >= b->n) return 0;
        int32_t ch = tr->actions[(size_t)it->slot * b->slate_size + it->item];
        if (ch < 0 || ch >= b->n_actions || lga_idle(tr, it->slot)) continue;
        it->row = lga_ctx_row(c, b, it->slot);
        it->channel = ch;
        it->reward = lga_item_reward(tr, it->slot, it->item);
        return 1;
    }
}

#endif
