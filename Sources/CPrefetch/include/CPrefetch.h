// What Swift has no spelling for: a hint to the CPU to start reading memory into its caches.
#ifndef REGULA_CPREFETCH_H
#define REGULA_CPREFETCH_H

/// Asks the CPU to start loading the cache line holding `address` (for reading, kept in every
/// cache level). Only a hint: it changes no value and cannot fault, whatever the address.
static inline void regula_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
