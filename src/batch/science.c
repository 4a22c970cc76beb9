/* science.c — which options shape an output, written into its HISTORY as
 * one canonical text, and read back from an existing output: a rerun into
 * the same directory counts an output as done only when it was made with
 * the same science options (the order and spelling of the command line do
 * not matter; the directory a table was read from does not either). */
#include "batch/batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Options that change where outputs go or how the run behaves, not what
 * an output holds. Every other option is science: an option added later
 * is recorded unless it is listed here. */
static int operational(const char *name)
{
    static const char *const names[] = {"overwrite", "history", "output", "output-template", "no-verify",
                                        "quality", "quality-mask", "offline"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

/* Options whose value is a file: recorded by base name. */
static int file_valued(const char *name)
{
    static const char *const names[] = {"psf", "respike", "respike-dir", "pointing", "degradation", "uncertainty"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

/* The value an option has when not given, and the spellings that mean
 * the same: an explicit default is the same science as no option. */
static const char *canonical(const char *name, const char *value)
{
    static const struct { const char *name, *value, *means; } same[] = {
        {"order", "3", NULL},           {"interp", "spline", NULL},  {"grid", "4096", NULL},
        {"grid", "full", NULL},         {"dtype", "auto", NULL},     {"compress", "auto", NULL},
        {"compress", "gzip", "gzip2"},  {"iterations", "25", NULL},  {"precision", "single", NULL},
        {"calibration-version", "10", NULL}, {"n-sample", "1", NULL},
    };
    for (size_t i = 0; value && i < sizeof same / sizeof same[0]; i++)
        if (strcmp(name, same[i].name) == 0 && strcmp(value, same[i].value) == 0)
            return same[i].means; /* NULL: the default, not recorded */
    return value ? value : "";
}

enum { SLOTS = sizeof ((aia_prep_options *)0)->science / sizeof(char *) };

/* The entry of this option, or a free one. */
static char **slot_of(aia_prep_options *o, const char *name)
{
    const size_t k = strlen(name);
    char **free_slot = NULL;
    for (int i = 0; i < SLOTS; i++) {
        char *e = o->science[i];
        if (!e && !free_slot)
            free_slot = &o->science[i];
        if (e && strncmp(e, name, k) == 0 && (e[k] == '=' || !e[k]))
            return &o->science[i];
    }
    return free_slot;
}

void aia_prep_science_record(aia_prep_options *o, const char *name, const char *value)
{
    if (operational(name))
        return;
    char text[600];
    const char *v = canonical(name, value);
    if (value && !v) { /* back to the default: no entry */
        char **slot = slot_of(o, name);
        if (slot && *slot) {
            free(*slot);
            *slot = NULL;
        }
        return;
    }
    value = value ? v : NULL;
    if (value && file_valued(name)) {
        const char *end = value + strlen(value);
        while (end > value + 1 && end[-1] == '/')
            end--; /* a directory's trailing slashes */
        const char *base = end;
        while (base > value && base[-1] != '/')
            base--;
        snprintf(text, sizeof text, "%s=%.*s", name, (int)(end - base), base);
    } else if (value) {
        snprintf(text, sizeof text, "%s=%s", name, value);
    } else {
        snprintf(text, sizeof text, "%s", name);
    }
    for (char *p = text; *p; p++) /* the text is bracketed, one line */
        if ((unsigned char)*p < 0x20 || *p == ']' || *p == ',')
            *p = '?';
    char **slot = slot_of(o, name);
    if (slot) { /* one entry a name: the last setting holds */
        free(*slot);
        *slot = strdup(text);
    }
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void aia_prep_science_text(const aia_prep_options *o, char *buf, size_t size)
{
    const char *sorted[SLOTS];
    int n = 0;
    for (int i = 0; i < SLOTS; i++)
        if (o->science[i])
            sorted[n++] = o->science[i];
    qsort(sorted, (size_t)n, sizeof sorted[0], by_text);
    size_t at = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < n && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "", sorted[i]);
    if (at < size)
        snprintf(buf + at, size - at, "]");
}

#define TAG "science options: "

void aia_prep_history_text(const aia_prep_options *o, char *buf, size_t size)
{
    char science[2048];
    aia_prep_science_text(o, science, sizeof science);
    if (o->history && o->history[0])
        snprintf(buf, size, "%s; " TAG "%s", o->history, science);
    else
        snprintf(buf, size, "aiaprep %s " TAG "%s", aia_version(), science);
}

/* HISTORY text runs over cards 72 characters at a time: joined again, the
 * recorded text is found between its tag and the closing bracket. */
void aia_prep_recorded_science(const aia_header *hdr, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t cap = 4096, n = 0;
    char *joined = malloc(cap);
    for (long i = 0; joined; i++) {
        const char *card = aia_header_card(hdr, (size_t)i);
        if (!card)
            break;
        if (strncmp(card, "HISTORY ", 8) != 0)
            continue;
        if (n + 73 > cap) {
            char *bigger = realloc(joined, cap *= 2);
            if (!bigger) {
                free(joined);
                return;
            }
            joined = bigger;
        }
        memcpy(joined + n, card + 8, 72);
        n += 72;
    }
    if (!joined)
        return;
    joined[n] = '\0';
    const char *tag = NULL; /* the last: an input prepared before has its own */
    for (const char *p = strstr(joined, TAG "["); p; p = strstr(p + 1, TAG "["))
        tag = p;
    const char *end = tag ? strchr(tag, ']') : NULL;
    if (end)
        snprintf(buf, size, "%.*s", (int)(end + 1 - (tag + strlen(TAG))), tag + strlen(TAG));
    free(joined);
}
