/* bench_util.c — timing helpers shared by the benchmarks. */
#define _POSIX_C_SOURCE 200809L
#include "bench_util.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int bench_cores(void) { return (int)sysconf(_SC_NPROCESSORS_ONLN); }

void bench_header(const char *title)
{
    char cpu[256] = "unknown CPU";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "model name : %255[^\n]", cpu) == 1)
            break;
    if (f)
        fclose(f);
    printf("%s\n", title);
    printf("machine: %s, %d cores online, OpenMP threads %d\n", cpu, bench_cores(),
           omp_get_max_threads());
    printf("%-44s %10s %10s %10s\n", "", "median ms", "min ms", "max ms");
}

void bench_row(const char *what, double *t, int n)
{
    double med = bench_median(t, n);
    printf("%-44s %10.1f %10.1f %10.1f   (%d runs)\n", what, 1e3 * med, 1e3 * t[0], 1e3 * t[n - 1], n);
    fflush(stdout);
}
