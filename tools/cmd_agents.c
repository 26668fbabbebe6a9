/* livegym agents: the registry, with each agent's hyperparameters, defaults
 * and ranges (from the agents' own tables). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "lga_agent.h"

int lg_cmd_agents(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: livegym agents [NAME | --markdown]\n\n"
               "List the agents, or one agent, with their hyperparameters: default, range and meaning.\n"
               "--markdown prints the same as the tables of docs/agents.md.\n");
        return 0;
    }
    lg_sbuf b = {0};
    const char *only = argc > 1 ? argv[1] : NULL;
    if (only && !strcmp(only, "--markdown")) {
        lga_describe_markdown(&b);
    } else if (only && !lga_find(only)) {
        fprintf(stderr, "livegym agents: unknown agent \"%s\" (livegym agents lists them)\n", only);
        return 2;
    } else {
        for (int i = 0; i < lga_count(); i++) {
            const lga_agent_type *t = lga_at(i);
            if (only && strcmp(only, t->name)) continue;
            lga_describe(t, &b);
            lg_sb_putc(&b, '\n');
        }
    }
    char *text = lg_sb_take(&b);
    if (!text) return fputs("livegym agents: out of memory\n", stderr), 1;
    fputs(text, stdout);
    free(text);
    return 0;
}
