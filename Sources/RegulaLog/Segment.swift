// A segment: the entries of one group commit, stored as one row. Decision ids run on from the
// segment's first id; each entry is its fields, length-prefixed, then its entry hash. The
// previous hash of an entry is the hash of the one before it (the segment row keeps the
// previous hash of its first). One row per commit instead of one per decision writes a batch
// of 2,048 decisions as one blob: SQLite's per-row work was most of the log's cost.
//
// A row's bytes are stored packed (`Segment.Packer`): byte 0, the format (1: a Zstandard
// frame with its checksum), the length unpacked (a varint), then the frame. W1's entries pack to about a
// twentieth, at about 1.6 GB/s on one core; the bytes written (twice, to the WAL and at
// checkpoint) were what held a batch back. Rows written before packing begin with their first
// entry's time length, never 0, and are read as they are. The chain hashes the entries, not
// the stored bytes.

import CZstd

/// Why a stored segment cannot be read: it was changed outside the log.
struct SegmentError: Error, CustomStringConvertible {
  var id: Int64
  var description: String {
    "entry \(id) cannot be read: its segment is malformed (the database was changed)"
  }
}

enum Segment {
  /// The first byte of a packed row (an unpacked one starts with a non-zero length).
  static let packedMarker: UInt8 = 0
  /// The packed format: one Zstandard frame.
  static let zstdFormat: UInt8 = 1
  /// Zstandard's fastest regular level: the log's JSON packs to about a twentieth.
  static let level: Int32 = 1
  /// A match table of 2^12 entries (16 KiB, in the core's L1 cache) instead of level 1's
  /// larger one: `zstd -b1` on an exported W1 log packs 17% faster (1,370 → 1,600 MB/s) to
  /// the same size within 0.3% (×14.98 → ×14.94).
  static let hashLog: Int32 = 12
  /// The most bytes a packed row may unpack to. A segment closes past `Writer.segmentBytes`
  /// (32 MiB), so only a segment ending with a very large entry goes past it, and the writer
  /// stores a segment over this limit unpacked. A stated length above it is refused before
  /// anything is allocated.
  static let maximumUnpackedBytes = 256 << 20

  /// Unpacks a stored row's bytes (a row stored unpacked is returned as it is).
  ///
  /// A packed row is taken only exactly as the writer makes it: its length in the shortest
  /// varint, then one Zstandard frame that ends at the end of the row, states that same
  /// length as its content size, and carries its checksum (which the decoder checks).
  /// Anything else (a skippable or second frame after it, a frame without a checksum, a
  /// length written long) is refused, so a row cannot be rewritten into other bytes that
  /// still read.
  ///
  /// - Throws: `SegmentError` naming `firstID` when the row is not as written.
  static func unpack(_ stored: [UInt8], firstID: Int64) throws(SegmentError) -> [UInt8] {
    guard stored.first == packedMarker else { return stored }
    guard stored.count >= 3, stored[1] == zstdFormat else { throw SegmentError(id: firstID) }
    var position = 2
    guard let length = readVarint(stored, at: &position), length > 0,
      length <= UInt64(maximumUnpackedBytes)
    else { throw SegmentError(id: firstID) }
    var canonical: [UInt8] = []
    appendVarint(length, to: &canonical)
    guard position - 2 == canonical.count else { throw SegmentError(id: firstID) }
    let frameChecked = stored.withUnsafeBufferPointer { input -> Bool in
      let frame = UnsafeRawPointer(input.baseAddress! + position)
      let size = input.count - position
      // The magic number, then the frame header descriptor's checksum bit.
      guard size >= 6, input[position] == 0x28, input[position + 1] == 0xB5,
        input[position + 2] == 0x2F, input[position + 3] == 0xFD,
        input[position + 4] & 0x04 != 0
      else { return false }
      return ZSTD_findFrameCompressedSize(frame, size) == size
        && ZSTD_getFrameContentSize(frame, size) == length
    }
    guard frameChecked else { throw SegmentError(id: firstID) }
    var result = 0
    let unpacked = [UInt8](unsafeUninitializedCapacity: Int(length)) { output, count in
      result = stored.withUnsafeBufferPointer { input in
        ZSTD_decompress(
          output.baseAddress, output.count, input.baseAddress! + position, input.count - position)
      }
      count = ZSTD_isError(result) == 0 && result == output.count ? result : 0
    }
    guard ZSTD_isError(result) == 0, unpacked.count == Int(length) else {
      throw SegmentError(id: firstID)
    }
    return unpacked
  }

  /// Packs a row's entries for storage, reusing one Zstandard context.
  final class Packer {
    /// Level 1, with the frame's checksum: bytes garbled in storage are refused when read
    /// (a malformed segment), not unpacked into other bytes for the chain to catch.
    let context: OpaquePointer? = {
      guard let context = ZSTD_createCCtx() else { return nil }
      guard
        ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Segment.level)) == 0,
        ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_hashLog, Segment.hashLog)) == 0,
        ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)) == 0
      else {
        ZSTD_freeCCtx(context)
        return nil
      }
      return context
    }()

    deinit { ZSTD_freeCCtx(context) }

    /// The packed form of `bytes`, or `bytes` themselves when they are empty or cannot be
    /// packed (out of memory): both read back the same.
    func pack(_ bytes: [UInt8]) -> [UInt8] {
      guard let context, !bytes.isEmpty, bytes.count <= Segment.maximumUnpackedBytes else {
        return bytes
      }
      var header: [UInt8] = [Segment.packedMarker, Segment.zstdFormat]
      Segment.appendVarint(UInt64(bytes.count), to: &header)
      let bound = ZSTD_compressBound(bytes.count)
      let packed = [UInt8](unsafeUninitializedCapacity: header.count + bound) { buffer, count in
        _ = buffer.initialize(from: header)
        let result = bytes.withUnsafeBufferPointer { input in
          ZSTD_compress2(
            context, buffer.baseAddress! + header.count, bound, input.baseAddress!, input.count)
        }
        count = ZSTD_isError(result) == 0 ? header.count + result : 0
      }
      return packed.isEmpty ? bytes : packed
    }
  }

  /// Appends one entry's fields and hash.
  static func append(_ entry: NewEntry, hash: Digest, to bytes: inout [UInt8]) {
    appendFields(
      entry.loggedAt, entry.policy, entry.policyHash, entry.asOf, entry.jurisdiction,
      entry.caller, input: entry.input, record: entry.record, to: &bytes)
    withUnsafeBytes(of: hash.words) { bytes.append(contentsOf: $0) }
  }

  /// Appends a stored entry as it is, hash included (for `DecisionLog.tamper`).
  static func append(_ entry: LogEntry, to bytes: inout [UInt8]) {
    append(
      entry.loggedAt, entry.policy, entry.policyHash, entry.asOf, entry.jurisdiction,
      entry.caller, input: entry.input, record: entry.record, hash: entry.entryHash, to: &bytes)
  }

  /// The one encoding of an entry: its six texts, input and record, each length-prefixed,
  /// then its 32-byte hash. (Each part is copied from contiguous bytes: the writer encodes
  /// every logged decision, and an array of the texts or a copy through `String.UTF8View`
  /// had been a tenth of its work.)
  static func append(
    _ loggedAt: String, _ policy: String, _ policyHash: String, _ asOf: String,
    _ jurisdiction: String, _ caller: String, input: [UInt8], record: [UInt8], hash: [UInt8],
    to bytes: inout [UInt8]
  ) {
    appendFields(
      loggedAt, policy, policyHash, asOf, jurisdiction, caller, input: input[...],
      record: record[...], to: &bytes)
    bytes.append(contentsOf: hash)
  }

  /// An entry's fields, each length-prefixed, without its hash.
  static func appendFields(
    _ loggedAt: String, _ policy: String, _ policyHash: String, _ asOf: String,
    _ jurisdiction: String, _ caller: String, input: ArraySlice<UInt8>,
    record: ArraySlice<UInt8>, to bytes: inout [UInt8]
  ) {
    appendText(loggedAt, to: &bytes)
    appendText(policy, to: &bytes)
    appendText(policyHash, to: &bytes)
    appendText(asOf, to: &bytes)
    appendText(jurisdiction, to: &bytes)
    appendText(caller, to: &bytes)
    input.withUnsafeBufferPointer { appendField($0, to: &bytes) }
    record.withUnsafeBufferPointer { appendField($0, to: &bytes) }
  }

  static func appendText(_ text: String, to bytes: inout [UInt8]) {
    withUTF8Bytes(of: text) { appendField($0, to: &bytes) }
  }

  static func appendField(_ part: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
    appendVarint(UInt64(part.count), to: &bytes)
    bytes.append(contentsOf: part)
  }

  /// A length as seven bits a byte, lowest first, the top bit set on all but the last.
  static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
    var rest = value
    repeat {
      let low = UInt8(rest & 0x7F)
      rest >>= 7
      bytes.append(rest == 0 ? low : low | 0x80)
    } while rest > 0
  }

  /// The varint at `position` (moved past it), or nil when it runs past the end or over 63
  /// bits.
  static func readVarint(_ bytes: [UInt8], at position: inout Int) -> UInt64? {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      guard position < bytes.count, shift < 63 else { return nil }
      let byte = bytes[position]
      position += 1
      value |= UInt64(byte & 0x7F) << shift
      if byte & 0x80 == 0 { return value }
      shift += 7
    }
  }

  /// Decodes the entries of a segment in order, calling `body` with each; stops early when
  /// `body` returns false.
  ///
  /// - Throws: `SegmentError` naming the first entry that does not decode.
  static func decode(
    _ bytes: [UInt8], firstID: Int64, previousHash: [UInt8], _ body: (LogEntry) throws -> Bool
  ) throws {
    var position = 0
    var id = firstID
    var previous = previousHash
    func field() throws(SegmentError) -> ArraySlice<UInt8> {
      guard let count = readVarint(bytes, at: &position),
        count <= UInt64(bytes.count - position)
      else { throw SegmentError(id: id) }
      defer { position += Int(count) }
      return bytes[position..<position + Int(count)]
    }
    func text() throws(SegmentError) -> String { String(decoding: try field(), as: UTF8.self) }
    while position < bytes.count {
      let loggedAt = try text()
      let policy = try text()
      let policyHash = try text()
      let asOf = try text()
      let jurisdiction = try text()
      let caller = try text()
      let input = Array(try field())
      let record = Array(try field())
      guard bytes.count - position >= 32 else { throw SegmentError(id: id) }
      let hash = Array(bytes[position..<position + 32])
      position += 32
      let entry = LogEntry(
        id: id, loggedAt: loggedAt, policy: policy, policyHash: policyHash, asOf: asOf,
        jurisdiction: jurisdiction, caller: caller, input: input, record: record,
        previousHash: previous, entryHash: hash)
      guard try body(entry) else { return }
      previous = hash
      id += 1
    }
  }
}
