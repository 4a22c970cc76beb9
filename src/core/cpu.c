/* cpu.c — which x86-64 instruction-set level this CPU runs: GCC's
 * x86-64-v3 (AVX2, FMA, BMI1/2, ...) or x86-64-v4 (AVX-512 F/BW/CD/DQ/VL),
 * the levels code is compiled for (the kernels' -march, the I/O layer's
 * target attributes). Asked once; 0 on other machines and compilers. */
#include "core/core.h"

#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int level;

static void ask(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
#if !defined(__clang__) && __GNUC__ >= 12
    const int v3 = __builtin_cpu_supports("x86-64-v3") != 0, v4 = __builtin_cpu_supports("x86-64-v4") != 0;
#else
    const int v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                   __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
    const int v4 = v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                   __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
                   __builtin_cpu_supports("avx512vl");
#endif
    level = v4 ? 4 : v3 ? 3 : 0;
#endif
}

int aia_cpu_x86_level(void)
{
    pthread_once(&once, ask);
    return level;
}
