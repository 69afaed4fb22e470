// A thin layer over SQLite's C API: one connection, prepared statements, typed binds and
// columns, and errors that carry SQLite's own message. Only what the decision log needs.
import CSQLite

/// `SQLITE_TRANSIENT`: SQLite copies bound bytes before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One SQLite connection. Not thread-safe: each thread that uses the log has its own, or
/// holds a lock around it.
final class SQLiteConnection {
  let handle: OpaquePointer

  /// Opens (creating if asked) the database at `path`.
  init(path: String, create: Bool) throws(LogError) {
    var pointer: OpaquePointer?
    let flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0)
    let code = sqlite3_open_v2(path, &pointer, flags, nil)
    guard code == SQLITE_OK, let pointer else {
      let message = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      sqlite3_close(pointer)
      throw LogError(code: code, message: "cannot open `\(path)`: \(message)")
    }
    handle = pointer
    sqlite3_busy_timeout(handle, 10_000)
    sqlite3_extended_result_codes(handle, 1)
  }

  deinit { sqlite3_close_v2(handle) }

  /// Runs one or more statements without results.
  func execute(_ sql: String) throws(LogError) {
    var error: UnsafeMutablePointer<CChar>?
    let code = sqlite3_exec(handle, sql, nil, nil, &error)
    guard code == SQLITE_OK else {
      let message = error.map { String(cString: $0) } ?? "error \(code)"
      sqlite3_free(error)
      throw LogError(code: code, message: "\(message) (in `\(sql.prefix(60))`)")
    }
  }

  /// Compiles a statement.
  func prepare(_ sql: String) throws(LogError) -> SQLiteStatement {
    var statement: OpaquePointer?
    let code = sqlite3_prepare_v3(
      handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
    guard code == SQLITE_OK, let statement else { throw failure(code, sql) }
    return SQLiteStatement(connection: self, handle: statement, sql: sql)
  }

  func failure(_ code: Int32, _ sql: String) -> LogError {
    LogError(
      code: code, message: "\(String(cString: sqlite3_errmsg(handle))) (in `\(sql.prefix(60))`)")
  }
}

/// A prepared statement: bind, step, read columns, reset.
final class SQLiteStatement {
  unowned let connection: SQLiteConnection
  let handle: OpaquePointer
  let sql: String

  init(connection: SQLiteConnection, handle: OpaquePointer, sql: String) {
    self.connection = connection
    self.handle = handle
    self.sql = sql
  }

  deinit { sqlite3_finalize(handle) }

  /// The first bind that failed since the last reset; `step()` throws it, so that no
  /// statement runs with a parameter silently left NULL.
  var bindFailure: LogError?

  func check(_ code: Int32, _ index: Int32) {
    guard code != SQLITE_OK, bindFailure == nil else { return }
    bindFailure = LogError(
      code: code,
      message: "cannot bind parameter \(index): \(String(cString: sqlite3_errstr(code))) "
        + "(in `\(sql.prefix(60))`)")
  }

  func bind(_ index: Int32, _ value: Int64) {
    check(sqlite3_bind_int64(handle, index, value), index)
  }

  func bind(_ index: Int32, _ text: String) {
    var text = text
    text.withUTF8 { bytes in
      check(
        sqlite3_bind_text64(
          handle, index,
          UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            .assumingMemoryBound(to: CChar.self),
          sqlite3_uint64(bytes.count), transient, UInt8(SQLITE_UTF8)), index)
    }
  }

  func bind(_ index: Int32, blob bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
      // A zero-length blob still needs a non-null pointer to be a blob, not NULL.
      check(
        sqlite3_bind_blob64(
          handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
          sqlite3_uint64(raw.count), transient), index)
    }
  }

  /// Steps once: true when a row is ready, false when the statement is done.
  func step() throws(LogError) -> Bool {
    if let failure = bindFailure { throw failure }
    let code = sqlite3_step(handle)
    if code == SQLITE_ROW { return true }
    if code == SQLITE_DONE { return false }
    throw connection.failure(code, sql)
  }

  /// Steps to completion, ignoring rows, then resets.
  func run() throws(LogError) {
    defer { reset() }
    while try step() {}
  }

  func reset() {
    bindFailure = nil
    sqlite3_reset(handle)
    sqlite3_clear_bindings(handle)
  }

  func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

  func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

  func text(_ column: Int32) -> String {
    guard let pointer = sqlite3_column_text(handle, column) else { return "" }
    let count = Int(sqlite3_column_bytes(handle, column))
    return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
  }

  func blob(_ column: Int32) -> [UInt8] {
    let count = Int(sqlite3_column_bytes(handle, column))
    guard count > 0, let pointer = sqlite3_column_blob(handle, column) else { return [] }
    return Array(UnsafeRawBufferPointer(start: pointer, count: count))
  }
}
