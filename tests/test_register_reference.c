/* test_register_reference.c — registration against aiapy's own outputs
 * (../shared/reference/register/register_{171,94}.fits: aiapy 0.7.4 register,
 * order 3, scipy, of the matching level-1 frames read as float32).
 *
 * With --grid aiapy: the same shape and CRPIX/CDELT/PC/R_SUN; every finite
 * sampled pixel (the stride-7 sample and the two full-resolution tiles)
 * within 2e-6 x (max - min) of the reference; the same NaN pattern. And the
 * --grid 4096 output equals the aiapy grid where they overlap.
 * SKIPPED when the shared folder is absent. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOLERANCE 2e-6

static void check_channel(const char *shared, const char *level1, const char *reference)
{
    char in_path[4096], ref_path[4096];
    snprintf(in_path, sizeof in_path, "%s/data/level1/%s", shared, level1);
    snprintf(ref_path, sizeof ref_path, "%s/reference/register/%s", shared, reference);
    aia_image *in = NULL, *out = NULL, *full = NULL;
    CHECK_OK(aia_image_read(in_path, AIA_PIX_F32, &in));
    if (!in)
        return;
    aia_register_options o;
    aia_register_options_default(&o);
    o.grid = AIA_GRID_AIAPY;
    CHECK_OK(aia_register(in, &o, &out, NULL));
    o.grid = AIA_GRID_FULL;
    CHECK_OK(aia_register(in, &o, &full, NULL));
    test_ref_part parts[3];
    int st = test_ref_read(ref_path, parts);
    CHECK_MSG(st == 0, "cannot read %s", ref_path);
    if (!out || !full || st) {
        test_ref_free(parts);
        aia_image_free(in);
        aia_image_free(out);
        aia_image_free(full);
        return;
    }
    /* shape and header values */
    const long nrows = (long)test_fits_key(ref_path, "NROWS");
    const long ncols = (long)test_fits_key(ref_path, "NCOLS");
    CHECK_MSG(out->height == nrows && out->width == ncols, "%s: %ld x %ld, aiapy %ld x %ld", level1,
              out->width, out->height, ncols, nrows);
    aia_meta m;
    aia_meta_parse(out->header, &m);
#define REF(k) test_ref_key(ref_path, k)
    CHECK(m.crpix1 == REF("CRPIX1") && m.crpix2 == REF("CRPIX2"));
    CHECK(fabs(m.cdelt1 - REF("CDELT1")) < 1e-12 && fabs(m.cdelt2 - REF("CDELT2")) < 1e-12);
    CHECK(fabs(m.pc[0][0] - REF("PC1_1")) < 1e-12 && fabs(m.pc[0][1] - REF("PC1_2")) < 1e-12);
    CHECK(fabs(m.pc[1][0] - REF("PC2_1")) < 1e-12 && fabs(m.pc[1][1] - REF("PC2_2")) < 1e-12);
    CHECK_MSG(fabs(m.r_sun - REF("R_SUN")) < 1e-9 * m.r_sun, "R_SUN %.12g, aiapy %.12g", m.r_sun,
              REF("R_SUN"));
#undef REF
    CHECK(m.lvl_num == 1.5 && m.state[AIA_KEY_CROTA2] == AIA_KEYSTATE_MISSING);

    /* pixels: the stride-7 sample and the two tiles */
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < 3; k++) {
        for (long i = 0; parts[k].data && i < parts[k].w * parts[k].h; i++)
            if (!isnan(parts[k].data[i])) {
                lo = fmin(lo, parts[k].data[i]);
                hi = fmax(hi, parts[k].data[i]);
            }
    }
    const double tol = TOLERANCE * (hi - lo);
    for (int k = 0; k < 3; k++) {
        const test_ref_part *p = &parts[k];
        long samples = 0, over = 0, nan_mismatch = 0;
        double worst = 0;
        for (long j = 0; p->data && j < p->h; j++)
            for (long i = 0; i < p->w; i++) {
                const long y = p->row0 + j * p->stride, x = p->col0 + i * p->stride;
                const double r = p->data[j * p->w + i];
                const float v = ((float *)out->data)[y * out->width + x];
                samples++;
                if (isnan(r) || isnan(v)) {
                    nan_mismatch += isnan(r) != isnan(v);
                    continue;
                }
                const double d = fabs((double)v - r);
                worst = fmax(worst, d);
                over += d > tol;
            }
        CHECK_MSG(over == 0 && nan_mismatch == 0, "%s %s: %ld of %ld over %.3g, %ld NaN mismatches",
                  level1, p->name, over, samples, tol, nan_mismatch);
        printf("  %s %-7s %7ld samples: max |diff| %.3g = %.2g x range (tolerance 2e-6)\n", level1,
               p->name, samples, worst, worst / (hi - lo));
    }
    test_ref_free(parts);

    /* the 4096 grid holds the same pixels where the grids overlap */
    aia_meta mf;
    aia_meta_parse(full->header, &mf);
    CHECK(full->width == 4096 && full->height == 4096 && mf.crpix1 == 2048.5 && mf.crpix2 == 2048.5);
    const long dx = (long)(mf.crpix1 - m.crpix1), dy = (long)(mf.crpix2 - m.crpix2);
    long differ = 0;
    for (long y = 0; y < out->height; y++)
        differ += memcmp((float *)out->data + y * out->width,
                         (float *)full->data + (y + dy) * full->width + dx,
                         sizeof(float) * (size_t)out->width) != 0;
    CHECK_MSG(differ == 0, "%s: %ld rows differ between the grids", level1, differ);
    aia_image_free(in);
    aia_image_free(out);
    aia_image_free(full);
}

int main(void)
{
    const char *shared = test_shared_dir();
    if (!shared)
        return test_skip("test_register_reference", "no shared data folder (set AIAPREP_DATA)");
    check_channel(shared, "aia_lev1_171a_2014_01_01_synthetic.fits", "register_171.fits");
    check_channel(shared, "aia_lev1_94a_2014_01_01_synthetic.fits", "register_94.fits");
    /* the real JSOC cutout (769 x 705 at CCD (1925, 1277)) registers as a
     * cutout; test_cutout_sunpy checks its world coordinates */
    char cutout[4096];
    snprintf(cutout, sizeof cutout, "%s/data/real/aia_lev1_171a_2013_03_10_cutout.fits", shared);
    aia_image *in = NULL, *out = NULL;
    CHECK_OK(aia_image_read(cutout, AIA_PIX_F32, &in));
    aia_register_info info;
    if (in)
        CHECK_OK(aia_register(in, NULL, &out, &info));
    if (out)
        CHECK_MSG(info.cutout && info.ccd_x0 == 1925 && info.ccd_y0 == 1277,
                  "cutout %d at (%ld, %ld)", info.cutout, info.ccd_x0, info.ccd_y0);
    aia_image_free(out);
    aia_image_free(in);
    return test_done("test_register_reference");
}
