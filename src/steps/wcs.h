/* wcs.h — helioprojective TAN WCS of an AIA header. Internal. */
#ifndef AIAPREP_WCS_H
#define AIAPREP_WCS_H

#include "core/core.h"

typedef struct aia_wcs {
    double crpix[2]; /* 1-based */
    double cdelt[2]; /* arcsec/px */
    double crval[2]; /* arcsec */
    double pc[2][2];
} aia_wcs;

void aia_wcs_from_meta(const aia_meta *m, aia_wcs *w);
/* 0-based pixel -> helioprojective (Tx, Ty) in arcsec, Tx in [-180°, 180°). */
void aia_wcs_pixel_to_world(const aia_wcs *w, double x, double y, double *tx, double *ty);
/* helioprojective (Tx, Ty) arcsec -> 0-based pixel; -1 if not projectable. */
int aia_wcs_world_to_pixel(const aia_wcs *w, double tx, double ty, double *x, double *y);

#endif
