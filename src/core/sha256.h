/* sha256.h — SHA-256 (FIPS 180-4) of memory and of files (sha256.c): the
 * checksums by which outputs name the tables they used and the cache
 * records what it fetched. Internal. */
#ifndef AIAPREP_CORE_SHA256_H
#define AIAPREP_CORE_SHA256_H

#include "core/core.h"

typedef struct aia_sha256 {
    uint32_t h[8];
    uint64_t bytes;
    unsigned char block[64];
    size_t used;
} aia_sha256;

void aia_sha256_init(aia_sha256 *s);
void aia_sha256_update(aia_sha256 *s, const void *data, size_t n);
/* The digest as 64 lower-case hex digits and a NUL. */
void aia_sha256_hex(aia_sha256 *s, char hex[65]);

/* The SHA-256 of n bytes / of a file's contents (AIA_ERR_IO naming the
 * file when it cannot be read). */
void aia_sha256_of(const void *data, size_t n, char hex[65]);
int aia_sha256_file(const char *path, char hex[65]);

#endif
