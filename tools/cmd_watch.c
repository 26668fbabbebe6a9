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

int lg_cmd_watch(int argc, char **argv)
{
    const char *file = NULL, *agents_flag = NULL, *snapshot = NULL, *font = NULL;
    long seeds = 1, slots = -1, steps = -1, eval_every = -1, eval_sessions = -1, width = 1280, height = 800,
         select = 1;
    double seconds = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--agents")) {
            if (lg_flag_str("watch", argc, argv, &i, &agents_flag)) return 2;
        } else if (!strcmp(a, "--seeds")) {
            if (lg_flag_int("watch", argc, argv, &i, 1, 16, &seeds)) return 2;
        } else if (!strcmp(a, "--slots")) {
            if (lg_flag_int("watch", argc, argv, &i, 1, 100000, &slots)) return 2;
        } else if (!strcmp(a, "--steps")) {
            if (lg_flag_int("watch", argc, argv, &i, 1, 2000000000L, &steps)) return 2;
        } else if (!strcmp(a, "--eval-every")) {
            if (lg_flag_int("watch", argc, argv, &i, 1, 2000000000L, &eval_every)) return 2;
        } else if (!strcmp(a, "--eval-sessions")) {
            if (lg_flag_int("watch", argc, argv, &i, 1, 10000000L, &eval_sessions)) return 2;
        } else if (!strcmp(a, "--select")) {
            if (lg_flag_int("watch", argc, argv, &i, 1, 9, &select)) return 2;
        } else if (!strcmp(a, "--snapshot")) {
            if (lg_flag_str("watch", argc, argv, &i, &snapshot)) return 2;
        } else if (!strcmp(a, "--width")) {
            if (lg_flag_int("watch", argc, argv, &i, 320, 8000, &width)) return 2;
        } else if (!strcmp(a, "--height")) {
            if (lg_flag_int("watch", argc, argv, &i, 240, 8000, &height)) return 2;
        } else if (!strcmp(a, "--font")) {
            if (lg_flag_str("watch", argc, argv, &i, &font)) return 2;
        } else if (!strcmp(a, "--seconds")) {
            if (lg_flag_double("watch", argc, argv, &i, 0.1, 1e7, &seconds)) return 2;
        } else if (a[0] == '-') {
            fprintf(stderr, "livegym watch: unknown flag \"%s\"\n", a);
            usage(stderr);
            return 2;
        } else if (!file) {
            file = a;
        } else {
            fprintf(stderr, "livegym watch: expected one scenario file, found a second one \"%s\"\n", a);
            return 2;
        }
    }
#ifndef LG_HAVE_VIZ
    (void)file, (void)agents_flag, (void)snapshot, (void)font, (void)seconds;
    fprintf(stderr, "livegym watch: this livegym was built without SDL2, SDL2_ttf and libpng (make installs them)\n");
    return 1;
#else
    lg_scenario *sc = malloc(sizeof *sc);
    lgx_experiment *ex = malloc(sizeof *ex);
    if (!sc || !ex) {
        free(sc), free(ex);
        fprintf(stderr, "livegym watch: out of memory\n");
        return 1;
    }
    char err[2048];
    int rc = file ? lgx_load_file(file, sc, ex, err, sizeof err)
                  : lgx_load_default(sc, ex, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "livegym watch: %s\n", err);
        free(sc), free(ex);
        return 2;
    }

    lgx_live_config cfg;
    memset(&cfg, 0, sizeof cfg);
    char names[LGX_LIVE_MAX_AGENTS][64];
    if (agents_flag) {
        const char *p = agents_flag;
        while (*p) {
            size_t len = strcspn(p, ",");
            if (len == 0 || len >= sizeof names[0]) {
                fprintf(stderr, "livegym watch: --agents: expected comma-separated agent names, found \"%s\"\n",
                        agents_flag);
                free(sc), free(ex);
                return 2;
            }
            if (cfg.n_agents == LGX_LIVE_MAX_AGENTS) {
                fprintf(stderr, "livegym watch: --agents: expected at most %d agents, found more in \"%s\"\n",
                        LGX_LIVE_MAX_AGENTS, agents_flag);
                free(sc), free(ex);
                return 2;
            }
            int k = cfg.n_agents++;
            memcpy(names[k], p, len);
            names[k][len] = 0;
            cfg.names[k] = names[k];
            cfg.params[k] = "{}";
            /* an experiment label, else the first experiment agent of that name, gives hyperparameters */
            int found = 0;
            for (int j = 0; j < ex->n_agents && !found; j++)
                if (!strcmp(ex->agents[j].label, names[k])) {
                    cfg.names[k] = ex->agents[j].name;
                    cfg.labels[k] = ex->agents[j].label;
                    cfg.params[k] = ex->agents[j].params;
                    found = 1;
                }
            for (int j = 0; j < ex->n_agents && !found; j++)
                if (!strcmp(ex->agents[j].name, names[k])) {
                    cfg.params[k] = ex->agents[j].params;
                    found = 1;
                }
            p += len + (p[len] == ',');
        }
    } else {
        for (int j = 0; j < ex->n_agents && cfg.n_agents < LGX_LIVE_MAX_AGENTS; j++) {
            int k = cfg.n_agents++;
            cfg.names[k] = ex->agents[j].name;
            cfg.labels[k] = ex->agents[j].label;
            cfg.params[k] = ex->agents[j].params;
        }
        if (ex->n_agents > LGX_LIVE_MAX_AGENTS)
            fprintf(stderr, "livegym watch: showing the first %d of the experiment's %d agents (use --agents)\n",
                    LGX_LIVE_MAX_AGENTS, ex->n_agents);
    }
    for (int k = 0; k < cfg.n_agents; k++)
        if (!lga_find(cfg.names[k])) {
            lga_create(cfg.names[k], "{}", NULL, 0, err, sizeof err); /* the message lists the agents */
            fprintf(stderr, "livegym watch: %s\n", err);
            free(sc), free(ex);
            return 2;
        }
    if (select > cfg.n_agents) {
        fprintf(stderr, "livegym watch: --select: expected an agent number in [1, %d], found %ld\n", cfg.n_agents,
                select);
        free(sc), free(ex);
        return 2;
    }
    cfg.sc = sc;
    cfg.seeds = (int)seeds;
    cfg.slots = (int)(slots > 0 ? slots : ex->slots);
    cfg.eval_every = eval_every > 0 ? eval_every : ex->eval_every > 0 ? ex->eval_every : 5000;
    cfg.eval_sessions = eval_sessions > 0 ? eval_sessions : ex->eval_sessions;
    if (snapshot)
        cfg.max_steps = steps > 0 ? steps : ex->train_steps > 0 ? ex->train_steps : 20000;
    else
        cfg.max_steps = steps > 0 ? steps : 0;

    lgx_live *L = NULL;
    if (lgx_live_create(&cfg, &L, err, sizeof err)) {
        fprintf(stderr, "livegym watch: %s\n", err);
        free(sc), free(ex);
        return 2;
    }
    lgv_app_options o;
    memset(&o, 0, sizeof o);
    o.width = (int)width;
    o.height = (int)height;
    o.font_path = font;
    o.selected = (int)select - 1;
    o.max_seconds = seconds;
    o.log = log_line;
    lgv_watch_stats st;
    char rate[64];
    if (snapshot) {
        rc = lgv_watch_snapshot(L, cfg.max_steps, snapshot, &o, &st, err, sizeof err);
        if (rc == 0)
            printf("livegym watch: wrote %s (%ldx%ld) after %ld slot-steps per agent and seed; training took %.2f s "
                   "(%.0f slot-steps/s over %d agents x %ld seeds, evaluations included)\n",
                   snapshot, width, height, st.steps, st.seconds, st.train_steps_per_sec, cfg.n_agents, seeds);
    } else {
        rc = lgv_watch_window(L, &o, &st, err, sizeof err);
        if (rc == 0) {
            snprintf(rate, sizeof rate, "%.0f", st.train_steps_per_sec);
            printf("livegym watch: %ld frames in %.1f s (%.1f fps, renderer %s); trained %ld slot-steps per agent "
                   "and seed (%s slot-steps/s over %d agents x %ld seeds)\n",
                   st.frames, st.seconds, st.fps, st.renderer, st.steps, rate, cfg.n_agents, seeds);
        }
    }
    if (rc != 0) fprintf(stderr, "livegym watch: %s\n", err);
    lgx_live_free(L);
    free(sc), free(ex);
    return rc == 0 ? 0 : 1;
#endif
}
