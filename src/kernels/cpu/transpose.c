/* transpose.c — 16 x 16 tile transposes for the spline prefilter's row
 * pass, as plain loops: the generic level's. The avx2 and avx512 levels
 * have their own shuffles (kernels/x86/transpose_avx2.c, _avx512.c). */
#include "kernels/cpu/transpose.h"

#if !defined(__AVX2__)

void aia_tile_rows_to_strip(const float *src, long stride, double *dst)
{
    for (int k = 0; k < 16; k++)
        for (int x = 0; x < 16; x++)
            dst[x * 16 + k] = src[k * stride + x];
}

void aia_tile_strip_to_rows(const double *src, float *dst, long stride, int rows, int stream)
{
    (void)stream;
    for (int k = 0; k < rows; k++)
        for (int x = 0; x < 16; x++)
            dst[k * stride + x] = (float)src[x * 16 + k];
}

void aia_tile_rows_written(void) {}

#endif
