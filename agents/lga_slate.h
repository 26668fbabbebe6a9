/* The best slate of k items under a choice model, given per item a choice
 * weight and the value of a step in which it is taken: shared by the
 * slate-oracle (true weights, immediate rewards) and SlateQ (learned
 * weights, long-term values). docs/model.md "Slates" states the models. */
#ifndef LGA_SLATE_H
#define LGA_SLATE_H

#include <stdint.h>

#include "lg_rng.h"

typedef struct {
    double key;
    int idx;
} lga_keyed;

/* Scratch for n actions and slates of k, allocated once. */
typedef struct {
    int n, k;
    double *key;      /* [n] */
    int *order;       /* [n] */
    double *dp;       /* [(n + 1) * (k + 1)] */
    float *tmp;       /* [n] */
    lga_keyed *pairs; /* [n] */
} lga_slate_solver;

int lga_slate_solver_init(lga_slate_solver *s, int n_actions, int k); /* 0, or -1: out of memory */
void lga_slate_solver_free(lga_slate_solver *s);

/* Items: action a can be placed when mask[a] and w[a] > 0 (both finite, r
 * finite too). r[a] is the value of a step in which the viewer takes a,
 * counted from the value of one in which they take nothing.
 *
 * Logit family: the item at position j has weight f[j] w (f NULL: every
 * f[j] 1, the plain multinomial logit), the no-choice option weight 1, and
 * the slate is worth sum f w r / (1 + sum f w). Exact, by Dinkelbach's
 * iteration: for a value l the best assignment puts the k largest w (r - l)
 * in the positions of largest f (the rearrangement inequality), and l is
 * raised to that slate's value until it stops rising.
 *
 * Cascade: the viewer looks down the slate, takes an item with probability
 * p = w / (1 + w), and passing it looks at the next with probability d: the
 * slate is worth p1 r1 + d (1 - p1) (p2 r2 + ...). Swapping neighbours
 * shows that any set is best in decreasing p r / (1 - d (1 - p)); over
 * those orders a dynamic programme picks the best k. Exact.
 *
 * Both write out[0..m) with m = min(k, items that can be placed), return
 * m, and set *value to the slate's worth (0 when m is 0): with fewer items
 * than positions the items take the first m positions, and the logit's
 * best assignment is over those positions' factors. */
int lga_slate_logit(lga_slate_solver *s, const double *w, const double *r, const uint8_t *mask, int k,
                    const double *f, int32_t *out, double *value);
int lga_slate_cascade(lga_slate_solver *s, const double *w, const double *r, const uint8_t *mask, int k, double d,
                      int32_t *out, double *value);

/* Fill out[got..k) with distinct actions not in out[0..got), on-air first,
 * as lga_top_k fills a slate (fewer channels on air than the slate). */
void lga_slate_fill(lga_slate_solver *s, const uint8_t *mask, int got, int k, lg_stream *rng, int32_t *out);

#endif
