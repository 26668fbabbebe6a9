/* The viewer's pure helpers: UI state, axis ticks and number formatting,
 * the theme's palettes. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lg_test.h"
#include "lgv_axes.h"
#include "lgv_theme.h"
#include "lgv_ui.h"

START_TEST(test_ui_selection_wraps)
{
    lgv_ui ui;
    lgv_ui_init(&ui, 3);
    ck_assert_int_eq(ui.selected, 0);
    for (int p = 0; p < LGV_N_PANELS; p++) ck_assert(ui.show[p]);
    lgv_ui_next(&ui), lgv_ui_next(&ui);
    ck_assert_int_eq(ui.selected, 2);
    lgv_ui_next(&ui);
    ck_assert_int_eq(ui.selected, 0);
    lgv_ui_prev(&ui);
    ck_assert_int_eq(ui.selected, 2);
    ck_assert_int_eq(lgv_ui_select(&ui, 1), 0);
    ck_assert_int_eq(ui.selected, 1);
    ck_assert_int_eq(lgv_ui_select(&ui, 3), -1);
    ck_assert_int_eq(lgv_ui_select(&ui, -1), -1);
    ck_assert_int_eq(ui.selected, 1);
    lgv_ui_toggle(&ui, LGV_PANEL_MIND);
    ck_assert(!ui.show[LGV_PANEL_MIND] && ui.show[LGV_PANEL_CURVES]);
    lgv_ui_toggle(&ui, LGV_PANEL_MIND);
    lgv_ui_toggle(&ui, 99);
    ck_assert(ui.show[LGV_PANEL_MIND]);
    /* speed: full speed by default, clamped at both ends */
    ck_assert_int_eq(ui.speed, LGV_N_SPEEDS - 1);
    ck_assert(lgv_speed_rate(ui.speed) == 0);
    lgv_ui_faster(&ui);
    ck_assert_int_eq(ui.speed, LGV_N_SPEEDS - 1);
    for (int i = 0; i < 50; i++) lgv_ui_slower(&ui);
    ck_assert_int_eq(ui.speed, 0);
    ck_assert(lgv_speed_rate(0) == 1);
    for (int i = 1; i < LGV_N_SPEEDS - 1; i++) ck_assert(lgv_speed_rate(i) > lgv_speed_rate(i - 1));
    char buf[32];
    lgv_speed_name(0, buf, sizeof buf);
    ck_assert_str_eq(buf, "1 step/s");
    lgv_speed_name(3, buf, sizeof buf);
    ck_assert_str_eq(buf, "10 steps/s");
    lgv_speed_name(LGV_N_SPEEDS - 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "max");
    lgv_ui_init(&ui, 1);
    lgv_ui_next(&ui);
    ck_assert_int_eq(ui.selected, 0);
}
END_TEST

START_TEST(test_ticks_and_formats)
{
    double t[32], step;
    int n = lgv_ticks(0, 20000, 6, t, 32, &step);
    ck_assert(step == 5000);
    ck_assert_int_eq(n, 5);
    ck_assert(t[0] == 0 && t[4] == 20000);
    n = lgv_ticks(-0.3, 0.7, 6, t, 32, &step);
    ck_assert(step == 0.2);
    for (int i = 0; i < n; i++) ck_assert(t[i] >= -0.3 - 1e-12 && t[i] <= 0.7 + 1e-12);
    for (int trial = 0; trial < 200; trial++) { /* any range: at most max_ticks + 1, inside, increasing */
        double lo = (trial - 100) * 3.7, hi = lo + 0.01 + trial * trial * 0.9;
        n = lgv_ticks(lo, hi, 6, t, 32, &step);
        ck_assert(n >= 1 && n <= 7);
        for (int i = 0; i < n; i++) ck_assert(t[i] >= lo - 1e-9 * step && t[i] <= hi + 1e-9 * step);
        for (int i = 1; i < n; i++) ck_assert(t[i] > t[i - 1]);
    }
    double lo = 3, hi = 3;
    lgv_nice_range(&lo, &hi, 5);
    ck_assert(lo < 3 && hi > 3);
    lo = 13.2, hi = 87.9;
    lgv_nice_range(&lo, &hi, 5);
    ck_assert(lo <= 13.2 && hi >= 87.9 && lo >= 0 && hi <= 100);
    char b[64];
    lgv_fmt_tick(b, sizeof b, 20000, 5000);
    ck_assert_str_eq(b, "20k");
    lgv_fmt_tick(b, sizeof b, 12500, 2500);
    ck_assert_str_eq(b, "12.5k");
    lgv_fmt_tick(b, sizeof b, 2500, 2500);
    ck_assert_str_eq(b, "2.5k");
    lgv_fmt_tick(b, sizeof b, 0, 2500);
    ck_assert_str_eq(b, "0");
    lgv_fmt_tick(b, sizeof b, 750, 250);
    ck_assert_str_eq(b, "750");
    lgv_fmt_tick(b, sizeof b, 0.1, 0.05);
    ck_assert_str_eq(b, "0.10");
    lgv_fmt_tick(b, sizeof b, -1e-17, 0.2);
    ck_assert_str_eq(b, "0.0");
    lgv_fmt_tick(b, sizeof b, 3000000, 1000000);
    ck_assert_str_eq(b, "3M");
    lgv_fmt_count(b, sizeof b, 950);
    ck_assert_str_eq(b, "950");
    lgv_fmt_count(b, sizeof b, 12345);
    ck_assert_str_eq(b, "12.3k");
    lgv_fmt_count(b, sizeof b, 4560000);
    ck_assert_str_eq(b, "4.56M");
    lgv_fmt_clock(b, sizeof b, 2 * 1440 + 21 * 60 + 35);
    ck_assert_str_eq(b, "day 2 21:35");
    lgv_fmt_clock(b, sizeof b, 0);
    ck_assert_str_eq(b, "day 0 00:00");
}
END_TEST

START_TEST(test_palettes)
{
    ck_assert_uint_eq(lgv_agent_color(0), 0xFF0072B2u);
    ck_assert_uint_eq(lgv_agent_color(8), lgv_agent_color(0));
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < i; j++) ck_assert_uint_ne(lgv_agent_color(i), lgv_agent_color(j));
    ck_assert_uint_eq(lgv_heat_color(0), 0xFF440154u);
    ck_assert_uint_eq(lgv_heat_color(1), 0xFFFDE725u);
    ck_assert_uint_eq(lgv_heat_color(-5), 0xFF440154u);
    ck_assert_uint_eq(lgv_heat_color(NAN), 0xFF440154u);
    ck_assert_uint_eq(lgv_category_color(9), lgv_category_color(0));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("viz_ui");
    TCase *tc = tcase_create("ui");
    tcase_add_test(tc, test_ui_selection_wraps);
    tcase_add_test(tc, test_ticks_and_formats);
    tcase_add_test(tc, test_palettes);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
