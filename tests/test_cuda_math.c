/* test_cuda_math.c — the CUDA backend's per-pixel arithmetic, run on the
 * host. The device kernels are thin: each thread works out its pixel (or
 * chunk of a line, or tile) from the launch grid and calls an AIA_HD
 * function of a src/kernels/cuda/ header (register_math.h, deconv_math.h,
 * psf_math.h). Here the same functions run in
 * host loops over the same grids, in the same order of passes as the
 * kernels (registration: scan, NaN substitute by radix selection, padded
 * frame, chunked prefilter with transposes, sampling, NaN blobs;
 * deconvolution: FFTW's 2-D transforms standing in for cuFFT's; the PSF:
 * the tile lists, the spike sums, the tile-row sums, the mix, the
 * composite), and the results are compared with the CPU backend's:
 *   registration: the generic level's bytes when each line is one chunk,
 *     within 1e-6 of the range with the device's chunks;
 *   deconvolution: within 1e-6 relative L2 (single) and 1e-12 of the range
 *     (double) of the CPU backend;
 *   PSF: the patterns are the CPU's bytes; the PSF within 1e-12 of each
 *     value above 1e-15 of the peak.
 * Always built and run: it needs no GPU and no CUDA toolkit. */
#include "testutil.h"

#include "kernels/backend.h"
#include "kernels/cuda/deconv_math.h"
#include "kernels/cuda/psf_tiles.h"
#include "kernels/cuda/register_math.h"
#include "kernels/psf_pattern.h"
#include "steps/psf_model.h"
#include "steps/register_plan.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

extern const aia_backend aia_backend_cpu_generic;

/* ---- registration ------------------------------------------------------- */

/* The k-th smallest finite value by the device's radix passes: 8 bits at a
 * time from the top, a histogram over the values whose key has the digits
 * chosen so far. */
static float radix_select(const float *v, long n, unsigned long long rank)
{
    uint32_t prefix = 0, mask = 0;
    for (int shift = 24; shift >= 0; shift -= 8) {
        unsigned long long hist[256] = {0};
        for (long i = 0; i < n; i++) {
            uint32_t bits;
            memcpy(&bits, &v[i], 4);
            const uint32_t key = aia_cu_float_key(bits);
            if (aia_cu_finite(v[i]) && (key & mask) == prefix)
                hist[(key >> shift) & 255u]++;
        }
        const int d = aia_cu_pick_digit(hist, &rank);
        prefix |= (uint32_t)d << shift;
        mask |= 255u << shift;
    }
    const uint32_t bits = aia_cu_key_bits(prefix);
    float out;
    memcpy(&out, &bits, 4);
    return out;
}

/* Filter lines of n samples (sample i of line k at buf[i * ld + k], nlines
 * lines) in chunks of `chunk`, ping-ponging between a and b, the last pass
 * rounded through float or stored in yf: the kernels' order. The result is
 * in a (or yf). */
static void filter_lines(double *a, double *b, float *yf, int round_last, long ld, long nlines, long n, int order,
                         long chunk)
{
    aia_cu_pass passes[2];
    const int np = aia_cu_line_passes(order, n, passes);
    for (int p = 0; p < np; p++) {
        const aia_cu_pass *q = &passes[p];
        const int last = p == np - 1;
        for (long k = 0; k < nlines; k++)
            for (long c0 = 0; c0 < n; c0 += chunk)
                aia_cu_causal_chunk(a + k, b + k, ld, n, c0, c0 + chunk < n ? c0 + chunk : n, q->z, q->g, q->zn1,
                                    q->warm);
        for (long k = 0; k < nlines; k++)
            for (long c0 = 0; c0 < n; c0 += chunk)
                aia_cu_anticausal_chunk(b + k, a + k, last && yf ? yf + k : NULL, last && round_last, ld, n, c0,
                                        c0 + chunk < n ? c0 + chunk : n, q->z, q->warm);
    }
}

/* The dilated NaN mask, in two halves (rows, then columns), and the NaN
 * blobs it gives the output. */
static void nan_blobs(const aia_register_geometry *g, const float *in, long stride, float mn, float mx,
                      long long bad, float *out, long long *nan_out)
{
    if (!bad)
        return;
    const long ny = g->ny, NX = g->NX, NY = g->NY;
    static const int radius[6] = {0, 0, 2, 2, 3, 3};
    const int r = radius[g->order];
    aia_cu_sampling s = {NX, NY, g->map, g->win, g->kernel, g->order, mn, mn, mx};
    uint8_t *h = calloc((size_t)(ny * NX), 1), *mask = calloc((size_t)(NX * NY), 1);
    for (long y = 0; y < ny; y++)
        for (long X = 0; X < NX; X++)
            h[y * NX + X] = aia_cu_bad_near(in, g->nx, stride, g->pad_x, r, y, X);
    for (long Y = 0; Y < NY; Y++)
        for (long X = 0; X < NX; X++)
            for (long dy = -r; dy <= r; dy++) {
                const long y = Y - g->pad_y + dy;
                if (y >= 0 && y < ny && h[y * NX + X])
                    mask[Y * NX + X] = 1;
            }
    for (long j = 0; j < g->win.h; j++)
        for (long i = 0; i < g->win.w; i++)
            if (aia_cu_mask_hit(mask, &s, g->order < 1 ? g->order : 1, i, j)) {
                out[j * g->win.w + i] = NAN;
                ++*nan_out;
            }
    free(h);
    free(mask);
}

/* The CUDA backend's registration, step by step on the host. */
static int emulate_register(const aia_register_geometry *g, const float *in, long stride, float *out, long chunk,
                            long long *nan_out)
{
    const long nx = g->nx, ny = g->ny, NX = g->NX, NY = g->NY;
    float mn = INFINITY, mx = -INFINITY;
    long long bad = 0;
    for (long y = 0; y < ny; y++)
        for (long x = 0; x < nx; x++) {
            const float v = in[y * stride + x];
            if (!aia_cu_finite(v)) {
                bad++;
                continue;
            }
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        }
    *nan_out = 0;
    const aia_affine *a = &g->map;
    if (a->m[0][0] == 1.0 && a->m[0][1] == 0.0 && a->m[1][0] == 0.0 && a->m[1][1] == 1.0 &&
        a->shift[0] == floor(a->shift[0]) && a->shift[1] == floor(a->shift[1])) {
        for (long j = 0; j < g->win.h; j++)
            for (long i = 0; i < g->win.w; i++)
                out[j * g->win.w + i] = aia_cu_shifted(in, nx, ny, stride, (long)a->shift[0] - g->pad_x,
                                                       (long)a->shift[1] - g->pad_y, mn, &g->win, i, j);
        nan_blobs(g, in, stride, mn, mx, bad, out, nan_out);
        return 0;
    }
    float nan_value = 0.0f;
    if (bad) {
        const unsigned long long npad = (unsigned long long)NX * NY - (unsigned long long)nx * ny;
        const unsigned long long total = (unsigned long long)nx * ny - (unsigned long long)bad + npad;
        const unsigned long long ranks[2] = {(total - 1) / 2, total / 2};
        float *packed = malloc(sizeof(float) * (size_t)(nx * ny)), m[2];
        for (long y = 0; y < ny; y++)
            memcpy(packed + y * nx, in + y * stride, sizeof(float) * (size_t)nx);
        for (int k = 0; k < 2; k++)
            m[k] = ranks[k] < npad ? mn : radix_select(packed, nx * ny, ranks[k] - npad);
        free(packed);
        nan_value = total % 2 ? m[1] : (m[0] + m[1]) / 2.0f;
    }
    float *coef = malloc(sizeof(float) * (size_t)(NX * NY));
    const int keys = g->kernel == AIA_KERNEL_KEYS;
    if (keys || g->order < 2) {
        for (long Y = 0; Y < NY; Y++)
            for (long X = 0; X < NX; X++)
                coef[Y * NX + X] = aia_cu_padded(in, nx, ny, stride, g->pad_x, g->pad_y, mn, nan_value, X, Y);
    } else {
        double *d1 = malloc(sizeof(double) * (size_t)(NX * NY)), *d2 = malloc(sizeof(double) * (size_t)(NX * NY));
        for (long X = 0; X < NX; X++) /* transposed: line Y of P is column Y */
            for (long Y = 0; Y < NY; Y++)
                d1[X * NY + Y] = aia_cu_padded(in, nx, ny, stride, g->pad_x, g->pad_y, mn, nan_value, X, Y);
        filter_lines(d1, d2, NULL, 1, NY, NY, NX, g->order, chunk);
        for (long Y = 0; Y < NY; Y++)
            for (long X = 0; X < NX; X++)
                d2[Y * NX + X] = d1[X * NY + Y];
        filter_lines(d2, d1, coef, 0, NX, NX, NY, g->order, chunk);
        free(d1);
        free(d2);
    }
    aia_cu_sampling s = {NX, NY, g->map, g->win, g->kernel, g->order, mn, mn, mx};
    for (long j = 0; j < g->win.h; j++)
        for (long i = 0; i < g->win.w; i++)
            out[j * g->win.w + i] = aia_cu_sample(coef, &s, i, j);
    nan_blobs(g, in, stride, mn, mx, bad, out, nan_out);
    free(coef);
    return 0;
}

static void registration(void)
{
    static const struct { int order; aia_interp interp; double roll; long size; int nans; } cases[] = {
        {0, AIA_INTERP_SPLINE, 20.0, 256, 1}, {1, AIA_INTERP_SPLINE, -3.0, 256, 1},
        {2, AIA_INTERP_SPLINE, 0.5, 256, 0},  {3, AIA_INTERP_SPLINE, 30.0, 384, 1},
        {3, AIA_INTERP_SPLINE, 0.0, 300, 0},  {4, AIA_INTERP_SPLINE, 95.0, 256, 1},
        {5, AIA_INTERP_SPLINE, -45.0, 256, 1}, {3, AIA_INTERP_CUBIC_CONVOLUTION, 12.0, 256, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        aia_image *img = test_synth(171, cases[c].size, cases[c].roll, 11 + c);
        float *d = img->data;
        const long n = cases[c].size;
        if (cases[c].nans)
            for (long k = 0; k < 25; k++)
                d[((37 + 9 * k) % n) * n + (23 + 11 * k) % n] = NAN;
        d[0] = NAN; /* at the corner too: the mask's and the prefilter's edges */
        aia_register_options o;
        aia_register_options_default(&o);
        o.order = cases[c].order;
        o.interp = cases[c].interp;
        aia_register_plan *plan = NULL;
        CHECK_OK(aia_register_plan_new(img->header, n, n, &o, &plan));
        if (!plan) {
            aia_image_free(img);
            continue;
        }
        const aia_register_geometry *g = aia_register_plan_pixels(plan);
        const size_t count = (size_t)(g->win.w * g->win.h);
        float *want = malloc(count * sizeof(float)), *exact = malloc(count * sizeof(float)),
              *chunked = malloc(count * sizeof(float));
        aia_workspace *ws = aia_workspace_new();
        aia_register_pixel_info info = {0};
        CHECK_OK(aia_backend_cpu_generic.register_pixels(&aia_backend_cpu_generic, g, d, n, NULL, want, g->win.w, ws,
                                                         &info));
        long long nan_exact = 0, nan_chunked = 0;
        emulate_register(g, d, n, exact, g->NX > g->NY ? g->NX : g->NY, &nan_exact);
        emulate_register(g, d, n, chunked, AIA_CU_CHUNK, &nan_chunked);
        long differ = 0;
        double worst = 0;
        const double range = (double)info.max - (double)info.min;
        for (size_t i = 0; i < count; i++) {
            differ += memcmp(&want[i], &exact[i], sizeof(float)) != 0;
            const int nw = isnan(want[i]), nc = isnan(chunked[i]);
            const double e = nw || nc ? (nw == nc ? 0.0 : INFINITY) : fabs((double)chunked[i] - want[i]) / range;
            worst = e > worst ? e : worst;
        }
        CHECK_MSG(differ == 0, "order %d%s roll %g: %ld of %zu pixels differ from the CPU's (one chunk a line)",
                  cases[c].order, cases[c].interp ? " keys" : "", cases[c].roll, differ, count);
        CHECK_MSG(worst <= 1e-6, "order %d roll %g: device chunks %.3g of the range from the CPU", cases[c].order,
                  cases[c].roll, worst);
        CHECK_MSG(nan_exact == info.nan_output && nan_chunked == info.nan_output, "NaN count %lld/%lld, CPU %lld",
                  nan_exact, nan_chunked, info.nan_output);
        printf("registration order %d%s, roll %g, %ld x %ld: CPU bytes %s; chunked %.2g of the range, %lld NaN\n",
               cases[c].order, cases[c].interp ? " (Keys)" : "", cases[c].roll, g->win.w, g->win.h,
               differ ? "NOT equal" : "equal", worst, info.nan_output);
        free(want);
        free(exact);
        free(chunked);
        aia_workspace_free(ws);
        aia_register_plan_free(plan);
        aia_image_free(img);
    }
}

/* A whole-pixel shift (a frame on the level-1.5 grid already), NaN pixels
 * and their blobs: the CPU's bytes. */
static void whole_pixel_shift(void)
{
    const long n = 200;
    aia_image *img = test_synth(171, n, 0.0, 99);
    float *d = img->data;
    for (long k = 0; k < 12; k++)
        d[(20 + 13 * k) * n + 7 + 15 * k] = NAN;
    const aia_register_geometry g = {n, n, 0, 0, n, n, {{{1, 0}, {0, 1}}, {3, -2}}, {0, 0, n, n}, AIA_KERNEL_BSPLINE, 3, AIA_FILL_MIN, 0.0f};
    float *want = malloc(sizeof(float) * n * n), *got = malloc(sizeof(float) * n * n);
    aia_workspace *ws = aia_workspace_new();
    aia_register_pixel_info info = {0};
    CHECK_OK(aia_backend_cpu_generic.register_pixels(&aia_backend_cpu_generic, &g, d, n, NULL, want, n, ws, &info));
    long long nan_out = 0;
    emulate_register(&g, d, n, got, AIA_CU_CHUNK, &nan_out);
    CHECK_MSG(memcmp(want, got, sizeof(float) * n * n) == 0, "a whole-pixel shift differs from the CPU's");
    CHECK_MSG(nan_out == info.nan_output && nan_out > 12, "whole-pixel shift: %lld NaN, the CPU %lld", nan_out,
              info.nan_output);
    free(want);
    free(got);
    aia_workspace_free(ws);
    aia_image_free(img);
}

/* The chunks of a line agree with one pass over it; the float keys order
 * as the floats do. */
static void pieces(void)
{
    const long n = 1000;
    double *x = malloc(sizeof(double) * n), *y1 = malloc(sizeof(double) * n), *y2 = malloc(sizeof(double) * n);
    for (long i = 0; i < n; i++)
        x[i] = (double)((i * 7919) % 1013) - 300.0 + (i == 500 ? 1e6 : 0.0);
    for (int order = 2; order <= 5; order++) {
        aia_cu_pass p[2];
        const int np = aia_cu_line_passes(order, n, p);
        for (int k = 0; k < np; k++) {
            aia_cu_causal_chunk(x, y1, 1, n, 0, n, p[k].z, p[k].g, p[k].zn1, p[k].warm);
            for (long a = 0; a < n; a += 37)
                aia_cu_causal_chunk(x, y2, 1, n, a, a + 37 < n ? a + 37 : n, p[k].z, p[k].g, p[k].zn1, p[k].warm);
            double worst = 0;
            for (long i = 0; i < n; i++)
                worst = fmax(worst, fabs(y1[i] - y2[i]) / 1e6);
            CHECK_MSG(worst < 1e-15, "order %d pole %d causal chunks: %.3g", order, k, worst);
            aia_cu_anticausal_chunk(x, y1, NULL, 0, 1, n, 0, n, p[k].z, p[k].warm);
            for (long a = 0; a < n; a += 37)
                aia_cu_anticausal_chunk(x, y2, NULL, 0, 1, n, a, a + 37 < n ? a + 37 : n, p[k].z, p[k].warm);
            worst = 0;
            for (long i = 0; i < n; i++)
                worst = fmax(worst, fabs(y1[i] - y2[i]) / 1e6);
            CHECK_MSG(worst < 1e-15, "order %d pole %d anti-causal chunks: %.3g", order, k, worst);
        }
    }
    free(x);
    free(y1);
    free(y2);
    static const float v[] = {-INFINITY, -3e38f, -1.5f, -1e-40f, -0.0f, 0.0f, 1e-40f, 1.0f, 2.5f, 3e38f, INFINITY};
    int ordered = 1;
    for (size_t i = 0; i + 1 < sizeof v / sizeof v[0]; i++) {
        uint32_t a, b;
        memcpy(&a, &v[i], 4);
        memcpy(&b, &v[i + 1], 4);
        ordered &= aia_cu_float_key(a) < aia_cu_float_key(b) && aia_cu_key_bits(aia_cu_float_key(a)) == a;
    }
    CHECK(ordered);
    float w[200];
    for (int i = 0; i < 200; i++)
        w[i] = i % 13 == 0 ? NAN : (float)((i * 37) % 101) - 50.0f;
    for (unsigned long long k = 0; k < 184; k += 7) {
        float want = 0, got = radix_select(w, 200, k);
        aia_select_float(w, 200, k, &want);
        CHECK_MSG(want == got, "rank %llu: %g, the CPU's %g", k, got, want);
    }
}

/* ---- deconvolution ------------------------------------------------------ */

/* The device's iterations with FFTW's 2-D transforms for cuFFT's. */
static void emulate_deconv_double(const double *psf, long n, const double *img, double *u, int iterations)
{
    const long nc = n / 2 + 1;
    double *shifted = fftw_alloc_real((size_t)(n * n)), *r = fftw_alloc_real((size_t)(n * n));
    fftw_complex *H = fftw_alloc_complex((size_t)(n * nc)), *S = fftw_alloc_complex((size_t)(n * nc));
    fftw_plan ph = fftw_plan_dft_r2c_2d((int)n, (int)n, shifted, H, FFTW_ESTIMATE);
    for (long i = 0; i < n; i++)
        for (long j = 0; j < n; j++)
            shifted[i * n + j] = aia_cu_psf_shifted(psf, n, i, j);
    fftw_execute(ph);
    const double norm = 1.0 / ((double)n * (double)n);
    for (long i = 0; i < 2 * n * nc; i++)
        ((double *)H)[i] = aia_cu_spectrum_d(((double *)H)[i], norm);
    fftw_plan fwd = fftw_plan_dft_r2c_2d((int)n, (int)n, r, S, FFTW_ESTIMATE);
    fftw_plan bwd = fftw_plan_dft_c2r_2d((int)n, (int)n, S, r, FFTW_ESTIMATE);
    memcpy(u, img, sizeof(double) * (size_t)(n * n));
    for (int it = 0; it < iterations; it++) {
        fftw_execute_dft_r2c(fwd, u, S);
        for (long i = 0; i < n * nc; i++)
            aia_cu_mul_spectrum_d((double *)S, (const double *)H, i, 0);
        fftw_execute_dft_c2r(bwd, S, r);
        for (long i = 0; i < n * n; i++)
            r[i] = aia_cu_ratio_d(img[i], r[i]);
        fftw_execute_dft_r2c(fwd, r, S);
        for (long i = 0; i < n * nc; i++)
            aia_cu_mul_spectrum_d((double *)S, (const double *)H, i, 1);
        fftw_execute_dft_c2r(bwd, S, r);
        for (long i = 0; i < n * n; i++)
            u[i] *= r[i];
    }
    fftw_destroy_plan(ph);
    fftw_destroy_plan(fwd);
    fftw_destroy_plan(bwd);
    fftw_free(shifted);
    fftw_free(r);
    fftw_free(H);
    fftw_free(S);
}

static void emulate_deconv_single(const double *psf, long n, const float *img, float *u, int iterations)
{
    const long nc = n / 2 + 1;
    double *shifted = fftw_alloc_real((size_t)(n * n));
    fftw_complex *Hd = fftw_alloc_complex((size_t)(n * nc));
    fftw_plan ph = fftw_plan_dft_r2c_2d((int)n, (int)n, shifted, Hd, FFTW_ESTIMATE);
    for (long i = 0; i < n; i++)
        for (long j = 0; j < n; j++)
            shifted[i * n + j] = aia_cu_psf_shifted(psf, n, i, j);
    fftw_execute(ph);
    float *r = fftwf_alloc_real((size_t)(n * n));
    fftwf_complex *H = fftwf_alloc_complex((size_t)(n * nc)), *S = fftwf_alloc_complex((size_t)(n * nc));
    const double norm = 1.0 / ((double)n * (double)n);
    for (long i = 0; i < 2 * n * nc; i++)
        ((float *)H)[i] = aia_cu_spectrum_f(((double *)Hd)[i], norm);
    fftwf_plan fwd = fftwf_plan_dft_r2c_2d((int)n, (int)n, r, S, FFTW_ESTIMATE);
    fftwf_plan bwd = fftwf_plan_dft_c2r_2d((int)n, (int)n, S, r, FFTW_ESTIMATE);
    memcpy(u, img, sizeof(float) * (size_t)(n * n));
    for (int it = 0; it < iterations; it++) {
        fftwf_execute_dft_r2c(fwd, u, S);
        for (long i = 0; i < n * nc; i++)
            aia_cu_mul_spectrum_f((float *)S, (const float *)H, i, 0);
        fftwf_execute_dft_c2r(bwd, S, r);
        for (long i = 0; i < n * n; i++)
            r[i] = aia_cu_ratio_f(img[i], r[i]);
        fftwf_execute_dft_r2c(fwd, r, S);
        for (long i = 0; i < n * nc; i++)
            aia_cu_mul_spectrum_f((float *)S, (const float *)H, i, 1);
        fftwf_execute_dft_c2r(bwd, S, r);
        for (long i = 0; i < n * n; i++)
            u[i] *= r[i];
    }
    fftw_destroy_plan(ph);
    fftwf_destroy_plan(fwd);
    fftwf_destroy_plan(bwd);
    fftw_free(shifted);
    fftw_free(Hd);
    fftwf_free(r);
    fftwf_free(H);
    fftwf_free(S);
}

static void deconvolution(void)
{
    const long n = 256;
    const int iterations = 10;
    aia_image *psf = test_small_psf(n, 1.5), *img = test_synth(171, n, 0.0, 5);
    const float *pix = img->data;
    double *imgd = aia_backend_alloc(sizeof(double) * n * n), *ud = aia_backend_alloc(sizeof(double) * n * n),
           *wantd = aia_backend_alloc(sizeof(double) * n * n);
    float *imgf = aia_backend_alloc(sizeof(float) * n * n), *uf = aia_backend_alloc(sizeof(float) * n * n),
          *wantf = aia_backend_alloc(sizeof(float) * n * n);
    for (long i = 0; i < n * n; i++) {
        imgd[i] = pix[i] < 0 ? 0 : pix[i];
        imgf[i] = (float)imgd[i];
    }
    imgd[77] = imgf[77] = 0; /* a dark corner of sky */
    const aia_backend *cpu = &aia_backend_cpu_generic;
    for (int dbl = 0; dbl < 2; dbl++) {
        aia_backend_deconv *plan = NULL;
        CHECK_OK(cpu->deconv_plan_new(cpu, psf->data, n, dbl ? AIA_PIX_F64 : AIA_PIX_F32, 1, &plan));
        if (!plan)
            continue;
        CHECK_OK(cpu->deconv_run(plan, dbl ? (void *)imgd : (void *)imgf, dbl ? (void *)wantd : (void *)wantf,
                                 iterations));
        cpu->deconv_plan_free(plan);
        if (dbl)
            emulate_deconv_double(psf->data, n, imgd, ud, iterations);
        else
            emulate_deconv_single(psf->data, n, imgf, uf, iterations);
        double num = 0, den = 0, worst = 0, lo = INFINITY, hi = -INFINITY;
        for (long i = 0; i < n * n; i++) {
            const double w = dbl ? wantd[i] : wantf[i], g = dbl ? ud[i] : uf[i];
            num += (g - w) * (g - w);
            den += w * w;
            worst = fmax(worst, fabs(g - w));
            lo = fmin(lo, w);
            hi = fmax(hi, w);
        }
        const double rel = sqrt(num / den);
        if (dbl)
            CHECK_MSG(worst <= 1e-12 * (hi - lo), "double: worst %.3g of the range", worst / (hi - lo));
        else
            CHECK_MSG(rel <= 1e-6, "single: relative L2 %.3g", rel);
        printf("deconvolution %s, %d iterations, %ld²: relative L2 %.2g, worst %.2g of the range from the CPU\n",
               dbl ? "double" : "single", iterations, n, rel, worst / (hi - lo));
    }
    aia_backend_free(imgd);
    aia_backend_free(ud);
    aia_backend_free(wantd);
    aia_backend_free(imgf);
    aia_backend_free(uf);
    aia_backend_free(wantf);
    aia_image_free(psf);
    aia_image_free(img);
}

/* ---- the PSF -------------------------------------------------------------- */

#define PN AIA_PSF_N
#define PSTRIDE AIA_PSF_STRIDE

/* The device's pattern of one mesh: the spike sums tile by tile, the
 * tile-row sums (summed on the host in long double, in tile order), the
 * mix. */
static int emulate_pattern(const aia_psf_mesh_model *m, double spike_part, double core_part, double *grid)
{
    aia_cu_psf_tiles t;
    if (aia_cu_psf_tiles_build(m, &t))
        return -1;
    const long T = AIA_PSF_TILES, E = AIA_PSF_TILE;
    for (long k = 0; k < t.ntouched; k++) {
        const long tile = t.touched[k], ty = tile / T, tx = tile % T;
        for (long r = ty * E; r < (ty + 1) * E; r++)
            for (long c = tx * E; c < (tx + 1) * E; c++)
                grid[r * PSTRIDE + c] = aia_cu_spike_sum(t.spikes, t.list + t.start[tile],
                                                         t.start[tile + 1] - t.start[tile], t.factors, r, c);
    }
    long double sum = 0;
    for (long k = 0; k < t.ntouched; k++) {
        const long tile = t.touched[k], ty = tile / T, tx = tile % T;
        for (long r = ty * E; r < (ty + 1) * E; r++) {
            double row = 0;
            for (long c = tx * E; c < (tx + 1) * E; c++)
                row += grid[r * PSTRIDE + c];
            sum += row;
        }
    }
    const double sum_s = (double)sum;
    for (long k = 0; k < t.ntouched; k++) {
        const long tile = t.touched[k], ty = tile / T, tx = tile % T;
        for (long r = ty * E; r < (ty + 1) * E; r++)
            for (long c = tx * E; c < (tx + 1) * E; c++)
                grid[r * PSTRIDE + c] = aia_psf_mix(grid[r * PSTRIDE + c],
                                                    aia_cu_core(t.factors + t.core_offset, t.core_h, r, c), sum_s,
                                                    t.sum_core, spike_part, core_part);
    }
    aia_cu_psf_tiles_free(&t);
    return 0;
}

static void psf(void)
{
    int orders[41];
    for (int m = -20; m <= 20; m++)
        orders[m + 20] = m;
    aia_psf_options o;
    aia_psf_options_default(&o, 193);
    o.orders = orders;
    o.norders = 41;
    aia_psf_model model;
    CHECK_OK(aia_psf_model_of(&o, &model));
    const size_t grid = (size_t)PN * PSTRIDE;
    double *e = fftw_alloc_real(grid), *f = fftw_alloc_real(grid), *cpu = fftw_alloc_real(grid);
    double *want = malloc(sizeof(double) * PN * PN), *got = malloc(sizeof(double) * PN * PN);
    memset(e, 0, grid * sizeof(double));
    memset(f, 0, grid * sizeof(double));
    CHECK(emulate_pattern(&model.mesh[0], model.spike_part, model.core_part, e) == 0);
    CHECK(emulate_pattern(&model.mesh[1], model.spike_part, model.core_part, f) == 0);
    for (int k = 0; k < 2; k++) {
        memset(cpu, 0, grid * sizeof(double));
        CHECK_OK(aia_psf_pattern_fill(&model.mesh[k], model.spike_part, model.core_part, cpu));
        long differ = 0;
        for (long r = 0; r < PN; r++)
            differ += memcmp(cpu + r * PSTRIDE, (k ? f : e) + r * PSTRIDE, sizeof(double) * PN) != 0;
        CHECK_MSG(differ == 0, "mesh %d: %ld rows differ from the CPU's pattern", k, differ);
    }
    /* the composite: in-place r2c of both (cuFFT's D2Z on the padded
     * layout), the product, the in-place c2r, the reflection */
    fftw_plan pe = fftw_plan_dft_r2c_2d(PN, PN, e, (fftw_complex *)e, FFTW_ESTIMATE);
    fftw_plan pf = fftw_plan_dft_r2c_2d(PN, PN, f, (fftw_complex *)f, FFTW_ESTIMATE);
    fftw_plan pi = fftw_plan_dft_c2r_2d(PN, PN, (fftw_complex *)e, e, FFTW_ESTIMATE);
    fftw_execute(pe);
    fftw_execute(pf);
    for (long i = 0; i < (long)PN * (PN / 2 + 1); i++)
        aia_cu_mul_spectrum_d(e, f, i, 0);
    fftw_execute(pi);
    const double norm = 1.0 / ((double)PN * (double)PN);
    for (long i = 0; i < PN; i++)
        for (long j = 0; j < PN; j++)
            got[i * PN + j] = aia_cu_psf_out(e, PN, PSTRIDE, norm, i, j);
    double seconds[2];
    CHECK_OK(aia_backend_cpu_generic.psf_make(&aia_backend_cpu_generic, &model, 0, want, seconds));
    const double peak = want[2048 * PN + 2048];
    long worse = 0;
    double worst = 0;
    for (long i = 0; i < (long)PN * PN; i++)
        if (want[i] > 1e-15 * peak) {
            const double rel = fabs(got[i] - want[i]) / want[i];
            worst = fmax(worst, rel);
            worse += rel > 1e-12;
        }
    CHECK_MSG(worse == 0, "%ld PSF pixels above 1e-15 of the peak differ by more than 1e-12 (worst %.3g)", worse,
              worst);
    printf("PSF of 193 A, orders -20..20: patterns equal to the CPU's; composite within %.2g of each value\n",
           worst);
    fftw_destroy_plan(pe);
    fftw_destroy_plan(pf);
    fftw_destroy_plan(pi);
    fftw_free(e);
    fftw_free(f);
    fftw_free(cpu);
    free(want);
    free(got);
    aia_psf_model_free(&model);
}

int main(void)
{
    pieces();
    registration();
    whole_pixel_shift();
    deconvolution();
    psf();
    return test_done("test_cuda_math");
}
