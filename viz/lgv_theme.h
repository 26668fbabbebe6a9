/* The one theme of the viewer and the plots: colours are 0xAARRGGBB. */
#ifndef LGV_THEME_H
#define LGV_THEME_H

#include <stdint.h>

/* The viewer's surfaces and ink. */
#define LGV_BG 0xFFF3F4F6u     /* the window behind the cards */
#define LGV_CARD 0xFFFFFFFFu   /* a panel */
#define LGV_BORDER 0xFFD5D9DFu /* card outlines */
#define LGV_TEXT 0xFF1F2328u   /* text */
#define LGV_MUTED 0xFF6A737Du  /* secondary text, notes */
#define LGV_FAINT 0xFFB0B7C0u  /* tertiary marks */
#define LGV_BAR 0xFF24292Fu    /* the top bar, concurrency bars */
#define LGV_OFF 0xFFECEDEFu    /* an off-air channel */
#define LGV_ALERT 0xFFB00020u  /* events in effect, the clock's hand */

/* c with alpha a (clamped to [0, 1]). */
uint32_t lgv_with_alpha(uint32_t c, float a);
/* The colour a fraction t of the way from a to b (opaque). */
uint32_t lgv_mix(uint32_t a, uint32_t b, float t);

/* Agents: the Okabe-Ito colour-blind-safe palette (blue, vermillion, bluish
 * green, reddish purple, orange, sky blue, black, yellow), cycled. */
uint32_t lgv_agent_color(int i);
/* Categories: Paul Tol's "light" palette, cycled (pale, for tile backgrounds). */
uint32_t lgv_category_color(int k);
/* A perceptually ordered heat map colour for t in [0, 1] (viridis-like). */
uint32_t lgv_heat_color(float t);

#endif
