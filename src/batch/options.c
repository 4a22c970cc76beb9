/* options.c — the preparation options, set one at a time by the name of the
 * aiaprep prep option they come from, so that the program, a binding and a
 * script all speak the same names; the numbers are range-checked here, the
 * tables read here. */
#include "batch/batch.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

aia_prep_options *aia_prep_options_new(void)
{
    aia_prep_options *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    aia_register_options_default(&o->reg);
    aia_write_options_default(&o->write);
    o->write.statistics = 1; /* the header describes the output (IDL aia_fix_header, JSOC) */
    aia_deconv_options_default(&o->deconv);
    aia_uncertainty_options_default(&o->uncertainty_opts);
    o->precision = AIA_PIX_F32;
    o->degradation_version = 10;
    o->verify_inputs = 1;
    o->quality = AIA_QUALITY_WARN;
    o->quality_mask = AIA_QUALITY_UNUSABLE;
    aia_fetch_options_default(&o->fetch);
    return o;
}

void aia_prep_options_free(aia_prep_options *o)
{
    if (!o)
        return;
    aia_pointing_table_free(o->pointing);
    aia_response_table_free(o->degradation);
    aia_uncertainty_table_free(o->uncertainty);
    free(o->outdir);
    free(o->output_template);
    free(o->respike_dir);
    free(o->respike_file);
    free(o->psf_file);
    free(o->history);
    free(o->cache_dir);
    free(o->jsoc_url);
    free(o->ssw_url);
    free(o->device);
    free(o);
}

const char *aia_prep_options_outdir(const aia_prep_options *o) { return o->outdir ? o->outdir : ""; }

/* A whole decimal integer in [lo, hi]: no trailing characters, no silent
 * truncation. */
static int parse_int(const char *name, const char *text, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    const long v = text ? strtol(text, &end, 10) : 0;
    if (!text || end == text || *end || errno == ERANGE || v < lo || v > hi)
        return aia_fail(AIA_ERR_ARG, "--%s needs a whole number from %ld to %ld, got '%s'", name, lo, hi,
                        text ? text : "");
    *out = (int)v;
    return AIA_OK;
}

/* A finite decimal number, whole text. */
static int parse_double(const char *name, const char *text, double *out)
{
    char *end;
    errno = 0;
    const double v = text ? strtod(text, &end) : 0.0;
    if (!text || end == text || *end || errno == ERANGE || !isfinite(v))
        return aia_fail(AIA_ERR_ARG, "--%s needs a number, got '%s'", name, text ? text : "");
    *out = v;
    return AIA_OK;
}

/* --quality-mask: the mask in hex (0x8007fc00), or the bits that count, by
 * number ("13,16,18"; a lone "18" is bit 18, not the value 18). */
static int parse_quality_mask(const char *name, const char *text, uint32_t *out)
{
    char *end;
    if (text && (!strncmp(text, "0x", 2) || !strncmp(text, "0X", 2))) {
        errno = 0;
        const unsigned long long v = strtoull(text + 2, &end, 16);
        if (end != text + 2 && !*end && !errno && v <= 0xFFFFFFFFull)
            return *out = (uint32_t)v, AIA_OK;
    } else if (text && *text) {
        uint32_t mask = 0;
        for (const char *p = text;;) {
            errno = 0;
            const long b = strtol(p, &end, 10);
            if (end == p || errno || b < 0 || b > 31 || (*end && *end != ','))
                break;
            mask |= (uint32_t)1 << b;
            if (!*end)
                return *out = mask, AIA_OK;
            p = end + 1;
        }
    }
    return aia_fail(AIA_ERR_ARG, "--%s needs a hex mask (0x8007fc00) or bit numbers 0-31 such as '13,16,18', got '%s'",
                    name, text ? text : "");
}

/* One of a few words; the index into words. */
static int parse_word(const char *name, const char *text, const char *const *words, int n, int *out)
{
    for (int i = 0; text && i < n; i++)
        if (strcmp(text, words[i]) == 0)
            return *out = i, AIA_OK;
    char list[128] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", words[i]);
    return aia_fail(AIA_ERR_ARG, "--%s must be %s, got '%s'", name, list, text ? text : "");
}

static int set_text(const char *name, const char *text, char **field)
{
    if (!text || !*text)
        return aia_fail(AIA_ERR_ARG, "--%s needs a value", name);
    char *copy = strdup(text);
    if (!copy)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    free(*field);
    *field = copy;
    return AIA_OK;
}

/* Read a table for an option, replacing one read before, and note its
 * name and checksum for HISTORY; "auto" takes it from the cache at run
 * time (auto_tables.c). */
#define READ_TABLE(reader, freer, field, ref, is_auto)                                             \
    do {                                                                                           \
        __typeof__(field) t = NULL;                                                                \
        if (!value || !*value)                                                                     \
            return aia_fail(AIA_ERR_ARG, "--%s needs a table file (or auto)", name);               \
        if (strcmp(value, "auto") == 0) {                                                          \
            freer(field);                                                                          \
            field = NULL;                                                                          \
            is_auto = 1;                                                                           \
            return AIA_OK;                                                                         \
        }                                                                                          \
        aia_table_ref r;                                                                           \
        int st_ = reader(value, &t);                                                               \
        if (!st_ && (st_ = aia_table_ref_of(value, &r)) != AIA_OK)                                 \
            freer(t);                                                                              \
        if (st_)                                                                                   \
            return st_;                                                                            \
        freer(field);                                                                              \
        field = t;                                                                                 \
        ref = r;                                                                                   \
        is_auto = 0;                                                                               \
        return AIA_OK;                                                                             \
    } while (0)

static int set_output(aia_prep_options *o, const char *name, const char *value, int *handled)
{
    *handled = 1;
    int i;
    if (!strcmp(name, "dtype")) {
        static const char *const w[] = {"auto", "int16", "int32", "float32", "float64"};
        static const aia_out_type t[] = {AIA_OUT_AUTO, AIA_OUT_INT16, AIA_OUT_INT32, AIA_OUT_FLOAT32,
                                         AIA_OUT_FLOAT64};
        int st = parse_word(name, value, w, 5, &i);
        return st ? st : (o->write.type = t[i], AIA_OK);
    }
    if (!strcmp(name, "compress")) {
        static const char *const w[] = {"auto", "none", "rice", "gzip2", "gzip"};
        static const aia_compression c[] = {AIA_COMP_AUTO, AIA_COMP_NONE, AIA_COMP_RICE, AIA_COMP_GZIP2,
                                            AIA_COMP_GZIP2};
        int st = parse_word(name, value, w, 5, &i);
        return st ? st : (o->write.compression = c[i], AIA_OK);
    }
    if (!strcmp(name, "overwrite"))
        return o->write.overwrite = 1, AIA_OK;
    if (!strcmp(name, "history")) {
        int st = set_text(name, value, &o->history);
        o->write.history = o->history;
        return st;
    }
    if (!strcmp(name, "output"))
        return set_text(name, value, &o->outdir);
    if (!strcmp(name, "output-template"))
        return set_text(name, value, &o->output_template);
    if (!strcmp(name, "no-verify"))
        return o->verify_inputs = 0, AIA_OK;
    *handled = 0;
    return AIA_OK;
}

static int set_registration(aia_prep_options *o, const char *name, const char *value, int *handled)
{
    *handled = 1;
    int i;
    if (!strcmp(name, "order"))
        return parse_int(name, value, 0, 5, &o->reg.order);
    if (!strcmp(name, "interp")) {
        static const char *const w[] = {"spline", "cubic-convolution"};
        int st = parse_word(name, value, w, 2, &i);
        return st ? st : (o->reg.interp = i ? AIA_INTERP_CUBIC_CONVOLUTION : AIA_INTERP_SPLINE, AIA_OK);
    }
    if (!strcmp(name, "grid")) {
        static const char *const w[] = {"4096", "full", "aiapy"};
        int st = parse_word(name, value, w, 3, &i);
        return st ? st : (o->reg.grid = i == 2 ? AIA_GRID_AIAPY : AIA_GRID_FULL, AIA_OK);
    }
    if (!strcmp(name, "scale")) {
        double v = 0;
        int st = parse_double(name, value, &v);
        if (!st && !(v >= 0.01 && v <= 1000.0))
            st = aia_fail(AIA_ERR_ARG, "--scale needs a plate scale from 0.01 to 1000 arcsec/px, got '%s'", value);
        return st ? st : (o->reg.scale = v, AIA_OK);
    }
    if (!strcmp(name, "missing")) {
        if (value && !strcmp(value, "nan"))
            return o->reg.missing = AIA_MISSING_NAN, AIA_OK;
        if (value && !strcmp(value, "min"))
            return o->reg.missing = AIA_MISSING_MIN, AIA_OK;
        int st = parse_double(name, value, &o->reg.missing_value);
        if (st)
            return aia_fail(AIA_ERR_ARG, "--missing must be a number, nan or min, got '%s'", value ? value : "");
        return o->reg.missing = AIA_MISSING_VALUE, AIA_OK;
    }
    *handled = 0;
    return AIA_OK;
}

static int set_deconvolution(aia_prep_options *o, const char *name, const char *value, int *handled)
{
    *handled = 1;
    int i;
    if (!strcmp(name, "deconvolve"))
        return o->deconvolve = 1, AIA_OK;
    if (!strcmp(name, "psf")) {
        aia_table_ref r;
        int st = value && *value ? aia_table_ref_of(value, &r) : AIA_OK;
        if (st)
            return st;
        st = set_text(name, value, &o->psf_file);
        if (!st)
            o->psf_ref = r;
        return st;
    }
    if (!strcmp(name, "preflight"))
        return o->psf_preflight = 1, AIA_OK;
    if (!strcmp(name, "iterations"))
        return parse_int(name, value, 0, 100000, &o->deconv.iterations);
    if (!strcmp(name, "precision")) {
        static const char *const w[] = {"single", "double"};
        int st = parse_word(name, value, w, 2, &i);
        return st ? st : (o->precision = i ? AIA_PIX_F64 : AIA_PIX_F32, AIA_OK);
    }
    if (!strcmp(name, "no-clip"))
        return o->deconv.clip_negative = 0, AIA_OK;
    *handled = 0;
    return AIA_OK;
}

/* Where the pixels are computed: the string is checked here (a device that
 * cannot be opened fails when the run starts, naming why). */
static int set_device(aia_prep_options *o, const char *name, const char *value, int *handled)
{
    *handled = 1;
    if (!strcmp(name, "device-files"))
        return parse_int(name, value, 0, 4096, &o->device_files);
    if (strcmp(name, "device") != 0) {
        *handled = 0;
        return AIA_OK;
    }
    int ok = value && (!strcmp(value, "auto") || !strcmp(value, "cpu") || !strcmp(value, "cuda"));
    if (value && !strncmp(value, "cuda:", 5)) {
        char *end;
        errno = 0;
        const long v = strtol(value + 5, &end, 10);
        ok = end != value + 5 && !*end && errno == 0 && v >= 0 && v < 1024;
    }
    if (!ok)
        return aia_fail(AIA_ERR_ARG, "--%s must be auto, cpu, cuda or cuda:N, got '%s'", name, value ? value : "");
    int st = set_text(name, value, &o->device);
    o->reg.device = o->device;
    return st;
}

static int set_calibration(aia_prep_options *o, const char *name, const char *value, int *handled)
{
    *handled = 1;
    if (!strcmp(name, "respike"))
        return set_text(name, value, &o->respike_file);
    if (!strcmp(name, "respike-dir"))
        return set_text(name, value, &o->respike_dir);
    if (!strcmp(name, "pointing"))
        READ_TABLE(aia_pointing_table_read, aia_pointing_table_free, o->pointing, o->pointing_ref,
                   o->pointing_auto);
    if (!strcmp(name, "degradation"))
        READ_TABLE(aia_response_table_read, aia_response_table_free, o->degradation, o->degradation_ref,
                   o->degradation_auto);
    if (!strcmp(name, "calibration-version"))
        return parse_int(name, value, 1, 1000, &o->degradation_version);
    if (!strcmp(name, "uncertainty"))
        READ_TABLE(aia_uncertainty_table_read, aia_uncertainty_table_free, o->uncertainty, o->uncertainty_ref,
                   o->uncertainty_auto);
    if (!strcmp(name, "uncertainty-file"))
        return o->uncertainty_file = 1, AIA_OK;
    if (!strcmp(name, "include-preflight"))
        return o->uncertainty_opts.include_preflight = 1, AIA_OK;
    if (!strcmp(name, "include-eve"))
        return o->uncertainty_opts.include_eve = 1, AIA_OK;
    if (!strcmp(name, "include-chianti"))
        return o->uncertainty_opts.include_chianti = 1, AIA_OK;
    if (!strcmp(name, "n-sample"))
        return parse_int(name, value, 1, INT_MAX, &o->uncertainty_opts.n_sample);
    if (!strcmp(name, "normalize"))
        return o->normalize = 1, AIA_OK;
    if (!strcmp(name, "quality")) {
        static const char *const w[] = {"warn", "skip", "ignore"};
        static const aia_quality_mode q[] = {AIA_QUALITY_WARN, AIA_QUALITY_SKIP, AIA_QUALITY_IGNORE};
        int i, st = parse_word(name, value, w, 3, &i);
        return st ? st : (o->quality = q[i], AIA_OK);
    }
    if (!strcmp(name, "quality-mask"))
        return parse_quality_mask(name, value, &o->quality_mask);
    *handled = 0;
    return AIA_OK;
}

/* Where "auto" tables come from. */
static int set_fetching(aia_prep_options *o, const char *name, const char *value, int *handled)
{
    *handled = 1;
    if (!strcmp(name, "offline"))
        return o->fetch.offline = 1, AIA_OK;
    if (!strcmp(name, "cache")) {
        int st = set_text(name, value, &o->cache_dir);
        o->fetch.cache_dir = o->cache_dir;
        return st;
    }
    if (!strcmp(name, "jsoc-url")) {
        int st = set_text(name, value, &o->jsoc_url);
        o->fetch.jsoc_url = o->jsoc_url;
        return st;
    }
    if (!strcmp(name, "ssw-url")) {
        int st = set_text(name, value, &o->ssw_url);
        o->fetch.ssw_url = o->ssw_url;
        return st;
    }
    if (!strcmp(name, "fetch-timeout")) {
        int seconds = 0;
        int st = parse_int(name, value, 1, 3600, &seconds);
        return st ? st : (o->fetch.timeout = seconds, AIA_OK);
    }
    *handled = 0;
    return AIA_OK;
}

int aia_prep_option(aia_prep_options *o, const char *name, const char *value)
{
    aia_clear_error();
    if (!o || !name)
        return aia_fail(AIA_ERR_ARG, "aia_prep_option: no options or no name");
    int handled = 0, st = set_output(o, name, value, &handled);
    if (!handled)
        st = set_registration(o, name, value, &handled);
    if (!handled)
        st = set_deconvolution(o, name, value, &handled);
    if (!handled)
        st = set_calibration(o, name, value, &handled);
    if (!handled)
        st = set_fetching(o, name, value, &handled);
    if (!handled)
        st = set_device(o, name, value, &handled);
    if (!handled)
        return aia_fail(AIA_ERR_ARG, "unknown preparation option '%s'", name);
    return st;
}

int aia_prep_options_check(const aia_prep_options *o, long n_inputs)
{
    aia_clear_error();
    if (!o->outdir)
        return aia_fail(AIA_ERR_ARG, "no output directory: give -o OUTDIR");
    if (o->respike_file && (o->respike_dir || n_inputs != 1))
        return aia_fail(AIA_ERR_ARG, "--respike takes one INPUT; use --respike-dir for many");
    if (o->uncertainty_opts.include_eve && o->uncertainty_opts.include_preflight)
        return aia_fail(AIA_ERR_ARG, "--include-eve and --include-preflight exclude each other (aiapy)");
    if (o->uncertainty_file && !o->uncertainty && !o->uncertainty_auto)
        return aia_fail(AIA_ERR_ARG, "--uncertainty-file needs --uncertainty TABLE");
    return AIA_OK;
}
