/* register_math.h — the per-pixel arithmetic of the CUDA backend's
 * registration, as AIA_HD functions (kernels/hd.h): the padded frame, the
 * spline prefilter of one chunk of one line, the sampling of one output
 * pixel, the NaN blobs. Each is the generic CPU level's arithmetic
 * (kernels/cpu/: spline.c, prefilter.c, resample.c, cubic.h), operation
 * for operation, so that with contraction off (nvcc --fmad=false; C11 on
 * the host) a device gives the CPU's bytes wherever it is handed the same
 * coefficients; tests/test_cuda_math.c runs these functions over the
 * launch grid on the host and compares with the CPU backend. Internal. */
#ifndef AIAPREP_KERNELS_CUDA_REGISTER_MATH_H
#define AIAPREP_KERNELS_CUDA_REGISTER_MATH_H

#include "kernels/backend.h"
#include "kernels/hd.h"

#include <math.h>
#include <stdint.h>

#define AIA_CU_MAX_ORDER 5

/* ---- the input ----------------------------------------------------------- */

/* Finite: false for NaN and Inf (the CPU scan's test). */
AIA_HD int aia_cu_finite(float v) { return v - v == 0.0f; }

/* Pixel (X, Y) of sunpy's padded frame P: the input at (pad_x, pad_y) in a
 * frame of `fill`, NaN read as `nan_value`. */
AIA_HD float aia_cu_padded(const float *in, long nx, long ny, long stride, long pad_x, long pad_y, float fill,
                           float nan_value, long X, long Y)
{
    const long x = X - pad_x, y = Y - pad_y;
    if (x < 0 || x >= nx || y < 0 || y >= ny)
        return fill;
    const float v = in[y * stride + x];
    return v == v ? v : nan_value;
}

/* Order-preserving keys of finite floats (for the radix selection of the
 * NaN substitute, numpy's nanmedian): unsigned order = numeric order. */
AIA_HD uint32_t aia_cu_float_key(uint32_t bits) { return bits & 0x80000000u ? ~bits : bits | 0x80000000u; }
AIA_HD uint32_t aia_cu_key_bits(uint32_t key) { return key & 0x80000000u ? key & 0x7fffffffu : ~key; }

/* ---- the spline prefilter, one chunk of one line ------------------------ */

/* A line of n samples, sample i at line[i * ld]. The recursive filters of
 * one pole z (scipy's, mirror boundary; prefilter.c filter_lines) computed
 * for the samples [a, b) of the line only, so that many threads share a
 * line: a chunk starts its recursion `warm` samples early from 0 instead of
 * the exact history, which changes its values by |z|^warm of the carry
 * (warm is chosen so that this is below 1e-18); a chunk within `warm` of the
 * line's start or end takes the exact boundary value. */

/* The causal pass: y[i] = g x[i] + z y[i-1], y[0] the mirror-boundary
 * initial value (with zn1 = z^(n-1), on the host: pow of the CPU). */
AIA_HD void aia_cu_causal_chunk(const double *x, double *y, long ld, long n, long a, long b, double z, double g,
                                double zn1, long warm)
{
    double prev;
    long i;
    if (a - warm <= 0) {
        double c0 = g * x[0] + zn1 * (g * x[(n - 1) * ld]);
        double zi = z;
        for (long k = 1; k < n - 1 && fabs(zi) > 1e-20; k++) {
            c0 += zi * (g * x[k * ld] + zn1 * (g * x[(n - 1 - k) * ld]));
            zi *= z;
        }
        prev = c0 / (1.0 - zn1 * zn1);
        if (a == 0)
            y[0] = prev;
        i = 1;
    } else {
        prev = 0.0;
        i = a - warm;
    }
    for (; i < b; i++) {
        const double cur = g * x[i * ld] + z * prev;
        if (i >= a)
            y[i * ld] = cur;
        prev = cur;
    }
}

/* The anti-causal pass: y[n-1] from the boundary, y[i] = z (y[i+1] - x[i]).
 * Stored in y (double; rounded through float when round_float, as the CPU
 * stores the row pass's coefficients) or, when yf is not NULL, in yf. */
AIA_HD void aia_cu_anticausal_chunk(const double *x, double *y, float *yf, int round_float, long ld, long n, long a,
                                    long b, double z, long warm)
{
    double next;
    long i;
    if (b - 1 + warm >= n - 1) {
        next = (z * x[(n - 2) * ld] + x[(n - 1) * ld]) * z / (z * z - 1.0);
        i = n - 1;
    } else {
        i = b - 1 + warm;
        next = z * (0.0 - x[i * ld]);
    }
    for (;; i--) {
        if (i < b) {
            if (yf)
                yf[i * ld] = (float)next;
            else
                y[i * ld] = round_float ? (double)(float)next : next;
        }
        if (i == a)
            break;
        next = z * (next - x[(i - 1) * ld]);
    }
}

/* The chunk of a line one thread filters. */
#define AIA_CU_CHUNK 128

/* Samples of warm-up for a pole: |z|^warm < 1e-18. */
AIA_HD long aia_cu_warm(double z)
{
    const double az = fabs(z);
    return az < 1e-300 ? 1 : (long)ceil(log(1e-18) / log(az)) + 1;
}

/* scipy's filter poles of a B-spline order (spline.c's literal constants):
 * how many (0 for orders 0-1). */
AIA_HD int aia_cu_poles(int order, double poles[2])
{
    switch (order) {
    case 2:
        poles[0] = -0.171572875253809902396622551580603843;
        return 1;
    case 3:
        poles[0] = -0.267949192431122706472553658494127633;
        return 1;
    case 4:
        poles[0] = -0.361341225900220177092212841325675255;
        poles[1] = -0.013725429297339121360331226939128204;
        return 2;
    case 5:
        poles[0] = -0.430575347099973791851434783493520110;
        poles[1] = -0.043096288203264653822712376822550182;
        return 2;
    default:
        return 0;
    }
}

/* One pole's pass over lines of n samples: the causal then the anti-causal
 * filter; the gain rides on the first pole's causal pass, as on the CPU. */
typedef struct aia_cu_pass {
    double z, g, zn1;
    long warm;
} aia_cu_pass;


/* The passes of an order over lines of n samples (host: pow as the CPU's);
 * how many (0: no filter, orders 0-1, or n < 2). */
static inline int aia_cu_line_passes(int order, long n, aia_cu_pass passes[2])
{
    double poles[2];
    const int np = aia_cu_poles(order, poles);
    if (np == 0 || n < 2)
        return 0;
    double gain = 1.0;
    for (int p = 0; p < np; p++)
        gain *= (1.0 - poles[p]) * (1.0 - 1.0 / poles[p]);
    for (int p = 0; p < np; p++) {
        passes[p].z = poles[p];
        passes[p].g = p == 0 ? gain : 1.0;
        passes[p].zn1 = pow(poles[p], (double)(n - 1));
        passes[p].warm = aia_cu_warm(poles[p]);
    }
    return np;
}

/* Radix selection, 8 bits a pass from the top: the digit whose bin holds
 * the rank-th smallest of the histogram's values (0-based); rank becomes
 * the rank within that bin. */
static inline int aia_cu_pick_digit(const unsigned long long hist[256], unsigned long long *rank)
{
    for (int d = 0; d < 256; d++) {
        if (*rank < hist[d])
            return d;
        *rank -= hist[d];
    }
    return 255; /* not reached for a rank below the count */
}


/* ---- sampling ------------------------------------------------------------ */

AIA_HD long aia_cu_mirror(long i, long n)
{
    if (n <= 1)
        return 0;
    const long period = 2 * n - 2;
    i %= period;
    if (i < 0)
        i += period;
    return i < n ? i : period - i;
}

AIA_HD void aia_cu_position(const aia_affine *a, double xo, double yo, double *x, double *y)
{
    *x = (a->shift[0] + xo * a->m[0][0]) + yo * a->m[0][1];
    *y = (a->shift[1] + xo * a->m[1][0]) + yo * a->m[1][1];
}

AIA_HD int aia_cu_outside(double x, double y, long NX, long NY)
{
    return !(x >= 0.0 && x <= (double)(NX - 1) && y >= 0.0 && y <= (double)(NY - 1));
}

AIA_HD float aia_cu_clip(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

/* scipy's B-spline weights (spline.c). */
AIA_HD void aia_cu_spline_weights(double x, int order, double *w)
{
    x -= floor(order & 1 ? x : x + 0.5);
    double y = x, z = 1.0 - x, t;
    switch (order) {
    case 0:
        w[0] = 1.0;
        return;
    case 1:
        w[0] = 1.0 - x;
        break;
    case 2:
        w[1] = 0.75 - x * x;
        y = 0.5 - x;
        w[0] = 0.5 * y * y;
        break;
    case 3:
        w[1] = (y * y * (y - 2.0) * 3.0 + 4.0) / 6.0;
        w[2] = (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0;
        w[0] = z * z * z / 6.0;
        break;
    case 4:
        t = x * x;
        w[2] = t * (t * 0.25 - 0.625) + 115.0 / 192.0;
        y = 1.0 + x;
        w[1] = y * (y * (y * (5.0 - y) / 6.0 - 1.25) + 5.0 / 24.0) + 55.0 / 96.0;
        w[3] = z * (z * (z * (5.0 - z) / 6.0 - 1.25) + 5.0 / 24.0) + 55.0 / 96.0;
        y = 0.5 - x;
        t = y * y;
        w[0] = t * t / 24.0;
        break;
    case 5:
        t = y * y;
        w[2] = t * (t * (0.25 - y / 12.0) - 0.5) + 0.55;
        t = z * z;
        w[3] = t * (t * (0.25 - z / 12.0) - 0.5) + 0.55;
        y += 1.0;
        w[1] = y * (y * (y * (y * (y / 24.0 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425;
        z += 1.0;
        w[4] = z * (z * (z * (z * (z / 24.0 - 0.375) + 1.25) - 1.75) + 0.625) + 0.425;
        y = 1.0 - x;
        t = y * y;
        w[0] = y * t * t / 120.0;
        break;
    default:
        return;
    }
    w[order] = 1.0;
    for (int i = 0; i < order; i++)
        w[order] -= w[i];
}

/* Keys, a = -0.5 (spline.c). */
AIA_HD double aia_cu_keys(double t)
{
    const double a = -0.5;
    t = fabs(t);
    if (t <= 1.0)
        return ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0;
    if (t < 2.0)
        return ((a * t - 5.0 * a) * t + 8.0 * a) * t - 4.0 * a;
    return 0.0;
}

/* Any kernel at a position inside the frame, taps mirrored (resample.c). */
AIA_HD float aia_cu_sample_general(const float *coef, long NX, long NY, double x, double y, aia_kernel kernel,
                                   int order)
{
    double wx[AIA_CU_MAX_ORDER + 1], wy[AIA_CU_MAX_ORDER + 1];
    long sx, sy;
    int taps;
    if (kernel == AIA_KERNEL_KEYS) {
        taps = 4;
        sx = (long)floor(x) - 1;
        sy = (long)floor(y) - 1;
        const double tx = x - floor(x), ty = y - floor(y);
        wx[0] = aia_cu_keys(1.0 + tx);
        wx[1] = aia_cu_keys(tx);
        wx[2] = aia_cu_keys(1.0 - tx);
        wx[3] = aia_cu_keys(2.0 - tx);
        wy[0] = aia_cu_keys(1.0 + ty);
        wy[1] = aia_cu_keys(ty);
        wy[2] = aia_cu_keys(1.0 - ty);
        wy[3] = aia_cu_keys(2.0 - ty);
    } else {
        taps = order + 1;
        sx = (long)floor(order & 1 ? x : x + 0.5) - order / 2;
        sy = (long)floor(order & 1 ? y : y + 0.5) - order / 2;
        if (order == 0)
            return coef[aia_cu_mirror(sy, NY) * NX + aia_cu_mirror(sx, NX)];
        aia_cu_spline_weights(x, order, wx);
        aia_cu_spline_weights(y, order, wy);
    }
    long ix[AIA_CU_MAX_ORDER + 1];
    for (int i = 0; i < taps; i++)
        ix[i] = aia_cu_mirror(sx + i, NX);
    double t = 0.0;
    for (int j = 0; j < taps; j++) {
        const float *row = coef + aia_cu_mirror(sy + j, NY) * NX;
        double r = 0.0;
        for (int i = 0; i < taps; i++)
            r += row[ix[i]] * wx[i];
        t += r * wy[j];
    }
    return (float)t;
}

/* The cubic B-spline where all 16 taps lie inside (cubic.h). */
AIA_HD float aia_cu_cubic_pixel(const float *coef, long NX, const aia_affine *a, double ty, double tyy, double xo)
{
    const double x = (a->shift[0] + xo * a->m[0][0]) + ty, y = (a->shift[1] + xo * a->m[1][0]) + tyy;
    const long ix = (long)x, iy = (long)y;
    const double fx = (double)ix, fy = (double)iy;
    const double ux = x - fx, zx = 1.0 - ux, uy = y - fy, zy = 1.0 - uy;
    const double wx1 = (ux * ux * (ux - 2.0) * 3.0 + 4.0) / 6.0;
    const double wx2 = (zx * zx * (zx - 2.0) * 3.0 + 4.0) / 6.0;
    const double wx0 = zx * zx * zx / 6.0, wx3 = 1.0 - (wx0 + wx1 + wx2);
    const double wy1 = (uy * uy * (uy - 2.0) * 3.0 + 4.0) / 6.0;
    const double wy2 = (zy * zy * (zy - 2.0) * 3.0 + 4.0) / 6.0;
    const double wy0 = zy * zy * zy / 6.0, wy3 = 1.0 - (wy0 + wy1 + wy2);
    const long p = (iy - 1) * NX + (ix - 1), q = p + NX, r = q + NX, s = r + NX;
    return (float)(wy0 * (coef[p] * wx0 + coef[p + 1] * wx1 + coef[p + 2] * wx2 + coef[p + 3] * wx3) +
                   wy1 * (coef[q] * wx0 + coef[q + 1] * wx1 + coef[q + 2] * wx2 + coef[q + 3] * wx3) +
                   wy2 * (coef[r] * wx0 + coef[r + 1] * wx1 + coef[r + 2] * wx2 + coef[r + 3] * wx3) +
                   wy3 * (coef[s] * wx0 + coef[s + 1] * wx1 + coef[s + 2] * wx2 + coef[s + 3] * wx3));
}

/* The span of a row whose cubic taps all lie inside (resample.c
 * interior_span: conservative, with a margin of one pixel). */
AIA_HD void aia_cu_interior_span(double ax, double bx, double lo, double hi, long n, long *i0, long *i1)
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
        const double t = a;
        a = b;
        b = t;
    }
    const long first = a < 0 ? 0 : (a > (double)n ? n : (long)ceil(a));
    const long last = b < 0 ? -1 : (b >= (double)n ? n - 1 : (long)floor(b));
    if (first > *i0)
        *i0 = first;
    if (last + 1 < *i1)
        *i1 = last + 1;
    if (*i1 < *i0)
        *i1 = *i0;
}

/* What sampling needs besides the coefficients. */
typedef struct aia_cu_sampling {
    long NX, NY;
    aia_affine map;
    aia_window win;
    aia_kernel kernel;
    int order;
    float cval, lo, hi;
} aia_cu_sampling;

/* The interior span [*i0, *i1) of output row j (cubic B-spline only). */
AIA_HD void aia_cu_row_span(const aia_cu_sampling *s, long j, long *i0, long *i1)
{
    const aia_affine *a = &s->map;
    const double yo = (double)(s->win.y0 + j);
    const double ax = (a->shift[0] + (double)s->win.x0 * a->m[0][0]) + yo * a->m[0][1];
    const double ay = (a->shift[1] + (double)s->win.x0 * a->m[1][0]) + yo * a->m[1][1];
    *i0 = 0;
    *i1 = s->win.w;
    aia_cu_interior_span(ax, a->m[0][0], 1.0, (double)(s->NX - 3), s->win.w, i0, i1);
    aia_cu_interior_span(ay, a->m[1][0], 1.0, (double)(s->NY - 3), s->win.w, i0, i1);
}

/* Output pixel (i, j) of the window, clipped (resample.c
 * aia_affine_sample, the generic level). */
AIA_HD float aia_cu_sample(const float *coef, const aia_cu_sampling *s, long i, long j)
{
    const aia_affine *a = &s->map;
    const double yo = (double)(s->win.y0 + j), xo = (double)(s->win.x0 + i);
    if (s->kernel == AIA_KERNEL_BSPLINE && s->order == 3) {
        long i0, i1;
        aia_cu_row_span(s, j, &i0, &i1);
        if (i >= i0 && i < i1)
            return aia_cu_clip(aia_cu_cubic_pixel(coef, s->NX, a, yo * a->m[0][1], yo * a->m[1][1], xo), s->lo,
                               s->hi);
    }
    double x, y;
    aia_cu_position(a, xo, yo, &x, &y);
    if (aia_cu_outside(x, y, s->NX, s->NY))
        return s->cval;
    return aia_cu_clip(aia_cu_sample_general(coef, s->NX, s->NY, x, y, s->kernel, s->order), s->lo, s->hi);
}

/* sunpy's NaN restoration for output pixel (i, j): the dilated NaN mask
 * sampled with order min(order, 1) and cval 0 is > 0 (resample.c
 * aia_affine_mask_nan). */
AIA_HD int aia_cu_mask_hit(const uint8_t *mask, const aia_cu_sampling *s, int order, long i, long j)
{
    double x, y;
    aia_cu_position(&s->map, (double)(s->win.x0 + i), (double)(s->win.y0 + j), &x, &y);
    const long NX = s->NX, NY = s->NY;
    if (aia_cu_outside(x, y, NX, NY))
        return 0;
    if (order == 0)
        return mask[aia_cu_mirror((long)floor(y + 0.5), NY) * NX + aia_cu_mirror((long)floor(x + 0.5), NX)] != 0;
    const double fx = floor(x), fy = floor(y);
    const double ux = x - fx, uy = y - fy;
    const long sx = (long)fx, sy = (long)fy;
    const double wx[2] = {1.0 - ux, 1.0 - (1.0 - ux)};
    const double wy[2] = {1.0 - uy, 1.0 - (1.0 - uy)};
    for (int jj = 0; jj < 2; jj++)
        for (int ii = 0; ii < 2; ii++)
            if (wx[ii] > 0.0 && wy[jj] > 0.0 &&
                mask[aia_cu_mirror(sy + jj, NY) * NX + aia_cu_mirror(sx + ii, NX)])
                return 1;
    return 0;
}

/* The horizontal half of the dilated NaN mask: 1 where a bad pixel of
 * input row y lies within `radius` of padded column X. The vertical half
 * ORs `radius` such rows around each padded row. */
AIA_HD uint8_t aia_cu_bad_near(const float *in, long nx, long stride, long pad_x, int radius, long y, long X)
{
    const long x0 = X - pad_x - radius, x1 = X - pad_x + radius;
    for (long x = x0 < 0 ? 0 : x0; x <= x1 && x < nx; x++)
        if (!isfinite(in[y * stride + x]))
            return 1;
    return 0;
}

/* A whole-pixel shift's output pixel (register_pixels.c shifted_copy). */
AIA_HD float aia_cu_shifted(const float *in, long nx, long ny, long stride, long dx, long dy, float missing,
                            const aia_window *win, long i, long j)
{
    const long y = win->y0 + j + dy, x = win->x0 + i + dx;
    return (x >= 0 && x < nx && y >= 0 && y < ny) ? in[y * stride + x] : missing;
}

#endif
