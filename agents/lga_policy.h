/* Kept agents (`livegym run --keep-agents`, docs/results.md): one file
 * holds a trained agent's state, a JSON manifest of what made it, and
 * optionally the world it trained in as it was when training ended, so a
 * policy can leave the run that trained it. The `saved` agent (saved.c)
 * plays one back, frozen and greedy, in any world whose observation fits.
 *
 * File: "LGPOLICY" magic, u32 version, then three u64-length-prefixed
 * parts (manifest JSON text, the agent's lga_save bytes, the world's
 * lg_env_state_save bytes, possibly empty), then the u64 FNV-1a hash of
 * everything before it. The checksum catches accidents; every part is then
 * checked by its own reader (the manifest here, the agent by lga_load, the
 * world by lg_env_state_load), as a file from elsewhere must be. */
#ifndef LGA_POLICY_H
#define LGA_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "lga_agent.h"

#pragma GCC visibility push(default)

#define LGA_POLICY_LABEL_LEN 64

typedef struct {
    /* From the manifest, checked: */
    char name[LG_NAME_LEN];            /* the agent's registry name (never "saved" or a cheating agent) */
    char label[LGA_POLICY_LABEL_LEN];  /* its label in the experiment that trained it */
    char *params;                      /* its hyperparameters, compact JSON object text */
    long seed;                         /* the training seed, 1..100000 */
    long trained_steps;                /* slot-steps it trained for */
    char *scenario;                    /* the resolved scenario it trained on (JSON text; the caller checks it) */
    /* The parts: */
    unsigned char *agent;
    size_t agent_len;
    unsigned char *world;              /* NULL when the file keeps no world */
    size_t world_len;
} lga_policy;

/* Write atomically: the manifest (a JSON object: "agent" and "label"
 * strings, "params" a string holding the hyperparameters' JSON object,
 * "seed" and "trained_steps" integers, "scenario" a string holding the
 * resolved scenario, optional "livegym" the version that wrote it), a's
 * state, and world_len bytes of world (may be 0). */
int lga_policy_write(const char *path, const char *manifest, lga_agent *a, const void *world, size_t world_len,
                     char *err, size_t errsz);
/* Read and check a kept-agent file: 0, or -1 with one line (file, part or
 * manifest field, expected, found) and *p zeroed. */
int lga_policy_read(const char *path, lga_policy *p, char *err, size_t errsz);
/* The same from the file's bytes (path names them in messages). */
int lga_policy_parse(const void *bytes, size_t n, const char *path, lga_policy *p, char *err, size_t errsz);
void lga_policy_free(lga_policy *p);

/* The file that holds training seed `seed`: path itself when it is a file,
 * path/seed-SEED.policy when it is a folder (a results folder's runs/LABEL). */
void lga_policy_path(const char *path, long seed, char *out, size_t n);

/* An agent made from a kept file's manifest and loaded with its state, for
 * this shape: NULL with a message when the state does not fit the shape
 * (another observation or action count) or the file holds a bad state. */
lga_agent *lga_policy_agent(const lga_policy *p, const char *path, const lga_obs_batch *shape, char *err,
                            size_t errsz);

#pragma GCC visibility pop

#endif
