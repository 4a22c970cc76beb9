/* testutil.h — a few check macros and helpers for the test programs.
 * A failed check prints where and what, the program goes on, and
 * test_done() exits 1 if any check failed. Exit 77 means SKIPPED (ctest). */
#ifndef AIAPREP_TESTUTIL_H
#define AIAPREP_TESTUTIL_H

#include "aiaprep.h"

#include <stdio.h>

extern int test_checks, test_failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        test_checks++;                                                                             \
        if (!(cond)) {                                                                             \
            test_failures++;                                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                       \
    do {                                                                                           \
        test_checks++;                                                                             \
        if (!(cond)) {                                                                             \
            test_failures++;                                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

/* An aia_ call that must succeed; on failure show its detail message. */
#define CHECK_OK(expr)                                                                             \
    do {                                                                                           \
        int check_ok_st_ = (expr);                                                                 \
        CHECK_MSG(check_ok_st_ == AIA_OK, "status %d (%s): %s", check_ok_st_,                      \
                  aia_strerror(check_ok_st_), aia_last_error());                                   \
    } while (0)

/* An aia_ call that must fail with this status and a message containing text. */
#define CHECK_FAILS(expr, status, text)                                                            \
    do {                                                                                           \
        int check_st_ = (expr);                                                                    \
        CHECK_MSG(check_st_ == (status), "status %d (%s), expected %d; message: %s", check_st_,   \
                  aia_strerror(check_st_), (int)(status), aia_last_error());                       \
        CHECK_MSG(strstr(aia_last_error(), (text)) != NULL, "message '%s' lacks '%s'",            \
                  aia_last_error(), (text));                                                       \
    } while (0)

/* Print the summary and return the exit status for main(). */
int test_done(const char *name);
/* Print "SKIPPED: reason" and return 77 (ctest's skip code). */
int test_skip(const char *name, const char *reason);

/* A fresh temporary directory (removed by test_cleanup). */
const char *test_tmpdir(void);
/* path = tmpdir/name, in a static rotating buffer. */
const char *test_path(const char *name);
void test_cleanup(void);

/* The shared folder (AIAPREP_DATA, else ../shared beside the checkout), or
 * NULL if it does not exist. */
const char *test_shared_dir(void);

/* A part of an aiapy reference file in ../shared/reference: the stride-7
 * sample (STRIDED) or a full-resolution tile (CENTER, LIMB), as doubles.
 * Pixel (i, j) of the part is pixel (col0 + i*stride, row0 + j*stride). */
typedef struct test_ref_part {
    const char *name;
    long w, h, row0, col0, stride;
    double *data;
} test_ref_part;

/* Read the three parts (names set by the function); 0 on success. Free
 * with test_ref_free. */
int test_ref_read(const char *path, test_ref_part parts[3]);
void test_ref_free(test_ref_part parts[3]);
/* A numeric key of a FITS file's primary header, NaN if absent. */
double test_fits_key(const char *path, const char *key);
/* A value of a reference header ("REF <key>"), NaN if absent. */
double test_ref_key(const char *path, const char *key);

/* A small PSF (n x n float64): a Gaussian core of this sigma with four
 * faint spikes, centred at [n/2][n/2] like aiapy's, sum 1. */
aia_image *test_small_psf(long n, double sigma);

/* A small synthetic full-disk frame (size x size) for quick tests. */
aia_image *test_synth(int channel, long size, double roll, uint64_t seed);

#endif
