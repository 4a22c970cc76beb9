/* transpose.c — 16 x 16 tile transposes for the spline prefilter's row
 * pass, as plain loops. The avx512 level has its own (kernels/x86/
 * transpose_avx512.c: 16 loads, 64 shuffles and 16 stores a tile). */
#include "kernels/cpu/transpose.h"

#if !defined(__AVX512F__)

void aia_tile_rows_to_strip(const float *src, long stride, double *dst)
{
    for (int k = 0; k < 16; k++)
        for (int x = 0; x < 16; x++)
            dst[x * 16 + k] = src[k * stride + x];
}

void aia_tile_strip_to_rows(const double *src, float *dst, long stride, int rows)
{
    for (int k = 0; k < rows; k++)
        for (int x = 0; x < 16; x++)
            dst[k * stride + x] = (float)src[x * 16 + k];
}

#endif
