/* transpose_avx2.c — the 16 x 16 tile transposes of the spline prefilter
 * with AVX2: a tile is four 8 x 8 blocks, each 8 loads, 24 shuffles and the
 * float <-> double conversions, instead of the 256 element moves GCC makes
 * of the plain loops (scalar loads and inserts, with spills). The avx2
 * level only; the values are moved and converted exactly, so the bytes are
 * the plain loops'. */
#include "kernels/cpu/transpose.h"

#if !defined(__AVX2__)
#error "transpose_avx2.c belongs to the avx2 level only (-march=x86-64-v3)"
#endif
#include <immintrin.h>
#include <stdint.h>

/* r[i] = column i of the 8 x 8 block whose rows r held. */
static inline void transpose8(__m256 r[8])
{
    __m256 t[8], s[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        s[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        s[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        s[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        s[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x20);
        r[i + 4] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x31);
    }
}

void aia_tile_rows_to_strip(const float *src, long stride, double *dst)
{
    for (int kb = 0; kb < 16; kb += 8)
        for (int xb = 0; xb < 16; xb += 8) {
            __m256 r[8];
            for (int k = 0; k < 8; k++)
                r[k] = _mm256_loadu_ps(src + (kb + k) * stride + xb);
            transpose8(r);
            for (int x = 0; x < 8; x++) {
                double *d = dst + (xb + x) * 16 + kb;
                _mm256_storeu_pd(d, _mm256_cvtps_pd(_mm256_castps256_ps128(r[x])));
                _mm256_storeu_pd(d + 4, _mm256_cvtps_pd(_mm256_extractf128_ps(r[x], 1)));
            }
        }
}

/* Where every row of the tile is a whole 64-byte line (the coefficients'
 * stride, prefilter.h), the rows go out with streaming stores, each row's
 * two halves one after the other so that the line is written in one piece:
 * the frame is far larger than the caches and read again only by the
 * column pass, so reading each line in before writing it (a plain store)
 * was traffic for nothing. One thread, 4106^2, the row pass 32.6 -> 24.7
 * ms (the halves written 8 rows apart, as the blocks come out, had made it
 * slower than plain stores: 30 -> 52 ms). Only when the caller says so:
 * see aia_workspace_reused. */
void aia_tile_strip_to_rows(const double *src, float *dst, long stride, int rows, int stream)
{
    stream = stream && rows == 16 && !((uintptr_t)dst & 63) && !(((uintptr_t)stride * sizeof(float)) & 63);
    for (int kb = 0; kb < 16 && kb < rows; kb += 8) {
        __m256 r[2][8]; /* [column half][row] */
        for (int xb = 0; xb < 2; xb++) {
            for (int x = 0; x < 8; x++) {
                const double *s = src + (8 * xb + x) * 16 + kb;
                const __m128 lo = _mm256_cvtpd_ps(_mm256_loadu_pd(s)), hi = _mm256_cvtpd_ps(_mm256_loadu_pd(s + 4));
                r[xb][x] = _mm256_set_m128(hi, lo);
            }
            transpose8(r[xb]);
        }
        for (int k = 0; k < 8 && kb + k < rows; k++) {
            float *d = dst + (kb + k) * stride;
            if (stream) {
                _mm256_stream_ps(d, r[0][k]);
                _mm256_stream_ps(d + 8, r[1][k]);
            } else {
                _mm256_storeu_ps(d, r[0][k]);
                _mm256_storeu_ps(d + 8, r[1][k]);
            }
        }
    }
}

void aia_tile_rows_written(void) { _mm_sfence(); }
