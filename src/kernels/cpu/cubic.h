/* cubic.h — one output pixel of the cubic B-spline whose 16 taps lie inside
 * the frame, in double, with scipy's expressions in scipy's order: the
 * arithmetic of the generic level (the avx2 and avx512 levels have float32
 * kernels of their own, in kernels/x86/). Internal. */
#ifndef AIAPREP_KERNELS_CPU_CUBIC_H
#define AIAPREP_KERNELS_CPU_CUBIC_H

#include "kernels/backend.h"

/* Output pixel xo of the row whose y-terms are ty = yo*m01, tyy = yo*m11:
 * x = (shift_x + xo*m00) + ty, y likewise; x, y >= 1 here, so truncation
 * is floor. Not clipped. */
static inline float aia_cubic_pixel(const float *coef, long stride, const aia_affine *a, double ty, double tyy,
                                    double xo)
{
    const double x = (a->shift[0] + xo * a->m[0][0]) + ty, y = (a->shift[1] + xo * a->m[1][0]) + tyy;
    const long ix = (long)x, iy = (long)y;
    const double fx = (double)ix, fy = (double)iy;
    /* the weights spelled out in scalars, so that they stay in registers
     * (an array here defeats the vectoriser) */
    const double ux = x - fx, zx = 1.0 - ux, uy = y - fy, zy = 1.0 - uy;
    const double wx1 = (ux * ux * (ux - 2.0) * 3.0 + 4.0) / 6.0;
    const double wx2 = (zx * zx * (zx - 2.0) * 3.0 + 4.0) / 6.0;
    const double wx0 = zx * zx * zx / 6.0, wx3 = 1.0 - (wx0 + wx1 + wx2);
    const double wy1 = (uy * uy * (uy - 2.0) * 3.0 + 4.0) / 6.0;
    const double wy2 = (zy * zy * (zy - 2.0) * 3.0 + 4.0) / 6.0;
    const double wy0 = zy * zy * zy / 6.0, wy3 = 1.0 - (wy0 + wy1 + wy2);
    /* indices, not pointers: the form the vectoriser turns into gathers */
    const long p = (iy - 1) * stride + (ix - 1), q = p + stride, r = q + stride, s = r + stride;
    return (float)(wy0 * (coef[p] * wx0 + coef[p + 1] * wx1 + coef[p + 2] * wx2 + coef[p + 3] * wx3) +
                   wy1 * (coef[q] * wx0 + coef[q + 1] * wx1 + coef[q + 2] * wx2 + coef[q + 3] * wx3) +
                   wy2 * (coef[r] * wx0 + coef[r + 1] * wx1 + coef[r + 2] * wx2 + coef[r + 3] * wx3) +
                   wy3 * (coef[s] * wx0 + coef[s + 1] * wx1 + coef[s + 2] * wx2 + coef[s + 3] * wx3));
}

static inline float aia_clip(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

#endif
