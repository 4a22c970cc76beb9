/* prep.h — what the files of `aiaprep prep` share (cmd_prep.c: options and
 * the run; prep_inputs.c: the input list; prep_report.c: progress and
 * summary; prep_mpi.c: the MPI mode). */
#ifndef AIAPREP_CLI_PREP_H
#define AIAPREP_CLI_PREP_H

#include "cli.h"

#include <stddef.h>

/* ---- inputs ---- */
typedef struct path_list {
    char **paths;
    size_t count, capacity;
} path_list;

/* Add arg: a file, a directory's FITS files, or @LIST's lines. Returns 0,
 * -1 (out of memory) or -2 (an unreadable list, reported). */
int prep_expand_input(path_list *l, const char *arg);
void prep_sort_unique(path_list *l);
void prep_shard(path_list *l, long i, long n); /* keep every n-th from the i-th */
void prep_path_list_free(path_list *l);

/* ---- reporting (the pipeline's callbacks; user = the reporter) ---- */
typedef struct reporter {
    int quiet, tty;
    char **failures; /* each failed file's error, for the summary */
    long n_failures;
} reporter;

void prep_on_item(const aia_prep_item *item, void *user);
void prep_on_progress(const aia_pipeline_summary *s, long finished, long total, void *user);
void prep_clear_progress(const reporter *rep);
/* Print the summary and free the failures; returns the exit status. */
int prep_summarise(const aia_pipeline_summary *s, const char *outdir, reporter *rep);

/* ---- signals (prep_signals.c) ---- */
/* Catch SIGINT/SIGTERM; the flag for aia_pipeline_options.stop. */
volatile int *prep_catch_signals(void);
/* The signal that stopped the run, or 0. */
int prep_stop_signal(void);

/* ---- names and messages on one line ---- */
/* s with control characters (a newline in a file name) written as \n,
 * \t, \xNN, in buf. */
const char *prep_one_line(const char *s, char *buf, size_t size);

#ifdef AIAPREP_WITH_MPI
/* MPI mode of prep (prep_mpi.c). mpi_launched: started by mpirun. Every
 * rank calls mpi_start, then mpi_all_ok (with whether its set-up went
 * well: all give up if one did), then mpi_pipeline_run, then mpi_stop.
 * mpi_pipeline_run: rank 0 deals the inputs and gathers the results into
 * sum and opts' log/callbacks; the other ranks process files (opts->threads
 * each; default: this machine's cores / its worker ranks). */
int mpi_launched(void);
int mpi_start(int *rank, int *ranks);
int mpi_all_ok(int ok);
int mpi_pipeline_run(const char *const *inputs, long n, const aia_prep_options *prep,
                     const aia_pipeline_options *opts, aia_pipeline_summary *sum);
void mpi_stop(void);

/* The MPI mode is a module of its own, libaiaprep_mpi.so (prep_mpi.c, linked
 * with MPI), loaded (mpi_load.c) only when mpirun started the program: every
 * other run is spared loading MPI (Open MPI, hwloc, libevent: 4 ms of a
 * one-frame run). Its entry point gives the functions above. */
#define AIAPREP_MPI_ABI 1
#define AIAPREP_MPI_ENTRY "aiaprep_mpi_entry"
#define AIAPREP_MPI_FILE "libaiaprep_mpi.so"
typedef struct aiaprep_mpi_module {
    int abi;
    int (*start)(int *rank, int *ranks);
    int (*all_ok)(int ok);
    int (*pipeline_run)(const char *const *inputs, long n, const aia_prep_options *prep,
                        const aia_pipeline_options *opts, aia_pipeline_summary *sum);
    void (*stop)(void);
} aiaprep_mpi_module;
typedef const aiaprep_mpi_module *(*aiaprep_mpi_entry_fn)(void);
#endif

#endif
