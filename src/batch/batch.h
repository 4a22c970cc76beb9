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
    char *device;                     /* NULL: "cpu"; reg.device points here  */
    int device_files;                 /* at most this many on a CUDA device (0: memory) */
};

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
};

#endif
