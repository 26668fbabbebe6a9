/* Inside the live viewer: what its panels share. */
#ifndef LGV_PANELS_H
#define LGV_PANELS_H

#include "lgv_draw.h"

typedef struct {
    lgv_canvas *c;
    const lgx_model *m;
    const lgv_ui *ui;
    float s;
} view;

/* A card with a title (and a muted note after it); returns the content's top y. */
float lgv_card(view *v, float x, float y, float w, float h, const char *title, const char *note);
int lgv_is_live(const lgx_model *m);
/* A channel's name (classic envs: "action k", written into buf). */
const char *lgv_channel_name(const lgx_model *m, int ch, char *buf, size_t n);

void lgv_panel_curves(view *v, float x, float y, float w, float h);
void lgv_panel_platform(view *v, float x, float y, float w, float h);
void lgv_panel_mind(view *v, float x, float y, float w, float h);
void lgv_panel_session(view *v, float x, float y, float w, float h);

#endif
