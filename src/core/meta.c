/* meta.c — typed access to the AIA header keys the preparation steps use.
 *
 * Parsing never fails on a bad key: each key is marked OK, MISSING or
 * MALFORMED, and each step asks for the keys it needs with aia_meta_require,
 * so that a key only some steps need is an error only in those steps. */
#include "core/core.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef enum { KIND_DOUBLE, KIND_LONG, KIND_LLONG, KIND_STRING, KIND_MATRIX } key_kind;

typedef struct key_spec {
    const char *name;
    key_kind kind;
    size_t offset;   /* into aia_meta */
    size_t size;     /* of string fields */
} key_spec;

#define S(k, name, field) [k] = {name, KIND_STRING, offsetof(aia_meta, field), sizeof(((aia_meta *)0)->field)}

static const key_spec specs[AIA_KEY_COUNT] = {
    [AIA_KEY_NAXIS] = {"NAXIS", KIND_LONG, offsetof(aia_meta, naxis), 0},
    [AIA_KEY_NAXIS1] = {"NAXIS1", KIND_LONG, offsetof(aia_meta, naxis1), 0},
    [AIA_KEY_NAXIS2] = {"NAXIS2", KIND_LONG, offsetof(aia_meta, naxis2), 0},
    [AIA_KEY_WAVELNTH] = {"WAVELNTH", KIND_DOUBLE, offsetof(aia_meta, wavelnth), 0},
    S(AIA_KEY_T_OBS, "T_OBS", t_obs),
    S(AIA_KEY_DATE_OBS, "DATE-OBS", date_obs),
    [AIA_KEY_EXPTIME] = {"EXPTIME", KIND_DOUBLE, offsetof(aia_meta, exptime), 0},
    [AIA_KEY_CRPIX1] = {"CRPIX1", KIND_DOUBLE, offsetof(aia_meta, crpix1), 0},
    [AIA_KEY_CRPIX2] = {"CRPIX2", KIND_DOUBLE, offsetof(aia_meta, crpix2), 0},
    [AIA_KEY_CDELT1] = {"CDELT1", KIND_DOUBLE, offsetof(aia_meta, cdelt1), 0},
    [AIA_KEY_CDELT2] = {"CDELT2", KIND_DOUBLE, offsetof(aia_meta, cdelt2), 0},
    [AIA_KEY_CRVAL1] = {"CRVAL1", KIND_DOUBLE, offsetof(aia_meta, crval1), 0},
    [AIA_KEY_CRVAL2] = {"CRVAL2", KIND_DOUBLE, offsetof(aia_meta, crval2), 0},
    [AIA_KEY_CROTA2] = {"CROTA2", KIND_DOUBLE, offsetof(aia_meta, crota2), 0},
    [AIA_KEY_PC] = {"PCi_j", KIND_MATRIX, offsetof(aia_meta, pc), 0},
    [AIA_KEY_CD] = {"CDi_j", KIND_MATRIX, offsetof(aia_meta, cd), 0},
    S(AIA_KEY_CTYPE1, "CTYPE1", ctype1),
    S(AIA_KEY_CTYPE2, "CTYPE2", ctype2),
    S(AIA_KEY_CUNIT1, "CUNIT1", cunit1),
    S(AIA_KEY_CUNIT2, "CUNIT2", cunit2),
    [AIA_KEY_RSUN_OBS] = {"RSUN_OBS", KIND_DOUBLE, offsetof(aia_meta, rsun_obs), 0},
    [AIA_KEY_R_SUN] = {"R_SUN", KIND_DOUBLE, offsetof(aia_meta, r_sun), 0},
    [AIA_KEY_RSUN_REF] = {"RSUN_REF", KIND_DOUBLE, offsetof(aia_meta, rsun_ref), 0},
    [AIA_KEY_DSUN_OBS] = {"DSUN_OBS", KIND_DOUBLE, offsetof(aia_meta, dsun_obs), 0},
    [AIA_KEY_X0_MP] = {"X0_MP", KIND_DOUBLE, offsetof(aia_meta, x0_mp), 0},
    [AIA_KEY_Y0_MP] = {"Y0_MP", KIND_DOUBLE, offsetof(aia_meta, y0_mp), 0},
    [AIA_KEY_IMSCL_MP] = {"IMSCL_MP", KIND_DOUBLE, offsetof(aia_meta, imscl_mp), 0},
    [AIA_KEY_INST_ROT] = {"INST_ROT", KIND_DOUBLE, offsetof(aia_meta, inst_rot), 0},
    [AIA_KEY_SAT_ROT] = {"SAT_ROT", KIND_DOUBLE, offsetof(aia_meta, sat_rot), 0},
    [AIA_KEY_LVL_NUM] = {"LVL_NUM", KIND_DOUBLE, offsetof(aia_meta, lvl_num), 0},
    [AIA_KEY_QUALITY] = {"QUALITY", KIND_LLONG, offsetof(aia_meta, quality), 0},
};
#undef S

const char *aia_key_name(aia_key key)
{
    return (unsigned)key < AIA_KEY_COUNT ? specs[key].name : "?";
}

static int state_of(int status)
{
    if (status == AIA_OK)
        return AIA_KEYSTATE_OK;
    return status == AIA_ERR_KEY_MISSING ? AIA_KEYSTATE_MISSING : AIA_KEYSTATE_MALFORMED;
}

/* PCi_j or CDi_j: present if any of the four cards is; absent cards take the
 * FITS defaults (identity for PC, 0 for CD); a bad card makes the group bad. */
static int parse_matrix(const aia_header *hdr, const char *prefix, double m[2][2])
{
    int any = 0, bad = 0;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            char key[16];
            snprintf(key, sizeof key, "%s%d_%d", prefix, i + 1, j + 1);
            double v;
            int st = aia_header_get_double(hdr, key, &v);
            if (st == AIA_OK) {
                m[i][j] = v;
                any = 1;
            } else if (st != AIA_ERR_KEY_MISSING) {
                bad = 1;
            }
        }
    if (bad)
        return AIA_KEYSTATE_MALFORMED;
    return any ? AIA_KEYSTATE_OK : AIA_KEYSTATE_MISSING;
}

int aia_meta_parse(const aia_header *hdr, aia_meta *meta)
{
    if (!hdr || !meta)
        return aia_fail(AIA_ERR_ARG, "aia_meta_parse: NULL argument");
    memset(meta, 0, sizeof *meta);
    meta->pc[0][0] = meta->pc[1][1] = 1.0;
    for (int k = 0; k < AIA_KEY_COUNT; k++) {
        const key_spec *s = &specs[k];
        char *field = (char *)meta + s->offset;
        int st = AIA_OK;
        switch (s->kind) {
        case KIND_DOUBLE:
            st = aia_header_get_double(hdr, s->name, (double *)field);
            break;
        case KIND_LONG:
        case KIND_LLONG: {
            long long v = 0;
            st = aia_header_get_long(hdr, s->name, &v);
            if (s->kind == KIND_LONG)
                *(long *)field = (long)v;
            else
                *(long long *)field = v;
            break;
        }
        case KIND_STRING:
            st = aia_header_get_string(hdr, s->name, field, s->size);
            break;
        case KIND_MATRIX:
            meta->state[k] = (unsigned char)parse_matrix(hdr, k == AIA_KEY_PC ? "PC" : "CD",
                                                         (double(*)[2])field);
            continue;
        }
        meta->state[k] = (unsigned char)state_of(st);
        if (st && s->kind == KIND_DOUBLE)
            *(double *)field = NAN;
    }
    /* FITS defaults for keys that may legitimately be absent. */
    if (meta->state[AIA_KEY_CRVAL1] == AIA_KEYSTATE_MISSING)
        meta->crval1 = 0.0;
    if (meta->state[AIA_KEY_CRVAL2] == AIA_KEYSTATE_MISSING)
        meta->crval2 = 0.0;
    if (meta->state[AIA_KEY_CROTA2] == AIA_KEYSTATE_MISSING)
        meta->crota2 = 0.0;
    /* A zero plate scale is as useless as a missing one. */
    if (meta->state[AIA_KEY_CDELT1] == AIA_KEYSTATE_OK && meta->cdelt1 == 0.0)
        meta->state[AIA_KEY_CDELT1] = AIA_KEYSTATE_MALFORMED;
    if (meta->state[AIA_KEY_CDELT2] == AIA_KEYSTATE_OK && meta->cdelt2 == 0.0)
        meta->state[AIA_KEY_CDELT2] = AIA_KEYSTATE_MALFORMED;
    aia_clear_error();
    return AIA_OK;
}

int aia_meta_require(const aia_meta *meta, uint64_t keys)
{
    for (int k = 0; k < AIA_KEY_COUNT; k++) {
        if (!(keys & AIA_KEYBIT(k)))
            continue;
        if (meta->state[k] == AIA_KEYSTATE_MISSING)
            return aia_fail(AIA_ERR_KEY_MISSING, "required header key %s is missing", specs[k].name);
        if (meta->state[k] == AIA_KEYSTATE_MALFORMED)
            return aia_fail(AIA_ERR_KEY_MALFORMED,
                            "header key %s is malformed (undefined, not a number, NaN or zero where a "
                            "value is required)",
                            specs[k].name);
    }
    return AIA_OK;
}

void aia_meta_rotation_matrix(const aia_meta *meta, double m[2][2])
{
    if (meta->state[AIA_KEY_PC] == AIA_KEYSTATE_OK) {
        memcpy(m, meta->pc, sizeof meta->pc);
        return;
    }
    if (meta->state[AIA_KEY_CD] == AIA_KEYSTATE_OK) {
        for (int j = 0; j < 2; j++) {
            m[0][j] = meta->cd[0][j] / meta->cdelt1;
            m[1][j] = meta->cd[1][j] / meta->cdelt2;
        }
        return;
    }
    const double rho = meta->crota2 * (M_PI / 180.0);
    const double lam = meta->cdelt2 / meta->cdelt1;
    m[0][0] = cos(rho);
    m[0][1] = -lam * sin(rho);
    m[1][0] = 1.0 / lam * sin(rho); /* sunpy's order of operations */
    m[1][1] = cos(rho);
}
