/* PNG writing (atomic) and reading with libpng's simplified API. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL.h>
#include <png.h>

#include "lg_file.h"
#include "lgv_png.h"

int lgv_png_write(const char *path, const uint32_t *argb, int w, int h, int pitch, char *err, size_t errsz)
{
    if (w < 1 || h < 1 || pitch < w) {
        snprintf(err, errsz, "%s: expected an image of at least 1x1 pixels, found %dx%d", path, w, h);
        return -1;
    }
    size_t n = (size_t)w * (size_t)h * 3;
    uint8_t *rgb = malloc(n);
    if (!rgb) {
        snprintf(err, errsz, "%s: out of memory for a %dx%d image", path, w, h);
        return -1;
    }
    for (int y = 0; y < h; y++) {
        const uint32_t *src = argb + (size_t)y * (size_t)pitch;
        uint8_t *dst = rgb + (size_t)y * (size_t)w * 3;
        for (int x = 0; x < w; x++) {
            uint32_t p = src[x];
            dst[3 * x] = (uint8_t)(p >> 16);
            dst[3 * x + 1] = (uint8_t)(p >> 8);
            dst[3 * x + 2] = (uint8_t)p;
        }
    }
    lg_afile *af = lg_afile_open(path, err, errsz);
    if (!af) {
        free(rgb);
        return -1;
    }
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)w;
    img.height = (png_uint_32)h;
    img.format = PNG_FORMAT_RGB;
    int ok = png_image_write_to_stdio(&img, lg_afile_stream(af), 0, rgb, (png_int_32)(w * 3), NULL);
    free(rgb);
    if (!ok) {
        snprintf(err, errsz, "%s: PNG encoding failed: %s", path, img.message);
        png_image_free(&img);
        lg_afile_abort(af);
        return -1;
    }
    return lg_afile_commit(af, err, errsz);
}

int lgv_png_write_surface(const char *path, SDL_Surface *s, char *err, size_t errsz)
{
    SDL_Surface *conv = s;
    if (s->format->format != SDL_PIXELFORMAT_ARGB8888 || s->pitch % 4) {
        conv = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
        if (!conv) {
            snprintf(err, errsz, "%s: cannot convert the image: %s", path, SDL_GetError());
            return -1;
        }
    }
    if (SDL_MUSTLOCK(conv)) SDL_LockSurface(conv);
    int rc = lgv_png_write(path, conv->pixels, conv->w, conv->h, conv->pitch / 4, err, errsz);
    if (SDL_MUSTLOCK(conv)) SDL_UnlockSurface(conv);
    if (conv != s) SDL_FreeSurface(conv);
    return rc;
}

int lgv_png_read(const char *path, uint32_t **argb, int *w, int *h, char *err, size_t errsz)
{
    *argb = NULL;
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path)) {
        snprintf(err, errsz, "%s: %s", path, img.message);
        return -1;
    }
    img.format = PNG_FORMAT_RGBA;
    size_t n = PNG_IMAGE_SIZE(img);
    uint8_t *buf = malloc(n);
    uint32_t *out = malloc((size_t)img.width * img.height * sizeof(uint32_t));
    if (!buf || !out) {
        free(buf), free(out);
        png_image_free(&img);
        snprintf(err, errsz, "%s: out of memory", path);
        return -1;
    }
    if (!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
        snprintf(err, errsz, "%s: %s", path, img.message);
        free(buf), free(out);
        return -1;
    }
    for (size_t i = 0; i < (size_t)img.width * img.height; i++)
        out[i] = (uint32_t)buf[4 * i + 3] << 24 | (uint32_t)buf[4 * i] << 16 | (uint32_t)buf[4 * i + 1] << 8 |
                 buf[4 * i + 2];
    free(buf);
    *argb = out;
    *w = (int)img.width;
    *h = (int)img.height;
    return 0;
}
