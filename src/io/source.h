/* source.h — the bytes of a FITS file as the reader sees them: a regular
 * file read with pread, or (for a gzip-wrapped .fits.gz) the inflated
 * bytes in memory. Opening checks what a person can be told plainly
 * (missing, a directory, empty, not FITS) and bounds a gzip file's inflated
 * size by what its own headers declare. Internal. */
#ifndef AIAPREP_IO_SOURCE_H
#define AIAPREP_IO_SOURCE_H

#include <stddef.h>

typedef struct aia_source {
    const char *path;         /* for messages                               */
    int fd;                   /* -1 when the bytes are in memory            */
    unsigned char *mem;       /* the inflated file (gzip), else NULL        */
    long long size;           /* bytes in the file (inflated)               */
    int gzip;                 /* 1 if the file on disk is gzip-wrapped      */
    void *fits_mem;           /* cfitsio's memfile keeps pointers to these  */
    size_t fits_mem_size;     /* two for as long as the file is open        */
} aia_source;

/* The largest file (after gzip inflation) the reader takes: a bound on
 * what a hostile header can make it allocate. */
#define AIA_SOURCE_MAX_BYTES (16LL << 30)

/* Open path for reading; max_bytes bounds the (inflated) size, 0 for
 * AIA_SOURCE_MAX_BYTES; a gzip file stops inflating as soon as its
 * headers declare an image of more than max_pixels. Errors name the file. */
int aia_source_open(aia_source *s, const char *path, long long max_bytes, long long max_pixels);
void aia_source_close(aia_source *s);

/* Exactly len bytes at offset, or an error naming the file ("ends at byte"
 * when the file is shorter). */
int aia_source_read(const aia_source *s, long long offset, void *buf, size_t len);

#endif
