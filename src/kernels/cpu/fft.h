/* fft.h — FFTW set-up shared by the PSF and deconvolution. Internal. */
#ifndef AIAPREP_FFT_H
#define AIAPREP_FFT_H

#include <fftw3.h>

/* Initialise FFTW's threads (OpenMP, the library's runtime), make the
 * planner thread-safe and load the wisdom saved in the cache directory;
 * idempotent and safe from any thread. */
void aia_fft_init(void);

/* Save what the planner has learnt (after FFTW_MEASURE planning) to the
 * cache directory, atomically; errors are ignored (it is only a speed-up). */
void aia_fft_save_wisdom(int single);

/* Planning is done under one lock, with FFTW's thread count for new plans
 * (one setting per process in FFTW) set to `threads` (0: OpenMP's default)
 * for both precisions; for kernels that make plans of their own. */
void aia_fft_planner_lock(int threads);
void aia_fft_planner_unlock(void);

/* 2-D real FFT plans (n0 x n1) that run on `threads` threads (0: OpenMP's
 * default for the calling thread). With known wisdom (saved earlier, or
 * planned earlier in this process) the plan is FFTW_MEASURE quality at no
 * cost. Without: measure = 1 plans with FFTW_MEASURE (seconds; the arrays
 * are overwritten) and saves the wisdom for next time, measure = 0 takes
 * FFTW_ESTIMATE (the arrays are not touched). NULL on failure. */
fftw_plan aia_fft_plan_r2c(int n0, int n1, double *in, fftw_complex *out, int threads, int measure);
fftw_plan aia_fft_plan_c2r(int n0, int n1, fftw_complex *in, double *out, int threads, int measure);

#endif
