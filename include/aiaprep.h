/*
 * aiaprep.h — the one public header of libaiaprep.
 *
 * libaiaprep prepares SDO/AIA level-1 images for science (pointing update,
 * PSF deconvolution, registration to level 1.5, calibration) with aiapy's
 * numbers. This header is the whole public interface; everything else in the
 * library is hidden (the shared library exports exactly the functions
 * declared here, and a test checks it).
 *
 * It has two parts:
 *   Part 1, the stable API: status codes, headers and typed AIA keys,
 *     images and borrowed pixel views, FITS input/output, and the science
 *     steps, each an ordinary function or a plan (built once, executed on
 *     many buffers). New fields go at the end of option structs, which
 *     callers initialise with the matching *_default function.
 *   Part 2, batch plumbing: preparing files through the steps as stages and
 *     the pipeline that runs thousands of them. Its objects (options, items)
 *     are opaque, set and read through functions, so that they can grow (a
 *     device, a quality policy) without breaking a binding.
 *
 * The library behind it is layered (src/): core (status, headers, keys,
 * time, tables, file-system helpers), io (FITS read/write, atomic files),
 * kernels (the pixel work behind one backend interface, CPU kernels chosen
 * at run time), steps (one science step a file: register, psf, deconvolve,
 * pointing, degradation, uncertainty, respike, exposure, synth) and batch
 * (prep and the pipeline). Data flows down; nothing calls up. Front ends
 * (the aiaprep program in cli/, bindings) use only this header.
 *
 * Conventions (tested in tests/):
 *   - Arrays are row-major data[y][x] with y = FITS axis 2, x = FITS axis 1.
 *   - Pixel coordinates in code are 0-based with pixel centres at integers;
 *     FITS CRPIX is 1-based (crpix - 1 in code). The centre of an N-pixel axis
 *     is (N-1)/2.
 *   - The rotation matrix comes from PCi_j, then CDi_j, then CROTA2, in that
 *     order of precedence (aia_meta_rotation_matrix).
 *   - BLANK/NaN pixels: integer BLANK becomes NaN when read into floating
 *     point; NaN becomes BLANK when written as an integer type.
 *
 * Errors: every function that can fail returns an int status, AIA_OK (0) on
 * success or one of enum aia_status. aia_strerror() names the code;
 * aia_last_error() gives the detail of the last failure *in the calling
 * thread* (the key, byte offset, what was expected). Functions that open a
 * file name it in the message; the science steps work on memory and do not
 * know file names, so a caller that has one prefixes it ("FILE: message").
 *
 * Thread safety: unless a function says otherwise, it is re-entrant: it may be
 * called from several threads at once on different objects. Objects
 * (aia_header, aia_image) are not internally locked; do not modify one object
 * from two threads at once. Plans may be executed by several threads at once.
 */
#ifndef AIAPREP_H
#define AIAPREP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(AIAPREP_BUILDING) && defined(__GNUC__)
#define AIA_API __attribute__((visibility("default")))
#else
#define AIA_API
#endif

/* The version of this header; aia_version() is the library's. */
#define AIAPREP_VERSION_MAJOR 0
#define AIAPREP_VERSION_MINOR 1
#define AIAPREP_VERSION_PATCH 0

/* ======================================================================== */
/* Part 1 — the stable API                                                  */
/* ======================================================================== */

/* ------------------------------------------------------------------------ */
/* Status codes and error messages                                          */
/* ------------------------------------------------------------------------ */

enum aia_status {
    AIA_OK = 0,
    AIA_ERR_NOMEM,           /* out of memory                                */
    AIA_ERR_ARG,             /* invalid argument from the caller             */
    AIA_ERR_IO,              /* cannot open/read/write/rename a file         */
    AIA_ERR_NOT_REGULAR,     /* path is a directory or not a regular file    */
    AIA_ERR_NOT_FITS,        /* empty file, or does not start with SIMPLE    */
    AIA_ERR_TRUNCATED,       /* file shorter than its header says            */
    AIA_ERR_NO_IMAGE,        /* no 2-D image in the primary HDU or HDU 1     */
    AIA_ERR_FITS,            /* other error reported by cfitsio              */
    AIA_ERR_KEY_MISSING,     /* a required header key is absent              */
    AIA_ERR_KEY_MALFORMED,   /* a required key is undefined/unparsable/NaN   */
    AIA_ERR_EXISTS,          /* output exists and overwriting not allowed    */
    AIA_ERR_SAME_FILE,       /* output would overwrite the input             */
    AIA_ERR_RANGE,           /* values do not fit the requested output type  */
    AIA_ERR_UNSUPPORTED,     /* valid request the library does not support   */
    AIA_ERR_NOT_IMPLEMENTED, /* feature not implemented yet                  */
    AIA_ERR_NOT_FULL_DISK,   /* cutout or off-pointed: the step needs the disk */
    AIA_ERR_BAD_DATA,        /* pixel data unusable (e.g. every pixel NaN)    */
    AIA_ERR_CORRUPT,         /* FITS structure malformed or unsafe to decode  */
    AIA_ERR_CHECKSUM,        /* DATASUM/CHECKSUM disagree with the bytes      */
    AIA_ERR_INTERRUPTED,     /* stopped by a signal before it was done        */
    AIA_STATUS_COUNT
};

/* Short, static description of a status code. Thread-safe. */
AIA_API const char *aia_strerror(int status);

/* Detail message of the last failure in the calling thread ("" if none).
 * The pointer stays valid until the next library call in this thread. */
AIA_API const char *aia_last_error(void);

/* Monotonic wall-clock seconds (for timing what the library does). */
AIA_API double aia_now_seconds(void);

/* Library version string, e.g. "0.1.0". */
AIA_API const char *aia_version(void);

/* The CPU kernels this process uses: "generic" (any x86-64), "avx2" (AVX2 +
 * FMA: Haswell, Zen and later) or "avx512", the best level the CPU supports
 * unless the environment variable AIAPREP_KERNELS names another (generic,
 * avx2, avx512, auto). Chosen once per process. aia_kernels_note says why
 * the level in use is not the one asked for ("" when it is). */
AIA_API const char *aia_kernels(void);
AIA_API const char *aia_kernels_note(void);
/* The kernel levels built into the library, e.g. "generic avx2 avx512". */
AIA_API const char *aia_kernels_built(void);
/* The compute backends built into the library: "cpu", or "cpu cuda" when
 * the CUDA backend (libaiaprep_cuda.so, loaded only when a CUDA device is
 * asked for) was built. */
AIA_API const char *aia_backends(void);

/* Compute devices. The steps that move many pixels (registration, the PSF,
 * deconvolution) take the device they run on from their options or plan, as
 * a string: "cpu" (the default), "cuda" (CUDA device 0), "cuda:N", or "auto"
 * (CUDA device 0 when one can be used, else the CPU); NULL means "cpu". A
 * CUDA device that cannot be used (no CUDA in this build, no driver, no such
 * device, too old for the build's kernels) is an error saying why; "auto"
 * then takes the CPU. The CPU's results do not depend on whether CUDA is
 * present.
 *
 * aia_device_resolve: the device a string stands for, as "cpu" or "cuda:N",
 * into resolved (may be NULL); for "auto" on the CPU, why no CUDA device was
 * taken into note ("" otherwise; may be NULL). AIA_ERR_ARG for a string that
 * is not a device, AIA_ERR_UNSUPPORTED for a CUDA device that cannot be
 * used. Devices are opened once per process; thread-safe. */
AIA_API int aia_device_resolve(const char *device, char *resolved, size_t size, char *note, size_t note_size);
/* The CUDA backend, runtime, driver and devices this process sees (or why
 * there are none), one line each, for `aiaprep --version`. Thread-safe. */
AIA_API const char *aia_cuda_info(void);

/* The codec that reads and writes Rice-compressed integer images: "aiaprep"
 * (the library's own, the same bytes as cfitsio's, faster) or "cfitsio"
 * when the environment variable AIAPREP_RICE=cfitsio asks for it. */
AIA_API const char *aia_rice_codec(void);

/* ------------------------------------------------------------------------ */
/* FITS headers: an ordered list of 80-character cards                      */
/* ------------------------------------------------------------------------ */

typedef struct aia_header aia_header;

AIA_API aia_header *aia_header_new(void);
AIA_API void aia_header_free(aia_header *hdr);
AIA_API int aia_header_copy(const aia_header *src, aia_header **out);

/* Number of cards (END is not stored). */
AIA_API size_t aia_header_count(const aia_header *hdr);
/* Card i as a NUL-terminated 80-character string (space padded). */
AIA_API const char *aia_header_card(const aia_header *hdr, size_t i);
/* Index of the first card with this keyword, or -1. Keywords compare
 * case-insensitively; HISTORY/COMMENT are found like any other. */
AIA_API long aia_header_find(const aia_header *hdr, const char *key);

/* Append one raw card (at most 80 characters; padded with spaces). */
AIA_API int aia_header_append_card(aia_header *hdr, const char *card);

/* Typed getters. They return AIA_OK, AIA_ERR_KEY_MISSING (no such card) or
 * AIA_ERR_KEY_MALFORMED (undefined value, 'nan', not a number, ...).
 * Numbers may be written as FITS floats with a D exponent. The detail
 * message names the key; callers add the file name. */
AIA_API int aia_header_get_double(const aia_header *hdr, const char *key, double *out);
AIA_API int aia_header_get_long(const aia_header *hdr, const char *key, long long *out);
/* String values have their quotes removed, doubled quotes undone and trailing
 * spaces trimmed. An unterminated string (a real JSOC/IDL case) is accepted
 * up to the end of the card. */
AIA_API int aia_header_get_string(const aia_header *hdr, const char *key, char *buf, size_t bufsize);

/* Setters update the first card with the key in place (keeping its comment
 * when comment is NULL) or append a new card. */
AIA_API int aia_header_set_double(aia_header *hdr, const char *key, double value, const char *comment);
AIA_API int aia_header_set_long(aia_header *hdr, const char *key, long long value, const char *comment);
AIA_API int aia_header_set_string(aia_header *hdr, const char *key, const char *value, const char *comment);
/* Remove every card with this keyword; returns how many were removed. */
AIA_API int aia_header_delete(aia_header *hdr, const char *key);
/* Append HISTORY cards holding text, split over as many cards as needed. */
AIA_API int aia_header_add_history(aia_header *hdr, const char *text);

/* ------------------------------------------------------------------------ */
/* Typed access to the AIA keys the preparation steps need                  */
/* ------------------------------------------------------------------------ */

typedef enum aia_key {
    AIA_KEY_NAXIS, AIA_KEY_NAXIS1, AIA_KEY_NAXIS2,
    AIA_KEY_WAVELNTH, AIA_KEY_T_OBS, AIA_KEY_DATE_OBS, AIA_KEY_EXPTIME,
    AIA_KEY_CRPIX1, AIA_KEY_CRPIX2, AIA_KEY_CDELT1, AIA_KEY_CDELT2,
    AIA_KEY_CRVAL1, AIA_KEY_CRVAL2, AIA_KEY_CROTA2,
    AIA_KEY_PC, AIA_KEY_CD,         /* any of PCi_j / CDi_j present */
    AIA_KEY_CTYPE1, AIA_KEY_CTYPE2, AIA_KEY_CUNIT1, AIA_KEY_CUNIT2,
    AIA_KEY_RSUN_OBS, AIA_KEY_R_SUN, AIA_KEY_RSUN_REF, AIA_KEY_DSUN_OBS,
    AIA_KEY_X0_MP, AIA_KEY_Y0_MP, AIA_KEY_IMSCL_MP, AIA_KEY_INST_ROT,
    AIA_KEY_SAT_ROT, AIA_KEY_LVL_NUM, AIA_KEY_QUALITY,
    AIA_KEY_COUNT
} aia_key;

#define AIA_KEYBIT(k) (UINT64_C(1) << (k))

/* Keys without which a file is not a usable AIA image at all: the channel and
 * the pointing (Sun centre and plate scale). Every command checks these. */
#define AIA_KEYS_BASIC                                                          \
    (AIA_KEYBIT(AIA_KEY_WAVELNTH) | AIA_KEYBIT(AIA_KEY_CRPIX1) |                \
     AIA_KEYBIT(AIA_KEY_CRPIX2) | AIA_KEYBIT(AIA_KEY_CDELT1) |                  \
     AIA_KEYBIT(AIA_KEY_CDELT2))

typedef enum aia_key_state {
    AIA_KEYSTATE_MISSING = 0,
    AIA_KEYSTATE_OK,
    AIA_KEYSTATE_MALFORMED
} aia_key_state;

typedef struct aia_meta {
    long naxis, naxis1, naxis2;
    double wavelnth;           /* Å */
    char t_obs[32];            /* as in the header, e.g. 2014-01-01T00:00:12.34Z */
    char date_obs[32];
    double exptime;            /* s */
    double crpix1, crpix2;     /* 1-based */
    double cdelt1, cdelt2;     /* arcsec/px */
    double crval1, crval2;     /* arcsec, default 0 */
    double crota2;             /* deg, default 0 */
    double pc[2][2];           /* PCi_j, identity where absent */
    double cd[2][2];           /* CDi_j, 0 where absent */
    char ctype1[16], ctype2[16], cunit1[16], cunit2[16];
    double rsun_obs;           /* arcsec */
    double r_sun;              /* px */
    double rsun_ref;           /* m */
    double dsun_obs;           /* m */
    double x0_mp, y0_mp;       /* 0-based Sun centre from the pointing table */
    double imscl_mp;           /* arcsec/px */
    double inst_rot, sat_rot;  /* deg */
    double lvl_num;
    long long quality;
    unsigned char state[AIA_KEY_COUNT]; /* enum aia_key_state per key */
} aia_meta;

/* Name of a key as written in headers ("PCi_j"/"CDi_j" for the groups). */
AIA_API const char *aia_key_name(aia_key key);

/* Parse every AIA key from hdr into meta, recording per key whether it is
 * present and valid. Never fails on a bad key (it is marked MALFORMED);
 * returns AIA_ERR_ARG only for NULL arguments. */
AIA_API int aia_meta_parse(const aia_header *hdr, aia_meta *meta);

/* Check that every key in the bit mask (AIA_KEYBIT(...) | ...) is present and
 * valid. The error names the first bad key. */
AIA_API int aia_meta_require(const aia_meta *meta, uint64_t keys);

/* The 2x2 rotation matrix as sunpy builds it: PCi_j if present, else CDi_j
 * divided row-wise by CDELTi, else from CROTA2 (with lambda = CDELT2/CDELT1). */
AIA_API void aia_meta_rotation_matrix(const aia_meta *meta, double m[2][2]);

/* ------------------------------------------------------------------------ */
/* The QUALITY word (SDO User Guide §7.7.6, as aiapy's check_quality_flag)  */
/* ------------------------------------------------------------------------ */

/* The flags that make a frame unusable for science: not in science
 * pointing (12), eclipse (13), sun presence off (14), safe mode (15), dark
 * (16), ISS loop open (17), calibration image (18), image not available
 * (31), and more than 5% (10) or 25% (11) of the pixels missing. Not the
 * other missing-pixel bits, nor quicklook (30). */
#define AIA_QUALITY_UNUSABLE 0x8007FC00u
/* The bits that count missing pixels (MISSVALS against the full CCD's
 * TOTVALS): on a cutout they count the pixels outside it. */
#define AIA_QUALITY_MISSVALS 0x00000F00u

/* The meaning of QUALITY bit 0..31, in the words of the User Guide's table
 * (aiapy's messages); "(empty)" for bits it leaves unassigned. */
AIA_API const char *aia_quality_message(int bit);
/* A short name for counts ("eclipse", "calibration", "bit 5", ...). */
AIA_API const char *aia_quality_name(int bit);
/* The messages of the bits set in quality, joined by separator (NULL:
 * "; "), or "nominal" for 0. AIA_ERR_RANGE when they do not fit. */
AIA_API int aia_quality_describe(uint32_t quality, const char *separator, char *buf, size_t size);
/* The flags of quality in mask that say something about a width x height
 * image: all of them on a full 4096 x 4096 frame; on a cutout not the
 * missing-pixel bits (AIA_QUALITY_MISSVALS). */
AIA_API uint32_t aia_quality_flags_that_apply(uint32_t quality, uint32_t mask, long width, long height);

/* ------------------------------------------------------------------------ */
/* Images and borrowed pixels                                               */
/* ------------------------------------------------------------------------ */

/* The one pixel type of the library's arrays, and the precision of its
 * arithmetic where a step offers a choice (deconvolution). */
typedef enum aia_pixtype {
    AIA_PIX_F32 = 1, /* float: the default for pipelines, single precision */
    AIA_PIX_F64 = 2  /* double: reference-grade results                     */
} aia_pixtype;

AIA_API size_t aia_pixtype_size(aia_pixtype t);

/* Pixels the caller lends: nothing is copied or freed through a view. A
 * numpy array, a device buffer's host mirror, a sub-rectangle of a larger
 * image (stride > width) all fit. */
typedef struct aia_view {
    void *data;          /* pixel (0, 0)                                    */
    long width, height;
    long stride;         /* pixels from one row to the next (>= width)      */
    aia_pixtype type;
} aia_view;

/* A view of width x height pixels at data, rows stride apart (0: width). */
AIA_API aia_view aia_view_of(void *data, long width, long height, long stride, aia_pixtype type);

/* How the image was stored in the file it came from. */
typedef struct aia_source_info {
    int bitpix;             /* BITPIX of the stored image (16, 32, -32, -64, ...) */
    int hdu;                /* HDU of the image: 0 primary, 1 first extension     */
    int compressed;         /* tile-compressed binary table HDU                   */
    char compression[16];   /* "RICE_1", "GZIP_2", ... or "" if not compressed    */
    double bscale, bzero;   /* applied while reading                              */
    int has_blank;          /* integer image with a BLANK value                   */
    long long blank;
    long long file_bytes;
    int gzip;               /* a gzip-wrapped file (.fits.gz), inflated (bounded) first */
    int range_known;        /* the reader saw, as it placed the pixels (Rice  */
    int has_nulls;          /* int16 tiles, unscaled, read as float32): any    */
    double data_min;        /* BLANK (NaN) pixel, and the smallest and largest */
    double data_max;        /* other (NaN if none). Of the pixels as read: a step
                               that changes them does not update these      */
} aia_source_info;

/* An image the library owns: pixels, header and where it came from. */
typedef struct aia_image {
    long width, height;     /* NAXIS1, NAXIS2                                      */
    aia_pixtype pixtype;
    void *data;             /* width*height pixels, row-major, owned by the image  */
    size_t capacity;        /* bytes allocated for data (>= the pixels' size)      */
    aia_header *header;     /* every card of the image HDU, owned by the image     */
    aia_source_info source; /* zeroed for images made in memory                    */
} aia_image;

/* A zero-filled image with an empty header. */
AIA_API int aia_image_create(long width, long height, aia_pixtype pixtype, aia_image **out);
AIA_API void aia_image_free(aia_image *img);

/* The image's pixels as a view (stride = width). */
AIA_API aia_view aia_image_view(const aia_image *img);

/* Change the pixel type in place (float64 -> float32 rounds to nearest). */
AIA_API int aia_image_convert(aia_image *img, aia_pixtype to);

/* Multiply every pixel by s (in double, stored in the view's type). */
AIA_API void aia_view_scale(aia_view v, double s);

typedef struct aia_stats {
    double min, max, mean, stddev, median;
    long long finite, nan;  /* counts */
} aia_stats;

/* Statistics over the finite pixels (min..median are NaN if there are none). */
AIA_API int aia_image_stats(const aia_image *img, aia_stats *stats);

/* Scratch memory reused across calls: a 4096² registration needs ~80 MiB of
 * it, and fresh memory costs page faults (tens of ms a frame). One workspace
 * serves one thread at a time; give each worker thread its own. */
typedef struct aia_workspace aia_workspace;
AIA_API aia_workspace *aia_workspace_new(void);
AIA_API void aia_workspace_free(aia_workspace *ws);

/* ------------------------------------------------------------------------ */
/* Reading FITS                                                             */
/* ------------------------------------------------------------------------ */

/* Read a 2-D FITS image: from the primary HDU, or from HDU 1 (the first
 * extension) when the primary is empty, as JSOC ships tile-compressed level-1
 * data. BSCALE/BZERO are applied and integer BLANK pixels become NaN. The
 * header keeps every card of the image HDU in order (for a compressed HDU,
 * the header of the image it holds). The path is taken literally (no cfitsio
 * extended file-name syntax); a gzip-wrapped file (.fits.gz) is inflated in
 * memory, no further than its headers declare. Errors name the file and the
 * problem: AIA_ERR_IO, AIA_ERR_NOT_REGULAR, AIA_ERR_NOT_FITS,
 * AIA_ERR_TRUNCATED, AIA_ERR_NO_IMAGE, AIA_ERR_FITS, AIA_ERR_NOMEM,
 * AIA_ERR_CORRUPT (a header or tile structure that is inconsistent or unsafe
 * to decode), AIA_ERR_CHECKSUM (DATASUM/CHECKSUM disagree), AIA_ERR_UNSUPPORTED
 * (HCOMPRESS/PLIO tiles; an image over the size limit). Every header and
 * heap descriptor is checked before cfitsio reads the file, and every tile
 * before it is decoded. No header key is checked: use aia_meta_parse /
 * aia_meta_require for that. Re-entrant (one cfitsio handle per call). */
AIA_API int aia_image_read(const char *path, aia_pixtype pixtype, aia_image **out);

typedef struct aia_read_options {
    int verify_checksums;    /* 1 (default): refuse a file whose DATASUM or
                                CHECKSUM disagree with its bytes (checked
                                for the primary and the image HDU)          */
    long long max_pixels;    /* refuse larger images (default 2^30, 32768^2;
                                0 for the default)                          */
} aia_read_options;

/* Defaults: verify checksums, at most 2^30 pixels. */
AIA_API void aia_read_options_default(aia_read_options *opts);

/* aia_image_read_into with options (NULL: the defaults). */
AIA_API int aia_image_read_with(const char *path, aia_pixtype pixtype, const aia_read_options *opts,
                                aia_image **img);

/* aia_image_read into *img, reusing its buffer when it is large enough (a
 * batch then does not pay page faults for a fresh 64 MiB buffer per frame).
 * *img may be NULL (a new image is made). On failure *img keeps its buffer
 * but its contents are undefined. */
AIA_API int aia_image_read_into(const char *path, aia_pixtype pixtype, aia_image **img);

/* The header of the image aia_image_read would read (primary HDU, or HDU 1
 * when the primary is empty), without its pixels: cheap, for naming an
 * output by its keys or asking JSOC about a frame. The same errors. */
AIA_API int aia_header_read(const char *path, aia_header **out);

/* ------------------------------------------------------------------------ */
/* Writing FITS                                                             */
/* ------------------------------------------------------------------------ */

typedef enum aia_out_type {
    AIA_OUT_AUTO = 0, /* int16 for images in DN (int32 if they do not fit),
                         float32 for images in other units (BUNIT not DN)   */
    AIA_OUT_INT16,    /* rounded half away from zero, NaN -> BLANK -32768  */
    AIA_OUT_INT32,    /* rounded half away from zero, NaN -> BLANK INT32_MIN */
    AIA_OUT_FLOAT32,
    AIA_OUT_FLOAT64
} aia_out_type;

typedef enum aia_compression {
    AIA_COMP_AUTO = 0, /* Rice for integer types, none for float types      */
    AIA_COMP_NONE,     /* plain image in the primary HDU                    */
    AIA_COMP_RICE,     /* Rice tile compression, one row per tile (lossless
                          for integers; lossy quantised for floats)         */
    AIA_COMP_GZIP2     /* GZIP_2 (byte-shuffled gzip), lossless for all     */
} aia_compression;

typedef struct aia_write_options {
    aia_out_type type;
    aia_compression compression;
    float quantize_level;    /* floats with Rice: cfitsio's q (default 4 if 0)  */
    int overwrite;           /* replace an existing output                      */
    const char *input_path;  /* if set, refuse to write over this file          */
    const char *history;     /* if set, appended as HISTORY cards               */
    const aia_image *extra;  /* if set, written after the image as a float32
                                extension (its header's EXTNAME names it),
                                Rice-quantised (q = 16) when the image is
                                compressed: e.g. the uncertainty            */
    int statistics;          /* state the written pixels in the header (each
                                HDU): DATAMIN, DATAMAX, DATAMEDN, DATAMEAN,
                                DATARMS, DATASKEW, DATAKURT, DATAVALS and
                                MISSVALS, replaced or added; DATAP01..99,
                                TOTVALS, PERCENTD updated where present.
                                Gathered in the passes the writer makes
                                anyway (the integer conversion counts each
                                code; floats: the NaN scan and the row
                                writes). Of integers: the stored values x
                                BSCALE; of Rice-quantised floats: the values
                                before quantisation. Definitions (JSOC's and
                                IDL's): rms with n - 1, skew and excess
                                kurtosis over n; median and DATAPnn the
                                values of rank n/2 and floor(nn n / 100)   */
    double quantum;          /* integer outputs: one stored step in the
                                image's units, written as BSCALE (BZERO 0),
                                so that sub-DN inputs (JSOC synoptic: 1/16
                                DN) keep their precision. Used when it is a
                                power of two below 1; otherwise (0, the
                                default) whole units                      */
    int bounded;             /* the caller knows every finite pixel lies in  */
    double bounds[2];        /* [bounds[0], bounds[1]] (a registration's clip,
                                scaled as the pixels were): integer outputs
                                then skip the pass that finds the range.
                                Checked as the pixels are converted: one
                                outside makes the writer start again with
                                that pass, so a wrong bound costs time, not
                                a wrong file. Used only where it leads to the
                                type the pass would choose (codes of int16's
                                span)                                      */
} aia_write_options;

typedef struct aia_write_result {
    aia_out_type type;             /* the type actually written              */
    aia_compression compression;   /* the compression actually used          */
    int promoted_to_int32;         /* AUTO chose int32: values exceed int16  */
    long long blank_pixels;        /* NaN pixels written as BLANK            */
    double quantum;                /* integer outputs: BSCALE written (1: whole
                                      units); 0 for floats                    */
} aia_write_result;

/* Default options: AUTO type and compression, no overwrite. */
AIA_API void aia_write_options_default(aia_write_options *opts);

/* Decide the output type and compression for img under opts, as
 * aia_image_write would (no file is touched). */
AIA_API int aia_resolve_output(const aia_image *img, const aia_write_options *opts,
                               aia_out_type *type, aia_compression *compression,
                               int *promoted_to_int32);

/* Write img to path atomically: the data go to a temporary file in the same
 * directory (".<name>.<host>.<pid>-<n>.aiaprep-tmp") which is renamed to path
 * only when complete, so no partial file ever has the final name; on failure
 * the temporary is removed. Integer outputs are Rice tile-compressed one row
 * per tile unless asked otherwise; a compressed image goes in HDU 1 after an
 * empty primary (JSOC layout), an uncompressed one in the primary HDU.
 * The header is img->header with the structural keys redone, plus BLANK for
 * integer types, CHECKSUM/DATASUM, and opts->history. res may be NULL. */
AIA_API int aia_image_write(const aia_image *img, const char *path,
                            const aia_write_options *opts, aia_write_result *res);

AIA_API const char *aia_out_type_name(aia_out_type t);
AIA_API const char *aia_compression_name(aia_compression c);

/* ------------------------------------------------------------------------ */
/* Registration: level 1 -> level 1.5 (aiapy.calibrate.register)            */
/* ------------------------------------------------------------------------ */

/* sunpy's contains_full_disk, from the header and the frame border: every
 * border pixel centre off the solar disk (angular distance from the Sun
 * centre above asin(RSUN_REF / DSUN_OBS), full TAN WCS) and the Sun centre
 * inside the frame. AIA_ERR_NOT_FULL_DISK says why not. */
AIA_API int aia_check_full_disk(const aia_meta *meta, long width, long height);

typedef enum aia_interp {
    AIA_INTERP_SPLINE = 0,          /* B-spline of `order`, as scipy (aiapy)  */
    AIA_INTERP_CUBIC_CONVOLUTION    /* Keys, a = -0.5, as IDL aia_prep        */
} aia_interp;

typedef enum aia_grid {
    AIA_GRID_FULL = 0, /* the input's shape (4096 x 4096 for full-resolution
                          AIA) with the Sun centre at the array centre
                          (CRPIX 2048.5), as JSOC/IDL level 1.5            */
    AIA_GRID_AIAPY     /* aiapy's own shape by sunpy's padding rule (e.g.
                          4094 x 4094, CRPIX 2047.5, for CDELT < 0.6 and a
                          small roll). Where the grids overlap they sample
                          the same sky positions with equal values.        */
} aia_grid;

/* What fills the output where the input has no pixel (aiapy's `missing`). */
typedef enum aia_missing {
    AIA_MISSING_AUTO = 0, /* the image minimum for full frames (aiapy's
                             default); NaN outside a cutout's footprint     */
    AIA_MISSING_MIN,      /* the image minimum, for cutouts too             */
    AIA_MISSING_NAN,      /* NaN; as in sunpy, the NaN padding also makes
                             the frame's edge pixels NaN (a blob wide)      */
    AIA_MISSING_VALUE     /* missing_value; the clip then takes in the value */
} aia_missing;

typedef struct aia_register_options {
    int order;          /* B-spline order 0..5 (default 3)                  */
    aia_interp interp;
    aia_grid grid;
    double scale;       /* target plate scale, arcsec/px; 0 (default):
                           aiapy's, 0.6 (k x 0.6 for maps already binned).
                           Another scale sizes the output to the default
                           grid's field of view (2048 x 2048 for 1.2"/px) */
    aia_missing missing;
    double missing_value; /* for AIA_MISSING_VALUE                          */
    const char *device; /* where the pixels are computed (aia_device_resolve;
                           default "cpu")                                   */
} aia_register_options;

typedef struct aia_register_info {
    double scale_factor;        /* s = CDELT1 / target scale                  */
    double target_scale;        /* arcsec/px: 0.6, or k*0.6 for binned maps   */
    long pad_x, pad_y;          /* sunpy's padding (negative: unpadding)      */
    float missing;              /* fill value: the image minimum, as aiapy (or
                                   the value asked for, or NaN)               */
    long long nan_input;        /* NaN pixels in the input                    */
    long long nan_output;       /* NaN pixels in the output (dilated blobs)  */
    int level_warning;          /* LVL_NUM missing or > 1: already registered? */
    double seconds_scan;        /* wall time: input statistics               */
    double seconds_prefilter;   /* ... spline coefficients of the padded frame */
    double seconds_sample;      /* ... sampling through the affine map        */
    double seconds_finish;      /* ... NaN blobs                              */
    int cutout;                 /* the input was registered as a cutout       */
    long ccd_x0, ccd_y0;        /* ... its origin on the 4096 x 4096 CCD       */
    long grid_x0, grid_y0;      /* ... the output's origin in the full level-1.5 grid */
    long grid_width, grid_height; /* ... the full level-1.5 grid's shape       */
    float clip_min, clip_max;   /* every finite output pixel lies in [clip_min,
                                   clip_max]: sunpy's clip to the range of the
                                   input and of a fill value               */
} aia_register_info;

AIA_API void aia_register_options_default(aia_register_options *opts);

/* A registration plan: everything aiapy's register derives from a header
 * and a shape before touching a pixel (aiapy-reference.md §2): the
 * full-disk check, the scale to 0.6"/px (CDELT1 sets it), sunpy's padding
 * with the image minimum, rotation to solar north about the reference pixel,
 * the Sun at the array centre, the output grid and its header keys. Build it
 * once for a frame and execute it on the frame and on anything on the same
 * grid (its uncertainty). Errors say what in the header is wrong.
 *
 * Cutouts: an image that is not full disk but is a cutout of a
 * full-resolution level-1 frame (smaller than 4096 x 4096, CRPIX relative
 * to it and the frame's Sun centre X0_MP/Y0_MP in the header, so that
 * X0_MP + 1 - CRPIX1 and Y0_MP + 1 - CRPIX2, its origin on the CCD, are
 * whole pixels and it lies on the CCD) is registered with its full frame's
 * transform. The output is the part of the full level-1.5 grid that covers
 * the cutout's footprint (its bounding box, rounded outward); pixels
 * outside the footprint are NaN (AIA_MISSING_AUTO); the header has the
 * full-frame output's world coordinates (CRPIX offset by the part's
 * origin) and GRID_X0, GRID_Y0, GRID_NX, GRID_NY saying which part of the
 * grid it is. The cutout's own edges are mirror boundaries (scipy's rule at
 * any array edge) and its clip is its own range: where the interpolation
 * stencil and the prefilter's reach (for order 3: differences above 2e-6
 * of the range within 10 pixels of the border, 8.7 measured) lie inside the
 * cutout, the pixels are the full frame's (to float32 round-off, clipped to
 * the cutout's range). Anything else that is not full disk is
 * AIA_ERR_NOT_FULL_DISK, saying why it is neither. An image that passes the
 * full-disk check is a frame of its own (aiapy's rule). */
typedef struct aia_register_plan aia_register_plan;
AIA_API int aia_register_plan_new(const aia_header *hdr, long width, long height,
                                  const aia_register_options *opts, aia_register_plan **plan);
AIA_API void aia_register_plan_free(aia_register_plan *plan);

/* The output's shape. */
AIA_API void aia_register_plan_shape(const aia_register_plan *plan, long *width, long *height);

/* Give a header (a copy of the input's, or of anything on its grid) the
 * level-1.5 keys of this plan: NAXISn, CRPIX, CDELT, PCi_j (CROTA and CD
 * removed), R_SUN = RSUN_OBS/CDELT1, LVL_NUM = 1.5. */
AIA_API int aia_register_plan_header(const aia_register_plan *plan, aia_header *hdr);

/* The pixels: scipy's B-spline (prefilter and weights) or Keys, NaN pixels
 * carried as NaN blobs (k x k box, bilinear), clipped to the input range.
 * in: float32, the plan's input shape; out: float32, the plan's output
 * shape (aia_register_plan_shape). out may be in itself (the same pixels,
 * shape and stride: a full frame at the default scale) to register in
 * place, which saves a frame of memory; any other overlap is refused. ws:
 * scratch (NULL: allocated for this call). info may be NULL. Multi-threaded
 * (OpenMP); re-entrant: threads may execute one plan at once, each with its
 * own workspace. */
AIA_API int aia_register_execute(const aia_register_plan *plan, aia_view in, aia_view out, aia_workspace *ws,
                                 aia_register_info *info);

/* The whole step on an image: plan, a new output image with the updated
 * header, execute. The input must be float32; it is not changed. */
AIA_API int aia_register(const aia_image *in, const aia_register_options *opts, aia_image **out,
                         aia_register_info *info);

/* ------------------------------------------------------------------------ */
/* The point-spread function (aiapy.psf.calculate_psf)                      */
/* ------------------------------------------------------------------------ */

typedef struct aia_psf_options {
    int channel;          /* 94, 131, 171, 193, 211, 304, 335                   */
    int preflight_core;   /* the preflight core width instead of the default    */
    const int *orders;    /* diffraction orders to sum; NULL: -100..100         */
    int norders;
    int threads;          /* threads for the FFTs (0: OpenMP's default)         */
    const char *device;   /* where it is computed (aia_device_resolve; default
                             "cpu"); the PSF is the same within 1e-10          */
} aia_psf_options;

typedef struct aia_psf_info {
    double seconds_spikes;  /* the two mesh patterns                          */
    double seconds_fft;     /* their composite by real FFTs                    */
    int from_cache;         /* aia_psf_cached: read from the cache             */
} aia_psf_info;

AIA_API void aia_psf_options_default(aia_psf_options *opts, int channel);

/* The 4096 x 4096 float64 PSF of a channel, as aiapy's calculate_psf (0.12):
 * peak at [2048][2048], sum 1. Channels without a mesh model (1600, 1700,
 * 4500) are AIA_ERR_UNSUPPORTED. Multi-threaded (OpenMP, FFTW threads);
 * about 400 MiB of memory while it runs. info may be NULL. */
AIA_API int aia_psf(const aia_psf_options *opts, aia_image **out, aia_psf_info *info);

/* The cache directory: $AIAPREP_CACHE, else $XDG_CACHE_HOME/aiaprep, else
 * $HOME/.cache/aiaprep. */
AIA_API int aia_cache_dir(char *buf, size_t size);

/* aia_psf through a cache directory (NULL: aia_cache_dir()): a PSF computed
 * once is read back afterwards; a cache file that is damaged (checksum) or
 * does not match (channel, core, orders, model version) is recomputed and
 * replaced. A cache that cannot be written is not an error (the PSF is
 * returned all the same). */
AIA_API int aia_psf_cached(const aia_psf_options *opts, const char *cache_dir, aia_image **out,
                           aia_psf_info *info);

/* ------------------------------------------------------------------------ */
/* PSF deconvolution (aiapy.psf.deconvolve), Richardson–Lucy               */
/* ------------------------------------------------------------------------ */

typedef struct aia_deconv_plan aia_deconv_plan;

typedef struct aia_deconv_options {
    int iterations;     /* default 25, as aiapy                                */
    int clip_negative;  /* negative pixels set to 0 first (default 1, aiapy)   */
} aia_deconv_options;

typedef struct aia_deconv_info {
    long long filled_pixels;   /* NaN/BLANK pixels filled before, NaN after   */
    long long negative_pixels; /* negative pixels (set to 0 if clip_negative)  */
    double seconds;            /* the iterations                               */
} aia_deconv_info;

AIA_API void aia_deconv_options_default(aia_deconv_options *opts);

/* Build a plan for one PSF (n x n, n even and a multiple of 8; aiapy's are
 * 4096 x 4096 float64): its spectrum in the chosen precision (AIA_PIX_F32,
 * the default of aiaprep, or AIA_PIX_F64, aiapy's) and the FFT plans
 * (measured once; wisdom is kept in the cache directory). threads: for the
 * FFTs and the iterations (0: OpenMP's default). Memory: the spectrum,
 * 64 MiB (single) or 128 MiB (double) for 4096². Build one per channel and
 * use it for every image of that channel. */
AIA_API int aia_deconv_plan_new(const aia_image *psf, aia_pixtype precision, int threads, aia_deconv_plan **plan);
/* The same on a device (aia_device_resolve; NULL: "cpu"): a CUDA plan keeps
 * the spectrum on the device, and each execute uploads the image, iterates
 * there and brings the result back. */
AIA_API int aia_deconv_plan_new_on(const aia_image *psf, aia_pixtype precision, int threads, const char *device,
                                   aia_deconv_plan **plan);
/* The device the plan computes on: "cpu" or "cuda:N". */
AIA_API const char *aia_deconv_plan_device(const aia_deconv_plan *plan);
AIA_API void aia_deconv_plan_free(aia_deconv_plan *plan);
AIA_API aia_pixtype aia_deconv_plan_precision(const aia_deconv_plan *plan);

/* Richardson–Lucy deconvolution of level-1 pixels (before registration:
 * the PSF applies to the level-1 grid), aiapy's update rule exactly:
 *   est = u (*) psf;  u *= (img / est) (*) flipped psf;  from u = img.
 * Unlike aiapy, NaN/BLANK pixels do not turn the image into NaN: each is
 * filled before the iterations with the mean of the finite pixels in the
 * smallest box around it (3x3, 5x5, 9x9, ... up to 129x129) that has any
 * (else the median of the image), and is NaN again in the output. Where
 * the estimate is exactly 0 the ratio is taken as 0 (aiapy: NaN, everywhere).
 * in and out: the PSF's shape, float32 or float64 each (the arithmetic is
 * the plan's precision). Re-entrant: several threads may use one plan at
 * once. Memory per call, 4096²: about 4 image-sized buffers of the plan's
 * precision plus the filled input in double; ~390 MiB single. */
AIA_API int aia_deconvolve_execute(const aia_deconv_plan *plan, aia_view in, aia_view out,
                                   const aia_deconv_options *opts, aia_deconv_info *info);

/* Level 1.6 pixels in one call: the deconvolution of in (a full level-1
 * frame, as aia_deconvolve_execute) followed by the registration of its
 * result with reg (a plan for in's header and shape) into out (float32,
 * reg's output shape). When both plans are on the same CUDA device the
 * frame stays on it between the two steps (dinfo's seconds then count
 * both); otherwise this is aia_deconvolve_execute into a float32 frame and
 * aia_register_execute on it, with their results. dinfo, rinfo may be
 * NULL; ws as for aia_register_execute. */
AIA_API int aia_deconvolve_register_execute(const aia_deconv_plan *deconv, const aia_register_plan *reg, aia_view in,
                                            aia_view out, const aia_deconv_options *opts, aia_workspace *ws,
                                            aia_deconv_info *dinfo, aia_register_info *rinfo);

/* The DCN* header keys that say how an image was deconvolved. */
AIA_API int aia_deconvolve_header(const aia_deconv_plan *plan, const aia_deconv_options *opts, aia_header *hdr);

/* The whole step on an image: the output (float32 for a single plan,
 * float64 for a double one) with the input's header and the DCN* keys. */
AIA_API int aia_deconvolve(const aia_deconv_plan *plan, const aia_image *in, const aia_deconv_options *opts,
                           aia_image **out, aia_deconv_info *info);

/* ------------------------------------------------------------------------ */
/* Calibration: pointing, degradation, uncertainty, respike, exposure       */
/* (aiapy 0.12). Each works on a header and, where it changes pixels, a     */
/* view of them (aia_image_view for an image).                              */
/* ------------------------------------------------------------------------ */

/* The master pointing table (aia.master_pointing3h) read from a file: the
 * daily CSV copy (T_START, T_STOP, A_<www>_X0/Y0/IMSCALE/INSTROT; UTC times)
 * or a JSOC export (the same keys; CSV or blank-separated; times such as
 * 2014.01.01_00:00:00_TAI, converted with the leap seconds). Empty or
 * MISSING entries are missing values. The tool never downloads tables. */
typedef struct aia_pointing_table aia_pointing_table;
AIA_API int aia_pointing_table_read(const char *path, aia_pointing_table **table);
AIA_API void aia_pointing_table_free(aia_pointing_table *table);

enum { /* aia_pointing_report.warnings, as aiapy warns */
    AIA_POINTING_WARN_RESAMPLED = 1,     /* |CDELT/0.6 - 1| >= 0.01: a resampled map     */
    AIA_POINTING_WARN_DATE_OBS = 2,      /* no T_OBS: DATE-OBS used                       */
    AIA_POINTING_WARN_NO_MP = 4,         /* X0_MP/Y0_MP missing: CRPIX left alone          */
    AIA_POINTING_WARN_MISSING_VALUE = 8, /* table entries missing: those keys left alone  */
    AIA_POINTING_WARN_NO_SAT_ROT = 16    /* SAT_ROT missing: CROTA2 left alone            */
};

typedef struct aia_pointing_report {
    long row;                       /* 0-based row of the table used          */
    char t_start[32], t_stop[32];   /* its interval (UTC)                     */
    double old_crpix[2], new_crpix[2];
    double old_cdelt, new_cdelt;
    double old_crota2, new_crota2;
    double old_x0, new_x0, old_y0, new_y0;
    unsigned warnings;              /* AIA_POINTING_WARN_* bits                */
    char missing[160];              /* the table keys that were missing       */
} aia_pointing_report;

/* aiapy's update_pointing: the first row with T_START <= T_OBS < T_STOP;
 * CRPIX updated relatively (CRPIX += X0_new - X0_MP), CDELT1 = CDELT2 =
 * IMSCALE, CROTA2 = INSTROT + SAT_ROT, X0_MP/Y0_MP, PCi_j removed. A missing
 * value skips its key (warning); no covering row, or no columns for the
 * channel (the daily CSV has none for 131 A), is an error naming the table. */
AIA_API int aia_update_pointing(aia_header *hdr, const aia_pointing_table *table, aia_pointing_report *report);

/* The SSW response table (aia_V10_..._response_table.txt: DATE T_START
 * T_STOP VER_NUM WAVE_STR WAVELNTH ... EFF_AREA ... EFFA_P1 EFFA_P2 EFFA_P3). */
typedef struct aia_response_table aia_response_table;
AIA_API int aia_response_table_read(const char *path, aia_response_table **table);
AIA_API void aia_response_table_free(aia_response_table *table);

/* aiapy's degradation(channel, time, calibration_version): rows of the
 * channel's WAVE_STR ("171_THIN", "1600") and VER_NUM == version (capped at 3
 * for 4500); the last epoch with T_START <= t < T_STOP; dt in elapsed days
 * (TAI, leap seconds counted); factor = (P1 dt + P2 dt^2 + P3 dt^3 + 1) x
 * EFF_AREA[epoch] / EFF_AREA[first row]. time: ISO UTC. */
AIA_API int aia_degradation(const aia_response_table *table, int channel, const char *time, int version,
                            double *factor);

/* correct_degradation: pixels * (1 / degradation at DATE-OBS); header
 * DEGRADAT (the factor) and DEGRVER. factor may be NULL. */
AIA_API int aia_correct_degradation(aia_view pixels, aia_header *hdr, const aia_response_table *table,
                                    int version, double *factor);

/* The V3 error table (aia_V3_error_table.txt: WAVELNTH DNPERPHT COMPRESS
 * CALERR CHIANTI EVEERR per channel). */
typedef struct aia_uncertainty_table aia_uncertainty_table;
AIA_API int aia_uncertainty_table_read(const char *path, aia_uncertainty_table **table);
AIA_API void aia_uncertainty_table_free(aia_uncertainty_table *table);

typedef struct aia_uncertainty_options {
    int n_sample;          /* pixels averaged (default 1)                        */
    int include_preflight; /* the preflight calibration error (CALERR)           */
    int include_eve;       /* the EVE calibration error (EVEERR); not with preflight */
    int include_chianti;   /* the CHIANTI atomic-data error                      */
    int compare_idl;       /* read noise 1.15 for every channel (IDL's)          */
} aia_uncertainty_options;
AIA_API void aia_uncertainty_options_default(aia_uncertainty_options *opts);

/* The terms of the model for one channel. */
typedef struct aia_uncertainty_terms {
    double dn_per_photon, compress, calibration, chianti, read_noise;
    int n_sample;
} aia_uncertainty_terms;
AIA_API int aia_uncertainty_model(const aia_uncertainty_table *table, int channel,
                                  const aia_uncertainty_options *opts, aia_uncertainty_terms *terms);

/* aiapy's estimate_error for counts c (DN/pixel):
 *   sqrt(shot^2 + 0.18^2 + read^2 + quant^2 + comp^2 + chianti^2 + calib^2)
 * with shot = sqrt(c/g) g/sqrt(n), read = RN/sqrt(n), quant = 12^-1/2/sqrt(n),
 * comp = max(shot/COMPRESS, 12^-1/2) (0 below 25 counts) / sqrt(n). NaN for
 * c < 0, as aiapy. */
AIA_API double aia_uncertainty_of(const aia_uncertainty_terms *terms, double counts);

/* The errors of level-1 counts (negative counts taken as 0, NaN kept) into
 * out (the shape of counts; either type each). */
AIA_API int aia_estimate_error(aia_view counts, const aia_uncertainty_terms *terms, aia_view out);

/* The same as an image: counts' shape, type and header, EXTNAME
 * 'UNCERTAINTY', the channel's terms from the table. */
AIA_API int aia_uncertainty_image(const aia_image *counts, const aia_uncertainty_table *table,
                                  const aia_uncertainty_options *opts, aia_image **out);

/* aiapy's respike: put back the pixels JSOC's cosmic-ray removal replaced,
 * from the frame's spikes file (FITS, 2 x N int32: flat indices into the
 * 4096 x 4096 frame, then values). Needs LVL_NUM 1.0 and NSPIKES != 0; a
 * file whose count differs from NSPIKES, or with indices outside the frame,
 * is refused. Sets LVL_NUM 0.5, NSPIKES 0 and a COMMENT. count may be NULL. */
AIA_API int aia_respike(aia_view pixels, aia_header *hdr, const char *spikes_path, long *count);

/* Divide by EXPTIME the way sunpy does (multiply by 1/EXPTIME) and set BUNIT
 * to 'DN/s' (the form sunpy 4.1 parses). EXPTIME missing or <= 0, or an
 * image already per second, is an error. */
AIA_API int aia_normalize_exposure(aia_view pixels, aia_header *hdr);

/* ------------------------------------------------------------------------ */
/* Synthetic level-1 frames                                                 */
/* ------------------------------------------------------------------------ */

typedef struct aia_synth_params {
    int channel;          /* 94, 131, 171, 193, 211, 304, 335, 1600, 1700, 4500 */
    long size;            /* width = height (default 4096)                      */
    double roll_deg;      /* CROTA2 = INST_ROT + SAT_ROT (deg)                  */
    double scale_arcsec;  /* CDELT1 = CDELT2 = IMSCL_MP (arcsec/px)             */
    double center_x;      /* Sun centre X0_MP, 0-based px                       */
    double center_y;      /* Sun centre Y0_MP, 0-based px                       */
    uint64_t seed;        /* noise seed; same seed => same frame on any threads */
} aia_synth_params;

/* Channel-typical defaults (plate scale, roll, Sun centre slightly off the
 * array centre) for a size x size frame; sizes other than 4096 scale the
 * plate scale by 4096/size so that the whole disk and some corona fit. */
AIA_API int aia_synth_defaults(int channel, long size, aia_synth_params *params);

/* Render a realistic full-disk level-1 frame: limb-brightened disk, active
 * regions, a polar coronal hole and a corona falling off above the limb, seen
 * through the frame's WCS (so a rolled frame is rolled on the sky), with
 * photon and read noise, integer DN values (float32), and a complete AIA
 * level-1 header (WCS, pointing and observer keys consistent). */
AIA_API int aia_synth(const aia_synth_params *params, aia_image **out);

/* ======================================================================== */
/* Part 2 — batch plumbing: files through the steps, and the pipeline        */
/* ======================================================================== */

/* Output file name for an input: in outdir (may be NULL or ""), without a
 * template the input's base name with each "lev1" that marks level 1
 * replaced by level (e.g. "lev1.5": JSOC's
 * aia.lev1_euv_12s.2014-01-01T000011Z.171.image_lev1.fits becomes
 * aia.lev1.5_euv_12s.2014-01-01T000011Z.171.image_lev1.5.fits), or with
 * "_<level>" added before the extension when the name has none ("lev15",
 * "lev1.5", "lev1.6" do not count; "lev1.1600A" does). With a template,
 * fields in braces are replaced: {stem} (the input's name without
 * extension), {name} (the default name without .fits), {level}; and from
 * the header: {t_obs} (T_OBS as 2014-01-01T000012Z), {date} (2014-01-01),
 * {time} (000012), {year}, {month}, {day}, {hour}, {wave} (WAVELNTH as 4
 * digits, 0171), or any key in lower case ({wavelnth}, {fsn}, ...; the
 * value with characters other than [A-Za-z0-9._+-] made '_'). A template
 * may name subdirectories ("{date}/{wave}/{stem}"); it may not leave outdir
 * (no leading '/', no ".."). The extension becomes ".fits". Header fields
 * need hdr (aia_output_path has none: AIA_ERR_ARG); a key the header lacks
 * is AIA_ERR_KEY_MISSING naming it. */
AIA_API int aia_output_path(const char *input, const char *outdir, const char *level, const char *tmpl,
                            char *out, size_t size);
AIA_API int aia_output_path_header(const char *input, const aia_header *hdr, const char *outdir,
                                   const char *level, const char *tmpl, char *out, size_t size);

/* ---- calibration tables: fetched and cached ----------------------------- */

/* Where the calibration tables come from and where they are kept. Every
 * file fetched lands in the cache directory under a temporary name, is
 * checked (read by the parser that will use it; a known checksum compared)
 * and only then renamed into place, beside a sidecar NAME.source (JSON:
 * url, sha256, bytes) that records where it came from; nothing
 * half-written is ever left under a final name. A cached file is used as
 * long as it matches its sidecar's checksum. */
typedef struct aia_fetch_options {
    const char *cache_dir; /* NULL: aia_cache_dir() + "/tables"                  */
    const char *jsoc_url;  /* NULL: $AIAPREP_JSOC_URL, else http://jsoc.stanford.edu */
    const char *ssw_url;   /* NULL: $AIAPREP_SSW_URL, else
                              https://soho.nascom.nasa.gov/solarsoft/ (SSW)       */
    double timeout;        /* seconds to connect, and without a byte arriving
                              (0: $AIAPREP_FETCH_TIMEOUT, else 30)               */
    int offline;           /* never touch the network: what is cached or an error */
    int refresh;           /* fetch again what is cached                          */
} aia_fetch_options;

AIA_API void aia_fetch_options_default(aia_fetch_options *opts);

/* 1 when the library can download (it was built with libcurl); without it
 * the aia_fetch_* functions use the cache only and say so when a file is
 * missing. */
AIA_API int aia_fetch_available(void);

/* The master pointing table (JSOC's aia.master_pointing3h) for one UTC day
 * (day: "YYYY-MM-DD", or any ISO time in that day): the records with
 * T_START from the day before to the day after, every channel (131 A
 * included, which the daily CSV copy lacks), from JSOC's JSON interface
 * (jsoc_info?op=rs_list&ds=aia.master_pointing3h[START-END]&key=**ALL**, as
 * aiapy's get_pointing_table asks through drms), cached as the CSV
 * aia_pointing_table_read reads: aia.master_pointing3h_YYYY-MM-DD.csv.
 * path (may be NULL) gets the cached file. */
AIA_API int aia_fetch_pointing(const aia_fetch_options *opts, const char *day, char *path, size_t size);

/* An SSW table of sdo/aia/response/ by file name (the response tables
 * degradation uses, the error table estimate_error uses). The two aiapy
 * uses are checked against aiapy's SHA-256: aia_V10_20201119_190000_
 * response_table.txt and aia_V3_error_table.txt; any other name is recorded
 * with its checksum. The file must parse as a response table
 * (aia_response_table_read) or, for names with "error_table", as an error
 * table. */
AIA_API int aia_fetch_ssw_table(const aia_fetch_options *opts, const char *name, char *path, size_t size);
/* The names aiapy uses: the response table of a calibration version (10),
 * and the V3 error table. */
AIA_API const char *aia_response_table_name(int version);
AIA_API const char *aia_error_table_name(void);

/* The cache directory of fetched tables: opts->cache_dir, else
 * aia_cache_dir() + "/tables" (created if missing). Spikes files fetched
 * for `--respike-dir auto` go to its spikes/ folder. */
AIA_API int aia_fetch_cache_dir(const aia_fetch_options *opts, char *buf, size_t size);

/* Where prep --respike-dir DIR looks for an input's spikes file:
 * DIR/<input's name without .fits>.spikes.fits. */
AIA_API int aia_spikes_path(const char *input, const char *dir, char *out, size_t size);

/* The spikes file of a level-1 frame (from its header: DATE-OBS and
 * WAVELNTH, as aiapy's fetch_spikes): JSOC's spikes segment of
 * aia.lev1_euv_12s[DATE-OBS/12s][WAVELNTH=w] (aia.lev1_uv_24s for 1600,
 * 1700, 4500), written to dest atomically (a FITS file of 2 x N integers,
 * what aia_respike reads) with its sidecar. */
AIA_API int aia_fetch_spikes(const aia_fetch_options *opts, const aia_header *frame, const char *dest);

/* ---- preparation options (opaque) --------------------------------------- */

/* What prep does with a frame whose QUALITY has flags of its quality mask
 * (aia_quality_flags_that_apply: on a cutout not the missing-pixel bits). */
typedef enum aia_quality_mode {
    AIA_QUALITY_WARN = 0, /* process it, with a warning naming the flags (default) */
    AIA_QUALITY_SKIP,     /* skip it (SKIPPED, counted by flag in the summary)      */
    AIA_QUALITY_IGNORE    /* neither: QUALITY is only logged                       */
} aia_quality_mode;

/* Per file, in this order (aiapy's preparing_data guide, 0.8+): the
 * QUALITY check -> pointing update -> respike -> [uncertainty from the
 * counts] -> PSF deconvolution -> registration (the uncertainty with the
 * same plan) -> degradation -> exposure normalisation -> write. Each step
 * runs only when its option is set. */
typedef struct aia_prep_options aia_prep_options;

/* Options with every default (registration only, int16 Rice output). */
AIA_API aia_prep_options *aia_prep_options_new(void);
AIA_API void aia_prep_options_free(aia_prep_options *opts);

/* Set one option by the name of the aiaprep prep command-line option,
 * value as on the command line (NULL for a switch). Tables named here are
 * read at once (an unreadable one is an error). The names:
 *   output DIR, output-template T, order N, interp spline|cubic-convolution,
 *   grid 4096|aiapy, normalize, respike FILE, respike-dir DIR, pointing TABLE,
 *   deconvolve, psf FILE, preflight, iterations N, precision single|double,
 *   no-clip, degradation TABLE, calibration-version N, uncertainty TABLE,
 *   uncertainty-file, include-preflight, include-eve, include-chianti,
 *   n-sample N, dtype T, compress C, overwrite, history TEXT,
 *   scale ARCSEC, missing VALUE|nan|min, quality warn|skip|ignore,
 *   quality-mask MASK (a number, 0x... hex, or bit numbers "13,16,18"),
 *   no-verify, offline, jsoc-url URL, ssw-url URL, cache DIR, fetch-timeout S,
 *   device auto|cpu|cuda|cuda:N (where the pixels are computed; default
 *   cpu), device-files N (at most N files on a CUDA device at once; default
 *   0: as its memory allows).
 * pointing, degradation and uncertainty take "auto": the tables of the
 * cache (aia_fetch_*), fetched when missing unless offline; the pointing
 * table of each input's day, looked up when the input is processed.
 * Errors (AIA_ERR_ARG, or the table's) say which option and why. */
AIA_API int aia_prep_option(aia_prep_options *opts, const char *name, const char *value);

/* Check that the options make sense together for a run of n_inputs files
 * (an output directory, --respike with one input, ...). */
AIA_API int aia_prep_options_check(const aia_prep_options *opts, long n_inputs);

/* The output directory ("" if none was set). */
AIA_API const char *aia_prep_options_outdir(const aia_prep_options *opts);

/* Make sure the "auto" tables that do not depend on the inputs
 * (degradation, uncertainty) are in the cache, fetching them unless
 * offline, so that a run that cannot have them stops before its first
 * file. (Without this call they are fetched at the first file.) */
AIA_API int aia_prep_prefetch(const aia_prep_options *opts);

/* The science options in the canonical form the outputs' HISTORY carries
 * ("aiaprep VERSION options: ..."): every option that changes an output,
 * with its value in effect, tables by checksum or "auto". */
AIA_API void aia_prep_options_describe(const aia_prep_options *opts, char *buf, size_t size);

/* ---- one file through the stages (opaque items) ------------------------- */

enum { AIA_PREP_STAGES = 3 }; /* load, process, store */
typedef enum aia_prep_status { AIA_PREP_PENDING, AIA_PREP_DONE, AIA_PREP_SKIPPED, AIA_PREP_FAILED } aia_prep_status;

/* What is shared by the threads of a run: the deconvolution plans, one per
 * channel, built on first use (thread-safe), with `threads` threads each
 * (0: OpenMP's default). */
typedef struct aia_prep_shared aia_prep_shared;
AIA_API aia_prep_shared *aia_prep_shared_new(const aia_prep_options *opts, int threads);
AIA_API void aia_prep_shared_free(aia_prep_shared *shared);

/* One file going through the stages. An item keeps its image buffers from
 * one input to the next (fresh 64 MiB buffers cost page faults). */
typedef struct aia_prep_item aia_prep_item;
AIA_API aia_prep_item *aia_prep_item_new(void);
AIA_API void aia_prep_item_free(aia_prep_item *item);

/* Set up an item for an input: its output name(s). Marks it SKIPPED when
 * the output exists (and overwrite is off). */
AIA_API int aia_prep_item_init(aia_prep_item *item, const char *input, const aia_prep_options *opts);

/* The stages. Each returns AIA_OK or marks the item FAILED (with the
 * message, which names the input) and returns the status; a FAILED or
 * SKIPPED item passes through the later stages untouched. `load` reads
 * (and judges QUALITY); `process` does the science with the worker's
 * workspace, in aiapy's order (pointing, respike, uncertainty, deconvolution,
 * registration, degradation, exposure); `store` writes atomically. */
AIA_API int aia_prep_load(aia_prep_item *item, const aia_prep_options *opts);
AIA_API int aia_prep_process(aia_prep_item *item, const aia_prep_options *opts, aia_prep_shared *shared,
                             aia_workspace *ws);
AIA_API int aia_prep_store(aia_prep_item *item, const aia_prep_options *opts);

/* What an item holds. The strings stay valid until the item is set up again. */
AIA_API const char *aia_prep_item_input(const aia_prep_item *item);
AIA_API const char *aia_prep_item_output(const aia_prep_item *item);
AIA_API aia_prep_status aia_prep_item_status(const aia_prep_item *item);
AIA_API int aia_prep_item_error(const aia_prep_item *item);           /* aia_status when FAILED   */
AIA_API const char *aia_prep_item_message(const aia_prep_item *item); /* the error, or why skipped */
AIA_API const char *aia_prep_item_warnings(const aia_prep_item *item);/* '; '-separated, or ""     */
AIA_API double aia_prep_item_seconds(const aia_prep_item *item, int stage);
AIA_API aia_write_result aia_prep_item_written(const aia_prep_item *item); /* when DONE           */
/* Notes that are not warnings, '; '-separated, or "": e.g. that the input
 * was registered as a cutout, where it lies and which part of the grid it
 * became. */
AIA_API const char *aia_prep_item_notes(const aia_prep_item *item);
/* The input's QUALITY: 1 and *quality when its header had one, else 0;
 * *skipped_for: the flags it was skipped for (--quality skip), else 0.
 * Either pointer may be NULL. */
AIA_API int aia_prep_item_quality(const aia_prep_item *item, uint32_t *quality, uint32_t *skipped_for);

/* An item's result as bytes, and back (for carrying results between
 * processes: the MPI mode). encode returns the bytes needed (write nothing
 * if size is smaller); decode fails on bytes that are not an item. */
AIA_API size_t aia_prep_item_encode(const aia_prep_item *item, void *buf, size_t size);
AIA_API int aia_prep_item_decode(aia_prep_item *item, const void *buf, size_t size);

/* The JSON log (JSON lines, one object a line, "record" saying which):
 *   run      first: "program", "version", "start" (ISO UTC), "host", "pid",
 *            "kernels", "threads", "inputs", "output" (the directory),
 *            "options" (aia_prep_options_describe)
 *   file     one per file: "input", "output", "status" (done, skipped or
 *            failed), "error" (the message, or null), "warnings" (an array
 *            of strings), "notes" (a string: a cutout, ...), "quality"
 *            ({"value": N, "flags": [messages], "skipped_for": [names]} or
 *            null), "time" (ISO UTC, when it finished), "seconds"
 *            {"load", "process", "store"}
 *   summary  last: "end" (ISO UTC), "seconds" (wall), "total", "done",
 *            "skipped", "failed", "files_per_second", "workers",
 *            "threads_per_worker", "stage_median" {"load", "process",
 *            "store"} (over the files done)
 * aia_pipeline_run writes the file records (aia_pipeline_options.log);
 * the caller writes the run record before it and the summary after. */
struct aia_pipeline_summary; /* below, with the pipeline */
AIA_API void aia_prep_log_run(FILE *f, const aia_prep_options *opts, long n_inputs, int threads);
AIA_API void aia_prep_log_item(FILE *f, const aia_prep_item *item);
AIA_API void aia_prep_log_summary(FILE *f, const struct aia_pipeline_summary *sum);

/* ---- the pipeline ------------------------------------------------------- */

typedef struct aia_pipeline_summary {
    long total, done, skipped, failed;
    long not_started;                      /* left when the run was stopped      */
    int interrupted;                       /* opts->stop was set                 */
    double seconds;                        /* wall time so far / in all          */
    double stage_median[AIA_PREP_STAGES];  /* load, process, store, done files  */
    int workers, threads_per_worker;
    long skipped_quality;                  /* skipped for QUALITY flags ...      */
    long skipped_by_flag[32];              /* ... by flag (a file may count under several) */
} aia_pipeline_summary;

typedef struct aia_pipeline_options {
    int threads;          /* cores to use (0: all)                                 */
    int max_in_flight;    /* files held in memory at once (0: workers + 1, on a
                             GPU workers + 2); each
                             holds up to two 64 MiB images (4096² float32)         */
    FILE *log;            /* if set: one JSON line per file (aia_prep_log_item)    */
    /* Called as each file finishes, and every progress_interval seconds, with
     * the pipeline's lock held (keep them short). May be NULL. */
    void (*on_item)(const aia_prep_item *item, void *user);
    void (*on_progress)(const aia_pipeline_summary *sum, long finished, long total, void *user);
    double progress_interval;
    /* Where the inputs come from when aia_pipeline_run is given none (MPI
     * workers ask a dealer): called with the lock held each time a worker
     * can start a file; returns the next input (copied at once) or NULL
     * when there are no more. `total` is then 0 in on_progress. */
    const char *(*next_input)(void *user);
    void *user;
    /* If set: once *stop is nonzero (a signal handler may set it), no new
     * file is started; the files in flight are finished and published. */
    volatile int *stop;
} aia_pipeline_options;

AIA_API void aia_pipeline_options_default(aia_pipeline_options *opts);

/* Prepare n files (in this order of starting; with opts->next_input set,
 * from it instead) with `threads` cores: workers
 * take the most advanced task available (store, process, load), so stages of
 * different files overlap; each worker is single-threaded when there are
 * several (once every input has been started, idle workers' threads go to
 * the steps that start after). Every file is attempted; a bad one is reported and the others go
 * on. Returns AIA_OK unless the pipeline itself could not run. */
AIA_API int aia_pipeline_run(const char *const *inputs, long n, const aia_prep_options *prep,
                             const aia_pipeline_options *opts, aia_pipeline_summary *sum);

/* Before a run: AIA_ERR_ARG if two inputs would be written to the same
 * output name (two files with one base name from different directories),
 * naming both and the output. */
AIA_API int aia_prep_check_outputs(const aia_prep_options *prep, const char *const *inputs, long n);

/* The accounting of a run, for results that arrive from elsewhere (the
 * MPI dealer): each finished item counted, its stage times kept for the
 * medians, logged and passed to on_item, progress reported, exactly as
 * aia_pipeline_run does for its own. */
typedef struct aia_pipeline_tally aia_pipeline_tally;
AIA_API aia_pipeline_tally *aia_pipeline_tally_new(const aia_pipeline_options *opts, long total);
AIA_API void aia_pipeline_tally_add(aia_pipeline_tally *tally, const aia_prep_item *item);
AIA_API void aia_pipeline_tally_summary(aia_pipeline_tally *tally, aia_pipeline_summary *sum);
AIA_API void aia_pipeline_tally_free(aia_pipeline_tally *tally);

/* Remove the temporaries (".*.aiaprep-tmp") that killed runs of this machine
 * left in dir: those whose process no longer exists. */
AIA_API int aia_cleanup_temporaries(const char *dir, int *removed);

#ifdef __cplusplus
}
#endif
#endif /* AIAPREP_H */
