/* abi_layout.c — the size and field offsets of each public struct the
 * Python binding declares with ctypes (python/aiaprep/_lib.py), one line
 * each: "STRUCT SIZE" and "STRUCT.FIELD OFFSET". python/tests compares
 * them with the binding's, so a header change the binding missed fails. */
#include "aiaprep.h"

#include <stddef.h>
#include <stdio.h>

#define SIZE(T) printf("%s %zu\n", #T, sizeof(T))
#define FIELD(T, f) printf("%s.%s %zu\n", #T, #f, offsetof(T, f))

int main(void)
{
    SIZE(aia_view);
    FIELD(aia_view, data); FIELD(aia_view, width); FIELD(aia_view, height);
    FIELD(aia_view, stride); FIELD(aia_view, type);
    SIZE(aia_source_info);
    FIELD(aia_source_info, compression); FIELD(aia_source_info, bscale); FIELD(aia_source_info, blank);
    FIELD(aia_source_info, file_bytes); FIELD(aia_source_info, gzip);
    FIELD(aia_source_info, range_known); FIELD(aia_source_info, data_max);
    SIZE(aia_image);
    FIELD(aia_image, pixtype); FIELD(aia_image, data); FIELD(aia_image, capacity); FIELD(aia_image, header);
    FIELD(aia_image, source);
    SIZE(aia_register_options);
    FIELD(aia_register_options, interp); FIELD(aia_register_options, grid); FIELD(aia_register_options, scale);
    FIELD(aia_register_options, missing); FIELD(aia_register_options, missing_value);
    SIZE(aia_register_info);
    FIELD(aia_register_info, pad_x); FIELD(aia_register_info, missing); FIELD(aia_register_info, nan_input);
    FIELD(aia_register_info, level_warning); FIELD(aia_register_info, seconds_finish);
    FIELD(aia_register_info, cutout); FIELD(aia_register_info, grid_height);
    FIELD(aia_register_info, clip_min); FIELD(aia_register_info, clip_max);
    SIZE(aia_psf_options);
    FIELD(aia_psf_options, orders); FIELD(aia_psf_options, norders); FIELD(aia_psf_options, threads);
    SIZE(aia_psf_info);
    FIELD(aia_psf_info, from_cache);
    SIZE(aia_deconv_options);
    FIELD(aia_deconv_options, clip_negative);
    SIZE(aia_deconv_info);
    FIELD(aia_deconv_info, seconds);
    SIZE(aia_pointing_report);
    FIELD(aia_pointing_report, t_start); FIELD(aia_pointing_report, old_crpix);
    FIELD(aia_pointing_report, new_y0); FIELD(aia_pointing_report, warnings);
    FIELD(aia_pointing_report, missing);
    SIZE(aia_uncertainty_options);
    FIELD(aia_uncertainty_options, compare_idl);
    SIZE(aia_uncertainty_terms);
    FIELD(aia_uncertainty_terms, read_noise); FIELD(aia_uncertainty_terms, n_sample);
    SIZE(aia_synth_params);
    FIELD(aia_synth_params, size); FIELD(aia_synth_params, center_y); FIELD(aia_synth_params, seed);
    SIZE(aia_write_result);
    FIELD(aia_write_result, blank_pixels); FIELD(aia_write_result, quantum);
    SIZE(aia_pipeline_summary);
    FIELD(aia_pipeline_summary, not_started); FIELD(aia_pipeline_summary, interrupted);
    FIELD(aia_pipeline_summary, skipped_quality); FIELD(aia_pipeline_summary, skipped_by_flag);
    FIELD(aia_pipeline_summary, seconds); FIELD(aia_pipeline_summary, stage_median);
    FIELD(aia_pipeline_summary, workers); FIELD(aia_pipeline_summary, threads_per_worker);
    SIZE(aia_pipeline_options);
    FIELD(aia_pipeline_options, log); FIELD(aia_pipeline_options, on_item);
    FIELD(aia_pipeline_options, on_progress); FIELD(aia_pipeline_options, progress_interval);
    FIELD(aia_pipeline_options, next_input); FIELD(aia_pipeline_options, user);
    FIELD(aia_pipeline_options, stop);
    return 0;
}
