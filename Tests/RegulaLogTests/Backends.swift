// The databases the log's tests run on: an SQLite file always, and a PostgreSQL server when
// REGULA_TEST_POSTGRES names one (an address whose user may create databases; CI starts one
// with scripts/postgres.sh). With REGULA_REQUIRE_POSTGRES=1 a missing server fails the run
// instead of leaving the PostgreSQL cases out.
import Foundation
import Testing

@testable import RegulaLog

enum Backend: String, CustomTestStringConvertible, Sendable {
  case sqlite
  case postgres

  var testDescription: String { rawValue }

  /// The test server's address, if one is given.
  static var server: String? {
    let value = ProcessInfo.processInfo.environment["REGULA_TEST_POSTGRES"] ?? ""
    return value.isEmpty ? nil : value
  }

  static var required: Bool {
    ProcessInfo.processInfo.environment["REGULA_REQUIRE_POSTGRES"] == "1"
  }

  /// The backends available: SQLite, and PostgreSQL when a server is given.
  static var all: [Backend] { server == nil ? [.sqlite] : [.sqlite, .postgres] }

  /// A new, empty log location: a file in a new folder, or a new database on the server.
  func fresh() throws -> String {
    switch self {
    case .sqlite: return temporaryDatabase()
    case .postgres: return try Backend.newDatabase()
    }
  }

  /// Runs SQL on the log's database directly, as someone with write access to it (not the
  /// service) would.
  func tamper(_ location: String, _ sql: String) throws {
    switch self {
    case .sqlite: try SQLiteConnection(path: location, create: false).execute(sql)
    case .postgres: try PGConnection(url: location).execute(sql)
    }
  }

  /// Creates a database named for this run on the test server and returns its address.
  static func newDatabase() throws -> String {
    guard let server else { throw LogError(.unavailable, "no REGULA_TEST_POSTGRES") }
    let name =
      "regula_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    try PGConnection(url: server).execute("CREATE DATABASE \(name)")
    return Backend.address(server, database: name)
  }

  /// `server` with its database replaced by `database`.
  static func address(_ server: String, database: String) -> String {
    var base = server
    var query = ""
    if let mark = base.firstIndex(of: "?") {
      query = String(base[mark...])
      base = String(base[..<mark])
    }
    let afterScheme = base.range(of: "://")!.upperBound
    if let slash = base[afterScheme...].firstIndex(of: "/") { base = String(base[..<slash]) }
    return base + "/" + database + query
  }
}

@Test func postgresIsThereWhenRequired() throws {
  guard Backend.required else { return }
  let server = try #require(
    Backend.server, "REGULA_REQUIRE_POSTGRES=1 but REGULA_TEST_POSTGRES is not set")
  let result = try PGConnection(url: server).execute("SELECT 1")
  #expect(result.count == 1)
}
