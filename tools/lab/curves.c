/* Learning curves from CSV (lgx_curves.h): strict parsing, then the mean and
 * 95% confidence interval across seeds at each point. */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lg_file.h"
#include "lgx_curves.h"
#include "lgx_stats.h"

/* ---- reading ---------------------------------------------------------------- */

typedef struct {
    int agent;
    long seed;
    double x, v;
    long line;
} row;

/* The state of one reading: the text, the current line, the header's
 * columns, the agents' labels in order of appearance, the rows. */
typedef struct {
    const char *path;
    char *err;
    size_t errsz;
    char *text;
    size_t len, pos;
    long line;
    char *fieldbuf;
    char *fields[LGX_CURVES_MAX_COLUMNS];
    int ncol, c_agent, c_seed, c_x, c_metric;
    char labels[LGX_CURVES_MAX_AGENTS][LGX_COLUMN_LEN];
    int n_labels;
    row *rows;
    size_t n_rows, cap_rows;
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

static int fail(ctx *cx, int rc, long line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(ctx *cx, int rc, long line, const char *fmt, ...)
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

/* The whole file, with the checks a CSV needs before parsing. */
static int read_all(ctx *cx)
{
    struct stat st;
    if (stat(cx->path, &st) != 0) return fail(cx, 2, 0, "cannot open: %s", strerror(errno));
    if (S_ISDIR(st.st_mode)) return fail(cx, 2, 0, "expected a CSV file, found a directory");
    if (st.st_size > LGX_CURVES_MAX_BYTES)
        return fail(cx, 2, 0, "expected at most %ld bytes, found %lld", LGX_CURVES_MAX_BYTES, (long long)st.st_size);
    int rc = lg_read_file(cx->path, LGX_CURVES_MAX_BYTES, &cx->text, &cx->len, cx->err, cx->errsz);
    if (rc) return rc == -2 ? 2 : 1;
    if (memchr(cx->text, 0, cx->len)) return fail(cx, 2, 0, "expected CSV text, found a NUL byte (a binary file?)");
    size_t maxline = 0; /* the longest line bounds the field buffer */
    for (size_t i = 0, start = 0; i <= cx->len; i++)
        if (i == cx->len || cx->text[i] == '\n') {
            if (i - start > maxline) maxline = i - start;
            start = i + 1;
        }
    if (!(cx->fieldbuf = malloc(maxline + LGX_CURVES_MAX_COLUMNS + 2))) return fail(cx, 1, 0, "out of memory");
    if (cx->len >= 3 && !memcmp(cx->text, "\xEF\xBB\xBF", 3)) cx->pos = 3; /* UTF-8 byte order mark */
    return 0;
}

/* The next line (without its "\r\n"); 0 at the end of the text. */
static int next_line(ctx *cx, const char **s, size_t *l)
{
    if (cx->pos >= cx->len) return 0;
    size_t start = cx->pos;
    while (cx->pos < cx->len && cx->text[cx->pos] != '\n') cx->pos++;
    *l = cx->pos - start;
    if (cx->pos < cx->len) cx->pos++;
    cx->line++;
    if (*l > 0 && cx->text[start + *l - 1] == '\r') (*l)--;
    *s = cx->text + start;
    return 1;
}

/* The header's nf fields: the columns, the metrics, and which one to read. */
static int read_header(ctx *cx, lgx_curves *out, const char *metric, const char *s, size_t l, int nf)
{
    char shown[160];
    char **fields = cx->fields;
    cx->ncol = nf;
    for (int i = 0; i < nf; i++) {
        const char *f = fields[i];
        if (!*f || strlen(f) >= LGX_COLUMN_LEN) {
            show(shown, sizeof shown, f, strlen(f));
            return fail(cx, 2, cx->line, "header column %d: expected a name of 1 to %d characters, found \"%s\"", i + 1,
                        LGX_COLUMN_LEN - 1, shown);
        }
        for (int j = 0; j < i; j++)
            if (!strcmp(fields[j], f))
                return fail(cx, 2, cx->line, "header: expected distinct column names, found \"%s\" twice", f);
        if (!strcmp(f, "agent")) cx->c_agent = i;
        else if (!strcmp(f, "seed")) cx->c_seed = i;
        else if (!strcmp(f, "step") || !strcmp(f, "episode")) {
            if (cx->c_x >= 0 && strcmp(fields[cx->c_x], "minute"))
                return fail(cx, 2, cx->line, "header: expected one x column (step or episode), found both");
            cx->c_x = i;
        } else if (!strcmp(f, "minute")) {
            if (cx->c_x < 0) cx->c_x = i; /* the x of timeline.csv; beside a step column, context */
        } else if (strcmp(f, "day") && strcmp(f, "hour") && strcmp(f, "slot_steps") && strcmp(f, "sessions"))
            snprintf(out->metrics[out->n_metrics++], LGX_COLUMN_LEN, "%s", f);
    }
    if (cx->c_agent < 0 || cx->c_x < 0 || out->n_metrics == 0) {
        show(shown, sizeof shown, s, l);
        return fail(cx, 2, cx->line,
                    "expected a header with columns agent, [seed,] step (or episode, or minute) and at least one metric, "
                    "found \"%s\"",
                    shown);
    }
    const char *want = metric;
    if (!want) {
        want = out->metrics[0];
        for (int m = 0; m < out->n_metrics; m++)
            if (!strcmp(out->metrics[m], "return")) want = "return";
    }
    for (int i = 0; i < nf; i++)
        if (i != cx->c_agent && i != cx->c_seed && i != cx->c_x && !strcmp(fields[i], want)) cx->c_metric = i;
    if (cx->c_metric < 0) {
        char avail[1024] = "";
        for (int m = 0; m < out->n_metrics; m++) {
            strncat(avail, m ? ", " : "", sizeof avail - strlen(avail) - 1);
            strncat(avail, out->metrics[m], sizeof avail - strlen(avail) - 1);
        }
        show(shown, sizeof shown, want, strlen(want));
        return fail(cx, 2, 0, "unknown metric \"%s\" (this file has: %s)", shown, avail);
    }
    snprintf(out->metric, sizeof out->metric, "%s", want);
    snprintf(out->xcol, sizeof out->xcol, "%s", fields[cx->c_x]);
    out->has_seed = cx->c_seed >= 0;
    return 0;
}

/* A data row of nf fields into cx->rows. */
static int read_row(ctx *cx, const lgx_curves *out, int nf)
{
    char shown[160];
    char **fields = cx->fields;
    if (nf != cx->ncol) return fail(cx, 2, cx->line, "expected %d fields (as in the header), found %d", cx->ncol, nf);
    row r = {-1, 1, 0, 0, cx->line};
    const char *lab = fields[cx->c_agent];
    if (!*lab || strlen(lab) >= LGX_COLUMN_LEN) {
        show(shown, sizeof shown, lab, strlen(lab));
        return fail(cx, 2, cx->line, "column \"agent\": expected a label of 1 to %d characters, found \"%s\"",
                    LGX_COLUMN_LEN - 1, shown);
    }
    for (int a = 0; a < cx->n_labels; a++)
        if (!strcmp(cx->labels[a], lab)) r.agent = a;
    if (r.agent < 0) {
        if (cx->n_labels == LGX_CURVES_MAX_AGENTS)
            return fail(cx, 2, cx->line, "expected at most %d agents, found more", LGX_CURVES_MAX_AGENTS);
        snprintf(cx->labels[cx->n_labels], LGX_COLUMN_LEN, "%s", lab);
        r.agent = cx->n_labels++;
    }
    if (cx->c_seed >= 0) {
        double sd;
        const char *f = fields[cx->c_seed];
        if (parse_number(f, &sd) || sd != floor(sd) || sd < 0 || sd > 1e15) {
            show(shown, sizeof shown, f, strlen(f));
            return fail(cx, 2, cx->line, "column \"seed\": expected a non-negative integer, found \"%s\"", shown);
        }
        r.seed = (long)sd;
    }
    const char *fx = fields[cx->c_x];
    if (parse_number(fx, &r.x) || !isfinite(r.x)) {
        show(shown, sizeof shown, fx, strlen(fx));
        return fail(cx, 2, cx->line, "column \"%s\": expected a finite number, found \"%s\"", out->xcol, shown);
    }
    const char *fv = fields[cx->c_metric];
    if (parse_number(fv, &r.v)) {
        show(shown, sizeof shown, fv, strlen(fv));
        return fail(cx, 2, cx->line, "column \"%s\": expected a number, found \"%s\"", out->metric, shown);
    }
    if (cx->n_rows == cx->cap_rows) {
        size_t nc = cx->cap_rows ? 2 * cx->cap_rows : 256;
        row *nr = realloc(cx->rows, nc * sizeof *cx->rows);
        if (!nr) return fail(cx, 1, 0, "out of memory");
        cx->rows = nr;
        cx->cap_rows = nc;
    }
    cx->rows[cx->n_rows++] = r;
    return 0;
}

/* Every line: the header, then the rows. */
static int read_lines(ctx *cx, lgx_curves *out, const char *metric)
{
    const char *s;
    size_t l;
    int header_done = 0;
    while (next_line(cx, &s, &l)) {
        int blank = 1;
        for (size_t i = 0; i < l; i++)
            if (s[i] != ' ' && s[i] != '\t') blank = 0;
        if (blank) {
            if (!header_done)
                return fail(cx, 2, cx->line, "expected a header line (agent,seed,step,metric,...), found an empty line");
            continue; /* blank lines between rows (a trailing newline) are fine */
        }
        int nf = split(s, l, cx->fieldbuf, cx->fields, LGX_CURVES_MAX_COLUMNS);
        if (nf == -1) {
            char shown[160];
            show(shown, sizeof shown, s, l);
            return fail(cx, 2, cx->line, "expected a closing quote, found the end of the line \"%s\"", shown);
        }
        if (nf == -2) return fail(cx, 2, cx->line, "expected at most %d columns, found more", LGX_CURVES_MAX_COLUMNS);
        for (int i = 0; i < nf; i++) cx->fields[i] = trim(cx->fields[i]);
        int rc = header_done ? read_row(cx, out, nf) : read_header(cx, out, metric, s, l, nf);
        if (rc) return rc;
        header_done = 1;
    }
    if (!header_done) return fail(cx, 2, 0, "expected a header line (agent,seed,step,metric,...), found an empty file");
    if (cx->n_rows == 0) return fail(cx, 2, 0, "expected data rows after the header, found none");
    return 0;
}

/* Sorted by (agent, x, seed); one row per (agent, seed, x). */
static int sort_rows(ctx *cx, const lgx_curves *out)
{
    row *rows = cx->rows;
    qsort(rows, cx->n_rows, sizeof *rows, cmp_row);
    for (size_t i = 1; i < cx->n_rows; i++) {
        if (rows[i].agent != rows[i - 1].agent || rows[i].x != rows[i - 1].x || rows[i].seed != rows[i - 1].seed)
            continue;
        if (cx->c_seed >= 0)
            return fail(cx, 2, rows[i].line,
                        "expected one row per (agent, seed, %s), found a second for (%s, %ld, %g) (first on line %ld)",
                        out->xcol, cx->labels[rows[i].agent], rows[i].seed, rows[i].x, rows[i - 1].line);
        return fail(cx, 2, rows[i].line,
                    "expected one row per (agent, %s), found a second for (%s, %g) (first on line %ld)", out->xcol,
                    cx->labels[rows[i].agent], rows[i].x, rows[i - 1].line);
    }
    return 0;
}

/* One curve per agent: mean and 95% CI over the finite values at each x. */
static int summarise(ctx *cx, lgx_curves *out)
{
    const row *rows = cx->rows;
    double *vals = malloc(sizeof(double) * cx->n_rows);
    if (!vals || !(out->curves = calloc((size_t)cx->n_labels, sizeof *out->curves))) {
        free(vals);
        return fail(cx, 1, 0, "out of memory");
    }
    out->n_curves = cx->n_labels;
    out->min_count = 0;
    int any = 0;
    size_t i = 0;
    for (int a = 0; a < cx->n_labels; a++) {
        lgx_curve *cv = &out->curves[a];
        snprintf(cv->label, sizeof cv->label, "%s", cx->labels[a]);
        size_t npts = 0;
        for (size_t j = i; j < cx->n_rows && rows[j].agent == a; j++)
            if (j == i || rows[j].x != rows[j - 1].x) npts++;
        if (!(cv->x = malloc(npts * 4 * sizeof(double) + 1)) || !(cv->count = malloc(npts * sizeof(int) + 1))) {
            free(vals);
            return fail(cx, 1, 0, "out of memory");
        }
        cv->mean = cv->x + npts;
        cv->lo = cv->mean + npts;
        cv->hi = cv->lo + npts;
        while (i < cx->n_rows && rows[i].agent == a) {
            size_t j = i;
            int k = 0;
            for (; j < cx->n_rows && rows[j].agent == a && rows[j].x == rows[i].x; j++)
                if (isfinite(rows[j].v)) vals[k++] = rows[j].v;
            if (k > 0) {
                lgx_stat st = lgx_stat_of(vals, k);
                int p = cv->n++;
                cv->x[p] = rows[i].x;
                cv->mean[p] = st.mean;
                cv->lo[p] = st.mean - st.ci95;
                cv->hi[p] = st.mean + st.ci95;
                cv->count[p] = k;
                if (k > out->max_count) out->max_count = k;
                if (out->min_count == 0 || k < out->min_count) out->min_count = k;
            }
            i = j;
        }
        any |= cv->n > 0;
    }
    free(vals);
    if (!any) return fail(cx, 2, 0, "column \"%s\": expected at least one finite value, found none", out->metric);
    return 0;
}

/* Read and check the rows of path (sorted, one per (agent, seed, x)) into a
 * new ctx, the header into *cv. Returns 0, 1 or 2; *cxp is set either way. */
static int read_rows(const char *path, const char *metric, lgx_curves *cv, ctx **cxp, char *err, size_t errsz)
{
    memset(cv, 0, sizeof *cv);
    ctx *cx = *cxp = calloc(1, sizeof *cx);
    if (!cx) return snprintf(err, errsz, "%s: out of memory", path), 1;
    cx->path = path, cx->err = err, cx->errsz = errsz;
    cx->c_agent = cx->c_seed = cx->c_x = cx->c_metric = -1;
    int rc = read_all(cx);
    if (!rc) rc = read_lines(cx, cv, metric);
    if (!rc) rc = sort_rows(cx, cv);
    return rc;
}

static void free_ctx(ctx *cx)
{
    if (cx) free(cx->text), free(cx->fieldbuf), free(cx->rows), free(cx);
}

int lgx_curves_load(const char *path, const char *metric, lgx_curves *out, char *err, size_t errsz)
{
    ctx *cx;
    int rc = read_rows(path, metric, out, &cx, err, errsz);
    if (!rc) rc = summarise(cx, out);
    free_ctx(cx);
    if (rc) lgx_curves_free(out);
    return rc;
}

static int cmp_final(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->agent != y->agent) return x->agent < y->agent ? -1 : 1;
    if (x->seed != y->seed) return x->seed < y->seed ? -1 : 1;
    return (x->x > y->x) - (x->x < y->x);
}

int lgx_finals_load(const char *path, const char *metric, lgx_finals *out, char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    lgx_curves head;
    ctx *cx;
    int rc = read_rows(path, metric, &head, &cx, err, errsz);
    if (!rc && cx->c_seed < 0)
        rc = fail(cx, 2, 1, "expected a seed column (the curves.csv of a train-eval run), found none");
    if (!rc && !(out->rows = malloc(sizeof *out->rows * cx->n_rows))) rc = fail(cx, 1, 0, "out of memory");
    if (!rc) {
        qsort(cx->rows, cx->n_rows, sizeof *cx->rows, cmp_final);
        for (size_t i = 0; i < cx->n_rows; i++) /* the last row of each (agent, seed) has its largest step */
            if (i + 1 == cx->n_rows || cx->rows[i + 1].agent != cx->rows[i].agent ||
                cx->rows[i + 1].seed != cx->rows[i].seed)
                out->rows[out->n++] = (lgx_final){cx->rows[i].agent, cx->rows[i].seed, cx->rows[i].v};
        out->n_agents = cx->n_labels;
        memcpy(out->labels, cx->labels, sizeof out->labels);
    }
    free_ctx(cx);
    if (rc) lgx_finals_free(out);
    return rc;
}

void lgx_finals_free(lgx_finals *f)
{
    free(f->rows);
    memset(f, 0, sizeof *f);
}
