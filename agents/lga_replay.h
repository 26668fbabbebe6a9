/* Replay bookkeeping shared by dqn and slateq: the counters a replay
 * keeps, checked after a load, and the ring of channel tables behind it.
 * Each channel table is stored once: without a candidate stage it is the
 * same for every slot of a step and often for the step after, so a
 * transition keeps table ids and the ring keeps the tables. */
#ifndef LGA_REPLAY_H
#define LGA_REPLAY_H

#include <stddef.h>
#include <stdint.h>

/* The hyperparameters of a replay learner (dqn, slateq), from buffer_size
 * to train_frequency, as rows of a parameter table for struct T (which has
 * fields of those names). */
#define LGA_REPLAY_PARAMS(T)                                                                             \
    {"buffer_size", LGA_INT, offsetof(T, buffer_size), "10000", 1, 10000000, NULL, 0,                    \
     "replay capacity, transitions"},                                                                    \
    {"gamma", LGA_FLOAT, offsetof(T, gamma), "0.99", 0, 1, NULL, 0, "discount"},                         \
    {"tau", LGA_FLOAT, offsetof(T, tau), "1", 1e-6, 1, NULL, 0, "target update rate (1 = hard copy)"},   \
    {"target_update", LGA_INT, offsetof(T, target_update), "500", 1, 1000000000, NULL, 0,                \
     "slot-steps between target updates"},                                                               \
    {"batch_size", LGA_INT, offsetof(T, batch_size), "128", 1, 65536, NULL, 0,                           \
     "transitions per gradient step"},                                                                   \
    {"epsilon", LGA_FLOAT, offsetof(T, epsilon), "1", 0, 1, NULL, 0,                                     \
     "exploration probability at the start of the linear schedule"},                                     \
    {"epsilon_final", LGA_FLOAT, offsetof(T, epsilon_final), "0.05", 0, 1, NULL, 0,                      \
     "exploration probability at its end"},                                                              \
    {"epsilon_decay_steps", LGA_INT, offsetof(T, epsilon_decay_steps), "10000", 0, 2000000000, NULL, 0,  \
     "slot-steps over which epsilon decays"},                                                            \
    {"learning_starts", LGA_INT, offsetof(T, learning_starts), "1000", 0, 2000000000, NULL, 0,           \
     "transitions stored before the first gradient step"},                                               \
    {"train_frequency", LGA_INT, offsetof(T, train_frequency), "10", 1, 1000000, NULL, 0,                \
     "transitions per gradient step"}

/* Saved as raw bytes in an agent's "counters" block: the layout is part of
 * dqn's state file format. */
typedef struct {
    long t;             /* behaviour slot-steps: the epsilon schedule */
    long stored;        /* transitions ever stored */
    long since_train;   /* transitions since the last gradient step */
    long since_target;  /* slot-steps since the last target update */
    long updates;       /* gradient steps */
    long table_next_id; /* next table id to assign */
    long last_table_id; /* id of the most recent table, -1 before any */
    long pos, count;    /* the replay ring: next place written, places filled */
} lga_replay_counters;

/* The counters of a loaded state against the capacity `cap` and each
 * other: every counter within 2^53 (sums cannot overflow); pos and count
 * within the ring, count at most stored; once learning has started the
 * backlogs of gradient steps and target updates below one period, before
 * it no longer than `warmup` and since_train at most stored (update runs a
 * gradient step per unit of backlog: a forged backlog would be a hang).
 * 0, or -1 with a message naming the block "counters". */
int lga_replay_counters_check(const lga_replay_counters *c, long cap, long learning_starts, long train_frequency,
                              long target_update, long warmup, char *err, size_t errsz);

/* After a step's transitions are stored: the gradient steps due (each
 * takes train_frequency off the since_train backlog) and, in *targets, the
 * target-network updates due (target_update slot-steps of since_target
 * each); none before learning starts (learning_starts transitions stored,
 * the replay not empty). */
static inline long lga_replay_due(lga_replay_counters *c, long learning_starts, long train_frequency, long target_update,
                                  long *targets)
{
    *targets = 0;
    if (c->stored < learning_starts || c->count < 1) return 0;
    long steps = c->since_train / train_frequency;
    c->since_train -= steps * train_frequency;
    *targets = c->since_target / target_update;
    c->since_target -= *targets * target_update;
    return steps;
}

/* Places for a ring behind a replay of `buffer` transitions from n slots
 * that each see their own table (a candidate stage): a step pushes up to
 * 2 n tables (each slot's seen and next ones), the replay spans
 * buffer / n steps of them and the n-step queues n_step more, none of
 * which may be overwritten while a transition or a queue holds it. */
static inline long lga_ring_places_own(long buffer, int n, int n_step)
{
    return 2 * buffer + 2L * n * (n_step + 2) + 8;
}

typedef struct {
    float *tables;  /* [R * T] */
    int64_t *ids;   /* [R]: the id each place holds, -1 for none */
    int R;          /* places */
    size_t T;       /* floats per table */
} lga_table_ring;

static inline const float *lga_ring_at(const lga_table_ring *r, int64_t id)
{
    return &r->tables[(size_t)(id % r->R) * r->T];
}

/* Store table unless it equals the latest (c->last_table_id), and return
 * its id. The oldest transitions of the replay (a ring of `cap`, tab[i]
 * the oldest table id transition i uses) whose table is about to be
 * overwritten leave it first. Table ids in storage order may go back by
 * up to `slack` (n-step queues flushed at a session's end store tables
 * newer than the next full transitions'), so the oldest leaves while its
 * id is within `slack` of being overwritten: then none behind it is; the
 * ring needs `slack` more places for that. */
int64_t lga_ring_push(lga_table_ring *r, const float *table, lga_replay_counters *c, long cap, const int64_t *tab,
                      long slack);

/* The slack of a replay whose transitions span n_step steps of n slots
 * (own tables: up to 2 n ids a step; shared: up to 2): 0 for n_step 1,
 * whose transitions store their tables in order. */
static inline long lga_ring_slack(int n_step, int n, int own_tables)
{
    return n_step > 1 ? (long)n_step * (own_tables ? 2L * n : 2L) : 0;
}

/* After a load: every transition's table ids (tab, tab_next: [cap]) at most
 * next_id, every place's id below it. 0, or -1 with a message naming the
 * block. */
int lga_ring_check(const lga_table_ring *r, long next_id, const int64_t *tab, const int64_t *tab_next, long cap,
                   char *err, size_t errsz);

#endif
