/* A fixed ranking policy: score every channel for a slot, recommend the top
 * k on-air ones (ties broken at random). random, popular and oracle are
 * rankers that differ only in how they score; none of them learns. */
#ifndef LGA_RANKER_H
#define LGA_RANKER_H

#include "lga_agent.h"

typedef struct lga_ranker lga_ranker;
typedef void (*lga_score_fn)(lga_ranker *r, const lga_obs_batch *b, int slot, float *score);

struct lga_ranker {
    lga_agent base;
    lg_stream rng;
    float *score;        /* [n_actions] */
    int column;          /* a channel-row offset the scorer reads, or -1 */
    lga_score_fn score_fn;
};

/* Checks that params has no keys (rankers have no hyperparameters). */
lga_agent *lga_ranker_create(const char *name, const char *params, const lga_obs_batch *shape, uint64_t seed,
                             lga_score_fn fn, int column, char *err, size_t errsz);
void lga_ranker_act(lga_agent *a, const lga_obs_batch *b, int greedy, int32_t *actions);
void lga_ranker_update(lga_agent *a, const lga_transition_batch *tr);
void lga_ranker_free(lga_agent *a);
int lga_ranker_state(lga_agent *a, lga_state_block *blocks);

#endif
