/* fetch.c — calibration tables fetched into the cache: the master pointing
 * table from JSOC's JSON interface (turned into the CSV the pointing step
 * reads), SSW's response and error tables, a frame's spikes file.
 *
 * Every fetch goes the same way: download to a temporary name in the cache
 * directory; check the body (the parser that will use it must read it, a
 * known checksum must match); write the sidecar NAME.source (url, sha256,
 * bytes) under a temporary name; rename the sidecar, then the file. So a
 * file under its final name is always complete and checked, and a crash
 * leaves at most a sidecar whose checksum no file matches (the next fetch
 * replaces it). A cached file is used while its checksum matches its
 * sidecar. */
#include "batch/batch.h"
#include "core/fs.h"
#include "core/json.h"
#include "core/sha256.h"
#include "io/http.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_JSOC "http://jsoc.stanford.edu"
#define DEFAULT_SSW "https://soho.nascom.nasa.gov/solarsoft/"
#define MAX_TABLE_BYTES (64LL << 20) /* the largest answer taken: tables are kilobytes */

/* The tables aiapy checks, with its checksums. */
static const struct { const char *name, *sha256; } known_tables[] = {
    {"aia_V10_20201119_190000_response_table.txt", "0a3f2db39d05c44185f6fdeec928089fb55d1ce1e0a805145050c6356cbc6e98"},
    {"aia_V3_error_table.txt", "66ff034923bb0fd1ad20e8f30c7d909e1a80745063957dd6010f81331acaf894"},
};

const char *aia_response_table_name(int version)
{
    return version == 10 ? known_tables[0].name : NULL;
}

const char *aia_error_table_name(void) { return known_tables[1].name; }

int aia_fetch_available(void) { return aia_http_available(); }

void aia_fetch_options_default(aia_fetch_options *o)
{
    memset(o, 0, sizeof *o);
}

/* ---- where ----------------------------------------------------------------- */

static int cache_dir(const aia_fetch_options *o, char *buf, size_t size)
{
    if (o->cache_dir && *o->cache_dir) {
        snprintf(buf, size, "%s", o->cache_dir);
    } else {
        char base[PATH_MAX];
        int st = aia_cache_dir(base, sizeof base);
        if (st)
            return st;
        if ((size_t)snprintf(buf, size, "%s/tables", base) >= size)
            return aia_fail(AIA_ERR_ARG, "cache directory path too long");
    }
    if (aia_make_dirs(buf) != 0)
        return aia_fail(AIA_ERR_IO, "%s: cannot create the cache directory: %s", buf, strerror(errno));
    return AIA_OK;
}

int aia_fetch_cache_dir(const aia_fetch_options *o, char *buf, size_t size)
{
    aia_fetch_options defaults;
    if (!o) {
        aia_fetch_options_default(&defaults);
        o = &defaults;
    }
    return cache_dir(o, buf, size);
}

static const char *base_url(const char *given, const char *env, const char *fallback)
{
    if (given && *given)
        return given;
    const char *e = getenv(env);
    return e && *e ? e : fallback;
}

static double timeout_of(const aia_fetch_options *o)
{
    if (o->timeout > 0)
        return o->timeout;
    const char *e = getenv("AIAPREP_FETCH_TIMEOUT");
    const double t = e ? strtod(e, NULL) : 0;
    return t > 0 ? t : 30.0;
}

/* scheme://host[:port] of a URL. */
static const char *origin_of(const char *url, char *out, size_t size)
{
    const char *host = strstr(url, "://");
    const char *path = host ? strchr(host + 3, '/') : NULL;
    snprintf(out, size, "%.*s", (int)(path ? path - url : (long)strlen(url)), url);
    return out;
}

/* base + rest with exactly one '/' between them. */
static void join_url(const char *base, const char *rest, char *out, size_t size)
{
    const size_t n = strlen(base);
    const int slash_base = n && base[n - 1] == '/', slash_rest = rest[0] == '/';
    if (slash_base && slash_rest)
        snprintf(out, size, "%.*s%s", (int)(n - 1), base, rest);
    else
        snprintf(out, size, "%s%s%s", base, slash_base || slash_rest ? "" : "/", rest);
}

/* ---- the cache --------------------------------------------------------------- */

static int sidecar_path(const char *path, char *out, size_t size)
{
    if ((size_t)snprintf(out, size, "%s.source", path) >= size)
        return aia_fail(AIA_ERR_ARG, "%s: path too long", path);
    return AIA_OK;
}

/* The "sha256" of a sidecar, or "" (absent, unreadable, not ours). */
static void sidecar_sha(const char *path, char sha[65])
{
    char side[PATH_MAX + 16];
    sha[0] = '\0';
    if (sidecar_path(path, side, sizeof side) != AIA_OK) {
        aia_clear_error();
        return;
    }
    FILE *f = fopen(side, "r");
    if (!f)
        return;
    char text[4096];
    const size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    aia_json *j = NULL;
    if (aia_json_parse(text, n, &j) == AIA_OK) {
        const aia_json *s = aia_json_member(j, "sha256");
        if (s && s->type == AIA_JSON_STRING && strlen(s->text) == 64)
            snprintf(sha, 65, "%s", s->text);
    }
    aia_json_free(j);
    aia_clear_error();
}

/* 1 when path is in the cache whole: its checksum is its sidecar's. */
static int is_cached(const char *path)
{
    char want[65], have[65];
    sidecar_sha(path, want);
    if (!want[0] || access(path, R_OK) != 0 || aia_sha256_file(path, have) != AIA_OK) {
        aia_clear_error();
        return 0;
    }
    return strcmp(want, have) == 0;
}

static int write_sidecar(const char *tmp, const char *url, const char *sha, long long bytes)
{
    FILE *f = fopen(tmp, "w");
    if (!f)
        return aia_fail(AIA_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
    fputs("{\"url\": ", f);
    aia_json_write_string(f, url);
    fprintf(f, ", \"sha256\": \"%s\", \"bytes\": %lld, \"fetched_by\": \"aiaprep %s\"}\n", sha, bytes,
            aia_version());
    if (fclose(f) != 0)
        return aia_fail(AIA_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
    return AIA_OK;
}

/* Checks a downloaded body (tmp) and may rewrite it in its cached form;
 * returns a status with the message (the caller adds the URL). */
typedef int (*check_fn)(const char *tmp, void *user);

/* Download url into the cache as `path`: temporary, check, sidecar, rename.
 * expected_sha: the known checksum of the file as cached, or NULL. */
static int fetch_into(const aia_fetch_options *o, const char *url, const char *path, const char *expected_sha,
                      check_fn check, void *user)
{
    if (o->offline)
        return aia_fail(AIA_ERR_IO, "%s is not in the cache and --offline forbids fetching it (from %s)", path,
                        url);
    char tmp[PATH_MAX], side[PATH_MAX + 16], side_tmp[PATH_MAX];
    int st = aia_temp_name(path, tmp, sizeof tmp);
    st = st ? st : sidecar_path(path, side, sizeof side);
    st = st ? st : aia_temp_name(side, side_tmp, sizeof side_tmp);
    if (st)
        return st;
    st = aia_http_get(url, tmp, timeout_of(o), MAX_TABLE_BYTES);
    if (!st && check) {
        st = check(tmp, user);
        if (st)
            aia_error_prefix(url);
    }
    char sha[65] = "";
    struct stat sb;
    st = st ? st : aia_sha256_file(tmp, sha);
    if (!st && expected_sha && strcmp(sha, expected_sha) != 0)
        st = aia_fail(AIA_ERR_BAD_DATA, "%s: checksum sha256 %.16s... is not the expected %.16s... (aiapy's): not "
                                        "the table aiaprep knows; nothing was cached",
                      url, sha, expected_sha);
    if (!st && stat(tmp, &sb) != 0)
        st = aia_fail(AIA_ERR_IO, "%s: %s", tmp, strerror(errno));
    st = st ? st : write_sidecar(side_tmp, url, sha, (long long)sb.st_size);
    if (!st && rename(side_tmp, side) != 0)
        st = aia_fail(AIA_ERR_IO, "%s: cannot move into place: %s", side, strerror(errno));
    if (!st && rename(tmp, path) != 0)
        st = aia_fail(AIA_ERR_IO, "%s: cannot move into place: %s", path, strerror(errno));
    unlink(tmp);
    unlink(side_tmp);
    return st;
}

/* path when cached (and not refreshing), else fetched. */
static int cached_or_fetched(const aia_fetch_options *o, const char *url, const char *path, const char *sha,
                             check_fn check, void *user)
{
    if (!o->refresh && is_cached(path))
        return AIA_OK;
    return fetch_into(o, url, path, sha, check, user);
}

static int copy_path(const char *path, char *out, size_t size)
{
    if (out && (size_t)snprintf(out, size, "%s", path) >= size)
        return aia_fail(AIA_ERR_ARG, "%s: path too long", path);
    return AIA_OK;
}

/* Fail with "WHAT: <this thread's message>", the temporary's name taken
 * out of the message (it means nothing to the reader). */
static int refail(int st, const char *tmp, const char *what)
{
    char why[1024];
    snprintf(why, sizeof why, "%s", aia_last_error()); /* a copy: aia_fail writes that buffer */
    const char *w = why;
    const size_t n = tmp ? strlen(tmp) : 0;
    if (n && strncmp(w, tmp, n) == 0 && w[n] == ':')
        w += n + (w[n + 1] == ' ' ? 2 : 1);
    return aia_fail(st, "%s: %s", what, w);
}

/* ---- the body in memory --------------------------------------------------- */

static int read_all(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return aia_fail(AIA_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 65536, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n < cap)
            continue;
        char *grown = realloc(buf, 2 * cap + 1);
        if (!grown)
            free(buf);
        buf = grown;
        cap *= 2;
    }
    fclose(f);
    if (!buf)
        return aia_fail(AIA_ERR_NOMEM, "out of memory reading %s", path);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return AIA_OK;
}

/* JSOC's answer to rs_list, checked: an object with status 0. */
static int jsoc_answer(const char *tmp, aia_json **out)
{
    char *text = NULL;
    size_t len = 0;
    int st = read_all(tmp, &text, &len);
    if (st)
        return st;
    st = aia_json_parse(text, len, out);
    if (st) {
        char what[96] = "not a JSOC JSON answer (it starts '";
        size_t k = strlen(what);
        for (size_t i = 0; i < len && i < 40; i++) /* what came instead, printable */
            what[k++] = text[i] >= ' ' && text[i] < 127 ? text[i] : ' ';
        snprintf(what + k, sizeof what - k, "')");
        free(text);
        return refail(AIA_ERR_BAD_DATA, NULL, what);
    }
    free(text);
    const aia_json *status = aia_json_member(*out, "status");
    if (!status || status->type != AIA_JSON_NUMBER) {
        aia_json_free(*out);
        *out = NULL;
        return aia_fail(AIA_ERR_BAD_DATA, "not a JSOC rs_list answer: no \"status\"");
    }
    if (strcmp(status->text, "0") != 0) {
        const aia_json *err = aia_json_member(*out, "error");
        const int st2 = aia_fail(AIA_ERR_BAD_DATA, "JSOC says status %s: %s", status->text,
                                 err && err->type == AIA_JSON_STRING ? err->text : "(no message)");
        aia_json_free(*out);
        *out = NULL;
        return st2;
    }
    return AIA_OK;
}

/* A keyword's or segment's "values" array in an rs_list answer. */
static const aia_json *named_values(const aia_json *answer, const char *group, const char *name)
{
    const aia_json *list = aia_json_member(answer, group);
    for (size_t i = 0; list && list->type == AIA_JSON_ARRAY && i < list->n; i++) {
        const aia_json *nm = aia_json_member(&list->items[i], "name");
        if (nm && nm->type == AIA_JSON_STRING && strcmp(nm->text, name) == 0) {
            const aia_json *v = aia_json_member(&list->items[i], "values");
            return v && v->type == AIA_JSON_ARRAY ? v : NULL;
        }
    }
    return NULL;
}

/* ---- the master pointing table ---------------------------------------------- */

/* A CSV cell: numbers and strings as JSOC wrote them; a comma or quote
 * would break the CSV (never in this series): refused. */
static int csv_cell(FILE *f, const aia_json *v, int first)
{
    const char *text = v->type == AIA_JSON_STRING || v->type == AIA_JSON_NUMBER ? v->text : "";
    if (strpbrk(text, ",\"\n\r"))
        return aia_fail(AIA_ERR_BAD_DATA, "a value with a comma or quote ('%s')", text);
    fprintf(f, "%s%s", first ? "" : ",", text);
    return AIA_OK;
}

/* The JSON answer in tmp becomes the CSV of its keywords, then must read
 * as a pointing table. */
static int pointing_check(const char *tmp, void *user)
{
    (void)user;
    aia_json *answer = NULL;
    int st = jsoc_answer(tmp, &answer);
    if (st)
        return st;
    const aia_json *keys = aia_json_member(answer, "keywords");
    size_t nrows = 0;
    if (!keys || keys->type != AIA_JSON_ARRAY || !keys->n)
        st = aia_fail(AIA_ERR_BAD_DATA, "not a JSOC rs_list answer: no \"keywords\"");
    for (size_t i = 0; !st && i < keys->n; i++) {
        const aia_json *nm = aia_json_member(&keys->items[i], "name");
        const aia_json *v = aia_json_member(&keys->items[i], "values");
        if (!nm || nm->type != AIA_JSON_STRING || !v || v->type != AIA_JSON_ARRAY)
            st = aia_fail(AIA_ERR_BAD_DATA, "keyword %zu of the answer has no name or values", i);
        else if (i == 0)
            nrows = v->n;
        else if (v->n != nrows)
            st = aia_fail(AIA_ERR_BAD_DATA, "keyword %s has %zu values, %s %zu", nm->text, v->n,
                          aia_json_member(&keys->items[0], "name")->text, nrows);
    }
    if (!st && !named_values(answer, "keywords", "T_START"))
        st = aia_fail(AIA_ERR_BAD_DATA, "the answer has no T_START keyword: not aia.master_pointing3h");
    if (!st && nrows == 0)
        st = aia_fail(AIA_ERR_BAD_DATA, "JSOC has no aia.master_pointing3h records for this time");
    FILE *f = st ? NULL : fopen(tmp, "w"); /* the CSV replaces the JSON */
    if (!st && !f)
        st = aia_fail(AIA_ERR_IO, "%s: cannot rewrite: %s", tmp, strerror(errno));
    for (size_t i = 0; !st && i < keys->n; i++)
        fprintf(f, "%s%s", i ? "," : "", aia_json_member(&keys->items[i], "name")->text);
    if (f)
        fputc('\n', f);
    for (size_t r = 0; !st && r < nrows; r++) {
        for (size_t i = 0; !st && i < keys->n; i++)
            st = csv_cell(f, &aia_json_member(&keys->items[i], "values")->items[r], i == 0);
        fputc('\n', f);
    }
    if (f && fclose(f) != 0 && !st)
        st = aia_fail(AIA_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
    aia_json_free(answer);
    aia_pointing_table *table = NULL;
    if (!st && (st = aia_pointing_table_read(tmp, &table)) != AIA_OK)
        st = refail(st, tmp, "not a usable pointing table");
    aia_pointing_table_free(table);
    return st;
}

/* The UTC day of an ISO time, "YYYY-MM-DD", and the midnights before and
 * after it (civil days: leap seconds do not move a date). */
static int day_range(const char *day, char today[11], char before[32], char after[32])
{
    int y, m, d;
    if (!day || sscanf(day, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return aia_fail(AIA_ERR_ARG, "'%s' is not a day (YYYY-MM-DD)", day ? day : "");
    snprintf(today, 11, "%04d-%02d-%02d", y, m, d);
    for (int k = -1; k <= 1; k += 2) {
        struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + k, .tm_hour = 12};
        const time_t t = timegm(&tm); /* normalises the day of the month */
        gmtime_r(&t, &tm);
        if (snprintf(k < 0 ? before : after, 32, "%04d-%02d-%02dT00:00:00Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday) >= 32)
            return aia_fail(AIA_ERR_ARG, "'%s' is not a day (YYYY-MM-DD)", day);
    }
    return AIA_OK;
}

int aia_fetch_pointing(const aia_fetch_options *o, const char *day, char *path, size_t size)
{
    aia_clear_error();
    aia_fetch_options defaults;
    if (!o) {
        aia_fetch_options_default(&defaults);
        o = &defaults;
    }
    char today[11], before[32], after[32], dir[PATH_MAX], file[PATH_MAX + 64];
    int st = day_range(day, today, before, after);
    st = st ? st : cache_dir(o, dir, sizeof dir);
    if (st)
        return st;
    snprintf(file, sizeof file, "%s/aia.master_pointing3h_%s.csv", dir, today);
    char ds[128], ds_enc[384], url[1024], query[600];
    snprintf(ds, sizeof ds, "aia.master_pointing3h[%s-%s]", before, after);
    aia_url_encode(ds, ds_enc, sizeof ds_enc);
    snprintf(query, sizeof query, "cgi-bin/ajax/jsoc_info?ds=%s&op=rs_list&key=%%2A%%2AALL%%2A%%2A", ds_enc);
    join_url(base_url(o->jsoc_url, "AIAPREP_JSOC_URL", DEFAULT_JSOC), query, url, sizeof url);
    st = cached_or_fetched(o, url, file, NULL, pointing_check, NULL);
    return st ? st : copy_path(file, path, size);
}

/* ---- SSW tables -------------------------------------------------------------- */

static int ssw_check(const char *tmp, void *user)
{
    const char *name = user;
    int st;
    if (strstr(name, "error_table")) {
        aia_uncertainty_table *t = NULL;
        st = aia_uncertainty_table_read(tmp, &t);
        aia_uncertainty_table_free(t);
    } else {
        aia_response_table *t = NULL;
        st = aia_response_table_read(tmp, &t);
        aia_response_table_free(t);
    }
    if (st)
        return refail(st, tmp, strstr(name, "error_table") ? "not a usable error table" : "not a usable response table");
    return AIA_OK;
}

int aia_fetch_ssw_table(const aia_fetch_options *o, const char *name, char *path, size_t size)
{
    aia_clear_error();
    aia_fetch_options defaults;
    if (!o) {
        aia_fetch_options_default(&defaults);
        o = &defaults;
    }
    if (!name || !*name || strchr(name, '/') || name[0] == '.')
        return aia_fail(AIA_ERR_ARG, "'%s' is not a table file name", name ? name : "");
    char dir[PATH_MAX], file[PATH_MAX + 300], rest[400], url[1024];
    int st = cache_dir(o, dir, sizeof dir);
    if (st)
        return st;
    snprintf(file, sizeof file, "%s/%s", dir, name);
    snprintf(rest, sizeof rest, "sdo/aia/response/%s", name);
    join_url(base_url(o->ssw_url, "AIAPREP_SSW_URL", DEFAULT_SSW), rest, url, sizeof url);
    const char *sha = NULL;
    for (size_t i = 0; i < sizeof known_tables / sizeof known_tables[0]; i++)
        if (strcmp(name, known_tables[i].name) == 0)
            sha = known_tables[i].sha256;
    st = cached_or_fetched(o, url, file, sha, ssw_check, (void *)name);
    return st ? st : copy_path(file, path, size);
}

/* ---- spikes ------------------------------------------------------------------ */

static int spikes_check(const char *tmp, void *user)
{
    (void)user;
    aia_image *img = NULL;
    int st = aia_image_read(tmp, AIA_PIX_F64, &img);
    if (!st && img->height != 2)
        st = aia_fail(AIA_ERR_BAD_DATA, "a %ld x %ld image, not 2 x N (indices and values)", img->width,
                      img->height);
    aia_image_free(img);
    return st ? refail(st, tmp, "not a spikes file") : AIA_OK;
}

int aia_fetch_spikes(const aia_fetch_options *o, const aia_header *frame, const char *dest)
{
    aia_clear_error();
    aia_fetch_options defaults;
    if (!o) {
        aia_fetch_options_default(&defaults);
        o = &defaults;
    }
    aia_meta m;
    aia_meta_parse(frame, &m);
    int st = aia_meta_require(&m, AIA_KEYBIT(AIA_KEY_WAVELNTH) | AIA_KEYBIT(AIA_KEY_DATE_OBS));
    if (st)
        return st;
    const int wl = (int)lround(m.wavelnth);
    if (!o->refresh && is_cached(dest))
        return AIA_OK;
    if (o->offline)
        return aia_fail(AIA_ERR_IO, "%s is not in the cache and --offline forbids fetching it", dest);
    const char *slash = strrchr(dest, '/');
    if (slash && slash != dest) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - dest), dest);
        if (aia_make_dirs(dir) != 0)
            return aia_fail(AIA_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
    }
    const int uv = wl == 1600 || wl == 1700 || wl == 4500;
    char ds[160], ds_enc[480], query[700], url[1200], tmp[PATH_MAX];
    /* aiapy: [DATE-OBS/12s], the time marked UTC */
    const size_t dl = strlen(m.date_obs);
    snprintf(ds, sizeof ds, "%s[%s%s/12s][WAVELNTH=%d]", uv ? "aia.lev1_uv_24s" : "aia.lev1_euv_12s", m.date_obs,
             dl && m.date_obs[dl - 1] == 'Z' ? "" : "Z", wl);
    aia_url_encode(ds, ds_enc, sizeof ds_enc);
    snprintf(query, sizeof query, "cgi-bin/ajax/jsoc_info?ds=%s&op=rs_list&seg=spikes", ds_enc);
    const char *jsoc = base_url(o->jsoc_url, "AIAPREP_JSOC_URL", DEFAULT_JSOC);
    join_url(jsoc, query, url, sizeof url);
    st = aia_temp_name(dest, tmp, sizeof tmp);
    st = st ? st : aia_http_get(url, tmp, timeout_of(o), MAX_TABLE_BYTES);
    aia_json *answer = NULL;
    if (!st && (st = jsoc_answer(tmp, &answer)) != AIA_OK)
        aia_error_prefix(url);
    unlink(tmp);
    char file_url[1200] = "", origin[600];
    if (!st) {
        const aia_json *v = named_values(answer, "segments", "spikes");
        if (!v || !v->n || v->items[0].type != AIA_JSON_STRING || !v->items[0].text[0] ||
            strcmp(v->items[0].text, "NoDataDirectory") == 0)
            st = aia_fail(AIA_ERR_IO, "%s: JSOC has no spikes file for %s", url, ds);
        else if (strncmp(v->items[0].text, "http", 4) == 0)
            snprintf(file_url, sizeof file_url, "%s", v->items[0].text);
        else /* a path on JSOC's host (aiapy: "http://jsoc.stanford.edu" + path) */
            join_url(origin_of(jsoc, origin, sizeof origin), v->items[0].text, file_url, sizeof file_url);
    }
    aia_json_free(answer);
    if (st)
        return st;
    aia_fetch_options fresh = *o;
    fresh.refresh = 1;
    return fetch_into(&fresh, file_url, dest, NULL, spikes_check, NULL);
}
