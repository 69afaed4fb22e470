// The decision log: every decision a service makes, appended before its response is sent,
// one row per group commit (Segment.swift), in an SQLite file or on a PostgreSQL server
// (LogStore.swift). Entries form a hash chain — each carries the SHA-256 of the one before —
// so that an edited, inserted or deleted entry is found by `verify()`. Appends from any number
// of threads are written by one writer thread in group commits: each transaction holds every
// entry that arrived while the last one was being written, so the log costs one fsync per
// group, not per decision (Docs/decision-log.md).
import CLogHash
import Glibc
import RegulaBytecode

/// A decision to append: what the service decided, for whom, on what input.
public struct NewEntry: Sendable {
  /// When the decision was made (`Timestamp.now()`), RFC 3339 in UTC.
  public let loggedAt: String
  public let policy: String
  /// The deciding policy's `CompiledPolicy.contentHash`.
  public let policyHash: String
  /// The as-of date, YYYY-MM-DD.
  public let asOf: String
  public let jurisdiction: String
  /// The caller: the name of the token that asked.
  public let caller: String
  /// The application's bytes as received. (Slices: a batch keeps a block's applications and
  /// records in one buffer each, not an array per decision.)
  public let input: ArraySlice<UInt8>
  /// The decision record, `regula.decision/2` JSON: the outcome and its reasons.
  public let record: ArraySlice<UInt8>
  /// SHA-256 of the fields above (`DecisionLog.contentDigest`), computed by the caller's
  /// thread so that the writer only chains. (The fields are constants: one changed after
  /// this was computed would have been logged under a digest of other content, an entry
  /// that `verify` reports as tampered with.)
  let digest: Digest

  public init(
    loggedAt: String, policy: String, policyHash: String, asOf: String, jurisdiction: String,
    caller: String, input: [UInt8], record: [UInt8]
  ) {
    self.init(
      loggedAt: loggedAt, policy: policy, policyHash: policyHash, asOf: asOf,
      jurisdiction: jurisdiction, caller: caller, input: input[...], record: record[...])
  }

  public init(
    loggedAt: String, policy: String, policyHash: String, asOf: String, jurisdiction: String,
    caller: String, input: ArraySlice<UInt8>, record: ArraySlice<UInt8>
  ) {
    self.loggedAt = loggedAt
    self.policy = policy
    self.policyHash = policyHash
    self.asOf = asOf
    self.jurisdiction = jurisdiction
    self.caller = caller
    self.input = input
    self.record = record
    digest = DecisionLog.inlineContentDigest(
      loggedAt: loggedAt, policy: policy, policyHash: policyHash, asOf: asOf,
      jurisdiction: jurisdiction, caller: caller, input: input, record: record)
  }
}

/// Runs `body` on the UTF-8 bytes of `text`: a native string's in place (no copy of the
/// string, no reference taken), any other's copied once.
func withUTF8Bytes(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
  if text.utf8.withContiguousStorageIfAvailable(body) == nil {
    var text = text
    text.withUTF8(body)
  }
}

/// A SHA-256 digest held inline: the writer chains every entry, and an array per digest had
/// been an allocation and a free per logged decision.
struct Digest: Sendable {
  /// The 32 bytes, in order, in four words.
  var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

  /// The zero digest (`DecisionLog.genesis`).
  init() {}

  /// The digest of 32 bytes; nil for any other count.
  init?(_ bytes: [UInt8]) {
    guard bytes.count == 32 else { return nil }
    withUnsafeMutableBytes(of: &words) { $0.copyBytes(from: bytes) }
  }

  /// The 32 bytes.
  var array: [UInt8] { withUnsafeBytes(of: words) { Array($0) } }
}

/// An entry as stored.
public struct LogEntry: Sendable {
  /// The decision id: 1 for the first entry, then one more for each.
  public var id: Int64
  public var loggedAt: String
  public var policy: String
  public var policyHash: String
  public var asOf: String
  public var jurisdiction: String
  public var caller: String
  public var input: [UInt8]
  public var record: [UInt8]
  /// The previous entry's `entryHash` (32 zero bytes for the first).
  public var previousHash: [UInt8]
  /// SHA-256 over the previous hash, the id and the content digest.
  public var entryHash: [UInt8]

  /// The hash this entry should carry, computed from its fields.
  public var expectedHash: [UInt8] {
    DecisionLog.chain(
      previous: previousHash, id: id,
      digest: DecisionLog.contentDigest(
        loggedAt: loggedAt, policy: policy, policyHash: policyHash, asOf: asOf,
        jurisdiction: jurisdiction, caller: caller, input: input, record: record))
  }
}

/// How a chain check ended.
public struct Verification: Sendable {
  /// Entries checked.
  public var entries: Int64
  /// The first entry that breaks the chain and why; nil when the whole log verifies.
  public var firstBroken: (id: Int64, reason: String)?
}

/// How SQLite makes commits durable.
public enum Synchronous: String, Sendable, CaseIterable {
  /// Every group commit is fsynced: a decision answered survives a power loss.
  case full
  /// The WAL is fsynced at checkpoints only: a decision answered survives a crash of the
  /// process, not of the machine.
  case normal
}

/// The decision log of one database: an SQLite file, or a PostgreSQL server that replicas
/// share. Thread-safe.
public final class DecisionLog: @unchecked Sendable {
  /// The database: a file path, or the PostgreSQL address without its password.
  public let path: String
  let store: LogStore
  let writer: Writer
  let probeLock = Lock()
  var lastProbe: (at: UInt64, error: LogError?)?

  /// Opens the log at `location` — a file path, or a `postgres://` address — creating its
  /// tables (SQLite) or applying its migrations (PostgreSQL) if needed, and starts the writer
  /// thread.
  ///
  /// - Throws: `LogError`: `.inUse` when another service writes the SQLite file,
  ///   `.unavailable` when the server cannot be reached, `.corrupt` when the chain's end is
  ///   not the head the last commit recorded (entries were removed).
  public init(path location: String, synchronous: Synchronous = .full) throws(LogError) {
    store =
      PGConnection.isAddress(location)
      ? try PostgresStore(url: location, synchronous: synchronous)
      : try SQLiteStore(path: location, synchronous: synchronous)
    path = store.name
    writer = Writer(store: store)
    try writer.loadHead()
    writer.start()
  }

  /// Opens an existing log for reading only (for `regula audit`): no writer thread.
  public init(readingOnly location: String) throws(LogError) {
    store =
      PGConnection.isAddress(location)
      ? try PostgresStore(readingOnly: location) : try SQLiteStore(readingOnly: location)
    path = store.name
    writer = Writer(closed: store)
  }

  // MARK: Hashing

  static let domain = Array("regula.log/1\u{0}".utf8)

  /// SHA-256 over the domain tag and each field, length-prefixed so that no two different
  /// entries hash the same bytes.
  public static func contentDigest(
    loggedAt: String, policy: String, policyHash: String, asOf: String, jurisdiction: String,
    caller: String, input: [UInt8], record: [UInt8]
  ) -> [UInt8] {
    inlineContentDigest(
      loggedAt: loggedAt, policy: policy, policyHash: policyHash, asOf: asOf,
      jurisdiction: jurisdiction, caller: caller, input: input[...], record: record[...]
    ).array
  }

  /// `contentDigest` held inline.
  static func inlineContentDigest(
    loggedAt: String, policy: String, policyHash: String, asOf: String, jurisdiction: String,
    caller: String, input: ArraySlice<UInt8>, record: ArraySlice<UInt8>
  ) -> Digest {
    // Hashed part by part: no copy of the fields put together. (Static helpers, not a
    // closure over `context`: a captured variable is boxed and checked on every access.)
    var context = regula_sha256_context()
    regula_sha256_begin(&context)
    domain.withUnsafeBufferPointer { regula_sha256_update(&context, $0.baseAddress, $0.count) }
    hashField(loggedAt, into: &context)
    hashField(policy, into: &context)
    hashField(policyHash, into: &context)
    hashField(asOf, into: &context)
    hashField(jurisdiction, into: &context)
    hashField(caller, into: &context)
    input.withUnsafeBufferPointer { regula_sha256_field(&context, $0.baseAddress, $0.count) }
    record.withUnsafeBufferPointer { regula_sha256_field(&context, $0.baseAddress, $0.count) }
    var digest = Digest()
    withUnsafeMutableBytes(of: &digest.words) { raw in
      regula_sha256_end(&context, raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
    return digest
  }

  /// Hashes a text field, length-prefixed.
  static func hashField(_ text: String, into context: inout regula_sha256_context) {
    withUTF8Bytes(of: text) { regula_sha256_field(&context, $0.baseAddress, $0.count) }
  }

  /// SHA-256 by OpenSSL (with the CPU's SHA instructions where it has them); equal to
  /// `RegulaBytecode.SHA256.hash`, which the tests check.
  public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: 32)
    bytes.withUnsafeBufferPointer { input in
      digest.withUnsafeMutableBufferPointer { output in
        regula_sha256(input.baseAddress, input.count, output.baseAddress)
      }
    }
    return digest
  }

  /// The bytes of a lowercase hex text of 32 bytes, or nil.
  static func bytes(hex text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count == 64 else { return nil }
    func value(_ digit: UInt8) -> UInt8? {
      switch digit {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
      default: nil
      }
    }
    var bytes: [UInt8] = []
    for index in stride(from: 0, to: 64, by: 2) {
      guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
      bytes.append(high << 4 | low)
    }
    return bytes
  }

  /// The entry hash: SHA-256 of the previous entry's hash, the id, and the content digest.
  public static func chain(previous: [UInt8], id: Int64, digest: [UInt8]) -> [UInt8] {
    // Put together on the stack (the writer chains every entry: no array per entry).
    let count = previous.count + 8 + digest.count
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { bytes in
      let base = bytes.baseAddress!
      // (A hash read from a changed database may have any length, none included.)
      previous.withUnsafeBufferPointer { part in
        if let start = part.baseAddress { base.update(from: start, count: part.count) }
      }
      var big = UInt64(bitPattern: id).bigEndian
      withUnsafeBytes(of: &big) { raw in
        for index in 0..<8 { base[previous.count + index] = raw[index] }
      }
      digest.withUnsafeBufferPointer { part in
        if let start = part.baseAddress {
          (base + previous.count + 8).update(from: start, count: part.count)
        }
      }
      return [UInt8](unsafeUninitializedCapacity: 32) { output, initialized in
        regula_sha256(base, count, output.baseAddress)
        initialized = 32
      }
    }
  }

  /// `chain` on inline digests: what the writer runs for every entry, with no array.
  static func chain(previous: Digest, id: Int64, digest: Digest) -> Digest {
    var message = (previous.words, UInt64(bitPattern: id).bigEndian, digest.words)
    var hash = Digest()
    withUnsafeBytes(of: &message) { raw in
      // The tuple's three parts lie back to back: 32 + 8 + 32 bytes.
      precondition(raw.count == 72)
      withUnsafeMutableBytes(of: &hash.words) { output in
        regula_sha256(
          raw.baseAddress!.assumingMemoryBound(to: UInt8.self), 72,
          output.baseAddress!.assumingMemoryBound(to: UInt8.self))
      }
    }
    return hash
  }

  /// The previous hash of the first entry.
  public static let genesis = [UInt8](repeating: 0, count: 32)

  // MARK: Appending

  /// Appends entries as one run of consecutive ids, in one transaction with whatever else is
  /// waiting, and calls `done` once it is committed (or failed) — on the writer thread.
  public func append(
    _ entries: [NewEntry],
    done: @escaping @Sendable (Result<ClosedRange<Int64>, LogError>) -> Void
  ) {
    writer.submit(Writer.Request(entries: entries, done: done))
  }

  /// Appends entries and returns their ids once committed.
  public func append(_ entries: [NewEntry]) async throws(LogError) -> ClosedRange<Int64> {
    let result = await withCheckedContinuation { continuation in
      append(entries) { continuation.resume(returning: $0) }
    }
    return try result.get()
  }

  /// Stops taking entries, writes those waiting, and stops the writer thread.
  public func close() {
    writer.stop()
  }

  /// Whether the database can be read now: nil, or why not. Asked at most once a second (the
  /// answer is kept that long), so that a readiness probe cannot load the database.
  public func availability() -> LogError? {
    var clock = timespec()
    clock_gettime(CLOCK_MONOTONIC, &clock)
    let now = UInt64(clock.tv_sec) * 1_000_000_000 + UInt64(clock.tv_nsec)
    return probeLock.locked { () -> LogError? in
      if let last = lastProbe, now - last.at < 1_000_000_000 { return last.error }
      var error: LogError?
      do throws(LogError) { try store.probe() } catch let failure { error = failure }
      lastProbe = (now, error)
      return error
    }
  }

  /// The number of entries committed (the last decision id), as the writer knows it.
  public var committedCount: Int64 {
    writer.condition.lock()
    defer { writer.condition.unlock() }
    return writer.lastID
  }

  // MARK: Reading

  /// Decodes a segment's entries, calling `body` with each until it returns false.
  static func decode(_ segment: SegmentRow, _ body: (LogEntry) throws -> Bool) throws {
    try Segment.decode(
      Segment.unpack(segment.entries, firstID: segment.first), firstID: segment.first,
      previousHash: segment.previousHash
    ) { try body($0) }
  }

  /// The entry with decision id `id`, or nil.
  public func entry(id: Int64) throws(LogError) -> LogEntry? {
    guard let segment = try store.segment(atMost: id) else { return nil }
    var found: LogEntry?
    do {
      try DecisionLog.decode(segment) { entry in
        if entry.id == id { found = entry }
        return entry.id < id
      }
    } catch {
      throw LogError(.corrupt, "\(error)")
    }
    return found
  }

  /// Calls `body` with each entry logged from `from` to `until` (RFC 3339 texts compared as
  /// text, both inclusive; nil for open), in id order.
  public func entries(
    from: String?, until: String?, _ body: (LogEntry) throws -> Void
  ) throws {
    let lower = from ?? ""
    let upper = until ?? "\u{10FFFF}"
    try store.snapshot {
      try store.segments(from: lower, until: upper) { segment in
        try DecisionLog.decode(segment) { entry in
          if entry.loggedAt >= lower && entry.loggedAt <= upper { try body(entry) }
          return true
        }
        return true
      }
    }
  }

  /// The number of entries.
  public func count() throws(LogError) -> Int64 {
    try store.lastSegment()?.last ?? 0
  }

  /// Checks the whole chain in id order: ids run 1, 2, 3… without a gap, each segment links
  /// to the hash of the entry before it, each entry's hash matches its fields and the hash
  /// before it, and the last entry is the head the last commit recorded. Stops at the first
  /// break. Reads one snapshot, so a log being appended to verifies as of its start.
  public func verify() throws(LogError) -> Verification {
    do {
      return try store.snapshot { try verifySnapshot() }
    } catch let error as LogError {
      throw error
    } catch {
      throw LogError(.failed, "\(error)")
    }
  }

  private func verifySnapshot() throws -> Verification {
    var previous = DecisionLog.genesis
    var expectedID: Int64 = 1
    var count: Int64 = 0
    var result: Verification?
    try store.segments(from: nil, until: nil) { segment in
      let first = segment.first
      let last = segment.last
      if first != expectedID {
        result = Verification(
          entries: count,
          firstBroken: (
            expectedID,
            first > expectedID
              ? "entry \(expectedID) is missing (the next entry is \(first))"
              : "entry \(first) is out of order"
          ))
        return false
      }
      if segment.previousHash != previous {
        result = Verification(
          entries: count,
          firstBroken: (first, "its previous_hash is not the hash of entry \(first - 1)"))
        return false
      }
      var broken: (Int64, String)?
      var earliest: String?
      var latest: String?
      do {
        try DecisionLog.decode(segment) { entry in
          count += 1
          if entry.expectedHash != entry.entryHash {
            broken = (
              entry.id,
              "its entry_hash does not match its content and the hash before it: the entry "
                + "(or the hash of the one before) was changed"
            )
            return false
          }
          previous = entry.entryHash
          expectedID = entry.id + 1
          if earliest.map({ entry.loggedAt < $0 }) ?? true { earliest = entry.loggedAt }
          if latest.map({ entry.loggedAt > $0 }) ?? true { latest = entry.loggedAt }
          return true
        }
      } catch {
        result = Verification(entries: count, firstBroken: (expectedID, "\(error)"))
        return false
      }
      if let broken {
        result = Verification(entries: count, firstBroken: broken)
        return false
      }
      // The time range exports select segments by: it must be the entries' own.
      if earliest != segment.earliest || latest != segment.latest {
        result = Verification(
          entries: count,
          firstBroken: (
            first,
            "the segment of entries \(first) to \(last) gives another time range than its "
              + "entries (exports by date would skip them)"
          ))
        return false
      }
      if expectedID - 1 != last {
        result = Verification(
          entries: count,
          firstBroken: (
            first, "the segment of entries \(first) to \(last) holds \(expectedID - first)"
          ))
        return false
      }
      return true
    }
    if let result { return result }
    let head = try store.recordedHead()
    if let head, head.id != expectedID - 1 || head.hash != SHA256.hex(previous) {
      return Verification(
        entries: count,
        firstBroken: (
          expectedID,
          "the log ends at entry \(expectedID - 1), but entry \(head.id) was the last written: "
            + "entries were removed from the end"
        ))
    }
    return Verification(entries: count, firstBroken: nil)
  }

  /// Rewrites entry `id` as `change` leaves it and keeps every stored hash, as someone with
  /// write access to the database could: for the tests of `verify()`.
  func tamper(id: Int64, _ change: (inout LogEntry) -> Void) throws {
    guard let segment = try store.segment(atMost: id), segment.last >= id else { return }
    var bytes: [UInt8] = []
    try DecisionLog.decode(segment) { entry in
      var entry = entry
      if entry.id == id { change(&entry) }
      Segment.append(entry, to: &bytes)
      return true
    }
    try store.replaceEntries(first: segment.first, with: Segment.Packer().pack(bytes))
  }

  // MARK: Policies

  /// Keeps a compiled policy by its content hash, so that a decision's trace can be replayed
  /// with the exact policy that decided it after the policy file has changed.
  public func storePolicy(hash: String, name: String, compiled: [UInt8]) throws(LogError) {
    try store.storePolicy(hash: hash, name: name, compiled: compiled)
  }

  /// The compiled policy stored under `hash`, or nil.
  public func policy(hash: String) throws(LogError) -> [UInt8]? {
    try store.policy(hash: hash)
  }

  /// Every stored policy's hash and name.
  public func policies() throws(LogError) -> [(hash: String, name: String)] {
    try store.policies()
  }
}

// MARK: - The writer

extension DecisionLog {
  /// The one thread of this process that appends: takes every waiting request, writes them in
  /// one transaction, then answers them. Other processes on the same PostgreSQL log have
  /// their own; the store's append transaction serialises them.
  final class Writer: @unchecked Sendable {
    struct Request {
      var entries: [NewEntry]
      var done: @Sendable (Result<ClosedRange<Int64>, LogError>) -> Void
    }

    let store: LogStore
    let condition = Condition()
    var waiting: [Request] = []
    var closing = false
    var thread: pthread_t?
    /// The last id this writer committed or saw at start.
    var lastID: Int64 = 0
    /// Compresses each segment (used on the writer thread only).
    let packer = Segment.Packer()
    /// The segment buffer, kept between commits (writer thread only).
    var spare: [UInt8] = []

    init(store: LogStore) { self.store = store }

    init(closed store: LogStore) {
      self.store = store
      closing = true
    }

    /// Checks that the chain's end is the head the last commit recorded: a log whose last
    /// entries were cut (or a backup restored without them) is refused, since going on would
    /// hand out again decision ids that callers already hold.
    func loadHead() throws(LogError) {
      var id: Int64 = 0
      var hash = DecisionLog.genesis
      var head: Head?
      do {
        try store.snapshot {
          head = try store.recordedHead()
          if let last = try store.lastSegment() {
            try DecisionLog.decode(last) { entry in
              id = entry.id
              hash = entry.entryHash
              return true
            }
          }
        }
      } catch let error as LogError {
        throw error
      } catch {
        throw LogError(
          .corrupt,
          "the last segment of the log cannot be read, so the chain cannot go on: \(error)")
      }
      if let head, head.id != id || head.hash != SHA256.hex(hash) {
        throw LogError(
          .corrupt,
          "the log ends at entry \(id), but entry \(head.id) was the last written: "
            + "entries were removed; run `regula audit verify`")
      }
      lastID = id
    }

    func start() {
      let box = Unmanaged.passRetained(self)
      var handle = pthread_t()
      pthread_create(
        &handle, nil,
        { raw in
          let writer = Unmanaged<Writer>.fromOpaque(raw!).takeRetainedValue()
          writer.loop()
          return nil
        }, box.toOpaque())
      thread = handle
    }

    func submit(_ request: Request) {
      // An empty request would be given an id that the next decision receives.
      guard !request.entries.isEmpty else {
        request.done(.failure(LogError(.failed, "an append must hold at least one entry")))
        return
      }
      // A row stored unpacked begins with its first entry's time length: an empty time would
      // make it begin with 0, the mark of a packed row (Segment.swift).
      guard !request.entries.contains(where: \.loggedAt.isEmpty) else {
        request.done(.failure(LogError(.failed, "an entry must carry the time it was made")))
        return
      }
      condition.lock()
      if closing {
        condition.unlock()
        request.done(.failure(LogError(.closed, "the decision log is closed")))
        return
      }
      waiting.append(request)
      condition.signal()
      condition.unlock()
    }

    func stop() {
      condition.lock()
      let wasRunning = !closing
      closing = true
      condition.signal()
      condition.unlock()
      if wasRunning, let thread {
        pthread_join(thread, nil)
        store.finishWriting()
      }
    }

    func loop() {
      while true {
        condition.lock()
        while waiting.isEmpty && !closing { condition.wait() }
        if waiting.isEmpty && closing {
          condition.unlock()
          return
        }
        let batch = waiting
        waiting = []
        condition.unlock()
        let results = write(batch)
        for (request, result) in zip(batch, results) { request.done(result) }
      }
    }

    /// Segments are closed past this many bytes (the next entry starts a new one), so that
    /// no row nears a database's length limit however large the applications are.
    static let segmentBytes = 32 << 20

    /// Writes every request of `batch` in one transaction, as one segment (or several, past
    /// `segmentBytes`), chained onto the head the transaction read.
    func write(_ batch: [Request]) -> [Result<ClosedRange<Int64>, LogError>] {
      var ranges: [ClosedRange<Int64>] = []
      var id: Int64 = 0
      do {
        let head = try store.beginAppend()
        id = head?.id ?? 0
        var hash =
          try head.map { head throws(LogError) in
            guard let bytes = DecisionLog.bytes(hex: head.hash), let digest = Digest(bytes) else {
              throw LogError(.corrupt, "the recorded head hash `\(head.hash)` is not SHA-256 hex")
            }
            return digest
          } ?? Digest()
        // The buffer of the last commit, kept with its capacity: growing a new one page by
        // page cost the writer its page faults.
        var bytes = spare
        spare = []
        defer {
          // Kept unless a very large entry grew it past two segments.
          if bytes.capacity <= 2 * Writer.segmentBytes {
            bytes.removeAll(keepingCapacity: true)
            spare = bytes
          }
        }
        var first = id + 1
        var previous = hash
        var earliest: String?
        var latest: String?
        func close() throws(LogError) {
          guard id >= first else { return }
          try store.insert(
            SegmentRow(
              first: first, last: id, earliest: earliest ?? "", latest: latest ?? "",
              previousHash: previous.array, entries: packer.pack(bytes)))
          bytes.removeAll(keepingCapacity: true)
          earliest = nil
          latest = nil
          first = id + 1
          previous = hash
        }
        for request in batch {
          let start = id + 1
          // By index, not `for entry in`: each entry is read in place, where a copy of it
          // took and gave back a reference to each of its texts and byte arrays.
          let entries = request.entries
          for index in entries.indices {
            if bytes.count >= Writer.segmentBytes { try close() }
            id += 1
            hash = DecisionLog.chain(previous: hash, id: id, digest: entries[index].digest)
            Segment.append(entries[index], hash: hash, to: &bytes)
            if earliest.map({ entries[index].loggedAt < $0 }) ?? true {
              earliest = entries[index].loggedAt
            }
            if latest.map({ entries[index].loggedAt > $0 }) ?? true {
              latest = entries[index].loggedAt
            }
          }
          ranges.append(start...id)
        }
        try close()
        try store.setHead(Head(id: id, hash: SHA256.hex(hash.array)))
        try store.commit()
      } catch {
        // Nothing of this group is acknowledged. (A commit whose answer was lost with the
        // connection may still have landed: its decisions are in the log, answered 503, and
        // the chain is whole either way.)
        store.rollback()
        return batch.map { _ in .failure(error) }
      }
      condition.lock()
      lastID = id
      condition.unlock()
      return ranges.map { .success($0) }
    }
  }
}

// MARK: - Locks

/// A pthread mutex.
final class Lock: @unchecked Sendable {
  var mutex = pthread_mutex_t()
  /// - Parameter recursive: whether the thread that holds the lock may take it again.
  init(recursive: Bool = false) {
    var attributes = pthread_mutexattr_t()
    pthread_mutexattr_init(&attributes)
    if recursive { pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE)) }
    pthread_mutex_init(&mutex, &attributes)
    pthread_mutexattr_destroy(&attributes)
  }
  deinit { pthread_mutex_destroy(&mutex) }

  func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return try body()
  }
}

/// A pthread mutex with a condition variable.
final class Condition: @unchecked Sendable {
  var mutex = pthread_mutex_t()
  var condition = pthread_cond_t()
  init() {
    pthread_mutex_init(&mutex, nil)
    pthread_cond_init(&condition, nil)
  }
  deinit {
    pthread_cond_destroy(&condition)
    pthread_mutex_destroy(&mutex)
  }
  func lock() { pthread_mutex_lock(&mutex) }
  func unlock() { pthread_mutex_unlock(&mutex) }
  func wait() { pthread_cond_wait(&condition, &mutex) }
  func signal() { pthread_cond_signal(&condition) }
}
