/* livegym: the command line. Dispatches to one subcommand per file. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "lg_env.h"

static void usage(FILE *f)
{
    fprintf(f,
            "livegym %s: a live-streaming recommendation simulator for reinforcement learning\n"
            "\n"
            "usage: livegym COMMAND [ARGS]\n"
            "\n"
            "commands:\n"
            "  run [FILE] [flags]         train and compare agents on a scenario (default: embedded default)\n"
            "  eval KEPT [SCENARIO] [flags]   a kept agent (run --keep-agents) evaluated frozen, on any world\n"
            "  log [SCENARIO] --agent L --out F.h5   log a behaviour policy's steps with propensities (HDF5)\n"
            "  ope LOG --target KEPT      off-policy estimates of a kept agent's value from a log, and the truth\n"
            "  offline LOG --agent A --out F.policy   train an agent from a log alone (offline RL)\n"
            "  bench env [--slots N] [--json]   simulator speed\n"
            "  validate FILE...           check scenario files\n"
            "  scenario dump [FILE]       print the fully resolved scenario as JSON\n"
            "  agents [NAME]              list the agents with their hyperparameters and defaults\n"
            "  compare DIR_A DIR_B        two results folders side by side, paired differences\n"
            "  watch [FILE] [flags]       train agents side by side and watch them learn (window, or --snapshot PNG)\n"
            "  plot RESULTS_DIR --out F.png   learning curves of a results folder as a figure\n"
            "  help                       this text\n"
            "\n"
            "`livegym COMMAND --help` describes a command's flags.\n",
            LG_VERSION);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "run")) return lg_cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "eval")) return lg_cmd_eval(argc - 1, argv + 1);
    if (!strcmp(cmd, "log")) return lg_cmd_log(argc - 1, argv + 1);
    if (!strcmp(cmd, "ope")) return lg_cmd_ope(argc - 1, argv + 1);
    if (!strcmp(cmd, "offline")) return lg_cmd_offline(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench")) return lg_cmd_bench(argc - 1, argv + 1);
    if (!strcmp(cmd, "validate")) return lg_cmd_validate(argc - 1, argv + 1);
    if (!strcmp(cmd, "scenario")) return lg_cmd_scenario(argc - 1, argv + 1);
    if (!strcmp(cmd, "agents")) return lg_cmd_agents(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare")) return lg_cmd_compare(argc - 1, argv + 1);
    if (!strcmp(cmd, "watch")) return lg_cmd_watch(argc - 1, argv + 1);
    if (!strcmp(cmd, "plot")) return lg_cmd_plot(argc - 1, argv + 1);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("livegym %s\n", LG_VERSION);
        return 0;
    }
    fprintf(stderr, "livegym: unknown command \"%s\"\n\n", cmd);
    usage(stderr);
    return 2;
}
