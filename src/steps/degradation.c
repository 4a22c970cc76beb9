/* degradation.c — aiapy's degradation and correct_degradation: the
 * channel's effective-area ratio to launch times the epoch's cubic in
 * elapsed days, from the SSW response table (aiapy-reference.md §4.2). */
#include "core/table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_T_START, C_T_STOP, C_VER, C_WAVE, C_AREA, C_P1, C_P2, C_P3, NCOL };
static const char *const col_names[NCOL] = {"T_START", "T_STOP", "VER_NUM", "WAVE_STR",
                                            "EFF_AREA", "EFFA_P1", "EFFA_P2", "EFFA_P3"};

struct aia_response_table {
    aia_table *t;
    int col[NCOL];
    aia_time *start, *stop;
    char path[1024];
};

void aia_response_table_free(aia_response_table *r)
{
    if (!r)
        return;
    aia_table_free(r->t);
    free(r->start);
    free(r->stop);
    free(r);
}

int aia_response_table_read(const char *path, aia_response_table **out)
{
    *out = NULL;
    aia_response_table *r = calloc(1, sizeof *r);
    if (!r)
        return aia_fail(AIA_ERR_NOMEM, "out of memory");
    snprintf(r->path, sizeof r->path, "%s", path);
    int st = aia_table_read(path, &r->t);
    if (!st)
        st = aia_table_require(r->t, col_names, NCOL, r->col, path, "a response table");
    if (!st)
        st = aia_table_intervals(r->t, r->col[C_T_START], r->col[C_T_STOP], path, &r->start, &r->stop);
    if (st) {
        aia_response_table_free(r);
        return st;
    }
    *out = r;
    return AIA_OK;
}

/* aiapy's WAVE_STR: "<w>_THIN" for EUV channels, the number for UV ones. */
static int wave_string(int channel, char buf[16])
{
    static const int euv[] = {94, 131, 171, 193, 211, 304, 335};
    for (size_t i = 0; i < sizeof euv / sizeof euv[0]; i++)
        if (channel == euv[i])
            return snprintf(buf, 16, "%d_THIN", channel), 0;
    if (channel == 1600 || channel == 1700 || channel == 4500)
        return snprintf(buf, 16, "%d", channel), 0;
    return -1;
}

static double number(const aia_response_table *r, long row, int c)
{
    double v = NAN;
    aia_table_number(r->t, row, r->col[c], &v);
    return v;
}

int aia_degradation(const aia_response_table *r, int channel, const char *when, int version, double *factor)
{
    char wave[16];
    if (wave_string(channel, wave) != 0)
        return aia_fail(AIA_ERR_UNSUPPORTED, "no degradation model for %d A", channel);
    if (channel == 4500 && version > 3)
        version = 3; /* aiapy caps 4500 at version 3 */
    aia_time t;
    int st = aia_time_parse(when, &t);
    if (st)
        return st;
    long first = -1, epoch = -1;
    for (long i = 0; i < r->t->nrows; i++) {
        double ver = number(r, i, C_VER);
        if (strcmp(aia_table_cell(r->t, i, r->col[C_WAVE]), wave) != 0 || ver != version)
            continue;
        if (first < 0)
            first = i; /* the launch row: the first of the filtered table */
        if (aia_time_compare(&r->start[i], &t) <= 0 && aia_time_compare(&t, &r->stop[i]) < 0)
            epoch = i; /* several: the last */
    }
    if (first < 0)
        return aia_fail(AIA_ERR_BAD_DATA, "%s has no rows for %s version %d", r->path, wave, version);
    if (epoch < 0)
        return aia_fail(AIA_ERR_BAD_DATA, "%s has no %s version %d epoch covering %s", r->path, wave,
                        version, when);
    const double dt = aia_time_days_between(&r->start[epoch], &t); /* TAI days */
    const double ratio = number(r, epoch, C_AREA) / number(r, first, C_AREA);
    const double poly = number(r, epoch, C_P1) * dt + number(r, epoch, C_P2) * (dt * dt) +
                        number(r, epoch, C_P3) * pow(dt, 3.0) + 1.0;
    *factor = poly * ratio;
    if (!isfinite(*factor) || *factor <= 0)
        return aia_fail(AIA_ERR_BAD_DATA, "%s: degradation %g for %s at %s is not usable", r->path,
                        *factor, wave, when);
    return AIA_OK;
}

int aia_correct_degradation(aia_image *img, const aia_response_table *r, int version, const char *path,
                            double *factor)
{
    const char *file = path ? path : "(image)";
    aia_meta m;
    aia_meta_parse(img->header, &m);
    int st = aia_meta_require(&m, AIA_KEYBIT(AIA_KEY_WAVELNTH) | AIA_KEYBIT(AIA_KEY_DATE_OBS), file);
    double d = 0;
    if (!st) /* aiapy: smap.date, i.e. DATE-OBS (the start of the exposure) */
        st = aia_degradation(r, (int)lround(m.wavelnth), m.date_obs, version, &d);
    if (st) {
        if (strncmp(aia_last_error(), file, strlen(file)) != 0)
            aia_error_prefix(file);
        return st;
    }
    aia_image_scale(img, 1.0 / d); /* sunpy: data * (1 / d) */
    st = aia_header_set_double(img->header, "DEGRADAT", d, "degradation factor divided out (aiapy)");
    st = st ? st : aia_header_set_long(img->header, "DEGRVER", version, "response table version");
    if (factor)
        *factor = d;
    return st;
}
