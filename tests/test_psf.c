/* test_psf.c — the PSF against aiapy's (../shared/reference/psf, and the
 * reference table of aiapy-reference.md §5.3 for every channel and core),
 * the windowed spike sum against a full-grid sum, order weights, errors,
 * and the cache (hits, damaged files). */
#include "testutil.h"
#include "steps/psf_model.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N 4096
#define STRIDE (2 * (N / 2 + 1))

static double at(const aia_image *p, long r, long c) { return ((const double *)p->data)[r * N + c]; }

static int close_enough(double got, double want, double rel, double peak)
{
    return fabs(got - want) <= rel * fabs(want) + 1e-15 * peak;
}

/* sum 1 within 1e-12, peak at [2048][2048] */
static void check_shape(const aia_image *p, const char *what)
{
    long double sum = 0;
    double peak = 0;
    long where = -1;
    for (long i = 0; i < (long)N * N; i++) {
        const double v = ((const double *)p->data)[i];
        sum += v;
        if (v > peak) {
            peak = v;
            where = i;
        }
    }
    CHECK_MSG(fabsl(sum - 1.0L) < 1e-12L, "%s: sum - 1 = %.3Lg", what, sum - 1.0L);
    CHECK_MSG(where == 2048L * N + 2048, "%s: peak at (%ld, %ld)", what, where / N, where % N);
}

static void check_reference_file(const char *shared, const char *name, int channel, int preflight)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/reference/psf/%s", shared, name);
    aia_psf_options o;
    aia_psf_options_default(&o, channel);
    o.preflight_core = preflight;
    aia_image *p = NULL;
    CHECK_OK(aia_psf(&o, &p, NULL));
    test_ref_part parts[3];
    CHECK_MSG(test_ref_read(path, parts) == 0, "cannot read %s", path);
    if (!p || !parts[0].data) {
        aia_image_free(p);
        test_ref_free(parts);
        return;
    }
    check_shape(p, name);
    const double peak = parts[1].data[128 * 256 + 128]; /* CENTER tile starts at 1920 */
    CHECK(fabs(peak - at(p, 2048, 2048)) < 1e-15);
    for (int k = 0; k < 3; k++) {
        const test_ref_part *r = &parts[k];
        long over = 0;
        double worst = 0;
        for (long j = 0; j < r->h; j++)
            for (long i = 0; i < r->w; i++) {
                const double want = r->data[j * r->w + i];
                const double got = at(p, r->row0 + j * r->stride, r->col0 + i * r->stride);
                const double tol = 1e-9 * fabs(want) + 1e-15 * peak;
                worst = fmax(worst, fabs(got - want) / tol);
                over += fabs(got - want) > tol;
            }
        CHECK_MSG(over == 0, "%s %s: %ld pixels beyond 1e-9 x value + 1e-15 x peak", name, r->name, over);
        printf("  %s %-7s worst |diff| = %.2g of the tolerance\n", name, r->name, worst);
    }
    test_ref_free(parts);
    aia_image_free(p);
}

/* aiapy-reference.md §5.3: a faithful numpy transcription of aiapy 0.12,
 * every channel, both cores. The last column is printed to 7 digits. */
static const struct {
    int ch, pre;
    double p00, p01, p11, p0_10;
    long above; /* #(P > 1e-10) */
} table[] = {
    {94, 0, 0.67627115958213, 0.0206420694428727, 0.010903794254251, 1.657787e-09, 76207},
    {94, 1, 0.119920535612583, 0.0740917503306535, 0.046011492777868, 3.299433e-07, 120053},
    {131, 0, 0.655086374150719, 0.0196036847213241, 0.0154517901056807, 6.677e-19, 106181},
    {131, 1, 0.128285674765833, 0.0757892302291204, 0.0453098019977999, 1.051548e-11, 162175},
    {171, 0, 0.641652124483528, 0.0185625169503402, 0.0160382597044227, 2.086e-18, 142567},
    {171, 1, 0.116340792085825, 0.0718595311571651, 0.0449535910972632, 3.390497e-11, 213661},
    {193, 0, 0.636515972999407, 0.0180912858340614, 0.0156057733724139, 1.009e-18, 160389},
    {193, 1, 0.197805517529911, 0.0831693533337399, 0.0373678424585586, 5.705475e-12, 213315},
    {211, 0, 0.633010447132032, 0.0177481672557612, 0.0150947840593394, 3.799e-19, 173951},
    {211, 1, 0.146627578911111, 0.0777529054085583, 0.0424741899198055, 3.777631e-11, 242857},
    {304, 0, 0.621773423190443, 0.01652280937059, 0.0122067449905775, 3.181108e-13, 234411},
    {304, 1, 0.150014351895676, 0.0765118928649169, 0.0403182088089921, 1.233346e-09, 329737},
    {335, 0, 0.619812499084889, 0.0162915945868428, 0.0115061262577702, 1.409309e-09, 252679},
    {335, 1, 0.110732033047025, 0.0681059119398807, 0.0425240786439913, 1.600149e-08, 374923},
};

static void check_table(void)
{
    for (size_t t = 0; t < sizeof table / sizeof table[0]; t++) {
        aia_psf_options o;
        aia_psf_options_default(&o, table[t].ch);
        o.preflight_core = table[t].pre;
        aia_image *p = NULL;
        CHECK_OK(aia_psf(&o, &p, NULL));
        if (!p)
            continue;
        const double peak = at(p, 2048, 2048);
        /* the table has 15 significant digits: 1e-13 relative */
        CHECK_MSG(close_enough(peak, table[t].p00, 1e-13, peak) &&
                      close_enough(at(p, 2048, 2049), table[t].p01, 1e-13, peak) &&
                      close_enough(at(p, 2049, 2049), table[t].p11, 1e-13, peak),
                  "%d %s: %.15g %.15g %.15g", table[t].ch, table[t].pre ? "preflight" : "default", peak,
                  at(p, 2048, 2049), at(p, 2049, 2049));
        CHECK_MSG(close_enough(at(p, 2048, 2058), table[t].p0_10, 1e-6, peak), "%d: P[2048][2058] %.7g",
                  table[t].ch, at(p, 2048, 2058));
        long above = 0;
        for (long i = 0; i < (long)N * N; i++)
            above += ((const double *)p->data)[i] > 1e-10;
        CHECK_MSG(above == table[t].above, "%d: %ld pixels above 1e-10, aiapy %ld", table[t].ch, above,
                  table[t].above);
        aia_image_free(p);
    }
}

/* The spikes added over their windows equal the full 4096² loop of aiapy
 * (written out here independently), bit for bit. */
static void check_window_exact(void)
{
    const int orders[] = {-7, -3, -1, 1, 2, 5, 9};
    aia_psf_options o;
    aia_psf_options_default(&o, 335); /* widest spacing: spikes reach the edges */
    o.orders = orders;
    o.norders = 7;
    double *windowed = calloc((size_t)N * STRIDE, sizeof(double));
    double *full = calloc((size_t)N * N, sizeof(double));
    CHECK_OK(aia_psf_pattern(&o, 0, windowed));
    const aia_psf_mesh *m = aia_psf_mesh_of(335);
    static double gx[N], gy[N];
    for (int k = 0; k < 7; k++) {
        const double i0 = aia_psf_order_weight(orders[k]);
        for (int j = 0; j < 4; j++) {
            const double a = m->angles[j] * (M_PI / 180.0);
            const double cx = 2048.5 + m->spacing_e * cos(a) * orders[k];
            const double cy = 2048.5 + m->spacing_e * sin(a) * orders[k];
            for (long i = 0; i < N; i++) {
                gx[i] = exp(-m->width * ((i + 0.5 - cx) * (i + 0.5 - cx)));
                gy[i] = exp(-m->width * ((i + 0.5 - cy) * (i + 0.5 - cy)));
            }
            for (long r = 0; r < N; r++)
                for (long c = 0; c < N; c++)
                    full[r * N + c] = full[r * N + c] + i0 * (gy[r] * gx[c]);
        }
    }
    long double sum = 0;
    for (long i = 0; i < (long)N * N; i++)
        sum += full[i];
    /* the same normalisation and core as aiapy (the library's core is
     * checked against aiapy's through the tables above) */
    long differ = 0;
    double core_sum = 0;
    double g[64];
    for (int d = -30; d <= 30; d++)
        g[d + 30] = exp(-m->width * (double)(d * d));
    for (int r = 0; r < 61; r++)
        for (int c = 0; c < 61; c++)
            core_sum += g[r] * g[c];
    for (long r = 0; r < N; r++)
        for (long c = 0; c < N; c++) {
            const long dr = r - 2048, dc = c - 2048;
            const double core = (labs(dr) <= 30 && labs(dc) <= 30) ? g[dr + 30] * g[dc + 30] : 0.0;
            const double want = (1.0 - 0.82) * (full[r * N + c] / (double)sum) + 0.82 * (core / core_sum);
            const double got = windowed[r * STRIDE + c];
            differ += fabs(got - want) > 1e-15 * fabs(want); /* sums may differ in the last bit */
        }
    /* the spike sums are bit-identical; the normalising sums are taken in
     * another order, so allow their last bits */
    CHECK_MSG(differ == 0, "%ld pixels differ between the windowed and the full-grid sums", differ);
    free(windowed);
    free(full);
}

static void check_weights_and_errors(void)
{
    /* aiapy-reference.md §5.2 sample I0, to a few ulp (libm's sin) */
    const struct { int m; double w; } w[] = {{1, 0.9714693705298609}, {2, 0.8897542258551333},
                                             {5, 0.4574109738512843}, {10, 0.004516003759887882},
                                             {11, 0.0008624417378959406}, {50, 0.003251190655656747},
                                             {100, 0.0009631211441746016}};
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        CHECK_MSG(fabs(aia_psf_order_weight(w[i].m) - w[i].w) <= 1e-15 * w[i].w, "I0(%d) = %.17g", w[i].m,
                  aia_psf_order_weight(w[i].m));
    CHECK(aia_psf_order_weight(0) == 0.0 && aia_psf_order_weight(-3) == aia_psf_order_weight(3));
    aia_psf_options o;
    aia_image *p = NULL;
    const int uv[] = {1600, 1700, 4500, 555};
    for (int i = 0; i < 4; i++) {
        aia_psf_options_default(&o, uv[i]);
        CHECK_FAILS(aia_psf(&o, &p, NULL), AIA_ERR_UNSUPPORTED, "no filter-mesh PSF model");
    }
    /* aiapy's own unit test: 94, preflight core, orders -1..1 */
    const int three[] = {-1, 0, 1};
    aia_psf_options_default(&o, 94);
    o.preflight_core = 1;
    o.orders = three;
    o.norders = 3;
    CHECK_OK(aia_psf(&o, &p, NULL));
    if (p) {
        CHECK(p->width == N && p->height == N && p->pixtype == AIA_PIX_F64);
        check_shape(p, "94 preflight, orders -1..1");
    }
    aia_image_free(p);
}

static void check_cache(void)
{
    const char *dir = test_path("cache");
    aia_psf_options o;
    aia_psf_options_default(&o, 211);
    aia_image *a = NULL, *b = NULL;
    aia_psf_info info;
    CHECK_OK(aia_psf_cached(&o, dir, &a, &info));
    CHECK(!info.from_cache);
    CHECK_OK(aia_psf_cached(&o, dir, &b, &info));
    CHECK(info.from_cache);
    if (a && b)
        CHECK(memcmp(a->data, b->data, sizeof(double) * N * N) == 0);
    aia_image_free(b);
    b = NULL;
    /* damage the cached file: flip a byte in the data */
    char path[4096];
    snprintf(path, sizeof path, "%s/psf_0211_default_o-100to100_m1.fits", dir);
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (f) {
        fseek(f, 5 * 2880 + 8 * (2048L * N + 2048), SEEK_SET);
        fputc(0x55, f);
        fclose(f);
    }
    CHECK_OK(aia_psf_cached(&o, dir, &b, &info));
    CHECK_MSG(!info.from_cache, "a damaged cache file was used");
    if (a && b)
        CHECK(memcmp(a->data, b->data, sizeof(double) * N * N) == 0);
    aia_image_free(b);
    b = NULL;
    CHECK_OK(aia_psf_cached(&o, dir, &b, &info)); /* repaired */
    CHECK(info.from_cache);
    aia_image_free(b);
    b = NULL;
    /* the other core is another file */
    o.preflight_core = 1;
    CHECK_OK(aia_psf_cached(&o, dir, &b, &info));
    CHECK(!info.from_cache && b && at(b, 2048, 2048) != at(a, 2048, 2048));
    aia_image_free(b);
    aia_image_free(a);
}

int main(void)
{
    check_weights_and_errors();
    check_window_exact();
    check_cache();
    check_table();
    const char *shared = test_shared_dir();
    if (!shared) {
        printf("SKIPPED: the comparison with aiapy's PSF files: no shared data folder\n");
    } else {
        check_reference_file(shared, "psf_171.fits", 171, 0);
        check_reference_file(shared, "psf_171_preflight.fits", 171, 1);
        check_reference_file(shared, "psf_335.fits", 335, 0);
        check_reference_file(shared, "psf_94_preflight.fits", 94, 1);
    }
    return test_done("test_psf");
}
