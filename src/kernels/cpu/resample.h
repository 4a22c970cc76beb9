/* resample.h — sampling a coefficient image through an affine map, with
 * scipy.ndimage.affine_transform's rules (mode 'constant'). Internal. */
#ifndef AIAPREP_RESAMPLE_H
#define AIAPREP_RESAMPLE_H

#include "core/core.h"

#include <stdint.h>

/* Output pixel (xo, yo) samples the input at
 *   x = (shift[0] + xo*m[0][0]) + yo*m[0][1],  y = (shift[1] + xo*m[1][0]) + yo*m[1][1]
 * (scipy's order of operations). */
typedef struct aia_affine {
    double m[2][2];
    double shift[2];
} aia_affine;

/* Which part of the transform's output grid to compute: xo in [x0, x0+w),
 * yo in [y0, y0+h), stored row-major in out (w x h). */
typedef struct aia_window {
    long x0, y0, w, h;
} aia_window;

typedef enum { AIA_KERNEL_BSPLINE, AIA_KERNEL_KEYS } aia_kernel;

/* Sample coef (NX x NY; B-spline coefficients, or the samples themselves for
 * orders 0-1 and the Keys kernel). A position outside [0, NX-1] x [0, NY-1]
 * gives cval; taps past the edge mirror; values are clipped to [lo, hi]
 * (sunpy's clip, done as they are stored). Multi-threaded over rows. */
void aia_affine_sample(const float *coef, long NX, long NY, const aia_affine *a, aia_kernel kernel,
                       int order, float cval, float lo, float hi, const aia_window *win, float *out);

/* The cubic B-spline for output pixels [i0, i1) of row yo whose taps all
 * lie inside the frame, with AVX-512 (resample_avx512.c). Returns 0 when the
 * library was built without AVX-512, and the caller does the work. */
int aia_cubic_span_simd(const float *coef, long NX, const aia_affine *a, double yo, long x0, long i0,
                        long i1, float lo, float hi, float *out);

/* sunpy's NaN restoration: sample the (dilated) NaN mask of the input
 * (NX x NY bytes, nonzero = NaN nearby) with order min(order, 1) and cval 0,
 * and set out to NaN wherever the result is > 0. Returns the NaN count. */
long long aia_affine_mask_nan(const uint8_t *mask, long NX, long NY, const aia_affine *a,
                              int order, const aia_window *win, float *out);

#endif
