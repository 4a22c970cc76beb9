/* pipeline.c — many files through the preparation stages with every core
 * busy and memory capped.
 *
 * N worker threads share three kinds of task: store a processed file,
 * process a loaded one, load a new one, always taking the most advanced
 * task available. So reading, computing and writing of different files
 * overlap, and at most `max_in_flight` files are held in memory (each item
 * keeps its two image buffers for the next file: no page faults per file).
 * Each worker runs its stages single-threaded when there are several
 * workers (OpenMP and FFTW get one thread each), so the pipeline's threads,
 * OpenMP's and FFTW's never add up to more than the cores asked for. */
#include "core/core.h"
#include "core/fs.h"
#include "kernels/cpu/fft.h"


#include <dirent.h>
#include <errno.h>
#include <omp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the log: one JSON line per file ------------------------------------ */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void aia_prep_log_item(FILE *f, const aia_prep_item *item)
{
    static const char *const status[] = {"pending", "done", "skipped", "failed"};
    fputs("{\"input\": ", f);
    json_string(f, item->input);
    fputs(", \"output\": ", f);
    json_string(f, item->output);
    fprintf(f, ", \"status\": \"%s\", \"error\": ", status[item->status]);
    if (item->status == AIA_PREP_FAILED)
        json_string(f, item->message);
    else
        fputs("null", f);
    fputs(", \"warnings\": ", f);
    json_string(f, item->warnings);
    fprintf(f, ", \"seconds\": {\"load\": %.4f, \"process\": %.4f, \"store\": %.4f}}\n", item->seconds[0],
            item->seconds[1], item->seconds[2]);
    fflush(f);
}

/* ---- the scheduler ------------------------------------------------------ */

void aia_pipeline_options_default(aia_pipeline_options *o)
{
    memset(o, 0, sizeof *o);
    o->progress_interval = 0.5;
}

typedef struct queue {
    aia_prep_item **items;
    int head, count, capacity;
} queue;

static void push(queue *q, aia_prep_item *it)
{
    q->items[(q->head + q->count++) % q->capacity] = it;
}

static aia_prep_item *pop(queue *q)
{
    aia_prep_item *it = q->items[q->head];
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    return it;
}

typedef struct run {
    const char *const *inputs;
    long n, next, finished;
    int exhausted, in_flight;
    const aia_prep_options *prep;
    const aia_pipeline_options *opts;
    aia_prep_shared *shared;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    queue loaded, processed, free_items;
    int omp_threads;
    aia_pipeline_summary *sum;
    double t0, last_progress;
    aia_stage_times times;
} run;

/* A file is finished: count it, log it, report it (under the lock). */
static void finish(run *r, aia_prep_item *it)
{
    r->finished++;
    aia_pipeline_summary *s = r->sum;
    s->done += it->status == AIA_PREP_DONE;
    s->skipped += it->status == AIA_PREP_SKIPPED;
    s->failed += it->status == AIA_PREP_FAILED;
    if (it->status == AIA_PREP_DONE)
        aia_stage_times_add(&r->times, it->seconds);
    if (r->opts->log)
        aia_prep_log_item(r->opts->log, it);
    if (r->opts->on_item)
        r->opts->on_item(it, r->opts->user);
    const double now = aia_now();
    if (r->opts->on_progress && (now - r->last_progress >= r->opts->progress_interval || r->finished == r->n)) {
        r->last_progress = now;
        s->seconds = now - r->t0;
        r->opts->on_progress(s, r->finished, r->n, r->opts->user);
    }
    push(&r->free_items, it);
}

typedef enum { TASK_NONE, TASK_LOAD, TASK_PROCESS, TASK_STORE } task;

/* The next input (under the lock): from the array, or the caller's source. */
static const char *next_input(run *r)
{
    if (r->opts->next_input)
        return r->opts->next_input(r->opts->user);
    return r->next < r->n ? r->inputs[r->next++] : NULL;
}

static void *worker(void *arg)
{
    run *r = arg;
    omp_set_num_threads(r->omp_threads);
    aia_workspace *ws = aia_workspace_new();
    char input[sizeof ((aia_prep_item *)0)->input];
    pthread_mutex_lock(&r->lock);
    for (;;) {
        task t = TASK_NONE;
        aia_prep_item *it = NULL;
        if (r->processed.count) {
            it = pop(&r->processed);
            t = TASK_STORE;
        } else if (r->loaded.count) {
            it = pop(&r->loaded);
            t = TASK_PROCESS;
        } else if (!r->exhausted && r->free_items.count) {
            const char *next = next_input(r);
            if (!next) {
                r->exhausted = 1;
                continue;
            }
            snprintf(input, sizeof input, "%s", next); /* the source may reuse its buffer */
            it = pop(&r->free_items);
            t = TASK_LOAD;
        } else if (r->exhausted && r->free_items.count == r->in_flight) {
            break; /* nothing left to start, nothing in flight */
        } else {
            pthread_cond_wait(&r->wake, &r->lock);
            continue;
        }
        pthread_mutex_unlock(&r->lock);
        switch (t) {
        case TASK_LOAD:
            aia_prep_item_init(it, input, r->prep);
            aia_prep_load(it, r->prep);
            break;
        case TASK_PROCESS:
            if (ws)
                aia_prep_process(it, r->prep, r->shared, ws);
            break;
        case TASK_STORE:
            aia_prep_store(it, r->prep);
            break;
        default:
            break;
        }
        pthread_mutex_lock(&r->lock);
        if (t == TASK_STORE || it->status != AIA_PREP_PENDING)
            finish(r, it); /* done, or failed/skipped on the way */
        else
            push(t == TASK_LOAD ? &r->loaded : &r->processed, it);
        pthread_cond_broadcast(&r->wake);
    }
    pthread_cond_broadcast(&r->wake);
    pthread_mutex_unlock(&r->lock);
    aia_workspace_free(ws);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int aia_stage_times_add(aia_stage_times *t, const double seconds[AIA_PREP_STAGES])
{
    if (t->n == t->capacity) {
        const long cap = t->capacity ? 2 * t->capacity : 256;
        for (int k = 0; k < AIA_PREP_STAGES; k++) {
            double *grown = realloc(t->v[k], sizeof(double) * (size_t)cap);
            if (!grown)
                return aia_fail(AIA_ERR_NOMEM, "out of memory for the stage times");
            t->v[k] = grown;
        }
        t->capacity = cap;
    }
    for (int k = 0; k < AIA_PREP_STAGES; k++)
        t->v[k][t->n] = seconds[k];
    t->n++;
    return AIA_OK;
}

void aia_stage_times_medians(aia_stage_times *t, double median[AIA_PREP_STAGES])
{
    for (int k = 0; k < AIA_PREP_STAGES; k++) {
        median[k] = 0;
        if (!t->n)
            continue;
        qsort(t->v[k], (size_t)t->n, sizeof(double), cmp_double);
        median[k] = t->n % 2 ? t->v[k][t->n / 2] : 0.5 * (t->v[k][t->n / 2 - 1] + t->v[k][t->n / 2]);
    }
}

void aia_stage_times_free(aia_stage_times *t)
{
    for (int k = 0; k < AIA_PREP_STAGES; k++)
        free(t->v[k]);
    memset(t, 0, sizeof *t);
}

int aia_pipeline_run(const char *const *inputs, long n, const aia_prep_options *prep,
                     const aia_pipeline_options *opts, aia_pipeline_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    if (!inputs && n > 0)
        return aia_fail(AIA_ERR_ARG, "pipeline: %ld inputs but no array of them", n);
    if (opts->next_input)
        n = 0; /* not known in advance */
    sum->total = n;
    const int cores = opts->threads > 0 ? opts->threads : omp_get_num_procs();
    const int workers = (int)(!opts->next_input && n < cores ? (n > 0 ? n : 1) : cores);
    const int in_flight = opts->max_in_flight > 0 ? opts->max_in_flight : workers + 2;
    run r = {.inputs = inputs, .n = n, .prep = prep, .opts = opts, .sum = sum};
    r.omp_threads = cores / workers > 0 ? cores / workers : 1;
    aia_fft_set_threads(r.omp_threads); /* FFTW plans made from here on */
    aia_prep_item *items = calloc((size_t)in_flight, sizeof *items);
    aia_prep_item **slots = calloc((size_t)in_flight * 3, sizeof *slots);
    r.shared = aia_prep_shared_new(prep);
    pthread_t *threads = calloc((size_t)workers, sizeof *threads);
    if (!items || !slots || !r.shared || !threads) {
        free(items);
        free(slots);
        aia_prep_shared_free(r.shared);
        free(threads);
        return aia_fail(AIA_ERR_NOMEM, "out of memory for the pipeline");
    }
    r.in_flight = in_flight;
    r.loaded = (queue){slots, 0, 0, in_flight};
    r.processed = (queue){slots + in_flight, 0, 0, in_flight};
    r.free_items = (queue){slots + 2 * in_flight, 0, 0, in_flight};
    for (int i = 0; i < in_flight; i++)
        push(&r.free_items, &items[i]);
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.wake, NULL);
    r.t0 = r.last_progress = aia_now();
    for (int i = 0; i < workers; i++)
        pthread_create(&threads[i], NULL, worker, &r);
    for (int i = 0; i < workers; i++)
        pthread_join(threads[i], NULL);
    sum->seconds = aia_now() - r.t0;
    if (opts->next_input)
        sum->total = r.finished;
    sum->workers = workers;
    sum->threads_per_worker = r.omp_threads;
    aia_stage_times_medians(&r.times, sum->stage_median);
    for (int i = 0; i < in_flight; i++)
        aia_prep_item_free(&items[i]);
    pthread_mutex_destroy(&r.lock);
    pthread_cond_destroy(&r.wake);
    aia_stage_times_free(&r.times);
    aia_prep_shared_free(r.shared);
    free(threads);
    free(items);
    free(slots);
    return AIA_OK;
}
