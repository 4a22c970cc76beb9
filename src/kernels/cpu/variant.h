/* variant.h — the CPU backend is compiled once per instruction-set level
 * (CMake: aiaprep_kernels_<level>, with AIA_VARIANT set and that level's
 * -march), so every symbol it shares between its files carries the level's
 * suffix: aia_affine_sample becomes aia_affine_sample_avx2 in the AVX2
 * objects. Each name below is renamed here, once, for every file of the
 * backend; code reads as if there were one. Internal. */
#ifndef AIAPREP_KERNELS_CPU_VARIANT_H
#define AIAPREP_KERNELS_CPU_VARIANT_H

#ifndef AIA_VARIANT
#define AIA_VARIANT generic
#endif
#define AIA_VARIANT_CAT2(name, level) name##_##level
#define AIA_VARIANT_CAT(name, level) AIA_VARIANT_CAT2(name, level)
#define AIA_V(name) AIA_VARIANT_CAT(name, AIA_VARIANT)
#define AIA_VARIANT_STR2(level) #level
#define AIA_VARIANT_STR(level) AIA_VARIANT_STR2(level)

#define aia_backend_cpu AIA_V(aia_backend_cpu)
#define aia_spline_poles AIA_V(aia_spline_poles)
#define aia_spline_weights AIA_V(aia_spline_weights)
#define aia_cubic_convolution_weights AIA_V(aia_cubic_convolution_weights)
#define aia_padded_coefficients AIA_V(aia_padded_coefficients)
#define aia_affine_sample AIA_V(aia_affine_sample)
#define aia_affine_mask_nan AIA_V(aia_affine_mask_nan)
#define aia_cubic_span_simd AIA_V(aia_cubic_span_simd)
#define aia_cubic_span_avx2 AIA_V(aia_cubic_span_avx2)
#define aia_cubic_columns_avx2 AIA_V(aia_cubic_columns_avx2)
#define aia_tile_rows_to_strip AIA_V(aia_tile_rows_to_strip)
#define aia_tile_strip_to_rows AIA_V(aia_tile_strip_to_rows)
#define aia_tile_rows_written AIA_V(aia_tile_rows_written)
#define aia_cpu_register_pixels AIA_V(aia_cpu_register_pixels)
#define aia_cpu_psf_composite AIA_V(aia_cpu_psf_composite)
#define aia_cpu_deconv_plan_new AIA_V(aia_cpu_deconv_plan_new)
#define aia_cpu_deconv_run AIA_V(aia_cpu_deconv_run)
#define aia_cpu_deconv_plan_free AIA_V(aia_cpu_deconv_plan_free)
#define aia_deconv_single_plan_new AIA_V(aia_deconv_single_plan_new)
#define aia_deconv_single_plan_free AIA_V(aia_deconv_single_plan_free)
#define aia_deconv_single_run AIA_V(aia_deconv_single_run)
#define aia_deconv_single_make_plans AIA_V(aia_deconv_single_make_plans)
#define aia_deconv_single_column_pass AIA_V(aia_deconv_single_column_pass)
#define aia_deconv_single_row_pass AIA_V(aia_deconv_single_row_pass)
#define aia_deconv_double_plan_new AIA_V(aia_deconv_double_plan_new)
#define aia_deconv_double_plan_free AIA_V(aia_deconv_double_plan_free)
#define aia_deconv_double_run AIA_V(aia_deconv_double_run)
#define aia_deconv_double_make_plans AIA_V(aia_deconv_double_make_plans)
#define aia_deconv_double_column_pass AIA_V(aia_deconv_double_column_pass)
#define aia_deconv_double_row_pass AIA_V(aia_deconv_double_row_pass)

#endif
