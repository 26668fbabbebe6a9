/* Claims: the outcomes a scenario file states about its own experiment, as
 * data (docs/scenarios.md, "Claims"), and their verdicts measured on a run.
 *
 * A claim compares two sides, each an agent measured on a metric in a
 * window (or the right side is a fixed value): "final" (the last greedy evaluation), "online" (everything it
 * earned while it learned), or a phase of scripted events ("during
 * bot_wave": the during-windows of every bot wave; "after events[2]"). The
 * classic envs have one window, the run itself. The paired difference over
 * the seeds both sides ran (left minus right; right minus left with
 * "lower") is compared with "by": the claim holds when its 95% confidence
 * interval lies at or above `by`, fails when it lies below, and is
 * inconclusive otherwise (and with fewer than two seeds). */
#ifndef LGX_CLAIMS_H
#define LGX_CLAIMS_H

#include <stddef.h>

#include "lg_json.h"
#include "lg_scenario.h"
#include "lgx_stats.h"

/* An agent's label in an experiment: a sweep's names its values
 * ("eps epsilon=0.0625"). */
#define LGX_AGENT_LABEL_LEN 64
#define LGX_MAX_CLAIMS 32
#define LGX_CLAIM_TEXT 256

typedef enum { LGX_W_FINAL, LGX_W_ONLINE, LGX_W_EVENTS } lgx_window_kind;

typedef struct {
    lgx_window_kind kind;
    int phase; /* LGX_W_EVENTS: an lgx_phase */
    int event; /* LGX_W_EVENTS: one event's index, or -1: every event of `type` */
    int type;  /* an lg_event_type, when event is -1 */
} lgx_window;

typedef struct {
    char text[LGX_CLAIM_TEXT];     /* the sentence it checks */
    char agent[LGX_AGENT_LABEL_LEN];     /* left side */
    lgx_window window;
    char than_agent[LGX_AGENT_LABEL_LEN]; /* right side */
    lgx_window than_window;
    int against_value;             /* the right side is `value`, not an agent */
    float value;
    int metric;                    /* live: an event figure (lgx_events.h); classic: an LGX_CM_ */
    float by;
    int lower;                     /* the left side is claimed lower */
} lgx_claim;

/* The per-run figures of the classic (online) protocol a claim can name. */
enum { LGX_CM_REWARD, LGX_CM_REWARD_LAST, LGX_CM_OPTIMAL_LAST, LGX_CM_COUNT };
extern const char *const lgx_classic_metric_names[LGX_CM_COUNT];

typedef struct lgx_experiment lgx_experiment;

/* The "claims" list of a document (at path "claims"), after its experiment
 * section (labels are checked against ex's agents). 0, or -1 with a message. */
int lgx_claims_read(lg_jctx *c, const cJSON *arr, const lg_scenario *sc, lgx_experiment *ex);
/* The "claims" list as written by the dumper: the claims whose agents are
 * all in ex (--agents may have left some out; a results folder's
 * scenario.json must load again). Nothing when none is left. */
void lgx_claims_dump(lg_jbuild *b, cJSON *root, const lg_scenario *sc, const lgx_experiment *ex);
/* "during bot_wave", "final", ... */
void lgx_window_text(const lgx_window *w, char *buf, size_t n);

typedef enum { LGX_HOLDS, LGX_FAILS, LGX_INCONCLUSIVE } lgx_verdict;
extern const char *const lgx_verdict_names[3];

typedef struct {
    lgx_verdict verdict;
    lgx_stat diff;     /* the paired difference over seeds, in the claim's direction */
    char why[160];     /* inconclusive for lack of data: what is missing ("" otherwise) */
} lgx_claim_result;

typedef struct lgx_run_config lgx_run_config;
typedef struct lgx_run_result lgx_run_result;
/* Claim k of cfg->ex measured on a finished (or partial) run. */
lgx_claim_result lgx_claim_check(const lgx_run_config *cfg, const lgx_run_result *res, int k);

#endif
