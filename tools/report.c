/* The tables of livegym run and livegym eval: the comparison table of a
 * live world (and the event windows), the online table of a classic one,
 * the file's claims with their verdicts, and where the results are. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lgx_claims.h"
#include "lgx_events.h"
#include "lgx_results.h"
#include "lgx_stats.h"
#include "report.h"

/* Print s padded to `width` display columns (UTF-8 aware: ± is one column). */
static void cell(const char *s, int width, int right)
{
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) cols += (*p & 0xC0) != 0x80;
    int pad = width > cols ? width - cols : 0;
    if (right) printf("%*s%s", pad, "", s);
    else printf("%s%*s", s, pad, "");
}

static void fmt_stat(char *buf, size_t n, lgx_stat s, int prec)
{
    if (isnan(s.mean))
        snprintf(buf, n, "-");
    else if (isnan(s.ci95))
        snprintf(buf, n, "%.*f", prec, s.mean);
    else
        snprintf(buf, n, "%.*f ± %.*f", prec, s.mean, prec, s.ci95);
}

/* The agent column: 24 wide, or wider for long labels (a sweep's). */
static int label_width(const lgx_experiment *ex, int cheats_mark)
{
    int w = 24;
    for (int a = 0; a < ex->n_agents; a++) {
        const lga_agent_type *t = lgx_spec_type(&ex->agents[a]);
        int len = (int)strlen(ex->agents[a].label) + (cheats_mark && t && t->cheats ? 9 : 0) + 2;
        if (len > w) w = len;
    }
    return w;
}

static void print_live_table(const lgx_run_config *cfg, const lgx_run_result *res)
{
    const lgx_experiment *ex = &cfg->ex;
    enum { MAX_COLS = 16 };
    int cols[MAX_COLS] = {LGX_M_RETURN, -1, LGX_M_WATCH, LGX_M_STEPS, LGX_M_CTR, LGX_M_NDCG, LGX_M_REGRET,
                          LGX_M_COVERAGE, LGX_M_GINI};
    const char *heads[MAX_COLS] = {"return/session", "vs baseline", "watch min", "steps", "CTR",
                                   "NDCG", "regret", "coverage", "gini"};
    int nc = 9;
    /* intra-list diversity only where there are lists */
    if (cfg->sc->slate_size > 1) cols[nc] = LGX_M_DIVERSITY, heads[nc++] = "diversity";
    /* retention's, over days, only where viewers come back */
    if (lgx_metric_in(LGX_M_RETENTION, cfg->sc)) {
        static const int rc[] = {LGX_M_VIEWER_MINUTES, LGX_M_VIEWER_SESSIONS, LGX_M_RETURN_24H, LGX_M_GAP_HOURS,
                                 LGX_M_DAILY_ACTIVE};
        static const char *const rh[] = {"min/viewer/day", "visits/v/day", "back in 24h", "gap hours", "daily active"};
        for (int i = 0; i < 5; i++) cols[nc] = rc[i], heads[nc++] = rh[i];
    }
    int base = lgx_baseline_index(ex);
    lgx_stat(*st)[MAX_COLS] = malloc((size_t)res->n_agents * sizeof *st);
    int *rank = malloc((size_t)res->n_agents * sizeof *rank);
    if (!st || !rank) {
        free(st), free(rank);
        fputs("livegym: out of memory for the table\n", stderr);
        return;
    }
    lgx_results_rank(res, rank);
    const int w = label_width(ex, 1);
    for (int a = 0; a < res->n_agents; a++)
        for (int c = 0; c < nc; c++)
            st[a][c] = cols[c] >= 0 ? lgx_results_stat(res, a, cols[c])
                       : base < 0 || a == base ? (lgx_stat){NAN, NAN, NAN, 0}
                                               : lgx_results_paired(res, a, base, LGX_M_RETURN);
    if (ex->eval_days > 0)
        printf("scenario \"%s\": %d seed(s) x %g evaluation days, %d slots, %d training slot-steps per run\n",
               cfg->sc->name, ex->seeds, (double)ex->eval_days, ex->slots, ex->train_steps);
    else
        printf("scenario \"%s\": %d seed(s) x %d eval sessions, %d slots, %d training slot-steps per run\n",
               cfg->sc->name, ex->seeds, ex->eval_sessions, ex->slots, ex->train_steps);
    printf("final greedy evaluation; mean ± 95%% CI across seeds; * best in column (cheating agents excluded);\n"
           "vs baseline = paired difference in return/session against \"%s\"; rank by return/session\n\n",
           ex->baseline);
    cell("agent", w, 0);
    for (int c = 0; c < nc; c++) cell(heads[c], c < 2 ? 18 : 15, 1);
    cell("rank", 6, 1);
    printf("\n");
    for (int a = 0; a < res->n_agents; a++) {
        const lga_agent_type *t = lgx_spec_type(&ex->agents[a]);
        char label[LGX_AGENT_LABEL_LEN + 12];
        snprintf(label, sizeof label, "%s%s", ex->agents[a].label, t && t->cheats ? " (CHEATS)" : "");
        cell(label, w, 0);
        for (int c = 0; c < nc; c++) {
            int m = cols[c] < 0 ? LGX_M_RETURN : cols[c];
            int best = cols[c] >= 0 && lgx_metric_direction[m] && !(t && t->cheats) && !isnan(st[a][c].mean);
            for (int b = 0; b < res->n_agents && best; b++) {
                const lga_agent_type *tb = lgx_spec_type(&ex->agents[b]);
                if (tb && tb->cheats) continue;
                if (lgx_metric_direction[m] > 0 ? st[b][c].mean > st[a][c].mean
                                               : lgx_metric_direction[m] < 0 && st[b][c].mean < st[a][c].mean)
                    best = 0;
            }
            char buf[64], out[72];
            int prec = (m == LGX_M_CTR || m == LGX_M_NDCG || m == LGX_M_COVERAGE || m == LGX_M_GINI ||
                         m == LGX_M_DIVERSITY || m == LGX_M_RETURN_24H || m == LGX_M_VIEWER_SESSIONS) ? 3 : 2;
            fmt_stat(buf, sizeof buf, st[a][c], prec);
            snprintf(out, sizeof out, "%s%s", buf, best ? "*" : " ");
            cell(out, c < 2 ? 18 : 15, 1);
        }
        char rk[16];
        snprintf(rk, sizeof rk, "%d", rank[a]);
        cell(rk, 6, 1);
        printf("\n");
    }
    free(st), free(rank);
}

/* One cell: the mean over seeds (a dash without data). */
static void mean_cell(double v, int prec, int width)
{
    char buf[32];
    if (isnan(v)) snprintf(buf, sizeof buf, "-");
    else snprintf(buf, sizeof buf, "%.*f", prec, v);
    cell(buf, width, 1);
}

/* The second table: around every scripted event, what each agent earned
 * while it learned (its timeline), before, during and after the event. */
static void print_event_table(const lgx_run_config *cfg, const lgx_run_result *res)
{
    const lg_scenario *sc = cfg->sc;
    const int w = label_width(&cfg->ex, 0);
    printf("\nby event window: what each agent earned while it learned (mean over seeds); events.csv has every "
           "figure\n");
    for (int e = 0; e < sc->n_events; e++) {
        char txt[200], when[32];
        lgx_event_text(sc, e, txt, sizeof txt);
        double clock = sc->start_minute + sc->events[e].time;
        snprintf(when, sizeof when, "day %d %02d:%02d", (int)(clock / 1440), (int)fmod(clock, 1440) / 60,
                 (int)fmod(clock, 60));
        int launch = sc->events[e].type == LG_EV_NEW_CHANNEL;
        printf("\nevents[%d] %s, %s\n", e, when, txt);
        cell("agent", w, 0);
        cell("return before", 15, 1), cell("during", 9, 1), cell("after", 9, 1), cell("regret during", 15, 1);
        cell("target share before", 21, 1), cell("during", 9, 1);
        if (launch) cell("first rec (min)", 17, 1);
        printf("\n");
        uint8_t which[LG_MAX_EVENTS] = {0};
        which[e] = 1;
        for (int a = 0; a < res->n_agents; a++) {
            cell(cfg->ex.agents[a].label, w, 0);
            for (int ph = 0; ph < LGX_N_PHASES; ph++)
                mean_cell(lgx_event_stat(cfg, res, a, which, (lgx_phase)ph, LGX_M_RETURN).mean, 2, ph ? 9 : 15);
            mean_cell(lgx_event_stat(cfg, res, a, which, LGX_DURING, LGX_M_REGRET).mean, 2, 15);
            mean_cell(lgx_event_stat(cfg, res, a, which, LGX_BEFORE, LGX_E_TARGET_SHARE).mean, 3, 21);
            mean_cell(lgx_event_stat(cfg, res, a, which, LGX_DURING, LGX_E_TARGET_SHARE).mean, 3, 9);
            if (launch) mean_cell(lgx_event_stat(cfg, res, a, which, LGX_DURING, LGX_E_FIRST_REC).mean, 0, 17);
            printf("\n");
        }
    }
}

static void print_online_table(const lgx_run_config *cfg, const lgx_run_result *res)
{
    int bandit = cfg->sc->kind == LG_KIND_BANDIT;
    printf("scenario \"%s\" (%s): %d independent runs per agent, online learning\n\n", cfg->sc->name,
           lg_env_kind_name(cfg->sc->kind), cfg->ex.seeds);
    int w = label_width(&cfg->ex, 0) + 4, *rank = malloc((size_t)res->n_agents * sizeof *rank);
    if (!rank) {
        fputs("livegym: out of memory for the table\n", stderr);
        return;
    }
    lgx_results_rank(res, rank);
    if (bandit)
        printf("%-*s %14s %18s %18s %6s\n", w, "agent", "mean reward", "reward last 10%", "% optimal last 10%", "rank");
    else
        printf("%-*s %18s %24s %6s\n", w, "agent", "return/episode", "return last 10% of eps", "rank");
    for (int a = 0; a < res->n_agents; a++) {
        lgx_online_summary os = lgx_online_summarise(&res->online[a]);
        if (bandit)
            printf("%-*s %14.3f %18.3f %18.1f %6d\n", w, cfg->ex.agents[a].label, os.mean, os.last, os.pct_optimal,
                   rank[a]);
        else
            printf("%-*s %18.2f %24.2f %6d\n", w, cfg->ex.agents[a].label, os.mean, os.last, rank[a]);
    }
    free(rank);
}

/* "difference +0.412 ± 0.050, claimed at least 0.2". */
static void fmt_claim(char *buf, size_t n, const lgx_claim *cl, const lgx_claim_result *r)
{
    char d[64];
    fmt_stat(d, sizeof d, r->diff, 3);
    snprintf(buf, n, "difference %s%s, claimed at least %g", isnan(r->diff.mean) || r->diff.mean < 0 ? "" : "+", d,
             (double)cl->by);
}

/* The file's claims with their verdicts; with --check-claims, each claim
 * that does not hold on stderr. Returns the number that do not hold. */
static int report_claims(const lg_report_flags *f, const lgx_run_config *cfg, const lgx_run_result *res)
{
    int bad = 0;
    if (!f->json && cfg->ex.n_claims > 0)
        printf("\nclaims of the file: paired difference over seeds, mean ± 95%% CI\n");
    for (int k = 0; k < cfg->ex.n_claims; k++) {
        const lgx_claim *cl = &cfg->ex.claims[k];
        lgx_claim_result r = lgx_claim_check(cfg, res, k);
        char fig[160];
        fmt_claim(fig, sizeof fig, cl, &r);
        if (!f->json)
            printf("  %-12s %s\n  %12s %s%s%s\n", lgx_verdict_names[r.verdict], cl->text, "", fig,
                   r.why[0] ? ": " : "", r.why);
        if (r.verdict == LGX_HOLDS) continue;
        bad++;
        if (f->check_claims)
            fprintf(stderr, "livegym %s: claims[%d] %s: \"%s\": %s%s%s\n", f->cmd, k, lgx_verdict_names[r.verdict],
                    cl->text, fig, r.why[0] ? ": " : "", r.why);
    }
    return bad;
}

/* The table (or summary.json with --json), the claims and where the
 * results are. Returns the number of claims that do not hold. */
int lg_report(const lg_report_flags *f, const lgx_run_config *cfg, const lgx_run_result *res, int rc)
{
    if (f->json) {
        char *text = lgx_results_summary_text(cfg, res);
        if (text) printf("%s\n", text);
        free(text);
    } else if (res->online) {
        print_online_table(cfg, res);
    } else {
        print_live_table(cfg, res);
        if (cfg->sc->n_events > 0 && cfg->ex.train_steps > 0) print_event_table(cfg, res);
    }
    int unheld = report_claims(f, cfg, res);
    if (!f->json && cfg->out_dir)
        printf("\nresults: %s/ (curves.csv, summary.json%s%s)%s\n", cfg->out_dir,
               res->online ? "" : ", timeline.csv, runs/", !res->online && cfg->sc->n_events ? ", events.csv" : "",
               rc ? " [PARTIAL]" : "");
    if (rc > 0 && cfg->out_dir)
        fprintf(stderr, "livegym %s: interrupted after %d of %d runs; the folder is marked partial. "
                        "Finish with: livegym run --resume --out %s\n",
                f->cmd, res->jobs_done, res->jobs_total, cfg->out_dir);
    else if (rc > 0)
        fprintf(stderr, "livegym %s: interrupted after %d of %d runs\n", f->cmd, res->jobs_done, res->jobs_total);
    return unheld;
}

