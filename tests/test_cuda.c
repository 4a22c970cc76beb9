/* test_cuda.c — the CUDA backend on a GPU against the CPU backend (the
 * default device of the library), with the tolerances of issue 16:
 *   registration: within 2e-6 of the range, the same NaN pixels, the same
 *     counts; orders 0-5, Keys, a whole-pixel shift; frames with NaN;
 *   deconvolution: within 1e-5 relative L2 of the CPU's single result,
 *     1e-12 of the range in double; NaN pixels NaN again;
 *   level 1.6 in one call (the frame kept on the device) against the CPU's
 *     two steps; the PSF within 1e-10 of each value above 1e-15 of the peak;
 *   the same bytes on a second run, and from several threads at once;
 *   an all-NaN frame refused with the CPU's message.
 * SKIPPED (77) when no CUDA device can be used (the reason is printed).
 * `test_cuda quick` uses small frames and few iterations, for the runs
 * under compute-sanitizer (scripts/gpu-check.sh). */
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static int quick;

static double range_of(const float *v, size_t n)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            lo = fmin(lo, v[i]);
            hi = fmax(hi, v[i]);
        }
    return hi - lo;
}

/* Worst |a - b| / range over the finite pixels; NaN patterns must agree. */
static double worst_of(const float *a, const float *b, size_t n, double range, long *nan_differ)
{
    double worst = 0;
    *nan_differ = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(a[i]) || isnan(b[i])) {
            *nan_differ += isnan(a[i]) != isnan(b[i]);
            continue;
        }
        worst = fmax(worst, fabs((double)a[i] - b[i]) / range);
    }
    return worst;
}

static aia_image *frame_with_nans(long n, double roll, uint64_t seed, int nans)
{
    aia_image *img = test_synth(171, n, roll, seed);
    float *d = img->data;
    for (long k = 0; k < nans; k++)
        d[((n / 3 + 17 * k) % n) * n + (n / 5 + 29 * k) % n] = NAN;
    return img;
}

static int register_on(const aia_image *in, const char *device, int order, aia_interp interp, aia_image **out,
                       aia_register_info *info)
{
    aia_register_options o;
    aia_register_options_default(&o);
    o.order = order;
    o.interp = interp;
    o.device = device;
    return aia_register(in, &o, out, info);
}

static void registration(void)
{
    const long n = quick ? 512 : 4096;
    static const struct { int order; aia_interp interp; double roll; } cases[] = {
        {3, AIA_INTERP_SPLINE, 0.02}, {3, AIA_INTERP_SPLINE, 30.0}, {0, AIA_INTERP_SPLINE, 10.0},
        {1, AIA_INTERP_SPLINE, -5.0}, {2, AIA_INTERP_SPLINE, 1.0},  {4, AIA_INTERP_SPLINE, 45.0},
        {5, AIA_INTERP_SPLINE, -0.5}, {3, AIA_INTERP_CUBIC_CONVOLUTION, 3.0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        aia_image *in = frame_with_nans(n, cases[c].roll, 7 + c, c % 2 ? 0 : 60);
        aia_image *cpu = NULL, *gpu = NULL, *again = NULL;
        aia_register_info ic, ig;
        CHECK_OK(register_on(in, "cpu", cases[c].order, cases[c].interp, &cpu, &ic));
        CHECK_OK(register_on(in, "cuda", cases[c].order, cases[c].interp, &gpu, &ig));
        CHECK_OK(register_on(in, "cuda", cases[c].order, cases[c].interp, &again, NULL));
        if (cpu && gpu && again) {
            const size_t count = (size_t)cpu->width * (size_t)cpu->height;
            long nan_differ = 0;
            const double range = range_of(cpu->data, count);
            const double worst = worst_of(cpu->data, gpu->data, count, range, &nan_differ);
            CHECK_MSG(worst <= 2e-6, "order %d roll %g: %.3g of the range from the CPU", cases[c].order,
                      cases[c].roll, worst);
            CHECK_MSG(nan_differ == 0, "order %d: %ld pixels NaN on one side only", cases[c].order, nan_differ);
            CHECK(ic.nan_input == ig.nan_input && ic.nan_output == ig.nan_output && ic.missing == ig.missing);
            CHECK_MSG(memcmp(gpu->data, again->data, count * sizeof(float)) == 0, "order %d: a second run differs",
                      cases[c].order);
            printf("registration order %d%s roll %g, %ld²: %.2g of the range from the CPU; device %.2f ms "
                   "(scan %.2f, prefilter %.2f, sample %.2f)\n",
                   cases[c].order, cases[c].interp ? " (Keys)" : "", cases[c].roll, n, worst,
                   1e3 * (ig.seconds_scan + ig.seconds_prefilter + ig.seconds_sample), 1e3 * ig.seconds_scan,
                   1e3 * ig.seconds_prefilter, 1e3 * ig.seconds_sample);
        }
        aia_image_free(cpu);
        aia_image_free(gpu);
        aia_image_free(again);
        aia_image_free(in);
    }
    /* a frame already on the level-1.5 grid moves by whole pixels */
    aia_image *in = frame_with_nans(n, 0.0, 3, 10), *cpu = NULL, *gpu = NULL;
    double cdelt = 0.6;
    aia_header_get_double(in->header, "CDELT1", &cdelt);
    cdelt = 0.6 * nearbyint(cdelt / 0.6); /* the target scale: a scale factor of exactly 1 */
    aia_header_set_double(in->header, "CDELT1", cdelt, NULL);
    aia_header_set_double(in->header, "CDELT2", cdelt, NULL);
    aia_header_set_double(in->header, "CRPIX1", n / 2 + 0.5 - 3, NULL);
    aia_header_set_double(in->header, "CRPIX2", n / 2 + 0.5 + 2, NULL);
    aia_header_delete(in->header, "CROTA2");
    aia_header_delete(in->header, "PC1_1");
    aia_header_delete(in->header, "PC1_2");
    aia_header_delete(in->header, "PC2_1");
    aia_header_delete(in->header, "PC2_2");
    const int st_cpu = register_on(in, "cpu", 3, AIA_INTERP_SPLINE, &cpu, NULL);
    const int st_gpu = register_on(in, "cuda", 3, AIA_INTERP_SPLINE, &gpu, NULL);
    CHECK_OK(st_cpu);
    CHECK(st_cpu == st_gpu);
    if (cpu && gpu)
        CHECK_MSG(memcmp(cpu->data, gpu->data, sizeof(float) * (size_t)(cpu->width * cpu->height)) == 0,
                  "a whole-pixel shift differs from the CPU's");
    aia_image_free(cpu);
    aia_image_free(gpu);
    /* every pixel NaN: refused alike */
    for (long i = 0; i < n * n; i++)
        ((float *)in->data)[i] = NAN;
    CHECK_FAILS(register_on(in, "cuda", 3, AIA_INTERP_SPLINE, &gpu, NULL), AIA_ERR_BAD_DATA, "every pixel is NaN");
    aia_image_free(in);
}

/* ---- several threads at once: the slots ------------------------------------ */

typedef struct job {
    const aia_image *in;
    aia_image *out;
    int st;
} job;

static void *register_job(void *arg)
{
    job *j = arg;
    j->st = register_on(j->in, "cuda", 3, AIA_INTERP_SPLINE, &j->out, NULL);
    return NULL;
}

static void threads(void)
{
    enum { JOBS = 6 };
    const long n = quick ? 384 : 2048;
    aia_image *in[JOBS], *want[JOBS];
    job jobs[JOBS];
    pthread_t t[JOBS];
    for (int k = 0; k < JOBS; k++) {
        in[k] = frame_with_nans(n, 4.0 * k, 40 + k, k * 5);
        want[k] = NULL;
        CHECK_OK(register_on(in[k], "cuda", 3, AIA_INTERP_SPLINE, &want[k], NULL));
        jobs[k] = (job){in[k], NULL, 0};
    }
    for (int k = 0; k < JOBS; k++)
        pthread_create(&t[k], NULL, register_job, &jobs[k]);
    for (int k = 0; k < JOBS; k++)
        pthread_join(t[k], NULL);
    long differ = 0;
    for (int k = 0; k < JOBS; k++) {
        CHECK_OK(jobs[k].st);
        if (jobs[k].out && want[k])
            differ += memcmp(jobs[k].out->data, want[k]->data, sizeof(float) * (size_t)(want[k]->width * want[k]->height)) != 0;
        aia_image_free(jobs[k].out);
        aia_image_free(want[k]);
        aia_image_free(in[k]);
    }
    CHECK_MSG(differ == 0, "%ld of %d frames registered in parallel differ from one at a time", differ, JOBS);
}

/* ---- deconvolution, level 1.6 -------------------------------------------- */

static void deconvolution(void)
{
    const long n = quick ? 256 : 4096;
    const int iterations = quick ? 3 : 25;
    aia_image *psf = NULL;
    if (quick) {
        psf = test_small_psf(n, 1.8);
    } else {
        aia_psf_options po;
        aia_psf_options_default(&po, 171);
        CHECK_OK(aia_psf_cached(&po, NULL, &psf, NULL));
        if (!psf)
            return;
    }
    aia_image *in = frame_with_nans(n, 0.5, 21, 30);
    aia_deconv_options o;
    aia_deconv_options_default(&o);
    o.iterations = iterations;
    for (int dbl = 0; dbl < 2; dbl++) {
        const aia_pixtype p = dbl ? AIA_PIX_F64 : AIA_PIX_F32;
        aia_deconv_plan *pc = NULL, *pg = NULL;
        CHECK_OK(aia_deconv_plan_new_on(psf, p, 0, "cpu", &pc));
        CHECK_OK(aia_deconv_plan_new_on(psf, p, 0, "cuda", &pg));
        if (!pc || !pg) {
            aia_deconv_plan_free(pc);
            aia_deconv_plan_free(pg);
            continue;
        }
        CHECK(strncmp(aia_deconv_plan_device(pg), "cuda:", 5) == 0);
        aia_image *c = NULL, *g = NULL, *g2 = NULL;
        aia_deconv_info ic, ig;
        CHECK_OK(aia_deconvolve(pc, in, &o, &c, &ic));
        CHECK_OK(aia_deconvolve(pg, in, &o, &g, &ig));
        CHECK_OK(aia_deconvolve(pg, in, &o, &g2, NULL));
        if (c && g && g2) {
            const size_t count = (size_t)n * (size_t)n, size = aia_pixtype_size(p);
            double num = 0, den = 0, worst = 0, lo = INFINITY, hi = -INFINITY;
            long nan_differ = 0;
            for (size_t i = 0; i < count; i++) {
                const double a = dbl ? ((double *)c->data)[i] : ((float *)c->data)[i];
                const double b = dbl ? ((double *)g->data)[i] : ((float *)g->data)[i];
                if (isnan(a) || isnan(b)) {
                    nan_differ += isnan(a) != isnan(b);
                    continue;
                }
                num += (a - b) * (a - b);
                den += a * a;
                worst = fmax(worst, fabs(a - b));
                lo = fmin(lo, a);
                hi = fmax(hi, a);
            }
            const double rel = sqrt(num / den);
            if (dbl)
                CHECK_MSG(worst <= 1e-12 * (hi - lo), "double: %.3g of the range", worst / (hi - lo));
            else
                CHECK_MSG(rel <= 1e-5, "single: relative L2 %.3g", rel);
            CHECK(nan_differ == 0 && ic.filled_pixels == ig.filled_pixels);
            CHECK_MSG(memcmp(g->data, g2->data, count * size) == 0, "%s: a second run differs",
                      dbl ? "double" : "single");
            printf("deconvolution %s, %d iterations, %ld²: relative L2 %.2g, worst %.2g of the range; "
                   "%.1f ms (CPU %.0f ms)\n",
                   dbl ? "double" : "single", iterations, n, rel, worst / (hi - lo), 1e3 * ig.seconds,
                   1e3 * ic.seconds);
        }
        /* level 1.6 in one call, against the CPU's two steps */
        aia_register_options ro;
        aia_register_options_default(&ro);
        aia_register_plan *rc = NULL, *rg = NULL;
        if (n == 4096 || quick) {
            CHECK_OK(aia_register_plan_new(in->header, n, n, &ro, &rc));
            ro.device = "cuda";
            CHECK_OK(aia_register_plan_new(in->header, n, n, &ro, &rg));
        }
        if (rc && rg) {
            long w, h;
            aia_register_plan_shape(rc, &w, &h);
            float *a = malloc(sizeof(float) * (size_t)(w * h)), *b = malloc(sizeof(float) * (size_t)(w * h));
            aia_register_info ia, ib;
            CHECK_OK(aia_deconvolve_register_execute(pc, rc, aia_image_view(in),
                                                     aia_view_of(a, w, h, w, AIA_PIX_F32), &o, NULL, NULL, &ia));
            CHECK_OK(aia_deconvolve_register_execute(pg, rg, aia_image_view(in),
                                                     aia_view_of(b, w, h, w, AIA_PIX_F32), &o, NULL, NULL, &ib));
            double num = 0, den = 0;
            long nan_differ = 0;
            for (long i = 0; i < w * h; i++) {
                if (isnan(a[i]) || isnan(b[i])) {
                    nan_differ += isnan(a[i]) != isnan(b[i]);
                    continue;
                }
                num += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
                den += (double)a[i] * a[i];
            }
            CHECK_MSG(sqrt(num / den) <= 1e-5, "level 1.6 %s: relative L2 %.3g", dbl ? "double" : "single",
                      sqrt(num / den));
            CHECK_MSG(nan_differ == 0 && ia.nan_output == ib.nan_output, "level 1.6: NaN pixels differ (%ld)",
                      nan_differ);
            printf("level 1.6 (%s) in one call on the device: relative L2 %.2g from the CPU's two steps\n",
                   dbl ? "double" : "single", sqrt(num / den));
            free(a);
            free(b);
        }
        aia_register_plan_free(rc);
        aia_register_plan_free(rg);
        aia_image_free(c);
        aia_image_free(g);
        aia_image_free(g2);
        aia_deconv_plan_free(pc);
        aia_deconv_plan_free(pg);
    }
    aia_image_free(in);
    aia_image_free(psf);
}

/* ---- the PSF ----------------------------------------------------------------- */

static void psf(void)
{
    static const int orders[] = {-3, -2, -1, 1, 2, 3};
    aia_psf_options o;
    aia_psf_options_default(&o, quick ? 335 : 171);
    if (quick) {
        o.orders = orders;
        o.norders = 6;
    }
    aia_image *c = NULL, *g = NULL, *g2 = NULL;
    aia_psf_info ic, ig;
    CHECK_OK(aia_psf(&o, &c, &ic));
    o.device = "cuda";
    CHECK_OK(aia_psf(&o, &g, &ig));
    CHECK_OK(aia_psf(&o, &g2, NULL));
    if (c && g && g2) {
        const double *a = c->data, *b = g->data;
        const long count = c->width * c->height;
        const double peak = a[2048 * 4096 + 2048];
        double worst = 0;
        long worse = 0;
        for (long i = 0; i < count; i++)
            if (a[i] > 1e-15 * peak) {
                const double rel = fabs(a[i] - b[i]) / a[i];
                worst = fmax(worst, rel);
                worse += rel > 1e-10;
            }
        CHECK_MSG(worse == 0, "%ld pixels above 1e-15 of the peak beyond 1e-10 (worst %.3g)", worse, worst);
        CHECK(memcmp(g->data, g2->data, sizeof(double) * (size_t)count) == 0);
        printf("PSF of %d A: within %.2g of each value above 1e-15 of the peak; %.1f ms (spikes %.1f, FFT %.1f; "
               "CPU %.0f ms)\n",
               o.channel, worst, 1e3 * (ig.seconds_spikes + ig.seconds_fft), 1e3 * ig.seconds_spikes,
               1e3 * ig.seconds_fft, 1e3 * (ic.seconds_spikes + ic.seconds_fft));
    }
    aia_image_free(c);
    aia_image_free(g);
    aia_image_free(g2);
}

int main(int argc, char **argv)
{
    quick = argc > 1 && strcmp(argv[1], "quick") == 0;
    char device[32], note[512];
    if (aia_device_resolve("cuda", device, sizeof device, note, sizeof note) != AIA_OK) {
        char why[600];
        snprintf(why, sizeof why, "no CUDA device can be used: %s", aia_last_error());
        return test_skip("test_cuda", why);
    }
    printf("test_cuda: on %s%s\n", device, quick ? " (quick: small frames)" : "");
    registration();
    threads();
    deconvolution();
    psf();
    return test_done("test_cuda");
}
