// C23's #embed copies Docs/openapi.yaml into the binary: one copy of the document, no
// generated source to keep in step.
#include "COpenAPI.h"

static const unsigned char document[] = {
#embed "../../Docs/openapi.yaml"
};

const unsigned char *regula_openapi_bytes(void) { return document; }
unsigned long regula_openapi_count(void) { return sizeof document; }
