/* internal.h — shared helpers of libaiaprep; nothing here is public. */
#ifndef AIAPREP_INTERNAL_H
#define AIAPREP_INTERNAL_H

#include "aiaprep.h"

#include <stdarg.h>

#if defined(__GNUC__)
#define AIA_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define AIA_PRINTF(a, b)
#endif

/* Record the detail message of a failure for this thread and return status,
 * so that error paths read `return aia_fail(AIA_ERR_IO, "%s: ...", path);`. */
int aia_fail(int status, const char *fmt, ...) AIA_PRINTF(2, 3);
/* Clear this thread's detail message. */
void aia_clear_error(void);
/* Prefix this thread's detail message with "prefix: ". */
void aia_error_prefix(const char *prefix);

/* Map a cfitsio status to an aia status with a message naming the file. */
int aia_fail_fits(int fits_status, const char *path, const char *what);

/* aia_image_create, but the pixels are left uninitialised when !zero (for
 * readers that overwrite every pixel: saves clearing 64 MiB per frame). */
int aia_image_alloc(long width, long height, aia_pixtype pixtype, int zero, aia_image **out);

/* The k-th smallest (0-based) finite value of v[0..n), NaN/Inf ignored. */
int aia_select_float(const float *v, size_t n, uint64_t k, float *out);

/* Monotonic wall-clock seconds. */
double aia_now(void);

/* Give img this shape, reusing its buffer when it is large enough; the
 * pixels are left undefined. */
int aia_image_reshape(aia_image *img, long width, long height, aia_pixtype pixtype);

/* A workspace buffer of at least `bytes`, kept for the next call (slot is a
 * small integer naming the use). NULL when out of memory. */
void *aia_workspace_buffer(aia_workspace *ws, int slot, size_t bytes);

/* mkdir -p: 0 on success (or if it exists), -1 otherwise. */
int aia_make_dirs(const char *path);

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

/* sinc(m / (363/34))^2, the weight of diffraction order m (0 for m = 0). */
double aia_psf_order_weight(int m);

/* 1 if the FITS file's CHECKSUM/DATASUM verify (or it has none), 0 if they
 * do not, -1 if the file cannot be read. */
int aia_fits_checksum_ok(const char *path);

/* ---- times: TAI microseconds since 1970-01-01 (aiatime.c) ---- */
typedef struct aia_time {
    int64_t tai_us;
} aia_time;
/* ISO UTC ("2014-01-01T00:00:12.34Z", Z optional, 'T' or ' ') or JSOC
 * ("2014.01.01_00:00:00_TAI" or _UTC). */
int aia_time_parse(const char *text, aia_time *t);
/* Elapsed days, leap seconds counted (astropy's Time difference). */
double aia_time_days_between(const aia_time *from, const aia_time *to);
int aia_time_compare(const aia_time *a, const aia_time *b);
void aia_time_format_utc(const aia_time *t, char *buf, size_t size);

/* ---- text tables (table.c): CSV or whitespace-separated, a header line ---- */
typedef struct aia_table {
    int ncols;
    long nrows;
    char **names;  /* ncols column names                 */
    char **cells;  /* nrows * ncols strings ("" if empty) */
    char *text;    /* the file, owning the strings        */
} aia_table;
int aia_table_read(const char *path, aia_table **out);
void aia_table_free(aia_table *t);
/* Column index by name (case-insensitive), -1 if absent. */
int aia_table_column(const aia_table *t, const char *name);
static inline const char *aia_table_cell(const aia_table *t, long row, int col)
{
    return t->cells[row * t->ncols + col];
}
/* A numeric cell: 0 and the value, or -1 when empty/not a number/"MISSING"/NaN. */
int aia_table_number(const aia_table *t, long row, int col, double *v);
/* The columns names[0..n) into cols[], or fail naming the first missing one:
 * "PATH: not KIND: no NAME column". */
int aia_table_require(const aia_table *t, const char *const *names, int n, int *cols, const char *path,
                      const char *kind);
/* Each row's validity interval, columns c_start and c_stop parsed as times,
 * into two new arrays of nrows (the caller frees them, also on failure). */
int aia_table_intervals(const aia_table *t, int c_start, int c_stop, const char *path, aia_time **start,
                        aia_time **stop);

/* This machine's name with only [A-Za-z0-9-] (for temporary file names). */
void aia_host_name(char *buf, size_t size);

/* Round half away from zero, as C's round(), but inlined and vectorisable:
 * libm's round() is a call per pixel. x - trunc(x) is exact in binary
 * floating point, so the comparison with 0.5 decides exactly. */
static inline double aia_round_half_away(double x)
{
    double t = __builtin_trunc(x);
    return __builtin_fabs(x - t) >= 0.5 ? t + __builtin_copysign(1.0, x) : t;
}

#endif
