/* `livegym validate FILE...` and `livegym scenario dump [FILE]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "lgx_experiment.h"

static void validate_usage(FILE *f)
{
    fputs("usage: livegym validate FILE...\n"
          "Check scenario files (docs/scenarios.md), including that the file's experiment trains long\n"
          "enough to reach every scripted event. Prints \"FILE: ok\" for each valid file;\n"
          "otherwise one line per bad file on stderr. Exit status: 0 all valid, 2 otherwise.\n",
          f);
}

int lg_cmd_validate(int argc, char **argv)
{
    int first = 1;
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        validate_usage(stdout);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "--")) first = 2;
    if (first >= argc) {
        fputs("livegym validate: expected at least one scenario file, found none\n", stderr);
        validate_usage(stderr);
        return 2;
    }
    for (int i = first; i < argc && first == 1; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "livegym validate: unknown option '%s' (use -- before file names that start with '-')\n",
                    argv[i]);
            return 2;
        }
    }
    lg_scenario *sc = malloc(sizeof *sc);
    lgx_experiment *ex = malloc(sizeof *ex);
    if (!sc || !ex) {
        free(sc);
        free(ex);
        fputs("livegym validate: out of memory\n", stderr);
        return 1;
    }
    int bad = 0;
    for (int i = first; i < argc; i++) {
        char err[2048];
        if (lgx_load_file(argv[i], sc, ex, err, sizeof err) == 0 && lgx_check_reach(sc, ex, err, sizeof err) == 0) {
            printf("%s: ok\n", argv[i]);
        } else if (err[0]) {
            fprintf(stderr, "%s%s%s\n", strncmp(err, argv[i], strlen(argv[i])) ? argv[i] : "",
                    strncmp(err, argv[i], strlen(argv[i])) ? ": " : "", err);
            bad = 1;
        }
    }
    fflush(stdout);
    free(sc);
    free(ex);
    return bad ? 2 : 0;
}

static void scenario_usage(FILE *f)
{
    fputs("usage: livegym scenario dump [FILE]\n"
          "Print the fully resolved scenario (every key explicit, channels listed) as JSON.\n"
          "Without FILE, the built-in default scenario (scenarios/default.json).\n",
          f);
}

int lg_cmd_scenario(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))) {
        scenario_usage(stdout);
        return 0;
    }
    if (argc < 2) {
        fputs("livegym scenario: expected a subcommand (dump), found none\n", stderr);
        scenario_usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "dump") != 0) {
        fprintf(stderr, "livegym scenario: expected a subcommand (dump), found '%s'\n", argv[1]);
        scenario_usage(stderr);
        return 2;
    }
    if (argc > 3) {
        fprintf(stderr, "livegym scenario dump: expected at most one file, found %d\n", argc - 2);
        return 2;
    }
    lg_scenario *sc = malloc(sizeof *sc);
    lgx_experiment *ex = malloc(sizeof *ex);
    if (!sc || !ex) {
        free(sc);
        free(ex);
        fputs("livegym scenario: out of memory\n", stderr);
        return 1;
    }
    char err[2048];
    int r = argc == 3 ? lgx_load_file(argv[2], sc, ex, err, sizeof err) : lgx_load_default(sc, ex, err, sizeof err);
    int status = 0;
    if (r != 0) {
        fprintf(stderr, "%s\n", err);
        status = 2;
    } else {
        char *json = lgx_scenario_to_json(sc, ex);
        if (!json) {
            fputs("livegym scenario: out of memory\n", stderr);
            status = 1;
        } else {
            fputs(json, stdout);
            if (fflush(stdout) != 0 || ferror(stdout)) {
                fputs("livegym scenario: cannot write to standard output\n", stderr);
                status = 1;
            }
            free(json);
        }
    }
    free(sc);
    free(ex);
    return status;
}
