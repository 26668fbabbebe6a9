/* livegym agents: the registry, with each agent's hyperparameters and defaults. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "lga_agent.h"

int lg_cmd_agents(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: livegym agents [NAME]\n\nList the agents, or one agent, with hyperparameters and defaults.\n");
        return 0;
    }
    const char *only = argc > 1 ? argv[1] : NULL;
    if (only && !lga_find(only)) {
        fprintf(stderr, "livegym agents: unknown agent \"%s\" (livegym agents lists them)\n", only);
        return 2;
    }
    for (int i = 0; i < lga_count(); i++) {
        const lga_agent_type *t = lga_at(i);
        if (only && strcmp(only, t->name)) continue;
        printf("%s%s\n  %s\n", t->name, t->cheats ? "  [CHEATS: reads the simulator's ground truth]" : "",
               t->summary);
        const char *p = t->params_doc;
        while (*p) {
            size_t len = strcspn(p, "\n");
            printf("    %.*s\n", (int)len, p);
            p += len + (p[len] == '\n');
        }
        printf("\n");
    }
    return 0;
}
