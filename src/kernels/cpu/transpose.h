/* transpose.h — 16 x 16 float tiles between row-major images and the
 * interleaved strips the spline prefilter runs on: plain loops in
 * transpose.c (the generic level), shuffles in kernels/x86/transpose_avx2.c
 * and transpose_avx512.c (those levels). Internal. */
#ifndef AIAPREP_TRANSPOSE_H
#define AIAPREP_TRANSPOSE_H

#include "kernels/cpu/variant.h"

/* Rows r[0..16) (each 16 floats from src + k*stride) -> 16 groups of 16
 * doubles: dst[x*16 + k] = src[k*stride + x]. */
void aia_tile_rows_to_strip(const float *src, long stride, double *dst);

/* The inverse: dst[k*stride + x] = (float)src[x*16 + k], for k < rows.
 * With `stream` set, rows of whole 64-byte lines may be streamed past the
 * caches (the avx2 level) ... */
void aia_tile_strip_to_rows(const double *src, float *dst, long stride, int rows, int stream);

/* ... so after a batch of them, before other threads read the rows: */
void aia_tile_rows_written(void);

#endif
