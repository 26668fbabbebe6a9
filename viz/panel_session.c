/* The live-session panel: slot 0's viewer, step by step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels.h"

static void rec_text(const lgx_model *m, const lgx_step_rec *r, char *buf, size_t n)
{
    buf[0] = 0;
    char nb[32];
    for (int j = 0; j < r->k; j++) {
        size_t l = strlen(buf);
        snprintf(buf + l, n - l, "%s%s", j ? ", " : "", lgv_channel_name(m, r->rec[j], nb, sizeof nb));
    }
}

void lgv_panel_session(view *v, float x, float y, float w, float h)
{
    lgv_canvas *c = v->c;
    const lgx_model *m = v->m;
    const lg_scenario *sc = m->sc;
    const float s = v->s, pad = 8 * s;
    const int sel = v->ui->selected < m->n_agents ? v->ui->selected : 0;
    const lgx_agent_view *av = &m->agents[sel];
    char note[120];
    snprintf(note, sizeof note, "slot 0 of %s's seed-1 training env", av->label);
    float top = lgv_card(v, x, y, w, h, "live session", note);
    float lh = lgv_line_height(c, LGV_FONT_NORMAL), sh = lgv_line_height(c, LGV_FONT_SMALL);
    const lgx_step_rec *last = lgx_model_step(m, sel, 0);
    float cx = x + pad, cw = w - 2 * pad;
    if (!last) {
        lgv_text(c, cx, top, LGV_FONT_NORMAL, LGV_MUTED, LGV_ALIGN_LEFT, cw, "no step yet");
        return;
    }
    const int live = lgv_is_live(m);
    char nb[32];
    const char *seg = live && last->segment >= 0 && last->segment < sc->n_segments ? sc->segments[last->segment].name : "-";
    int max_steps = sc ? sc->max_session_steps : 0;
    if (live && last->viewer < 0) /* retention: no viewer was due */
        lgv_text(c, cx, top, LGV_FONT_BOLD, LGV_TEXT, LGV_ALIGN_LEFT, cw,
                 "slot idle: no viewer is due to come back yet");
    else if (live)
        lgv_textf(c, cx, top, LGV_FONT_BOLD, LGV_TEXT, LGV_ALIGN_LEFT, cw,
                  "viewer #%d \xC2\xB7 segment %s \xC2\xB7 step %d of at most %d", last->viewer, seg,
                  last->session_step, max_steps);
    else
        lgv_textf(c, cx, top, LGV_FONT_BOLD, LGV_TEXT, LGV_ALIGN_LEFT, cw, "episode step %d", last->session_step);
    top += lh + 2 * s;
    /* budget */
    float patience = live && last->segment >= 0 && last->segment < sc->n_segments ? sc->segments[last->segment].patience : 60;
    float full = 1.5f * patience, frac = last->budget_left / (full > 0 ? full : 1);
    if (frac < 0) frac = 0;
    if (frac > 1) frac = 1;
    float bw = fminf(cw * 0.45f, 240 * s);
    lgv_fill(c, cx, top + 3 * s, bw, sh - 4 * s, LGV_TRACK);
    lgv_fill(c, cx, top + 3 * s, bw * frac, sh - 4 * s, frac < 0.2f ? LGV_ALERT : LGV_DONE);
    lgv_textf(c, cx + bw + 8 * s, top, LGV_FONT_SMALL, LGV_TEXT, LGV_ALIGN_LEFT, cw - bw - 8 * s,
              "budget left %.1f min \xC2\xB7 session return so far %.1f", last->budget_left, last->session_return);
    top += sh + 4 * s;
    char rec[160];
    rec_text(m, last, rec, sizeof rec);
    lgv_textf(c, cx, top, LGV_FONT_NORMAL, LGV_TEXT, LGV_ALIGN_LEFT, cw, "recommended: %s", rec);
    top += lh;
    if (last->watched >= 0)
        lgv_textf(c, cx, top, LGV_FONT_NORMAL, LGV_TEXT, LGV_ALIGN_LEFT, cw, "watched: %s for %.1f min \xC2\xB7 reward %.2f",
                  lgv_channel_name(m, last->watched, nb, sizeof nb), last->minutes, last->reward);
    else
        lgv_textf(c, cx, top, LGV_FONT_NORMAL, LGV_MUTED, LGV_ALIGN_LEFT, cw, "watched: nothing%s \xC2\xB7 reward %.2f",
                  last->invalid ? " (invalid recommendation)" : "", last->reward);
    top += lh;
    if (last->ended) {
        lgv_text(c, cx, top, LGV_FONT_NORMAL, LGV_ALERT, LGV_ALIGN_LEFT, cw,
                 last->ended == 1 ? "session over: budget spent; a new viewer arrives"
                                  : "session over: step limit reached; a new viewer arrives");
    }
    top += lh + 2 * s;

    /* recent steps, newest first */
    float col[6] = {0, 0.09f, 0.44f, 0.76f, 0.87f, 1.0f};
    static const char *const head[5] = {"step", "recommended", "watched", "min", "budget"};
    for (int k = 0; k < 5; k++)
        lgv_text(c, cx + col[k] * cw + (k >= 3 ? (col[k + 1] - col[k]) * cw - 4 * s : 0), top, LGV_FONT_SMALL,
                 LGV_MUTED, k >= 3 ? LGV_ALIGN_RIGHT : LGV_ALIGN_LEFT, 0, head[k]);
    top += sh;
    lgv_fill(c, cx, top, cw, fmaxf(1, 0.8f * s), LGV_BORDER);
    top += 2 * s;
    float foot = y + h - sh - 6 * s;
    for (int i = 0; top + sh <= foot; i++) {
        const lgx_step_rec *r = lgx_model_step(m, sel, i);
        if (!r) break;
        if (r->ended && i > 0) {
            lgv_fill(c, cx, top + sh * 0.5f, cw, fmaxf(1, s), lgv_with_alpha(LGV_ALERT, 0.5f));
            lgv_text(c, cx + cw / 2, top, LGV_FONT_SMALL, LGV_ALERT, LGV_ALIGN_CENTER, 0, " session ended ");
            top += sh;
            if (top + sh > foot) break;
        }
        uint32_t tc = i == 0 ? LGV_TEXT : LGV_MUTED;
        char b[160];
        snprintf(b, sizeof b, "%d", r->session_step);
        lgv_text(c, cx, top, LGV_FONT_SMALL, tc, LGV_ALIGN_LEFT, 0, b);
        rec_text(m, r, b, sizeof b);
        lgv_text(c, cx + col[1] * cw, top, LGV_FONT_SMALL, tc, LGV_ALIGN_LEFT, (col[2] - col[1]) * cw - 6 * s, b);
        lgv_text(c, cx + col[2] * cw, top, LGV_FONT_SMALL, r->watched >= 0 ? tc : LGV_FAINT, LGV_ALIGN_LEFT,
                 (col[3] - col[2]) * cw - 6 * s, r->watched >= 0 ? lgv_channel_name(m, r->watched, nb, sizeof nb) : "\xE2\x80\x94");
        snprintf(b, sizeof b, "%.1f", r->minutes);
        lgv_text(c, cx + col[4] * cw - 4 * s, top, LGV_FONT_SMALL, tc, LGV_ALIGN_RIGHT, 0, b);
        snprintf(b, sizeof b, "%.1f", r->budget_left);
        lgv_text(c, cx + cw - 4 * s, top, LGV_FONT_SMALL, tc, LGV_ALIGN_RIGHT, 0, b);
        top += sh;
    }
    char ses[32], ev[64], on[64];
    lgv_fmt_count(ses, sizeof ses, (double)av->sessions);
    if (isfinite(av->last_eval)) {
        if (isfinite(av->last_eval_ci))
            snprintf(ev, sizeof ev, "%.1f \xC2\xB1 %.1f", av->last_eval, av->last_eval_ci);
        else
            snprintf(ev, sizeof ev, "%.1f", av->last_eval);
    } else
        snprintf(ev, sizeof ev, "-");
    if (isfinite(av->last_days)) { /* retention: what the evaluation's days gave per viewer */
        size_t n = strlen(ev);
        snprintf(ev + n, sizeof ev - n, ", %.1f min/viewer/day", av->last_days);
    }
    if (isfinite(av->online_now))
        snprintf(on, sizeof on, "%.1f", av->online_now);
    else
        snprintf(on, sizeof on, "-");
    lgv_textf(c, cx, y + h - sh - 4 * s, LGV_FONT_SMALL, LGV_MUTED, LGV_ALIGN_LEFT, cw,
              "%s training sessions \xC2\xB7 online return (last 100) %s \xC2\xB7 last evaluation %s", ses, on, ev);
}
