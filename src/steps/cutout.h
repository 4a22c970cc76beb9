/* cutout.h — where a cutout of a level-1 frame lies on the CCD. Internal. */
#ifndef AIAPREP_CUTOUT_H
#define AIAPREP_CUTOUT_H

#include "core/core.h"

#define AIA_CCD_SIZE 4096 /* the AIA CCD: full frames are 4096 x 4096 */

/* Whether an nx x ny image with this header is a cutout of a
 * full-resolution level-1 frame (a JSOC im_patch export, a sub-array with
 * its header): smaller than the CCD on some axis, its CRPIX relative to the
 * cutout and the frame's Sun centre X0_MP/Y0_MP (0-based CCD pixels) in the
 * header, so that the cutout's origin on the CCD, X0_MP + 1 - CRPIX, is a
 * whole pixel (within 1e-3: headers keep 6 decimals) and the cutout lies on
 * the CCD, at the plate scale of full frames (CDELT1 / 0.6 rounds to 1).
 * On success *x0, *y0 are that origin; otherwise AIA_ERR_NOT_FULL_DISK
 * says which condition fails (callers say what it is not). */
int aia_cutout_locate(const aia_meta *m, long nx, long ny, long *x0, long *y0);

#endif
