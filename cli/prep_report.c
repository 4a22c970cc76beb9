/* prep_report.c — what prep tells the user as files finish: a progress
 * line on a terminal, a line per file otherwise, each failure, and the
 * summary at the end. */
#include "prep.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SUMMARY_MAX_FAILURES = 100 };

const char *prep_one_line(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    for (; *s && n + 5 < size; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c == '\n')
            n += (size_t)snprintf(buf + n, size - n, "\\n");
        else if (c == '\t')
            n += (size_t)snprintf(buf + n, size - n, "\\t");
        else if (c < 0x20 || c == 0x7f)
            n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
        else
            buf[n++] = (char)c;
    }
    buf[n] = '\0';
    return buf;
}

static void remember_failure(reporter *rep, const char *message)
{
    if (rep->n_failures < SUMMARY_MAX_FAILURES) {
        char **grown = realloc(rep->failures, (size_t)(rep->n_failures + 1) * sizeof *grown);
        if (!grown)
            return;
        rep->failures = grown;
        rep->failures[rep->n_failures] = strdup(message);
    }
    rep->n_failures++;
}

void prep_clear_progress(const reporter *rep)
{
    if (rep->tty && !rep->quiet)
        fputs("\r\033[K", stderr);
}

void prep_on_item(const aia_prep_item *item, void *user)
{
    reporter *rep = user;
    char in_buf[4200], msg_buf[2048], warn_buf[2048], out_buf[4200];
    const char *input = prep_one_line(aia_prep_item_input(item), in_buf, sizeof in_buf);
    const char *message = prep_one_line(aia_prep_item_message(item), msg_buf, sizeof msg_buf);
    const char *warnings = prep_one_line(aia_prep_item_warnings(item), warn_buf, sizeof warn_buf);
    const aia_prep_status status = aia_prep_item_status(item);
    if (status == AIA_PREP_FAILED) {
        prep_clear_progress(rep);
        fflush(stdout);
        fprintf(stderr, "aiaprep prep: error: %s\n", message);
        remember_failure(rep, message);
        return;
    }
    if (warnings[0] && !rep->quiet) {
        prep_clear_progress(rep);
        fflush(stdout);
        fprintf(stderr, "aiaprep prep: warning: %s: %s\n", input, warnings);
    }
    if (rep->quiet || rep->tty) /* on a terminal the progress line says it */
        return;
    const aia_write_result w = aia_prep_item_written(item);
    if (status == AIA_PREP_SKIPPED)
        printf("skipped %s: %s\n", input, message);
    else
        printf("%s -> %s (%s, %s; %.2f + %.2f + %.2f s)\n", input,
               prep_one_line(aia_prep_item_output(item), out_buf, sizeof out_buf),
               aia_out_type_name(w.type), aia_compression_name(w.compression), aia_prep_item_seconds(item, 0),
               aia_prep_item_seconds(item, 1), aia_prep_item_seconds(item, 2));
}

void prep_on_progress(const aia_pipeline_summary *s, long finished, long total, void *user)
{
    const reporter *rep = user;
    if (!rep->tty || rep->quiet)
        return;
    const double rate = s->seconds > 0 ? (double)finished / s->seconds : 0;
    const long eta = rate > 0 ? (long)((double)(total - finished) / rate + 0.5) : 0;
    fprintf(stderr, "\r\033[Kprep: %ld/%ld files, %.2f files/s, ETA %ld:%02ld:%02ld, %ld failed", finished,
            total, rate, eta / 3600, eta / 60 % 60, eta % 60, s->failed);
}

/* Print the summary (each failure again, so that a long run's end says
 * what went wrong); returns the exit status. */
int prep_summarise(const aia_pipeline_summary *s, const char *outdir, reporter *rep)
{
    const int quiet = rep->quiet;
    for (long i = 0; i < rep->n_failures && i < SUMMARY_MAX_FAILURES; i++) {
        printf("failed: %s\n", rep->failures[i] ? rep->failures[i] : "(no memory for the message)");
        free(rep->failures[i]);
    }
    if (rep->n_failures > SUMMARY_MAX_FAILURES)
        printf("failed: ... and %ld more (--log FILE records every one)\n",
               rep->n_failures - SUMMARY_MAX_FAILURES);
    free(rep->failures);
    rep->failures = NULL;
    if (!quiet || s->failed)
        printf("prep: %ld files in %.1f s (%.2f files/s, %d workers x %d threads): %ld done, %ld "
               "skipped, %ld failed; outputs in %s\n",
               s->total, s->seconds,
               s->seconds > 0 ? (double)(s->done + s->skipped + s->failed) / s->seconds : 0.0, s->workers,
               s->threads_per_worker, s->done, s->skipped, s->failed, outdir);
    if (!quiet && s->done)
        printf("prep: median per file: load %.3f s, process %.3f s, store %.3f s\n", s->stage_median[0],
               s->stage_median[1], s->stage_median[2]);
    if (s->interrupted) {
        const int sig = prep_stop_signal();
        printf("prep: interrupted by %s: %ld done, %ld skipped, %ld failed, %ld not started (run the same "
               "command again to go on)\n",
               sig == SIGTERM ? "SIGTERM" : "SIGINT", s->done, s->skipped, s->failed, s->not_started);
        fflush(stdout);
        return 128 + (sig ? sig : SIGINT);
    }
    return s->failed ? EXIT_SOME_FAILED : EXIT_OK;
}
