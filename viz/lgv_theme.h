/* The one theme of the viewer and the plots: colours are 0xAARRGGBB. */
#ifndef LGV_THEME_H
#define LGV_THEME_H

#include <stdint.h>

/* Every colour of the viewer and the plots, by role. */
#define LGV_BG 0xFFF3F4F6u        /* the window behind the cards */
#define LGV_CARD 0xFFFFFFFFu      /* a panel; a plot's background */
#define LGV_WELL 0xFFF7F8FAu      /* a sunken area inside a card (the day strip, the truth bars) */
#define LGV_BORDER 0xFFD5D9DFu    /* card outlines */
#define LGV_TEXT 0xFF1F2328u      /* text */
#define LGV_MUTED 0xFF6A737Du     /* secondary text, notes, ticks */
#define LGV_FAINT 0xFFB0B7C0u     /* tertiary marks */
#define LGV_AXIS 0xFF333333u      /* chart axes and tick marks */
#define LGV_GRID 0xFFE4E4E4u      /* chart grid lines */
#define LGV_ZERO 0xFFBBBBBBu      /* the zero line of a chart */
#define LGV_TRACK 0xFFE9ECEFu     /* the empty part of a gauge */
#define LGV_BAR 0xFF24292Fu       /* the top bar; concurrency bars */
#define LGV_BAR_TEXT 0xFFDDE1E6u  /* secondary text on the top bar */
#define LGV_TABS 0xFFE6E9EDu      /* the agent tabs' strip */
#define LGV_OFF 0xFFECEDEFu       /* an off-air channel */
#define LGV_ALERT 0xFFB00020u     /* events in effect, the clock's hand, a budget running out */
#define LGV_HIGHLIGHT 0xFFFF2D55u /* the current viewer's row in the heat map */
#define LGV_TRUTH 0xFF555555u     /* the oracle's values */
#define LGV_AUDIENCE_FILL 0xFFD8E3F0u /* the daily audience curve */
#define LGV_AUDIENCE_LINE 0xFF7A9CC6u
/* Training states, from the Okabe-Ito palette (as the agents' colours). */
#define LGV_DONE 0xFF009E73u      /* finished; a healthy budget */
#define LGV_PAUSED 0xFFE69F00u
#define LGV_RUNNING 0xFF56B4E9u
#define LGV_INFO 0xFF0072B2u      /* a message that just appeared */

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
