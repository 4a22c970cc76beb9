/* tally.c — the accounting of a run: each finished file counted, logged and
 * reported, its stage times kept for the medians. The pipeline tallies its
 * own files; the MPI dealer tallies those its workers send, the same way. */
#include "batch/batch.h"

#include <stdlib.h>
#include <string.h>

struct aia_pipeline_tally {
    aia_pipeline_options opts;
    aia_pipeline_summary sum;
    long finished;
    double t0, last_progress;
    double *times[AIA_PREP_STAGES]; /* of the done files */
    long ntimes, capacity;
};

aia_pipeline_tally *aia_pipeline_tally_new(const aia_pipeline_options *opts, long total)
{
    aia_pipeline_tally *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->opts = *opts;
    t->sum.total = total;
    t->t0 = t->last_progress = aia_now();
    return t;
}

void aia_pipeline_tally_free(aia_pipeline_tally *t)
{
    if (!t)
        return;
    for (int k = 0; k < AIA_PREP_STAGES; k++)
        free(t->times[k]);
    free(t);
}

static void keep_times(aia_pipeline_tally *t, const double seconds[AIA_PREP_STAGES])
{
    if (t->ntimes == t->capacity) {
        const long cap = t->capacity ? 2 * t->capacity : 256;
        for (int k = 0; k < AIA_PREP_STAGES; k++) {
            double *grown = realloc(t->times[k], sizeof(double) * (size_t)cap);
            if (!grown)
                return; /* the medians then leave this file out */
            t->times[k] = grown;
        }
        t->capacity = cap;
    }
    for (int k = 0; k < AIA_PREP_STAGES; k++)
        t->times[k][t->ntimes] = seconds[k];
    t->ntimes++;
}

void aia_pipeline_tally_add(aia_pipeline_tally *t, const aia_prep_item *it)
{
    t->finished++;
    aia_pipeline_summary *s = &t->sum;
    s->done += it->status == AIA_PREP_DONE;
    s->skipped += it->status == AIA_PREP_SKIPPED;
    s->failed += it->status == AIA_PREP_FAILED;
    if (it->status == AIA_PREP_SKIPPED && it->quality_skipped) {
        s->skipped_quality++;
        for (int b = 0; b < 32; b++)
            s->skipped_by_flag[b] += it->quality_skipped >> b & 1u;
    }
    if (it->status == AIA_PREP_DONE)
        keep_times(t, it->seconds);
    if (t->opts.log)
        aia_prep_log_item(t->opts.log, it);
    if (t->opts.on_item)
        t->opts.on_item(it, t->opts.user);
    const double now = aia_now();
    if (t->opts.on_progress &&
        (now - t->last_progress >= t->opts.progress_interval || t->finished == s->total)) {
        t->last_progress = now;
        s->seconds = now - t->t0;
        t->opts.on_progress(s, t->finished, s->total, t->opts.user);
    }
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void aia_pipeline_tally_summary(aia_pipeline_tally *t, aia_pipeline_summary *sum)
{
    *sum = t->sum;
    sum->seconds = aia_now() - t->t0;
    if (!sum->total)
        sum->total = t->finished; /* inputs that were not known in advance */
    for (int k = 0; k < AIA_PREP_STAGES; k++) {
        double *v = t->times[k];
        const long n = t->ntimes;
        sum->stage_median[k] = 0;
        if (!n)
            continue;
        qsort(v, (size_t)n, sizeof(double), cmp_double);
        sum->stage_median[k] = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }
}
