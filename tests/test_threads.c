/* test_threads.c — cfitsio is re-entrant here: several threads read and
 * write files at once (one fitsfile each) and get the same results. */
#include "testutil.h"

#include <fitsio.h>
#include <pthread.h>
#include <string.h>

#define NTHREADS 4

typedef struct job {
    const char *in;
    char out[512];
    const aia_image *ref;
    int ok;
} job;

/* Equal values (not bits: -0.0 and 0.0 are the same pixel value). */
static int same_pixels(const aia_image *a, const aia_image *b)
{
    const float *x = a->data, *y = b->data;
    for (long i = 0; i < a->width * a->height; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

static void *work(void *arg)
{
    job *j = arg;
    j->ok = 1;
    for (int rep = 0; rep < 3; rep++) {
        aia_image *img = NULL;
        if (aia_image_read(j->in, AIA_PIX_F32, &img) != AIA_OK) {
            fprintf(stderr, "read: %s\n", aia_last_error());
            j->ok = 0;
            return NULL;
        }
        j->ok &= same_pixels(img, j->ref);
        aia_write_options o;
        aia_write_options_default(&o);
        o.overwrite = 1;
        if (aia_image_write(img, j->out, &o, NULL) != AIA_OK) {
            fprintf(stderr, "write: %s\n", aia_last_error());
            j->ok = 0;
        }
        aia_image_free(img);
    }
    return NULL;
}

int main(void)
{
    CHECK(fits_is_reentrant() == 1);
    aia_image *frame = test_synth(211, 512, 0.1, 3);
    const char *in = test_path("in.fits");
    aia_write_options o;
    aia_write_options_default(&o);
    CHECK_OK(aia_image_write(frame, in, &o, NULL));
    pthread_t th[NTHREADS];
    job jobs[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        jobs[i].in = in;
        jobs[i].ref = frame;
        snprintf(jobs[i].out, sizeof jobs[i].out, "%s/out%d.fits", test_tmpdir(), i);
        pthread_create(&th[i], NULL, work, &jobs[i]);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        CHECK_MSG(jobs[i].ok, "thread %d", i);
    }
    /* the outputs written concurrently are identical to the input pixels */
    for (int i = 0; i < NTHREADS; i++) {
        aia_image *img = NULL;
        CHECK_OK(aia_image_read(jobs[i].out, AIA_PIX_F32, &img));
        if (img)
            CHECK(same_pixels(img, frame));
        aia_image_free(img);
    }
    aia_image_free(frame);
    return test_done("test_threads");
}
