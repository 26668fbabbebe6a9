/* Subcommands of the `livegym` CLI. Each returns the process exit status:
 * 0 success, 1 failure of the work, 2 bad usage or bad input. argv[0] is the
 * subcommand name. Only the CLI prints; the libraries report through values. */
#ifndef LG_COMMANDS_H
#define LG_COMMANDS_H

int lg_cmd_run(int argc, char **argv);
int lg_cmd_eval(int argc, char **argv);
int lg_cmd_log(int argc, char **argv);
int lg_cmd_ope(int argc, char **argv);
int lg_cmd_offline(int argc, char **argv);
int lg_cmd_bench(int argc, char **argv);
int lg_cmd_validate(int argc, char **argv);
int lg_cmd_scenario(int argc, char **argv);
int lg_cmd_agents(int argc, char **argv);
int lg_cmd_compare(int argc, char **argv);
int lg_cmd_watch(int argc, char **argv);
int lg_cmd_plot(int argc, char **argv);

#endif
