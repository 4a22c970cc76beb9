/* workspace.c — scratch buffers kept across calls, so that a batch does not
 * pay page faults for fresh 64 MiB buffers on every frame. */
#include "core/core.h"

#include <stdlib.h>

#define SLOTS 8

struct aia_workspace {
    void *buf[SLOTS];
    size_t size[SLOTS];
    int reused[SLOTS];
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

void *aia_workspace_buffer(aia_workspace *ws, int slot, size_t bytes)
{
    if (slot < 0 || slot >= SLOTS)
        return NULL;
    ws->reused[slot] = ws->size[slot] >= bytes;
    if (!ws->reused[slot]) {
        free(ws->buf[slot]);
        ws->buf[slot] = aia_alloc_frame(bytes);
        ws->size[slot] = ws->buf[slot] ? bytes : 0;
    }
    return ws->buf[slot];
}

int aia_workspace_reused(const aia_workspace *ws, int slot)
{
    return slot >= 0 && slot < SLOTS && ws->reused[slot];
}
