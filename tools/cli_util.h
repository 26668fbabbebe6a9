/* Small helpers shared by the subcommands: strict number parsing for flags,
 * time, and "is stderr a terminal" for progress output. */
#ifndef LG_CLI_UTIL_H
#define LG_CLI_UTIL_H

#include <stdint.h>

#include "lg_clock.h"
#include "lgx_binding.h"

/* Parse argv[*i + 1] as an integer in [lo, hi] for flag `flag`; on error print
 * "livegym CMD: FLAG: expected ..., found ..." and return -1. Advances *i. */
int lg_flag_int(const char *cmd, int argc, char **argv, int *i, long lo, long hi, long *out);
int lg_flag_u64(const char *cmd, int argc, char **argv, int *i, uint64_t *out);
int lg_flag_double(const char *cmd, int argc, char **argv, int *i, double lo, double hi, double *out);
int lg_flag_str(const char *cmd, int argc, char **argv, int *i, const char **out);
/* The experiment flags livegym run and livegym eval share (--seeds, --steps,
 * --minutes, --eval-every, --sessions, --slots, --threads, --baseline, and
 * the agent list under the name agents_flag): 1 when argv[*i] is one of
 * them (its value read into o, *i advanced), 0 when it is not, -1 on a bad
 * value (said on stderr). */
int lg_flag_experiment(const char *cmd, const char *agents_flag, int argc, char **argv, int *i, lgx_run_options *o);
int lg_progress_enabled(void); /* stderr is a terminal */
double lg_peak_rss_mb(void);

#endif
