/* resample.c — scipy.ndimage.affine_transform's sampling (mode 'constant')
 * on a precomputed coefficient image: the bounds test, the taps with mirror
 * reflection at the edges, the spline (or Keys) weights. The cubic B-spline
 * away from the edges, the case of almost every pixel, has its own loop. */
#include "resample.h"

#include "spline.h"

#include <math.h>

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
static float sample_general(const float *coef, long NX, long NY, double x, double y,
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
            return coef[aia_mirror_index(sy, NY) * NX + aia_mirror_index(sx, NX)];
    }
    long ix[AIA_SPLINE_MAX_ORDER + 1];
    for (int i = 0; i < taps; i++)
        ix[i] = aia_mirror_index(sx + i, NX);
    double t = 0.0;
    for (int j = 0; j < taps; j++) {
        const float *row = coef + aia_mirror_index(sy + j, NY) * NX;
        double r = 0.0;
        for (int i = 0; i < taps; i++)
            r += row[ix[i]] * wx[i];
        t += r * wy[j];
    }
    return (float)t;
}

/* Cubic B-spline weights (scipy's expressions) for fractional part u. */
static inline void cubic_weights(double u, double w[4])
{
    const double z = 1.0 - u;
    w[1] = (u * u * (u - 2.0) * 3.0 + 4.0) / 6.0;
    w[2] = (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0;
    w[0] = z * z * z / 6.0;
    w[3] = 1.0 - (w[0] + w[1] + w[2]);
}

/* One output row of the cubic B-spline; edge pixels go the general way. */
static void cubic_row(const float *coef, long NX, long NY, const aia_affine *a, float cval,
                      double yo, long x0, long w, float *out)
{
    for (long i = 0; i < w; i++) {
        double x, y;
        position(a, (double)(x0 + i), yo, &x, &y);
        if (outside(x, y, NX, NY)) {
            out[i] = cval;
            continue;
        }
        const double fx = floor(x), fy = floor(y);
        const long sx = (long)fx - 1, sy = (long)fy - 1;
        if (sx < 0 || sy < 0 || sx + 3 >= NX || sy + 3 >= NY) {
            out[i] = sample_general(coef, NX, NY, x, y, AIA_KERNEL_BSPLINE, 3);
            continue;
        }
        double wx[4], wy[4];
        cubic_weights(x - fx, wx);
        cubic_weights(y - fy, wy);
        const float *p = coef + sy * NX + sx;
        double t = 0.0;
        for (int j = 0; j < 4; j++, p += NX)
            t += wy[j] * (p[0] * wx[0] + p[1] * wx[1] + p[2] * wx[2] + p[3] * wx[3]);
        out[i] = (float)t;
    }
}

void aia_affine_sample(const float *coef, long NX, long NY, const aia_affine *a, aia_kernel kernel,
                       int order, float cval, const aia_window *win, float *out)
{
#pragma omp parallel for schedule(static)
    for (long j = 0; j < win->h; j++) {
        float *row = out + j * win->w;
        const double yo = (double)(win->y0 + j);
        if (kernel == AIA_KERNEL_BSPLINE && order == 3) {
            cubic_row(coef, NX, NY, a, cval, yo, win->x0, win->w, row);
            continue;
        }
        for (long i = 0; i < win->w; i++) {
            double x, y;
            position(a, (double)(win->x0 + i), yo, &x, &y);
            row[i] = outside(x, y, NX, NY) ? cval : sample_general(coef, NX, NY, x, y, kernel, order);
        }
    }
}

long long aia_affine_mask_nan(const uint8_t *mask, long NX, long NY, const aia_affine *a,
                              int order, const aia_window *win, float *out)
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
                out[j * win->w + i] = NAN;
                count++;
            }
        }
    }
    return count;
}
