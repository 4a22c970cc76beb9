/* pixel_stats.h — the statistics a level-1.5 header states about its own
 * pixels (DATAMIN ... DATAKURT, DATAPnn, DATAVALS, MISSVALS), gathered while
 * the writer scans the pixels anyway (pixel_stats.c). Internal.
 *
 * Definitions (JSOC's fstats and IDL's moment, which agree), over the
 * finite pixels as written (integers: the stored values times BSCALE):
 *   mean; rms = sqrt(sum (x - mean)^2 / (n - 1)); skew = sum (x - mean)^3 /
 *   (n rms^3); kurt = sum (x - mean)^4 / (n rms^4) - 3; median the value of
 *   rank n/2 (0-based) of the sorted pixels, DATAPnn the value of rank
 *   floor(nn n / 100). */
#ifndef AIAPREP_IO_PIXEL_STATS_H
#define AIAPREP_IO_PIXEL_STATS_H

#include "core/core.h"

enum { AIA_NPCT = 8 };
extern const int aia_stats_pct[AIA_NPCT]; /* 1, 10, 25, 75, 90, 95, 98, 99 */

typedef struct aia_pixel_stats {
    long long finite, missing;          /* DATAVALS, MISSVALS                      */
    double min, max, mean, median;      /* NaN when there is no finite pixel      */
    double rms, skew, kurt;             /* NaN with fewer than 2 / a constant image */
    double pct[AIA_NPCT];
} aia_pixel_stats;

/* ---- integer outputs: a histogram of the stored codes ------------------
 * Filled as the converter produces each block of codes (one count table per
 * thread), so the conversion pass is the only pass. Codes outside [lo, hi]
 * (BLANK) are not counted. */
typedef struct aia_code_hist aia_code_hist;
/* NULL when the range is too wide for a table (then use aia_value_stats). */
aia_code_hist *aia_code_hist_new(long long lo, long long hi);
void aia_code_hist_add16(aia_code_hist *h, const int16_t *codes, int n);
void aia_code_hist_add32(aia_code_hist *h, const int32_t *codes, int n);
/* The statistics of code x quantum; missing = NaN pixels written as BLANK. */
void aia_code_hist_finish(const aia_code_hist *h, double quantum, long long missing, aia_pixel_stats *out);
void aia_code_hist_free(aia_code_hist *h);

/* ---- floating-point outputs: two passes the writer makes anyway ---------
 * scan: the pass that counted NaN pixels now also gathers the moments (per
 * block of pixels, merged in block order: the same numbers on any number of
 * threads) and a histogram of the top 16 bits of each value's sortable key;
 * refine: while the rows are written, the low 16 bits of the values that
 * fall in the bins holding the median and percentiles. float64 pixels are
 * ranked by their float32 rounding (their percentiles are float32 values). */
typedef struct aia_value_stats aia_value_stats;
aia_value_stats *aia_value_stats_new(void);
void aia_value_stats_scan(aia_value_stats *s, const void *data, aia_pixtype type, size_t n);
void aia_value_stats_refine(aia_value_stats *s, const void *data, aia_pixtype type, size_t n);
void aia_value_stats_finish(const aia_value_stats *s, aia_pixel_stats *out);
void aia_value_stats_free(aia_value_stats *s);

#endif
