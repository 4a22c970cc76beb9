/* psf.cu — the CUDA backend's PSF (kernels/backend.h): both mesh patterns
 * on the device, then their composite with cuFFT, in double.
 *
 * The host lists each spike's window and factors and, per 64 x 64 tile, the
 * spikes that reach it in summation order (psf_tiles.h: the CPU's code and
 * exp). A block then sums a tile, each thread its pixels in the CPU's order
 * (psf_math.h), so the spike sums are the CPU's; the sum of the grid comes
 * from per-tile-row sums added on the host in long double, like the CPU's;
 * the mix and the core are the CPU's expressions. The composite: two
 * in-place D2Z transforms of the padded patterns, their product, one
 * in-place Z2D, the reflection through n/2 into the output. */
#include "kernels/cuda/cuda_common.h"
#include "kernels/cuda/deconv_math.h"
#include "kernels/cuda/psf_tiles.h"

#include <stdlib.h>
#include <string.h>

#define N AIA_PSF_N
#define STRIDE AIA_PSF_STRIDE
#define TILE AIA_PSF_TILE
#define THREADS 256

/* One block a touched tile: each thread sums its pixels' spikes. */
__global__ void k_spikes(double *grid, const int *touched, const int *start, const int *list,
                         const aia_cu_spike *spikes, const double *factors)
{
    const int tile = touched[blockIdx.x];
    const long ty = tile / AIA_PSF_TILES, tx = tile % AIA_PSF_TILES;
    const int *l = list + start[tile];
    const long count = start[tile + 1] - start[tile];
    for (int k = threadIdx.x; k < TILE * TILE; k += blockDim.x) {
        const long r = ty * TILE + k / TILE, c = tx * TILE + k % TILE;
        grid[r * STRIDE + c] = aia_cu_spike_sum(spikes, l, count, factors, r, c);
    }
}

/* One block a touched tile, a thread a row of it: the row's sum in order. */
__global__ void k_tile_rows(const double *grid, const int *touched, double *sums)
{
    const int tile = touched[blockIdx.x];
    const long r = (tile / AIA_PSF_TILES) * TILE + threadIdx.x, c0 = (tile % AIA_PSF_TILES) * TILE;
    double row = 0.0;
    for (long c = c0; c < c0 + TILE; c++)
        row += grid[r * STRIDE + c];
    sums[(long)blockIdx.x * TILE + threadIdx.x] = row;
}

__global__ void k_mix(double *grid, const int *touched, const double *g, long h, double sum_s, double sum_core,
                      double spike_part, double core_part)
{
    const int tile = touched[blockIdx.x];
    const long ty = tile / AIA_PSF_TILES, tx = tile % AIA_PSF_TILES;
    for (int k = threadIdx.x; k < TILE * TILE; k += blockDim.x) {
        const long r = ty * TILE + k / TILE, c = tx * TILE + k % TILE;
        double *p = &grid[r * STRIDE + c];
        *p = aia_psf_mix(*p, aia_cu_core(g, h, r, c), sum_s, sum_core, spike_part, core_part);
    }
}

__global__ void k_product(double *e, const double *f, long count)
{
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count)
        aia_cu_mul_spectrum_d(e, f, i, 0);
}

__global__ void k_out(const double *e, double norm, double *out)
{
    const long i = blockIdx.y, j = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (j < N)
        out[i * N + j] = aia_cu_psf_out(e, N, STRIDE, norm, i, j);
}

/* Upload count items of `size` bytes into the slot's list buffer at *at
 * (8-byte aligned pieces of one buffer). */
static void *upload(char *base, size_t *at, const void *src, size_t bytes, cudaStream_t st, cudaError_t *e)
{
    void *dst = base + *at;
    *at += (bytes + 15) / 16 * 16;
    if (*e == cudaSuccess && bytes)
        *e = cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, st);
    return dst;
}

static size_t list_bytes(const aia_cu_psf_tiles *t)
{
    const size_t TT = (size_t)AIA_PSF_TILES * AIA_PSF_TILES;
    return sizeof(aia_cu_spike) * (size_t)t->nspikes + sizeof(double) * (size_t)t->nfactors +
           sizeof(int) * (TT + 1 + (size_t)t->nlist + (size_t)t->ntouched) + sizeof(double) * (size_t)t->ntouched * TILE +
           6 * 16;
}

/* One mesh's pattern into grid (zeroed). */
static int pattern(aia_cu_slot *s, const aia_psf_mesh_model *m, double spike_part, double core_part, double *grid)
{
    aia_cu_psf_tiles t;
    if (aia_cu_psf_tiles_build(m, &t))
        return aia_cu_host->fail(AIA_ERR_NOMEM, "out of memory");
    char *base = (char *)aia_cu_buffer(s, BUF_LIST, list_bytes(&t));
    double *sums = (double *)malloc(sizeof(double) * (size_t)(t.ntouched > 0 ? t.ntouched : 1) * TILE);
    if (!base || !sums) {
        free(sums);
        aia_cu_psf_tiles_free(&t);
        return base ? aia_cu_host->fail(AIA_ERR_NOMEM, "out of memory") : AIA_ERR_NOMEM;
    }
    const size_t TT = (size_t)AIA_PSF_TILES * AIA_PSF_TILES;
    size_t at = 0;
    cudaError_t e = cudaSuccess;
    const aia_cu_spike *d_spikes =
        (const aia_cu_spike *)upload(base, &at, t.spikes, sizeof(aia_cu_spike) * (size_t)t.nspikes, s->stream, &e);
    const double *d_factors =
        (const double *)upload(base, &at, t.factors, sizeof(double) * (size_t)t.nfactors, s->stream, &e);
    const int *d_start = (const int *)upload(base, &at, t.start, sizeof(int) * (TT + 1), s->stream, &e);
    const int *d_list = (const int *)upload(base, &at, t.list, sizeof(int) * (size_t)t.nlist, s->stream, &e);
    const int *d_touched = (const int *)upload(base, &at, t.touched, sizeof(int) * (size_t)t.ntouched, s->stream, &e);
    double *d_sums = (double *)(base + at);
    const unsigned tiles = (unsigned)t.ntouched;
    if (e == cudaSuccess && tiles) {
        k_spikes<<<tiles, THREADS, 0, s->stream>>>(grid, d_touched, d_start, d_list, d_spikes, d_factors);
        k_tile_rows<<<tiles, TILE, 0, s->stream>>>(grid, d_touched, d_sums);
        e = cudaGetLastError();
    }
    if (e == cudaSuccess && tiles)
        e = cudaMemcpyAsync(sums, d_sums, sizeof(double) * (size_t)t.ntouched * TILE, cudaMemcpyDeviceToHost,
                            s->stream);
    if (e == cudaSuccess)
        e = cudaStreamSynchronize(s->stream);
    if (e == cudaSuccess && tiles) {
        long double sum = 0.0L; /* as the CPU: tile rows in double, added in long double */
        for (long i = 0; i < t.ntouched * TILE; i++)
            sum += sums[i];
        k_mix<<<tiles, THREADS, 0, s->stream>>>(grid, d_touched, d_factors + t.core_offset, t.core_h, (double)sum,
                                                t.sum_core, spike_part, core_part);
        e = cudaGetLastError();
    }
    if (e == cudaSuccess) /* the lists are read by k_mix: keep them until it has run */
        e = cudaStreamSynchronize(s->stream);
    free(sums);
    aia_cu_psf_tiles_free(&t);
    return e == cudaSuccess ? AIA_OK : aia_cu_fail(e, "the PSF's spikes");
}

enum { EV_START, EV_PATTERNS, EV_DONE };

int aia_cu_psf_make(const aia_backend *b, const aia_psf_model *model, int threads, double *out, double seconds[2])
{
    (void)threads;
    aia_cu_device *dev = (aia_cu_device *)b->ctx;
    const size_t grid = (size_t)N * STRIDE * sizeof(double);
    aia_cu_slot *s = aia_cu_slot_acquire(dev, 3 * grid + grid / 2);
    if (!s)
        return AIA_ERR_NOMEM;
    const double t0 = aia_cu_host->now();
    double *e = (double *)aia_cu_buffer(s, BUF_D1, grid), *f = (double *)aia_cu_buffer(s, BUF_D2, grid);
    double *d_out = (double *)aia_cu_buffer(s, BUF_SPEC, (size_t)N * N * sizeof(double));
    int st = e && f && d_out ? AIA_OK : AIA_ERR_NOMEM;
    cudaError_t ce = cudaSuccess;
    if (!st) {
        ce = cudaEventRecord(s->ev[EV_START], s->stream);
        if (ce == cudaSuccess)
            ce = cudaMemsetAsync(e, 0, grid, s->stream);
        if (ce == cudaSuccess)
            ce = cudaMemsetAsync(f, 0, grid, s->stream);
        if (ce != cudaSuccess)
            st = aia_cu_fail(ce, "the PSF's grids");
    }
    if (!st)
        st = pattern(s, &model->mesh[0], model->spike_part, model->core_part, e);
    if (!st)
        st = pattern(s, &model->mesh[1], model->spike_part, model->core_part, f);
    const double t1 = aia_cu_host->now();
    cufftHandle fwd, inv;
    if (!st)
        st = aia_cu_fft_plan(s, N, CUFFT_D2Z, &fwd);
    if (!st)
        st = aia_cu_fft_plan(s, N, CUFFT_Z2D, &inv);
    if (!st) {
        /* in place: the padded rows are the r2c layout, as on the CPU */
        cufftResult r = cufftExecD2Z(fwd, e, (cufftDoubleComplex *)e);
        if (r == CUFFT_SUCCESS)
            r = cufftExecD2Z(fwd, f, (cufftDoubleComplex *)f);
        const long count = (long)N * (N / 2 + 1);
        if (r == CUFFT_SUCCESS) {
            k_product<<<aia_cu_blocks(count, THREADS), THREADS, 0, s->stream>>>(e, f, count);
            r = cudaPeekAtLastError() == cudaSuccess ? CUFFT_SUCCESS : CUFFT_EXEC_FAILED;
        }
        if (r == CUFFT_SUCCESS)
            r = cufftExecZ2D(inv, (cufftDoubleComplex *)e, e);
        if (r != CUFFT_SUCCESS)
            st = aia_cu_fft_fail(r, "the PSF's composite");
    }
    if (!st) {
        const double norm = 1.0 / ((double)N * (double)N); /* a power of two: exact */
        k_out<<<dim3(aia_cu_blocks(N, THREADS), N), THREADS, 0, s->stream>>>(e, norm, d_out);
        ce = cudaPeekAtLastError();
        if (ce == cudaSuccess)
            ce = cudaEventRecord(s->ev[EV_DONE], s->stream);
        st = ce == cudaSuccess ? AIA_OK : aia_cu_fail(ce, "k_out");
    }
    if (!st)
        st = aia_cu_copy_out(s, out, d_out, (size_t)N * sizeof(double), N, (size_t)N * sizeof(double));
    if (!st)
        st = aia_cu_sync(s);
    aia_cu_slot_release(s);
    seconds[0] = t1 - t0;
    seconds[1] = aia_cu_host->now() - t1;
    return st;
}
