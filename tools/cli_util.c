#include "cli_util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <unistd.h>

static const char *next_value(const char *cmd, int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "livegym %s: %s: expected a value after it, found the end of the command line\n", cmd,
                argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

int lg_flag_int(const char *cmd, int argc, char **argv, int *i, long lo, long hi, long *out)
{
    const char *flag = argv[*i];
    const char *s = next_value(cmd, argc, argv, i);
    if (!s) return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "livegym %s: %s: expected an integer in [%ld, %ld], found \"%s\"\n", cmd, flag, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

int lg_flag_u64(const char *cmd, int argc, char **argv, int *i, uint64_t *out)
{
    const char *flag = argv[*i];
    const char *s = next_value(cmd, argc, argv, i);
    if (!s) return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-') {
        fprintf(stderr, "livegym %s: %s: expected a non-negative integer, found \"%s\"\n", cmd, flag, s);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

int lg_flag_double(const char *cmd, int argc, char **argv, int *i, double lo, double hi, double *out)
{
    const char *flag = argv[*i];
    const char *s = next_value(cmd, argc, argv, i);
    if (!s) return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi) {
        fprintf(stderr, "livegym %s: %s: expected a number in [%g, %g], found \"%s\"\n", cmd, flag, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

int lg_flag_str(const char *cmd, int argc, char **argv, int *i, const char **out)
{
    const char *s = next_value(cmd, argc, argv, i);
    if (!s) return -1;
    *out = s;
    return 0;
}

int lg_progress_enabled(void) { return isatty(STDERR_FILENO); }

double lg_peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux reports KiB */
}

int lg_flag_experiment(const char *cmd, const char *agents_flag, int argc, char **argv, int *i, lgx_run_options *o)
{
    const char *a = argv[*i];
    int rc;
    if (!strcmp(a, agents_flag)) rc = lg_flag_str(cmd, argc, argv, i, &o->agents);
    else if (!strcmp(a, "--seeds")) rc = lg_flag_int(cmd, argc, argv, i, 1, 100000, &o->seeds);
    else if (!strcmp(a, "--steps")) rc = lg_flag_int(cmd, argc, argv, i, 0, 2000000000L, &o->steps);
    else if (!strcmp(a, "--minutes")) rc = lg_flag_double(cmd, argc, argv, i, 0, 1e8, &o->minutes);
    else if (!strcmp(a, "--eval-every")) rc = lg_flag_int(cmd, argc, argv, i, 1, 2000000000L, &o->eval_every);
    else if (!strcmp(a, "--sessions")) rc = lg_flag_int(cmd, argc, argv, i, 1, 10000000, &o->sessions);
    else if (!strcmp(a, "--slots")) rc = lg_flag_int(cmd, argc, argv, i, 1, 100000, &o->slots);
    else if (!strcmp(a, "--threads")) rc = lg_flag_int(cmd, argc, argv, i, 1, 256, &o->threads);
    else if (!strcmp(a, "--baseline")) rc = lg_flag_str(cmd, argc, argv, i, &o->baseline);
    else return 0;
    return rc ? -1 : 1;
}
