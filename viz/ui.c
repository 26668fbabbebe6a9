/* The viewer's UI state (lgv_ui.h): selection, panels, speed. */
#include <stdio.h>
#include <string.h>

#include "lgv_ui.h"

static const double speed_rates[LGV_N_SPEEDS] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 0};

void lgv_ui_init(lgv_ui *ui, int n_agents)
{
    memset(ui, 0, sizeof *ui);
    ui->n_agents = n_agents > 0 ? n_agents : 1;
    for (int p = 0; p < LGV_N_PANELS; p++) ui->show[p] = 1;
    ui->speed = LGV_N_SPEEDS - 1;
}

void lgv_ui_next(lgv_ui *ui) { ui->selected = (ui->selected + 1) % ui->n_agents; }
void lgv_ui_prev(lgv_ui *ui) { ui->selected = (ui->selected + ui->n_agents - 1) % ui->n_agents; }

int lgv_ui_select(lgv_ui *ui, int i)
{
    if (i < 0 || i >= ui->n_agents) return -1;
    ui->selected = i;
    return 0;
}

void lgv_ui_toggle(lgv_ui *ui, int panel)
{
    if (panel >= 0 && panel < LGV_N_PANELS) ui->show[panel] = !ui->show[panel];
}

void lgv_ui_faster(lgv_ui *ui)
{
    if (ui->speed < LGV_N_SPEEDS - 1) ui->speed++;
}

void lgv_ui_slower(lgv_ui *ui)
{
    if (ui->speed > 0) ui->speed--;
}

double lgv_speed_rate(int level)
{
    if (level < 0) level = 0;
    if (level >= LGV_N_SPEEDS) level = LGV_N_SPEEDS - 1;
    return speed_rates[level];
}

void lgv_speed_name(int level, char *buf, size_t n)
{
    double r = lgv_speed_rate(level);
    if (r <= 0)
        snprintf(buf, n, "max");
    else
        snprintf(buf, n, "%g step%s/s", r, r == 1 ? "" : "s");
}
