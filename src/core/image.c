/* image.c — in-memory images and their statistics. */
#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t aia_pixtype_size(aia_pixtype t) { return t == AIA_PIX_F64 ? sizeof(double) : sizeof(float); }

int aia_image_create(long width, long height, aia_pixtype pixtype, aia_image **out)
{
    return aia_image_alloc(width, height, pixtype, 1, out);
}

int aia_image_alloc(long width, long height, aia_pixtype pixtype, int zero, aia_image **out)
{
    *out = NULL;
    if (width <= 0 || height <= 0 || (pixtype != AIA_PIX_F32 && pixtype != AIA_PIX_F64))
        return aia_fail(AIA_ERR_ARG, "cannot create a %ld x %ld image of pixel type %d", width,
                        height, (int)pixtype);
    aia_image *img = calloc(1, sizeof *img);
    if (!img)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    img->width = width;
    img->height = height;
    img->pixtype = pixtype;
    const size_t n = (size_t)width * (size_t)height;
    img->data = zero ? calloc(n, aia_pixtype_size(pixtype)) : aia_alloc_frame(n * aia_pixtype_size(pixtype));
    img->capacity = n * aia_pixtype_size(pixtype);
    img->header = aia_header_new();
    if (!img->data || !img->header) {
        aia_image_free(img);
        return aia_fail(AIA_ERR_NOMEM, "out of memory for a %ld x %ld image", width, height);
    }
    *out = img;
    return AIA_OK;
}

int aia_image_reshape(aia_image *img, long width, long height, aia_pixtype pixtype)
{
    const size_t bytes = (size_t)width * (size_t)height * aia_pixtype_size(pixtype);
    if (bytes > img->capacity) {
        void *d = aia_alloc_frame(bytes);
        if (!d)
            return aia_fail(AIA_ERR_NOMEM, "out of memory for a %ld x %ld image", width, height);
        free(img->data);
        img->data = d;
        img->capacity = bytes;
    }
    img->width = width;
    img->height = height;
    img->pixtype = pixtype;
    memset(&img->source, 0, sizeof img->source);
    return AIA_OK;
}

int aia_image_convert(aia_image *img, aia_pixtype to)
{
    if (img->pixtype == to)
        return AIA_OK;
    const size_t n = (size_t)img->width * (size_t)img->height;
    void *d = aia_alloc_frame(n * aia_pixtype_size(to));
    if (!d)
        return aia_fail(AIA_ERR_NOMEM, "out of memory converting a %ld x %ld image", img->width,
                        img->height);
    if (to == AIA_PIX_F32) {
        const double *src = img->data;
        float *dst = d;
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++)
            dst[i] = (float)src[i];
    } else {
        const float *src = img->data;
        double *dst = d;
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++)
            dst[i] = src[i];
    }
    free(img->data);
    img->data = d;
    img->capacity = n * aia_pixtype_size(to);
    img->pixtype = to;
    return AIA_OK;
}

aia_view aia_view_of(void *data, long width, long height, long stride, aia_pixtype type)
{
    return (aia_view){data, width, height, stride > 0 ? stride : width, type};
}

aia_view aia_image_view(const aia_image *img)
{
    return aia_view_of(img->data, img->width, img->height, img->width, img->pixtype);
}

int aia_view_check(aia_view v, const char *what)
{
    if (!v.data || v.width <= 0 || v.height <= 0 || v.stride < v.width ||
        (v.type != AIA_PIX_F32 && v.type != AIA_PIX_F64))
        return aia_fail(AIA_ERR_ARG, "%s: not a usable array (%ld x %ld, stride %ld, type %d)", what, v.width,
                        v.height, v.stride, (int)v.type);
    return AIA_OK;
}

void aia_view_scale(aia_view v, double s)
{
#pragma omp parallel for schedule(static)
    for (long y = 0; y < v.height; y++) {
        if (v.type == AIA_PIX_F64) {
            double *d = aia_view_row(v, y);
            for (long x = 0; x < v.width; x++)
                d[x] *= s;
        } else {
            float *d = aia_view_row(v, y);
            for (long x = 0; x < v.width; x++)
                d[x] = (float)((double)d[x] * s);
        }
    }
}

void aia_image_free(aia_image *img)
{
    if (!img)
        return;
    free(img->data);
    aia_header_free(img->header);
    free(img);
}

static void swap(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* The k-th smallest of v[0..n) (0-based), rearranging v: Hoare's selection
 * with a median-of-three pivot, linear on average. */
static double select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) swap(&v[mid], &v[lo]);
        if (v[hi] < v[lo]) swap(&v[hi], &v[lo]);
        if (v[hi] < v[mid]) swap(&v[hi], &v[mid]);
        const double pivot = v[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                swap(&v[i], &v[j]);
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else return v[k];
    }
    return v[k];
}

/* Median of the finite values (the mean of the two middle ones for an even
 * count), exact. */
static double finite_median(const aia_image *img, size_t n, long long finite);

double aia_view_median(aia_view v)
{
    /* the selection needs the pixels contiguous: a strided view is packed */
    aia_image img = {.width = v.width, .height = v.height, .pixtype = v.type, .data = v.data};
    void *packed = NULL;
    const size_t row = (size_t)v.width * aia_pixtype_size(v.type);
    if (v.stride != v.width) {
        packed = malloc(row * (size_t)v.height);
        if (!packed)
            return NAN;
        for (long y = 0; y < v.height; y++)
            memcpy((char *)packed + (size_t)y * row, aia_view_row(v, y), row);
        img.data = packed;
    }
    const size_t n = (size_t)v.width * (size_t)v.height;
    long long finite = 0;
#pragma omp parallel for reduction(+ : finite)
    for (size_t i = 0; i < n; i++)
        finite += isfinite(aia_pixel(img.data, img.pixtype, i)) ? 1 : 0;
    const double m = finite_median(&img, n, finite);
    free(packed);
    return m;
}

static double finite_median(const aia_image *img, size_t n, long long finite)
{
    if (finite == 0)
        return NAN;
    if (img->pixtype == AIA_PIX_F32) {
        float a, b;
        const uint64_t k = (uint64_t)finite;
        if (aia_select_float(img->data, n, (k - 1) / 2, &a) || aia_select_float(img->data, n, k / 2, &b))
            return NAN;
        return 0.5 * ((double)a + (double)b);
    }
    double *v = malloc((size_t)finite * sizeof *v);
    if (!v)
        return NAN;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double x = aia_pixel(img->data, img->pixtype, i);
        if (isfinite(x))
            v[k++] = x;
    }
    double med = select_kth(v, k, k / 2);
    if (k % 2 == 0) {
        /* after selection everything below k/2 is <= v[k/2]: take its max */
        double lower = v[0];
        for (size_t i = 1; i < k / 2; i++)
            lower = v[i] > lower ? v[i] : lower;
        med = 0.5 * (lower + med);
    }
    free(v);
    return med;
}

int aia_image_stats(const aia_image *img, aia_stats *st)
{
    const size_t n = (size_t)img->width * (size_t)img->height;
    double mn = INFINITY, mx = -INFINITY, sum = 0.0;
    long long finite = 0, nan = 0;
#pragma omp parallel for reduction(min : mn) reduction(max : mx) reduction(+ : sum, finite, nan)
    for (size_t i = 0; i < n; i++) {
        double x = aia_pixel(img->data, img->pixtype, i);
        if (!isfinite(x)) {
            nan++;
            continue;
        }
        finite++;
        sum += x;
        mn = x < mn ? x : mn;
        mx = x > mx ? x : mx;
    }
    const double mean = finite ? sum / (double)finite : NAN;
    double ss = 0.0;
#pragma omp parallel for reduction(+ : ss)
    for (size_t i = 0; i < n; i++) {
        double x = aia_pixel(img->data, img->pixtype, i);
        if (isfinite(x))
            ss += (x - mean) * (x - mean);
    }
    st->finite = finite;
    st->nan = nan;
    st->min = finite ? mn : NAN;
    st->max = finite ? mx : NAN;
    st->mean = mean;
    st->stddev = finite ? sqrt(ss / (double)finite) : NAN;
    st->median = finite_median(img, n, finite);
    return AIA_OK;
}
