/* psf_model.h — aiapy's filter-mesh model of the AIA PSF, shared by psf.c,
 * its cache and the tests. Internal. */
#ifndef AIAPREP_STEPS_PSF_MODEL_H
#define AIAPREP_STEPS_PSF_MODEL_H

#include "core/core.h"
#include "kernels/backend.h"

/* Version of the PSF model: in every PSF header (PSFMVER); bump when the
 * model changes, so that cached PSFs stop matching. */
#define AIA_PSF_MODEL_VERSION 1

/* aiapy's filter-mesh parameters of an EUV channel (NULL for others). */
typedef struct aia_psf_mesh {
    int channel;
    double angles[4];       /* deg, entrance filter arms                */
    double spacing_e;       /* px, entrance filter                      */
    double spacing_fp;      /* px, focal-plane filter                   */
    double width;           /* w of exp(-w d^2), px^-2                  */
    double width_preflight; /* the preflight core's w                   */
} aia_psf_mesh;
const aia_psf_mesh *aia_psf_mesh_of(int channel);

/* aiapy's _psf for one mesh (entrance, or focal plane) into grid: 4096 rows
 * of 2*2049 doubles (the in-place FFT layout), zeroed by the caller. Orders
 * must be given (not NULL). For the tests. */
int aia_psf_pattern(const aia_psf_options *opts, int focal_plane, double *grid);

/* The model the backend computes the PSF from (orders must be given), and
 * its release. For the tests. */
int aia_psf_model_of(const aia_psf_options *opts, aia_psf_model *model);
void aia_psf_model_free(aia_psf_model *model);

/* sinc(m / (363/34))^2, the weight of diffraction order m (0 for m = 0). */
double aia_psf_order_weight(int m);

#endif
