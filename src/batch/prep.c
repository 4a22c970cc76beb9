/* prep.c — one file through the preparation steps, in aiapy's order, split
 * into three stages (load, process, store) so that a pipeline can overlap
 * reading, computing and writing across files. Everything here is per item
 * except the deconvolution plans, which all threads share. */
#include "batch/batch.h"
#include "steps/register_plan.h"

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
};

aia_prep_shared *aia_prep_shared_new(const aia_prep_options *opts, int threads)
{
    aia_prep_shared *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    pthread_mutex_init(&s->lock, NULL);
    s->opts = opts;
    s->threads = threads;
    return s;
}

void aia_prep_shared_free(aia_prep_shared *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        aia_deconv_plan_free(s->plans[i]);
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

int aia_prep_item_init(aia_prep_item *item, const char *input, const aia_prep_options *o)
{
    aia_image *keep[2] = {item->image, item->spare}; /* buffers for this file */
    aia_image_free(item->uncertainty);
    memset(item, 0, sizeof *item);
    item->image = keep[0];
    item->spare = keep[1];
    snprintf(item->input, sizeof item->input, "%s", input);
    const char *level = o->deconvolve ? "lev1.6" : "lev1.5";
    int st = aia_output_path(input, o->outdir, level, o->output_template, item->output, sizeof item->output);
    if (!st && o->uncertainty && o->uncertainty_file)
        st = aia_output_path(input, o->outdir, o->deconvolve ? "lev1.6_err" : "lev1.5_err", NULL,
                             item->output_err, sizeof item->output_err);
    if (st)
        return fail(item, st);
    struct stat sb;
    if (!o->write.overwrite && stat(item->output, &sb) == 0) {
        item->status = AIA_PREP_SKIPPED;
        snprintf(item->message, sizeof item->message, "%.900s exists (use --overwrite to redo)", item->output);
    }
    return AIA_OK;
}

/* The spikes file of an input: DIR/<stem>.spikes.fits, or the one file. */
static void spikes_path(const char *input, const aia_prep_options *o, char *buf, size_t size)
{
    if (o->respike_file) {
        snprintf(buf, size, "%s", o->respike_file);
        return;
    }
    const char *slash = strrchr(input, '/');
    const char *base = slash ? slash + 1 : input;
    const char *dot = strstr(base, ".fits");
    snprintf(buf, size, "%s/%.*s.spikes.fits", o->respike_dir, (int)(dot ? dot - base : (long)strlen(base)),
             base);
}

int aia_prep_load(aia_prep_item *item, const aia_prep_options *o)
{
    if (item->status != AIA_PREP_PENDING)
        return AIA_OK;
    const double t0 = aia_now();
    int st = aia_image_read_into(item->input, AIA_PIX_F32, &item->image);
    if (st) {
        item->seconds[0] = aia_now() - t0;
        return fail(item, st); /* the reader names the file */
    }
    if (o->respike_dir || o->respike_file) {
        char spikes[4200];
        spikes_path(item->input, o, spikes, sizeof spikes);
        st = aia_respike(aia_image_view(item->image), item->image->header, spikes, NULL);
    }
    item->seconds[0] = aia_now() - t0;
    return st ? fail_as(item, st, 1) : AIA_OK;
}

/* The pointing update, with aiapy's warnings. */
static int update_pointing(aia_prep_item *item, const aia_prep_options *o)
{
    aia_pointing_report rep;
    int st = aia_update_pointing(item->image->header, o->pointing, &rep);
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

/* The output image in `spare`'s buffer (reused when large enough), with a
 * copy of the input's header; *hdr is that header, for the caller's keys. */
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
    return AIA_OK;
}

/* The registered image in `spare`'s buffer (reused when large enough):
 * the plan's header keys on a copy of the input's header. */
static int register_into(const aia_register_plan *plan, const aia_image *in, aia_workspace *ws, aia_image **spare,
                         aia_register_info *info)
{
    long w, h;
    aia_register_plan_shape(plan, &w, &h);
    aia_image *out = *spare;
    int st = out ? aia_image_reshape(out, w, h, AIA_PIX_F32) : aia_image_alloc(w, h, AIA_PIX_F32, 0, &out);
    *spare = out;
    aia_header *hdr = NULL;
    if (!st)
        st = aia_header_copy(in->header, &hdr);
    if (!st)
        st = aia_register_plan_header(plan, hdr);
    if (!st) {
        aia_header_free(out->header);
        out->header = hdr;
        hdr = NULL;
        st = aia_register_execute(plan, aia_image_view(in), aia_image_view(out), ws, info);
    }
    aia_header_free(hdr);
    return st;
}

int aia_prep_process(aia_prep_item *item, const aia_prep_options *o, aia_prep_shared *shared,
                     aia_workspace *ws)
{
    if (item->status != AIA_PREP_PENDING)
        return AIA_OK;
    const double t0 = aia_now();
    int st = o->pointing ? update_pointing(item, o) : AIA_OK;
    aia_image *err = NULL, *out = NULL;
    aia_register_plan *plan = NULL;
    /* the noise of the counts, before deconvolution changes them */
    if (!st && o->uncertainty)
        st = aia_uncertainty_image(item->image, o->uncertainty, &o->uncertainty_opts, &err);
    const aia_deconv_plan *dplan = NULL;
    if (!st && o->deconvolve)
        st = deconv_plan(item, o, shared, &dplan);
    aia_register_info info;
    out = item->spare; /* reused when large enough */
    item->spare = NULL;
    if (!st)
        st = aia_register_plan_new(item->image->header, item->image->width, item->image->height, &o->reg, &plan);
    if (!st && o->deconvolve)
        st = deconvolve_register(item, o, dplan, plan, ws, &out, &info);
    else if (!st)
        st = register_into(plan, item->image, ws, &out, &info);
    if (!st && info.level_warning)
        warn(item, "LVL_NUM is not 1: registration should only be applied to level 1 data");
    if (!st && info.nan_input)
        warn(item, "%lld NaN/BLANK pixels -> %lld NaN pixels after registration", info.nan_input, info.nan_output);
    if (!st && err) { /* the same grid: the same plan */
        aia_image *reg_err = NULL;
        st = register_into(plan, err, ws, &reg_err, NULL);
        aia_image_free(err);
        err = reg_err;
    }
    aia_register_plan_free(plan);
    if (!st && o->deconvolve)
        st = aia_header_set_double(out->header, "LVL_NUM", 1.6, "deconvolved and registered");
    double d = 1.0;
    if (!st && o->degradation)
        st = aia_correct_degradation(aia_image_view(out), out->header, o->degradation, o->degradation_version, &d);
    if (!st && err && o->degradation)
        aia_view_scale(aia_image_view(err), 1.0 / d);
    if (!st && o->normalize) {
        st = aia_normalize_exposure(aia_image_view(out), out->header);
        if (!st && err)
            st = aia_normalize_exposure(aia_image_view(err), err->header);
    }
    item->seconds[1] = aia_now() - t0;
    if (st) {
        item->spare = out;
        aia_image_free(err);
        return fail_as(item, st, 1);
    }
    item->spare = item->image; /* the input's buffer serves the next file */
    item->image = out;
    item->uncertainty = err;
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
    aia_write_result res;
    int st = aia_image_write(item->image, item->output, &w, &res);
    if (!st)
        item->written = res;
    if (!st && res.promoted_to_int32)
        warn(item, "values do not fit int16: written as int32");
    if (!st && item->uncertainty && o->uncertainty_file) {
        aia_write_options we = w;
        we.extra = NULL;
        we.type = AIA_OUT_FLOAT32;
        st = aia_image_write(item->uncertainty, item->output_err, &we, NULL);
    }
    item->seconds[2] = aia_now() - t0;
    aia_image_free(item->uncertainty);
    item->uncertainty = NULL;
    if (st)
        return fail(item, st);
    item->status = AIA_PREP_DONE;
    return AIA_OK;
}
