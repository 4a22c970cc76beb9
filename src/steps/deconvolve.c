/* deconvolve.c — aiapy's deconvolve: Richardson–Lucy with the instrument
 * PSF, behind a plan built once per channel (the backend's: the PSF's
 * spectrum and its FFT plans, kernels/backend.h) and executed on many
 * images. This file checks inputs, fills bad pixels, clips, and makes the
 * output. */
#include "core/core.h"
#include "kernels/backend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct aia_deconv_plan {
    aia_precision precision;
    long n;
    const aia_backend *backend;
    aia_backend_deconv *kernel; /* the backend's plan */
    char psf_model[72];
};

void aia_deconv_options_default(aia_deconv_options *o)
{
    o->iterations = 25;
    o->clip_negative = 1;
}

int aia_deconv_plan_new(const aia_image *psf, aia_precision precision, aia_deconv_plan **out)
{
    *out = NULL;
    aia_clear_error();
    const long n = psf->width;
    if (psf->height != n || n < 16 || n % 8 != 0)
        return aia_fail(AIA_ERR_ARG, "the PSF is %ld x %ld: it must be square, with a size that is a "
                                     "multiple of 8 (aiapy's is 4096 x 4096)",
                        psf->width, psf->height);
    aia_deconv_plan *p = calloc(1, sizeof *p);
    if (!p)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    p->precision = precision;
    p->n = n;
    if (aia_header_get_string(psf->header, "PSFMODEL", p->psf_model, sizeof p->psf_model))
        snprintf(p->psf_model, sizeof p->psf_model, "user PSF");
    aia_clear_error();
    p->backend = aia_backend_get();
    aia_image *centred = NULL; /* the backend takes the PSF in double */
    const aia_image *psf64 = psf;
    int st = AIA_OK;
    if (psf->pixtype != AIA_PIX_F64) {
        st = aia_image_alloc(n, n, AIA_PIX_F64, 0, &centred);
        if (!st) {
            const float *src = psf->data;
            double *dst = centred->data;
            for (long i = 0; i < n * n; i++)
                dst[i] = src[i];
            psf64 = centred;
        }
    }
    if (!st)
        st = p->backend->deconv_plan_new(psf64->data, n, precision == AIA_PRECISION_DOUBLE ? AIA_PIX_F64 : AIA_PIX_F32,
                                         &p->kernel);
    aia_image_free(centred);
    if (st) {
        aia_deconv_plan_free(p);
        return st;
    }
    *out = p;
    return AIA_OK;
}

void aia_deconv_plan_free(aia_deconv_plan *p)
{
    if (!p)
        return;
    if (p->kernel)
        p->backend->deconv_plan_free(p->kernel);
    free(p);
}

/* ---- the observed image: bad pixels filled, negatives clipped ---------- */

static double value(const aia_image *img, size_t i)
{
    return img->pixtype == AIA_PIX_F64 ? ((const double *)img->data)[i]
                                       : (double)((const float *)img->data)[i];
}

/* Mean of the finite pixels in the smallest box (radius 1, 2, 4, ... 64)
 * around (x, y) that has any; NAN if none has. */
static double local_mean(const aia_image *img, long x, long y)
{
    for (long r = 1; r <= 64; r *= 2) {
        double sum = 0;
        long count = 0;
        for (long yy = y - r; yy <= y + r; yy++) {
            if (yy < 0 || yy >= img->height)
                continue;
            for (long xx = x - r; xx <= x + r; xx++) {
                if (xx < 0 || xx >= img->width)
                    continue;
                const double v = value(img, (size_t)(yy * img->width + xx));
                if (isfinite(v)) {
                    sum += v;
                    count++;
                }
            }
        }
        if (count)
            return sum / (double)count;
    }
    return NAN;
}

/* Fill bad pixels (and clip negatives) into `dst`, as double; counts. */
static int prepare(const aia_image *in, int clip, double *dst, long long *filled, long long *negative)
{
    const size_t n = (size_t)in->width * (size_t)in->height;
    long long bad = 0, neg = 0;
#pragma omp parallel for schedule(static) reduction(+ : bad, neg)
    for (size_t i = 0; i < n; i++) {
        const double v = value(in, i);
        bad += !isfinite(v);
        neg += v < 0;
        dst[i] = v;
    }
    if (bad == (long long)n)
        return aia_fail(AIA_ERR_BAD_DATA, "every pixel is NaN/BLANK: nothing to deconvolve");
    if (bad) {
        aia_stats st;
        aia_image_stats(in, &st);
#pragma omp parallel for schedule(dynamic, 4096)
        for (size_t i = 0; i < n; i++)
            if (!isfinite(value(in, i))) {
                const double m = local_mean(in, (long)(i % (size_t)in->width), (long)(i / (size_t)in->width));
                dst[i] = isfinite(m) ? m : st.median;
            }
    }
    if (clip)
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++)
            dst[i] = dst[i] < 0 ? 0 : dst[i];
    *filled = bad;
    *negative = neg;
    return AIA_OK;
}

/* ---- the whole step ----------------------------------------------------- */

static int run(const aia_deconv_plan *p, const double *prepared, int iterations, aia_image *out)
{
    const size_t n = (size_t)p->n * (size_t)p->n;
    const int dbl = p->precision == AIA_PRECISION_DOUBLE;
    const size_t size = dbl ? sizeof(double) : sizeof(float);
    void *img = aia_backend_alloc(n * size), *u = aia_backend_alloc(n * size);
    int st = img && u ? AIA_OK : aia_fail(AIA_ERR_NOMEM, "out of memory for the deconvolution");
    if (!st && dbl) {
        memcpy(img, prepared, n * size);
    } else if (!st) {
        float *f = img;
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++)
            f[i] = (float)prepared[i];
    }
    if (!st)
        st = p->backend->deconv_run(p->kernel, img, u, iterations);
    if (!st)
        memcpy(out->data, u, n * size);
    aia_backend_free(img);
    aia_backend_free(u);
    return st;
}

static int mark_header(aia_header *h, const aia_deconv_plan *p, const aia_deconv_options *o)
{
    int st = aia_header_set_string(h, "DCNALGO", "Richardson-Lucy", "PSF deconvolution (aiapy deconvolve)");
    st = st ? st : aia_header_set_long(h, "DCNITER", o->iterations, "iterations");
    st = st ? st : aia_header_set_string(h, "DCNPSF", p->psf_model, "PSF");
    st = st ? st : aia_header_set_string(h, "DCNPREC", p->precision == AIA_PRECISION_DOUBLE ? "double" : "single",
                                         "arithmetic");
    return st;
}

int aia_deconvolve(const aia_deconv_plan *p, const aia_image *in, const aia_deconv_options *opts,
                   const char *path, aia_image **out, aia_deconv_info *info)
{
    *out = NULL;
    aia_clear_error();
    const char *file = path ? path : "(image)";
    aia_deconv_options defaults;
    if (!opts) {
        aia_deconv_options_default(&defaults);
        opts = &defaults;
    }
    if (in->width != p->n || in->height != p->n)
        return aia_fail(AIA_ERR_UNSUPPORTED,
                        "%s: the image is %ld x %ld but the PSF is %ld x %ld: deconvolve the full "
                        "level-1 frame, before registration",
                        file, in->width, in->height, p->n, p->n);
    if (opts->iterations < 0)
        return aia_fail(AIA_ERR_ARG, "%s: %d iterations", file, opts->iterations);
    const size_t n = (size_t)p->n * (size_t)p->n;
    double *prepared = malloc(n * sizeof *prepared);
    if (!prepared)
        return aia_fail(AIA_ERR_NOMEM, "%s: out of memory", file);
    aia_deconv_info local = {0};
    aia_image *img = NULL;
    int st = prepare(in, opts->clip_negative, prepared, &local.filled_pixels, &local.negative_pixels);
    if (!st)
        st = aia_image_alloc(p->n, p->n, p->precision == AIA_PRECISION_DOUBLE ? AIA_PIX_F64 : AIA_PIX_F32,
                             0, &img);
    const double t0 = aia_now();
    if (!st)
        st = run(p, prepared, opts->iterations, img);
    local.seconds = aia_now() - t0;
    free(prepared);
    if (!st && local.filled_pixels) /* bad pixels are NaN again */
        for (size_t i = 0; i < n; i++)
            if (!isfinite(value(in, i))) {
                if (img->pixtype == AIA_PIX_F64)
                    ((double *)img->data)[i] = NAN;
                else
                    ((float *)img->data)[i] = NAN;
            }
    if (!st) {
        aia_header_free(img->header);
        img->header = NULL;
        st = aia_header_copy(in->header, &img->header);
    }
    if (!st)
        st = mark_header(img->header, p, opts);
    if (st) {
        aia_image_free(img);
        aia_error_prefix(file);
        return st;
    }
    if (info)
        *info = local;
    *out = img;
    return AIA_OK;
}
