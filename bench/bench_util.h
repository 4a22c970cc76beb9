/* bench_util.h — timing helpers for the benchmarks: medians of repeated runs. */
#ifndef AIAPREP_BENCH_UTIL_H
#define AIAPREP_BENCH_UTIL_H

double bench_now(void);                      /* monotonic seconds */
double bench_median(double *v, int n);       /* sorts v */
int bench_cores(void);                       /* online CPUs */
void bench_header(const char *title);        /* title, machine, threads */
void bench_row(const char *what, double *times, int n); /* "what  median  min  max (n runs)" */

#endif
