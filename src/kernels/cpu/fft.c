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
/* FFTW's thread count for new plans is one setting per process: it is set
 * and used under this lock, so that runs with other counts do not mix. */
static pthread_mutex_t plan_lock = PTHREAD_MUTEX_INITIALIZER;

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
    char path[4096];
    if (wisdom_path(path, sizeof path, 0, 0) == 0)
        fftw_import_wisdom_from_filename(path); /* absent or damaged: ignored */
    if (wisdom_path(path, sizeof path, 1, 0) == 0)
        fftwf_import_wisdom_from_filename(path);
}

void aia_fft_init(void) { pthread_once(&once, init); }

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

void aia_fft_planner_lock(int threads)
{
    aia_fft_init();
    pthread_mutex_lock(&plan_lock);
    const int n = threads > 0 ? threads : omp_get_max_threads();
    fftw_plan_with_nthreads(n);
    fftwf_plan_with_nthreads(n);
}

void aia_fft_planner_unlock(void) { pthread_mutex_unlock(&plan_lock); }

/* One pattern for the plan kinds: wisdom first, then measure or estimate. */
#define MAKE_PLAN(prefix, single, call)                                                            \
    do {                                                                                           \
        aia_fft_planner_lock(threads);                                                             \
        prefix##_plan p = call(FFTW_MEASURE | FFTW_WISDOM_ONLY);                                   \
        if (!p)                                                                                    \
            p = call(measure ? FFTW_MEASURE : FFTW_ESTIMATE);                                      \
        aia_fft_planner_unlock();                                                                  \
        if (p && measure)                                                                          \
            aia_fft_save_wisdom(single);                                                           \
        return p;                                                                                  \
    } while (0)

fftw_plan aia_fft_plan_r2c(int n0, int n1, double *in, fftw_complex *out, int threads, int measure)
{
#define CALL(flags) fftw_plan_dft_r2c_2d(n0, n1, in, out, flags)
    MAKE_PLAN(fftw, 0, CALL);
#undef CALL
}

fftw_plan aia_fft_plan_c2r(int n0, int n1, fftw_complex *in, double *out, int threads, int measure)
{
#define CALL(flags) fftw_plan_dft_c2r_2d(n0, n1, in, out, flags)
    MAKE_PLAN(fftw, 0, CALL);
#undef CALL
}
