/* The one theme of the viewer and the plots: colours are 0xAARRGGBB. */
#ifndef LGV_THEME_H
#define LGV_THEME_H

#include <stdint.h>

/* Agents: the Okabe-Ito colour-blind-safe palette (blue, vermillion, bluish
 * green, reddish purple, orange, sky blue, black, yellow), cycled. */
uint32_t lgv_agent_color(int i);
/* Categories: Paul Tol's "light" palette, cycled (pale, for tile backgrounds). */
uint32_t lgv_category_color(int k);
/* A perceptually ordered heat map colour for t in [0, 1] (viridis-like). */
uint32_t lgv_heat_color(float t);

#endif
