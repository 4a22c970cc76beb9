/* test_transpose.c — the 16 x 16 tile transposes of the spline prefilter
 * (AVX-512 where built with it) against the plain definition. */
#include "testutil.h"
#include "kernels/cpu/transpose.h"

int main(void)
{
    const long stride = 37;
    float src[16 * 37], back[16 * 37];
    double strip[256];
    for (int i = 0; i < 16 * 37; i++)
        src[i] = (float)(i * 3 + 1) * 0.5f;
    aia_tile_rows_to_strip(src, stride, strip);
    int bad = 0;
    for (int k = 0; k < 16; k++)
        for (int x = 0; x < 16; x++)
            bad += strip[x * 16 + k] != (double)src[k * stride + x];
    CHECK_MSG(bad == 0, "rows -> strip: %d elements wrong", bad);
    for (int rows = 1; rows <= 16; rows += 15) {
        for (int i = 0; i < 16 * 37; i++)
            back[i] = -1.0f;
        aia_tile_strip_to_rows(strip, back, stride, rows);
        bad = 0;
        for (int k = 0; k < 16; k++)
            for (int x = 0; x < stride; x++) {
                float want = (k < rows && x < 16) ? src[k * stride + x] : -1.0f;
                bad += back[k * stride + x] != want;
            }
        CHECK_MSG(bad == 0, "strip -> %d rows: %d elements wrong", rows, bad);
    }
    return test_done("test_transpose");
}
