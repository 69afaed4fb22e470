// The decision log: every decision a service makes, appended before its response is sent,
// in an SQLite database (WAL), one row per group commit (Segment.swift). Entries form a hash chain — each carries the SHA-256 of the one
// before — so that an edited, inserted or deleted entry is found by `verify()`. Appends from
// any number of threads are written by one writer thread in group commits: each transaction
// holds every entry that arrived while the last one was being written, so the log costs one
// fsync per group, not per decision (Docs/service.md, "The decision log").
import CLogHash
import CSQLite
import Glibc
import RegulaBytecode

/// A decision to append: what the service decided, for whom, on what input.
public struct NewEntry: Sendable {
  /// When the decision was made (`Timestamp.now()`), RFC 3339 in UTC.
  public var loggedAt: String
  public var policy: String
  /// The deciding policy's `CompiledPolicy.contentHash`.
  public var policyHash: String
  /// The as-of date, YYYY-MM-DD.
  public var asOf: String
  public var jurisdiction: String
  /// The caller: the name of the token that asked.
  public var caller: String
  /// The application's bytes as received.
  public var input: [UInt8]
  /// The decision record, `regula.decision/2` JSON: the outcome and its reasons.
  public var record: [UInt8]
  /// SHA-256 of the fields above (`DecisionLog.contentDigest`), computed by the caller's
  /// thread so that the writer only chains.
  let digest: [UInt8]

  public init(
    loggedAt: String, policy: String, policyHash: String, asOf: String, jurisdiction: String,
    caller: String, input: [UInt8], record: [UInt8]
  ) {
    self.loggedAt = loggedAt
    self.policy = policy
    self.policyHash = policyHash
    self.asOf = asOf
    self.jurisdiction = jurisdiction
    self.caller = caller
    self.input = input
    self.record = record
    digest = DecisionLog.contentDigest(
      loggedAt: loggedAt, policy: policy, policyHash: policyHash, asOf: asOf,
      jurisdiction: jurisdiction, caller: caller, input: input, record: record)
  }
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

/// The decision log of one database file. Thread-safe.
public final class DecisionLog: @unchecked Sendable {
  public let path: String
  let writer: Writer
  /// The reading connection, for lookups, exports and checks, behind `readLock`.
  let reader: SQLiteConnection
  let readLock = Lock()
  /// The held `PATH.lock` of a writing log (-1 when reading only); released when closed.
  var lockFile: Int32

  /// Opens the log at `path`, creating the database and its tables if needed, and starts the
  /// writer thread.
  public init(path: String, synchronous: Synchronous = .full) throws(SQLiteError) {
    self.path = path
    // One writer per log: a second service on the same file would fork the chain.
    let lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else {
      if lock >= 0 { Glibc.close(lock) }
      throw SQLiteError(
        code: SQLITE_BUSY,
        message: "the decision log `\(path)` is in use by another service (`\(path).lock` is held)")
    }
    do {
      let connection = try SQLiteConnection(path: path, create: true)
      // 16 KiB pages: an entry is about a kilobyte and the WAL is written a page per call, so
      // larger pages write a batch in fewer calls (4 KiB: 65,000 entries/s, 16 KiB: 87,000 in
      // a W1 batch), while a small group commit still writes little (64 KiB pages cost single
      // decisions 10%). Takes effect when the database is created.
      try connection.execute("PRAGMA page_size=16384")
      try connection.execute("PRAGMA journal_mode=WAL")
      try connection.execute("PRAGMA synchronous=\(synchronous.rawValue.uppercased())")
      try connection.execute(DecisionLog.schema)
      writer = try Writer(connection: connection)
      reader = try SQLiteConnection(path: path, create: false)
    } catch {
      Glibc.close(lock)
      throw error
    }
    lockFile = lock
    writer.start()
  }

  /// Opens an existing log for reading only (for `regula audit`): no writer thread.
  public init(readingOnly path: String) throws(SQLiteError) {
    self.path = path
    guard access(path, F_OK) == 0 else {
      throw SQLiteError(code: SQLITE_CANTOPEN, message: "no decision log at `\(path)`")
    }
    reader = try SQLiteConnection(path: path, create: false)
    writer = Writer(closed: ())
    lockFile = -1
    // A file that is not a decision log is refused here, not half-read later.
    do {
      _ = try reader.prepare("SELECT first_id, entries FROM segments LIMIT 1")
    } catch {
      throw SQLiteError(
        code: error.code, message: "`\(path)` is not a Regula decision log: \(error.message)")
    }
  }

  static let schema = """
    CREATE TABLE IF NOT EXISTS segments (
      first_id INTEGER PRIMARY KEY,
      last_id INTEGER NOT NULL,
      earliest TEXT NOT NULL,
      latest TEXT NOT NULL,
      previous_hash BLOB NOT NULL,
      entries BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS segments_latest ON segments(latest);
    CREATE TABLE IF NOT EXISTS policies (
      hash TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      compiled BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT OR IGNORE INTO meta(key, value) VALUES ('format', 'regula.log/1');
    """

  // MARK: Hashing

  static let domain = Array("regula.log/1\u{0}".utf8)

  /// SHA-256 over the domain tag and each field, length-prefixed so that no two different
  /// entries hash the same bytes.
  public static func contentDigest(
    loggedAt: String, policy: String, policyHash: String, asOf: String, jurisdiction: String,
    caller: String, input: [UInt8], record: [UInt8]
  ) -> [UInt8] {
    var bytes = domain
    bytes.reserveCapacity(domain.count + input.count + record.count + 256)
    func field(_ part: some Collection<UInt8>) {
      var count = UInt64(part.count).bigEndian
      withUnsafeBytes(of: &count) { bytes.append(contentsOf: $0) }
      bytes.append(contentsOf: part)
    }
    for text in [loggedAt, policy, policyHash, asOf, jurisdiction, caller] { field(text.utf8) }
    field(input)
    field(record)
    return sha256(bytes)
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

  /// The entry hash: SHA-256 of the previous entry's hash, the id, and the content digest.
  public static func chain(previous: [UInt8], id: Int64, digest: [UInt8]) -> [UInt8] {
    var bytes = previous
    var big = UInt64(bitPattern: id).bigEndian
    withUnsafeBytes(of: &big) { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: digest)
    return sha256(bytes)
  }

  /// The previous hash of the first entry.
  public static let genesis = [UInt8](repeating: 0, count: 32)

  // MARK: Appending

  /// Appends entries as one run of consecutive ids, in one transaction with whatever else is
  /// waiting, and calls `done` once it is committed (or failed) — on the writer thread.
  public func append(
    _ entries: [NewEntry],
    done: @escaping @Sendable (Result<ClosedRange<Int64>, SQLiteError>) -> Void
  ) {
    writer.submit(Writer.Request(entries: entries, done: done))
  }

  /// Appends entries and returns their ids once committed.
  public func append(_ entries: [NewEntry]) async throws(SQLiteError) -> ClosedRange<Int64> {
    let result = await withCheckedContinuation { continuation in
      append(entries) { continuation.resume(returning: $0) }
    }
    return try result.get()
  }

  /// Stops taking entries, writes those waiting, and stops the writer thread.
  public func close() {
    writer.stop()
    readLock.locked {
      if lockFile >= 0 { Glibc.close(lockFile) }
      lockFile = -1
    }
  }

  deinit { if lockFile >= 0 { Glibc.close(lockFile) } }

  /// The number of entries committed (the last decision id), as the writer knows it.
  public var committedCount: Int64 {
    writer.condition.lock()
    defer { writer.condition.unlock() }
    return writer.lastID
  }

  // MARK: Reading

  /// Decodes the segments a query returns (first id, previous hash, entries), calling
  /// `body` with each entry until it returns false.
  static func decodeRows(
    _ statement: SQLiteStatement, _ body: (LogEntry) throws -> Bool
  ) throws {
    while try statement.step() {
      var going = true
      try Segment.decode(
        statement.blob(2), firstID: statement.int(0), previousHash: statement.blob(1)
      ) { entry in
        going = try body(entry)
        return going
      }
      if !going { return }
    }
  }

  /// The entry with decision id `id`, or nil.
  public func entry(id: Int64) throws(SQLiteError) -> LogEntry? {
    try readLock.locked { () throws(SQLiteError) -> LogEntry? in
      let statement = try reader.prepare(
        "SELECT first_id, previous_hash, entries FROM segments WHERE first_id <= ? "
          + "ORDER BY first_id DESC LIMIT 1")
      statement.bind(1, id)
      var found: LogEntry?
      do {
        try DecisionLog.decodeRows(statement) { entry in
          if entry.id == id { found = entry }
          return entry.id < id
        }
      } catch let error as SQLiteError {
        throw error
      } catch {
        throw SQLiteError(code: SQLITE_CORRUPT, message: "\(error)")
      }
      return found
    }
  }

  /// Calls `body` with each entry logged from `from` to `until` (RFC 3339 texts compared as
  /// text, both inclusive; nil for open), in id order.
  public func entries(
    from: String?, until: String?, _ body: (LogEntry) throws -> Void
  ) throws {
    let lower = from ?? ""
    let upper = until ?? "\u{10FFFF}"
    try readLock.locked {
      let statement = try reader.prepare(
        "SELECT first_id, previous_hash, entries FROM segments WHERE latest >= ? AND earliest <= ? "
          + "ORDER BY first_id")
      statement.bind(1, lower)
      statement.bind(2, upper)
      try DecisionLog.decodeRows(statement) { entry in
        if entry.loggedAt >= lower && entry.loggedAt <= upper { try body(entry) }
        return true
      }
    }
  }

  /// The number of entries.
  public func count() throws(SQLiteError) -> Int64 {
    try readLock.locked { () throws(SQLiteError) -> Int64 in
      let statement = try reader.prepare("SELECT coalesce(max(last_id), 0) FROM segments")
      _ = try statement.step()
      return statement.int(0)
    }
  }

  /// Checks the whole chain in id order: ids run 1, 2, 3… without a gap, each segment links
  /// to the hash of the entry before it, each entry's hash matches its fields and the hash
  /// before it, and the last entry is the head the writer recorded. Stops at the first break.
  public func verify() throws(SQLiteError) -> Verification {
    try readLock.locked { () throws(SQLiteError) -> Verification in
      let statement = try reader.prepare(
        "SELECT first_id, last_id, previous_hash, entries, earliest, latest FROM segments "
          + "ORDER BY first_id")
      var previous = DecisionLog.genesis
      var expectedID: Int64 = 1
      var count: Int64 = 0
      while try statement.step() {
        let first = statement.int(0)
        let last = statement.int(1)
        if first != expectedID {
          return Verification(
            entries: count,
            firstBroken: (
              expectedID,
              first > expectedID
                ? "entry \(expectedID) is missing (the next entry is \(first))"
                : "entry \(first) is out of order"
            ))
        }
        if statement.blob(2) != previous {
          return Verification(
            entries: count,
            firstBroken: (first, "its previous_hash is not the hash of entry \(first - 1)"))
        }
        var broken: (Int64, String)?
        var earliest: String?
        var latest: String?
        do {
          try Segment.decode(statement.blob(3), firstID: first, previousHash: previous) { entry in
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
          return Verification(entries: count, firstBroken: (expectedID, "\(error)"))
        }
        if let broken { return Verification(entries: count, firstBroken: broken) }
        // The time range exports select segments by: it must be the entries' own.
        if earliest != statement.text(4) || latest != statement.text(5) {
          return Verification(
            entries: count,
            firstBroken: (
              first,
              "the segment of entries \(first) to \(last) gives another time range than its "
                + "entries (exports by date would skip them)"
            ))
        }
        if expectedID - 1 != last {
          return Verification(
            entries: count,
            firstBroken: (
              first, "the segment of entries \(first) to \(last) holds \(expectedID - first)"
            ))
        }
      }
      let head = try DecisionLog.head(reader)
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
  }

  /// The last entry the writer committed, as it recorded it in `meta`.
  static func head(_ connection: SQLiteConnection) throws(SQLiteError) -> (id: Int64, hash: String)?
  {
    let statement = try connection.prepare(
      "SELECT (SELECT value FROM meta WHERE key = 'head_id'), (SELECT value FROM meta WHERE key = 'head_hash')"
    )
    guard try statement.step(), !statement.isNull(0), !statement.isNull(1),
      let id = Int64(statement.text(0))
    else { return nil }
    return (id, statement.text(1))
  }

  /// Rewrites entry `id` as `change` leaves it and keeps every stored hash, as someone with
  /// the database file could: for the tests of `verify()`.
  func tamper(id: Int64, _ change: (inout LogEntry) -> Void) throws {
    try readLock.locked {
      let statement = try reader.prepare(
        "SELECT first_id, previous_hash, entries FROM segments WHERE first_id <= ? AND last_id >= ?"
      )
      statement.bind(1, id)
      statement.bind(2, id)
      var entries: [LogEntry] = []
      try DecisionLog.decodeRows(statement) { entry in
        entries.append(entry)
        return true
      }
      guard let first = entries.first?.id else { return }
      var bytes: [UInt8] = []
      for var entry in entries {
        if entry.id == id { change(&entry) }
        Segment.append(entry, to: &bytes)
      }
      let update = try reader.prepare("UPDATE segments SET entries = ? WHERE first_id = ?")
      update.bind(1, blob: bytes)
      update.bind(2, first)
      try update.run()
    }
  }

  // MARK: Policies

  /// Keeps a compiled policy by its content hash, so that a decision's trace can be replayed
  /// with the exact policy that decided it after the policy file has changed.
  public func storePolicy(hash: String, name: String, compiled: [UInt8]) throws(SQLiteError) {
    try readLock.locked { () throws(SQLiteError) in
      let statement = try reader.prepare(
        "INSERT OR IGNORE INTO policies(hash, name, compiled) VALUES (?, ?, ?)")
      statement.bind(1, hash)
      statement.bind(2, name)
      statement.bind(3, blob: compiled)
      try statement.run()
    }
  }

  /// The compiled policy stored under `hash`, or nil.
  public func policy(hash: String) throws(SQLiteError) -> [UInt8]? {
    try readLock.locked { () throws(SQLiteError) -> [UInt8]? in
      let statement = try reader.prepare("SELECT compiled FROM policies WHERE hash = ?")
      statement.bind(1, hash)
      return try statement.step() ? statement.blob(0) : nil
    }
  }

  /// Every stored policy's hash and name.
  public func policies() throws(SQLiteError) -> [(hash: String, name: String)] {
    try readLock.locked { () throws(SQLiteError) -> [(hash: String, name: String)] in
      let statement = try reader.prepare("SELECT hash, name FROM policies ORDER BY name, hash")
      var result: [(hash: String, name: String)] = []
      while try statement.step() { result.append((statement.text(0), statement.text(1))) }
      return result
    }
  }
}

// MARK: - The writer

extension DecisionLog {
  /// The one thread that appends: takes every waiting request, writes them in one
  /// transaction, then answers them.
  final class Writer: @unchecked Sendable {
    struct Request {
      var entries: [NewEntry]
      var done: @Sendable (Result<ClosedRange<Int64>, SQLiteError>) -> Void
    }

    let connection: SQLiteConnection?
    let insert: SQLiteStatement?
    let setHead: SQLiteStatement?
    let condition = Condition()
    var waiting: [Request] = []
    var closing = false
    var thread: pthread_t?
    var lastID: Int64 = 0
    var lastHash = DecisionLog.genesis

    init(connection: SQLiteConnection) throws(SQLiteError) {
      self.connection = connection
      insert = try connection.prepare(
        "INSERT INTO segments(first_id, last_id, earliest, latest, previous_hash, entries) "
          + "VALUES (?,?,?,?,?,?)")
      setHead = try connection.prepare(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('head_id', ?), ('head_hash', ?)")
      try reloadHead()
      // The chain's end must be the head the last commit recorded: a log whose last entries
      // were cut (or a backup restored without them) is refused, since going on would hand
      // out again decision ids that callers already hold.
      if let head = try DecisionLog.head(connection),
        head.id != lastID || head.hash != SHA256.hex(lastHash)
      {
        throw SQLiteError(
          code: SQLITE_CORRUPT,
          message: "the log ends at entry \(lastID), but entry \(head.id) was the last written: "
            + "entries were removed; run `regula audit verify`")
      }
    }

    /// Reads the last committed entry's id and hash from the database.
    func reloadHead() throws(SQLiteError) {
      guard let connection else { return }
      let last = try connection.prepare(
        "SELECT first_id, previous_hash, entries FROM segments ORDER BY first_id DESC LIMIT 1")
      var id: Int64 = 0
      var hash = DecisionLog.genesis
      do {
        try DecisionLog.decodeRows(last) { entry in
          id = entry.id
          hash = entry.entryHash
          return true
        }
      } catch {
        throw SQLiteError(
          code: SQLITE_CORRUPT,
          message: "the last segment of the log cannot be read, so the chain cannot go on: \(error)"
        )
      }
      condition.lock()
      lastID = id
      condition.unlock()
      lastHash = hash
    }

    init(closed: Void) {
      connection = nil
      insert = nil
      setHead = nil
      closing = true
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
      condition.lock()
      if closing {
        condition.unlock()
        request.done(
          .failure(SQLiteError(code: SQLITE_MISUSE, message: "the decision log is closed")))
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
        // Folds the WAL into the database, so that the file alone holds every entry (a copy
        // or backup of it after a clean stop is complete).
        try? connection?.execute("PRAGMA wal_checkpoint(TRUNCATE)")
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
    /// no row nears SQLite's length limit however large the applications are.
    static let segmentBytes = 32 << 20

    /// Writes every request of `batch` in one transaction, as one segment (or several, past
    /// `segmentBytes`).
    func write(_ batch: [Request]) -> [Result<ClosedRange<Int64>, SQLiteError>] {
      guard let connection, let insert, let setHead else { return [] }
      var id = lastID
      var hash = lastHash
      var ranges: [ClosedRange<Int64>] = []
      var segments:
        [(
          first: Int64, last: Int64, earliest: String, latest: String,
          previous: [UInt8], bytes: [UInt8]
        )] = []
      var bytes: [UInt8] = []
      var first = id + 1
      var previous = hash
      var earliest: String?
      var latest: String?
      func close() {
        guard id >= first else { return }
        segments.append((first, id, earliest ?? "", latest ?? "", previous, bytes))
        bytes = []
        earliest = nil
        latest = nil
        first = id + 1
        previous = hash
      }
      for request in batch {
        let start = id + 1
        for entry in request.entries {
          if bytes.count >= Writer.segmentBytes { close() }
          id += 1
          hash = DecisionLog.chain(previous: hash, id: id, digest: entry.digest)
          Segment.append(entry, hash: hash, to: &bytes)
          if earliest.map({ entry.loggedAt < $0 }) ?? true { earliest = entry.loggedAt }
          if latest.map({ entry.loggedAt > $0 }) ?? true { latest = entry.loggedAt }
        }
        // An empty request is given start...start and holds no entry.
        ranges.append(start...max(start, id))
      }
      close()
      guard id > lastID else { return ranges.map { .success($0) } }
      do {
        try connection.execute("BEGIN IMMEDIATE")
        for segment in segments {
          insert.bind(1, segment.first)
          insert.bind(2, segment.last)
          insert.bind(3, segment.earliest)
          insert.bind(4, segment.latest)
          insert.bind(5, blob: segment.previous)
          insert.bind(6, blob: segment.bytes)
          try insert.run()
        }
        setHead.bind(1, String(id))
        setHead.bind(2, SHA256.hex(hash))
        try setHead.run()
        try connection.execute("COMMIT")
      } catch {
        try? connection.execute("ROLLBACK")
        // The database is the truth: what was committed before stays the chain's end (another
        // writer on the same file, say, is found at the next commit).
        try? reloadHead()
        return batch.map { _ in .failure(error) }
      }
      condition.lock()
      lastID = id
      condition.unlock()
      lastHash = hash
      return ranges.map { .success($0) }
    }
  }
}

// MARK: - Locks

/// A pthread mutex.
final class Lock: @unchecked Sendable {
  var mutex = pthread_mutex_t()
  init() { pthread_mutex_init(&mutex, nil) }
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
