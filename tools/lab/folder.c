/* Results folders as one run's (lgx_folder.h). status.json is read like
 * any file from elsewhere: strictly, every field checked. */
#include "lgx_folder.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lg_checksum.h"
#include "lg_file.h"

int lgx_file_hash(const char *path, char hex[17], char *err, size_t errsz)
{
    char *buf;
    size_t n;
    if (lg_read_file(path, (size_t)1 << 34, &buf, &n, err, errsz)) return -1;
    snprintf(hex, 17, "%016llx", (unsigned long long)lg_fnv1a64(LG_FNV1A64_INIT, buf, n));
    free(buf);
    return 0;
}

static int is_hex16(const cJSON *v)
{
    if (!cJSON_IsString(v) || strlen(v->valuestring) != 16) return 0;
    return strspn(v->valuestring, "0123456789abcdef") == 16;
}

/* status, jobs and run of status.json; 0 or 2. */
static int read_status(const char *path, const cJSON *js, lgx_folder *out, char *err, size_t errsz)
{
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(js, "status");
    const cJSON *done = cJSON_GetObjectItemCaseSensitive(js, "jobs_done");
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(js, "jobs_total");
    const cJSON *run = cJSON_GetObjectItemCaseSensitive(js, "run");
    if (!cJSON_IsString(st) || (strcmp(st->valuestring, "complete") && strcmp(st->valuestring, "partial")))
        return snprintf(err, errsz, "%s: status: expected \"complete\" or \"partial\"", path), 2;
    if (!cJSON_IsNumber(done) || !cJSON_IsNumber(total) || !(total->valuedouble >= 0 && total->valuedouble <= 1e9) ||
        !(done->valuedouble >= 0 && done->valuedouble <= total->valuedouble))
        return snprintf(err, errsz, "%s: jobs_done, jobs_total: expected 0 <= done <= total", path), 2;
    out->complete = !strcmp(st->valuestring, "complete");
    out->jobs_done = (int)done->valuedouble, out->jobs_total = (int)total->valuedouble;
    if (run && !is_hex16(run)) return snprintf(err, errsz, "%s: run: expected 16 hex digits", path), 2;
    if (run) memcpy(out->run, run->valuestring, 17);
    return 0;
}

int lgx_folder_check(const char *dir, const char *const *files, int allow_partial, lgx_folder *out, char *err,
                     size_t errsz)
{
    char path[4200], *buf;
    size_t n;
    memset(out, 0, sizeof *out);
    out->lock = -1;
    snprintf(path, sizeof path, "%.4000s/status.json", dir);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return snprintf(err, errsz, "%.4000s: not a results folder of livegym run (no status.json)", dir), 2;
    /* Read while no run can write: a run holds the lock exclusively. */
    char lockp[4200];
    snprintf(lockp, sizeof lockp, "%.4000s/.lock", dir);
    out->lock = open(lockp, O_RDONLY | O_CLOEXEC);
    if (out->lock >= 0 && flock(out->lock, LOCK_SH | LOCK_NB) != 0) {
        lgx_folder_release(out);
        return snprintf(err, errsz, "%.4000s: a livegym run is writing this folder; wait for it to end", dir), 2;
    }
    if (lg_read_file(path, 1 << 20, &buf, &n, err, errsz)) return 2;
    cJSON *js = cJSON_ParseWithLength(buf, n);
    free(buf);
    int rc = 0;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(js, "files");
    if (!cJSON_IsObject(js)) rc = 2, snprintf(err, errsz, "%s: expected a JSON object", path);
    if (rc == 0) rc = read_status(path, js, out, err, errsz);
    if (rc == 0 && !out->complete && !allow_partial)
        rc = 2, snprintf(err, errsz,
                         "%.4000s: a partial run (%d of %d runs done): finish it with livegym run --resume --out %s, "
                         "or read it as it is with --partial",
                         dir, out->jobs_done, out->jobs_total, dir);
    if (rc == 0 && !cJSON_IsObject(list) && !out->complete)
        rc = 2, snprintf(err, errsz, "%.4000s: the run stopped before it wrote any results (status.json lists no "
                                     "files): finish it with livegym run --resume --out %s", dir, dir);
    if (rc == 0 && !cJSON_IsObject(list))
        rc = 2, snprintf(err, errsz, "%.4000s: status.json lists no files (damaged, or written by a livegym that "
                                     "did not list them): run the experiment again", dir);
    for (int i = 0; rc == 0 && files[i]; i++) {
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(list, files[i]);
        char file[4300], hex[17];
        snprintf(file, sizeof file, "%.4000s/%s", dir, files[i]);
        if (!want) {
            if (stat(file, &sb) == 0)
                rc = 2, snprintf(err, errsz, "%s: not one of the files status.json lists: the folder mixes runs", file);
            else
                rc = 2, snprintf(err, errsz, "%s: no such file (status.json does not list it either)", file);
        } else if (!is_hex16(want)) {
            rc = 2, snprintf(err, errsz, "%s: files.%s: expected 16 hex digits", path, files[i]);
        } else if (lgx_file_hash(file, hex, err, errsz)) {
            rc = 2;
        } else if (strcmp(hex, want->valuestring)) {
            rc = 2, snprintf(err, errsz, "%s: not the file of the run status.json describes (run %s): written by "
                                         "another run or changed since; the folder mixes runs", file, out->run);
        }
    }
    cJSON_Delete(js);
    if (rc) lgx_folder_release(out);
    return rc;
}

void lgx_folder_release(lgx_folder *f)
{
    if (f->lock >= 0) close(f->lock);
    f->lock = -1;
}
