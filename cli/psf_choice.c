/* psf_choice.c — the PSF a deconvolution uses: a file the user names, or
 * aiapy's PSF of the image's channel from the cache. Shared by `deconvolve`
 * and `prep --deconvolve`. */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void deconv_choice_default(deconv_choice *c)
{
    memset(c, 0, sizeof *c);
    c->precision = AIA_PIX_F32;
    c->device = "cpu";
    aia_deconv_options_default(&c->opts);
}

int deconv_option(const char *cmd, int code, const char *arg, deconv_choice *c)
{
    long n = 0;
    switch (code) {
    case OPT_PSF: c->psf_file = arg; return 1;
    case OPT_PREFLIGHT: c->preflight = 1; return 1;
    case OPT_NO_CLIP: c->opts.clip_negative = 0; return 1;
    case OPT_ITERATIONS:
        if (parse_long_option(cmd, "iterations", arg, 0, 100000, &n))
            return -1;
        c->opts.iterations = (int)n;
        return 1;
    case OPT_PRECISION:
        if (strcmp(arg, "single") == 0)
            c->precision = AIA_PIX_F32;
        else if (strcmp(arg, "double") == 0)
            c->precision = AIA_PIX_F64;
        else
            return usage_error(cmd, "--precision must be single or double, got '%s'", arg), -1;
        return 1;
    default: return 0;
    }
}

int load_psf(const deconv_choice *c, int channel, aia_image **psf)
{
    *psf = NULL;
    if (c->psf_file)
        return aia_image_read(c->psf_file, AIA_PIX_F64, psf);
    aia_psf_options o;
    aia_psf_options_default(&o, channel);
    o.preflight_core = c->preflight;
    o.device = c->device;
    return aia_psf_cached(&o, NULL, psf, NULL);
}

int image_channel(const aia_image *img, int *channel)
{
    aia_meta m;
    aia_meta_parse(img->header, &m);
    int st = aia_meta_require(&m, AIA_KEYBIT(AIA_KEY_WAVELNTH));
    if (!st)
        *channel = (int)lround(m.wavelnth);
    return st;
}

void report_deconvolution(FILE *f, const char *cmd, const char *path, const aia_deconv_info *info,
                          int clip)
{
    if (info->filled_pixels)
        fprintf(f, "aiaprep %s: warning: %s: %lld NaN/BLANK pixels filled from their neighbours for "
                   "the deconvolution, NaN again in the output\n",
                cmd, path, info->filled_pixels);
    if (info->negative_pixels && !clip)
        fprintf(f, "aiaprep %s: warning: %s: %lld negative pixels; consider clipping them "
                   "(aiapy's clip_negative; drop --no-clip)\n",
                cmd, path, info->negative_pixels);
}
