/* The tables livegym run and livegym eval print (report.c). */
#ifndef LG_REPORT_H
#define LG_REPORT_H

#include "lgx_run.h"

typedef struct {
    const char *cmd;  /* "run" or "eval", for messages */
    int json;         /* print summary.json instead of the tables */
    int check_claims; /* name each claim that does not hold on stderr */
} lg_report_flags;

/* The table (or summary.json), the claims and where the results are (rc:
 * lgx_run's). Returns the number of claims that do not hold. */
int lg_report(const lg_report_flags *f, const lgx_run_config *cfg, const lgx_run_result *res, int rc);

#endif
