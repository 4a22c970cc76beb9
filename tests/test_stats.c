/* test_stats.c — statistics against values computed by brute force. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void check_image(long w, long h, unsigned seed, int with_nan, int few_values)
{
    aia_image *img;
    CHECK_OK(aia_image_create(w, h, AIA_PIX_F32, &img));
    float *d = img->data;
    size_t n = (size_t)(w * h), k = 0;
    double *ref = malloc(n * sizeof *ref), sum = 0;
    srand(seed);
    for (size_t i = 0; i < n; i++) {
        d[i] = few_values ? (float)(rand() % 5) : (float)(rand() % 100000) / 7.0f;
        if (with_nan && i % 13 == 0)
            d[i] = NAN;
        if (!isnan(d[i])) {
            ref[k++] = d[i];
            sum += d[i];
        }
    }
    qsort(ref, k, sizeof *ref, cmp);
    double med = k % 2 ? ref[k / 2] : 0.5 * (ref[k / 2 - 1] + ref[k / 2]);
    aia_stats st;
    CHECK_OK(aia_image_stats(img, &st));
    CHECK(st.finite == (long long)k && st.nan == (long long)(n - k));
    CHECK_MSG(st.median == med, "median %.17g, expected %.17g (%ldx%ld)", st.median, med, w, h);
    CHECK(st.min == ref[0] && st.max == ref[k - 1]);
    CHECK(fabs(st.mean - sum / (double)k) <= 1e-9 * fabs(st.mean));
    free(ref);
    aia_image_free(img);
}

int main(void)
{
    check_image(101, 99, 1, 0, 0); /* odd count */
    check_image(100, 100, 2, 0, 0); /* even count */
    check_image(64, 64, 3, 1, 0);   /* with NaN */
    check_image(50, 40, 4, 0, 1);   /* many equal values */
    check_image(1, 2, 5, 0, 0);
    aia_image *img;
    CHECK_OK(aia_image_create(4, 4, AIA_PIX_F64, &img));
    for (int i = 0; i < 16; i++)
        ((double *)img->data)[i] = NAN;
    aia_stats st;
    CHECK_OK(aia_image_stats(img, &st));
    CHECK(st.finite == 0 && st.nan == 16 && isnan(st.median) && isnan(st.min));
    aia_image_free(img);
    return test_done("test_stats");
}
