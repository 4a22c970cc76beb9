/* uncertainty.c — aiapy's estimate_error: the noise of AIA counts from the
 * V3 error table (aia_V3_error_table.txt): shot, dark, read, quantisation,
 * compression, and optionally calibration and CHIANTI terms, in quadrature.
 * aiapy-reference.md §4.3. */
#include "core/table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { E_WAVE, E_DNPERPHT, E_COMPRESS, E_CALERR, E_CHIANTI, E_EVEERR, ECOL };
static const char *const ecol_names[ECOL] = {"WAVELNTH", "DNPERPHT", "COMPRESS", "CALERR", "CHIANTI", "EVEERR"};

struct aia_uncertainty_table {
    aia_calib_table c;
};

void aia_uncertainty_table_free(aia_uncertainty_table *e) { aia_calib_table_free(e ? &e->c : NULL); }

int aia_uncertainty_table_read(const char *path, aia_uncertainty_table **out)
{
    aia_calib_table *c = NULL;
    int st = aia_calib_table_new(path, "an error table", ecol_names, ECOL, NULL, &c);
    *out = (aia_uncertainty_table *)c; /* c is its first member */
    return st;
}

void aia_uncertainty_options_default(aia_uncertainty_options *o)
{
    memset(o, 0, sizeof *o);
    o->n_sample = 1;
}

/* Read noise by telescope, and each channel's telescope (aiapy). */
static double read_noise(int channel, int compare_idl)
{
    if (compare_idl)
        return 1.15;
    switch (channel) {
    case 131: case 335: return 1.18; /* telescope 1 */
    case 193: case 211: return 1.20; /* telescope 2 */
    case 94: case 304: return 1.14;  /* telescope 4 */
    default: return 1.15;            /* telescope 3: 171, 1600, 1700, 4500 */
    }
}

int aia_uncertainty_model(const aia_uncertainty_table *e, int channel, const aia_uncertainty_options *o,
                          aia_uncertainty_terms *out)
{
    if (o->include_eve && o->include_preflight)
        return aia_fail(AIA_ERR_ARG, "the EVE and preflight calibration errors exclude each other (aiapy)");
    if (o->n_sample < 1)
        return aia_fail(AIA_ERR_ARG, "n_sample %d must be at least 1", o->n_sample);
    const aia_calib_table *t = &e->c;
    long row = -1;
    for (long r = 0; r < t->t->nrows && row < 0; r++) {
        double w;
        if (aia_table_number(t->t, r, t->col[E_WAVE], &w) == 0 && lround(w) == channel)
            row = r;
    }
    if (row < 0)
        return aia_fail(AIA_ERR_BAD_DATA, "%s has no row for %d A", t->path, channel);
    double v[ECOL];
    for (int c = 1; c < ECOL; c++)
        if (aia_table_number(t->t, row, t->col[c], &v[c]) != 0)
            return aia_fail(AIA_ERR_BAD_DATA, "%s: %s of %d A is not a number", t->path, ecol_names[c], channel);
    out->dn_per_photon = v[E_DNPERPHT];
    out->compress = v[E_COMPRESS];
    out->calibration = o->include_eve ? v[E_EVEERR] : o->include_preflight ? v[E_CALERR] : 0.0;
    out->chianti = o->include_chianti ? v[E_CHIANTI] : 0.0;
    out->read_noise = read_noise(channel, o->compare_idl);
    out->n_sample = o->n_sample;
    return AIA_OK;
}

double aia_uncertainty_of(const aia_uncertainty_terms *m, double c)
{
    const double rn = sqrt((double)m->n_sample), g = m->dn_per_photon;
    const double shot = sqrt(c / g) * g / rn; /* NaN for c < 0, as aiapy */
    const double dark = 0.18;
    const double readn = m->read_noise / rn;
    const double quant = (1.0 / sqrt(12.0)) / rn;
    double comp = shot / m->compress;
    if (comp < 1.0 / sqrt(12.0))
        comp = 1.0 / sqrt(12.0);
    if (c < 25)
        comp = 0.0;
    comp /= rn; /* aiapy applies n twice to this term */
    const double cal = m->calibration * c, chianti = m->chianti * c;
    return sqrt(shot * shot + dark * dark + readn * readn + quant * quant + comp * comp + chianti * chianti +
                cal * cal);
}

int aia_estimate_error(aia_view counts, const aia_uncertainty_terms *terms, aia_view out)
{
    int st = aia_view_check(counts, "the counts");
    st = st ? st : aia_view_check(out, "the uncertainty");
    if (st)
        return st;
    if (out.width != counts.width || out.height != counts.height)
        return aia_fail(AIA_ERR_ARG, "the uncertainty array is %ld x %ld, the counts %ld x %ld", out.width,
                        out.height, counts.width, counts.height);
#pragma omp parallel for schedule(static)
    for (long y = 0; y < counts.height; y++) {
        const void *in = aia_view_row(counts, y);
        void *err = aia_view_row(out, y);
        for (long x = 0; x < counts.width; x++) {
            double c = aia_pixel(in, counts.type, (size_t)x);
            /* aiapy gives NaN for negative counts (noise around a dark sky);
             * their shot noise here is that of 0 counts. NaN stays NaN. */
            c = c < 0 ? 0 : c;
            aia_pixel_set(err, out.type, (size_t)x, aia_uncertainty_of(terms, c));
        }
    }
    return AIA_OK;
}

int aia_uncertainty_image(const aia_image *counts, const aia_uncertainty_table *e,
                          const aia_uncertainty_options *o, aia_image **out)
{
    *out = NULL;
    aia_meta m;
    aia_meta_parse(counts->header, &m);
    aia_uncertainty_terms terms;
    int st = aia_meta_require(&m, AIA_KEYBIT(AIA_KEY_WAVELNTH));
    if (!st)
        st = aia_uncertainty_model(e, (int)lround(m.wavelnth), o, &terms);
    aia_image *img = NULL;
    if (!st)
        st = aia_image_alloc(counts->width, counts->height, counts->pixtype, 0, &img);
    if (!st)
        st = aia_estimate_error(aia_image_view(counts), &terms, aia_image_view(img));
    if (!st) {
        aia_header_free(img->header);
        img->header = NULL;
        st = aia_header_copy(counts->header, &img->header);
    }
    st = st ? st : aia_header_set_string(img->header, "EXTNAME", "UNCERTAINTY", "1-sigma error of the data");
    st = st ? st : aia_header_set_string(img->header, "ERRMODEL", "aiapy estimate_error, V3 table", NULL);
    if (st) {
        aia_image_free(img);
        return st;
    }
    *out = img;
    return AIA_OK;
}
