/* deconv_kernel.h — the Richardson–Lucy iterations, written once and
 * compiled twice (deconv_single.c: float, deconv_double.c: double).
 *
 * aiapy's loop (aiapy-reference.md §6), with H the PSF's spectrum:
 *     est = irfft2(rfft2(u) H);  ratio = img / est;  u *= irfft2(rfft2(ratio) conj(H))
 * The 2-D transforms are composed here from FFTW's 1-D batched transforms so
 * that the pointwise work rides along with them:
 *   column pass: for each block of B columns of the spectrum, forward column
 *     FFTs, times H (or conj H), inverse column FFTs, all in cache;
 *   row pass: for each block of RB rows, inverse row FFTs (c2r), the
 *     pointwise step (ratio, or the update of u), forward row FFTs (r2c).
 * Per iteration that is two row passes and two column passes over the
 * spectrum: the same FFT work as four 2-D FFTs, with half their memory
 * traffic and no separate pointwise passes. 1/N² is folded into H.
 *
 * Expects: REAL (float/double), FFTW(name) (fftwf_name/fftw_name), and
 * KERNEL(name) naming this precision's functions. */

#include "kernels/cpu/deconvolve_impl.h"
#include "kernels/cpu/fft.h"

#include <fftw3.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

typedef FFTW(complex) CPLX;

#define RB 8 /* rows per row block    */
#define B 8  /* columns per column block */

struct KERNEL(plan) {
    long n, nc, ncp, nblk;     /* N, N/2+1, padded row pitch, column blocks */
    CPLX *H;                   /* H / N², blocked: [blk][row][B]            */
    FFTW(plan) row_r2c, row_c2r, col_fwd, col_bwd;
};

/* ---- plan ---------------------------------------------------------------- */

void KERNEL(plan_free)(KERNEL(plan) *p)
{
    if (!p)
        return;
    FFTW(free)(p->H);
    if (p->row_r2c)
        FFTW(destroy_plan)(p->row_r2c);
    if (p->row_c2r)
        FFTW(destroy_plan)(p->row_c2r);
    if (p->col_fwd)
        FFTW(destroy_plan)(p->col_fwd);
    if (p->col_bwd)
        FFTW(destroy_plan)(p->col_bwd);
    free(p);
}

/* The 1-D plans, single-threaded (threads run different blocks), measured
 * once (milliseconds at this size) on arrays aligned like the ones they will
 * run on: rows of N reals, spectrum rows of ncp complex, column blocks of B. */
static int KERNEL(make_plans)(KERNEL(plan) *p)
{
    const int n = (int)p->n;
    REAL *rows = FFTW(alloc_real)((size_t)RB * p->n);
    CPLX *spec = FFTW(alloc_complex)((size_t)RB * p->ncp);
    CPLX *col = FFTW(alloc_complex)((size_t)B * p->n);
    int ok = rows && spec && col;
    if (ok) {
        aia_fft_planner_lock(1); /* wisdom loaded, FFTW's thread count ours */
        const unsigned flags = FFTW_MEASURE;
        p->row_r2c = FFTW(plan_many_dft_r2c)(1, &n, RB, rows, NULL, 1, n, spec, NULL, 1, (int)p->ncp, flags);
        p->row_c2r = FFTW(plan_many_dft_c2r)(1, &n, RB, spec, NULL, 1, (int)p->ncp, rows, NULL, 1, n, flags);
        p->col_fwd = FFTW(plan_many_dft)(1, &n, B, col, NULL, B, 1, col, NULL, B, 1, FFTW_FORWARD, flags);
        p->col_bwd = FFTW(plan_many_dft)(1, &n, B, col, NULL, B, 1, col, NULL, B, 1, FFTW_BACKWARD, flags);
        aia_fft_planner_unlock();
        ok = p->row_r2c && p->row_c2r && p->col_fwd && p->col_bwd;
    }
    FFTW(free)(rows);
    FFTW(free)(spec);
    FFTW(free)(col);
    if (ok)
        aia_fft_save_wisdom(sizeof(REAL) == sizeof(float)); /* measured once per machine */
    return ok;
}

int KERNEL(plan_new)(const double *spectrum, long n, KERNEL(plan) **out)
{
    /* spectrum: the 2-D r2c transform of the centred PSF, n x (n/2+1) complex
     * double, row-major */
    *out = NULL;
    KERNEL(plan) *p = calloc(1, sizeof *p);
    if (!p)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    p->n = n;
    p->nc = n / 2 + 1;
    p->ncp = (p->nc + 7) / 8 * 8; /* every spectrum row 64-byte aligned */
    p->nblk = (p->nc + B - 1) / B;
    p->H = FFTW(alloc_complex)((size_t)p->nblk * B * (size_t)n);
    if (!p->H || !KERNEL(make_plans)(p)) {
        KERNEL(plan_free)(p);
        return aia_fail(AIA_ERR_NOMEM, "cannot set up the deconvolution's FFTs");
    }
    const double norm = 1.0 / ((double)n * (double)n); /* a power of two: exact */
#pragma omp parallel for schedule(static)
    for (long blk = 0; blk < p->nblk; blk++)
        for (long r = 0; r < n; r++)
            for (long b = 0; b < B; b++) {
                const long c = blk * B + b;
                CPLX *h = &p->H[(blk * n + r) * B + b];
                const double *s = spectrum + 2 * (r * p->nc + c);
                (*h)[0] = c < p->nc ? (REAL)(s[0] * norm) : 0;
                (*h)[1] = c < p->nc ? (REAL)(s[1] * norm) : 0;
            }
    *out = p;
    return AIA_OK;
}

/* ---- the iterations ----------------------------------------------------- */

typedef struct KERNEL(state) {
    const KERNEL(plan) *p;
    const REAL *img; /* the observed image (bad pixels filled, clipped) */
    REAL *u;         /* the estimate                                    */
    CPLX *S;         /* the spectrum, n rows of ncp                     */
    int threads;     /* the team of every pass                          */
    void **scratch;  /* per thread: a column block (B x n complex), which
                        also holds a row block (RB x n reals)          */
} KERNEL(state);

/* The scratch of each thread of the passes, made once per run. */
static int KERNEL(scratch_new)(KERNEL(state) *s)
{
    s->threads = omp_get_max_threads();
    s->scratch = calloc((size_t)s->threads, sizeof *s->scratch);
    int ok = s->scratch != NULL;
    for (int t = 0; ok && t < s->threads; t++)
        ok = (s->scratch[t] = FFTW(alloc_complex)((size_t)B * (size_t)s->p->n)) != NULL;
    return ok;
}

static void KERNEL(scratch_free)(KERNEL(state) *s)
{
    for (int t = 0; s->scratch && t < s->threads; t++)
        FFTW(free)(s->scratch[t]);
    free(s->scratch);
}

/* For each block of columns: forward FFTs, times H or conj(H), inverse. */
static void KERNEL(column_pass)(const KERNEL(state) *s, int conjugate)
{
    const KERNEL(plan) *p = s->p;
    const long n = p->n;
#pragma omp parallel num_threads(s->threads)
    {
        CPLX *buf = s->scratch[omp_get_thread_num()];
#pragma omp for schedule(static)
        for (long blk = 0; blk < p->nblk; blk++) {
            const long c0 = blk * B, nc = p->nc - c0 < B ? p->nc - c0 : B;
            for (long r = 0; r < n; r++) {
                const CPLX *src = s->S + r * p->ncp + c0;
                CPLX *dst = buf + r * B;
                memcpy(dst, src, sizeof(CPLX) * (size_t)nc);
                memset(dst + nc, 0, sizeof(CPLX) * (size_t)(B - nc));
            }
            FFTW(execute_dft)(p->col_fwd, buf, buf);
            const CPLX *h = p->H + blk * n * B;
            const REAL sign = conjugate ? -1 : 1;
            for (long i = 0; i < n * B; i++) {
                const REAL a = buf[i][0], b = buf[i][1], c = h[i][0], d = sign * h[i][1];
                buf[i][0] = a * c - b * d;
                buf[i][1] = a * d + b * c;
            }
            FFTW(execute_dft)(p->col_bwd, buf, buf);
            for (long r = 0; r < n; r++)
                memcpy(s->S + r * p->ncp + c0, buf + r * B, sizeof(CPLX) * (size_t)nc);
        }
    }
}

typedef enum { STEP_LOAD, STEP_RATIO, STEP_UPDATE, STEP_UPDATE_LAST } KERNEL(step);

/* For each block of rows: [c2r], the pointwise step, [r2c]. */
static void KERNEL(row_pass)(const KERNEL(state) *s, KERNEL(step) step)
{
    const KERNEL(plan) *p = s->p;
    const long n = p->n;
#pragma omp parallel num_threads(s->threads)
    {
        REAL *rows = s->scratch[omp_get_thread_num()];
#pragma omp for schedule(static)
        for (long r0 = 0; r0 < n; r0 += RB) {
            CPLX *spec = s->S + r0 * p->ncp;
            REAL *u = s->u + r0 * n;
            const REAL *img = s->img + r0 * n;
            if (step != STEP_LOAD)
                FFTW(execute_dft_c2r)(p->row_c2r, spec, rows); /* est, or the correction */
            switch (step) {
            case STEP_LOAD:
                FFTW(execute_dft_r2c)(p->row_r2c, u, spec);
                break;
            case STEP_RATIO:
                /* aiapy: img / est, no epsilon. Where est is exactly 0 aiapy
                 * gets 0/0 = NaN and its whole image turns NaN; 0 here. */
                for (long i = 0; i < RB * n; i++)
                    rows[i] = rows[i] != 0 ? img[i] / rows[i] : 0;
                FFTW(execute_dft_r2c)(p->row_r2c, rows, spec);
                break;
            case STEP_UPDATE:
            case STEP_UPDATE_LAST:
                for (long i = 0; i < RB * n; i++)
                    u[i] *= rows[i];
                if (step == STEP_UPDATE)
                    FFTW(execute_dft_r2c)(p->row_r2c, u, spec);
                break;
            }
        }
    }
}

int KERNEL(run)(const KERNEL(plan) *p, const REAL *img, REAL *u, int iterations)
{
    KERNEL(state) s = {.p = p, .img = img, .u = u, .S = FFTW(alloc_complex)((size_t)p->n * p->ncp)};
    const int ok = s.S && KERNEL(scratch_new)(&s);
    if (ok) {
        memcpy(u, img, sizeof(REAL) * (size_t)(p->n * p->n));
        if (iterations > 0)
            KERNEL(row_pass)(&s, STEP_LOAD);
        for (int it = 0; it < iterations; it++) {
            KERNEL(column_pass)(&s, 0);
            KERNEL(row_pass)(&s, STEP_RATIO);
            KERNEL(column_pass)(&s, 1);
            KERNEL(row_pass)(&s, it + 1 < iterations ? STEP_UPDATE : STEP_UPDATE_LAST);
        }
    }
    KERNEL(scratch_free)(&s);
    FFTW(free)(s.S);
    return ok ? AIA_OK : aia_fail(AIA_ERR_NOMEM, "out of memory for the deconvolution");
}

#undef RB
#undef B
