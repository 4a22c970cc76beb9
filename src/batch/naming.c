/* naming.c — output file names: the input's base name with its level
 * marked, so that a directory of level-1 files maps to level-1.5 files;
 * or a template filled from the name and the header (subdirectories by
 * date, names by channel and time). */
#include "core/core.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Length of base without a FITS extension (.fits, .fit, .fts, with an
 * optional .fz or .gz after it). */
static size_t stem_length(const char *base)
{
    size_t n = strlen(base);
    static const char *const outer[] = {".fz", ".gz"};
    for (size_t i = 0; i < 2; i++) {
        size_t k = strlen(outer[i]);
        if (n > k && strcasecmp(base + n - k, outer[i]) == 0) {
            n -= k;
            break;
        }
    }
    static const char *const exts[] = {".fits", ".fit", ".fts"};
    for (size_t i = 0; i < 3; i++) {
        size_t k = strlen(exts[i]);
        if (n > k && strncasecmp(base + n - k, exts[i], k) == 0)
            return n - k;
    }
    return n;
}

/* Whether the "lev1" at s[i] marks level 1: not "lev15" (a digit after
 * it) and not an already higher level "lev1.5" / "lev1.6" (a '.', one
 * digit, then no more digits); "lev1.1600A_..." (old JSOC names: the
 * channel after the dot) is level 1. */
static int is_level1_at(const char *s, size_t i, size_t n)
{
    if (strncasecmp(s + i, "lev1", 4) != 0)
        return 0;
    const char next = i + 4 < n ? s[i + 4] : '\0';
    if (isdigit((unsigned char)next))
        return 0;
    if (next == '.' && i + 5 < n && isdigit((unsigned char)s[i + 5]) &&
        !(i + 6 < n && isdigit((unsigned char)s[i + 6])))
        return 0;
    return 1;
}

/* The default name: every "lev1" that marks level 1 replaced by level
 * (JSOC's aia.lev1_euv_12s.T.171.image_lev1 has two), or "_<level>"
 * added. */
static int default_name(const char *input, const char *outdir, const char *level, char *out, size_t size)
{
    const char *slash = strrchr(input, '/');
    const char *base = slash ? slash + 1 : input;
    const size_t stem = stem_length(base), lvl = strlen(level);
    const size_t dirlen = outdir ? strlen(outdir) : 0;
    size_t n = (size_t)snprintf(out, size, "%s%s", dirlen ? outdir : "", dirlen && outdir[dirlen - 1] != '/' ? "/" : "");
    int replaced = 0;
    for (size_t i = 0; i < stem && n + 1 < size; i++) {
        if (is_level1_at(base, i, stem)) { /* aia_lev1_171a_... -> aia_lev1.5_171a_... */
            n += (size_t)snprintf(out + n, size - n, "%s", level);
            i += 3;
            replaced = 1;
        } else {
            out[n++] = base[i];
        }
    }
    if (n < size)
        n += (size_t)snprintf(out + n, size - n, "%s%s.fits", replaced ? "" : "_", replaced ? "" : level);
    if (n >= size || lvl >= size)
        return aia_fail(AIA_ERR_ARG, "%s: output name too long", input);
    return AIA_OK;
}

/* ---- templates ----------------------------------------------------------- */

/* A header value made safe for a file name: only [A-Za-z0-9._+-], others
 * become '_'. */
static void file_safe(const char *v, char *out, size_t size)
{
    size_t n = 0;
    for (; *v && n + 1 < size; v++)
        out[n++] = isalnum((unsigned char)*v) || strchr("._+-", *v) ? *v : '_';
    out[n] = '\0';
}

/* The observation time (T_OBS, else DATE-OBS) split into its fields. */
static int obs_time(const aia_header *hdr, int f[6])
{
    char t[72];
    if (aia_header_get_string(hdr, "T_OBS", t, sizeof t) != AIA_OK &&
        aia_header_get_string(hdr, "DATE-OBS", t, sizeof t) != AIA_OK)
        return aia_fail(AIA_ERR_KEY_MISSING, "no T_OBS or DATE-OBS for the output template's time fields");
    aia_clear_error();
    double sec = 0;
    if (sscanf(t, "%4d-%2d-%2dT%2d:%2d:%lf", &f[0], &f[1], &f[2], &f[3], &f[4], &sec) < 3)
        return aia_fail(AIA_ERR_KEY_MALFORMED, "T_OBS '%s' is not an ISO time", t);
    f[5] = (int)sec; /* truncated, as JSOC's names are */
    return AIA_OK;
}

/* The value of a {field}: the names' and the header's. */
static int field_value(const char *field, const char *base, size_t stem, const char *name, const char *level,
                       const aia_header *hdr, char *out, size_t size)
{
    if (!strcmp(field, "stem"))
        return snprintf(out, size, "%.*s", (int)stem, base), AIA_OK;
    if (!strcmp(field, "name"))
        return snprintf(out, size, "%s", name), AIA_OK;
    if (!strcmp(field, "level"))
        return snprintf(out, size, "%s", level), AIA_OK;
    if (!hdr)
        return aia_fail(AIA_ERR_ARG, "output template field {%s} needs the input's header", field);
    static const char *const time_fields[] = {"t_obs", "date", "time", "year", "month", "day", "hour", NULL};
    for (int i = 0; time_fields[i]; i++) {
        if (strcmp(field, time_fields[i]) != 0)
            continue;
        int f[6] = {0};
        int st = obs_time(hdr, f);
        if (st)
            return st;
        switch (i) {
        case 0: snprintf(out, size, "%04d-%02d-%02dT%02d%02d%02dZ", f[0], f[1], f[2], f[3], f[4], f[5]); break;
        case 1: snprintf(out, size, "%04d-%02d-%02d", f[0], f[1], f[2]); break;
        case 2: snprintf(out, size, "%02d%02d%02d", f[3], f[4], f[5]); break;
        case 3: snprintf(out, size, "%04d", f[0]); break;
        case 4: snprintf(out, size, "%02d", f[1]); break;
        case 5: snprintf(out, size, "%02d", f[2]); break;
        default: snprintf(out, size, "%02d", f[3]); break;
        }
        return AIA_OK;
    }
    char key[72], value[72];
    size_t k = 0;
    for (; field[k] && k + 1 < sizeof key; k++)
        key[k] = (char)toupper((unsigned char)field[k]);
    key[k] = '\0';
    if (!strcmp(field, "wave")) { /* the channel as 4 digits, as the synoptic names: 0171 */
        long long w;
        if (aia_header_get_long(hdr, "WAVELNTH", &w) != AIA_OK)
            return aia_fail(AIA_ERR_KEY_MISSING, "output template field {wave}: no WAVELNTH in the header");
        return snprintf(out, size, "%04lld", w), AIA_OK;
    }
    if (aia_header_get_string(hdr, key, value, sizeof value) != AIA_OK) {
        aia_clear_error();
        return aia_fail(AIA_ERR_KEY_MISSING, "output template field {%s}: the input's header has no %s", field,
                        key);
    }
    char *end = value + strlen(value);
    while (end > value && end[-1] == ' ')
        *--end = '\0';
    double num;
    char *num_end;
    num = strtod(value, &num_end);
    if (*value && !*num_end && num == (double)(long long)num && strchr(value, '.')) /* 171.0 -> 171 */
        snprintf(value, sizeof value, "%lld", (long long)num);
    file_safe(value, out, size);
    return AIA_OK;
}

/* Whether a template uses header fields (anything but stem, name, level). */
int aia_template_needs_header(const char *tmpl)
{
    for (const char *p = tmpl ? strchr(tmpl, '{') : NULL; p; p = strchr(p + 1, '{'))
        if (strncmp(p, "{stem}", 6) && strncmp(p, "{name}", 6) && strncmp(p, "{level}", 7))
            return 1;
    return 0;
}

int aia_output_path_header(const char *input, const aia_header *hdr, const char *outdir, const char *level,
                           const char *tmpl, char *out, size_t size)
{
    if (!tmpl)
        return default_name(input, outdir, level, out, size);
    char name[4096]; /* the default name, for {name} */
    int st = default_name(input, NULL, level, name, sizeof name);
    if (st)
        return st;
    name[strlen(name) - 5] = '\0'; /* without ".fits" */
    const char *slash = strrchr(input, '/');
    const char *base = slash ? slash + 1 : input;
    const size_t stem = stem_length(base), dirlen = outdir ? strlen(outdir) : 0;
    if (tmpl[0] == '/' || strstr(tmpl, "../") || !strcmp(tmpl, "..") || strstr(tmpl, "/.."))
        return aia_fail(AIA_ERR_ARG, "output template '%s': must stay inside the output directory (no leading / "
                                     "or ..)", tmpl);
    size_t n = (size_t)snprintf(out, size, "%s%s", dirlen ? outdir : "", dirlen && outdir[dirlen - 1] != '/' ? "/" : "");
    for (const char *p = tmpl; *p && n < size; p++) {
        if (*p == '}')
            return aia_fail(AIA_ERR_ARG, "output template '%s': a '}' without its '{'", tmpl);
        if (*p != '{') {
            out[n++] = *p;
            continue;
        }
        const char *close = strchr(p, '}');
        char field[64], value[1024];
        if (!close || close - p - 1 <= 0 || (size_t)(close - p - 1) >= sizeof field)
            return aia_fail(AIA_ERR_ARG, "output template '%s': a '{' without a field name and its '}' at '%s' "
                                         "(fields: {stem}, {name}, {level}, {wavelnth}, {wave}, {t_obs}, "
                                         "{date}, {time}, {year}, {month}, {day}, {hour}, or any header key)",
                            tmpl, p);
        snprintf(field, sizeof field, "%.*s", (int)(close - p - 1), p + 1);
        for (const char *c = field; *c; c++)
            if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
                return aia_fail(AIA_ERR_ARG, "output template '%s': unknown field {%s}", tmpl, field);
        st = field_value(field, base, stem, name, level, hdr, value, sizeof value);
        if (st) {
            aia_error_prefix(input);
            return st;
        }
        n += (size_t)snprintf(out + n, size - n, "%s", value);
        p = close;
    }
    if (n + 6 >= size)
        return aia_fail(AIA_ERR_ARG, "%s: output name too long", input);
    out[n] = '\0';
    if (n < 5 || strcmp(out + n - 5, ".fits") != 0)
        strcat(out, ".fits");
    if (out[strlen(out) - 6] == '/')
        return aia_fail(AIA_ERR_ARG, "output template '%s' gives a directory, not a file name", tmpl);
    return AIA_OK;
}

int aia_output_path(const char *input, const char *outdir, const char *level, const char *tmpl, char *out,
                    size_t size)
{
    return aia_output_path_header(input, NULL, outdir, level, tmpl, out, size);
}
