/* cuda_common.h — what the CUDA backend's files share (C++, plugin only):
 * the host table (errors, clock), a device's context, and slots.
 *
 * A slot is what one piece of work needs on the device: a stream, events,
 * device buffers that grow to the largest frame seen and then stay, pinned
 * host buffers for the transfers, cuFFT plans bound to the stream. Each
 * backend call takes a free slot for its duration, so calls from several
 * threads (a batch's workers) run on different streams at once: the kernels
 * of one file overlap the host->device copy of the next and the
 * device->host copy of the one before, on the device's separate copy
 * engines. A call waits for its own stream only (cudaStreamSynchronize),
 * never for the device. New slots are made while cudaMemGetInfo says the
 * device has room; otherwise a call waits for a slot to come free.
 * Internal. */
#ifndef AIAPREP_KERNELS_CUDA_COMMON_H
#define AIAPREP_KERNELS_CUDA_COMMON_H

#include "kernels/cuda/plugin.h"

#include <cuda_runtime.h>
#include <cufft.h>
#include <pthread.h>

/* The library's side: error messages and the clock. */
extern const aia_cuda_host *aia_cu_host;

#define AIA_CU_MAX_SLOTS 32
#define AIA_CU_MAX_PLANS 6
#define AIA_CU_EVENTS 24

/* The device buffers of a slot, by use. */
enum aia_cu_buffer {
    BUF_IN,      /* registration input (float), deconvolution image            */
    BUF_OUT,     /* registration output; deconvolution estimate u             */
    BUF_COEF,    /* spline coefficients (float)                               */
    BUF_D1,      /* double work frames of the prefilter; the PSF's patterns    */
    BUF_D2,
    BUF_MASK,    /* NaN mask (bytes), and its horizontal half                 */
    BUF_HBAD,
    BUF_SMALL,   /* per-row statistics, histograms, counters                  */
    BUF_SPEC,    /* a spectrum                                                */
    BUF_TMP,     /* a real frame: the estimate, the ratio, the correction      */
    BUF_U,       /* the deconvolution's u                                     */
    BUF_FRAME,   /* a double plan's result as float32, for its registration   */
    BUF_FFTWORK, /* cuFFT's work area                                         */
    BUF_LIST,    /* index lists (NaN pixels, the PSF's tiles)                 */
    BUF_COUNT
};

typedef struct aia_cu_plan {
    long n;
    cufftType type;
    cufftHandle handle;
    size_t work;
} aia_cu_plan;

struct aia_cu_device;

typedef struct aia_cu_slot {
    struct aia_cu_device *dev;
    cudaStream_t stream;
    cudaEvent_t ev[AIA_CU_EVENTS];
    void *buf[BUF_COUNT];
    size_t size[BUF_COUNT];
    void *host[2]; /* pinned: in, out */
    size_t host_size[2];
    aia_cu_plan plans[AIA_CU_MAX_PLANS];
    int nplans;
} aia_cu_slot;

typedef struct aia_cu_device {
    int index;
    cudaDeviceProp prop;
    char device[16]; /* "cuda:N" */
    char kernels[16];
    aia_backend table;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    aia_cu_slot *slots[AIA_CU_MAX_SLOTS];
    int busy[AIA_CU_MAX_SLOTS];
    int nslots;
} aia_cu_device;

/* A failed CUDA or cuFFT call as the calling thread's message. */
int aia_cu_fail(cudaError_t e, const char *what);
int aia_cu_fft_fail(cufftResult r, const char *what);

#define AIA_CU_TRY(call)                                                                           \
    do {                                                                                           \
        cudaError_t aia_cu_e_ = (call);                                                            \
        if (aia_cu_e_ != cudaSuccess)                                                              \
            return aia_cu_fail(aia_cu_e_, #call);                                                  \
    } while (0)
#define AIA_CU_FFT(call)                                                                           \
    do {                                                                                           \
        cufftResult aia_cu_r_ = (call);                                                            \
        if (aia_cu_r_ != CUFFT_SUCCESS)                                                            \
            return aia_cu_fft_fail(aia_cu_r_, #call);                                          \
    } while (0)
/* After a kernel launch: a bad configuration shows at once. */
#define AIA_CU_LAUNCHED(name) AIA_CU_TRY(cudaPeekAtLastError())

/* Take a free slot of the device (making one when there is room for
 * `bytes` more on the device, else waiting), with the device current in
 * this thread; give it back with aia_cu_slot_release. NULL on failure
 * (the message says why). */
aia_cu_slot *aia_cu_slot_acquire(aia_cu_device *dev, size_t bytes);
void aia_cu_slot_release(aia_cu_slot *slot);

/* A slot's device buffer of at least `bytes` (grown on the slot's stream,
 * stream-ordered), or NULL with the message set. */
void *aia_cu_buffer(aia_cu_slot *slot, int which, size_t bytes);

/* Transfers between pageable or pinned host memory and the device, on the
 * slot's stream: `rows` rows of `row_bytes`, `host_pitch` bytes apart on
 * the host, dense on the device. A pageable source goes through the
 * slot's pinned buffer in pieces, each piece's DMA overlapping the copy of
 * the next into the pinned buffer. copy_out returns when the data are in
 * host memory; copy_in when the host memory may be reused. */
int aia_cu_copy_in(aia_cu_slot *slot, void *dst, const void *src, size_t row_bytes, size_t rows, size_t host_pitch);
int aia_cu_copy_out(aia_cu_slot *slot, void *dst, const void *src, size_t row_bytes, size_t rows,
                    size_t host_pitch);

/* A cuFFT plan of the slot for n x n transforms of `type`, on its stream,
 * its work area in the slot's BUF_FFTWORK. */
int aia_cu_fft_plan(aia_cu_slot *slot, long n, cufftType type, cufftHandle *out);

/* Wait for the slot's stream; a failure of its work (an illegal address,
 * say) shows here. */
int aia_cu_sync(aia_cu_slot *slot);

/* Milliseconds between two of the slot's events (recorded, then synced). */
double aia_cu_elapsed(aia_cu_slot *slot, int from, int to);

/* Launch geometry: blocks of `threads` over n items. */
static inline unsigned aia_cu_blocks(long n, int threads) { return (unsigned)((n + threads - 1) / threads); }

/* The backend's entry points (register.cu, psf.cu, deconv.cu). */
int aia_cu_register_pixels(const aia_backend *b, const aia_register_geometry *g, const float *in, long in_stride,
                           const aia_input_range *known, float *out, long out_stride, aia_workspace *ws,
                           aia_register_pixel_info *info);
/* Registration of a frame already on the slot's device (dense, g->nx
 * floats a row), into host memory. */
int aia_cu_register_device(aia_cu_slot *slot, const aia_register_geometry *g, const float *d_in, float *out,
                           long out_stride, aia_register_pixel_info *info);
/* Device memory registration needs, for the slot choice. */
size_t aia_cu_register_bytes(const aia_register_geometry *g);
int aia_cu_psf_make(const aia_backend *b, const aia_psf_model *model, int threads, double *out, double seconds[2]);
int aia_cu_deconv_plan_new(const aia_backend *b, const double *psf, long n, aia_pixtype precision, int threads,
                           aia_backend_deconv **plan);
int aia_cu_deconv_run(const aia_backend_deconv *plan, const void *img, void *u, int iterations);
void aia_cu_deconv_plan_free(aia_backend_deconv *plan);
int aia_cu_deconv_register(const aia_backend_deconv *plan, const void *img, int iterations, const long *bad,
                           long nbad, const aia_register_geometry *g, float *out, long out_stride,
                           aia_register_pixel_info *info);

#endif
