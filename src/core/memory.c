/* memory.c — frame-sized buffers.
 *
 * A 4096 x 4096 float frame is 64 MiB: with 4 KiB pages, 16384 page faults
 * to fill it in a fresh process, and a TLB miss on every step of the
 * passes that walk it a column at a time (the spline prefilter, the
 * sampling's four tap rows: 16 KiB apart). Asked for on 2 MiB boundaries
 * and marked for transparent huge pages (which Debian's kernels give on
 * request: the "madvise" policy), such buffers take 512 times fewer faults
 * and TLB entries. Advice only: where the kernel says no, nothing changes. */
#include "core/core.h"

#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

void *aia_alloc_frame(size_t bytes)
{
    if (bytes < HUGE_PAGE)
        return malloc(bytes ? bytes : 1);
    void *p = NULL;
    const size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    if (posix_memalign(&p, HUGE_PAGE, rounded) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return p;
}
