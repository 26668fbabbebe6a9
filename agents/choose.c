/* Choosing among channels: uniformly at random, the best, the best k;
 * ties broken uniformly at random (reservoir sampling). */
#include "lga_agent.h"

int32_t lga_random_valid(const uint8_t *mask, int n_actions, lg_stream *rng)
{
    int n_on = 0;
    for (int c = 0; c < n_actions; c++) n_on += mask[c] != 0;
    if (n_on == 0) return 0;
    int pick = (int)lg_stream_below(rng, (uint32_t)n_on);
    for (int c = 0; c < n_actions; c++)
        if (mask[c] && pick-- == 0) return c;
    return 0;
}

int32_t lga_argmax_valid(const float *scores, const uint8_t *mask, int n_actions, lg_stream *rng)
{
    int best = -1, ties = 0;
    for (int c = 0; c < n_actions; c++) {
        if (!mask[c]) continue;
        if (best < 0 || scores[c] > scores[best]) {
            best = c;
            ties = 1;
        } else if (scores[c] == scores[best]) {
            /* reservoir sampling over tied maxima */
            ties++;
            if (lg_stream_below(rng, (uint32_t)ties) == 0) best = c;
        }
    }
    return best < 0 ? 0 : best;
}

void lga_epsilon_greedy_probs(double eps, const float *scores, const uint8_t *mask, int n_actions, double *out)
{
    int n_on = 0, ties = 0, best = -1;
    for (int c = 0; c < n_actions; c++) {
        out[c] = 0.0;
        if (!mask[c]) continue;
        n_on++;
        if (best < 0 || scores[c] > scores[best]) best = c, ties = 1;
        else if (scores[c] == scores[best]) ties++;
    }
    if (n_on == 0) {
        out[0] = 1.0;
        return;
    }
    for (int c = 0; c < n_actions; c++)
        if (mask[c]) out[c] = eps / n_on + (c == best || scores[c] == scores[best] ? (1.0 - eps) / ties : 0.0);
}

int32_t lga_draw(const double *pi, const uint8_t *mask, int n, double u)
{
    double acc = 0.0;
    int32_t pick = -1;
    for (int c = 0; c < n; c++) {
        if (!mask[c]) continue;
        pick = c;
        acc += pi[c];
        if (u < acc) break;
    }
    return pick;
}

int lga_draw_probs(const double *pi, const uint8_t *mask, int n, double *out)
{
    double acc = 0.0;
    int last = -1;
    for (int c = 0; c < n; c++) {
        if (!mask[c]) continue;
        double next = acc + pi[c] < 1.0 ? acc + pi[c] : 1.0;
        out[c] = next - acc;
        acc = next;
        last = c;
    }
    if (last < 0) return 0;
    out[last] += 1.0 - acc;
    return 1;
}

void lga_top_k(const float *scores, const uint8_t *mask, int n_actions, int k, lg_stream *rng, int32_t *out)
{
    for (int j = 0; j < k; j++) {
        int best = -1, ties = 0;
        for (int c = 0; c < n_actions; c++) {
            int used = 0;
            for (int p = 0; p < j && !used; p++) used = out[p] == c;
            if (used) continue;
            /* on-air first, then higher score; equal candidates by reservoir
             * sampling, so every tied channel is equally likely */
            int better = best < 0 || (mask[c] && !mask[best]) || (mask[c] == mask[best] && scores[c] > scores[best]);
            int tie = !better && mask[c] == mask[best] && scores[c] == scores[best];
            if (better) {
                best = c;
                ties = 1;
            } else if (tie && lg_stream_below(rng, (uint32_t)++ties) == 0) {
                best = c;
            }
        }
        out[j] = best < 0 ? 0 : best;
    }
}
