/* backend.h — the one interface between the science steps and the code that
 * moves their pixels. A backend is a table of the few entry points the steps
 * need, each a whole piece of work (so that a GPU backend can keep a frame on
 * its device for all of it):
 *
 *   registration's pixel work for one geometry — input scan, spline
 *     prefilter, sampling through the affine map, NaN blobs, clipping;
 *   the PSF composite — the two mesh patterns convolved by FFT;
 *   Richardson–Lucy deconvolution — a plan for one PSF spectrum, run on
 *     many images, freed.
 *
 * The geometry (what to sample where) is computed by the steps in double;
 * a backend only executes it. The CPU backend (kernels/cpu/) is compiled
 * once per instruction-set level (generic x86-64, AVX2+FMA, AVX-512) and the
 * level is chosen once per process from the CPU (cpuid) and the
 * AIAPREP_KERNELS environment variable. Steps call aia_backend_get(); they
 * never #ifdef a backend. Internal. */
#ifndef AIAPREP_KERNELS_BACKEND_H
#define AIAPREP_KERNELS_BACKEND_H

#include "core/core.h"

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

/* What the pixel work found and how long it took. */
typedef struct aia_register_pixel_info {
    float min, max;          /* of the finite input pixels                   */
    float fill;              /* the fill used: min, the value, or NaN        */
    long long nan_input;     /* NaN/Inf input pixels                         */
    long long nan_output;    /* NaN output pixels (the blobs)                */
    double seconds_scan, seconds_prefilter, seconds_sample, seconds_finish;
} aia_register_pixel_info;

/* ---- deconvolution ------------------------------------------------------ */

typedef struct aia_backend_deconv aia_backend_deconv; /* a backend's plan */

/* ---- the table ---------------------------------------------------------- */

typedef struct aia_backend {
    const char *name;     /* "cpu"                                   */
    const char *kernels;  /* "generic", "avx2" or "avx512"           */

    /* The registration of one float32 frame (rows `in_stride` floats
     * apart) into out (g->win.w x g->win.h, rows `out_stride` floats apart).
     * Scratch memory from ws. An input without a finite pixel is
     * AIA_ERR_BAD_DATA. Multi-threaded (OpenMP); re-entrant. */
    int (*register_pixels)(const aia_register_geometry *g, const float *in, long in_stride, float *out,
                           long out_stride, aia_workspace *ws, aia_register_pixel_info *info);

    /* aiapy's composite of the entrance and focal-plane patterns e and f
     * (n rows of 2(n/2+1) doubles, the in-place real-FFT layout; both are
     * overwritten): out (n x n) = |IFFT2(FFT2(e) FFT2(f))| / n², reflected
     * through index n/2 as aiapy's fftshift of a forward transform leaves
     * it. threads: for the FFTs (0: OpenMP's default). */
    int (*psf_composite)(double *e, double *f, long n, int threads, double *out);

    /* A Richardson–Lucy plan for one PSF (n x n doubles, centred at
     * [n/2][n/2], n a multiple of 8): the plan keeps its spectrum (the PSF
     * moved to (0, 0), / n²) in `precision` (AIA_PIX_F32 or AIA_PIX_F64).
     * threads: for the FFTs of the set-up (0: OpenMP's default); the
     * iterations use the calling thread's OpenMP team. */
    int (*deconv_plan_new)(const double *psf, long n, aia_pixtype precision, int threads,
                           aia_backend_deconv **plan);
    /* `iterations` steps from u = img (n x n of the plan's precision, in
     * buffers from aia_backend_alloc). Re-entrant: threads may share a plan. */
    int (*deconv_run)(const aia_backend_deconv *plan, const void *img, void *u, int iterations);
    void (*deconv_plan_free)(aia_backend_deconv *plan);
} aia_backend;

/* The backend of this process: the CPU backend with the kernels of the best
 * level this CPU supports, or the level AIAPREP_KERNELS names (generic,
 * avx2, avx512; a level the CPU lacks falls back to the best it has, and
 * aia_backend_note says so). Chosen once; thread-safe. */
const aia_backend *aia_backend_get(void);

/* Why the kernels in use are not the ones asked for ("" when they are). */
const char *aia_backend_note(void);

/* Buffers for the backends' arrays: 64-byte aligned (FFTW's SIMD plans and
 * AVX-512 loads), freed with aia_backend_free. */
void *aia_backend_alloc(size_t bytes);
void aia_backend_free(void *p);

#endif
