/* bench_deconvolve.c — Richardson-Lucy, 25 iterations, on the 171 A frame
 * (the shared sample, else synthetic) with aiapy's 171 PSF: medians in single
 * and double precision, the plan's cost, and the floor measured in the same
 * run: 25 iterations are 100 real 4096² FFTs, i.e. 50 r2c + c2r pairs of
 * FFTW's own 2-D transforms (FFTW_MEASURE, all threads). aiapy's numpy
 * deconvolve took 27.7 s for this frame (the reference file's REF SECONDS). */
#include "aiaprep.h"
#include "bench_util.h"

#include <fftw3.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#define RUNS 3

/* Median time of an r2c + c2r pair of 4096² 2-D FFTs (float or double). */
static double fft_pair(int dbl)
{
    const int n = 4096;
    double t[RUNS + 1];
    if (dbl) {
        double *r = fftw_alloc_real((size_t)n * n);
        fftw_complex *c = fftw_alloc_complex((size_t)n * (n / 2 + 1));
        fftw_plan_with_nthreads(omp_get_max_threads());
        fftw_plan f = fftw_plan_dft_r2c_2d(n, n, r, c, FFTW_MEASURE);
        fftw_plan b = fftw_plan_dft_c2r_2d(n, n, c, r, FFTW_MEASURE);
        for (long i = 0; i < (long)n * n; i++)
            r[i] = (double)(i % 97);
        for (int k = 0; k <= RUNS; k++) {
            double t0 = bench_now();
            fftw_execute(f);
            fftw_execute(b);
            t[k] = bench_now() - t0;
        }
        fftw_destroy_plan(f);
        fftw_destroy_plan(b);
        fftw_free(r);
        fftw_free(c);
    } else {
        float *r = fftwf_alloc_real((size_t)n * n);
        fftwf_complex *c = fftwf_alloc_complex((size_t)n * (n / 2 + 1));
        fftwf_plan_with_nthreads(omp_get_max_threads());
        fftwf_plan f = fftwf_plan_dft_r2c_2d(n, n, r, c, FFTW_MEASURE);
        fftwf_plan b = fftwf_plan_dft_c2r_2d(n, n, c, r, FFTW_MEASURE);
        for (long i = 0; i < (long)n * n; i++)
            r[i] = (float)(i % 97);
        for (int k = 0; k <= RUNS; k++) {
            double t0 = bench_now();
            fftwf_execute(f);
            fftwf_execute(b);
            t[k] = bench_now() - t0;
        }
        fftwf_destroy_plan(f);
        fftwf_destroy_plan(b);
        fftwf_free(r);
        fftwf_free(c);
    }
    return bench_median(t + 1, RUNS); /* the first run warms up */
}

int main(void)
{
    char sample[4096];
    const char *shared = getenv("AIAPREP_DATA");
    snprintf(sample, sizeof sample, "%s/data/level1/aia_lev1_171a_2014_01_01_synthetic.fits",
             shared && *shared ? shared : AIAPREP_DEFAULT_SHARED);
    aia_image *in = NULL;
    const char *source = sample;
    if (aia_image_read(sample, AIA_PIX_F32, &in) != AIA_OK) {
        aia_synth_params p;
        aia_synth_defaults(171, 4096, &p);
        aia_synth(&p, &in);
        source = "aiaprep synth --channel 171";
    }
    printf("frame: %s\n", source);
    bench_header("aiaprep bench_deconvolve: Richardson-Lucy, 25 iterations, 4096 x 4096");
    aia_psf_options po;
    aia_psf_options_default(&po, 171);
    aia_image *psf = NULL;
    if (aia_psf_cached(&po, NULL, &psf, NULL)) {
        fprintf(stderr, "psf: %s\n", aia_last_error());
        return 1;
    }
    for (int prec = 0; prec < 2; prec++) {
        double t0 = bench_now();
        aia_deconv_plan *plan = NULL;
        if (aia_deconv_plan_new(psf, prec ? AIA_PIX_F64 : AIA_PIX_F32, 0, &plan)) {
            fprintf(stderr, "plan: %s\n", aia_last_error());
            return 1;
        }
        const double plan_time = bench_now() - t0;
        if (prec)
            aia_image_convert(in, AIA_PIX_F64);
        double runs[RUNS];
        for (int k = 0; k < RUNS; k++) {
            aia_image *out = NULL;
            aia_deconv_info info;
            aia_deconvolve(plan, in, NULL, &out, &info);
            runs[k] = info.seconds;
            aia_image_free(out);
        }
        const double floor = 50.0 * fft_pair(prec);
        const double med = bench_median(runs, RUNS);
        printf("%s precision: plan %.2f s (PSF spectrum, FFTW plans; wisdom from the cache)\n",
               prec ? "double" : "single", plan_time);
        bench_row(prec ? "  25 iterations, double" : "  25 iterations, single", runs, RUNS);
        printf("  floor, 50 FFTW 2-D r2c+c2r pairs: %.2f s; this: %.2f x the floor; aiapy 27.7 s: %.1fx\n",
               floor, med / floor, 27.7 / med);
        aia_deconv_plan_free(plan);
    }
    aia_image_free(psf);
    aia_image_free(in);
    return 0;
}
