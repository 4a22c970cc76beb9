/* fits_scan.c — the structure of a FITS file from its raw bytes (FITS
 * standard 4.0 §4 headers, §7.3 binary tables, §10 tile compression),
 * checked before cfitsio sees the file.
 *
 * cfitsio trusts what headers say: a ZTILE1 or Rice block size of 0 is a
 * division by zero while it merely counts HDUs, heap descriptors are used
 * as given. So the walk below reads every header itself, with the rules
 * cfitsio applies (the mandatory keywords in their places, the first of a
 * repeated keyword, ZVAL1/ZVAL2 as imcomp_get_compressed_image_par reads
 * them), and refuses what is inconsistent, ambiguous (a structural keyword
 * given twice) or larger than the reader takes, naming the HDU and key. */
#include "io/fits_scan.h"

#include "core/core.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { BLOCK = 2880, CARD = 80 };

const char *aia_hdu_name(int index, char buf[32])
{
    if (index == 0)
        return "the primary HDU";
    snprintf(buf, 32, "extension %d", index);
    return buf;
}

/* ---- one card ---------------------------------------------------------------- */

static void card_keyword(const char *c, char kw[9])
{
    memcpy(kw, c, 8);
    kw[8] = '\0';
    for (int i = 7; i >= 0 && kw[i] == ' '; i--)
        kw[i] = '\0';
}

/* The value field (columns 11-80) of a card with a value indicator, or NULL. */
static const char *value_field(const char *c)
{
    return c[8] == '=' && c[9] == ' ' ? c + 10 : NULL;
}

/* After a value: only blanks, then nothing or a comment. */
static int rest_is_comment(const char *p, const char *end)
{
    while (p < end && *p == ' ')
        p++;
    return p == end || *p == '/';
}

static int parse_integer(const char *c, long long *out)
{
    const char *p = value_field(c), *end = c + CARD;
    if (!p)
        return 0;
    while (p < end && *p == ' ')
        p++;
    int neg = 0;
    if (p < end && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    if (p == end || !isdigit((unsigned char)*p))
        return 0;
    long long v = 0;
    for (; p < end && isdigit((unsigned char)*p); p++) {
        if (v > (LLONG_MAX - 9) / 10)
            return 0;
        v = v * 10 + (*p - '0');
    }
    *out = neg ? -v : v;
    return rest_is_comment(p, end);
}

static int parse_logical(const char *c, int *out)
{
    const char *p = value_field(c), *end = c + CARD;
    if (!p)
        return 0;
    while (p < end && *p == ' ')
        p++;
    if (p == end || (*p != 'T' && *p != 'F'))
        return 0;
    *out = *p == 'T';
    return rest_is_comment(p + 1, end);
}

/* A quoted string ('' for a quote), trailing blanks dropped. */
static int parse_string(const char *c, char *out, size_t size)
{
    const char *p = value_field(c), *end = c + CARD;
    if (!p)
        return 0;
    while (p < end && *p == ' ')
        p++;
    if (p == end || *p != '\'')
        return 0;
    size_t n = 0;
    for (p++; p < end; p++) {
        if (*p == '\'') {
            if (p + 1 < end && p[1] == '\'') {
                p++;
            } else {
                break;
            }
        }
        if (n + 1 < size)
            out[n++] = *p;
    }
    if (p == end)
        return 0; /* no closing quote */
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    return rest_is_comment(p + 1, end);
}

static int parse_real(const char *c, double *out)
{
    const char *p = value_field(c);
    if (!p)
        return 0;
    char buf[72];
    memcpy(buf, p, 70);
    buf[70] = '\0';
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    for (char *q = buf; *q; q++)
        if (*q == 'D' || *q == 'd')
            *q = 'E'; /* FITS allows Fortran's D exponent */
    char *e = NULL;
    const double v = strtod(buf, &e);
    if (e == buf || !isfinite(v))
        return 0;
    while (*e == ' ')
        e++;
    if (*e)
        return 0;
    *out = v;
    return 1;
}

/* ---- the keywords of one header ------------------------------------------ */

/* An indexed keyword NAME<n> (n = 1..999, no leading zero): n, or 0. */
static int keyword_index(const char *kw, const char *stem)
{
    const size_t k = strlen(stem);
    if (strncmp(kw, stem, k) != 0 || !kw[k] || kw[k] == '0')
        return 0;
    int n = 0;
    for (const char *p = kw + k; *p; p++) {
        if (!isdigit((unsigned char)*p) || n > 99)
            return 0;
        n = n * 10 + (*p - '0');
    }
    return n;
}

/* What the walk keeps of the cards it reads, and the positions of the
 * ones a repeat would make ambiguous. */
typedef struct header_keys {
    const char *hdu;      /* "extension 2", for messages                  */
    const char *path;
    const char *error;    /* set on the first duplicate                   */
    char dup[9];
    int simple, zimage, groups;
    int have_theap, have_zcmptype, have_zbitpix, have_znaxis, have_zval1, have_zval2, have_zname2;
    long long theap, zbitpix, znaxis, zval1, zval2;
    double zval1_real;
    char zcmptype[72], zname2[72];
    long long znaxes[AIA_ZMAX_DIM], ztile[AIA_ZMAX_DIM];
    int have_znaxes[AIA_ZMAX_DIM], have_ztile[AIA_ZMAX_DIM];
    char **tform, **ttype; /* tfields of each, NULL when absent           */
    int tfields;
    int have_checksum, have_datasum;
    char checksum[72], datasum[72];
} header_keys;

/* Mark a keyword seen; a second time is an error (the file is ambiguous:
 * cfitsio may read either, depending on where its card pointer stands). */
static int once(header_keys *k, int *seen, const char *kw)
{
    if (*seen && !k->error) {
        k->error = "twice";
        snprintf(k->dup, sizeof k->dup, "%s", kw);
    }
    const int first = !*seen;
    *seen = 1;
    return first;
}

static void copy_value(char **slot, const char *card)
{
    char v[72] = "";
    if (parse_string(card, v, sizeof v) && !*slot)
        *slot = strdup(v);
    else if (!*slot)
        *slot = strdup(""); /* present, not a string: the width check says so */
}

static void note_card(header_keys *k, const char *card)
{
    char kw[9];
    card_keyword(card, kw);
    int n;
    if (strcmp(kw, "THEAP") == 0) {
        if (once(k, &k->have_theap, kw) && !parse_integer(card, &k->theap))
            k->theap = -1;
    } else if (strcmp(kw, "ZIMAGE") == 0) {
        int v = 0;
        if (parse_logical(card, &v) && v)
            k->zimage = 1;
    } else if (strcmp(kw, "GROUPS") == 0) {
        int v = 0;
        k->groups = parse_logical(card, &v) && v;
    } else if (strcmp(kw, "ZCMPTYPE") == 0) {
        if (once(k, &k->have_zcmptype, kw) && !parse_string(card, k->zcmptype, sizeof k->zcmptype))
            k->zcmptype[0] = '\0';
    } else if (strcmp(kw, "ZBITPIX") == 0) {
        if (once(k, &k->have_zbitpix, kw) && !parse_integer(card, &k->zbitpix))
            k->zbitpix = 0;
    } else if (strcmp(kw, "ZNAXIS") == 0) {
        if (once(k, &k->have_znaxis, kw) && !parse_integer(card, &k->znaxis))
            k->znaxis = -1;
    } else if ((n = keyword_index(kw, "ZNAXIS")) > 0) {
        if (n <= AIA_ZMAX_DIM && once(k, &k->have_znaxes[n - 1], kw) && !parse_integer(card, &k->znaxes[n - 1]))
            k->znaxes[n - 1] = -1;
    } else if ((n = keyword_index(kw, "ZTILE")) > 0) {
        if (n <= AIA_ZMAX_DIM && once(k, &k->have_ztile[n - 1], kw) && !parse_integer(card, &k->ztile[n - 1]))
            k->ztile[n - 1] = -1;
    } else if (strcmp(kw, "ZVAL1") == 0) {
        if (once(k, &k->have_zval1, kw)) {
            if (!parse_integer(card, &k->zval1))
                k->zval1 = LLONG_MIN;
            if (!parse_real(card, &k->zval1_real))
                k->zval1_real = NAN;
        }
    } else if (strcmp(kw, "ZVAL2") == 0) {
        if (once(k, &k->have_zval2, kw) && !parse_integer(card, &k->zval2))
            k->zval2 = LLONG_MIN;
    } else if (strcmp(kw, "ZNAME2") == 0) {
        if (once(k, &k->have_zname2, kw) && !parse_string(card, k->zname2, sizeof k->zname2))
            k->zname2[0] = '\0';
    } else if (k->tfields > 0 && (n = keyword_index(kw, "TFORM")) > 0) {
        if (n <= k->tfields) {
            int seen = k->tform[n - 1] != NULL;
            once(k, &seen, kw);
            copy_value(&k->tform[n - 1], card);
        }
    } else if (k->tfields > 0 && (n = keyword_index(kw, "TTYPE")) > 0) {
        if (n <= k->tfields) {
            int seen = k->ttype[n - 1] != NULL;
            once(k, &seen, kw);
            copy_value(&k->ttype[n - 1], card);
        }
    } else if (strcmp(kw, "CHECKSUM") == 0) {
        if (once(k, &k->have_checksum, kw) && !parse_string(card, k->checksum, sizeof k->checksum))
            k->checksum[0] = '\0';
    } else if (strcmp(kw, "DATASUM") == 0) {
        if (once(k, &k->have_datasum, kw) && !parse_string(card, k->datasum, sizeof k->datasum))
            k->datasum[0] = '\x01'; /* present but not a string */
    }
}

static void keys_free(header_keys *k)
{
    for (int i = 0; i < k->tfields; i++) {
        free(k->tform ? k->tform[i] : NULL);
        free(k->ttype ? k->ttype[i] : NULL);
    }
    free(k->tform);
    free(k->ttype);
    k->tform = k->ttype = NULL;
}

/* ---- the walk ----------------------------------------------------------------- */

typedef struct walker {
    const aia_source *src;
    long long max_bytes;
    long long max_pixels; /* of an image (plain or compressed)            */
    int partial;          /* the source is a prefix of the file (gzip)    */
    int ran_out;          /* ... and the walk needed more of it            */
    long long need;       /* then: how far it needed                       */
} walker;

static int corrupt(const walker *w, const char *hdu, const char *fmt, const char *a, long long v)
{
    char what[256];
    snprintf(what, sizeof what, fmt, a, v);
    return aia_fail(AIA_ERR_CORRUPT, "%s: %s: %s", w->src->path, hdu, what);
}

/* a * b, failing above cap */
static int mul_capped(long long a, long long b, long long cap, long long *out)
{
    if (a < 0 || b < 0 || (a != 0 && b > cap / a))
        return 0;
    *out = a * b;
    return *out <= cap;
}

/* Read the block at offset into buf; -1 (and w->ran_out) when the bytes
 * are not there yet in a partial source; 1 if they are not in the file. */
static int read_block(walker *w, long long offset, char *buf)
{
    if (offset + BLOCK > w->src->size) {
        if (w->partial) {
            w->ran_out = 1;
            w->need = offset + BLOCK;
            return -1;
        }
        return 1;
    }
    return aia_source_read(w->src, offset, buf, BLOCK) ? 2 : 0;
}

/* The width in bytes of a binary-table column from its TFORM (§7.3.1),
 * with the element type of a variable-length array. */
static int parse_tform(const char *tform, aia_column *col)
{
    const char *p = tform;
    while (*p == ' ')
        p++;
    long long r = 1;
    if (isdigit((unsigned char)*p)) {
        r = 0;
        for (; isdigit((unsigned char)*p); p++) {
            if (r > 100000000)
                return 0;
            r = r * 10 + (*p - '0');
        }
    }
    const char t = (char)toupper((unsigned char)*p);
    static const char types[] = "LXBIJKAEDCMPQ";
    if (!t || !strchr(types, t))
        return 0;
    col->type = t;
    col->repeat = r;
    col->elem = 0;
    col->elem_bytes = 0;
    switch (t) {
    case 'L': case 'B': case 'A': col->width = r; break;
    case 'X': col->width = (r + 7) / 8; break;
    case 'I': col->width = 2 * r; break;
    case 'J': case 'E': col->width = 4 * r; break;
    case 'K': case 'D': case 'C': col->width = 8 * r; break;
    case 'M': col->width = 16 * r; break;
    default: { /* P, Q: a descriptor, then the array's element type */
        if (r > 1)
            return 0;
        const char e = (char)toupper((unsigned char)p[1]);
        static const int bytes[] = {['L'] = 1, ['X'] = 1, ['B'] = 1, ['A'] = 1, ['I'] = 2, ['J'] = 4,
                                    ['E'] = 4, ['K'] = 8, ['D'] = 8, ['C'] = 8, ['M'] = 16};
        if (e < 'A' || e > 'Z' || !strchr("LXBIJKAEDCM", e) || !bytes[(int)e])
            return 0;
        col->elem = e;
        col->elem_bytes = bytes[(int)e];
        col->width = r * (t == 'P' ? 8 : 16);
        break;
    }
    }
    return 1;
}

/* The columns of a binary table: each TFORMn parsed, widths summing to NAXIS1. */
static int table_columns(walker *w, const char *hdu, header_keys *k, aia_hdu *h)
{
    if (k->tfields == 0)
        return h->naxes[0] == 0 ? AIA_OK : corrupt(w, hdu, "%sTFIELDS = 0 but NAXIS1 = %lld", "", h->naxes[0]);
    h->cols = calloc((size_t)k->tfields, sizeof *h->cols);
    if (!h->cols)
        return aia_fail(AIA_ERR_NOMEM, "%s: out of memory", w->src->path);
    h->tfields = k->tfields;
    long long at = 0;
    for (int i = 0; i < k->tfields; i++) {
        char key[16];
        snprintf(key, sizeof key, "TFORM%d", i + 1);
        if (!k->tform[i])
            return corrupt(w, hdu, "the binary table has no %s", key, 0);
        if (!parse_tform(k->tform[i], &h->cols[i]))
            return corrupt(w, hdu, "%s is not a binary-table column format", key, 0);
        snprintf(h->cols[i].name, sizeof h->cols[i].name, "%s", k->ttype[i] ? k->ttype[i] : "");
        h->cols[i].offset = at;
        at += h->cols[i].width;
        if (at > h->naxes[0])
            break;
    }
    if (at != h->naxes[0])
        return corrupt(w, hdu, "%sthe columns' widths do not add up to the row length NAXIS1 = %lld", "",
                       h->naxes[0]);
    return AIA_OK;
}

const aia_column *aia_hdu_column(const aia_hdu *h, const char *name)
{
    for (int i = 0; i < h->tfields; i++)
        if (strcasecmp(h->cols[i].name, name) == 0)
            return &h->cols[i];
    return NULL;
}

/* A tile-compressed image's parameters, read as cfitsio's
 * imcomp_get_compressed_image_par reads them, and bounded. */
static int compression_params(walker *w, const char *hdu, header_keys *k, aia_hdu *h)
{
    aia_zparams *z = &h->z;
    if (!k->have_zcmptype)
        return corrupt(w, hdu, "%sa compressed image (ZIMAGE = T) without ZCMPTYPE", "", 0);
    static const char *const known[] = {"RICE_1", "RICE_ONE", "GZIP_1", "GZIP_2", "HCOMPRESS_1",
                                        "PLIO_1", "BZIP2_1", "NOCOMPRESS"};
    int ok = 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        ok |= strcmp(k->zcmptype, known[i]) == 0;
    if (!ok)
        return corrupt(w, hdu, "unknown compression ZCMPTYPE = '%s'", k->zcmptype, 0);
    snprintf(z->cmptype, sizeof z->cmptype, "%s", k->zcmptype);
    if (!k->have_zbitpix || (k->zbitpix != 8 && k->zbitpix != 16 && k->zbitpix != 32 && k->zbitpix != 64 &&
                             k->zbitpix != -32 && k->zbitpix != -64))
        return corrupt(w, hdu, "%sZBITPIX is missing or not 8, 16, 32, 64, -32 or -64 (%lld)", "", k->zbitpix);
    z->zbitpix = (int)k->zbitpix;
    if (!k->have_znaxis || k->znaxis < 1 || k->znaxis > AIA_ZMAX_DIM)
        return corrupt(w, hdu, "%sZNAXIS is missing or not 1 to 6 (%lld)", "", k->znaxis);
    z->znaxis = (int)k->znaxis;
    long long tiles = 1, tile_pixels = 1;
    for (int i = 0; i < z->znaxis; i++) {
        char key[16];
        snprintf(key, sizeof key, "ZNAXIS%d", i + 1);
        if (!k->have_znaxes[i] || k->znaxes[i] < 1)
            return corrupt(w, hdu, "%s is missing or not a positive integer", key, 0);
        snprintf(key, sizeof key, "ZTILE%d", i + 1);
        const long long tile = k->have_ztile[i] ? k->ztile[i] : i == 0 ? k->znaxes[0] : 1;
        if (tile < 1)
            return corrupt(w, hdu, "%s = %lld: a tile must be at least 1 pixel", key, tile);
        z->znaxes[i] = k->znaxes[i];
        z->ztile[i] = tile;
        if (!mul_capped(tiles, (z->znaxes[i] - 1) / tile + 1, 1LL << 40, &tiles) ||
            !mul_capped(tile_pixels, tile, AIA_ZMAX_TILE_PIXELS, &tile_pixels))
            return corrupt(w, hdu, "%stiles of more than %lld pixels (ZTILEn)", "", AIA_ZMAX_TILE_PIXELS);
    }
    z->tiles = tiles;
    z->tile_pixels = tile_pixels;
    if (tiles != h->naxes[1])
        return aia_fail(AIA_ERR_CORRUPT, "%s: %s: the table has %lld rows (NAXIS2) but the image has %lld tiles "
                                         "(ZNAXISn / ZTILEn): one row a tile is the rule",
                        w->src->path, hdu, h->naxes[1], tiles);
    if (strncmp(z->cmptype, "RICE", 4) == 0) {
        /* ZVAL1 the block size, ZVAL2 the bytes a pixel unless ZNAME2 is
         * NOISEBIT (files before 2008); swapped when given the wrong way
         * round, as cfitsio does */
        if (!k->have_zval1 || k->zval1 == LLONG_MIN)
            return corrupt(w, hdu, "%sRice compression without an integer ZVAL1 (block size)", "", 0);
        long long block = k->zval1;
        long long bytepix = k->have_zval2 && k->zval2 != LLONG_MIN && strcmp(k->zname2, "NOISEBIT") != 0
                                ? k->zval2
                                : 4;
        if (block < 16 && bytepix > 8) {
            const long long t = block;
            block = bytepix;
            bytepix = t;
        }
        if (block < 1 || block > 256)
            return corrupt(w, hdu, "%sRice block size (ZVAL1) %lld is not 1 to 256 (16 or 32 in practice)", "",
                           block);
        if (bytepix != 1 && bytepix != 2 && bytepix != 4 && bytepix != 8)
            return corrupt(w, hdu, "%sRice bytes a pixel (ZVAL2) %lld is not 1, 2, 4 or 8", "", bytepix);
        z->rice_block = (int)block;
        z->rice_bytepix = (int)bytepix;
    } else if (strcmp(z->cmptype, "HCOMPRESS_1") == 0) {
        if (!k->have_zval1 || !isfinite(k->zval1_real))
            return corrupt(w, hdu, "%sHCOMPRESS without a numeric ZVAL1 (scale)", "", 0);
        if (z->znaxis < 2)
            return corrupt(w, hdu, "%sHCOMPRESS needs 2-D tiles", "", 0);
    }
    const aia_column *data = aia_hdu_column(h, "COMPRESSED_DATA");
    if (!data || (data->type != 'P' && data->type != 'Q'))
        return corrupt(w, hdu, "%sa compressed image without a COMPRESSED_DATA column of arrays", "", 0);
    return AIA_OK;
}

/* An image no larger than the reader takes, said before anything of that
 * size is read, allocated or (for gzip) inflated. */
static int image_size_ok(const walker *w, int naxis, const long long *naxes, long long pixels)
{
    if (naxis == 0 || pixels <= w->max_pixels)
        return AIA_OK;
    if (naxis == 2)
        return aia_fail(AIA_ERR_UNSUPPORTED, "%s: the image is %lld x %lld pixels, more than the %lld this reader "
                                             "takes",
                        w->src->path, naxes[0], naxes[1], w->max_pixels);
    return aia_fail(AIA_ERR_UNSUPPORTED, "%s: the image has %lld pixels, more than the %lld this reader takes",
                    w->src->path, pixels, w->max_pixels);
}

/* One HDU at offset: header parsed, sizes computed; the walk's end when
 * there is no HDU there (*none = 1). */
static int scan_hdu(walker *w, int index, long long offset, aia_hdu *h, int *none)
{
    *none = 0;
    memset(h, 0, sizeof *h);
    h->header_at = offset;
    char hdubuf[32];
    const char *hdu = aia_hdu_name(index, hdubuf);
    char block[BLOCK];
    int r = read_block(w, offset, block);
    if (r < 0)
        return AIA_OK;
    if (r == 2)
        return AIA_ERR_IO;
    if (r == 1 || (index > 0 && memcmp(block, "XTENSION= ", 10) != 0)) {
        if (index == 0)
            return aia_fail(AIA_ERR_TRUNCATED, "%s: truncated: shorter than one 2880-byte FITS header block",
                            w->src->path);
        *none = 1; /* cfitsio stops counting HDUs here too */
        return AIA_OK;
    }
    header_keys k = {.hdu = hdu, .path = w->src->path};
    int st = AIA_OK;
    long long card_no = 0, naxis_cards = 0;
    int ended = 0;
    long long pos = offset;
    for (int b = 0; !ended && st == AIA_OK; b++) {
        if (b > 0) {
            if (b >= AIA_SCAN_MAX_HEADER_BLOCKS) {
                st = corrupt(w, hdu, "%sno END card in the first %lld header blocks", "",
                             (long long)AIA_SCAN_MAX_HEADER_BLOCKS);
                break;
            }
            r = read_block(w, pos, block);
            if (r < 0)
                break;
            if (r == 2) {
                st = AIA_ERR_IO;
                break;
            }
            if (r == 1) {
                st = aia_fail(AIA_ERR_TRUNCATED, "%s: truncated: the header of %s has no END card", w->src->path,
                              hdu);
                break;
            }
        }
        pos += BLOCK;
        for (int c = 0; c < BLOCK / CARD && st == AIA_OK; c++, card_no++) {
            const char *card = block + c * CARD;
            char kw[9];
            card_keyword(card, kw);
            long long v = 0;
            /* the mandatory keywords in their places (§4.4.1) */
            if (card_no == 0) {
                if (index == 0) {
                    if (strcmp(kw, "SIMPLE") != 0 || !parse_logical(card, &k.simple))
                        st = aia_fail(AIA_ERR_NOT_FITS, "%s: not a FITS file (it does not start with SIMPLE)",
                                      w->src->path);
                    else if (!k.simple)
                        st = aia_fail(AIA_ERR_NOT_FITS, "%s: SIMPLE = F: the file does not follow the FITS "
                                                        "standard",
                                      w->src->path);
                } else if (!parse_string(card, h->xtension, sizeof h->xtension)) {
                    st = corrupt(w, hdu, "%sXTENSION is not a string", "", 0);
                }
            } else if (card_no == 1) {
                if (strcmp(kw, "BITPIX") != 0 || !parse_integer(card, &v) ||
                    (v != 8 && v != 16 && v != 32 && v != 64 && v != -32 && v != -64))
                    st = corrupt(w, hdu, "%sthe second card is not BITPIX = 8, 16, 32, 64, -32 or -64", "", 0);
                h->bitpix = (int)v;
            } else if (card_no == 2) {
                if (strcmp(kw, "NAXIS") != 0 || !parse_integer(card, &v) || v < 0 || v > 999)
                    st = corrupt(w, hdu, "%sthe third card is not NAXIS = 0 to 999", "", 0);
                h->naxis = (int)v;
                h->pixels = h->naxis > 0 ? 1 : 0;
                naxis_cards = 3 + h->naxis;
            } else if (card_no < naxis_cards) {
                char want[32];
                snprintf(want, sizeof want, "NAXIS%d", (int)(card_no - 2));
                if (strcmp(kw, want) != 0 || !parse_integer(card, &v) || v < 0)
                    st = corrupt(w, hdu, "%s is missing, out of place or negative", want, 0);
                else if (card_no - 3 < 2)
                    h->naxes[card_no - 3] = v;
                if (!st && !mul_capped(h->pixels, v, w->max_bytes, &h->pixels))
                    st = aia_fail(AIA_ERR_UNSUPPORTED, "%s: %s: the axes declare more than %lld Gi elements, "
                                                       "more than this reader takes",
                                  w->src->path, hdu, w->max_bytes >> 30);
            } else if (index > 0 && card_no == naxis_cards) {
                if (strcmp(kw, "PCOUNT") != 0 || !parse_integer(card, &h->pcount) || h->pcount < 0)
                    st = corrupt(w, hdu, "%sPCOUNT is missing, out of place or negative", "", 0);
            } else if (index > 0 && card_no == naxis_cards + 1) {
                if (strcmp(kw, "GCOUNT") != 0 || !parse_integer(card, &h->gcount) || h->gcount < 0)
                    st = corrupt(w, hdu, "%sGCOUNT is missing, out of place or negative", "", 0);
            } else if (index > 0 && card_no == naxis_cards + 2 &&
                       (strcmp(h->xtension, "BINTABLE") == 0 || strcmp(h->xtension, "TABLE") == 0)) {
                if (strcmp(kw, "TFIELDS") != 0 || !parse_integer(card, &v) || v < 0 || v > 999)
                    st = corrupt(w, hdu, "%sTFIELDS is missing, out of place or not 0 to 999", "", 0);
                k.tfields = (int)v;
                k.tform = calloc((size_t)v + 1, sizeof(char *));
                k.ttype = calloc((size_t)v + 1, sizeof(char *));
                if (!k.tform || !k.ttype)
                    st = aia_fail(AIA_ERR_NOMEM, "%s: out of memory", w->src->path);
            } else if (strcmp(kw, "END") == 0) {
                ended = 1;
                break;
            } else {
                note_card(&k, card);
            }
        }
    }
    if (st == AIA_OK && !ended) { /* a partial source ran out mid-header */
        keys_free(&k);
        return AIA_OK;
    }
    if (st == AIA_OK && card_no < naxis_cards + (index > 0 ? 2 : 0))
        st = corrupt(w, hdu, "%sthe header ends before its mandatory keywords", "", 0);
    if (st == AIA_OK && k.error)
        st = corrupt(w, hdu, "%s appears twice in the header (ambiguous: which one holds?)", k.dup, 0);
    h->data_at = pos;
    if (st == AIA_OK) {
        if (index == 0) {
            h->gcount = 1;
            if (k.groups && h->naxis > 0 && h->naxes[0] == 0)
                st = corrupt(w, hdu, "%srandom-groups data, not an image", "", 0);
        }
        long long elems = 0, bytes = 0;
        if (st == AIA_OK && (h->pixels + h->pcount < h->pixels ||
                             !mul_capped(h->gcount, h->pixels + h->pcount, w->max_bytes, &elems) ||
                             !mul_capped(elems, h->bitpix < 0 ? -h->bitpix / 8 : h->bitpix / 8, w->max_bytes,
                                         &bytes)))
            st = aia_fail(AIA_ERR_UNSUPPORTED, "%s: %s: the header declares more than %lld GiB of data, more than "
                                               "this reader takes",
                          w->src->path, hdu, w->max_bytes >> 30);
        h->data_bytes = bytes;
        h->next_at = h->data_at + (bytes + BLOCK - 1) / BLOCK * BLOCK;
    }
    if (st == AIA_OK && strcmp(h->xtension, "BINTABLE") != 0 && strcmp(h->xtension, "TABLE") != 0)
        st = image_size_ok(w, h->naxis, h->naxes, h->pixels);
    if (st == AIA_OK && strcmp(h->xtension, "BINTABLE") == 0) {
        if (h->bitpix != 8 || h->naxis != 2 || h->gcount != 1)
            st = corrupt(w, hdu, "%sa binary table needs BITPIX = 8, NAXIS = 2, GCOUNT = 1", "", 0);
        const long long table = h->naxes[0] * h->naxes[1];
        h->theap = k.have_theap ? k.theap : table;
        if (st == AIA_OK && (h->theap < table || h->theap > table + h->pcount))
            st = corrupt(w, hdu, "%sTHEAP = %lld does not lie between the table's end and the heap's", "",
                         h->theap);
        if (st == AIA_OK)
            st = table_columns(w, hdu, &k, h);
        if (st == AIA_OK && k.zimage) {
            h->zimage = 1;
            st = compression_params(w, hdu, &k, h);
            long long pixels = 1;
            for (int i = 0; st == AIA_OK && i < h->z.znaxis; i++)
                if (!mul_capped(pixels, h->z.znaxes[i], LLONG_MAX / 2, &pixels))
                    pixels = LLONG_MAX / 2;
            if (st == AIA_OK)
                st = image_size_ok(w, h->z.znaxis, h->z.znaxes, pixels);
        }
    }
    if (st == AIA_OK) {
        h->has_checksum = k.have_checksum;
        snprintf(h->checksum, sizeof h->checksum, "%s", k.checksum);
        h->has_datasum = k.have_datasum;
        if (k.have_datasum) {
            char *e = NULL;
            const unsigned long long d = strtoull(k.datasum, &e, 10);
            while (e && *e == ' ')
                e++;
            if (k.datasum[0] == '\x01' || !e || *e || e == k.datasum || d > 0xffffffffULL)
                st = corrupt(w, hdu, "%sDATASUM is not an unsigned 32-bit number in quotes", "", 0);
            h->datasum = d;
        }
    }
    keys_free(&k);
    return st;
}

static void free_columns(aia_fits_layout *lay)
{
    for (int i = 0; i < lay->n; i++)
        free(lay->hdu[i].cols);
}

static int walk(walker *w, aia_fits_layout *lay)
{
    long long at = 0;
    lay->n = 0;
    for (int i = 0; i < AIA_SCAN_MAX_HDUS && at < w->src->size + (w->partial ? BLOCK : 0); i++) {
        int none = 0;
        aia_hdu *h = &lay->hdu[lay->n];
        const int st = scan_hdu(w, i, at, h, &none);
        if (st || none || w->ran_out) {
            free(h->cols);
            h->cols = NULL;
            return st;
        }
        lay->n++;
        if (h->data_at + h->data_bytes > w->src->size) {
            if (w->partial) {
                w->ran_out = 1;
                w->need = h->next_at;
                return AIA_OK;
            }
            char buf[32];
            return aia_fail(AIA_ERR_TRUNCATED,
                            "%s: truncated: the file has %lld bytes but the header of %s says its data end at "
                            "byte %lld",
                            w->src->path, w->src->size, aia_hdu_name(i, buf), h->data_at + h->data_bytes);
        }
        at = h->next_at;
    }
    return AIA_OK;
}

int aia_fits_scan(const aia_source *s, long long max_pixels, aia_fits_layout **layout)
{
    *layout = calloc(1, sizeof **layout);
    if (!*layout)
        return aia_fail(AIA_ERR_NOMEM, "%s: out of memory", s->path);
    walker w = {.src = s, .max_bytes = AIA_SOURCE_MAX_BYTES, .max_pixels = max_pixels};
    const int st = walk(&w, *layout);
    if (st) {
        aia_fits_layout_free(*layout);
        *layout = NULL;
    }
    return st;
}

void aia_fits_layout_free(aia_fits_layout *layout)
{
    if (!layout)
        return;
    free_columns(layout);
    free(layout);
}

int aia_fits_declared_size(const unsigned char *bytes, long long have, long long max_bytes, long long max_pixels,
                           long long *need)
{
    aia_source s = {.path = "", .fd = -1, .mem = (unsigned char *)bytes, .size = have};
    aia_fits_layout *lay = calloc(1, sizeof *lay);
    if (!lay)
        return -1;
    walker w = {.src = &s, .max_bytes = max_bytes, .max_pixels = max_pixels, .partial = 1};
    const int st = walk(&w, lay);
    *need = w.ran_out ? w.need : lay->n > 0 ? lay->hdu[lay->n - 1].next_at : 0;
    aia_fits_layout_free(lay);
    if (st)
        return -1;
    return w.ran_out ? 1 : 0;
}
