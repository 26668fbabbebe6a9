/* The learning-curves panel: greedy evaluations with CIs, online returns,
 * exploration rates, and the scripted events training has met. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lgx_events.h"
#include "panels.h"

void lgv_panel_curves(view *v, float x, float y, float w, float h)
{
    lgv_canvas *c = v->c;
    const lgx_model *m = v->m;
    const float s = v->s, pad = 8 * s;
    char note[160];
    if (m->eval_days > 0)
        snprintf(note, sizeof note, "greedy evaluation every %ld slot-steps, %g simulated days%s", m->eval_every,
                 m->eval_days, m->n_seeds > 1 ? ", 95% CI over seeds" : "");
    else
        snprintf(note, sizeof note, "greedy evaluation every %ld slot-steps, %ld sessions%s", m->eval_every,
                 m->eval_sessions, m->n_seeds > 1 ? ", 95% CI over seeds" : "");
    float top = lgv_card(v, x, y, w, h, "learning curves", note);
    int any_eps = 0;
    for (int a = 0; a < m->n_agents; a++) any_eps |= m->agents[a].has_epsilon;
    float eps_h = any_eps ? fminf(0.26f * (y + h - top), 120 * s) : lgv_line_height(c, LGV_FONT_SMALL) + 4 * s;
    lgv_chart_series sr[2 * LGX_LIVE_MAX_AGENTS + 1];
    char names[LGX_LIVE_MAX_AGENTS][LGX_LABEL_LEN + 12];
    int n = 0;
    for (int a = 0; a < m->n_agents; a++) {
        const lgx_agent_view *av = &m->agents[a];
        uint32_t col = lgv_agent_color(a);
        snprintf(names[a], sizeof names[a], "%s%s", av->label, av->cheats ? " (cheats)" : "");
        lgv_chart_series on = {names[a], lgv_with_alpha(col, 0.55f), av->online.n, av->online.x, av->online.y,
                               NULL,      NULL,              1.5f,         5.0f,         0,
                               0,         0};
        lgv_chart_series ev = {names[a], col, av->eval.n, av->eval.x, av->eval.y,
                               m->n_seeds > 1 ? av->eval.lo : NULL, m->n_seeds > 1 ? av->eval.hi : NULL,
                               2.2f, 0.0f, 1, 1, 0};
        sr[n++] = on;
        sr[n++] = ev;
    }
    lgv_chart ch;
    memset(&ch, 0, sizeof ch);
    ch.xlabel = "training slot-steps per agent";
    ch.ylabel = "return per session";
    ch.series = sr;
    ch.n_series = n;
    ch.legend = LGV_LEGEND_TOP;
    ch.legend_note = "solid with dots: greedy evaluation;  dashed: online, mean of the last 100 training sessions";
    ch.empty_text = "waiting for the first evaluation...";
    ch.label_font = LGV_FONT_NORMAL;
    ch.range_without_bands = 1; /* a 95% CI over 2 seeds is wide: keep the lines readable */
    ch.band_alpha = 0.14f;
    /* Scripted events that fired, where training met them: an event at
     * minute t is t / dt env steps of every slot into training. */
    double mark_x[LG_MAX_EVENTS];
    char mark_text[LG_MAX_EVENTS][48];
    const char *mark_label[LG_MAX_EVENTS];
    const lg_scenario *sc = m->sc;
    int nm = 0;
    for (int e = 0; sc && sc->kind == LG_KIND_LIVE && e < sc->n_events; e++) {
        if (!m->fired[e]) continue;
        mark_x[nm] = ceil(sc->events[e].time / sc->dt) * m->shape.slots;
        lgx_event_label(sc, e, mark_text[nm], sizeof mark_text[nm]);
        mark_label[nm] = mark_text[nm];
        nm++;
    }
    ch.n_marks = nm, ch.marks = mark_x, ch.mark_labels = mark_label;
    lgv_draw_chart(c, x + pad, top, w - 2 * pad, y + h - top - eps_h - 4 * s, &ch);

    float ey = y + h - eps_h - 2 * s;
    if (!any_eps) {
        lgv_text(c, x + pad, ey, LGV_FONT_SMALL, LGV_MUTED, LGV_ALIGN_LEFT, w - 2 * pad,
                 "exploration rate: not exposed by these agents");
        return;
    }
    lgv_chart_series es[LGX_LIVE_MAX_AGENTS];
    int ne = 0;
    double emax = 0.0;
    for (int a = 0; a < m->n_agents; a++) {
        const lgx_agent_view *av = &m->agents[a];
        if (!av->has_epsilon) continue;
        for (int k = 0; k < av->epsilon.n; k++)
            if (av->epsilon.y[k] > emax) emax = av->epsilon.y[k];
        lgv_chart_series e = {av->label, lgv_agent_color(a), av->epsilon.n, av->epsilon.x, av->epsilon.y,
                              NULL, NULL, 1.8f, 0.0f, 0, 0, 0};
        es[ne++] = e;
    }
    lgv_text(c, x + pad, ey, LGV_FONT_SMALL, LGV_MUTED, LGV_ALIGN_LEFT, w - 2 * pad,
             "exploration rate \xCE\xB5 (from the agent's schedule and act counter)");
    float elh = lgv_line_height(c, LGV_FONT_SMALL);
    lgv_chart ec;
    memset(&ec, 0, sizeof ec);
    ec.ylabel = "\xCE\xB5"; /* epsilon */
    ec.series = es;
    ec.n_series = ne;
    ec.fixed_y = 1;
    ec.y_min = 0;
    ec.y_max = emax > 0 ? emax * 1.15 : 1.0;
    ec.empty_text = "exploration rate (\xCE\xB5)";
    lgv_draw_chart(c, x + pad, ey + elh, w - 2 * pad, eps_h - elh, &ec);
}
