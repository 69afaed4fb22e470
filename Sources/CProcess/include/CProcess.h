// What Swift 6 cannot reach safely: C's `stdout` stream, a mutable global; and what it cannot
// reach at all: Linux's `sync_file_range`.
#ifndef REGULA_CPROCESS_H
#define REGULA_CPROCESS_H

/// Flushes C's standard output and reports whether anything written to it was lost: 1 when
/// the flush fails or an earlier write failed (the stream's error flag), else 0.
int regula_standard_output_failed(void);

/// Starts writing a file's bytes `offset..<offset + count` to storage without waiting for them
/// (Linux's `sync_file_range`; elsewhere nothing), so that a final `fsync` has little left.
void regula_start_writeback(int descriptor, long long offset, long long count);

#endif
