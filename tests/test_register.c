/* test_register.c — registration on synthetic frames: exact cases (identity,
 * whole-pixel shifts, 90°/180° rolls), the two output grids, a rolled frame
 * back to north-up, NaN blobs, the header, and bad input. */
#include "testutil.h"
#include "steps/register_plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N 256

/* A synthetic frame with the given roll, scale and Sun centre. */
static aia_image *frame(double roll, double scale, double cx, double cy, uint64_t seed)
{
    aia_synth_params p;
    aia_image *img = NULL;
    aia_synth_defaults(171, N, &p);
    p.roll_deg = roll;
    p.scale_arcsec = scale;
    p.center_x = cx;
    p.center_y = cy;
    p.seed = seed;
    if (aia_synth(&p, &img) != AIA_OK)
        fprintf(stderr, "synth: %s\n", aia_last_error());
    return img;
}

/* The plate scale for which register's scale factor is exactly 1 at N. */
static double unit_scale(void) { return 0.6 * (4096 / N); }

static aia_image *registered(const aia_image *in, int order, aia_grid grid, aia_register_info *info)
{
    aia_register_options o;
    aia_register_options_default(&o);
    o.order = order;
    o.grid = grid;
    aia_image *out = NULL;
    CHECK_OK(aia_register(in, &o, &out, info));
    return out;
}

static float px(const aia_image *img, long x, long y) { return ((const float *)img->data)[y * img->width + x]; }

static double range_of(const aia_image *img)
{
    aia_stats st;
    aia_image_stats(img, &st);
    return st.max - st.min;
}

static void test_identity(void)
{
    const double c = (N - 1) / 2.0;
    aia_image *in = frame(0.0, unit_scale(), c, c, 1);
    for (int order = 0; order <= 5; order++) {
        aia_register_info info;
        aia_image *out = registered(in, order, AIA_GRID_FULL, &info);
        if (!out)
            continue;
        CHECK(info.scale_factor == 1.0 && info.pad_x == 0 && info.pad_y == 0);
        CHECK_MSG(memcmp(out->data, in->data, N * N * sizeof(float)) == 0, "order %d", order);
        aia_image_free(out);
    }
    /* a whole-pixel offset of the Sun centre: the frame moves, the rest is
     * the image minimum */
    aia_image *off = frame(0.0, unit_scale(), c - 5.0, c + 3.0, 1);
    aia_register_info info;
    aia_image *out = registered(off, 3, AIA_GRID_FULL, &info);
    if (out) {
        long bad = 0;
        for (long y = 0; y < N; y++)
            for (long x = 0; x < N; x++) {
                long sx = x - 5, sy = y + 3;
                float want = (sx >= 0 && sy < N) ? px(off, sx, sy) : info.missing;
                bad += px(out, x, y) != want;
            }
        CHECK_MSG(bad == 0, "%ld pixels differ from the shifted input", bad);
        aia_image_free(out);
    }
    aia_image_free(off);
    aia_image_free(in);
}

/* 90° and 180° rolls against exact array rotations. cos(90°) is 6e-17 in
 * double, so positions on the frame's edge fall a hair outside it and get
 * the fill value, as in sunpy: the border may hold either. */
static void test_quarter_turns(void)
{
    const double c = (N - 1) / 2.0;
    const double rolls[] = {90.0, 180.0, -90.0};
    for (int k = 0; k < 3; k++) {
        aia_image *in = frame(rolls[k], unit_scale(), c, c, 2);
        aia_image *out = registered(in, 3, AIA_GRID_FULL, NULL);
        if (!out) {
            aia_image_free(in);
            continue;
        }
        aia_register_info info;
        aia_image_free(out);
        out = registered(in, 3, AIA_GRID_FULL, &info);
        const double tol = 2e-6 * range_of(in);
        double worst = 0;
        long border_other = 0;
        for (long j = 0; j < N; j++)
            for (long i = 0; i < N; i++) {
                float want = k == 0 ? px(in, j, N - 1 - i) /* O[j][i] = I[n-1-i][j] */
                           : k == 1 ? px(in, N - 1 - i, N - 1 - j)
                                    : px(in, N - 1 - j, i);
                const double d = fabs((double)px(out, i, j) - want);
                if (i > 0 && j > 0 && i < N - 1 && j < N - 1)
                    worst = fmax(worst, d);
                else if (d > tol && px(out, i, j) != info.missing)
                    border_other++;
            }
        CHECK_MSG(worst <= tol, "roll %g: max |diff| %g > %g", rolls[k], worst, tol);
        CHECK_MSG(border_other == 0, "roll %g: %ld border pixels neither value nor fill", rolls[k],
                  border_other);
        aia_image_free(out);
        aia_image_free(in);
    }
}

/* --grid 4096 and --grid aiapy sample the same sky: equal where they overlap. */
static void test_grids_overlap(void)
{
    /* s = 0.99 makes sunpy unpad: aiapy's grid is smaller than the input */
    aia_image *in = frame(0.1, unit_scale() * 0.99, 130.3, 124.9, 3);
    aia_image *full = registered(in, 3, AIA_GRID_FULL, NULL);
    aia_image *ap = registered(in, 3, AIA_GRID_AIAPY, NULL);
    if (full && ap) {
        aia_meta mf, ma;
        aia_meta_parse(full->header, &mf);
        aia_meta_parse(ap->header, &ma);
        CHECK(full->width == N && full->height == N && mf.crpix1 == (N + 1) / 2.0);
        CHECK_MSG(ap->width < N && ap->width == ap->height, "aiapy grid %ld", ap->width);
        CHECK(ma.crpix1 == (ap->width + 1) / 2.0 && ma.crpix2 == ma.crpix1);
        /* the same sky position has pixel x - CRPIX equal on both grids */
        const long dx = (long)(mf.crpix1 - ma.crpix1), dy = (long)(mf.crpix2 - ma.crpix2);
        long diff = 0;
        for (long y = 0; y < ap->height; y++)
            for (long x = 0; x < ap->width; x++)
                diff += memcmp(&((float *)ap->data)[y * ap->width + x],
                               &((float *)full->data)[(y + dy) * N + x + dx], sizeof(float)) != 0;
        CHECK_MSG(diff == 0, "%ld overlapping pixels differ", diff);
    }
    aia_image_free(full);
    aia_image_free(ap);
    aia_image_free(in);
}

/* Mean over a box, to compare frames whose noise differs. */
static double box_mean(const aia_image *img, long x0, long y0, long size)
{
    double s = 0;
    for (long y = y0; y < y0 + size; y++)
        for (long x = x0; x < x0 + size; x++)
            s += px(img, x, y);
    return s / (double)(size * size);
}

/* A rolled frame goes back to north-up: it matches the unrolled one. */
static void test_north_up(void)
{
    const double c = (N - 1) / 2.0;
    aia_image *flat = frame(0.0, unit_scale(), c, c, 4);
    aia_image *reference = registered(flat, 3, AIA_GRID_FULL, NULL);
    const double rolls[] = {30.0, -120.0, 0.35};
    for (int k = 0; k < 3 && reference; k++) {
        aia_image *rolled = frame(rolls[k], unit_scale() * 1.001, c + 2.3, c - 4.1, 5 + k);
        aia_image *out = registered(rolled, 3, AIA_GRID_FULL, NULL);
        if (!out) {
            aia_image_free(rolled);
            continue;
        }
        aia_meta m;
        aia_meta_parse(out->header, &m);
        CHECK(m.state[AIA_KEY_CROTA2] == AIA_KEYSTATE_MISSING);
        CHECK(fabs(m.pc[0][0] - 1) < 1e-12 && fabs(m.pc[0][1]) < 1e-12 && fabs(m.pc[1][0]) < 1e-12);
        /* 8x8 box means over the disk agree within the noise */
        double worst = 0;
        for (long y = 40; y < N - 48; y += 8)
            for (long x = 40; x < N - 48; x += 8) {
                double a = box_mean(out, x, y, 8), b = box_mean(reference, x, y, 8);
                worst = fmax(worst, fabs(a - b) / fmax(b, 50.0));
            }
        CHECK_MSG(worst < 0.1, "roll %g: box means differ by up to %.3f", rolls[k], worst);
        aia_image_free(out);
        aia_image_free(rolled);
    }
    aia_image_free(reference);
    aia_image_free(flat);
}

static void test_header_and_range(void)
{
    aia_image *in = frame(-12.0, 9.4, 131.0, 122.0, 9);
    aia_register_info info;
    aia_image *out = registered(in, 3, AIA_GRID_FULL, &info);
    if (!out) {
        aia_image_free(in);
        return;
    }
    aia_meta mi, mo;
    aia_meta_parse(in->header, &mi);
    aia_meta_parse(out->header, &mo);
    const double s = 9.4 / (16 * 0.6); /* binned map: target 16 x 0.6 */
    CHECK(info.scale_factor == s && info.target_scale == 16 * 0.6);
    CHECK(mo.cdelt1 == 9.4 / s && mo.cdelt2 == 9.4 / s);
    CHECK(mo.crpix1 == (N + 1) / 2.0 && mo.crpix2 == (N + 1) / 2.0);
    CHECK(mo.lvl_num == 1.5);
    CHECK(mo.r_sun == mi.rsun_obs / mo.cdelt1);
    CHECK(mo.state[AIA_KEY_PC] == AIA_KEYSTATE_OK && mo.state[AIA_KEY_CROTA2] == AIA_KEYSTATE_MISSING);
    CHECK(mo.x0_mp == mi.x0_mp); /* stale keys carried over, as aiapy does */
    aia_stats a, b;
    aia_image_stats(in, &a);
    aia_image_stats(out, &b);
    CHECK(b.min >= a.min && b.max <= a.max); /* clipped to the input range */
    CHECK(b.min == info.missing);             /* corners hold the minimum */
    aia_image_free(out);
    aia_image_free(in);
}

static void test_nan(void)
{
    const double c = (N - 1) / 2.0;
    aia_image *in = frame(0.0, unit_scale(), c, c, 10);
    ((float *)in->data)[100 * N + 120] = NAN;
    aia_register_info info;
    aia_image *out = registered(in, 3, AIA_GRID_FULL, &info);
    if (out) {
        /* identity: the 5x5 box around the NaN, nothing else */
        long nan = 0, inside = 0;
        for (long y = 0; y < N; y++)
            for (long x = 0; x < N; x++)
                if (isnan(px(out, x, y))) {
                    nan++;
                    inside += labs(x - 120) <= 2 && labs(y - 100) <= 2;
                }
        CHECK_MSG(nan == 25 && inside == 25, "%ld NaN, %ld in the 5x5 box", nan, inside);
        CHECK(info.nan_input == 1 && info.nan_output == 25);
        aia_image_free(out);
    }
    /* rotated: a blob of 25 to 49 pixels, the rest finite */
    aia_image *rot = frame(17.0, unit_scale() * 1.003, c + 1.7, c - 0.4, 11);
    ((float *)rot->data)[128 * N + 128] = NAN;
    out = registered(rot, 3, AIA_GRID_FULL, &info);
    if (out) {
        CHECK_MSG(info.nan_output >= 25 && info.nan_output <= 49, "%lld NaN", info.nan_output);
        aia_image_free(out);
    }
    out = registered(rot, 5, AIA_GRID_FULL, &info); /* order 5: a 7x7 box */
    if (out) {
        CHECK_MSG(info.nan_output >= 49 && info.nan_output <= 81, "%lld NaN", info.nan_output);
        aia_image_free(out);
    }
    aia_image_free(rot);
    /* every pixel NaN: a clear error */
    for (long i = 0; i < N * N; i++)
        ((float *)in->data)[i] = NAN;
    aia_image *none = NULL;
    CHECK_FAILS(aia_register(in, NULL, &none, NULL), AIA_ERR_BAD_DATA,
                "every pixel is NaN");
    aia_image_free(in);
}

static void expect_failure(aia_image *in, int status, const char *text)
{
    aia_image *out = NULL;
    CHECK_FAILS(aia_register(in, NULL, &out, NULL), status, text);
    CHECK(out == NULL);
}

static void test_bad_input(void)
{
    const double c = (N - 1) / 2.0;
    aia_image *in = frame(0.0, unit_scale(), c, c, 12);
    /* a cutout: the Sun centre far outside, the frame on the disk */
    aia_header_set_double(in->header, "CRPIX1", -400.0, NULL);
    expect_failure(in, AIA_ERR_NOT_FULL_DISK, "not a full-disk image");
    /* off-disk pointing: the Sun centre outside a frame that sees no disk */
    aia_header_set_double(in->header, "CRPIX1", -4000.0, NULL);
    expect_failure(in, AIA_ERR_NOT_FULL_DISK, "Sun centre is outside");
    aia_header_set_double(in->header, "CRPIX1", c + 1.0, NULL);
    /* missing and malformed pointing keys */
    aia_header_delete(in->header, "CRPIX2");
    expect_failure(in, AIA_ERR_KEY_MISSING, "required header key CRPIX2 is missing");
    aia_header_set_double(in->header, "CRPIX2", c + 1.0, NULL);
    aia_header_set_double(in->header, "CDELT1", 0.0, NULL);
    expect_failure(in, AIA_ERR_KEY_MALFORMED, "CDELT1 is malformed");
    aia_header_set_string(in->header, "CDELT1", "nan", NULL);
    expect_failure(in, AIA_ERR_KEY_MALFORMED, "CDELT1 is malformed");
    aia_header_set_double(in->header, "CDELT1", unit_scale(), NULL);
    aia_header_delete(in->header, "RSUN_OBS");
    expect_failure(in, AIA_ERR_KEY_MISSING, "RSUN_OBS");
    aia_header_set_double(in->header, "RSUN_OBS", 975.0, NULL);
    aia_header_delete(in->header, "DSUN_OBS");
    expect_failure(in, AIA_ERR_KEY_MISSING, "DSUN_OBS");
    aia_header_set_double(in->header, "DSUN_OBS", 1.47e11, NULL);
    /* a reference coordinate beside the Sun centre (sunpy's test frame has
     * CRVAL -4.5", 2.9"; CRVAL is in arcsec) is still full disk; one far off
     * the disk is not */
    aia_header_set_double(in->header, "CRVAL1", -4.532, NULL);
    aia_header_set_double(in->header, "CRVAL2", 2.866, NULL);
    aia_image *beside = registered(in, 3, AIA_GRID_FULL, NULL);
    CHECK(beside != NULL);
    aia_image_free(beside);
    aia_header_set_double(in->header, "CRVAL1", 5000.0, NULL);
    expect_failure(in, AIA_ERR_NOT_FULL_DISK, "not a full-disk image");
    aia_header_set_double(in->header, "CRVAL1", 0.0, NULL);
    aia_header_set_double(in->header, "CRVAL2", 0.0, NULL);
    /* already level 1.5: a warning, as aiapy, and the work is done */
    aia_header_set_double(in->header, "LVL_NUM", 1.5, NULL);
    aia_register_info info;
    aia_image *out = registered(in, 3, AIA_GRID_FULL, &info);
    CHECK(out && info.level_warning);
    aia_image_free(out);
    aia_header_set_double(in->header, "LVL_NUM", 1.0, NULL);
    out = registered(in, 3, AIA_GRID_FULL, &info);
    CHECK(out && !info.level_warning);
    aia_image_free(out);
    /* options */
    aia_register_options o;
    aia_register_options_default(&o);
    o.order = 6;
    CHECK_FAILS(aia_register(in, &o, &out, NULL), AIA_ERR_ARG, "order 6");
    aia_image *f64;
    aia_image_create(16, 16, AIA_PIX_F64, &f64);
    aia_header_free(f64->header);
    aia_header_copy(in->header, &f64->header);
    CHECK_FAILS(aia_register(f64, NULL, &out, NULL), AIA_ERR_UNSUPPORTED, "float32");
    aia_image_free(f64);
    aia_image_free(in);
}

static void test_cubic_convolution(void)
{
    aia_image *in = frame(5.0, unit_scale() * 1.002, 129.2, 125.6, 13);
    aia_register_options o;
    aia_register_options_default(&o);
    o.interp = AIA_INTERP_CUBIC_CONVOLUTION;
    aia_image *keys = NULL, *spline = registered(in, 3, AIA_GRID_FULL, NULL);
    CHECK_OK(aia_register(in, &o, &keys, NULL));
    if (keys && spline) {
        /* different kernels, same geometry: close on the disk, not equal */
        double worst = 0;
        long same = 0;
        for (long y = 60; y < 196; y++)
            for (long x = 60; x < 196; x++) {
                worst = fmax(worst, fabs(px(keys, x, y) - px(spline, x, y)) / fmax(px(spline, x, y), 50));
                same += px(keys, x, y) == px(spline, x, y);
            }
        CHECK_MSG(worst < 0.5 && same < 1000, "worst %g, %ld equal", worst, same);
    }
    aia_image_free(keys);
    aia_image_free(spline);
    aia_image_free(in);
}

static void test_normalize(void)
{
    aia_image *in = frame(0.0, unit_scale(), 127.5, 127.5, 14);
    aia_meta m;
    aia_meta_parse(in->header, &m);
    float before = px(in, 100, 100);
    CHECK_OK(aia_normalize_exposure(aia_image_view(in), (in)->header));
    CHECK(px(in, 100, 100) == (float)((double)before * (1.0 / m.exptime)));
    char unit[32];
    CHECK_OK(aia_header_get_string(in->header, "BUNIT", unit, sizeof unit));
    CHECK(strcmp(unit, "DN/s") == 0);
    CHECK_FAILS(aia_normalize_exposure(aia_image_view(in), (in)->header), AIA_ERR_BAD_DATA, "already per unit time");
    aia_header_delete(in->header, "BUNIT");
    aia_header_set_double(in->header, "EXPTIME", 0.0, NULL);
    CHECK_FAILS(aia_normalize_exposure(aia_image_view(in), (in)->header), AIA_ERR_BAD_DATA, "EXPTIME is 0");
    aia_header_delete(in->header, "EXPTIME");
    CHECK_FAILS(aia_normalize_exposure(aia_image_view(in), (in)->header), AIA_ERR_KEY_MISSING, "EXPTIME");
    aia_image_free(in);
}

static void test_output_names(void)
{
    char out[512];
    CHECK_OK(aia_output_path("/d/aia_lev1_171a_2014_01_01.fits", "o", "lev1.5", NULL, out, sizeof out));
    CHECK(strcmp(out, "o/aia_lev1.5_171a_2014_01_01.fits") == 0);
    CHECK_OK(aia_output_path("frame.fits.fz", "o", "lev1.5", NULL, out, sizeof out));
    CHECK(strcmp(out, "o/frame_lev1.5.fits") == 0);
    CHECK_OK(aia_output_path("aia_synoptic_lev15_0171.fits", "", "lev1.5", NULL, out, sizeof out));
    CHECK(strcmp(out, "aia_synoptic_lev15_0171_lev1.5.fits") == 0);
    CHECK_OK(aia_output_path("AIA.LEV1.fits", "x/", "lev1.6", NULL, out, sizeof out));
    CHECK(strcmp(out, "x/AIA.lev1.6.fits") == 0);
}

/* --scale: the default grid's field of view at the new scale; --missing:
 * what fills the corners of a rolled frame, and the clip that comes with
 * it. (test_register_frames compares the numbers with sunpy.) */
static void test_scale_and_missing(void)
{
    aia_image *in = frame(10.0, unit_scale(), 127.3, 128.6, 15);
    aia_register_options o;
    aia_register_options_default(&o);
    aia_register_info info;
    aia_image *def = NULL, *out = NULL;
    CHECK_OK(aia_register(in, &o, &def, &info));
    o.scale = unit_scale(); /* the default, asked for: the same bytes */
    CHECK_OK(aia_register(in, &o, &out, &info));
    if (def && out)
        CHECK(out->width == N && memcmp(out->data, def->data, sizeof(float) * N * N) == 0);
    aia_image_free(out);
    o.scale = 2.0 * unit_scale(); /* twice as coarse: half the pixels a side */
    CHECK_OK(aia_register(in, &o, &out, &info));
    if (out) {
        double cdelt = 0, crpix = 0, rsun = 0, rsun_in = 0;
        aia_header_get_double(out->header, "CDELT1", &cdelt);
        aia_header_get_double(out->header, "CRPIX1", &crpix);
        aia_header_get_double(out->header, "R_SUN", &rsun);
        aia_header_get_double(def->header, "R_SUN", &rsun_in);
        CHECK_MSG(out->width == N / 2 && out->height == N / 2 && fabs(cdelt - 2 * unit_scale()) < 1e-12 &&
                      crpix == N / 4 + 0.5 && fabs(rsun - rsun_in / 2) < 1e-9,
                  "%ld x %ld, CDELT %g, CRPIX %g, R_SUN %g", out->width, out->height, cdelt, crpix, rsun);
        CHECK(fabs(info.scale_factor - 0.5) < 1e-12 && info.target_scale == 2 * unit_scale());
        /* the Sun centre's pixel: the same brightness at either scale */
        const float a = px(out, N / 4, N / 4), b = px(def, N / 2, N / 2);
        CHECK_MSG(fabsf(a - b) < 0.2f * fabsf(b) + 5.0f, "centre %g vs %g", a, b);
    }
    aia_image_free(out);
    o.scale = 0.0;
    /* a value: the corners hold it and it takes part in the clip */
    o.missing = AIA_MISSING_VALUE;
    o.missing_value = 5000.0;
    CHECK_OK(aia_register(in, &o, &out, &info));
    aia_stats st_in;
    aia_image_stats(in, &st_in);
    if (out) {
        CHECK(px(out, 0, 0) == 5000.0f && px(out, N - 1, N - 1) == 5000.0f && info.missing == 5000.0f);
        long outside = 0;
        for (long i = 0; i < N * N; i++) {
            const float v = ((float *)out->data)[i];
            outside += v < st_in.min || v > fmaxf(5000.0f, (float)st_in.max);
        }
        CHECK_MSG(outside == 0, "%ld pixels outside [min, max(5000, max)]", outside);
    }
    aia_image_free(out);
    /* NaN: the corners, and a blob-wide rim along the frame's edges */
    o.missing = AIA_MISSING_NAN;
    CHECK_OK(aia_register(in, &o, &out, &info));
    if (out && def) {
        CHECK(isnan(px(out, 0, 0)) && isnan(info.missing) && !isnan(px(out, N / 2, N / 2)));
        long rim = 0;
        for (long i = 0; i < N * N; i++)
            rim += isnan(((float *)out->data)[i]) && ((float *)def->data)[i] != px(def, 0, 0);
        CHECK_MSG(rim > 4 * N && info.nan_output > 0, "%ld pixels of the frame's rim NaN", rim);
    }
    aia_image_free(out);
    o.missing_value = INFINITY;
    o.missing = AIA_MISSING_VALUE;
    CHECK_FAILS(aia_register(in, &o, &out, NULL), AIA_ERR_ARG, "missing value");
    o.missing = AIA_MISSING_AUTO;
    o.scale = -1.0;
    CHECK_FAILS(aia_register(in, &o, &out, NULL), AIA_ERR_ARG, "target scale");
    aia_image_free(def);
    aia_image_free(in);
}

/* CRVAL in arcsec: a consistent header with CRVAL = (10", -5") (CRPIX
 * moved to the pixel of that point) is full disk, and its Sun centre is
 * where the CRVAL = 0 header had it. (test_register_frames: against aiapy.) */
static void test_crval(void)
{
    aia_image *in = frame(0.0, unit_scale(), 127.5, 128.5, 16);
    aia_meta m;
    aia_meta_parse(in->header, &m);
    CHECK_OK(aia_check_full_disk(&m, N, N));
    /* no roll: 10" east is 10 / CDELT pixels along x, TAN's curvature aside
     * (1e-9 px here) */
    aia_header_set_double(in->header, "CRVAL1", 10.0, NULL);
    aia_header_set_double(in->header, "CRVAL2", -5.0, NULL);
    aia_header_set_double(in->header, "CRPIX1", m.crpix1 + 10.0 / m.cdelt1, NULL);
    aia_header_set_double(in->header, "CRPIX2", m.crpix2 - 5.0 / m.cdelt2, NULL);
    aia_meta_parse(in->header, &m);
    CHECK_OK(aia_check_full_disk(&m, N, N));
    aia_image *out = NULL;
    CHECK_OK(aia_register(in, NULL, &out, NULL));
    aia_image_free(out);
    aia_image_free(in);
}

/* In place (out = in) gives the bytes of a separate output: a rolled frame
 * with a NaN (its blob's mask comes from the input, so before the samples
 * overwrite it), and a whole-pixel shift (a move within the buffer). Any
 * other overlap of input and output is refused. */
static void test_in_place(void)
{
    const double c = (N - 1) / 2.0;
    aia_image *rolled = frame(17.0, unit_scale() * 1.003, c + 1.7, c - 0.4, 12);
    ((float *)rolled->data)[128 * N + 128] = NAN;
    aia_image *shifted = frame(0.0, unit_scale(), c - 5.0, c + 3.0, 13);
    ((float *)shifted->data)[40 * N + 60] = NAN;
    aia_image *cases[] = {rolled, shifted};
    for (int k = 0; k < 2; k++) {
        aia_image *in = cases[k];
        aia_register_info want_info, info;
        aia_image *want = registered(in, 3, AIA_GRID_FULL, &want_info);
        aia_register_plan *plan = NULL;
        CHECK_OK(aia_register_plan_new(in->header, in->width, in->height, NULL, &plan));
        if (!want || !plan)
            continue;
        CHECK_OK(aia_register_execute(plan, aia_image_view(in), aia_image_view(in), NULL, &info));
        CHECK_MSG(memcmp(in->data, want->data, N * N * sizeof(float)) == 0, "case %d: in place differs", k);
        CHECK_MSG(info.nan_output == want_info.nan_output && info.nan_output > 0, "case %d: %lld NaN, want %lld",
                  k, info.nan_output, want_info.nan_output);
        /* an output one row down the input's buffer: refused, the input kept */
        float *buf = malloc((size_t)(N + 1) * N * sizeof *buf);
        if (buf) {
            memcpy(buf, want->data, (size_t)N * N * sizeof *buf);
            const aia_view first = aia_view_of(buf, N, N, N, AIA_PIX_F32);
            const aia_view below = aia_view_of(buf + N, N, N, N, AIA_PIX_F32);
            CHECK_FAILS(aia_register_execute(plan, first, below, NULL, NULL), AIA_ERR_ARG, "overlaps the input");
            CHECK(memcmp(buf, want->data, (size_t)N * N * sizeof *buf) == 0);
            free(buf);
        }
        aia_register_plan_free(plan);
        aia_image_free(want);
    }
    aia_image_free(rolled);
    aia_image_free(shifted);
}

/* A range the caller knows (what the reader saw), right or wrong: the
 * output is byte for byte the one registered without it. A wrong range
 * (too low, too high, a NaN or Inf pixel it does not admit) must be caught
 * by the prefilter's rows and the frame scanned: trusted, it would move the
 * fill and the clip. In place too, where a failed first attempt must leave
 * the input as it was. */
static void test_known_range(void)
{
    const double c = (N - 1) / 2.0;
    aia_image *base = frame(17.0, unit_scale() * 1.003, c + 1.7, c - 0.4, 21);
    if (!base)
        return;
    aia_stats st;
    aia_image_stats(base, &st);
    const float lo = (float)st.min, hi = (float)st.max;
    enum { RIGHT, LOW, HIGH, WITH_NAN, WITH_INF, SHIFT, NAN_FILL, NOT_RANGE, CASES };
    static const char *const names[] = {"right", "min too low", "max too high", "a NaN pixel", "an Inf pixel",
                                        "whole-pixel shift", "NaN fill", "not a range"};
    for (int k = 0; k < CASES; k++) {
        aia_image *in = k == SHIFT ? frame(0.0, unit_scale(), c - 5.0, c + 3.0, 22)
                                   : frame(17.0, unit_scale() * 1.003, c + 1.7, c - 0.4, 21); /* = base */
        if (!in)
            continue;
        aia_input_range known = {lo, hi};
        if (k == SHIFT) {
            aia_stats ss;
            aia_image_stats(in, &ss);
            known = (aia_input_range){(float)ss.min - 3.0f, (float)ss.max};
        }
        if (k == LOW)
            known.min = lo - 0.5f;
        if (k == HIGH)
            known.max = hi + 0.5f;
        if (k == WITH_NAN)
            ((float *)in->data)[100 * N + 90] = NAN;
        if (k == WITH_INF)
            ((float *)in->data)[30 * N + 200] = INFINITY;
        if (k == NOT_RANGE)
            known = (aia_input_range){hi, lo};
        aia_register_options o;
        aia_register_options_default(&o);
        if (k == NAN_FILL)
            o.missing = AIA_MISSING_NAN;
        aia_register_plan *plan = NULL;
        CHECK_OK(aia_register_plan_new(in->header, in->width, in->height, &o, &plan));
        long w = 0, h = 0;
        if (plan)
            aia_register_plan_shape(plan, &w, &h);
        aia_image *want = NULL, *got = NULL;
        CHECK_OK(aia_image_create(w, h, AIA_PIX_F32, &want));
        CHECK_OK(aia_image_create(w, h, AIA_PIX_F32, &got));
        if (!plan || !want || !got)
            goto next;
        aia_register_info want_info, info;
        CHECK_OK(aia_register_execute(plan, aia_image_view(in), aia_image_view(want), NULL, &want_info));
        CHECK_OK(aia_register_execute_known(plan, aia_image_view(in), &known, aia_image_view(got), NULL, &info));
        CHECK_MSG(memcmp(got->data, want->data, (size_t)w * h * sizeof(float)) == 0, "%s: the output differs",
                  names[k]);
        CHECK_MSG(info.missing == want_info.missing || (isnan(info.missing) && isnan(want_info.missing)),
                  "%s: fill %g, want %g", names[k], info.missing, want_info.missing);
        CHECK_MSG(info.nan_input == want_info.nan_input && info.clip_min == want_info.clip_min &&
                      info.clip_max == want_info.clip_max,
                  "%s: %lld NaN in, clip [%g, %g]; want %lld, [%g, %g]", names[k], info.nan_input, info.clip_min,
                  info.clip_max, want_info.nan_input, want_info.clip_min, want_info.clip_max);
        if (w == in->width && h == in->height) { /* in place, the first attempt failing or not */
            CHECK_OK(aia_register_execute_known(plan, aia_image_view(in), &known, aia_image_view(in), NULL, NULL));
            CHECK_MSG(memcmp(in->data, want->data, (size_t)w * h * sizeof(float)) == 0, "%s: in place differs",
                      names[k]);
        }
    next:
        aia_register_plan_free(plan);
        aia_image_free(want);
        aia_image_free(got);
        aia_image_free(in);
    }
    aia_image_free(base);
}

int main(void)
{
    test_identity();
    test_scale_and_missing();
    test_crval();
    test_quarter_turns();
    test_grids_overlap();
    test_north_up();
    test_header_and_range();
    test_nan();
    test_in_place();
    test_known_range();
    test_bad_input();
    test_cubic_convolution();
    test_normalize();
    test_output_names();
    return test_done("test_register");
}
