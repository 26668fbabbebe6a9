/* The MLP: creation (every buffer allocated here, once), initialisation,
 * training forward/backward, inference, target-network updates.
 *
 * Buffers (floats), all sized for max_batch rows at creation:
 *   act[i]    [max_batch x widths[i]]  act[0] the copied input, act[i] the
 *             post-ReLU output of dense layer i-1, act[n_layers-1] the output
 *   delta[2]  [max_batch x max_width]  dL/d(layer input), ping-pong
 *   wt        [max in*out]             W_l transposed, for dX = dY W_l^T
 *   inf[2]    [max_batch x max_width]  inference ping-pong (predict)
 *   xk        [max_batch x widths[0]]  the training forward's input, its
 *             zero columns left out (kept_columns), for the backward
 *   gsum      [widths[1]]              the backward's sum of the rows that
 *             share row 0's shared columns (shared_grads)
 * Nothing after lgn_mlp_create allocates. */
#include <stdlib.h>
#include <string.h>

#include "lgn.h"
#include "lgn_internal.h"

struct lgn_mlp {
    int n_layers; /* widths */
    int widths[LGN_MAX_LAYERS];
    int max_batch;
    int batch; /* rows of the last training forward, 0 if none */
    int max_width;
    size_t n_params;
    size_t w_off[LGN_MAX_LAYERS], b_off[LGN_MAX_LAYERS];
    float *params, *grads;
    float *act[LGN_MAX_LAYERS];
    float *delta[2];
    float *wt;
    float *inf[2];
    float *xk;
    int32_t *kept;     /* [widths[0]] the training forward's input columns kept */
    int32_t *kept_inf; /* [widths[0]] the same for an inference chunk */
    int n_kept;        /* of the last training forward (widths[0]: all) */
    int32_t *runs;      /* [widths[0] + 2] the shared columns (lgn_mlp_set_shared_columns) as runs of
                           adjacent columns: start, length */
    int32_t *rest_runs; /* [widths[0] + 2] the other columns' runs */
    int32_t *rest_cols; /* [widths[0]] the other columns, increasing */
    int n_shared, n_runs, n_rest_runs;
    uint8_t *is_shared; /* [widths[0]] 1 for a shared column */
    uint8_t *same;      /* [max_batch] 1 where a training row's shared columns are row 0's */
    float *gsum;
    float *block; /* one allocation behind act, delta, wt, inf, xk, gsum */
    lgn_team *team; /* NULL: products on the caller's thread */
};

static void set_err(char *err, size_t errsz, const char *msg, long a, long b)
{
    if (err && errsz) snprintf(err, errsz, msg, a, b);
}

/* 64-byte aligned, zeroed, nfloats rounded up to a multiple of 16. */
static float *alloc_floats(size_t nfloats)
{
    size_t bytes = ((nfloats + 15) / 16) * 16 * sizeof(float);
    if (bytes == 0) bytes = 64;
    float *p = aligned_alloc(64, bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

static size_t round16(size_t n) { return (n + 15) / 16 * 16; }

int lgn_mlp_create(const int *widths, int n_layers, int max_batch, lgn_mlp **out, char *err, size_t errsz)
{
    if (out) *out = NULL;
    if (!out || !widths) {
        set_err(err, errsz, "lgn_mlp_create: NULL argument", 0, 0);
        return -1;
    }
    if (n_layers < 2 || n_layers > LGN_MAX_LAYERS) {
        set_err(err, errsz, "lgn_mlp_create: n_layers must be in [2, %ld], found %ld", LGN_MAX_LAYERS, n_layers);
        return -1;
    }
    if (max_batch < 1 || max_batch > (1 << 24)) {
        set_err(err, errsz, "lgn_mlp_create: max_batch must be in [1, %ld], found %ld", 1L << 24, max_batch);
        return -1;
    }
    size_t n_params = 0, max_wt = 0, act_total = 0;
    int max_width = 0;
    for (int i = 0; i < n_layers; i++) {
        if (widths[i] < 1 || widths[i] > LGN_MAX_WIDTH) {
            set_err(err, errsz, "lgn_mlp_create: widths[%ld] must be in [1, 2^20], found %ld", i, widths[i]);
            return -1;
        }
        if (widths[i] > max_width) max_width = widths[i];
        act_total += round16((size_t)max_batch * (size_t)widths[i]);
        if (i + 1 < n_layers) {
            size_t w = (size_t)widths[i] * (size_t)widths[i + 1];
            if (w > max_wt) max_wt = w;
            n_params += w + (size_t)widths[i + 1];
        }
    }
    if (n_params > LGN_MAX_PARAMS) {
        set_err(err, errsz, "lgn_mlp_create: %ld parameters exceed the limit of 2^%ld", (long)n_params, 31);
        return -1;
    }
    lgn_mlp *net = calloc(1, sizeof *net);
    if (!net) goto oom;
    net->n_layers = n_layers;
    memcpy(net->widths, widths, sizeof(int) * (size_t)n_layers);
    net->max_batch = max_batch;
    net->max_width = max_width;
    net->n_params = n_params;
    size_t off = 0;
    for (int l = 0; l + 1 < n_layers; l++) {
        net->w_off[l] = off;
        off += (size_t)widths[l] * (size_t)widths[l + 1];
        net->b_off[l] = off;
        off += (size_t)widths[l + 1];
    }
    size_t scratch = round16((size_t)max_batch * (size_t)max_width);
    size_t total = act_total + 4 * scratch + round16(max_wt) + round16((size_t)max_batch * (size_t)widths[0]) +
                   round16((size_t)widths[1]);
    net->params = alloc_floats(n_params);
    net->grads = alloc_floats(n_params);
    net->block = alloc_floats(total);
    net->kept = malloc(sizeof(int32_t) * (5 * (size_t)widths[0] + 4));
    net->is_shared = calloc((size_t)widths[0] + (size_t)max_batch, 1);
    if (!net->params || !net->grads || !net->block || !net->kept || !net->is_shared) goto oom;
    net->kept_inf = net->kept + widths[0];
    net->runs = net->kept + 2 * (size_t)widths[0];
    net->rest_runs = net->runs + widths[0] + 2;
    net->rest_cols = net->rest_runs + widths[0] + 2;
    net->same = net->is_shared + widths[0];
    float *p = net->block;
    for (int i = 0; i < n_layers; i++) {
        net->act[i] = p;
        p += round16((size_t)max_batch * (size_t)widths[i]);
    }
    net->delta[0] = p, p += scratch;
    net->delta[1] = p, p += scratch;
    net->inf[0] = p, p += scratch;
    net->inf[1] = p, p += scratch;
    net->wt = p, p += round16(max_wt);
    net->xk = p, p += round16((size_t)max_batch * (size_t)widths[0]);
    net->gsum = p;
    *out = net;
    return 0;
oom:
    lgn_mlp_free(net);
    set_err(err, errsz, "lgn_mlp_create: out of memory (%ld parameters, max_batch %ld)", (long)n_params, max_batch);
    return -1;
}

void lgn_mlp_free(lgn_mlp *net)
{
    if (!net) return;
    free(net->params);
    free(net->grads);
    free(net->block);
    free(net->kept);
    free(net->is_shared);
    free(net);
}

int lgn_mlp_n_layers(const lgn_mlp *net) { return net->n_layers; }
int lgn_mlp_width(const lgn_mlp *net, int i) { return i >= 0 && i < net->n_layers ? net->widths[i] : 0; }
int lgn_mlp_max_batch(const lgn_mlp *net) { return net->max_batch; }
size_t lgn_mlp_n_params(const lgn_mlp *net) { return net->n_params; }
float *lgn_mlp_params(lgn_mlp *net) { return net->params; }
float *lgn_mlp_grads(lgn_mlp *net) { return net->grads; }
const float *lgn_mlp_params_const(const lgn_mlp *net) { return net->params; }
int lgn_mlp_batch(const lgn_mlp *net) { return net->batch; }

size_t lgn_mlp_weights_offset(const lgn_mlp *net, int layer)
{
    return layer >= 0 && layer + 1 < net->n_layers ? net->w_off[layer] : 0;
}

size_t lgn_mlp_bias_offset(const lgn_mlp *net, int layer)
{
    return layer >= 0 && layer + 1 < net->n_layers ? net->b_off[layer] : 0;
}

float *lgn_mlp_input(lgn_mlp *net) { return net ? net->act[0] : NULL; }

const float *lgn_mlp_layer_output(const lgn_mlp *net, int i)
{
    return i >= 0 && i < net->n_layers ? net->act[i] : NULL;
}

void lgn_mlp_init(lgn_mlp *net, lg_stream *rng)
{
    int L = net->n_layers - 1;
    for (int l = 0; l < L; l++) {
        int in = net->widths[l], out = net->widths[l + 1];
        float *w = net->params + net->w_off[l];
        size_t n = (size_t)in * (size_t)out;
        /* One draw of rng per layer keys the layer's own counter-based
         * draws, so normals (two uniforms each) and uniforms never share a
         * key and the caller's stream advances by one per layer. */
        uint64_t key = lg_key(lg_stream_bits(rng), (uint64_t)l);
        if (l + 1 < L) { /* followed by ReLU: He et al. 2015 */
            double sd = sqrt(2.0 / in);
            for (size_t i = 0; i < n; i++) w[i] = (float)(sd * lg_normal(key, i));
        } else { /* linear output: Glorot & Bengio 2010, uniform */
            double a = sqrt(6.0 / (in + out));
            for (size_t i = 0; i < n; i++) w[i] = (float)(a * (2.0 * lg_u01(key, i) - 1.0));
        }
        memset(net->params + net->b_off[l], 0, sizeof(float) * (size_t)out);
    }
    lgn_mlp_zero_grad(net);
}

void lgn_mlp_zero_grad(lgn_mlp *net) { memset(net->grads, 0, sizeof(float) * net->n_params); }

static void relu_inplace(float *y, size_t n)
{
    const lgn_v4 zero = lgn_bc(0.0f);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        lgn_v4 v = lgn_ld(y + i);
        lgn_st(y + i, lgn_select(v, v > zero));
    }
    for (; i < n; i++) y[i] = y[i] > 0.0f ? y[i] : 0.0f;
}

/* dx[i] = h[i] > 0 ? dx[i] : 0 (ReLU's derivative taken from its output). */
static void relu_backward(float *dx, const float *h, size_t n)
{
    const lgn_v4 zero = lgn_bc(0.0f);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) lgn_st(dx + i, lgn_select(lgn_ld(dx + i), lgn_ld(h + i) > zero));
    for (; i < n; i++) dx[i] = h[i] > 0.0f ? dx[i] : 0.0f;
}

/* y[rows x out] = x W_l + b_l, then ReLU unless l is the output layer.
 * x has `in` columns in rows of stride ldx, and w `in` rows. */
static void layer_product(const lgn_mlp *net, int l, const float *x, int in, ptrdiff_t ldx, const float *w, int rows,
                          float *y)
{
    int out = net->widths[l + 1];
    const float *b = net->params + net->b_off[l];
    for (int r = 0; r < rows; r++) memcpy(y + (size_t)r * out, b, sizeof(float) * (size_t)out);
    lgn_team_gemm(net->team, rows, out, in, x, ldx, 1, w, out, y, out);
    if (l + 2 < net->n_layers) relu_inplace(y, (size_t)rows * (size_t)out);
}

static void layer_forward(const lgn_mlp *net, int l, const float *x, int rows, float *y)
{
    layer_product(net, l, x, net->widths[l], net->widths[l], net->params + net->w_off[l], rows, y);
}

/* The net's team for a pass over `floats` floats: NULL (the caller alone)
 * under 2^16, about 10 microseconds of copying, where handing out pieces
 * and moving them between caches costs more than it saves. */
static lgn_team *team_for(const lgn_mlp *net, size_t floats) { return floats >= ((size_t)1 << 16) ? net->team : NULL; }

typedef struct {
    const float *x;
    int rows, in;
    uint32_t *any;
} scan_job;

/* any[k] = the OR of column k's bits over the rows, for k in [lo, hi) */
static void scan_part(void *arg, int lo, int hi)
{
    const scan_job *j = arg;
    memset(j->any + lo, 0, sizeof(uint32_t) * (size_t)(hi - lo));
    for (int r = 0; r < j->rows; r++) {
        const float *xr = j->x + (size_t)r * j->in;
        int k = lo;
        for (; k + 4 <= hi; k += 4) {
            lgn_v4i a, v;
            memcpy(&a, j->any + k, sizeof a), memcpy(&v, xr + k, sizeof v);
            a |= v;
            memcpy(j->any + k, &a, sizeof a);
        }
        for (; k < hi; k++) {
            uint32_t v;
            memcpy(&v, xr + k, sizeof v);
            j->any[k] |= v;
        }
    }
}

/* The input columns of x [rows x in] with a non-zero entry (NaN and
 * infinities count), in increasing order, into kept; returns how many.
 *
 * Why: the first layer's inputs hold whole blocks of zeros (a one-hot's
 * other categories, the dynamic features of channels off air): a third of
 * the default DQN's 1,216 columns are zero in every row of a batch. Such a
 * column adds a product of +-0 to every sum of the first layer's forward
 * and to its weights' gradient; leaving it out, the other products still
 * come in increasing k, so a sum differs at most in the sign of a zero,
 * which the ReLU after the layer maps to +0 either way (hence hidden
 * layers only), and a gradient sum started from +0 (lgn_mlp_zero_grad) is
 * unchanged (a -0 left there by a clip to 0 and a second backward without
 * zero_grad stays -0 where the full product would make it +0; Adam's step
 * is the same for both). The same bits, then, for finite weights and
 * gradients, which are the only ones a net holds: the readers refuse
 * others, Adam's eps > 0 keeps a parameter without gradient finite, and a
 * step of a non-finite gradient is skipped (lgn_clip_grad_norm). */
static int kept_columns(const lgn_mlp *net, const float *x, int rows, int in, int32_t *kept)
{
    /* the OR of each column's bits, then the list in place; columns in
     * pieces on the team */
    scan_job j = {x, rows, in, (uint32_t *)kept};
    lgn_team *t = team_for(net, (size_t)rows * (size_t)in);
    lgn_team_for(t, in, lgn_team_grain(t, in), scan_part, &j);
    const uint32_t *any = j.any;
    int n = 0;
    for (int k = 0; k < in; k++)
        if (any[k] & 0x7fffffffu) kept[n++] = k;
    return n;
}

/* Leaving columns out is exact only when a ReLU follows, and pays for a
 * product of 16 rows or more (the packing copies the kept rows of W_0
 * whatever the rows: a single row ran twice as slow) with a tenth or more
 * of the columns zero; kept_columns runs only then. */
static int may_leave_out(const lgn_mlp *net, int rows) { return net->n_layers >= 3 && rows >= 16; }
static int worth_leaving_out(int n_kept, int columns) { return n_kept * 10 <= columns * 9; }

/* Copies on the net's team, in pieces: rows of w floats, dst's row i =
 * src's row idx[i] (gather) or the other way (scatter); and the kept
 * columns idx[0..n) of rows of `in` floats (columns), by the products' row
 * pieces, so that a thread mostly multiplies the rows it packed. */
typedef struct {
    float *dst;
    const float *src;
    const int32_t *idx;
    int n, w;
} copy_job;

static void gather_part(void *arg, int lo, int hi)
{
    const copy_job *j = arg;
    for (int i = lo; i < hi; i++)
        memcpy(j->dst + (size_t)i * j->w, j->src + (size_t)j->idx[i] * j->w, sizeof(float) * (size_t)j->w);
}

static void scatter_part(void *arg, int lo, int hi)
{
    const copy_job *j = arg;
    for (int i = lo; i < hi; i++)
        memcpy(j->dst + (size_t)j->idx[i] * j->w, j->src + (size_t)i * j->w, sizeof(float) * (size_t)j->w);
}

static void columns_part(void *arg, int lo, int hi)
{
    const copy_job *j = arg;
    for (int r = lo; r < hi; r++) {
        const float *xr = j->src + (size_t)r * j->w;
        float *kr = j->dst + (size_t)r * j->n;
        for (int i = 0; i < j->n; i++) kr[i] = xr[j->idx[i]];
    }
}

static void copy_rows(const lgn_mlp *net, lgn_range_fn fn, float *dst, const float *src, const int32_t *idx, int n,
                      int w)
{
    copy_job j = {dst, src, idx, n, w};
    lgn_team *t = team_for(net, (size_t)n * (size_t)w);
    lgn_team_for(t, n, lgn_team_grain(t, n), fn, &j);
}

/* y[widths[1]] = b_0 + row x's shared columns' products, in column order
 * (lgn_gemm adds in k order, run after run): the row's share of the first
 * layer. */
static void shared_share(const lgn_mlp *net, const float *x, float *y)
{
    const int out = net->widths[1];
    const float *w = net->params + net->w_off[0];
    memcpy(y, net->params + net->b_off[0], sizeof(float) * (size_t)out);
    for (int i = 0; i < net->n_runs; i++) {
        const int at = net->runs[2 * i], len = net->runs[2 * i + 1];
        lgn_gemm(1, out, len, x + at, 1, 1, w + (size_t)at * out, out, y, out);
    }
}

/* 1 if rows a and b hold the same bits in every shared column */
static int same_shared(const lgn_mlp *net, const float *a, const float *b)
{
    lgn_v4i acc = {0, 0, 0, 0};
    uint32_t tail = 0;
    for (int i = 0; i < net->n_runs; i++) {
        const int at = net->runs[2 * i], len = net->runs[2 * i + 1];
        int j = 0;
        for (; j + 4 <= len; j += 4) {
            lgn_v4i u, v;
            memcpy(&u, a + at + j, sizeof u), memcpy(&v, b + at + j, sizeof v);
            acc |= u ^ v;
        }
        for (; j < len; j++) {
            uint32_t u, v;
            memcpy(&u, a + at + j, sizeof u), memcpy(&v, b + at + j, sizeof v);
            tail |= u ^ v;
        }
    }
    return !(tail | (uint32_t)(acc[0] | acc[1] | acc[2] | acc[3]));
}

typedef struct {
    const lgn_mlp *net;
    const float *x;
    float *xk, *y;
    uint8_t *same;
} shared_rows_job;

/* Rows [lo, hi) of shared_first_layer's pass: a row's share (row 0's
 * copied where the row holds its bits), and its other columns packed. */
static void shared_rows_part(void *arg, int lo, int hi)
{
    const shared_rows_job *j = arg;
    const lgn_mlp *net = j->net;
    const int in = net->widths[0], out = net->widths[1], nr = in - net->n_shared;
    for (int r = lo; r < hi; r++) {
        const float *xr = j->x + (size_t)r * in;
        if (r > 0) {
            float *yr = j->y + (size_t)r * out;
            const int s = same_shared(net, j->x, xr);
            if (j->same) j->same[r] = (uint8_t)s;
            if (s) memcpy(yr, j->y, sizeof(float) * (size_t)out);
            else shared_share(net, xr, yr);
        }
        float *kr = j->xk + (size_t)r * nr;
        for (int i = 0; i < net->n_rest_runs; i++) {
            const int at = net->rest_runs[2 * i], len = net->rest_runs[2 * i + 1];
            for (int c = 0; c < len; c++) *kr++ = xr[at + c];
        }
    }
}

/* The first layer with shared columns: every row's sums are b_0, the
 * shared columns' products, then the others' (each in column order). The
 * share is summed once, for row 0, and copied into every row with row 0's
 * bits in the shared columns (so the same floats as its own sum: a row
 * never depends on the others); a row that differs sums its own. `same`
 * (NULL: not kept) records which rows copied, for shared_grads. One pass
 * over x does that and packs the other columns into xk; their zero
 * columns are then left out as in first_layer (found in xk, which is
 * short). Returns the other columns kept (listed in kept). */
static int shared_first_layer(const lgn_mlp *net, const float *x, int rows, int32_t *kept, float *xk, uint8_t *same,
                              float *y)
{
    const int in = net->widths[0], out = net->widths[1], nr = in - net->n_shared;
    shared_share(net, x, y);
    if (same) same[0] = 1;
    shared_rows_job job = {net, x, xk, y, same};
    lgn_team *t = team_for(net, (size_t)rows * (size_t)in);
    lgn_team_for(t, rows, lgn_team_grain(t, rows), shared_rows_part, &job);
    int n;
    if (may_leave_out(net, rows) && worth_leaving_out(n = kept_columns(net, xk, rows, nr, kept), nr)) {
        /* xk's rows closed up in place, one after the other (never past
         * what is still to read; not on the team: a row's new place may
         * overlap an earlier row's old one) */
        copy_job close_up = {xk, xk, kept, n, nr};
        columns_part(&close_up, 0, rows);
        for (int i = 0; i < n; i++) kept[i] = net->rest_cols[kept[i]];
    } else {
        n = nr;
        memcpy(kept, net->rest_cols, sizeof(int32_t) * (size_t)nr);
    }
    copy_rows(net, gather_part, net->wt, net->params + net->w_off[0], kept, n, out);
    lgn_team_gemm(net->team, rows, out, n, xk, n, 1, net->wt, out, y, out);
    if (net->n_layers > 2) relu_inplace(y, (size_t)rows * (size_t)out);
    return n;
}

/* The first layer on x [rows x widths[0]] into y. When worth it, on the
 * kept columns (listed in kept): x's into xk [rows x n], W_0's rows into
 * wt [n x widths[1]], and the shorter product. Returns the columns used
 * (widths[0]: all). With shared columns, shared_first_layer. */
static int first_layer(const lgn_mlp *net, const float *x, int rows, int32_t *kept, float *xk, uint8_t *same,
                       float *y)
{
    const int in = net->widths[0], out = net->widths[1];
    if (net->n_shared) return shared_first_layer(net, x, rows, kept, xk, same, y);
    int n;
    if (!may_leave_out(net, rows) || !worth_leaving_out(n = kept_columns(net, x, rows, in, kept), in)) {
        layer_forward(net, 0, x, rows, y);
        return in;
    }
    copy_job cols = {xk, x, kept, n, in};
    lgn_team *t = team_for(net, (size_t)rows * (size_t)n);
    lgn_team_for(t, rows, lgn_team_grain(t, rows), columns_part, &cols);
    copy_rows(net, gather_part, net->wt, net->params + net->w_off[0], kept, n, out);
    layer_product(net, 0, xk, n, n, net->wt, rows, y);
    return n;
}

const float *lgn_mlp_forward(lgn_mlp *net, const float *x, int batch)
{
    if (!net || !x || batch < 1 || batch > net->max_batch) return NULL;
    if (x != net->act[0]) memcpy(net->act[0], x, sizeof(float) * (size_t)batch * (size_t)net->widths[0]);
    net->n_kept = first_layer(net, net->act[0], batch, net->kept, net->xk, net->same, net->act[1]);
    for (int l = 1; l + 1 < net->n_layers; l++) layer_forward(net, l, net->act[l], batch, net->act[l + 1]);
    net->batch = batch;
    return net->act[net->n_layers - 1];
}

/* Layers l0.. of the net on n rows x[n x widths[l0]] into out, in chunks
 * of max_batch through the inference buffers. */
static void infer_from(lgn_mlp *net, int l0, const float *x, int n, float *out)
{
    int L = net->n_layers - 1, w = net->widths[l0], wl = net->widths[L];
    for (int s = 0; s < n; s += net->max_batch) {
        int rows = n - s < net->max_batch ? n - s : net->max_batch;
        const float *in = x + (size_t)s * w;
        for (int l = l0; l < L; l++) {
            float *y = l + 1 == L ? out + (size_t)s * wl : net->inf[l & 1];
            /* inf[1] is free while layer 0 writes inf[0] */
            if (l == 0) first_layer(net, in, rows, net->kept_inf, net->inf[1], NULL, y);
            else layer_forward(net, l, in, rows, y);
            in = y;
        }
    }
}

int lgn_mlp_predict(lgn_mlp *net, const float *x, int n, float *out)
{
    if (!net || n < 0 || (n > 0 && (!x || !out))) return -1;
    infer_from(net, 0, x, n, out);
    return 0;
}

int lgn_mlp_predict_from_first(lgn_mlp *net, float *h, int n, float *out)
{
    if (!net || n < 0 || (n > 0 && (!h || !out))) return -1;
    int L = net->n_layers - 1, w1 = net->widths[1];
    if (L == 1) {
        memcpy(out, h, sizeof(float) * (size_t)n * (size_t)w1);
        return 0;
    }
    relu_inplace(h, (size_t)n * (size_t)w1);
    infer_from(net, 1, h, n, out);
    return 0;
}

int lgn_mlp_predict_parts(lgn_mlp *net, int n_states, const float *ctx, int ctx_dim, int n_rows, const int32_t *state,
                          const float *rest, float *hc, float *h, float *out)
{
    if (!net || n_states < 0 || n_rows < 0 || ctx_dim < 0 || ctx_dim > net->widths[0]) return -1;
    if (n_rows == 0) return 0;
    if (!state || !hc || !h || !out || (ctx_dim > 0 && !ctx) || (ctx_dim < net->widths[0] && !rest)) return -1;
    if (net->n_shared) return -1; /* its sums are b_0 + the context + the rest */
    for (int r = 0; r < n_rows; r++)
        if (state[r] < 0 || state[r] >= n_states) return -1;
    const int H = net->widths[1], rd = net->widths[0] - ctx_dim;
    const float *w = net->params + net->w_off[0], *b = net->params + net->b_off[0];
    for (int i = 0; i < n_states; i++) memcpy(hc + (size_t)i * H, b, sizeof(float) * (size_t)H);
    lgn_team_gemm(net->team, n_states, H, ctx_dim, ctx, ctx_dim, 1, w, H, hc, H);
    for (int r = 0; r < n_rows; r++) memcpy(h + (size_t)r * H, hc + (size_t)state[r] * H, sizeof(float) * (size_t)H);
    lgn_team_gemm(net->team, n_rows, H, rd, rest, rd, 1, w + (size_t)ctx_dim * H, H, h, H);
    return lgn_mlp_predict_from_first(net, h, n_rows, out);
}

/* g[n] += row, lane by lane (the bias gradient's and the shared rows'
 * sums, rows added one after the other) */
static void add_row(float *g, const float *row, int n)
{
    int j = 0;
    for (; j + 4 <= n; j += 4) lgn_st(g + j, lgn_ld(g + j) + lgn_ld(row + j));
    for (; j < n; j++) g[j] += row[j];
}

typedef struct {
    const lgn_mlp *net;
    const float *d; /* [B x widths[1]] dL/d(the first layer's sums) */
    int B;
    float *gw;
} shared_grads_job;

/* Runs [lo, hi) of the shared columns' rows of dW_0: x_0[k] times the sum
 * of the rows that shared row 0's columns, then each other row's
 * x_r[k] d_r (products of one k: each weight gets them in that order). */
static void shared_grads_part(void *arg, int lo, int hi)
{
    const shared_grads_job *j = arg;
    const lgn_mlp *net = j->net;
    const int in = net->widths[0], out = net->widths[1];
    const float *x = net->act[0];
    for (int i = lo; i < hi; i++) {
        const int at = net->runs[2 * i], len = net->runs[2 * i + 1];
        float *g = j->gw + (size_t)at * out;
        lgn_gemm(len, out, 1, x + at, 1, 1, net->gsum, out, g, out);
        for (int r = 1; r < j->B; r++)
            if (!net->same[r]) lgn_gemm(len, out, 1, x + (size_t)r * in + at, 1, 1, j->d + (size_t)r * out, out, g, out);
    }
}

/* dW_0's shared rows. Rows that shared row 0's columns share its input
 * there, so their products are summed as x_0[k] (d_0 + d_r + ..., rows in
 * order): one product per weight instead of one per row. That is the order
 * of the sums (lgn.h), not the rows' x_r[k] d_r one by one. */
static void shared_grads(lgn_mlp *net, const float *d, int B, float *gw)
{
    const int out = net->widths[1];
    float *g = net->gsum;
    memcpy(g, d, sizeof(float) * (size_t)out);
    for (int r = 1; r < B; r++)
        if (net->same[r]) add_row(g, d + (size_t)r * out, out);
    shared_grads_job j = {net, d, B, gw};
    lgn_team *t = team_for(net, (size_t)net->n_shared * (size_t)out);
    lgn_team_for(t, net->n_runs, lgn_team_grain(t, net->n_runs), shared_grads_part, &j);
}

int lgn_mlp_backward(lgn_mlp *net, const float *dout, float *dinput)
{
    if (!net || !dout || net->batch < 1) return -1;
    const int B = net->batch;
    const float *d = dout; /* dL/d(output of layer l), [B x out] */
    for (int l = net->n_layers - 2; l >= 0; l--) {
        int in = net->widths[l], out = net->widths[l + 1];
        float *gw = net->grads + net->w_off[l], *gb = net->grads + net->b_off[l];
        /* db += sum over rows of d, rows in order. */
        for (int r = 0; r < B; r++) add_row(gb, d + (size_t)r * out, out);
        if (l == 0 && net->n_shared) shared_grads(net, d, B, gw);
        if (l == 0 && net->n_kept < in) {
            /* only the kept columns' rows of dW, through wt (the other
             * rows would get +-0 products: kept_columns) */
            const int n = net->n_kept;
            copy_rows(net, gather_part, net->wt, gw, net->kept, n, out);
            lgn_team_gemm(net->team, n, out, B, net->xk, 1, n, d, out, net->wt, out);
            copy_rows(net, scatter_part, gw, net->wt, net->kept, n, out);
        } else {
            /* dW [in x out] += X^T [in x B] d [B x out]; X^T is a strided view. */
            lgn_team_gemm(net->team, in, out, B, net->act[l], 1, in, d, out, gw, out);
        }
        if (l == 0 && !dinput) break;
        /* dX [B x in] = d [B x out] W^T [out x in]. */
        float *dx = l == 0 ? dinput : net->delta[l & 1];
        lgn_transpose(in, out, net->params + net->w_off[l], net->wt);
        memset(dx, 0, sizeof(float) * (size_t)B * (size_t)in);
        lgn_team_gemm(net->team, B, in, out, d, out, 1, net->wt, in, dx, in);
        if (l > 0) relu_backward(dx, net->act[l], (size_t)B * (size_t)in);
        d = dx;
    }
    return 0;
}

int lgn_mlp_set_shared_columns(lgn_mlp *net, const int32_t *cols, int n)
{
    if (!net || n < 0 || n > net->widths[0] || (n > 0 && !cols)) return -1;
    for (int i = 0; i < n; i++)
        if (cols[i] < 0 || cols[i] >= net->widths[0] || (i > 0 && cols[i] <= cols[i - 1])) return -1;
    memset(net->is_shared, 0, (size_t)net->widths[0]);
    for (int i = 0; i < n; i++) net->is_shared[cols[i]] = 1;
    net->n_runs = net->n_rest_runs = 0;
    for (int k = 0, others = 0; k < net->widths[0]; k++) {
        if (!net->is_shared[k]) net->rest_cols[others++] = k;
        /* k extends the last run of its kind, or starts one */
        int32_t *runs = net->is_shared[k] ? net->runs : net->rest_runs;
        int *count = net->is_shared[k] ? &net->n_runs : &net->n_rest_runs;
        if (*count > 0 && runs[2 * *count - 2] + runs[2 * *count - 1] == k) {
            runs[2 * *count - 1]++;
        } else {
            runs[2 * *count] = k, runs[2 * *count + 1] = 1;
            ++*count;
        }
    }
    net->n_shared = n;
    net->batch = 0; /* a backward must follow a forward of the same sums */
    return 0;
}

int lgn_mlp_n_shared(const lgn_mlp *net) { return net ? net->n_shared : 0; }

void lgn_mlp_set_team(lgn_mlp *net, lgn_team *t)
{
    if (net) net->team = t;
}

int lgn_mlp_same_shape(const lgn_mlp *a, const lgn_mlp *b)
{
    return a && b && a->n_layers == b->n_layers && !memcmp(a->widths, b->widths, sizeof(int) * (size_t)a->n_layers);
}

int lgn_mlp_copy_params(lgn_mlp *dst, const lgn_mlp *src)
{
    if (!lgn_mlp_same_shape(dst, src)) return -1;
    if (dst != src) memcpy(dst->params, src->params, sizeof(float) * src->n_params);
    return 0;
}

int lgn_mlp_soft_update(lgn_mlp *dst, const lgn_mlp *src, float tau)
{
    if (!lgn_mlp_same_shape(dst, src) || !(tau >= 0.0f && tau <= 1.0f)) return -1;
    float *d = dst->params;
    const float *s = src->params;
    size_t n = src->n_params, i = 0;
    const lgn_v4 t = lgn_bc(tau), u = lgn_bc(1.0f - tau);
    for (; i + 4 <= n; i += 4) lgn_st(d + i, u * lgn_ld(d + i) + t * lgn_ld(s + i));
    for (; i < n; i++) d[i] = (1.0f - tau) * d[i] + tau * s[i];
    return 0;
}

int lgn_mlp_track(lgn_mlp *dst, const lgn_mlp *src, float tau)
{
    return tau >= 1.0f ? lgn_mlp_copy_params(dst, src) : lgn_mlp_soft_update(dst, src, tau);
}
