/* test_synth.c — synthetic frames: deterministic, consistent header, the
 * scene where the WCS says it is. */
#include "testutil.h"

#include <math.h>
#include <omp.h>
#include <string.h>

/* Value at the pixel nearest to sky position (u, v) in solar radii. */
static double at_sky(const aia_image *img, const aia_meta *m, double u, double v)
{
    double r[2][2];
    aia_meta_rotation_matrix(m, r);
    double tx = u * m->rsun_obs / m->cdelt1, ty = v * m->rsun_obs / m->cdelt2;
    /* invert the rotation (orthogonal for square pixels) */
    double dx = r[0][0] * tx + r[1][0] * ty, dy = r[0][1] * tx + r[1][1] * ty;
    long x = lround(m->crpix1 - 1 + dx), y = lround(m->crpix2 - 1 + dy);
    if (x < 2 || y < 2 || x >= img->width - 2 || y >= img->height - 2)
        return NAN; /* off the frame */
    /* a 5x5 mean, to beat the noise */
    double s = 0;
    for (long j = -2; j <= 2; j++)
        for (long i = -2; i <= 2; i++)
            s += ((const float *)img->data)[(y + j) * img->width + x + i];
    return s / 25.0;
}

static void test_scene(double roll)
{
    aia_image *img = test_synth(171, 512, roll, 7);
    CHECK(img != NULL);
    if (!img)
        return;
    aia_meta m;
    aia_meta_parse(img->header, &m);
    CHECK_OK(aia_meta_require(&m, AIA_KEYS_BASIC | AIA_KEYBIT(AIA_KEY_RSUN_OBS) |
                                       AIA_KEYBIT(AIA_KEY_X0_MP) | AIA_KEYBIT(AIA_KEY_DSUN_OBS)));
    CHECK(m.crpix1 == m.x0_mp + 1 && m.crpix2 == m.y0_mp + 1);
    CHECK(m.cdelt1 == m.imscl_mp && m.cdelt2 == m.cdelt1);
    CHECK(fabs(m.crota2 - (m.inst_rot + m.sat_rot)) < 1e-12);
    CHECK(fabs(m.crota2 - roll) < 1e-12);
    CHECK(fabs(m.r_sun - m.rsun_obs / m.cdelt1) < 1e-9);
    CHECK(fabs(m.rsun_obs - 975.96) < 0.01);
    CHECK(m.lvl_num == 1.0 && m.wavelnth == 171.0);
    /* limb brighter than centre, corona fading, the NE region bright, its
     * mirror image in the SE not */
    double centre = at_sky(img, &m, 0, 0), limb = at_sky(img, &m, 0.985, 0);
    double corona = at_sky(img, &m, 1.2, 0.0), ar = at_sky(img, &m, -0.42, 0.31);
    double mirror = at_sky(img, &m, -0.42, -0.31);
    CHECK_MSG(limb > 1.5 * centre, "limb %g centre %g (roll %g)", limb, centre, roll);
    CHECK_MSG(corona < 0.2 * limb, "corona %g limb %g", corona, limb);
    CHECK_MSG(ar > 3 * mirror, "active region %g mirror %g (roll %g)", ar, mirror, roll);
    /* pixels are whole DN */
    const float *d = img->data;
    int whole = 1;
    for (long i = 0; i < img->width * img->height; i++)
        whole &= d[i] == floorf(d[i]);
    CHECK(whole);
    aia_image_free(img);
}

static void test_deterministic(void)
{
    omp_set_num_threads(1);
    aia_image *a = test_synth(193, 256, 0.5, 42);
    omp_set_num_threads(2);
    aia_image *b = test_synth(193, 256, 0.5, 42);
    aia_image *c = test_synth(193, 256, 0.5, 43);
    CHECK(a && b && c);
    if (a && b && c) {
        size_t bytes = 256 * 256 * sizeof(float);
        CHECK(memcmp(a->data, b->data, bytes) == 0);
        CHECK(memcmp(a->data, c->data, bytes) != 0);
    }
    aia_image_free(a);
    aia_image_free(b);
    aia_image_free(c);
}

int main(void)
{
    test_scene(0.0);
    test_scene(90.0);
    test_scene(-37.0);
    test_deterministic();
    aia_synth_params p;
    CHECK_FAILS(aia_synth_defaults(999, 4096, &p), AIA_ERR_ARG, "999");
    /* full-size default frame: 4096 x 4096 with the disk inside */
    CHECK_OK(aia_synth_defaults(94, 4096, &p));
    CHECK(p.size == 4096 && fabs(p.scale_arcsec - 0.600109) < 1e-12);
    return test_done("test_synth");
}
