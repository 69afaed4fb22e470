#include "CProcess.h"
#include <stdio.h>

int regula_standard_output_failed(void) {
  int flushFailed = fflush(stdout) != 0;
  return flushFailed || ferror(stdout) != 0;
}
