/* transpose_avx512.c — the 16 x 16 tile transposes of the spline
 * prefilter with AVX-512: a tile is 16 loads, 64 shuffles and 16 stores
 * instead of 256 scattered element moves. The avx512 level only. */
#include "kernels/cpu/transpose.h"

#if !defined(__AVX512F__)
#error "transpose_avx512.c belongs to the avx512 level only (-march=x86-64-v4)"
#endif
#include <immintrin.h>

/* Transpose 16 vectors of 16 floats in registers (the classic four stages:
 * 32-bit, 64-bit, 128-bit lanes, 256-bit halves). */
static void transpose16(__m512 r[16])
{
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
        r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
        r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
        r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    }
    /* r[4g + j] now holds, for rows 4g..4g+3, column j of each 4-column
     * block: gather the 128-bit lanes across groups */
    for (int j = 0; j < 4; j++) {
        __m512 a = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88);      /* lanes 0,2 | 0,2 */
        __m512 b = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xdd);      /* lanes 1,3 | 1,3 */
        __m512 c = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88);
        __m512 d = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xdd);
        t[j] = _mm512_shuffle_f32x4(a, c, 0x88);      /* block 0 */
        t[4 + j] = _mm512_shuffle_f32x4(b, d, 0x88);  /* block 1 */
        t[8 + j] = _mm512_shuffle_f32x4(a, c, 0xdd);  /* block 2 */
        t[12 + j] = _mm512_shuffle_f32x4(b, d, 0xdd); /* block 3 */
    }
    /* t[4b + j] is column 4b + j */
    for (int i = 0; i < 16; i++)
        r[i] = t[i];
}

void aia_tile_rows_to_strip(const float *src, long stride, double *dst)
{
    __m512 r[16];
    for (int k = 0; k < 16; k++)
        r[k] = _mm512_loadu_ps(src + k * stride);
    transpose16(r);
    for (int x = 0; x < 16; x++) {
        _mm512_storeu_pd(dst + x * 16, _mm512_cvtps_pd(_mm512_castps512_ps256(r[x])));
        _mm512_storeu_pd(dst + x * 16 + 8,
                         _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(r[x]), 1))));
    }
}

void aia_tile_strip_to_rows(const double *src, float *dst, long stride, int rows, int stream)
{
    (void)stream; /* plain stores at this level */
    __m512 r[16];
    for (int x = 0; x < 16; x++) {
        __m256 lo = _mm512_cvtpd_ps(_mm512_loadu_pd(src + x * 16));
        __m256 hi = _mm512_cvtpd_ps(_mm512_loadu_pd(src + x * 16 + 8));
        r[x] = _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
    }
    transpose16(r);
    for (int k = 0; k < rows; k++)
        _mm512_storeu_ps(dst + k * stride, r[k]);
}

void aia_tile_rows_written(void) {} /* plain stores here */
