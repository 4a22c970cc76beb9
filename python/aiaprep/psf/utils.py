"""aiapy.psf.filter_mesh_parameters: the filter-mesh geometry of the EUV
channels (Grigis et al. 2012, Table 2; the library's src/steps/psf_model.h
holds the same numbers)."""
import astropy.units as u

__all__ = ["filter_mesh_parameters"]

# channel: entrance-filter arm angles (deg), their errors (deg), spike
# spacing of the entrance and focal-plane filters (px), core width
# (default, preflight), plate scale of the measurement (arcsec)
_MESH = {
    94: ([49.81, 40.16, -40.28, -49.92], [0.02] * 4, 8.99, 0.207, 0.951, 0.600109),
    131: ([50.27, 40.17, -39.70, -49.95], [0.02] * 4, 12.37, 0.289, 1.033, 0.600698),
    171: ([49.81, 39.57, -40.13, -50.38], [0.02] * 4, 16.26, 0.377, 0.962, 0.599489),
    193: ([49.82, 39.57, -40.12, -50.37], [0.02, 0.02, 0.03, 0.04], 18.39, 0.425, 1.512, 0.600758),
    211: ([49.78, 40.08, -40.34, -49.95], [0.02] * 4, 19.97, 0.465, 1.199, 0.600758),
    304: ([49.76, 40.18, -40.14, -49.90], [0.02] * 4, 28.87, 0.670, 1.247, 0.600165),
    335: ([50.40, 39.80, -39.64, -50.25], [0.02] * 4, 31.83, 0.738, 0.962, 0.600737),
}
_DEFAULT_WIDTH = 4.5
_MESH_PITCH, _MESH_WIDTH = 363.0, 34.0  # um, every channel


def filter_mesh_parameters(*, use_preflightcore=False):
    """The mesh parameters per channel, keyed by the channel as a Quantity,
    with aiapy's keys: angle_arm, error_angle_arm, spacing_e, mesh_pitch,
    mesh_width, spacing_fp, width (the core's, preflight or default), CDELT."""
    return {
        channel * u.angstrom: {
            "angle_arm": angles * u.degree,
            "error_angle_arm": errors * u.degree,
            "spacing_e": spacing_e * u.pixel,
            "mesh_pitch": _MESH_PITCH * u.um,
            "mesh_width": _MESH_WIDTH * u.um,
            "spacing_fp": spacing_fp * u.pixel,
            "width": (preflight if use_preflightcore else _DEFAULT_WIDTH) * u.pixel,
            "CDELT": [cdelt, cdelt] * u.arcsec,
        }
        for channel, (angles, errors, spacing_e, spacing_fp, preflight, cdelt) in _MESH.items()
    }
