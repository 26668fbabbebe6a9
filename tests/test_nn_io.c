/* The lgn network core's serialisation: round trips, and corrupt or
 * truncated blocks refused with a message. */
#include <stdio.h>

#include "nn_test.h"

/* -------------------------------------------------------- serialisation */

START_TEST(test_serialise_round_trip)
{
    lgn_adam oa;
    lgn_mlp *a = train_100(4, 5, &oa);
    size_t nn = lgn_mlp_write_size(a), na = lgn_adam_write_size(&oa);
    unsigned char *buf = malloc(nn + na);
    ck_assert_uint_eq(lgn_mlp_write(a, buf, nn - 1), 0); /* too small */
    ck_assert_uint_eq(lgn_mlp_write(a, buf, nn), nn);
    ck_assert_uint_eq(lgn_adam_write(&oa, buf + nn, na), na);
    char err[256] = "";
    lgn_mlp *b = NULL;
    size_t used = 0;
    ck_assert_msg(lgn_mlp_read(buf, nn + na, 8, &b, &used, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(used, nn);
    lgn_adam ob;
    ck_assert_int_eq(lgn_adam_init(&ob, lgn_mlp_n_params(b), 1, 0, 0, 1), 0);
    ck_assert_msg(lgn_adam_read(&ob, buf + used, na, &used, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(used, na);
    size_t n = lgn_mlp_n_params(a);
    ck_assert(lgn_mlp_same_shape(a, b));
    ck_assert(!memcmp(lgn_mlp_params(a), lgn_mlp_params(b), sizeof(float) * n));
    ck_assert(!memcmp(oa.m, ob.m, sizeof(float) * 2 * n));
    ck_assert_uint_eq(oa.step, ob.step);
    ck_assert(oa.lr == ob.lr && oa.beta1 == ob.beta1 && oa.beta2 == ob.beta2 && oa.eps == ob.eps);
    {   /* eps 0 in a file ("LGNA", version, n, step, lr, beta1, beta2, eps at byte 36) is refused */
        unsigned char *blk = (unsigned char *)buf + nn, keep[4];
        memcpy(keep, blk + 36, 4);
        memset(blk + 36, 0, 4);
        ck_assert_int_eq(lgn_adam_read(&ob, blk, na, NULL, err, sizeof err), -1);
        ck_assert_msg(strstr(err, "bad hyperparameters") && strstr(err, "eps 0"), "%s", err);
        memcpy(blk + 36, keep, 4);
    }
    /* Training continues identically from the copy. */
    float x[8 * 6], tgt[8], dout[8 * 3];
    int32_t col[8];
    for (int i = 0; i < 8 * 6; i++) x[i] = (float)(i % 7) * 0.1f;
    for (int r = 0; r < 8; r++) col[r] = r % 3, tgt[r] = (float)r;
    for (int t = 0; t < 5; t++) {
        train_step(a, &oa, x, 8, col, tgt, dout, 0);
        train_step(b, &ob, x, 8, col, tgt, dout, 0);
    }
    ck_assert(!memcmp(lgn_mlp_params(a), lgn_mlp_params(b), sizeof(float) * n));
    /* read_params into an existing net; FILE* round trip. */
    lgn_mlp_write(a, buf, nn);
    int w[] = {6, 16, 16, 3};
    lgn_mlp *c = make_net(w, 4, 2, 99);
    ck_assert_int_eq(lgn_mlp_read_params(c, buf, nn, NULL, err, sizeof err), 0);
    ck_assert(!memcmp(lgn_mlp_params(a), lgn_mlp_params(c), sizeof(float) * n));
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(lgn_mlp_fwrite(a, f, err, sizeof err), 0);
    ck_assert_int_eq(lgn_adam_fwrite(&oa, f, err, sizeof err), 0);
    rewind(f);
    lgn_mlp *d = NULL;
    lgn_adam od;
    ck_assert_msg(lgn_mlp_fread(f, 3, &d, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(lgn_adam_init(&od, n, 1, 0, 0, 1), 0);
    ck_assert_msg(lgn_adam_fread(&od, f, err, sizeof err) == 0, "%s", err);
    ck_assert(!memcmp(lgn_mlp_params(a), lgn_mlp_params(d), sizeof(float) * n));
    ck_assert(!memcmp(oa.m, od.m, sizeof(float) * 2 * n));
    ck_assert_uint_eq(oa.step, od.step);
    rewind(f);
    ck_assert_int_eq(lgn_mlp_fread_params(c, f, err, sizeof err), 0);
    fclose(f);
    /* SGD state. */
    lgn_sgd s1, s2;
    ck_assert_int_eq(lgn_sgd_init(&s1, 10, 0.1f, 0.9f), 0);
    ck_assert_int_eq(lgn_sgd_init(&s2, 10, 0.5f, 0.5f), 0);
    for (int i = 0; i < 10; i++) s1.vel[i] = (float)i;
    s1.step = 7;
    unsigned char sb[256];
    size_t ns = lgn_sgd_write(&s1, sb, sizeof sb);
    ck_assert_uint_eq(ns, lgn_sgd_write_size(&s1));
    ck_assert_int_eq(lgn_sgd_read(&s2, sb, ns, NULL, err, sizeof err), 0);
    ck_assert(!memcmp(s1.vel, s2.vel, sizeof(float) * 10) && s2.step == 7 && s2.lr == 0.1f);
    lgn_sgd_free(&s1), lgn_sgd_free(&s2);
    free(buf);
    lgn_adam_free(&oa), lgn_adam_free(&ob), lgn_adam_free(&od);
    lgn_mlp_free(a), lgn_mlp_free(b), lgn_mlp_free(c), lgn_mlp_free(d);
}
END_TEST

/* An exact-size heap copy, so that AddressSanitizer sees any over-read. */
static unsigned char *dup_bytes(const unsigned char *p, size_t n)
{
    unsigned char *q = malloc(n ? n : 1);
    memcpy(q, p, n);
    return q;
}

static int read_net_fails(const unsigned char *buf, size_t len, lgn_mlp *into)
{
    char err[256] = "";
    unsigned char *q = dup_bytes(buf, len);
    lgn_mlp *net = (lgn_mlp *)1;
    int rc1 = lgn_mlp_read(q, len, 4, &net, NULL, err, sizeof err);
    int ok1 = rc1 != 0 && net == NULL && strstr(err, "offset") != NULL;
    err[0] = 0;
    int rc2 = lgn_mlp_read_params(into, q, len, NULL, err, sizeof err);
    int ok2 = rc2 != 0 && strstr(err, "offset") != NULL;
    if (rc1 == 0) lgn_mlp_free(net);
    free(q);
    return ok1 && ok2;
}

START_TEST(test_serialise_rejects_corrupt_and_truncated)
{
    int w[] = {3, 5, 2};
    lgn_mlp *a = make_net(w, 3, 2, 1), *into = make_net(w, 3, 2, 2);
    size_t n = lgn_mlp_write_size(a), np = lgn_mlp_n_params(a);
    unsigned char *buf = malloc(n);
    lgn_mlp_write(a, buf, n);
    float *before = malloc(sizeof(float) * np);
    memcpy(before, lgn_mlp_params(into), sizeof(float) * np);
    for (size_t len = 0; len < n; len++) ck_assert_msg(read_net_fails(buf, len, into), "prefix %zu accepted", len);
    /* Every header byte, flipped three ways. */
    size_t header = 12 + 4 * 3 + 8;
    unsigned char flips[] = {0x01, 0x80, 0xFF};
    for (size_t i = 0; i < header; i++)
        for (int k = 0; k < 3; k++) {
            buf[i] ^= flips[k];
            ck_assert_msg(read_net_fails(buf, n, into), "header byte %zu ^ %02x accepted", i, flips[k]);
            buf[i] ^= flips[k];
        }
    /* A NaN and an infinity among the parameters. */
    for (int k = 0; k < 2; k++) {
        unsigned char save[4];
        size_t at = header + 4 * (k ? np - 1 : 3);
        memcpy(save, buf + at, 4);
        memcpy(buf + at, k ? "\x00\x00\x80\x7f" : "\x00\x00\xc0\x7f", 4);
        ck_assert(read_net_fails(buf, n, into));
        memcpy(buf + at, save, 4);
    }
    /* Truncated files. */
    size_t cuts[] = {0, 10, 12 + 4 * 3 + 4, n - 3};
    for (int k = 0; k < 4; k++) {
        FILE *f = tmpfile();
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(buf, 1, cuts[k], f), cuts[k]);
        rewind(f);
        lgn_mlp *g = (lgn_mlp *)1;
        char ferr[256] = "";
        ck_assert_int_ne(lgn_mlp_fread(f, 2, &g, ferr, sizeof ferr), 0);
        ck_assert_ptr_null(g);
        ck_assert_msg(strstr(ferr, "truncated") != NULL, "cut %zu: %s", cuts[k], ferr);
        rewind(f);
        ck_assert_int_ne(lgn_mlp_fread_params(into, f, ferr, sizeof ferr), 0);
        fclose(f);
    }
    /* Another shape is rejected by read_params. */
    int w2[] = {3, 6, 2};
    lgn_mlp *other = make_net(w2, 3, 2, 1);
    char err[256];
    ck_assert_int_ne(lgn_mlp_read_params(other, buf, n, NULL, err, sizeof err), 0);
    ck_assert(!memcmp(before, lgn_mlp_params(into), sizeof(float) * np)); /* untouched */
    /* Adam: truncation, tag, version, size, NaN moment, negative v. */
    lgn_adam o, o2;
    ck_assert_int_eq(lgn_adam_init(&o, np, 1e-3f, 0.9f, 0.999f, 1e-8f), 0);
    ck_assert_int_eq(lgn_adam_init(&o2, np, 1e-3f, 0.9f, 0.999f, 1e-8f), 0);
    size_t na = lgn_adam_write_size(&o);
    unsigned char *ab = malloc(na);
    lgn_adam_write(&o, ab, na);
    for (size_t len = 0; len < na; len++) {
        unsigned char *q = dup_bytes(ab, len);
        ck_assert_int_ne(lgn_adam_read(&o2, q, len, NULL, err, sizeof err), 0);
        free(q);
    }
    size_t bad_at[] = {0, 4, 8, 15, 40, 40 + 4 * np};
    for (int k = 0; k < 6; k++) {
        unsigned char save[4];
        memcpy(save, ab + bad_at[k], 4);
        memcpy(ab + bad_at[k], k < 4 ? "\x11\x22\x33\x44" : (k == 4 ? "\x00\x00\xc0\x7f" : "\x00\x00\x80\xbf"), 4);
        ck_assert_msg(lgn_adam_read(&o2, ab, na, NULL, err, sizeof err) != 0, "adam corruption %d accepted", k);
        memcpy(ab + bad_at[k], save, 4);
    }
    ck_assert_int_eq(lgn_adam_read(&o2, ab, na, NULL, err, sizeof err), 0);
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(ab, 1, na - 1, f), na - 1);
    rewind(f);
    ck_assert_int_ne(lgn_adam_fread(&o2, f, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "truncated") != NULL, "%s", err);
    fclose(f);
    lgn_adam_free(&o), lgn_adam_free(&o2);
    free(ab), free(buf), free(before);
    lgn_mlp_free(a), lgn_mlp_free(into), lgn_mlp_free(other);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nn_io");
    TCase *tc = tcase_create("nn_io");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_serialise_round_trip);
    tcase_add_test(tc, test_serialise_rejects_corrupt_and_truncated);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
