// A thin layer over libpq, PostgreSQL's C client: one connection, statements with parameters,
// rows in binary, streamed one at a time when asked, and errors that carry the server's
// message and tell a lost connection from a refused statement. Only what the log needs.
import CLibPQ

/// A statement parameter: sent as text, or as binary for bytes.
enum PGValue {
  case int(Int64)
  case text(String)
  case bytes([UInt8])
}

/// One row of a result, its columns in binary.
struct PGRow {
  let result: OpaquePointer
  let row: Int32
  /// The result that owns `result`, kept alive as long as the row (nil for a streamed row,
  /// valid only during the call it is given to).
  var owner: PGResult? = nil

  func isNull(_ column: Int32) -> Bool { PQgetisnull(result, row, column) != 0 }

  func bytes(_ column: Int32) -> [UInt8] {
    let count = Int(PQgetlength(result, row, column))
    guard count > 0, let pointer = PQgetvalue(result, row, column) else { return [] }
    return Array(UnsafeRawBufferPointer(start: pointer, count: count))
  }

  func text(_ column: Int32) -> String { String(decoding: bytes(column), as: UTF8.self) }

  /// A `bigint`, `integer` or `smallint` column (big-endian two's complement, sign-extended).
  func int(_ column: Int32) -> Int64 {
    let bytes = bytes(column)
    let start: Int64 = (bytes.first ?? 0) & 0x80 != 0 ? -1 : 0
    return bytes.reduce(start) { ($0 << 8) | Int64($1) }
  }
}

/// One connection to a PostgreSQL server. Not thread-safe: its owner serialises calls. A lost
/// connection is reopened by the next call.
final class PGConnection {
  let url: String
  /// `url` without its password, for messages.
  let name: String
  private var handle: OpaquePointer?
  /// Statements run on every (re)connection, such as `SET synchronous_commit`.
  let setup: [String]

  init(url: String, setup: [String] = []) throws(LogError) {
    self.url = url
    self.setup = setup
    name = PGConnection.redacted(url)
    try connect()
  }

  deinit { PQfinish(handle) }

  /// The address with any password replaced by `***`.
  static func redacted(_ url: String) -> String {
    // `password=` and `sslpassword=` in the query, then `user:password@`.
    var url = url
    if let mark = url.firstIndex(of: "?") {
      let query = url[url.index(after: mark)...].split(separator: "&").map { item in
        let key = item.split(separator: "=", maxSplits: 1).first ?? ""
        return key == "password" || key == "sslpassword" ? key + "=***" : item
      }
      url = String(url[...mark]) + query.joined(separator: "&")
    }
    let characters = Array(url)
    // user:password@ between "://" and the first "@" after it.
    guard
      let scheme = (0..<max(characters.count - 2, 0)).first(where: {
        characters[$0] == ":" && characters[$0 + 1] == "/" && characters[$0 + 2] == "/"
      }),
      let at = characters[(scheme + 3)...].firstIndex(of: "@"),
      let colon = characters[(scheme + 3)..<at].firstIndex(of: ":")
    else { return url }
    return String(characters[...colon]) + "***" + String(characters[at...])
  }

  /// Whether `text` names a PostgreSQL database rather than a file.
  static func isAddress(_ text: String) -> Bool {
    text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
  }

  private func connect() throws(LogError) {
    PQfinish(handle)
    handle = nil
    // A server that does not answer is given up after 5 seconds, and a connection whose peer
    // vanished (a paused machine, a partition) within about 30, not the OS's minutes or hours.
    var address = url
    for (option, value) in [
      ("connect_timeout", "5"), ("keepalives_idle", "10"), ("keepalives_interval", "5"),
      ("keepalives_count", "3"), ("tcp_user_timeout", "30000"),
    ] where !url.contains(option + "=") {
      address += (address.contains("?") ? "&" : "?") + option + "=" + value
    }
    let connection = PQconnectdb(address)
    guard let connection, PQstatus(connection) == CONNECTION_OK else {
      let message = connection.map { PGConnection.message(PQerrorMessage($0)) } ?? "out of memory"
      PQfinish(connection)
      throw LogError(.unavailable, "cannot connect to \(name): \(message)")
    }
    // Notices (such as "relation already exists, skipping") would go to standard error, which
    // is the service's structured log.
    PQsetNoticeProcessor(connection, { _, _ in }, nil)
    handle = connection
    for statement in setup { try execute(statement) }
  }

  static func message(_ text: UnsafePointer<CChar>?) -> String {
    guard let text else { return "unknown error" }
    var message = String(cString: text)
    while message.last?.isWhitespace == true { message.removeLast() }
    return message
  }

  /// The open connection, reconnecting first if it was lost.
  private func live() throws(LogError) -> OpaquePointer {
    if let handle, PQstatus(handle) == CONNECTION_OK { return handle }
    try connect()
    return handle!
  }

  /// Runs a statement and returns its result, or throws naming it.
  ///
  /// A connection the server dropped while it was idle (a restart, a failover) is noticed
  /// only when used: a statement that cannot have changed anything — one sent outside a
  /// transaction that begins one or only reads — is then sent again once on a new connection,
  /// so that a restart costs no refused decision.
  @discardableResult
  func execute(_ sql: String, _ parameters: [PGValue] = []) throws(LogError) -> PGResult {
    let wasIdle = handle.map { PQtransactionStatus($0) == PQTRANS_IDLE } ?? false
    do {
      return try run(sql, parameters)
    } catch let error
      where error.kind == .unavailable && wasIdle
      && (sql.hasPrefix("BEGIN") || sql.hasPrefix("SELECT"))
      && handle.map({ PQstatus($0) != CONNECTION_OK }) ?? true
    {
      try connect()
      return try run(sql, parameters)
    }
  }

  private func run(_ sql: String, _ parameters: [PGValue]) throws(LogError) -> PGResult {
    let connection = try live()
    for case .text(let text) in parameters where text.utf8.contains(0) {
      throw LogError(.failed, "a text parameter holds a NUL byte (in `\(sql.prefix(60))`)")
    }
    let result = withParameters(parameters) { count, values, lengths, formats in
      PQexecParams(connection, sql, count, nil, values, lengths, formats, 1)
    }
    return try check(result, sql)
  }

  /// Runs a query and calls `body` with each row as it arrives (libpq's single-row mode), so
  /// that a large result is never held whole. Stops calling `body` when it returns false.
  func stream(
    _ sql: String, _ parameters: [PGValue] = [], _ body: (PGRow) throws -> Bool
  ) throws {
    let connection = try live()
    let sent = withParameters(parameters) { count, values, lengths, formats in
      PQsendQueryParams(connection, sql, count, nil, values, lengths, formats, 1)
    }
    guard sent == 1 else { throw failure(nil, sql) }
    guard PQsetSingleRowMode(connection) == 1 else {
      while let result = PQgetResult(connection) { PQclear(result) }
      throw LogError(.failed, "single-row mode was refused (in `\(sql.prefix(60))`)")
    }
    var going = true
    var failed: Error?
    var cancelled = false
    // Every result is read, even after `body` stops or throws: the connection is usable
    // again only once the query has ended. Stopping early cancels the rest on the server,
    // so that it is not all read for nothing.
    while let result = PQgetResult(connection) {
      defer { PQclear(result) }
      switch PQresultStatus(result) {
      case PGRES_SINGLE_TUPLE:
        guard going, failed == nil else { continue }
        do { going = try body(PGRow(result: result, row: 0)) } catch { failed = error }
        if !going || failed != nil, !cancelled, let cancel = PQgetCancel(connection) {
          var message = [CChar](repeating: 0, count: 256)
          _ = PQcancel(cancel, &message, Int32(message.count))
          PQfreeCancel(cancel)
          cancelled = true
        }
      case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
        continue
      default:
        // The cancel asked for above ends the query with an error: not a failure.
        if failed == nil && !(cancelled && !going) { failed = failure(result, sql) }
      }
    }
    if let failed { throw failed }
    guard PQstatus(connection) == CONNECTION_OK else { throw failure(nil, sql) }
  }

  private func withParameters<T>(
    _ parameters: [PGValue],
    _ body: (
      Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?
    ) -> T
  ) -> T {
    // Each value's bytes, kept alive for the call; text values end in NUL.
    let encoded: [[UInt8]] = parameters.map { value in
      switch value {
      case .int(let number): Array(String(number).utf8) + [0]
      case .text(let text): Array(text.utf8) + [0]
      case .bytes(let bytes): bytes
      }
    }
    let lengths = encoded.map { Int32($0.count) }
    let formats: [Int32] = parameters.map { if case .bytes = $0 { 1 } else { 0 } }
    var pointers: [UnsafePointer<CChar>?] = []
    var buffers: [UnsafeMutableRawBufferPointer] = []
    for bytes in encoded {
      let buffer = UnsafeMutableRawBufferPointer.allocate(
        byteCount: max(bytes.count, 1), alignment: 1)
      buffer.copyBytes(from: bytes)
      buffers.append(buffer)
      pointers.append(UnsafePointer(buffer.baseAddress!.assumingMemoryBound(to: CChar.self)))
    }
    defer { for buffer in buffers { buffer.deallocate() } }
    return body(Int32(parameters.count), pointers, lengths, formats)
  }

  private func check(_ result: OpaquePointer?, _ sql: String) throws(LogError) -> PGResult {
    guard let result else { throw failure(nil, sql) }
    let status = PQresultStatus(result)
    guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
      let error = failure(result, sql)
      PQclear(result)
      throw error
    }
    return PGResult(handle: result)
  }

  /// The error of a failed call: `unavailable` when the connection is lost, the server is
  /// shutting down or starting (SQLSTATE classes 08 and 57P), or the statement timed out or
  /// lost a lock or serialisation race (55P03, 57014, 40001, 40P01): the same call may succeed
  /// later. `failed` otherwise.
  private func failure(_ result: OpaquePointer?, _ sql: String) -> LogError {
    let state =
      result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }
      .map { String(cString: $0) } ?? ""
    let message =
      result.map { PGConnection.message(PQresultErrorMessage($0)) }
      .flatMap { $0.isEmpty ? nil : $0 } ?? PGConnection.message(PQerrorMessage(handle))
    let lost = handle.map { PQstatus($0) != CONNECTION_OK } ?? true
    let kind: LogError.Kind =
      lost || state.hasPrefix("08") || state.hasPrefix("57P") || state == "55P03"
        || state == "57014" || state == "40001" || state == "40P01"
      ? .unavailable : .failed
    return LogError(kind, "\(message) (in `\(sql.prefix(60))`)")
  }
}

/// A result held until released.
final class PGResult {
  let handle: OpaquePointer
  init(handle: OpaquePointer) { self.handle = handle }
  deinit { PQclear(handle) }

  var count: Int { Int(PQntuples(handle)) }
  func row(_ index: Int) -> PGRow { PGRow(result: handle, row: Int32(index), owner: self) }
  var first: PGRow? { count > 0 ? row(0) : nil }
}
