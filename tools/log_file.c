#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lg_checksum.h"
#include "lg_env.h"
#include "lgx_experiment.h"
#include "log_file.h"

/* The user block: where libhdf5 leaves room ahead of its superblock. */
#define UB_SIZE 512
static const char UB_MAGIC[8] = {'L', 'G', 'L', 'O', 'G', 'H', '5', 0};

/* The hash of the body, for accidents (not malice; every field is checked
 * after it): four lanes of FNV-1a's multiply over 64-bit words, which keeps
 * up with the disk where byte-wise FNV-1a took a quarter of a log's time.
 * Each step is a bijection of the lane and of the word, so any one changed
 * word always changes the hash. n is a multiple of 32 but for the last
 * piece of a file. */
typedef struct {
    uint64_t lane[4];
    uint64_t tail; /* FNV-1a of the bytes past the last whole 32 */
} body_hash;
#define FNV_PRIME 0x100000001B3ULL

static void hash_init(body_hash *h)
{
    for (int k = 0; k < 4; k++) h->lane[k] = LG_FNV1A64_INIT + (uint64_t)k;
    h->tail = LG_FNV1A64_INIT;
}

static void hash_add(body_hash *h, const unsigned char *p, size_t n)
{
    size_t whole = n / 32 * 32;
    for (size_t i = 0; i < whole; i += 32)
        for (int k = 0; k < 4; k++) {
            uint64_t w;
            memcpy(&w, p + i + 8 * (size_t)k, 8);
            h->lane[k] = (h->lane[k] ^ w) * FNV_PRIME;
        }
    h->tail = lg_fnv1a64(h->tail, p + whole, n - whole);
}

static uint64_t hash_end(const body_hash *h)
{
    return lg_fnv1a64(h->tail, h->lane, sizeof h->lane);
}

/* Read fp from where it stands to its end: the file's length so far plus
 * what was read, into *len, and (when `compute`) the hash of what was read
 * into *h. -1 on a read error. */
static int hash_rest(FILE *fp, int compute, uint64_t *len, uint64_t *h)
{
    static unsigned char buf[1 << 16];
    body_hash bh;
    hash_init(&bh);
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, fp)) > 0) {
        if (compute) hash_add(&bh, buf, got);
        *len += got;
    }
    *h = hash_end(&bh);
    return ferror(fp) ? -1 : 0;
}

/* One appendable dataset: rows buffered and written a chunk at a time. */
typedef struct {
    hid_t ds, type;
    int rank;
    hsize_t tail[2];   /* the dimensions after the first */
    size_t row_bytes;
    char *buf;
    size_t n, cap;     /* rows buffered, rows per chunk */
    hsize_t done;      /* rows in the file */
} col;

enum { C_OBS, C_ACT, C_PROP, C_REW, C_TERM, C_TRUNC, C_VIEWER, C_WATCHED, C_MINUTES, C_STATE,
       C_TABLE, C_MASK, C_CLOCK,
       C_EP_SLOT, C_EP_FIRST, C_EP_LEN, C_EP_RET, C_EP_COMPLETE, C_EP_FINAL, C_EP_FINAL_STATE, C_COUNT };

struct lg_log_writer {
    char *path, *tmp;
    hid_t file, infos, episodes;
    col c[C_COUNT];
    int slots, slot_dim, n_actions, ch_dim;
    long long rows, env_steps, episodes_done;
    long long *first_row; /* [slots] of the running session */
    int *len;             /* [slots] */
    double *ret;          /* [slots] */
    char error[512];
};

static int fail(char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
    return -1;
}

static int col_create(col *c, hid_t where, const char *name, hid_t type, int rank, hsize_t d1, hsize_t d2)
{
    memset(c, 0, sizeof *c);
    c->ds = -1;
    c->type = type;
    c->rank = rank;
    c->tail[0] = d1, c->tail[1] = d2;
    c->row_bytes = H5Tget_size(type);
    for (int r = 1; r < rank; r++) c->row_bytes *= (size_t)c->tail[r - 1];
    c->cap = (64u << 10) / c->row_bytes; /* 64 KB chunks: a small log stays small */
    if (c->cap < 1) c->cap = 1;
    if (!(c->buf = malloc(c->cap * c->row_bytes))) return -1;
    hsize_t dims[3] = {0, d1, d2}, maxd[3] = {H5S_UNLIMITED, d1, d2}, chunk[3] = {c->cap, d1, d2};
    hid_t sp = H5Screate_simple(rank, dims, maxd), pl = H5Pcreate(H5P_DATASET_CREATE);
    if (sp >= 0 && pl >= 0 && H5Pset_chunk(pl, rank, chunk) >= 0 && H5Pset_obj_track_times(pl, 0) >= 0)
        c->ds = H5Dcreate2(where, name, type, sp, H5P_DEFAULT, pl, H5P_DEFAULT);
    if (sp >= 0) H5Sclose(sp);
    if (pl >= 0) H5Pclose(pl);
    return c->ds < 0 ? -1 : 0;
}

static int col_flush(col *c)
{
    if (c->n == 0) return 0;
    hsize_t size[3] = {c->done + c->n, c->tail[0], c->tail[1]}, start[3] = {c->done, 0, 0},
            count[3] = {c->n, c->tail[0], c->tail[1]};
    int rc = -1;
    hid_t fs = -1, ms = -1;
    if (H5Dset_extent(c->ds, size) >= 0 && (fs = H5Dget_space(c->ds)) >= 0 &&
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
        (ms = H5Screate_simple(c->rank, count, NULL)) >= 0 &&
        H5Dwrite(c->ds, c->type, ms, fs, H5P_DEFAULT, c->buf) >= 0)
        rc = 0;
    if (fs >= 0) H5Sclose(fs);
    if (ms >= 0) H5Sclose(ms);
    c->done += c->n;
    c->n = 0;
    return rc;
}

static int col_put(col *c, const void *row)
{
    memcpy(c->buf + c->n * c->row_bytes, row, c->row_bytes);
    return ++c->n == c->cap ? col_flush(c) : 0;
}

static void col_free(col *c)
{
    if (c->ds > 0) H5Dclose(c->ds);
    free(c->buf);
    c->ds = -1, c->buf = NULL;
}

static int attr_str(hid_t obj, const char *name, const char *value)
{
    hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR), a = -1;
    int rc = -1;
    if (t >= 0 && sp >= 0 && H5Tset_size(t, H5T_VARIABLE) >= 0 && H5Tset_cset(t, H5T_CSET_UTF8) >= 0 &&
        (a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT)) >= 0 && H5Awrite(a, t, &value) >= 0)
        rc = 0;
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    return rc;
}

static int attr_i64(hid_t obj, const char *name, long long value)
{
    hid_t sp = H5Screate(H5S_SCALAR), a = -1;
    int64_t v = value;
    int rc = -1;
    if (sp >= 0 && (a = H5Acreate2(obj, name, H5T_NATIVE_INT64, sp, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
        H5Awrite(a, H5T_NATIVE_INT64, &v) >= 0)
        rc = 0;
    if (a >= 0) H5Aclose(a);
    if (sp >= 0) H5Sclose(sp);
    return rc;
}

static int put_world(lg_log_writer *w, const lg_env *env)
{
    const lg_buffers *b = lg_env_buffers(env);
    double clock = lg_env_clock(env);
    /* the channel table is the same in every slot's observation */
    return col_put(&w->c[C_TABLE], b->obs + b->slot_dim) | col_put(&w->c[C_MASK], b->mask) |
           col_put(&w->c[C_CLOCK], &clock);
}

static int put_episode(lg_log_writer *w, int slot, int complete, const float *final_obs, int32_t final_state)
{
    int32_t s = slot, len = w->len[slot];
    uint8_t done = (uint8_t)complete;
    int rc = col_put(&w->c[C_EP_SLOT], &s) | col_put(&w->c[C_EP_FIRST], &w->first_row[slot]) |
             col_put(&w->c[C_EP_LEN], &len) | col_put(&w->c[C_EP_RET], &w->ret[slot]) |
             col_put(&w->c[C_EP_COMPLETE], &done) | col_put(&w->c[C_EP_FINAL], final_obs) |
             col_put(&w->c[C_EP_FINAL_STATE], &final_state);
    w->episodes_done += complete;
    w->len[slot] = 0, w->ret[slot] = 0.0;
    return rc;
}

static int sink_step(void *ctx, const lga_obs_batch *before, const int32_t *actions, const double *propensity,
                     const lg_env *env)
{
    lg_log_writer *w = ctx;
    const lg_buffers *b = lg_env_buffers(env);
    int rc = 0;
    for (int i = 0; i < w->slots; i++) {
        const lg_info *in = &b->info[i];
        if (w->len[i] == 0) w->first_row[i] = w->rows;
        rc |= col_put(&w->c[C_OBS], before->obs + (size_t)i * before->obs_dim) | col_put(&w->c[C_ACT], &actions[i]) |
              col_put(&w->c[C_PROP], &propensity[i]) | col_put(&w->c[C_REW], &b->reward[i]) |
              col_put(&w->c[C_TERM], &b->terminated[i]) | col_put(&w->c[C_TRUNC], &b->truncated[i]) |
              col_put(&w->c[C_VIEWER], &in->viewer) | col_put(&w->c[C_WATCHED], &in->watched) |
              col_put(&w->c[C_MINUTES], &in->watch_minutes) | col_put(&w->c[C_STATE], &before->state[i]);
        w->rows++;
        w->len[i]++;
        w->ret[i] += b->reward[i];
        if (b->terminated[i] || b->truncated[i])
            rc |= put_episode(w, i, 1, &b->final_slot_obs[(size_t)i * w->slot_dim], b->final_state[i]);
    }
    w->env_steps++;
    rc |= put_world(w, env); /* the table the next step's rows (and the final observations) go with */
    if (rc) snprintf(w->error, sizeof w->error, "%s: writing failed (disk full?)", w->path);
    return rc ? -1 : 0;
}

lgx_log_sink lg_log_sink(lg_log_writer *w) { return (lgx_log_sink){sink_step, w}; }
long long lg_log_rows(const lg_log_writer *w) { return w->rows; }
const char *lg_log_error(const lg_log_writer *w) { return w->error; }

static void writer_free(lg_log_writer *w, int remove_tmp)
{
    for (int k = 0; k < C_COUNT; k++) col_free(&w->c[k]);
    if (w->infos > 0) H5Gclose(w->infos);
    if (w->episodes > 0) H5Gclose(w->episodes);
    if (w->file > 0) H5Fclose(w->file);
    if (remove_tmp && w->tmp) unlink(w->tmp);
    free(w->path), free(w->tmp), free(w->first_row), free(w->len), free(w->ret);
    free(w);
}

void lg_log_abort(lg_log_writer *w)
{
    if (w) writer_free(w, 1);
}

lg_log_writer *lg_log_open(const char *path, const lg_env *env, const lg_log_meta *meta, char *err, size_t errsz)
{
    const lg_buffers *b = lg_env_buffers(env);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* libhdf5 prints nothing; we say what failed */
    if (b->layout != LG_LAYOUT_FLAT || b->candidates || b->slate_size != 1) {
        fail(err, errsz, "%s: a log needs a flat layout, slates of one and no candidate stage", path);
        return NULL;
    }
    lg_log_writer *w = calloc(1, sizeof *w);
    size_t n = strlen(path) + 32, S = (size_t)b->n_slots;
    if (!w || !(w->path = strdup(path)) || !(w->tmp = malloc(n)) || !(w->first_row = calloc(S, sizeof(long long))) ||
        !(w->len = calloc(S, sizeof(int))) || !(w->ret = calloc(S, sizeof(double)))) {
        if (w) writer_free(w, 0);
        fail(err, errsz, "%s: out of memory", path);
        return NULL;
    }
    snprintf(w->tmp, n, "%s.tmp-%ld", path, (long)getpid());
    w->slots = b->n_slots, w->slot_dim = b->slot_dim, w->n_actions = b->n_actions, w->ch_dim = b->channel_dim;
    for (int k = 0; k < C_COUNT; k++) w->c[k].ds = -1;
    w->infos = w->episodes = -1;
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fcpl >= 0 && fapl >= 0 && H5Pset_userblock(fcpl, UB_SIZE) >= 0 &&
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) >= 0)
        w->file = H5Fcreate(w->tmp, H5F_ACC_TRUNC, fcpl, fapl);
    else
        w->file = -1;
    if (fcpl >= 0) H5Pclose(fcpl);
    if (fapl >= 0) H5Pclose(fapl);
    if (w->file < 0) {
        fail(err, errsz, "%s: cannot create (%s)", w->tmp, strerror(errno ? errno : EIO));
        writer_free(w, 1);
        return NULL;
    }
    const hsize_t SD = (hsize_t)b->slot_dim, A = (hsize_t)b->n_actions, CD = (hsize_t)b->channel_dim;
    hid_t f = w->file;
    int rc = (w->infos = H5Gcreate2(f, "infos", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
             (w->episodes = H5Gcreate2(f, "episodes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0;
    rc = rc || col_create(&w->c[C_OBS], f, "observations", H5T_NATIVE_FLOAT, 2, SD, 0) ||
         col_create(&w->c[C_ACT], f, "actions", H5T_NATIVE_INT32, 1, 0, 0) ||
         col_create(&w->c[C_PROP], f, "propensities", H5T_NATIVE_DOUBLE, 1, 0, 0) ||
         col_create(&w->c[C_REW], f, "rewards", H5T_NATIVE_FLOAT, 1, 0, 0) ||
         col_create(&w->c[C_TERM], f, "terminations", H5T_NATIVE_UINT8, 1, 0, 0) ||
         col_create(&w->c[C_TRUNC], f, "truncations", H5T_NATIVE_UINT8, 1, 0, 0) ||
         col_create(&w->c[C_VIEWER], w->infos, "viewer", H5T_NATIVE_INT32, 1, 0, 0) ||
         col_create(&w->c[C_WATCHED], w->infos, "watched", H5T_NATIVE_INT32, 1, 0, 0) ||
         col_create(&w->c[C_MINUTES], w->infos, "watch_minutes", H5T_NATIVE_FLOAT, 1, 0, 0) ||
         col_create(&w->c[C_STATE], w->infos, "state", H5T_NATIVE_INT32, 1, 0, 0) ||
         col_create(&w->c[C_TABLE], f, "channel_tables", H5T_NATIVE_FLOAT, 3, A, CD) ||
         col_create(&w->c[C_MASK], f, "masks", H5T_NATIVE_UINT8, 2, A, 0) ||
         col_create(&w->c[C_CLOCK], f, "clock", H5T_NATIVE_DOUBLE, 1, 0, 0) ||
         col_create(&w->c[C_EP_SLOT], w->episodes, "slot", H5T_NATIVE_INT32, 1, 0, 0) ||
         col_create(&w->c[C_EP_FIRST], w->episodes, "first_row", H5T_NATIVE_INT64, 1, 0, 0) ||
         col_create(&w->c[C_EP_LEN], w->episodes, "length", H5T_NATIVE_INT32, 1, 0, 0) ||
         col_create(&w->c[C_EP_RET], w->episodes, "return", H5T_NATIVE_DOUBLE, 1, 0, 0) ||
         col_create(&w->c[C_EP_COMPLETE], w->episodes, "complete", H5T_NATIVE_UINT8, 1, 0, 0) ||
         col_create(&w->c[C_EP_FINAL], w->episodes, "final_observation", H5T_NATIVE_FLOAT, 2, SD, 0) ||
         col_create(&w->c[C_EP_FINAL_STATE], w->episodes, "final_state", H5T_NATIVE_INT32, 1, 0, 0);
    rc = rc || attr_str(f, "format", LG_LOG_FORMAT) || attr_i64(f, "format_version", LG_LOG_VERSION) ||
         attr_str(f, "scenario", meta->scenario) || attr_str(f, "agent", meta->agent) ||
         attr_str(f, "label", meta->label) || attr_str(f, "params", meta->params) ||
         attr_str(f, "propensity_method", meta->propensity_method) || attr_str(f, "livegym", LG_VERSION) ||
         attr_i64(f, "seed", (long long)meta->seed) || attr_i64(f, "slots", b->n_slots) ||
         put_world(w, env);
    if (rc) {
        fail(err, errsz, "%s: cannot write the log's layout", w->tmp);
        writer_free(w, 1);
        return NULL;
    }
    return w;
}

/* After libhdf5 closed the file: the user block says how long the file is
 * and hashes everything after it. */
static int seal(const char *tmp, char *err, size_t errsz)
{
    FILE *fp = fopen(tmp, "r+b");
    if (!fp) return fail(err, errsz, "%s: cannot reopen (%s)", tmp, strerror(errno));
    uint64_t len = UB_SIZE, h;
    if (fseek(fp, UB_SIZE, SEEK_SET) || hash_rest(fp, 1, &len, &h)) goto io;
    unsigned char ub[UB_SIZE] = {0};
    memcpy(ub, UB_MAGIC, 8);
    uint32_t v = LG_LOG_VERSION;
    memcpy(ub + 8, &v, 4);
    memcpy(ub + 12, &len, 8);
    memcpy(ub + 20, &h, 8);
    if (fseek(fp, 0, SEEK_SET) || fwrite(ub, 1, UB_SIZE, fp) != UB_SIZE || fflush(fp) || fsync(fileno(fp))) goto io;
    return fclose(fp) ? fail(err, errsz, "%s: cannot write (%s)", tmp, strerror(errno)) : 0;
io:
    fclose(fp);
    return fail(err, errsz, "%s: cannot write (%s)", tmp, strerror(errno ? errno : EIO));
}

int lg_log_close(lg_log_writer *w, const lg_env *env, char *err, size_t errsz)
{
    const lg_buffers *b = lg_env_buffers(env);
    int rc = 0;
    /* the next observation of each slot's last row, when its session goes on */
    hsize_t dims[2] = {(hsize_t)w->slots, (hsize_t)w->slot_dim};
    hid_t sp = H5Screate_simple(2, dims, NULL), ds = -1;
    float *tail = malloc(sizeof(float) * (size_t)w->slots * (size_t)w->slot_dim);
    if (!tail || sp < 0 ||
        (ds = H5Dcreate2(w->file, "tail_observations", H5T_NATIVE_FLOAT, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        rc = -1;
    for (int i = 0; !rc && i < w->slots; i++)
        memcpy(&tail[(size_t)i * w->slot_dim], b->obs + (size_t)i * b->obs_dim, sizeof(float) * (size_t)w->slot_dim);
    if (!rc && H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, tail) < 0) rc = -1;
    if (ds >= 0) H5Dclose(ds);
    if (sp >= 0) H5Sclose(sp);
    hsize_t n1 = (hsize_t)w->slots;
    hid_t sp1 = H5Screate_simple(1, &n1, NULL), ds1 = -1;
    if (rc || sp1 < 0 ||
        (ds1 = H5Dcreate2(w->file, "tail_states", H5T_NATIVE_INT32, sp1, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        H5Dwrite(ds1, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, b->state) < 0)
        rc = -1;
    if (ds1 >= 0) H5Dclose(ds1);
    if (sp1 >= 0) H5Sclose(sp1);
    for (int i = 0; !rc && i < w->slots; i++)
        if (w->len[i] > 0) rc |= put_episode(w, i, 0, &tail[(size_t)i * w->slot_dim], b->state[i]);
    free(tail);
    for (int k = 0; k < C_COUNT; k++) rc |= col_flush(&w->c[k]);
    rc = rc || attr_i64(w->file, "total_steps", w->rows) || attr_i64(w->file, "env_steps", w->env_steps) ||
         attr_i64(w->file, "total_episodes", w->episodes_done);
    for (int k = 0; k < C_COUNT; k++) col_free(&w->c[k]);
    H5Gclose(w->infos), H5Gclose(w->episodes);
    w->infos = w->episodes = -1;
    if (H5Fclose(w->file) < 0) rc = -1;
    w->file = -1;
    if (rc) {
        fail(err, errsz, "%s: writing failed (disk full?)", w->tmp);
    } else if (!seal(w->tmp, err, errsz)) {
        if (rename(w->tmp, w->path) == 0) {
            writer_free(w, 0);
            return 0;
        }
        fail(err, errsz, "%s: cannot rename into place (%s)", w->path, strerror(errno));
    }
    writer_free(w, 1);
    return -1;
}

/* --- reading --- */

static int read_ub(const char *path, char *err, size_t errsz)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return fail(err, errsz, "%s: cannot open (%s)", path, strerror(errno));
    unsigned char ub[UB_SIZE];
    uint64_t len = UB_SIZE, want_len, want_h, h;
    uint32_t v;
    if (fread(ub, 1, UB_SIZE, fp) != UB_SIZE) {
        fclose(fp);
        return fail(err, errsz, "%s: not a livegym log (shorter than its %d-byte header)", path, UB_SIZE);
    }
    memcpy(&v, ub + 8, 4), memcpy(&want_len, ub + 12, 8), memcpy(&want_h, ub + 20, 8);
    if (memcmp(ub, UB_MAGIC, 8)) {
        fclose(fp);
        return fail(err, errsz, "%s: not a livegym log (header magic: expected \"LGLOGH5\")", path);
    }
    if (v != LG_LOG_VERSION) {
        fclose(fp);
        return fail(err, errsz, "%s: header version: expected %d, found %u", path, LG_LOG_VERSION, v);
    }
    /* the fuzz build does not check the hash (below): it need not compute it */
    int bad = hash_rest(fp, !LG_FUZZING, &len, &h);
    fclose(fp);
    if (bad) return fail(err, errsz, "%s: cannot read (%s)", path, strerror(errno ? errno : EIO));
    /* the fuzz build lets a stale header through, as every reader's checksum
     * (lg_checksum.h): what must hold against malice comes after it */
    if (len != want_len && !LG_FUZZING)
        return fail(err, errsz, "%s: length: expected %llu bytes, found %llu (truncated or appended to)", path,
                    (unsigned long long)want_len, (unsigned long long)len);
    if (h != want_h && !LG_FUZZING) return fail(err, errsz, "%s: checksum mismatch (the file was changed after it was written)", path);
    return 0;
}

/* A dataset of the log, opened only if every link on its path is a hard
 * link inside this file, and its raw data lie in this file, unfiltered,
 * contiguous or chunked as the writer makes them: a forged log must not
 * send the reader to other files, devices or decompression bombs. -1 when
 * not (or missing). */
static hid_t open_dataset(hid_t f, const char *name)
{
    char part[128];
    size_t n = strlen(name);
    if (n >= sizeof part) return -1;
    for (size_t i = 0; i <= n; i++) {
        if (name[i] != '/' && name[i] != 0) continue;
        memcpy(part, name, i);
        part[i] = 0;
        H5L_info_t info;
        if (H5Lexists(f, part, H5P_DEFAULT) <= 0 || H5Lget_info(f, part, &info, H5P_DEFAULT) < 0 ||
            info.type != H5L_TYPE_HARD)
            return -1;
    }
    H5O_info_t oi;
    if (H5Oget_info_by_name(f, name, &oi, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_DATASET) return -1;
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    if (ds < 0) return -1;
    hid_t pl = H5Dget_create_plist(ds);
    H5D_layout_t lay = pl >= 0 ? H5Pget_layout(pl) : H5D_LAYOUT_ERROR;
    int ok = pl >= 0 && (lay == H5D_CONTIGUOUS || lay == H5D_CHUNKED || lay == H5D_COMPACT) &&
             H5Pget_nfilters(pl) == 0 && H5Pget_external_count(pl) == 0;
    if (pl >= 0) H5Pclose(pl);
    if (!ok) H5Dclose(ds);
    return ok ? ds : -1;
}

/* Dimension `which` of a dataset of `rank` dimensions (0 when it is missing,
 * not a plain dataset of the file, or of another rank). */
static hsize_t dim_of(hid_t f, const char *name, int rank, int which)
{
    hsize_t dims[3] = {0, 0, 0};
    hid_t ds = open_dataset(f, name);
    if (ds < 0) return 0;
    hid_t sp = H5Dget_space(ds);
    if (sp < 0 || H5Sget_simple_extent_ndims(sp) != rank || H5Sget_simple_extent_dims(sp, dims, NULL) != rank)
        dims[which] = 0;
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(ds);
    return dims[which];
}

/* n x size without wrapping: 0 when it would. */
static size_t mul_size(size_t a, size_t b)
{
    return a && b > SIZE_MAX / a ? 0 : a * b;
}

static int get_str(hid_t f, const char *path, const char *name, char **out, char *err, size_t errsz)
{
    *out = NULL;
    hid_t a = H5Aexists(f, name) > 0 ? H5Aopen(f, name, H5P_DEFAULT) : -1;
    if (a < 0) return fail(err, errsz, "%s: attribute \"%s\": missing", path, name);
    hid_t ft = H5Aget_type(a), sp = H5Aget_space(a);
    hid_t t = H5Tcopy(H5T_C_S1);
    char *v = NULL;
    int ok = ft >= 0 && sp >= 0 && t >= 0 && H5Tget_class(ft) == H5T_STRING && H5Tis_variable_str(ft) > 0 &&
             H5Sget_simple_extent_type(sp) == H5S_SCALAR && H5Tset_size(t, H5T_VARIABLE) >= 0 &&
             H5Tset_cset(t, H5T_CSET_UTF8) >= 0 && H5Aread(a, t, &v) >= 0 && v;
    if (ok) *out = strdup(v);
    if (v) H5free_memory(v);
    if (t >= 0) H5Tclose(t);
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    H5Aclose(a);
    if (!ok) return fail(err, errsz, "%s: attribute \"%s\": expected a string", path, name);
    if (!*out) return fail(err, errsz, "%s: out of memory", path);
    return 0;
}

static int get_i64(hid_t f, const char *path, const char *name, long long lo, long long hi, long long *out, char *err,
                   size_t errsz)
{
    hid_t a = H5Aexists(f, name) > 0 ? H5Aopen(f, name, H5P_DEFAULT) : -1;
    if (a < 0) return fail(err, errsz, "%s: attribute \"%s\": missing", path, name);
    hid_t ft = H5Aget_type(a), sp = H5Aget_space(a);
    int64_t v = 0;
    int ok = ft >= 0 && sp >= 0 && H5Tget_class(ft) == H5T_INTEGER && H5Sget_simple_extent_type(sp) == H5S_SCALAR &&
             H5Aread(a, H5T_NATIVE_INT64, &v) >= 0;
    if (ft >= 0) H5Tclose(ft);
    if (sp >= 0) H5Sclose(sp);
    H5Aclose(a);
    if (!ok) return fail(err, errsz, "%s: attribute \"%s\": expected an integer", path, name);
    if (v < lo || v > hi)
        return fail(err, errsz, "%s: attribute \"%s\": expected %lld to %lld, found %lld", path, name, lo, hi,
                    (long long)v);
    *out = v;
    return 0;
}

/* A dataset of `rank` dimensions [rows, d1, d2] whose element is of
 * `cls` and `size` bytes, read whole into a new buffer (buf NULL: only
 * checked). */
static int get_col(hid_t f, const char *path, const char *name, H5T_class_t cls, size_t size, hid_t mem, int rank,
                   hsize_t rows, hsize_t d1, hsize_t d2, void **buf, char *err, size_t errsz)
{
    if (buf) *buf = NULL;
    hid_t ds = open_dataset(f, name);
    if (ds < 0) return fail(err, errsz, "%s: dataset \"%s\": missing, or not a plain dataset of this file", path, name);
    hid_t ft = H5Dget_type(ds), sp = H5Dget_space(ds);
    hsize_t dims[3] = {0, 0, 0}, want[3] = {rows, d1, d2};
    int ok = ft >= 0 && sp >= 0 && H5Tget_class(ft) == cls && H5Tget_size(ft) == size &&
             H5Sget_simple_extent_ndims(sp) == rank && H5Sget_simple_extent_dims(sp, dims, NULL) == rank;
    for (int r = 0; ok && r < rank; r++) ok = dims[r] == want[r];
    if (!ok) {
        H5Tclose(ft), H5Sclose(sp), H5Dclose(ds);
        char shape[96];
        snprintf(shape, sizeof shape, rank == 1 ? "[%llu]" : rank == 2 ? "[%llu, %llu]" : "[%llu, %llu, %llu]",
                 (unsigned long long)rows, (unsigned long long)d1, (unsigned long long)d2);
        return fail(err, errsz, "%s: dataset \"%s\": expected %s of %zu-byte %s", path, name, shape, size,
                    cls == H5T_FLOAT ? "floats" : "integers");
    }
    /* The bytes it declares must be stored in the file: a few forged bytes
     * cannot make the reader allocate gigabytes of fill values. */
    size_t n = mul_size(mul_size(mul_size((size_t)rows, size), rank > 1 ? (size_t)d1 : 1), rank > 2 ? (size_t)d2 : 1);
    int rc = 0;
    if ((rows && !n) || H5Dget_storage_size(ds) < (hsize_t)n)
        rc = fail(err, errsz, "%s: dataset \"%s\": its %llu rows are not all stored in the file", path, name,
                  (unsigned long long)rows);
    if (!rc && buf) {
        if (!(*buf = malloc(n ? n : 1))) rc = fail(err, errsz, "%s: out of memory", path);
        else if (n && H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, *buf) < 0)
            rc = fail(err, errsz, "%s: dataset \"%s\": cannot read", path, name);
    }
    H5Tclose(ft), H5Sclose(sp), H5Dclose(ds);
    return rc;
}

void lg_log_data_free(lg_log_data *d)
{
    free(d->scenario), free(d->agent), free(d->label), free(d->params), free(d->propensity_method);
    free(d->livegym), free(d->actions), free(d->propensities), free(d->rewards), free(d->terminations);
    free(d->truncations), free(d->states);
    free(d->observations), free(d->tables), free(d->masks), free(d->watched), free(d->tail_observations);
    free(d->tail_states), free(d->final_of), free(d->final_observations), free(d->final_states);
    memset(d, 0, sizeof *d);
}

static int all_finite(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

/* What learning needs: observations, tables, and each ended session's
 * final observation found through the episodes group. */
static int read_full(hid_t f, const char *path, lg_log_data *d, char *err, size_t errsz)
{
    const hsize_t R = (hsize_t)d->rows, M = (hsize_t)d->env_steps + 1, A = (hsize_t)d->n_actions,
                  SD = (hsize_t)d->slot_dim, CD = (hsize_t)d->channel_dim, S = (hsize_t)d->slots;
    const hsize_t E = dim_of(f, "episodes/slot", 1, 0);
    if (E < 1 || E > R + S) return fail(err, errsz, "%s: dataset \"episodes/slot\": expected 1 to %llu rows", path,
                                        (unsigned long long)(R + S));
    d->episode_rows = (long long)E;
    int32_t *slot = NULL, *len = NULL;
    int64_t *first = NULL;
    uint8_t *complete = NULL;
    int rc = get_col(f, path, "observations", H5T_FLOAT, 4, H5T_NATIVE_FLOAT, 2, R, SD, 0, (void **)&d->observations,
                     err, errsz) ||
             get_col(f, path, "channel_tables", H5T_FLOAT, 4, H5T_NATIVE_FLOAT, 3, M, A, CD, (void **)&d->tables, err,
                     errsz) ||
             get_col(f, path, "masks", H5T_INTEGER, 1, H5T_NATIVE_UINT8, 2, M, A, 0, (void **)&d->masks, err, errsz) ||
             get_col(f, path, "infos/watched", H5T_INTEGER, 4, H5T_NATIVE_INT32, 1, R, 0, 0, (void **)&d->watched,
                     err, errsz) ||
             get_col(f, path, "tail_observations", H5T_FLOAT, 4, H5T_NATIVE_FLOAT, 2, S, SD, 0,
                     (void **)&d->tail_observations, err, errsz) ||
             get_col(f, path, "tail_states", H5T_INTEGER, 4, H5T_NATIVE_INT32, 1, S, 0, 0, (void **)&d->tail_states,
                     err, errsz) ||
             get_col(f, path, "episodes/slot", H5T_INTEGER, 4, H5T_NATIVE_INT32, 1, E, 0, 0, (void **)&slot, err,
                     errsz) ||
             get_col(f, path, "episodes/first_row", H5T_INTEGER, 8, H5T_NATIVE_INT64, 1, E, 0, 0, (void **)&first,
                     err, errsz) ||
             get_col(f, path, "episodes/length", H5T_INTEGER, 4, H5T_NATIVE_INT32, 1, E, 0, 0, (void **)&len, err,
                     errsz) ||
             get_col(f, path, "episodes/complete", H5T_INTEGER, 1, H5T_NATIVE_UINT8, 1, E, 0, 0, (void **)&complete,
                     err, errsz) ||
             get_col(f, path, "episodes/final_observation", H5T_FLOAT, 4, H5T_NATIVE_FLOAT, 2, E, SD, 0,
                     (void **)&d->final_observations, err, errsz) ||
             get_col(f, path, "episodes/final_state", H5T_INTEGER, 4, H5T_NATIVE_INT32, 1, E, 0, 0,
                     (void **)&d->final_states, err, errsz) ? -1 : 0;
    if (!rc && !(d->final_of = malloc(sizeof(long long) * (size_t)(R ? R : 1))))
        rc = fail(err, errsz, "%s: out of memory", path);
    if (!rc && (!all_finite(d->observations, (size_t)(R * SD)) || !all_finite(d->tables, (size_t)(M * A * CD)) ||
                !all_finite(d->tail_observations, (size_t)(S * SD)) ||
                !all_finite(d->final_observations, (size_t)(E * SD))))
        rc = fail(err, errsz, "%s: observations or channel_tables: expected finite numbers", path);
    for (hsize_t r = 0; !rc && r < R; r++) d->final_of[r] = -1;
    for (hsize_t e = 0; !rc && e < E; e++) {
        long long last = first[e] + (long long)S * (len[e] - 1LL);
        if (slot[e] < 0 || (hsize_t)slot[e] >= S || first[e] < 0 || (hsize_t)first[e] >= R || len[e] < 1 ||
            first[e] % (long long)S != slot[e] || last >= (long long)R || complete[e] > 1)
            rc = fail(err, errsz, "%s: episodes[%llu]: expected slot < %llu, first_row < %llu in that slot, "
                                  "length >= 1 within the log, complete 0 or 1",
                      path, (unsigned long long)e, (unsigned long long)S, (unsigned long long)R);
        else if (complete[e] && !(d->terminations[last] || d->truncations[last]))
            rc = fail(err, errsz, "%s: episodes[%llu]: complete, but row %lld did not end a session", path,
                      (unsigned long long)e, last);
        else if (complete[e] && d->final_of[last] >= 0)
            rc = fail(err, errsz, "%s: episodes[%llu]: row %lld already ends episode %lld", path,
                      (unsigned long long)e, last, d->final_of[last]);
        else if (complete[e])
            d->final_of[last] = (long long)e;
    }
    for (hsize_t r = 0; !rc && r < R; r++)
        if ((d->terminations[r] || d->truncations[r]) && d->final_of[r] < 0)
            rc = fail(err, errsz, "%s: row %llu ended a session that no complete episode ends", path,
                      (unsigned long long)r);
    for (hsize_t r = 0; !rc && r < M * A; r++)
        if (d->masks[r] > 1) rc = fail(err, errsz, "%s: masks: expected 0 or 1, found %d", path, d->masks[r]);
    free(slot), free(first), free(len), free(complete);
    return rc;
}

static int read_body(hid_t f, const char *path, lg_log_data *d, char *err, size_t errsz)
{
    char *format = NULL;
    long long v, seed, slots;
    if (get_str(f, path, "format", &format, err, errsz)) return -1;
    int bad = strcmp(format, LG_LOG_FORMAT) != 0;
    free(format);
    if (bad) return fail(err, errsz, "%s: attribute \"format\": expected \"%s\"", path, LG_LOG_FORMAT);
    if (get_i64(f, path, "format_version", LG_LOG_VERSION, LG_LOG_VERSION, &v, err, errsz) ||
        get_str(f, path, "scenario", &d->scenario, err, errsz) || get_str(f, path, "agent", &d->agent, err, errsz) ||
        get_str(f, path, "label", &d->label, err, errsz) || get_str(f, path, "params", &d->params, err, errsz) ||
        get_str(f, path, "propensity_method", &d->propensity_method, err, errsz) ||
        get_str(f, path, "livegym", &d->livegym, err, errsz) ||
        get_i64(f, path, "seed", INT64_MIN, INT64_MAX, &seed, err, errsz) ||
        get_i64(f, path, "slots", 1, 1000000, &slots, err, errsz) ||
        get_i64(f, path, "env_steps", 0, (1LL << 40), &d->env_steps, err, errsz) ||
        get_i64(f, path, "total_steps", 0, (1LL << 40), &d->rows, err, errsz) ||
        get_i64(f, path, "total_episodes", 0, (1LL << 40), &d->episodes, err, errsz))
        return -1;
    d->seed = (uint64_t)seed;
    d->slots = (int)slots;
    if (d->rows != d->env_steps * slots)
        return fail(err, errsz, "%s: attribute \"total_steps\": expected env_steps x slots = %lld, found %lld", path,
                    d->env_steps * slots, d->rows);
    /* the widths come from the observation and table datasets; the
     * caller checks them against the scenario's env */
    const hsize_t A = dim_of(f, "channel_tables", 3, 1), CD = dim_of(f, "channel_tables", 3, 2),
                  SD = dim_of(f, "observations", 2, 1);
    if (A < 1 || A > 1000000 || CD < 1 || CD > 100000)
        return fail(err, errsz, "%s: dataset \"channel_tables\": expected [env_steps + 1, actions, channel_dim]", path);
    d->n_actions = (int)A, d->channel_dim = (int)CD;
    if (SD < 1 || SD > 1000000) return fail(err, errsz, "%s: dataset \"observations\": expected [rows, slot_dim]", path);
    d->slot_dim = (int)SD;
    const hsize_t R = (hsize_t)d->rows, M = (hsize_t)d->env_steps + 1;
    if (get_col(f, path, "observations", H5T_FLOAT, 4, 0, 2, R, SD, 0, NULL, err, errsz) ||
        get_col(f, path, "actions", H5T_INTEGER, 4, H5T_NATIVE_INT32, 1, R, 0, 0, (void **)&d->actions, err, errsz) ||
        get_col(f, path, "propensities", H5T_FLOAT, 8, H5T_NATIVE_DOUBLE, 1, R, 0, 0, (void **)&d->propensities, err,
                errsz) ||
        get_col(f, path, "rewards", H5T_FLOAT, 4, H5T_NATIVE_FLOAT, 1, R, 0, 0, (void **)&d->rewards, err, errsz) ||
        get_col(f, path, "terminations", H5T_INTEGER, 1, H5T_NATIVE_UINT8, 1, R, 0, 0, (void **)&d->terminations,
                err, errsz) ||
        get_col(f, path, "truncations", H5T_INTEGER, 1, H5T_NATIVE_UINT8, 1, R, 0, 0, (void **)&d->truncations, err,
                errsz) ||
        get_col(f, path, "infos/state", H5T_INTEGER, 4, H5T_NATIVE_INT32, 1, R, 0, 0, (void **)&d->states, err,
                errsz) ||
        get_col(f, path, "infos/viewer", H5T_INTEGER, 4, 0, 1, R, 0, 0, NULL, err, errsz) ||
        get_col(f, path, "infos/watched", H5T_INTEGER, 4, 0, 1, R, 0, 0, NULL, err, errsz) ||
        get_col(f, path, "infos/watch_minutes", H5T_FLOAT, 4, 0, 1, R, 0, 0, NULL, err, errsz) ||
        get_col(f, path, "channel_tables", H5T_FLOAT, 4, 0, 3, M, A, CD, NULL, err, errsz) ||
        get_col(f, path, "masks", H5T_INTEGER, 1, 0, 2, M, A, 0, NULL, err, errsz) ||
        get_col(f, path, "clock", H5T_FLOAT, 8, 0, 1, M, 0, 0, NULL, err, errsz) ||
        get_col(f, path, "tail_observations", H5T_FLOAT, 4, 0, 2, (hsize_t)slots, SD, 0, NULL, err, errsz) ||
        get_col(f, path, "tail_states", H5T_INTEGER, 4, 0, 1, (hsize_t)slots, 0, 0, NULL, err, errsz))
        return -1;
    for (long long r = 0; r < d->rows; r++) {
        if (d->actions[r] < 0 || d->actions[r] >= d->n_actions)
            return fail(err, errsz, "%s: actions[%lld]: expected 0 to %d, found %d", path, r, d->n_actions - 1,
                        d->actions[r]);
        if (!(d->propensities[r] > 0.0 && d->propensities[r] <= 1.0))
            return fail(err, errsz, "%s: propensities[%lld]: expected a probability in (0, 1], found %g", path, r,
                        d->propensities[r]);
        if (!isfinite(d->rewards[r]))
            return fail(err, errsz, "%s: rewards[%lld]: expected a finite number, found %g", path, r, d->rewards[r]);
        if (d->terminations[r] > 1 || d->truncations[r] > 1)
            return fail(err, errsz, "%s: terminations/truncations[%lld]: expected 0 or 1", path, r);
    }
    return 0;
}

int lg_log_read(const char *path, int full, lg_log_data *d, char *err, size_t errsz)
{
    memset(d, 0, sizeof *d);
    if (read_ub(path, err, errsz)) return -1;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return fail(err, errsz, "%s: not an HDF5 file libhdf5 can open", path);
    int rc = read_body(f, path, d, err, errsz);
    if (!rc && full) rc = read_full(f, path, d, err, errsz);
    H5Fclose(f);
    if (rc) lg_log_data_free(d);
    return rc;
}

static int states_in(const int32_t *s, long long n, int n_states, const char *path, const char *name, char *err,
                     size_t errsz)
{
    for (long long r = 0; r < n; r++)
        if (s[r] < 0 || s[r] >= n_states)
            return fail(err, errsz, "%s: %s[%lld]: expected 0 to %d, found %d", path, name, r, n_states - 1, s[r]);
    return 0;
}

int lg_log_check_env(const lg_log_data *d, const char *path, const lg_env *env, char *err, size_t errsz)
{
    const lg_buffers *b = lg_env_buffers(env);
    if (lg_env_scenario(env)->kind != LG_KIND_LIVE || b->candidates || b->slate_size != 1 ||
        lg_env_scenario(env)->retention.enabled)
        return fail(err, errsz, "%s: its scenario is not a live world with slates of one, no candidate stage and "
                    "no retention", path);
    if (b->n_actions != d->n_actions || b->slot_dim != d->slot_dim || b->channel_dim != d->channel_dim ||
        b->n_slots != d->slots)
        return fail(err, errsz,
                    "%s: its scenario makes %d actions, slot_dim %d, channel_dim %d; its datasets hold %d, %d, %d",
                    path, b->n_actions, b->slot_dim, b->channel_dim, d->n_actions, d->slot_dim, d->channel_dim);
    if (states_in(d->states, d->rows, b->n_states, path, "infos/state", err, errsz)) return -1;
    if (!d->observations) return 0;
    if (states_in(d->final_states, d->episode_rows, b->n_states, path, "episodes/final_state", err, errsz) ||
        states_in(d->tail_states, d->slots, b->n_states, path, "tail_states", err, errsz))
        return -1;
    for (long long r = 0; r < d->rows; r++)
        if (d->watched[r] < -1 || d->watched[r] >= b->n_channels)
            return fail(err, errsz, "%s: infos/watched[%lld]: expected -1 to %d, found %d", path, r, b->n_channels - 1,
                        d->watched[r]);
    return 0;
}

int lg_log_world(const lg_log_data *d, const char *path, lg_scenario *sc, lg_env **env, char *err, size_t errsz)
{
    char where[600];
    *env = NULL;
    snprintf(where, sizeof where, "%s: attribute \"scenario\"", path);
    if (lgx_load_string(d->scenario, strlen(d->scenario), where, sc, NULL, err, errsz) ||
        lg_env_create(sc, d->slots, d->seed, LG_LAYOUT_FLAT, env, err, errsz))
        return -1;
    if (!lg_log_check_env(d, path, *env, err, errsz)) return 0;
    lg_env_free(*env);
    *env = NULL;
    return -1;
}
