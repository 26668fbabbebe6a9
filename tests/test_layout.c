/* The layout is the architecture (README, "Where things are"): each folder a
 * layer that includes only from the layers below it, no agent or experiment
 * type in the world, files of one job (at most LAYOUT_MAX_FILE lines) and
 * short functions (at most LAYOUT_MAX_FUNCTION lines). The build enforces
 * most of the include rules through its targets' include paths; this test
 * also catches relative paths and keeps the sizes honest. */
#include <dirent.h>
#include <sys/stat.h>

#include "lg_test.h"

#define LAYOUT_MAX_FILE 800
#define LAYOUT_MAX_FUNCTION 120
#define MAX_FILES 512

/* A layer: its folder, and the folders whose headers it may include
 * (itself first). A file belongs to the longest folder that contains it. */
typedef struct {
    const char *dir;
    const char *may_include[8];
} layer;

static const layer layers[] = {
    {"env/base", {"env/base"}},
    {"env", {"env", "env/live", "env/classic", "env/base"}},
    {"agents/nn", {"agents/nn", "env/base"}},
    {"agents", {"agents", "agents/nn", "env", "env/base"}},
    {"tools/lab", {"tools/lab", "agents", "agents/nn", "env", "env/base"}},
    {"viz", {"viz", "tools/lab", "agents", "env", "env/base"}},
    {"tools", {"tools", "tools/lab", "viz", "agents", "agents/nn", "env", "env/base"}},
};

typedef struct {
    char path[512]; /* relative to the source root */
    int layer;
} source;

static int layer_of(const char *path)
{
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < (int)(sizeof layers / sizeof layers[0]); i++) {
        size_t n = strlen(layers[i].dir);
        if (!strncmp(path, layers[i].dir, n) && path[n] == '/' && n > best_len) best = i, best_len = n;
    }
    return best;
}

static void collect(const char *dir, source *out, int *n)
{
    char full[1024];
    snprintf(full, sizeof full, "%s/%s", LG_SOURCE_DIR, dir);
    DIR *d = opendir(full);
    ck_assert_msg(d != NULL, "cannot open %s", full);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char rel[512], abs[1024];
        snprintf(rel, sizeof rel, "%s/%s", dir, e->d_name);
        snprintf(abs, sizeof abs, "%s/%s", LG_SOURCE_DIR, rel);
        struct stat st;
        if (stat(abs, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            collect(rel, out, n);
            continue;
        }
        size_t len = strlen(rel);
        if (len < 2 || rel[len - 2] != '.' || (rel[len - 1] != 'c' && rel[len - 1] != 'h')) continue;
        ck_assert_int_lt(*n, MAX_FILES);
        snprintf(out[*n].path, sizeof out[*n].path, "%s", rel);
        out[*n].layer = layer_of(rel);
        (*n)++;
    }
    closedir(d);
}

static char *slurp(const char *rel)
{
    char abs[1024];
    snprintf(abs, sizeof abs, "%s/%s", LG_SOURCE_DIR, rel);
    return test_slurp(abs, NULL);
}

/* Where an #include "name" of file `from` resolves: next to the file, else
 * in any folder of the tree with that header. Returns the folder of the
 * header found among the allowed ones, or NULL when none is allowed. */
static const char *resolve(const source *files, int n, const source *from, const char *name)
{
    char here[512], want[1024];
    snprintf(here, sizeof here, "%.500s", from->path);
    char *slash = strrchr(here, '/');
    *slash = '\0';
    snprintf(want, sizeof want, "%.500s/%.255s", here, name);
    /* fold "dir/../x" */
    char *dots;
    while ((dots = strstr(want, "/../"))) {
        char *start = dots;
        while (start > want && start[-1] != '/') start--;
        memmove(start, dots + 4, strlen(dots + 4) + 1);
    }
    const layer *L = &layers[from->layer];
    for (int i = 0; i < n; i++) {
        const char *p = files[i].path;
        int same = !strcmp(p, want);
        size_t pl = strlen(p), nl = strlen(name);
        int by_name = !strchr(name, '/') && pl > nl && !strcmp(p + pl - nl, name) && p[pl - nl - 1] == '/';
        if (!same && !by_name) continue;
        char dir[512];
        snprintf(dir, sizeof dir, "%.*s", (int)(pl - strlen(strrchr(p, '/'))), p);
        for (int k = 0; k < 8 && L->may_include[k]; k++)
            if (!strcmp(dir, L->may_include[k])) return L->may_include[k];
    }
    return NULL;
}

START_TEST(test_includes_point_down)
{
    static source files[MAX_FILES];
    int n = 0;
    const char *roots[] = {"env", "agents", "tools", "viz"};
    for (int r = 0; r < 4; r++) collect(roots[r], files, &n);
    ck_assert_int_gt(n, 50);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        if (files[i].layer < 0) continue;
        char *text = slurp(files[i].path);
        for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
            if (strncmp(line, "#include \"", 10)) continue;
            char name[256];
            size_t k = 0;
            for (const char *q = line + 10; *q && *q != '"' && k + 1 < sizeof name; q++) name[k++] = *q;
            name[k] = '\0';
            if (!resolve(files, n, &files[i], name)) {
                fprintf(stderr, "%s includes \"%s\": not a header of %s or of a layer below it\n", files[i].path,
                        name, layers[files[i].layer].dir);
                bad++;
            }
        }
        free(text);
    }
    ck_assert_msg(bad == 0, "%d includes point up or sideways (listed above)", bad);
}
END_TEST

/* The world does not know who recommends: no agent (lga_) or experiment
 * (lgx_) names anywhere under env/. */
START_TEST(test_world_knows_no_agents)
{
    static source files[MAX_FILES];
    int n = 0, bad = 0;
    collect("env", files, &n);
    for (int i = 0; i < n; i++) {
        char *text = slurp(files[i].path);
        for (char *c = strstr(text, "/*"); c; c = strstr(c, "/*")) { /* comments may point elsewhere */
            char *e = strstr(c + 2, "*/");
            if (!e) break;
            memset(c, ' ', (size_t)(e + 2 - c));
        }
        const char *hit = strstr(text, "lga_");
        if (!hit) hit = strstr(text, "lgx_");
        if (hit) {
            fprintf(stderr, "%s mentions %.20s\n", files[i].path, hit);
            bad++;
        }
        free(text);
    }
    ck_assert_msg(bad == 0, "%d files of the world name agents or experiments", bad);
}
END_TEST

/* Files of one job and short functions. A function is counted from its
 * first line at column 0 to its closing brace at column 0; data tables
 * (initialisers) are not functions and are not counted. */
START_TEST(test_sizes)
{
    static source files[MAX_FILES];
    int n = 0, bad = 0;
    const char *roots[] = {"env", "agents", "tools", "viz", "tests"};
    for (int r = 0; r < 5; r++) collect(roots[r], files, &n);
    for (int i = 0; i < n; i++) {
        char *text = slurp(files[i].path);
        int lines = 0, start = 0, in_function = 0;
        char prev[256] = "";
        for (char *line = text; *line;) {
            char *end = strchr(line, '\n');
            size_t len = end ? (size_t)(end - line) : strlen(line);
            lines++;
            if (!in_function && len > 0 && line[0] == '{' && strchr(prev, '(') && !strchr(prev, '=')) {
                in_function = 1;
                start = lines - 1;
            } else if (in_function && len > 0 && line[0] == '}') {
                in_function = 0;
                if (lines - start + 1 > LAYOUT_MAX_FUNCTION) {
                    fprintf(stderr, "%s:%d: a function of %d lines: %s\n", files[i].path, start, lines - start + 1,
                            prev);
                    bad++;
                }
            }
            if (!in_function) snprintf(prev, sizeof prev, "%.*s", (int)(len < 255 ? len : 255), line);
            if (!end) break;
            line = end + 1;
        }
        if (lines > LAYOUT_MAX_FILE) {
            fprintf(stderr, "%s: %d lines\n", files[i].path, lines);
            bad++;
        }
        free(text);
    }
    ck_assert_msg(bad == 0, "%d files or functions too long (listed above)", bad);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("layout");
    TCase *tc = tcase_create("layout");
    tcase_add_test(tc, test_includes_point_down);
    tcase_add_test(tc, test_world_knows_no_agents);
    tcase_add_test(tc, test_sizes);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
