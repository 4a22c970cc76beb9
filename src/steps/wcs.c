/* wcs.c — the helioprojective TAN projection of AIA headers (FITS WCS paper
 * II, LONPOLE = 180°) and sunpy's full-disk verdict, computed from the header
 * and the frame border alone. */
#include "steps/wcs.h"

#include <math.h>

#define DEG (M_PI / 180.0)

void aia_wcs_from_meta(const aia_meta *m, aia_wcs *w)
{
    w->crpix[0] = m->crpix1;
    w->crpix[1] = m->crpix2;
    w->cdelt[0] = m->cdelt1;
    w->cdelt[1] = m->cdelt2;
    w->crval[0] = m->crval1;
    w->crval[1] = m->crval2;
    aia_meta_rotation_matrix(m, w->pc);
}

void aia_wcs_pixel_to_world(const aia_wcs *w, double x, double y, double *tx, double *ty)
{
    /* intermediate world coordinates in degrees */
    const double p1 = x + 1.0 - w->crpix[0], p2 = y + 1.0 - w->crpix[1];
    const double u = w->cdelt[0] * (w->pc[0][0] * p1 + w->pc[0][1] * p2) / 3600.0;
    const double v = w->cdelt[1] * (w->pc[1][0] * p1 + w->pc[1][1] * p2) / 3600.0;
    /* TAN: native spherical coordinates */
    const double r = hypot(u, v);
    const double phi = atan2(u, -v);
    const double theta = atan2(180.0 / M_PI, r);
    /* native -> celestial, reference point (CRVAL1, CRVAL2: arcsec), phi_p = 180° */
    const double d0 = w->crval[1] / 3600.0 * DEG, dphi = phi - M_PI;
    const double lon = atan2(-cos(theta) * sin(dphi),
                             sin(theta) * cos(d0) - cos(theta) * sin(d0) * cos(dphi));
    const double lat = asin(sin(theta) * sin(d0) + cos(theta) * cos(d0) * cos(dphi));
    double lon_deg = w->crval[0] / 3600.0 + lon / DEG;
    lon_deg = fmod(lon_deg + 180.0, 360.0);
    if (lon_deg < 0)
        lon_deg += 360.0;
    *tx = (lon_deg - 180.0) * 3600.0;
    *ty = lat / DEG * 3600.0;
}

int aia_wcs_world_to_pixel(const aia_wcs *w, double tx, double ty, double *x, double *y)
{
    const double a = tx / 3600.0 * DEG, d = ty / 3600.0 * DEG;
    const double a0 = w->crval[0] / 3600.0 * DEG, d0 = w->crval[1] / 3600.0 * DEG;
    /* celestial -> native, phi_p = 180° */
    const double phi = M_PI + atan2(-cos(d) * sin(a - a0),
                                    sin(d) * cos(d0) - cos(d) * sin(d0) * cos(a - a0));
    const double theta = asin(sin(d) * sin(d0) + cos(d) * cos(d0) * cos(a - a0));
    if (theta <= 0.0)
        return -1; /* behind the projection plane */
    /* TAN: intermediate world coordinates (deg) */
    const double r = (180.0 / M_PI) / tan(theta);
    const double u = r * sin(phi), v = -r * cos(phi);
    /* invert CDELT * PC */
    const double m00 = w->cdelt[0] * w->pc[0][0] / 3600.0, m01 = w->cdelt[0] * w->pc[0][1] / 3600.0;
    const double m10 = w->cdelt[1] * w->pc[1][0] / 3600.0, m11 = w->cdelt[1] * w->pc[1][1] / 3600.0;
    const double det = m00 * m11 - m01 * m10;
    if (det == 0.0)
        return -1;
    *x = (m11 * u - m01 * v) / det + w->crpix[0] - 1.0;
    *y = (-m10 * u + m00 * v) / det + w->crpix[1] - 1.0;
    return 0;
}

/* sunpy >= 6: a point is on the disk when its angular distance from the
 * Sun centre is within the apparent radius asin(R_sun / d). */
static int on_disk(double tx, double ty, double limit)
{
    const double ax = tx / 3600.0 * DEG, ay = ty / 3600.0 * DEG;
    return acos(cos(ax) * cos(ay)) <= limit;
}

int aia_check_full_disk(const aia_meta *m, long nx, long ny)
{
    int st = aia_meta_require(m, AIA_KEYS_BASIC | AIA_KEYBIT(AIA_KEY_DSUN_OBS));
    if (st)
        return st;
    const double rsun = m->state[AIA_KEY_RSUN_REF] == AIA_KEYSTATE_OK ? m->rsun_ref : 696000000.0;
    if (!(m->dsun_obs > rsun))
        return aia_fail(AIA_ERR_KEY_MALFORMED, "DSUN_OBS %.6g m is not beyond the solar radius", m->dsun_obs);
    const double limit = asin(rsun / m->dsun_obs);
    aia_wcs w;
    aia_wcs_from_meta(m, &w);

    /* every pixel centre on the four borders must be off the disk */
    for (int side = 0; side < 4; side++) {
        const long n = side < 2 ? nx : ny;
        for (long i = 0; i < n; i++) {
            double x = side < 2 ? (double)i : (side == 2 ? 0.0 : (double)(nx - 1));
            double y = side < 2 ? (side == 0 ? 0.0 : (double)(ny - 1)) : (double)i;
            double tx, ty;
            aia_wcs_pixel_to_world(&w, x, y, &tx, &ty);
            if (on_disk(tx, ty, limit))
                return aia_fail(AIA_ERR_NOT_FULL_DISK,
                                "not a full-disk image: border pixel (%ld, %ld) lies on the solar disk (a "
                                "cutout or off-pointed frame cannot be registered)",
                                (long)x, (long)y);
        }
    }
    /* and the Sun centre inside the frame */
    double cx, cy;
    if (aia_wcs_world_to_pixel(&w, 0.0, 0.0, &cx, &cy) != 0 || cx < -0.5 || cx > nx - 0.5 ||
        cy < -0.5 || cy > ny - 0.5)
        return aia_fail(AIA_ERR_NOT_FULL_DISK, "not a full-disk image: the Sun centre is outside the %ld x %ld frame",
                        nx, ny);
    return AIA_OK;
}
