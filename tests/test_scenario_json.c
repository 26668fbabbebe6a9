/* Scenario files: the shipped scenarios, dump/load round trips, the default,
 * the embedded default, the bad-input corpus (tests/scenarios/bad/), limits,
 * defaults and name resolution, and a short run of every shipped scenario. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_test.h"

static const char *const shipped[] = {"default", "drift", "clickbait", "cold-start", "bots", "cross-domain",
                                      "prime-time", "tabular-small"};

/* ------------------------------------------------------- shipped scenarios */

START_TEST(test_shipped_scenarios_validate)
{
    file_list fl = list_files(SCENARIO_DIR, ".json");
    ck_assert_int_ge(fl.n, (int)(sizeof shipped / sizeof shipped[0]));
    for (size_t k = 0; k < sizeof shipped / sizeof shipped[0]; k++) {
        char want[512];
        snprintf(want, sizeof want, "%s/%s.json", SCENARIO_DIR, shipped[k]);
        int found = 0;
        for (int i = 0; i < fl.n; i++) found |= !strcmp(fl.path[i], want);
        ck_assert_msg(found, "missing shipped scenario %s", want);
    }
    lg_scenario *sc = new_scenario();
    lgx_experiment *ex = new_experiment();
    for (int i = 0; i < fl.n; i++) {
        char err[2048] = "";
        int rc = lgx_load_file(fl.path[i], sc, ex, err, sizeof err);
        ck_assert_msg(rc == 0, "%s does not validate: %s", fl.path[i], err);
        /* The scenario's name is its file name, and it says what it is for. */
        const char *base = strrchr(fl.path[i], '/') + 1;
        ck_assert_msg(strncmp(base, sc->name, strlen(sc->name)) == 0 && !strcmp(base + strlen(sc->name), ".json"),
                      "%s: name \"%s\" does not match the file name", fl.path[i], sc->name);
        ck_assert_msg(strlen(sc->description) >= 100, "%s: description too short", fl.path[i]);
        ck_assert_int_ge(ex->n_agents, 2);
        /* its own experiment trains through every scripted event */
        ck_assert_msg(lgx_check_reach(sc, ex, err, sizeof err) == 0, "%s: %s", fl.path[i], err);
    }
    free(sc);
    free(ex);
    free_files(&fl);
}
END_TEST

START_TEST(test_roundtrip_identical)
{
    file_list fl = list_files(SCENARIO_DIR, ".json");
    lg_scenario *a = new_scenario(), *b = new_scenario();
    lgx_experiment *xa = new_experiment(), *xb = new_experiment();
    for (int i = 0; i < fl.n; i++) {
        char err[2048] = "";
        memset(a, 0, sizeof *a);
        memset(b, 0, sizeof *b);
        memset(xa, 0, sizeof *xa);
        memset(xb, 0, sizeof *xb);
        ck_assert_msg(lgx_load_file(fl.path[i], a, xa, err, sizeof err) == 0, "%s", err);
        char *d1 = lgx_scenario_to_json(a, xa);
        ck_assert_ptr_nonnull(d1);
        ck_assert_msg(lgx_load_string(d1, strlen(d1), "dump", b, xb, err, sizeof err) == 0,
                      "%s: its dump does not load: %s", fl.path[i], err);
        assert_same_scenario(a, b, fl.path[i]);
        /* The dump lists a sweep's configurations: where each came from
         * (its entry, made by a sweep) only shapes messages. */
        for (int k = 0; k < xb->n_agents; k++)
            xb->agents[k].entry = xa->agents[k].entry, xb->agents[k].swept = xa->agents[k].swept;
        ck_assert_msg(memcmp(xa, xb, sizeof *xa) == 0, "%s: experiment differs after a round trip", fl.path[i]);
        char *d2 = lgx_scenario_to_json(b, xb);
        ck_assert_ptr_nonnull(d2);
        ck_assert_msg(strcmp(d1, d2) == 0, "%s: the dump of the dump differs", fl.path[i]);
        /* Every key explicit: channels are listed, a generator only when
         * there are too many to list. */
        ck_assert_ptr_nonnull(strstr(d1, a->channels_generated ? "\"generate\": {" : "\"channels\": ["));
        ck_assert(a->channels_generated == (a->n_channels > LG_MAX_LISTED_CHANNELS));
        ck_assert_ptr_nonnull(strstr(d1, "\"experiment\": {"));
        free(d1);
        free(d2);
    }
    free(a);
    free(b);
    free(xa);
    free(xb);
    free_files(&fl);
}
END_TEST

START_TEST(test_default_file_is_builtin_default)
{
    lg_scenario *file = new_scenario(), *builtin = new_scenario();
    char err[2048] = "";
    ck_assert_msg(lgx_load_file(SCENARIO_DIR "/default.json", file, NULL, err, sizeof err) == 0, "%s", err);
    lg_scenario_default(builtin);
    assert_same_scenario(file, builtin, "scenarios/default.json vs lg_scenario_default()");
    /* And the dump of the built-in default loads back to it. */
    char *d = lgx_scenario_to_json(builtin, NULL);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_null(strstr(d, "\"experiment\""));
    ck_assert_ptr_null(strstr(d, "\"bandit\"")); /* classic params left out of a live default */
    memset(file, 0, sizeof *file);
    ck_assert_msg(lgx_load_string(d, strlen(d), "dump", file, NULL, err, sizeof err) == 0, "%s", err);
    assert_same_scenario(file, builtin, "dump of lg_scenario_default()");
    free(d);
    free(file);
    free(builtin);
}
END_TEST

START_TEST(test_embedded_default_is_file)
{
    lg_scenario *a = new_scenario(), *b = new_scenario();
    lgx_experiment *xa = new_experiment(), *xb = new_experiment();
    char err[2048] = "";
    ck_assert_msg(lgx_load_file(SCENARIO_DIR "/default.json", a, xa, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(lgx_load_string(lgx_embedded_default_scenario, lgx_embedded_default_scenario_len, "embedded",
                                          b, xb, err, sizeof err) == 0,
                  "%s", err);
    assert_same_scenario(a, b, "embedded default vs scenarios/default.json");
    ck_assert(memcmp(xa, xb, sizeof *xa) == 0);
    size_t len;
    char *text = test_slurp(SCENARIO_DIR "/default.json", &len);
    ck_assert_uint_eq(len, lgx_embedded_default_scenario_len);
    ck_assert(memcmp(text, lgx_embedded_default_scenario, len) == 0);
    free(text);
    free(a);
    free(b);
    free(xa);
    free(xb);
}
END_TEST

/* ------------------------------------------------------------ bad corpus */

START_TEST(test_bad_corpus)
{
    file_list fl = list_files(BAD_DIR, ".json");
    ck_assert_int_ge(fl.n, 40);
    lg_scenario *sc = new_scenario(), *pattern = new_scenario();
    lgx_experiment *ex = new_experiment(), *xpattern = new_experiment();
    memset(pattern, 0x5A, sizeof *pattern);
    memset(xpattern, 0x5A, sizeof *xpattern);
    for (int i = 0; i < fl.n; i++) {
        char expect_path[1024];
        snprintf(expect_path, sizeof expect_path, "%.*s.expect", (int)(strlen(fl.path[i]) - 5), fl.path[i]);
        char *expect = test_slurp(expect_path, NULL);
        size_t el = strlen(expect);
        while (el > 0 && (expect[el - 1] == '\n' || expect[el - 1] == '\r')) expect[--el] = '\0';
        ck_assert_msg(el > 0, "%s is empty", expect_path);

        char err[2048] = "";
        memcpy(sc, pattern, sizeof *sc);
        memcpy(ex, xpattern, sizeof *ex);
        int rc = lgx_load_file(fl.path[i], sc, ex, err, sizeof err);
        ck_assert_msg(rc == -1, "%s: loaded without error", fl.path[i]);
        ck_assert_msg(strstr(err, expect) != NULL, "%s:\n  message: %s\n  expected to contain: %s", fl.path[i], err,
                      expect);
        ck_assert_msg(strncmp(err, fl.path[i], strlen(fl.path[i])) == 0 && err[strlen(fl.path[i])] == ':',
                      "%s: message does not start with the file name: %s", fl.path[i], err);
        ck_assert_msg(strchr(err, '\n') == NULL, "%s: message spans lines", fl.path[i]);
        ck_assert_msg(memcmp(sc, pattern, sizeof *sc) == 0 && memcmp(ex, xpattern, sizeof *ex) == 0,
                      "%s: outputs written on error", fl.path[i]);

        /* The same bytes from memory give the same message. */
        size_t len;
        char *text = test_slurp(fl.path[i], &len);
        char err2[2048] = "";
        ck_assert_int_eq(lgx_load_string(text, len, fl.path[i], sc, NULL, err2, sizeof err2), -1);
        ck_assert_str_eq(err, err2);
        /* A tiny error buffer is truncated, not overrun; none at all is fine. */
        char small[8];
        ck_assert_int_eq(lgx_load_string(text, len, fl.path[i], sc, NULL, small, sizeof small), -1);
        ck_assert_uint_lt(strlen(small), sizeof small);
        ck_assert_int_eq(lgx_load_string(text, len, fl.path[i], sc, NULL, NULL, 0), -1);
        free(text);
        free(expect);
    }
    free(sc);
    free(pattern);
    free(ex);
    free(xpattern);
    free_files(&fl);
}
END_TEST

/* ------------------------------------------------------------------ limits */

START_TEST(test_size_limit)
{
    lg_scenario *sc = new_scenario();
    char err[2048] = "";
    size_t max = LG_SCENARIO_MAX_FILE_BYTES;
    char *buf = malloc(max + 2);
    ck_assert_ptr_nonnull(buf);
    /* Exactly the limit: "{}" padded with spaces is fine. */
    buf[0] = '{';
    buf[1] = '}';
    memset(buf + 2, ' ', max - 2);
    ck_assert_msg(lgx_load_string(buf, max, "big", sc, NULL, err, sizeof err) == 0, "%s", err);
    /* One byte more is refused, from memory and from a file. */
    buf[max] = ' ';
    ck_assert_int_eq(lgx_load_string(buf, max + 1, "big", sc, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "big: expected a scenario of at most 4 MiB"));
    const char *path = LG_BINARY_DIR "/test_scenario_json_big.json";
    test_write_bytes(path, (const unsigned char *)buf, max + 1);
    ck_assert_int_eq(lgx_load_file(path, sc, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "expected a scenario file of at most 4 MiB (4194304 bytes), found a larger file"));
    test_write_bytes(path, (const unsigned char *)buf, max);
    ck_assert_msg(lgx_load_file(path, sc, NULL, err, sizeof err) == 0, "%s", err);
    remove(path);
    free(buf);
    free(sc);
}
END_TEST

START_TEST(test_value_and_depth_limits)
{
    /* Too many values. */
    size_t n = LG_JSON_MAX_VALUES + 10, cap = 2 * n + 32;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    size_t len = (size_t)snprintf(buf, cap, "{\"events\": [");
    for (size_t i = 0; i < n; i++) {
        buf[len++] = '0';
        buf[len++] = i + 1 < n ? ',' : ']';
    }
    buf[len++] = '}';
    buf[len] = '\0';
    expect_error(buf, "expected at most 250000 JSON values in a scenario, found more");
    free(buf);

    /* Nesting: 64 levels pass the reader (and reach the agent, which knows
     * no key "a"), 65 do not (the agent params are free-form JSON). */
    for (int depth = 64; depth <= 65; depth++) {
        char doc[4096];
        size_t l = (size_t)snprintf(doc, sizeof doc, "{\"experiment\": {\"agents\": [{\"name\": \"dqn\", \"params\": ");
        int inner = depth - 4; /* root, experiment, agents, agent */
        for (int i = 0; i < inner; i++) l += (size_t)snprintf(doc + l, sizeof doc - l, "{\"a\": ");
        l += (size_t)snprintf(doc + l, sizeof doc - l, "1");
        for (int i = 0; i < inner; i++) l += (size_t)snprintf(doc + l, sizeof doc - l, "}");
        snprintf(doc + l, sizeof doc - l, "}]}}");
        if (depth == 64) {
            expect_error(doc, "experiment.agents[0]: dqn.params.a: unknown key");
        } else {
            expect_error(doc, "expected at most 64 nested arrays and objects, found deeper nesting");
        }
    }
    /* Number literals longer than cJSON's buffer. */
    expect_error("{\"session\": {\"dt\": 5.0000000000000000000000000000000000000000000000000000000000000001}}",
                 "expected a number of at most 63 characters, found 66");
    lg_scenario *sc = new_scenario();
    expect_ok("{\"session\": {\"dt\": 5.00000000000000000000000000000000000000000000000000000000001}}", sc, NULL);
    ck_assert(sc->dt == 5.0f);
    free(sc);
}
END_TEST

START_TEST(test_file_errors)
{
    lg_scenario *sc = new_scenario();
    char err[2048] = "";
    ck_assert_int_eq(lgx_load_file(LG_SOURCE_DIR "/no/such/file.json", sc, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "/no/such/file.json: cannot open: "));
    ck_assert_int_eq(lgx_load_file(LG_SOURCE_DIR "/scenarios", sc, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "/scenarios: cannot read: "));
    ck_assert_int_eq(lgx_load_string(NULL, 0, NULL, sc, NULL, err, sizeof err), -1);
    ck_assert_str_eq(err, "(string): expected a JSON object, found an empty file");
    free(sc);
}
END_TEST

/* ----------------------------------------------------- syntax and encoding */

START_TEST(test_syntax_positions)
{
    expect_error("{\r\n  \"name\": \"x\",\r\n}", "t.json:2:14: syntax error: expected a string key after ','");
    expect_error("{\n\t\"world\": {\n\t\t\"seed\": 1 2\n\t}\n}", "t.json:3:13: syntax error: expected ',' or '}', found '2'");
    /* Columns count characters, not bytes. */
    expect_error("{\"name\": \"\xc3\xa9\xc3\xa9\" x}", "t.json:1:15: syntax error");
    expect_error("{\"name\": \"a\"}\n\n  ]", "t.json:3:3: syntax error: expected end of input after the top-level value");
    expect_error("[1, 2", "t.json:1:6: syntax error: expected ',' or ']', found end of input (the '[' at line 1, column 1");
    expect_error("{\"name\": \"\xed\xa0\x80\"}", "t.json:1:11: encoding error"); /* UTF-8 surrogate */
    expect_error("{\"name\": \"\xf4\x90\x80\x80\"}", "t.json:1:11: encoding error"); /* > U+10FFFF */
    expect_error("{\"name\": \"abc\xe2\x82", "encoding error: expected UTF-8 text, found a truncated UTF-8 sequence");
    expect_error("{\"a\"\x0b: 1}", "syntax error: expected ':' after the key, found control character 0x0b");
}
END_TEST

START_TEST(test_bom_and_unicode)
{
    lg_scenario *sc = new_scenario(), *back = new_scenario();
    /* A BOM is skipped; escapes, surrogate pairs and raw UTF-8 decode to UTF-8. */
    expect_ok("\xEF\xBB\xBF{\"name\": \"caf\\u00e9 \\ud83d\\ude00 \xe2\x82\xac\", \"description\": \"tab\\there \\\"q\\\" \\\\ \\/\"}",
              sc, NULL);
    ck_assert_str_eq(sc->name, "caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac");
    ck_assert_str_eq(sc->description, "tab\there \"q\" \\ /");
    char *d = lgx_scenario_to_json(sc, NULL);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(strstr(d, "\"description\": \"tab\\there \\\"q\\\" \\\\ /\""));
    expect_ok(d, back, NULL);
    assert_same_scenario(sc, back, "unicode round trip");
    free(d);
    free(sc);
    free(back);
}
END_TEST

/* -------------------------------------------------- keys, types, defaults */

START_TEST(test_paths_and_hints)
{
    expect_error("{\"world\": {\"channels\": [{\"category\": 0, \"windows\": [{\"start\": \"18:00\"}]}]}}",
                 "t.json: world.channels[0].windows[0].start: expected a number, found string \"18:00\"");
    expect_error("{\"population\": {\"segments\": [{\"interest\": {\"gaming\": 1}, \"activity\": [1, 1, 1, 1, 1, 1, 1, "
                 "1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, 1]}]}}",
                 "population.segments[0].activity[22]: expected a number, found true");
    expect_error("{\"world\": {\"categories\": [\"a.b\", \"c\"]}, \"population\": {\"segments\": [{\"interest\": "
                 "{\"a.b\": 1, \"x y\": 2}}]}}",
                 "population.segments[0].interest[\"x y\"]: expected a category name (one of \"a.b\", \"c\")");
    expect_error("{\"sesion\": {}}", "found unknown key \"sesion\" (did you mean \"session\"?)");
    expect_error("{\"observation\": {\"mode\": \"vector\", \"observe_segments\": true}}",
                 "(did you mean \"observe_segment\"?)");
    expect_error("{\"world\": {\"popularity\": {\"reversion\": 0.1, \"reversion\": 0.2, \"reversion\": 0.3}}}",
                 "world.popularity.reversion: expected each key at most once in an object, found duplicate key "
                 "\"reversion\" (3 times)");
    /* Duplicates are found in free-form params too. */
    expect_error("{\"experiment\": {\"agents\": [{\"name\": \"dqn\", \"params\": {\"lr\": 1, \"net\": {\"h\": 1, \"h\": 2}}}]}}",
                 "experiment.agents[0].params.net.h: expected each key at most once");
    expect_error("{\"experiment\": {\"agents\": [{\"name\": \"dqn\", \"params\": {\"lr\": 1e400}}]}}",
                 "experiment.agents[0].params.lr: expected a finite number");
    expect_error("{\"world\": {\"seed\": -1}}", "world.seed: expected an integer in [0, 9007199254740992], found -1");
    expect_error("{\"world\": {\"seed\": 1.5}}", "world.seed: expected an integer, found 1.5");
    expect_error("{\"kind\": \"grid\"}", "kind: expected one of \"live\", \"bandit\", \"cliff\", found string \"grid\"");
    expect_error("{\"bandit\": {\"arms\": 0}}", "bandit.arms: expected an integer in [1, 1024], found 0");
}
END_TEST

START_TEST(test_explicit_channel_and_segment_defaults)
{
    lg_scenario *sc = new_scenario(), *def = new_scenario();
    lg_scenario_default(def);
    expect_ok("{\"world\": {\"channels\": [{\"category\": \"music\"}, {\"name\": \"late\", \"category\": 2, "
              "\"always_on\": true, \"windows\": []}]},"
              " \"population\": {\"segments\": [{\"interest\": {\"music\": 2}}, {\"name\": \"b\", \"weight\": 3, "
              "\"interest\": {\"sports\": 1}, \"activity\": {\"peak_hour\": 3}}]}}",
              sc, NULL);
    ck_assert_int_eq(sc->n_channels, 2);
    const lg_channel_spec *c0 = &sc->channels[0], *c1 = &sc->channels[1];
    ck_assert_str_eq(c0->name, "ch00");
    ck_assert_int_eq(c0->category, 1);
    ck_assert(c0->quality == 0.5f && c0->appeal == 0.5f && c0->base_popularity == 0.0f && c0->always_on == 0);
    ck_assert_int_eq(c0->n_windows, 1);
    ck_assert(c0->windows[0].start == 1080.0f && c0->windows[0].duration == 240.0f && c0->windows[0].jitter == 0.0f);
    ck_assert_str_eq(c1->name, "late");
    ck_assert_int_eq(c1->category, 2);
    ck_assert_int_eq(c1->always_on, 1);
    ck_assert_int_eq(c1->n_windows, 0);
    /* Channels beyond the list are zero (a canonical struct). */
    lg_channel_spec zero;
    memset(&zero, 0, sizeof zero);
    ck_assert(memcmp(&sc->channels[2], &zero, sizeof zero) == 0);

    ck_assert_int_eq(sc->n_segments, 2);
    const lg_segment *s0 = &sc->segments[0], *s1 = &sc->segments[1], *d0 = &def->segments[0];
    ck_assert_str_eq(s0->name, "seg0");
    ck_assert(s0->weight == d0->weight && s0->interest_spread == d0->interest_spread && s0->herding == d0->herding &&
              s0->quality_weight == d0->quality_weight && s0->appeal_weight == d0->appeal_weight &&
              s0->follow_weight == d0->follow_weight && s0->patience == d0->patience);
    ck_assert(memcmp(s0->activity, d0->activity, sizeof s0->activity) == 0);
    for (int k = 0; k < LG_MAX_CATEGORIES; k++) ck_assert(s0->interest[k] == (k == 1 ? 2.0f : 0.0f));
    ck_assert_str_eq(s1->name, "b");
    ck_assert(s1->weight == 3.0f && s1->interest[2] == 1.0f);
    /* The activity shorthand: floor 0.15 plus a bump of width 3 h at the peak hour. */
    ck_assert(fabsf(s1->activity[3] - 1.15f) < 1e-6f);
    ck_assert(s1->activity[3] > s1->activity[2] && s1->activity[2] > s1->activity[12]);
    ck_assert(fabsf(s1->activity[15] - 0.15f) < 1e-3f);
    free(sc);
    free(def);
}
END_TEST

START_TEST(test_categories_interplay)
{
    lg_scenario *sc = new_scenario(), *def = new_scenario();
    lg_scenario_default(def);
    /* New categories, no channels: the default generator runs again over them. */
    expect_ok("{\"world\": {\"categories\": [\"talk\", \"music\", \"gaming\", \"sports\"]}}", sc, NULL);
    ck_assert_int_eq(sc->n_categories, 4);
    ck_assert_int_eq(sc->n_channels, 50);
    int per_cat[4] = {0};
    for (int c = 0; c < sc->n_channels; c++) {
        ck_assert_int_lt(sc->channels[c].category, 4);
        per_cat[sc->channels[c].category]++;
    }
    for (int k = 0; k < 4; k++) ck_assert_int_ge(per_cat[k], 12);
    /* ... and the default segments keep their interests by category name. */
    ck_assert_int_eq(sc->n_segments, 4);
    ck_assert(sc->segments[0].interest[0] == 0.2f);  /* casual: talk */
    ck_assert(sc->segments[0].interest[1] == 0.3f);  /* casual: music */
    ck_assert(sc->segments[0].interest[2] == 0.3f);  /* casual: gaming */
    ck_assert(sc->segments[0].interest[3] == 0.0f);  /* casual had no sports */
    ck_assert(sc->segments[1].interest[2] == 0.8f);  /* gamer: gaming (art is gone) */
    ck_assert(sc->segments[2].interest[3] == 0.8f);  /* sports-fan: sports */
    for (int s = 0; s < 4; s++)
        for (int k = 4; k < LG_MAX_CATEGORIES; k++) ck_assert(sc->segments[s].interest[k] == 0.0f);

    /* Explicit channels resolve category names against the new list. */
    expect_ok("{\"world\": {\"categories\": [\"a\", \"b\"], \"channels\": [{\"category\": \"b\"}, {\"category\": 0}]},"
              " \"population\": {\"segments\": [{\"interest\": {\"a\": 1}}]}}",
              sc, NULL);
    ck_assert_int_eq(sc->n_categories, 2);
    ck_assert_int_eq(sc->channels[0].category, 1);
    ck_assert_int_eq(sc->channels[1].category, 0);
    ck_assert_str_eq(sc->category_names[1], "b");
    ck_assert_str_eq(sc->category_names[2], "");

    /* Generated channels with custom parameters; missing keys keep their defaults. */
    expect_ok("{\"world\": {\"channels\": {\"generate\": {\"count\": 12, \"always_on_fraction\": 1}}}}", sc, NULL);
    ck_assert_int_eq(sc->n_channels, 12);
    for (int c = 0; c < 12; c++) ck_assert_int_eq(sc->channels[c].always_on, 1);
    ck_assert_str_eq(sc->channels[11].name, "ch11");
    ck_assert(memcmp(&sc->channels[0].quality, &def->channels[0].quality, sizeof(float)) == 0); /* same seed */
    expect_ok("{\"world\": {\"channels\": {\"generate\": {}}}}", sc, NULL);
    assert_same_scenario(sc, def, "empty generator block");
    free(sc);
    free(def);
}
END_TEST

START_TEST(test_events_resolve)
{
    lg_scenario *sc = new_scenario(), *back = new_scenario();
    expect_ok("{\"events\": ["
              "{\"time\": 10, \"type\": \"spike\", \"channel\": \"ch03\", \"magnitude\": 2},"
              "{\"time\": 20, \"type\": \"trend_shift\", \"category\": \"music\", \"magnitude\": -1, \"duration\": 60},"
              "{\"time\": 30, \"type\": \"off_air\", \"channel\": 7},"
              "{\"time\": 40, \"type\": \"new_channel\", \"channel\": \"ch49\"},"
              "{\"time\": 50, \"type\": \"bot_wave\", \"channel\": \"ch01\", \"magnitude\": 500, \"duration\": 30},"
              "{\"time\": 10080, \"type\": \"interest_shift\", \"segment\": \"gamer\", \"category\": 2, \"magnitude\": 0.5}"
              "]}",
              sc, NULL);
    ck_assert_int_eq(sc->n_events, 6);
    const lg_event *e = sc->events;
    ck_assert(e[0].type == LG_EV_SPIKE && e[0].channel == 3 && e[0].magnitude == 2.0f && e[0].category == -1 &&
              e[0].segment == -1 && e[0].duration == 0.0f);
    ck_assert(e[1].type == LG_EV_TREND && e[1].category == 1 && e[1].magnitude == -1.0f && e[1].duration == 60.0f &&
              e[1].channel == -1);
    ck_assert(e[2].type == LG_EV_OFF_AIR && e[2].channel == 7 && e[2].duration == 0.0f);
    ck_assert(e[3].type == LG_EV_NEW_CHANNEL && e[3].channel == 49 && e[3].time == 40.0f);
    ck_assert(e[4].type == LG_EV_BOT_WAVE && e[4].channel == 1 && e[4].magnitude == 500.0f && e[4].duration == 30.0f);
    ck_assert(e[5].type == LG_EV_INTEREST_SHIFT && e[5].segment == 1 && e[5].category == 2 && e[5].magnitude == 0.5f &&
              e[5].channel == -1 && e[5].time == 10080.0f);
    /* The dump names what the file indexed, and loads back. */
    char *d = lgx_scenario_to_json(sc, NULL);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(strstr(d, "{\"time\": 30, \"type\": \"off_air\", \"channel\": \"ch07\", \"duration\": 0}"));
    ck_assert_ptr_nonnull(strstr(d, "\"segment\": \"gamer\", \"category\": \"sports\", \"magnitude\": 0.5}"));
    expect_ok(d, back, NULL);
    assert_same_scenario(sc, back, "events round trip");
    free(d);
    free(sc);
    free(back);
}
END_TEST

/* A catalogue too large to list is its generator: channel c is the one a
 * listed catalogue of the same generator holds at c, names ch00... resolve
 * by reading the digits (exactly: ch7 is not ch07), and the dump is the
 * generator, which loads back to the same struct. */
START_TEST(test_generated_catalogue)
{
    lg_scenario *big = new_scenario(), *small = new_scenario(), *back = new_scenario();
    const char *gen = "{\"world\": {\"channels\": {\"generate\": {\"seed\": 11, \"count\": %d, "
                      "\"always_on_fraction\": 0.5}}}, \"events\": [{\"time\": 10, \"type\": \"spike\", "
                      "\"channel\": \"%s\", \"magnitude\": 1}]}";
    char json[1024];
    snprintf(json, sizeof json, gen, 40000, "ch39999");
    expect_ok(json, big, NULL);
    snprintf(json, sizeof json, gen, LG_MAX_LISTED_CHANNELS, "ch01");
    expect_ok(json, small, NULL);
    ck_assert_int_eq(big->n_channels, 40000);
    ck_assert(big->channels_generated && !small->channels_generated);
    ck_assert_int_eq(big->events[0].channel, 39999);
    ck_assert_int_eq(big->generator.count, 40000);
    int on = 0;
    for (int c = 0; c < LG_MAX_LISTED_CHANNELS; c++) {
        lg_channel_spec a;
        lg_scenario_channel(big, c, &a);
        ck_assert_msg(memcmp(&a, &small->channels[c], sizeof a) == 0, "channel %d differs", c);
        ck_assert_int_eq(lg_scenario_channel_category(big, c), a.category);
        on += a.always_on;
    }
    ck_assert(on > 400 && on < 624); /* the generator's parameters are used */
    lg_channel_spec last;
    lg_scenario_channel(big, 39999, &last);
    ck_assert_str_eq(last.name, "ch39999");
    char *d = lgx_scenario_to_json(big, NULL);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(strstr(d, "\"generate\": {"));
    ck_assert_ptr_nonnull(strstr(d, "\"channel\": \"ch39999\""));
    ck_assert_uint_lt(strlen(d), 20000);
    expect_ok(d, back, NULL);
    assert_same_scenario(big, back, "generated catalogue round trip");
    free(d);
    snprintf(json, sizeof json, gen, 40000, "ch7");
    expect_error(json, "events[0].channel: no channel named \"ch7\"; expected one of \"ch00\", \"ch01\"");
    snprintf(json, sizeof json, gen, 40000, "ch40000");
    expect_error(json, "no channel named \"ch40000\"");
    snprintf(json, sizeof json, gen, LG_MAX_CHANNELS + 1, "ch01");
    expect_error(json, "world.channels.generate.count: expected an integer in [1, 1000000], found 1000001");
    free(big), free(small), free(back);
}
END_TEST

START_TEST(test_classic_kinds)
{
    lg_scenario *sc = new_scenario(), *back = new_scenario();
    expect_ok("{\"kind\": \"bandit\", \"bandit\": {\"arms\": 5, \"walk_sd\": 0.01}}", sc, NULL);
    ck_assert_int_eq(sc->kind, LG_KIND_BANDIT);
    ck_assert_int_eq(sc->bandit.arms, 5);
    ck_assert(sc->bandit.walk_sd == 0.01f);
    char *d = lgx_scenario_to_json(sc, NULL);
    ck_assert_ptr_nonnull(strstr(d, "\"kind\": \"bandit\""));
    ck_assert_ptr_nonnull(strstr(d, "\"bandit\": {\"arms\": 5,"));
    ck_assert_ptr_null(strstr(d, "\"cliff\""));
    expect_ok(d, back, NULL);
    assert_same_scenario(sc, back, "bandit round trip");
    free(d);
    expect_ok("{\"kind\": \"cliff\", \"cliff\": {\"rows\": 5, \"cols\": 8}}", sc, NULL);
    ck_assert_int_eq(sc->kind, LG_KIND_CLIFF);
    ck_assert(sc->cliff.rows == 5 && sc->cliff.cols == 8 && sc->cliff.cliff_reward == -100.0f);
    d = lgx_scenario_to_json(sc, NULL);
    expect_ok(d, back, NULL);
    assert_same_scenario(sc, back, "cliff round trip");
    free(d);
    free(sc);
    free(back);
}
END_TEST

START_TEST(test_dump_of_odd_structs)
{
    /* Non-finite floats become null (which does not load); out-of-range indices
     * stay numbers; nothing crashes. */
    lg_scenario *sc = new_scenario();
    lg_scenario_default(sc);
    sc->dt = NAN;
    sc->channels[0].category = 99;
    sc->n_events = 1;
    sc->events[0].type = LG_EV_SPIKE;
    sc->events[0].channel = -5;
    memset(sc->name, 'x', sizeof sc->name); /* no terminator */
    char *d = lgx_scenario_to_json(sc, NULL);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(strstr(d, "\"dt\": null"));
    ck_assert_ptr_nonnull(strstr(d, "\"category\": 99"));
    ck_assert_ptr_nonnull(strstr(d, "\"channel\": -5"));
    char err[2048];
    ck_assert_int_eq(lgx_load_string(d, strlen(d), "odd", sc, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "odd: name: expected a string of at most 63 bytes, found one of 64 bytes"));
    free(d);
    free(sc);
}
END_TEST

/* ------------------------------------------------------- running scenarios */

START_TEST(test_shipped_scenarios_run)
{
    file_list fl = list_files(SCENARIO_DIR, ".json");
    lg_scenario *sc = new_scenario();
    for (int i = 0; i < fl.n; i++) {
        char err[2048] = "";
        ck_assert_msg(lgx_load_file(fl.path[i], sc, NULL, err, sizeof err) == 0, "%s", err);
        lg_env *env = test_env(sc, 4, 7, LG_LAYOUT_FLAT);
        const lg_buffers *b = lg_env_buffers(env);
        lg_stream rng = lg_stream_make(11, TEST_STREAM, (uint64_t)i);
        int32_t *actions = malloc(sizeof *actions * (size_t)b->n_slots * (size_t)b->slate_size);
        ck_assert_ptr_nonnull(actions);
        double total = 0.0, watched = 0.0;
        for (int t = 0; t < 1000; t++) {
            test_random_actions(env, &rng, actions);
            lg_env_step(env, actions);
            for (int s = 0; s < b->n_slots; s++) {
                ck_assert_msg(isfinite(b->reward[s]), "%s: step %d slot %d: reward %g", fl.path[i], t, s,
                              (double)b->reward[s]);
                total += b->reward[s];
                watched += b->info[s].watch_minutes;
            }
        }
        /* The live world's viewers watch (its reward may be negative: a return
         * reward for poor sessions); the testbed's rewards average ~0 and Cliff
         * Walking's are negative: there, only ask that something was paid. */
        if (sc->kind == LG_KIND_LIVE)
            ck_assert_msg(watched > 0.0 && total != 0.0, "%s: nobody watched anything in 1000 steps", fl.path[i]);
        else
            ck_assert_msg(total != 0.0, "%s: no reward at all in 1000 steps", fl.path[i]);
        free(actions);
        lg_env_free(env);
    }
    free(sc);
    free_files(&fl);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("scenario_json");
    TCase *tc = tcase_create("files");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_shipped_scenarios_validate);
    tcase_add_test(tc, test_roundtrip_identical);
    tcase_add_test(tc, test_default_file_is_builtin_default);
    tcase_add_test(tc, test_embedded_default_is_file);
    tcase_add_test(tc, test_bad_corpus);
    tcase_add_test(tc, test_size_limit);
    tcase_add_test(tc, test_value_and_depth_limits);
    tcase_add_test(tc, test_file_errors);
    tcase_add_test(tc, test_syntax_positions);
    tcase_add_test(tc, test_bom_and_unicode);
    tcase_add_test(tc, test_paths_and_hints);
    tcase_add_test(tc, test_explicit_channel_and_segment_defaults);
    tcase_add_test(tc, test_categories_interplay);
    tcase_add_test(tc, test_events_resolve);
    tcase_add_test(tc, test_classic_kinds);
    tcase_add_test(tc, test_generated_catalogue);
    tcase_add_test(tc, test_dump_of_odd_structs);
    tcase_add_test(tc, test_shipped_scenarios_run);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return test_run_suite(suite()); }
