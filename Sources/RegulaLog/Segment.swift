// A segment: the entries of one group commit, stored as one row. Decision ids run on from the
// segment's first id; each entry is its fields, length-prefixed, then its entry hash. The
// previous hash of an entry is the hash of the one before it (the segment row keeps the
// previous hash of its first). One row per commit instead of one per decision writes a batch
// of 2,048 decisions as one blob: SQLite's per-row work was most of the log's cost.

/// Why a stored segment cannot be read: it was changed outside the log.
struct SegmentError: Error, CustomStringConvertible {
  var id: Int64
  var description: String {
    "entry \(id) cannot be read: its segment is malformed (the database was changed)"
  }
}

enum Segment {
  /// Appends one entry's fields and hash.
  static func append(_ entry: NewEntry, hash: [UInt8], to bytes: inout [UInt8]) {
    append(
      texts: [
        entry.loggedAt, entry.policy, entry.policyHash, entry.asOf, entry.jurisdiction,
        entry.caller,
      ], input: entry.input, record: entry.record, hash: hash, to: &bytes)
  }

  /// Appends a stored entry as it is, hash included (for `DecisionLog.tamper`).
  static func append(_ entry: LogEntry, to bytes: inout [UInt8]) {
    append(
      texts: [
        entry.loggedAt, entry.policy, entry.policyHash, entry.asOf, entry.jurisdiction,
        entry.caller,
      ], input: entry.input, record: entry.record, hash: entry.entryHash, to: &bytes)
  }

  /// The one encoding of an entry: its six texts, input and record, each length-prefixed,
  /// then its 32-byte hash.
  static func append(
    texts: [String], input: [UInt8], record: [UInt8], hash: [UInt8], to bytes: inout [UInt8]
  ) {
    for text in texts { appendField(text.utf8, to: &bytes) }
    appendField(input, to: &bytes)
    appendField(record, to: &bytes)
    bytes.append(contentsOf: hash)
  }

  static func appendField(_ part: some Collection<UInt8>, to bytes: inout [UInt8]) {
    var count = UInt64(part.count)
    repeat {
      let low = UInt8(count & 0x7F)
      count >>= 7
      bytes.append(count == 0 ? low : low | 0x80)
    } while count > 0
    bytes.append(contentsOf: part)
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
      var count: UInt64 = 0
      var shift: UInt64 = 0
      while true {
        guard position < bytes.count, shift < 63 else { throw SegmentError(id: id) }
        let byte = bytes[position]
        position += 1
        count |= UInt64(byte & 0x7F) << shift
        if byte & 0x80 == 0 { break }
        shift += 7
      }
      guard count <= UInt64(bytes.count - position) else { throw SegmentError(id: id) }
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
