/* Logs (livegym log's HDF5 files) as livegym ope and livegym offline read
 * them. The input is a list of edits to a valid log, each 11 bytes: which
 * dataset or attribute, which element, and 8 bytes that become its value
 * (raw, in the element's own type: NaNs, huge counts, negative indices), or,
 * for a column, its new length. libhdf5 makes every edit, so the container
 * stays well formed: what is fuzzed is our reading of its content. Whatever
 * lg_log_read accepts is then evaluated (livegym ope) and learned from
 * (livegym offline, by a bandit and by tabular Q-learning, which indexes
its table by the logged state ids); all must refuse it in one line or
finish. The header's
 * hash goes stale with the first edit, and the fuzz build lets that through
 * (LG_FUZZING) as it does for every reader. Seeds: no edit, a changed
 * reward, a shortened column. */
#include <fcntl.h>
#include <hdf5.h>

#include "commands.h"
#include "fuzz_common.h"
#include "lga_agent.h"
#include "lga_policy.h"
#include "lgx_experiment.h"
#include "log_file.h"

static const char *const objects[] = {
    "observations", "actions", "propensities", "rewards", "terminations", "truncations", "infos/viewer",
    "infos/watched", "infos/watch_minutes", "infos/state", "channel_tables", "masks", "clock",
    "episodes/slot", "episodes/first_row", "episodes/length", "episodes/return", "episodes/complete",
    "episodes/final_observation", "episodes/final_state", "tail_observations", "tail_states",
    "@slots", "@env_steps", "@total_steps", "@total_episodes", "@format_version", "@seed",
};
#define N_OBJECTS (sizeof objects / sizeof objects[0])
#define EDIT 11

static char seed_log[600], kept[600], work[600], out[600];

static void edit_attr(hid_t f, const char *name, const uint8_t *v)
{
    int64_t x;
    memcpy(&x, v, 8);
    hid_t a = H5Aexists(f, name) > 0 ? H5Aopen(f, name, H5P_DEFAULT) : -1;
    if (a < 0) return;
    H5Awrite(a, H5T_NATIVE_INT64, &x);
    H5Aclose(a);
}

/* Byte 0 of the value: 0xFF resizes a column to (value mod rows + 3);
 * anything else overwrites element `at` (mod its element count). */
static void edit_dataset(hid_t f, const char *name, uint16_t at, const uint8_t *v)
{
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    if (ds < 0) return;
    hid_t sp = H5Dget_space(ds), type = H5Dget_type(ds);
    hsize_t dims[3] = {1, 1, 1};
    int rank = H5Sget_simple_extent_dims(sp, dims, NULL);
    if (rank >= 1 && rank <= 3) {
        if (v[0] == 0xFF) {
            uint32_t n;
            memcpy(&n, v + 1, 4);
            dims[0] = n % (dims[0] + 3);
            H5Dset_extent(ds, dims); /* refused for a fixed-size dataset: no edit */
        } else {
            hsize_t total = dims[0] * (rank > 1 ? dims[1] : 1) * (rank > 2 ? dims[2] : 1);
            if (total > 0) {
                hsize_t k = at % total, start[3], one[3] = {1, 1, 1};
                for (int r = rank - 1; r >= 0; r--) start[r] = k % dims[r], k /= dims[r];
                hid_t ms = H5Screate_simple(1, one, NULL);
                if (H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, one, NULL) >= 0 && H5Tget_size(type) <= 8)
                    H5Dwrite(ds, type, ms, sp, H5P_DEFAULT, v);
                H5Sclose(ms);
            }
        }
    }
    H5Tclose(type), H5Sclose(sp), H5Dclose(ds);
}

/* A command with its output gone: the messages are not what is tested. */
static int quiet(int (*cmd)(int, char **), int argc, char **argv)
{
    fflush(stdout), fflush(stderr);
    int o = dup(1), e = dup(2), null = open("/dev/null", O_WRONLY);
    dup2(null, 1), dup2(null, 2);
    int rc = cmd(argc, argv);
    fflush(stdout), fflush(stderr);
    dup2(o, 1), dup2(e, 2);
    close(o), close(e), close(null);
    return rc;
}

/* A log is a megabyte: leave none in the scratch folder. */
static void cleanup(void)
{
    remove(seed_log), remove(work), remove(kept), remove(out);
    rmdir(fuzz_dir());
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char err[1024];
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    lg_scenario *sc = fuzz_world(LG_KIND_LIVE);
    lg_env *env = fuzz_env(sc, 4);
    lga_obs_batch shape;
    lga_batch_from_env(env, &shape);
    lga_agent *a = lga_create("epsilon-greedy", "{\"epsilon\": 0.3}", &shape, 1, err, sizeof err);
    char *scen = lgx_scenario_to_json(sc, NULL);
    if (!a || !scen) fuzz_die("agent", err);
    snprintf(seed_log, sizeof seed_log, "%s/seed.h5", fuzz_dir());
    snprintf(work, sizeof work, "%s/work.h5", fuzz_dir());
    snprintf(kept, sizeof kept, "%s/target.policy", fuzz_dir());
    snprintf(out, sizeof out, "%s/out.policy", fuzz_dir());
    atexit(cleanup);
    lg_log_meta meta = {scen, "epsilon-greedy", "eps", "{\"epsilon\": 0.3}", "exact", 1};
    lg_log_writer *w = lg_log_open(seed_log, env, &meta, err, sizeof err);
    if (!w) fuzz_die("log", err);
    lgx_log_sink sink = lg_log_sink(w);
    lgx_loop lp;
    if (lgx_loop_init(&lp, env) || lgx_loop_set_log(&lp, env, &sink, 1) || lgx_train(&lp, a, env, 24 * 4, NULL))
        fuzz_die("log", "training");
    if (lg_log_close(w, env, err, sizeof err)) fuzz_die("log", err);
    lgx_loop_free(&lp);
    /* the target ope evaluates: a kept epsilon-greedy of the same world */
    char manifest[300];
    snprintf(manifest, sizeof manifest,
             "{\"agent\": \"epsilon-greedy\", \"label\": \"eps\", \"params\": \"{}\", \"seed\": 1, "
             "\"trained_steps\": 96, \"scenario\": \"{}\", \"livegym\": \"%s\"}", LG_VERSION);
    if (lga_policy_write(kept, manifest, a, NULL, 0, err, sizeof err)) fuzz_die("kept", err);
    static const uint8_t reward[EDIT] = {3, 5, 0, 0, 0, 0x80, 0x3F, 0, 0, 0, 0};
    static const uint8_t shorter[EDIT] = {1, 0, 0, 0xFF, 40, 0, 0, 0, 0, 0, 0};
    const char *dir = getenv("LG_FUZZ_SEEDS"); /* inputs are edit lists: no selector byte */
    if (dir) {
        char path[1024];
        snprintf(path, sizeof path, "%s/none", dir), fuzz_write(path, "", 0);
        snprintf(path, sizeof path, "%s/reward", dir), fuzz_write(path, reward, EDIT);
        snprintf(path, sizeof path, "%s/shorter", dir), fuzz_write(path, shorter, EDIT);
    }
    lga_free(a), lg_env_free(env), free(sc), free(scen);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    char *bytes = fuzz_read(seed_log, &n);
    fuzz_write(work, bytes, n);
    free(bytes);
    hid_t f = H5Fopen(work, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) fuzz_die("open", work);
    for (size_t e = 0; e + EDIT <= size && e < 16 * EDIT; e += EDIT) {
        const char *name = objects[data[e] % N_OBJECTS];
        uint16_t at = (uint16_t)(data[e + 1] | data[e + 2] << 8);
        if (name[0] == '@') edit_attr(f, name + 1, data + e + 3);
        else edit_dataset(f, name, at, data + e + 3);
    }
    H5Fclose(f);
    char err[1024];
    lg_log_data d;
    if (lg_log_read(work, 1, &d, err, sizeof err)) return 0;
    lg_log_data_free(&d);
    char *ope[] = {"ope", work, "--target", kept, "--json", NULL};
    quiet(lg_cmd_ope, 5, ope);
    char *off[] = {"offline", work, "--agent", "epsilon-greedy", "--out", out, NULL};
    quiet(lg_cmd_offline, 6, off);
    remove(out);
    char *tab[] = {"offline", work, "--agent", "q-learning", "--out", out, NULL}; /* indexes by state ids */
    quiet(lg_cmd_offline, 6, tab);
    remove(out);
    return 0;
}
