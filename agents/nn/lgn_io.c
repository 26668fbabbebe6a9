/* Serialisation of nets and optimiser state (formats in lgn.h), and the
 * CRC-32 / FNV-1a 64 checksums for checkpoint files.
 *
 * Values are written little-endian byte by byte, so the bytes do not depend
 * on the host. Readers go through a cursor that checks the remaining length
 * before every read; on any failure nothing is written to the target. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lgn.h"

/* --------------------------------------------------------------- writing */

typedef struct {
    unsigned char *p;
    size_t pos;
} writer;

static void put_u32(writer *w, uint32_t x)
{
    for (int i = 0; i < 4; i++) w->p[w->pos++] = (unsigned char)(x >> (8 * i));
}

static void put_u64(writer *w, uint64_t x)
{
    for (int i = 0; i < 8; i++) w->p[w->pos++] = (unsigned char)(x >> (8 * i));
}

static void put_f32(writer *w, float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    put_u32(w, x);
}

static void put_tag(writer *w, const char *tag)
{
    memcpy(w->p + w->pos, tag, 4);
    w->pos += 4;
}

static void put_floats(writer *w, const float *f, size_t n)
{
    for (size_t i = 0; i < n; i++) put_f32(w, f[i]);
}

/* --------------------------------------------------------------- reading */

typedef struct {
    const unsigned char *p;
    size_t len, pos;
    const char *what; /* block name for messages */
    char *err;
    size_t errsz;
} reader;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(reader *r, size_t at, const char *fmt, ...)
{
    if (r->err && r->errsz) {
        char msg[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(r->err, r->errsz, "%s block, offset %zu: %s", r->what, at, msg);
    }
    return -1;
}

static int need(reader *r, size_t n)
{
    if (r->len - r->pos >= n) return 0;
    return fail(r, r->pos, "truncated: %zu more bytes needed, %zu left", n, r->len - r->pos);
}

static uint32_t get_u32(reader *r)
{
    uint32_t x = 0;
    for (int i = 0; i < 4; i++) x |= (uint32_t)r->p[r->pos++] << (8 * i);
    return x;
}

static uint64_t get_u64(reader *r)
{
    uint64_t x = 0;
    for (int i = 0; i < 8; i++) x |= (uint64_t)r->p[r->pos++] << (8 * i);
    return x;
}

static float get_f32(reader *r)
{
    uint32_t x = get_u32(r);
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

/* Tag and version, then the caller's fields. */
static int get_header(reader *r, const char *tag)
{
    if (need(r, 8)) return -1;
    if (memcmp(r->p + r->pos, tag, 4))
        return fail(r, r->pos, "expected tag \"%s\", found bytes %02x %02x %02x %02x", tag, r->p[r->pos],
                    r->p[r->pos + 1], r->p[r->pos + 2], r->p[r->pos + 3]);
    r->pos += 4;
    uint32_t version = get_u32(r);
    if (version != 1) return fail(r, r->pos - 4, "expected version 1, found %lu", (unsigned long)version);
    return 0;
}

/* n floats from the cursor: all finite (and >= 0 if nonneg), else -1. The
 * cursor must have 4 * n bytes left. */
static int check_floats(reader *r, size_t n, int nonneg, const char *name)
{
    size_t at = r->pos;
    for (size_t i = 0; i < n; i++) {
        float f = get_f32(r);
        if (!isfinite(f) || (nonneg && f < 0.0f))
            return fail(r, at + 4 * i, "%s[%zu] = %g, expected a finite%s number", name, i, (double)f,
                        nonneg ? " non-negative" : "");
    }
    r->pos = at;
    return 0;
}

static void get_floats(reader *r, float *dst, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = get_f32(r);
}

/* ------------------------------------------------------------------- net */

size_t lgn_mlp_write_size(const lgn_mlp *net)
{
    return 12 + 4 * (size_t)lgn_mlp_n_layers(net) + 8 + 4 * lgn_mlp_n_params(net);
}

size_t lgn_mlp_write(const lgn_mlp *net, void *buf, size_t cap)
{
    size_t size = lgn_mlp_write_size(net);
    if (!buf || cap < size) return 0;
    writer w = {buf, 0};
    put_tag(&w, "LGNM");
    put_u32(&w, 1);
    put_u32(&w, (uint32_t)lgn_mlp_n_layers(net));
    for (int i = 0; i < lgn_mlp_n_layers(net); i++) put_u32(&w, (uint32_t)lgn_mlp_width(net, i));
    put_u64(&w, lgn_mlp_n_params(net));
    put_floats(&w, lgn_mlp_params_const(net), lgn_mlp_n_params(net));
    return w.pos;
}

/* Header up to the parameters; leaves the cursor on them, checked present. */
static int get_net_header(reader *r, int *widths, int *n_layers, size_t *n_params)
{
    if (get_header(r, "LGNM") || need(r, 4)) return -1;
    uint32_t nl = get_u32(r);
    if (nl < 2 || nl > LGN_MAX_LAYERS)
        return fail(r, r->pos - 4, "expected a layer count in [2, %d], found %lu", LGN_MAX_LAYERS, (unsigned long)nl);
    if (need(r, 4 * (size_t)nl + 8)) return -1;
    size_t count = 0;
    for (uint32_t i = 0; i < nl; i++) {
        uint32_t w = get_u32(r);
        if (w < 1 || w > LGN_MAX_WIDTH)
            return fail(r, r->pos - 4, "expected a width in [1, %d], found %lu", LGN_MAX_WIDTH, (unsigned long)w);
        widths[i] = (int)w;
        if (i > 0) count += (size_t)widths[i - 1] * w + w;
    }
    uint64_t np = get_u64(r);
    if (count > LGN_MAX_PARAMS || np != count)
        return fail(r, r->pos - 8, "expected %zu parameters for these widths, found %llu", count,
                    (unsigned long long)np);
    if (need(r, 4 * count)) return -1;
    *n_layers = (int)nl;
    *n_params = count;
    return 0;
}

int lgn_mlp_read(const void *buf, size_t len, int max_batch, lgn_mlp **out, size_t *used, char *err, size_t errsz)
{
    if (out) *out = NULL;
    reader r = {buf, buf ? len : 0, 0, "net", err, errsz};
    int widths[LGN_MAX_LAYERS], nl;
    size_t np;
    if (!out) return fail(&r, 0, "NULL output");
    if (get_net_header(&r, widths, &nl, &np) || check_floats(&r, np, 0, "params")) return -1;
    lgn_mlp *net;
    if (lgn_mlp_create(widths, nl, max_batch, &net, err, errsz)) return -1;
    get_floats(&r, lgn_mlp_params(net), np);
    if (used) *used = r.pos;
    *out = net;
    return 0;
}

int lgn_mlp_read_params(lgn_mlp *net, const void *buf, size_t len, size_t *used, char *err, size_t errsz)
{
    reader r = {buf, buf ? len : 0, 0, "net", err, errsz};
    int widths[LGN_MAX_LAYERS], nl;
    size_t np;
    if (!net) return fail(&r, 0, "NULL net");
    if (get_net_header(&r, widths, &nl, &np)) return -1;
    int same = nl == lgn_mlp_n_layers(net);
    for (int i = 0; same && i < nl; i++) same = widths[i] == lgn_mlp_width(net, i);
    if (!same)
        return fail(&r, 8, "stored shape (%d layers, %zu parameters) differs from the net's (%d layers, %zu)", nl,
                    np, lgn_mlp_n_layers(net), lgn_mlp_n_params(net));
    if (check_floats(&r, np, 0, "params")) return -1;
    get_floats(&r, lgn_mlp_params(net), np);
    if (used) *used = r.pos;
    return 0;
}

/* ------------------------------------------------------------------ Adam */

size_t lgn_adam_write_size(const lgn_adam *o) { return 8 + 16 + 16 + 8 * o->n; }

size_t lgn_adam_write(const lgn_adam *o, void *buf, size_t cap)
{
    size_t size = lgn_adam_write_size(o);
    if (!buf || cap < size) return 0;
    writer w = {buf, 0};
    put_tag(&w, "LGNA");
    put_u32(&w, 1);
    put_u64(&w, o->n);
    put_u64(&w, o->step);
    put_f32(&w, o->lr), put_f32(&w, o->beta1), put_f32(&w, o->beta2), put_f32(&w, o->eps);
    put_floats(&w, o->m, o->n);
    put_floats(&w, o->v, o->n);
    return w.pos;
}

int lgn_adam_read(lgn_adam *o, const void *buf, size_t len, size_t *used, char *err, size_t errsz)
{
    reader r = {buf, buf ? len : 0, 0, "adam", err, errsz};
    if (!o || !o->m) return fail(&r, 0, "optimiser not initialised");
    if (get_header(&r, "LGNA") || need(&r, 32)) return -1;
    uint64_t n = get_u64(&r);
    if (n != o->n) return fail(&r, r.pos - 8, "expected %zu parameters, found %llu", o->n, (unsigned long long)n);
    uint64_t step = get_u64(&r);
    float lr = get_f32(&r), b1 = get_f32(&r), b2 = get_f32(&r), eps = get_f32(&r);
    if (!(lr >= 0.0f && isfinite(lr)) || !(b1 >= 0.0f && b1 < 1.0f) || !(b2 >= 0.0f && b2 < 1.0f) ||
        !(eps > 0.0f && isfinite(eps)))
        return fail(&r, r.pos - 16, "bad hyperparameters (lr %g, beta1 %g, beta2 %g, eps %g)", (double)lr, (double)b1,
                    (double)b2, (double)eps);
    if (need(&r, 8 * (size_t)n)) return -1;
    size_t at = r.pos;
    if (check_floats(&r, n, 0, "m")) return -1;
    r.pos += 4 * n;
    if (check_floats(&r, n, 1, "v")) return -1;
    r.pos = at;
    get_floats(&r, o->m, n);
    get_floats(&r, o->v, n);
    o->step = step, o->lr = lr, o->beta1 = b1, o->beta2 = b2, o->eps = eps;
    if (used) *used = r.pos;
    return 0;
}

/* ------------------------------------------------------------------- SGD */

size_t lgn_sgd_write_size(const lgn_sgd *o) { return 8 + 16 + 8 + 4 + (o->vel ? 4 * o->n : 0); }

size_t lgn_sgd_write(const lgn_sgd *o, void *buf, size_t cap)
{
    size_t size = lgn_sgd_write_size(o);
    if (!buf || cap < size) return 0;
    writer w = {buf, 0};
    put_tag(&w, "LGNS");
    put_u32(&w, 1);
    put_u64(&w, o->n);
    put_u64(&w, o->step);
    put_f32(&w, o->lr), put_f32(&w, o->momentum);
    put_u32(&w, o->vel != NULL);
    if (o->vel) put_floats(&w, o->vel, o->n);
    return w.pos;
}

int lgn_sgd_read(lgn_sgd *o, const void *buf, size_t len, size_t *used, char *err, size_t errsz)
{
    reader r = {buf, buf ? len : 0, 0, "sgd", err, errsz};
    if (!o) return fail(&r, 0, "NULL optimiser");
    if (get_header(&r, "LGNS") || need(&r, 28)) return -1;
    uint64_t n = get_u64(&r);
    if (n != o->n) return fail(&r, r.pos - 8, "expected %zu parameters, found %llu", o->n, (unsigned long long)n);
    uint64_t step = get_u64(&r);
    float lr = get_f32(&r), mu = get_f32(&r);
    uint32_t has_vel = get_u32(&r);
    if (!(lr >= 0.0f && isfinite(lr)) || !(mu >= 0.0f && mu < 1.0f) || has_vel != (mu > 0.0f))
        return fail(&r, r.pos - 12, "bad hyperparameters (lr %g, momentum %g, has_vel %lu)", (double)lr, (double)mu,
                    (unsigned long)has_vel);
    if (has_vel != (o->vel != NULL))
        return fail(&r, r.pos - 4, "expected has_vel %d, found %lu", o->vel != NULL, (unsigned long)has_vel);
    if (has_vel) {
        if (need(&r, 4 * (size_t)n) || check_floats(&r, n, 0, "vel")) return -1;
        get_floats(&r, o->vel, n);
    }
    o->step = step, o->lr = lr, o->momentum = mu;
    if (used) *used = r.pos;
    return 0;
}

/* ---------------------------------------------------------------- FILE* */

static int set_err(char *err, size_t errsz, const char *msg)
{
    if (err && errsz) snprintf(err, errsz, "%s", msg);
    return -1;
}

static int write_all(const void *buf, size_t n, FILE *f, char *err, size_t errsz)
{
    if (fwrite(buf, 1, n, f) != n) return set_err(err, errsz, "write failed");
    return 0;
}

int lgn_mlp_fwrite(const lgn_mlp *net, FILE *f, char *err, size_t errsz)
{
    if (!net || !f) return set_err(err, errsz, "lgn_mlp_fwrite: NULL argument");
    size_t n = lgn_mlp_write_size(net);
    unsigned char *buf = malloc(n);
    if (!buf) return set_err(err, errsz, "lgn_mlp_fwrite: out of memory");
    lgn_mlp_write(net, buf, n);
    int rc = write_all(buf, n, f, err, errsz);
    free(buf);
    return rc;
}

int lgn_adam_fwrite(const lgn_adam *o, FILE *f, char *err, size_t errsz)
{
    if (!o || !o->m || !f) return set_err(err, errsz, "lgn_adam_fwrite: NULL argument");
    size_t n = lgn_adam_write_size(o);
    unsigned char *buf = malloc(n);
    if (!buf) return set_err(err, errsz, "lgn_adam_fwrite: out of memory");
    lgn_adam_write(o, buf, n);
    int rc = write_all(buf, n, f, err, errsz);
    free(buf);
    return rc;
}

/* Read a net block: the fixed header, then (sizes validated) the rest. The
 * returned buffer holds the whole block; *n its size. */
static unsigned char *fread_net_block(FILE *f, size_t *n, char *err, size_t errsz)
{
    unsigned char head[12 + 4 * LGN_MAX_LAYERS + 8];
    reader r = {head, 0, 0, "net", err, errsz};
    r.len = fread(head, 1, 12, f);
    if (get_header(&r, "LGNM") || need(&r, 4)) return NULL;
    uint32_t nl = get_u32(&r);
    if (nl < 2 || nl > LGN_MAX_LAYERS) {
        fail(&r, 8, "expected a layer count in [2, %d], found %lu", LGN_MAX_LAYERS, (unsigned long)nl);
        return NULL;
    }
    size_t hl = 12 + 4 * (size_t)nl + 8;
    r.len += fread(head + 12, 1, hl - 12, f);
    int widths[LGN_MAX_LAYERS], got_nl;
    size_t np;
    r.pos = 0;
    /* Parse the header alone: get_net_header needs the parameters present,
     * so check them with a length that pretends they are. */
    if (r.len < hl) {
        need(&r, hl);
        return NULL;
    }
    reader h = r;
    h.len = SIZE_MAX;
    if (get_net_header(&h, widths, &got_nl, &np)) return NULL;
    size_t total = hl + 4 * np;
    unsigned char *buf = malloc(total);
    if (!buf) {
        set_err(err, errsz, "net block: out of memory");
        return NULL;
    }
    memcpy(buf, head, hl);
    size_t got = fread(buf + hl, 1, total - hl, f);
    if (got != total - hl) {
        reader t = {buf, hl + got, hl + got, "net", err, errsz};
        need(&t, total - hl - got);
        free(buf);
        return NULL;
    }
    *n = total;
    return buf;
}

int lgn_mlp_fread(FILE *f, int max_batch, lgn_mlp **out, char *err, size_t errsz)
{
    if (out) *out = NULL;
    if (!f || !out) return set_err(err, errsz, "lgn_mlp_fread: NULL argument");
    size_t n;
    unsigned char *buf = fread_net_block(f, &n, err, errsz);
    if (!buf) return -1;
    int rc = lgn_mlp_read(buf, n, max_batch, out, NULL, err, errsz);
    free(buf);
    return rc;
}

int lgn_mlp_fread_params(lgn_mlp *net, FILE *f, char *err, size_t errsz)
{
    if (!f || !net) return set_err(err, errsz, "lgn_mlp_fread_params: NULL argument");
    size_t n;
    unsigned char *buf = fread_net_block(f, &n, err, errsz);
    if (!buf) return -1;
    int rc = lgn_mlp_read_params(net, buf, n, NULL, err, errsz);
    free(buf);
    return rc;
}

int lgn_adam_fread(lgn_adam *o, FILE *f, char *err, size_t errsz)
{
    if (!f || !o || !o->m) return set_err(err, errsz, "lgn_adam_fread: NULL argument or optimiser not initialised");
    unsigned char head[40];
    reader r = {head, 0, 0, "adam", err, errsz};
    r.len = fread(head, 1, sizeof head, f);
    if (get_header(&r, "LGNA") || need(&r, 32)) return -1;
    uint64_t n = get_u64(&r);
    if (n != o->n) return fail(&r, 8, "expected %zu parameters, found %llu", o->n, (unsigned long long)n);
    size_t total = sizeof head + 8 * (size_t)n;
    unsigned char *buf = malloc(total);
    if (!buf) return set_err(err, errsz, "adam block: out of memory");
    memcpy(buf, head, sizeof head);
    size_t got = fread(buf + sizeof head, 1, total - sizeof head, f);
    int rc = lgn_adam_read(o, buf, sizeof head + got, NULL, err, errsz);
    free(buf);
    return rc;
}
