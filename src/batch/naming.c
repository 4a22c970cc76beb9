/* naming.c — output file names: the input's base name with its level
 * marked, so that a directory of level-1 files maps to level-1.5 files. */
#include "core/core.h"

#include <ctype.h>
#include <stdio.h>
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

/* Position of a "lev1" not followed by a digit or '.', or NULL. */
static const char *find_level1(const char *s, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++) {
        if (strncasecmp(s + i, "lev1", 4) != 0)
            continue;
        char next = i + 4 < n ? s[i + 4] : '\0';
        if (!isdigit((unsigned char)next) && next != '.')
            return s + i;
    }
    return NULL;
}

/* The default name: "lev1" replaced by level, or "_<level>" added. */
static int default_name(const char *input, const char *outdir, const char *level, char *out, size_t size)
{
    const char *slash = strrchr(input, '/');
    const char *base = slash ? slash + 1 : input;
    const size_t stem = stem_length(base);
    const char *lev = find_level1(base, stem);
    const size_t dirlen = outdir ? strlen(outdir) : 0;
    const char *sep = dirlen && outdir[dirlen - 1] != '/' ? "/" : "";
    int n;
    if (lev) /* aia_lev1_171a_... -> aia_lev1.5_171a_... */
        n = snprintf(out, size, "%s%s%.*s%s%.*s.fits", outdir ? outdir : "", sep, (int)(lev - base),
                     base, level, (int)(stem - (size_t)(lev - base) - 4), lev + 4);
    else /* frame.fits -> frame_lev1.5.fits */
        n = snprintf(out, size, "%s%s%.*s_%s.fits", outdir ? outdir : "", sep, (int)stem, base, level);
    if (n < 0 || (size_t)n >= size)
        return aia_fail(AIA_ERR_ARG, "%s: output name too long", input);
    return AIA_OK;
}

/* The placeholder at p, if any: its length, and its value. */
static size_t placeholder(const char *p, const char *base, size_t stem, const char *name, const char *level,
                          const char **value, size_t *len)
{
    static const char *const names[3] = {"{stem}", "{name}", "{level}"};
    const char *values[3] = {base, name, level};
    const size_t lens[3] = {stem, strlen(name), strlen(level)};
    for (int i = 0; i < 3; i++)
        if (strncmp(p, names[i], strlen(names[i])) == 0) {
            *value = values[i];
            *len = lens[i];
            return strlen(names[i]);
        }
    return 0;
}

int aia_output_path(const char *input, const char *outdir, const char *level, const char *tmpl, char *out,
                    size_t size)
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
    int n = snprintf(out, size, "%s%s", dirlen ? outdir : "", dirlen && outdir[dirlen - 1] != '/' ? "/" : "");
    for (const char *p = tmpl; *p && n > 0 && (size_t)n < size; p++) {
        const char *value;
        size_t len;
        const size_t skip = placeholder(p, base, stem, name, level, &value, &len);
        if (skip) {
            n += snprintf(out + n, size - (size_t)n, "%.*s", (int)len, value);
            p += skip - 1;
        } else if (*p == '{') {
            return aia_fail(AIA_ERR_ARG, "output template '%s': unknown placeholder at '%s' (use {stem}, "
                                         "{name}, {level})", tmpl, p);
        } else {
            out[n++] = *p;
        }
    }
    if (n < 0 || (size_t)n + 6 >= size)
        return aia_fail(AIA_ERR_ARG, "%s: output name too long", input);
    out[n] = '\0';
    if (n < 5 || strcmp(out + n - 5, ".fits") != 0)
        strcat(out, ".fits");
    return AIA_OK;
}
