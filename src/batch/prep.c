/* prep.c — one file through the preparation steps, in aiapy's order, split
 * into three stages (load, process, store) so that a pipeline can overlap
 * reading, computing and writing across files. Everything here is per item
 * except the deconvolution plans, which all threads share. */
#include "batch/batch.h"
#include "core/fs.h"
#include "steps/level15_header.h"
#include "steps/register_plan.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- shared: deconvolution plans by channel ----------------------------- */

#define MAX_PLANS 16

struct aia_prep_shared {
    pthread_mutex_t lock;
    int channels[MAX_PLANS];
    aia_deconv_plan *plans[MAX_PLANS];
    int n;
    const aia_prep_options *opts;
    int threads; /* for the PSF and the plans' FFTs */
    aia_auto_tables *tables; /* the "auto" calibration tables */
};

aia_prep_shared *aia_prep_shared_new(const aia_prep_options *opts, int threads)
{
    aia_prep_shared *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    pthread_mutex_init(&s->lock, NULL);
    s->opts = opts;
    s->threads = threads;
    if (!(s->tables = aia_auto_tables_new())) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    return s;
}

void aia_prep_shared_free(aia_prep_shared *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        aia_deconv_plan_free(s->plans[i]);
    aia_auto_tables_free(s->tables);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* The plan for a channel (0 for a user's PSF file), built once: the first
 * thread to need it builds it while the others wait. */
static int plan_for(aia_prep_shared *s, int channel, const aia_deconv_plan **plan)
{
    const aia_prep_options *o = s->opts;
    pthread_mutex_lock(&s->lock);
    int st = AIA_OK;
    for (int i = 0; i < s->n; i++)
        if (s->channels[i] == channel) {
            *plan = s->plans[i];
            pthread_mutex_unlock(&s->lock);
            return AIA_OK;
        }
    aia_image *psf = NULL;
    if (s->n == MAX_PLANS) /* only seven channels have a PSF model: never */
        st = aia_fail(AIA_ERR_UNSUPPORTED, "too many PSFs in one run");
    else if (o->psf_file)
        st = aia_image_read(o->psf_file, AIA_PIX_F64, &psf);
    else {
        aia_psf_options po;
        aia_psf_options_default(&po, channel);
        po.preflight_core = o->psf_preflight;
        po.threads = s->threads;
        po.device = o->device;
        st = aia_psf_cached(&po, NULL, &psf, NULL);
    }
    if (!st)
        st = aia_deconv_plan_new_on(psf, o->precision, s->threads, o->device, &s->plans[s->n]);
    aia_image_free(psf);
    if (!st) {
        s->channels[s->n] = channel;
        *plan = s->plans[s->n++];
    }
    pthread_mutex_unlock(&s->lock);
    return st;
}

/* ---- items -------------------------------------------------------------- */

static void warn(aia_prep_item *item, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(aia_prep_item *item, const char *fmt, ...)
{
    size_t n = strlen(item->warnings);
    if (n && n + 2 < sizeof item->warnings)
        n += (size_t)snprintf(item->warnings + n, sizeof item->warnings - n, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(item->warnings + n, sizeof item->warnings - n, fmt, ap);
    va_end(ap);
}

/* Mark the item failed with this thread's message; the science steps do not
 * know the file, so `name_input` prefixes it. */
static int fail_as(aia_prep_item *item, int status, int name_input)
{
    item->status = AIA_PREP_FAILED;
    item->error = status;
    if (name_input)
        aia_error_prefix(item->input);
    snprintf(item->message, sizeof item->message, "%s", aia_last_error());
    aia_image_free(item->uncertainty);
    item->uncertainty = NULL;
    return status;
}

static int fail(aia_prep_item *item, int status) { return fail_as(item, status, 0); }

aia_prep_item *aia_prep_item_new(void) { return calloc(1, sizeof(aia_prep_item)); }

void aia_prep_item_free(aia_prep_item *item)
{
    if (!item)
        return;
    aia_image_free(item->image);
    aia_image_free(item->uncertainty);
    aia_image_free(item->spare);
    free(item);
}

/* The separate uncertainty file beside an output: NAME_err.fits. */
static int err_path(const char *output, char *out, size_t size)
{
    const size_t n = strlen(output);
    if (n + 5 > size)
        return aia_fail(AIA_ERR_ARG, "%s: output name too long", output);
    snprintf(out, size, "%.*s_err.fits", (int)(n - 5), output); /* output ends in .fits */
    return AIA_OK;
}

int aia_prep_output_names(const char *input, const aia_prep_options *o, char *out, char *err, size_t size)
{
    const char *level = o->deconvolve ? "lev1.6" : "lev1.5";
    err[0] = '\0';
    aia_header *hdr = NULL; /* read only for a template with header fields */
    int st = aia_template_needs_header(o->output_template) ? aia_header_read(input, &hdr) : AIA_OK;
    st = st ? st : aia_output_path_header(input, hdr, o->outdir, level, o->output_template, out, size);
    if (!st && (o->uncertainty || o->uncertainty_auto) && o->uncertainty_file)
        st = err_path(out, err, size);
    aia_header_free(hdr);
    return st;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int aia_prep_check_outputs(const aia_prep_options *o, const char *const *inputs, long n)
{
    aia_clear_error();
    /* a template with header fields names outputs only from the files
     * themselves: a clash is then found as each output is published */
    if (n < 2 || !inputs || aia_template_needs_header(o->output_template))
        return AIA_OK;
    /* "output\0input" for each, sorted: neighbours share a name */
    char **pairs = calloc((size_t)n, sizeof *pairs);
    if (!pairs)
        return aia_fail(AIA_ERR_NOMEM, "out of memory checking %ld output names", n);
    char out[4096], err[4096];
    long m = 0;
    int st = AIA_OK;
    for (long i = 0; i < n && !st; i++) {
        st = aia_prep_output_names(inputs[i], o, out, err, sizeof out);
        const size_t a = strlen(out), b = strlen(inputs[i]);
        if (!st && !(pairs[m] = malloc(a + b + 2)))
            st = aia_fail(AIA_ERR_NOMEM, "out of memory checking %ld output names", n);
        if (!st) {
            memcpy(pairs[m], out, a + 1);
            memcpy(pairs[m++] + a + 1, inputs[i], b + 1);
        }
    }
    if (!st)
        qsort(pairs, (size_t)m, sizeof *pairs, by_name);
    for (long i = 1; i < m && !st; i++)
        if (strcmp(pairs[i - 1], pairs[i]) == 0) {
            const char *x = pairs[i - 1] + strlen(pairs[i - 1]) + 1, *y = pairs[i] + strlen(pairs[i]) + 1;
            if (strcmp(x, y) != 0)
                st = aia_fail(AIA_ERR_ARG, "%s and %s would both be written to %s: rename one, or prepare them in "
                                           "separate runs (-o), or give --output-template",
                              x, y, pairs[i]);
        }
    for (long i = 0; i < m; i++)
        free(pairs[i]);
    free(pairs);
    return st;
}

int aia_prep_item_init(aia_prep_item *item, const char *input, const aia_prep_options *o)
{
    aia_image *keep[2] = {item->image, item->spare}; /* buffers for this file */
    aia_image_free(item->uncertainty);
    memset(item, 0, sizeof *item);
    item->image = keep[0];
    item->spare = keep[1];
    snprintf(item->input, sizeof item->input, "%s", input);
    int st = aia_prep_output_names(input, o, item->output, item->output_err, sizeof item->output);
    if (st)
        return fail(item, st);
    aia_prep_judge_existing(item, o, 0);
    return AIA_OK;
}

int aia_spikes_path(const char *input, const char *dir, char *out, size_t size)
{
    const char *slash = strrchr(input, '/');
    const char *base = slash ? slash + 1 : input;
    const char *dot = strstr(base, ".fits");
    if ((size_t)snprintf(out, size, "%s/%.*s.spikes.fits", dir, (int)(dot ? dot - base : (long)strlen(base)), base) >=
        size)
        return aia_fail(AIA_ERR_ARG, "%s: spikes file name too long", input);
    return AIA_OK;
}

/* The spikes file of an input: DIR/<stem>.spikes.fits, or the one file;
 * with --respike-dir auto, the cache's, fetched for this frame when it is
 * not there (unless offline). */
static int spikes_path(const aia_prep_item *item, const aia_prep_options *o, char *buf, size_t size)
{
    if (o->respike_file)
        return snprintf(buf, size, "%s", o->respike_file), AIA_OK;
    if (strcmp(o->respike_dir, "auto") != 0)
        return aia_spikes_path(item->input, o->respike_dir, buf, size);
    char dir[4096];
    int st = aia_fetch_cache_dir(&o->fetch, dir, sizeof dir - 8);
    if (st)
        return st;
    strcat(dir, "/spikes");
    st = aia_spikes_path(item->input, dir, buf, size);
    return st ? st : aia_fetch_spikes(&o->fetch, item->image->header, buf);
}

/* The step of the input's stored integers when it is below 1 DN (JSOC's
 * synoptic files: BSCALE 1/16), so that the default output keeps it; 0
 * otherwise (the writer takes only powers of two). */
static double sub_dn_quantum(const aia_source_info *src)
{
    return src->bitpix > 0 && src->bscale > 0 && src->bscale < 1 ? src->bscale : 0.0;
}

/* QUALITY: kept for the log; flags of the mask that apply to this image
 * skip it (--quality skip) or are a warning (warn). Returns whether the
 * item was skipped. */
static int judge_quality(aia_prep_item *item, const aia_prep_options *o)
{
    aia_meta m;
    aia_meta_parse(item->image->header, &m);
    if (m.state[AIA_KEY_QUALITY] != AIA_KEYSTATE_OK)
        return 0;
    item->has_quality = 1;
    item->quality = (uint32_t)m.quality;
    const uint32_t flags =
        aia_quality_flags_that_apply(item->quality, o->quality_mask, item->image->width, item->image->height);
    if (!flags || o->quality == AIA_QUALITY_IGNORE)
        return 0;
    char what[700];
    if (aia_quality_describe(flags, ", ", what, sizeof what))
        snprintf(what, sizeof what, "flags 0x%08x", (unsigned)flags);
    if (o->quality == AIA_QUALITY_SKIP) {
        item->status = AIA_PREP_SKIPPED;
        item->quality_skipped = flags;
        snprintf(item->message, sizeof item->message, "QUALITY 0x%08x: %.900s (--quality skip)",
                 (unsigned)item->quality, what);
        return 1;
    }
    warn(item, "QUALITY 0x%08x: %.900s", (unsigned)item->quality, what);
    return 0;
}

int aia_prep_load(aia_prep_item *item, const aia_prep_options *o)
{
    if (item->status != AIA_PREP_PENDING)
        return AIA_OK;
    const double t0 = aia_now();
    aia_read_options ro;
    aia_read_options_default(&ro);
    ro.verify_checksums = o->verify_inputs;
    int st = aia_image_read_with(item->input, AIA_PIX_F32, &ro, &item->image);
    if (st) {
        item->seconds[0] = aia_now() - t0;
        return fail(item, st); /* the reader names the file */
    }
    item->quantum = sub_dn_quantum(&item->image->source);
    judge_quality(item, o); /* may skip it */
    item->seconds[0] = aia_now() - t0;
    return AIA_OK;
}

/* Put back the pixels JSOC's despiking replaced, with its HISTORY. */
static int respike(aia_prep_item *item, const aia_prep_options *o)
{
    char spikes[4200], ref_text[320];
    long count = 0;
    aia_table_ref ref = {0};
    int st = spikes_path(item, o, spikes, sizeof spikes);
    st = st ? st : aia_respike(aia_image_view(item->image), item->image->header, spikes, &count);
    st = st ? st : aia_table_ref_of(spikes, &ref);
    aia_table_ref_text(&ref, ref_text, sizeof ref_text);
    return st ? st : aia_history_step(item->image->header, "respike", "%ld pixels put back from %s", count, ref_text);
}

/* The pointing update, with aiapy's warnings. */
static int update_pointing(aia_prep_item *item, const aia_prep_options *o, aia_prep_shared *shared)
{
    const aia_pointing_table *table = o->pointing;
    const aia_table_ref *ref = &o->pointing_ref;
    int st = table ? AIA_OK : aia_auto_pointing(shared->tables, o, item->image->header, &table, &ref);
    aia_pointing_report rep;
    st = st ? st : aia_update_pointing(item->image->header, table, &rep);
    if (st)
        return st;
    char ref_text[320];
    aia_table_ref_text(ref, ref_text, sizeof ref_text);
    st = aia_history_step(item->image->header, "update_pointing", "aia.master_pointing3h row %.19s - %.19s of %s",
                          rep.t_start, rep.t_stop, ref_text);
    if (st)
        return st;
    if (rep.warnings & AIA_POINTING_WARN_RESAMPLED)
        warn(item, "pointing: CDELT is not 0.6 arcsec/px: the pointing table is for full-resolution data");
    if (rep.warnings & AIA_POINTING_WARN_DATE_OBS)
        warn(item, "pointing: no T_OBS, DATE-OBS used");
    if (rep.warnings & AIA_POINTING_WARN_NO_MP)
        warn(item, "pointing: X0_MP/Y0_MP missing, CRPIX left as it was");
    if (rep.warnings & AIA_POINTING_WARN_NO_SAT_ROT)
        warn(item, "pointing: SAT_ROT missing, CROTA2 left as it was");
    if (rep.warnings & AIA_POINTING_WARN_MISSING_VALUE)
        warn(item, "pointing: missing value in pointing table for %s", rep.missing);
    return AIA_OK;
}

/* The channel's deconvolution plan, and the check that the frame fits it
 * (before the registration plan: a cutout is refused as a deconvolution
 * would refuse it). */
static int deconv_plan(aia_prep_item *item, const aia_prep_options *o, aia_prep_shared *shared,
                       const aia_deconv_plan **plan)
{
    int channel = 0;
    if (!o->psf_file) {
        aia_meta m;
        aia_meta_parse(item->image->header, &m);
        int st = aia_meta_require(&m, AIA_KEYBIT(AIA_KEY_WAVELNTH));
        if (st)
            return st;
        channel = (int)lround(m.wavelnth);
    }
    int st = plan_for(shared, channel, plan);
    return st ? st : aia_deconvolve_check_input(*plan, aia_image_view(item->image));
}

/* The output image of a plan in `spare`'s buffer (reused when large
 * enough), with a copy of the input's header for the caller's keys. */
static int output_image(const aia_register_plan *plan, const aia_image *in, aia_image **spare)
{
    long w, h;
    aia_register_plan_shape(plan, &w, &h);
    aia_image *out = *spare;
    int st = out ? aia_image_reshape(out, w, h, AIA_PIX_F32) : aia_image_alloc(w, h, AIA_PIX_F32, 0, &out);
    *spare = out;
    aia_header *hdr = NULL;
    if (!st)
        st = aia_header_copy(in->header, &hdr);
    if (!st) {
        aia_header_free(out->header);
        out->header = hdr;
    }
    return st;
}

/* Level 1.6: deconvolution, then registration, in one call (on a GPU the
 * frame stays there); the header as the two steps one after the other
 * would leave it: the input's, the DCN* keys, the registration's keys. */
static int deconvolve_register(aia_prep_item *item, const aia_prep_options *o, const aia_deconv_plan *dplan,
                               const aia_register_plan *plan, aia_workspace *ws, aia_image **spare,
                               aia_register_info *info)
{
    int st = output_image(plan, item->image, spare);
    aia_image *out = *spare;
    if (!st)
        st = aia_deconvolve_header(dplan, &o->deconv, out->header);
    if (!st)
        st = aia_register_plan_header(plan, out->header);
    aia_deconv_info dinfo;
    if (!st)
        st = aia_deconvolve_register_execute(dplan, plan, aia_image_view(item->image), aia_image_view(out),
                                             &o->deconv, ws, &dinfo, info);
    if (st)
        return st;
    if (dinfo.filled_pixels)
        warn(item, "deconvolution: %lld NaN/BLANK pixels filled from their neighbours, NaN again after",
             dinfo.filled_pixels);
    if (dinfo.negative_pixels && !o->deconv.clip_negative)
        warn(item, "deconvolution: %lld negative pixels (not clipped)", dinfo.negative_pixels);
    char psf[400];
    if (o->psf_file) {
        aia_table_ref_text(&o->psf_ref, psf, sizeof psf);
    } else {
        aia_meta m; /* WAVELNTH: deconv_plan required it */
        aia_meta_parse(item->image->header, &m);
        snprintf(psf, sizeof psf, "aiapy 0.12 calculate_psf of %d A (%s core)", (int)lround(m.wavelnth),
                 o->psf_preflight ? "preflight" : "default");
    }
    return aia_history_step(out->header, "deconvolve",
                            "Richardson-Lucy, %d iterations, %s precision, negative pixels %s, PSF %s",
                            o->deconv.iterations, o->precision == AIA_PIX_F64 ? "double" : "single",
                            o->deconv.clip_negative ? "set to 0" : "kept", psf);
}

/* What the reader saw of the pixels, when nothing has changed them since
 * (respike puts pixels back) and they have no NaN: the registration then
 * skips its scan (it checks the range as its prefilter reads the rows). */
static const aia_input_range *known_range(aia_prep_item *item, const aia_prep_options *o)
{
    const aia_source_info *si = &item->image->source;
    if (!si->range_known || si->has_nulls || o->respike_dir || o->respike_file)
        return NULL;
    item->known = (aia_input_range){(float)si->data_min, (float)si->data_max};
    return &item->known;
}

/* The registered image in *out: in place, in `in` itself, when the plan
 * keeps its shape (a full frame at the default scale: a frame of memory
 * and its first touch saved); else in `spare`'s buffer (reused when large
 * enough; taken: *spare is then NULL) with a copy of in's header. The
 * plan's keys on the output's header. */
static int register_image(const aia_register_plan *plan, aia_image *in, const aia_input_range *known,
                          aia_workspace *ws, aia_image **spare, aia_image **out, aia_register_info *info)
{
    long w, h;
    aia_register_plan_shape(plan, &w, &h);
    const int in_place = in->pixtype == AIA_PIX_F32 && w == in->width && h == in->height;
    int st = in_place ? AIA_OK : output_image(plan, in, spare);
    *out = in_place ? in : *spare;
    if (!in_place)
        *spare = NULL;
    st = st ? st : aia_register_plan_header(plan, (*out)->header);
    return st ? st : aia_register_execute_known(plan, aia_image_view(in), known, aia_image_view(*out), ws, info);
}

static int history_register(aia_header *hdr, const aia_register_options *r, const aia_register_info *info)
{
    char how[96], fill[64];
    if (r->interp == AIA_INTERP_CUBIC_CONVOLUTION)
        snprintf(how, sizeof how, "cubic convolution (Keys, a = -0.5, as IDL)");
    else
        snprintf(how, sizeof how, "B-spline order %d (scipy, as aiapy)", r->order);
    if (isnan(info->missing))
        snprintf(fill, sizeof fill, "NaN");
    else if (r->missing == AIA_MISSING_VALUE)
        snprintf(fill, sizeof fill, "%.9g", info->missing);
    else
        snprintf(fill, sizeof fill, "the image minimum");
    return aia_history_step(hdr, "register",
                            "to %.9g arcsec/px, solar north up, Sun centred; %s; grid %s%s; fill: %s; clipped to "
                            "the input range",
                            info->target_scale, how, r->grid == AIA_GRID_AIAPY ? "aiapy" : "4096",
                            info->cutout ? " (the part a cutout covers)" : "", fill);
}

/* The pixels' bounds after aia_view_scale by s (each pixel's product in
 * double, stored as float: monotonic for s > 0, so the bounds' products
 * bound the pixels'). */
static void scale_bounds(aia_prep_item *item, double s)
{
    if (!(s > 0.0 && isfinite(s))) {
        item->bounded = 0;
        return;
    }
    for (int i = 0; i < 2; i++)
        item->bounds[i] = (float)(item->bounds[i] * s);
}

/* aiapy's correct_degradation, on the image and its uncertainty alike. */
static int correct_degradation(aia_prep_item *item, aia_image *out, aia_image *err, const aia_response_table *table,
                               const aia_table_ref *ref, int version)
{
    double d = 1.0;
    int st = aia_correct_degradation(aia_image_view(out), out->header, table, version, &d);
    if (st)
        return st;
    scale_bounds(item, 1.0 / d);
    if (err)
        aia_view_scale(aia_image_view(err), 1.0 / d);
    char ref_text[320];
    aia_table_ref_text(ref, ref_text, sizeof ref_text);
    return aia_history_step(out->header, "correct_degradation", "/ %.10g (calibration version %d) from %s", d,
                            version, ref_text);
}

/* The UNCERTAINTY extension (or _err file) describes itself: the image's
 * header (its WCS, so that sunpy makes it a map on the same grid) without
 * the image's HISTORY, with EXTNAME, the image's unit, and what it is. */
static int uncertainty_header(aia_image *err, const aia_header *image, const aia_table_ref *ref, int own_file)
{
    aia_header *h = aia_header_new();
    int st = h ? AIA_OK : aia_fail(AIA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < aia_header_count(image); i++) {
        const char *card = aia_header_card(image, i);
        if (strncmp(card, "HISTORY ", 8) != 0)
            st = aia_header_append_card(h, card);
    }
    char unit[72] = "DN", ref_text[320];
    aia_header_get_string(image, "BUNIT", unit, sizeof unit);
    aia_clear_error();
    aia_table_ref_text(ref, ref_text, sizeof ref_text);
    st = st ? st : aia_header_set_string(h, "EXTNAME", "UNCERTAINTY", "1-sigma uncertainty of the image");
    st = st ? st : aia_header_set_string(h, "BUNIT", unit, "the image's unit");
    st = st ? st : aia_header_set_string(h, "ERRMODEL", "aiapy estimate_error, V3 table", NULL);
    st = st ? st : aia_header_append_card(h, own_file ? "COMMENT 1-sigma uncertainty of each pixel of the image in the "
                                                        "file without _err:"
                                                      : "COMMENT 1-sigma uncertainty of each pixel of the image HDU "
                                                        "before this one:");
    st = st ? st : aia_header_append_card(h, "COMMENT aiapy's estimate_error of the level-1 counts (shot, dark, "
                                             "read,");
    st = st ? st : aia_header_append_card(h, "COMMENT quantisation, compression), registered and scaled as the "
                                             "image.");
    st = st ? st : aia_history_step(h, "estimate_error", "from %s", ref_text);
    if (st) {
        aia_header_free(h);
        return st;
    }
    aia_header_free(err->header);
    err->header = h;
    return AIA_OK;
}

int aia_prep_process(aia_prep_item *item, const aia_prep_options *o, aia_prep_shared *shared,
                     aia_workspace *ws)
{
    if (item->status != AIA_PREP_PENDING)
        return AIA_OK;
    const double t0 = aia_now();
    /* aiapy's order (preparing_data, 0.8+): the pointing update, then respike */
    int st = o->pointing || o->pointing_auto ? update_pointing(item, o, shared) : AIA_OK;
    if (!st && (o->respike_dir || o->respike_file))
        st = respike(item, o);
    aia_image *err = NULL, *out = NULL;
    aia_register_plan *plan = NULL;
    /* the noise of the counts, before deconvolution changes them */
    const aia_uncertainty_table *errors = o->uncertainty;
    const aia_table_ref *errors_ref = &o->uncertainty_ref;
    if (!st && o->uncertainty_auto)
        st = aia_auto_errors(shared->tables, o, &errors, &errors_ref);
    if (!st && errors)
        st = aia_uncertainty_image(item->image, errors, &o->uncertainty_opts, &err);
    const aia_deconv_plan *dplan = NULL;
    if (!st && o->deconvolve)
        st = deconv_plan(item, o, shared, &dplan);
    aia_register_info info;
    aia_image *spare = item->spare; /* reused when large enough */
    item->spare = NULL;
    if (!st)
        st = aia_register_plan_new(item->image->header, item->image->width, item->image->height, &o->reg, &plan);
    if (!st && o->deconvolve) {
        st = deconvolve_register(item, o, dplan, plan, ws, &spare, &info);
        out = spare;
        spare = NULL;
    } else if (!st) {
        st = register_image(plan, item->image, known_range(item, o), ws, &spare, &out, &info);
    }
    if (!st) { /* what the writer may take for the range of the pixels */
        item->bounded = 1;
        item->bounds[0] = info.clip_min;
        item->bounds[1] = info.clip_max;
    }
    if (!st && info.level_warning)
        warn(item, "LVL_NUM is not 1: registration should only be applied to level 1 data");
    if (!st && info.nan_input)
        warn(item, "%lld NaN/BLANK pixels -> %lld NaN pixels after registration", info.nan_input, info.nan_output);
    if (!st && info.cutout)
        snprintf(item->notes, sizeof item->notes,
                 "cutout: %ld x %ld px at (%ld, %ld) of the CCD -> %ld x %ld px at (%ld, %ld) of the %ld x %ld "
                 "level-1.5 grid",
                 item->image->width, item->image->height, info.ccd_x0, info.ccd_y0, out->width, out->height,
                 info.grid_x0, info.grid_y0, info.grid_width, info.grid_height);
    if (!st)
        st = history_register(out->header, &o->reg, &info);
    if (!st && err) { /* the same grid: the same plan */
        aia_image *reg_err = NULL, *none = NULL;
        st = register_image(plan, err, NULL, ws, &none, &reg_err, NULL);
        if (reg_err != err) {
            aia_image_free(err);
            err = reg_err;
        }
    }
    aia_register_plan_free(plan);
    if (!st && o->deconvolve)
        st = aia_header_set_double(out->header, "LVL_NUM", 1.6, "deconvolved and registered");
    const aia_response_table *response = o->degradation;
    const aia_table_ref *response_ref = &o->degradation_ref;
    if (!st && o->degradation_auto)
        st = aia_auto_response(shared->tables, o, &response, &response_ref);
    if (!st && response)
        st = correct_degradation(item, out, err, response, response_ref, o->degradation_version);
    if (!st && o->normalize) {
        double exptime = 0;
        aia_header_get_double(out->header, "EXPTIME", &exptime);
        st = aia_normalize_exposure(aia_image_view(out), out->header);
        scale_bounds(item, 1.0 / exptime);
        if (!st && err)
            st = aia_normalize_exposure(aia_image_view(err), err->header);
        st = st ? st : aia_history_step(out->header, "normalize_exposure", "x 1/EXPTIME (%.6g s): DN -> DN/s",
                                        exptime);
    }
    if (!st && err) {
        char ref_text[320];
        aia_table_ref_text(errors_ref, ref_text, sizeof ref_text);
        st = aia_history_step(out->header, "estimate_error", "1-sigma uncertainty (V3 model, %s) in %s",
                              ref_text, o->uncertainty_file ? "the _err file" : "HDU UNCERTAINTY");
    }
    st = st ? st : aia_history_options(out->header, o);
    st = st ? st : aia_level15_header(out->header);
    if (!st && err)
        st = uncertainty_header(err, out->header, errors_ref, o->uncertainty_file);
    item->seconds[1] = aia_now() - t0;
    if (st) {
        if (out && out != item->image) { /* kept for the next file */
            aia_image_free(spare);
            spare = out;
        }
        item->spare = spare;
        aia_image_free(err);
        return fail_as(item, st, 1);
    }
    if (out != item->image) { /* the input's buffer serves the next file */
        aia_image_free(spare);
        spare = item->image;
        item->image = out;
    }
    item->spare = spare;
    item->uncertainty = err;
    return AIA_OK;
}

/* The directories an output name (from a template) asks for. */
static int make_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return AIA_OK;
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (aia_make_dirs(dir) != 0)
        return aia_fail(AIA_ERR_IO, "%s: cannot create the output's directory %s: %s", path, dir, strerror(errno));
    return AIA_OK;
}

int aia_prep_store(aia_prep_item *item, const aia_prep_options *o)
{
    if (item->status != AIA_PREP_PENDING)
        return AIA_OK;
    const double t0 = aia_now();
    aia_write_options w = o->write;
    w.input_path = item->input;
    if (item->uncertainty && !o->uncertainty_file)
        w.extra = item->uncertainty;
    if (w.type == AIA_OUT_AUTO) /* keep a sub-DN input's step (the writer takes powers of two) */
        w.quantum = item->quantum;
    if (item->bounded) { /* the registration's clip: no range pass (checked as written) */
        w.bounded = 1;
        w.bounds[0] = item->bounds[0];
        w.bounds[1] = item->bounds[1];
    }
    int st = make_parent(item->output);
    if (!st && item->uncertainty && o->uncertainty_file)
        st = make_parent(item->output_err);
    /* the uncertainty file first, the main one last: a rerun that finds the
     * main output knows the item was finished (an orphaned uncertainty file
     * from a run cut short is replaced) */
    if (!st && item->uncertainty && o->uncertainty_file) {
        aia_write_options we = w;
        we.extra = NULL;
        we.bounded = 0; /* the bounds are the image's */
        we.type = AIA_OUT_FLOAT32;
        we.overwrite = 1;
        st = aia_image_write(item->uncertainty, item->output_err, &we, NULL);
    }
    aia_write_result res;
    w.overwrite = w.overwrite || item->replace_output;
    if (!st)
        st = aia_image_write(item->image, item->output, &w, &res);
    item->seconds[2] = aia_now() - t0;
    aia_image_free(item->uncertainty);
    item->uncertainty = NULL;
    if (st == AIA_ERR_EXISTS && !w.overwrite) { /* another run published it meanwhile */
        aia_prep_judge_existing(item, o, 1);
        if (item->status != AIA_PREP_PENDING)
            return AIA_OK;
    }
    if (st)
        return fail(item, st);
    item->written = res;
    if (res.promoted_to_int32 && res.quantum < 1)
        warn(item, "values in steps of %g DN (the input's BSCALE) do not fit int16: written as int32", res.quantum);
    else if (res.promoted_to_int32)
        warn(item, "values do not fit int16: written as int32");
    item->status = AIA_PREP_DONE;
    return AIA_OK;
}
