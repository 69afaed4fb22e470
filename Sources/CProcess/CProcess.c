#define _GNU_SOURCE
#include "CProcess.h"
#include <fcntl.h>
#include <stdio.h>

int regula_standard_output_failed(void) {
  int flushFailed = fflush(stdout) != 0;
  return flushFailed || ferror(stdout) != 0;
}

void regula_start_writeback(int descriptor, long long offset, long long count) {
#ifdef __linux__
  // Asks the kernel to start writing these pages now, without waiting for them: the final
  // fsync then waits only for the last ones. A failure is ignored: fsync still syncs all.
  (void)sync_file_range(descriptor, offset, count, SYNC_FILE_RANGE_WRITE);
#else
  (void)descriptor;
  (void)offset;
  (void)count;
#endif
}
