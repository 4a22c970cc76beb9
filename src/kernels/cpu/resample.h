/* resample.h — sampling a coefficient image through an affine map, with
 * scipy.ndimage.affine_transform's rules (mode 'constant'). Internal. */
#ifndef AIAPREP_RESAMPLE_H
#define AIAPREP_RESAMPLE_H

#include "kernels/backend.h"
#include "kernels/cpu/variant.h"

#include <stdint.h>

/* Sample coef (NX x NY, rows coef_stride floats apart; B-spline
 * coefficients, or the samples themselves for orders 0-1 and the Keys
 * kernel) into out (win->w x win->h, rows
 * out_stride floats apart). A position outside [0, NX-1] x [0, NY-1] gives
 * cval; taps past the edge mirror; values are clipped to [lo, hi] (sunpy's
 * clip, done as they are stored). Multi-threaded over rows. AIA_OK, or
 * AIA_ERR_NOMEM. */
int aia_affine_sample(const float *coef, long coef_stride, long NX, long NY, const aia_affine *a, aia_kernel kernel,
                      int order, float cval, float lo, float hi, const aia_window *win, float *out, long out_stride);

/* The cubic B-spline for output pixels [i0, i1) of row yo whose taps all
 * lie inside the frame (coefficient rows `stride` floats apart), 16 at a
 * time with AVX-512 (kernels/x86/resample_avx512.c; only in the avx512
 * level). */
void aia_cubic_span_simd(const float *coef, long stride, const aia_affine *a, double yo, long x0, long i0,
                         long i1, float lo, float hi, float *out);

/* The same span at the avx2 level (kernels/x86/resample_avx2.c): 8 pixels
 * at a time with the avx512 kernel's float32 arithmetic lane for lane, so
 * the two levels give the same bytes. col_x, col_y: the positions' column
 * terms, shift + (x0 + i) * m, of the row's pixels i (aia_cubic_columns_avx2,
 * n a multiple of 8 and at least i1 + 7: the last group reads up to 7 past
 * i1). */
void aia_cubic_columns_avx2(const aia_affine *a, long x0, long n, double *col_x, double *col_y);
void aia_cubic_span_avx2(const float *coef, long stride, const aia_affine *a, const double *col_x, const double *col_y,
                         double yo, long i0, long i1, float lo, float hi, float *out);

/* sunpy's NaN restoration: sample the (dilated) NaN mask of the input
 * (NX x NY bytes, nonzero = NaN nearby) with order min(order, 1) and cval 0,
 * and set out to NaN wherever the result is > 0. Returns the NaN count. */
long long aia_affine_mask_nan(const uint8_t *mask, long NX, long NY, const aia_affine *a, int order,
                              const aia_window *win, float *out, long out_stride);

#endif
