/* A results folder belongs to one run at a time and is read only as one
 * run's: a second run into it is refused while the first lives (naming it),
 * a new run replaces an old folder whole (a run that dies leaves no old
 * file beside its new ones), and readers refuse a folder whose files are
 * not the ones its status.json lists, or a partial one unless asked. */
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lg_test.h"
#include "lgx_folder.h"
#include "lgx_results.h"
#include "lgx_run.h"

static volatile sig_atomic_t no_stop, stop_now = 1;

static void config(lgx_run_config *c, const lg_scenario *sc, const char *dir, int seeds)
{
    memset(c, 0, sizeof *c);
    c->sc = sc;
    lgx_experiment_default(&c->ex);
    c->ex.seeds = seeds, c->ex.train_steps = 800, c->ex.eval_every = 400, c->ex.eval_sessions = 20, c->ex.slots = 4;
    c->threads = 2, c->out_dir = dir, c->command = "test", c->stop = &no_stop;
}

static int run(lgx_run_config *c, char *err, size_t n)
{
    lgx_run_result res;
    int rc = lgx_run(c, &res, err, n);
    lgx_run_result_free(&res);
    return rc;
}

static const char *const read_files[] = {"curves.csv", "scenario.json", NULL};

START_TEST(test_second_run_refused_while_first_lives)
{
    lg_scenario *sc = test_scenario();
    char dir[300], err[1024];
    snprintf(dir, sizeof dir, "%s/test_folder_lock", LG_BINARY_DIR);
    int fd = lgx_results_lock(dir, err, sizeof err); /* another run, as far as the folder knows */
    ck_assert_msg(fd >= 0, "%s", err);
    lgx_run_config c;
    config(&c, sc, dir, 1);
    ck_assert_int_eq(run(&c, err, sizeof err), -1);
    char want[128];
    snprintf(want, sizeof want, "in use by another livegym run (pid %ld, since ", (long)getpid());
    ck_assert_msg(strstr(err, dir) && strstr(err, want), "%s", err);
    lgx_results_unlock(fd);
    ck_assert_msg(run(&c, err, sizeof err) == 0, "%s", err); /* the lock went with its owner */
    free(sc);
}
END_TEST

START_TEST(test_new_run_replaces_the_folder_whole)
{
    lg_scenario *sc = test_scenario();
    char dir[300], err[1024], path[400];
    snprintf(dir, sizeof dir, "%s/test_folder_replace", LG_BINARY_DIR);
    lgx_run_config c;
    config(&c, sc, dir, 2);
    ck_assert_msg(run(&c, err, sizeof err) == 0, "%s", err);
    lgx_folder info;
    ck_assert_msg(lgx_folder_check(dir, read_files, 0, &info, err, sizeof err) == 0, "%s", err);
    ck_assert(info.complete && info.jobs_done == 6);
    /* while a reader holds the folder no run can start in it */
    ck_assert_int_eq(run(&c, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "in use by another livegym run"), "%s", err);
    lgx_folder_release(&info);
    /* Another experiment into the same folder, stopped before anything ran. */
    c.ex.seeds = 3, c.stop = &stop_now;
    ck_assert_int_eq(run(&c, err, sizeof err), 1);
    struct stat st;
    snprintf(path, sizeof path, "%s/runs/random/seed-1.json", dir);
    ck_assert_msg(stat(path, &st) != 0, "a finished run of the old experiment is still there");
    ck_assert_int_eq(lgx_folder_check(dir, read_files, 0, &info, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "a partial run (0 of 9 runs done)") && strstr(err, "--resume --out"), "%s", err);
    free(sc);
}
END_TEST

START_TEST(test_mixed_folder_refused)
{
    lg_scenario *sc = test_scenario();
    char a[300], b[300], err[1024], cmd[1200];
    snprintf(a, sizeof a, "%s/test_folder_a", LG_BINARY_DIR);
    snprintf(b, sizeof b, "%s/test_folder_b", LG_BINARY_DIR);
    lgx_run_config c;
    config(&c, sc, a, 1);
    ck_assert_msg(run(&c, err, sizeof err) == 0, "%s", err);
    config(&c, sc, b, 2);
    ck_assert_msg(run(&c, err, sizeof err) == 0, "%s", err);
    lgx_folder info;
    ck_assert_msg(lgx_folder_check(b, read_files, 0, &info, err, sizeof err) == 0, "%s", err);
    lgx_folder_release(&info);
    snprintf(cmd, sizeof cmd, "cp %s/curves.csv %s/curves.csv", a, b);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(lgx_folder_check(b, read_files, 1, &info, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "curves.csv: not the file of the run status.json describes") &&
                      strstr(err, "the folder mixes runs"),
                  "%s", err);
    /* and so does livegym compare, with a non-zero exit */
    snprintf(cmd, sizeof cmd, "%s/livegym compare %s %s >/dev/null 2>%s/compare.err", LG_BINARY_DIR, a, b, LG_BINARY_DIR);
    int st = system(cmd);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 2, "compare of a mixed folder: status %d", st);
    char *said = test_slurp(LG_BINARY_DIR "/compare.err", NULL);
    ck_assert_msg(strstr(said, "livegym compare: ") && strstr(said, "the folder mixes runs"), "%s", said);
    free(said);
    snprintf(cmd, sizeof cmd, "%s/status.json", b);
    test_write_bytes(cmd, (const unsigned char *)"{\"status\": \"done\"}", 18);
    ck_assert_int_eq(lgx_folder_check(b, read_files, 1, &info, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "status: expected \"complete\" or \"partial\""), "%s", err);
    ck_assert_int_eq(lgx_folder_check(LG_BINARY_DIR, read_files, 1, &info, err, sizeof err), 2);
    ck_assert_msg(strstr(err, "not a results folder of livegym run (no status.json)"), "%s", err);
    free(sc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("folder");
    TCase *tc = tcase_create("folder");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_second_run_refused_while_first_lives);
    tcase_add_test(tc, test_new_run_replaces_the_folder_whole);
    tcase_add_test(tc, test_mixed_folder_refused);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
