/* make_hostile.c — write the hostile files of hostile.c into DIR (for the
 * batch test, and to show what an older build does with them); or one
 * synthetic level-1 frame (256 x 256, or SIZE) with a header value that cannot be
 * right (KEY set to VALUE).
 * Usage: make_hostile DIR
 *        make_hostile --frame KEY VALUE OUT.fits [SIZE] */
#include "hostile.h"

#include "aiaprep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int frame_with(const char *key, const char *value, const char *out, long size)
{
    aia_synth_params p;
    aia_image *img = NULL;
    if (aia_synth_defaults(171, size, &p) || aia_synth(&p, &img) ||
        aia_header_set_double(img->header, key, strtod(value, NULL), NULL)) {
        fprintf(stderr, "make_hostile: %s\n", aia_last_error());
        aia_image_free(img);
        return 1;
    }
    aia_write_options o;
    aia_write_options_default(&o);
    o.overwrite = 1;
    const int st = aia_image_write(img, out, &o, NULL);
    if (st)
        fprintf(stderr, "make_hostile: %s\n", aia_last_error());
    aia_image_free(img);
    return st != 0;
}

int main(int argc, char **argv)
{
    if ((argc == 5 || argc == 6) && strcmp(argv[1], "--frame") == 0)
        return frame_with(argv[2], argv[3], argv[4], argc == 6 ? atol(argv[5]) : 256);
    if (argc != 2) {
        fprintf(stderr, "usage: make_hostile DIR | make_hostile --frame KEY VALUE OUT.fits\n");
        return 2;
    }
    int bad = 0;
    for (const hostile_case *c = hostile_cases; c->name; c++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], c->name);
        if (c->make(path)) {
            fprintf(stderr, "make_hostile: could not write %s\n", path);
            bad = 1;
        }
    }
    return bad;
}
