/* Agent state files (lga_save, lga_load): the learned state as named blocks,
 * written atomically and checked block by block on reading. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_checksum.h"
#include "lg_file.h"
#include "lga_agent.h"

/*
 * File: "LGAGENT\0" magic, u32 version, u32 name length + name, u32 block
 * count, then per block u32 name length + name + u64 size + bytes, then the
 * u64 FNV-1a hash of everything before it. Little-endian host order (the
 * project targets x86-64/arm64 Linux); the version bumps if that changes. */

_Static_assert(sizeof(long) == 8, "agents save long counters as 64-bit blocks");

#define LGA_MAGIC "LGAGENT"
#define LGA_VERSION 1u

static size_t expected_size(lga_agent *a, const lga_state_block *blocks, int n)
{
    size_t expect = 8 + 4 + 4 + strlen(a->type->name) + 4 + 8;
    for (int i = 0; i < n; i++) expect += 4 + strlen(blocks[i].name) + 8 + blocks[i].bytes;
    return expect;
}

static unsigned char *put(unsigned char *at, const void *p, size_t n)
{
    memcpy(at, p, n);
    return at + n;
}

int lga_save_bytes(lga_agent *a, char **out, size_t *len, char *err, size_t errsz)
{
    lga_state_block blocks[LGA_MAX_STATE_BLOCKS];
    int n = a->type->state(a, blocks);
    size_t total = expected_size(a, blocks, n);
    unsigned char *buf = malloc(total), *at = buf;
    if (!buf) return snprintf(err, errsz, "out of memory for %zu bytes of agent state", total), -1;
    uint32_t version = LGA_VERSION, nl = (uint32_t)strlen(a->type->name), nb = (uint32_t)n;
    at = put(at, LGA_MAGIC, 8), at = put(at, &version, 4), at = put(at, &nl, 4);
    at = put(at, a->type->name, nl), at = put(at, &nb, 4);
    for (int i = 0; i < n; i++) {
        uint32_t bl = (uint32_t)strlen(blocks[i].name);
        uint64_t sz = blocks[i].bytes;
        at = put(at, &bl, 4), at = put(at, blocks[i].name, bl), at = put(at, &sz, 8);
        at = put(at, blocks[i].data, blocks[i].bytes);
    }
    uint64_t h = lg_fnv1a64(LG_FNV1A64_INIT, buf, (size_t)(at - buf));
    put(at, &h, 8);
    *out = (char *)buf, *len = total;
    return 0;
}

int lga_save(lga_agent *a, const char *path, char *err, size_t errsz)
{
    char *buf;
    size_t n;
    if (lga_save_bytes(a, &buf, &n, err, errsz)) return -1;
    int rc = lg_write_atomic(path, buf, n, err, errsz);
    free(buf);
    return rc;
}

typedef struct {
    const unsigned char *p;
    size_t n, at;
} reader;

static int take(reader *r, void *out, size_t n)
{
    if (r->n - r->at < n) return -1;
    memcpy(out, r->p + r->at, n);
    r->at += n;
    return 0;
}

/* The file's blocks, checked against the agent's: names and sizes in order
 * (data_at[i] is where block i's bytes start), then the checksum, then
 * nothing more. */
static int check_blocks(reader *r, const char *path, const lga_state_block *blocks, int n, size_t *data_at,
                        char *err, size_t errsz)
{
    uint32_t nb = 0;
    if (take(r, &nb, 4) || nb != (uint32_t)n) {
        snprintf(err, errsz, "%s: state blocks: expected %d, found %u (different hyperparameters or env?)", path, n,
                 nb);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char bname[64] = "";
        uint32_t bl = 0;
        uint64_t sz = 0;
        if (take(r, &bl, 4) || bl >= sizeof bname || take(r, bname, bl) || take(r, &sz, 8)) {
            snprintf(err, errsz, "%s: truncated or corrupt block header %d", path, i);
            return -1;
        }
        if (strcmp(bname, blocks[i].name) || sz != blocks[i].bytes) {
            snprintf(err, errsz, "%s: block %d: expected \"%s\" of %zu bytes, found \"%s\" of %llu bytes", path, i,
                     blocks[i].name, blocks[i].bytes, bname, (unsigned long long)sz);
            return -1;
        }
        data_at[i] = r->at;
        if (r->n - r->at < sz) {
            snprintf(err, errsz, "%s: truncated in block \"%s\"", path, bname);
            return -1;
        }
        r->at += sz;
    }
    uint64_t stored;
    size_t body = r->at;
    if (take(r, &stored, 8)) {
        snprintf(err, errsz, "%s: truncated: no checksum", path);
        return -1;
    }
    if (r->at != r->n) {
        snprintf(err, errsz, "%s: trailing bytes after the checksum", path);
        return -1;
    }
    if (!LG_FUZZING && lg_fnv1a64(LG_FNV1A64_INIT, r->p, body) != stored) {
        snprintf(err, errsz, "%s: checksum mismatch: the file is corrupt", path);
        return -1;
    }
    return 0;
}

/* Magic, version and agent name. A file of the expected length is checked
 * whole first, so that damage anywhere reads as damage; other lengths are
 * explained by the walk of the blocks (truncated, or another shape). */
static int check_header(reader *r, const char *path, const char *agent, size_t expect, char *err, size_t errsz)
{
    char magic[8];
    uint32_t version = 0, len = 0;
    if (take(r, magic, 8) || memcmp(magic, LGA_MAGIC, 8)) {
        snprintf(err, errsz, "%s: not a livegym agent state file (bad magic number)", path);
        return -1;
    }
    if (take(r, &version, 4) || version != LGA_VERSION) {
        snprintf(err, errsz, "%s: format version: expected %u, found %u", path, LGA_VERSION, version);
        return -1;
    }
    char name[64] = "";
    if (take(r, &len, 4) || len >= sizeof name || take(r, name, len)) {
        snprintf(err, errsz, "%s: truncated or corrupt header", path);
        return -1;
    }
    if (strcmp(name, agent)) {
        snprintf(err, errsz, "%s: agent: expected \"%s\", found \"%s\"", path, agent, name);
        return -1;
    }
    if (r->n == expect && !LG_FUZZING) {
        uint64_t stored;
        memcpy(&stored, r->p + expect - 8, 8);
        if (lg_fnv1a64(LG_FNV1A64_INIT, r->p, expect - 8) != stored) {
            snprintf(err, errsz, "%s: checksum mismatch: the file is corrupt", path);
            return -1;
        }
    }
    return 0;
}

/* Element i of a block's bytes as a double (unaligned-safe). */
static double element(const unsigned char *p, lga_elem e, size_t i)
{
    switch (e) {
    case LGA_F32: {
        float v;
        memcpy(&v, p + i * 4, 4);
        return v;
    }
    case LGA_F64: {
        double v;
        memcpy(&v, p + i * 8, 8);
        return v;
    }
    case LGA_I32: {
        int32_t v;
        memcpy(&v, p + i * 4, 4);
        return v;
    }
    case LGA_I64: {
        int64_t v;
        memcpy(&v, p + i * 8, 8);
        return (double)v;
    }
    case LGA_U8: return p[i];
    default: return 0;
    }
}

/* Every element of the file's bytes for block b within its range. */
static int check_values(const lga_state_block *b, const unsigned char *p, const char *path, char *err, size_t errsz)
{
    static const size_t width[] = {[LGA_RAW] = 1, [LGA_F32] = 4, [LGA_F64] = 8, [LGA_I32] = 4, [LGA_I64] = 8,
                                   [LGA_U8] = 1};
    if (b->elem == LGA_RAW) return 0;
    const size_t n = b->bytes / width[b->elem];
    for (size_t i = 0; i < n; i++) {
        double v = element(p, b->elem, i);
        if (v >= b->lo && v <= b->hi) continue; /* NaN fails both */
        snprintf(err, errsz, "%s: block \"%s\"[%zu]: expected a value in [%g, %g], found %g", path, b->name, i, b->lo,
                 b->hi, v);
        return -1;
    }
    return 0;
}

/* Put the file's blocks in place and let the agent check them; on a refusal
 * the old state goes back. */
static int install(lga_agent *a, const lga_state_block *blocks, int n, const char *buf, const size_t *data_at,
                   const char *path, char *err, size_t errsz)
{
    size_t total = 0;
    for (int i = 0; i < n; i++) total += blocks[i].name[0] == '=' ? 0 : blocks[i].bytes;
    char *old = a->type->check ? malloc(total ? total : 1) : NULL;
    if (a->type->check && !old) return snprintf(err, errsz, "%s: out of memory", path), -1;
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        if (blocks[i].name[0] == '=') continue;
        if (old) memcpy(old + at, blocks[i].data, blocks[i].bytes), at += blocks[i].bytes;
        memcpy(blocks[i].data, buf + data_at[i], blocks[i].bytes);
    }
    char why[256];
    if (!a->type->check || a->type->check(a, why, sizeof why) == 0) return free(old), 0;
    at = 0;
    for (int i = 0; i < n; i++) {
        if (blocks[i].name[0] == '=') continue;
        memcpy(blocks[i].data, old + at, blocks[i].bytes), at += blocks[i].bytes;
    }
    free(old);
    snprintf(err, errsz, "%s: %s", path, why);
    return -1;
}

int lga_load_bytes(lga_agent *a, const void *bytes, size_t got, const char *name, char *err, size_t errsz)
{
    lga_state_block blocks[LGA_MAX_STATE_BLOCKS];
    int n = a->type->state(a, blocks);
    const char *buf = bytes;
    reader r = {(const unsigned char *)buf, got, 0};
    size_t data_at[LGA_MAX_STATE_BLOCKS];
    if (check_header(&r, name, a->type->name, expected_size(a, blocks, n), err, errsz) ||
        check_blocks(&r, name, blocks, n, data_at, err, errsz))
        return -1;
    for (int i = 0; i < n; i++)
        if (blocks[i].name[0] == '=' && memcmp(blocks[i].data, buf + data_at[i], blocks[i].bytes)) {
            snprintf(err, errsz, "%s: block \"%s\" differs: saved by an agent of another shape", name,
                     blocks[i].name + 1);
            return -1;
        }
    for (int i = 0; i < n; i++)
        if (check_values(&blocks[i], (const unsigned char *)buf + data_at[i], name, err, errsz)) return -1;
    return install(a, blocks, n, buf, data_at, name, err, errsz);
}

int lga_load(lga_agent *a, const char *path, char *err, size_t errsz)
{
    lga_state_block blocks[LGA_MAX_STATE_BLOCKS];
    int n = a->type->state(a, blocks);
    char *buf;
    size_t got;
    /* One byte more than expected is enough to tell "trailing bytes". */
    if (lg_read_head(path, expected_size(a, blocks, n) + 1, &buf, &got, err, errsz)) return -1;
    int rc = lga_load_bytes(a, buf, got, path, err, errsz);
    free(buf);
    return rc;
}
