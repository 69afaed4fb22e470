// A byte sink for rendering on the hot path: records and values are written piece by piece
// into a buffer on the stack and moved into the caller's array a few kilobytes at a time.

import RegulaJSON

/// Bytes written through a small buffer on the stack and moved into an array a few kilobytes
/// at a time: each write is a bounds check and a copy, where `Array.append(contentsOf:)` costs
/// a generic call per piece (about a hundred instructions for a string literal). Record
/// rendering on the hot path writes some thirty pieces per decision.
struct ByteSink: ByteOutput, ~Copyable {
  let buffer: UnsafeMutablePointer<UInt8>
  let capacity: Int
  var used = 0
  /// What was written before the buffer's bytes.
  var output: [UInt8]

  /// Runs `body` with a sink whose bytes are appended to `bytes` when it returns.
  @inline(__always)
  static func writing<Result>(
    to bytes: inout [UInt8], _ body: (inout ByteSink) throws(Never) -> Result
  ) -> Result {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2048) { buffer in
      var output: [UInt8] = []
      swap(&output, &bytes)
      // Moved, not copied: the sink's appends must find the array uniquely referenced.
      var sink = ByteSink(
        buffer: buffer.baseAddress!, capacity: buffer.count, output: consume output)
      let result = body(&sink)
      bytes = sink.finish()
      return result
    }
  }

  init(buffer: UnsafeMutablePointer<UInt8>, capacity: Int, output: consuming [UInt8]) {
    self.buffer = buffer
    self.capacity = capacity
    self.output = output
  }

  consuming func finish() -> [UInt8] {
    flush()
    return output
  }

  mutating func flush() {
    output.append(contentsOf: UnsafeBufferPointer(start: buffer, count: used))
    used = 0
  }

  @inline(__always)
  mutating func write(_ byte: UInt8) {
    if used == capacity { flush() }
    buffer[used] = byte
    used &+= 1
  }

  @inline(__always)
  mutating func write(_ bytes: UnsafePointer<UInt8>, count: Int) {
    if count > capacity &- used {
      flush()
      if count > capacity {
        output.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
        return
      }
    }
    (buffer + used).update(from: bytes, count: count)
    used &+= count
  }

  @inline(__always)
  mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
    if let start = bytes.baseAddress { write(start, count: bytes.count) }
  }

  @inline(__always)
  mutating func write(_ literal: StaticString) {
    write(literal.utf8Start, count: literal.utf8CodeUnitCount)
  }

  mutating func write(_ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { write($0) }
  }

  /// Writes a text's UTF-8 as it is (not quoted).
  mutating func write(text: String) {
    var text = text
    text.withUTF8 { write($0) }
  }

  /// Writes `text` as a JSON string literal, as `JSONWriter.quote` spells it.
  mutating func write(quoted text: String) {
    var text = text
    text.withUTF8 { utf8 in
      write(UInt8(ascii: "\""))
      if !utf8.contains(where: JSONWriter.needsEscape) {
        write(utf8)
      } else {
        var escaped: [UInt8] = []
        for byte in utf8 { JSONWriter.appendEscaped(byte, to: &escaped) }
        write(escaped)
      }
      write(UInt8(ascii: "\""))
    }
  }

  /// Writes `value` in decimal.
  mutating func write(integer value: Int64) { Evaluator.writeInteger(value, to: &self) }
}

/// Where the renderers write: a `ByteSink`, or an array directly (for a single value, where a
/// sink's setting up costs more than it saves).
protocol ByteOutput: ~Copyable {
  mutating func write(_ byte: UInt8)
  mutating func write(_ bytes: UnsafePointer<UInt8>, count: Int)
  mutating func write(_ literal: StaticString)
  mutating func write(text: String)
  mutating func write(quoted text: String)
  mutating func write(integer value: Int64)
}

extension Array: ByteOutput where Element == UInt8 {
  @inline(__always)
  mutating func write(_ byte: UInt8) { append(byte) }

  @inline(__always)
  mutating func write(_ bytes: UnsafePointer<UInt8>, count: Int) {
    append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
  }

  @inline(__always)
  mutating func write(_ literal: StaticString) {
    write(literal.utf8Start, count: literal.utf8CodeUnitCount)
  }

  /// In one copy (a string's `utf8` view is appended a byte at a time).
  mutating func write(text: String) {
    var text = text
    text.withUTF8 { append(contentsOf: $0) }
  }

  mutating func write(quoted text: String) { JSONWriter.appendQuoted(text, to: &self) }

  mutating func write(integer value: Int64) { Evaluator.appendInteger(value, to: &self) }
}
