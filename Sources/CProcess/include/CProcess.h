// What Swift 6 cannot reach safely: C's `stdout` stream, a mutable global.
#ifndef REGULA_CPROCESS_H
#define REGULA_CPROCESS_H

/// Flushes C's standard output and reports whether anything written to it was lost: 1 when
/// the flush fails or an earlier write failed (the stream's error flag), else 0.
int regula_standard_output_failed(void);

#endif
