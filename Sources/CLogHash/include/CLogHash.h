// SHA-256 for the decision log's hash chain, by OpenSSL's libcrypto (Debian's libssl-dev).
#ifndef REGULA_CLOGHASH_H
#define REGULA_CLOGHASH_H
#include <stddef.h>

/// Writes the 32-byte SHA-256 of `count` bytes at `bytes` to `digest`.
void regula_sha256(const unsigned char *bytes, size_t count, unsigned char *digest);

#endif
