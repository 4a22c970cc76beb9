/* cutout.c — recognising a cutout of a level-1 frame from its shape and
 * header, and placing it on the CCD: JSOC's im_patch keeps the frame's
 * pointing keys (X0_MP, Y0_MP: the Sun centre on the CCD) and moves CRPIX
 * by the cutout's origin, so the two together say where the cutout was
 * taken from. aiapy's fetch_spikes relies on the same relation. */
#include "steps/cutout.h"

#include <math.h>

#define WHOLE_PIXEL_TOLERANCE 1e-3

static int origin_on_axis(double center0, double crpix, long n, const char *axis, long *origin)
{
    const double o = center0 + 1.0 - crpix;
    const double whole = nearbyint(o);
    if (!(fabs(o - whole) <= WHOLE_PIXEL_TOLERANCE))
        return aia_fail(AIA_ERR_NOT_FULL_DISK,
                        "its origin on the CCD, %s0_MP + 1 - CRPIX%s = %.6f, is not a whole "
                        "pixel",
                        axis, axis[0] == 'X' ? "1" : "2", o);
    if (whole < 0 || whole + (double)n > AIA_CCD_SIZE)
        return aia_fail(AIA_ERR_NOT_FULL_DISK,
                        "%ld pixels from %s = %.0f do not lie on the %d-pixel CCD", n, axis,
                        whole, AIA_CCD_SIZE);
    *origin = (long)whole;
    return AIA_OK;
}

int aia_cutout_locate(const aia_meta *m, long nx, long ny, long *x0, long *y0)
{
    if (nx > AIA_CCD_SIZE || ny > AIA_CCD_SIZE || (nx == AIA_CCD_SIZE && ny == AIA_CCD_SIZE))
        return aia_fail(AIA_ERR_NOT_FULL_DISK, "%ld x %ld is not smaller than the %d x %d "
                                               "CCD",
                        nx, ny, AIA_CCD_SIZE, AIA_CCD_SIZE);
    static const aia_key needed[] = {AIA_KEY_X0_MP, AIA_KEY_Y0_MP, AIA_KEY_CRPIX1, AIA_KEY_CRPIX2, AIA_KEY_CDELT1};
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
        if (m->state[needed[i]] != AIA_KEYSTATE_OK)
            return aia_fail(AIA_ERR_NOT_FULL_DISK, "%s is %s, so its place on the CCD is "
                                                   "unknown",
                            aia_key_name(needed[i]),
                            m->state[needed[i]] == AIA_KEYSTATE_MISSING ? "missing" : "malformed");
    if (nearbyint(m->cdelt1 / 0.6) != 1.0)
        return aia_fail(AIA_ERR_NOT_FULL_DISK,
                        "CDELT1 %.6g arcsec/px is not the plate scale of full-resolution "
                        "frames",
                        m->cdelt1);
    int st = origin_on_axis(m->x0_mp, m->crpix1, nx, "X", x0);
    return st ? st : origin_on_axis(m->y0_mp, m->crpix2, ny, "Y", y0);
}
