#include <stdio.h>
#include <stdlib.h>

#include "lga_params.h"
#include "lga_ranker.h"

lga_agent *lga_ranker_create(const char *name, const char *params, const lga_obs_batch *shape, uint64_t seed,
                             lga_score_fn fn, int column, char *err, size_t errsz)
{
    static const lga_param none[] = {{0}};
    int unused;
    if (lga_params_parse(name, params, none, &unused, err, errsz)) return NULL;
    lga_ranker *r = calloc(1, sizeof *r);
    float *score = calloc((size_t)shape->n_actions, sizeof(float));
    if (!r || !score) {
        free(r), free(score);
        snprintf(err, errsz, "%s: out of memory", name);
        return NULL;
    }
    r->score = score;
    r->column = column;
    r->score_fn = fn;
    r->rng = lg_stream_make(seed, LGA_STREAM, 0);
    return &r->base;
}

void lga_ranker_act(lga_agent *base, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    (void)greedy;
    lga_ranker *r = (lga_ranker *)base;
    for (int i = 0; i < b->n; i++) {
        r->score_fn(r, b, i, r->score);
        lga_top_k(r->score, &b->mask[(size_t)i * b->n_actions], b->n_actions, b->slate_size, &r->rng,
                  &actions[(size_t)i * b->slate_size]);
    }
}

void lga_ranker_update(lga_agent *a, const lga_transition_batch *tr) { (void)a, (void)tr; }

void lga_ranker_free(lga_agent *base)
{
    lga_ranker *r = (lga_ranker *)base;
    free(r->score);
    free(r);
}

int lga_ranker_state(lga_agent *base, lga_state_block *blocks)
{
    lga_ranker *r = (lga_ranker *)base;
    blocks[0] = LGA_RAW_BLOCK("rng", &r->rng, sizeof r->rng);
    return 1;
}
