// Counts heap allocations made by the calling thread, for `regula bench` (allocations per
// decision). On glibc the executable's malloc family wraps glibc's own (symbol interposition);
// elsewhere nothing is counted and `regula_allocation_count_available` returns 0.
#ifndef C_ALLOCATION_COUNTER_H
#define C_ALLOCATION_COUNTER_H

#include <stdint.h>

/// Allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) made by the
/// calling thread since it started.
uint64_t regula_allocation_count(void);

/// 1 when allocations are counted on this platform, else 0.
int regula_allocation_count_available(void);

#endif
