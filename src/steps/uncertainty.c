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

struct aia_error_table {
    aia_table *t;
    int col[ECOL];
    char path[1024];
};

void aia_error_table_free(aia_error_table *e)
{
    if (!e)
        return;
    aia_table_free(e->t);
    free(e);
}

int aia_error_table_read(const char *path, aia_error_table **out)
{
    *out = NULL;
    aia_error_table *e = calloc(1, sizeof *e);
    if (!e)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    snprintf(e->path, sizeof e->path, "%s", path);
    int st = aia_table_read(path, &e->t);
    if (!st)
        st = aia_table_require(e->t, ecol_names, ECOL, e->col, path, "an error table");
    if (st) {
        aia_error_table_free(e);
        return st;
    }
    *out = e;
    return AIA_OK;
}

void aia_error_options_default(aia_error_options *o)
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

int aia_error_model(const aia_error_table *e, int channel, const aia_error_options *o, aia_error_terms *out)
{
    if (o->include_eve && o->include_preflight)
        return aia_fail(AIA_ERR_ARG, "the EVE and preflight calibration errors exclude each other (aiapy)");
    if (o->n_sample < 1)
        return aia_fail(AIA_ERR_ARG, "n_sample %d must be at least 1", o->n_sample);
    long row = -1;
    for (long r = 0; r < e->t->nrows && row < 0; r++) {
        double w;
        if (aia_table_number(e->t, r, e->col[E_WAVE], &w) == 0 && lround(w) == channel)
            row = r;
    }
    if (row < 0)
        return aia_fail(AIA_ERR_BAD_DATA, "%s has no row for %d A", e->path, channel);
    double v[ECOL];
    for (int c = 1; c < ECOL; c++)
        if (aia_table_number(e->t, row, e->col[c], &v[c]) != 0)
            return aia_fail(AIA_ERR_BAD_DATA, "%s: %s of %d A is not a number", e->path, ecol_names[c], channel);
    out->dn_per_photon = v[E_DNPERPHT];
    out->compress = v[E_COMPRESS];
    out->calibration = o->include_eve ? v[E_EVEERR] : o->include_preflight ? v[E_CALERR] : 0.0;
    out->chianti = o->include_chianti ? v[E_CHIANTI] : 0.0;
    out->read_noise = read_noise(channel, o->compare_idl);
    out->n_sample = o->n_sample;
    return AIA_OK;
}

double aia_error_of(const aia_error_terms *m, double c)
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

int aia_error_image(const aia_image *counts, const aia_error_table *e, const aia_error_options *o,
                    const char *path, aia_image **out)
{
    *out = NULL;
    const char *file = path ? path : "(image)";
    aia_meta m;
    aia_meta_parse(counts->header, &m);
    aia_error_terms terms;
    int st = aia_meta_require(&m, AIA_KEYBIT(AIA_KEY_WAVELNTH), file);
    if (!st)
        st = aia_error_model(e, (int)lround(m.wavelnth), o, &terms);
    aia_image *img = NULL;
    if (!st)
        st = aia_image_alloc(counts->width, counts->height, counts->pixtype, 0, &img);
    if (st) {
        aia_error_prefix(file);
        return st;
    }
    const size_t n = (size_t)counts->width * (size_t)counts->height;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        double c = counts->pixtype == AIA_PIX_F64 ? ((const double *)counts->data)[i]
                                                  : ((const float *)counts->data)[i];
        /* aiapy gives NaN for negative counts (noise around a dark sky);
         * their shot noise here is that of 0 counts. NaN stays NaN. */
        c = c < 0 ? 0 : c;
        const double err = aia_error_of(&terms, c);
        if (img->pixtype == AIA_PIX_F64)
            ((double *)img->data)[i] = err;
        else
            ((float *)img->data)[i] = (float)err;
    }
    aia_header_free(img->header);
    img->header = NULL;
    st = aia_header_copy(counts->header, &img->header);
    st = st ? st : aia_header_set_string(img->header, "EXTNAME", "UNCERTAINTY", "1-sigma error of the data");
    st = st ? st : aia_header_set_string(img->header, "ERRMODEL", "aiapy estimate_error, V3 table", NULL);
    if (st) {
        aia_image_free(img);
        return st;
    }
    *out = img;
    return AIA_OK;
}
