/* Replay bookkeeping shared by dqn and slateq (lga_replay.h). */
#include <stdio.h>
#include <string.h>

#include "lga_replay.h"

int lga_replay_counters_check(const lga_replay_counters *c, long cap, long learning_starts, long train_frequency,
                              long target_update, long warmup, char *err, size_t errsz)
{
    const long lim = 1L << 53;
    const long all[] = {c->t, c->stored, c->since_train, c->since_target, c->updates, c->table_next_id, c->pos,
                        c->count};
    const char *bad = NULL;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i] < 0 || all[i] > lim) bad = "counters in [0, 2^53] (last_table_id from -1)";
    if (c->last_table_id < -1 || c->last_table_id > lim) bad = "counters in [0, 2^53] (last_table_id from -1)";
    const int started = c->stored >= learning_starts && c->count >= 1;
    if (bad)
        ; /* said */
    else if (c->pos >= cap) bad = "pos is a replay index, in [0, buffer_size)";
    else if (c->count > cap || c->count > c->stored) bad = "count is in [0, buffer_size] and at most stored";
    else if (started && (c->since_train >= train_frequency || c->since_target >= target_update))
        bad = "backlogs below train_frequency and target_update once learning has started";
    else if (!started && (c->since_train > warmup || c->since_target > warmup || c->since_train > c->stored))
        bad = "backlogs before learning no longer than the warm-up, since_train at most stored";
    else if (c->last_table_id >= c->table_next_id) bad = "last_table_id below table_next_id";
    if (!bad) return 0;
    snprintf(err, errsz,
             "block \"counters\": expected %s, found t %ld, stored %ld, since_train %ld, since_target %ld, "
             "updates %ld, table_next_id %ld, last_table_id %ld, pos %ld, count %ld (warm-up %ld)",
             bad, c->t, c->stored, c->since_train, c->since_target, c->updates, c->table_next_id, c->last_table_id,
             c->pos, c->count, warmup);
    return -1;
}

int64_t lga_ring_push(lga_table_ring *r, const float *table, lga_replay_counters *c, long cap, const int64_t *tab,
                      long slack)
{
    if (c->last_table_id >= 0 && !memcmp(lga_ring_at(r, c->last_table_id), table, r->T * sizeof(float)))
        return c->last_table_id;
    int64_t id = c->table_next_id++;
    int64_t evict_below = id - r->R + 1; /* ids < this are overwritten or about to be */
    while (c->count > 0) {
        long oldest = (c->pos - c->count + cap) % cap;
        if (tab[oldest] >= evict_below + slack) break;
        c->count--;
    }
    memcpy(&r->tables[(size_t)(id % r->R) * r->T], table, r->T * sizeof(float));
    r->ids[id % r->R] = id;
    c->last_table_id = id;
    return id;
}

int lga_ring_check(const lga_table_ring *r, long next_id, const int64_t *tab, const int64_t *tab_next, long cap,
                   char *err, size_t errsz)
{
    for (long i = 0; i < cap; i++)
        if (tab[i] > next_id || tab_next[i] > next_id)
            return snprintf(err, errsz, "block \"replay_table\"[%ld]: expected a table id of at most %ld, found %lld",
                            i, next_id, (long long)(tab[i] > next_id ? tab[i] : tab_next[i])), -1;
    for (int i = 0; i < r->R; i++)
        if (r->ids[i] >= next_id)
            return snprintf(err, errsz, "block \"table_ids\"[%d]: expected -1 or an id below %ld, found %lld", i,
                            next_id, (long long)r->ids[i]), -1;
    return 0;
}
