/* The viewer's rendering without a display: `livegym watch --snapshot` and
 * `livegym plot` produce PNGs of the requested size with the expected
 * content (read back with libpng: a curve's colour in the plot area, text in
 * the title area, a background that is not uniform), bad input to plot gets
 * the right message and exit status and writes nothing, and PNGs are
 * written atomically. The CLI functions are compiled in from tools/ (the
 * test executables do not link the CLI). */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lgx_experiment.h"
#include "lg_test.h"
#include "lgx_folder.h"
#include "lgv_app.h"
#include "lgv_png.h"

/* The CLI subcommands under test, from the livegym_tools library. */
#include "commands.h"

static char tmpdir[1024];

static void make_tmpdir(void) { mkdir(tmpdir, 0755); }

/* Remove the scratch folder (files and one level of subfolders). */
static void remove_tree(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[2048];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (depth > 0) remove_tree(p, depth - 1);
        } else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static const char *path_in(const char *name)
{
    static char p[8][1200];
    static int k;
    char *out = p[k++ % 8];
    snprintf(out, 1200, "%s/%s", tmpdir, name);
    return out;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* No temporary files left next to the outputs. */
static void assert_no_temporaries(void)
{
    DIR *d = opendir(tmpdir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)))
        ck_assert_msg(!strstr(e->d_name, ".tmp."), "temporary file left behind: %s", e->d_name);
    closedir(d);
}

/* ---- reading images back ------------------------------------------------------- */

typedef struct {
    uint32_t *px;
    int w, h;
} image;

static image load(const char *path)
{
    image im = {0};
    char err[512] = "";
    int rc = lgv_png_read(path, &im.px, &im.w, &im.h, err, sizeof err);
    ck_assert_msg(rc == 0, "%s", err);
    return im;
}

static int near(uint32_t p, uint32_t want, int tol)
{
    for (int sh = 0; sh < 24; sh += 8) {
        int a = (int)((p >> sh) & 0xFF), b = (int)((want >> sh) & 0xFF);
        if (abs(a - b) > tol) return 0;
    }
    return 1;
}

static int lum(uint32_t p) { return (int)((((p >> 16) & 0xFF) * 3 + ((p >> 8) & 0xFF) * 6 + (p & 0xFF)) / 10); }

/* pixels in [x0, x1) x [y0, y1) close to a colour */
static int count_near(const image *im, int x0, int y0, int x1, int y1, uint32_t want, int tol)
{
    int n = 0;
    for (int y = y0; y < y1 && y < im->h; y++)
        for (int x = x0; x < x1 && x < im->w; x++) n += near(im->px[(size_t)y * im->w + x], want, tol);
    return n;
}

static int count_lum(const image *im, int x0, int y0, int x1, int y1, int lo, int hi)
{
    int n = 0;
    for (int y = y0; y < y1 && y < im->h; y++)
        for (int x = x0; x < x1 && x < im->w; x++) {
            int l = lum(im->px[(size_t)y * im->w + x]);
            n += l >= lo && l <= hi;
        }
    return n;
}

static int distinct_colours(const image *im)
{
    /* a small open-addressing set, enough to tell "uniform" from "a picture" */
    enum { CAP = 4096 };
    static uint32_t set[CAP];
    memset(set, 0, sizeof set);
    int n = 0;
    for (size_t i = 0; i < (size_t)im->w * im->h && n < CAP / 2; i++) {
        uint32_t v = im->px[i] | 1u; /* never 0 */
        unsigned hsh = (v * 2654435761u) & (CAP - 1);
        while (set[hsh] && set[hsh] != v) hsh = (hsh + 1) & (CAP - 1);
        if (!set[hsh]) set[hsh] = v, n++;
    }
    return n;
}

/* ---- capturing the CLI's output ----------------------------------------------------- */

static char captured[8192];

static int run_cli(int (*cmd)(int, char **), int argc, char **argv)
{
    fflush(stdout), fflush(stderr);
    const char *cap = path_in("captured.txt");
    int fd = open(cap, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert(fd >= 0);
    int save_out = dup(1), save_err = dup(2);
    dup2(fd, 1), dup2(fd, 2);
    int rc = cmd(argc, argv);
    fflush(stdout), fflush(stderr);
    dup2(save_out, 1), dup2(save_err, 2);
    close(save_out), close(save_err), close(fd);
    FILE *f = fopen(cap, "rb");
    size_t n = f ? fread(captured, 1, sizeof captured - 1, f) : 0;
    if (f) fclose(f);
    captured[n] = 0;
    unlink(cap);
    return rc;
}

/* ---- watch --snapshot ------------------------------------------------------------------ */

START_TEST(test_snapshot_library)
{
    make_tmpdir();
    lg_scenario *sc = test_scenario();
    lgx_live_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.sc = sc;
    cfg.n_agents = 2;
    cfg.names[0] = "random";
    cfg.names[1] = "epsilon-greedy";
    cfg.seeds = 2;
    cfg.slots = 4;
    cfg.eval_every = 400;
    cfg.eval_sessions = 8;
    cfg.max_steps = 2000;
    lgx_live *L = NULL;
    char err[1024] = "";
    ck_assert_msg(lgx_live_create(&cfg, &L, err, sizeof err) == 0, "%s", err);
    lgv_app_options o;
    memset(&o, 0, sizeof o);
    o.width = 1000;
    o.height = 640;
    lgv_watch_stats st;
    const char *out = path_in("snap.png");
    ck_assert_msg(lgv_watch_snapshot(L, 2000, out, &o, &st, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(st.steps, 2000);
    lgx_live_free(L);
    free(sc);

    image im = load(out);
    ck_assert_int_eq(im.w, 1000);
    ck_assert_int_eq(im.h, 640);
    /* the dark top bar with light text in it */
    ck_assert(near(im.px[3 * im.w + 3], 0xFF24292F, 2));
    int light = count_lum(&im, 0, 0, 250, 20, 180, 255);
    ck_assert_msg(light > 40, "title text pixels in the top bar: %d", light);
    /* the first agent's colour in the learning-curves panel (left, top half) */
    int blue = count_near(&im, 0, 30, im.w * 58 / 100, im.h / 2, 0xFF0072B2, 24);
    ck_assert_msg(blue > 40, "agent colour pixels in the curves panel: %d", blue);
    /* the second agent's colour too */
    int verm = count_near(&im, 0, 30, im.w * 58 / 100, im.h / 2, 0xFFD55E00, 24);
    ck_assert_msg(verm > 40, "second agent colour pixels in the curves panel: %d", verm);
    /* dark text in the panels, and a picture rather than a flat fill */
    ck_assert(count_lum(&im, 0, 40, im.w, im.h, 0, 80) > 500);
    ck_assert_msg(distinct_colours(&im) > 100, "only %d colours", distinct_colours(&im));
    free(im.px);
    assert_no_temporaries();
}
END_TEST

/* The classic reference envs have no platform; the viewer still draws. */
START_TEST(test_snapshot_classic_env)
{
    make_tmpdir();
    static const char *const docs[] = {"{\"name\": \"b\", \"kind\": \"bandit\"}",
                                       "{\"name\": \"c\", \"kind\": \"cliff\"}"};
    for (int k = 0; k < 2; k++) {
        lg_scenario *sc = test_scenario();
        char err[1024] = "";
        ck_assert_msg(lgx_load_string(docs[k], strlen(docs[k]), NULL, sc, NULL, err, sizeof err) == 0, "%s",
                      err);
        lgx_live_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.sc = sc;
        cfg.n_agents = 2;
        cfg.names[0] = "q-learning";
        cfg.names[1] = "epsilon-greedy";
        cfg.seeds = 1;
        cfg.slots = 1;
        cfg.eval_every = 500;
        cfg.eval_sessions = 3;
        cfg.max_steps = 1000;
        lgx_live *L = NULL;
        ck_assert_msg(lgx_live_create(&cfg, &L, err, sizeof err) == 0, "%s", err);
        lgv_app_options o;
        memset(&o, 0, sizeof o);
        o.width = 640;
        o.height = 400;
        lgv_watch_stats st;
        const char *out = path_in(k ? "cliff.png" : "bandit.png");
        ck_assert_msg(lgv_watch_snapshot(L, 1000, out, &o, &st, err, sizeof err) == 0, "%s", err);
        image im = load(out);
        ck_assert(im.w == 640 && im.h == 400 && distinct_colours(&im) > 50);
        free(im.px);
        lgx_live_free(L);
        free(sc);
    }
}
END_TEST

START_TEST(test_snapshot_cli)
{
    make_tmpdir();
    const char *out = path_in("cli-snap.png");
    char *argv[] = {"watch", "scenarios/tabular-small.json", "--agents", "random,q-learning", "--snapshot",
                    (char *)out, "--steps", "1500", "--eval-every", "500", "--eval-sessions", "10", "--width",
                    "640", "--height", "400", "--select", "2", NULL};
    int rc = run_cli(lg_cmd_watch, 18, argv);
    ck_assert_msg(rc == 0, "rc %d: %s", rc, captured);
    ck_assert_msg(strstr(captured, "wrote"), "%s", captured);
    image im = load(out);
    ck_assert_int_eq(im.w, 640);
    ck_assert_int_eq(im.h, 400);
    ck_assert(distinct_colours(&im) > 50);
    /* q-learning (second agent, vermillion) selected: its colour shows in the mind panel on the right */
    ck_assert(count_near(&im, im.w * 6 / 10, 30, im.w, im.h / 2, 0xFFD55E00, 24) > 20);
    free(im.px);

    /* bad input: exit status 2, a message, no file */
    const char *none = path_in("never.png");
    char *bad1[] = {"watch", "--agents", "random,nope", "--snapshot", (char *)none, NULL};
    ck_assert_int_eq(run_cli(lg_cmd_watch, 5, bad1), 2);
    ck_assert_msg(strstr(captured, "unknown agent"), "%s", captured);
    char *bad2[] = {"watch", "--seeds", "0", NULL};
    ck_assert_int_eq(run_cli(lg_cmd_watch, 3, bad2), 2);
    ck_assert_msg(strstr(captured, "--seeds: expected an integer in [1, 16], found \"0\""), "%s", captured);
    char *bad3[] = {"watch", "no-such-scenario.json", "--snapshot", (char *)none, NULL};
    ck_assert_int_eq(run_cli(lg_cmd_watch, 4, bad3), 2);
    ck_assert_msg(strstr(captured, "no-such-scenario.json"), "%s", captured);
    ck_assert(!exists(none));
    assert_no_temporaries();
}
END_TEST

/* ---- plot -------------------------------------------------------------------------------- */

static const char *results_fixture(void)
{
    const char *dir = path_in("results");
    mkdir(dir, 0755);
    char p[1300];
    snprintf(p, sizeof p, "%s/scenario.json", dir);
    write_file(p, "{\n  \"name\": \"fixture-world\",\n  \"description\": \"test\"\n}\n");
    /* three agents x three seeds x six evaluation points, long format */
    char csv[16384];
    int n = snprintf(csv, sizeof csv,
                     "agent,seed,step,return,watch_minutes,session_steps,ctr,gifts,follows,precision,recall,f1,"
                     "ndcg,coverage,gini,regret,invalid_rate\n");
    static const char *const agents[] = {"random", "epsilon-greedy", "q-learning"};
    for (int a = 0; a < 3; a++)
        for (int s = 1; s <= 3; s++)
            for (int k = 0; k <= 5; k++) {
                double ret = 20 + a * 10 * (1 - exp(-k / 2.0)) + s * 1.5 + (k % 2) * 0.7;
                n += snprintf(csv + n, sizeof csv - (size_t)n,
                              "%s,%d,%d,%.3f,%.3f,12,0.5,0,0,0.3,0.4,0.34,0.5,0.8,0.3,1.2,0\n", agents[a], s,
                              k * 4000, ret, ret * 0.9);
            }
    snprintf(p, sizeof p, "%s/curves.csv", dir);
    write_file(p, csv);
    /* a results folder: its status lists what a reader reads */
    char h1[17], h2[17], err[256], status[512];
    snprintf(p, sizeof p, "%s/curves.csv", dir);
    ck_assert_int_eq(lgx_file_hash(p, h1, err, sizeof err), 0);
    snprintf(p, sizeof p, "%s/scenario.json", dir);
    ck_assert_int_eq(lgx_file_hash(p, h2, err, sizeof err), 0);
    snprintf(status, sizeof status,
             "{\"status\": \"complete\", \"jobs_total\": 9, \"jobs_done\": 9, \"version\": \"x\", \"run\": \"%s\", "
             "\"files\": {\"curves.csv\": \"%s\", \"scenario.json\": \"%s\"}}\n", h2, h1, h2);
    snprintf(p, sizeof p, "%s/status.json", dir);
    write_file(p, status);
    return dir;
}

START_TEST(test_plot_png)
{
    make_tmpdir();
    const char *dir = results_fixture();
    const char *out = path_in("plot.png");
    lgv_plot_options o;
    memset(&o, 0, sizeof o);
    o.width = 900;
    o.height = 560;
    char err[1024] = "";
    ck_assert_msg(lgv_plot_results(dir, out, &o, err, sizeof err) == 0, "%s", err);
    image im = load(out);
    ck_assert_int_eq(im.w, 900);
    ck_assert_int_eq(im.h, 560);
    /* white page */
    ck_assert(near(im.px[0], 0xFFFFFFFF, 0));
    /* the title (top ~8%) has dark text */
    int dark = count_lum(&im, 0, 0, im.w, im.h * 8 / 100, 0, 90);
    ck_assert_msg(dark > 150, "dark pixels in the title area: %d", dark);
    /* the three agents' colours are in the plot area (left 80%, between title and x axis) */
    static const uint32_t cols[3] = {0xFF0072B2, 0xFFD55E00, 0xFF009E73};
    for (int a = 0; a < 3; a++) {
        int k = count_near(&im, im.w / 10, im.h / 8, im.w * 8 / 10, im.h * 85 / 100, cols[a], 20);
        ck_assert_msg(k > 100, "agent %d colour pixels in the plot area: %d", a, k);
    }
    /* translucent CI bands: pale tints of the line colours exist */
    int band = count_near(&im, im.w / 10, im.h / 8, im.w * 8 / 10, im.h * 85 / 100, 0xFFCCE3F0, 18);
    ck_assert_msg(band > 100, "band pixels: %d", band);
    ck_assert(distinct_colours(&im) > 100);
    free(im.px);
    /* another metric, default size, through the CLI */
    const char *out2 = path_in("plot2.png");
    char *argv[] = {"plot", (char *)dir, "--out", (char *)out2, "--metric", "watch_minutes", NULL};
    int rc = run_cli(lg_cmd_plot, 6, argv);
    ck_assert_msg(rc == 0, "%s", captured);
    im = load(out2);
    ck_assert_int_eq(im.w, 1000);
    ck_assert_int_eq(im.h, 620);
    free(im.px);
    assert_no_temporaries();
}
END_TEST

START_TEST(test_plot_online_formats)
{
    make_tmpdir();
    const char *bandit = path_in("bandit.csv");
    write_file(bandit, "agent,step,avg_reward,pct_optimal\n"
                       "greedy,1,0.1,20\ngreedy,2,0.5,30\ngreedy,3,0.9,35\n"
                       "eps-0.1,1,0.2,25\neps-0.1,2,0.7,45\neps-0.1,3,1.1,60\n");
    const char *out = path_in("bandit.png");
    char *argv[] = {"plot", (char *)bandit, "--out", (char *)out, "--metric", "pct_optimal", "--width", "600",
                    "--height", "400", NULL};
    int rc = run_cli(lg_cmd_plot, 10, argv);
    ck_assert_msg(rc == 0, "%s", captured);
    image im = load(out);
    ck_assert(im.w == 600 && im.h == 400);
    ck_assert(count_near(&im, 0, 0, im.w, im.h, 0xFF0072B2, 20) > 50);
    free(im.px);
    const char *cliff = path_in("cliff.csv");
    write_file(cliff, "agent,episode,sum_reward\nsarsa,1,-100\nsarsa,2,-40\nq-learning,1,-120\nq-learning,2,-60\n");
    char *argv2[] = {"plot", (char *)cliff, "--out", (char *)out, NULL};
    rc = run_cli(lg_cmd_plot, 4, argv2);
    ck_assert_msg(rc == 0, "%s", captured);
}
END_TEST

static void expect_plot_error(char **argv, int argc, int want_rc, const char *want_msg, const char *out)
{
    int rc = run_cli(lg_cmd_plot, argc, argv);
    ck_assert_msg(rc == want_rc, "expected exit %d, got %d: %s", want_rc, rc, captured);
    ck_assert_msg(strstr(captured, want_msg), "expected \"%s\" in: %s", want_msg, captured);
    if (out) ck_assert_msg(!exists(out), "%s was written", out);
}

START_TEST(test_plot_bad_input)
{
    make_tmpdir();
    const char *out = path_in("bad.png");
    const char *missing = path_in("no-such-results");
    char *a1[] = {"plot", (char *)missing, "--out", (char *)out, NULL};
    expect_plot_error(a1, 4, 2, "no-such-results: no such results folder or file", out);

    const char *empty = path_in("empty-results");
    mkdir(empty, 0755);
    char *a2[] = {"plot", (char *)empty, "--out", (char *)out, NULL};
    expect_plot_error(a2, 4, 2, "empty-results: no curves.csv in this folder", out);

    const char *bad = path_in("bad-results");
    mkdir(bad, 0755);
    char p[1300];
    snprintf(p, sizeof p, "%s/curves.csv", bad);
    write_file(p, "agent,seed,step,return\nrandom,1,0,10\nrandom,1,5000\n");
    char csvp[1300]; /* the CSV itself: the folder has no status.json */
    snprintf(csvp, sizeof csvp, "%s", p);
    char *a3[] = {"plot", csvp, "--out", (char *)out, NULL};
    expect_plot_error(a3, 4, 2, "bad-results/curves.csv:3: expected 4 fields (as in the header), found 3", out);

    write_file(p, "agent,seed,step,return\nrandom,1,0,10\nrandom,1,5000,lots\n");
    expect_plot_error(a3, 4, 2, "curves.csv:3: column \"return\": expected a number, found \"lots\"", out);

    write_file(p, "agent,seed,step,return\nrandom,1,0,10\n");
    char *a4[] = {"plot", csvp, "--out", (char *)out, "--metric", "happiness", NULL};
    expect_plot_error(a4, 6, 2, "unknown metric \"happiness\" (this file has: return)", out);

    char *a5[] = {"plot", (char *)bad, NULL};
    expect_plot_error(a5, 2, 2, "--out", NULL);
    char *a6[] = {"plot", (char *)bad, "--out", (char *)out, "--width", "10", NULL};
    expect_plot_error(a6, 6, 2, "--width: expected an integer in [200, 8000], found \"10\"", out);

    /* devices are named as such, not as missing or changing files */
    char *a8[] = {"plot", "/dev/zero", "--out", (char *)out, NULL};
    expect_plot_error(a8, 4, 2, "/dev/zero: expected a results folder or a CSV file, found a character device", out);
    char *a9[] = {"plot", (char *)bad, "--out", (char *)out, "--font", "/dev/zero", NULL};
    expect_plot_error(a9, 6, 2, "/dev/zero: expected a TrueType font file, found a character device", out);

    /* a folder with a status.json is read only as that run's (path_in's
     * buffer has moved on: the folder's name again) */
    char badc[1200];
    snprintf(badc, sizeof badc, "%s", path_in("bad-results"));
    a3[1] = badc;
    snprintf(p, sizeof p, "%s/status.json", badc);
    write_file(p, "{\"status\": \"partial\", \"jobs_total\": 4, \"jobs_done\": 1, \"version\": \"x\"}");
    expect_plot_error(a3, 4, 2, "a partial run (1 of 4 runs done)", out);
    write_file(p, "{\"status\": \"complete\", \"jobs_total\": 4, \"jobs_done\": 4, \"version\": \"x\", \"files\": "
                  "{\"curves.csv\": \"0123456789abcdef\", \"scenario.json\": \"0123456789abcdef\"}}");
    expect_plot_error(a3, 4, 2, "not the file of the run status.json describes", out);
    remove(p);

    /* a valid folder but an unwritable destination: failure (1), nothing written */
    const char *nodir = path_in("no-such-dir/plot.png");
    char *a7[] = {"plot", csvp, "--out", (char *)nodir, NULL};
    expect_plot_error(a7, 4, 1, "no-such-dir/plot.png: cannot create a temporary file", nodir);
    assert_no_temporaries();
}
END_TEST

START_TEST(test_png_roundtrip_atomic)
{
    make_tmpdir();
    uint32_t px[6 * 4];
    for (int i = 0; i < 24; i++) px[i] = 0xFF000000u | (uint32_t)(i * 10) << 16 | (uint32_t)(255 - i) << 8 | 7u;
    const char *p = path_in("tiny.png");
    char err[512] = "";
    /* a 5x4 image inside rows of 6 pixels */
    ck_assert_msg(lgv_png_write(p, px, 5, 4, 6, err, sizeof err) == 0, "%s", err);
    image im = load(p);
    ck_assert(im.w == 5 && im.h == 4);
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 5; x++) ck_assert_uint_eq(im.px[y * 5 + x], px[y * 6 + x]);
    free(im.px);
    /* overwriting replaces the file whole */
    ck_assert_int_eq(lgv_png_write(p, px, 2, 2, 6, err, sizeof err), 0);
    im = load(p);
    ck_assert(im.w == 2 && im.h == 2);
    free(im.px);
    ck_assert_int_ne(lgv_png_write(p, px, 0, 2, 6, err, sizeof err), 0);
    const char *text = path_in("not-a.png");
    write_file(text, "hello");
    uint32_t *buf;
    int w, h;
    ck_assert_int_ne(lgv_png_read(text, &buf, &w, &h, err, sizeof err), 0);
    ck_assert_ptr_null(buf);
    assert_no_temporaries();
}
END_TEST

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/test-viz-render-%d", LG_BINARY_DIR, (int)getpid());
    Suite *s = suite_create("viz_render");
    TCase *tc = tcase_create("render");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_snapshot_library);
    tcase_add_test(tc, test_snapshot_classic_env);
    tcase_add_test(tc, test_snapshot_cli);
    tcase_add_test(tc, test_plot_png);
    tcase_add_test(tc, test_plot_online_formats);
    tcase_add_test(tc, test_plot_bad_input);
    tcase_add_test(tc, test_png_roundtrip_atomic);
    suite_add_tcase(s, tc);
    int rc = test_run_suite(s);
    remove_tree(tmpdir, 2);
    return rc;
}
