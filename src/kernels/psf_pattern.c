/* psf_pattern.c — the PSF patterns on the CPU (psf_pattern.h): each spike
 * added over its window, the sum over the tiles the spikes touched, the
 * core and the mix. Compiled once (not per instruction-set level), so the
 * patterns are the same bytes whichever CPU kernels run the composite. */
#include "kernels/psf_pattern.h"

#include <stdlib.h>
#include <string.h>

#define N AIA_PSF_N
#define STRIDE AIA_PSF_STRIDE
#define TILE AIA_PSF_TILE
#define TILES AIA_PSF_TILES

/* Which TILE x TILE tiles of the grid hold anything: the sums and the
 * normalisation visit only those (the rest of the grid stays 0). */
typedef struct touched {
    unsigned char t[TILES][TILES];
} touched;

static void mark(touched *tt, long x0, long x1, long y0, long y1)
{
    for (long ty = y0 / TILE; ty <= y1 / TILE; ty++)
        for (long tx = x0 / TILE; tx <= x1 / TILE; tx++)
            tt->t[ty][tx] = 1;
}

/* Add weight * gy (x) gx of one spike over its window. */
static void add_spike(double *S, touched *tt, double w, const aia_psf_spike *s, double half)
{
    long x0, x1, y0, y1;
    if (!aia_psf_spike_window(s->cx, s->cy, half, &x0, &x1, &y0, &y1))
        return; /* off the grid: dropped, as aiapy drops it */
    mark(tt, x0, x1, y0, y1);
    double gx[AIA_PSF_WINDOW_MAX], gy[AIA_PSF_WINDOW_MAX];
    aia_psf_factors(w, s->cx, x0, x1, gx);
    aia_psf_factors(w, s->cy, y0, y1, gy);
    const double i0 = s->weight;
    for (long r = y0; r <= y1; r++) {
        double *row = S + r * STRIDE;
        for (long c = x0; c <= x1; c++)
            row[c] = row[c] + i0 * (gy[r - y0] * gx[c - x0]);
    }
}

/* Sum of the grid over its touched tiles: tile rows in double, added in
 * long double (numpy sums pairwise; any careful sum agrees to ~1e-16). */
static double grid_sum(const double *S, const touched *tt)
{
    long double sum = 0.0L;
#pragma omp parallel for schedule(dynamic) reduction(+ : sum)
    for (long t = 0; t < TILES * TILES; t++) {
        const long ty = t / TILES, tx = t % TILES;
        if (!tt->t[ty][tx])
            continue;
        for (long r = ty * TILE; r < (ty + 1) * TILE; r++) {
            double row = 0.0;
            for (long c = tx * TILE; c < (tx + 1) * TILE; c++)
                row += S[r * STRIDE + c];
            sum += row;
        }
    }
    return (double)sum;
}

int aia_psf_pattern_fill(const aia_psf_mesh_model *mesh, double spike_part, double core_part, double *grid)
{
    const double w = mesh->w, half = aia_psf_half(w);
    touched *tt = calloc(1, sizeof *tt);
    if (!tt)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    for (long k = 0; k < mesh->count; k++)
        add_spike(grid, tt, w, &mesh->spikes[k], half);
    const double sum_s = grid_sum(grid, tt);

    /* the core, exp(-w (r - 2048)^2) exp(-w (c - 2048)^2), over its window */
    double g[AIA_PSF_WINDOW_MAX];
    const long h = aia_psf_core_factors(w, g);
    double sum_core = 0.0;
    for (long r = 0; r <= 2 * h; r++)
        for (long c = 0; c <= 2 * h; c++)
            sum_core += g[r] * g[c];

    mark(tt, AIA_PSF_CENTER - h, AIA_PSF_CENTER + h, AIA_PSF_CENTER - h, AIA_PSF_CENTER + h);
    /* elsewhere the grid is 0 and stays 0: 0.18 * (0/s) + 0.82 * (0/c) */
#pragma omp parallel for schedule(dynamic)
    for (long t = 0; t < TILES * TILES; t++) {
        const long ty = t / TILES, tx = t % TILES;
        if (!tt->t[ty][tx])
            continue;
        for (long r = ty * TILE; r < (ty + 1) * TILE; r++) {
            double *row = grid + r * STRIDE;
            const long dr = r - AIA_PSF_CENTER;
            for (long c = tx * TILE; c < (tx + 1) * TILE; c++) {
                const long dc = c - AIA_PSF_CENTER;
                const double core = (labs(dr) <= h && labs(dc) <= h) ? g[dr + h] * g[dc + h] : 0.0;
                row[c] = aia_psf_mix(row[c], core, sum_s, sum_core, spike_part, core_part);
            }
        }
    }
    free(tt);
    return AIA_OK;
}

int aia_psf_patterns_cpu(const aia_psf_model *model, double **entrance, double **focal_plane)
{
    double *pe = aia_backend_alloc(sizeof(double) * N * STRIDE), *pf = aia_backend_alloc(sizeof(double) * N * STRIDE);
    int st = pe && pf ? AIA_OK : aia_fail(AIA_ERR_NOMEM, "out of memory for the PSF");
    if (!st) {
#pragma omp parallel for schedule(static)
        for (long r = 0; r < N; r++) {
            memset(pe + r * STRIDE, 0, sizeof(double) * STRIDE);
            memset(pf + r * STRIDE, 0, sizeof(double) * STRIDE);
        }
        st = aia_psf_pattern_fill(&model->mesh[0], model->spike_part, model->core_part, pe);
    }
    if (!st)
        st = aia_psf_pattern_fill(&model->mesh[1], model->spike_part, model->core_part, pf);
    if (st) {
        aia_backend_free(pe);
        aia_backend_free(pf);
        pe = pf = NULL;
    }
    *entrance = pe;
    *focal_plane = pf;
    return st;
}
