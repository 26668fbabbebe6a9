/* A run killed at any moment (kill -9: no cleanup at all) or stopped by a
 * full disk leaves a folder that `livegym run --resume` finishes into the
 * very files an uninterrupted run writes, byte for byte; here with an
 * --agents list that leaves out the file's baseline. The livegym binary of
 * this build is the subject. */
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lg_test.h"

static const char *const compared[] = {"curves.csv", "timeline.csv", "summary.json", "status.json", "scenario.json",
                                       "runs/q-learning/seed-1.json", "runs/sarsa/seed-2.json",
                                       "runs/q-learning/seed-2.timeline", NULL};

/* livegym run tabular-small (q-learning and sarsa, no random: the file's
 * baseline) into dir, or --resume it; the child's pid. fsize > 0: the
 * child may write files of at most fsize bytes (a full disk, as far as the
 * writer can tell: every write past it fails with EFBIG). */
static pid_t start(const char *dir, int resume, long fsize)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (fsize > 0) {
            struct rlimit rl = {(rlim_t)fsize, (rlim_t)fsize};
            signal(SIGXFSZ, SIG_IGN);
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        if (!freopen("/dev/null", "w", stdout)) _exit(99);
        const char *bin = LG_BINARY_DIR "/livegym";
        if (resume)
            execl(bin, bin, "run", "--resume", "--out", dir, (char *)NULL);
        else
            execl(bin, bin, "run", LG_SOURCE_DIR "/scenarios/tabular-small.json", "--agents", "q-learning,sarsa",
                  "--seeds", "2", "--steps", "24000", "--eval-every", "3000", "--threads", "2", "--out", dir,
                  (char *)NULL);
        _exit(98);
    }
    return pid;
}

static int finish(pid_t pid)
{
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int exists(const char *dir, const char *file)
{
    char p[600];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, file);
    return stat(p, &st) == 0;
}

static void same_files(const char *a, const char *b)
{
    for (int i = 0; compared[i]; i++) {
        char pa[600], pb[600];
        size_t na, nb;
        snprintf(pa, sizeof pa, "%s/%s", a, compared[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, compared[i]);
        char *x = test_slurp(pa, &na), *y = test_slurp(pb, &nb);
        ck_assert_msg(na == nb && !memcmp(x, y, na), "%s differs from %s", pb, pa);
        free(x), free(y);
    }
}

/* Kill -9 when `file` appears in the folder (or at once, for ""); whether
 * the kill landed (the run had not finished). */
static int kill_when(const char *dir, const char *file)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    pid_t pid = start(dir, 0, 0);
    struct timespec ms = {0, 1000 * 1000};
    for (int i = 0; i < 60000 && file[0] && !exists(dir, file); i++) nanosleep(&ms, NULL);
    kill(pid, SIGKILL);
    return finish(pid) == 128 + SIGKILL;
}

START_TEST(test_kill_anywhere_then_resume)
{
    char full[300], cut[300];
    snprintf(full, sizeof full, "%s/test_crash_full", LG_BINARY_DIR);
    snprintf(cut, sizeof cut, "%s/test_crash_cut", LG_BINARY_DIR);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf %s", full);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(finish(start(full, 0, 0)), 0);
    static const char *const moments[] = {"", "status.json", "runs/q-learning/seed-1.ckpt",
                                          "runs/sarsa/seed-1.ckpt", "runs/q-learning/seed-1.json", "summary.json"};
    for (size_t m = 0; m < sizeof moments / sizeof moments[0]; m++) {
        /* The last file appears as the run ends: the kill may come late. */
        int killed = kill_when(cut, moments[m]);
        ck_assert_msg(killed || m + 1 == sizeof moments / sizeof moments[0], "the run ended before \"%s\" appeared",
                      moments[m]);
        int rc = exists(cut, "status.json") ? finish(start(cut, 1, 0)) : finish(start(cut, 0, 0));
        ck_assert_msg(rc == 0, "killed at \"%s\": the resume exited %d", moments[m], rc);
        same_files(full, cut);
    }
}
END_TEST

/* Every write past 40 KB fails (the env state in a checkpoint is larger):
 * the run says so and stops; the folder is partial; a resume with room
 * finishes it into the same files. */
START_TEST(test_full_disk_then_resume)
{
    char full[300], cut[300], cmd[700];
    snprintf(full, sizeof full, "%s/test_crash_full2", LG_BINARY_DIR);
    snprintf(cut, sizeof cut, "%s/test_crash_disk", LG_BINARY_DIR);
    snprintf(cmd, sizeof cmd, "rm -rf %s %s", full, cut);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(finish(start(full, 0, 0)), 0);
    int rc = finish(start(cut, 0, 40000));
    ck_assert_msg(rc == 1, "a run on a full disk exited %d", rc);
    char status[600];
    snprintf(status, sizeof status, "%s/status.json", cut);
    char *s = test_slurp(status, NULL);
    ck_assert_msg(strstr(s, "\"partial\""), "%s", s);
    free(s);
    ck_assert_int_eq(finish(start(cut, 1, 0)), 0);
    same_files(full, cut);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("crash");
    TCase *tc = tcase_create("crash");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_kill_anywhere_then_resume);
    tcase_add_test(tc, test_full_disk_then_resume);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
