/* common.c — option parsing and messages shared by the subcommands. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "aiaprep %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'aiaprep %s --help'.\n", cmd);
    return EXIT_USAGE;
}

int parse_long_option(const char *cmd, const char *name, const char *arg, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    const long v = strtol(arg, &end, 10);
    if (end == arg || *end || errno == ERANGE || v < lo || v > hi) {
        usage_error(cmd, "--%s needs a whole number from %ld to %ld, got '%s'", name, lo, hi, arg);
        return -1;
    }
    *out = v;
    return 0;
}

int parse_double_option(const char *cmd, const char *name, const char *arg, double *out)
{
    char *end;
    errno = 0;
    const double v = strtod(arg, &end);
    if (end == arg || *end || errno == ERANGE || !isfinite(v)) {
        usage_error(cmd, "--%s needs a number, got '%s'", name, arg);
        return -1;
    }
    *out = v;
    return 0;
}

void report_failure(const char *cmd, const char *path)
{
    fflush(stdout);
    if (path)
        fprintf(stderr, "aiaprep %s: error: %s: %s\n", cmd, path, aia_last_error());
    else
        fprintf(stderr, "aiaprep %s: error: %s\n", cmd, aia_last_error());
}

int parse_output_type(const char *cmd, const char *arg, aia_out_type *out)
{
    static const struct { const char *name; aia_out_type t; } types[] = {
        {"auto", AIA_OUT_AUTO},       {"int16", AIA_OUT_INT16},     {"int32", AIA_OUT_INT32},
        {"float32", AIA_OUT_FLOAT32}, {"float64", AIA_OUT_FLOAT64},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(arg, types[i].name) == 0) {
            *out = types[i].t;
            return 0;
        }
    usage_error(cmd, "unknown --dtype '%s' (auto, int16, int32, float32, float64)", arg);
    return -1;
}

int parse_compression(const char *cmd, const char *arg, aia_compression *out)
{
    static const struct { const char *name; aia_compression c; } kinds[] = {
        {"auto", AIA_COMP_AUTO}, {"none", AIA_COMP_NONE}, {"rice", AIA_COMP_RICE},
        {"gzip2", AIA_COMP_GZIP2}, {"gzip", AIA_COMP_GZIP2},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(arg, kinds[i].name) == 0) {
            *out = kinds[i].c;
            return 0;
        }
    usage_error(cmd, "unknown --compress '%s' (auto, none, rice, gzip2)", arg);
    return -1;
}

void print_write_result(FILE *f, const char *path, const aia_write_result *res)
{
    if (res->promoted_to_int32)
        fprintf(f, "notice: %s: values do not fit int16; written as int32\n", path);
    const char *lossy = (res->compression == AIA_COMP_RICE &&
                         (res->type == AIA_OUT_FLOAT32 || res->type == AIA_OUT_FLOAT64))
                            ? " (quantised, lossy)"
                            : "";
    fprintf(f, "wrote %s (%s, compression %s%s", path, aia_out_type_name(res->type),
            aia_compression_name(res->compression), lossy);
    if (res->blank_pixels)
        fprintf(f, ", %lld NaN pixels", res->blank_pixels);
    fprintf(f, ")\n");
}

void make_history(char *buf, size_t size, const char *cmd, int nopts, char **argv)
{
    int n = snprintf(buf, size, "Processed by aiaprep %s: aiaprep %s", aia_version(), cmd);
    for (int i = 1; i < nopts && n > 0 && (size_t)n < size; i++) {
        /* where it ran is not part of the result: the same bytes either way */
        if (strcmp(argv[i], "--device") == 0) {
            i++;
            continue;
        }
        if (strncmp(argv[i], "--device=", 9) == 0)
            continue;
        n += snprintf(buf + n, size - (size_t)n, " %s", argv[i]);
    }
}

int resolve_device(const char *cmd, const char *arg, int quiet, char *resolved, size_t size)
{
    char note[1024];
    if (aia_device_resolve(arg, resolved, size, note, sizeof note) != AIA_OK) {
        fprintf(stderr, "aiaprep %s: error: --device %s: %s\n", cmd, arg, aia_last_error());
        return EXIT_USAGE;
    }
    /* a build without CUDA has nothing to say: the CPU is all it has */
    if (note[0] && !quiet && strstr(aia_backends(), "cuda"))
        fprintf(stderr, "aiaprep %s: notice: no CUDA device used (%s): computing on the CPU\n", cmd, note);
    return 0;
}

int make_directories(const char *path)
{
    char dir[4096];
    if (!path || !*path || snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(dir, 0777) != 0 && errno != EEXIST ? -1 : 0;
}
