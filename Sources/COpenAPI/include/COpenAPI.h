// The service's OpenAPI document (Docs/openapi.yaml), embedded in the binary at build time so
// that `regula serve` serves the very file the repository documents, wherever it is installed.
#ifndef REGULA_COPENAPI_H
#define REGULA_COPENAPI_H
const unsigned char *regula_openapi_bytes(void);
unsigned long regula_openapi_count(void);
#endif
