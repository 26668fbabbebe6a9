/* PNG files for the viewer: write an image atomically (a temporary file in
 * the same directory, then rename, so a PNG that exists is complete), and
 * read one back (for tests and tools). Pixels are 0xAARRGGBB words
 * (SDL_PIXELFORMAT_ARGB8888); files are written as 8-bit RGB. */
#ifndef LGV_PNG_H
#define LGV_PNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct SDL_Surface SDL_Surface;

/* pitch: pixels per row in argb (>= w). Returns 0, or -1 with a message. */
int lgv_png_write(const char *path, const uint32_t *argb, int w, int h, int pitch, char *err, size_t errsz);
/* Any surface (converted to ARGB8888 if needed). */
int lgv_png_write_surface(const char *path, SDL_Surface *s, char *err, size_t errsz);
/* Read a PNG into a malloc'd ARGB buffer of w*h words (caller frees). */
int lgv_png_read(const char *path, uint32_t **argb, int *w, int *h, char *err, size_t errsz);

#endif
