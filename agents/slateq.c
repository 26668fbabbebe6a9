/* slateq: SlateQ (Ie et al. 2019), the long-term value of a slate
 * decomposed into item-wise values, on the network core of agents/nn/.
 *
 * A slate's value is what the viewer's choice makes of its items:
 *     Q(s, A) = sum_{i in A} P(i | s, A) Qbar(s, i) + P(none | s, A) Qbar(s, none)
 * where Qbar(s, i) is the long-term value of a step in which the viewer
 * takes item i. Two networks, both item-wise (one shared scorer per
 * channel, as dqn's itemwise network: the viewer context, whether the
 * viewer follows the channel, its row of the channel table):
 *   value   Qbar(s, i), and Qbar(s, none) from a row flagged "none";
 *   choice  the item's choice logit g(s, i), learned from what viewers took
 *           (the agent never reads the world's true choice model). Under
 *           "logit" the item at position j has weight exp(g + b_j) against
 *           the no-choice option's 1, with learned position terms b_j
 *           (b_0 = 0): this is the scenario's mnl and position models when
 *           they are right. Under "cascade" a viewer looking at an item
 *           takes it with probability sigmoid(g) and looks further down with
 *           a learned probability d.
 * The greedy slate maximises Q(s, A) exactly (lga_slate.h); the target of a
 * step in which the viewer took item i (or none) is
 *     r + gamma max_A' Q_target(s', A')     (0 after the last step),
 * and only Qbar of what was taken is updated: the decomposition's point,
 * that one learned value per item serves every slate it can appear in.
 *
 * Replay stores each channel table once, as dqn does (without a candidate
 * stage the table is the same for every slot), and each transition its slot
 * parts, slate, the position taken, reward and discount. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_carve.h"
#include "lga_agent.h"
#include "lga_params.h"
#include "lga_slate.h"
#include "lga_replay.h"
#include "lgn.h"

#define SQ_MAX_PARAMS (1 << 26)
#define SQ_MAX_FLOATS (1 << 28)
#define SQ_LOGIT_CAP 30.0 /* |choice logits| used, so a weight stays finite */

typedef struct {
    float lr, choice_lr;
    long buffer_size;
    float gamma;
    float tau;
    long target_update;
    long batch_size;
    float epsilon, epsilon_final;
    long epsilon_decay_steps;
    long learning_starts;
    long train_frequency;
    lga_int_list hidden, choice_hidden;
    int huber;
    float grad_clip;
    int cascade;
} sq_params;

static const char *const losses[] = {"mse", "huber", NULL};
static const char *const choices[] = {"logit", "cascade", NULL};

static const lga_param params[] = {
    {"learning_rate", LGA_FLOAT, offsetof(sq_params, lr), "0.00025", 1e-8, 1, NULL, 0, "Adam step size of the value network"},
    {"choice_learning_rate", LGA_FLOAT, offsetof(sq_params, choice_lr), "0.001", 1e-8, 1, NULL, 0,
     "Adam step size of the choice model"},
    LGA_REPLAY_PARAMS(sq_params),
    {"hidden", LGA_INT_LIST, offsetof(sq_params, hidden), "[120, 84]", 1, 65536, NULL, LGN_MAX_LAYERS - 2,
     "hidden layer widths of the value network (ReLU)"},
    {"choice_hidden", LGA_INT_LIST, offsetof(sq_params, choice_hidden), "[32]", 1, 65536, NULL, LGN_MAX_LAYERS - 2,
     "hidden layer widths of the choice model (ReLU)"},
    {"loss", LGA_CHOICE, offsetof(sq_params, huber), "mse", 0, 0, losses, 0, "mse, or huber (delta 1)"},
    {"grad_clip", LGA_FLOAT, offsetof(sq_params, grad_clip), "10", 0, 1e6, NULL, 0,
     "global gradient-norm clip of each network (0 = none)"},
    {"choice", LGA_CHOICE, offsetof(sq_params, cascade), "logit", 0, 0, choices, 0,
     "the choice model learned: logit (multinomial logit with a learned weight per position) or cascade "
     "(take-or-look-further, with a learned probability of looking further)"},
    {0},
};

typedef struct {
    lga_agent base;
    sq_params p;
    int N, C, k, slot_dim, ch_dim, in_dim, ctx_dim;
    int h1;                    /* the wider first hidden layer of the two networks */
    int follows_at, on_air_at;
    lgn_mlp *value, *target, *choice;
    lgn_adam opt_v, opt_c, opt_x;
    float extra[LG_MAX_SLATE + 1], extra_grad[LG_MAX_SLATE + 1]; /* b_1..b_{k-1} (b_0 stays 0); logit of d */
    lg_stream rng;
    struct {
        lga_replay_counters r;
        double last_loss, last_choice_loss;
    } c;
    /* replay */
    float *r_obs, *r_next;     /* [B * slot_dim] */
    int64_t *r_tab, *r_tab_next;
    int32_t *r_slate, *r_pick; /* [B * k] (-1: out of range), [B] position taken (-1: none) */
    float *r_rew, *r_disc;     /* reward, gamma (0 after the last step) */
    lga_table_ring ring;       /* the replay's channel tables */
    /* scratch */
    float *ctx, *hc;           /* states to score: context rows, a network's first-layer share of them */
    float *xr, *h, *qv, *g;    /* rows of states x (C + 1): item inputs, first layer, Qbar, choice logits */
    int32_t *row_state;        /* each row's state */
    float *noise;              /* [C] a random slate's scores */
    float *xc, *dc;            /* choice rows of a batch: [batch * k] */
    int32_t *c_of, *c_pos;     /* sample and position of each choice row */
    float *xv, *y, *dv;        /* value rows of a batch */
    int32_t *rows, *cols, *idx;
    double *w, *rr;            /* [C] */
    uint8_t *m;                /* [C] */
    const float **ps, **pt;    /* [rows] states to score */
    int32_t *tgt;              /* [batch]: samples that bootstrap */
    int64_t *step_tabs;        /* [2 N]: each slot's table and next table of the step being stored */
    lga_slate_solver solver;
    int scratch_states;
    int32_t shape_tag[2 * LGN_MAX_LAYERS + 4];
    void *block;
} sq_agent;

static void destroy(lga_agent *base)
{
    sq_agent *a = (sq_agent *)base;
    lgn_mlp_free(a->value), lgn_mlp_free(a->target), lgn_mlp_free(a->choice);
    lgn_adam_free(&a->opt_v), lgn_adam_free(&a->opt_c), lgn_adam_free(&a->opt_x);
    lga_slate_solver_free(&a->solver);
    free(a->block);
    free(a);
}

static void carve(sq_agent *a, lg_carver *cv)
{
    const size_t B = (size_t)a->p.buffer_size, S = (size_t)a->slot_dim, T = (size_t)a->C * (size_t)a->ch_dim;
    const size_t K = (size_t)a->k, R = (size_t)a->ring.R, C = (size_t)a->C, in = (size_t)a->in_dim;
    const size_t Bt = (size_t)a->p.batch_size, states = (size_t)a->scratch_states, rows = states * (C + 1);
    a->r_obs = lg_carve(cv, (B * S + 1) * sizeof(float));
    a->r_next = lg_carve(cv, (B * S + 1) * sizeof(float));
    a->r_tab = lg_carve(cv, B * sizeof(int64_t));
    a->r_tab_next = lg_carve(cv, B * sizeof(int64_t));
    a->r_slate = lg_carve(cv, B * K * sizeof(int32_t));
    a->r_pick = lg_carve(cv, B * sizeof(int32_t));
    a->r_rew = lg_carve(cv, B * sizeof(float));
    a->r_disc = lg_carve(cv, B * sizeof(float));
    a->ring.tables = lg_carve(cv, (R * T + 1) * sizeof(float));
    a->ring.ids = lg_carve(cv, R * sizeof(int64_t));
    const size_t H = (size_t)a->h1;
    a->ctx = lg_carve(cv, states * (size_t)a->ctx_dim * sizeof(float));
    a->hc = lg_carve(cv, states * H * sizeof(float));
    a->xr = lg_carve(cv, rows * (in - (size_t)a->ctx_dim) * sizeof(float));
    a->h = lg_carve(cv, rows * H * sizeof(float));
    a->row_state = lg_carve(cv, rows * sizeof(int32_t));
    a->qv = lg_carve(cv, rows * sizeof(float));
    a->g = lg_carve(cv, rows * sizeof(float));
    a->xc = lg_carve(cv, Bt * K * in * sizeof(float));
    a->dc = lg_carve(cv, Bt * K * sizeof(float));
    a->c_of = lg_carve(cv, Bt * K * sizeof(int32_t));
    a->c_pos = lg_carve(cv, Bt * K * sizeof(int32_t));
    a->xv = lg_carve(cv, Bt * in * sizeof(float));
    a->y = lg_carve(cv, Bt * sizeof(float));
    a->dv = lg_carve(cv, Bt * sizeof(float));
    a->rows = lg_carve(cv, Bt * sizeof(int32_t));
    a->cols = lg_carve(cv, Bt * sizeof(int32_t));
    a->idx = lg_carve(cv, Bt * sizeof(int32_t));
    a->tgt = lg_carve(cv, Bt * sizeof(int32_t));
    a->w = lg_carve(cv, C * sizeof(double));
    a->rr = lg_carve(cv, C * sizeof(double));
    a->noise = lg_carve(cv, C * sizeof(float));
    a->m = lg_carve(cv, C);
    a->step_tabs = lg_carve(cv, 2 * (size_t)a->N * sizeof(int64_t));
    a->ps = lg_carve(cv, states * sizeof(float *));
    a->pt = lg_carve(cv, states * sizeof(float *));
}

/* A network's widths: the item row, the hidden list, one output. */
static int widths_of(const sq_agent *a, const lga_int_list *hidden, int *w)
{
    int n = 0;
    w[n++] = a->in_dim;
    for (int i = 0; i < hidden->n; i++) w[n++] = hidden->v[i];
    w[n++] = 1;
    return n;
}

/* Refuse networks and buffers that cannot fit, before allocating them. */
static int too_big(const sq_agent *a, const int *wv, int nv, const int *wc, int nc, char *err, size_t errsz)
{
    double params = 0, units = 0, rows = (double)a->scratch_states * (a->C + 1);
    for (int i = 0; i + 1 < nv; i++) params += ((double)wv[i] + 1) * wv[i + 1];
    for (int i = 0; i + 1 < nc; i++) params += ((double)wc[i] + 1) * wc[i + 1];
    for (int i = 0; i < nv; i++) units += wv[i];
    for (int i = 0; i < nc; i++) units += (double)wc[i] * a->k;
    if (params > SQ_MAX_PARAMS)
        return snprintf(err, errsz, "slateq: hidden: expected networks of at most %d parameters, found %.0f",
                        SQ_MAX_PARAMS, params), 1;
    /* what score() carves: per state its context and first-layer share, per row its own inputs and first layer */
    const double states = a->scratch_states, rd = a->in_dim - a->ctx_dim;
    const double scoring = states * (a->ctx_dim + a->h1) + rows * (rd + a->h1);
    if ((double)a->p.batch_size * units > SQ_MAX_FLOATS || scoring > SQ_MAX_FLOATS)
        return snprintf(err, errsz,
                        "slateq: batch_size: expected at most %d floats of activations and inputs, found %.0f and "
                        "%.0f (%.0f rows to score)",
                        SQ_MAX_FLOATS, (double)a->p.batch_size * units, scoring, rows), 1;
    return 0;
}

static lga_agent *create(const char *params_json, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    sq_params p;
    if (lga_params_parse("slateq", params_json, params, &p, err, errsz)) return NULL;
    sq_agent *a = calloc(1, sizeof *a);
    if (!a) return snprintf(err, errsz, "slateq: out of memory"), NULL;
    a->p = p;
    a->N = shape->n, a->C = shape->n_actions, a->k = shape->slate_size;
    a->slot_dim = shape->slot_dim, a->ch_dim = shape->channel_dim;
    a->follows_at = lga_block_offset(shape, "follows", 0);
    a->on_air_at = lga_block_offset(shape, "on_air", 1);
    a->ctx_dim = a->slot_dim - (a->follows_at >= 0 ? a->C : 0);
    a->in_dim = a->ctx_dim + 2 + a->ch_dim;
    a->scratch_states = (int)(p.batch_size > a->N ? p.batch_size : a->N);
    int wv[LGN_MAX_LAYERS], wc[LGN_MAX_LAYERS];
    int nv = widths_of(a, &p.hidden, wv), nc = widths_of(a, &p.choice_hidden, wc);
    a->h1 = wv[1] > wc[1] ? wv[1] : wc[1];
    if (too_big(a, wv, nv, wc, nc, err, errsz)) {
        destroy(&a->base);
        return NULL;
    }
    if (lgn_mlp_create(wv, nv, (int)p.batch_size, &a->value, err, errsz) ||
        lgn_mlp_create(wv, nv, (int)p.batch_size, &a->target, err, errsz) ||
        lgn_mlp_create(wc, nc, (int)p.batch_size * a->k, &a->choice, err, errsz) ||
        lgn_adam_init(&a->opt_v, lgn_mlp_n_params(a->value), p.lr, 0.9f, 0.999f, 1e-8f) ||
        lgn_adam_init(&a->opt_c, lgn_mlp_n_params(a->choice), p.choice_lr, 0.9f, 0.999f, 1e-8f) ||
        lgn_adam_init(&a->opt_x, LG_MAX_SLATE + 1, p.choice_lr, 0.9f, 0.999f, 1e-8f) ||
        lga_slate_solver_init(&a->solver, a->C, a->k)) {
        if (!err[0]) snprintf(err, errsz, "slateq: cannot create the networks");
        destroy(&a->base);
        return NULL;
    }
    a->rng = lg_stream_make(seed, LGA_STREAM, 0);
    lg_stream init = lg_stream_make(seed, LGA_STREAM, 1);
    lgn_mlp_init(a->value, &init);
    lgn_mlp_init(a->choice, &init);
    /* The choice model starts uninformative: every item as likely as taking
     * nothing (a zero output layer), so until clicks say otherwise the
     * slate is the k best Qbar. */
    float *out_w = lgn_mlp_params(a->choice) + lgn_mlp_weights_offset(a->choice, nc - 2);
    memset(out_w, 0, sizeof(float) * (size_t)wc[nc - 2]);
    lgn_mlp_copy_params(a->target, a->value);
    a->extra[LG_MAX_SLATE] = 2.0f; /* cascade: d = sigmoid(2) = 0.88 to start */
    for (int i = 0; i < nv; i++) a->shape_tag[i] = wv[i];
    for (int i = 0; i < nc; i++) a->shape_tag[LGN_MAX_LAYERS + i] = wc[i];
    a->shape_tag[2 * LGN_MAX_LAYERS] = nv, a->shape_tag[2 * LGN_MAX_LAYERS + 1] = nc;
    a->shape_tag[2 * LGN_MAX_LAYERS + 2] = p.cascade, a->shape_tag[2 * LGN_MAX_LAYERS + 3] = a->k;
    /* Tables for the replay's steps, two per step (seen, next); with a
     * candidate stage every slot has its own (its candidates' rows), two
     * per transition. */
    a->ring.R = (int)(shape->own_tables ? lga_ring_places_own(p.buffer_size, a->N, 1)
                                        : 2 * (p.buffer_size / a->N) + 8 + 2L * a->N);
    a->ring.T = (size_t)a->C * (size_t)a->ch_dim;
    lg_carver cv = {NULL, 0};
    carve(a, &cv);
    if (!(a->block = calloc(1, cv.used))) {
        snprintf(err, errsz, "slateq: out of memory for a replay buffer of %ld transitions", p.buffer_size);
        destroy(&a->base);
        return NULL;
    }
    cv.base = a->block, cv.used = 0;
    carve(a, &cv);
    for (int i = 0; i < a->ring.R; i++) a->ring.ids[i] = -1;
    a->c.r.last_table_id = -1;
    return &a->base;
}

/* --- rows --- */

static const float *stored_table(const sq_agent *a, int64_t id) { return lga_ring_at(&a->ring, id); }

static int on_air(const sq_agent *a, const float *table, int c)
{
    return a->on_air_at < 0 || table[(size_t)c * a->ch_dim + a->on_air_at] > 0.5f;
}

/* An item row: the context (the slot part without its follows block),
 * then the item's inputs: the "none" flag, whether the viewer follows
 * channel c, c's row of the table. c < 0: the row of taking nothing (flag
 * 1, the rest 0). */
static void context_row(const sq_agent *a, const float *slot, float *row)
{
    if (a->follows_at < 0) {
        memcpy(row, slot, sizeof(float) * (size_t)a->ctx_dim);
    } else {
        const int after = a->follows_at + a->C;
        memcpy(row, slot, sizeof(float) * (size_t)a->follows_at);
        memcpy(row + a->follows_at, slot + after, sizeof(float) * (size_t)(a->slot_dim - after));
    }
}

static void item_inputs(const sq_agent *a, const float *slot, const float *table, int c, float *it)
{
    if (c < 0) {
        memset(it, 0, sizeof(float) * (size_t)(2 + a->ch_dim));
        it[0] = 1.0f;
        return;
    }
    it[0] = 0.0f;
    it[1] = a->follows_at >= 0 ? slot[a->follows_at + c] : 0.0f;
    memcpy(it + 2, &table[(size_t)c * a->ch_dim], sizeof(float) * (size_t)a->ch_dim);
}

static void item_row(const sq_agent *a, const float *slot, const float *table, int c, float *row)
{
    context_row(a, slot, row);
    item_inputs(a, slot, table, c, row + a->ctx_dim);
}

/* Score n states (ps[i], pt[i]): qv[i * C + c] = Qbar(s_i, c) through
 * `net`, qv[n * C + i] = Qbar(s_i, none), g[i * C + c] the choice logits.
 * Both networks sum each state's context once in their first layer
 * (lgn_mlp_predict_parts: the same floats as whole rows). */
static void score(sq_agent *a, lgn_mlp *net, int n)
{
    const int C = a->C, rd = a->in_dim - a->ctx_dim;
    for (int i = 0; i < n; i++) {
        context_row(a, a->ps[i], &a->ctx[(size_t)i * a->ctx_dim]);
        for (int c = 0; c < C; c++) {
            item_inputs(a, a->ps[i], a->pt[i], c, &a->xr[((size_t)i * C + c) * rd]);
            a->row_state[i * C + c] = i;
        }
        item_inputs(a, a->ps[i], a->pt[i], -1, &a->xr[((size_t)n * C + i) * rd]);
        a->row_state[n * C + i] = i;
    }
    lgn_mlp_predict_parts(net, n, a->ctx, a->ctx_dim, n * (C + 1), a->row_state, a->xr, a->hc, a->h, a->qv);
    lgn_mlp_predict_parts(a->choice, n, a->ctx, a->ctx_dim, n * C, a->row_state, a->xr, a->hc, a->h, a->g);
}

/* NaN (a network gone wrong) reads as 0. */
static double clamp_logit(double g)
{
    return g > SQ_LOGIT_CAP ? SQ_LOGIT_CAP : g < -SQ_LOGIT_CAP ? -SQ_LOGIT_CAP : g == g ? g : 0.0;
}

/* The best slate of state i of the last score() under the learned choice
 * model, out[k] (NULL: the value only, and no draw); returns its value
 * Q(s, A*). */
static double best_slate(sq_agent *a, int n, int i, const uint8_t *mask, int32_t *out)
{
    const int C = a->C;
    const double q0 = a->qv[(size_t)n * C + i];
    int32_t tmp[LG_MAX_SLATE], *slate = out ? out : tmp;
    for (int c = 0; c < C; c++) {
        a->w[c] = exp(clamp_logit(a->g[(size_t)i * C + c]));
        a->rr[c] = (double)a->qv[(size_t)i * C + c] - q0;
    }
    double value = 0.0;
    int got;
    if (a->p.cascade) {
        double d = 1.0 / (1.0 + exp(-clamp_logit(a->extra[LG_MAX_SLATE])));
        got = lga_slate_cascade(&a->solver, a->w, a->rr, mask, a->k, d, slate, &value);
    } else {
        double f[LG_MAX_SLATE];
        for (int j = 0; j < a->k; j++) f[j] = exp(clamp_logit(j ? a->extra[j] : 0.0));
        got = lga_slate_logit(&a->solver, a->w, a->rr, mask, a->k, f, slate, &value);
    }
    if (out) lga_slate_fill(&a->solver, mask, got, a->k, &a->rng, out);
    return q0 + value;
}

/* --- acting --- */

static float eps_now(const sq_agent *a)
{
    lga_schedule s = {a->p.epsilon, a->p.epsilon_final, a->p.epsilon_decay_steps};
    return lga_schedule_at(&s, a->c.r.t);
}

static void act(lga_agent *base, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    sq_agent *a = (sq_agent *)base;
    const int C = a->C, k = b->slate_size;
    float eps = greedy ? 0.0f : eps_now(a);
    if (!greedy) a->c.r.t += b->n;
    int scored = -1, m = 0; /* chunks of at most N slots, scored at their first slot that exploits */
    for (int i = 0; i < b->n; i++) {
        const uint8_t *mask = &b->mask[(size_t)i * C];
        int32_t *out = &actions[(size_t)i * k];
        if (eps > 0.0f && lg_stream_u01(&a->rng) < eps) {
            for (int c = 0; c < C; c++) a->noise[c] = (float)lg_stream_u01(&a->rng);
            lga_top_k(a->noise, mask, C, k, &a->rng, out);
            continue;
        }
        int chunk = i - i % a->N;
        if (scored != chunk) {
            m = b->n - chunk < a->N ? b->n - chunk : a->N;
            for (int r = 0; r < m; r++) a->ps[r] = lga_slot_part(b, chunk + r), a->pt[r] = lga_table_of(b, chunk + r);
            score(a, a->value, m);
            scored = chunk;
        }
        best_slate(a, m, i - chunk, mask, out);
    }
}

/* --- replay --- */

static int64_t push_table(sq_agent *a, const float *table)
{
    return lga_ring_push(&a->ring, table, &a->c.r, a->p.buffer_size, a->r_tab, 0); /* one step per transition */
}

/* --- learning --- */

/* The choice model's gradient for sample b, whose valid slate items are
 * choice rows [r0, r1) (in slate order) with logits g: dc of those rows and
 * extra_grad, scaled by 1/batch; returns the sample's negative
 * log-likelihood. `pick` is the position taken, -1 for none. */
static double choice_grad(sq_agent *a, int r0, int r1, const float *g, int pick)
{
    const double scale = 1.0 / (double)a->p.batch_size;
    double nll;
    if (!a->p.cascade) {
        double l[LG_MAX_SLATE], mx = 0.0, z;
        for (int r = r0; r < r1; r++) {
            int j = a->c_pos[r];
            l[r - r0] = clamp_logit(g[r]) + (j ? clamp_logit(a->extra[j]) : 0.0); /* as acting weighs them */
            if (l[r - r0] > mx) mx = l[r - r0];
        }
        z = exp(-mx);
        for (int r = r0; r < r1; r++) z += exp(l[r - r0] - mx);
        nll = log(z) + mx;
        for (int r = r0; r < r1; r++) {
            double pr = exp(l[r - r0] - mx) / z, d = pr - (a->c_pos[r] == pick);
            if (a->c_pos[r] == pick) nll -= l[r - r0];
            a->dc[r] = (float)(d * scale);
            if (a->c_pos[r]) a->extra_grad[a->c_pos[r]] += (float)(d * scale);
        }
        return nll;
    }
    /* Cascade: P_i = reach_i p_i, reach_{i+1} = reach_i (1 - p_i) d over
     * positions (an invalid item cannot be taken, but is looked past). */
    const double d = 1.0 / (1.0 + exp(-clamp_logit(a->extra[LG_MAX_SLATE])));
    double p[LG_MAX_SLATE], P[LG_MAX_SLATE], S = 0.0, reach = 1.0, tail = 0.0, dh = 0.0;
    int r = r0;
    for (int j = 0; j < a->k; j++) {
        P[j] = p[j] = 0.0;
        if (r < r1 && a->c_pos[r] == j) {
            p[j] = 1.0 / (1.0 + exp(-clamp_logit(g[r]))), P[j] = reach * p[j], reach *= 1.0 - p[j], r++;
        }
        S += P[j];
        reach *= d;
    }
    if (pick >= 0) {
        /* log P_pick = sum_{j < pick} log(1 - p_j) + pick log d + log p_pick */
        nll = -log(P[pick] > 1e-300 ? P[pick] : 1e-300);
        for (r = r0; r < r1; r++) {
            int j = a->c_pos[r];
            a->dc[r] = (float)(scale * (j < pick ? p[j] : j == pick ? -(1.0 - p[j]) : 0.0));
        }
        dh = -(double)pick * (1.0 - d);
    } else {
        /* log(1 - S); dS/dg_j = P_j (1 - p_j) - p_j sum_{i > j} P_i */
        double left = 1.0 - S > 1e-12 ? 1.0 - S : 1e-12;
        nll = -log(left);
        for (r = r1 - 1; r >= r0; r--) {
            int j = a->c_pos[r];
            double dS = P[j] * (1.0 - p[j]) - p[j] * tail;
            a->dc[r] = (float)(scale * dS / left);
            tail += P[j];
        }
        for (int j = 0; j < a->k; j++) dh += P[j] * j * (1.0 - d) / left;
    }
    a->extra_grad[LG_MAX_SLATE] += (float)(scale * dh);
    return nll;
}

/* One gradient step of the choice model on the sampled slates. */
static void train_choice(sq_agent *a)
{
    const int Bt = (int)a->p.batch_size, k = a->k, in = a->in_dim;
    int n = 0;
    for (int b = 0; b < Bt; b++) {
        int j = a->idx[b];
        const float *tab = stored_table(a, a->r_tab[j]);
        for (int q = 0; q < k; q++) {
            int c = a->r_slate[(size_t)j * k + q], dup = 0;
            for (int e = 0; e < q; e++) dup |= a->r_slate[(size_t)j * k + e] == c;
            if (c < 0 || dup || !on_air(a, tab, c)) continue;
            item_row(a, &a->r_obs[(size_t)j * a->slot_dim], tab, c, &a->xc[(size_t)n * in]);
            a->c_of[n] = b, a->c_pos[n] = q, n++;
        }
    }
    if (!n) return;
    lgn_mlp_zero_grad(a->choice);
    memset(a->extra_grad, 0, sizeof a->extra_grad);
    const float *g = lgn_mlp_forward(a->choice, a->xc, n);
    double nll = 0.0;
    for (int r0 = 0, r1; r0 < n; r0 = r1) {
        for (r1 = r0; r1 < n && a->c_of[r1] == a->c_of[r0];) r1++;
        int j = a->idx[a->c_of[r0]], pick = a->r_pick[j], seen = 0;
        for (int r = r0; r < r1; r++) seen |= a->c_pos[r] == pick;
        nll += choice_grad(a, r0, r1, g, seen ? pick : -1);
    }
    lgn_mlp_backward(a->choice, a->dc, NULL);
    double clip = a->p.grad_clip > 0 ? a->p.grad_clip : INFINITY;
    double norm = lgn_clip_grad_norm(lgn_mlp_grads(a->choice), lgn_mlp_n_params(a->choice), clip);
    if (isfinite(norm)) lgn_adam_step(&a->opt_c, lgn_mlp_params(a->choice), lgn_mlp_grads(a->choice));
    norm = lgn_clip_grad_norm(a->extra_grad, LG_MAX_SLATE + 1, clip);
    if (isfinite(norm)) lgn_adam_step(&a->opt_x, a->extra, a->extra_grad);
    a->c.last_choice_loss = nll / Bt;
}

/* One gradient step of the value network: Qbar of what each sampled step's
 * viewer took, toward r + gamma max_A' Q_target(s', A'). */
static void train_value(sq_agent *a)
{
    const int Bt = (int)a->p.batch_size, k = a->k, C = a->C, in = a->in_dim;
    const size_t S = (size_t)a->slot_dim;
    int n = 0;
    for (int b = 0; b < Bt; b++) {
        int j = a->idx[b];
        a->y[b] = a->r_rew[j];
        if (a->r_disc[j] > 0.0f) {
            a->tgt[n] = b;
            a->ps[n] = &a->r_next[(size_t)j * S], a->pt[n] = stored_table(a, a->r_tab_next[j]);
            n++;
        }
    }
    if (n) score(a, a->target, n);
    for (int i = 0; i < n; i++) {
        for (int c = 0; c < C; c++) a->m[c] = (uint8_t)on_air(a, a->pt[i], c);
        int j = a->idx[a->tgt[i]];
        a->y[a->tgt[i]] += a->r_disc[j] * (float)best_slate(a, n, i, a->m, NULL);
    }
    for (int b = 0; b < Bt; b++) {
        int j = a->idx[b], pick = a->r_pick[j];
        int c = pick >= 0 ? a->r_slate[(size_t)j * k + pick] : -1;
        item_row(a, &a->r_obs[(size_t)j * S], stored_table(a, a->r_tab[j]), c, &a->xv[(size_t)b * in]);
        a->rows[b] = b, a->cols[b] = 0;
    }
    lgn_mlp_zero_grad(a->value);
    const float *out = lgn_mlp_forward(a->value, a->xv, Bt);
    double loss = 0.0;
    lgn_loss_select(a->p.huber ? LGN_LOSS_HUBER : LGN_LOSS_MSE, 1.0f, out, Bt, 1, Bt, a->rows, a->cols, a->y, NULL,
                    a->dv, &loss);
    lgn_mlp_backward(a->value, a->dv, NULL);
    double norm = lgn_clip_grad_norm(lgn_mlp_grads(a->value), lgn_mlp_n_params(a->value),
                                     a->p.grad_clip > 0 ? a->p.grad_clip : INFINITY);
    if (isfinite(norm)) lgn_adam_step(&a->opt_v, lgn_mlp_params(a->value), lgn_mlp_grads(a->value));
    a->c.last_loss = loss;
}

static void train_step(sq_agent *a)
{
    long oldest = (a->c.r.pos - a->c.r.count + a->p.buffer_size) % a->p.buffer_size;
    for (int b = 0; b < a->p.batch_size; b++)
        a->idx[b] = (int32_t)((oldest + (long)lg_stream_below(&a->rng, (uint32_t)a->c.r.count)) % a->p.buffer_size);
    train_choice(a);
    train_value(a);
    a->c.r.updates++;
}

static void update(lga_agent *base, const lga_transition_batch *tr)
{
    sq_agent *a = (sq_agent *)base;
    const lga_obs_batch *b = tr->obs, *nx = tr->next;
    const int k = a->k;
    const size_t S = (size_t)a->slot_dim;
    const int n = b->n < a->N ? b->n : a->N, active = lga_active(tr);
    if (active == 0) return; /* every slot idle: no transition, and no time for the schedules */
    /* Every slot's table, then every next one: without a candidate stage
     * they are one table each, which push_table keeps once. */
    for (int i = 0; i < n; i++) a->step_tabs[i] = push_table(a, lga_table_of(b, i));
    for (int i = 0; i < n; i++) a->step_tabs[a->N + i] = push_table(a, lga_table_of(nx, i));
    for (int i = 0; i < n; i++) {
        if (lga_idle(tr, i)) continue;
        const int32_t *slate = &tr->actions[(size_t)i * b->slate_size];
        long at = a->c.r.pos;
        int pick = tr->info[i].position >= 0 && tr->info[i].position < k ? tr->info[i].position : -1;
        for (int j = 0; j < k; j++) {
            int32_t c = slate[j] >= 0 && slate[j] < a->C ? slate[j] : -1;
            a->r_slate[(size_t)at * k + j] = c;
        }
        if (pick >= 0 && a->r_slate[(size_t)at * k + pick] < 0) pick = -1;
        memcpy(&a->r_obs[(size_t)at * S], lga_slot_part(b, i), S * sizeof(float));
        memcpy(&a->r_next[(size_t)at * S], lga_slot_part(nx, i), S * sizeof(float));
        a->r_tab[at] = a->step_tabs[i], a->r_tab_next[at] = a->step_tabs[a->N + i], a->r_pick[at] = pick;
        a->r_rew[at] = tr->reward[i];
        a->r_disc[at] = tr->terminated[i] ? 0.0f : a->p.gamma;
        a->c.r.pos = (a->c.r.pos + 1) % a->p.buffer_size;
        if (a->c.r.count < a->p.buffer_size) a->c.r.count++;
        a->c.r.stored++;
        a->c.r.since_train++;
    }
    a->c.r.since_target += active;
    long targets, steps = lga_replay_due(&a->c.r, a->p.learning_starts, a->p.train_frequency, a->p.target_update,
                                         &targets);
    for (long s = 0; s < steps; s++) train_step(a);
    for (long s = 0; s < targets; s++) lgn_mlp_track(a->target, a->value, a->p.tau);
}

/* --- state --- */

static int state(lga_agent *base, lga_state_block *bl)
{
    sq_agent *a = (sq_agent *)base;
    const size_t B = (size_t)a->p.buffer_size, S = (size_t)a->slot_dim, T = (size_t)a->C * (size_t)a->ch_dim;
    const size_t nv = lgn_mlp_n_params(a->value), nc = lgn_mlp_n_params(a->choice);
    const double F = LGA_FMAX, ids = 9e18;
    int n = 0;
    bl[n++] = LGA_RAW_BLOCK("=shape", a->shape_tag, sizeof a->shape_tag);
    bl[n++] = LGA_F32_BLOCK("value", lgn_mlp_params(a->value), nv, -F, F);
    bl[n++] = LGA_F32_BLOCK("target", lgn_mlp_params(a->target), nv, -F, F);
    bl[n++] = LGA_F32_BLOCK("choice", lgn_mlp_params(a->choice), nc, -F, F);
    bl[n++] = LGA_F32_BLOCK("choice_extra", a->extra, LG_MAX_SLATE + 1, -F, F);
    bl[n++] = LGA_F32_BLOCK("adam_value", a->opt_v.m, 2 * nv, -INFINITY, INFINITY);
    bl[n++] = LGA_F32_BLOCK("adam_choice", a->opt_c.m, 2 * nc, -INFINITY, INFINITY);
    bl[n++] = LGA_F32_BLOCK("adam_extra", a->opt_x.m, 2 * (LG_MAX_SLATE + 1), -INFINITY, INFINITY);
    bl[n++] = LGA_I64_BLOCK("adam_value_step", &a->opt_v.step, 1, 0, ids);
    bl[n++] = LGA_I64_BLOCK("adam_choice_step", &a->opt_c.step, 1, 0, ids);
    bl[n++] = LGA_I64_BLOCK("adam_extra_step", &a->opt_x.step, 1, 0, ids);
    bl[n++] = LGA_RAW_BLOCK("counters", &a->c, sizeof a->c);
    bl[n++] = LGA_RAW_BLOCK("rng", &a->rng, sizeof a->rng);
    bl[n++] = LGA_F32_BLOCK("replay_obs", a->r_obs, B * S, -F, F);
    bl[n++] = LGA_F32_BLOCK("replay_next", a->r_next, B * S, -F, F);
    bl[n++] = LGA_I64_BLOCK("replay_table", a->r_tab, B, 0, ids);
    bl[n++] = LGA_I64_BLOCK("replay_table_next", a->r_tab_next, B, 0, ids);
    bl[n++] = LGA_I32_BLOCK("replay_slate", a->r_slate, B * (size_t)a->k, -1, a->C - 1);
    bl[n++] = LGA_I32_BLOCK("replay_pick", a->r_pick, B, -1, a->k - 1);
    bl[n++] = LGA_F32_BLOCK("replay_reward", a->r_rew, B, -F, F);
    bl[n++] = LGA_F32_BLOCK("replay_discount", a->r_disc, B, 0, 1);
    bl[n++] = LGA_F32_BLOCK("table_ring", a->ring.tables, (size_t)a->ring.R * T, -F, F);
    bl[n++] = LGA_I64_BLOCK("table_ids", a->ring.ids, a->ring.R, -1, ids);
    return n;
}

/* What the ranges cannot say: the counters against the capacities and each
 * other (lga_replay.h), the Adam moments, what a stored transition names. */
static int check(const lga_agent *base, char *err, size_t errsz)
{
    const sq_agent *a = (const sq_agent *)base;
    const sq_params *p = &a->p;
    const long B = p->buffer_size, next = a->c.r.table_next_id;
    if (lga_replay_counters_check(&a->c.r, B, p->learning_starts, p->train_frequency, p->target_update,
                                  p->learning_starts + B + 2L * a->N, err, errsz))
        return -1;
    const lgn_adam *opts[3] = {&a->opt_v, &a->opt_c, &a->opt_x};
    const char *opt_names[3] = {"adam_value", "adam_choice", "adam_extra"};
    for (int o = 0; o < 3; o++)
        if (lgn_adam_check(opts[o], opt_names[o], err, errsz)) return -1;
    if (lga_ring_check(&a->ring, next, a->r_tab, a->r_tab_next, B, err, errsz)) return -1;
    for (long i = 0; i < B; i++)
        if (a->r_pick[i] >= 0 && a->r_slate[(size_t)i * a->k + a->r_pick[i]] < 0)
            return snprintf(err, errsz, "block \"replay_pick\"[%ld]: expected the position of a channel, found %d "
                            "(an empty place in the slate)", i, a->r_pick[i]), -1;
    return 0;
}

/* What the viewer shows: Qbar(s, c), the long-term value of a step in
 * which the viewer takes c. */
static int scores(lga_agent *base, const lga_obs_batch *b, int slot, float *out)
{
    sq_agent *a = (sq_agent *)base;
    a->ps[0] = lga_slot_part(b, slot), a->pt[0] = lga_table_of(b, slot);
    score(a, a->value, 1);
    memcpy(out, a->qv, sizeof(float) * (size_t)a->C);
    return 1;
}

static float epsilon(const lga_agent *base) { return eps_now((const sq_agent *)base); }

const lga_agent_type lga_slateq_type = {
    .name = "slateq",
    .summary = "SlateQ (Ie et al. 2019): item-wise long-term values combined through a learned choice model, "
               "the slate chosen exactly under it",
    .params = params,
    .learns = 1,
    .create = create,
    .act = act,
    .update = update,
    .free = destroy,
    .state = state,
    .check = check,
    .scores = scores,
    .epsilon = epsilon,
};
