/* pixel_stats.c — DATAMIN ... DATAKURT, DATAPnn of the pixels as written,
 * gathered in the passes the writer makes anyway (see pixel_stats.h).
 *
 * Integers: a count per stored code; everything (moments included) then
 * comes from the counts, exactly, in one serial pass over at most
 * MAX_CODES bins. Floats: moments per block of BLOCK pixels (two passes
 * over a block in L1 cache, merged with Pébay's formulas in block order so
 * that the numbers do not depend on the thread count), and the ranks by a
 * radix select on the sortable bit pattern, 16 bits in each pass. */
#include "io/pixel_stats.h"
#include "core/float_key.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

const int aia_stats_pct[AIA_NPCT] = {1, 10, 25, 75, 90, 95, 98, 99};

enum { MAX_CODES = 1 << 20, BINS = 65536, BLOCK = 4096, NTARGETS = AIA_NPCT + 1 };

/* The ranks wanted among n sorted values: the median, then DATAPnn. */
static void target_ranks(long long n, long long rank[NTARGETS])
{
    rank[0] = n / 2;
    for (int i = 0; i < AIA_NPCT; i++)
        rank[i + 1] = (long long)aia_stats_pct[i] * n / 100;
}

static void set_ranked(aia_pixel_stats *out, int target, double v)
{
    if (target == 0)
        out->median = v;
    else
        out->pct[target - 1] = v;
}

static void clear_stats(aia_pixel_stats *out, long long missing)
{
    out->finite = 0;
    out->missing = missing;
    out->min = out->max = out->mean = out->median = out->rms = out->skew = out->kurt = NAN;
    for (int i = 0; i < AIA_NPCT; i++)
        out->pct[i] = NAN;
}

/* rms, skew and kurt from the central sums (NaN where undefined). */
static void shape_from_sums(aia_pixel_stats *out, double n, double m2, double m3, double m4)
{
    if (n < 2 || !(m2 > 0))
        return;
    const double var = m2 / (n - 1);
    out->rms = sqrt(var);
    out->skew = m3 / (var * out->rms * n);
    out->kurt = m4 / (var * var * n) - 3.0;
}

static int threads_here(void)
{
    const int t = omp_get_max_threads();
    return t > 0 ? t : 1;
}

/* ---- integer codes -------------------------------------------------------- */

/* Each thread counts alternate pixels in two tables: a run of equal codes
 * (common: the sky off the disk) is then two chains of increments of one
 * counter, not one chain, each increment waiting on the store before it
 * (a frame's counting 11-18% faster: 13.3 -> 11.9 ms and 14.1 -> 11.5 ms for the
 * 171 and 94 A samples' outputs, one thread, a micro-benchmark). */
enum { TABLES = 2 };

struct aia_code_hist {
    long long lo;
    size_t nbins;
    int nthreads;
    uint32_t *counts; /* nthreads x TABLES x nbins */
};

aia_code_hist *aia_code_hist_new(long long lo, long long hi)
{
    if (hi < lo)
        lo = hi = 0; /* no finite pixel: an empty table */
    if (hi - lo + 1 > MAX_CODES)
        return NULL;
    aia_code_hist *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->lo = lo;
    h->nbins = (size_t)(hi - lo + 1);
    h->nthreads = threads_here();
    h->counts = calloc((size_t)h->nthreads * TABLES * h->nbins, sizeof *h->counts);
    if (!h->counts) {
        free(h);
        return NULL;
    }
    return h;
}

void aia_code_hist_free(aia_code_hist *h)
{
    if (h)
        free(h->counts);
    free(h);
}

/* Each thread counts in its own table. A team never has more threads than
 * omp_get_max_threads() said when the table was made (the OpenMP rule for
 * a region without a num_threads clause), so the thread number indexes it. */
#define DEFINE_ADD(name, code_t)                                                                   \
    void name(aia_code_hist *h, const code_t *codes, int n)                                        \
    {                                                                                              \
        uint32_t *c = h->counts + (size_t)omp_get_thread_num() * TABLES * h->nbins, *d = c + h->nbins; \
        const size_t nb = h->nbins;                                                                \
        int i = 0;                                                                                 \
        for (; i + 1 < n; i += 2) { /* BLANK wraps to a huge k: skipped */                         \
            const size_t k = (size_t)((long long)codes[i] - h->lo);                                \
            const size_t q = (size_t)((long long)codes[i + 1] - h->lo);                            \
            if (k < nb)                                                                            \
                c[k]++;                                                                            \
            if (q < nb)                                                                            \
                d[q]++;                                                                            \
        }                                                                                          \
        if (i < n) {                                                                               \
            const size_t k = (size_t)((long long)codes[i] - h->lo);                                \
            if (k < nb)                                                                            \
                c[k]++;                                                                            \
        }                                                                                          \
    }
DEFINE_ADD(aia_code_hist_add16, int16_t)
DEFINE_ADD(aia_code_hist_add32, int32_t)
#undef DEFINE_ADD

void aia_code_hist_finish(const aia_code_hist *h, double quantum, long long missing, aia_pixel_stats *out)
{
    clear_stats(out, missing);
    uint64_t *bins = calloc(h->nbins, sizeof *bins);
    if (!bins)
        return;
    for (int t = 0; t < h->nthreads * TABLES; t++)
        for (size_t k = 0; k < h->nbins; k++)
            bins[k] += h->counts[(size_t)t * h->nbins + k];
    long long n = 0, first = -1, last = -1;
    __int128 sum = 0; /* exact: codes < 2^31, counts < 2^40 */
    for (size_t k = 0; k < h->nbins; k++) {
        if (!bins[k])
            continue;
        if (first < 0)
            first = (long long)k;
        last = (long long)k;
        n += (long long)bins[k];
        sum += (__int128)bins[k] * (h->lo + (long long)k);
    }
    if (n > 0) {
        const double q = quantum > 0 ? quantum : 1.0, mean_code = (double)sum / (double)n;
        out->finite = n;
        out->min = (double)(h->lo + first) * q;
        out->max = (double)(h->lo + last) * q;
        out->mean = mean_code * q;
        double m2 = 0, m3 = 0, m4 = 0;
        for (long long k = first; k <= last; k++) {
            if (!bins[k])
                continue;
            const double d = (double)(h->lo + k) - mean_code, c = (double)bins[k], d2 = d * d;
            m2 += c * d2;
            m3 += c * d2 * d;
            m4 += c * d2 * d2;
        }
        shape_from_sums(out, (double)n, m2 * q * q, m3 * q * q * q, m4 * q * q * q * q);
        long long rank[NTARGETS], below = 0;
        target_ranks(n, rank);
        for (long long k = first, done = 0; k <= last && done < NTARGETS; k++) {
            const long long upto = below + (long long)bins[k];
            for (int i = 0; i < NTARGETS; i++)
                if (rank[i] >= below && rank[i] < upto) {
                    set_ranked(out, i, (double)(h->lo + k) * q);
                    done++;
                }
            below = upto;
        }
    }
    free(bins);
}

/* ---- floating-point values ------------------------------------------------ */


typedef struct block_moments {
    long long n;
    double mean, m2, m3, m4, min, max;
} block_moments;

struct aia_value_stats {
    int nthreads;
    uint32_t *coarse;            /* nthreads x BINS: key >> 16                 */
    uint32_t *fine;              /* nthreads x nslots x BINS: key & 0xFFFF     */
    unsigned char slot_of[BINS]; /* coarse bin -> 1 + its slot, 0: not wanted   */
    int nslots;
    uint32_t slot_bin[NTARGETS];
    long long residual[NTARGETS]; /* each target's rank within its coarse bin   */
    int target_slot[NTARGETS];
    long long n_total;
    block_moments all;            /* merged                                      */
};

aia_value_stats *aia_value_stats_new(void)
{
    aia_value_stats *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->nthreads = threads_here();
    s->coarse = calloc((size_t)s->nthreads * BINS, sizeof *s->coarse);
    if (!s->coarse) {
        free(s);
        return NULL;
    }
    return s;
}

void aia_value_stats_free(aia_value_stats *s)
{
    if (!s)
        return;
    free(s->coarse);
    free(s->fine);
    free(s);
}

static inline float as_float(const void *data, aia_pixtype type, size_t i)
{
    return type == AIA_PIX_F64 ? (float)((const double *)data)[i] : ((const float *)data)[i];
}

/* One block: its moments about its own mean (exact enough in double), and
 * its coarse keys counted. */
static void scan_block(const void *data, aia_pixtype type, size_t b, size_t end, uint32_t *coarse,
                       block_moments *bm)
{
    double sum = 0, mn = INFINITY, mx = -INFINITY;
    long long n = 0;
    for (size_t i = b; i < end; i++) {
        const double v = aia_pixel(data, type, i);
        if (!isfinite(v))
            continue;
        n++;
        sum += v;
        mn = v < mn ? v : mn;
        mx = v > mx ? v : mx;
        coarse[aia_float_key(as_float(data, type, i)) >> 16]++;
    }
    bm->n = n;
    bm->min = mn;
    bm->max = mx;
    bm->mean = n ? sum / (double)n : 0;
    double m2 = 0, m3 = 0, m4 = 0;
    for (size_t i = b; i < end && n; i++) {
        const double v = aia_pixel(data, type, i);
        if (!isfinite(v))
            continue;
        const double d = v - bm->mean, d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    bm->m2 = m2;
    bm->m3 = m3;
    bm->m4 = m4;
}

/* Pébay's update: the central sums of a and b together, into a. */
static void merge(block_moments *a, const block_moments *b)
{
    if (!b->n)
        return;
    if (!a->n) {
        *a = *b;
        return;
    }
    const double na = (double)a->n, nb = (double)b->n, n = na + nb, d = b->mean - a->mean;
    const double d_n = d / n, d_n2 = d_n * d_n;
    const double m2 = a->m2 + b->m2 + d * d_n * na * nb;
    const double m3 = a->m3 + b->m3 + d * d_n2 * na * nb * (na - nb) + 3.0 * d_n * (na * b->m2 - nb * a->m2);
    const double m4 = a->m4 + b->m4 + d * d_n2 * d_n * na * nb * (na * na - na * nb + nb * nb) +
                      6.0 * d_n2 * (na * na * b->m2 + nb * nb * a->m2) + 4.0 * d_n * (na * b->m3 - nb * a->m3);
    a->mean += d_n * nb;
    a->m2 = m2;
    a->m3 = m3;
    a->m4 = m4;
    a->n += b->n;
    a->min = b->min < a->min ? b->min : a->min;
    a->max = b->max > a->max ? b->max : a->max;
}

/* Which coarse bins hold the wanted ranks, and each rank within its bin. */
static void plan_refine(aia_value_stats *s)
{
    long long rank[NTARGETS];
    target_ranks(s->all.n, rank);
    uint64_t *bins = calloc(BINS, sizeof *bins);
    if (!bins)
        return;
    for (int t = 0; t < s->nthreads; t++)
        for (size_t k = 0; k < BINS; k++)
            bins[k] += s->coarse[(size_t)t * BINS + k];
    long long below = 0;
    for (uint32_t k = 0; k < BINS; k++) {
        const long long upto = below + (long long)bins[k];
        for (int i = 0; i < NTARGETS; i++) {
            if (rank[i] < below || rank[i] >= upto)
                continue;
            if (!s->slot_of[k]) {
                s->slot_bin[s->nslots] = k;
                s->slot_of[k] = (unsigned char)(++s->nslots);
            }
            s->target_slot[i] = s->slot_of[k] - 1;
            s->residual[i] = rank[i] - below;
        }
        below = upto;
    }
    free(bins);
    s->fine = calloc((size_t)s->nthreads * (size_t)(s->nslots ? s->nslots : 1) * BINS, sizeof *s->fine);
}

void aia_value_stats_scan(aia_value_stats *s, const void *data, aia_pixtype type, size_t n)
{
    const size_t nblocks = (n + BLOCK - 1) / BLOCK;
    block_moments *bm = calloc(nblocks ? nblocks : 1, sizeof *bm);
    if (!bm)
        return;
    s->n_total = (long long)n;
#pragma omp parallel for schedule(static) num_threads(s->nthreads)
    for (size_t b = 0; b < nblocks; b++) {
        const size_t end = (b + 1) * BLOCK < n ? (b + 1) * BLOCK : n;
        scan_block(data, type, b * BLOCK, end, s->coarse + (size_t)omp_get_thread_num() * BINS, &bm[b]);
    }
    memset(&s->all, 0, sizeof s->all);
    for (size_t b = 0; b < nblocks; b++) /* in block order: the same sums on any thread count */
        merge(&s->all, &bm[b]);
    free(bm);
    if (s->all.n > 0)
        plan_refine(s);
}

void aia_value_stats_refine(aia_value_stats *s, const void *data, aia_pixtype type, size_t n)
{
    if (!s->fine || !s->nslots)
        return;
    const size_t per_thread = (size_t)s->nslots * BINS;
#pragma omp parallel for schedule(static) num_threads(s->nthreads)
    for (size_t b = 0; b < n; b += BLOCK) {
        uint32_t *fine = s->fine + (size_t)omp_get_thread_num() * per_thread;
        const size_t end = b + BLOCK < n ? b + BLOCK : n;
        for (size_t i = b; i < end; i++) {
            const double v = aia_pixel(data, type, i);
            if (!isfinite(v))
                continue;
            const uint32_t key = aia_float_key(as_float(data, type, i));
            const int slot = s->slot_of[key >> 16];
            if (slot)
                fine[(size_t)(slot - 1) * BINS + (key & 0xFFFFu)]++;
        }
    }
}

void aia_value_stats_finish(const aia_value_stats *s, aia_pixel_stats *out)
{
    const block_moments *a = &s->all;
    clear_stats(out, s->n_total - a->n);
    if (a->n <= 0)
        return;
    out->finite = a->n;
    out->min = a->min;
    out->max = a->max;
    out->mean = a->mean;
    shape_from_sums(out, (double)a->n, a->m2, a->m3, a->m4);
    if (!s->fine)
        return;
    for (int i = 0; i < NTARGETS; i++) {
        const int slot = s->target_slot[i];
        long long below = 0;
        for (uint32_t k = 0; k < BINS; k++) {
            long long c = 0;
            for (int t = 0; t < s->nthreads; t++)
                c += s->fine[((size_t)t * (size_t)s->nslots + (size_t)slot) * BINS + k];
            if (s->residual[i] < below + c) {
                set_ranked(out, i, (double)aia_float_of_key(s->slot_bin[slot] << 16 | k));
                break;
            }
            below += c;
        }
    }
}
