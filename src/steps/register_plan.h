/* register_plan.h — what a registration plan hands its backend, for the
 * level-1.6 step and the tests. Internal. */
#ifndef AIAPREP_STEPS_REGISTER_PLAN_H
#define AIAPREP_STEPS_REGISTER_PLAN_H

#include "kernels/backend.h"

/* The plan's pixel work: the geometry its backend executes. */
const aia_register_geometry *aia_register_plan_pixels(const aia_register_plan *plan);
/* ... and the backend (the device) it runs on. */
const aia_backend *aia_register_plan_backend(const aia_register_plan *plan);
/* The public report of a registration from what its pixel work found
 * (info may be NULL). */
void aia_register_info_fill(const aia_register_plan *plan, const aia_register_pixel_info *px,
                            aia_register_info *info);

/* aia_register_execute for an input of which `known` is known (NULL:
 * nothing; kernels/backend.h: a hint the backend checks). */
int aia_register_execute_known(const aia_register_plan *plan, aia_view in, const aia_input_range *known,
                               aia_view out, aia_workspace *ws, aia_register_info *info);

/* The input checks of aia_deconvolve_execute (a full frame of the PSF's
 * size), for a caller that must fail on them before anything else. */
int aia_deconvolve_check_input(const aia_deconv_plan *plan, aia_view in);

#endif
