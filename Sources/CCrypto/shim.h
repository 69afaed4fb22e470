// OpenSSL's libcrypto, as installed by Debian's libssl-dev: SHA-256 with the CPU's SHA
// instructions, for the decision log's hash chain (hashed per decision, so its speed is the
// log's). Only the one-shot SHA256(), which OpenSSL 3 does not deprecate, is used.
#include <openssl/sha.h>
