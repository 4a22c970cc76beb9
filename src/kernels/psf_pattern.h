/* psf_pattern.h — aiapy's PSF pattern of one filter mesh on the 4096² grid
 * (aiapy-reference.md §5): the diffraction spikes, each a Gaussian product
 * exp(-w dy²) exp(-w dx²) added only inside the window where both factors
 * can be non-zero in double (exp() is exactly 0 below -745.13, so the sums
 * are bit-identical to aiapy's full-grid loop, in the same order), the
 * normalisation, and the Gaussian core:
 *     spike_part * S / sum(S) + core_part * core / sum(core).
 * The window arithmetic is shared by the CPU backend (psf_pattern.c) and the
 * CUDA backend's host side (AIA_HD), so both add the same terms. Internal. */
#ifndef AIAPREP_KERNELS_PSF_PATTERN_H
#define AIAPREP_KERNELS_PSF_PATTERN_H

#include "kernels/hd.h"

#include <math.h>

#define AIA_PSF_N 4096
#define AIA_PSF_STRIDE (2 * (AIA_PSF_N / 2 + 1)) /* doubles a row: the in-place real-FFT layout */
#define AIA_PSF_CENTER 2048                      /* index of x - cx0 = 0: k + 0.5 - 2048.5 */
#define AIA_PSF_EXP_ZERO 745.1332191019412       /* exp(-t) == 0 in double beyond this */
#define AIA_PSF_WINDOW_MAX 72                    /* > 2 sqrt(EXP_ZERO / w) + 3 for w >= 0.9 */
#define AIA_PSF_TILE 64                          /* spikes mark the tiles they touch */
#define AIA_PSF_TILES (AIA_PSF_N / AIA_PSF_TILE)

/* Half-width of the window where exp(-w d²) can be non-zero, plus one. */
AIA_HD double aia_psf_half(double w) { return sqrt(AIA_PSF_EXP_ZERO / w) + 1.0; }

/* The pixels [x0, x1] x [y0, y1] a spike centred at (cx, cy) can reach,
 * clipped to the grid; 0 when it reaches none (it is dropped, as aiapy
 * drops off-grid spikes). */
AIA_HD int aia_psf_spike_window(double cx, double cy, double half, long *x0, long *x1, long *y0, long *y1)
{
    long a = (long)floor(cx - 0.5 - half), b = (long)ceil(cx - 0.5 + half);
    long c = (long)floor(cy - 0.5 - half), d = (long)ceil(cy - 0.5 + half);
    a = a < 0 ? 0 : a;
    c = c < 0 ? 0 : c;
    b = b > AIA_PSF_N - 1 ? AIA_PSF_N - 1 : b;
    d = d > AIA_PSF_N - 1 ? AIA_PSF_N - 1 : d;
    *x0 = a;
    *x1 = b;
    *y0 = c;
    *y1 = d;
    return a <= b && c <= d;
}

/* The factors exp(-w d²) of pixels lo..hi of an axis, d = (k + 0.5) - c. */
AIA_HD void aia_psf_factors(double w, double c, long lo, long hi, double *g)
{
    for (long k = lo; k <= hi; k++) {
        const double d = ((double)k + 0.5) - c;
        g[k - lo] = exp(-w * (d * d));
    }
}

/* The core's half-width in pixels and its factors g[0..2h]: exp(-w x²) for
 * x = (2048 + d) + 0.5 - 2048.5, d = -h..h. Returns h. */
AIA_HD long aia_psf_core_factors(double w, double *g)
{
    const long h = (long)ceil(aia_psf_half(w));
    const double c0 = 0.5 * AIA_PSF_N + 0.5;
    for (long d = -h; d <= h; d++) {
        const double x = (double)(AIA_PSF_CENTER + d) + 0.5 - c0;
        g[d + h] = exp(-w * (x * x));
    }
    return h;
}

/* One pixel of the normalised mix, from its spike sum s and core value. */
AIA_HD double aia_psf_mix(double s, double core, double sum_s, double sum_core, double spike_part,
                          double core_part)
{
    return spike_part * (s / sum_s) + core_part * (core / sum_core);
}

#ifndef __CUDACC__
#include "kernels/backend.h"

/* The pattern of one mesh into grid (4096 rows of AIA_PSF_STRIDE doubles,
 * zeroed by the caller), on the CPU. Multi-threaded (OpenMP). */
int aia_psf_pattern_fill(const aia_psf_mesh_model *mesh, double spike_part, double core_part, double *grid);

/* Both patterns of a model into two such grids, allocated here (64-byte
 * aligned, zeroed in parallel: first touch on every core); free them with
 * aia_backend_free. */
int aia_psf_patterns_cpu(const aia_psf_model *model, double **entrance, double **focal_plane);
#endif

#endif
