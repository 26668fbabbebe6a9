/* What the fuzz targets share: a small world to run loaded states in, a
 * scratch folder, and writing seed inputs (docs/testing.md). A target that
 * finds LG_FUZZ_SEEDS=DIR in its environment writes its seed inputs there
 * (from states the project itself saved) and the corpora in the tree come
 * from that. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lg_env.h"
#include "lg_scenario.h"
#include "lg_scenario_json.h"

static void fuzz_die(const char *what, const char *err)
{
    fprintf(stderr, "fuzz setup: %s: %s\n", what, err);
    abort();
}

/* A small world (12 channels, 300 viewers, the default categories and
 * segments) so that states, and the inputs built from them, stay small; the
 * live kind or a classic one. */
static inline lg_scenario *fuzz_world(lg_env_kind kind)
{
    static const char text[] = "{\"world\": {\"channels\": {\"generate\": {\"count\": 12, \"always_on_fraction\": 0.5}}},"
                               " \"population\": {\"viewers\": 300}}";
    lg_scenario *sc = malloc(sizeof *sc);
    char err[512];
    if (lg_scenario_load_string(text, sizeof text - 1, "fuzz world", sc, err, sizeof err)) fuzz_die("world", err);
    sc->kind = kind;
    return sc;
}

static inline lg_env *fuzz_env(const lg_scenario *sc, int slots)
{
    lg_env *env;
    char err[512];
    if (lg_env_create(sc, slots, 1, LG_LAYOUT_FLAT, &env, err, sizeof err)) fuzz_die("env", err);
    return env;
}

/* Step env n times with the first on-air channel of every slot (or 0). */
static inline void fuzz_steps(lg_env *env, int n)
{
    const lg_buffers *b = lg_env_buffers(env);
    int32_t act[64 * 8];
    for (int t = 0; t < n; t++) {
        for (int i = 0; i < b->n_slots * b->slate_size && i < 64 * 8; i++) {
            int slot = i / b->slate_size, c = 0;
            while (c < b->n_actions - 1 && !b->mask[slot * b->n_actions + c]) c++;
            act[i] = (c + i % b->slate_size) % b->n_actions;
        }
        lg_env_step(env, act);
    }
}

/* A scratch folder of this process (made once). */
static inline const char *fuzz_dir(void)
{
    static char dir[256];
    if (!dir[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(dir, sizeof dir, "%s/livegym-fuzz-XXXXXX", base);
        if (!mkdtemp(dir)) fuzz_die("scratch folder", dir);
    }
    return dir;
}

static inline void fuzz_write(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n)) fuzz_die("write", path);
    fclose(f);
}

static inline char *fuzz_read(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) fuzz_die("read", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    if (fread(buf, 1, (size_t)len, f) != (size_t)len) fuzz_die("read", path);
    fclose(f);
    *n = (size_t)len;
    return buf;
}

/* With LG_FUZZ_SEEDS=DIR set: DIR/name gets selector byte + bytes. */
static inline void fuzz_seed(const char *name, uint8_t selector, const void *p, size_t n)
{
    const char *dir = getenv("LG_FUZZ_SEEDS");
    if (!dir) return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unsigned char *buf = malloc(n + 1);
    buf[0] = selector;
    memcpy(buf + 1, p, n);
    fuzz_write(path, buf, n + 1);
    free(buf);
}

#endif
