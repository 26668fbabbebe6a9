/* The C side of test_evaluate.py's struct check: the size of every struct
 * the Python package mirrors with ctypes, and every field's offset, one
 * "name size" or "name.field offset" per line. */
#include <stddef.h>
#include <stdio.h>

#include <lga_agent.h>
#include <lgx_binding.h>

#define SIZE(T) printf(#T " %zu\n", sizeof(T))
#define F(T, f) printf(#T "." #f " %zu\n", offsetof(T, f))

int main(void)
{
    SIZE(lga_obs_batch);
    F(lga_obs_batch, n), F(lga_obs_batch, obs_dim), F(lga_obs_batch, slot_dim), F(lga_obs_batch, channel_dim);
    F(lga_obs_batch, n_actions), F(lga_obs_batch, slate_size), F(lga_obs_batch, n_states), F(lga_obs_batch, obs);
    F(lga_obs_batch, slot_obs), F(lga_obs_batch, channel_obs), F(lga_obs_batch, mask), F(lga_obs_batch, state);
    F(lga_obs_batch, blocks), F(lga_obs_batch, n_blocks), F(lga_obs_batch, env), F(lga_obs_batch, own_tables);
    SIZE(lga_transition_batch);
    F(lga_transition_batch, obs), F(lga_transition_batch, actions), F(lga_transition_batch, reward);
    F(lga_transition_batch, terminated), F(lga_transition_batch, truncated), F(lga_transition_batch, info);
    F(lga_transition_batch, next);
    SIZE(lga_copy);
    F(lga_copy, batch), F(lga_copy, obs), F(lga_copy, slot_obs), F(lga_copy, channel_obs), F(lga_copy, mask);
    F(lga_copy, state);
    SIZE(lga_agent_type);
    F(lga_agent_type, name), F(lga_agent_type, summary), F(lga_agent_type, params), F(lga_agent_type, cheats);
    F(lga_agent_type, learns), F(lga_agent_type, create), F(lga_agent_type, act), F(lga_agent_type, update);
    F(lga_agent_type, free), F(lga_agent_type, state), F(lga_agent_type, check), F(lga_agent_type, scores);
    F(lga_agent_type, epsilon), F(lga_agent_type, probs), F(lga_agent_type, probs_method),
    F(lga_agent_type, use_team);
    SIZE(lgx_run_options);
    F(lgx_run_options, agents), F(lgx_run_options, seeds), F(lgx_run_options, steps), F(lgx_run_options, minutes);
    F(lgx_run_options, eval_every), F(lgx_run_options, sessions), F(lgx_run_options, slots);
    F(lgx_run_options, baseline), F(lgx_run_options, threads), F(lgx_run_options, keep_agents);
    SIZE(lg_obs_block);
    F(lg_obs_block, name), F(lg_obs_block, scope), F(lg_obs_block, offset), F(lg_obs_block, size);
    F(lg_obs_block, low), F(lg_obs_block, high);
    SIZE(lg_info);
    F(lg_info, watched), F(lg_info, viewer), F(lg_info, segment), F(lg_info, session_step);
    F(lg_info, watch_minutes), F(lg_info, budget_left), F(lg_info, chose), F(lg_info, invalid), F(lg_info, gifts);
    F(lg_info, follows), F(lg_info, r_watch), F(lg_info, r_gift), F(lg_info, r_follow), F(lg_info, r_invalid);
    F(lg_info, position), F(lg_info, r_return), F(lg_info, idle);
    SIZE(lg_buffers);
    F(lg_buffers, n_slots), F(lg_buffers, n_actions), F(lg_buffers, slate_size), F(lg_buffers, obs_dim);
    F(lg_buffers, slot_dim), F(lg_buffers, channel_dim), F(lg_buffers, n_states), F(lg_buffers, layout);
    F(lg_buffers, obs), F(lg_buffers, slot_obs), F(lg_buffers, channel_obs), F(lg_buffers, mask);
    F(lg_buffers, state), F(lg_buffers, reward), F(lg_buffers, terminated), F(lg_buffers, truncated);
    F(lg_buffers, info), F(lg_buffers, final_obs), F(lg_buffers, final_slot_obs), F(lg_buffers, final_state);
    F(lg_buffers, n_channels), F(lg_buffers, candidates), F(lg_buffers, final_candidates), F(lg_buffers, final_mask);
    SIZE(lg_channel_state);
    F(lg_channel_state, on_air), F(lg_channel_state, launched), F(lg_channel_state, concurrency);
    F(lg_channel_state, background), F(lg_channel_state, bots), F(lg_channel_state, watchers);
    F(lg_channel_state, log_popularity), F(lg_channel_state, popularity_mean), F(lg_channel_state, minutes_left);
    F(lg_channel_state, minutes_since_start), F(lg_channel_state, category);
    return 0;
}
