/* Logged data in HDF5 (docs/logs.md): what a behaviour policy saw, did,
 * with what probability, and what came of it, one row per slot-step, as
 * `livegym log` writes it and `livegym ope` reads it. The file is written
 * under a temporary name and renamed when complete; a 512-byte user block
 * ahead of the HDF5 data holds a magic, the file's length and an FNV-1a
 * hash of the rest, checked before libhdf5 sees a byte of it. */
#ifndef LG_LOG_FILE_H
#define LG_LOG_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "lgx_loop.h"

#define LG_LOG_FORMAT "livegym-log"
#define LG_LOG_VERSION 1

/* What the root attributes say about the run that made the log. */
typedef struct {
    const char *scenario;    /* the resolved world as JSON (lgx_scenario_to_json without an experiment) */
    const char *agent;       /* registry name of the behaviour policy */
    const char *label;
    const char *params;      /* its hyperparameters, JSON */
    const char *propensity_method; /* "exact" or the estimate's method */
    uint64_t seed;           /* world and agent seed, as livegym run's seed */
} lg_log_meta;

typedef struct lg_log_writer lg_log_writer;

/* Open `path`'s temporary twin for an env of this shape. NULL and a
 * message on failure. */
lg_log_writer *lg_log_open(const char *path, const lg_env *env, const lg_log_meta *meta, char *err, size_t errsz);
/* The sink lgx_train calls (its ctx is the writer). */
lgx_log_sink lg_log_sink(lg_log_writer *w);
/* Finish: the tail (each slot's observation after the last step, and its
 * running session as an incomplete episode), the counts, the user block;
 * rename into place. 0, or -1 with a message (the temporary file is
 * removed). lg_log_abort removes it without finishing. Both free w. */
int lg_log_close(lg_log_writer *w, const lg_env *env, char *err, size_t errsz);
void lg_log_abort(lg_log_writer *w);
/* Rows and complete episodes written so far, and the reason a sink step
 * failed (empty when none). */
long long lg_log_rows(const lg_log_writer *w);
const char *lg_log_error(const lg_log_writer *w);

/* A log read back: the attributes and the per-row columns OPE needs (the
 * observations stay in the file: a reader replays the world instead, and
 * checks that every logged reward is the replay's). */
typedef struct {
    char *scenario, *agent, *label, *params, *propensity_method, *livegym;
    uint64_t seed;
    int slots, n_actions, slot_dim, channel_dim;
    long long rows, env_steps, episodes;
    int32_t *actions;       /* [rows] */
    double *propensities;   /* [rows] */
    float *rewards;         /* [rows] */
    uint8_t *terminations, *truncations; /* [rows] */
    int32_t *states;        /* [rows] the tabular state id */
    /* Read with `full` (what learning from the log needs), else NULL: */
    float *observations;    /* [rows * slot_dim] the slot parts */
    float *tables;          /* [(env_steps + 1) * n_actions * channel_dim] */
    uint8_t *masks;         /* [(env_steps + 1) * n_actions] */
    int32_t *watched;       /* [rows] */
    float *tail_observations; /* [slots * slot_dim] */
    int32_t *tail_states;   /* [slots] */
    long long *final_of;    /* [rows] for a row that ended its session: its episode's index, else -1 */
    float *final_observations; /* [episodes_rows * slot_dim] */
    int32_t *final_states;  /* [episodes_rows] */
    long long episode_rows; /* rows of the episodes group (complete and not) */
} lg_log_data;

/* Read and check a log: the user block's hash, then every attribute and
 * column against its documented range (with `full`, also the observations,
 * tables and episodes: finite, in range, and every session that ended has
 * its final observation). 0, or -1 with one line (file, field, expected,
 * found). */
int lg_log_read(const char *path, int full, lg_log_data *d, char *err, size_t errsz);
void lg_log_data_free(lg_log_data *d);

/* Does a log read back fit env, the world its scenario makes (a live world,
 * slates of one, no candidate stage, the log's widths), and are its state
 * ids (and, read in full, its final and tail states and watched channels)
 * within that world's ranges? 0, or -1 with one line. */
int lg_log_check_env(const lg_log_data *d, const char *path, const lg_env *env, char *err, size_t errsz);

/* The log's world: its scenario attribute loaded into sc, an env of it
 * with the log's slots and seed (as the log began) in *env, checked by
 * lg_log_check_env. 0, or -1 with one line (*env NULL). */
int lg_log_world(const lg_log_data *d, const char *path, lg_scenario *sc, lg_env **env, char *err, size_t errsz);

#endif
