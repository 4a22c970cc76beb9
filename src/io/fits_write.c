/* fits_write.c — write an image as FITS, atomically, in the output type and
 * compression the caller asks for (or the default for its units).
 *
 * Atomicity: the file is written under a temporary name in the destination
 * directory and renamed into place only when cfitsio has closed it without
 * error, so a crash or kill never leaves a partial file under the final name.
 * Temporary names end in ".aiaprep-tmp" so that a later run can find and
 * remove what a killed run left behind. */
#include "io/io.h"

#include "io/checksum.h"
#include "core/fs.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fitsio.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROWS_PER_CHUNK 256

void aia_write_options_default(aia_write_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->type = AIA_OUT_AUTO;
    opts->compression = AIA_COMP_AUTO;
}

const char *aia_out_type_name(aia_out_type t)
{
    switch (t) {
    case AIA_OUT_INT16: return "int16";
    case AIA_OUT_INT32: return "int32";
    case AIA_OUT_FLOAT32: return "float32";
    case AIA_OUT_FLOAT64: return "float64";
    default: return "auto";
    }
}

const char *aia_compression_name(aia_compression c)
{
    switch (c) {
    case AIA_COMP_NONE: return "none";
    case AIA_COMP_RICE: return "rice";
    case AIA_COMP_GZIP2: return "gzip2";
    default: return "auto";
    }
}

/* Images whose BUNIT is absent (AIA level 1 has none) or a plain count unit
 * hold DN and are stored as integers by default. */
static int is_in_dn(const aia_header *hdr)
{
    char unit[72];
    if (aia_header_get_string(hdr, "BUNIT", unit, sizeof unit) != AIA_OK) {
        aia_clear_error();
        return 1;
    }
    return strcasecmp(unit, "DN") == 0 || strcasecmp(unit, "ct") == 0 ||
           strcasecmp(unit, "count") == 0 || strcasecmp(unit, "counts") == 0;
}

/* The integer BLANK value of each type is reserved for NaN. */
static int fits_int_type(double lo, double hi, double tmin, double tmax)
{
    return lo > tmin && hi <= tmax;
}

/* The quantum of integer outputs: opts->quantum when it is a power of two
 * below 1 (a sub-DN step such as JSOC's 1/16 DN: the scaling is then
 * exact), else 1. */
static double quantum_of(const aia_write_options *opts)
{
    const double q = opts->quantum;
    if (!(q > 0 && q < 1))
        return 1.0;
    int e;
    return frexp(q, &e) == 0.5 && e >= -30 ? q : 1.0;
}

/* Whether the caller's bounds (opts->bounded) may stand in for the range
 * pass: finite, ordered, and giving the narrowest type a range pass could
 * give (int16 codes, or int32 asked for with codes of int16's span: a
 * small table of counts, as the pass would size it). A wider bound would
 * choose the type from the bound, not from the pixels, so it is not used.
 * *lo, *hi: the bounds times scale. */
static int caller_bounds(const aia_write_options *opts, aia_out_type t, double scale, double *lo, double *hi)
{
    if (!opts->bounded || !isfinite(opts->bounds[0]) || !isfinite(opts->bounds[1]) ||
        !(opts->bounds[0] <= opts->bounds[1]))
        return 0;
    *lo = opts->bounds[0] * scale;
    *hi = opts->bounds[1] * scale;
    return (t == AIA_OUT_AUTO || t == AIA_OUT_INT16 || t == AIA_OUT_INT32) &&
           fits_int_type(aia_round_half_away(*lo), aia_round_half_away(*hi), INT16_MIN, INT16_MAX);
}

/* aia_resolve_output, also giving the range of the integer codes (lo > hi:
 * none, or not an integer output) and the bounds of the pixels times the
 * scale (vlo, vhi: what the conversion checks). trust: use the caller's
 * bounds where they serve (caller_bounds), else the range pass. */
static int resolve(const aia_image *img, const aia_write_options *opts, int trust, aia_out_type *type,
                   aia_compression *compression, int *promoted, double *lo, double *hi, double *vlo, double *vhi)
{
    *promoted = 0;
    *lo = 1;
    *hi = 0;
    *vlo = INFINITY;
    *vhi = -INFINITY;
    aia_out_type t = opts->type;
    if (t == AIA_OUT_INT16 || t == AIA_OUT_INT32 || (t == AIA_OUT_AUTO && is_in_dn(img->header))) {
        const double q = quantum_of(opts);
        if (!(trust && caller_bounds(opts, t, 1.0 / q, vlo, vhi))) {
            double mn, mx;
            aia_pixel_range(img, &mn, &mx);
            *vlo = mn * (1.0 / q);
            *vhi = mx * (1.0 / q);
        }
        *lo = aia_round_half_away(*vlo);
        *hi = aia_round_half_away(*vhi);
        double l = *lo, h = *hi;
        if (l > h) /* no finite pixel: any integer type holds all-BLANK */
            l = h = 0;
        if (t == AIA_OUT_AUTO) {
            if (fits_int_type(l, h, INT16_MIN, INT16_MAX))
                t = AIA_OUT_INT16;
            else if (fits_int_type(l, h, INT32_MIN, INT32_MAX)) {
                t = AIA_OUT_INT32;
                *promoted = 1;
            } else
                t = AIA_OUT_FLOAT32;
        } else if (t == AIA_OUT_INT16 && !fits_int_type(l, h, INT16_MIN, INT16_MAX)) {
            return aia_fail(AIA_ERR_RANGE,
                            "values from %.17g to %.17g do not fit int16 (-32767..32767; -32768 "
                            "is BLANK): use int32 or float32",
                            l * q, h * q);
        } else if (t == AIA_OUT_INT32 && !fits_int_type(l, h, INT32_MIN, INT32_MAX)) {
            return aia_fail(AIA_ERR_RANGE, "values from %.17g to %.17g do not fit int32: use float32",
                            l * q, h * q);
        }
    } else if (t == AIA_OUT_AUTO) {
        t = AIA_OUT_FLOAT32;
    }
    aia_compression c = opts->compression;
    if (c == AIA_COMP_AUTO)
        c = (t == AIA_OUT_INT16 || t == AIA_OUT_INT32) ? AIA_COMP_RICE : AIA_COMP_NONE;
    *type = t;
    *compression = c;
    return AIA_OK;
}

int aia_resolve_output(const aia_image *img, const aia_write_options *opts, aia_out_type *type,
                       aia_compression *compression, int *promoted)
{
    double lo, hi, vlo, vhi; /* the pixels' own answer, whatever opts->bounds say */
    return resolve(img, opts, 0, type, compression, promoted, &lo, &hi, &vlo, &vhi);
}

/* How one HDU is written: the type and compression resolved, the integer
 * quantum and code range, the statistics to state, and what came out. */
typedef struct hdu_spec {
    aia_out_type type;
    aia_compression comp;
    float q;                 /* quantisation level of Rice floats             */
    double quantum;          /* integer outputs: BSCALE (1: none written)     */
    double lo, hi;           /* integer codes' range (lo > hi: none)          */
    double vlo, vhi;         /* ... the pixels x 1/quantum lie in [vlo, vhi]  */
    int outside;             /* (out) a pixel lay outside them: not written   */
    int statistics;          /* DATAMIN ... describe the pixels written       */
    const char *history;
    long long blanks;        /* NaN pixels (out)                              */
    aia_data_checksum datasum; /* (out) the data unit's sum, where known       */
    aia_pixel_stats stats;   /* (out) when statistics                         */
} hdu_spec;

static int is_float_type(aia_out_type t) { return t == AIA_OUT_FLOAT32 || t == AIA_OUT_FLOAT64; }

/* ---- header ------------------------------------------------------------- */

/* Cards that describe the storage, not the observation: redone on output. */
static int is_structural(const char *card)
{
    static const char *const exact[] = {
        "SIMPLE", "XTENSION", "BITPIX", "NAXIS", "EXTEND", "PCOUNT", "GCOUNT", "BSCALE", "BZERO",
        "BLANK", "CHECKSUM", "DATASUM", "END", "TFIELDS", "ZIMAGE", "ZCMPTYPE", "ZBITPIX",
        "ZNAXIS", "ZSIMPLE", "ZTENSION", "ZEXTEND", "ZBLOCKED", "ZPCOUNT", "ZGCOUNT", "ZHECKSUM",
        "ZDATASUM", "ZQUANTIZ", "ZDITHER0", "ZBLANK", "ZSCALE", "ZZERO", "ZMASKCMP", NULL};
    static const char *const indexed[] = {"NAXIS", "ZNAXIS", "ZTILE", "ZNAME", "ZVAL",
                                          "TTYPE", "TFORM", NULL};
    char kw[9];
    memcpy(kw, card, 8);
    kw[8] = '\0';
    for (int i = 7; i >= 0 && kw[i] == ' '; i--)
        kw[i] = '\0';
    for (int i = 0; exact[i]; i++)
        if (strcmp(kw, exact[i]) == 0)
            return 1;
    for (int i = 0; indexed[i]; i++) {
        size_t n = strlen(indexed[i]);
        if (strncmp(kw, indexed[i], n) == 0 && kw[n] >= '0' && kw[n] <= '9')
            return 1;
    }
    /* The two COMMENT cards cfitsio itself writes into every primary header. */
    return strncmp(card, "COMMENT   FITS (Flexible Image Transport System) format is", 58) == 0 ||
           strncmp(card, "COMMENT   and Astrophysics', volume 376, page 359;", 50) == 0;
}

/* The statistics keys every output states (placeholders are written with
 * the header and given their values once the pixels are out), and those
 * updated only where the input had them, as IDL's aia_fix_header does. */
static const struct { const char *key, *comment; } stats_keys[] = {
    {"DATAMIN", "minimum of the finite pixels"},      {"DATAMAX", "maximum of the finite pixels"},
    {"DATAMEDN", "median of the finite pixels"},      {"DATAMEAN", "mean of the finite pixels"},
    {"DATARMS", "standard deviation (n - 1)"},        {"DATASKEW", "skewness of the finite pixels"},
    {"DATAKURT", "excess kurtosis of the finite pixels"},
    {"DATAVALS", "number of finite pixels"},          {"MISSVALS", "number of missing (NaN/BLANK) pixels"},
};
#define N_STATS_KEYS (sizeof stats_keys / sizeof stats_keys[0])

/* A FITS number: [+-]digits[.digits][E|D[+-]digits], digits on one side
 * of the point at least ("nan", "inf" and the like are not). */
static int is_fits_number(const char *v)
{
    size_t i = (v[0] == '+' || v[0] == '-') ? 1 : 0, digits = 0;
    for (; isdigit((unsigned char)v[i]); i++)
        digits++;
    if (v[i] == '.')
        for (i++; isdigit((unsigned char)v[i]); i++)
            digits++;
    if (!digits)
        return 0;
    if (v[i] == 'E' || v[i] == 'D' || v[i] == 'e' || v[i] == 'd') {
        i++;
        if (v[i] == '+' || v[i] == '-')
            i++;
        if (!isdigit((unsigned char)v[i]))
            return 0;
        while (isdigit((unsigned char)v[i]))
            i++;
    }
    return v[i] == '\0';
}

/* Whether the string value at v (its opening quote) has its closing one
 * ('' inside is a quote). */
static int string_closed(const char *v)
{
    for (const char *p = v + 1; *p; p++)
        if (*p == '\'') {
            if (p[1] != '\'')
                return 1;
            p++;
        }
    return 0;
}

/* An input card as FITS allows it: real JSOC and IDL headers carry values
 * such as an unquoted nan (JSOC's OSCNMEAN, TEMPCCD ...) and strings without
 * their closing quote (IDL's HGQUERY), which fitsverify rejects. Those
 * become an undefined value and a closed string, keeping keyword, comment
 * and place; every other card goes out as it came. */
static void write_input_card(fitsfile *f, const char *card, int *fst)
{
    char kw[9], value[FLEN_VALUE] = "", comment[FLEN_COMMENT] = "";
    memcpy(kw, card, 8);
    kw[8] = '\0';
    for (int i = 7; i >= 0 && kw[i] == ' '; i--)
        kw[i] = '\0';
    if (!kw[0] || strncmp(card + 8, "= ", 2) != 0 || !strcmp(kw, "HISTORY") || !strcmp(kw, "COMMENT")) {
        fits_write_record(f, card, fst);
        return;
    }
    int st = 0;
    char copy[81];
    snprintf(copy, sizeof copy, "%s", card);
    fits_parse_value(copy, value, comment, &st);
    fits_clear_errmsg();
    const char *v = card + 10;
    while (*v == ' ')
        v++;
    if (*v == '\'' && !string_closed(v)) { /* a string cut short: close it */
        char text[72];
        snprintf(text, sizeof text, "%s", v + 1);
        for (size_t n = strlen(text); n > 0 && text[n - 1] == ' '; n--)
            text[n - 1] = '\0';
        fits_write_key_str(f, kw, text, NULL, fst);
        return;
    }
    const int ok = !st && (!value[0] || value[0] == '\'' || value[0] == '(' || !strcmp(value, "T") ||
                           !strcmp(value, "F") || is_fits_number(value));
    if (ok)
        fits_write_record(f, card, fst);
    else /* no FITS value: undefined, as FITS says a key without one is */
        fits_write_key_null(f, kw, comment[0] ? comment : NULL, fst);
}

static int write_header(fitsfile *f, const aia_image *img, const hdu_spec *spec, int *fst)
{
    const aia_header *h = img->header;
    for (size_t i = 0; i < aia_header_count(h) && !*fst; i++) {
        const char *card = aia_header_card(h, i);
        if (!is_structural(card))
            write_input_card(f, card, fst);
    }
    if (spec->statistics)
        for (size_t i = 0; i < N_STATS_KEYS; i++)
            if (aia_header_find(h, stats_keys[i].key) < 0)
                fits_write_key_lng(f, stats_keys[i].key, 0, stats_keys[i].comment, fst);
    if (spec->type == AIA_OUT_INT16) {
        long blank = INT16_MIN;
        fits_update_key(f, TLONG, "BLANK", &blank, "value of missing pixels", fst);
    } else if (spec->type == AIA_OUT_INT32) {
        long blank = INT32_MIN;
        fits_update_key(f, TLONG, "BLANK", &blank, "value of missing pixels", fst);
    }
    if (spec->quantum != 1.0 && !is_float_type(spec->type)) {
        fits_write_key_dbl(f, "BSCALE", spec->quantum, -17, "one stored step, in the image's units", fst);
        fits_write_key_dbl(f, "BZERO", 0.0, -17, "physical = stored x BSCALE", fst);
    }
    if (spec->history && spec->history[0])
        fits_write_history(f, spec->history, fst);
    return *fst;
}

/* A statistic into its card: whole numbers as integers (as JSOC writes
 * DATAMIN of an integer image); pixel values (min, max, ranks) with 17
 * digits, which read back as exactly the pixel's value; moments with 15;
 * NaN undefined. The card exists (the header has it or write_header put a
 * placeholder), so the header keeps its size and layout. */
static void modify_stat(fitsfile *f, const char *key, double v, int digits, int *fst)
{
    if (!isfinite(v))
        fits_modify_key_null(f, key, "&", fst);
    else if (v == floor(v) && fabs(v) < 9e15)
        fits_modify_key_lng(f, key, (LONGLONG)v, "&", fst);
    else
        fits_modify_key_dbl(f, key, v, -digits, "&", fst);
}

static void modify_if_present(fitsfile *f, const aia_header *h, const char *key, double v, int *fst)
{
    if (aia_header_find(h, key) >= 0)
        modify_stat(f, key, v, 17, fst);
}

static int write_stats_keys(fitsfile *f, const aia_image *img, const aia_pixel_stats *st, int *fst)
{
    const double v[N_STATS_KEYS] = {st->min,  st->max,  st->median,          st->mean,          st->rms,
                                    st->skew, st->kurt, (double)st->finite, (double)st->missing};
    for (size_t i = 0; i < N_STATS_KEYS && !*fst; i++) /* min, max, median are pixel values */
        modify_stat(f, stats_keys[i].key, v[i], i < 3 ? 17 : 15, fst);
    for (int i = 0; i < AIA_NPCT && !*fst; i++) {
        char key[16];
        snprintf(key, sizeof key, "DATAP%02d", aia_stats_pct[i]);
        modify_if_present(f, img->header, key, st->pct[i], fst);
    }
    const double total = (double)img->width * (double)img->height;
    modify_if_present(f, img->header, "TOTVALS", total, fst);
    if (aia_header_find(img->header, "PERCENTD") >= 0)
        fits_modify_key_dbl(f, "PERCENTD", 100.0 * (double)st->finite / total, -7, "&", fst);
    return *fst;
}

/* ---- pixels ------------------------------------------------------------- */

static long long count_nan(const aia_image *img)
{
    const size_t n = (size_t)img->width * (size_t)img->height;
    long long c = 0;
#pragma omp parallel for reduction(+ : c)
    for (size_t i = 0; i < n; i++)
        c += isnan(aia_pixel(img->data, img->pixtype, i)) ? 1 : 0;
    return c;
}

/* Floats: the statistics' first pass (it also counts the NaN pixels), then
 * the rows written a chunk at a time, each chunk refining the ranks while it
 * is in cache. */
static int write_float_pixels(fitsfile *f, const aia_image *img, hdu_spec *spec, int *fst)
{
    const size_t w = (size_t)img->width, n = w * (size_t)img->height, es = aia_pixtype_size(img->pixtype);
    const int dt = img->pixtype == AIA_PIX_F64 ? TDOUBLE : TFLOAT;
    aia_value_stats *vs = spec->statistics ? aia_value_stats_new() : NULL;
    if (spec->statistics && !vs)
        return *fst = MEMORY_ALLOCATION;
    if (vs)
        aia_value_stats_scan(vs, img->data, img->pixtype, n);
    else
        spec->blanks = count_nan(img);
    for (long y0 = 0; y0 < img->height && !*fst; y0 += ROWS_PER_CHUNK) {
        const long rows = img->height - y0 < ROWS_PER_CHUNK ? img->height - y0 : ROWS_PER_CHUNK;
        const char *chunk = (const char *)img->data + (size_t)y0 * w * es;
        if (vs)
            aia_value_stats_refine(vs, chunk, img->pixtype, (size_t)rows * w);
        /* cfitsio converts float <-> double exactly (widening) or by rounding
         * to nearest (narrowing); NaN stays NaN. */
        fits_write_img(f, dt, (LONGLONG)y0 * (LONGLONG)w + 1, (LONGLONG)rows * (LONGLONG)w, (void *)chunk, fst);
    }
    if (vs) {
        aia_value_stats_finish(vs, &spec->stats);
        spec->blanks = spec->stats.missing;
        aia_value_stats_free(vs);
    }
    return *fst;
}

/* Integer codes whose range is too wide for a table of counts (int32 over
 * more than a million steps: not AIA data in DN) are described by the float
 * statistics of the values before rounding, in a pass of their own. */
static void wide_int_stats(const aia_image *img, hdu_spec *spec)
{
    const size_t n = (size_t)img->width * (size_t)img->height;
    aia_value_stats *vs = aia_value_stats_new();
    if (!vs)
        return;
    aia_value_stats_scan(vs, img->data, img->pixtype, n);
    aia_value_stats_refine(vs, img->data, img->pixtype, n);
    aia_value_stats_finish(vs, &spec->stats);
    aia_value_stats_free(vs);
}

static aia_int_coding coding_of(const hdu_spec *spec)
{
    return (aia_int_coding){spec->type, 1.0 / spec->quantum, spec->vlo, spec->vhi};
}

/* Integers through cfitsio (uncompressed or GZIP_2), a chunk at a time. */
static int write_int_pixels(fitsfile *f, const aia_image *img, hdu_spec *spec, aia_code_hist *hist, int *fst)
{
    const size_t w = (size_t)img->width;
    const size_t elsize = spec->type == AIA_OUT_INT16 ? sizeof(int16_t) : sizeof(int32_t);
    void *buf = malloc((size_t)ROWS_PER_CHUNK * w * elsize);
    if (!buf)
        return *fst = MEMORY_ALLOCATION;
    fits_set_bscale(f, 1.0, 0.0, fst); /* the codes go in as they are (BSCALE is the quantum) */
    spec->blanks = 0;
    const aia_int_coding c = coding_of(spec);
    for (long y0 = 0; y0 < img->height && !*fst; y0 += ROWS_PER_CHUNK) {
        long rows = img->height - y0 < ROWS_PER_CHUNK ? img->height - y0 : ROWS_PER_CHUNK;
        LONGLONG first = (LONGLONG)y0 * (LONGLONG)w + 1, n = (LONGLONG)rows * (LONGLONG)w;
        const long long got = aia_to_integers(img, &c, y0, rows, buf, hist);
        if (got < 0) {
            spec->outside = 1;
            break;
        }
        spec->blanks += got;
        fits_write_img(f, spec->type == AIA_OUT_INT16 ? TSHORT : TINT, first, n, buf, fst);
    }
    free(buf);
    return *fst;
}

/* The pixels of the current HDU, by our Rice tile encoder where it applies
 * (compressed: whether the HDU is tile-compressed), with their statistics
 * into spec->stats when asked for. */
static int write_pixels(fitsfile *f, const aia_image *img, hdu_spec *spec, int compressed, int *fst)
{
    if (is_float_type(spec->type))
        return write_float_pixels(f, img, spec, fst);
    aia_code_hist *hist = NULL;
    if (spec->statistics) {
        hist = aia_code_hist_new((long long)spec->lo, (long long)spec->hi);
        if (!hist)
            wide_int_stats(img, spec);
    }
    int handled = 0;
    if (compressed && spec->comp == AIA_COMP_RICE) {
        const aia_int_coding c = coding_of(spec);
        *fst = aia_tiles_write(f, img, &c, hist, &spec->blanks, &handled, &spec->datasum);
        spec->outside = handled && spec->blanks < 0;
    }
    if (!*fst && !handled)
        write_int_pixels(f, img, spec, hist, fst);
    if (spec->outside)
        ; /* nothing to state: the file is not kept */
    else if (hist)
        aia_code_hist_finish(hist, spec->quantum, spec->blanks, &spec->stats);
    else if (spec->statistics)
        spec->stats.missing = spec->blanks;
    aia_code_hist_free(hist);
    return *fst;
}

/* ---- files -------------------------------------------------------------- */

static int set_compression(fitsfile *f, const aia_image *img, const hdu_spec *spec, int *fst)
{
    fits_set_compression_type(f, spec->comp == AIA_COMP_RICE ? RICE_1 : GZIP_2, fst);
    long tile[2] = {img->width, 1}; /* one row per tile, as JSOC */
    fits_set_tile_dim(f, 2, tile, fst);
    if (is_float_type(spec->type)) {
        /* Rice needs quantised floats (lossy); GZIP_2 compresses them as
         * they are (lossless, q = 0). */
        fits_set_quantize_level(f, spec->comp == AIA_COMP_RICE ? (spec->q > 0 ? spec->q : 4.0f) : 0.0f, fst);
        /* The dither seed from the first tile's checksum, not the clock:
         * the same image always compresses to the same bytes. */
        fits_set_dither_seed(f, -1, fst);
    }
    return *fst;
}

static int bitpix_of(aia_out_type t)
{
    switch (t) {
    case AIA_OUT_INT16: return SHORT_IMG;
    case AIA_OUT_INT32: return LONG_IMG;
    case AIA_OUT_FLOAT64: return DOUBLE_IMG;
    default: return FLOAT_IMG;
    }
}

/* Quantised floats (Rice) go through cfitsio's image compressor, the path
 * fpack uses: it records NaN pixels under ZBLANK as the tiled-compression
 * convention says. Writing such pixels straight into a compressed HDU loses
 * the NaN of the first tile that has one (cfitsio 4.2). The image is built
 * uncompressed in memory first, its statistics keys filled in there. */
static int write_quantised(fitsfile *f, const aia_image *img, hdu_spec *spec, int *fst)
{
    fitsfile *mem = NULL;
    long dims[2] = {img->width, img->height};
    if (fits_create_file(&mem, "mem://", fst))
        return *fst;
    fits_create_img(mem, bitpix_of(spec->type), 2, dims, fst);
    if (!*fst)
        write_header(mem, img, spec, fst);
    if (!*fst)
        write_pixels(mem, img, spec, 0, fst);
    if (!*fst && spec->statistics) {
        write_stats_keys(mem, img, &spec->stats, fst);
        fits_write_comment(mem, "DATAMIN ... DATAKURT: of the values before the lossy Rice quantisation", fst);
    }
    if (!*fst)
        fits_img_compress(mem, f, fst);
    int close_st = 0;
    fits_close_file(mem, &close_st);
    return *fst;
}

/* CHECKSUM and DATASUM, summed here (checksum.c) with comments that carry
 * no timestamp, so that the same image gives the same file bytes on every
 * run, rank and host (resumed and MPI runs are compared byte for byte). Not
 * fits_write_chksum: it dates its comment with gmtime(), which is not safe
 * while other threads write files. The data unit's sum is the writer's
 * where it knows it (our Rice tiles: as they were written), else read back
 * from the file; the header's is read back (its cards are cfitsio's). */
static int write_checksums(fitsfile *f, const aia_data_checksum *known, int *fst)
{
    static const char zeros[] = "0000000000000000";
    char text[16] = "0";
    if (known->known)
        snprintf(text, sizeof text, "%u", known->sum);
    fits_write_key_str(f, "CHECKSUM", zeros, "HDU checksum", fst);
    fits_write_key_str(f, "DATASUM", text, "data unit checksum", fst);
    fits_flush_file(f, fst);
    char path[FLEN_FILENAME] = "";
    LONGLONG head = 0, data = 0, end = 0;
    fits_get_hduaddrll(f, &head, &data, &end, fst);
    fits_file_name(f, path, fst);
    if (*fst)
        return *fst;
    const int fd = open(path, O_RDONLY);
    uint32_t datasum = known->sum, sum = 0;
    int ok = fd >= 0;
    if (ok && !known->known) {
        ok = aia_fd_ones_sum(fd, data, end - data, &datasum) == 0;
        snprintf(text, sizeof text, "%u", datasum);
        if (ok)
            fits_modify_key_str(f, "DATASUM", text, "&", fst);
        fits_flush_buffer(f, 0, fst);
    }
    ok = ok && !*fst && aia_fd_ones_sum(fd, head, data - head, &sum) == 0;
    if (fd >= 0)
        close(fd);
    if (ok) {
        char ascii[17] = "";
        fits_encode_chksum(aia_ones_add(sum, datasum), 1, ascii); /* the complement: the HDU sums to -0 */
        fits_modify_key_str(f, "CHECKSUM", ascii, "&", fst);
    } else if (!*fst) {
        *fst = WRITE_ERROR; /* reported with errno */
    }
    return *fst;
}

/* One image HDU after the current one: compressed (JSOC layout) or plain. */
static int write_hdu(fitsfile *f, const aia_image *img, hdu_spec *spec, int *fst)
{
    long dims[2] = {img->width, img->height};
    fits_set_compression_type(f, 0, fst); /* 0: none, until set below */
    if (spec->comp != AIA_COMP_NONE)
        set_compression(f, img, spec, fst);
    if (spec->comp == AIA_COMP_RICE && is_float_type(spec->type)) {
        write_quantised(f, img, spec, fst);
    } else {
        fits_create_img(f, bitpix_of(spec->type), 2, dims, fst);
        if (!*fst)
            write_header(f, img, spec, fst);
        if (!*fst)
            write_pixels(f, img, spec, spec->comp != AIA_COMP_NONE, fst);
        if (!*fst && !spec->outside && spec->statistics)
            write_stats_keys(f, img, &spec->stats, fst);
    }
    if (!*fst && !spec->outside)
        write_checksums(f, &spec->datasum, fst);
    return *fst;
}

static int write_fits(const char *tmp, const char *path, const aia_image *img, hdu_spec *spec,
                      const aia_write_options *opts)
{
    fitsfile *f = NULL;
    int fst = 0;
    errno = 0;
    if (fits_create_diskfile(&f, tmp, &fst)) {
        if (errno) /* the system's reason (permission, no space...) says more than cfitsio's */
            return aia_fail(AIA_ERR_IO, "%s: cannot create a temporary file in the output directory: %s", path,
                            strerror(errno));
        return aia_fail_fits(fst, path, "cannot create a temporary file in the output directory");
    }
    if (spec->comp != AIA_COMP_NONE)
        fits_create_img(f, BYTE_IMG, 0, NULL, &fst); /* empty primary, JSOC layout */
    write_hdu(f, img, spec, &fst);
    if (!fst && !spec->outside && opts->extra) {
        hdu_spec extra = {.type = AIA_OUT_FLOAT32,
                          .comp = spec->comp == AIA_COMP_NONE ? AIA_COMP_NONE : AIA_COMP_RICE,
                          .q = 16.0f, .quantum = 1.0, .lo = 1, .hi = 0, .statistics = spec->statistics};
        write_hdu(f, opts->extra, &extra, &fst);
    }
    const int write_errno = errno;
    int close_st = 0;
    fits_close_file(f, &close_st);
    const int err = write_errno ? write_errno : errno;
    if ((fst == WRITE_ERROR || close_st == WRITE_ERROR) && err) /* e.g. no space left on device */
        return aia_fail(AIA_ERR_IO, "%s: cannot write the output: %s", path, strerror(err));
    if (fst || close_st)
        return aia_fail_fits(fst ? fst : close_st, path, "cannot write the output");
    return AIA_OK;
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Move tmp to path; without overwrite, never replace a file that appeared
 * meanwhile (RENAME_NOREPLACE, or link+unlink where that is unsupported). */
static int publish(const char *tmp, const char *path, int overwrite)
{
    if (overwrite) {
        if (rename(tmp, path) == 0)
            return AIA_OK;
    } else {
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
            return AIA_OK;
        if (errno == EINVAL || errno == ENOSYS) {
            if (link(tmp, path) == 0) {
                unlink(tmp);
                return AIA_OK;
            }
        }
        if (errno == EEXIST)
            return aia_fail(AIA_ERR_EXISTS, "%s: output already exists (use --overwrite to replace it)",
                            path);
    }
    return aia_fail(AIA_ERR_IO, "%s: cannot move the finished output into place: %s", path,
                    strerror(errno));
}

int aia_image_write(const aia_image *img, const char *path, const aia_write_options *opts,
                    aia_write_result *res)
{
    aia_cfitsio_init();
    aia_clear_error();
    aia_write_options defaults;
    if (!opts) {
        aia_write_options_default(&defaults);
        opts = &defaults;
    }
    if (opts->input_path && same_file(opts->input_path, path))
        return aia_fail(AIA_ERR_SAME_FILE, "%s: refusing to write over the input file", path);
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return aia_fail(AIA_ERR_NOT_REGULAR, "%s: output path is a directory", path);
        if (!opts->overwrite)
            return aia_fail(AIA_ERR_EXISTS, "%s: output already exists (use --overwrite to replace it)",
                            path);
    }
    char tmp[PATH_MAX];
    int st = aia_temp_name(path, tmp, sizeof tmp);
    if (st)
        return st;
    /* With the caller's bounds first; a pixel outside them stops that file
     * (never published) and the pixels' own range decides again. */
    hdu_spec spec;
    int promoted;
    for (int trust = 1; trust >= 0; trust--) {
        spec = (hdu_spec){.q = opts->quantize_level, .quantum = quantum_of(opts), .statistics = opts->statistics,
                          .history = opts->history};
        st = resolve(img, opts, trust, &spec.type, &spec.comp, &promoted, &spec.lo, &spec.hi, &spec.vlo,
                     &spec.vhi);
        if (st) {
            aia_error_prefix(path);
            return st;
        }
        if (is_float_type(spec.type))
            spec.quantum = 1.0;
        st = write_fits(tmp, path, img, &spec, opts);
        if (st || !spec.outside)
            break;
        unlink(tmp);
    }
    if (!st && spec.outside) /* the pixels' own range, measured: only a change meanwhile */
        st = aia_fail(AIA_ERR_BAD_DATA, "%s: the pixels changed while they were written", path);
    if (!st)
        st = publish(tmp, path, opts->overwrite);
    if (st) {
        unlink(tmp);
        return st;
    }
    if (res) {
        res->type = spec.type;
        res->compression = spec.comp;
        res->promoted_to_int32 = promoted;
        res->blank_pixels = spec.blanks;
        res->quantum = is_float_type(spec.type) ? 0.0 : spec.quantum;
    }
    return AIA_OK;
}
