/* write_samples.c — write one synthetic frame, with NaN and fractional
 * pixels planted in it, in every output type, plus the expected pixel values
 * as JSON, for test_astropy.py to check with astropy and sunpy.
 * Usage: write_samples DIR */
#include "aiaprep.h"

#include <math.h>
#include <stdio.h>

static const struct { long y, x; float v; } planted[] = {
    {10, 20, NAN}, {100, 101, 12.5f}, {101, 100, -12.5f}, {200, 30, 1234.25f}, {128, 128, NAN},
};
static const long probes[][2] = {{0, 0}, {127, 127}, {140, 90}, {255, 255}, {60, 200}};

static const struct { const char *name; aia_out_type t; aia_compression c; } kinds[] = {
    {"auto.fits", AIA_OUT_AUTO, AIA_COMP_AUTO},
    {"int32_rice.fits", AIA_OUT_INT32, AIA_COMP_RICE},
    {"float32.fits", AIA_OUT_FLOAT32, AIA_COMP_NONE},
    {"float64.fits", AIA_OUT_FLOAT64, AIA_COMP_NONE},
    {"float32_gzip2.fits", AIA_OUT_FLOAT32, AIA_COMP_GZIP2},
    {"float32_rice.fits", AIA_OUT_FLOAT32, AIA_COMP_RICE},
};

static void put_value(FILE *f, float v)
{
    if (isnan(v))
        fprintf(f, "null");
    else
        fprintf(f, "%.9g", v);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: write_samples DIR\n");
        return 2;
    }
    aia_synth_params p;
    aia_image *img = NULL;
    if (aia_synth_defaults(171, 256, &p) || aia_synth(&p, &img)) {
        fprintf(stderr, "synth: %s\n", aia_last_error());
        return 1;
    }
    float *d = img->data;
    for (size_t i = 0; i < sizeof planted / sizeof planted[0]; i++)
        d[planted[i].y * 256 + planted[i].x] = planted[i].v;
    char path[4096];
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        aia_write_options o;
        aia_write_options_default(&o);
        o.type = kinds[k].t;
        o.compression = kinds[k].c;
        snprintf(path, sizeof path, "%s/%s", argv[1], kinds[k].name);
        if (aia_image_write(img, path, &o, NULL)) {
            fprintf(stderr, "write: %s\n", aia_last_error());
            return 1;
        }
    }
    snprintf(path, sizeof path, "%s/expected.json", argv[1]);
    FILE *f = fopen(path, "w");
    fprintf(f, "{\"pixels\": [");
    size_t n = 0;
    for (size_t i = 0; i < sizeof planted / sizeof planted[0]; i++, n++) {
        fprintf(f, "%s[%ld, %ld, ", n ? ", " : "", planted[i].y, planted[i].x);
        put_value(f, planted[i].v);
        fprintf(f, "]");
    }
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++, n++) {
        fprintf(f, ", [%ld, %ld, ", probes[i][0], probes[i][1]);
        put_value(f, d[probes[i][0] * 256 + probes[i][1]]);
        fprintf(f, "]");
    }
    aia_meta m;
    aia_meta_parse(img->header, &m);
    fprintf(f, "], \"crpix\": [%.17g, %.17g], \"cdelt\": [%.17g, %.17g], \"crota2\": %.17g}\n",
            m.crpix1, m.crpix2, m.cdelt1, m.cdelt2, m.crota2);
    fclose(f);
    aia_image_free(img);
    return 0;
}
