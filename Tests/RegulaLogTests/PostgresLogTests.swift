// The log on a PostgreSQL server: replicas that share one database append to one chain, the
// schema's migrations are applied once however many replicas start together, and a lost
// connection fails the commit in flight (never acknowledging it) and is reopened by the next.
// Runs when REGULA_TEST_POSTGRES names a server (Backends.swift).
import Foundation
import Testing

@testable import RegulaLog

@Suite(.enabled(if: Backend.server != nil, "REGULA_TEST_POSTGRES names no server"))
struct PostgresLogTests {
  /// Two writers (two replicas) on one database: every id is handed out once, ids are
  /// consecutive within each append, and the chain verifies.
  @Test func replicasShareOneChain() async throws {
    let url = try Backend.newDatabase()
    let replicas = [try DecisionLog(path: url), try DecisionLog(path: url)]
    let ranges = try await appendConcurrently(to: replicas, tasks: 20, rounds: 15)
    let ids = ranges.flatMap { Array($0) }.sorted()
    #expect(ids == Array(1...Int64(ids.count)))
    for replica in replicas { replica.close() }
    let verification = try DecisionLog(readingOnly: url).verify()
    #expect(verification.firstBroken == nil)
    #expect(verification.entries == Int64(ids.count))
    // Each entry is the one its append handed in: the caller and input of id N are those of
    // the entry given the id N.
    let reader = try DecisionLog(readingOnly: url)
    let some = try #require(try reader.entry(id: Int64(ids.count / 2)))
    #expect(String(decoding: some.input, as: UTF8.self).hasPrefix("{\"id\":\"A"))
  }

  /// Replicas starting together apply each migration once; a schema newer than this Regula
  /// knows is refused, not written to.
  @Test func migrationsAreAppliedOnce() async throws {
    let url = try Backend.newDatabase()
    let opened = await withTaskGroup(of: Bool.self) { group in
      for _ in 0..<4 {
        group.addTask {
          guard let log = try? DecisionLog(path: url) else { return false }
          log.close()
          return true
        }
      }
      return await group.reduce(into: [Bool]()) { $0.append($1) }
    }
    #expect(opened == [true, true, true, true])
    let connection = try PGConnection(url: url)
    #expect(
      try PostgresStore.appliedVersions(connection) == PostgresStore.migrations.map(\.version))
    try connection.execute("INSERT INTO regula_migrations (version, description) VALUES (999, 'x')")
    #expect {
      try DecisionLog(path: url)
    } throws: { error in
      (error as? LogError)?.message.contains("newer than this Regula knows") == true
    }
  }

  @Test func aDatabaseWithoutALogIsRefusedForReading() throws {
    let url = try Backend.newDatabase()
    #expect {
      try DecisionLog(readingOnly: url)
    } throws: { error in
      (error as? LogError)?.message.contains("holds no Regula decision log") == true
    }
    // A server that does not answer is `unavailable`, named without its password.
    #expect {
      try DecisionLog(readingOnly: "postgres://someone:secret@127.0.0.1:1/none")
    } throws: { error in
      let error = error as? LogError
      return error?.kind == .unavailable && error?.message.contains("secret") == false
    }
  }

  /// The server drops every connection of the log (as a restart would): the writer notices at
  /// its next commit and begins it again on a new connection, so nothing is refused and every
  /// append is acknowledged and logged.
  @Test func aLostConnectionIsReopened() async throws {
    let url = try Backend.newDatabase()
    let log = try DecisionLog(path: url)
    #expect(try await log.append([entry(1)]) == 1...1)
    let database = String(url.split(separator: "/").last!.split(separator: "?").first!)
    let dropped = try PGConnection(url: Backend.server!).execute(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
      [.text(database)])
    #expect(dropped.count >= 2)
    // The server has closed them by now; the writer learns it at its next statement.
    try await Task.sleep(for: .milliseconds(300))
    var acknowledged: [Int64] = [1]
    for index in 2...6 { acknowledged += Array(try await log.append([entry(index)])) }
    #expect(acknowledged == Array(1...6))
    log.close()
    let reader = try DecisionLog(readingOnly: url)
    #expect(try reader.verify().firstBroken == nil)
    for id in acknowledged { #expect(try reader.entry(id: id) != nil) }
  }

  /// Passwords never reach a message, in the user part or the query.
  @Test func addressesAreRedacted() {
    #expect(
      PGConnection.redacted("postgres://u:secret@h:5432/d?password=x&sslmode=require")
        == "postgres://u:***@h:5432/d?password=***&sslmode=require")
    #expect(PGConnection.redacted("postgres://u@h/d") == "postgres://u@h/d")
  }
}
