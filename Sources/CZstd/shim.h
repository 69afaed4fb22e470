// Zstandard, as installed by Debian's libzstd-dev: the decision log packs its segments.
#include <zstd.h>
