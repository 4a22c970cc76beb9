/* workspace.c — scratch buffers kept across calls, so that a batch does not
 * pay page faults for fresh 64 MiB buffers on every frame. */
#include "core/core.h"

#include <stdlib.h>
#include <sys/mman.h>

#define SLOTS 8

struct aia_workspace {
    void *buf[SLOTS];
    size_t size[SLOTS];
};

aia_workspace *aia_workspace_new(void) { return calloc(1, sizeof(aia_workspace)); }

void aia_workspace_free(aia_workspace *ws)
{
    if (!ws)
        return;
    for (int i = 0; i < SLOTS; i++)
        free(ws->buf[i]);
    free(ws);
}

/* Frame-sized buffers are read across rows 16 KiB apart (the spline
 * prefilter's column pass, the sampling's four tap rows): with 4 KiB pages
 * each such step is a TLB miss. Asked for on 2 MiB boundaries and marked for
 * transparent huge pages (where the kernel's policy is "madvise"), they take
 * 512 times fewer TLB entries and page faults. */
#define HUGE_PAGE ((size_t)2 << 20)

static void *big_buffer(size_t bytes)
{
    if (bytes < HUGE_PAGE)
        return malloc(bytes);
    void *p = NULL;
    const size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    if (posix_memalign(&p, HUGE_PAGE, rounded) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, rounded, MADV_HUGEPAGE); /* advice only: a refusal changes nothing */
#endif
    return p;
}

void *aia_workspace_buffer(aia_workspace *ws, int slot, size_t bytes)
{
    if (slot < 0 || slot >= SLOTS)
        return NULL;
    if (ws->size[slot] < bytes) {
        free(ws->buf[slot]);
        ws->buf[slot] = big_buffer(bytes);
        ws->size[slot] = ws->buf[slot] ? bytes : 0;
    }
    return ws->buf[slot];
}
