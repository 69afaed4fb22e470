// The decision log: every decision a service makes, appended before its response is sent,
// in an SQLite database (WAL). Entries form a hash chain — each carries the SHA-256 of the one
// before — so that an edited, inserted or deleted entry is found by `verify()`. Appends from
// any number of threads are written by one writer thread in group commits: each transaction
// holds every entry that arrived while the last one was being written, so the log costs one
// fsync per group, not per decision (Docs/service.md, "The decision log").
import CCrypto
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

  /// Opens the log at `path`, creating the database and its tables if needed, and starts the
  /// writer thread.
  public init(path: String, synchronous: Synchronous = .full) throws(SQLiteError) {
    self.path = path
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
    // A file that is not a decision log is refused here, not half-read later.
    do {
      _ = try reader.prepare("SELECT id, entry_hash FROM entries LIMIT 1")
    } catch {
      throw SQLiteError(
        code: error.code, message: "`\(path)` is not a Regula decision log: \(error.message)")
    }
  }

  static let schema = """
    CREATE TABLE IF NOT EXISTS entries (
      id INTEGER PRIMARY KEY,
      logged_at TEXT NOT NULL,
      policy TEXT NOT NULL,
      policy_hash TEXT NOT NULL,
      as_of TEXT NOT NULL,
      jurisdiction TEXT NOT NULL,
      caller TEXT NOT NULL,
      input BLOB NOT NULL,
      record BLOB NOT NULL,
      previous_hash BLOB NOT NULL,
      entry_hash BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS entries_logged_at ON entries(logged_at);
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
        _ = CCrypto.SHA256(input.baseAddress, input.count, output.baseAddress)
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
  public func close() { writer.stop() }

  /// The number of entries committed (the last decision id), as the writer knows it.
  public var committedCount: Int64 {
    writer.condition.lock()
    defer { writer.condition.unlock() }
    return writer.lastID
  }

  // MARK: Reading

  static let columns =
    "id, logged_at, policy, policy_hash, as_of, jurisdiction, caller, input, record, previous_hash, entry_hash"

  static func entry(_ row: SQLiteStatement) -> LogEntry {
    LogEntry(
      id: row.int(0), loggedAt: row.text(1), policy: row.text(2), policyHash: row.text(3),
      asOf: row.text(4), jurisdiction: row.text(5), caller: row.text(6), input: row.blob(7),
      record: row.blob(8), previousHash: row.blob(9), entryHash: row.blob(10))
  }

  /// The entry with decision id `id`, or nil.
  public func entry(id: Int64) throws(SQLiteError) -> LogEntry? {
    try readLock.locked { () throws(SQLiteError) -> LogEntry? in
      let statement = try reader.prepare("SELECT \(DecisionLog.columns) FROM entries WHERE id = ?")
      statement.bind(1, id)
      return try statement.step() ? DecisionLog.entry(statement) : nil
    }
  }

  /// Calls `body` with each entry logged from `from` to `until` (RFC 3339 texts compared as
  /// text, both inclusive; nil for open), in id order.
  public func entries(
    from: String?, until: String?, _ body: (LogEntry) throws -> Void
  ) throws {
    try readLock.locked {
      let statement = try reader.prepare(
        "SELECT \(DecisionLog.columns) FROM entries WHERE logged_at >= ? AND logged_at <= ? ORDER BY id"
      )
      statement.bind(1, from ?? "")
      statement.bind(2, until ?? "\u{10FFFF}")
      while try statement.step() { try body(DecisionLog.entry(statement)) }
    }
  }

  /// The number of entries.
  public func count() throws(SQLiteError) -> Int64 {
    try readLock.locked { () throws(SQLiteError) -> Int64 in
      let statement = try reader.prepare("SELECT count(*) FROM entries")
      _ = try statement.step()
      return statement.int(0)
    }
  }

  /// Checks the whole chain in id order: ids run 1, 2, 3… without a gap, each entry's
  /// previous hash is the entry before's hash, each hash matches the entry's fields, and the
  /// last entry is the head the writer recorded. Stops at the first break.
  public func verify() throws(SQLiteError) -> Verification {
    try readLock.locked { () throws(SQLiteError) -> Verification in
      let statement = try reader.prepare(
        "SELECT \(DecisionLog.columns) FROM entries ORDER BY id")
      var previous = DecisionLog.genesis
      var expectedID: Int64 = 1
      var count: Int64 = 0
      while try statement.step() {
        let entry = DecisionLog.entry(statement)
        count += 1
        if entry.id != expectedID {
          return Verification(
            entries: count,
            firstBroken: (
              expectedID,
              entry.id > expectedID
                ? "entry \(expectedID) is missing (the next entry is \(entry.id))"
                : "entry \(entry.id) is out of order"
            ))
        }
        if entry.previousHash != previous {
          return Verification(
            entries: count,
            firstBroken: (entry.id, "its previous_hash is not the hash of entry \(entry.id - 1)"))
        }
        if entry.expectedHash != entry.entryHash {
          return Verification(
            entries: count,
            firstBroken: (
              entry.id, "its content does not match its entry_hash: the entry was changed"
            ))
        }
        previous = entry.entryHash
        expectedID += 1
      }
      let head = try DecisionLog.head(reader)
      if let head, head.id != expectedID - 1 || head.hash != RegulaBytecode.SHA256.hex(previous) {
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
        "INSERT INTO entries(\(DecisionLog.columns)) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
      setHead = try connection.prepare(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('head_id', ?), ('head_hash', ?)")
      let last = try connection.prepare(
        "SELECT id, entry_hash FROM entries ORDER BY id DESC LIMIT 1")
      if try last.step() {
        lastID = last.int(0)
        lastHash = last.blob(1)
      }
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

    /// Writes every request of `batch` in one transaction.
    func write(_ batch: [Request]) -> [Result<ClosedRange<Int64>, SQLiteError>] {
      guard let connection, let insert, let setHead else { return [] }
      var id = lastID
      var hash = lastHash
      var ranges: [ClosedRange<Int64>] = []
      do {
        try connection.execute("BEGIN IMMEDIATE")
        for request in batch {
          let first = id + 1
          for entry in request.entries {
            id += 1
            let previous = hash
            hash = DecisionLog.chain(previous: previous, id: id, digest: entry.digest)
            insert.bind(1, id)
            insert.bind(2, entry.loggedAt)
            insert.bind(3, entry.policy)
            insert.bind(4, entry.policyHash)
            insert.bind(5, entry.asOf)
            insert.bind(6, entry.jurisdiction)
            insert.bind(7, entry.caller)
            insert.bind(8, blob: entry.input)
            insert.bind(9, blob: entry.record)
            insert.bind(10, blob: previous)
            insert.bind(11, blob: hash)
            try insert.run()
          }
          // An empty request gets the empty-looking range first...first-1 as first...first.
          ranges.append(first...max(first, id))
        }
        setHead.bind(1, String(id))
        setHead.bind(2, RegulaBytecode.SHA256.hex(hash))
        try setHead.run()
        try connection.execute("COMMIT")
      } catch {
        try? connection.execute("ROLLBACK")
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
