/* The C side of test_evaluate.py's struct check: the size of every struct
 * the Python package mirrors with ctypes, and each field's offset, one
 * "name size" or "name.field offset" per line. */
#include <stddef.h>
#include <stdio.h>

#include <lga_agent.h>
#include <lgx_binding.h>

#define SIZE(T) printf(#T " %zu\n", sizeof(T))
#define FIELD(T, f) printf(#T "." #f " %zu\n", offsetof(T, f))

int main(void)
{
    SIZE(lga_obs_batch);
    FIELD(lga_obs_batch, obs), FIELD(lga_obs_batch, mask), FIELD(lga_obs_batch, blocks);
    FIELD(lga_obs_batch, n_blocks), FIELD(lga_obs_batch, env);
    SIZE(lga_transition_batch);
    FIELD(lga_transition_batch, reward), FIELD(lga_transition_batch, info), FIELD(lga_transition_batch, next);
    SIZE(lga_copy);
    FIELD(lga_copy, obs), FIELD(lga_copy, state);
    SIZE(lga_agent_type);
    FIELD(lga_agent_type, cheats), FIELD(lga_agent_type, learns), FIELD(lga_agent_type, create);
    FIELD(lga_agent_type, act), FIELD(lga_agent_type, update), FIELD(lga_agent_type, free);
    FIELD(lga_agent_type, epsilon);
    SIZE(lgx_run_options);
    FIELD(lgx_run_options, seeds), FIELD(lgx_run_options, minutes), FIELD(lgx_run_options, baseline);
    FIELD(lgx_run_options, threads);
    SIZE(lg_info);
    FIELD(lg_info, watch_minutes), FIELD(lg_info, r_invalid);
    SIZE(lg_buffers);
    FIELD(lg_buffers, obs), FIELD(lg_buffers, info), FIELD(lg_buffers, final_state);
    return 0;
}
