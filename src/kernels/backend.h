/* backend.h — the one interface between the science steps and the code that
 * moves their pixels. A backend is a table of the few entry points the steps
 * need, each a whole piece of work (so that a GPU backend can keep a frame on
 * its device for all of it):
 *
 *   registration's pixel work for one geometry — input scan, spline
 *     prefilter, sampling through the affine map, NaN blobs, clipping;
 *   the PSF — the spikes of the two filter meshes, the core, and their
 *     composite by FFT;
 *   Richardson–Lucy deconvolution — a plan for one PSF spectrum, run on
 *     many images, freed; optionally followed by the registration of its
 *     result without the frame leaving the device (level 1.6).
 *
 * The geometry (what to sample where) and the PSF model (which spikes,
 * where, how bright) are computed by the steps in double; a backend only
 * executes them. Two backends exist:
 *   cpu  (kernels/cpu/): compiled once per instruction-set level (generic
 *        x86-64, AVX2+FMA, AVX-512); the level is chosen once per process
 *        from the CPU (cpuid) and the AIAPREP_KERNELS environment variable;
 *   cuda (kernels/cuda/): a separate shared object, libaiaprep_cuda.so,
 *        loaded (dlopen) only when a CUDA device is asked for, so that
 *        libaiaprep.so itself never needs the CUDA libraries.
 * Which one a step uses comes with its plan or options (a device string:
 * "cpu", "auto", "cuda", "cuda:N"), never from a process global. Steps call
 * aia_backend_open(); they never #ifdef a backend. Internal. */
#ifndef AIAPREP_KERNELS_BACKEND_H
#define AIAPREP_KERNELS_BACKEND_H

#include "aiaprep.h"
#ifndef __CUDACC__ /* the CUDA backend is C++ and reaches the library through its plugin interface */
#include "core/core.h"
#endif

#include <stdint.h>

/* ---- registration ------------------------------------------------------ */

/* Output pixel (xo, yo) samples the padded frame at
 *   x = (shift[0] + xo*m[0][0]) + yo*m[0][1],  y = (shift[1] + xo*m[1][0]) + yo*m[1][1]
 * (scipy's order of operations). */
typedef struct aia_affine {
    double m[2][2];
    double shift[2];
} aia_affine;

/* Which part of the transform's output grid to compute: xo in [x0, x0+w),
 * yo in [y0, y0+h). */
typedef struct aia_window {
    long x0, y0, w, h;
} aia_window;

typedef enum { AIA_KERNEL_BSPLINE, AIA_KERNEL_KEYS } aia_kernel;

/* What fills the padding and the positions outside the frame (aiapy's
 * `missing`), and the clip that goes with it (sunpy's rule): the input's
 * minimum (aiapy's default; clip to the input's range), a value m (clip to
 * the range of the input and m), or NaN (the padding counts as NaN pixels:
 * the nanmedian substitute in the prefilter, NaN blobs along the frame's
 * edges; clip to the input's range). */
typedef enum { AIA_FILL_MIN = 0, AIA_FILL_VALUE, AIA_FILL_NAN } aia_fill;

/* Everything registration decides before touching a pixel. The input
 * (nx x ny) sits at (pad_x, pad_y) in a padded frame of NX x NY pixels
 * filled with the fill (the input's minimum by default: sunpy's rotate);
 * the output window of that frame's transform is sampled with the B-spline
 * of `order` (or Keys cubic convolution, for which order is 3), positions
 * outside the frame get the fill, values are clipped (the input's range by
 * default), and each NaN input pixel becomes a blob of NaN (k x k box for
 * the order, then the map). A cutout is the same call: its own pixels with
 * no padding (mirror boundaries at its edges), the map of its full frame
 * shifted by the cutout's place, and the window its footprint. */
typedef struct aia_register_geometry {
    long nx, ny, pad_x, pad_y, NX, NY;
    aia_affine map; /* output grid -> padded frame */
    aia_window win;
    aia_kernel kernel;
    int order;
    aia_fill fill;     /* zero: the minimum, as before fills existed */
    float fill_value;  /* for AIA_FILL_VALUE */
} aia_register_geometry;

/* What the caller knows of an input frame: no NaN or Inf pixel, and its
 * smallest and largest (the reader saw each pixel as it placed it). A
 * hint: the CPU backend checks it in the pass that reads the input anyway
 * (the spline prefilter's rows) and scans the frame when it does not hold;
 * the CUDA backend scans on the device regardless. */
typedef struct aia_input_range {
    float min, max;
} aia_input_range;

/* What the pixel work found and how long it took. */
typedef struct aia_register_pixel_info {
    float min, max;          /* of the finite input pixels                   */
    float fill;              /* the fill used: min, the value, or NaN        */
    long long nan_input;     /* NaN/Inf input pixels                         */
    long long nan_output;    /* NaN output pixels (the blobs)                */
    double seconds_scan, seconds_prefilter, seconds_sample, seconds_finish;
    double seconds_copy;     /* host <-> device transfers (0 on the CPU)     */
} aia_register_pixel_info;

/* ---- the PSF ------------------------------------------------------------ */

/* One diffraction spike: a Gaussian exp(-w d²) of weight `weight` centred
 * at (cx, cy) in aiapy's coordinates (pixel k of the 4096-pixel grid at
 * k + 0.5; the grid centre is 2048.5). */
typedef struct aia_psf_spike {
    double cx, cy, weight;
} aia_psf_spike;

/* The spikes of one filter mesh, in the order they are summed (aiapy's:
 * orders ascending, the mesh's angles in table order), and their width. */
typedef struct aia_psf_mesh_model {
    const aia_psf_spike *spikes;
    long count;
    double w; /* px^-2, of exp(-w d²); the core has the same width */
} aia_psf_mesh_model;

/* aiapy's PSF: for each mesh, spike_part * S / sum(S) + core_part * core /
 * sum(core), and the composite of the two (psf_pattern.h). */
typedef struct aia_psf_model {
    aia_psf_mesh_model mesh[2]; /* entrance, focal plane */
    double spike_part, core_part;
} aia_psf_model;

/* ---- deconvolution ------------------------------------------------------ */

typedef struct aia_backend_deconv aia_backend_deconv; /* a backend's plan */

/* ---- the table ---------------------------------------------------------- */

typedef struct aia_backend aia_backend;
struct aia_backend {
    const char *name;     /* "cpu" or "cuda"                                  */
    const char *kernels;  /* cpu: "generic", "avx2" or "avx512"; cuda: "sm_90" */
    const char *device;   /* "cpu", "cuda:0", ...: what the steps report       */
    void *ctx;            /* the backend's own state (a CUDA device)          */

    /* The registration of one float32 frame (rows `in_stride` floats
     * apart) into out (g->win.w x g->win.h, rows `out_stride` floats apart).
     * out may be in itself (same stride; the input is then read in full
     * before the first output pixel is written). known: what is known of
     * in (NULL: nothing). Scratch memory from ws. An input without a
     * finite pixel is AIA_ERR_BAD_DATA. Multi-threaded (OpenMP); re-entrant. */
    int (*register_pixels)(const aia_backend *b, const aia_register_geometry *g, const float *in, long in_stride,
                           const aia_input_range *known, float *out, long out_stride, aia_workspace *ws,
                           aia_register_pixel_info *info);

    /* aiapy's PSF on the 4096² grid (out: 4096 x 4096 doubles, peak at
     * [2048][2048]): both mesh patterns from the model, then their
     * composite |IFFT2(FFT2(e) FFT2(f))| / n², reflected through index n/2
     * as aiapy's fftshift of a forward transform leaves it. threads: for
     * the FFTs (0: OpenMP's default). seconds: [0] the patterns, [1] the
     * composite. */
    int (*psf_make)(const aia_backend *b, const aia_psf_model *model, int threads, double *out, double seconds[2]);

    /* A Richardson–Lucy plan for one PSF (n x n doubles, centred at
     * [n/2][n/2], n a multiple of 8): the plan keeps its spectrum (the PSF
     * moved to (0, 0), / n²) in `precision` (AIA_PIX_F32 or AIA_PIX_F64).
     * threads: for the FFTs of the set-up (0: OpenMP's default); the
     * iterations use the calling thread's OpenMP team. */
    int (*deconv_plan_new)(const aia_backend *b, const double *psf, long n, aia_pixtype precision, int threads,
                           aia_backend_deconv **plan);
    /* `iterations` steps from u = img (n x n of the plan's precision, in
     * buffers from aia_backend_alloc). Re-entrant: threads may share a plan. */
    int (*deconv_run)(const aia_backend_deconv *plan, const void *img, void *u, int iterations);
    void (*deconv_plan_free)(aia_backend_deconv *plan);

    /* Optional (NULL: the steps run deconv_run, then register_pixels on the
     * result): the deconvolution of img followed by the registration of its
     * result, the frame never leaving the backend's memory. The result is
     * rounded to float32 (for a double plan), set to NaN at the `nbad` flat
     * indices `bad` (the pixels the step filled), and registered with g
     * (g->nx = g->ny = the plan's n) into out. */
    int (*deconv_register)(const aia_backend_deconv *plan, const void *img, int iterations, const long *bad,
                           long nbad, const aia_register_geometry *g, float *out, long out_stride,
                           aia_register_pixel_info *info);
};

/* The CPU backend of this process: the kernels of the best level this CPU
 * supports, or the level AIAPREP_KERNELS names (generic, avx2, avx512; a
 * level the CPU lacks falls back to the best it has, and aia_backend_note
 * says so). Chosen once; thread-safe. */
const aia_backend *aia_backend_get(void);

/* Why the kernels in use are not the ones asked for ("" when they are). */
const char *aia_backend_note(void);

/* The backend for a device string: NULL, "" or "cpu": the CPU backend;
 * "cuda" or "cuda:N": that CUDA device (an error saying why when it cannot
 * be used: no CUDA in this build, no driver, no such device, a device too
 * old for the build's kernels); "auto": CUDA device 0 when it can be used,
 * else the CPU, with the reason in `note` (may be NULL). A string that is
 * none of these is AIA_ERR_ARG. Devices are opened once per process;
 * thread-safe. */
int aia_backend_open(const char *device, const aia_backend **out, char *note, size_t note_size);

/* For the benchmarks: the copy bandwidth of CUDA device `index` (bytes
 * read plus written per second, a large device-to-device copy). */
int aia_cuda_measure_copy(int index, double *bytes_per_second);

/* Buffers for the backends' arrays: 64-byte aligned (FFTW's SIMD plans and
 * AVX-512 loads), freed with aia_backend_free. */
void *aia_backend_alloc(size_t bytes);
void aia_backend_free(void *p);

#endif
