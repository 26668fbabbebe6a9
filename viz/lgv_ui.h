/* The viewer's UI state: selected agent, visible panels, help, pause and
 * speed. Pure functions, tested without a display. */
#ifndef LGV_UI_H
#define LGV_UI_H

#include <stddef.h>

enum { LGV_PANEL_CURVES, LGV_PANEL_PLATFORM, LGV_PANEL_MIND, LGV_PANEL_SESSION, LGV_N_PANELS };

#define LGV_N_SPEEDS 13

typedef struct {
    int n_agents;
    int selected;
    int show[LGV_N_PANELS];
    int help;
    int paused;
    int speed; /* index into the speed levels; LGV_N_SPEEDS - 1 = full speed */
} lgv_ui;

void lgv_ui_init(lgv_ui *ui, int n_agents);
void lgv_ui_next(lgv_ui *ui); /* selection wraps around */
void lgv_ui_prev(lgv_ui *ui);
int lgv_ui_select(lgv_ui *ui, int i); /* 0, or -1 (unchanged) when i is not an agent */
void lgv_ui_toggle(lgv_ui *ui, int panel);
void lgv_ui_faster(lgv_ui *ui);
void lgv_ui_slower(lgv_ui *ui);
/* Env steps per second of a speed level; 0 = as fast as possible. */
double lgv_speed_rate(int level);
void lgv_speed_name(int level, char *buf, size_t n);

#endif
