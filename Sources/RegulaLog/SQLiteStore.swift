// The decision log in one SQLite file (WAL): the embedded default, for one service. One
// writer per file, held by `flock` on `PATH.lock`: a second service on the same file would
// fork the chain.
import CSQLite
import Glibc

final class SQLiteStore: LogStore, @unchecked Sendable {
  let name: String
  /// The writing connection, used by the writer thread only (nil when reading only).
  let writing: SQLiteConnection?
  /// The writer's statements, prepared once: a group commit runs five (begin, read the head,
  /// insert the segment, set the head, commit), and compiling three of them afresh each time
  /// had cost single decisions about 3% of the service's CPU.
  let statements: WriterStatements?
  /// The reading connection, behind `readLock`.
  let reader: SQLiteConnection
  let readLock = Lock(recursive: true)
  /// The held `PATH.lock` (-1 when reading only).
  var lockFile: Int32 = -1

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
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    INSERT OR IGNORE INTO meta(key, value) VALUES ('format', 'regula.log/1');
    """

  /// Opens the log at `path` for writing, creating the database and its tables if needed.
  init(path: String, synchronous: Synchronous) throws(LogError) {
    name = path
    let lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else {
      if lock >= 0 { Glibc.close(lock) }
      throw LogError(
        .inUse,
        "the decision log `\(path)` is in use by another service (`\(path).lock` is held)")
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
      try connection.execute(SQLiteStore.schema)
      statements = try WriterStatements(connection)
      writing = connection
      reader = try SQLiteConnection(path: path, create: false)
    } catch {
      Glibc.close(lock)
      throw error
    }
    lockFile = lock
  }

  /// Opens an existing log for reading only.
  init(readingOnly path: String) throws(LogError) {
    name = path
    guard access(path, F_OK) == 0 else { throw LogError(.failed, "no decision log at `\(path)`") }
    reader = try SQLiteConnection(path: path, create: false)
    writing = nil
    statements = nil
    // A file that is not a decision log is refused here, not half-read later.
    do {
      _ = try reader.prepare("SELECT first_id, entries FROM segments LIMIT 1")
    } catch {
      throw LogError(.corrupt, "`\(path)` is not a Regula decision log: \(error.message)")
    }
  }

  deinit { if lockFile >= 0 { Glibc.close(lockFile) } }

  // MARK: Appending

  func beginAppend() throws(LogError) -> Head? {
    guard let statements else {
      throw LogError(.closed, "the decision log is open for reading")
    }
    try statements.begin.run()
    return try SQLiteStore.head(statements.head)
  }

  func insert(_ segment: SegmentRow) throws(LogError) {
    guard let insert = statements?.insert else { return }
    insert.bind(1, segment.first)
    insert.bind(2, segment.last)
    insert.bind(3, segment.earliest)
    insert.bind(4, segment.latest)
    insert.bind(5, blob: segment.previousHash)
    insert.bind(6, blob: segment.entries)
    try insert.run()
  }

  func setHead(_ head: Head) throws(LogError) {
    guard let setHead = statements?.setHead else { return }
    setHead.bind(1, String(head.id))
    setHead.bind(2, head.hash)
    try setHead.run()
  }

  func commit() throws(LogError) { try statements?.commit.run() }

  func rollback() { try? writing?.execute("ROLLBACK") }

  func finishWriting() {
    // Folds the WAL into the database, so that the file alone holds every entry (a copy or
    // backup of it after a clean stop is complete).
    try? writing?.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    readLock.locked {
      if lockFile >= 0 { Glibc.close(lockFile) }
      lockFile = -1
    }
  }

  // MARK: Reading

  func snapshot<T>(_ body: () throws -> T) throws -> T {
    try readLock.locked {
      // A read transaction: every statement sees the database as of its first read.
      try reader.execute("BEGIN")
      defer { try? reader.execute("COMMIT") }
      return try body()
    }
  }

  static func row(_ statement: SQLiteStatement) -> SegmentRow {
    SegmentRow(
      first: statement.int(0), last: statement.int(1), earliest: statement.text(2),
      latest: statement.text(3), previousHash: statement.blob(4), entries: statement.blob(5))
  }

  static let columns = "first_id, last_id, earliest, latest, previous_hash, entries"

  func segment(atMost id: Int64) throws(LogError) -> SegmentRow? {
    try readLock.locked { () throws(LogError) -> SegmentRow? in
      let statement = try reader.prepare(
        "SELECT \(SQLiteStore.columns) FROM segments WHERE first_id <= ? "
          + "ORDER BY first_id DESC LIMIT 1")
      statement.bind(1, id)
      return try statement.step() ? SQLiteStore.row(statement) : nil
    }
  }

  func lastSegment() throws(LogError) -> SegmentRow? {
    try readLock.locked { () throws(LogError) -> SegmentRow? in
      let statement = try reader.prepare(
        "SELECT \(SQLiteStore.columns) FROM segments ORDER BY first_id DESC LIMIT 1")
      return try statement.step() ? SQLiteStore.row(statement) : nil
    }
  }

  func segments(
    from: String?, until: String?, _ body: (SegmentRow) throws -> Bool
  ) throws {
    try readLock.locked {
      // Without bounds, every segment whatever its recorded range (the checks read them all,
      // a changed range included).
      let bounded = from != nil || until != nil
      let statement = try reader.prepare(
        "SELECT \(SQLiteStore.columns) FROM segments "
          + (bounded ? "WHERE latest >= ? AND earliest <= ? " : "") + "ORDER BY first_id")
      if bounded {
        statement.bind(1, from ?? "")
        statement.bind(2, until ?? "\u{10FFFF}")
      }
      while try statement.step() {
        if try !body(SQLiteStore.row(statement)) { return }
      }
    }
  }

  func recordedHead() throws(LogError) -> Head? {
    try readLock.locked { () throws(LogError) -> Head? in try SQLiteStore.head(reader) }
  }

  func probe() throws(LogError) {
    try readLock.locked { () throws(LogError) in
      let statement = try reader.prepare("SELECT count(*) FROM meta")
      _ = try statement.step()
    }
  }

  static func head(_ connection: SQLiteConnection) throws(LogError) -> Head? {
    try head(connection.prepare(headQuery))
  }

  static let headQuery =
    "SELECT (SELECT value FROM meta WHERE key = 'head_id'), "
    + "(SELECT value FROM meta WHERE key = 'head_hash')"

  /// The head that `statement` (`headQuery`, prepared) reads; the statement is reset after.
  static func head(_ statement: SQLiteStatement) throws(LogError) -> Head? {
    defer { statement.reset() }
    guard try statement.step(), !statement.isNull(0), !statement.isNull(1),
      let id = Int64(statement.text(0))
    else { return nil }
    return Head(id: id, hash: statement.text(1))
  }

  // MARK: Policies

  func storePolicy(hash: String, name: String, compiled: [UInt8]) throws(LogError) {
    try readLock.locked { () throws(LogError) in
      let statement = try reader.prepare(
        "INSERT OR IGNORE INTO policies(hash, name, compiled) VALUES (?, ?, ?)")
      statement.bind(1, hash)
      statement.bind(2, name)
      statement.bind(3, blob: compiled)
      try statement.run()
    }
  }

  func policy(hash: String) throws(LogError) -> [UInt8]? {
    try readLock.locked { () throws(LogError) -> [UInt8]? in
      let statement = try reader.prepare("SELECT compiled FROM policies WHERE hash = ?")
      statement.bind(1, hash)
      return try statement.step() ? statement.blob(0) : nil
    }
  }

  func policies() throws(LogError) -> [(hash: String, name: String)] {
    try readLock.locked { () throws(LogError) -> [(hash: String, name: String)] in
      let statement = try reader.prepare("SELECT hash, name FROM policies ORDER BY name, hash")
      var result: [(hash: String, name: String)] = []
      while try statement.step() { result.append((statement.text(0), statement.text(1))) }
      return result
    }
  }

  func replaceEntries(first: Int64, with bytes: [UInt8]) throws(LogError) {
    try readLock.locked { () throws(LogError) in
      let update = try reader.prepare("UPDATE segments SET entries = ? WHERE first_id = ?")
      update.bind(1, blob: bytes)
      update.bind(2, first)
      try update.run()
    }
  }
}

/// The statements of a group commit, compiled once on the writing connection.
struct WriterStatements {
  let begin: SQLiteStatement
  let head: SQLiteStatement
  let insert: SQLiteStatement
  let setHead: SQLiteStatement
  let commit: SQLiteStatement

  init(_ connection: SQLiteConnection) throws(LogError) {
    begin = try connection.prepare("BEGIN IMMEDIATE")
    head = try connection.prepare(SQLiteStore.headQuery)
    insert = try connection.prepare(
      "INSERT INTO segments(first_id, last_id, earliest, latest, previous_hash, entries) "
        + "VALUES (?,?,?,?,?,?)")
    setHead = try connection.prepare(
      "INSERT OR REPLACE INTO meta(key, value) VALUES ('head_id', ?), ('head_hash', ?)")
    commit = try connection.prepare("COMMIT")
  }
}
