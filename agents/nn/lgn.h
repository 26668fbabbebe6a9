/* lgn: the small, fast neural-network core used by the learning agents.
 *
 * A multilayer perceptron (dense layers, ReLU between them, linear output),
 * masked MSE / Huber losses, SGD and Adam, global gradient-norm clipping,
 * serialisation helpers and checksums. Single-threaded and deterministic:
 * the same seed and the same data give bit-identical parameters (every sum
 * has a fixed order; nothing depends on timing, threads or addresses).
 *
 * Memory: everything a net needs is allocated by lgn_mlp_create. Forward,
 * backward, predict, the losses and the optimiser steps never allocate, never
 * print, never exit. Functions that can fail return non-zero (or NULL) and,
 * when given an err buffer, write a message into it.
 *
 * Parameter layout (one contiguous float array, gradients in a second array
 * with the same layout). With widths w[0..n_layers-1] (input first), dense
 * layer l (0 <= l < n_layers-1) maps w[l] inputs to w[l+1] outputs and owns
 *     W_l : w[l] x w[l+1] floats, row-major, W_l[k * w[l+1] + j] is the weight
 *           from input k to output j   (the transpose of torch's Linear.weight)
 *     b_l : w[l+1] floats
 * stored as W_0 b_0 W_1 b_1 ... with no padding; lgn_mlp_weights_offset and
 * lgn_mlp_bias_offset give the offsets. Layer l computes
 *     Y = X W_l + b_l   (X: batch x w[l], row-major),
 * followed by ReLU except on the last layer. */
#ifndef LGN_H
#define LGN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lg_rng.h" /* env/base: random streams for initialisation */
#include "lg_isa.h" /* env/base: the vector instruction set of the products */

/* The public API of liblivegym: exported from the shared library (the
 * rest of the code is built with hidden visibility). */
#pragma GCC visibility push(default)

#define LGN_MAX_LAYERS 16        /* widths per net, input and output included */
#define LGN_MAX_WIDTH (1 << 20)  /* units per layer */
#define LGN_MAX_PARAMS ((size_t)1 << 31)

/* ------------------------------------------------------------------ MLP */

typedef struct lgn_mlp lgn_mlp;

/* widths[0..n_layers-1]: input width first, output width last, so a net with
 * n_layers widths has n_layers-1 dense layers (n_layers >= 2). max_batch
 * bounds the rows of lgn_mlp_forward. Parameters start at zero: call
 * lgn_mlp_init. Returns 0, or -1 with a message (bad shape, out of memory). */
int lgn_mlp_create(const int *widths, int n_layers, int max_batch, lgn_mlp **out, char *err, size_t errsz);
void lgn_mlp_free(lgn_mlp *net);

int lgn_mlp_n_layers(const lgn_mlp *net);     /* number of widths */
int lgn_mlp_width(const lgn_mlp *net, int i); /* widths[i], or 0 when out of range */
int lgn_mlp_max_batch(const lgn_mlp *net);
size_t lgn_mlp_n_params(const lgn_mlp *net);
float *lgn_mlp_params(lgn_mlp *net);          /* [n_params], see the layout above */
float *lgn_mlp_grads(lgn_mlp *net);           /* [n_params], same layout */
const float *lgn_mlp_params_const(const lgn_mlp *net);
size_t lgn_mlp_weights_offset(const lgn_mlp *net, int layer); /* dense layer 0..n_layers-2 */
size_t lgn_mlp_bias_offset(const lgn_mlp *net, int layer);

/* He-normal weights (std sqrt(2/fan_in)) for layers followed by ReLU,
 * Glorot-uniform (+-sqrt(6/(fan_in+fan_out))) for the output layer, zero
 * biases. Draws in parameter order from rng. Also zeroes the gradients. */
void lgn_mlp_init(lgn_mlp *net, lg_stream *rng); /* uses one rng draw per dense layer */

void lgn_mlp_zero_grad(lgn_mlp *net);

/* Training forward for batch rows x[batch x widths[0]] (1 <= batch <=
 * max_batch). Copies x (unless x is lgn_mlp_input's buffer) and keeps every
 * layer's output for lgn_mlp_backward. Returns the output
 * [batch x widths[n_layers-1]], owned by the net and valid until the next
 * forward, or NULL when batch is out of range. */
const float *lgn_mlp_forward(lgn_mlp *net, const float *x, int batch);

/* The training forward's input buffer [max_batch x widths[0]]: rows built
 * there go into lgn_mlp_forward(net, lgn_mlp_input(net), batch) without a
 * copy. Its contents are the last forward's input until then. */
float *lgn_mlp_input(lgn_mlp *net);

/* Output of layer i (0 = the copied input, n_layers-1 = the net output) of the
 * last training forward, [batch x widths[i]]; hidden layers are post-ReLU. */
const float *lgn_mlp_layer_output(const lgn_mlp *net, int i);
int lgn_mlp_batch(const lgn_mlp *net); /* rows of the last forward, 0 if none */

/* Backward for the last forward: dout = dL/dOutput [batch x out]. Adds dL/dW
 * and dL/db to the gradient array (call lgn_mlp_zero_grad between updates).
 * If dinput is not NULL, writes dL/dInput [batch x widths[0]] there. dout
 * and dinput must not overlap the net's buffers. Returns 0, or -1 when there
 * was no forward. */
int lgn_mlp_backward(lgn_mlp *net, const float *dout, float *dinput);

/* Inference: out[n x out] for rows x[n x widths[0]], any n >= 0 (processed in
 * chunks of max_batch). Bit-identical to lgn_mlp_forward row by row, and a
 * row's result does not depend on the other rows. Does not touch the
 * training buffers, so it can run between forward and backward. */
int lgn_mlp_predict(lgn_mlp *net, const float *x, int n, float *out);

/* Inference from the first dense layer's pre-activations: h[n x widths[1]]
 * holds x W0 + b0 for n rows (computed by the caller, by parts of x when
 * parts are shared between rows: lgn_gemm adds in k order, so b0 + the
 * first k products, then the rest, is the same float as the whole row).
 * Applies the first layer's activation to h in place and runs the other
 * layers into out[n x out]; bit-identical to lgn_mlp_predict on the rows
 * when h holds the sums in the net's order (with shared columns: b0, the
 * shared columns, then the others; lgn_mlp_set_shared_columns). */
int lgn_mlp_predict_from_first(lgn_mlp *net, float *h, int n, float *out);

/* Inference on rows that share a prefix: row r is (ctx[state[r]], rest[r]),
 * the first ctx_dim inputs one of n_states context rows, the other
 * widths[0] - ctx_dim its own. Each state's share of the first layer,
 * b0 + ctx W0, is summed once into hc[n_states x widths[1]] and copied into
 * h[n_rows x widths[1]], where each row's rest is added; then as
 * lgn_mlp_predict_from_first. Bit-identical to lgn_mlp_predict on the whole
 * rows (lgn_gemm adds in k order); the first layer's work shrinks by the
 * context's share of a row. hc and h are the caller's scratch and must not
 * overlap each other or the inputs; out holds n_rows x the output width.
 * Returns 0, or -1 on bad arguments (a state out of range included). */
int lgn_mlp_predict_parts(lgn_mlp *net, int n_states, const float *ctx, int ctx_dim, int n_rows, const int32_t *state,
                          const float *rest, float *hc, float *h, float *out);

/* Shared columns: input columns that hold the same values in most rows
 * (a world's static features, repeated in every observation). Declaring
 * them changes the order of the first layer's sums, for every row:
 *     b_0 + (the shared columns' x_k W_0[k], k increasing)
 *         + (the other columns' x_k W_0[k], k increasing)
 * so the shared part is summed once per forward or prediction, for row 0,
 * and copied into every row whose shared columns hold row 0's bits (a row
 * that differs sums its own: the same floats either way, so a row's result
 * still never depends on the others). The weights' gradient of a shared
 * column k is x_0[k] (the sum, rows in order, of dL/d(sums) over the rows
 * with row 0's shared bits) + each other row's x_r[k] dL/d(sums)_r, rows in
 * order. cols: n increasing columns in [0, widths[0]); n = 0 returns to
 * the plain order. Not with lgn_mlp_predict_parts (which then returns -1).
 * Forgets the last forward (a backward needs a new one). Returns 0, or -1
 * on bad arguments. Not saved by lgn_mlp_write: the caller declares them. */
int lgn_mlp_set_shared_columns(lgn_mlp *net, const int32_t *cols, int n);
int lgn_mlp_n_shared(const lgn_mlp *net);

/* Target networks. Shapes must match (else -1). copy: dst = src.
 * soft update: dst = (1 - tau) * dst + tau * src, elementwise. */
int lgn_mlp_copy_params(lgn_mlp *dst, const lgn_mlp *src);
int lgn_mlp_soft_update(lgn_mlp *dst, const lgn_mlp *src, float tau);
int lgn_mlp_same_shape(const lgn_mlp *a, const lgn_mlp *b);
/* A target network's update: the hard copy when tau >= 1, else the soft
 * update (returns as they do). */
int lgn_mlp_track(lgn_mlp *dst, const lgn_mlp *src, float tau);

/* --------------------------------------------------------------- losses */

typedef enum { LGN_LOSS_MSE = 0, LGN_LOSS_HUBER = 1 } lgn_loss_kind;

/* Masked loss over n = rows * cols entries. An entry counts when its weight is
 * non-zero (weight NULL: every entry, weight 1). With d = pred - target:
 *     MSE:   l(d) = d^2
 *     Huber: l(d) = d^2 / 2 if |d| <= delta, else delta * (|d| - delta / 2)
 * loss = sum_i weight_i * l(d_i) / count, count = number of counted entries,
 * and dpred[i] = weight_i * l'(d_i) / count (0 for entries not counted).
 * delta is used by Huber only (1 for DQN; must be > 0). Returns the loss
 * (0 when nothing counts), or NAN for a bad argument. */
double lgn_loss_masked(lgn_loss_kind kind, float delta, const float *pred, const float *target, const float *weight,
                       size_t n, float *dpred);

/* The same on a list of n_sel selected entries (row[s], col[s]) of pred
 * [rows x cols] with targets target[s] and optional weights weight[s]
 * (NULL: 1). dpred [rows x cols] is zeroed, then gets the gradient of the
 * selected entries (added up if an entry is listed twice); count = n_sel.
 * Returns 0 and *loss, or -1 (nothing written) on an index out of range. */
int lgn_loss_select(lgn_loss_kind kind, float delta, const float *pred, int rows, int cols, int n_sel,
                    const int32_t *row, const int32_t *col, const float *target, const float *weight, float *dpred,
                    double *loss);

/* ----------------------------------------------------------- optimisers */

/* Global L2 norm of grads (computed in double), and when max_norm / (norm +
 * 1e-6) < 1, grads are multiplied by that factor (torch's clip_grad_norm_).
 * Returns the norm before clipping; a non-finite norm leaves grads unchanged
 * (the caller should skip the step). */
double lgn_clip_grad_norm(float *grads, size_t n, double max_norm);

/* SGD with optional momentum, as torch.optim.SGD (dampening 0, no Nesterov):
 * v = momentum * v + g; p -= lr * v   (momentum 0: p -= lr * g). */
typedef struct {
    size_t n;
    float lr, momentum;
    uint64_t step;  /* steps taken */
    float *vel;     /* [n], NULL when momentum == 0 */
} lgn_sgd;

int lgn_sgd_init(lgn_sgd *o, size_t n, float lr, float momentum);
void lgn_sgd_free(lgn_sgd *o);
void lgn_sgd_step(lgn_sgd *o, float *params, const float *grads);

/* Adam (Kingma & Ba 2015, as torch.optim.Adam with defaults otherwise:
 * no weight decay, no AMSGrad). At step t = 1, 2, ...:
 *     m = m + (1 - beta1) (g - m)         v = beta2 v + (1 - beta2) g^2
 *     p = p - (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * Moments below FLT_MIN are flushed to zero (no denormal slowdowns). */
typedef struct {
    size_t n;
    float lr, beta1, beta2, eps;
    uint64_t step;  /* steps taken */
    float *m;       /* [n] first moments */
    float *v;       /* [n] second moments; m and v are one allocation [2n] */
} lgn_adam;

/* torch defaults: lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8. Returns -1 on a
 * bad hyperparameter (lr >= 0, betas in [0, 1), eps > 0: with 0, a
 * parameter that never gets a gradient becomes 0 / 0) or out of memory. */
int lgn_adam_init(lgn_adam *o, size_t n, float lr, float beta1, float beta2, float eps);
void lgn_adam_free(lgn_adam *o);
void lgn_adam_reset(lgn_adam *o); /* zero moments and step */
void lgn_adam_step(lgn_adam *o, float *params, const float *grads);
/* The same step cut into parts on team t (declared below; NULL: the
 * caller alone), the same bits. */
struct lgn_team;
void lgn_adam_step_team(lgn_adam *o, struct lgn_team *t, float *params, const float *grads);
/* Moments from elsewhere (a state file): 0 when every second moment is
 * >= 0 (a negative one makes the step's square root NaN), else -1 with a
 * message naming block `name` (m then v) and the element. */
int lgn_adam_check(const lgn_adam *o, const char *name, char *err, size_t errsz);

/* -------------------------------------------------------- serialisation
 *
 * Little-endian blocks, each starting with a 4-byte tag and a u32 version:
 *   net : "LGNM" u32 1, u32 n_layers, u32 widths[n_layers], u64 n_params,
 *         f32 params[n_params]
 *   adam: "LGNA" u32 1, u64 n, u64 step, f32 lr beta1 beta2 eps,
 *         f32 m[n], f32 v[n]
 *   sgd : "LGNS" u32 1, u64 n, u64 step, f32 lr momentum, u32 has_vel,
 *         f32 vel[n if has_vel]
 * Writers return the bytes written, or 0 when cap is too small (size them
 * with the *_size functions). Readers check every length before reading,
 * never read past len, reject bad tags, versions, shapes and non-finite
 * values with a message naming the byte offset, and on failure leave their
 * target untouched. *used (may be NULL) gets the block's size. The
 * checkpoint file format (magic, version, checksum) is the caller's. */
size_t lgn_mlp_write_size(const lgn_mlp *net);
size_t lgn_mlp_write(const lgn_mlp *net, void *buf, size_t cap);
/* A new net with the stored shape and parameters (gradients zero). */
int lgn_mlp_read(const void *buf, size_t len, int max_batch, lgn_mlp **out, size_t *used, char *err, size_t errsz);
/* Parameters into an existing net, whose shape must equal the stored one. */
int lgn_mlp_read_params(lgn_mlp *net, const void *buf, size_t len, size_t *used, char *err, size_t errsz);

size_t lgn_adam_write_size(const lgn_adam *o);
size_t lgn_adam_write(const lgn_adam *o, void *buf, size_t cap);
/* Into an initialised optimiser of the same n: hyperparameters, step, m, v. */
int lgn_adam_read(lgn_adam *o, const void *buf, size_t len, size_t *used, char *err, size_t errsz);

size_t lgn_sgd_write_size(const lgn_sgd *o);
size_t lgn_sgd_write(const lgn_sgd *o, void *buf, size_t cap);
/* Into an initialised optimiser of the same n and the same has_vel. */
int lgn_sgd_read(lgn_sgd *o, const void *buf, size_t len, size_t *used, char *err, size_t errsz);

/* FILE* versions of the same blocks (these allocate a temporary buffer).
 * Return 0, or -1 with a message; a read consumes exactly one block. */
int lgn_mlp_fwrite(const lgn_mlp *net, FILE *f, char *err, size_t errsz);
int lgn_mlp_fread(FILE *f, int max_batch, lgn_mlp **out, char *err, size_t errsz);
int lgn_mlp_fread_params(lgn_mlp *net, FILE *f, char *err, size_t errsz);
int lgn_adam_fwrite(const lgn_adam *o, FILE *f, char *err, size_t errsz);
int lgn_adam_fread(lgn_adam *o, FILE *f, char *err, size_t errsz);

/* ------------------------------------------------------ matrix products */

/* C[M x N] += A[M x K] * B[K x N]. A's element (i, k) is A[i * ars + k * acs]
 * (so A may be a transposed view); B and C are row-major with leading
 * dimensions ldb and ldc. Each C element gets c + a_0 b_0 + a_1 b_1 + ...
 * added strictly in k order, one rounding per multiply and per add. */
void lgn_gemm(int M, int N, int K, const float *A, ptrdiff_t ars, ptrdiff_t acs, const float *B, ptrdiff_t ldb,
              float *C, ptrdiff_t ldc);

/* ---------------------------------------------------------------- teams
 *
 * Threads for the largest products. A team of T threads (the caller and
 * T - 1 workers) cuts a product into pieces of rows of C, which they claim
 * as each is free; every row gets the same k-ordered sums as lgn_gemm, so
 * results are the same bits whatever T and whoever took which piece.
 * Workers spin briefly after a job, then sleep. One caller at a time per team: a team
 * serves one agent (its nets), not threads that run side by side. */
#define LGN_TEAM_MAX 256
/* Smaller work stays on the caller: a product of fewer multiply-adds
 * (about 25 microseconds), an Adam step over fewer parameters. Below
 * these, handing out parts and moving their data between cores' caches
 * costs more than it saves. */
#define LGN_TEAM_MIN_MACS (1L << 20)
#define LGN_TEAM_MIN_ADAM ((size_t)1 << 16)
typedef struct lgn_team lgn_team;
/* threads in [1, LGN_TEAM_MAX] (1: no workers). Returns 0, or -1 with a
 * message (bad count, out of memory, a thread that would not start). */
int lgn_team_create(int threads, lgn_team **out, char *err, size_t errsz);
void lgn_team_free(lgn_team *t); /* stops and joins the workers */
int lgn_team_threads(const lgn_team *t); /* 1 for NULL */
/* fn(arg, lo, hi) over [0, n) in pieces of `grain` (the last one
 * shorter), claimed one at a time by the caller and the workers as each is
 * free; returns when every piece is done (t NULL or of one thread, or one
 * piece: fn(arg, 0, n) on the caller). Pieces must not depend on each
 * other. */
typedef void (*lgn_range_fn)(void *arg, int lo, int hi);
void lgn_team_for(lgn_team *t, int n, int grain, lgn_range_fn fn, void *arg);
/* The rows per piece of a team's product of M rows: about four pieces a
 * thread, in whole 16-row tiles. */
int lgn_team_grain(const lgn_team *t, int M);
/* lgn_gemm's product on the team (t NULL: lgn_gemm itself). */
void lgn_team_gemm(lgn_team *t, int M, int N, int K, const float *A, ptrdiff_t ars, ptrdiff_t acs, const float *B,
                   ptrdiff_t ldb, float *C, ptrdiff_t ldc);
/* The net's products (forward, backward, predict) on team t from now on;
 * NULL: the caller's thread alone (the default). The team must outlive
 * that use. */
void lgn_mlp_set_team(lgn_mlp *net, lgn_team *t);

/* The products run on the widest x86-64 vector set the CPU has
 * (lg_isa.h in env/base: lg_isa_get, lg_isa_set). Every set gives the same
 * bits (no FMA; see lgn_gemm.c), so the choice changes speed only. */

#pragma GCC visibility pop

#endif
