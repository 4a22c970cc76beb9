/* deconv.cu — the CUDA backend's Richardson–Lucy plans (kernels/backend.h).
 *
 * The plan keeps the PSF's spectrum on the device (rfft2 of the PSF moved
 * to (0, 0), / n², in the plan's precision; made there with cuFFT in
 * double), uploaded once per channel and shared by every slot. A run
 * uploads the image, and the image, the estimate u and the spectrum stay on
 * the device for all iterations:
 *     S = R2C(u); S *= H; r = C2R(S); r = img / r (0 where r is 0);
 *     S = R2C(r); S *= conj H; r = C2R(S); u *= r
 * with the pointwise arithmetic of deconv_math.h (the CPU kernel's). That
 * is four cuFFT transforms an iteration and four pointwise passes (two over
 * the spectrum, two over the image); cuFFT callbacks would fold the
 * pointwise passes into the transforms' loads and stores (the spectrum's
 * product into the C2R's load, the ratio and the update into its store),
 * saving about a third of the memory traffic: not done yet (they need
 * cuFFT's LTO callbacks, which nvJitLink builds at run time).
 *
 * deconv_register goes on to register the result without it leaving the
 * device: rounded to float32 (a double plan), NaN at the pixels the step
 * filled, then register.cu on the device frame. */
#include "kernels/cuda/cuda_common.h"
#include "kernels/cuda/deconv_math.h"

#include <stdlib.h>

#define THREADS 256

struct aia_backend_deconv {
    aia_cu_device *dev;
    long n;
    aia_pixtype precision;
    void *H; /* n x (n/2+1) complex of the precision, on the device */
};

/* ---- kernels ----------------------------------------------------------------- */

__global__ void k_psf_shifted(const double *psf, long n, double *out)
{
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n * n)
        out[i] = aia_cu_psf_shifted(psf, n, i / n, i % n);
}

__global__ void k_spectrum_f(const double *spec, long count, double norm, float *H)
{
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count)
        H[i] = aia_cu_spectrum_f(spec[i], norm);
}

__global__ void k_spectrum_d(const double *spec, long count, double norm, double *H)
{
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count)
        H[i] = aia_cu_spectrum_d(spec[i], norm);
}

__global__ void k_mul_f(float *S, const float *H, long count, int conjugate)
{
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count)
        aia_cu_mul_spectrum_f(S, H, i, conjugate);
}

__global__ void k_mul_d(double *S, const double *H, long count, int conjugate)
{
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count)
        aia_cu_mul_spectrum_d(S, H, i, conjugate);
}

__global__ void k_ratio_f(const float *img, float *r, long count)
{
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count)
        r[i] = aia_cu_ratio_f(img[i], r[i]);
}

__global__ void k_ratio_d(const double *img, double *r, long count)
{
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count)
        r[i] = aia_cu_ratio_d(img[i], r[i]);
}

__global__ void k_update_f(float *u, const float *r, long count)
{
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count)
        u[i] *= r[i];
}

__global__ void k_update_d(double *u, const double *r, long count)
{
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count)
        u[i] *= r[i];
}

__global__ void k_to_float(const double *u, long count, float *f)
{
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count)
        f[i] = (float)u[i];
}

__global__ void k_set_nan(float *f, const long *bad, long nbad)
{
    const long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < nbad)
        f[bad[i]] = NAN;
}

/* ---- the plan ------------------------------------------------------------------ */

static size_t real_size(aia_pixtype p) { return p == AIA_PIX_F64 ? sizeof(double) : sizeof(float); }

/* Device memory of a run (and of a registration after it), for the slot
 * choice: image, u, a real frame, the spectrum, cuFFT's work. */
static size_t run_bytes(long n, aia_pixtype p)
{
    const size_t nn = (size_t)n * (size_t)n;
    return nn * real_size(p) * 6 + nn * 20;
}

int aia_cu_deconv_plan_new(const aia_backend *b, const double *psf, long n, aia_pixtype precision, int threads,
                           aia_backend_deconv **out)
{
    (void)threads;
    *out = NULL;
    aia_cu_device *dev = (aia_cu_device *)b->ctx;
    aia_backend_deconv *p = (aia_backend_deconv *)calloc(1, sizeof *p);
    if (!p)
        return aia_cu_host->fail(AIA_ERR_NOMEM, "out of memory");
    p->dev = dev;
    p->n = n;
    p->precision = precision;
    aia_cu_slot *s = aia_cu_slot_acquire(dev, run_bytes(n, precision));
    if (!s) {
        free(p);
        return AIA_ERR_NOMEM;
    }
    const long nc = n / 2 + 1, count = 2 * n * nc; /* reals of the spectrum */
    const size_t nn = (size_t)n * (size_t)n;
    double *d_psf = (double *)aia_cu_buffer(s, BUF_D1, nn * sizeof(double));
    double *d_shift = (double *)aia_cu_buffer(s, BUF_D2, nn * sizeof(double));
    double *d_spec = (double *)aia_cu_buffer(s, BUF_SPEC, (size_t)count * sizeof(double));
    cufftHandle plan;
    int st = d_psf && d_shift && d_spec ? AIA_OK : AIA_ERR_NOMEM;
    if (!st)
        st = aia_cu_copy_in(s, d_psf, psf, (size_t)n * sizeof(double), (size_t)n, (size_t)n * sizeof(double));
    if (!st) {
        k_psf_shifted<<<aia_cu_blocks((long)nn, THREADS), THREADS, 0, s->stream>>>(d_psf, n, d_shift);
        const cudaError_t e = cudaPeekAtLastError();
        st = e == cudaSuccess ? AIA_OK : aia_cu_fail(e, "k_psf_shifted");
    }
    if (!st)
        st = aia_cu_fft_plan(s, n, CUFFT_D2Z, &plan);
    if (!st) {
        const cufftResult r = cufftExecD2Z(plan, d_shift, (cufftDoubleComplex *)d_spec);
        st = r == CUFFT_SUCCESS ? AIA_OK : aia_cu_fft_fail(r, "the PSF's transform");
    }
    if (!st) {
        const cudaError_t e = cudaMalloc(&p->H, (size_t)count * real_size(precision));
        st = e == cudaSuccess ? AIA_OK : aia_cu_fail(e, "the PSF's spectrum on the device");
    }
    if (!st) {
        const double norm = 1.0 / ((double)n * (double)n); /* a power of two: exact */
        if (precision == AIA_PIX_F64)
            k_spectrum_d<<<aia_cu_blocks(count, THREADS), THREADS, 0, s->stream>>>(d_spec, count, norm,
                                                                                    (double *)p->H);
        else
            k_spectrum_f<<<aia_cu_blocks(count, THREADS), THREADS, 0, s->stream>>>(d_spec, count, norm,
                                                                                    (float *)p->H);
        const cudaError_t e = cudaPeekAtLastError();
        st = e == cudaSuccess ? aia_cu_sync(s) : aia_cu_fail(e, "k_spectrum");
    }
    aia_cu_slot_release(s);
    if (st) {
        aia_cu_deconv_plan_free(p);
        return st;
    }
    *out = p;
    return AIA_OK;
}

void aia_cu_deconv_plan_free(aia_backend_deconv *p)
{
    if (!p)
        return;
    if (p->H) {
        cudaSetDevice(p->dev->index);
        cudaFree(p->H);
    }
    free(p);
}

/* ---- the iterations ---------------------------------------------------------------- */

/* The iterations on the slot: the image uploaded into BUF_IN, u in BUF_U
 * (left there). */
template <typename REAL> struct fft;
template <> struct fft<float> {
    static const cufftType r2c = CUFFT_R2C, c2r = CUFFT_C2R;
    static cufftResult forward(cufftHandle h, float *in, float *out)
    {
        return cufftExecR2C(h, in, (cufftComplex *)out);
    }
    static cufftResult inverse(cufftHandle h, float *in, float *out)
    {
        return cufftExecC2R(h, (cufftComplex *)in, out);
    }
    static void mul(cudaStream_t st, float *S, const void *H, long count, int conj)
    {
        k_mul_f<<<aia_cu_blocks(count, THREADS), THREADS, 0, st>>>(S, (const float *)H, count, conj);
    }
    static void ratio(cudaStream_t st, const float *img, float *r, long count)
    {
        k_ratio_f<<<aia_cu_blocks(count, THREADS), THREADS, 0, st>>>(img, r, count);
    }
    static void update(cudaStream_t st, float *u, const float *r, long count)
    {
        k_update_f<<<aia_cu_blocks(count, THREADS), THREADS, 0, st>>>(u, r, count);
    }
};
template <> struct fft<double> {
    static const cufftType r2c = CUFFT_D2Z, c2r = CUFFT_Z2D;
    static cufftResult forward(cufftHandle h, double *in, double *out)
    {
        return cufftExecD2Z(h, in, (cufftDoubleComplex *)out);
    }
    static cufftResult inverse(cufftHandle h, double *in, double *out)
    {
        return cufftExecZ2D(h, (cufftDoubleComplex *)in, out);
    }
    static void mul(cudaStream_t st, double *S, const void *H, long count, int conj)
    {
        k_mul_d<<<aia_cu_blocks(count, THREADS), THREADS, 0, st>>>(S, (const double *)H, count, conj);
    }
    static void ratio(cudaStream_t st, const double *img, double *r, long count)
    {
        k_ratio_d<<<aia_cu_blocks(count, THREADS), THREADS, 0, st>>>(img, r, count);
    }
    static void update(cudaStream_t st, double *u, const double *r, long count)
    {
        k_update_d<<<aia_cu_blocks(count, THREADS), THREADS, 0, st>>>(u, r, count);
    }
};

template <typename REAL>
static int iterate(aia_cu_slot *s, const aia_backend_deconv *p, const void *img, int iterations, REAL **u_out)
{
    typedef fft<REAL> F;
    const long n = p->n, nn = n * n, nc = n / 2 + 1, ncomplex = n * nc;
    REAL *d_img = (REAL *)aia_cu_buffer(s, BUF_IN, (size_t)nn * sizeof(REAL));
    REAL *d_u = (REAL *)aia_cu_buffer(s, BUF_U, (size_t)nn * sizeof(REAL));
    REAL *d_r = (REAL *)aia_cu_buffer(s, BUF_TMP, (size_t)nn * sizeof(REAL));
    REAL *d_S = (REAL *)aia_cu_buffer(s, BUF_SPEC, (size_t)ncomplex * 2 * sizeof(REAL));
    if (!d_img || !d_u || !d_r || !d_S)
        return AIA_ERR_NOMEM;
    cufftHandle fwd, bwd;
    int st = aia_cu_fft_plan(s, n, F::r2c, &fwd);
    if (!st)
        st = aia_cu_fft_plan(s, n, F::c2r, &bwd);
    if (!st)
        st = aia_cu_copy_in(s, d_img, img, (size_t)n * sizeof(REAL), (size_t)n, (size_t)n * sizeof(REAL));
    if (st)
        return st;
    AIA_CU_TRY(cudaMemcpyAsync(d_u, d_img, (size_t)nn * sizeof(REAL), cudaMemcpyDeviceToDevice, s->stream));
    for (int it = 0; it < iterations; it++) {
        AIA_CU_FFT(F::forward(fwd, d_u, d_S));
        F::mul(s->stream, d_S, p->H, ncomplex, 0);
        AIA_CU_LAUNCHED(k_mul);
        AIA_CU_FFT(F::inverse(bwd, d_S, d_r)); /* the estimate */
        F::ratio(s->stream, d_img, d_r, nn);
        AIA_CU_LAUNCHED(k_ratio);
        AIA_CU_FFT(F::forward(fwd, d_r, d_S));
        F::mul(s->stream, d_S, p->H, ncomplex, 1);
        AIA_CU_LAUNCHED(k_mul);
        AIA_CU_FFT(F::inverse(bwd, d_S, d_r)); /* the correction */
        F::update(s->stream, d_u, d_r, nn);
        AIA_CU_LAUNCHED(k_update);
    }
    *u_out = d_u;
    return AIA_OK;
}

int aia_cu_deconv_run(const aia_backend_deconv *p, const void *img, void *u, int iterations)
{
    aia_cu_slot *s = aia_cu_slot_acquire(p->dev, run_bytes(p->n, p->precision));
    if (!s)
        return AIA_ERR_NOMEM;
    const size_t row = (size_t)p->n * real_size(p->precision);
    void *d_u = NULL;
    int st = p->precision == AIA_PIX_F64 ? iterate<double>(s, p, img, iterations, (double **)&d_u)
                                         : iterate<float>(s, p, img, iterations, (float **)&d_u);
    if (!st)
        st = aia_cu_copy_out(s, u, d_u, row, (size_t)p->n, row); /* in pieces, as they arrive */
    if (!st)
        st = aia_cu_sync(s);
    aia_cu_slot_release(s);
    return st;
}

int aia_cu_deconv_register(const aia_backend_deconv *p, const void *img, int iterations, const long *bad, long nbad,
                           const aia_register_geometry *g, float *out, long out_stride,
                           aia_register_pixel_info *info)
{
    if (g->nx != p->n || g->ny != p->n)
        return aia_cu_host->fail(AIA_ERR_ARG, "registration of a %ld x %ld frame after a %ld x %ld deconvolution",
                                 g->nx, g->ny, p->n, p->n);
    aia_cu_slot *s = aia_cu_slot_acquire(p->dev, run_bytes(p->n, p->precision) + aia_cu_register_bytes(g));
    if (!s)
        return AIA_ERR_NOMEM;
    const long nn = p->n * p->n;
    void *d_u = NULL;
    float *frame = NULL;
    int st = p->precision == AIA_PIX_F64 ? iterate<double>(s, p, img, iterations, (double **)&d_u)
                                         : iterate<float>(s, p, img, iterations, (float **)&d_u);
    info->seconds_copy = 0;
    if (!st && p->precision == AIA_PIX_F64) {
        frame = (float *)aia_cu_buffer(s, BUF_FRAME, (size_t)nn * sizeof(float));
        if (!frame)
            st = AIA_ERR_NOMEM;
        else {
            k_to_float<<<aia_cu_blocks(nn, THREADS), THREADS, 0, s->stream>>>((const double *)d_u, nn, frame);
            const cudaError_t e = cudaPeekAtLastError();
            st = e == cudaSuccess ? AIA_OK : aia_cu_fail(e, "k_to_float");
        }
    } else {
        frame = (float *)d_u;
    }
    if (!st && nbad) {
        long *d_bad = (long *)aia_cu_buffer(s, BUF_LIST, (size_t)nbad * sizeof(long));
        cudaError_t e = d_bad ? cudaMemcpyAsync(d_bad, bad, (size_t)nbad * sizeof(long), cudaMemcpyHostToDevice,
                                                s->stream)
                              : cudaErrorMemoryAllocation;
        if (e == cudaSuccess) {
            k_set_nan<<<aia_cu_blocks(nbad, THREADS), THREADS, 0, s->stream>>>(frame, d_bad, nbad);
            e = cudaPeekAtLastError();
        }
        st = e == cudaSuccess ? AIA_OK : aia_cu_fail(e, "the NaN pixels");
    }
    if (!st)
        st = aia_cu_register_device(s, g, frame, out, out_stride, info);
    aia_cu_slot_release(s);
    return st;
}
