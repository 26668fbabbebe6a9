/* The agent registry: every agent by name, creation, and their descriptions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lga_agent.h"
#include "lga_params.h"

extern const lga_agent_type lga_random_type, lga_popular_type, lga_oracle_type;
extern const lga_agent_type lga_epsilon_greedy_type, lga_ucb1_type, lga_thompson_type, lga_gradient_bandit_type,
    lga_linucb_type;
extern const lga_agent_type lga_q_learning_type, lga_sarsa_type, lga_expected_sarsa_type;
extern const lga_agent_type lga_dqn_type, lga_saved_type, lga_slate_oracle_type,
    lga_slateq_type;

static const lga_agent_type *const registry[] = {
    &lga_random_type,         &lga_popular_type, &lga_oracle_type,         &lga_epsilon_greedy_type,
    &lga_ucb1_type,           &lga_thompson_type, &lga_gradient_bandit_type, &lga_linucb_type,
    &lga_q_learning_type,     &lga_sarsa_type,   &lga_expected_sarsa_type, &lga_dqn_type,
    &lga_saved_type,          &lga_slate_oracle_type, &lga_slateq_type,
};

int lga_count(void) { return (int)(sizeof registry / sizeof registry[0]); }
const lga_agent_type *lga_at(int i) { return i >= 0 && i < lga_count() ? registry[i] : NULL; }

const lga_agent_type *lga_find(const char *name)
{
    for (int i = 0; i < lga_count(); i++)
        if (!strcmp(registry[i]->name, name)) return registry[i];
    return NULL;
}

lga_agent *lga_create(const char *name, const char *params_json, const lga_obs_batch *shape, uint64_t seed,
                      char *err, size_t errsz)
{
    const lga_agent_type *t = lga_find(name);
    if (!t) {
        char names[512] = "";
        for (int i = 0; i < lga_count(); i++) {
            strncat(names, i ? ", " : "", sizeof names - strlen(names) - 1);
            strncat(names, registry[i]->name, sizeof names - strlen(names) - 1);
        }
        snprintf(err, errsz, "agent \"%s\": unknown agent (available: %s)", name, names);
        return NULL;
    }
    return lga_create_type(t, params_json, shape, seed, err, errsz);
}

lga_agent *lga_create_type(const lga_agent_type *t, const char *params_json, const lga_obs_batch *shape,
                           uint64_t seed, char *err, size_t errsz)
{
    if (errsz) err[0] = '\0';
    lga_agent *a = t->create(params_json ? params_json : "{}", shape, seed, err, errsz);
    if (a) a->type = t;
    else if (errsz && !err[0]) snprintf(err, errsz, "%s: could not be created (no reason given)", t->name);
    return a;
}

void lga_free(lga_agent *a)
{
    if (a) a->type->free(a);
}

void lga_use_team(lga_agent *a, struct lgn_team *team)
{
    if (a && a->type->use_team) a->type->use_team(a, team);
}

void lga_describe(const lga_agent_type *t, lg_sbuf *b)
{
    lg_sb_printf(b, "%s%s\n  %s\n", t->name, t->cheats ? "  [CHEATS: reads the simulator's ground truth]" : "",
                 t->summary);
    if (t->probs) lg_sb_printf(b, "  can be logged (livegym log): propensities %s\n", t->probs_method ? t->probs_method : "exact");
    lga_params_text(t->params, "    ", b);
}

void lga_describe_markdown(lg_sbuf *b)
{
    for (int i = 0; i < lga_count(); i++) {
        const lga_agent_type *t = registry[i];
        lg_sb_printf(b, "### `%s`%s\n\n%s.\n\n", t->name, t->cheats ? " (cheats)" : "", t->summary);
        if (t->probs)
            lg_sb_printf(b, "A behaviour policy for logs (`livegym log`): propensities %s.\n\n",
                         t->probs_method ? t->probs_method : "exact");
        lga_params_markdown(t->params, b);
        lg_sb_putc(b, '\n');
    }
}
