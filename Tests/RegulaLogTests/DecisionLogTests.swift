// The decision log on its own: appends from many tasks form one unbroken chain, every kind of
// tampering is found and named, entries render whole with personal fields masked, and time
// bounds select the right entries.
import Foundation
import RegulaBytecode
import RegulaJSON
import Testing

@testable import RegulaLog

/// A fresh database path in a temporary folder.
func temporaryDatabase(_ name: String = "log") -> String {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "regula-log-\(UUID().uuidString)")
  try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  return folder.appendingPathComponent("\(name).sqlite").path
}

func entry(
  _ index: Int, caller: String = "test", input: String? = nil, loggedAt: String? = nil
) -> NewEntry {
  NewEntry(
    loggedAt: loggedAt
      ?? Timestamp.format(seconds: 1_772_000_000 + Int64(index), milliseconds: index % 1000),
    policy: "p", policyHash: String(repeating: "a", count: 64), asOf: "2026-03-03",
    jurisdiction: "SH", caller: caller,
    input: Array(
      (input ?? "{\"id\":\"A\(index)\",\"name\":\"Zhang \(index)\",\"age\":\(index)}").utf8),
    record: Array("{\"schema\":\"regula.decision/2\",\"kind\":\"decided\",\"n\":\(index)}".utf8))
}

/// `tasks` tasks append `rounds` times 1–3 entries each, spread over `logs`; the id ranges
/// they were given.
func appendConcurrently(
  to logs: [DecisionLog], tasks: Int, rounds: Int
) async throws -> [ClosedRange<Int64>] {
  try await withThrowingTaskGroup(of: [ClosedRange<Int64>].self) { group in
    for task in 0..<tasks {
      let log = logs[task % logs.count]
      group.addTask {
        var ranges: [ClosedRange<Int64>] = []
        for round in 0..<rounds {
          let count = 1 + (task + round) % 3
          ranges.append(try await log.append((0..<count).map { entry(task * 100 + round + $0) }))
        }
        return ranges
      }
    }
    return try await group.reduce(into: []) { $0 += $1 }
  }
}

/// A new log on `backend` of `count` entries, one segment each, closed; its location.
func populated(_ backend: Backend, _ count: Int) async throws -> String {
  let path = try backend.fresh()
  let log = try DecisionLog(path: path)
  for index in 1...count { _ = try await log.append([entry(index)]) }
  log.close()
  return path
}

@Suite struct DecisionLogTests {
  @Test(arguments: Backend.all)
  func concurrentAppendsFormOneChain(backend: Backend) async throws {
    let path = try backend.fresh()
    let log = try DecisionLog(path: path, synchronous: .normal)
    // 40 tasks × 25 appends of 1–3 entries: ids are consecutive within each append and every
    // id is handed out once.
    let ranges = try await appendConcurrently(to: [log], tasks: 40, rounds: 25)
    let ids = ranges.flatMap { Array($0) }.sorted()
    #expect(ids == Array(1...Int64(ids.count)))
    #expect(log.committedCount == Int64(ids.count))
    let verification = try log.verify()
    #expect(verification.firstBroken == nil)
    #expect(verification.entries == Int64(ids.count))
    log.close()
    // Reopened, the writer continues the chain from the last entry.
    let reopened = try DecisionLog(path: path)
    let next = try await reopened.append([entry(9999)])
    #expect(next == Int64(ids.count + 1)...Int64(ids.count + 1))
    #expect(try reopened.verify().firstBroken == nil)
    reopened.close()
  }

  /// Every field of an entry is covered by its hash: changing any one is reported at that entry.
  @Test(
    arguments: Backend.all,
    [
      "logged_at", "policy", "policy_hash", "as_of", "jurisdiction", "caller", "input", "record",
    ])
  func everyFieldIsCovered(backend: Backend, field: String) async throws {
    let path = try backend.fresh()
    let log = try DecisionLog(path: path)
    for index in 1...5 { _ = try await log.append([entry(index)]) }
    try log.tamper(id: 3) { entry in
      switch field {
      case "logged_at": entry.loggedAt = "2020-01-01T00:00:00.000Z"
      case "policy": entry.policy = "q"
      case "policy_hash": entry.policyHash = "b"
      case "as_of": entry.asOf = "2026-01-01"
      case "jurisdiction": entry.jurisdiction = "BJ"
      case "caller": entry.caller = "someone else"
      case "input": entry.input = Array(#"{"id":"A2"}"#.utf8)
      default:
        entry.record = Array(
          String(decoding: entry.record, as: UTF8.self).replacingOccurrences(
            of: "decided", with: "refused"
          ).utf8)
      }
    }
    log.close()
    let broken = try DecisionLog(readingOnly: path).verify().firstBroken
    #expect(broken?.id == 3)
    #expect(broken?.reason.contains("changed") == true)
  }

  @Test(arguments: Backend.all)
  func deletionsAndReorderingsAreFound(backend: Backend) async throws {
    // A deleted entry in the middle.
    var path = try await populated(backend, 6)
    try backend.tamper(path, "DELETE FROM segments WHERE first_id = 4")
    var broken = try DecisionLog(readingOnly: path).verify().firstBroken
    #expect(broken?.id == 4)
    #expect(broken?.reason.contains("missing") == true)
    // The last entries deleted: the head the writer recorded names the loss.
    path = try await populated(backend, 6)
    try backend.tamper(path, "DELETE FROM segments WHERE first_id >= 5")
    broken = try DecisionLog(readingOnly: path).verify().firstBroken
    #expect(broken?.id == 5)
    #expect(broken?.reason.contains("removed from the end") == true)
    // An entry rehashed by someone who cannot rewrite the rest: the next link breaks.
    path = try await populated(backend, 6)
    try DecisionLog(readingOnly: path).tamper(id: 2) { $0.entryHash = DecisionLog.genesis }
    broken = try DecisionLog(readingOnly: path).verify().firstBroken
    #expect(broken?.id == 2)
    // A segment cut short, or its bytes garbled, is reported, never trapped on.
    path = try await populated(backend, 6)
    try backend.tamper(
      path, "UPDATE segments SET entries = substr(entries, 1, 40) WHERE first_id = 3")
    broken = try DecisionLog(readingOnly: path).verify().firstBroken
    #expect(broken?.id == 3)
    #expect(broken?.reason.contains("malformed") == true)
    #expect(throws: LogError.self) { try DecisionLog(readingOnly: path).entry(id: 3) }
  }

  @Test(arguments: Backend.all)
  func entriesRenderWholeWithPersonalFieldsMasked(backend: Backend) async throws {
    let path = try backend.fresh()
    let log = try DecisionLog(path: path)
    let input = """
      {"id": "A1", "name": "Zhang San",
       "members": [{"name": "Li Si", "age": 3}, {"name": null, "age": 4}],
       "amount": 12.50}
      """
    let ids = try await log.append([entry(1, input: input)])
    let stored = try #require(try log.entry(id: ids.lowerBound))
    let masked = try JSONReader.parse(Array(stored.json(masking: ["name", "members[].name"]).utf8))
    #expect(
      masked["input"]
        == (try JSONReader.parse(
          Array(
            #"{"id":"A1","name":"[masked]","members":[{"name":"[masked]","age":3},{"name":null,"age":4}],"amount":12.50}"#
              .utf8))))
    let open = try JSONReader.parse(Array(stored.json().utf8))
    #expect(open["input"]?["name"] == .string("Zhang San"))
    // The whole entry, field by field, and one line (the input compacted).
    #expect(!stored.json().contains("\n"))
    #expect(open["decision_id"] == .number("1"))
    #expect(open["caller"] == .string("test"))
    #expect(open["previous_hash"] == .string(String(repeating: "0", count: 64)))
    #expect(open["entry_hash"]?.stringValue?.utf8.count == 64)
    #expect(open["record"]?["kind"] == .string("decided"))
    log.close()
  }

  @Test(arguments: Backend.all)
  func timeBoundsSelectEntries(backend: Backend) async throws {
    let path = try backend.fresh()
    let log = try DecisionLog(path: path)
    // 1772000000 is 2026-02-25T06:13:20Z; entries one day apart.
    for day in 0..<5 {
      _ = try await log.append([
        NewEntry(
          loggedAt: Timestamp.format(seconds: 1_772_000_000 + Int64(day) * 86_400, milliseconds: 0),
          policy: "p", policyHash: "h", asOf: "2026-03-01", jurisdiction: "national",
          caller: "c", input: Array("{}".utf8), record: Array("{}".utf8))
      ])
    }
    var seen: [Int64] = []
    try log.entries(
      from: Timestamp.bound("2026-02-26", upper: false),
      until: Timestamp.bound("2026-02-28", upper: true)
    ) { seen.append($0.id) }
    #expect(seen == [2, 3, 4])
    #expect(Timestamp.bound("2026-02-30T", upper: true) == nil)
    #expect(Timestamp.bound("yesterday", upper: false) == nil)
    log.close()
  }

  @Test func timestampsAreRFC3339() {
    #expect(Timestamp.format(seconds: 0, milliseconds: 5) == "1970-01-01T00:00:00.005Z")
    #expect(Timestamp.format(seconds: 951_782_400, milliseconds: 999) == "2000-02-29T00:00:00.999Z")
    #expect(Timestamp.format(seconds: -1, milliseconds: 0) == "1969-12-31T23:59:59.000Z")
    #expect(
      Timestamp.format(seconds: 4_102_444_799, milliseconds: 120) == "2099-12-31T23:59:59.120Z")
  }

  @Test func aFileThatIsNotALogIsRefused() throws {
    let path = temporaryDatabase()
    #expect(throws: LogError.self) { try DecisionLog(readingOnly: path) }
    _ = FileManager.default.createFile(atPath: path, contents: Data("not a database".utf8))
    #expect(throws: LogError.self) { try DecisionLog(readingOnly: path) }
  }
}

extension JSONValue {
  var stringValue: String? {
    if case .string(let text) = self { return text }
    return nil
  }
}

@Test func theLogsSHA256IsSHA256() {
  // OpenSSL's digest equals the pure-Swift one (FIPS 180-4 vectors are in RegulaBytecodeTests)
  // on every length around the block boundaries and on larger inputs.
  var generator = SystemRandomNumberGenerator()
  for count in Array(0...130) + [1000, 4096, 65_537] {
    let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    #expect(DecisionLog.sha256(bytes) == RegulaBytecode.SHA256.hash(bytes), "\(count) bytes")
  }
}

@Test func theContentDigestFramesEveryField() {
  // The digest is hashed part by part; it must equal SHA-256 of the fields put together as
  // Docs/service.md frames them (the domain tag, then each field's length as 8 big-endian
  // bytes and its bytes), or logs written before would no longer verify.
  var generator = SystemRandomNumberGenerator()
  func text() -> String {
    let scalars = ["a", "Z", "0", "-", "张", "é", "\u{0}", "😀"]
    return (0..<Int.random(in: 0...40, using: &generator)).map { _ in
      scalars.randomElement(using: &generator)!
    }.joined()
  }
  func bytes() -> [UInt8] {
    (0..<Int.random(in: 0...300, using: &generator)).map { _ in
      UInt8.random(in: 0...255, using: &generator)
    }
  }
  for _ in 0..<200 {
    let texts = (0..<6).map { _ in text() }
    let input = bytes()
    let record = bytes()
    var framed = Array("regula.log/1\u{0}".utf8)
    for part in texts.map({ Array($0.utf8) }) + [input, record] {
      framed += (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(part.count) >> ($0 * 8)) }
      framed += part
    }
    let digest = DecisionLog.contentDigest(
      loggedAt: texts[0], policy: texts[1], policyHash: texts[2], asOf: texts[3],
      jurisdiction: texts[4], caller: texts[5], input: input, record: record)
    #expect(digest == RegulaBytecode.SHA256.hash(framed))
  }
}

@Suite struct DecisionLogGuardTests {
  /// One writer per log file: a second is refused while the first is open, and may open it
  /// once the first is closed.
  @Test func aSecondWriterIsRefused() async throws {
    let path = temporaryDatabase()
    let first = try DecisionLog(path: path)
    #expect(throws: LogError.self) { try DecisionLog(path: path) }
    _ = try await first.append([entry(1)])
    first.close()
    let second = try DecisionLog(path: path)
    #expect(try await second.append([entry(2)]) == 2...2)
    second.close()
  }

  /// A log whose last entries were cut is refused for writing: going on would give again
  /// decision ids that callers already hold.
  @Test(arguments: Backend.all)
  func aTruncatedLogIsNotContinued(backend: Backend) async throws {
    let path = try await populated(backend, 4)
    try backend.tamper(path, "DELETE FROM segments WHERE first_id = 4")
    #expect {
      try DecisionLog(path: path)
    } throws: { error in
      (error as? LogError)?.message.contains("entries were removed") == true
    }
  }

  /// A segment's time range is checked against its entries (exports select by it).
  @Test(arguments: Backend.all)
  func aFalseTimeRangeIsFound(backend: Backend) async throws {
    let path = try await populated(backend, 3)
    try backend.tamper(path, "UPDATE segments SET latest = '0' WHERE first_id = 2")
    let broken = try DecisionLog(readingOnly: path).verify().firstBroken
    #expect(broken?.id == 2)
    #expect(broken?.reason.contains("time range") == true)
  }

  /// Large entries are split across segments (no row nears SQLite's length limit), and the
  /// chain runs on across them.
  @Test(arguments: Backend.all)
  func largeCommitsAreSplitIntoSegments(backend: Backend) async throws {
    let path = try backend.fresh()
    let log = try DecisionLog(path: path)
    let big = "{\"id\":\"" + String(repeating: "x", count: 3 << 20) + "\"}"
    let ids = try await log.append((1...24).map { entry($0, input: big) })
    #expect(ids == 1...24)
    #expect(try log.entry(id: 13)?.input.count == big.utf8.count)
    #expect(try log.entry(id: 25) == nil)
    log.close()
    let reader = try DecisionLog(readingOnly: path)
    #expect(try reader.verify().firstBroken == nil)
    var segments = 0
    try reader.store.segments(from: nil, until: nil) { _ in
      segments += 1
      return true
    }
    #expect(segments >= 2)
  }
}

/// Segments are stored packed (Segment.swift): the bytes on disk are a fraction of the
/// entries', a log written before packing still reads and verifies, and a packed row whose
/// header or stream is not what was written is reported as malformed, never trapped on.
@Suite struct PackedSegmentTests {
  /// The segment holding entry `id` of the log at `path`, as stored and unpacked, and a
  /// reader of the log.
  func stored(_ path: String, id: Int64 = 1) throws -> (
    reader: DecisionLog, row: SegmentRow, entries: [UInt8]
  ) {
    let reader = try DecisionLog(readingOnly: path)
    let row = try #require(try reader.store.segment(atMost: id))
    return (reader, row, try Segment.unpack(row.entries, firstID: row.first))
  }

  @Test(arguments: Backend.all)
  func segmentsAreStoredPacked(backend: Backend) async throws {
    let path = try backend.fresh()
    let log = try DecisionLog(path: path)
    _ = try await log.append((1...200).map { entry($0) })
    log.close()
    let (_, row, unpacked) = try stored(path)
    #expect(row.entries.prefix(2) == [Segment.packedMarker, Segment.zstdFormat])
    // The entries encoded as the writer encodes them, hashes included.
    var expected: [UInt8] = []
    try DecisionLog.decode(row) { entry in
      Segment.append(entry, to: &expected)
      return true
    }
    #expect(unpacked == expected)
    #expect(row.entries.count * 4 < unpacked.count, "\(row.entries.count) of \(unpacked.count)")
    let verification = try DecisionLog(readingOnly: path).verify()
    #expect(verification.entries == 200 && verification.firstBroken == nil)
  }

  /// A packed row garbled at random (bytes changed, cut, inserted, in the header or the frame)
  /// is read back whole or refused as malformed: never a trap, never entries that were not
  /// written without the chain noticing (their hashes are checked by `verify`).
  @Test func garbledPackedRowsAreRefusedOrReadWhole() throws {
    var written: [UInt8] = []
    for index in 1...40 {
      Segment.append(
        entry(index), hash: Digest([UInt8](repeating: UInt8(index), count: 32))!, to: &written)
    }
    let packed = Segment.Packer().pack(written)
    #expect(try Segment.unpack(packed, firstID: 1) == written)
    var random = SystemRandomNumberGenerator()
    var refused = 0
    for _ in 0..<3_000 {
      var bytes = packed
      for _ in 0...Int.random(in: 0...2, using: &random) {
        let at = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0...3, using: &random) {
        case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
        case 1: bytes.removeSubrange(at...)
        case 2: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
        default: bytes[at] ^= 1 << UInt8.random(in: 0...7, using: &random)
        }
        if bytes.isEmpty { bytes = [0] }
      }
      do {
        let unpacked = try Segment.unpack(bytes, firstID: 1)
        // A row still marked packed unpacks to exactly what was written (the frame's checksum
        // refuses anything else); a row whose mark was garbled is read as an unpacked one.
        if bytes[0] == Segment.packedMarker { #expect(unpacked == written) }
        try Segment.decode(unpacked, firstID: 1, previousHash: DecisionLog.genesis) { _ in true }
      } catch is SegmentError {
        refused += 1
      }
    }
    #expect(refused > 2_700, "refused \(refused) of 3,000")
  }

  /// An entry without its time is refused: an unpacked row would begin with 0, the mark of a
  /// packed one.
  @Test func anEntryWithoutItsTimeIsRefused() async throws {
    let log = try DecisionLog(path: temporaryDatabase())
    defer { log.close() }
    let timeless = entry(1, loggedAt: "")
    await #expect(throws: LogError.self) { _ = try await log.append([timeless]) }
    #expect(try await log.append([entry(2)]) == 1...1)
  }

  @Test(arguments: Backend.all)
  func aSegmentStoredUnpackedStillReads(backend: Backend) async throws {
    let (reader, row, unpacked) = try stored(try await populated(backend, 4), id: 2)
    try reader.store.replaceEntries(first: row.first, with: unpacked)
    #expect(try reader.store.segment(atMost: 2)?.entries == unpacked)
    let verification = try reader.verify()
    #expect(verification.entries == 4 && verification.firstBroken == nil)
    #expect(try reader.entry(id: 2)?.input == Array(entry(2).input))
  }

  @Test(arguments: Backend.all)
  func aPackedRowThatIsNotAsWrittenIsMalformed(backend: Backend) async throws {
    let (reader, row, unpacked) = try stored(try await populated(backend, 4), id: 3)
    var headerEnd = 2
    _ = Segment.readVarint(row.entries, at: &headerEnd)
    let stream = Array(row.entries[headerEnd...])
    func header(_ length: UInt64, format: UInt8 = Segment.zstdFormat) -> [UInt8] {
      var bytes: [UInt8] = [Segment.packedMarker, format]
      Segment.appendVarint(length, to: &bytes)
      return bytes
    }
    let count = UInt64(unpacked.count)
    let variants: [(String, [UInt8])] = [
      ("an unknown format", header(count, format: 2) + stream),
      ("a length over the limit", header(1 << 40) + stream),
      ("a length of zero", header(0) + stream),
      ("a length one too long", header(count + 1) + stream),
      ("a length one too short", header(count - 1) + stream),
      ("bytes after the stream", header(count) + stream + [0]),
      (
        "a skippable frame after it", header(count) + stream + [0x50, 0x2A, 0x4D, 0x18, 0, 0, 0, 0]
      ),
      ("a second frame after it", header(count) + stream + stream),
      // The same frame with its checksum flag cleared and its checksum dropped: valid zstd.
      (
        "a frame without its checksum",
        header(count) + stream.prefix(4) + [stream[4] & ~0x04] + stream.dropFirst(5).dropLast(4)
      ),
      (
        "a length written long",
        [Segment.packedMarker, Segment.zstdFormat]
          + {
            var long: [UInt8] = []
            Segment.appendVarint(count, to: &long)
            long[long.count - 1] |= 0x80
            return long + [0]
          }() + stream
      ),
      ("the stream cut short", header(count) + stream.dropLast(3)),
      ("a header cut short", [Segment.packedMarker]),
    ]
    for (what, bytes) in variants {
      #expect(throws: SegmentError.self, "\(what)") {
        _ = try Segment.unpack(bytes, firstID: row.first)
      }
      try reader.store.replaceEntries(first: row.first, with: bytes)
      let broken = try reader.verify().firstBroken
      #expect(broken?.id == row.first, "\(what)")
      #expect(broken?.reason.contains("malformed") == true, "\(what)")
    }
  }
}

@Test func theEntryHashChainsPreviousIdAndDigest() {
  // The entry hash is put together on the stack; it must equal SHA-256 of the previous hash,
  // the id as 8 big-endian bytes and the content digest, as Docs/service.md spells it, for
  // hashes of any length (a changed database may hold any bytes there, none included).
  var generator = SystemRandomNumberGenerator()
  for previousCount in [0, 1, 31, 32, 33, 200] {
    for id in [1, 2, 255, 256, Int64.max, -1, Int64.random(in: 1...Int64.max, using: &generator)] {
      let previous = (0..<previousCount).map { _ in UInt8.random(in: 0...255, using: &generator) }
      let digest = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
      let spelled =
        previous
        + (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(bitPattern: id) >> ($0 * 8)) }
        + digest
      #expect(
        DecisionLog.chain(previous: previous, id: id, digest: digest)
          == RegulaBytecode.SHA256.hash(spelled))
      // The writer's inline chain (32-byte hashes, no arrays) spells the same bytes.
      if previousCount == 32 {
        let inline = DecisionLog.chain(
          previous: Digest(previous)!, id: id, digest: Digest(digest)!)
        #expect(inline.array == RegulaBytecode.SHA256.hash(spelled))
      }
    }
  }
  // And the content digest an entry carries is SHA-256 of the domain tag and each field, its
  // length first (8 bytes, big-endian), spelled here independently, also for an entry whose
  // input and record are slices of larger buffers (as a batch makes them).
  func spelledDigest(_ fields: [[UInt8]]) -> [UInt8] {
    var bytes = Array("regula.log/1\u{0}".utf8)
    for field in fields {
      bytes += (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(field.count) >> ($0 * 8)) }
      bytes += field
    }
    return RegulaBytecode.SHA256.hash(bytes)
  }
  let buffer = Array("xx{\"id\":\"A7\"}yy{\"kind\":\"decided\"}zz".utf8)
  let sliced = NewEntry(
    loggedAt: "2026-12-06T17:00:00.000Z", policy: "p", policyHash: "h", asOf: "2024-06-01",
    jurisdiction: "SH", caller: "intake", input: buffer[2..<13], record: buffer[15..<33])
  #expect(
    sliced.digest.array
      == spelledDigest(
        ["2026-12-06T17:00:00.000Z", "p", "h", "2024-06-01", "SH", "intake"].map {
          Array($0.utf8)
        } + [Array(buffer[2..<13]), Array(buffer[15..<33])]))
  #expect(
    DecisionLog.chain(previous: DecisionLog.genesis, id: 1, digest: [])
      == RegulaBytecode.SHA256.hash(DecisionLog.genesis + [0, 0, 0, 0, 0, 0, 0, 1]))
}
