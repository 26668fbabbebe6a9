/* livegym plot: learning curves of a results folder (curves.csv, see
 * docs/results.md) as a PNG figure: mean and 95% CI across seeds per agent.
 * The work is in viz/ (lgv_app.h); this file parses flags and prints. */
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"

#ifdef LG_HAVE_VIZ
#include "lgv_app.h"
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "usage: livegym plot RESULTS_DIR --out FILE.png [--metric NAME] [--width W --height H]\n"
            "                    [--title TEXT] [--font FILE.ttf] [--timeline | --sweep PARAM] [--partial]\n"
            "\n"
            "Plot the learning curves of a results folder written by `livegym run --out` (its curves.csv;\n"
            "a CSV file may be given instead of the folder): one line per agent, the mean across seeds with a\n"
            "translucent 95%% confidence band (Student t), titled with the scenario's name. Accepts the long\n"
            "format (agent,seed,step,metric,...) and the classic online formats (agent,step,avg_reward,\n"
            "pct_optimal and agent,episode,sum_reward). The PNG is written atomically.\n"
            "  --out     the PNG to write (required)\n"
            "  --metric  a metric column (default: return, or the file's first metric)\n"
            "  --width/--height  pixels (default 1000 x 620)\n"
            "  --title   the figure's title (default: scenario.json's name, else the folder's name)\n"
            "  --font    a TrueType font (default: DejaVu Sans)\n"
            "  --timeline  the folder's timeline.csv instead: what each agent earned while it learned, per\n"
            "            hour, over simulated days, with the scenario's events as labelled markers (a\n"
            "            timeline.csv given as the file is drawn the same way)\n"
            "  --sweep   a hyperparameter: the final metric against it, from the folder's summary.json (Sutton &\n"
            "            Barto's Figure 2.6 for any agent): a line with its 95%% CI band per family of configurations\n"
            "            (same agent, same other hyperparameters), a random search's samples as points, x on a log2\n"
            "            scale when the values span a factor of 8 or more (docs/sweeps.md)\n"
            "  --partial also plot a run that was interrupted (the subtitle says so); a folder is always\n"
            "            checked to be one run's (status.json lists the hash of every file read)\n"
            "Exit status: 0 written, 1 failure, 2 bad input (missing folder or file, malformed CSV, unknown metric).\n");
}

int lg_cmd_plot(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL, *metric = NULL, *title = NULL, *font = NULL, *sweep = NULL;
    int timeline = 0, partial = 0;
    long width = 1000, height = 620;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--out") || !strcmp(a, "-o")) {
            if (lg_flag_str("plot", argc, argv, &i, &out)) return 2;
        } else if (!strcmp(a, "--metric")) {
            if (lg_flag_str("plot", argc, argv, &i, &metric)) return 2;
        } else if (!strcmp(a, "--title")) {
            if (lg_flag_str("plot", argc, argv, &i, &title)) return 2;
        } else if (!strcmp(a, "--font")) {
            if (lg_flag_str("plot", argc, argv, &i, &font)) return 2;
        } else if (!strcmp(a, "--sweep")) {
            if (lg_flag_str("plot", argc, argv, &i, &sweep)) return 2;
        } else if (!strcmp(a, "--timeline")) {
            timeline = 1;
        } else if (!strcmp(a, "--partial")) {
            partial = 1;
        } else if (!strcmp(a, "--width")) {
            if (lg_flag_int("plot", argc, argv, &i, 200, 8000, &width)) return 2;
        } else if (!strcmp(a, "--height")) {
            if (lg_flag_int("plot", argc, argv, &i, 150, 8000, &height)) return 2;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "livegym plot: unknown flag \"%s\"\n", a);
            usage(stderr);
            return 2;
        } else if (!dir) {
            dir = a;
        } else {
            fprintf(stderr, "livegym plot: expected one results folder, found a second one \"%s\"\n", a);
            return 2;
        }
    }
    if (!dir || !out) {
        fprintf(stderr, "livegym plot: expected a results folder and --out FILE.png, found %s\n",
                !dir ? "no folder" : "no --out");
        usage(stderr);
        return 2;
    }
#ifndef LG_HAVE_VIZ
    (void)metric, (void)title, (void)font, (void)width, (void)height, (void)timeline, (void)partial, (void)sweep;
    fprintf(stderr, "livegym plot: this livegym was built without SDL2, SDL2_ttf and libpng (make installs them)\n");
    return 1;
#else
    lgv_plot_options o;
    memset(&o, 0, sizeof o);
    o.metric = metric;
    o.width = (int)width;
    o.height = (int)height;
    o.title = title;
    o.font_path = font;
    o.timeline = timeline;
    o.partial = partial;
    o.sweep = sweep;
    if (sweep && timeline) {
        fprintf(stderr, "livegym plot: expected --sweep or --timeline, found both\n");
        return 2;
    }
    char err[2048];
    int rc = sweep ? lgv_plot_sweep(dir, out, &o, err, sizeof err) : lgv_plot_results(dir, out, &o, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "livegym plot: %s\n", err);
        return rc;
    }
    printf("livegym plot: wrote %s (%ldx%ld)\n", out, width, height);
    return 0;
#endif
}
