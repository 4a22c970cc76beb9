/* level15_header.h — the keys a level-1.5 header carries beyond the WCS of
 * registration, as IDL's aia_fix_header and JSOC write them
 * (level15_header.c). Internal. */
#ifndef AIAPREP_STEPS_LEVEL15_HEADER_H
#define AIAPREP_STEPS_LEVEL15_HEADER_H

#include "core/core.h"

/* After the last step: XCEN/YCEN (the field centre, arcsec: CRVAL +
 * CDELT ((NAXIS + 1)/2 - CRPIX), as IDL's comp_fits_cen), BUNIT in a form
 * sunpy and astropy parse ('DN', 'DN/s'; 'DN' when absent, as level-1
 * pixels are counts), PIXLUNIT removed (it would contradict BUNIT), and a
 * COMMENT saying that X0_MP ... SAT_ROT are the level-1 pointing, kept as
 * JSOC's and IDL's level 1.5 keep them. The statistics (DATAMIN ...) are the
 * writer's (aia_write_options.statistics). */
int aia_level15_header(aia_header *hdr);

/* The text of that COMMENT (tests look for it). */
extern const char aia_level1_pointing_comment[];

#endif
