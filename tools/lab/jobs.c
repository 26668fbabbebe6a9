/* The two protocols of a job (one agent, one seed): train-eval on the live
 * world, and online learning on the classic envs (the book's experiments). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs.h"
#include "lg_clock.h"
#include "lga_agent.h"
#include "lgx_kept.h"
#include "lgx_results.h"

#define TRAIN_CHUNK 4096 /* slot-steps between checks for Ctrl-C and progress */

int lgx_run_points(const lgx_experiment *ex)
{
    if (ex->eval_every <= 0 || ex->train_steps <= 0) return 1;
    return 1 + (ex->train_steps + ex->eval_every - 1) / ex->eval_every;
}

static long point_step(const lgx_experiment *ex, int p)
{
    long s = (long)p * ex->eval_every;
    return s > ex->train_steps ? ex->train_steps : s;
}

/* The live protocol: train, evaluating greedily at every evaluation point on
 * a fork of the training world (lgx_evaluate_at). Returns 0, 1 if stopped,
 * -1 on error. */
int lgx_job_live(const lgx_job_ctx *j, lgx_job *out, char *err, size_t errsz)
{
    const lgx_run_config *cfg = j->cfg;
    const int agent_i = j->agent, seed = j->seed;
    const lgx_experiment *ex = &cfg->ex;
    const lgx_agent_spec *spec = &ex->agents[agent_i];
    lg_env *train = NULL, *eval = NULL;
    lga_agent *agent = NULL;
    lgx_loop lt = {0}, le = {0};
    int rc = -1;
    const uint64_t eval_seed = LGX_EVAL_SEED_BASE + (uint64_t)seed;
    if (lg_env_create(cfg->sc, ex->slots, (uint64_t)seed, LG_LAYOUT_FLAT, &train, err, errsz) ||
        lg_env_create(cfg->sc, ex->slots, eval_seed, LG_LAYOUT_FLAT, &eval, err, errsz))
        goto out;
    if (cfg->start_world && cfg->start_world(cfg->start_ctx, agent_i, seed, train, err, errsz)) goto out;
    lga_obs_batch shape;
    lga_batch_from_env(train, &shape);
    if (!(agent = lgx_spec_create(spec, &shape, (uint64_t)seed, err, errsz))) goto out;
    lga_use_team(agent, j->team);
    if (lgx_loop_init(&lt, train) || lgx_loop_init(&le, eval) || lgx_loop_enable_relevance(&le, eval) ||
        lgx_loop_enable_relevance(&lt, train) ||
        lgx_timeline_init(&out->timeline, train, lgx_trained_minutes(ex, cfg->sc))) {
        snprintf(err, errsz, "out of memory");
        goto out;
    }
    lt.timeline = &out->timeline;
    const int n_points = lgx_run_points(ex);
    const int C = lg_env_buffers(eval)->n_channels, k = lg_env_buffers(eval)->slate_size;
    out->n_points = n_points;
    out->points = calloc((size_t)n_points, sizeof(lgx_eval_point));
    if (!out->points) {
        snprintf(err, errsz, "out of memory");
        goto out;
    }
    long trained = 0;
    double train_time = 0.0;
    int first = 0, last_saved = -1;
    if (cfg->resume && cfg->out_dir) {
        int p;
        char why[4000];
        int got = lgx_results_read_checkpoint(cfg, agent_i, seed, &p, &trained, &train_time, out->points, n_points,
                                              agent, train, &out->timeline, why, sizeof why);
        if (got == 0) first = p + 1, last_saved = p;
        if (got < 0 && cfg->on_note) {
            char line[4200];
            snprintf(line, sizeof line, "%s; %s seed %d starts again from the beginning", why, spec->label, seed);
            cfg->on_note(cfg->note_ctx, line);
        }
    }
    for (int p = first; p < n_points; p++) {
        long target = point_step(ex, p);
        /* Every agent moves its world along the timeline; those that do not
         * learn only act. */
        while (trained < target) {
            if (*cfg->stop) {
                rc = 1;
                goto out;
            }
            long chunk = target - trained < TRAIN_CHUNK ? target - trained : TRAIN_CHUNK;
            double t0 = lg_now();
            lgx_train(&lt, agent, train, chunk, NULL);
            train_time += lg_now() - t0;
            trained += chunk;
            j->progress(j->ctx, (double)trained / (ex->train_steps + 1.0));
        }
        out->points[p].step = target;
        out->points[p].minute = lg_env_clock(train) - out->timeline.start;
        if (*cfg->stop) {
            rc = 1;
            goto out;
        }
        if (p + 1 == n_points && ex->keep_agents && cfg->out_dir &&
            lgx_keep_agent(cfg, agent_i, seed, trained, agent, train, err, errsz))
            goto out;
        lgx_tally t = {0};
        le.eval_minutes = (double)ex->eval_days * LG_MINUTES_PER_DAY;
        if (lgx_evaluate_at(&le, agent, train, eval, eval_seed, ex->eval_sessions, &t, err, errsz)) goto out;
        lgx_metrics_of(&t, &le, C, k, out->points[p].m);
        if (cfg->out_dir && p + 1 < n_points) {
            if (lgx_results_write_checkpoint(cfg, agent_i, seed, p, trained, train_time, out->points, agent, train,
                                            &out->timeline, err, errsz))
                goto out;
            last_saved = p;
        }
    }
    if (last_saved >= 0) lgx_results_remove_checkpoint(cfg, agent_i, seed, last_saved);
    out->train_seconds = train_time;
    out->steps_per_sec = train_time > 0 ? (double)trained / train_time : 0.0;
    rc = 0;
out:
    lgx_loop_free(&lt), lgx_loop_free(&le);
    lga_free(agent);
    lg_env_free(train), lg_env_free(eval);
    return rc;
}

/* The online protocol of the book experiments: one run is one fresh agent on
 * one fresh env (N = 1); record each step's reward and whether the action
 * was optimal (bandit), or each episode's return (cliff). */
int lgx_job_online(const lgx_job_ctx *j, lgx_job *out, float *reward, uint8_t *optimal, char *err, size_t errsz)
{
    const lgx_run_config *cfg = j->cfg;
    const int seed = j->seed;
    const lgx_agent_spec *spec = &cfg->ex.agents[j->agent];
    lg_env *env = NULL;
    lga_agent *agent = NULL;
    lga_copy obs = {0}, next = {0};
    float *er = NULL;
    int rc = -1;
    if (lg_env_create(cfg->sc, 1, (uint64_t)seed, LG_LAYOUT_FLAT, &env, err, errsz)) goto out;
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    if (!(agent = lgx_spec_create(spec, &shape, (uint64_t)seed, err, errsz))) goto out;
    lga_use_team(agent, j->team);
    if (lga_copy_init(env, &obs) || lga_copy_init(env, &next) ||
        !(er = malloc(sizeof(float) * (size_t)shape.n_actions))) {
        snprintf(err, errsz, "out of memory");
        goto out;
    }
    const lg_buffers *b = lg_env_buffers(env);
    const int bandit = cfg->sc->kind == LG_KIND_BANDIT;
    const long length = bandit ? cfg->sc->bandit.steps : cfg->ex.episodes;
    int32_t action;
    double t0 = lg_now(), ep_ret = 0.0;
    long steps = 0;
    for (long i = 0; i < length;) {
        if (*cfg->stop) {
            rc = 1;
            goto out;
        }
        lga_copy_current(env, &obs);
        agent->type->act(agent, &obs.batch, 0, &action);
        if (bandit) {
            lg_env_expected_reward(env, 0, er);
            float best = er[0];
            for (int c = 1; c < shape.n_actions; c++) best = er[c] > best ? er[c] : best;
            optimal[i] = action >= 0 && action < shape.n_actions && er[action] == best;
        }
        lg_env_step(env, &action);
        steps++;
        lga_copy_next(env, &next);
        lga_transition_batch tr = {&obs.batch, &action, b->reward, b->terminated, b->truncated, b->info,
                                   &next.batch};
        if (agent->type->learns) agent->type->update(agent, &tr);
        ep_ret += b->reward[0];
        if (bandit) {
            reward[i++] = b->reward[0];
        } else if (b->terminated[0] || b->truncated[0]) {
            reward[i++] = (float)ep_ret;
            ep_ret = 0.0;
            if ((i & 15) == 0) j->progress(j->ctx, (double)i / length);
        }
    }
    out->train_seconds = lg_now() - t0;
    out->steps_per_sec = out->train_seconds > 0 ? steps / out->train_seconds : 0.0;
    rc = 0;
out:
    lga_copy_free(&obs), lga_copy_free(&next);
    free(er);
    lga_free(agent);
    lg_env_free(env);
    return rc;
}
