/* dqn: Deep Q-Network (Mnih et al. 2015) with the usual extensions, on the
 * small C network core in agents/nn/. The defaults (the table below) follow
 * CleanRL's dqn.py; docs/dqn.md discusses them.
 *
 * Two network shapes:
 *   flat      the whole observation -> one Q per channel;
 *   itemwise  one shared network scores each channel from the viewer context
 *             (slot part without the per-channel follow flags), whether the
 *             viewer follows it, and its row of the channel table:
 *             Q(s, c) = f(context, follows_c, features_c). It handles any
 *             number of channels and channels that appear during the run.
 *
 * Replay is memory-lean: without a candidate stage the channel table is the
 * same for every slot in a step, so it is stored once per env step in a ring
 * and transitions keep its id; each transition stores only its slot parts.
 * With a candidate stage each slot sees its own table (its candidates'
 * rows), and the ring keeps each transition's two. The action mask of the
 * next state is the table's on_air column.
 *
 * Transitions with n-step returns are assembled per slot (n = 1: plain DQN).
 * Slates (k > 1) rank channels by Q; the transition credits the watched item
 * (or the first one when nothing was watched) with the step's reward. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lg_carve.h"
#include "lga_agent.h"
#include "lga_params.h"
#include "lga_replay.h"
#include "lgn.h"

/* Largest network, and largest activation and input buffers, that create()
 * accepts (see there). */
#define DQN_MAX_PARAMS (1 << 26)
#define DQN_MAX_FLOATS (1 << 28)

typedef struct {
    float lr;
    long buffer_size;
    float gamma;
    float tau;
    long target_update;       /* slot-steps between target updates */
    long batch_size;
    float epsilon, epsilon_final;
    long epsilon_decay_steps; /* slot-steps */
    long learning_starts;     /* transitions stored before learning */
    long train_frequency;     /* transitions per gradient step */
    lga_int_list hidden;      /* hidden layer widths */
    int huber;
    float grad_clip;          /* 0: no clipping */
    int double_dqn;
    int dueling;
    long n_step;
    int itemwise;
    float cql_alpha;          /* conservative Q-learning weight (0: plain DQN) */
} dqn_params;

static const char *const losses[] = {"mse", "huber", NULL};
static const char *const networks[] = {"flat", "itemwise", NULL};

static const lga_param params[] = {
    {"learning_rate", LGA_FLOAT, offsetof(dqn_params, lr), "0.00025", 1e-8, 1, NULL, 0, "Adam step size"},
    LGA_REPLAY_PARAMS(dqn_params),
    {"hidden", LGA_INT_LIST, offsetof(dqn_params, hidden), "[120, 84]", 1, 65536, NULL, LGN_MAX_LAYERS - 2,
     "hidden layer widths (ReLU)"},
    {"loss", LGA_CHOICE, offsetof(dqn_params, huber), "mse", 0, 0, losses, 0, "mse, or huber (delta 1)"},
    {"grad_clip", LGA_FLOAT, offsetof(dqn_params, grad_clip), "10", 0, 1e6, NULL, 0,
     "global gradient-norm clip (0 = none)"},
    {"double", LGA_BOOL, offsetof(dqn_params, double_dqn), "false", 0, 0, NULL, 0, "Double DQN targets"},
    {"dueling", LGA_BOOL, offsetof(dqn_params, dueling), "false", 0, 0, NULL, 0, "dueling head (flat network only)"},
    {"n_step", LGA_INT, offsetof(dqn_params, n_step), "1", 1, 100, NULL, 0, "n-step returns"},
    {"network", LGA_CHOICE, offsetof(dqn_params, itemwise), "flat", 0, 0, networks, 0,
     "flat (observation -> Q per channel) or itemwise (one shared scorer per channel)"},
    {"cql_alpha", LGA_FLOAT, offsetof(dqn_params, cql_alpha), "0", 0, 1000, NULL, 0,
     "conservative Q-learning (CQL(H), Kumar et al. 2020): adds alpha x (logsumexp of Q over the on-air "
     "channels - Q of the logged one) to the loss, for learning from logs; flat network only"},
    {0},
};

typedef struct {
    lga_agent base;
    dqn_params p;
    /* shapes */
    int N, C, k, slot_dim, ch_dim, in_dim, out_dim;
    int follows_at;   /* offset of the follows block in the slot part, -1 if none */
    int on_air_at;    /* offset of on_air in a channel row, -1 if none (classic envs: all valid) */
    int ctx_dim;      /* slot part without follows */
    int own_tables;   /* each slot sees its own table (a candidate stage) */
    lgn_mlp *net, *target;
    lgn_adam opt;
    lgn_team *team; /* the caller's (use_team), or NULL */
    lg_stream rng;
    /* counters (saved as raw bytes) */
    struct {
        lga_replay_counters r;
        double last_loss;
    } c;
    /* replay */
    float *r_obs, *r_next;   /* [B * slot_dim] */
    int64_t *r_tab, *r_tab_next;
    int64_t *step_tabs;      /* [2 N]: each slot's table and next table of the step being stored */
    int32_t *r_act;
    float *r_ret, *r_disc;   /* n-step return, gamma^n (0 when terminated) */
    lga_table_ring ring;     /* the replay's channel tables */
    /* n-step pending per slot */
    float *p_obs;            /* [N * n * slot_dim] */
    int64_t *p_tab;          /* [N * n] */
    int32_t *p_act;
    float *p_rew;
    int32_t *p_len;          /* [N] */
    /* scratch */
    float *x, *xn, *q, *qn, *qo, *dout;
    float *h, *ctx;          /* itemwise scoring: first-layer sums [rows x h1], context rows [states x ctx_dim] */
    float *hc;               /* itemwise: each state's context share of the first layer [states x h1] */
    float *qc;               /* itemwise: Q of the rows scored [rows] */
    int32_t *rowmap;         /* itemwise: state x C + channel of each row scored [rows] */
    int32_t *row_state;      /* itemwise: the state of each row scored [rows] */
    uint8_t *need;           /* itemwise train_step: which (state, channel) Q the targets read [rows] */
    int h1;                  /* first hidden width */
    float *y;
    int32_t *rows, *cols;
    int32_t *idx;
    const float **ps, **pt;  /* [batch] next-state slot parts and tables */
    int scratch_rows;
    int32_t shape_tag[LGN_MAX_LAYERS + 8]; /* widths and flags: checked on load */
    void *block;             /* every array above */
} dqn_agent;

static int parse(const char *json, dqn_params *p, char *err, size_t errsz)
{
    if (lga_params_parse("dqn", json, params, p, err, errsz)) return -1;
    if (p->dueling && p->itemwise) {
        snprintf(err, errsz, "dqn.params.dueling: the itemwise network has no per-state value head; use "
                             "\"network\": \"flat\" with dueling");
        return -1;
    }
    if (p->cql_alpha > 0.0f && p->itemwise) {
        snprintf(err, errsz, "dqn.params.cql_alpha: the itemwise network values only the taken channel in a "
                             "gradient step; use \"network\": \"flat\" with cql_alpha");
        return -1;
    }
    return 0;
}

static void destroy(lga_agent *base)
{
    dqn_agent *a = (dqn_agent *)base;
    lgn_mlp_free(a->net), lgn_mlp_free(a->target);
    lgn_adam_free(&a->opt);
    free(a->block);
    free(a);
}

/* Every array in one block: the replay, the table ring and the n-step
 * queues (saved state, zeroed so that checkpoints never hold uninitialised
 * bytes where the replay is not yet filled), then the scratch of acting and
 * of a gradient step. */
static void carve(dqn_agent *a, lg_carver *cv)
{
    const size_t B = (size_t)a->p.buffer_size, S = (size_t)a->slot_dim, T = (size_t)a->C * (size_t)a->ch_dim;
    const size_t n = (size_t)a->p.n_step, N = (size_t)a->N, R = (size_t)a->ring.R;
    const size_t rows = (size_t)a->scratch_rows, qcols = (size_t)a->C + 1, in = (size_t)a->in_dim;
    a->r_obs = lg_carve(cv, (B * S + 1) * sizeof(float));
    a->r_next = lg_carve(cv, (B * S + 1) * sizeof(float));
    a->r_tab = lg_carve(cv, B * sizeof(int64_t));
    a->r_tab_next = lg_carve(cv, B * sizeof(int64_t));
    a->r_act = lg_carve(cv, B * sizeof(int32_t));
    a->r_ret = lg_carve(cv, B * sizeof(float));
    a->r_disc = lg_carve(cv, B * sizeof(float));
    a->ring.tables = lg_carve(cv, (R * T + 1) * sizeof(float));
    a->ring.ids = lg_carve(cv, R * sizeof(int64_t));
    a->p_obs = lg_carve(cv, (N * n * S + 1) * sizeof(float));
    a->p_tab = lg_carve(cv, N * n * sizeof(int64_t));
    a->p_act = lg_carve(cv, N * n * sizeof(int32_t));
    a->p_rew = lg_carve(cv, N * n * sizeof(float));
    a->p_len = lg_carve(cv, N * sizeof(int32_t));
    a->x = lg_carve(cv, rows * in * sizeof(float));
    a->xn = lg_carve(cv, rows * in * sizeof(float));
    a->q = lg_carve(cv, rows * qcols * sizeof(float));
    a->qn = lg_carve(cv, rows * qcols * sizeof(float));
    a->qo = lg_carve(cv, rows * qcols * sizeof(float));
    a->dout = lg_carve(cv, rows * qcols * sizeof(float));
    a->y = lg_carve(cv, rows * sizeof(float));
    a->rows = lg_carve(cv, rows * sizeof(int32_t));
    a->cols = lg_carve(cv, rows * sizeof(int32_t));
    a->idx = lg_carve(cv, rows * sizeof(int32_t));
    const size_t itemwise = (size_t)a->p.itemwise, states = rows / (itemwise ? (size_t)a->C : 1);
    a->h = lg_carve(cv, (itemwise * rows * (size_t)a->h1 + 1) * sizeof(float));
    a->ctx = lg_carve(cv, (itemwise * states * (size_t)a->ctx_dim + 1) * sizeof(float));
    a->hc = lg_carve(cv, (itemwise * states * (size_t)a->h1 + 1) * sizeof(float));
    a->qc = lg_carve(cv, (itemwise * rows + 1) * sizeof(float));
    a->rowmap = lg_carve(cv, (itemwise * rows + 1) * sizeof(int32_t));
    a->row_state = lg_carve(cv, (itemwise * rows + 1) * sizeof(int32_t));
    a->need = lg_carve(cv, itemwise * rows + 1);
    a->step_tabs = lg_carve(cv, 2 * N * sizeof(int64_t));
    a->ps = lg_carve(cv, rows * sizeof(float *)); /* a batch, or the slots acting */
    a->pt = lg_carve(cv, rows * sizeof(float *));
}

/* 1 for a channel row's block that a world writes once (env/live/obs.c)
 * and never changes: without a candidate stage every flat row repeats it. */
static int static_block(const lg_obs_block *b)
{
    static const char *const names[] = {"category", "embedding_visual", "embedding_audio", "embedding_text",
                                         "channel_latent"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (b->scope == 1 && !strcmp(b->name, names[i])) return 1;
    return 0;
}

/* Declares the flat input's static columns shared (lgn_mlp_set_shared_columns)
 * in both nets (1,000 of the default world's 1,216 inputs): their share of
 * the first layer is summed once per batch, not per row, in a fixed order
 * (part of the results). 0, -1 (out of memory) or -2 (blocks overlap). */
static int share_static_columns(dqn_agent *a, const lga_obs_batch *shape)
{
    int per_row = 0;
    for (int b = 0; b < shape->n_blocks; b++)
        if (static_block(&shape->blocks[b])) per_row += shape->blocks[b].size;
    if (per_row == 0) return 0;
    int32_t *cols = malloc(sizeof(int32_t) * (size_t)per_row * (size_t)a->C);
    if (!cols) return -1;
    int n = 0;
    for (int c = 0; c < a->C; c++) /* increasing: the blocks of a row are in offset order */
        for (int b = 0; b < shape->n_blocks; b++)
            if (static_block(&shape->blocks[b]))
                for (int j = 0; j < shape->blocks[b].size; j++)
                    cols[n++] = a->slot_dim + c * a->ch_dim + shape->blocks[b].offset + j;
    int rc = lgn_mlp_set_shared_columns(a->net, cols, n) || lgn_mlp_set_shared_columns(a->target, cols, n);
    free(cols);
    return rc ? -2 : 0;
}

static lga_agent *create(const char *params, const lga_obs_batch *shape, uint64_t seed, char *err, size_t errsz)
{
    dqn_params p;
    if (parse(params, &p, err, errsz)) return NULL;
    dqn_agent *a = calloc(1, sizeof *a);
    if (!a) return snprintf(err, errsz, "dqn: out of memory"), NULL;
    a->p = p;
    a->N = shape->n, a->C = shape->n_actions, a->k = shape->slate_size;
    a->slot_dim = shape->slot_dim, a->ch_dim = shape->channel_dim;
    a->follows_at = lga_block_offset(shape, "follows", 0);
    a->on_air_at = lga_block_offset(shape, "on_air", 1);
    a->ctx_dim = a->slot_dim - (a->follows_at >= 0 ? a->C : 0);
    if (p.itemwise) {
        a->in_dim = a->ctx_dim + 1 + a->ch_dim;
        a->out_dim = 1;
    } else {
        a->in_dim = a->slot_dim + a->C * a->ch_dim;
        a->out_dim = a->C + (p.dueling ? 1 : 0);
    }
    int widths[LGN_MAX_LAYERS], nw = 0;
    widths[nw++] = a->in_dim;
    for (int i = 0; i < p.hidden.n; i++) widths[nw++] = p.hidden.v[i];
    widths[nw++] = a->out_dim;
    /* Each hidden width is in range alone, but their products may not be:
     * a network that cannot fit (five copies: net, target, gradients, two
     * Adam moments) is refused here rather than failing to allocate. */
    double n_params = 0, units = 0, rows_max = (double)(p.batch_size > a->N ? p.batch_size : a->N);
    for (int i = 0; i + 1 < nw; i++) n_params += ((double)widths[i] + 1) * widths[i + 1];
    for (int i = 0; i < nw; i++) units += widths[i];
    if (p.itemwise) rows_max *= a->C;
    a->h1 = widths[1];
    if (n_params > DQN_MAX_PARAMS) {
        snprintf(err, errsz, "dqn: hidden: expected a network of at most %d parameters, found %.0f (input %d, output %d)",
                 DQN_MAX_PARAMS, n_params, a->in_dim, a->out_dim);
        destroy(&a->base);
        return NULL;
    }
    /* Likewise the activations a forward keeps (batch rows of every layer)
     * and the input rows acting and learning build. */
    /* Item-wise scoring also keeps each row's first-layer sums. */
    const int row_floats = a->in_dim + (p.itemwise ? a->h1 : 0);
    if ((double)p.batch_size * units > DQN_MAX_FLOATS || rows_max * row_floats > DQN_MAX_FLOATS) {
        snprintf(err, errsz,
                 "dqn: batch_size: expected at most %d floats of activations and inputs, found %.0f (batch_size %ld "
                 "x %.0f units) and %.0f (%.0f rows x (input %d + first-layer sums %d))",
                 DQN_MAX_FLOATS, (double)p.batch_size * units, p.batch_size, units, rows_max * row_floats, rows_max,
                 a->in_dim, p.itemwise ? a->h1 : 0);
        destroy(&a->base);
        return NULL;
    }
    if (lgn_mlp_create(widths, nw, p.batch_size, &a->net, err, errsz) ||
        lgn_mlp_create(widths, nw, p.batch_size, &a->target, err, errsz) ||
        lgn_adam_init(&a->opt, lgn_mlp_n_params(a->net), p.lr, 0.9f, 0.999f, 1e-8f)) {
        if (!err[0]) snprintf(err, errsz, "dqn: cannot create the network");
        destroy(&a->base);
        return NULL;
    }
    int shared = p.itemwise || shape->own_tables ? 0 : share_static_columns(a, shape);
    if (shared) {
        snprintf(err, errsz, "%s", shared == -1 ? "dqn: out of memory"
                                                : "dqn: observation layout: the channel row's static blocks overlap "
                                                  "or leave the row");
        destroy(&a->base);
        return NULL;
    }
    a->rng = lg_stream_make(seed, LGA_STREAM, 0);
    lg_stream init = lg_stream_make(seed, LGA_STREAM, 1);
    lgn_mlp_init(a->net, &init);
    lgn_mlp_copy_params(a->target, a->net);
    for (int i = 0; i < nw; i++) a->shape_tag[i] = widths[i];
    a->shape_tag[LGN_MAX_LAYERS + 0] = nw;
    a->shape_tag[LGN_MAX_LAYERS + 1] = p.itemwise;
    a->shape_tag[LGN_MAX_LAYERS + 2] = p.dueling;
    a->shape_tag[LGN_MAX_LAYERS + 3] = p.n_step;

    /* One table per step without a candidate stage (every slot's is the
     * same, and often the next step's); with one, each slot's own. */
    a->own_tables = shape->own_tables;
    a->ring.R = (int)((a->own_tables ? lga_ring_places_own(p.buffer_size, a->N, p.n_step)
                                     : p.buffer_size / a->N + p.n_step + 8) +
                      lga_ring_slack(p.n_step, a->N, a->own_tables));
    a->ring.T = (size_t)a->C * (size_t)a->ch_dim;
    /* Scratch rows: the largest input matrix is the itemwise next-state
     * scoring of a batch (batch * C rows), or acting on N slots. */
    size_t N = (size_t)a->N, rows = (size_t)p.batch_size > N ? (size_t)p.batch_size : N;
    if (p.itemwise) rows *= (size_t)a->C;
    a->scratch_rows = (int)rows;
    lg_carver cv = {NULL, 0};
    carve(a, &cv);
    if (!(a->block = calloc(1, cv.used))) {
        snprintf(err, errsz, "dqn: out of memory for a replay buffer of %ld transitions", p.buffer_size);
        destroy(&a->base);
        return NULL;
    }
    cv.base = a->block;
    cv.used = 0;
    carve(a, &cv);
    for (int i = 0; i < a->ring.R; i++) a->ring.ids[i] = -1;
    a->c.r.last_table_id = -1;
    return &a->base;
}

/* --- inputs --- */

/* An item-wise row is the context (the slot part without its follows
 * block: ctx_dim floats), then channel c's inputs (whether it is followed,
 * then its row of the table: 1 + ch_dim floats). */
static void context_row(const dqn_agent *a, const float *slot, float *row)
{
    if (a->follows_at < 0) {
        memcpy(row, slot, sizeof(float) * (size_t)a->ctx_dim);
        return;
    }
    const int after = a->follows_at + a->C;
    memcpy(row, slot, sizeof(float) * (size_t)a->follows_at);
    memcpy(row + a->follows_at, slot + after, sizeof(float) * (size_t)(a->slot_dim - after));
}

static void channel_inputs(const dqn_agent *a, const float *slot, const float *table, int c, float *row)
{
    row[0] = a->follows_at >= 0 ? slot[a->follows_at + c] : 0.0f;
    memcpy(row + 1, &table[(size_t)c * a->ch_dim], sizeof(float) * (size_t)a->ch_dim);
}

static void item_row(const dqn_agent *a, const float *slot, const float *table, int c, float *row)
{
    context_row(a, slot, row);
    channel_inputs(a, slot, table, c, row + a->ctx_dim);
}

static void flat_row(const dqn_agent *a, const float *slot, const float *table, float *row)
{
    memcpy(row, slot, sizeof(float) * (size_t)a->slot_dim);
    memcpy(row + a->slot_dim, table, sizeof(float) * (size_t)a->C * (size_t)a->ch_dim);
}

typedef struct {
    const dqn_agent *a;
    int n;
    const float *const *slots, *const *tables;
    float *xbuf;
} rows_job;

static void rows_part(void *arg, int lo, int hi)
{
    const rows_job *j = arg;
    for (int i = lo; i < hi; i++) flat_row(j->a, j->slots[i], j->tables[i], &j->xbuf[(size_t)i * j->a->in_dim]);
}

/* n flat rows into xbuf, in the pieces the team's product of them takes:
 * mostly, a thread multiplies the rows it copied, in its own cache. */
static void flat_rows(const dqn_agent *a, int n, const float *const *slots, const float *const *tables, float *xbuf)
{
    rows_job j = {a, n, slots, tables, xbuf};
    lgn_team_for(a->team, n, lgn_team_grain(a->team, n), rows_part, &j);
}

static int valid(const dqn_agent *a, const float *table, int c)
{
    return a->on_air_at < 0 || table[(size_t)c * a->ch_dim + a->on_air_at] > 0.5f;
}

/* Q[n x C] of the item-wise net for n states. A row is (context, follows
 * bit, channel row), and the context is the same for a state's C rows: its
 * share of the first layer is summed once per state, and only the
 * (1 + ch_dim) channel inputs per row (lgn_mlp_predict_parts: the whole
 * row's floats, for less work). With `need` ([n x C], or NULL:
 * all), only the rows it marks are scored and the others' Q is 0: a row's
 * bits do not depend on which other rows are scored, and most channels are
 * off air, whose Q neither one-item acting nor the targets read. */
static void q_itemwise(dqn_agent *a, lgn_mlp *net, int n, const float *const *slots, const float *const *tables,
                       const uint8_t *need, float *xbuf, float *out)
{
    const int C = a->C, rest = 1 + a->ch_dim;
    for (int i = 0; i < n; i++) context_row(a, slots[i], &a->ctx[(size_t)i * a->ctx_dim]);
    int rows = 0;
    for (int i = 0; i < n; i++)
        for (int c = 0; c < C; c++) {
            if (need && !need[(size_t)i * C + c]) continue;
            channel_inputs(a, slots[i], tables[i], c, &xbuf[(size_t)rows * rest]);
            a->row_state[rows] = i;
            a->rowmap[rows++] = i * C + c;
        }
    lgn_mlp_predict_parts(net, n, a->ctx, a->ctx_dim, rows, a->row_state, xbuf, a->hc, a->h, need ? a->qc : out);
    if (!need) return; /* [n*C x 1] = [n x C] */
    memset(out, 0, sizeof(float) * (size_t)n * (size_t)C);
    for (int r = 0; r < rows; r++) out[a->rowmap[r]] = a->qc[r];
}

/* Q[n x C] for n states given by (slot part, table) pairs, through `net`;
 * `need` as in q_itemwise (the flat net scores a state's C channels at once,
 * so it scores every state). */
static void q_values(dqn_agent *a, lgn_mlp *net, int n, const float *const *slots, const float *const *tables,
                     const uint8_t *need, float *xbuf, float *out)
{
    const int C = a->C;
    if (a->p.itemwise) {
        q_itemwise(a, net, n, slots, tables, need, xbuf, out);
        return;
    }
    flat_rows(a, n, slots, tables, xbuf);
    if (!a->p.dueling) {
        lgn_mlp_predict(net, xbuf, n, out);
        return;
    }
    /* Dueling: a row of the net's output is [V, A_1..A_C]; Q = V + A - mean(A). */
    lgn_mlp_predict(net, xbuf, n, a->q);
    for (int i = 0; i < n; i++) {
        const float *o = &a->q[(size_t)i * (C + 1)];
        double mean = 0.0;
        for (int c = 0; c < C; c++) mean += o[1 + c];
        mean /= C;
        for (int c = 0; c < C; c++) out[(size_t)i * C + c] = o[0] + o[1 + c] - (float)mean;
    }
}

/* --- acting --- */

static void act(lga_agent *base, const lga_obs_batch *b, int greedy, int32_t *actions)
{
    dqn_agent *a = (dqn_agent *)base;
    const int C = a->C, n = b->n;
    lga_schedule sched = {a->p.epsilon, a->p.epsilon_final, a->p.epsilon_decay_steps};
    float eps = greedy ? 0.0f : lga_schedule_at(&sched, a->c.r.t);
    if (!greedy) a->c.r.t += n;
    /* One forward for all the slots of a chunk (the N slots the agent was
     * made for; a larger batch comes in chunks), at the chunk's first slot
     * that exploits: none while every slot explores. Row i of it equals a
     * forward of slot i alone (lgn_gemm adds in increasing k whatever the
     * tiling) and no draw depends on it, so the actions are those of
     * slot-by-slot acting, bit for bit. */
    int scored = -1; /* the first slot of the chunk scored, if any */
    for (int i = 0; i < n; i++) {
        const uint8_t *mask = &b->mask[(size_t)i * C];
        int32_t *out = &actions[(size_t)i * b->slate_size];
        if (eps > 0.0f && lg_stream_u01(&a->rng) < eps) {
            if (b->slate_size == 1) {
                out[0] = lga_random_valid(mask, C, &a->rng);
            } else {
                for (int c = 0; c < C; c++) a->qo[c] = (float)lg_stream_u01(&a->rng);
                lga_top_k(a->qo, mask, C, b->slate_size, &a->rng, out);
            }
            continue;
        }
        int chunk = i - i % a->N;
        if (scored != chunk) {
            int m = n - chunk < a->N ? n - chunk : a->N;
            for (int r = 0; r < m; r++) a->ps[r] = lga_slot_part(b, chunk + r), a->pt[r] = lga_table_of(b, chunk + r);
            /* One item: only on-air channels compete. A slate longer than
             * the channels on air is filled with off-air ones by their Q
             * (lga_top_k), so a slate needs every channel scored. */
            const uint8_t *need = b->slate_size == 1 ? &b->mask[(size_t)chunk * C] : NULL;
            q_values(a, a->net, m, a->ps, a->pt, need, a->x, a->qn);
            scored = chunk;
        }
        const float *q = &a->qn[(size_t)(i - chunk) * C];
        if (b->slate_size == 1)
            out[0] = lga_argmax_valid(q, mask, C, &a->rng);
        else
            lga_top_k(q, mask, C, b->slate_size, &a->rng, out);
    }
}

/* --- replay --- */

static int64_t push_table(dqn_agent *a, const float *table)
{
    return lga_ring_push(&a->ring, table, &a->c.r, a->p.buffer_size, a->r_tab,
                         lga_ring_slack(a->p.n_step, a->N, a->own_tables));
}

static void store(dqn_agent *a, const float *obs, int64_t tab, int32_t act, float ret, float disc,
                  const float *next, int64_t tab_next)
{
    long i = a->c.r.pos;
    size_t S = (size_t)a->slot_dim;
    memcpy(&a->r_obs[(size_t)i * S], obs, S * sizeof(float));
    memcpy(&a->r_next[(size_t)i * S], next, S * sizeof(float));
    a->r_tab[i] = tab, a->r_tab_next[i] = tab_next, a->r_act[i] = act, a->r_ret[i] = ret, a->r_disc[i] = disc;
    a->c.r.pos = (a->c.r.pos + 1) % a->p.buffer_size;
    if (a->c.r.count < a->p.buffer_size) a->c.r.count++;
    a->c.r.stored++;
    a->c.r.since_train++;
}

/* Emit slot i's oldest pending step as an n-step transition ending at `next`. */
static void emit_oldest(dqn_agent *a, int i, const float *next, int64_t tab_next, int terminated)
{
    const int n = a->p.n_step, len = a->p_len[i];
    size_t base = (size_t)i * (size_t)n;
    double ret = 0.0, g = 1.0;
    for (int j = 0; j < len; j++, g *= a->p.gamma) ret += g * a->p_rew[base + j];
    store(a, &a->p_obs[(base + 0) * (size_t)a->slot_dim], a->p_tab[base], a->p_act[base], (float)ret,
          terminated ? 0.0f : (float)g, next, tab_next);
    /* shift the queue */
    memmove(&a->p_obs[base * (size_t)a->slot_dim], &a->p_obs[(base + 1) * (size_t)a->slot_dim],
            sizeof(float) * (size_t)a->slot_dim * (size_t)(len - 1));
    memmove(&a->p_tab[base], &a->p_tab[base + 1], sizeof(int64_t) * (size_t)(len - 1));
    memmove(&a->p_act[base], &a->p_act[base + 1], sizeof(int32_t) * (size_t)(len - 1));
    memmove(&a->p_rew[base], &a->p_rew[base + 1], sizeof(float) * (size_t)(len - 1));
    a->p_len[i] = len - 1;
}

/* --- learning --- */

/* CQL(H)'s term over a batch whose Q of every channel is q[Bt x C] (rows of
 * the sampled transitions; the on-air channels of each one's table): adds
 * alpha / Bt x (softmax over on-air channels - the logged channel's one-hot)
 * to dq, the loss's gradient in Q, and returns alpha x the batch mean of
 * logsumexp(Q) - Q(logged). Pushing down the values of channels the log
 * rarely took keeps the greedy policy near what the data support. */
static double cql(dqn_agent *a, const float *q, float *dq)
{
    const int Bt = a->p.batch_size, C = a->C;
    const double w = a->p.cql_alpha / Bt;
    double total = 0.0;
    for (int b = 0; b < Bt; b++) {
        int j = a->idx[b];
        const float *tab = lga_ring_at(&a->ring, a->r_tab[j]), *qb = &q[(size_t)b * C];
        float m = -INFINITY;
        for (int c = 0; c < C; c++)
            if (valid(a, tab, c) && qb[c] > m) m = qb[c];
        if (m == -INFINITY) continue;
        double z = 0.0;
        for (int c = 0; c < C; c++)
            if (valid(a, tab, c)) z += exp((double)qb[c] - m);
        for (int c = 0; c < C; c++)
            if (valid(a, tab, c)) dq[(size_t)b * C + c] += (float)(w * exp((double)qb[c] - m) / z);
        dq[(size_t)b * C + a->r_act[j]] -= (float)w;
        total += m + log(z) - qb[a->r_act[j]];
    }
    return a->p.cql_alpha * total / Bt;
}

static void train_step(dqn_agent *a)
{
    const int Bt = a->p.batch_size, C = a->C, in = a->in_dim;
    const size_t S = (size_t)a->slot_dim;
    long oldest = (a->c.r.pos - a->c.r.count + a->p.buffer_size) % a->p.buffer_size;
    for (int b = 0; b < Bt; b++)
        a->idx[b] = (int32_t)((oldest + (long)lg_stream_below(&a->rng, (uint32_t)a->c.r.count)) % a->p.buffer_size);

    /* Targets: y = R + gamma^n max_a' Q_target(s', a') over on-air a' (Double
     * DQN: a' chosen by the online net, valued by the target net). */
    for (int b = 0; b < Bt; b++) {
        int j = a->idx[b];
        a->ps[b] = &a->r_next[(size_t)j * S];
        a->pt[b] = lga_ring_at(&a->ring, a->r_tab_next[j]);
    }
    const uint8_t *need = NULL; /* the item-wise net scores only what the targets read */
    if (a->p.itemwise) {
        for (int b = 0; b < Bt; b++)
            for (int c = 0; c < C; c++)
                a->need[(size_t)b * C + c] = a->r_disc[a->idx[b]] > 0.0f && valid(a, a->pt[b], c);
        need = a->need;
    }
    q_values(a, a->target, Bt, a->ps, a->pt, need, a->xn, a->qn);
    if (a->p.double_dqn) q_values(a, a->net, Bt, a->ps, a->pt, need, a->xn, a->qo);
    const float *chooser = a->p.double_dqn ? a->qo : a->qn;
    for (int b = 0; b < Bt; b++) {
        int j = a->idx[b];
        float y = a->r_ret[j];
        if (a->r_disc[j] > 0.0f) {
            const float *qc = &chooser[(size_t)b * C];
            const uint8_t *ok = need ? &need[(size_t)b * C] : NULL; /* valid(), already read */
            int best = -1;
            for (int c = 0; c < C; c++)
                if ((ok ? ok[c] : valid(a, a->pt[b], c)) && (best < 0 || qc[c] > qc[best])) best = c;
            if (best >= 0) y += a->r_disc[j] * a->qn[(size_t)b * C + best];
        }
        a->y[b] = y;
    }

    /* Online forward on the taken actions (rows built in the net's input
     * buffer: no copy), loss, backward, clip, Adam. */
    float *x = lgn_mlp_input(a->net);
    for (int b = 0; b < Bt; b++) {
        int j = a->idx[b];
        a->ps[b] = &a->r_obs[(size_t)j * S];
        a->pt[b] = lga_ring_at(&a->ring, a->r_tab[j]);
        if (a->p.itemwise) item_row(a, a->ps[b], a->pt[b], a->r_act[j], &x[(size_t)b * in]);
        a->rows[b] = b;
        a->cols[b] = a->p.itemwise ? 0 : a->r_act[j];
    }
    if (!a->p.itemwise) flat_rows(a, Bt, a->ps, a->pt, x);
    lgn_mlp_zero_grad(a->net);
    const float *out = lgn_mlp_forward(a->net, x, Bt);
    lgn_loss_kind kind = a->p.huber ? LGN_LOSS_HUBER : LGN_LOSS_MSE;
    double loss = 0.0;
    if (a->p.dueling) {
        /* Q from [V, A]; dL/dV = sum_c dL/dQ_c, dL/dA_j = dL/dQ_j - mean_c dL/dQ_c. */
        for (int b = 0; b < Bt; b++) {
            const float *o = &out[(size_t)b * a->out_dim];
            double mean = 0.0;
            for (int c = 0; c < C; c++) mean += o[1 + c];
            mean /= C;
            for (int c = 0; c < C; c++) a->q[(size_t)b * C + c] = o[0] + o[1 + c] - (float)mean;
        }
        lgn_loss_select(kind, 1.0f, a->q, Bt, C, Bt, a->rows, a->cols, a->y, NULL, a->qo, &loss);
        if (a->p.cql_alpha > 0.0f) loss += cql(a, a->q, a->qo);
        for (int b = 0; b < Bt; b++) {
            float *d = &a->dout[(size_t)b * a->out_dim];
            const float *dq = &a->qo[(size_t)b * C];
            double sum = 0.0;
            for (int c = 0; c < C; c++) sum += dq[c];
            d[0] = (float)sum;
            for (int c = 0; c < C; c++) d[1 + c] = dq[c] - (float)(sum / C);
        }
    } else {
        lgn_loss_select(kind, 1.0f, out, Bt, a->out_dim, Bt, a->rows, a->cols, a->y, NULL, a->dout, &loss);
        if (a->p.cql_alpha > 0.0f) loss += cql(a, out, a->dout);
    }
    lgn_mlp_backward(a->net, a->dout, NULL);
    size_t np = lgn_mlp_n_params(a->net);
    double norm = lgn_clip_grad_norm(lgn_mlp_grads(a->net), np, a->p.grad_clip > 0 ? a->p.grad_clip : INFINITY);
    if (isfinite(norm)) lgn_adam_step_team(&a->opt, a->team, lgn_mlp_params(a->net), lgn_mlp_grads(a->net));
    a->c.last_loss = loss;
    a->c.r.updates++;
}

static void update(lga_agent *base, const lga_transition_batch *tr)
{
    dqn_agent *a = (dqn_agent *)base;
    const lga_obs_batch *b = tr->obs, *nx = tr->next;
    const int n = a->p.n_step, active = lga_active(tr);
    if (active == 0) return; /* every slot idle: no transition, and no time for the schedules */
    /* Every slot's table, then every next one: without a candidate stage
     * they are one table each, which push_table keeps once. */
    const int m = b->n < a->N ? b->n : a->N;
    for (int i = 0; i < m; i++) a->step_tabs[i] = push_table(a, lga_table_of(b, i));
    for (int i = 0; i < m; i++) a->step_tabs[a->N + i] = push_table(a, lga_table_of(nx, i));
    for (int i = 0; i < m; i++) {
        const int64_t tab = a->step_tabs[i], tab_next = a->step_tabs[a->N + i];
        if (lga_idle(tr, i)) continue;
        /* The credited item: the one taken, else the first recommended. */
        const int32_t *slate = &tr->actions[(size_t)i * b->slate_size];
        const int pos = tr->info[i].position;
        int32_t act = pos >= 0 && pos < b->slate_size ? slate[pos] : slate[0];
        if (act < 0 || act >= a->C) continue;
        size_t at = (size_t)i * (size_t)n + (size_t)a->p_len[i];
        memcpy(&a->p_obs[at * (size_t)a->slot_dim], lga_slot_part(b, i), sizeof(float) * (size_t)a->slot_dim);
        a->p_tab[at] = tab, a->p_act[at] = act, a->p_rew[at] = tr->reward[i];
        a->p_len[i]++;
        const float *next = lga_slot_part(nx, i);
        if (tr->terminated[i] || tr->truncated[i]) {
            while (a->p_len[i] > 0) emit_oldest(a, i, next, tab_next, tr->terminated[i]);
        } else if (a->p_len[i] == n) {
            emit_oldest(a, i, next, tab_next, 0);
        }
    }
    a->c.r.since_target += active;
    long targets, steps = lga_replay_due(&a->c.r, a->p.learning_starts, a->p.train_frequency, a->p.target_update,
                                         &targets);
    for (long s = 0; s < steps; s++) train_step(a);
    for (long s = 0; s < targets; s++) lgn_mlp_track(a->target, a->net, a->p.tau);
}

/* Everything that determines the future: a loaded agent continues exactly
 * as the saved one would have. "=shape" must match, not be loaded. Table
 * ids index the table ring (id % R): never negative. */
static int state(lga_agent *base, lga_state_block *bl)
{
    dqn_agent *a = (dqn_agent *)base;
    size_t B = (size_t)a->p.buffer_size, S = (size_t)a->slot_dim, T = (size_t)a->C * (size_t)a->ch_dim;
    size_t N = (size_t)a->N, n = (size_t)a->p.n_step, np = lgn_mlp_n_params(a->net);
    const double F = LGA_FMAX, ids = 9e18, acts = a->C - 1;
    int k = 0;
    bl[k++] = LGA_RAW_BLOCK("=shape", a->shape_tag, sizeof a->shape_tag);
    bl[k++] = LGA_F32_BLOCK("params", lgn_mlp_params(a->net), np, -F, F);
    bl[k++] = LGA_F32_BLOCK("target", lgn_mlp_params(a->target), np, -F, F);
    bl[k++] = LGA_F32_BLOCK("adam_moments", a->opt.m, 2 * np, -INFINITY, INFINITY); /* can overflow unclipped */
    bl[k++] = LGA_I64_BLOCK("adam_step", &a->opt.step, 1, 0, ids);
    bl[k++] = LGA_RAW_BLOCK("counters", &a->c, sizeof a->c);
    bl[k++] = LGA_RAW_BLOCK("rng", &a->rng, sizeof a->rng);
    bl[k++] = LGA_F32_BLOCK("replay_obs", a->r_obs, B * S, -F, F);
    bl[k++] = LGA_F32_BLOCK("replay_next", a->r_next, B * S, -F, F);
    bl[k++] = LGA_I64_BLOCK("replay_table", a->r_tab, B, 0, ids);
    bl[k++] = LGA_I64_BLOCK("replay_table_next", a->r_tab_next, B, 0, ids);
    bl[k++] = LGA_I32_BLOCK("replay_action", a->r_act, B, 0, acts);
    bl[k++] = LGA_F32_BLOCK("replay_return", a->r_ret, B, -F, F);
    bl[k++] = LGA_F32_BLOCK("replay_discount", a->r_disc, B, 0, 1);
    bl[k++] = LGA_F32_BLOCK("table_ring", a->ring.tables, (size_t)a->ring.R * T, -F, F);
    bl[k++] = LGA_I64_BLOCK("table_ids", a->ring.ids, a->ring.R, -1, ids);
    bl[k++] = LGA_F32_BLOCK("pending_obs", a->p_obs, N * n * S, -F, F);
    bl[k++] = LGA_I64_BLOCK("pending_table", a->p_tab, N * n, 0, ids);
    bl[k++] = LGA_I32_BLOCK("pending_action", a->p_act, N * n, 0, acts);
    bl[k++] = LGA_F32_BLOCK("pending_reward", a->p_rew, N * n, -F, F);
    bl[k++] = LGA_I32_BLOCK("pending_length", a->p_len, N, 0, (double)n - 1); /* emitted when it reaches n */
    return k;
}

/* What the ranges cannot say: the counters against the capacities and each
 * other (lga_replay.h), the Adam moments, the table ids the replay and the
 * n-step queues hold. */
static int check(const lga_agent *base, char *err, size_t errsz)
{
    const dqn_agent *a = (const dqn_agent *)base;
    const dqn_params *p = &a->p;
    const long B = p->buffer_size, next = a->c.r.table_next_id;
    const long warmup = p->learning_starts + B + (long)a->N * (p->n_step + 2);
    if (lga_replay_counters_check(&a->c.r, B, p->learning_starts, p->train_frequency, p->target_update, warmup, err,
                                  errsz))
        return -1;
    if (lgn_adam_check(&a->opt, "adam_moments", err, errsz)) return -1;
    if (lga_ring_check(&a->ring, next, a->r_tab, a->r_tab_next, B, err, errsz)) return -1;
    for (long i = 0; i < (long)a->N * p->n_step; i++)
        if (a->p_tab[i] > next)
            return snprintf(err, errsz, "block \"pending_table\"[%ld]: expected a table id of at most %ld, found %lld",
                            i, next, (long long)a->p_tab[i]), -1;
    return 0;
}

static int scores(lga_agent *base, const lga_obs_batch *b, int slot, float *out)
{
    dqn_agent *a = (dqn_agent *)base;
    const float *slots[1] = {lga_slot_part(b, slot)}, *tables[1] = {lga_table_of(b, slot)};
    q_values(a, a->net, 1, slots, tables, NULL, a->x, out);
    return 1;
}

/* The forward of one slot equals its row of act's batched forward (see
 * act), so the ties seen here are act's. */
static int probs(lga_agent *base, const lga_obs_batch *b, int slot, lg_stream *rng, double *out)
{
    (void)rng;
    dqn_agent *a = (dqn_agent *)base;
    if (b->slate_size != 1) return 0;
    scores(base, b, slot, a->qo);
    lga_schedule sched = {a->p.epsilon, a->p.epsilon_final, a->p.epsilon_decay_steps};
    lga_epsilon_greedy_probs(lga_schedule_at(&sched, a->c.r.t), a->qo, &b->mask[(size_t)slot * a->C], a->C, out);
    return 1;
}

static float epsilon(const lga_agent *base)
{
    const dqn_agent *a = (const dqn_agent *)base;
    lga_schedule sched = {a->p.epsilon, a->p.epsilon_final, a->p.epsilon_decay_steps};
    return lga_schedule_at(&sched, a->c.r.t);
}

static void use_team(lga_agent *base, lgn_team *team)
{
    dqn_agent *a = (dqn_agent *)base;
    a->team = team;
    lgn_mlp_set_team(a->net, team), lgn_mlp_set_team(a->target, team);
}

const lga_agent_type lga_dqn_type = {
    .name = "dqn",
    .summary = "Deep Q-Network (replay, target net, Double, dueling, n-step; flat or itemwise network)",
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
    .probs = probs,
    .use_team = use_team,
};
