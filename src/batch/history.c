/* history.c — what an output's HISTORY says: one card per step, as IDL
 * writes one per routine ("aiaprep 0.1.0 register: ..."), the tables by
 * file name and checksum (never a path: the bytes of an output do not
 * depend on where the tables were), and one card with the science options
 * in a canonical form, which a later run reads back to see whether an
 * existing output was made with the same science. No dates, no host.
 *
 * A card holds 72 characters of text; a longer entry continues on the next
 * HISTORY cards, each starting with four spaces (broken at a space, which
 * the continuation replaces). */
#include "batch/batch.h"
#include "core/sha256.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { CARD_TEXT = 72, CONT_INDENT = 4 };
static const char options_tag[] = " options: ";

int aia_table_ref_of(const char *path, aia_table_ref *ref)
{
    memset(ref, 0, sizeof *ref);
    const char *slash = strrchr(path, '/');
    snprintf(ref->name, sizeof ref->name, "%s", slash ? slash + 1 : path);
    return aia_sha256_file(path, ref->sha256);
}

/* text over as many HISTORY cards as it needs. */
static int add_wrapped(aia_header *hdr, const char *text)
{
    size_t len = strlen(text), pos = 0;
    int first = 1, st = AIA_OK;
    while (!st && (pos < len || first)) {
        const size_t width = first ? CARD_TEXT : CARD_TEXT - CONT_INDENT;
        size_t take = len - pos;
        if (take > width) { /* break at the last space that fits */
            take = width;
            while (take > 0 && text[pos + take] != ' ')
                take--;
            if (take == 0)
                take = width; /* one word longer than a card: cut it */
        }
        char card[81];
        snprintf(card, sizeof card, "HISTORY %s%.*s", first ? "" : "    ", (int)take, text + pos);
        st = aia_header_append_card(hdr, card);
        pos += take;
        while (pos < len && text[pos] == ' ') /* the break's space */
            pos++;
        first = 0;
    }
    return st;
}

int aia_history_step(aia_header *hdr, const char *step, const char *fmt, ...)
{
    char text[1024];
    int n = snprintf(text, sizeof text, "aiaprep %s %s: ", aia_version(), step);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
    va_end(ap);
    return add_wrapped(hdr, text);
}

/* A table as the step cards name it. */
void aia_table_ref_text(const aia_table_ref *ref, char *buf, size_t size)
{
    snprintf(buf, size, "%s (sha256 %.16s)", ref->name[0] ? ref->name : "?", ref->sha256);
}

/* ---- the options card ---------------------------------------------------- */

static void put(char *buf, size_t size, size_t *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
    if (*n >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    const int k = vsnprintf(buf + *n, size - *n, fmt, ap);
    va_end(ap);
    *n += k > 0 ? (size_t)k : 0;
}

/* A table option's value: "auto", or the table's checksum (the identity
 * of its contents: a copy under another name is the same science). */
static void put_table(char *buf, size_t size, size_t *n, const char *name, int is_auto, const aia_table_ref *ref)
{
    if (is_auto)
        put(buf, size, n, " --%s auto", name);
    else
        put(buf, size, n, " --%s sha256:%.16s", name, ref->sha256);
}

void aia_prep_options_describe(const aia_prep_options *o, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    static const char *const dtype[] = {"auto", "int16", "int32", "float32", "float64"};
    put(buf, size, &n, "--grid %s --interp %s", o->reg.grid == AIA_GRID_AIAPY ? "aiapy" : "4096",
        o->reg.interp == AIA_INTERP_CUBIC_CONVOLUTION ? "cubic-convolution" : "spline");
    if (o->reg.interp == AIA_INTERP_SPLINE)
        put(buf, size, &n, " --order %d", o->reg.order);
    if (o->reg.scale > 0)
        put(buf, size, &n, " --scale %.9g", o->reg.scale);
    if (o->reg.missing == AIA_MISSING_NAN)
        put(buf, size, &n, " --missing nan");
    else if (o->reg.missing == AIA_MISSING_MIN)
        put(buf, size, &n, " --missing min");
    else if (o->reg.missing == AIA_MISSING_VALUE)
        put(buf, size, &n, " --missing %.9g", o->reg.missing_value);
    if (o->respike_dir || o->respike_file)
        put(buf, size, &n, " --respike");
    if (o->pointing || o->pointing_auto)
        put_table(buf, size, &n, "pointing", o->pointing_auto, &o->pointing_ref);
    if (o->deconvolve) {
        put(buf, size, &n, " --deconvolve --iterations %d --precision %s", o->deconv.iterations,
            o->precision == AIA_PIX_F64 ? "double" : "single");
        if (o->psf_file)
            put(buf, size, &n, " --psf sha256:%.16s", o->psf_ref.sha256);
        else if (o->psf_preflight)
            put(buf, size, &n, " --preflight");
        if (!o->deconv.clip_negative)
            put(buf, size, &n, " --no-clip");
    }
    if (o->degradation || o->degradation_auto) {
        put_table(buf, size, &n, "degradation", o->degradation_auto, &o->degradation_ref);
        put(buf, size, &n, " --calibration-version %d", o->degradation_version);
    }
    if (o->uncertainty || o->uncertainty_auto) {
        put_table(buf, size, &n, "uncertainty", o->uncertainty_auto, &o->uncertainty_ref);
        const aia_uncertainty_options *u = &o->uncertainty_opts;
        if (o->uncertainty_file)
            put(buf, size, &n, " --uncertainty-file");
        if (u->include_preflight)
            put(buf, size, &n, " --include-preflight");
        if (u->include_eve)
            put(buf, size, &n, " --include-eve");
        if (u->include_chianti)
            put(buf, size, &n, " --include-chianti");
        if (u->n_sample != 1)
            put(buf, size, &n, " --n-sample %d", u->n_sample);
    }
    if (o->normalize)
        put(buf, size, &n, " --normalize");
    put(buf, size, &n, " --dtype %s --compress %s", dtype[o->write.type],
        aia_compression_name(o->write.compression));
}

int aia_history_options(aia_header *hdr, const aia_prep_options *o)
{
    char opts[1024], text[1200];
    aia_prep_options_describe(o, opts, sizeof opts);
    snprintf(text, sizeof text, "aiaprep %s%s%s", aia_version(), options_tag, opts);
    return add_wrapped(hdr, text);
}

/* The text of HISTORY card i (after "HISTORY "), trailing spaces cut. */
static void history_text(const aia_header *hdr, size_t i, char out[81])
{
    snprintf(out, 81, "%s", aia_header_card(hdr, i) + 8);
    for (size_t k = strlen(out); k > 0 && out[k - 1] == ' '; k--)
        out[k - 1] = '\0';
}

static int is_history(const aia_header *hdr, size_t i)
{
    return strncmp(aia_header_card(hdr, i), "HISTORY ", 8) == 0;
}

int aia_output_options_from_header(const aia_header *hdr, char *options, size_t size, char *version, size_t vsize)
{
    const size_t count = aia_header_count(hdr);
    for (size_t i = 0; i < count; i++) {
        char text[81];
        if (!is_history(hdr, i))
            continue;
        history_text(hdr, i, text);
        const char *tag = strstr(text, options_tag);
        if (strncmp(text, "aiaprep ", 8) != 0 || !tag || strchr(text + 8, ' ') != tag)
            continue; /* "aiaprep VERSION options: ..." and nothing else */
        if (version)
            snprintf(version, vsize, "%.*s", (int)(tag - text - 8), text + 8);
        size_t n = 0;
        options[0] = '\0';
        put(options, size, &n, "%s", tag + strlen(options_tag));
        for (size_t j = i + 1; j < count && is_history(hdr, j); j++) {
            history_text(hdr, j, text);
            if (strncmp(text, "    ", CONT_INDENT) != 0)
                break;
            put(options, size, &n, " %s", text + CONT_INDENT);
        }
        if (n >= size)
            return aia_fail(AIA_ERR_ARG, "the options in HISTORY are longer than %zu characters", size - 1);
        return AIA_OK;
    }
    return aia_fail(AIA_ERR_KEY_MISSING, "no 'aiaprep VERSION options:' HISTORY card: not an aiaprep prep output");
}
