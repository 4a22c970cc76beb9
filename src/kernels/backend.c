/* backend.c — which backend this process uses: the CPU backend compiled
 * for the best instruction-set level the CPU supports (FFTW's simd-support
 * and zstd's BMI2 dispatch are the pattern), or the level AIAPREP_KERNELS
 * asks for. Chosen once, on first use. */
#include "kernels/backend.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const aia_backend aia_backend_cpu_generic;
#ifdef AIAPREP_KERNELS_AVX2
extern const aia_backend aia_backend_cpu_avx2;
#endif
#ifdef AIAPREP_KERNELS_AVX512
extern const aia_backend aia_backend_cpu_avx512;
#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const aia_backend *chosen;
static char note[160];

/* The levels built into this library, best last, with whether the CPU
 * (and the operating system, for the wider registers) supports each. The
 * levels are GCC's x86-64-v3 (AVX2, FMA, BMI1/2, ...) and x86-64-v4
 * (AVX-512 F/BW/CD/DQ/VL), the -march each is compiled with. */
typedef struct level {
    const char *name;
    const aia_backend *backend;
    int supported;
} level;

static int levels(level *out)
{
    int n = 0;
    out[n++] = (level){"generic", &aia_backend_cpu_generic, 1};
#ifdef AIAPREP_KERNELS_AVX2
    out[n++] = (level){"avx2", &aia_backend_cpu_avx2, aia_cpu_x86_level() >= 3};
#endif
#ifdef AIAPREP_KERNELS_AVX512
    out[n++] = (level){"avx512", &aia_backend_cpu_avx512, aia_cpu_x86_level() >= 4};
#endif
    return n;
}

static void choose(void)
{
    level all[3];
    const int n = levels(all);
    int best = 0;
    for (int i = 0; i < n; i++)
        if (all[i].supported)
            best = i;
    const char *want = getenv("AIAPREP_KERNELS");
    chosen = all[best].backend;
    if (!want || !*want || strcmp(want, "auto") == 0)
        return;
    for (int i = 0; i < n; i++)
        if (strcmp(want, all[i].name) == 0) {
            if (all[i].supported)
                chosen = all[i].backend;
            else
                snprintf(note, sizeof note, "AIAPREP_KERNELS=%s: this CPU lacks that level, %s used", want,
                         all[best].name);
            return;
        }
    snprintf(note, sizeof note, "AIAPREP_KERNELS=%.40s: unknown (generic, avx2, avx512 or auto), %s used", want,
             all[best].name);
}

const aia_backend *aia_backend_get(void)
{
    pthread_once(&once, choose);
    return chosen;
}

const char *aia_backend_note(void)
{
    pthread_once(&once, choose);
    return note;
}

void *aia_backend_alloc(size_t bytes)
{
    void *p = NULL;
    return posix_memalign(&p, 64, bytes ? bytes : 64) == 0 ? p : NULL;
}

void aia_backend_free(void *p) { free(p); }

/* ---- the public view of the choice (aiaprep --version) ------------------ */

const char *aia_kernels(void) { return aia_backend_get()->kernels; }

const char *aia_kernels_note(void) { return aia_backend_note(); }

const char *aia_kernels_built(void)
{
    return "generic"
#ifdef AIAPREP_KERNELS_AVX2
           " avx2"
#endif
#ifdef AIAPREP_KERNELS_AVX512
           " avx512"
#endif
        ;
}


