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
