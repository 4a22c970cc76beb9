/* backend_cpu.c — the CPU backend's table (kernels/backend.h) for the
 * instruction-set level this copy is compiled for (variant.h): the PSF (the
 * patterns, which are level-independent, then this level's composite) and
 * the deconvolution plans, one of the two precisions of deconv_kernel.h. */
#include "kernels/backend.h"
#include "kernels/cpu/deconvolve_impl.h"
#include "kernels/cpu/fft.h"
#include "kernels/psf_pattern.h"

#include <fftw3.h>

#include <stdlib.h>

int aia_cpu_register_pixels(const aia_backend *b, const aia_register_geometry *g, const float *in, long in_stride,
                            const aia_input_range *known, float *out, long out_stride, aia_workspace *ws,
                            aia_register_pixel_info *info);
int aia_cpu_psf_composite(double *e, double *f, long n, int threads, double *out);

static int aia_cpu_psf_make(const aia_backend *b, const aia_psf_model *model, int threads, double *out,
                            double seconds[2])
{
    (void)b;
    const double t0 = aia_now();
    double *pe = NULL, *pf = NULL;
    int st = aia_psf_patterns_cpu(model, &pe, &pf);
    const double t1 = aia_now();
    if (!st)
        st = aia_cpu_psf_composite(pe, pf, AIA_PSF_N, threads, out);
    aia_backend_free(pe);
    aia_backend_free(pf);
    seconds[0] = t1 - t0;
    seconds[1] = aia_now() - t1;
    return st;
}

struct aia_backend_deconv {
    aia_pixtype precision;
    aia_deconv_single_plan *single;
    aia_deconv_double_plan *dbl;
};

static void aia_cpu_deconv_plan_free(aia_backend_deconv *p)
{
    if (!p)
        return;
    aia_deconv_single_plan_free(p->single);
    aia_deconv_double_plan_free(p->dbl);
    free(p);
}

/* rfft2(fftshift(psf)): the PSF with its centre moved to (0, 0), n x
 * (n/2+1) complex doubles (NULL when out of memory). */
static double *psf_spectrum(const double *psf, long n, int threads)
{
    const long h = n / 2, nc = n / 2 + 1;
    double *shifted = fftw_alloc_real((size_t)n * (size_t)n);
    fftw_complex *spec = fftw_alloc_complex((size_t)n * (size_t)nc);
    fftw_plan plan = shifted && spec ? aia_fft_plan_r2c((int)n, (int)n, shifted, spec, threads, 0) : NULL;
    if (!plan) {
        fftw_free(shifted);
        fftw_free(spec);
        return NULL;
    }
#pragma omp parallel for schedule(static)
    for (long r = 0; r < n; r++)
        for (long c = 0; c < n; c++)
            shifted[r * n + c] = psf[((r + h) % n) * n + (c + h) % n];
    fftw_execute(plan);
    fftw_destroy_plan(plan);
    fftw_free(shifted);
    return (double *)spec;
}

static int aia_cpu_deconv_plan_new(const aia_backend *b, const double *psf, long n, aia_pixtype precision,
                                   int threads, aia_backend_deconv **out)
{
    (void)b;
    *out = NULL;
    aia_backend_deconv *p = calloc(1, sizeof *p);
    if (!p)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    p->precision = precision;
    double *spectrum = psf_spectrum(psf, n, threads);
    int st = spectrum ? AIA_OK : aia_fail(AIA_ERR_NOMEM, "out of memory for the PSF spectrum");
    if (!st)
        st = precision == AIA_PIX_F64 ? aia_deconv_double_plan_new(spectrum, n, &p->dbl)
                                      : aia_deconv_single_plan_new(spectrum, n, &p->single);
    fftw_free(spectrum);
    if (st) {
        aia_cpu_deconv_plan_free(p);
        return st;
    }
    *out = p;
    return AIA_OK;
}

static int aia_cpu_deconv_run(const aia_backend_deconv *p, const void *img, void *u, int iterations)
{
    return p->precision == AIA_PIX_F64 ? aia_deconv_double_run(p->dbl, img, u, iterations)
                                       : aia_deconv_single_run(p->single, img, u, iterations);
}

const aia_backend aia_backend_cpu = {
    .name = "cpu",
    .kernels = AIA_VARIANT_STR(AIA_VARIANT),
    .device = "cpu",
    .register_pixels = aia_cpu_register_pixels,
    .psf_make = aia_cpu_psf_make,
    .deconv_plan_new = aia_cpu_deconv_plan_new,
    .deconv_run = aia_cpu_deconv_run,
    .deconv_plan_free = aia_cpu_deconv_plan_free,
};
