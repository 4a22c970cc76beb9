/* item.c — what a prepared file's item says: read by the pipeline's
 * callers through these getters, written as a JSON log line, and carried
 * between processes as bytes (the MPI mode). */
#include "batch/batch.h"
#include "core/json.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *aia_prep_item_input(const aia_prep_item *it) { return it->input; }
const char *aia_prep_item_output(const aia_prep_item *it) { return it->output; }
aia_prep_status aia_prep_item_status(const aia_prep_item *it) { return it->status; }
int aia_prep_item_error(const aia_prep_item *it) { return it->error; }
const char *aia_prep_item_message(const aia_prep_item *it) { return it->message; }
const char *aia_prep_item_warnings(const aia_prep_item *it) { return it->warnings; }
aia_write_result aia_prep_item_written(const aia_prep_item *it) { return it->written; }
const char *aia_prep_item_notes(const aia_prep_item *it) { return it->notes; }

int aia_prep_item_quality(const aia_prep_item *it, uint32_t *quality, uint32_t *skipped_for)
{
    if (quality)
        *quality = it->has_quality ? it->quality : 0;
    if (skipped_for)
        *skipped_for = it->quality_skipped;
    return it->has_quality;
}

double aia_prep_item_seconds(const aia_prep_item *it, int stage)
{
    return stage >= 0 && stage < AIA_PREP_STAGES ? it->seconds[stage] : 0.0;
}

/* ---- as bytes ------------------------------------------------------------ */

/* The result part of an item (no image buffers), with a mark that says the
 * bytes are one, of this layout. */
#define WIRE_MAGIC 0x41494132u /* "AIA2" */
typedef struct wire {
    unsigned magic;
    int status, error;
    double seconds[AIA_PREP_STAGES];
    aia_write_result written;
    int has_quality;
    uint32_t quality, quality_skipped;
    char notes[sizeof ((aia_prep_item *)0)->notes];
    char input[sizeof ((aia_prep_item *)0)->input], output[sizeof ((aia_prep_item *)0)->output];
    char message[sizeof ((aia_prep_item *)0)->message], warnings[sizeof ((aia_prep_item *)0)->warnings];
} wire;

size_t aia_prep_item_encode(const aia_prep_item *it, void *buf, size_t size)
{
    if (size < sizeof(wire))
        return sizeof(wire);
    wire *w = buf;
    memset(w, 0, sizeof *w);
    w->magic = WIRE_MAGIC;
    w->status = (int)it->status;
    w->error = it->error;
    memcpy(w->seconds, it->seconds, sizeof w->seconds);
    w->written = it->written;
    w->has_quality = it->has_quality;
    w->quality = it->quality;
    w->quality_skipped = it->quality_skipped;
    memcpy(w->notes, it->notes, sizeof w->notes);
    memcpy(w->input, it->input, sizeof w->input);
    memcpy(w->output, it->output, sizeof w->output);
    memcpy(w->message, it->message, sizeof w->message);
    memcpy(w->warnings, it->warnings, sizeof w->warnings);
    return sizeof(wire);
}

int aia_prep_item_decode(aia_prep_item *it, const void *buf, size_t size)
{
    const wire *w = buf;
    if (size != sizeof(wire) || w->magic != WIRE_MAGIC || w->status < AIA_PREP_PENDING ||
        w->status > AIA_PREP_FAILED)
        return aia_fail(AIA_ERR_ARG, "%zu bytes that are not an encoded item", size);
    it->status = (aia_prep_status)w->status;
    it->error = w->error;
    memcpy(it->seconds, w->seconds, sizeof it->seconds);
    it->written = w->written;
    it->has_quality = w->has_quality;
    it->quality = w->quality;
    it->quality_skipped = w->quality_skipped;
    snprintf(it->notes, sizeof it->notes, "%.*s", (int)sizeof w->notes - 1, w->notes);
    /* copied with the terminator re-imposed: the bytes came from elsewhere */
    snprintf(it->input, sizeof it->input, "%.*s", (int)sizeof w->input - 1, w->input);
    snprintf(it->output, sizeof it->output, "%.*s", (int)sizeof w->output - 1, w->output);
    snprintf(it->message, sizeof it->message, "%.*s", (int)sizeof w->message - 1, w->message);
    snprintf(it->warnings, sizeof it->warnings, "%.*s", (int)sizeof w->warnings - 1, w->warnings);
    return AIA_OK;
}

/* ---- the log: JSON lines ---------------------------------------------------
 * A run record first, one record per file, a summary record last; each a
 * JSON object on one line with "record" saying which. Times of day are ISO
 * UTC strings, durations seconds. */

/* "quality": the value, its flags decoded, and those it was skipped for. */
static void json_quality(FILE *f, const aia_prep_item *item)
{
    if (!item->has_quality) {
        fputs("null", f);
        return;
    }
    fprintf(f, "{\"value\": %u, \"flags\": [", (unsigned)item->quality);
    for (int b = 0, n = 0; b < 32; b++)
        if (item->quality >> b & 1u) {
            fputs(n++ ? ", " : "", f);
            aia_json_write_string(f, aia_quality_message(b));
        }
    fputs("], \"skipped_for\": [", f);
    for (int b = 0, n = 0; b < 32; b++)
        if (item->quality_skipped >> b & 1u) {
            fputs(n++ ? ", " : "", f);
            aia_json_write_string(f, aia_quality_name(b));
        }
    fputs("]}", f);
}

/* Now, as 2026-12-01T10:00:00.123Z. */
static void iso_now(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    const size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

/* The warnings ('; '-separated: no warning text contains "; ") as an array. */
static void json_warnings(FILE *f, const char *w)
{
    fputc('[', f);
    for (int first = 1; *w; first = 0) {
        const char *end = strstr(w, "; ");
        char one[1024];
        snprintf(one, sizeof one, "%.*s", (int)(end ? end - w : (long)strlen(w)), w);
        if (!first)
            fputs(", ", f);
        aia_json_write_string(f, one);
        w = end ? end + 2 : w + strlen(w);
    }
    fputc(']', f);
}

void aia_prep_log_item(FILE *f, const aia_prep_item *item)
{
    static const char *const status[] = {"pending", "done", "skipped", "failed"};
    char now[32];
    iso_now(now);
    fputs("{\"record\": \"file\", \"input\": ", f);
    aia_json_write_string(f, item->input);
    fputs(", \"output\": ", f);
    aia_json_write_string(f, item->output);
    fprintf(f, ", \"status\": \"%s\", \"error\": ", status[item->status]);
    if (item->status == AIA_PREP_FAILED)
        aia_json_write_string(f, item->message);
    else
        fputs("null", f);
    fputs(", \"warnings\": ", f);
    json_warnings(f, item->warnings);
    fputs(", \"notes\": ", f);
    aia_json_write_string(f, item->notes);
    fputs(", \"quality\": ", f);
    json_quality(f, item);
    fprintf(f, ", \"time\": \"%s\", \"seconds\": {\"load\": %.4f, \"process\": %.4f, \"store\": %.4f}}\n", now,
            item->seconds[0], item->seconds[1], item->seconds[2]);
    fflush(f);
}

void aia_prep_log_run(FILE *f, const aia_prep_options *o, long inputs, int threads)
{
    char now[32], host[256] = "", options[1024];
    iso_now(now);
    gethostname(host, sizeof host - 1);
    aia_prep_options_describe(o, options, sizeof options);
    fprintf(f, "{\"record\": \"run\", \"program\": \"aiaprep prep\", \"version\": \"%s\", \"start\": \"%s\", "
               "\"host\": ",
            aia_version(), now);
    aia_json_write_string(f, host);
    fprintf(f, ", \"pid\": %ld, \"kernels\": \"%s\", \"threads\": %d, \"inputs\": %ld, \"output\": ", (long)getpid(),
            aia_kernels(), threads > 0 ? threads : (int)sysconf(_SC_NPROCESSORS_ONLN), inputs);
    aia_json_write_string(f, aia_prep_options_outdir(o));
    fputs(", \"options\": ", f);
    aia_json_write_string(f, options);
    fputs("}\n", f);
    fflush(f);
}

void aia_prep_log_summary(FILE *f, const struct aia_pipeline_summary *s)
{
    char now[32];
    iso_now(now);
    fprintf(f,
            "{\"record\": \"summary\", \"end\": \"%s\", \"seconds\": %.3f, \"total\": %ld, \"done\": %ld, "
            "\"skipped\": %ld, \"failed\": %ld, \"files_per_second\": %.4f, \"workers\": %d, "
            "\"threads_per_worker\": %d, \"stage_median\": {\"load\": %.4f, \"process\": %.4f, \"store\": %.4f}}\n",
            now, s->seconds, s->total, s->done, s->skipped, s->failed, s->seconds > 0 ? (double)s->total / s->seconds : 0.0,
            s->workers, s->threads_per_worker, s->stage_median[0], s->stage_median[1], s->stage_median[2]);
    fflush(f);
}
