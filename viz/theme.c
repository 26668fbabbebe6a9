/* The viewer's and the plots' colours (lgv_theme.h). */
#include "lgv_theme.h"

uint32_t lgv_with_alpha(uint32_t c, float a)
{
    if (a < 0) a = 0;
    if (a > 1) a = 1;
    return (c & 0x00FFFFFFu) | (uint32_t)(a * 255.0f + 0.5f) << 24;
}

uint32_t lgv_mix(uint32_t a, uint32_t b, float t)
{
    uint32_t out = 0xFF000000u;
    for (int sh = 0; sh < 24; sh += 8) {
        float x = (float)((a >> sh) & 0xFF), y = (float)((b >> sh) & 0xFF);
        out |= (uint32_t)(x + (y - x) * t + 0.5f) << sh;
    }
    return out;
}

uint32_t lgv_agent_color(int i)
{
    static const uint32_t okabe_ito[] = {0xFF0072B2, 0xFFD55E00, 0xFF009E73, 0xFFCC79A7,
                                         0xFFE69F00, 0xFF56B4E9, 0xFF000000, 0xFFF0E442};
    int n = (int)(sizeof okabe_ito / sizeof okabe_ito[0]);
    return okabe_ito[((i % n) + n) % n];
}

uint32_t lgv_category_color(int k)
{
    static const uint32_t tol_light[] = {0xFF77AADD, 0xFFEE8866, 0xFFEEDD88, 0xFFFFAABB, 0xFF99DDFF,
                                         0xFF44BB99, 0xFFBBCC33, 0xFFAAAA00, 0xFFDDDDDD};
    int n = (int)(sizeof tol_light / sizeof tol_light[0]);
    return tol_light[((k % n) + n) % n];
}

uint32_t lgv_heat_color(float t)
{
    /* five stops of the viridis colour map */
    static const float stops[5][3] = {
        {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    if (!(t >= 0.0f)) t = 0.0f;
    if (t > 1.0f) t = 1.0f;
    float f = t * 4.0f;
    int i = (int)f;
    if (i > 3) i = 3;
    float u = f - (float)i;
    uint32_t c = 0xFF000000u;
    for (int j = 0; j < 3; j++) {
        float v = stops[i][j] + u * (stops[i + 1][j] - stops[i][j]);
        c |= (uint32_t)(v + 0.5f) << (16 - 8 * j);
    }
    return c;
}
