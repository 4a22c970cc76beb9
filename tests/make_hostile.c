/* make_hostile.c — write the hostile files of hostile.c into DIR (for the
 * batch test, and to show what an older build does with them).
 * Usage: make_hostile DIR */
#include "hostile.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_hostile DIR\n");
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
