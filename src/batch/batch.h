/* batch.h — the insides of the batch objects that aiaprep.h keeps opaque:
 * the preparation options (options.c), an item going through the stages
 * (prep.c, item.c), and what the pipeline shares with them. Internal. */
#ifndef AIAPREP_BATCH_H
#define AIAPREP_BATCH_H

#include "core/core.h"

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
    char *science[32];                /* "name=value" of each option that
                                         shapes the outputs, by name (science.c) */
    int verify_inputs;                /* DATASUM/CHECKSUM (--no-verify: 0)     */
};

/* The science options as one canonical text, "[name=value, flag, ...]"
 * sorted by name (file options by their base name), recorded in every
 * output's HISTORY so that a rerun can tell whether an existing output was
 * made the same way. */
void aia_prep_science_record(aia_prep_options *o, const char *name, const char *value);
void aia_prep_science_text(const aia_prep_options *o, char *buf, size_t size);
/* The HISTORY text of an output: the caller's history (the command line)
 * and the science options. */
void aia_prep_history_text(const aia_prep_options *o, char *buf, size_t size);
/* The output name of an input, and of its uncertainty file ("" when there
 * is none); size bytes each. */
int aia_prep_output_names(const char *input, const aia_prep_options *o, char *out, char *err, size_t size);

/* An existing output of item: skipped, failed (other options, unreadable)
 * or to be made again (item->replace_output); untouched when there is
 * none. meanwhile: it appeared while this run worked on the item. */
void aia_prep_judge_existing(aia_prep_item *item, const aia_prep_options *o, int meanwhile);

/* The science options an existing output's header records ("" if none). */
void aia_prep_recorded_science(const aia_header *hdr, char *buf, size_t size);

struct aia_prep_item {
    char input[4096], output[4096], output_err[4096];
    aia_image *image, *uncertainty;   /* in flight between stages           */
    aia_image *spare;                 /* a buffer kept for the next file    */
    aia_prep_status status;
    int error;                        /* aia_status when FAILED             */
    char message[1024];               /* the error, or why it was skipped   */
    char warnings[1024];              /* '; '-separated, may be empty        */
    double seconds[AIA_PREP_STAGES];  /* load, process, store               */
    aia_write_result written;         /* when DONE: the type written         */
    int replace_output;               /* an incomplete earlier output: redo it */
};

#endif
