/* version.c — the library version, set by the build. */
#include "core/core.h"

#ifndef AIAPREP_VERSION_STRING
#error "the build must define AIAPREP_VERSION_STRING"
#endif

const char *aia_version(void) { return AIAPREP_VERSION_STRING; }
