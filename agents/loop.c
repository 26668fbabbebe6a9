#include <stdlib.h>
#include <string.h>

#include "lga_loop.h"

int lga_loop_init(lga_loop *lp, const lg_env *env)
{
    const lg_buffers *b = lg_env_buffers(env);
    memset(lp, 0, sizeof *lp);
    size_t N = (size_t)b->n_slots;
    if (lga_copy_init(env, &lp->obs) || lga_copy_init(env, &lp->next) ||
        !(lp->actions = malloc(sizeof(int32_t) * N * (size_t)b->slate_size)) ||
        !(lp->ep_ret = calloc(N, sizeof(double))) || !(lp->ep_min = calloc(N, sizeof(double))) ||
        !(lp->ep_len = calloc(N, sizeof(long)))) {
        lga_loop_free(lp);
        return -1;
    }
    return 0;
}

void lga_loop_free(lga_loop *lp)
{
    lga_copy_free(&lp->obs);
    lga_copy_free(&lp->next);
    free(lp->actions), free(lp->ep_ret), free(lp->ep_min), free(lp->ep_len);
    memset(lp, 0, sizeof *lp);
}

static void tally_step(lga_loop *lp, const lg_env *env, lga_tally *t)
{
    const lg_buffers *b = lg_env_buffers(env);
    for (int i = 0; i < b->n_slots; i++) {
        lp->ep_ret[i] += b->reward[i];
        lp->ep_min[i] += b->info[i].watch_minutes;
        lp->ep_len[i]++;
        if (t) {
            t->steps += 1;
            t->chose += b->info[i].chose;
            t->invalid += b->info[i].invalid;
            t->gifts += b->info[i].gifts;
            t->follows += b->info[i].follows;
        }
        if (b->terminated[i] || b->truncated[i]) {
            if (t) {
                t->sessions += 1;
                t->ret += lp->ep_ret[i];
                t->minutes += lp->ep_min[i];
                t->session_steps += (double)lp->ep_len[i];
            }
            lp->ep_ret[i] = lp->ep_min[i] = 0.0;
            lp->ep_len[i] = 0;
        }
    }
}

void lga_train(lga_loop *lp, lga_agent *agent, lg_env *env, long slot_steps, lga_tally *tally)
{
    const lg_buffers *b = lg_env_buffers(env);
    const int learns = agent->type->learns;
    for (long done = 0; done < slot_steps; done += b->n_slots) {
        lga_copy_current(env, &lp->obs);
        agent->type->act(agent, &lp->obs.batch, 0, lp->actions);
        lg_env_step(env, lp->actions);
        if (learns) {
            lga_copy_next(env, &lp->next);
            lga_transition_batch tr = {&lp->obs.batch, lp->actions, b->reward, b->terminated,
                                       b->truncated, b->info,  &lp->next.batch};
            agent->type->update(agent, &tr);
        }
        tally_step(lp, env, tally);
    }
}

void lga_evaluate(lga_loop *lp, lga_agent *agent, lg_env *env, long sessions, lga_tally *tally)
{
    lga_tally local;
    memset(&local, 0, sizeof local);
    lga_tally *t = tally ? tally : &local;
    const double target = t->sessions + (double)sessions;
    lga_obs_batch live;
    lga_batch_from_env(env, &live);
    memset(lp->ep_ret, 0, sizeof(double) * (size_t)live.n);
    memset(lp->ep_min, 0, sizeof(double) * (size_t)live.n);
    memset(lp->ep_len, 0, sizeof(long) * (size_t)live.n);
    while (t->sessions < target) {
        agent->type->act(agent, &live, 1, lp->actions);
        lg_env_step(env, lp->actions);
        tally_step(lp, env, t);
    }
}
