// The decision log on a PostgreSQL server, shared by any number of `regula serve` replicas.
// Appends are serialised by the one `head` row: a commit locks it (SELECT … FOR UPDATE), chains
// its entries onto the head it read, inserts its segment and moves the head, so the log stays
// one chain with consecutive ids whichever replica wrote each entry (Docs/decision-log.md).
// The schema is created and upgraded by numbered migrations applied at start.
import RegulaBytecode

final class PostgresStore: LogStore, @unchecked Sendable {
  let name: String
  /// The writer thread's connection (nil when reading only).
  let writing: PGConnection?
  /// The reading connection, behind `readLock`.
  let reader: PGConnection
  let readLock = Lock(recursive: true)

  /// The schema's versions, in order. A migration is applied once, in a transaction, under
  /// an advisory lock, so replicas starting together apply it once; one applied is never
  /// edited (a change is a new migration).
  static let migrations: [(version: Int64, description: String, sql: [String])] = [
    (
      1, "segments, policies and the head",
      [
        """
        CREATE TABLE segments (
          first_id bigint PRIMARY KEY,
          last_id bigint NOT NULL,
          earliest text COLLATE "C" NOT NULL,
          latest text COLLATE "C" NOT NULL,
          previous_hash bytea NOT NULL,
          entries bytea NOT NULL
        )
        """,
        "CREATE INDEX segments_latest ON segments (latest)",
        """
        CREATE TABLE policies (
          hash text PRIMARY KEY,
          name text NOT NULL,
          compiled bytea NOT NULL
        )
        """,
        """
        CREATE TABLE head (
          singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
          id bigint NOT NULL,
          hash text NOT NULL
        )
        """,
        "INSERT INTO head (id, hash) VALUES (0, '\(SHA256.hex(DecisionLog.genesis))')",
      ]
    )
  ]

  /// An arbitrary key for `pg_advisory_xact_lock`: Regula's migrations.
  static let migrationLock: Int64 = 0x5265_6775_6C61_0001

  /// Connects, applies the migrations not yet applied, and opens the writer's connection.
  init(url: String, synchronous: Synchronous) throws(LogError) {
    name = PGConnection.redacted(url)
    reader = try PGConnection(url: url)
    try PostgresStore.migrate(reader)
    // `normal`: a commit returns before the server has flushed it (a server crash may lose
    // the last commits; a replica crash loses nothing).
    // A replica that stops mid-commit (paused, partitioned) must not hold the head's lock for
    // long: its transaction is ended after 10 s idle, and a replica waits at most 5 s for the
    // lock (then answers 503) or 30 s for a statement.
    writing = try PGConnection(
      url: url,
      setup: [
        "SET idle_in_transaction_session_timeout = '10s'", "SET lock_timeout = '5s'",
        "SET statement_timeout = '30s'",
      ] + (synchronous == .normal ? ["SET synchronous_commit = off"] : []))
  }

  /// Connects to an existing log for reading only.
  init(readingOnly url: String) throws(LogError) {
    name = PGConnection.redacted(url)
    reader = try PGConnection(url: url)
    writing = nil
    let applied = try reader.execute("SELECT to_regclass('regula_migrations') IS NOT NULL")
    guard applied.first?.bytes(0) == [1] else {
      throw LogError(.corrupt, "\(name) holds no Regula decision log (no `regula_migrations`)")
    }
  }

  /// The versions applied, in order.
  static func appliedVersions(_ connection: PGConnection) throws(LogError) -> [Int64] {
    let result = try connection.execute("SELECT version FROM regula_migrations ORDER BY version")
    return (0..<result.count).map { result.row($0).int(0) }
  }

  static func migrate(_ connection: PGConnection) throws(LogError) {
    try connection.execute("BEGIN")
    do throws(LogError) {
      try connection.execute("SELECT pg_advisory_xact_lock($1)", [.int(migrationLock)])
      try connection.execute(
        """
        CREATE TABLE IF NOT EXISTS regula_migrations (
          version bigint PRIMARY KEY,
          description text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )
        """)
      let applied = Set(try appliedVersions(connection))
      if let newest = applied.max(), newest > migrations.last!.version {
        throw LogError(
          .failed,
          "\(connection.name) has schema version \(newest), newer than this Regula knows "
            + "(\(migrations.last!.version)); upgrade Regula")
      }
      for migration in migrations where !applied.contains(migration.version) {
        for statement in migration.sql { try connection.execute(statement) }
        try connection.execute(
          "INSERT INTO regula_migrations (version, description) VALUES ($1, $2)",
          [.int(migration.version), .text(migration.description)])
      }
      try connection.execute("COMMIT")
    } catch {
      _ = try? connection.execute("ROLLBACK")
      throw error
    }
  }

  // MARK: Appending

  func beginAppend() throws(LogError) -> Head? {
    guard let writing else { throw LogError(.closed, "the decision log is open for reading") }
    // READ COMMITTED whatever the database's default: FOR UPDATE then waits for the replica
    // ahead and reads the head it committed, instead of failing a serialisation check.
    try writing.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
    let result = try writing.execute("SELECT id, hash FROM head FOR UPDATE")
    guard let row = result.first else {
      throw LogError(.corrupt, "\(name): the `head` row is missing: the log was changed")
    }
    return Head(id: row.int(0), hash: row.text(1))
  }

  func insert(_ segment: SegmentRow) throws(LogError) {
    try writing?.execute(
      "INSERT INTO segments (first_id, last_id, earliest, latest, previous_hash, entries) "
        + "VALUES ($1, $2, $3, $4, $5, $6)",
      [
        .int(segment.first), .int(segment.last), .text(segment.earliest),
        .text(segment.latest), .bytes(segment.previousHash), .bytes(segment.entries),
      ])
  }

  func setHead(_ head: Head) throws(LogError) {
    try writing?.execute("UPDATE head SET id = $1, hash = $2", [.int(head.id), .text(head.hash)])
  }

  func commit() throws(LogError) { try writing?.execute("COMMIT") }

  func rollback() { _ = try? writing?.execute("ROLLBACK") }

  func finishWriting() {}

  // MARK: Reading

  func snapshot<T>(_ body: () throws -> T) throws -> T {
    try readLock.locked {
      try reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
      do {
        let value = try body()
        try reader.execute("COMMIT")
        return value
      } catch {
        _ = try? reader.execute("ROLLBACK")
        throw error
      }
    }
  }

  static let columns = "first_id, last_id, earliest, latest, previous_hash, entries"

  static func row(_ row: PGRow) -> SegmentRow {
    SegmentRow(
      first: row.int(0), last: row.int(1), earliest: row.text(2), latest: row.text(3),
      previousHash: row.bytes(4), entries: row.bytes(5))
  }

  func segment(atMost id: Int64) throws(LogError) -> SegmentRow? {
    try readLock.locked { () throws(LogError) -> SegmentRow? in
      try reader.execute(
        "SELECT \(PostgresStore.columns) FROM segments WHERE first_id <= $1 "
          + "ORDER BY first_id DESC LIMIT 1", [.int(id)]
      ).first.map(PostgresStore.row)
    }
  }

  func lastSegment() throws(LogError) -> SegmentRow? {
    try readLock.locked { () throws(LogError) -> SegmentRow? in
      try reader.execute(
        "SELECT \(PostgresStore.columns) FROM segments ORDER BY first_id DESC LIMIT 1"
      ).first.map(PostgresStore.row)
    }
  }

  func segments(
    from: String?, until: String?, _ body: (SegmentRow) throws -> Bool
  ) throws {
    try readLock.locked {
      if from != nil || until != nil {
        try reader.stream(
          "SELECT \(PostgresStore.columns) FROM segments WHERE latest >= $1 AND earliest <= $2 "
            + "ORDER BY first_id", [.text(from ?? ""), .text(until ?? "\u{10FFFF}")]
        ) { try body(PostgresStore.row($0)) }
      } else {
        try reader.stream("SELECT \(PostgresStore.columns) FROM segments ORDER BY first_id") {
          try body(PostgresStore.row($0))
        }
      }
    }
  }

  func recordedHead() throws(LogError) -> Head? {
    try readLock.locked { () throws(LogError) -> Head? in
      try reader.execute("SELECT id, hash FROM head").first.map {
        Head(id: $0.int(0), hash: $0.text(1))
      }
    }
  }

  func probe() throws(LogError) {
    try readLock.locked { () throws(LogError) in _ = try reader.execute("SELECT id FROM head") }
  }

  // MARK: Policies

  func storePolicy(hash: String, name: String, compiled: [UInt8]) throws(LogError) {
    try readLock.locked { () throws(LogError) in
      _ = try reader.execute(
        "INSERT INTO policies (hash, name, compiled) VALUES ($1, $2, $3) "
          + "ON CONFLICT (hash) DO NOTHING", [.text(hash), .text(name), .bytes(compiled)])
    }
  }

  func policy(hash: String) throws(LogError) -> [UInt8]? {
    try readLock.locked { () throws(LogError) -> [UInt8]? in
      try reader.execute("SELECT compiled FROM policies WHERE hash = $1", [.text(hash)])
        .first?.bytes(0)
    }
  }

  func policies() throws(LogError) -> [(hash: String, name: String)] {
    try readLock.locked { () throws(LogError) -> [(hash: String, name: String)] in
      let result = try reader.execute("SELECT hash, name FROM policies ORDER BY name, hash")
      return (0..<result.count).map { (result.row($0).text(0), result.row($0).text(1)) }
    }
  }

  func replaceEntries(first: Int64, with bytes: [UInt8]) throws(LogError) {
    try readLock.locked { () throws(LogError) in
      _ = try reader.execute(
        "UPDATE segments SET entries = $1 WHERE first_id = $2", [.bytes(bytes), .int(first)])
    }
  }
}
