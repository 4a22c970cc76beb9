/* prefilter.h — spline coefficients of a padded frame. Internal. */
#ifndef AIAPREP_PREFILTER_H
#define AIAPREP_PREFILTER_H

#include "core/core.h"
#include "kernels/cpu/variant.h"

/* The padded frame P of sunpy's rotate: the nx x ny float image `data`
 * (rows `stride` floats apart) placed at (pad_x, pad_y) in an
 * (nx + 2 pad_x) x (ny + 2 pad_y) frame of `fill`, with NaN pixels read as
 * `nan_value`. */
typedef struct aia_padded {
    const float *data;
    long nx, ny, stride, pad_x, pad_y;
    double fill, nan_value;
    struct aia_row_range *rows; /* if set: each input row's range, found as it is read */
    int stream;                 /* the coefficients' pages are not fresh: stream them (transpose.h) */
} aia_padded;

/* An input row's smallest and largest finite pixel and its NaN/Inf count. */
typedef struct aia_row_range {
    float min, max;
    long bad;
} aia_row_range;

/* The row stride for the coefficients of an NX-wide padded frame: NX
 * rounded up to 16 floats, so that rows start on 64-byte lines where the
 * buffer does, and the column pass reads and writes whole lines (its
 * 64-column panels were 5 partial lines a row: 23.0 -> 19.5 ms on one
 * thread for a 4104^2 frame); and an odd number of lines, so that the
 * column pass's rows fall in different cache sets (at 4096 floats, 16 KiB,
 * every row's panel landed in the same few sets). */
static inline long aia_coef_stride(long NX)
{
    const long lines = (NX + 15) / 16;
    return 16 * (lines % 2 ? lines : lines + 1);
}

/* coef (NX x NY floats, rows coef_stride >= NX floats apart; the columns
 * past NX are not written) = the B-spline coefficients of P for `order`
 * (scipy's spline_filter, mirror boundaries; for orders 0 and 1, P itself),
 * and p->rows[y] for each input row y when p->rows is set. Multi-threaded. */
int aia_padded_coefficients(const aia_padded *p, int order, float *coef, long coef_stride);

#endif
