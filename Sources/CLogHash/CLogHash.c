// OpenSSL's SHA256_Init/Update/Final run the CPU's SHA instructions with no per-call state
// to fetch. The one-shot SHA256() of OpenSSL 3 fetches the digest under a global lock on
// every call, which cost a batch about 5%. The low-level calls are deprecated in OpenSSL 3,
// but they are kept and stable, so the deprecation is silenced here and nowhere else.
#include "CLogHash.h"

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <openssl/sha.h>

void regula_sha256(const unsigned char *bytes, size_t count, unsigned char *digest) {
  SHA256_CTX context;
  SHA256_Init(&context);
  SHA256_Update(&context, bytes, count);
  SHA256_Final(digest, &context);
}

_Static_assert(sizeof(SHA256_CTX) <= sizeof(regula_sha256_context), "room for SHA256_CTX");

void regula_sha256_begin(regula_sha256_context *context) {
  SHA256_Init((SHA256_CTX *)context);
}

void regula_sha256_update(regula_sha256_context *context, const unsigned char *bytes, size_t count) {
  SHA256_Update((SHA256_CTX *)context, bytes, count);
}

void regula_sha256_field(regula_sha256_context *context, const unsigned char *bytes, size_t count) {
  unsigned char length[8];
  unsigned long long value = count;
  for (int index = 7; index >= 0; index--) {
    length[index] = (unsigned char)(value & 0xFF);
    value >>= 8;
  }
  SHA256_Update((SHA256_CTX *)context, length, 8);
  if (count > 0) SHA256_Update((SHA256_CTX *)context, bytes, count);
}

void regula_sha256_end(regula_sha256_context *context, unsigned char *digest) {
  SHA256_Final(digest, (SHA256_CTX *)context);
}
