/* deconvolve.c — aiapy's deconvolve: Richardson–Lucy with the instrument
 * PSF, behind a plan built once per channel (the backend's: the PSF's
 * spectrum and its FFT plans, kernels/backend.h) and executed on many
 * images. This file checks inputs, fills bad pixels, clips, and makes the
 * output. */
#include "core/core.h"
#include "kernels/backend.h"
#include "steps/register_plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct aia_deconv_plan {
    aia_pixtype precision;
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

int aia_deconv_plan_new(const aia_image *psf, aia_pixtype precision, int threads, aia_deconv_plan **out)
{
    return aia_deconv_plan_new_on(psf, precision, threads, "cpu", out);
}

int aia_deconv_plan_new_on(const aia_image *psf, aia_pixtype precision, int threads, const char *device,
                           aia_deconv_plan **out)
{
    *out = NULL;
    aia_clear_error();
    const long n = psf->width;
    if (psf->height != n || n < 16 || n % 8 != 0)
        return aia_fail(AIA_ERR_ARG, "the PSF is %ld x %ld: it must be square, with a size that is a "
                                     "multiple of 8 (aiapy's is 4096 x 4096)",
                        psf->width, psf->height);
    if (precision != AIA_PIX_F32 && precision != AIA_PIX_F64)
        return aia_fail(AIA_ERR_ARG, "deconvolution precision %d: float32 or float64", (int)precision);
    const aia_backend *backend = NULL;
    int st = aia_backend_open(device, &backend, NULL, 0);
    if (st)
        return st;
    aia_deconv_plan *p = calloc(1, sizeof *p);
    if (!p)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    p->precision = precision;
    p->n = n;
    if (aia_header_get_string(psf->header, "PSFMODEL", p->psf_model, sizeof p->psf_model))
        snprintf(p->psf_model, sizeof p->psf_model, "user PSF");
    aia_clear_error();
    p->backend = backend;
    aia_image *psf64 = NULL; /* the backend takes the PSF in double */
    if (psf->pixtype != AIA_PIX_F64) {
        st = aia_image_alloc(n, n, AIA_PIX_F64, 0, &psf64);
        for (long i = 0; !st && i < n * n; i++)
            ((double *)psf64->data)[i] = aia_pixel(psf->data, psf->pixtype, (size_t)i);
    }
    if (!st)
        st = p->backend->deconv_plan_new(p->backend, psf64 ? psf64->data : psf->data, n, precision, threads,
                                         &p->kernel);
    aia_image_free(psf64);
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

aia_pixtype aia_deconv_plan_precision(const aia_deconv_plan *plan) { return plan->precision; }

const char *aia_deconv_plan_device(const aia_deconv_plan *plan) { return plan->backend->device; }

/* ---- the observed image: bad pixels filled, negatives clipped ---------- */

static double at(aia_view v, long x, long y) { return aia_pixel(aia_view_row(v, y), v.type, (size_t)x); }

/* Mean of the finite pixels in the smallest box (radius 1, 2, 4, ... 64)
 * around (x, y) that has any; NAN if none has. */
static double local_mean(aia_view v, long x, long y)
{
    for (long r = 1; r <= 64; r *= 2) {
        double sum = 0;
        long count = 0;
        for (long yy = y - r; yy <= y + r; yy++) {
            if (yy < 0 || yy >= v.height)
                continue;
            for (long xx = x - r; xx <= x + r; xx++) {
                if (xx < 0 || xx >= v.width)
                    continue;
                const double p = at(v, xx, yy);
                if (isfinite(p)) {
                    sum += p;
                    count++;
                }
            }
        }
        if (count)
            return sum / (double)count;
    }
    return NAN;
}

/* The input into `dst` (n x n doubles) with bad pixels filled and
 * negatives clipped; counts. */
static int prepare(aia_view in, int clip, double *dst, long long *filled, long long *negative)
{
    const long w = in.width, h = in.height;
    long long bad = 0, neg = 0;
#pragma omp parallel for schedule(static) reduction(+ : bad, neg)
    for (long y = 0; y < h; y++)
        for (long x = 0; x < w; x++) {
            const double v = at(in, x, y);
            bad += !isfinite(v);
            neg += v < 0;
            dst[y * w + x] = v;
        }
    if (bad == (long long)w * h)
        return aia_fail(AIA_ERR_BAD_DATA, "every pixel is NaN/BLANK: nothing to deconvolve");
    if (bad) {
        const double median = aia_view_median(in);
#pragma omp parallel for schedule(dynamic, 1)
        for (long y = 0; y < h; y++)
            for (long x = 0; x < w; x++)
                if (!isfinite(at(in, x, y))) {
                    const double m = local_mean(in, x, y);
                    dst[y * w + x] = isfinite(m) ? m : median;
                }
    }
    if (clip)
#pragma omp parallel for schedule(static)
        for (long i = 0; i < w * h; i++)
            dst[i] = dst[i] < 0 ? 0 : dst[i];
    *filled = bad;
    *negative = neg;
    return AIA_OK;
}

/* ---- the whole step ----------------------------------------------------- */

/* The prepared pixels in the plan's precision, in a backend buffer. */
static void *plan_image(const aia_deconv_plan *p, const double *prepared)
{
    const size_t n = (size_t)p->n * (size_t)p->n;
    const int dbl = p->precision == AIA_PIX_F64;
    void *img = aia_backend_alloc(n * (dbl ? sizeof(double) : sizeof(float)));
    if (!img) {
        aia_fail(AIA_ERR_NOMEM, "out of memory for the deconvolution");
        return NULL;
    }
    if (dbl) {
        memcpy(img, prepared, n * sizeof(double));
    } else {
        float *f = img;
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++)
            f[i] = (float)prepared[i];
    }
    return img;
}

/* The iterations on the prepared pixels, into out; NaN again where in has
 * a bad pixel (when there are any). */
static int run(const aia_deconv_plan *p, const double *prepared, int iterations, aia_view in, long long filled,
               aia_view out)
{
    const size_t n = (size_t)p->n * (size_t)p->n;
    const size_t size = p->precision == AIA_PIX_F64 ? sizeof(double) : sizeof(float);
    void *img = plan_image(p, prepared), *u = aia_backend_alloc(n * size);
    int st = img && u ? AIA_OK : aia_fail(AIA_ERR_NOMEM, "out of memory for the deconvolution");
    if (!st)
        st = p->backend->deconv_run(p->kernel, img, u, iterations);
    if (!st) {
#pragma omp parallel for schedule(static)
        for (long y = 0; y < p->n; y++) {
            void *row = aia_view_row(out, y);
            const size_t first = (size_t)y * (size_t)p->n;
            if (out.type == p->precision) {
                memcpy(row, (const char *)u + first * size, (size_t)p->n * size);
            } else {
                for (long x = 0; x < p->n; x++)
                    aia_pixel_set(row, out.type, (size_t)x, aia_pixel(u, p->precision, first + (size_t)x));
            }
            for (long x = 0; filled && x < p->n; x++)
                if (!isfinite(at(in, x, y)))
                    aia_pixel_set(row, out.type, (size_t)x, NAN);
        }
    }
    aia_backend_free(img);
    aia_backend_free(u);
    return st;
}

int aia_deconvolve_header(const aia_deconv_plan *p, const aia_deconv_options *o, aia_header *h)
{
    aia_deconv_options defaults;
    if (!o) {
        aia_deconv_options_default(&defaults);
        o = &defaults;
    }
    int st = aia_header_set_string(h, "DCNALGO", "Richardson-Lucy", "PSF deconvolution (aiapy deconvolve)");
    st = st ? st : aia_header_set_long(h, "DCNITER", o->iterations, "iterations");
    st = st ? st : aia_header_set_string(h, "DCNPSF", p->psf_model, "PSF");
    st = st ? st : aia_header_set_string(h, "DCNPREC", p->precision == AIA_PIX_F64 ? "double" : "single",
                                         "arithmetic");
    return st;
}

int aia_deconvolve_check_input(const aia_deconv_plan *p, aia_view in)
{
    int st = aia_view_check(in, "deconvolution input");
    if (st)
        return st;
    if (in.width != p->n || in.height != p->n)
        return aia_fail(AIA_ERR_UNSUPPORTED,
                        "the image is %ld x %ld but the PSF is %ld x %ld: deconvolve the full level-1 frame, "
                        "before registration",
                        in.width, in.height, p->n, p->n);
    return AIA_OK;
}

int aia_deconvolve_execute(const aia_deconv_plan *p, aia_view in, aia_view out, const aia_deconv_options *opts,
                           aia_deconv_info *info)
{
    aia_clear_error();
    aia_deconv_options defaults;
    if (!opts) {
        aia_deconv_options_default(&defaults);
        opts = &defaults;
    }
    int st = aia_deconvolve_check_input(p, in);
    st = st ? st : aia_view_check(out, "deconvolution output");
    if (st)
        return st;
    if (out.width != p->n || out.height != p->n)
        return aia_fail(AIA_ERR_ARG, "the output is %ld x %ld, the PSF %ld x %ld", out.width, out.height, p->n, p->n);
    if (opts->iterations < 0)
        return aia_fail(AIA_ERR_ARG, "%d iterations", opts->iterations);
    const size_t n = (size_t)p->n * (size_t)p->n;
    double *prepared = malloc(n * sizeof *prepared);
    if (!prepared)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    aia_deconv_info local = {0};
    st = prepare(in, opts->clip_negative, prepared, &local.filled_pixels, &local.negative_pixels);
    const double t0 = aia_now();
    if (!st)
        st = run(p, prepared, opts->iterations, in, local.filled_pixels, out);
    local.seconds = aia_now() - t0;
    free(prepared);
    if (!st && info)
        *info = local;
    return st;
}

int aia_deconvolve(const aia_deconv_plan *p, const aia_image *in, const aia_deconv_options *opts, aia_image **out,
                   aia_deconv_info *info)
{
    *out = NULL;
    aia_image *img = NULL;
    int st = aia_image_alloc(p->n, p->n, p->precision, 0, &img);
    if (!st && in->width == p->n && in->height == p->n) {
        aia_header_free(img->header);
        img->header = NULL;
        st = aia_header_copy(in->header, &img->header);
    }
    if (!st)
        st = aia_deconvolve_execute(p, aia_image_view(in), aia_image_view(img), opts, info);
    if (!st)
        st = aia_deconvolve_header(p, opts, img->header);
    if (st) {
        aia_image_free(img);
        return st;
    }
    *out = img;
    return AIA_OK;
}

/* ---- level 1.6: deconvolution, then registration ---------------------- */

/* The flat indices of the bad pixels of in (n x n), count of them known. */
static long *bad_pixels(aia_view in, long long count)
{
    long *bad = malloc(sizeof *bad * (size_t)(count > 0 ? count : 1));
    long k = 0;
    for (long y = 0; bad && y < in.height; y++)
        for (long x = 0; x < in.width; x++)
            if (!isfinite(at(in, x, y)) && k < count)
                bad[k++] = y * in.width + x;
    if (!bad)
        aia_fail(AIA_ERR_NOMEM, "out of memory");
    return bad;
}

int aia_deconvolve_register_execute(const aia_deconv_plan *p, const aia_register_plan *reg, aia_view in,
                                    aia_view out, const aia_deconv_options *opts, aia_workspace *ws,
                                    aia_deconv_info *dinfo, aia_register_info *rinfo)
{
    aia_clear_error();
    aia_deconv_options defaults;
    if (!opts) {
        aia_deconv_options_default(&defaults);
        opts = &defaults;
    }
    const aia_backend *b = p->backend;
    const size_t n = (size_t)p->n * (size_t)p->n;
    if (aia_register_plan_backend(reg) != b || !b->deconv_register) {
        /* one step after the other, through a float32 frame in host memory */
        float *frame = aia_backend_alloc(n * sizeof(float));
        if (!frame)
            return aia_fail(AIA_ERR_NOMEM, "out of memory");
        int st = aia_deconvolve_execute(p, in, aia_view_of(frame, p->n, p->n, p->n, AIA_PIX_F32), opts, dinfo);
        if (!st)
            st = aia_register_execute(reg, aia_view_of(frame, p->n, p->n, p->n, AIA_PIX_F32), out, ws, rinfo);
        aia_backend_free(frame);
        return st;
    }
    /* on one device: the frame stays there between the two steps */
    long w, h;
    aia_register_plan_shape(reg, &w, &h);
    int st = aia_deconvolve_check_input(p, in);
    st = st ? st : aia_view_check(out, "registration output");
    if (st)
        return st;
    if (out.type != AIA_PIX_F32 || out.width != w || out.height != h)
        return aia_fail(AIA_ERR_ARG, "the output is %ld x %ld (%s), the registration's %ld x %ld float32",
                        out.width, out.height, out.type == AIA_PIX_F32 ? "float32" : "float64", w, h);
    if (opts->iterations < 0)
        return aia_fail(AIA_ERR_ARG, "%d iterations", opts->iterations);
    double *prepared = malloc(n * sizeof *prepared);
    if (!prepared)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    aia_deconv_info local = {0};
    st = prepare(in, opts->clip_negative, prepared, &local.filled_pixels, &local.negative_pixels);
    void *img = st ? NULL : plan_image(p, prepared);
    free(prepared);
    long *bad = img && local.filled_pixels ? bad_pixels(in, local.filled_pixels) : NULL;
    if (!st && (!img || (local.filled_pixels && !bad)))
        st = AIA_ERR_NOMEM;
    const double t0 = aia_now();
    aia_register_pixel_info px = {0};
    if (!st)
        st = b->deconv_register(p->kernel, img, opts->iterations, bad, bad ? (long)local.filled_pixels : 0,
                                aia_register_plan_pixels(reg), out.data, out.stride, &px);
    local.seconds = aia_now() - t0;
    aia_backend_free(img);
    free(bad);
    if (st)
        return st;
    if (dinfo)
        *dinfo = local;
    aia_register_info_fill(reg, &px, rinfo);
    return AIA_OK;
}
