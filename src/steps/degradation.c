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
    aia_calib_table c;
};

void aia_response_table_free(aia_response_table *r) { aia_calib_table_free(r ? &r->c : NULL); }

int aia_response_table_read(const char *path, aia_response_table **out)
{
    static const int interval[2] = {C_T_START, C_T_STOP};
    aia_calib_table *c = NULL;
    int st = aia_calib_table_new(path, "a response table", col_names, NCOL, interval, &c);
    *out = (aia_response_table *)c; /* c is its first member */
    return st;
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
    aia_table_number(r->c.t, row, r->c.col[c], &v);
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
    const aia_calib_table *c = &r->c;
    long first = -1, epoch = -1;
    for (long i = 0; i < c->t->nrows; i++) {
        double ver = number(r, i, C_VER);
        if (strcmp(aia_table_cell(c->t, i, c->col[C_WAVE]), wave) != 0 || ver != version)
            continue;
        if (first < 0)
            first = i; /* the launch row: the first of the filtered table */
        if (aia_time_compare(&c->start[i], &t) <= 0 && aia_time_compare(&t, &c->stop[i]) < 0)
            epoch = i; /* several: the last */
    }
    if (first < 0)
        return aia_fail(AIA_ERR_BAD_DATA, "%s has no rows for %s version %d", c->path, wave, version);
    if (epoch < 0)
        return aia_fail(AIA_ERR_BAD_DATA, "%s has no %s version %d epoch covering %s", c->path, wave,
                        version, when);
    const double dt = aia_time_days_between(&c->start[epoch], &t); /* TAI days */
    const double ratio = number(r, epoch, C_AREA) / number(r, first, C_AREA);
    const double poly = number(r, epoch, C_P1) * dt + number(r, epoch, C_P2) * (dt * dt) +
                        number(r, epoch, C_P3) * pow(dt, 3.0) + 1.0;
    *factor = poly * ratio;
    if (!isfinite(*factor) || *factor <= 0)
        return aia_fail(AIA_ERR_BAD_DATA, "%s: degradation %g for %s at %s is not usable", c->path,
                        *factor, wave, when);
    return AIA_OK;
}

int aia_correct_degradation(aia_view pixels, aia_header *hdr, const aia_response_table *r, int version,
                            double *factor)
{
    aia_meta m;
    aia_meta_parse(hdr, &m);
    int st = aia_meta_require(&m, AIA_KEYBIT(AIA_KEY_WAVELNTH) | AIA_KEYBIT(AIA_KEY_DATE_OBS));
    st = st ? st : aia_view_check(pixels, "degradation correction");
    double d = 0;
    if (!st) /* aiapy: smap.date, i.e. DATE-OBS (the start of the exposure) */
        st = aia_degradation(r, (int)lround(m.wavelnth), m.date_obs, version, &d);
    if (st)
        return st;
    aia_view_scale(pixels, 1.0 / d); /* sunpy: data * (1 / d) */
    st = aia_header_set_double(hdr, "DEGRADAT", d, "degradation factor divided out (aiapy)");
    st = st ? st : aia_header_set_long(hdr, "DEGRVER", version, "response table version");
    if (factor)
        *factor = d;
    return st;
}
