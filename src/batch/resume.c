/* resume.c — what an output that already exists means for this run.
 *
 * An item is done when all its outputs exist and the main one records the
 * same science options as this run (science.c): then it is skipped, so a
 * killed or repeated run resumes where it stopped. Outputs are published
 * the uncertainty file first and the main file last, so a main output
 * without its uncertainty file is an item cut short: it is made again. An
 * output made with other options, or that cannot be read, is not silently
 * counted as done: the item fails with what to do about it. The same
 * judgement applies when another run publishes the output while this one
 * works on it. */
#include "batch/batch.h"
#include "io/io.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static void set(aia_prep_item *item, aia_prep_status status, int error, const char *fmt, const char *a,
                const char *b, const char *c)
{
    item->status = status;
    item->error = error;
    char what[sizeof item->message];
    snprintf(what, sizeof what, fmt, a, b, c);
    if (status == AIA_PREP_FAILED) /* failures name the input; skips are listed by it */
        snprintf(item->message, sizeof item->message, "%.300s: %.700s", item->input, what);
    else
        snprintf(item->message, sizeof item->message, "%s", what);
}

void aia_prep_judge_existing(aia_prep_item *item, const aia_prep_options *o, int meanwhile)
{
    if (o->write.overwrite || !exists(item->output))
        return; /* an orphaned uncertainty file is replaced when stored */
    aia_header *hdr = NULL;
    const int st = aia_fits_read_header(item->output, &hdr);
    if (st) {
        set(item, AIA_PREP_FAILED, AIA_ERR_EXISTS,
            "%.300s exists but cannot be read (%.350s%s): give --overwrite to replace it", item->output,
            aia_last_error(), "");
        return;
    }
    char recorded[2048], ours[2048];
    aia_prep_recorded_science(hdr, recorded, sizeof recorded);
    aia_prep_science_text(o, ours, sizeof ours);
    aia_header_free(hdr);
    if (strcmp(recorded, ours) != 0) {
        set(item, AIA_PREP_FAILED, AIA_ERR_EXISTS,
            "%.200s exists, made with other science options (it records %.150s, this run is %.150s): give "
            "--overwrite to replace it, or write to another -o",
            item->output, recorded[0] ? recorded : "none: another program or an older aiaprep made it", ours);
        return;
    }
    if (o->uncertainty && o->uncertainty_file && !exists(item->output_err)) {
        item->replace_output = 1; /* cut short before its uncertainty file */
        return;
    }
    set(item, AIA_PREP_SKIPPED, 0,
        meanwhile ? "%.600s was published by another run meanwhile%s%s"
                  : "%.600s exists, with the same science options (use --overwrite to redo)%s%s",
        item->output, "", "");
}
