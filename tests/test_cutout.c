/* test_cutout.c — cutouts registered with their full frame's transform,
 * against the full frame registered and cut: at the centre, across the
 * limb, at the CCD's corners (the sample frames, when ../shared is there),
 * and of rolled frames (45°, 180°; synthetic, always). Where the
 * interpolation reaches only into the cutout the pixels must be the full
 * frame's (clipped to the cutout's range), outside its footprint NaN, and
 * the width of the band along the border where they differ is measured
 * and bounded. Also: the header (world coordinates of the full output,
 * GRID_* keys), respike of a cutout, and frames that are neither. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CCD 4096

/* The band along a cutout's border, in input pixels from its edge, within
 * which the B-spline of order 3 may differ from the full frame by more than
 * 2e-6 of the range: the stencil (2 px) plus the prefilter's reach, whose
 * boundary error decays by |z| = 0.268 a pixel (README: Cutouts; measured
 * up to 8.7 px). Without a prefilter (orders 0-1, Keys) only the stencil. */
#define BAND_ORDER3 10.0
#define BAND_STENCIL 2.0

/* The sub-array (x0, y0, w, h) of a level-1 frame with its header, as
 * JSOC's im_patch writes it: CRPIX relative to the cutout, the rest kept. */
static aia_image *cut_out(const aia_image *full, long x0, long y0, long w, long h)
{
    aia_image *c = NULL;
    if (aia_image_create(w, h, AIA_PIX_F32, &c) != AIA_OK)
        return NULL;
    for (long y = 0; y < h; y++)
        memcpy((float *)c->data + y * w, (const float *)full->data + (y0 + y) * full->width + x0,
               sizeof(float) * (size_t)w);
    aia_header_free(c->header);
    aia_header_copy(full->header, &c->header);
    aia_meta m;
    aia_meta_parse(full->header, &m);
    aia_header_set_long(c->header, "NAXIS1", w, NULL);
    aia_header_set_long(c->header, "NAXIS2", h, NULL);
    aia_header_set_double(c->header, "CRPIX1", m.crpix1 - (double)x0, NULL);
    aia_header_set_double(c->header, "CRPIX2", m.crpix2 - (double)y0, NULL);
    return c;
}

static double key(const aia_image *img, const char *k)
{
    double v = NAN;
    aia_header_get_double(img->header, k, &v);
    return v;
}

typedef struct comparison {
    long inside, outside, band;  /* output pixels in each class            */
    long interior_bad, outside_bad;
    double worst_interior;       /* max |diff| / range where it must match */
    double band_reach;           /* the largest distance from the border at
                                    which a pixel differed beyond tolerance */
} comparison;

/* Compare the registered cutout `co` (of the cutout `cin` at (x0, y0))
 * with the registered full frame `fo`. The input position of each output
 * pixel comes from the headers: in = CRPIX_in - 1 + M (out - c), M = R^-1/s. */
static comparison compare(const aia_image *cin, const aia_image *co, const aia_image *fo, const aia_register_info *ci,
                          int order, int keys)
{
    comparison r = {0};
    aia_meta m;
    aia_meta_parse(cin->header, &m);
    double R[2][2];
    aia_meta_rotation_matrix(&m, R);
    const double s = m.cdelt1 / 0.6, det = R[0][0] * R[1][1] - R[0][1] * R[1][0];
    const double M[2][2] = {{R[1][1] / det / s, -R[0][1] / det / s}, {-R[1][0] / det / s, R[0][0] / det / s}};
    const double c[2] = {key(fo, "CRPIX1") - 1.0, key(fo, "CRPIX2") - 1.0};
    const double ref[2] = {m.crpix1 - 1.0, m.crpix2 - 1.0};
    /* the cutout's range: its clip */
    float lo = INFINITY, hi = -INFINITY;
    const float *cd = cin->data;
    for (long i = 0; i < cin->width * cin->height; i++)
        if (isfinite(cd[i])) {
            lo = fminf(lo, cd[i]);
            hi = fmaxf(hi, cd[i]);
        }
    const double range = hi - lo, tol = 2e-6 * range;
    const double reach = order >= 2 && !keys ? BAND_ORDER3 : BAND_STENCIL;
    const float *cv = co->data, *fv = fo->data;
    for (long j = 0; j < co->height; j++)
        for (long i = 0; i < co->width; i++) {
            const double ox = (double)(ci->grid_x0 + i) - c[0], oy = (double)(ci->grid_y0 + j) - c[1];
            const double x = ref[0] + M[0][0] * ox + M[0][1] * oy, y = ref[1] + M[1][0] * ox + M[1][1] * oy;
            const double d = fmin(fmin(x, y), fmin(cin->width - 1 - x, cin->height - 1 - y));
            const float got = cv[j * co->width + i];
            const float want = fv[(ci->grid_y0 + j) * fo->width + ci->grid_x0 + i];
            if (fabs(d) < 1e-6)
                continue; /* exactly on the edge: either side */
            if (d < 0) {
                r.outside++;
                r.outside_bad += !isnan(got);
                continue;
            }
            const double diff = fabs((double)got - (double)fminf(fmaxf(want, lo), hi));
            if (d >= reach) {
                r.inside++;
                r.interior_bad += !(diff <= tol);
                if (diff / range > r.worst_interior)
                    r.worst_interior = diff / range;
            } else {
                r.band++;
            }
            if (!(diff <= tol) && d > r.band_reach)
                r.band_reach = d;
        }
    return r;
}

/* One cutout of a frame registered both ways, with every check. */
static void check_region(const char *what, const aia_image *full, const aia_image *fo, long x0, long y0, long w,
                         long h, const aia_register_options *o)
{
    aia_image *cin = cut_out(full, x0, y0, w, h), *co = NULL;
    aia_register_info info;
    memset(&info, 0, sizeof info);
    CHECK_OK(aia_register(cin, o, &co, &info));
    if (!co) {
        aia_image_free(cin);
        return;
    }
    CHECK_MSG(info.cutout && info.ccd_x0 == x0 && info.ccd_y0 == y0, "%s: registered as cutout %d at (%ld, %ld)",
              what, info.cutout, info.ccd_x0, info.ccd_y0);
    CHECK(info.grid_width == fo->width && info.grid_height == fo->height);
    CHECK(info.grid_x0 >= 0 && info.grid_y0 >= 0 && info.grid_x0 + co->width <= fo->width &&
          info.grid_y0 + co->height <= fo->height);
    /* the header: the full output's world coordinates at the same place */
    CHECK_MSG(fabs(key(co, "CRPIX1") - (key(fo, "CRPIX1") - (double)info.grid_x0)) < 1e-9 &&
                  fabs(key(co, "CRPIX2") - (key(fo, "CRPIX2") - (double)info.grid_y0)) < 1e-9,
              "%s: CRPIX %.6f, %.6f", what, key(co, "CRPIX1"), key(co, "CRPIX2"));
    static const char *const same[] = {"CDELT1", "CDELT2", "PC1_1", "PC1_2", "PC2_1", "PC2_2", "CRVAL1", "CRVAL2",
                                       "R_SUN", "LVL_NUM"};
    for (size_t k = 0; k < sizeof same / sizeof same[0]; k++)
        CHECK_MSG(key(co, same[k]) == key(fo, same[k]) || (isnan(key(co, same[k])) && isnan(key(fo, same[k]))),
                  "%s: %s %.17g vs %.17g", what, same[k], key(co, same[k]), key(fo, same[k]));
    CHECK(key(co, "GRID_X0") == (double)info.grid_x0 && key(co, "GRID_Y0") == (double)info.grid_y0);
    CHECK(key(co, "GRID_NX") == (double)fo->width && key(co, "GRID_NY") == (double)fo->height);
    CHECK(aia_header_find(fo->header, "GRID_X0") < 0); /* full frames: no such keys */
    /* the footprint's bounding box, rounded outward: every side of the
     * output holds a pixel of the cutout unless the full grid ends there */
    const int keys = o && o->interp == AIA_INTERP_CUBIC_CONVOLUTION;
    const comparison r = compare(cin, co, fo, &info, o ? o->order : 3, keys);
    CHECK_MSG(r.inside > 0 && r.interior_bad == 0, "%s: %ld of %ld interior pixels differ from the full frame's",
              what, r.interior_bad, r.inside);
    CHECK_MSG(r.band_reach < (o && (o->order < 2 || keys) ? BAND_STENCIL : BAND_ORDER3),
              "%s: differences reach %.1f px in from the border", what, r.band_reach);
    CHECK_MSG(r.outside_bad == 0, "%s: %ld of %ld pixels outside the footprint are not NaN", what, r.outside_bad,
              r.outside);
    printf("  %s: %ld x %ld at (%ld, %ld) -> %ld x %ld at (%ld, %ld): interior %ld px, max |diff| %.2g x range; "
           "differences reach %.1f px in from the border (band %ld px); %ld px outside the footprint, NaN\n",
           what, w, h, x0, y0, co->width, co->height, info.grid_x0, info.grid_y0, r.inside, r.worst_interior,
           r.band_reach, r.band, r.outside);
    aia_image_free(co);
    aia_image_free(cin);
}

static void check_frame(const char *name, const aia_image *full, const long (*regions)[4], int n,
                        const aia_register_options *o)
{
    aia_image *fo = NULL;
    CHECK_OK(aia_register(full, o, &fo, NULL));
    if (!fo)
        return;
    for (int i = 0; i < n; i++) {
        char what[128];
        snprintf(what, sizeof what, "%s #%d", name, i);
        check_region(what, full, fo, regions[i][0], regions[i][1], regions[i][2], regions[i][3], o);
    }
    aia_image_free(fo);
}

/* The sample frames: centre, across the limb, corners. */
static void test_sample_frames(const char *shared)
{
    static const char *const files[] = {"aia_lev1_171a_2014_01_01_synthetic.fits",
                                        "aia_lev1_335a_2014_01_01_synthetic.fits"};
    static const long regions[][4] = {
        {1800, 1750, 500, 400},  /* disk centre */
        {3400, 1900, 500, 300},  /* across the west limb */
        {0, 0, 300, 256},        /* lower-left corner of the CCD */
        {3796, 3840, 300, 256},  /* upper-right corner */
        {100, 2000, 64, 1000},   /* a tall strip across the east limb */
    };
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/data/level1/%s", shared, files[f]);
        aia_image *full = NULL;
        CHECK_OK(aia_image_read(path, AIA_PIX_F32, &full));
        if (!full)
            continue;
        check_frame(files[f], full, regions, 5, NULL);
        if (f == 0) { /* the other kernels: no prefilter, the stencil alone */
            aia_register_options o;
            aia_register_options_default(&o);
            o.order = 1;
            check_frame("171 order 1", full, regions, 2, &o);
            o.interp = AIA_INTERP_CUBIC_CONVOLUTION;
            check_frame("171 Keys", full, regions, 2, &o);
        }
        aia_image_free(full);
    }
}

/* Rolled frames (synthetic, 4096²): the footprint is a turned rectangle. */
static void test_rolled(aia_image *const frames[2])
{
    static const double rolls[] = {45.0, 180.0};
    static const long regions[][4] = {{1500, 1600, 400, 300}, {3000, 600, 500, 500}, {3200, 700, 300, 200}};
    for (int k = 0; k < 2; k++) {
        char name[64];
        snprintf(name, sizeof name, "roll %.0f", rolls[k]);
        check_frame(name, frames[k], regions, 3, NULL);
    }
    /* a corner of the CCD that the 45° roll turns out of the 4096 grid */
    aia_image *c = cut_out(frames[0], 3896, 0, 200, 100), *out = NULL;
    CHECK_FAILS(aia_register(c, NULL, &out, NULL), AIA_ERR_UNSUPPORTED, "footprint lies outside");
    aia_image_free(c);
}

/* What is neither full disk nor a cutout is refused, saying why. */
static void test_refused(const aia_image *full)
{
    aia_image *c = cut_out(full, 1000, 1200, 300, 200), *out = NULL;
    aia_header_set_double(c->header, "CRPIX1", key(c, "CRPIX1") + 0.37, NULL); /* not a whole-pixel origin */
    CHECK_FAILS(aia_register(c, NULL, &out, NULL), AIA_ERR_NOT_FULL_DISK, "is not a whole pixel");
    CHECK_FAILS(aia_register(c, NULL, &out, NULL), AIA_ERR_NOT_FULL_DISK, "not a full-disk image");
    aia_image_free(c);
    c = cut_out(full, 1000, 1200, 300, 200);
    aia_header_delete(c->header, "X0_MP");
    CHECK_FAILS(aia_register(c, NULL, &out, NULL), AIA_ERR_NOT_FULL_DISK, "X0_MP is missing");
    aia_image_free(c);
    c = cut_out(full, 1000, 1200, 300, 200);
    aia_header_set_double(c->header, "CRPIX2", key(c, "CRPIX2") - 4000.0, NULL); /* off the CCD */
    CHECK_FAILS(aia_register(c, NULL, &out, NULL), AIA_ERR_NOT_FULL_DISK, "do not lie on the 4096-pixel CCD");
    aia_image_free(c);
    /* an off-pointed full frame is not a cutout: refused as before */
    c = cut_out(full, 0, 0, CCD, CCD);
    aia_header_set_double(c->header, "CRPIX1", -3000.0, NULL);
    CHECK_FAILS(aia_register(c, NULL, &out, NULL), AIA_ERR_NOT_FULL_DISK, "not smaller than the 4096 x 4096 CCD");
    CHECK(out == NULL);
    aia_image_free(c);
}

/* A cutout's missing value and grid options. */
static void test_options(const aia_image *full)
{
    aia_image *c = cut_out(full, 2000, 2000, 200, 150), *nan_out = NULL, *min_out = NULL, *aiapy = NULL;
    aia_register_options o;
    aia_register_options_default(&o);
    aia_register_info info;
    CHECK_OK(aia_register(c, &o, &nan_out, &info));
    CHECK(info.cutout && isnan(info.missing));
    o.missing = AIA_MISSING_MIN;
    CHECK_OK(aia_register(c, &o, &min_out, &info));
    CHECK(info.cutout && !isnan(info.missing));
    if (nan_out && min_out) {
        long nan = 0, filled = 0;
        for (long i = 0; i < nan_out->width * nan_out->height; i++) {
            const float a = ((float *)nan_out->data)[i], b = ((float *)min_out->data)[i];
            nan += isnan(a);
            filled += isnan(a) && b == info.missing;
        }
        CHECK_MSG(nan > 0 && filled == nan, "%ld NaN, %ld of them the minimum with --missing min", nan, filled);
    }
    /* the aiapy grid: the same sky, its own origin */
    o.missing = AIA_MISSING_AUTO;
    o.grid = AIA_GRID_AIAPY;
    CHECK_OK(aia_register(c, &o, &aiapy, &info));
    if (aiapy && nan_out)
        CHECK(fabs((key(aiapy, "CRPIX1") - key(nan_out, "CRPIX1")) - (key(aiapy, "CRPIX2") - key(nan_out, "CRPIX2"))) <
              1e-9);
    aia_image_free(aiapy);
    aia_image_free(nan_out);
    aia_image_free(min_out);
    aia_image_free(c);
}

int main(void)
{
    aia_image *rolled[2] = {test_synth(171, CCD, 45.0, 11), test_synth(171, CCD, 180.0, 12)};
    if (rolled[0] && rolled[1]) {
        test_rolled(rolled);
        test_refused(rolled[0]);
        test_options(rolled[0]);
    }
    CHECK(rolled[0] && rolled[1]);
    aia_image_free(rolled[0]);
    aia_image_free(rolled[1]);
    const char *shared = test_shared_dir();
    if (shared)
        test_sample_frames(shared);
    else
        printf("test_cutout: the sample-frame cases SKIPPED: no shared data folder (set AIAPREP_DATA)\n");
    return test_done("test_cutout");
}
