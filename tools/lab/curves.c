/* Learning curves from CSV: strict parsing and Student-t statistics. */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lgx_curves.h"

/* Kept apart from lgx_t95 (lgx_stats.h) until plots and results share one
 * quantile: see the commit that unifies them. */
double lgx_t95_precise(int df)
{
    static const double t[30] = {12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
                                 2.262157,  2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905,
                                 2.109816,  2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899,
                                 2.059539,  2.055529, 2.051831, 2.048407, 2.045230, 2.042272};
    if (df < 1) return NAN;
    if (df <= 30) return t[df - 1];
    /* Cornish-Fisher expansion of t around the normal quantile z (Abramowitz
     * and Stegun 26.7.5); below 1e-5 relative error from df 30 on. */
    const double z = 1.959963984540054, n = (double)df;
    double z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
    double g1 = (z3 + z) / 4.0;
    double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96.0;
    double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384.0;
    double g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160.0;
    return z + g1 / n + g2 / (n * n) + g3 / (n * n * n) + g4 / (n * n * n * n);
}

/* ---- reading ---------------------------------------------------------------- */

typedef struct {
    int agent;
    long seed;
    double x, v;
    long line;
} row;

typedef struct {
    const char *path;
    char *err;
    size_t errsz;
} ctx;

static void show(char *out, size_t n, const char *s, size_t len)
{
    /* a field or line quoted for a message: escaped and shortened */
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (k + 12 >= n) {
            memcpy(out + k, "...", 4);
            return;
        }
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') out[k++] = '\\', out[k++] = (char)ch;
        else if (ch < 32 || ch == 127) k += (size_t)snprintf(out + k, n - k, "\\x%02x", ch);
        else out[k++] = (char)ch;
    }
    out[k] = 0;
}

/* Split one line into fields (RFC 4180 quotes allowed). Fields are written,
 * unquoted and NUL-terminated, into buf. Returns the field count, or -1 on an
 * unterminated quote, -2 when there are more than max fields. */
static int split(const char *s, size_t len, char *buf, char **fields, int max)
{
    int n = 0;
    size_t i = 0, k = 0;
    for (;;) {
        if (n == max) return -2;
        fields[n++] = buf + k;
        if (i < len && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) return -1;
                if (s[i] == '"') {
                    if (i + 1 < len && s[i + 1] == '"') {
                        buf[k++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                buf[k++] = s[i++];
            }
            while (i < len && s[i] != ',') buf[k++] = s[i++]; /* junk after a closing quote stays visible */
        } else {
            while (i < len && s[i] != ',') buf[k++] = s[i++];
        }
        buf[k++] = 0;
        if (i >= len) break;
        i++; /* the comma */
    }
    return n;
}

static char *trim(char *f)
{
    while (*f == ' ' || *f == '\t') f++;
    size_t n = strlen(f);
    while (n > 0 && (f[n - 1] == ' ' || f[n - 1] == '\t')) f[--n] = 0;
    return f;
}

static int parse_number(const char *f, double *out)
{
    if (!*f) return -1;
    char *end;
    errno = 0;
    double v = strtod(f, &end);
    if (end == f || *end || (errno == ERANGE && isinf(v))) return -1;
    *out = v;
    return 0;
}

static int cmp_row(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->agent != y->agent) return x->agent < y->agent ? -1 : 1;
    if (x->x != y->x) return x->x < y->x ? -1 : 1;
    if (x->seed != y->seed) return x->seed < y->seed ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

void lgx_curves_free(lgx_curves *c)
{
    if (c->curves)
        for (int i = 0; i < c->n_curves; i++) {
            free(c->curves[i].x);
            free(c->curves[i].count);
        }
    free(c->curves);
    memset(c, 0, sizeof *c);
}

static int fail(const ctx *cx, int rc, long line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(const ctx *cx, int rc, long line, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        snprintf(cx->err, cx->errsz, "%s:%ld: %s", cx->path, line, msg);
    else
        snprintf(cx->err, cx->errsz, "%s: %s", cx->path, msg);
    return rc;
}

static int read_all(const ctx *cx, char **text, size_t *len)
{
    struct stat st;
    if (stat(cx->path, &st) != 0)
        return fail(cx, 2, 0, "cannot open: %s", strerror(errno));
    if (S_ISDIR(st.st_mode)) return fail(cx, 2, 0, "expected a CSV file, found a directory");
    if (st.st_size > LGX_CURVES_MAX_BYTES)
        return fail(cx, 2, 0, "expected at most %ld bytes, found %lld", LGX_CURVES_MAX_BYTES, (long long)st.st_size);
    FILE *f = fopen(cx->path, "rb");
    if (!f) return fail(cx, 2, 0, "cannot open: %s", strerror(errno));
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        return fail(cx, 1, 0, "out of memory for %zu bytes", cap);
    }
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) { /* the file grew while we read it */
            fclose(f);
            free(buf);
            return fail(cx, 2, 0, "the file changed while it was read");
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return fail(cx, 1, 0, "read error");
    }
    buf[n] = 0;
    if (memchr(buf, 0, n)) {
        free(buf);
        return fail(cx, 2, 0, "expected CSV text, found a NUL byte (a binary file?)");
    }
    *text = buf;
    *len = n;
    return 0;
}

int lgx_curves_load(const char *path, const char *metric, lgx_curves *out, char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    ctx cx = {path, err, errsz};
    char *text = NULL;
    size_t len = 0;
    int rc = read_all(&cx, &text, &len);
    if (rc) return rc;

    char *fieldbuf = NULL;
    row *rows = NULL;
    size_t n_rows = 0, cap_rows = 0;
    char labels[LGX_CURVES_MAX_AGENTS][LGX_COLUMN_LEN];
    int n_labels = 0;
    char *fields[LGX_CURVES_MAX_COLUMNS + 1];
    int ncol = 0, c_agent = -1, c_seed = -1, c_x = -1, c_metric = -1;
    char shown[160];
    long line = 0;
    size_t pos = 0;
    size_t maxline = 0;
    /* the longest line bounds the field buffer */
    for (size_t i = 0, start = 0; i <= len; i++)
        if (i == len || text[i] == '\n') {
            if (i - start > maxline) maxline = i - start;
            start = i + 1;
        }
    if (!(fieldbuf = malloc(maxline + LGX_CURVES_MAX_COLUMNS + 2))) {
        rc = fail(&cx, 1, 0, "out of memory");
        goto out;
    }
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF)
        pos = 3; /* UTF-8 byte order mark */

    int header_done = 0;
    while (pos < len) {
        size_t start = pos;
        while (pos < len && text[pos] != '\n') pos++;
        size_t l = pos - start;
        if (pos < len) pos++;
        line++;
        if (l > 0 && text[start + l - 1] == '\r') l--;
        const char *s = text + start;
        int blank = 1;
        for (size_t i = 0; i < l; i++)
            if (s[i] != ' ' && s[i] != '\t') blank = 0;
        if (blank) {
            if (!header_done) {
                rc = fail(&cx, 2, line, "expected a header line (agent,seed,step,metric,...), found an empty line");
                goto out;
            }
            continue; /* blank lines between rows (a trailing newline) are fine */
        }
        int nf = split(s, l, fieldbuf, fields, LGX_CURVES_MAX_COLUMNS + 1);
        if (nf == -1) {
            show(shown, sizeof shown, s, l);
            rc = fail(&cx, 2, line, "expected a closing quote, found the end of the line \"%s\"", shown);
            goto out;
        }
        if (nf == -2) {
            rc = fail(&cx, 2, line, "expected at most %d columns, found more", LGX_CURVES_MAX_COLUMNS);
            goto out;
        }
        for (int i = 0; i < nf; i++) fields[i] = trim(fields[i]);
        if (!header_done) {
            ncol = nf;
            for (int i = 0; i < nf; i++) {
                const char *f = fields[i];
                if (!*f || strlen(f) >= LGX_COLUMN_LEN) {
                    show(shown, sizeof shown, f, strlen(f));
                    rc = fail(&cx, 2, line, "header column %d: expected a name of 1 to %d characters, found \"%s\"",
                              i + 1, LGX_COLUMN_LEN - 1, shown);
                    goto out;
                }
                for (int j = 0; j < i; j++)
                    if (!strcmp(fields[j], f)) {
                        rc = fail(&cx, 2, line, "header: expected distinct column names, found \"%s\" twice", f);
                        goto out;
                    }
                if (!strcmp(f, "agent")) c_agent = i;
                else if (!strcmp(f, "seed")) c_seed = i;
                else if (!strcmp(f, "step") || !strcmp(f, "episode")) {
                    if (c_x >= 0) {
                        rc = fail(&cx, 2, line, "header: expected one x column (step or episode), found both");
                        goto out;
                    }
                    c_x = i;
                } else
                    snprintf(out->metrics[out->n_metrics++], LGX_COLUMN_LEN, "%s", f);
            }
            if (c_agent < 0 || c_x < 0 || out->n_metrics == 0) {
                show(shown, sizeof shown, s, l);
                rc = fail(&cx, 2, line,
                          "expected a header with columns agent, [seed,] step (or episode) and at least one metric, "
                          "found \"%s\"",
                          shown);
                goto out;
            }
            const char *want = metric;
            if (!want) {
                want = out->metrics[0];
                for (int m = 0; m < out->n_metrics; m++)
                    if (!strcmp(out->metrics[m], "return")) want = "return";
            }
            for (int i = 0; i < nf; i++)
                if (i != c_agent && i != c_seed && i != c_x && !strcmp(fields[i], want)) c_metric = i;
            if (c_metric < 0) {
                char avail[1024] = "";
                for (int m = 0; m < out->n_metrics; m++) {
                    strncat(avail, m ? ", " : "", sizeof avail - strlen(avail) - 1);
                    strncat(avail, out->metrics[m], sizeof avail - strlen(avail) - 1);
                }
                show(shown, sizeof shown, want, strlen(want));
                rc = fail(&cx, 2, 0, "unknown metric \"%s\" (this file has: %s)", shown, avail);
                goto out;
            }
            snprintf(out->metric, sizeof out->metric, "%s", want);
            snprintf(out->xcol, sizeof out->xcol, "%s", fields[c_x]);
            out->has_seed = c_seed >= 0;
            header_done = 1;
            continue;
        }
        if (nf != ncol) {
            rc = fail(&cx, 2, line, "expected %d fields (as in the header), found %d", ncol, nf);
            goto out;
        }
        row r = {0, 1, 0, 0, line};
        const char *lab = fields[c_agent];
        if (!*lab || strlen(lab) >= LGX_COLUMN_LEN) {
            show(shown, sizeof shown, lab, strlen(lab));
            rc = fail(&cx, 2, line, "column \"agent\": expected a label of 1 to %d characters, found \"%s\"",
                      LGX_COLUMN_LEN - 1, shown);
            goto out;
        }
        r.agent = -1;
        for (int a = 0; a < n_labels; a++)
            if (!strcmp(labels[a], lab)) r.agent = a;
        if (r.agent < 0) {
            if (n_labels == LGX_CURVES_MAX_AGENTS) {
                rc = fail(&cx, 2, line, "expected at most %d agents, found more", LGX_CURVES_MAX_AGENTS);
                goto out;
            }
            snprintf(labels[n_labels], LGX_COLUMN_LEN, "%s", lab);
            r.agent = n_labels++;
        }
        if (c_seed >= 0) {
            double sd;
            const char *f = fields[c_seed];
            if (parse_number(f, &sd) || sd != floor(sd) || sd < 0 || sd > 1e15) {
                show(shown, sizeof shown, f, strlen(f));
                rc = fail(&cx, 2, line, "column \"seed\": expected a non-negative integer, found \"%s\"", shown);
                goto out;
            }
            r.seed = (long)sd;
        }
        const char *fx = fields[c_x];
        if (parse_number(fx, &r.x) || !isfinite(r.x)) {
            show(shown, sizeof shown, fx, strlen(fx));
            rc = fail(&cx, 2, line, "column \"%s\": expected a finite number, found \"%s\"", out->xcol, shown);
            goto out;
        }
        const char *fv = fields[c_metric];
        if (parse_number(fv, &r.v)) {
            show(shown, sizeof shown, fv, strlen(fv));
            rc = fail(&cx, 2, line, "column \"%s\": expected a number, found \"%s\"", out->metric, shown);
            goto out;
        }
        if (n_rows == cap_rows) {
            size_t nc = cap_rows ? 2 * cap_rows : 256;
            row *nr = realloc(rows, nc * sizeof *rows);
            if (!nr) {
                rc = fail(&cx, 1, 0, "out of memory");
                goto out;
            }
            rows = nr;
            cap_rows = nc;
        }
        rows[n_rows++] = r;
    }
    if (!header_done) {
        rc = fail(&cx, 2, 0, "expected a header line (agent,seed,step,metric,...), found an empty file");
        goto out;
    }
    if (n_rows == 0) {
        rc = fail(&cx, 2, 0, "expected data rows after the header, found none");
        goto out;
    }

    qsort(rows, n_rows, sizeof *rows, cmp_row);
    for (size_t i = 1; i < n_rows; i++)
        if (rows[i].agent == rows[i - 1].agent && rows[i].x == rows[i - 1].x && rows[i].seed == rows[i - 1].seed) {
            if (c_seed >= 0)
                rc = fail(&cx, 2, rows[i].line, "expected one row per (agent, seed, %s), found a second for (%s, %ld, %g) (first on line %ld)",
                          out->xcol, labels[rows[i].agent], rows[i].seed, rows[i].x, rows[i - 1].line);
            else
                rc = fail(&cx, 2, rows[i].line, "expected one row per (agent, %s), found a second for (%s, %g) (first on line %ld)",
                          out->xcol, labels[rows[i].agent], rows[i].x, rows[i - 1].line);
            goto out;
        }

    if (!(out->curves = calloc((size_t)n_labels, sizeof *out->curves))) {
        rc = fail(&cx, 1, 0, "out of memory");
        goto out;
    }
    out->n_curves = n_labels;
    out->min_count = 0;
    size_t i = 0;
    for (int a = 0; a < n_labels; a++) {
        lgx_curve *cv = &out->curves[a];
        snprintf(cv->label, sizeof cv->label, "%s", labels[a]);
        size_t first = i, npts = 0;
        for (size_t j = i; j < n_rows && rows[j].agent == a; j++)
            if (j == i || rows[j].x != rows[j - 1].x) npts++;
        if (!(cv->x = malloc(npts * 4 * sizeof(double) + 1)) || !(cv->count = malloc(npts * sizeof(int) + 1))) {
            rc = fail(&cx, 1, 0, "out of memory");
            goto out;
        }
        cv->mean = cv->x + npts;
        cv->lo = cv->mean + npts;
        cv->hi = cv->lo + npts;
        i = first;
        while (i < n_rows && rows[i].agent == a) {
            size_t j = i;
            double sum = 0;
            int k = 0;
            while (j < n_rows && rows[j].agent == a && rows[j].x == rows[i].x) {
                if (isfinite(rows[j].v)) sum += rows[j].v, k++;
                j++;
            }
            if (k > 0) {
                double mean = sum / k, ss = 0;
                for (size_t q = i; q < j; q++)
                    if (isfinite(rows[q].v)) ss += (rows[q].v - mean) * (rows[q].v - mean);
                double half = k > 1 ? lgx_t95_precise(k - 1) * sqrt(ss / (k - 1)) / sqrt((double)k) : NAN;
                int p = cv->n++;
                cv->x[p] = rows[i].x;
                cv->mean[p] = mean;
                cv->lo[p] = mean - half;
                cv->hi[p] = mean + half;
                cv->count[p] = k;
                if (k > out->max_count) out->max_count = k;
                if (out->min_count == 0 || k < out->min_count) out->min_count = k;
            }
            i = j;
        }
    }
    int any = 0;
    for (int a = 0; a < n_labels; a++) any |= out->curves[a].n > 0;
    if (!any) {
        rc = fail(&cx, 2, 0, "column \"%s\": expected at least one finite value, found none", out->metric);
        goto out;
    }
    rc = 0;
out:
    free(text);
    free(fieldbuf);
    free(rows);
    if (rc) lgx_curves_free(out);
    return rc;
}
