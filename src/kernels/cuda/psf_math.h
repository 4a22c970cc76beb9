/* psf_math.h — the per-pixel arithmetic of the CUDA backend's PSF, as
 * AIA_HD functions (kernels/hd.h). The host side of the backend lists, for
 * every 64 x 64 tile of the grid, the spikes that reach it in the order they
 * are summed, with their factors exp(-w d²) computed on the host by
 * kernels/psf_pattern.h (the CPU's own code, glibc's exp); a device thread
 * then adds a pixel's terms in the CPU's order, so the patterns are the
 * CPU's bytes. The composite's last step reflects through n/2. Internal. */
#ifndef AIAPREP_KERNELS_CUDA_PSF_MATH_H
#define AIAPREP_KERNELS_CUDA_PSF_MATH_H

#include "kernels/hd.h"
#include "kernels/psf_pattern.h"

/* A spike as the device sees it: its window and where its factors are. */
typedef struct aia_cu_spike {
    long x0, x1, y0, y1;
    long fx, fy; /* offsets of gx[x0..x1] and gy[y0..y1] in the factor table */
    double weight;
} aia_cu_spike;

/* The spike sum at pixel (r, c) over the spikes list[0..count) of its tile
 * (psf_pattern.c add_spike: row[c] = row[c] + i0 (gy gx), from 0). */
AIA_HD double aia_cu_spike_sum(const aia_cu_spike *spikes, const int *list, long count, const double *factors,
                               long r, long c)
{
    double acc = 0.0;
    for (long k = 0; k < count; k++) {
        const aia_cu_spike *s = &spikes[list[k]];
        if (r >= s->y0 && r <= s->y1 && c >= s->x0 && c <= s->x1)
            acc = acc + s->weight * (factors[s->fy + r - s->y0] * factors[s->fx + c - s->x0]);
    }
    return acc;
}

/* The core's value at pixel (r, c) from its factors g[0..2h]. */
AIA_HD double aia_cu_core(const double *g, long h, long r, long c)
{
    const long dr = r - AIA_PSF_CENTER, dc = c - AIA_PSF_CENTER;
    const long adr = dr < 0 ? -dr : dr, adc = dc < 0 ? -dc : dc;
    return (adr <= h && adc <= h) ? g[dr + h] * g[dc + h] : 0.0;
}

/* out[i][j] of the composite from the inverse transform e (rows of
 * `stride` doubles): |e[(n/2 - i) mod n][(n/2 - j) mod n]| * norm
 * (cpu/psf_composite.c). */
AIA_HD double aia_cu_psf_out(const double *e, long n, long stride, double norm, long i, long j)
{
    const long centre = n / 2;
    const double *src = e + ((centre - i + n) % n) * stride;
    return fabs(j <= centre ? src[centre - j] : src[n + centre - j]) * norm;
}

#endif
