// The GNU multiple-precision library, as installed by Debian's libgmp-dev.
#include <gmp.h>
