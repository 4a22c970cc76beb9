/* fuzz_file.c — the input as a file, for targets whose code reads files:
 * one file per process (in $TMPDIR, else /dev/shm or /tmp), rewritten for
 * each input, removed at exit. */
#include "fuzz.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static char path[512];

static void remove_file(void) { unlink(path); }

const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix)
{
    if (!path[0]) {
        const char *dir = getenv("TMPDIR");
        if (!dir || access(dir, W_OK) != 0)
            dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(path, sizeof path - 16, "%s/aiaprep-fuzz-%ld", dir, (long)getpid());
        atexit(remove_file);
    }
    static char named[600];
    snprintf(named, sizeof named, "%s%s", path, suffix ? suffix : "");
    if (strcmp(named, path) != 0) { /* one name a suffix; they are few */
        static char last[600];
        if (last[0] && strcmp(last, named) != 0)
            unlink(last);
        snprintf(last, sizeof last, "%s", named);
    }
    const int fd = open(named, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FUZZ_REQUIRE(fd >= 0);
    size_t done = 0;
    while (done < size) {
        const ssize_t w = write(fd, data + done, size - done);
        FUZZ_REQUIRE(w > 0);
        done += (size_t)w;
    }
    close(fd);
    return named;
}
