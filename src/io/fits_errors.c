/* fits_errors.c — cfitsio's status codes as aiaprep's, with a message that
 * names the file. */
#include "io/io.h"

#include <fitsio.h>
#include <pthread.h>
#include <string.h>

int aia_fail_fits(int fits_status, const char *path, const char *what)
{
    char text[FLEN_STATUS];
    fits_get_errstatus(fits_status, text);
    /* cfitsio's own account is on its message stack (per thread): the first
     * messages say what it saw; then drop the stack so that a later failure
     * does not report stale ones. */
    char said[3 * FLEN_ERRMSG + 16] = "", msg[FLEN_ERRMSG];
    for (int i = 0; i < 3 && fits_read_errmsg(msg); i++) {
        if (said[0])
            strcat(said, "; ");
        strcat(said, msg);
    }
    fits_clear_errmsg();
    int status = AIA_ERR_FITS;
    if (fits_status == MEMORY_ALLOCATION)
        status = AIA_ERR_NOMEM;
    else if (fits_status == END_OF_FILE || fits_status == READ_ERROR)
        status = AIA_ERR_TRUNCATED;
    else if (fits_status == WRITE_ERROR || fits_status == FILE_NOT_CREATED ||
             fits_status == FILE_NOT_CLOSED)
        status = AIA_ERR_IO;
    if (said[0])
        return aia_fail(status, "%s: %s: %s (cfitsio status %d: %s)", path, what, text, fits_status, said);
    return aia_fail(status, "%s: %s: %s (cfitsio status %d)", path, what, text, fits_status);
}

/* cfitsio sets up its locks on its first open, which races when threads
 * open their first files at once: done once, before any of them. */
static void init_once(void) { fits_init_cfitsio(); }

void aia_cfitsio_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_once);
}
