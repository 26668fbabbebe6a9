#include "lg_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct lg_afile {
    FILE *f;
    char *path, *tmp;
};

lg_afile *lg_afile_open(const char *path, char *err, size_t errsz)
{
    size_t n = strlen(path);
    lg_afile *a = calloc(1, sizeof *a);
    if (!a || !(a->path = malloc(n + 1)) || !(a->tmp = malloc(n + 12))) {
        if (a) free(a->path), free(a);
        snprintf(err, errsz, "%s: out of memory", path);
        return NULL;
    }
    memcpy(a->path, path, n + 1);
    memcpy(a->tmp, path, n);
    memcpy(a->tmp + n, ".tmp.XXXXXX", 12);
    int fd = mkstemp(a->tmp);
    if (fd < 0) {
        snprintf(err, errsz, "%s: cannot create a temporary file next to it: %s", path, strerror(errno));
        free(a->path), free(a->tmp), free(a);
        return NULL;
    }
    fchmod(fd, 0644); /* mkstemp's 0600 would make results private to their writer */
    if (!(a->f = fdopen(fd, "wb"))) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        close(fd);
        lg_afile_abort(a);
        return NULL;
    }
    return a;
}

FILE *lg_afile_stream(lg_afile *f) { return f->f; }

void lg_afile_abort(lg_afile *a)
{
    if (!a) return;
    if (a->f) fclose(a->f);
    unlink(a->tmp);
    free(a->path), free(a->tmp), free(a);
}

int lg_afile_commit(lg_afile *a, char *err, size_t errsz)
{
    int ok = !ferror(a->f) && fflush(a->f) == 0 && fsync(fileno(a->f)) == 0;
    int saved = errno;
    ok = fclose(a->f) == 0 && ok;
    a->f = NULL;
    if (!ok) {
        snprintf(err, errsz, "%s: write failed: %s", a->path, strerror(saved ? saved : errno));
        lg_afile_abort(a);
        return -1;
    }
    if (rename(a->tmp, a->path) != 0) {
        snprintf(err, errsz, "%s: cannot rename the temporary file into place: %s", a->path, strerror(errno));
        lg_afile_abort(a);
        return -1;
    }
    free(a->path), free(a->tmp), free(a);
    return 0;
}

int lg_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errsz)
{
    lg_afile *a = lg_afile_open(path, err, errsz);
    if (!a) return -1;
    if (fwrite(data, 1, len, a->f) != len) {
        snprintf(err, errsz, "%s: write failed: %s", path, strerror(errno));
        lg_afile_abort(a);
        return -1;
    }
    return lg_afile_commit(a, err, errsz);
}

int lg_read_head(const char *path, size_t max, char **out, size_t *len, char *err, size_t errsz)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsz, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 0, n = 0;
    char *buf = NULL;
    int rc = 0;
    for (;;) {
        if (n == cap) {
            if (buf && cap >= max) break;
            size_t ncap = buf ? cap * 2 : 65536;
            if (ncap > max) ncap = max;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                snprintf(err, errsz, "%s: out of memory", path);
                rc = -1;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (!rc && ferror(f)) {
        snprintf(err, errsz, "%s: cannot read: %s", path, strerror(errno));
        rc = -1;
    }
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int lg_read_file(const char *path, size_t max, char **out, size_t *len, char *err, size_t errsz)
{
    if (lg_read_head(path, max + 1, out, len, err, errsz)) return -1;
    if (*len <= max) return 0;
    snprintf(err, errsz, "%s: expected a file of at most %zu bytes, found a larger one", path, max);
    free(*out);
    *out = NULL;
    *len = 0;
    return -2;
}

int lg_mkdir_p(const char *dir, char *err, size_t errsz)
{
    size_t n = strlen(dir);
    char *buf = malloc(n + 1);
    if (!buf) return snprintf(err, errsz, "%s: out of memory", dir), -1;
    memcpy(buf, dir, n + 1);
    int rc = 0;
    for (char *p = buf + 1; *p && !rc; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) rc = -1;
        *p = '/';
    }
    if (!rc && mkdir(buf, 0777) != 0 && errno != EEXIST) rc = -1;
    if (rc) snprintf(err, errsz, "%s: %s", dir, strerror(errno));
    free(buf);
    return rc;
}
