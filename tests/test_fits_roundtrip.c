/* test_fits_roundtrip.c — write every output type and compression, read it
 * back, and check values, header cards and the atomic-write rules. */
#include "testutil.h"
#include "io/checksum.h"
#include "io/io.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static aia_image *ramp(long w, long h)
{
    aia_image *img;
    if (aia_image_create(w, h, AIA_PIX_F32, &img))
        return NULL;
    aia_header_set_long(img->header, "WAVELNTH", 171, NULL);
    aia_header_set_double(img->header, "CRPIX1", 2048.5, "[pixel]");
    aia_header_append_card(img->header, "OSCNMEAN=");
    aia_header_append_card(img->header, "HGQUERY = 'an unterminated string");
    aia_header_add_history(img->header, "an input history card");
    float *d = img->data;
    for (long i = 0; i < w * h; i++)
        d[i] = (float)(i % 1000) * 0.25f - 100.0f; /* halves and quarters, negatives */
    d[0] = NAN;
    d[1] = 2.5f;   /* -> 3 */
    d[2] = -2.5f;  /* -> -3 */
    d[3] = 0.49999997f;
    d[4] = -0.5f;  /* -> -1 */
    return img;
}

static int count_tmp_files(void)
{
    DIR *dir = opendir(test_tmpdir());
    int n = 0;
    struct dirent *e;
    while (dir && (e = readdir(dir)))
        n += strstr(e->d_name, ".aiaprep-tmp") != NULL;
    if (dir)
        closedir(dir);
    return n;
}

/* Every input card that is not structural appears in the output, in order
 * (but for the unterminated string, which comes out closed: see below). */
static void check_cards_kept(const aia_header *in, const aia_header *out)
{
    size_t j = 0;
    for (size_t i = 0; i < aia_header_count(in); i++) {
        const char *c = aia_header_card(in, i);
        if (strncmp(c, "HGQUERY ", 8) == 0)
            continue;
        while (j < aia_header_count(out) && strcmp(aia_header_card(out, j), c) != 0)
            j++;
        CHECK_MSG(j < aia_header_count(out), "card lost or out of order: %.40s", c);
        if (j >= aia_header_count(out))
            return;
    }
}

static void roundtrip(aia_out_type type, aia_compression comp, const char *name)
{
    aia_image *img = ramp(300, 200), *back = NULL;
    aia_write_options o;
    aia_write_options_default(&o);
    o.type = type;
    o.compression = comp;
    o.history = "aiaprep test history";
    aia_write_result res;
    const char *path = test_path(name);
    CHECK_OK(aia_image_write(img, path, &o, &res));
    /* DATASUM and CHECKSUM against the bytes on disk (for Rice integers
     * the writer sums the data unit from the tiles it wrote, unread) */
    CHECK_MSG(aia_fits_checksum_ok(path) == 1, "%s: its checksums do not verify", name);
    CHECK_OK(aia_image_read(path, AIA_PIX_F64, &back));
    if (!back) {
        aia_image_free(img);
        return;
    }
    CHECK(back->width == 300 && back->height == 200);
    CHECK(res.blank_pixels == 1);
    const float *a = img->data;
    const double *b = back->data;
    int lossy = comp == AIA_COMP_RICE && (type == AIA_OUT_FLOAT32 || type == AIA_OUT_FLOAT64);
    long bad = 0;
    for (long i = 0; i < 300 * 200; i++) {
        double want = a[i];
        if (type == AIA_OUT_INT16 || type == AIA_OUT_INT32)
            want = round(want); /* half away from zero */
        if (isnan(want) != isnan(b[i]))
            bad++;
        else if (!isnan(want) && (lossy ? fabs(b[i] - want) > 0.1 : b[i] != want))
            bad++;
    }
    CHECK_MSG(bad == 0, "%s: %ld pixels differ", name, bad);
    if (type == AIA_OUT_INT16) {
        CHECK(b[1] == 3.0 && b[2] == -3.0 && b[3] == 0.0 && b[4] == -1.0);
        CHECK(back->source.bitpix == 16 && back->source.has_blank && back->source.blank == -32768);
    }
    if (type == AIA_OUT_INT32)
        CHECK(back->source.bitpix == 32 && back->source.blank == INT32_MIN);
    if (type == AIA_OUT_FLOAT64)
        CHECK(back->source.bitpix == -64);
    CHECK(back->source.compressed == (comp != AIA_COMP_NONE));
    CHECK(back->source.hdu == (comp != AIA_COMP_NONE ? 1 : 0));
    check_cards_kept(img->header, back->header);
    if (comp == AIA_COMP_NONE) /* a compressed HDU's checksum covers the table */
        CHECK(aia_header_find(back->header, "CHECKSUM") >= 0);
    long h = aia_header_find(back->header, "HISTORY");
    CHECK(h >= 0);
    char text[80];
    CHECK_OK(aia_header_get_string(back->header, "HGQUERY", text, sizeof text));
    /* a string without its closing quote (real IDL headers) is closed, so
     * that the file is valid FITS; its text is kept */
    CHECK(strcmp(text, "an unterminated string") == 0);
    const long q = aia_header_find(back->header, "HGQUERY");
    CHECK(q >= 0 && strstr(aia_header_card(back->header, (size_t)q), "string'") != NULL);
    aia_image_free(back);
    aia_image_free(img);
}

static void test_auto_types(void)
{
    aia_image *img = ramp(64, 64);
    aia_write_options o;
    aia_write_options_default(&o);
    aia_out_type t;
    aia_compression c;
    int promoted;
    /* DN image (no BUNIT) -> int16 Rice */
    CHECK_OK(aia_resolve_output(img, &o, &t, &c, &promoted));
    CHECK(t == AIA_OUT_INT16 && c == AIA_COMP_RICE && !promoted);
    /* a value beyond int16 -> int32, with the promotion reported */
    ((float *)img->data)[10] = 40000.0f;
    CHECK_OK(aia_resolve_output(img, &o, &t, &c, &promoted));
    CHECK(t == AIA_OUT_INT32 && c == AIA_COMP_RICE && promoted);
    aia_write_result res;
    CHECK_OK(aia_image_write(img, test_path("promoted.fits"), &o, &res));
    CHECK(res.type == AIA_OUT_INT32 && res.promoted_to_int32);
    /* -32767.5 rounds onto BLANK: not representable in int16 */
    ((float *)img->data)[10] = -32767.5f;
    CHECK_OK(aia_resolve_output(img, &o, &t, &c, &promoted));
    CHECK(t == AIA_OUT_INT32);
    /* explicit int16 that does not fit: a clear error, no file */
    o.type = AIA_OUT_INT16;
    CHECK_FAILS(aia_image_write(img, test_path("nofit.fits"), &o, NULL), AIA_ERR_RANGE, "int16");
    CHECK(access(test_path("nofit.fits"), F_OK) != 0);
    /* the range scan: an extreme in the last, odd pixel and NaN around it */
    aia_image *odd = ramp(71, 69);
    float *px = odd->data;
    px[0] = px[71 * 69 - 2] = NAN;
    px[71 * 69 - 1] = -40000.0f;
    o.type = AIA_OUT_AUTO;
    CHECK_OK(aia_resolve_output(odd, &o, &t, &c, &promoted));
    CHECK(t == AIA_OUT_INT32 && promoted);
    px[71 * 69 - 1] = 7.0f;
    CHECK_OK(aia_resolve_output(odd, &o, &t, &c, &promoted));
    CHECK(t == AIA_OUT_INT16 && !promoted);
    aia_image_free(odd);
    /* an image in DN/s -> float32 uncompressed */
    aia_header_set_string(img->header, "BUNIT", "DN / s", NULL);
    o.type = AIA_OUT_AUTO;
    CHECK_OK(aia_resolve_output(img, &o, &t, &c, &promoted));
    CHECK(t == AIA_OUT_FLOAT32 && c == AIA_COMP_NONE);
    aia_image_free(img);
}

static void test_atomic_rules(void)
{
    aia_image *img = ramp(32, 32);
    aia_write_options o;
    aia_write_options_default(&o);
    const char *path = test_path("once.fits");
    CHECK_OK(aia_image_write(img, path, &o, NULL));
    /* refuse to overwrite unless asked */
    CHECK_FAILS(aia_image_write(img, path, &o, NULL), AIA_ERR_EXISTS, "already exists");
    o.overwrite = 1;
    CHECK_OK(aia_image_write(img, path, &o, NULL));
    /* never over the input, even with overwrite */
    o.input_path = path;
    CHECK_FAILS(aia_image_write(img, path, &o, NULL), AIA_ERR_SAME_FILE, "input");
    o.input_path = NULL;
    /* a directory is not an output */
    CHECK_FAILS(aia_image_write(img, test_tmpdir(), &o, NULL), AIA_ERR_NOT_REGULAR, "directory");
    /* unwritable directory: clear error, nothing left behind */
    const char *ro = test_path("readonly");
    mkdir(ro, 0500);
    char inside[4096];
    snprintf(inside, sizeof inside, "%s/out.fits", ro);
    if (geteuid() != 0) { /* root ignores directory permissions */
        CHECK_FAILS(aia_image_write(img, inside, &o, NULL), AIA_ERR_IO, "out.fits");
    }
    /* missing directory */
    CHECK(aia_image_write(img, "/nonexistent-dir/x.fits", &o, NULL) != AIA_OK);
    CHECK(count_tmp_files() == 0);
    aia_image_free(img);
}

/* The inlined rounding agrees with C's round() on the awkward cases. */
static void test_rounding(void)
{
    const double cases[] = {0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994,
                            -0.49999999999999994, 4503599627370495.5, 4503599627370497.0,
                            32766.5, -32766.5, 32767.49999, 1e300, -1e300, 3.0000000000000004,
                            2.4999999999999996, 1.0 / 3.0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_MSG(aia_round_half_away(cases[i]) == round(cases[i]), "%.17g -> %.17g, round() %.17g",
                  cases[i], aia_round_half_away(cases[i]), round(cases[i]));
    unsigned s = 12345;
    int bad = 0;
    for (int i = 0; i < 1000000; i++) {
        s = s * 1103515245u + 12345u;
        double x = ((double)s / 4294967296.0 - 0.5) * 70000.0;
        x = (i & 1) ? floor(x) + 0.5 : x; /* many exact halves */
        bad += aia_round_half_away(x) != round(x);
    }
    CHECK(bad == 0);
}

/* Reading into an existing image reuses its buffer when it is big enough. */
static void test_read_into(void)
{
    aia_image *small = ramp(40, 30), *big = ramp(300, 200), *img = NULL;
    aia_write_options o;
    aia_write_options_default(&o);
    o.type = AIA_OUT_FLOAT32;
    CHECK_OK(aia_image_write(small, test_path("small.fits"), &o, NULL));
    CHECK_OK(aia_image_write(big, test_path("big.fits"), &o, NULL));
    CHECK_OK(aia_image_read_into(test_path("big.fits"), AIA_PIX_F32, &img));
    void *buffer = img ? img->data : NULL;
    CHECK_OK(aia_image_read_into(test_path("small.fits"), AIA_PIX_F32, &img));
    CHECK(img && img->data == buffer && img->width == 40 && img->height == 30);
    CHECK(img && ((float *)img->data)[5] == ((float *)small->data)[5]);
    CHECK(img && aia_header_find(img->header, "HGQUERY") >= 0);
    CHECK_FAILS(aia_image_read_into(test_path("none.fits"), AIA_PIX_F32, &img), AIA_ERR_IO, "none.fits");
    CHECK_OK(aia_image_read_into(test_path("big.fits"), AIA_PIX_F32, &img)); /* usable after */
    CHECK(img && img->width == 300 && ((float *)img->data)[299] == ((float *)big->data)[299]);
    aia_image_free(img);
    aia_image_free(small);
    aia_image_free(big);
}

/* int16 Rice read as float32, the AIA case: BLANK comes back as NaN and
 * every other code as itself, on rows the reader streams (widths in whole
 * 32-byte groups of a 2 MiB-aligned frame) and rows it does not (an odd
 * width), BLANKs at the groups' edges. */
static void test_read_blank_rows(void)
{
    static const long widths[] = {64, 4096, 61};
    for (size_t k = 0; k < sizeof widths / sizeof widths[0]; k++) {
        /* 2 MiB and more: a frame-sized buffer (aligned) */
        const long w = widths[k], h = (2L << 20) / (4 * w) + 1;
        aia_image *img = ramp(w, h), *back = NULL;
        float *d = img->data;
        for (long i = 0; i < w * h; i++)
            d[i] = (float)((i * 37) % 2001 - 1000);
        const long nan_at[] = {0, 7, 8, 15, w - 1, w, 2 * w + 3, w * h - 1};
        for (size_t j = 0; j < sizeof nan_at / sizeof nan_at[0]; j++)
            d[nan_at[j]] = NAN;
        aia_write_options o;
        aia_write_options_default(&o);
        o.type = AIA_OUT_INT16;
        o.compression = AIA_COMP_RICE;
        o.overwrite = 1;
        CHECK_OK(aia_image_write(img, test_path("blank_rows.fits"), &o, NULL));
        CHECK_OK(aia_image_read(test_path("blank_rows.fits"), AIA_PIX_F32, &back));
        long bad = 0;
        for (long i = 0; back && i < w * h; i++) {
            const float got = ((const float *)back->data)[i];
            bad += isnan(d[i]) ? !isnan(got) : got != d[i];
        }
        CHECK_MSG(back && bad == 0, "width %ld: %ld pixels differ after int16 Rice", w, bad);
        aia_image_free(back);
        aia_image_free(img);
    }
}

/* The range the reader states (aia_source_info.range_known) for Rice int16
 * files it decodes itself: the extremes of the non-BLANK pixels and whether
 * there was a BLANK; for other files nothing. */
static void test_read_range(void)
{
    aia_image *img;
    CHECK_OK(aia_image_create(300, 70, AIA_PIX_F32, &img));
    if (!img)
        return;
    float *d = img->data;
    for (long i = 0; i < 300 * 70; i++)
        d[i] = (float)(i % 500) - 200.0f;
    d[300 * 69 + 5] = 1234.0f; /* the largest, in the last tile */
    aia_write_options o;
    aia_write_options_default(&o);
    o.overwrite = 1;
    for (int with_nan = 0; with_nan < 2; with_nan++) {
        if (with_nan)
            d[7] = NAN;
        CHECK_OK(aia_image_write(img, test_path("range.fits"), &o, NULL));
        aia_image *back = NULL;
        CHECK_OK(aia_image_read(test_path("range.fits"), AIA_PIX_F32, &back));
        if (!back)
            continue;
        const int ours = strcmp(aia_rice_codec(), "aiaprep") == 0;
        CHECK(back->source.range_known == ours);
        if (ours)
            CHECK_MSG(back->source.data_min == -200.0 && back->source.data_max == 1234.0 &&
                          back->source.has_nulls == with_nan,
                      "range [%g, %g], nulls %d", back->source.data_min, back->source.data_max,
                      back->source.has_nulls);
        aia_image_free(back);
    }
    /* floats: nothing stated (and nothing left from an earlier file in a reused image) */
    o.type = AIA_OUT_FLOAT32;
    CHECK_OK(aia_image_write(img, test_path("range_f32.fits"), &o, NULL));
    aia_image *back = NULL;
    CHECK_OK(aia_image_read(test_path("range.fits"), AIA_PIX_F32, &back));
    CHECK_OK(aia_image_read_into(test_path("range_f32.fits"), AIA_PIX_F32, &back));
    CHECK(back && !back->source.range_known);
    aia_image_free(back);
    aia_image_free(img);
}

/* The conversion to int16 codes against its statement (x rounded half away
 * from zero, NaN to BLANK, the BLANK count; a value outside the bounds
 * refuses the rows), for row lengths 1..41 (every tail of the eight-lane
 * pass) and halves, negatives, NaN anywhere. */
static void test_conversion(void)
{
    aia_image *img;
    CHECK_OK(aia_image_create(41, 3, AIA_PIX_F32, &img));
    if (!img)
        return;
    unsigned s = 777;
    int16_t out[41 * 3];
    long bad = 0, refused_wrong = 0;
    for (int trial = 0; trial < 400; trial++) {
        const long w = 1 + trial % 41;
        img->width = w;
        float *d = img->data;
        long want_blanks = 0;
        for (long i = 0; i < w * 3; i++) {
            s = s * 1103515245u + 12345u;
            const int kind = (int)(s >> 28);
            float x = ((float)(s & 0xFFFFF) / 1048576.0f - 0.5f) * 60000.0f;
            x = kind < 4 ? floorf(x) + 0.5f : kind < 5 ? -floorf(x) - 0.5f : x; /* exact halves */
            if (kind == 15 && trial % 3 == 0) {
                x = NAN;
                want_blanks++;
            }
            d[i] = x;
        }
        const aia_int_coding c = {AIA_OUT_INT16, 1.0, -32767.0, 32767.0};
        const long long got = aia_to_integers_here(img, &c, 0, 3, out, NULL);
        CHECK_MSG(got == want_blanks, "width %ld: %lld BLANK, want %ld", w, got, want_blanks);
        for (long i = 0; i < w * 3; i++) {
            const int16_t want = isnan(d[i]) ? INT16_MIN : (int16_t)round(d[i]);
            bad += out[i] != want;
        }
        /* one value past the bounds, anywhere: refused */
        const long at = (long)(s % (unsigned)(w * 3));
        const float keep = d[at];
        d[at] = 40000.0f;
        refused_wrong += aia_to_integers_here(img, &c, 0, 3, out, NULL) != -1;
        d[at] = keep;
    }
    CHECK_MSG(bad == 0, "%ld codes differ from x rounded half away from zero", bad);
    CHECK_MSG(refused_wrong == 0, "%ld conversions took a value past their bounds", refused_wrong);
    img->width = 41;
    aia_image_free(img);
}

/* The bytes of a file (NULL if unreadable); *n its size. */
static unsigned char *file_bytes(const char *path, long *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *n = ftell(f);
    rewind(f);
    unsigned char *b = malloc((size_t)*n + 1);
    if (b && fread(b, 1, (size_t)*n, f) != (size_t)*n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

static int same_bytes(const char *a, const char *b)
{
    long na = 0, nb = 0;
    unsigned char *x = file_bytes(a, &na), *y = file_bytes(b, &nb);
    const int same = x && y && na == nb && memcmp(x, y, (size_t)na) == 0;
    free(x);
    free(y);
    return same;
}

/* Bounds the caller gives (aia_write_options.bounded) in place of the range
 * pass: right or wrong, too wide or too narrow, the file is byte for byte
 * the one written without them. Too narrow must fall back to the pass (a
 * writer that trusted them would clip, wrap, or drop codes from the
 * statistics); wider than int16 must not choose int32 for int16 pixels. */
static void test_caller_bounds(void)
{
    static const struct { aia_out_type type; aia_compression comp; double quantum; } cases[] = {
        {AIA_OUT_AUTO, AIA_COMP_AUTO, 0.0},     {AIA_OUT_INT16, AIA_COMP_NONE, 0.0},
        {AIA_OUT_INT32, AIA_COMP_RICE, 0.0},    {AIA_OUT_AUTO, AIA_COMP_AUTO, 0.0625},
        {AIA_OUT_INT16, AIA_COMP_GZIP2, 0.0},
    };
    static const double bounds[][2] = {
        {-100.0, 149.75},   /* the pixels' own range */
        {-1000.0, 1000.0},  /* wider, still int16 codes */
        {0.0, 10.0},        /* too narrow at both ends */
        {-100.0, 149.5},    /* short by one quarter at the top */
        {-1e6, 1e6},        /* wider than int16 */
        {NAN, 5.0},         /* not a bound */
        {20.0, 10.0},       /* reversed */
    };
    aia_image *img = ramp(203, 61); /* odd sizes: partial conversion blocks */
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        aia_write_options o;
        aia_write_options_default(&o);
        o.type = cases[c].type;
        o.compression = cases[c].comp;
        o.quantum = cases[c].quantum;
        o.statistics = 1;
        o.overwrite = 1;
        char plain[64];
        snprintf(plain, sizeof plain, "bounds_%zu_plain.fits", c);
        const char *ref = test_path(plain);
        char ref_copy[4096];
        snprintf(ref_copy, sizeof ref_copy, "%s", ref);
        aia_write_result want, got;
        CHECK_OK(aia_image_write(img, ref_copy, &o, &want));
        for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++) {
            o.bounded = 1;
            o.bounds[0] = bounds[b][0];
            o.bounds[1] = bounds[b][1];
            char name[64];
            snprintf(name, sizeof name, "bounds_%zu_%zu.fits", c, b);
            const char *path = test_path(name);
            CHECK_OK(aia_image_write(img, path, &o, &got));
            CHECK_MSG(same_bytes(ref_copy, path), "case %zu, bounds [%g, %g]: not the bytes written without them",
                      c, bounds[b][0], bounds[b][1]);
            CHECK(got.type == want.type && got.blank_pixels == want.blank_pixels &&
                  got.promoted_to_int32 == want.promoted_to_int32);
            o.bounded = 0;
        }
    }
    /* a pixel past int16 and bounds that hide it: int32, as without them */
    ((float *)img->data)[500] = 40000.0f;
    aia_write_options o;
    aia_write_options_default(&o);
    o.bounded = 1;
    o.bounds[0] = -100.0;
    o.bounds[1] = 149.75;
    aia_write_result res;
    CHECK_OK(aia_image_write(img, test_path("bounds_hidden.fits"), &o, &res));
    CHECK(res.type == AIA_OUT_INT32 && res.promoted_to_int32);
    aia_image *back = NULL;
    CHECK_OK(aia_image_read(test_path("bounds_hidden.fits"), AIA_PIX_F32, &back));
    CHECK(back && ((float *)back->data)[500] == 40000.0f);
    aia_image_free(back);
    /* ... and int16 asked for: the range error, not a wrapped code */
    o.type = AIA_OUT_INT16;
    CHECK_FAILS(aia_image_write(img, test_path("bounds_nofit.fits"), &o, NULL), AIA_ERR_RANGE, "int16");
    aia_image_free(img);
}

/* A data unit summed from pieces at any byte offsets (the writer's tiles
 * land at arbitrary places of the heap) equals the unit summed whole; a
 * piece at the wrong place does not. */
static void test_ones_sum_pieces(void)
{
    enum { N = 4099 };
    unsigned char bytes[N + 4] = {0};
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        bytes[i] = (unsigned char)(x >> 16);
    }
    const uint32_t whole = aia_ones_sum(bytes, (N + 3) & ~3, 0);
    int bad = 0;
    for (int trial = 0; trial < 50; trial++) {
        uint32_t sum = 0;
        for (long at = 0, len; at < N; at += len) {
            x = x * 1103515245u + 12345u;
            len = 1 + (long)((x >> 16) % 97);
            if (at + len > N)
                len = N - at;
            sum = aia_ones_add(sum, aia_ones_sum_at(bytes + at, (size_t)len, at));
        }
        bad += sum != whole;
    }
    CHECK_MSG(bad == 0, "%d of 50 splits sum differently from the whole", bad);
    const uint32_t moved = aia_ones_add(aia_ones_sum_at(bytes, 5, 1), aia_ones_sum_at(bytes + 5, N - 5, 5));
    CHECK(moved != whole); /* the first piece one byte late */
}

int main(void)
{
    test_rounding();
    test_ones_sum_pieces();
    test_conversion();
    test_read_into();
    test_read_blank_rows();
    roundtrip(AIA_OUT_INT16, AIA_COMP_RICE, "i16_rice.fits");
    roundtrip(AIA_OUT_INT16, AIA_COMP_NONE, "i16_none.fits");
    roundtrip(AIA_OUT_INT32, AIA_COMP_RICE, "i32_rice.fits");
    roundtrip(AIA_OUT_INT32, AIA_COMP_GZIP2, "i32_gzip.fits");
    roundtrip(AIA_OUT_FLOAT32, AIA_COMP_NONE, "f32_none.fits");
    roundtrip(AIA_OUT_FLOAT32, AIA_COMP_GZIP2, "f32_gzip.fits");
    roundtrip(AIA_OUT_FLOAT32, AIA_COMP_RICE, "f32_rice.fits");
    roundtrip(AIA_OUT_FLOAT64, AIA_COMP_NONE, "f64_none.fits");
    test_auto_types();
    test_atomic_rules();
    test_caller_bounds();
    test_read_range();
    CHECK(count_tmp_files() == 0);
    return test_done("test_fits_roundtrip");
}
