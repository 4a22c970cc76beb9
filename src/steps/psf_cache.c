/* psf_cache.c — PSFs kept on disk so that a batch computes each channel
 * once. A cache file is trusted only if its checksum verifies and its keys
 * match what was asked; anything else is recomputed and replaced (written
 * atomically, so two processes filling the cache at once are harmless). */
#include "steps/psf_model.h"
#include "core/fs.h"
#include "io/io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A name per (channel, core, orders): FNV-1a of a custom order list. */
static void cache_name(const aia_psf_options *o, const char *dir, char *buf, size_t size)
{
    char orders[32] = "o-100to100";
    if (o->orders) {
        uint64_t h = UINT64_C(1469598103934665603);
        for (int i = 0; i < o->norders; i++) {
            h ^= (uint64_t)(uint32_t)o->orders[i];
            h *= UINT64_C(1099511628211);
        }
        snprintf(orders, sizeof orders, "o%016llx", (unsigned long long)h);
    }
    snprintf(buf, size, "%s/psf_%04d_%s_%s_m%d.fits", dir, o->channel,
             o->preflight_core ? "preflight" : "default", orders, AIA_PSF_MODEL_VERSION);
}

/* The cached file answers this request: checksum and keys. */
static int matches(const aia_image *img, const aia_psf_options *o)
{
    long long ch = 0, nord = 0, first = 0, last = 0, model = 0;
    char core[32] = "";
    const aia_header *h = img->header;
    if (img->width != 4096 || img->height != 4096 || img->pixtype != AIA_PIX_F64 ||
        aia_header_get_long(h, "WAVELNTH", &ch) || aia_header_get_long(h, "PSFNORD", &nord) ||
        aia_header_get_long(h, "PSFORD1", &first) || aia_header_get_long(h, "PSFORDN", &last) ||
        aia_header_get_long(h, "PSFMVER", &model) || aia_header_get_string(h, "PSFCORE", core, sizeof core))
        return 0;
    const int n = o->orders ? o->norders : 201;
    const int f = o->orders ? o->orders[0] : -100, l = o->orders ? o->orders[n - 1] : 100;
    return ch == o->channel && nord == n && first == f && last == l && model == AIA_PSF_MODEL_VERSION &&
           strcmp(core, o->preflight_core ? "preflight" : "default") == 0;
}

int aia_psf_cached(const aia_psf_options *o, const char *cache_dir, aia_image **out, aia_psf_info *info)
{
    *out = NULL;
    char dir[4096], path[4200];
    if (!cache_dir) {
        int st = aia_cache_dir(dir, sizeof dir);
        if (st)
            return st;
        cache_dir = dir;
    }
    cache_name(o, cache_dir, path, sizeof path);
    aia_image *img = NULL;
    struct stat sb;
    if (stat(path, &sb) == 0 && aia_fits_checksum_ok(path) == 1 &&
        aia_image_read(path, AIA_PIX_F64, &img) == AIA_OK) {
        if (matches(img, o)) {
            if (info) {
                memset(info, 0, sizeof *info);
                info->from_cache = 1;
            }
            *out = img;
            return AIA_OK;
        }
        aia_image_free(img); /* stale or foreign: recompute */
        img = NULL;
    }
    int st = aia_psf(o, &img, info);
    if (st)
        return st;
    if (info)
        info->from_cache = 0;
    if (aia_make_dirs(cache_dir) == 0) {
        aia_write_options w;
        aia_write_options_default(&w);
        w.type = AIA_OUT_FLOAT64;
        w.compression = AIA_COMP_NONE;
        w.overwrite = 1;
        aia_image_write(img, path, &w, NULL); /* best effort: a read-only cache is fine */
    }
    aia_clear_error();
    *out = img;
    return AIA_OK;
}
