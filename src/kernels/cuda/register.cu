/* register.cu — the CUDA backend's registration for one geometry
 * (kernels/backend.h): the input scan, sunpy's NaN substitute (numpy's
 * nanmedian of the padded frame, by radix selection), the spline
 * coefficients of the padded frame (chunked recursive filters along the
 * rows, through a transpose, then along the columns, in double as on the
 * CPU), the sampling with clipping, and the NaN blobs fused into it. The
 * arithmetic of every thread is register_math.h's, the CPU's generic level
 * operation for operation; geometry stays in double as the steps made it.
 *
 * Device memory for a 4096² frame: input and output 64 MiB each, the
 * coefficients 64 MiB, two double frames of 128 MiB for the prefilter, the
 * mask 16 MiB when there are NaN pixels. */
#include "kernels/cuda/cuda_common.h"
#include "kernels/cuda/register_math.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 256
#define TILE 32

/* ---- the input scan: per row, the range and the bad pixels ------------- */

/* One block a row: min and max of the finite pixels, the bad count. */
__global__ void k_scan_rows(const float *in, long nx, long ny, float *row_min, float *row_max,
                            unsigned long long *row_bad)
{
    __shared__ float smin[THREADS], smax[THREADS];
    __shared__ unsigned long long sbad[THREADS];
    const long y = blockIdx.x;
    float mn = INFINITY, mx = -INFINITY;
    unsigned long long bad = 0;
    for (long x = threadIdx.x; x < nx; x += blockDim.x) {
        const float v = in[y * nx + x];
        if (aia_cu_finite(v)) {
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        } else {
            bad++;
        }
    }
    smin[threadIdx.x] = mn;
    smax[threadIdx.x] = mx;
    sbad[threadIdx.x] = bad;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s /= 2) {
        if ((int)threadIdx.x < s) {
            const float a = smin[threadIdx.x + s], b = smax[threadIdx.x + s];
            smin[threadIdx.x] = a < smin[threadIdx.x] ? a : smin[threadIdx.x];
            smax[threadIdx.x] = b > smax[threadIdx.x] ? b : smax[threadIdx.x];
            sbad[threadIdx.x] += sbad[threadIdx.x + s];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        row_min[y] = smin[0];
        row_max[y] = smax[0];
        row_bad[y] = sbad[0];
    }
}

/* ---- the NaN substitute: radix selection over the finite pixels -------- */

/* The histogram of digit (key >> shift) & 255 over the finite pixels whose
 * key matches prefix under mask: per block in shared memory, then added. */
__global__ void k_histogram(const float *in, long n, uint32_t prefix, uint32_t mask, int shift,
                            unsigned long long *hist)
{
    __shared__ unsigned int h[256];
    for (int i = threadIdx.x; i < 256; i += blockDim.x)
        h[i] = 0;
    __syncthreads();
    for (long i = (long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
        const float v = in[i];
        const uint32_t key = aia_cu_float_key(__float_as_uint(v));
        if (aia_cu_finite(v) && (key & mask) == prefix)
            atomicAdd(&h[(key >> shift) & 255u], 1u);
    }
    __syncthreads();
    for (int i = threadIdx.x; i < 256; i += blockDim.x)
        if (h[i])
            atomicAdd(&hist[i], (unsigned long long)h[i]);
}

/* The rank-th smallest finite pixel (0-based): four passes of 8 bits. */
static int radix_select(aia_cu_slot *s, const float *d_in, long n, unsigned long long rank, float *out)
{
    unsigned long long *d_hist = (unsigned long long *)aia_cu_buffer(s, BUF_LIST, 256 * sizeof(unsigned long long));
    if (!d_hist)
        return AIA_ERR_NOMEM;
    uint32_t prefix = 0, mask = 0;
    unsigned long long hist[256];
    const unsigned blocks = (unsigned)(4 * s->dev->prop.multiProcessorCount);
    for (int shift = 24; shift >= 0; shift -= 8) {
        AIA_CU_TRY(cudaMemsetAsync(d_hist, 0, sizeof hist, s->stream));
        k_histogram<<<blocks, THREADS, 0, s->stream>>>(d_in, n, prefix, mask, shift, d_hist);
        AIA_CU_LAUNCHED(k_histogram);
        AIA_CU_TRY(cudaMemcpyAsync(hist, d_hist, sizeof hist, cudaMemcpyDeviceToHost, s->stream));
        int st = aia_cu_sync(s);
        if (st)
            return st;
        const int d = aia_cu_pick_digit(hist, &rank);
        prefix |= (uint32_t)d << shift;
        mask |= 255u << shift;
    }
    const uint32_t bits = aia_cu_key_bits(prefix);
    memcpy(out, &bits, sizeof *out);
    return AIA_OK;
}

/* numpy.nanmedian of the padded frame: the finite pixels and the padding
 * (the minimum); the mean of the middle two in float32 (register_pixels.c). */
static int padded_nanmedian(aia_cu_slot *s, const aia_register_geometry *g, const float *d_in, long long bad,
                            float mn, float *out)
{
    const unsigned long long npad = (unsigned long long)g->NX * g->NY - (unsigned long long)g->nx * g->ny;
    const unsigned long long n = (unsigned long long)g->nx * g->ny - (unsigned long long)bad + npad;
    const unsigned long long ranks[2] = {(n - 1) / 2, n / 2};
    float m[2];
    for (int i = 0; i < 2; i++) {
        if (ranks[i] < npad) {
            m[i] = mn;
        } else if (i == 1 && ranks[1] == ranks[0]) {
            m[1] = m[0];
        } else {
            int st = radix_select(s, d_in, g->nx * g->ny, ranks[i] - npad, &m[i]);
            if (st)
                return st;
        }
    }
    const float sum = m[0] + m[1];
    *out = n % 2 ? m[1] : sum / 2.0f;
    return AIA_OK;
}

/* ---- the spline coefficients --------------------------------------------- */

/* P (transposed, in double) for the row pass: d[X * NY + Y] = P(X, Y). A
 * tile read along X, written along Y, through shared memory. */
__global__ void k_padded_transposed(const float *in, long nx, long ny, long pad_x, long pad_y, long NX, long NY,
                                    float fill, float nan_value, double *d)
{
    __shared__ double t[TILE][TILE + 1];
    const long X0 = (long)blockIdx.x * TILE, Y0 = (long)blockIdx.y * TILE;
    for (int r = threadIdx.y; r < TILE; r += blockDim.y) {
        const long X = X0 + threadIdx.x, Y = Y0 + r;
        if (X < NX && Y < NY)
            t[r][threadIdx.x] = aia_cu_padded(in, nx, ny, nx, pad_x, pad_y, fill, nan_value, X, Y);
    }
    __syncthreads();
    for (int r = threadIdx.y; r < TILE; r += blockDim.y) {
        const long Y = Y0 + threadIdx.x, X = X0 + r;
        if (X < NX && Y < NY)
            d[X * NY + Y] = t[threadIdx.x][r];
    }
}

/* P itself (orders 0-1 and Keys have no prefilter). */
__global__ void k_padded(const float *in, long nx, long ny, long pad_x, long pad_y, long NX, long NY, float fill,
                         float nan_value, float *coef)
{
    const long X = (long)blockIdx.x * blockDim.x + threadIdx.x, Y = blockIdx.y;
    if (X < NX)
        coef[Y * NX + X] = aia_cu_padded(in, nx, ny, nx, pad_x, pad_y, fill, nan_value, X, Y);
}

/* dst[c * rows + r] = src[r * cols + c]: a double frame transposed. */
__global__ void k_transpose(const double *src, long rows, long cols, double *dst)
{
    __shared__ double t[TILE][TILE + 1];
    const long c0 = (long)blockIdx.x * TILE, r0 = (long)blockIdx.y * TILE;
    for (int k = threadIdx.y; k < TILE; k += blockDim.y)
        if (r0 + k < rows && c0 + threadIdx.x < cols)
            t[k][threadIdx.x] = src[(r0 + k) * cols + c0 + threadIdx.x];
    __syncthreads();
    for (int k = threadIdx.y; k < TILE; k += blockDim.y)
        if (c0 + k < cols && r0 + threadIdx.x < rows)
            dst[(c0 + k) * rows + r0 + threadIdx.x] = t[threadIdx.x][k];
}

/* Thread (line, chunk): adjacent threads take adjacent lines, so that each
 * step of the recursion reads and writes 32 consecutive doubles a warp. */
__global__ void k_causal(const double *x, double *y, long ld, long nlines, long n, aia_cu_pass p)
{
    const long k = (long)blockIdx.x * blockDim.x + threadIdx.x;
    const long a = (long)blockIdx.y * AIA_CU_CHUNK, b = a + AIA_CU_CHUNK < n ? a + AIA_CU_CHUNK : n;
    if (k < nlines)
        aia_cu_causal_chunk(x + k, y + k, ld, n, a, b, p.z, p.g, p.zn1, p.warm);
}

__global__ void k_anticausal(const double *x, double *y, float *yf, int round_float, long ld, long nlines, long n,
                             aia_cu_pass p)
{
    const long k = (long)blockIdx.x * blockDim.x + threadIdx.x;
    const long a = (long)blockIdx.y * AIA_CU_CHUNK, b = a + AIA_CU_CHUNK < n ? a + AIA_CU_CHUNK : n;
    if (k < nlines)
        aia_cu_anticausal_chunk(x + k, y + k, yf ? yf + k : NULL, round_float, ld, n, a, b, p.z, p.warm);
}

/* Lines of n samples, sample i of line k at a[i * ld + k]: every pole's two
 * passes, a -> b -> a; the last pass rounded through float, or into yf. */
static int filter_lines(aia_cu_slot *s, double *a, double *b, float *yf, int round_last, long ld, long nlines,
                        long n, int order)
{
    aia_cu_pass passes[2];
    const int np = aia_cu_line_passes(order, n, passes);
    const dim3 grid(aia_cu_blocks(nlines, 128), (unsigned)((n + AIA_CU_CHUNK - 1) / AIA_CU_CHUNK));
    for (int p = 0; p < np; p++) {
        const int last = p == np - 1;
        k_causal<<<grid, 128, 0, s->stream>>>(a, b, ld, nlines, n, passes[p]);
        AIA_CU_LAUNCHED(k_causal);
        k_anticausal<<<grid, 128, 0, s->stream>>>(b, a, last ? yf : NULL, last && round_last, ld, nlines, n,
                                                   passes[p]);
        AIA_CU_LAUNCHED(k_anticausal);
    }
    return AIA_OK;
}

/* coef = the B-spline coefficients of P (prefilter.c): the rows in double,
 * stored rounded to float32 as the CPU stores them, then the columns. */
static int coefficients(aia_cu_slot *s, const aia_register_geometry *g, const float *d_in, float fill,
                        float nan_value, float *coef)
{
    const long NX = g->NX, NY = g->NY;
    if (g->kernel == AIA_KERNEL_KEYS || g->order < 2) {
        k_padded<<<dim3(aia_cu_blocks(NX, THREADS), (unsigned)NY), THREADS, 0, s->stream>>>(
            d_in, g->nx, g->ny, g->pad_x, g->pad_y, NX, NY, fill, nan_value, coef);
        AIA_CU_LAUNCHED(k_padded);
        return AIA_OK;
    }
    const size_t frame = (size_t)NX * (size_t)NY * sizeof(double);
    double *d1 = (double *)aia_cu_buffer(s, BUF_D1, frame), *d2 = (double *)aia_cu_buffer(s, BUF_D2, frame);
    if (!d1 || !d2)
        return AIA_ERR_NOMEM;
    const dim3 tiles(aia_cu_blocks(NX, TILE), aia_cu_blocks(NY, TILE)), threads(TILE, 8);
    k_padded_transposed<<<tiles, threads, 0, s->stream>>>(d_in, g->nx, g->ny, g->pad_x, g->pad_y, NX, NY, fill,
                                                          nan_value, d1);
    AIA_CU_LAUNCHED(k_padded_transposed);
    int st = filter_lines(s, d1, d2, NULL, 1, NY, NY, NX, g->order); /* rows: line Y is column Y of d1 */
    if (st)
        return st;
    k_transpose<<<dim3(aia_cu_blocks(NY, TILE), aia_cu_blocks(NX, TILE)), threads, 0, s->stream>>>(d1, NX, NY, d2);
    AIA_CU_LAUNCHED(k_transpose);
    return filter_lines(s, d2, d1, coef, 0, NX, NX, NY, g->order); /* columns: line X is column X of d2 */
}

/* ---- the NaN mask ---------------------------------------------------------- */

__global__ void k_bad_rows(const float *in, long nx, long ny, long pad_x, long NX, int radius, uint8_t *h)
{
    const long X = (long)blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y;
    if (X < NX && y < ny)
        h[y * NX + X] = aia_cu_bad_near(in, nx, nx, pad_x, radius, y, X);
}

__global__ void k_bad_mask(const uint8_t *h, long ny, long pad_y, long NX, long NY, int radius, uint8_t *mask)
{
    const long X = (long)blockIdx.x * blockDim.x + threadIdx.x, Y = blockIdx.y;
    if (X >= NX || Y >= NY)
        return;
    uint8_t m = 0;
    for (long dy = -radius; dy <= radius; dy++) {
        const long y = Y - pad_y + dy;
        if (y >= 0 && y < ny)
            m |= h[y * NX + X];
    }
    mask[Y * NX + X] = m;
}

/* ---- sampling ------------------------------------------------------------- */

/* One thread an output pixel: the sample, clipped; NaN where the mask says
 * (when there is one), counted. */
__global__ void k_sample(const float *coef, aia_cu_sampling smp, const uint8_t *mask, int mask_order, float *out,
                         unsigned long long *nan_count)
{
    __shared__ unsigned int nans;
    if (threadIdx.x == 0 && threadIdx.y == 0)
        nans = 0;
    __syncthreads();
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x, j = (long)blockIdx.y * blockDim.y + threadIdx.y;
    if (i < smp.win.w && j < smp.win.h) {
        float v = aia_cu_sample(coef, &smp, i, j);
        if (mask && aia_cu_mask_hit(mask, &smp, mask_order, i, j)) {
            v = NAN;
            atomicAdd(&nans, 1u);
        }
        out[j * smp.win.w + i] = v;
    }
    __syncthreads();
    if (threadIdx.x == 0 && threadIdx.y == 0 && nans)
        atomicAdd(nan_count, (unsigned long long)nans);
}

/* The NaN blobs on an output already made (a whole-pixel shift's). */
__global__ void k_mask_apply(const uint8_t *mask, aia_cu_sampling smp, int mask_order, float *out,
                             unsigned long long *nan_count)
{
    __shared__ unsigned int nans;
    if (threadIdx.x == 0 && threadIdx.y == 0)
        nans = 0;
    __syncthreads();
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x, j = (long)blockIdx.y * blockDim.y + threadIdx.y;
    if (i < smp.win.w && j < smp.win.h && aia_cu_mask_hit(mask, &smp, mask_order, i, j)) {
        out[j * smp.win.w + i] = NAN;
        atomicAdd(&nans, 1u);
    }
    __syncthreads();
    if (threadIdx.x == 0 && threadIdx.y == 0 && nans)
        atomicAdd(nan_count, (unsigned long long)nans);
}

__global__ void k_shifted(const float *in, long nx, long ny, long dx, long dy, float missing, aia_window win,
                          float *out)
{
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x, j = blockIdx.y;
    if (i < win.w)
        out[j * win.w + i] = aia_cu_shifted(in, nx, ny, nx, dx, dy, missing, &win, i, j);
}

/* ---- the whole registration ------------------------------------------------- */

size_t aia_cu_register_bytes(const aia_register_geometry *g)
{
    const size_t in = (size_t)g->nx * g->ny, frame = (size_t)g->NX * g->NY, out = (size_t)g->win.w * g->win.h;
    return 4 * in + 4 * out + 4 * frame + 16 * frame + 2 * frame;
}

static int is_whole_pixel_shift(const aia_affine *a)
{
    return a->m[0][0] == 1.0 && a->m[0][1] == 0.0 && a->m[1][0] == 0.0 && a->m[1][1] == 1.0 &&
           a->shift[0] == floor(a->shift[0]) && a->shift[1] == floor(a->shift[1]);
}

/* Events of the stages (the lower half of the slot's events). */
enum { EV_START, EV_SCANNED, EV_FILTERED, EV_SAMPLED };

int aia_cu_register_device(aia_cu_slot *s, const aia_register_geometry *g, const float *d_in, float *out,
                           long out_stride, aia_register_pixel_info *info)
{
    const long ny = g->ny, w = g->win.w, h = g->win.h;
    /* the scan: per-row results, brought back and added up here */
    char *small = (char *)aia_cu_buffer(s, BUF_SMALL, (size_t)ny * 16 + 64);
    float *d_out = (float *)aia_cu_buffer(s, BUF_OUT, (size_t)w * h * sizeof(float));
    if (!small || !d_out)
        return AIA_ERR_NOMEM;
    float *row_min = (float *)small, *row_max = row_min + ny;
    unsigned long long *row_bad = (unsigned long long *)(small + (size_t)ny * 8);
    unsigned long long *d_nan = row_bad + ny;
    AIA_CU_TRY(cudaEventRecord(s->ev[EV_START], s->stream));
    k_scan_rows<<<(unsigned)ny, THREADS, 0, s->stream>>>(d_in, g->nx, ny, row_min, row_max, row_bad);
    AIA_CU_LAUNCHED(k_scan_rows);
    float *h_min = (float *)malloc((size_t)ny * 16);
    if (!h_min)
        return aia_cu_host->fail(AIA_ERR_NOMEM, "out of memory");
    float *h_max = h_min + ny;
    unsigned long long *h_bad = (unsigned long long *)(h_max + ny);
    cudaError_t e = cudaMemcpyAsync(h_min, row_min, (size_t)ny * 8, cudaMemcpyDeviceToHost, s->stream);
    if (e == cudaSuccess)
        e = cudaMemcpyAsync(h_bad, row_bad, (size_t)ny * 8, cudaMemcpyDeviceToHost, s->stream);
    if (e == cudaSuccess)
        e = cudaEventRecord(s->ev[EV_SCANNED], s->stream);
    if (e == cudaSuccess)
        e = cudaStreamSynchronize(s->stream);
    float mn = INFINITY, mx = -INFINITY;
    long long bad = 0;
    for (long y = 0; y < ny; y++) {
        mn = h_min[y] < mn ? h_min[y] : mn;
        mx = h_max[y] > mx ? h_max[y] : mx;
        bad += (long long)h_bad[y];
    }
    free(h_min);
    if (e != cudaSuccess)
        return aia_cu_fail(e, "the input scan");
    if (bad == (long long)g->nx * ny)
        return aia_cu_host->fail(AIA_ERR_BAD_DATA, "every pixel is NaN/BLANK: nothing to register");

    const float missing = mn; /* aiapy: missing = nanmin(data) */
    aia_cu_sampling smp;
    smp.NX = g->NX;
    smp.NY = g->NY;
    smp.map = g->map;
    smp.win = g->win;
    smp.kernel = g->kernel;
    smp.order = g->order;
    smp.cval = missing;
    smp.lo = mn;
    smp.hi = mx;
    const int mask_order = g->order < 1 ? g->order : 1;
    const dim3 threads(32, 8), blocks(aia_cu_blocks(w, 32), aia_cu_blocks(h, 8));
    int st = AIA_OK;
    AIA_CU_TRY(cudaMemsetAsync(d_nan, 0, sizeof *d_nan, s->stream));
    /* the dilated NaN mask of the padded frame (register_pixels.c) */
    uint8_t *mask = NULL;
    if (bad) {
        static const int radius[6] = {0, 0, 2, 2, 3, 3}; /* k = 1,1,5,5,7,7 */
        const int r = radius[g->order];
        uint8_t *hb = (uint8_t *)aia_cu_buffer(s, BUF_HBAD, (size_t)ny * g->NX);
        mask = (uint8_t *)aia_cu_buffer(s, BUF_MASK, (size_t)g->NX * g->NY);
        if (!hb || !mask)
            return AIA_ERR_NOMEM;
        k_bad_rows<<<dim3(aia_cu_blocks(g->NX, THREADS), (unsigned)ny), THREADS, 0, s->stream>>>(
            d_in, g->nx, ny, g->pad_x, g->NX, r, hb);
        AIA_CU_LAUNCHED(k_bad_rows);
        k_bad_mask<<<dim3(aia_cu_blocks(g->NX, THREADS), (unsigned)g->NY), THREADS, 0, s->stream>>>(
            hb, ny, g->pad_y, g->NX, g->NY, r, mask);
        AIA_CU_LAUNCHED(k_bad_mask);
    }
    if (is_whole_pixel_shift(&g->map)) {
        AIA_CU_TRY(cudaEventRecord(s->ev[EV_FILTERED], s->stream));
        k_shifted<<<dim3(aia_cu_blocks(w, THREADS), (unsigned)h), THREADS, 0, s->stream>>>(
            d_in, g->nx, ny, (long)g->map.shift[0] - g->pad_x, (long)g->map.shift[1] - g->pad_y, missing, g->win,
            d_out);
        AIA_CU_LAUNCHED(k_shifted);
        if (mask) {
            k_mask_apply<<<blocks, threads, 0, s->stream>>>(mask, smp, mask_order, d_out, d_nan);
            AIA_CU_LAUNCHED(k_mask_apply);
        }
    } else {
        float nan_value = 0.0f;
        if (bad && (st = padded_nanmedian(s, g, d_in, bad, mn, &nan_value)))
            return st;
        float *coef = (float *)aia_cu_buffer(s, BUF_COEF, (size_t)g->NX * g->NY * sizeof(float));
        if (!coef)
            return AIA_ERR_NOMEM;
        if ((st = coefficients(s, g, d_in, missing, nan_value, coef)))
            return st;
        AIA_CU_TRY(cudaEventRecord(s->ev[EV_FILTERED], s->stream));
        k_sample<<<blocks, threads, 0, s->stream>>>(coef, smp, mask, mask_order, d_out, d_nan);
        AIA_CU_LAUNCHED(k_sample);
    }
    AIA_CU_TRY(cudaEventRecord(s->ev[EV_SAMPLED], s->stream));
    unsigned long long nan_out = 0;
    AIA_CU_TRY(cudaMemcpyAsync(&nan_out, d_nan, sizeof nan_out, cudaMemcpyDeviceToHost, s->stream));
    /* the copy back waits for the kernels anyway (one stream): waiting
     * here first separates its time from theirs */
    AIA_CU_TRY(cudaEventSynchronize(s->ev[EV_SAMPLED]));
    const double t1 = aia_cu_host->now();
    if ((st = aia_cu_copy_out(s, out, d_out, (size_t)w * sizeof(float), (size_t)h, (size_t)out_stride * sizeof(float))))
        return st;
    if ((st = aia_cu_sync(s)))
        return st;
    const double t2 = aia_cu_host->now();
    info->min = mn;
    info->fill = mn; /* the plan gives this backend aiapy's fill only (register.c) */
    info->max = mx;
    info->nan_input = bad;
    info->nan_output = (long long)nan_out;
    info->seconds_scan = aia_cu_elapsed(s, EV_START, EV_SCANNED) * 1e-3;
    info->seconds_prefilter = aia_cu_elapsed(s, EV_SCANNED, EV_FILTERED) * 1e-3;
    info->seconds_sample = aia_cu_elapsed(s, EV_FILTERED, EV_SAMPLED) * 1e-3;
    info->seconds_finish = 0; /* the NaN blobs are part of the sampling here */
    info->seconds_copy += t2 - t1;
    return AIA_OK;
}

int aia_cu_register_pixels(const aia_backend *b, const aia_register_geometry *g, const float *in, long in_stride,
                           const aia_input_range *known, float *out, long out_stride, aia_workspace *ws,
                           aia_register_pixel_info *info)
{
    (void)ws;
    (void)known; /* the scan on the device costs a fraction of the copy there */
    aia_cu_device *dev = (aia_cu_device *)b->ctx;
    aia_cu_slot *s = aia_cu_slot_acquire(dev, aia_cu_register_bytes(g));
    if (!s)
        return AIA_ERR_NOMEM;
    int st = AIA_OK;
    float *d_in = (float *)aia_cu_buffer(s, BUF_IN, (size_t)g->nx * g->ny * sizeof(float));
    if (!d_in)
        st = AIA_ERR_NOMEM;
    const double t0 = aia_cu_host->now();
    if (!st)
        st = aia_cu_copy_in(s, d_in, in, (size_t)g->nx * sizeof(float), (size_t)g->ny,
                            (size_t)in_stride * sizeof(float));
    info->seconds_copy = aia_cu_host->now() - t0;
    if (!st)
        st = aia_cu_register_device(s, g, d_in, out, out_stride, info);
    aia_cu_slot_release(s);
    return st;
}
