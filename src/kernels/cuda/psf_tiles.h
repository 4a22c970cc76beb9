/* psf_tiles.h — the host side of the CUDA backend's PSF patterns: from a
 * mesh model (kernels/backend.h), each spike's window and factors (the
 * CPU's code and exp, kernels/psf_pattern.h), and for each 64 x 64 tile of
 * the grid the spikes that reach it, in the order they are summed (CSR:
 * tile t's spikes are list[start[t] .. start[t+1])). The tiles the spikes
 * or the core touch are the ones the device works on; the rest of the grid
 * stays 0, as on the CPU. Host code in the common subset of C and C++ (the
 * plugin includes it, and so does tests/test_cuda_math.c). Internal. */
#ifndef AIAPREP_KERNELS_CUDA_PSF_TILES_H
#define AIAPREP_KERNELS_CUDA_PSF_TILES_H

#include "kernels/cuda/psf_math.h"

#include <stdlib.h>
#include <string.h>

typedef struct aia_cu_psf_tiles {
    aia_cu_spike *spikes;
    long nspikes;
    double *factors; /* gx, gy of every spike, then the core's g */
    long nfactors;
    int *start;      /* AIA_PSF_TILES² + 1 offsets into list */
    int *list;
    long nlist;
    int *touched;    /* the tiles to work on (index ty * TILES + tx) */
    long ntouched;
    long core_h;     /* the core's half-width; its factors at factors + core_offset */
    long core_offset;
    double sum_core;
} aia_cu_psf_tiles;

static inline void aia_cu_psf_tiles_free(aia_cu_psf_tiles *t)
{
    free(t->spikes);
    free(t->factors);
    free(t->start);
    free(t->list);
    free(t->touched);
    memset(t, 0, sizeof *t);
}

/* Build the tiles of one mesh. Returns 0, or -1 when out of memory. */
static inline int aia_cu_psf_tiles_build(const aia_psf_mesh_model *m, aia_cu_psf_tiles *t)
{
    const long T = AIA_PSF_TILES, TT = T * T;
    const double half = aia_psf_half(m->w);
    memset(t, 0, sizeof *t);
    t->spikes = (aia_cu_spike *)malloc(sizeof(aia_cu_spike) * (size_t)(m->count > 0 ? m->count : 1));
    t->factors = (double *)malloc(sizeof(double) * (size_t)(2 * AIA_PSF_WINDOW_MAX * (m->count + 1)));
    t->start = (int *)calloc((size_t)TT + 1, sizeof(int));
    unsigned char *mark = (unsigned char *)calloc((size_t)TT, 1);
    int *fill = (int *)calloc((size_t)TT, sizeof(int));
    if (!t->spikes || !t->factors || !t->start || !mark || !fill) {
        free(mark);
        free(fill);
        aia_cu_psf_tiles_free(t);
        return -1;
    }
    /* the windows and factors; count the spikes of each tile */
    for (long k = 0; k < m->count; k++) {
        const aia_psf_spike *s = &m->spikes[k];
        aia_cu_spike d;
        if (!aia_psf_spike_window(s->cx, s->cy, half, &d.x0, &d.x1, &d.y0, &d.y1))
            continue; /* off the grid: dropped */
        d.fx = t->nfactors;
        aia_psf_factors(m->w, s->cx, d.x0, d.x1, t->factors + t->nfactors);
        t->nfactors += d.x1 - d.x0 + 1;
        d.fy = t->nfactors;
        aia_psf_factors(m->w, s->cy, d.y0, d.y1, t->factors + t->nfactors);
        t->nfactors += d.y1 - d.y0 + 1;
        d.weight = s->weight;
        for (long ty = d.y0 / AIA_PSF_TILE; ty <= d.y1 / AIA_PSF_TILE; ty++)
            for (long tx = d.x0 / AIA_PSF_TILE; tx <= d.x1 / AIA_PSF_TILE; tx++) {
                t->start[ty * T + tx + 1]++;
                mark[ty * T + tx] = 1;
            }
        t->spikes[t->nspikes++] = d;
    }
    /* the core and its sum (psf_pattern.c) */
    t->core_offset = t->nfactors;
    t->core_h = aia_psf_core_factors(m->w, t->factors + t->core_offset);
    t->nfactors += 2 * t->core_h + 1;
    const double *g = t->factors + t->core_offset;
    for (long r = 0; r <= 2 * t->core_h; r++)
        for (long c = 0; c <= 2 * t->core_h; c++)
            t->sum_core += g[r] * g[c];
    const long lo = (AIA_PSF_CENTER - t->core_h) / AIA_PSF_TILE, hi = (AIA_PSF_CENTER + t->core_h) / AIA_PSF_TILE;
    for (long ty = lo; ty <= hi; ty++)
        for (long tx = lo; tx <= hi; tx++)
            mark[ty * T + tx] = 1;
    /* the lists, in summation order */
    for (long i = 0; i < TT; i++)
        t->start[i + 1] += t->start[i];
    t->nlist = t->start[TT];
    t->list = (int *)malloc(sizeof(int) * (size_t)(t->nlist > 0 ? t->nlist : 1));
    t->touched = (int *)malloc(sizeof(int) * (size_t)TT);
    if (!t->list || !t->touched) {
        free(mark);
        free(fill);
        aia_cu_psf_tiles_free(t);
        return -1;
    }
    for (long k = 0; k < t->nspikes; k++) {
        const aia_cu_spike *d = &t->spikes[k];
        for (long ty = d->y0 / AIA_PSF_TILE; ty <= d->y1 / AIA_PSF_TILE; ty++)
            for (long tx = d->x0 / AIA_PSF_TILE; tx <= d->x1 / AIA_PSF_TILE; tx++) {
                const long i = ty * T + tx;
                t->list[t->start[i] + fill[i]++] = (int)k;
            }
    }
    for (long i = 0; i < TT; i++)
        if (mark[i])
            t->touched[t->ntouched++] = (int)i;
    free(mark);
    free(fill);
    return 0;
}

#endif
