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

/* ------------------------------------------------------------- checksums */

static const uint32_t crc_table[256] = {
    0x00000000U, 0x77073096U, 0xEE0E612CU, 0x990951BAU, 0x076DC419U, 0x706AF48FU,
    0xE963A535U, 0x9E6495A3U, 0x0EDB8832U, 0x79DCB8A4U, 0xE0D5E91EU, 0x97D2D988U,
    0x09B64C2BU, 0x7EB17CBDU, 0xE7B82D07U, 0x90BF1D91U, 0x1DB71064U, 0x6AB020F2U,
    0xF3B97148U, 0x84BE41DEU, 0x1ADAD47DU, 0x6DDDE4EBU, 0xF4D4B551U, 0x83D385C7U,
    0x136C9856U, 0x646BA8C0U, 0xFD62F97AU, 0x8A65C9ECU, 0x14015C4FU, 0x63066CD9U,
    0xFA0F3D63U, 0x8D080DF5U, 0x3B6E20C8U, 0x4C69105EU, 0xD56041E4U, 0xA2677172U,
    0x3C03E4D1U, 0x4B04D447U, 0xD20D85FDU, 0xA50AB56BU, 0x35B5A8FAU, 0x42B2986CU,
    0xDBBBC9D6U, 0xACBCF940U, 0x32D86CE3U, 0x45DF5C75U, 0xDCD60DCFU, 0xABD13D59U,
    0x26D930ACU, 0x51DE003AU, 0xC8D75180U, 0xBFD06116U, 0x21B4F4B5U, 0x56B3C423U,
    0xCFBA9599U, 0xB8BDA50FU, 0x2802B89EU, 0x5F058808U, 0xC60CD9B2U, 0xB10BE924U,
    0x2F6F7C87U, 0x58684C11U, 0xC1611DABU, 0xB6662D3DU, 0x76DC4190U, 0x01DB7106U,
    0x98D220BCU, 0xEFD5102AU, 0x71B18589U, 0x06B6B51FU, 0x9FBFE4A5U, 0xE8B8D433U,
    0x7807C9A2U, 0x0F00F934U, 0x9609A88EU, 0xE10E9818U, 0x7F6A0DBBU, 0x086D3D2DU,
    0x91646C97U, 0xE6635C01U, 0x6B6B51F4U, 0x1C6C6162U, 0x856530D8U, 0xF262004EU,
    0x6C0695EDU, 0x1B01A57BU, 0x8208F4C1U, 0xF50FC457U, 0x65B0D9C6U, 0x12B7E950U,
    0x8BBEB8EAU, 0xFCB9887CU, 0x62DD1DDFU, 0x15DA2D49U, 0x8CD37CF3U, 0xFBD44C65U,
    0x4DB26158U, 0x3AB551CEU, 0xA3BC0074U, 0xD4BB30E2U, 0x4ADFA541U, 0x3DD895D7U,
    0xA4D1C46DU, 0xD3D6F4FBU, 0x4369E96AU, 0x346ED9FCU, 0xAD678846U, 0xDA60B8D0U,
    0x44042D73U, 0x33031DE5U, 0xAA0A4C5FU, 0xDD0D7CC9U, 0x5005713CU, 0x270241AAU,
    0xBE0B1010U, 0xC90C2086U, 0x5768B525U, 0x206F85B3U, 0xB966D409U, 0xCE61E49FU,
    0x5EDEF90EU, 0x29D9C998U, 0xB0D09822U, 0xC7D7A8B4U, 0x59B33D17U, 0x2EB40D81U,
    0xB7BD5C3BU, 0xC0BA6CADU, 0xEDB88320U, 0x9ABFB3B6U, 0x03B6E20CU, 0x74B1D29AU,
    0xEAD54739U, 0x9DD277AFU, 0x04DB2615U, 0x73DC1683U, 0xE3630B12U, 0x94643B84U,
    0x0D6D6A3EU, 0x7A6A5AA8U, 0xE40ECF0BU, 0x9309FF9DU, 0x0A00AE27U, 0x7D079EB1U,
    0xF00F9344U, 0x8708A3D2U, 0x1E01F268U, 0x6906C2FEU, 0xF762575DU, 0x806567CBU,
    0x196C3671U, 0x6E6B06E7U, 0xFED41B76U, 0x89D32BE0U, 0x10DA7A5AU, 0x67DD4ACCU,
    0xF9B9DF6FU, 0x8EBEEFF9U, 0x17B7BE43U, 0x60B08ED5U, 0xD6D6A3E8U, 0xA1D1937EU,
    0x38D8C2C4U, 0x4FDFF252U, 0xD1BB67F1U, 0xA6BC5767U, 0x3FB506DDU, 0x48B2364BU,
    0xD80D2BDAU, 0xAF0A1B4CU, 0x36034AF6U, 0x41047A60U, 0xDF60EFC3U, 0xA867DF55U,
    0x316E8EEFU, 0x4669BE79U, 0xCB61B38CU, 0xBC66831AU, 0x256FD2A0U, 0x5268E236U,
    0xCC0C7795U, 0xBB0B4703U, 0x220216B9U, 0x5505262FU, 0xC5BA3BBEU, 0xB2BD0B28U,
    0x2BB45A92U, 0x5CB36A04U, 0xC2D7FFA7U, 0xB5D0CF31U, 0x2CD99E8BU, 0x5BDEAE1DU,
    0x9B64C2B0U, 0xEC63F226U, 0x756AA39CU, 0x026D930AU, 0x9C0906A9U, 0xEB0E363FU,
    0x72076785U, 0x05005713U, 0x95BF4A82U, 0xE2B87A14U, 0x7BB12BAEU, 0x0CB61B38U,
    0x92D28E9BU, 0xE5D5BE0DU, 0x7CDCEFB7U, 0x0BDBDF21U, 0x86D3D2D4U, 0xF1D4E242U,
    0x68DDB3F8U, 0x1FDA836EU, 0x81BE16CDU, 0xF6B9265BU, 0x6FB077E1U, 0x18B74777U,
    0x88085AE6U, 0xFF0F6A70U, 0x66063BCAU, 0x11010B5CU, 0x8F659EFFU, 0xF862AE69U,
    0x616BFFD3U, 0x166CCF45U, 0xA00AE278U, 0xD70DD2EEU, 0x4E048354U, 0x3903B3C2U,
    0xA7672661U, 0xD06016F7U, 0x4969474DU, 0x3E6E77DBU, 0xAED16A4AU, 0xD9D65ADCU,
    0x40DF0B66U, 0x37D83BF0U, 0xA9BCAE53U, 0xDEBB9EC5U, 0x47B2CF7FU, 0x30B5FFE9U,
    0xBDBDF21CU, 0xCABAC28AU, 0x53B39330U, 0x24B4A3A6U, 0xBAD03605U, 0xCDD70693U,
    0x54DE5729U, 0x23D967BFU, 0xB3667A2EU, 0xC4614AB8U, 0x5D681B02U, 0x2A6F2B94U,
    0xB40BBE37U, 0xC30C8EA1U, 0x5A05DF1BU, 0x2D02EF8DU,
};

uint32_t lgn_crc32(uint32_t crc, const void *data, size_t n)
{
    const unsigned char *p = data;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) crc = crc_table[(crc ^ p[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

uint64_t lgn_fnv1a64(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001B3ULL;
    }
    return h;
}

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
        !(eps >= 0.0f && isfinite(eps)))
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
