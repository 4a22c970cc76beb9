/* resample.c — scipy.ndimage.affine_transform's sampling (mode 'constant')
 * on a precomputed coefficient image: the bounds test, the taps with mirror
 * reflection at the edges, the spline (or Keys) weights. The cubic B-spline
 * away from the edges, the case of almost every pixel, has its own loop. */
#include "kernels/cpu/resample.h"

#include "kernels/cpu/cubic.h"
#include "kernels/cpu/spline.h"

#include <math.h>
#include <stdlib.h>

static inline void position(const aia_affine *a, double xo, double yo, double *x, double *y)
{
    *x = (a->shift[0] + xo * a->m[0][0]) + yo * a->m[0][1];
    *y = (a->shift[1] + xo * a->m[1][0]) + yo * a->m[1][1];
}


static inline int outside(double x, double y, long NX, long NY)
{
    return !(x >= 0.0 && x <= (double)(NX - 1) && y >= 0.0 && y <= (double)(NY - 1));
}

/* Any kernel, any position inside the frame: taps mirrored where needed. */
static float sample_general(const float *coef, long stride, long NX, long NY, double x, double y,
                            aia_kernel kernel, int order)
{
    double wx[AIA_SPLINE_MAX_ORDER + 1], wy[AIA_SPLINE_MAX_ORDER + 1];
    long sx, sy;
    int taps;
    if (kernel == AIA_KERNEL_KEYS) {
        taps = 4;
        sx = (long)floor(x) - 1;
        sy = (long)floor(y) - 1;
        aia_cubic_convolution_weights(x, wx);
        aia_cubic_convolution_weights(y, wy);
    } else {
        taps = order + 1;
        sx = aia_spline_first_tap(x, order);
        sy = aia_spline_first_tap(y, order);
        aia_spline_weights(x, order, wx);
        aia_spline_weights(y, order, wy);
        if (order == 0)
            return coef[aia_mirror_index(sy, NY) * stride + aia_mirror_index(sx, NX)];
    }
    long ix[AIA_SPLINE_MAX_ORDER + 1];
    for (int i = 0; i < taps; i++)
        ix[i] = aia_mirror_index(sx + i, NX);
    double t = 0.0;
    for (int j = 0; j < taps; j++) {
        const float *row = coef + aia_mirror_index(sy + j, NY) * stride;
        double r = 0.0;
        for (int i = 0; i < taps; i++)
            r += row[ix[i]] * wx[i];
        t += r * wy[j];
    }
    return (float)t;
}

/* The output pixels whose 4x4 taps all lie inside the frame form one span
 * of each row (positions are linear along it). Find it, conservatively:
 * x(i) = ax + i*bx must stay in [1, NX-3] (and y likewise), so that
 * floor(x) - 1 >= 0 and floor(x) + 2 <= NX - 1; a margin of one pixel
 * absorbs rounding, and pixels left outside simply take the general path. */
static void interior_span(double ax, double bx, double lo, double hi, long n, long *i0, long *i1)
{
    lo += 1.0;
    hi -= 1.0;
    if (bx == 0.0) {
        if (!(ax >= lo && ax <= hi))
            *i1 = *i0;
        return;
    }
    double a = (lo - ax) / bx, b = (hi - ax) / bx;
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    long first = a < 0 ? 0 : (a > (double)n ? n : (long)ceil(a));
    long last = b < 0 ? -1 : (b >= (double)n ? n - 1 : (long)floor(b));
    if (first > *i0)
        *i0 = first;
    if (last + 1 < *i1)
        *i1 = last + 1;
    if (*i1 < *i0)
        *i1 = *i0;
}

#if !defined(__AVX2__)
/* The cubic B-spline where no tap needs a bounds test or a mirror: no
 * branches, so the loop vectorises. (The avx2 and avx512 levels have their
 * own kernels in kernels/x86/.) */
static void cubic_span(const float *coef, long stride, const aia_affine *a, double yo, long x0, long i0,
                       long i1, float lo, float hi, float *out)
{
    const double ty = yo * a->m[0][1], tyy = yo * a->m[1][1];
#pragma omp simd
    for (long i = i0; i < i1; i++)
        out[i] = aia_clip(aia_cubic_pixel(coef, stride, a, ty, tyy, (double)(x0 + i)), lo, hi);
}
#endif

/* One output row of the cubic B-spline: the interior span vectorised, the
 * pixels near or beyond the frame's edges one by one. */
static void cubic_row(const float *coef, long stride, long NX, long NY, const aia_affine *a, const double *col_x,
                      const double *col_y, float cval, float lo, float hi, double yo, long x0, long w, float *out)
{
    long i0 = 0, i1 = w;
    const double ax = (a->shift[0] + (double)x0 * a->m[0][0]) + yo * a->m[0][1];
    const double ay = (a->shift[1] + (double)x0 * a->m[1][0]) + yo * a->m[1][1];
    interior_span(ax, a->m[0][0], 1.0, (double)(NX - 3), w, &i0, &i1);
    interior_span(ay, a->m[1][0], 1.0, (double)(NY - 3), w, &i0, &i1);
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    aia_cubic_span_simd(coef, stride, a, yo, x0, i0, i1, lo, hi, out);
    (void)col_x, (void)col_y;
#elif defined(__AVX2__)
    aia_cubic_span_avx2(coef, stride, a, col_x, col_y, yo, i0, i1, lo, hi, out);
#else
    (void)col_x, (void)col_y;
    cubic_span(coef, stride, a, yo, x0, i0, i1, lo, hi, out);
#endif
    for (long i = 0; i < w; i++) {
        if (i == i0)
            i = i1;
        if (i >= w)
            break;
        double x, y;
        position(a, (double)(x0 + i), yo, &x, &y);
        out[i] = outside(x, y, NX, NY)
                     ? cval
                     : aia_clip(sample_general(coef, stride, NX, NY, x, y, AIA_KERNEL_BSPLINE, 3), lo, hi);
    }
}

int aia_affine_sample(const float *coef, long coef_stride, long NX, long NY, const aia_affine *a, aia_kernel kernel,
                      int order, float cval, float lo, float hi, const aia_window *win, float *out, long out_stride)
{
    /* the positions' column terms, made once (the avx2 kernel's): a group
     * of 8 may start at any pixel of the row, so 8 past its end too */
    double *cols = NULL;
    const long n = (win->w + 15) / 8 * 8;
#if defined(__AVX2__) && !(defined(__AVX512F__) && defined(__AVX512DQ__))
    if (kernel == AIA_KERNEL_BSPLINE && order == 3) {
        if (!(cols = malloc(2 * (size_t)n * sizeof *cols)))
            return aia_fail(AIA_ERR_NOMEM, "out of memory for the sampling of %ld columns", win->w);
        aia_cubic_columns_avx2(a, win->x0, n, cols, cols + n);
    }
#endif
#pragma omp parallel for schedule(static)
    for (long j = 0; j < win->h; j++) {
        float *row = out + j * out_stride;
        const double yo = (double)(win->y0 + j);
        if (kernel == AIA_KERNEL_BSPLINE && order == 3) {
            cubic_row(coef, coef_stride, NX, NY, a, cols, cols ? cols + n : NULL, cval, lo, hi, yo, win->x0, win->w,
                      row);
            continue;
        }
        for (long i = 0; i < win->w; i++) {
            double x, y;
            position(a, (double)(win->x0 + i), yo, &x, &y);
            row[i] = outside(x, y, NX, NY)
                         ? cval
                         : aia_clip(sample_general(coef, coef_stride, NX, NY, x, y, kernel, order), lo, hi);
        }
    }
    free(cols);
    return AIA_OK;
}

long long aia_affine_mask_nan(const uint8_t *mask, long NX, long NY, const aia_affine *a, int order,
                              const aia_window *win, float *out, long out_stride)
{
    long long count = 0;
#pragma omp parallel for schedule(static) reduction(+ : count)
    for (long j = 0; j < win->h; j++) {
        for (long i = 0; i < win->w; i++) {
            double x, y;
            position(a, (double)(win->x0 + i), (double)(win->y0 + j), &x, &y);
            if (outside(x, y, NX, NY))
                continue; /* cval 0: never NaN */
            int hit;
            if (order == 0) {
                hit = mask[aia_mirror_index((long)floor(y + 0.5), NY) * NX +
                           aia_mirror_index((long)floor(x + 0.5), NX)];
            } else {
                /* bilinear: a tap counts when its weight is not zero */
                const double fx = floor(x), fy = floor(y);
                const double ux = x - fx, uy = y - fy;
                const long sx = (long)fx, sy = (long)fy;
                /* scipy: w0 = 1 - u, w1 = 1 - w0 (which is 0 when u is tiny) */
                const double wx[2] = {1.0 - ux, 1.0 - (1.0 - ux)};
                const double wy[2] = {1.0 - uy, 1.0 - (1.0 - uy)};
                hit = 0;
                for (int jj = 0; jj < 2; jj++)
                    for (int ii = 0; ii < 2; ii++)
                        if (wx[ii] > 0.0 && wy[jj] > 0.0 &&
                            mask[aia_mirror_index(sy + jj, NY) * NX + aia_mirror_index(sx + ii, NX)])
                            hit = 1;
            }
            if (hit) {
                out[j * out_stride + i] = NAN;
                count++;
            }
        }
    }
    return count;
}
