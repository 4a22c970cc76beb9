/* fft.c — FFTW set-up: threads once per process, a thread-safe planner,
 * and wisdom kept in the cache directory so that FFTW_MEASURE planning
 * (seconds for 4096²) is paid once per machine, not once per run. */
#include "kernels/cpu/fft.h"
#include "core/fs.h"


#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t wisdom_lock = PTHREAD_MUTEX_INITIALIZER;
static int nthreads;

static int wisdom_path(char *buf, size_t size, int single, int create)
{
    char dir[4000];
    if (aia_cache_dir(dir, sizeof dir) != AIA_OK) {
        aia_clear_error();
        return -1;
    }
    if (create && aia_make_dirs(dir) != 0)
        return -1;
    int n = snprintf(buf, size, "%s/fftw-wisdom-%s", dir, single ? "float" : "double");
    return n > 0 && (size_t)n < size ? 0 : -1;
}

static void init(void)
{
    fftw_init_threads();
    fftwf_init_threads();
    /* plans may be made from several threads (one deconvolution plan per
     * channel in a batch); FFTW >= 3.3.5 serialises its planner itself */
    fftw_make_planner_thread_safe();
    fftwf_make_planner_thread_safe();
    nthreads = omp_get_max_threads();
    char path[4096];
    if (wisdom_path(path, sizeof path, 0, 0) == 0)
        fftw_import_wisdom_from_filename(path); /* absent or damaged: ignored */
    if (wisdom_path(path, sizeof path, 1, 0) == 0)
        fftwf_import_wisdom_from_filename(path);
}

void aia_fft_init(void) { pthread_once(&once, init); }

void aia_fft_set_threads(int threads)
{
    aia_fft_init();
    nthreads = threads > 0 ? threads : omp_get_max_threads();
}

int aia_fft_threads(void)
{
    aia_fft_init();
    return nthreads;
}

/* Save wisdom atomically (several processes may do it at once). */
void aia_fft_save_wisdom(int single)
{
    char path[4096], tmp[4200];
    if (wisdom_path(path, sizeof path, single, 1) != 0)
        return;
    if (aia_temp_name(path, tmp, sizeof tmp) != AIA_OK) {
        aia_clear_error();
        return;
    }
    pthread_mutex_lock(&wisdom_lock);
    const int ok = single ? fftwf_export_wisdom_to_filename(tmp) : fftw_export_wisdom_to_filename(tmp);
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
    pthread_mutex_unlock(&wisdom_lock);
}

/* One pattern for the four plan kinds: wisdom first, then measure or
 * estimate. */
#define MAKE_PLAN(prefix, single, call)                                                            \
    do {                                                                                           \
        aia_fft_init();                                                                            \
        prefix##_plan_with_nthreads(nthreads);                                                     \
        prefix##_plan p = call(FFTW_MEASURE | FFTW_WISDOM_ONLY);                                   \
        if (p)                                                                                     \
            return p;                                                                              \
        p = call(measure ? FFTW_MEASURE : FFTW_ESTIMATE);                                          \
        if (p && measure)                                                                          \
            aia_fft_save_wisdom(single);                                                                   \
        return p;                                                                                  \
    } while (0)

fftw_plan aia_fft_plan_r2c(int n0, int n1, double *in, fftw_complex *out, int measure)
{
#define CALL(flags) fftw_plan_dft_r2c_2d(n0, n1, in, out, flags)
    MAKE_PLAN(fftw, 0, CALL);
#undef CALL
}

fftw_plan aia_fft_plan_c2r(int n0, int n1, fftw_complex *in, double *out, int measure)
{
#define CALL(flags) fftw_plan_dft_c2r_2d(n0, n1, in, out, flags)
    MAKE_PLAN(fftw, 0, CALL);
#undef CALL
}

fftwf_plan aia_fftf_plan_r2c(int n0, int n1, float *in, fftwf_complex *out, int measure)
{
#define CALL(flags) fftwf_plan_dft_r2c_2d(n0, n1, in, out, flags)
    MAKE_PLAN(fftwf, 1, CALL);
#undef CALL
}

fftwf_plan aia_fftf_plan_c2r(int n0, int n1, fftwf_complex *in, float *out, int measure)
{
#define CALL(flags) fftwf_plan_dft_c2r_2d(n0, n1, in, out, flags)
    MAKE_PLAN(fftwf, 1, CALL);
#undef CALL
}
