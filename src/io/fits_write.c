/* fits_write.c — write an image as FITS, atomically, in the output type and
 * compression the caller asks for (or the default for its units).
 *
 * Atomicity: the file is written under a temporary name in the destination
 * directory and renamed into place only when cfitsio has closed it without
 * error, so a crash or kill never leaves a partial file under the final name.
 * Temporary names end in ".aiaprep-tmp" so that a later run can find and
 * remove what a killed run left behind. */
#include "io/io.h"

#include "io/checksum.h"
#include "core/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <fitsio.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROWS_PER_CHUNK 256

void aia_write_options_default(aia_write_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->type = AIA_OUT_AUTO;
    opts->compression = AIA_COMP_AUTO;
}

const char *aia_out_type_name(aia_out_type t)
{
    switch (t) {
    case AIA_OUT_INT16: return "int16";
    case AIA_OUT_INT32: return "int32";
    case AIA_OUT_FLOAT32: return "float32";
    case AIA_OUT_FLOAT64: return "float64";
    default: return "auto";
    }
}

const char *aia_compression_name(aia_compression c)
{
    switch (c) {
    case AIA_COMP_NONE: return "none";
    case AIA_COMP_RICE: return "rice";
    case AIA_COMP_GZIP2: return "gzip2";
    default: return "auto";
    }
}

/* Images whose BUNIT is absent (AIA level 1 has none) or a plain count unit
 * hold DN and are stored as integers by default. */
static int is_in_dn(const aia_header *hdr)
{
    char unit[72];
    if (aia_header_get_string(hdr, "BUNIT", unit, sizeof unit) != AIA_OK) {
        aia_clear_error();
        return 1;
    }
    return strcasecmp(unit, "DN") == 0 || strcasecmp(unit, "ct") == 0 ||
           strcasecmp(unit, "count") == 0 || strcasecmp(unit, "counts") == 0;
}

/* The integer BLANK value of each type is reserved for NaN. */
static int fits_int_type(double lo, double hi, double tmin, double tmax)
{
    return lo > tmin && hi <= tmax;
}

int aia_resolve_output(const aia_image *img, const aia_write_options *opts, aia_out_type *type,
                       aia_compression *compression, int *promoted)
{
    *promoted = 0;
    aia_out_type t = opts->type;
    if (t == AIA_OUT_INT16 || t == AIA_OUT_INT32 || (t == AIA_OUT_AUTO && is_in_dn(img->header))) {
        double lo, hi;
        aia_rounded_range(img, &lo, &hi);
        if (lo > hi) /* no finite pixel: any integer type holds all-BLANK */
            lo = hi = 0;
        if (t == AIA_OUT_AUTO) {
            if (fits_int_type(lo, hi, INT16_MIN, INT16_MAX))
                t = AIA_OUT_INT16;
            else if (fits_int_type(lo, hi, INT32_MIN, INT32_MAX)) {
                t = AIA_OUT_INT32;
                *promoted = 1;
            } else
                t = AIA_OUT_FLOAT32;
        } else if (t == AIA_OUT_INT16 && !fits_int_type(lo, hi, INT16_MIN, INT16_MAX)) {
            return aia_fail(AIA_ERR_RANGE,
                            "values from %.17g to %.17g do not fit int16 (-32767..32767; -32768 "
                            "is BLANK): use int32 or float32",
                            lo, hi);
        } else if (t == AIA_OUT_INT32 && !fits_int_type(lo, hi, INT32_MIN, INT32_MAX)) {
            return aia_fail(AIA_ERR_RANGE, "values from %.17g to %.17g do not fit int32: use float32",
                            lo, hi);
        }
    } else if (t == AIA_OUT_AUTO) {
        t = AIA_OUT_FLOAT32;
    }
    aia_compression c = opts->compression;
    if (c == AIA_COMP_AUTO)
        c = (t == AIA_OUT_INT16 || t == AIA_OUT_INT32) ? AIA_COMP_RICE : AIA_COMP_NONE;
    *type = t;
    *compression = c;
    return AIA_OK;
}

/* ---- header ------------------------------------------------------------- */

/* Cards that describe the storage, not the observation: redone on output. */
static int is_structural(const char *card)
{
    static const char *const exact[] = {
        "SIMPLE", "XTENSION", "BITPIX", "NAXIS", "EXTEND", "PCOUNT", "GCOUNT", "BSCALE", "BZERO",
        "BLANK", "CHECKSUM", "DATASUM", "END", "TFIELDS", "ZIMAGE", "ZCMPTYPE", "ZBITPIX",
        "ZNAXIS", "ZSIMPLE", "ZTENSION", "ZEXTEND", "ZBLOCKED", "ZPCOUNT", "ZGCOUNT", "ZHECKSUM",
        "ZDATASUM", "ZQUANTIZ", "ZDITHER0", "ZBLANK", "ZSCALE", "ZZERO", "ZMASKCMP", NULL};
    static const char *const indexed[] = {"NAXIS", "ZNAXIS", "ZTILE", "ZNAME", "ZVAL",
                                          "TTYPE", "TFORM", NULL};
    char kw[9];
    memcpy(kw, card, 8);
    kw[8] = '\0';
    for (int i = 7; i >= 0 && kw[i] == ' '; i--)
        kw[i] = '\0';
    for (int i = 0; exact[i]; i++)
        if (strcmp(kw, exact[i]) == 0)
            return 1;
    for (int i = 0; indexed[i]; i++) {
        size_t n = strlen(indexed[i]);
        if (strncmp(kw, indexed[i], n) == 0 && kw[n] >= '0' && kw[n] <= '9')
            return 1;
    }
    /* The two COMMENT cards cfitsio itself writes into every primary header. */
    return strncmp(card, "COMMENT   FITS (Flexible Image Transport System) format is", 58) == 0 ||
           strncmp(card, "COMMENT   and Astrophysics', volume 376, page 359;", 50) == 0;
}

static int write_header(fitsfile *f, const aia_image *img, aia_out_type type,
                        const aia_write_options *opts, int *fst)
{
    const aia_header *h = img->header;
    for (size_t i = 0; i < aia_header_count(h) && !*fst; i++) {
        const char *card = aia_header_card(h, i);
        if (!is_structural(card))
            fits_write_record(f, card, fst);
    }
    if (type == AIA_OUT_INT16) {
        long blank = INT16_MIN;
        fits_update_key(f, TLONG, "BLANK", &blank, "value of missing pixels", fst);
    } else if (type == AIA_OUT_INT32) {
        long blank = INT32_MIN;
        fits_update_key(f, TLONG, "BLANK", &blank, "value of missing pixels", fst);
    }
    if (opts->history && opts->history[0])
        fits_write_history(f, opts->history, fst);
    return *fst;
}

/* ---- pixels ------------------------------------------------------------- */

static long long count_nan(const aia_image *img)
{
    const size_t n = (size_t)img->width * (size_t)img->height;
    long long c = 0;
#pragma omp parallel for reduction(+ : c)
    for (size_t i = 0; i < n; i++)
        c += isnan(aia_pixel(img->data, img->pixtype, i)) ? 1 : 0;
    return c;
}

static int write_pixels(fitsfile *f, const aia_image *img, aia_out_type type, long long *blanks,
                        int *fst)
{
    const size_t w = (size_t)img->width;
    if (type == AIA_OUT_FLOAT32 || type == AIA_OUT_FLOAT64) {
        /* cfitsio converts float <-> double exactly (widening) or by rounding
         * to nearest (narrowing); NaN stays NaN. */
        int dt = img->pixtype == AIA_PIX_F64 ? TDOUBLE : TFLOAT;
        fits_write_img(f, dt, 1, (LONGLONG)w * img->height, img->data, fst);
        *blanks = count_nan(img);
        return *fst;
    }
    const size_t elsize = type == AIA_OUT_INT16 ? sizeof(int16_t) : sizeof(int32_t);
    void *buf = malloc((size_t)ROWS_PER_CHUNK * w * elsize);
    if (!buf)
        return *fst = MEMORY_ALLOCATION;
    *blanks = 0;
    for (long y0 = 0; y0 < img->height && !*fst; y0 += ROWS_PER_CHUNK) {
        long rows = img->height - y0 < ROWS_PER_CHUNK ? img->height - y0 : ROWS_PER_CHUNK;
        LONGLONG first = (LONGLONG)y0 * (LONGLONG)w + 1, n = (LONGLONG)rows * (LONGLONG)w;
        *blanks += aia_to_integers(img, type, y0, rows, buf);
        fits_write_img(f, type == AIA_OUT_INT16 ? TSHORT : TINT, first, n, buf, fst);
    }
    free(buf);
    return *fst;
}

/* ---- files -------------------------------------------------------------- */

static int set_compression(fitsfile *f, const aia_image *img, aia_out_type type,
                           aia_compression comp, float q, int *fst)
{
    fits_set_compression_type(f, comp == AIA_COMP_RICE ? RICE_1 : GZIP_2, fst);
    long tile[2] = {img->width, 1}; /* one row per tile, as JSOC */
    fits_set_tile_dim(f, 2, tile, fst);
    if (type == AIA_OUT_FLOAT32 || type == AIA_OUT_FLOAT64) {
        /* Rice needs quantised floats (lossy); GZIP_2 compresses them as
         * they are (lossless, q = 0). */
        fits_set_quantize_level(f, comp == AIA_COMP_RICE ? (q > 0 ? q : 4.0f) : 0.0f, fst);
        /* The dither seed from the first tile's checksum, not the clock:
         * the same image always compresses to the same bytes. */
        fits_set_dither_seed(f, -1, fst);
    }
    return *fst;
}

static int bitpix_of(aia_out_type t)
{
    switch (t) {
    case AIA_OUT_INT16: return SHORT_IMG;
    case AIA_OUT_INT32: return LONG_IMG;
    case AIA_OUT_FLOAT64: return DOUBLE_IMG;
    default: return FLOAT_IMG;
    }
}

/* Quantised floats (Rice) go through cfitsio's image compressor, the path
 * fpack uses: it records NaN pixels under ZBLANK as the tiled-compression
 * convention says. Writing such pixels straight into a compressed HDU loses
 * the NaN of the first tile that has one (cfitsio 4.2). The image is built
 * uncompressed in memory first. */
static int write_quantised(fitsfile *f, const aia_image *img, aia_out_type type,
                           const aia_write_options *opts, long long *blanks, int *fst)
{
    fitsfile *mem = NULL;
    long dims[2] = {img->width, img->height};
    if (fits_create_file(&mem, "mem://", fst))
        return *fst;
    fits_create_img(mem, bitpix_of(type), 2, dims, fst);
    if (!*fst)
        write_header(mem, img, type, opts, fst);
    if (!*fst)
        write_pixels(mem, img, type, blanks, fst);
    if (!*fst)
        fits_img_compress(mem, f, fst);
    int close_st = 0;
    fits_close_file(mem, &close_st);
    return *fst;
}

/* CHECKSUM and DATASUM, summed here (checksum.c) from the bytes on disk,
 * with comments that carry no timestamp, so that the same image gives the
 * same file bytes on every run, rank and host (resumed and MPI runs are
 * compared byte for byte). Not fits_write_chksum: it dates its comment
 * with gmtime(), which is not safe while other threads write files. */
static int write_checksums(fitsfile *f, int *fst)
{
    static const char zeros[] = "0000000000000000";
    fits_write_key_str(f, "CHECKSUM", zeros, "HDU checksum", fst);
    fits_write_key_str(f, "DATASUM", "0", "data unit checksum", fst);
    fits_flush_file(f, fst);
    char path[FLEN_FILENAME] = "";
    LONGLONG head = 0, data = 0, end = 0;
    fits_get_hduaddrll(f, &head, &data, &end, fst);
    fits_file_name(f, path, fst);
    if (*fst)
        return *fst;
    const int fd = open(path, O_RDONLY);
    uint32_t datasum = 0, sum = 0;
    int ok = fd >= 0 && aia_fd_ones_sum(fd, data, end - data, &datasum) == 0;
    if (ok) {
        char text[16];
        snprintf(text, sizeof text, "%u", datasum);
        fits_modify_key_str(f, "DATASUM", text, "&", fst);
        fits_flush_buffer(f, 0, fst);
        ok = !*fst && aia_fd_ones_sum(fd, head, data - head, &sum) == 0;
    }
    if (fd >= 0)
        close(fd);
    if (ok) {
        char ascii[17] = "";
        fits_encode_chksum(aia_ones_add(sum, datasum), 1, ascii); /* the complement: the HDU sums to -0 */
        fits_modify_key_str(f, "CHECKSUM", ascii, "&", fst);
    } else if (!*fst) {
        *fst = WRITE_ERROR; /* reported with errno */
    }
    return *fst;
}

/* One image HDU after the current one: compressed (JSOC layout) or plain. */
static int write_hdu(fitsfile *f, const aia_image *img, aia_out_type type, aia_compression comp, float q,
                     const aia_write_options *opts, long long *blanks, int *fst)
{
    long dims[2] = {img->width, img->height};
    const int is_float = type == AIA_OUT_FLOAT32 || type == AIA_OUT_FLOAT64;
    fits_set_compression_type(f, 0, fst); /* 0: none, until set below */
    if (comp != AIA_COMP_NONE)
        set_compression(f, img, type, comp, q, fst);
    if (comp == AIA_COMP_RICE && is_float) {
        write_quantised(f, img, type, opts, blanks, fst);
    } else {
        fits_create_img(f, bitpix_of(type), 2, dims, fst);
        if (!*fst)
            write_header(f, img, type, opts, fst);
        int handled = 0; /* Rice integer tiles: the library's encoder */
        if (!*fst && comp == AIA_COMP_RICE)
            *fst = aia_tiles_write(f, img, type, blanks, &handled);
        if (!*fst && !handled)
            write_pixels(f, img, type, blanks, fst);
    }
    if (!*fst)
        write_checksums(f, fst);
    return *fst;
}

static int write_fits(const char *tmp, const char *path, const aia_image *img, aia_out_type type,
                      aia_compression comp, const aia_write_options *opts, long long *blanks)
{
    fitsfile *f = NULL;
    int fst = 0;
    errno = 0;
    if (fits_create_diskfile(&f, tmp, &fst)) {
        if (errno) /* the system's reason (permission, no space...) says more than cfitsio's */
            return aia_fail(AIA_ERR_IO, "%s: cannot create a temporary file in the output directory: %s", path,
                            strerror(errno));
        return aia_fail_fits(fst, path, "cannot create a temporary file in the output directory");
    }
    if (comp != AIA_COMP_NONE)
        fits_create_img(f, BYTE_IMG, 0, NULL, &fst); /* empty primary, JSOC layout */
    write_hdu(f, img, type, comp, opts->quantize_level, opts, blanks, &fst);
    if (!fst && opts->extra) {
        aia_write_options plain = *opts;
        plain.history = NULL;
        long long extra_blanks = 0;
        write_hdu(f, opts->extra, AIA_OUT_FLOAT32, comp == AIA_COMP_NONE ? AIA_COMP_NONE : AIA_COMP_RICE,
                  16.0f, &plain, &extra_blanks, &fst);
    }
    const int write_errno = errno;
    int close_st = 0;
    fits_close_file(f, &close_st);
    const int err = write_errno ? write_errno : errno;
    if ((fst == WRITE_ERROR || close_st == WRITE_ERROR) && err) /* e.g. no space left on device */
        return aia_fail(AIA_ERR_IO, "%s: cannot write the output: %s", path, strerror(err));
    if (fst || close_st)
        return aia_fail_fits(fst ? fst : close_st, path, "cannot write the output");
    return AIA_OK;
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Move tmp to path; without overwrite, never replace a file that appeared
 * meanwhile (RENAME_NOREPLACE, or link+unlink where that is unsupported). */
static int publish(const char *tmp, const char *path, int overwrite)
{
    if (overwrite) {
        if (rename(tmp, path) == 0)
            return AIA_OK;
    } else {
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
            return AIA_OK;
        if (errno == EINVAL || errno == ENOSYS) {
            if (link(tmp, path) == 0) {
                unlink(tmp);
                return AIA_OK;
            }
        }
        if (errno == EEXIST)
            return aia_fail(AIA_ERR_EXISTS, "%s: output already exists (use --overwrite to replace it)",
                            path);
    }
    return aia_fail(AIA_ERR_IO, "%s: cannot move the finished output into place: %s", path,
                    strerror(errno));
}

int aia_image_write(const aia_image *img, const char *path, const aia_write_options *opts,
                    aia_write_result *res)
{
    aia_cfitsio_init();
    aia_clear_error();
    aia_write_options defaults;
    if (!opts) {
        aia_write_options_default(&defaults);
        opts = &defaults;
    }
    if (opts->input_path && same_file(opts->input_path, path))
        return aia_fail(AIA_ERR_SAME_FILE, "%s: refusing to write over the input file", path);
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return aia_fail(AIA_ERR_NOT_REGULAR, "%s: output path is a directory", path);
        if (!opts->overwrite)
            return aia_fail(AIA_ERR_EXISTS, "%s: output already exists (use --overwrite to replace it)",
                            path);
    }
    aia_out_type type;
    aia_compression comp;
    int promoted;
    int st = aia_resolve_output(img, opts, &type, &comp, &promoted);
    if (st) {
        aia_error_prefix(path);
        return st;
    }
    char tmp[PATH_MAX];
    st = aia_temp_name(path, tmp, sizeof tmp);
    if (st)
        return st;
    long long blanks = 0;
    st = write_fits(tmp, path, img, type, comp, opts, &blanks);
    if (!st)
        st = publish(tmp, path, opts->overwrite);
    if (st) {
        unlink(tmp);
        return st;
    }
    if (res) {
        res->type = type;
        res->compression = comp;
        res->promoted_to_int32 = promoted;
        res->blank_pixels = blanks;
    }
    return AIA_OK;
}
