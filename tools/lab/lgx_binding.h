/* The experiment runner for language bindings (the Python package's
 * livegym.evaluate): a scenario's experiment run as `livegym run` runs it,
 * with the same options, checks and metrics, but without a results folder,
 * and with agents the caller defines (an lga_agent_type whose callbacks are
 * the caller's: a policy written in Python) beside the registry's. */
#ifndef LGX_BINDING_H
#define LGX_BINDING_H

#include <signal.h>
#include <stddef.h>

#include "lga_agent.h"

#pragma GCC visibility push(default)

/* The flags of `livegym run` that change the experiment; a field left as
 * lgx_run_options_init set it keeps the file's value. */
typedef struct {
    const char *agents;   /* --agents: labels or registry names (or the names of the caller's types); NULL */
    long seeds;           /* --seeds, 1..100000; -1 */
    long steps;           /* --steps, training slot-steps per (agent, seed); -1 */
    double minutes;       /* --minutes, training budget in simulated minutes; -1 */
    long eval_every;      /* --eval-every, slot-steps between evaluations; -1 */
    long sessions;        /* --sessions, completed sessions per evaluation; -1 */
    long slots;           /* --slots, viewer slots per env; -1 */
    const char *baseline; /* --baseline, the label differences are taken against; NULL */
    long threads;         /* --threads, 1..256; 1 (the caller's callbacks may not be thread-safe) */
    int keep_agents;      /* --keep-agents: 1 keeps every trained agent (live worlds); 0 keeps the file's choice */
} lgx_run_options;

void lgx_run_options_init(lgx_run_options *o);

/* Run the experiment of a scenario file's text (NULL: the embedded default
 * scenario; source_name names it in messages) with options o, where the
 * agents named in o->agents may also be the n_types caller's types (by
 * their name, which must not be a registry name). On success *summary is
 * what summary.json would hold and *curves what curves.csv would, both
 * malloc'd, and *notes (malloc'd, maybe empty) the lines `livegym run`
 * would print as notes. `stop`, when set (by a callback that failed, or a
 * signal), ends the run early: the finished runs are reported.
 * on_progress, when not NULL, is called on the calling thread about five
 * times a second with the fraction of the work done (0..1): where a
 * binding shows progress and notices an interrupt (Python's Ctrl-C is
 * seen only on the main thread, while the agents run on workers).
 * Returns 0 when every run finished, 1 when stopped, 2 for a bad scenario
 * or option, -1 for a failure while running; on 2 and -1 err holds one
 * line and nothing is allocated. */
int lgx_run_text(const char *text, size_t len, const char *source_name, const lgx_run_options *o,
                 const lga_agent_type *const *types, int n_types, volatile sig_atomic_t *stop,
                 void (*on_progress)(double fraction), char **summary, char **curves, char **notes, char *err,
                 size_t errsz);

#pragma GCC visibility pop

#endif
