/* test_transpose.c — the 16 x 16 tile transposes of the spline prefilter,
 * at every kernel level built in that this CPU can run (generic loops, the
 * AVX2 and AVX-512 shuffles), against the plain definition. */
#include "testutil.h"


typedef void rows_to_strip_fn(const float *src, long stride, double *dst);
typedef void strip_to_rows_fn(const double *src, float *dst, long stride, int rows, int stream);
/* the levels other than generic exist only where the library was built for
 * x86-64: weak, so that they are NULL elsewhere */
rows_to_strip_fn aia_tile_rows_to_strip_generic;
strip_to_rows_fn aia_tile_strip_to_rows_generic;
__attribute__((weak)) rows_to_strip_fn aia_tile_rows_to_strip_avx2, aia_tile_rows_to_strip_avx512;
__attribute__((weak)) strip_to_rows_fn aia_tile_strip_to_rows_avx2, aia_tile_strip_to_rows_avx512;
void aia_tile_rows_written_generic(void);
__attribute__((weak)) void aia_tile_rows_written_avx2(void);

/* One layout: rows `stride` floats apart in 64-byte aligned buffers. A
 * stride of 37 is never a whole line; one of 64 makes every row of a
 * 16-row tile a whole line, where the avx2 level streams them. */
static void check_layout(const char *name, rows_to_strip_fn *to_strip, strip_to_rows_fn *to_rows, long stride)
{
    _Alignas(64) static float src[16 * 64], back[16 * 64];
    _Alignas(64) static double strip[256];
    for (int i = 0; i < 16 * stride; i++)
        src[i] = (float)(i * 3 + 1) * 0.5f;
    to_strip(src, stride, strip);
    int bad = 0;
    for (int k = 0; k < 16; k++)
        for (int x = 0; x < 16; x++)
            bad += strip[x * 16 + k] != (double)src[k * stride + x];
    CHECK_MSG(bad == 0, "%s, stride %ld: rows -> strip: %d elements wrong", name, stride, bad);
    static const int row_counts[] = {1, 7, 8, 9, 15, 16}; /* the avx2 kernel's 8 x 8 blocks, cut anywhere */
    for (size_t r = 0; r < sizeof row_counts / sizeof row_counts[0]; r++) {
        const int rows = row_counts[r];
        for (int stream = 0; stream < 2; stream++) {
            for (int i = 0; i < 16 * stride; i++)
                back[i] = -1.0f;
            to_rows(strip, back, stride, rows, stream);
            aia_tile_rows_written_generic(); /* nothing; the streamed level's own fence is below */
            if (aia_tile_rows_written_avx2 && to_rows == aia_tile_strip_to_rows_avx2)
                aia_tile_rows_written_avx2();
            bad = 0;
            for (int k = 0; k < 16; k++)
                for (int x = 0; x < stride; x++) {
                    float want = (k < rows && x < 16) ? src[k * stride + x] : -1.0f;
                    bad += back[k * stride + x] != want;
                }
            CHECK_MSG(bad == 0, "%s, stride %ld%s: strip -> %d rows: %d elements wrong", name, stride,
                      stream ? ", streamed" : "", rows, bad);
        }
    }
}

static void check_level(const char *name, rows_to_strip_fn *to_strip, strip_to_rows_fn *to_rows)
{
    check_layout(name, to_strip, to_rows, 37);
    check_layout(name, to_strip, to_rows, 64);
    printf("test_transpose: %s checked\n", name);
}

int main(void)
{
    /* naming the kernels links every level's objects in (weak references
     * alone pull nothing out of the static library) */
    printf("test_transpose: built %s, in use %s\n", aia_kernels_built(), aia_kernels());
    check_level("generic", aia_tile_rows_to_strip_generic, aia_tile_strip_to_rows_generic);
#if defined(__x86_64__)
    if (aia_tile_rows_to_strip_avx2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        check_level("avx2", aia_tile_rows_to_strip_avx2, aia_tile_strip_to_rows_avx2);
    if (aia_tile_rows_to_strip_avx512 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        check_level("avx512", aia_tile_rows_to_strip_avx512, aia_tile_strip_to_rows_avx512);
    else
        printf("test_transpose: avx512 SKIPPED: not built, or this CPU has no AVX-512\n");
#endif
    return test_done("test_transpose");
}
