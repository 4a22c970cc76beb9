/* prep_mpi.c — `mpirun -n P aiaprep prep ...`: rank 0 deals the inputs one
 * at a time to whichever worker asks, so that uneven files balance, and
 * gathers every result for the summary and the log; ranks 1..P-1 each run
 * the ordinary pipeline (its stages overlapping, the channel's PSF plan
 * built once) fed from the dealer. Built when CMake finds MPI, as the module
 * libaiaprep_mpi.so (prep.h), which the program loads under mpirun. */
#include "prep.h"

#include <mpi.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TAG_WANT = 1, TAG_FILE, TAG_RESULT, TAG_FINISHED };

/* A worker's last word: how it ran. */
typedef struct wire_finished {
    int workers, threads_per_worker;
} wire_finished;

static int start(int *rank, int *ranks)
{
    int provided = 0;
    /* The pipeline calls MPI from its threads, one at a time (under its lock). */
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "aiaprep prep: error: MPI_Init_thread failed\n");
        return -1;
    }
    if (provided < MPI_THREAD_SERIALIZED) {
        fprintf(stderr, "aiaprep prep: error: this MPI cannot be called from threads (MPI_THREAD_SERIALIZED)\n");
        MPI_Finalize();
        return -1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, ranks);
    return 0;
}

static int all_ok(int ok)
{
    int all = 0;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all;
}

static void stop(void) { MPI_Finalize(); }

/* Cores for each worker rank on this machine: the machine's cores shared by
 * the workers placed on it (the dealer, mostly asleep, takes none). */
static int threads_per_rank(void)
{
    MPI_Comm local;
    int world_rank = 0, local_size = 1, dealer_here = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &local_size);
    int is_dealer = world_rank == 0;
    MPI_Allreduce(&is_dealer, &dealer_here, 1, MPI_INT, MPI_MAX, local);
    MPI_Comm_free(&local);
    const int workers_here = local_size - dealer_here;
    const int t = omp_get_num_procs() / (workers_here > 0 ? workers_here : 1);
    return t > 0 ? t : 1;
}

/* ---- the dealer --------------------------------------------------------- */

/* Receive the next message from any worker without spinning a core (Open
 * MPI's blocking receive polls). */
static void receive(void *buf, int size, MPI_Status *status)
{
    MPI_Request req;
    MPI_Irecv(buf, size, MPI_BYTE, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &req);
    int flag = 0;
    const struct timespec nap = {0, 200000}; /* 0.2 ms */
    for (;;) {
        MPI_Test(&req, &flag, status);
        if (flag)
            return;
        nanosleep(&nap, NULL);
    }
}

/* Results arrive as the library encodes items (aia_prep_item_encode) and
 * are tallied as the pipeline tallies its own: counted, logged, reported. */
static int deal(const char *const *inputs, long n, int ranks, const aia_pipeline_options *opts,
                aia_pipeline_summary *sum)
{
    aia_prep_item *item = aia_prep_item_new();
    const size_t size = item ? aia_prep_item_encode(item, NULL, 0) : 0;
    const size_t capacity = size > sizeof(wire_finished) ? size : sizeof(wire_finished);
    char *msg = malloc(capacity);
    aia_pipeline_tally *tally = aia_pipeline_tally_new(opts, n);
    if (!msg || !item || !tally) {
        fprintf(stderr, "aiaprep prep: error: out of memory on the MPI dealer\n");
        MPI_Abort(MPI_COMM_WORLD, EXIT_SOME_FAILED);
    }
    long next = 0;
    int working = ranks - 1, workers = 0, threads_per_worker = 0;
    while (working > 0) {
        MPI_Status status;
        receive(msg, (int)capacity, &status);
        const int from = status.MPI_SOURCE;
        if (status.MPI_TAG == TAG_WANT) {
            const char *path = next < n ? inputs[next++] : "";
            MPI_Send(path, (int)strlen(path) + 1, MPI_CHAR, from, TAG_FILE, MPI_COMM_WORLD);
        } else if (status.MPI_TAG == TAG_RESULT) {
            int got = 0;
            MPI_Get_count(&status, MPI_BYTE, &got);
            if (aia_prep_item_decode(item, msg, (size_t)got) == AIA_OK)
                aia_pipeline_tally_add(tally, item);
            else
                fprintf(stderr, "aiaprep prep: error: a result from rank %d: %s\n", from, aia_last_error());
        } else if (status.MPI_TAG == TAG_FINISHED) {
            const wire_finished *f = (const wire_finished *)msg;
            workers += f->workers;
            threads_per_worker = f->threads_per_worker;
            working--;
        }
    }
    aia_pipeline_tally_summary(tally, sum);
    sum->workers = workers;
    sum->threads_per_worker = threads_per_worker;
    aia_pipeline_tally_free(tally);
    aia_prep_item_free(item);
    free(msg);
    return AIA_OK;
}

/* ---- a worker ----------------------------------------------------------- */

typedef struct worker_state {
    char path[4096];
    char *result; /* an encoded item */
    size_t size;
} worker_state;

static const char *ask_dealer(void *user)
{
    worker_state *w = user;
    MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_WANT, MPI_COMM_WORLD);
    MPI_Recv(w->path, (int)sizeof w->path, MPI_CHAR, 0, TAG_FILE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return w->path[0] ? w->path : NULL;
}

static void report_to_dealer(const aia_prep_item *item, void *user)
{
    worker_state *w = user;
    const size_t n = aia_prep_item_encode(item, w->result, w->size);
    MPI_Send(w->result, (int)n, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
}

static int work(const aia_prep_options *prep, const aia_pipeline_options *opts)
{
    worker_state *w = calloc(1, sizeof *w);
    aia_prep_item *probe = aia_prep_item_new();
    if (w && probe) {
        w->size = aia_prep_item_encode(probe, NULL, 0);
        w->result = malloc(w->size);
    }
    aia_prep_item_free(probe);
    if (!w || !w->result) {
        fprintf(stderr, "aiaprep prep: error: out of memory on an MPI worker\n");
        MPI_Abort(MPI_COMM_WORLD, EXIT_SOME_FAILED);
    }
    aia_pipeline_options mine;
    aia_pipeline_options_default(&mine);
    mine.threads = opts->threads;
    mine.next_input = ask_dealer;
    mine.on_item = report_to_dealer;
    mine.user = w;
    aia_pipeline_summary sum;
    int st = aia_pipeline_run(NULL, 0, prep, &mine, &sum);
    if (st) /* the pipeline could not start: the dealer must still hear from us */
        fprintf(stderr, "aiaprep prep: error: MPI worker: %s\n", aia_last_error());
    wire_finished f = {sum.workers, sum.threads_per_worker};
    MPI_Send(&f, (int)sizeof f, MPI_BYTE, 0, TAG_FINISHED, MPI_COMM_WORLD);
    free(w->result);
    free(w);
    return st;
}

static int pipeline_run(const char *const *inputs, long n, const aia_prep_options *prep,
                        const aia_pipeline_options *opts, aia_pipeline_summary *sum)
{
    int rank = 0, ranks = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    memset(sum, 0, sizeof *sum);
    aia_pipeline_options mine = *opts;
    const int default_threads = threads_per_rank(); /* collective: every rank */
    if (mine.threads <= 0)
        mine.threads = default_threads;
    if (ranks == 1)
        return aia_pipeline_run(inputs, n, prep, &mine, sum);
    return rank == 0 ? deal(inputs, n, ranks, &mine, sum) : work(prep, &mine);
}

__attribute__((visibility("default"))) const aiaprep_mpi_module *aiaprep_mpi_entry(void);
const aiaprep_mpi_module *aiaprep_mpi_entry(void)
{
    static const aiaprep_mpi_module m = {AIAPREP_MPI_ABI, start, all_ok, pipeline_run, stop};
    return &m;
}
