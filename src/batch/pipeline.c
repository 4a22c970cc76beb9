/* pipeline.c — many files through the preparation stages with every core
 * busy and memory capped.
 *
 * N worker threads share three kinds of task: store a processed file,
 * process a loaded one, load a new one, always taking the most advanced
 * task available. So reading, computing and writing of different files
 * overlap, and at most `max_in_flight` files are held in memory (each item
 * keeps its two image buffers for the next file: no page faults per file).
 * Each worker runs its stages single-threaded when there are several
 * workers (OpenMP and FFTW get one thread each, through the run's
 * prep_shared), so the pipeline's threads, OpenMP's and FFTW's never add up
 * to more than the cores asked for. Once every input has been started, a
 * worker with nothing left to do lends its share to the tasks that start
 * after it (team_size), so the last files are not finished one thread each
 * while cores wait. */
#include "batch/batch.h"
#include "io/io.h"

#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    long n, next;
    int exhausted, in_flight;
    const aia_prep_options *prep;
    const aia_pipeline_options *opts;
    aia_prep_shared *shared;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    queue loaded, processed, free_items;
    int omp_threads;
    int processing, max_processing; /* process tasks running, and the cap (0: none) */
    int running, idle; /* tasks running; workers waiting with nothing left to start */
    aia_pipeline_tally *tally;
    int stopped;
} run;

typedef enum { TASK_NONE, TASK_LOAD, TASK_PROCESS, TASK_STORE } task;

/* The next input (under the lock): from the array, or the caller's source. */
static const char *next_input(run *r)
{
    if (r->opts->next_input)
        return r->opts->next_input(r->opts->user);
    return r->next < r->n ? r->inputs[r->next++] : NULL;
}

/* The OpenMP threads of a task about to start (under the lock): its share,
 * and once the source is exhausted, a share of the idle workers' too, so
 * that the last files of a run are not finished one thread each while
 * cores wait. */
static int team_size(const run *r)
{
    return r->omp_threads + r->omp_threads * r->idle / r->running;
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
        } else if (r->loaded.count && (!r->max_processing || r->processing < r->max_processing)) {
            it = pop(&r->loaded);
            t = TASK_PROCESS;
            r->processing++;
        } else if (!r->exhausted && r->opts->stop && *r->opts->stop) {
            r->exhausted = 1; /* stopped: start nothing new */
            r->stopped = 1;
            continue;
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
            const int lends = r->exhausted; /* nothing new will start: its cores can go to the files in flight */
            r->idle += lends;
            pthread_cond_wait(&r->wake, &r->lock);
            r->idle -= lends;
            continue;
        }
        r->running++;
        omp_set_num_threads(team_size(r));
        pthread_mutex_unlock(&r->lock);
        switch (t) {
        case TASK_LOAD:
            aia_prep_item_init(it, input, r->prep);
            aia_prep_load(it, r->prep);
            break;
        case TASK_PROCESS:
            aia_prep_process(it, r->prep, r->shared, ws); /* ws NULL: scratch per call */
            break;
        case TASK_STORE:
            aia_prep_store(it, r->prep);
            break;
        default:
            break;
        }
        pthread_mutex_lock(&r->lock);
        r->running--;
        if (t == TASK_PROCESS)
            r->processing--;
        if (t == TASK_STORE || it->status != AIA_PREP_PENDING) {
            aia_pipeline_tally_add(r->tally, it); /* done, or failed/skipped on the way */
            push(&r->free_items, it);
        } else
            push(t == TASK_LOAD ? &r->loaded : &r->processed, it);
        pthread_cond_broadcast(&r->wake);
    }
    pthread_cond_broadcast(&r->wake);
    pthread_mutex_unlock(&r->lock);
    aia_workspace_free(ws);
    return NULL;
}

int aia_pipeline_run(const char *const *inputs, long n, const aia_prep_options *prep,
                     const aia_pipeline_options *opts, aia_pipeline_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    if (!inputs && n > 0)
        return aia_fail(AIA_ERR_ARG, "pipeline: %ld inputs but no array of them", n);
    if (opts->next_input)
        n = 0; /* not known in advance */
    int st = aia_prep_check_outputs(prep, inputs, n);
    if (st)
        return st;
    aia_cfitsio_init(); /* before the workers open their first files */
    const int cores = opts->threads > 0 ? opts->threads : omp_get_num_procs();
    const int workers = (int)(!opts->next_input && n < cores ? (n > 0 ? n : 1) : cores);
    /* a file a worker and one read ahead (on the CPU, one more was slower:
     * 6.61 -> 7.11 files/s for 24 files, 1.03-1.13x for 48, RSS 454 -> 385 MB,
     * 2 workers); on a GPU one more, so that reading keeps up with the device */
    const int on_device = prep->device && strcmp(prep->device, "cpu") != 0;
    const int in_flight = opts->max_in_flight > 0 ? opts->max_in_flight : workers + (on_device ? 2 : 1);
    run r = {.inputs = inputs, .n = n, .prep = prep, .opts = opts, .in_flight = in_flight};
    r.omp_threads = cores / workers > 0 ? cores / workers : 1;
    if (on_device)
        r.max_processing = prep->device_files;
    aia_prep_item **items = calloc((size_t)in_flight, sizeof *items);
    aia_prep_item **slots = calloc((size_t)in_flight * 3, sizeof *slots);
    pthread_t *threads = calloc((size_t)workers, sizeof *threads);
    r.shared = aia_prep_shared_new(prep, r.omp_threads);
    r.tally = aia_pipeline_tally_new(opts, n);
    int ok = items && slots && threads && r.shared && r.tally;
    for (int i = 0; ok && i < in_flight; i++)
        ok = (items[i] = aia_prep_item_new()) != NULL;
    st = ok ? AIA_OK : aia_fail(AIA_ERR_NOMEM, "out of memory for the pipeline");
    if (!st) {
        r.loaded = (queue){slots, 0, 0, in_flight};
        r.processed = (queue){slots + in_flight, 0, 0, in_flight};
        r.free_items = (queue){slots + 2 * in_flight, 0, 0, in_flight};
        for (int i = 0; i < in_flight; i++)
            push(&r.free_items, items[i]);
        pthread_mutex_init(&r.lock, NULL);
        pthread_cond_init(&r.wake, NULL);
        for (int i = 0; i < workers; i++)
            pthread_create(&threads[i], NULL, worker, &r);
        for (int i = 0; i < workers; i++)
            pthread_join(threads[i], NULL);
        pthread_mutex_destroy(&r.lock);
        pthread_cond_destroy(&r.wake);
        aia_pipeline_tally_summary(r.tally, sum);
        sum->interrupted = r.stopped;
        if (r.stopped && n > 0)
            sum->not_started = n - (sum->done + sum->skipped + sum->failed);
        sum->workers = workers;
        sum->threads_per_worker = r.omp_threads;
    }
    for (int i = 0; items && i < in_flight; i++)
        aia_prep_item_free(items[i]);
    aia_pipeline_tally_free(r.tally);
    aia_prep_shared_free(r.shared);
    free(threads);
    free(items);
    free(slots);
    return st;
}
