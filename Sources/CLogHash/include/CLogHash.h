// SHA-256 for the decision log's hash chain, by OpenSSL's libcrypto (Debian's libssl-dev).
#ifndef REGULA_CLOGHASH_H
#define REGULA_CLOGHASH_H
#include <stddef.h>

/// Writes the 32-byte SHA-256 of `count` bytes at `bytes` to `digest`.
void regula_sha256(const unsigned char *bytes, size_t count, unsigned char *digest);

/// Room for OpenSSL's SHA256_CTX (checked where it is used), so that a digest over many parts
/// runs without copying them together.
typedef struct {
  unsigned long long words[16];
} regula_sha256_context;

void regula_sha256_begin(regula_sha256_context *context);
void regula_sha256_update(regula_sha256_context *context, const unsigned char *bytes, size_t count);
/// Adds a field as the log's digest frames it: its length (8 bytes, big-endian), then its bytes.
void regula_sha256_field(regula_sha256_context *context, const unsigned char *bytes, size_t count);
void regula_sha256_end(regula_sha256_context *context, unsigned char *digest);

#endif
