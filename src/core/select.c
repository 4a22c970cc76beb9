/* select.c — the k-th smallest finite value of a float array, without
 * copying or sorting it: a two-pass radix select on the sortable bit pattern
 * (16 bits a pass, one histogram per thread). Used for medians of 4096²
 * frames, where a sorted copy would cost 64 MiB and a second. */
#include "core/core.h"
#include "core/float_key.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 65536


/* Histogram of (key >> shift) & 0xFFFF over finite values whose high bits
 * (key >> 16) equal `prefix` (any prefix when prefix < 0). */
static int histogram(const float *v, size_t n, int shift, long prefix, uint64_t *hist)
{
    memset(hist, 0, BUCKETS * sizeof *hist);
    int ok = 1;
#pragma omp parallel
    {
        uint64_t *local = calloc(BUCKETS, sizeof *local);
        if (!local) {
#pragma omp atomic write
            ok = 0;
        }
#pragma omp for schedule(static)
        for (size_t i = 0; i < n; i++) {
            if (!local || !isfinite(v[i]))
                continue;
            uint32_t k = aia_float_key(v[i]);
            if (prefix >= 0 && (long)(k >> 16) != prefix)
                continue;
            local[(k >> shift) & 0xFFFF]++;
        }
        if (local) {
#pragma omp critical
            for (int b = 0; b < BUCKETS; b++)
                hist[b] += local[b];
            free(local);
        }
    }
    return ok;
}

/* The bucket holding the k-th value; k becomes the rank inside it. */
static int find_bucket(const uint64_t *hist, uint64_t *k)
{
    for (int b = 0; b < BUCKETS; b++) {
        if (*k < hist[b])
            return b;
        *k -= hist[b];
    }
    return -1;
}

int aia_select_float(const float *v, size_t n, uint64_t k, float *out)
{
    uint64_t *hist = malloc(BUCKETS * sizeof *hist);
    if (!hist || !histogram(v, n, 16, -1, hist)) {
        free(hist);
        return aia_fail(AIA_ERR_NOMEM, "out of memory selecting a median");
    }
    int high = find_bucket(hist, &k);
    int low = high < 0 ? -1 : (histogram(v, n, 0, high, hist) ? find_bucket(hist, &k) : -1);
    free(hist);
    if (high < 0 || low < 0)
        return aia_fail(AIA_ERR_ARG, "select: rank beyond the number of finite values");
    *out = aia_float_of_key(((uint32_t)high << 16) | (uint32_t)low);
    return AIA_OK;
}
