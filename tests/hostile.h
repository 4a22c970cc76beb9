/* hostile.h — hand-made hostile FITS files, each one fault of those found
 * by fuzzing and by attack (issue 12), written with cfitsio and then
 * patched byte by byte. Used by test_hostile (the reader refuses each
 * with the right message), make_hostile (the batch test's inputs) and
 * make_seeds (the FITS fuzz corpus). */
#ifndef AIAPREP_TESTS_HOSTILE_H
#define AIAPREP_TESTS_HOSTILE_H

typedef struct hostile_case {
    const char *name;     /* file name, says what is wrong                */
    int status;           /* what aia_image_read must return              */
    const char *text;     /* ... and a piece of its message               */
    int (*make)(const char *path);
} hostile_case;

/* The cases, terminated by a {NULL} entry. */
extern const hostile_case hostile_cases[];

/* A valid small Rice-compressed int16 image (JSOC's layout: empty primary,
 * the image in HDU 1, one row a tile), with checksums when asked. */
int hostile_write_rice(const char *path, long nx, long ny, int checksums);

/* Replace the first card with keyword key by `card` (padded to 80). */
int hostile_patch_card(const char *path, const char *key, const char *card);

/* Offsets in a file written by cfitsio: HDU `hdu` (1-based) data start and
 * heap start, and the byte offset of column `col`'s cell in row 1. */
int hostile_layout(const char *path, int hdu, const char *col, long long *data, long long *heap, long long *cell,
                   long long *rowlen);

/* Overwrite bytes at offset. */
int hostile_poke(const char *path, long long offset, const void *bytes, int n);

#endif
