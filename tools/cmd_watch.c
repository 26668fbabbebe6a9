/* livegym watch: train agents side by side on a scenario and watch them
 * learn in a window (SDL2), or render the same view to a PNG without a
 * display (--snapshot). The work is in viz/ (lgx_live.h, lgv_app.h); this
 * file parses flags and prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "lgx_experiment.h"

#ifdef LG_HAVE_VIZ
#include "lgv_app.h"
#include "lgx_live.h"
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "usage: livegym watch [FILE] [--agents a,b,...] [--seeds N] [--slots N] [--steps S]\n"
            "                     [--eval-every E] [--eval-sessions K] [--select I]\n"
            "                     [--snapshot OUT.png] [--width W --height H] [--font FILE.ttf] [--seconds T]\n"
            "\n"
            "Train agents side by side on a scenario (FILE, or the embedded default scenario) and watch them\n"
            "learn: learning curves, the platform's channels, the selected agent's values next to the ground\n"
            "truth, and a live session. Training runs on its own thread at full speed; the window draws at up\n"
            "to 60 frames per second. Keys: space pause, n step, +/- speed, tab or 1-9 agent, c/p/m/s panels,\n"
            "F12 or x screenshot, h help, q quit. See docs/viewer.md.\n"
            "  --agents         registry names or experiment labels (default: the experiment's agents, at most 9)\n"
            "  --seeds          seeds per agent, 1..16 (default 1); the curves show mean and 95%% CI across them\n"
            "  --slots          viewer slots per env (default: the experiment's)\n"
            "  --steps          training slot-steps per (agent, seed): stop there (window: default no limit;\n"
            "                   snapshot: default the experiment's train_steps)\n"
            "  --eval-every     slot-steps between greedy evaluations (default: the experiment's)\n"
            "  --eval-sessions  sessions per evaluation (default: the experiment's)\n"
            "  --select         agent shown first in the panels, 1..9 (default 1)\n"
            "  --snapshot       no window: train --steps, render the view to this PNG and exit\n"
            "  --width/--height window or image size (default 1280 x 800)\n"
            "  --font           a TrueType font (default: DejaVu Sans)\n"
            "  --seconds        close the window after this many seconds (for demos and benchmarks)\n");
}

#ifdef LG_HAVE_VIZ
static void log_line(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "livegym watch: %s\n", msg);
}
#endif

typedef struct {
    const char *file, *agents, *snapshot, *font;
    long seeds, slots, steps, eval_every, eval_sessions, width, height, select;
    double seconds;
} watch_flags;

/* Returns 0, 1 when --help was printed, or 2 on a bad flag (said on stderr). */
static int parse_flags(int argc, char **argv, watch_flags *f)
{
    *f = (watch_flags){.seeds = 1, .slots = -1, .steps = -1, .eval_every = -1, .eval_sessions = -1, .width = 1280,
                       .height = 800, .select = 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(a, "--agents")) rc = lg_flag_str("watch", argc, argv, &i, &f->agents);
        else if (!strcmp(a, "--seeds")) rc = lg_flag_int("watch", argc, argv, &i, 1, 16, &f->seeds);
        else if (!strcmp(a, "--slots")) rc = lg_flag_int("watch", argc, argv, &i, 1, 100000, &f->slots);
        else if (!strcmp(a, "--steps")) rc = lg_flag_int("watch", argc, argv, &i, 1, 2000000000L, &f->steps);
        else if (!strcmp(a, "--eval-every")) rc = lg_flag_int("watch", argc, argv, &i, 1, 2000000000L, &f->eval_every);
        else if (!strcmp(a, "--eval-sessions"))
            rc = lg_flag_int("watch", argc, argv, &i, 1, 10000000L, &f->eval_sessions);
        else if (!strcmp(a, "--select")) rc = lg_flag_int("watch", argc, argv, &i, 1, 9, &f->select);
        else if (!strcmp(a, "--snapshot")) rc = lg_flag_str("watch", argc, argv, &i, &f->snapshot);
        else if (!strcmp(a, "--width")) rc = lg_flag_int("watch", argc, argv, &i, 320, 8000, &f->width);
        else if (!strcmp(a, "--height")) rc = lg_flag_int("watch", argc, argv, &i, 240, 8000, &f->height);
        else if (!strcmp(a, "--font")) rc = lg_flag_str("watch", argc, argv, &i, &f->font);
        else if (!strcmp(a, "--seconds")) rc = lg_flag_double("watch", argc, argv, &i, 0.1, 1e7, &f->seconds);
        else if (a[0] == '-') {
            fprintf(stderr, "livegym watch: unknown flag \"%s\"\n", a);
            usage(stderr);
            return 2;
        } else if (!f->file) {
            f->file = a;
        } else {
            fprintf(stderr, "livegym watch: expected one scenario file, found a second one \"%s\"\n", a);
            return 2;
        }
        if (rc) return 2;
    }
    return 0;
}

#ifdef LG_HAVE_VIZ
/* The trainer's configuration: the agents (--agents, else the experiment's
 * first LGX_LIVE_MAX_AGENTS), seeds, slots, evaluation and budget, from the
 * flags over the experiment section. 0, or 2 with a message. */
static int live_config(const watch_flags *f, const lg_scenario *sc, lgx_experiment *ex, lgx_live_config *cfg)
{
    char err[1024];
    if (f->agents) {
        if (lgx_select_agents(ex, f->agents, LGX_LIVE_MAX_AGENTS, ex, err, sizeof err)) {
            fprintf(stderr, "livegym watch: --agents: %s\n", err);
            return 2;
        }
    } else if (ex->n_agents > LGX_LIVE_MAX_AGENTS) {
        fprintf(stderr, "livegym watch: showing the first %d of the experiment's %d agents (use --agents)\n",
                LGX_LIVE_MAX_AGENTS, ex->n_agents);
        ex->n_agents = LGX_LIVE_MAX_AGENTS;
    }
    memset(cfg, 0, sizeof *cfg);
    cfg->n_agents = ex->n_agents;
    for (int k = 0; k < ex->n_agents; k++) {
        cfg->names[k] = ex->agents[k].name;
        cfg->labels[k] = ex->agents[k].label;
        cfg->params[k] = ex->agents[k].params;
        if (!lga_find(cfg->names[k])) {
            lga_create(cfg->names[k], "{}", NULL, 0, err, sizeof err); /* the message lists the agents */
            fprintf(stderr, "livegym watch: %s\n", err);
            return 2;
        }
    }
    if (f->select > cfg->n_agents) {
        fprintf(stderr, "livegym watch: --select: expected an agent number in [1, %d], found %ld\n", cfg->n_agents,
                f->select);
        return 2;
    }
    cfg->sc = sc;
    cfg->seeds = (int)f->seeds;
    cfg->slots = (int)(f->slots > 0 ? f->slots : ex->slots);
    cfg->eval_every = f->eval_every > 0 ? f->eval_every : ex->eval_every > 0 ? ex->eval_every : 5000;
    cfg->eval_sessions = f->eval_sessions > 0 ? f->eval_sessions : ex->eval_sessions;
    cfg->eval_days = f->eval_sessions > 0 ? 0.0 : ex->eval_days; /* --eval-sessions asks for sessions */
    if (f->snapshot)
        cfg->max_steps = f->steps > 0 ? f->steps : ex->train_steps > 0 ? ex->train_steps : 20000;
    else
        cfg->max_steps = f->steps > 0 ? f->steps : 0;
    return 0;
}

/* The window, or the snapshot; 0 or 1. */
static int show(const watch_flags *f, lgx_live *L, const lgx_live_config *cfg)
{
    lgv_app_options o = {.width = (int)f->width, .height = (int)f->height, .font_path = f->font,
                         .selected = (int)f->select - 1, .max_seconds = f->seconds, .log = log_line};
    lgv_watch_stats st;
    char err[2048];
    int rc;
    if (f->snapshot) {
        rc = lgv_watch_snapshot(L, cfg->max_steps, f->snapshot, &o, &st, err, sizeof err);
        if (rc == 0)
            printf("livegym watch: wrote %s (%ldx%ld) after %ld slot-steps per agent and seed; training took %.2f s "
                   "(%.0f slot-steps/s over %d agents x %ld seeds, evaluations included)\n",
                   f->snapshot, f->width, f->height, st.steps, st.seconds, st.train_steps_per_sec, cfg->n_agents,
                   f->seeds);
    } else {
        rc = lgv_watch_window(L, &o, &st, err, sizeof err);
        if (rc == 0)
            printf("livegym watch: %ld frames in %.1f s (%.1f fps, renderer %s); trained %ld slot-steps per agent "
                   "and seed (%.0f slot-steps/s over %d agents x %ld seeds)\n",
                   st.frames, st.seconds, st.fps, st.renderer, st.steps, st.train_steps_per_sec, cfg->n_agents,
                   f->seeds);
    }
    if (rc != 0) fprintf(stderr, "livegym watch: %s\n", err);
    return rc == 0 ? 0 : 1;
}
#endif

int lg_cmd_watch(int argc, char **argv)
{
    watch_flags f;
    int rc = parse_flags(argc, argv, &f);
    if (rc) return rc == 1 ? 0 : rc;
#ifndef LG_HAVE_VIZ
    fprintf(stderr, "livegym watch: this livegym was built without SDL2, SDL2_ttf and libpng (make installs them)\n");
    return 1;
#else
    lg_scenario *sc = malloc(sizeof *sc);
    lgx_experiment *ex = malloc(sizeof *ex);
    char err[2048];
    lgx_live_config cfg;
    lgx_live *L = NULL;
    rc = 1;
    if (!sc || !ex) {
        fprintf(stderr, "livegym watch: out of memory\n");
    } else if ((f.file ? lgx_load_file(f.file, sc, ex, err, sizeof err) : lgx_load_default(sc, ex, err, sizeof err))) {
        fprintf(stderr, "livegym watch: %s\n", err);
        rc = 2;
    } else if ((rc = live_config(&f, sc, ex, &cfg)) == 0) {
        if (lgx_live_create(&cfg, &L, err, sizeof err)) {
            fprintf(stderr, "livegym watch: %s\n", err);
            rc = 2;
        } else {
            rc = show(&f, L, &cfg);
        }
    }
    lgx_live_free(L);
    free(sc), free(ex);
    return rc;
#endif
}
