/* pointing.c — aiapy's update_pointing (0.12): the Sun centre, plate scale
 * and roll of a level-1 frame from the master pointing table
 * (aia.master_pointing3h), as the daily CSV copy or a JSOC export.
 * aiapy-reference.md §3. The header is changed; the pixels are not. */
#include "core/table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct aia_pointing_table {
    aia_calib_table c;
};

void aia_pointing_table_free(aia_pointing_table *p) { aia_calib_table_free(p ? &p->c : NULL); }

int aia_pointing_table_read(const char *path, aia_pointing_table **out)
{
    static const char *const interval_names[2] = {"T_START", "T_STOP"};
    static const int interval[2] = {0, 1};
    aia_calib_table *c = NULL;
    int st = aia_calib_table_new(path, "a pointing table", interval_names, 2, interval, &c);
    *out = (aia_pointing_table *)c; /* c is its first member */
    return st;
}

/* The table column A_<www>_<what> of a channel, as aiapy names them. */
static int column(const aia_pointing_table *p, int channel, const char *what, char name[32])
{
    snprintf(name, 32, "A_%03d_%s", channel, what);
    return aia_table_column(p->c.t, name);
}

static void note_missing(aia_pointing_report *rep, const char *key)
{
    size_t n = strlen(rep->missing);
    snprintf(rep->missing + n, sizeof rep->missing - n, "%s%s", n ? ", " : "", key);
}

int aia_update_pointing(aia_header *hdr, const aia_pointing_table *p, aia_pointing_report *rep)
{
    memset(rep, 0, sizeof *rep);
    aia_meta m;
    aia_meta_parse(hdr, &m);
    int st = aia_meta_require(&m, AIA_KEYS_BASIC);
    if (st)
        return st;
    /* 1. aiapy warns for resampled maps */
    if (fabs(m.cdelt1 / 0.6 - 1.0) >= 0.01 || fabs(m.cdelt2 / 0.6 - 1.0) >= 0.01)
        rep->warnings |= AIA_POINTING_WARN_RESAMPLED;
    /* 2. the time: T_OBS (sunpy's reference date for AIA), else DATE-OBS */
    aia_time t;
    const char *when = m.t_obs;
    if (m.state[AIA_KEY_T_OBS] != AIA_KEYSTATE_OK) {
        if (m.state[AIA_KEY_DATE_OBS] != AIA_KEYSTATE_OK)
            return aia_fail(AIA_ERR_KEY_MISSING, "T_OBS and DATE-OBS are missing: no time to look up in "
                                                 "the pointing table");
        when = m.date_obs;
        rep->warnings |= AIA_POINTING_WARN_DATE_OBS;
    }
    if ((st = aia_time_parse(when, &t)))
        return st;
    /* 3. the first row with T_START <= t < T_STOP */
    long row = -1;
    const aia_calib_table *c = &p->c;
    for (long r = 0; r < c->t->nrows && row < 0; r++)
        if (aia_time_compare(&c->start[r], &t) <= 0 && aia_time_compare(&t, &c->stop[r]) < 0)
            row = r;
    if (row < 0)
        return aia_fail(AIA_ERR_BAD_DATA, "no row of the pointing table %s covers T_OBS %s", c->path, when);
    /* 4. the channel's columns */
    const int channel = (int)lround(m.wavelnth);
    char names[4][32];
    static const char *const what[4] = {"X0", "Y0", "IMSCALE", "INSTROT"};
    int cols[4];
    for (int k = 0; k < 4; k++)
        cols[k] = column(p, channel, what[k], names[k]);
    if (cols[0] < 0 && cols[1] < 0 && cols[2] < 0 && cols[3] < 0)
        return aia_fail(AIA_ERR_BAD_DATA,
                        "the pointing table %s has no A_%03d_* columns (LM-SAL's daily CSV has none for 131 A): "
                        "use a JSOC export of aia.master_pointing3h, which has every channel",
                        c->path, channel);
    double v[4];
    int have[4];
    for (int k = 0; k < 4; k++) {
        have[k] = cols[k] >= 0 && aia_table_number(c->t, row, cols[k], &v[k]) == 0;
        if (!have[k])
            note_missing(rep, names[k]);
    }
    rep->row = row;
    aia_time_format_utc(&c->start[row], rep->t_start, sizeof rep->t_start);
    aia_time_format_utc(&c->stop[row], rep->t_stop, sizeof rep->t_stop);
    rep->old_crpix[0] = rep->new_crpix[0] = m.crpix1;
    rep->old_crpix[1] = rep->new_crpix[1] = m.crpix2;
    rep->old_cdelt = rep->new_cdelt = m.cdelt1;
    rep->old_crota2 = rep->new_crota2 = m.crota2;
    rep->old_x0 = rep->new_x0 = m.x0_mp;
    rep->old_y0 = rep->new_y0 = m.y0_mp;

    /* 5. the new values; each missing one is skipped, as aiapy does */
    const int have_mp[2] = {m.state[AIA_KEY_X0_MP] == AIA_KEYSTATE_OK, m.state[AIA_KEY_Y0_MP] == AIA_KEYSTATE_OK};
    const double old_mp[2] = {m.x0_mp, m.y0_mp}, old_crpix[2] = {m.crpix1, m.crpix2};
    static const char *const crpix_key[2] = {"CRPIX1", "CRPIX2"}, *const mp_key[2] = {"X0_MP", "Y0_MP"};
    for (int a = 0; a < 2 && !st; a++) {
        if (!have[a])
            continue;
        if (have_mp[a]) { /* relative: it works on cutouts too */
            rep->new_crpix[a] = ((old_crpix[a] - 1.0) + (v[a] - old_mp[a])) + 1.0;
            st = aia_header_set_double(hdr, crpix_key[a], rep->new_crpix[a], NULL);
        } else {
            rep->warnings |= AIA_POINTING_WARN_NO_MP;
        }
        if (!st)
            st = aia_header_set_double(hdr, mp_key[a], v[a], NULL);
        if (a == 0)
            rep->new_x0 = v[a];
        else
            rep->new_y0 = v[a];
    }
    if (!st && have[2]) {
        rep->new_cdelt = v[2];
        st = aia_header_set_double(hdr, "CDELT1", v[2], NULL);
        st = st ? st : aia_header_set_double(hdr, "CDELT2", v[2], NULL);
    }
    if (!st && have[3]) {
        if (m.state[AIA_KEY_SAT_ROT] == AIA_KEYSTATE_OK) {
            rep->new_crota2 = v[3] + m.sat_rot;
            st = aia_header_set_double(hdr, "CROTA2", rep->new_crota2, NULL);
        } else {
            rep->warnings |= AIA_POINTING_WARN_NO_SAT_ROT;
        }
    }
    if (st)
        return st;
    /* sunpy rebuilds the rotation from CROTA2 only without PCi_j */
    static const char *const pc[4] = {"PC1_1", "PC1_2", "PC2_1", "PC2_2"};
    for (int k = 0; k < 4; k++)
        aia_header_delete(hdr, pc[k]);
    if (rep->missing[0])
        rep->warnings |= AIA_POINTING_WARN_MISSING_VALUE;
    return AIA_OK;
}
