/* batch.h — the insides of the batch objects that aiaprep.h keeps opaque:
 * the preparation options (options.c), an item going through the stages
 * (prep.c, item.c), and what the pipeline shares with them. Internal. */
#ifndef AIAPREP_BATCH_H
#define AIAPREP_BATCH_H

#include "core/core.h"
#include "kernels/backend.h"

#include <pthread.h>

/* A table as outputs name it: its file name and SHA-256 (history.c). */
typedef struct aia_table_ref {
    char name[256];
    char sha256[65];
} aia_table_ref;

struct aia_prep_options {
    aia_register_options reg;
    aia_write_options write;          /* type, compression, overwrite, history */
    char *outdir, *output_template;
    char *respike_dir, *respike_file; /* DIR/<input stem>.spikes.fits, or one file */
    aia_pointing_table *pointing;
    int deconvolve;
    aia_pixtype precision;
    aia_deconv_options deconv;
    char *psf_file;                   /* NULL: aiapy's PSF of the channel     */
    int psf_preflight;
    aia_response_table *degradation;
    int degradation_version;          /* default 10                           */
    aia_uncertainty_table *uncertainty;
    aia_uncertainty_options uncertainty_opts;
    int uncertainty_file;             /* a separate ..._err file, not an HDU  */
    int normalize;
    char *history;                    /* owned; write.history points here     */
    int verify_inputs;                /* DATASUM/CHECKSUM (--no-verify: 0)     */
    aia_quality_mode quality;         /* what QUALITY flags do (default warn) */
    uint32_t quality_mask;            /* ... which flags (AIA_QUALITY_UNUSABLE) */
    /* the tables' names and checksums, for HISTORY */
    aia_table_ref pointing_ref, degradation_ref, uncertainty_ref, psf_ref;
    /* "auto" tables: from the cache, fetched when missing (auto_tables.c) */
    int pointing_auto, degradation_auto, uncertainty_auto;
    aia_fetch_options fetch;          /* where and how ("offline", URLs)      */
    char *cache_dir;                  /* owned; fetch.cache_dir points here   */
    char *jsoc_url, *ssw_url;         /* owned; fetch's point here            */
    char *device;                     /* NULL: "cpu"; reg.device points here  */
    int device_files;                 /* at most this many on a CUDA device (0: memory) */
};

/* The output name of an input, and of its uncertainty file ("" when there
 * is none); size bytes each. */
int aia_prep_output_names(const char *input, const aia_prep_options *o, char *out, char *err, size_t size);

/* An existing output of item: skipped, failed (other options, unreadable)
 * or to be made again (item->replace_output); untouched when there is
 * none. meanwhile: it appeared while this run worked on the item. */
void aia_prep_judge_existing(aia_prep_item *item, const aia_prep_options *o, int meanwhile);

struct aia_prep_item {
    char input[4096], output[4096], output_err[4096];
    double quantum;                   /* the input's sub-DN step (BSCALE), or 0 */
    aia_image *image, *uncertainty;   /* in flight between stages           */
    aia_image *spare;                 /* a buffer kept for the next file    */
    aia_prep_status status;
    int error;                        /* aia_status when FAILED             */
    char message[1024];               /* the error, or why it was skipped   */
    char warnings[1024];              /* '; '-separated, may be empty        */
    double seconds[AIA_PREP_STAGES];  /* load, process, store               */
    aia_write_result written;         /* when DONE: the type written         */
    int replace_output;               /* an incomplete earlier output: redo it */
    int has_quality;                  /* QUALITY read from the header         */
    uint32_t quality;
    uint32_t quality_skipped;         /* SKIPPED for these flags (0: not)     */
    char notes[512];                  /* '; '-separated: a cutout, ...        */
    aia_input_range known;            /* what the reader saw (known_range)    */
    int bounded;                      /* the processed pixels lie in bounds:  */
    double bounds[2];                 /* the clip, scaled as they were (the
                                         writer's range pass is then skipped) */
};

/* ---- naming.c ---- */
/* Whether a template has fields only the input's header can fill. */
int aia_template_needs_header(const char *tmpl);

/* ---- auto_tables.c: the tables of "auto", per run ---- */
typedef struct aia_auto_tables aia_auto_tables;
aia_auto_tables *aia_auto_tables_new(void);
void aia_auto_tables_free(aia_auto_tables *a);
/* The pointing table of the frame's day (T_OBS), from the cache. */
int aia_auto_pointing(aia_auto_tables *a, const aia_prep_options *o, const aia_header *hdr,
                      const aia_pointing_table **table, const aia_table_ref **ref);
int aia_auto_response(aia_auto_tables *a, const aia_prep_options *o, const aia_response_table **table,
                      const aia_table_ref **ref);
int aia_auto_errors(aia_auto_tables *a, const aia_prep_options *o, const aia_uncertainty_table **table,
                    const aia_table_ref **ref);

/* ---- history.c ---- */
int aia_table_ref_of(const char *path, aia_table_ref *ref);
/* "NAME (sha256 0123456789abcdef)" */
void aia_table_ref_text(const aia_table_ref *ref, char *buf, size_t size);
/* One step's HISTORY entry: "aiaprep VERSION STEP: TEXT" over as many cards
 * as it needs (continuations indented four spaces). */
int aia_history_step(aia_header *hdr, const char *step, const char *fmt, ...) AIA_PRINTF(3, 4);
/* aia_prep_options_describe (public): the science options in their
 * canonical form: every option that changes an output's pixels or header,
 * with its value in effect (defaults too), tables by checksum or "auto",
 * in a fixed order:
 *   --grid G --interp I [--order N] [--scale S] [--missing M] [--respike] [--pointing T]
 *   [--deconvolve --iterations N --precision P [--psf T | --preflight]
 *   [--no-clip]] [--degradation T --calibration-version N]
 *   [--uncertainty T [--uncertainty-file] [--include-preflight]
 *   [--include-eve] [--include-chianti] [--n-sample N]] [--normalize]
 *   --dtype D --compress C
 * with T = sha256:<first 16 hex digits> or auto. Where outputs go, logs,
 * threads, shards, --overwrite and --output-template are not science. */
/* The HISTORY entry "aiaprep VERSION options: <aia_prep_options_describe>". */
int aia_history_options(aia_header *hdr, const aia_prep_options *o);
/* Read that entry back from an output's header: the options text (its
 * continuation cards joined) and, if version is not NULL, the version that
 * wrote it. AIA_ERR_KEY_MISSING when the header has none (not an aiaprep
 * prep output, or one made before 0.1.0 wrote this card). */
int aia_output_options_from_header(const aia_header *hdr, char *options, size_t size, char *version,
                                   size_t vsize);

#endif
