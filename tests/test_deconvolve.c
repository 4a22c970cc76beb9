/* test_deconvolve.c — Richardson–Lucy: aiapy's result (../shared/reference/
 * deconvolve/deconvolve_171.fits: 25 iterations, float64) in double and
 * single precision; exact cases (a delta PSF, zero iterations); a point
 * source gets sharper; NaN pixels stay local; bad shapes; one plan used by
 * two threads at once. */
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SMALL 256

static aia_image *small_psf(double sigma) { return test_small_psf(SMALL, sigma); }

static aia_image *small_image(void)
{
    aia_image *img;
    aia_image_create(SMALL, SMALL, AIA_PIX_F32, &img);
    float *d = img->data;
    for (long y = 0; y < SMALL; y++)
        for (long x = 0; x < SMALL; x++)
            d[y * SMALL + x] = 10.0f + 5.0f * sinf(x * 0.1f) * cosf(y * 0.07f) + (x == 100 && y == 80 ? 500.0f : 0);
    aia_header_set_long(img->header, "WAVELNTH", 171, NULL);
    return img;
}

static aia_deconv_plan *plan_for(const aia_image *psf, aia_pixtype prec)
{
    aia_deconv_plan *p = NULL;
    CHECK_OK(aia_deconv_plan_new(psf, prec, 0, &p));
    return p;
}

static void test_exact_cases(void)
{
    /* a delta PSF: Richardson-Lucy leaves the image as it is */
    aia_image *delta;
    aia_image_create(SMALL, SMALL, AIA_PIX_F64, &delta);
    ((double *)delta->data)[(SMALL / 2) * SMALL + SMALL / 2] = 1.0;
    aia_image *img = small_image(), *out = NULL;
    for (int prec = 0; prec < 2; prec++) {
        aia_deconv_plan *p = plan_for(delta, prec ? AIA_PIX_F64 : AIA_PIX_F32);
        aia_deconv_info info;
        CHECK_OK(aia_deconvolve(p, img, NULL, &out, &info));
        if (out) {
            double worst = 0;
            for (long i = 0; i < SMALL * SMALL; i++) {
                const double v = prec ? ((double *)out->data)[i] : ((float *)out->data)[i];
                worst = fmax(worst, fabs(v - ((float *)img->data)[i]) / ((float *)img->data)[i]);
            }
            CHECK_MSG(worst < (prec ? 1e-12 : 1e-5), "delta PSF, %s: relative change %g",
                      prec ? "double" : "single", worst);
            CHECK(out->pixtype == (prec ? AIA_PIX_F64 : AIA_PIX_F32));
        }
        aia_image_free(out);
        out = NULL;
        /* zero iterations: the (clipped) input */
        aia_deconv_options o;
        aia_deconv_options_default(&o);
        o.iterations = 0;
        CHECK_OK(aia_deconvolve(p, img, &o, &out, NULL));
        if (out)
            for (long i = 0; i < SMALL * SMALL; i++)
                if ((prec ? ((double *)out->data)[i] : ((float *)out->data)[i]) != ((float *)img->data)[i]) {
                    CHECK_MSG(0, "zero iterations changed pixel %ld", i);
                    break;
                }
        aia_image_free(out);
        out = NULL;
        aia_deconv_plan_free(p);
    }
    aia_image_free(img);
    aia_image_free(delta);
}

/* A point source blurred by the PSF comes back sharper: more of its flux in
 * the central pixel, a smaller second moment. */
static void test_sharper(void)
{
    aia_image *psf = small_psf(2.0), *img;
    aia_image_create(SMALL, SMALL, AIA_PIX_F32, &img);
    const double *k = psf->data;
    float *d = img->data;
    for (long i = 0; i < SMALL * SMALL; i++)
        d[i] = (float)(1.0 + 1000.0 * k[i]); /* a point at the centre, on a floor */
    aia_deconv_plan *p = plan_for(psf, AIA_PIX_F32);
    aia_image *out = NULL;
    CHECK_OK(aia_deconvolve(p, img, NULL, &out, NULL));
    if (out) {
        double m_in = 0, m_out = 0, f_in = 0, f_out = 0;
        const float *o = out->data;
        for (long y = SMALL / 2 - 10; y <= SMALL / 2 + 10; y++)
            for (long x = SMALL / 2 - 10; x <= SMALL / 2 + 10; x++) {
                const double r2 = (double)((x - SMALL / 2) * (x - SMALL / 2) + (y - SMALL / 2) * (y - SMALL / 2));
                const double a = d[y * SMALL + x] - 1.0, b = o[y * SMALL + x] - 1.0;
                m_in += r2 * a;
                f_in += a;
                m_out += r2 * b;
                f_out += b;
            }
        const double peak_in = d[(SMALL / 2) * SMALL + SMALL / 2] - 1.0, peak_out = o[(SMALL / 2) * SMALL + SMALL / 2] - 1.0;
        CHECK_MSG(peak_out > 3.0 * peak_in, "peak %g -> %g: not 3x sharper", peak_in, peak_out);
        CHECK_MSG(m_out / f_out < 0.5 * (m_in / f_in), "second moment %g -> %g: not halved", m_in / f_in,
                  m_out / f_out);
        /* Richardson-Lucy keeps the total flux (the PSF sums to 1) */
        double total_in = 0, total_out = 0;
        for (long i = 0; i < SMALL * SMALL; i++) {
            total_in += d[i];
            total_out += o[i];
        }
        CHECK_MSG(fabs(total_out - total_in) < 1e-4 * total_in, "total flux %g -> %g", total_in, total_out);
    }
    aia_image_free(out);
    aia_deconv_plan_free(p);
    aia_image_free(img);
    aia_image_free(psf);
}

static void test_bad_pixels_and_errors(void)
{
    aia_image *psf = small_psf(1.5), *img = small_image(), *out = NULL;
    float *d = img->data;
    d[50 * SMALL + 60] = NAN;
    d[51 * SMALL + 60] = NAN;
    d[0] = NAN; /* a corner */
    d[200 * SMALL + 10] = -3.0f;
    aia_deconv_plan *p = plan_for(psf, AIA_PIX_F32);
    aia_deconv_info info;
    CHECK_OK(aia_deconvolve(p, img, NULL, &out, &info));
    if (out) {
        long nan = 0, neg = 0;
        for (long i = 0; i < SMALL * SMALL; i++) {
            nan += isnan(((float *)out->data)[i]);
            neg += ((float *)out->data)[i] < 0;
        }
        CHECK_MSG(nan == 3 && isnan(((float *)out->data)[0]), "%ld NaN pixels in the output", nan);
        CHECK(info.filled_pixels == 3 && info.negative_pixels == 1 && neg == 0);
        char algo[32];
        CHECK_OK(aia_header_get_string(out->header, "DCNALGO", algo, sizeof algo));
        long long iters = 0;
        CHECK_OK(aia_header_get_long(out->header, "DCNITER", &iters));
        CHECK(iters == 25);
    }
    aia_image_free(out);
    out = NULL;
    /* without clipping, a negative pixel is reported and kept */
    aia_deconv_options o;
    aia_deconv_options_default(&o);
    o.clip_negative = 0;
    CHECK_OK(aia_deconvolve(p, img, &o, &out, &info));
    CHECK(out && info.negative_pixels == 1);
    aia_image_free(out);
    out = NULL;
    /* every pixel NaN */
    for (long i = 0; i < SMALL * SMALL; i++)
        d[i] = NAN;
    CHECK_FAILS(aia_deconvolve(p, img, NULL, &out, NULL), AIA_ERR_BAD_DATA, "every pixel");
    /* shapes */
    aia_image *other;
    aia_image_create(128, 128, AIA_PIX_F32, &other);
    CHECK_FAILS(aia_deconvolve(p, other, NULL, &out, NULL), AIA_ERR_UNSUPPORTED,
                "the image is 128 x 128 but the PSF is 256 x 256");
    aia_image_free(other);
    aia_image *odd;
    aia_image_create(100, 90, AIA_PIX_F64, &odd);
    aia_deconv_plan *bad = NULL;
    CHECK_FAILS(aia_deconv_plan_new(odd, AIA_PIX_F32, 0, &bad), AIA_ERR_ARG, "100 x 90");
    aia_image_free(odd);
    aia_deconv_plan_free(p);
    aia_image_free(img);
    aia_image_free(psf);
}

/* One plan, two threads at once: the same results as one after the other. */
typedef struct job {
    const aia_deconv_plan *p;
    const aia_image *in;
    aia_image *out;
} job;

static void *work(void *arg)
{
    job *j = arg;
    aia_deconvolve(j->p, j->in, NULL, &j->out, NULL);
    return NULL;
}

static void test_reentrant(void)
{
    aia_image *psf = small_psf(1.5), *a = small_image(), *b = small_image();
    ((float *)b->data)[1234] = 900.0f;
    aia_deconv_plan *p = plan_for(psf, AIA_PIX_F32);
    aia_image *ra = NULL, *rb = NULL;
    CHECK_OK(aia_deconvolve(p, a, NULL, &ra, NULL));
    CHECK_OK(aia_deconvolve(p, b, NULL, &rb, NULL));
    job ja = {p, a, NULL}, jb = {p, b, NULL};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, work, &ja);
    pthread_create(&tb, NULL, work, &jb);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(ja.out && jb.out && ra && rb);
    if (ja.out && jb.out && ra && rb) {
        CHECK(memcmp(ja.out->data, ra->data, SMALL * SMALL * sizeof(float)) == 0);
        CHECK(memcmp(jb.out->data, rb->data, SMALL * SMALL * sizeof(float)) == 0);
    }
    aia_image_free(ja.out);
    aia_image_free(jb.out);
    aia_image_free(ra);
    aia_image_free(rb);
    aia_deconv_plan_free(p);
    aia_image_free(a);
    aia_image_free(b);
    aia_image_free(psf);
}

/* aiapy's deconvolve of the 171 frame: double within 1e-12 x range on every
 * sampled pixel, single within 1e-5 relative L2. */
static void test_reference(const char *shared)
{
    char frame[4096], ref[4096];
    snprintf(frame, sizeof frame, "%s/data/level1/aia_lev1_171a_2014_01_01_synthetic.fits", shared);
    snprintf(ref, sizeof ref, "%s/reference/deconvolve/deconvolve_171.fits", shared);
    test_ref_part parts[3];
    CHECK_MSG(test_ref_read(ref, parts) == 0, "cannot read %s", ref);
    aia_psf_options po;
    aia_psf_options_default(&po, 171);
    aia_image *psf = NULL;
    CHECK_OK(aia_psf_cached(&po, NULL, &psf, NULL));
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < 3; k++)
        for (long i = 0; parts[k].data && i < parts[k].w * parts[k].h; i++) {
            lo = fmin(lo, parts[k].data[i]);
            hi = fmax(hi, parts[k].data[i]);
        }
    for (int prec = 1; prec >= 0 && psf && parts[0].data; prec--) {
        aia_image *in = NULL, *out = NULL;
        CHECK_OK(aia_image_read(frame, prec ? AIA_PIX_F64 : AIA_PIX_F32, &in));
        aia_deconv_plan *p = plan_for(psf, prec ? AIA_PIX_F64 : AIA_PIX_F32);
        aia_deconv_info info;
        CHECK_OK(aia_deconvolve(p, in, NULL, &out, &info));
        if (out) {
            double worst = 0, se = 0, sr = 0;
            for (int k = 0; k < 3; k++) {
                const test_ref_part *r = &parts[k];
                for (long j = 0; j < r->h; j++)
                    for (long i = 0; i < r->w; i++) {
                        const long idx = (r->row0 + j * r->stride) * 4096 + r->col0 + i * r->stride;
                        const double want = r->data[j * r->w + i];
                        const double got = prec ? ((double *)out->data)[idx] : ((float *)out->data)[idx];
                        worst = fmax(worst, fabs(got - want));
                        se += (got - want) * (got - want);
                        sr += want * want;
                    }
            }
            if (prec)
                CHECK_MSG(worst <= 1e-12 * (hi - lo), "double: max |diff| %g = %g x range", worst,
                          worst / (hi - lo));
            else
                CHECK_MSG(sqrt(se / sr) <= 1e-5, "single: relative L2 %g", sqrt(se / sr));
            printf("  deconvolve 171, %s: max |diff| = %.2g x range, relative L2 %.2g (%.1f s)\n",
                   prec ? "double" : "single", worst / (hi - lo), sqrt(se / sr), info.seconds);
        }
        aia_image_free(out);
        aia_image_free(in);
        aia_deconv_plan_free(p);
    }
    aia_image_free(psf);
    test_ref_free(parts);
}

int main(void)
{
    test_exact_cases();
    test_sharper();
    test_bad_pixels_and_errors();
    test_reentrant();
    const char *shared = test_shared_dir();
    if (shared)
        test_reference(shared);
    else
        printf("SKIPPED: the comparison with aiapy's deconvolution: no shared data folder\n");
    return test_done("test_deconvolve");
}
