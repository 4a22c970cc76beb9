/* register_plan.h — what a registration plan hands its backend, for the
 * level-1.6 step and the tests. Internal. */
#ifndef AIAPREP_STEPS_REGISTER_PLAN_H
#define AIAPREP_STEPS_REGISTER_PLAN_H

#include "kernels/backend.h"

/* The plan's pixel work: the geometry its backend executes. */
const aia_register_geometry *aia_register_plan_pixels(const aia_register_plan *plan);

#endif
