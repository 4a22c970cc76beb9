/* prep_inputs.c — prep's list of inputs: files, directories (their FITS
 * files), @LIST files; sorted and de-duplicated, so that shards and MPI
 * ranks agree on the order; --shard slices. */
#include "prep.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int push(path_list *l, const char *path)
{
    if (l->count == l->capacity) {
        size_t cap = l->capacity ? 2 * l->capacity : 64;
        char **p = realloc(l->paths, cap * sizeof *p);
        if (!p)
            return -1;
        l->paths = p;
        l->capacity = cap;
    }
    l->paths[l->count] = strdup(path);
    return l->paths[l->count++] ? 0 : -1;
}

/* FITS names as archives spell them: .fits, .fit, .fts in any case
 * (.FITS, .FTS), alone or with .fz or .gz after them. */
static int has_fits_extension(const char *name)
{
    static const char *const exts[] = {".fits", ".fit", ".fts"};
    size_t n = strlen(name);
    if (n > 3 && (strcasecmp(name + n - 3, ".gz") == 0 || strcasecmp(name + n - 3, ".fz") == 0))
        n -= 3;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t k = strlen(exts[i]);
        if (n > k && strncasecmp(name + n - k, exts[i], k) == 0)
            return 1;
    }
    return 0;
}

/* @LIST: one input a line (blank lines and # comments skipped). */
static int expand_list(path_list *l, const char *list)
{
    FILE *f = fopen(list, "r");
    if (!f) {
        fprintf(stderr, "aiaprep prep: error: cannot read the list %s: %s\n", list, strerror(errno));
        return -2;
    }
    char line[4096];
    int st = 0;
    while (!st && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p && *p != '#')
            st = push(l, p);
    }
    fclose(f);
    return st;
}

/* A directory contributes its FITS files; @LIST its lines; anything else is
 * taken as a file, and an unreadable one fails later with its own message. */
int prep_expand_input(path_list *l, const char *arg)
{
    if (arg[0] == '@')
        return expand_list(l, arg + 1);
    struct stat sb;
    if (stat(arg, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return push(l, arg);
    struct dirent **names;
    int n = scandir(arg, &names, NULL, alphasort);
    if (n < 0)
        return push(l, arg); /* reported as unreadable when processed */
    int st = 0;
    for (int i = 0; i < n; i++) {
        if (!st && names[i]->d_name[0] != '.' && has_fits_extension(names[i]->d_name)) {
            char path[4096];
            size_t len = strlen(arg);
            snprintf(path, sizeof path, "%s%s%s", arg, len && arg[len - 1] == '/' ? "" : "/",
                     names[i]->d_name);
            st = push(l, path);
        }
        free(names[i]);
    }
    free(names);
    return st;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, without repeats: the order shards and MPI runs agree on. */
void prep_sort_unique(path_list *l)
{
    qsort(l->paths, l->count, sizeof *l->paths, cmp_path);
    size_t k = 0;
    for (size_t i = 0; i < l->count; i++) {
        if (k && strcmp(l->paths[k - 1], l->paths[i]) == 0) {
            free(l->paths[i]);
            continue;
        }
        l->paths[k++] = l->paths[i];
    }
    l->count = k;
}

/* Keep every n-th input from the i-th. */
void prep_shard(path_list *l, long i, long n)
{
    size_t k = 0;
    for (size_t j = 0; j < l->count; j++) {
        if ((long)(j % (size_t)n) == i)
            l->paths[k++] = l->paths[j];
        else
            free(l->paths[j]);
    }
    l->count = k;
}

void prep_path_list_free(path_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->paths[i]);
    free(l->paths);
    l->paths = NULL;
    l->count = l->capacity = 0;
}
