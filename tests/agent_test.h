/* Helpers the agent suites share (test_candidates.c, test_retention.c,
 * test_slateq.c, test_dqn.c). */
#ifndef AGENT_TEST_H
#define AGENT_TEST_H

#include "lg_test.h"
#include "lga_agent.h"

/* The block of that name among the n an agent's state() gave; aborts the
 * test when there is none. */
static inline const lga_state_block *test_state_block(const lga_state_block *bl, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(bl[i].name, name)) return &bl[i];
    ck_abort_msg("no state block %s", name);
    return NULL;
}

/* lga_create(agent, params) must refuse, with a message that contains
 * expect. */
static inline void test_create_refused(const char *agent, const char *params, const lga_obs_batch *shape,
                                       const char *expect)
{
    char err[512] = "";
    ck_assert_ptr_null(lga_create(agent, params, shape, 1, err, sizeof err));
    ck_assert_msg(strstr(err, expect), "%s %s -> %s", agent, params, err);
}

#endif
