/* The base layer: string buffer, checksum, files, carving. */
#include <sys/stat.h>
#include <unistd.h>

#include <math.h>

#include "lg_carve.h"
#include "lg_checksum.h"
#include "lg_file.h"
#include "lg_rng.h"
#include "lg_sbuf.h"
#include "lg_test.h"

START_TEST(test_sbuf)
{
    lg_sbuf b = {0};
    lg_sb_puts(&b, "ab");
    lg_sb_putc(&b, 'c');
    lg_sb_spaces(&b, 2);
    lg_sb_printf(&b, "%d-%s", 42, "x");
    for (int i = 0; i < 1000; i++) lg_sb_putc(&b, 'y'); /* grows past the first capacity */
    ck_assert_uint_eq(b.len, 3 + 2 + 4 + 1000);
    ck_assert_int_eq(memcmp(b.p, "abc  42-xyy", 11), 0);
    ck_assert_int_eq(b.p[b.len], '\0');
    char *t = lg_sb_take(&b);
    ck_assert_ptr_null(b.p);
    ck_assert_uint_eq(strlen(t), 1009);
    free(t);
    lg_sbuf o = {0};
    o.oom = 1; /* sticky: nothing more is added, take gives NULL */
    lg_sb_puts(&o, "lost");
    ck_assert_ptr_null(lg_sb_take(&o));
}
END_TEST

START_TEST(test_fnv1a64)
{
    ck_assert_uint_eq(lg_fnv1a64(LG_FNV1A64_INIT, "", 0), 0xCBF29CE484222325ULL);
    ck_assert_uint_eq(lg_fnv1a64(LG_FNV1A64_INIT, "a", 1), 0xAF63DC4C8601EC8CULL);
    ck_assert_uint_eq(lg_fnv1a64(LG_FNV1A64_INIT, "foobar", 6), 0x85944171F73967E8ULL);
    ck_assert_uint_eq(lg_fnv1a64(lg_fnv1a64(LG_FNV1A64_INIT, "foo", 3), "bar", 3), 0x85944171F73967E8ULL);
}
END_TEST

static void temp_dir(char *dir, size_t n)
{
    snprintf(dir, n, "%s/lg_base_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

START_TEST(test_files)
{
    char dir[256], path[512], err[512], *text;
    size_t len;
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    ck_assert_int_eq(lg_mkdir_p(path, err, sizeof err), 0);
    ck_assert_int_eq(lg_mkdir_p(path, err, sizeof err), 0); /* exists: fine */
    snprintf(path, sizeof path, "%s/a/b/c/f.txt", dir);
    ck_assert_int_eq(lg_write_atomic(path, "hello", 5, err, sizeof err), 0);
    ck_assert_int_eq(lg_write_atomic(path, "world!", 6, err, sizeof err), 0); /* replaces */
    ck_assert_int_eq(lg_read_file(path, 6, &text, &len, err, sizeof err), 0);
    ck_assert_uint_eq(len, 6);
    ck_assert_str_eq(text, "world!");
    free(text);
    ck_assert_int_eq(lg_read_head(path, 3, &text, &len, err, sizeof err), 0); /* a prefix: no error */
    ck_assert_uint_eq(len, 3);
    ck_assert_str_eq(text, "wor");
    free(text);
    ck_assert_int_eq(lg_read_file(path, 5, &text, &len, err, sizeof err), -2);
    ck_assert_ptr_null(text);
    ck_assert_ptr_nonnull(strstr(err, "at most 5 bytes"));
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0644);
    /* an aborted write leaves the old file and no temporary */
    lg_afile *af = lg_afile_open(path, err, sizeof err);
    ck_assert_ptr_nonnull(af);
    fputs("half", lg_afile_stream(af));
    lg_afile_abort(af);
    ck_assert_int_eq(lg_read_file(path, 100, &text, &len, err, sizeof err), 0);
    ck_assert_str_eq(text, "world!");
    free(text);
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test $(ls %s | wc -l) -eq 1", path);
    ck_assert_int_eq(system(cmd), 0);
    /* errors name the path */
    snprintf(path, sizeof path, "%s/missing/f.txt", dir);
    ck_assert_int_eq(lg_write_atomic(path, "x", 1, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "missing/f.txt: cannot create a temporary file"));
    ck_assert_int_eq(lg_read_file(path, 10, &text, &len, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "missing/f.txt: cannot open"));
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_carve)
{
    lg_carver cv = {NULL, 0};
    ck_assert_ptr_null(lg_carve(&cv, 1));
    lg_carve(&cv, 64);
    lg_carve(&cv, 65);
    ck_assert_uint_eq(cv.used, 64 + 64 + 128);
    char *block = malloc(cv.used + 64);
    char *base = (char *)(((uintptr_t)block + 63) & ~(uintptr_t)63);
    lg_carver real = {base, 0};
    char *a = lg_carve(&real, 1), *b = lg_carve(&real, 64), *c = lg_carve(&real, 65);
    ck_assert_ptr_eq(a, base);
    ck_assert_ptr_eq(b, base + 64);
    ck_assert_ptr_eq(c, base + 128);
    ck_assert_uint_eq(real.used, cv.used);
    free(block);
}
END_TEST

/* The world's own float log, exp and cos against libm in double, over
 * every 24-bit input the normal draw can give and wide ranges, and the
 * float normal's moments and tail over 4 million draws. */
START_TEST(test_float_math)
{
    double worst_log = 0, worst_cos = 0, worst_exp = 0, worst_big_log = 0;
    for (uint32_t i = 0; i < (1u << 24); i += 7) {
        const float u = ((float)i + 0.5f) / 16777216.0f, v = (float)i / 16777216.0f;
        worst_log = fmax(worst_log, fabs(lg_logf(u) - log(u)) / fabs(log(u)));
        worst_cos = fmax(worst_cos, fabs(lg_cos2pif(v) - cos(6.283185307179586 * v)));
        const float x = -86.0f * v, y = 1.0f + 1e7f * v;
        worst_exp = fmax(worst_exp, fabs(lg_expf_neg(x) - exp(x)) / exp(x));
        worst_big_log = fmax(worst_big_log, y > 1.0f ? fabs(lg_logf(y) - log(y)) / log(y) : fabs(lg_logf(y)));
    }
    ck_assert_msg(worst_log < 5e-7 && worst_big_log < 5e-7, "log: relative error %g in (0, 1), %g above", worst_log,
                  worst_big_log);
    ck_assert_msg(worst_cos < 3e-7, "cos: error %g", worst_cos);
    ck_assert_msg(worst_exp < 5e-7, "exp: relative error %g", worst_exp);
    ck_assert_float_eq(lg_expf_neg(-100.0f), 0.0f);
    ck_assert_float_eq(lg_expf_neg(0.0f), 1.0f);
    ck_assert_float_eq(lg_logf(1.0f), 0.0f);
    double s = 0, s2 = 0, s4 = 0;
    long tail = 0;
    const long n = 4000000;
    for (long i = 0; i < n; i++) {
        const double z = lg_normalf(0xC0FFEEULL, (uint64_t)i);
        s += z, s2 += z * z, s4 += z * z * z * z, tail += fabs(z) > 3.0;
    }
    const double mean = s / n, var = s2 / n - mean * mean;
    ck_assert_msg(fabs(mean) < 0.003 && fabs(var - 1.0) < 0.004, "normal: mean %f, variance %f", mean, var);
    ck_assert_msg(fabs(s4 / n - 3.0) < 0.03, "normal: fourth moment %f, expected 3", s4 / n);
    ck_assert_msg(fabs((double)tail / n - 0.0026998) < 0.0002, "normal: P(|z| > 3) = %f, expected 0.0027", (double)tail / n);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("base");
    TCase *tc = tcase_create("base");
    tcase_add_test(tc, test_sbuf);
    tcase_add_test(tc, test_fnv1a64);
    tcase_add_test(tc, test_files);
    tcase_add_test(tc, test_carve);
    tcase_add_test(tc, test_float_math);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
