// `regula serve`, `regula token` and `regula audit`: the decision service, its tokens, and the
// decision log read without HTTP (Docs/service.md).
import ArgumentParser
import Dispatch
import Foundation
import Logging
import Regula
import RegulaLog
import RegulaServer

extension Synchronous: ExpressibleByArgument {}

struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve decisions over HTTP, logging every one (Docs/service.md).",
    discussion: """
      Loads every policy under the folder (rule files starting `policy`, and compiled files), \
      opens the decision log, and serves until SIGTERM or SIGINT, then finishes the requests in \
      flight. Each flag can also be set in the environment: REGULA_DB, REGULA_TOKENS, \
      REGULA_HOST, REGULA_PORT, REGULA_MAX_BODY, REGULA_SYNC, REGULA_IDLE_TIMEOUT, \
      REGULA_IO_THREADS, REGULA_LOG_LEVEL. Prints `listening on http://HOST:PORT` on standard \
      output once up; logs are JSON lines on standard error. Exit codes: 0 stopped by a signal, 1 the policies, \
      tokens or log could not be used.
      """)

  @Argument(help: "A folder of policies, or one policy file.")
  var policies: String

  @Option(
    help:
      "The decision log: an SQLite file (created if absent) or a postgres://USER@HOST:PORT/DB address (migrated at start). Env: REGULA_DB."
  )
  var db: String?

  @Option(help: "The tokens file (`regula token` makes its entries). Env: REGULA_TOKENS.")
  var tokens: String?

  @Option(help: "The address to listen on (default 127.0.0.1). Env: REGULA_HOST.")
  var host: String?

  @Option(help: "The port (default 8080; 0 picks a free one). Env: REGULA_PORT.")
  var port: Int?

  @Option(
    help:
      "The largest body of one decision, and the longest batch line, in bytes (default 1048576). Env: REGULA_MAX_BODY."
  )
  var maxBody: Int?

  @Option(
    help:
      "full: every group commit is fsynced (survives a power loss); normal: survives a crash of the service only (default full). Env: REGULA_SYNC."
  )
  var sync: Synchronous?

  @Option(
    help:
      "Seconds a connection may stay idle before it is closed (default 30). Env: REGULA_IDLE_TIMEOUT."
  )
  var idleTimeout: Int?

  @Option(
    help:
      "Threads reading and writing connections (default half the cores, at least 1); decisions run on one thread per core. Env: REGULA_IO_THREADS."
  )
  var ioThreads: Int?

  @Option(help: "trace, debug, info, notice, warning, error (default info). Env: REGULA_LOG_LEVEL.")
  var logLevel: String?

  func setting(_ flag: String?, _ name: String) -> String? {
    flag ?? ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
  }

  func number(_ flag: Int?, _ name: String, default value: Int, _ range: ClosedRange<Int>)
    throws -> Int
  {
    let text = flag.map(String.init) ?? setting(nil, name)
    guard let text else { return value }
    guard let number = Int(text), range.contains(number) else {
      throw ValidationError(
        "\(name.dropFirst(7).lowercased().replacingOccurrences(of: "_", with: "-")) "
          + "must be a number from \(range.lowerBound) to \(range.upperBound), not `\(text)`")
    }
    return number
  }

  func options() throws -> ServiceOptions {
    guard let database = setting(db, "REGULA_DB") else {
      throw ValidationError("give the decision log: --db FILE (or REGULA_DB)")
    }
    guard let tokenFile = setting(tokens, "REGULA_TOKENS") else {
      throw ValidationError(
        "give the tokens file: --tokens FILE (or REGULA_TOKENS); `regula token` makes entries")
    }
    var options = ServiceOptions(policies: policies, database: database, tokens: tokenFile)
    options.host = setting(host, "REGULA_HOST") ?? "127.0.0.1"
    options.port = try number(port, "REGULA_PORT", default: 8080, 0...65535)
    options.maxBody = try number(maxBody, "REGULA_MAX_BODY", default: 1 << 20, 1...(16 << 20))
    options.idleTimeout = try number(idleTimeout, "REGULA_IDLE_TIMEOUT", default: 30, 1...3600)
    options.ioThreads = try number(
      ioThreads, "REGULA_IO_THREADS", default: ServiceOptions.defaultIOThreads, 1...256)
    if let text = setting(sync?.rawValue, "REGULA_SYNC") {
      guard let mode = Synchronous(rawValue: text) else {
        throw ValidationError("sync must be `full` or `normal`, not `\(text)`")
      }
      options.synchronous = mode
    }
    if let text = setting(logLevel, "REGULA_LOG_LEVEL") {
      guard let level = Logger.Level(rawValue: text) else {
        throw ValidationError(
          "log-level must be one of "
            + Logger.Level.allCases.map(\.rawValue).joined(separator: ", ") + ", not `\(text)`")
      }
      options.logLevel = level
    }
    return options
  }

  func run() throws {
    let options = try self.options()
    // A closed log pipe must not end the service: writes to it fail instead.
    signal(SIGPIPE, SIG_IGN)
    let service: DecisionService
    do { service = try DecisionService(options: options) } catch {
      printError("error: \(error)\n")
      throw ExitCode(1)
    }
    let finished = DispatchSemaphore(value: 0)
    let outcome = Outcome()
    Task {
      do {
        try await service.run { port in
          // Written straight to the descriptor: the line must reach a pipe at once.
          let line = Array("listening on http://\(options.host):\(port)\n".utf8)
          line.withUnsafeBytes { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        }
      } catch {
        outcome.error = "\(error)"
      }
      finished.signal()
    }
    finished.wait()
    if let error = outcome.error {
      printError("error: \(error)\n")
      throw ExitCode(1)
    }
  }

  /// How the service task ended, read after it signals.
  final class Outcome: @unchecked Sendable {
    var error: String?
  }
}

struct TokenCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "token",
    abstract:
      "Make a bearer token for `regula serve`: the token, and the entry for the tokens file.",
    discussion: """
      Prints the token on the first line (give it to the caller; it is not stored anywhere) and \
      on the second the JSON entry to add to the tokens file's "tokens" array, which holds only \
      the token's SHA-256.
      """)

  @Option(help: "The caller's name, recorded with each decision it asks for.")
  var name: String

  @Option(
    name: .customLong("role"),
    help: "A role: decide, audit, admin or personal (repeat for several).")
  var roles: [String]

  func validate() throws {
    guard !name.isEmpty else { throw ValidationError("--name must not be empty") }
    guard !roles.isEmpty else { throw ValidationError("give at least one --role") }
    for role in roles where Role(rawValue: role) == nil {
      throw ValidationError(
        "unknown role `\(role)`; roles are "
          + Role.allCases.map(\.rawValue).joined(separator: ", "))
    }
  }

  func run() throws {
    let (token, hash) = TokenTable.newToken()
    print(token)
    print(
      "{\"name\":\(JSONWriter.quote(name)),\"sha256\":\"\(hash)\",\"roles\":["
        + roles.map(JSONWriter.quote).joined(separator: ",") + "]}")
  }
}

struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Check and read the decision log without HTTP.",
    subcommands: [Verify.self, Show.self, Export.self])

  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check the log's hash chain and its stored policies; name the first broken entry.",
      discussion: "Exit codes: 0 the whole log verifies, 1 it does not (or cannot be read).")

    @Option(help: "The decision log: an SQLite file or a postgres:// address.")
    var db: String

    func run() throws {
      let log = try openLog(db)
      let verification: Verification
      do { verification = try log.verify() } catch {
        printError("error: \(log.path): \(error)\n")
        throw ExitCode(1)
      }
      if let broken = verification.firstBroken {
        print("\(log.path): entry \(broken.id) breaks the chain: \(broken.reason)")
        throw ExitCode(1)
      }
      // Each stored policy must be the one its hash names (trace replays depend on it).
      var policies = 0
      do {
        for (hash, name) in try log.policies() {
          guard let bytes = try log.policy(hash: hash) else { continue }
          let actual = (try? CompiledPolicy.load(bytes))?.contentHash
          guard actual == hash else {
            print(
              "\(log.path): the stored policy `\(name)` \(hash) "
                + (actual == nil ? "does not load" : "has the content hash \(actual!)"))
            throw ExitCode(1)
          }
          policies += 1
        }
      } catch let error as LogError {
        printError("error: \(log.path): \(error)\n")
        throw ExitCode(1)
      }
      print(
        "\(log.path): \(verification.entries) entr\(verification.entries == 1 ? "y" : "ies") and "
          + "\(policies) polic\(policies == 1 ? "y" : "ies") verify")
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print one logged decision as JSON (personal fields masked).")

    @Argument(help: "The decision id.")
    var id: Int64

    @Option(help: "The decision log: an SQLite file or a postgres:// address.")
    var db: String

    @Flag(help: "Show the fields the policy marks personal unmasked.")
    var unmaskPersonal = false

    func run() throws {
      let log = try openLog(db)
      let masks = try Masks(log: log, unmasked: unmaskPersonal)
      do {
        guard let entry = try log.entry(id: id) else {
          printError("error: \(log.path): no decision \(id) in the log\n")
          throw ExitCode(1)
        }
        print(entry.json(masking: try masks.paths(entry.policyHash)))
      } catch let error as LogError {
        printError("error: \(log.path): \(error)\n")
        throw ExitCode(1)
      }
    }
  }

  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the decisions logged in a period as JSON Lines (personal fields masked).")

    @Option(help: "The decision log: an SQLite file or a postgres:// address.")
    var db: String

    @Option(
      help: "From this date (YYYY-MM-DD) or time (RFC 3339, UTC, ending Z); default: the start.")
    var from: String?

    @Option(help: "Until this date (the whole day) or time, inclusive; default: the end.")
    var until: String?

    @Option(help: "Where to write (default: standard output).")
    var output: String?

    @Flag(help: "Export the fields the policy marks personal unmasked.")
    var unmaskPersonal = false

    func run() throws {
      let lower = try from.map { text -> String in
        guard let bound = Timestamp.bound(text, upper: false) else {
          throw ValidationError("--from `\(text)` is not a date YYYY-MM-DD or a time ending Z")
        }
        return bound
      }
      let upper = try until.map { text -> String in
        guard let bound = Timestamp.bound(text, upper: true) else {
          throw ValidationError("--until `\(text)` is not a date YYYY-MM-DD or a time ending Z")
        }
        return bound
      }
      let log = try openLog(db)
      let masks = try Masks(log: log, unmasked: unmaskPersonal)
      let sink: OutputSink
      do { sink = try OutputSink(path: output) } catch {
        printError("error: \(error)\n")
        throw ExitCode(1)
      }
      var count = 0
      do {
        try log.entries(from: lower, until: upper) { entry in
          sink.write(Array((entry.json(masking: try masks.paths(entry.policyHash)) + "\n").utf8))
          count += 1
        }
        try sink.finish()
      } catch let error as LogError {
        printError("error: \(log.path): \(error)\n")
        throw ExitCode(1)
      } catch let error as OutputError {
        printError("error: \(error)\n")
        throw ExitCode(1)
      }
      printError("exported \(count) decision\(count == 1 ? "" : "s")\n")
    }
  }

  /// The personal paths of each policy in the log, by hash: read before the entries, since
  /// the log is read one query at a time.
  struct Masks {
    let unmasked: Bool
    var byHash: [String: [String]] = [:]

    init(log: DecisionLog, unmasked: Bool) throws {
      self.unmasked = unmasked
      guard !unmasked else { return }
      do {
        for (hash, _) in try log.policies() {
          if let bytes = try log.policy(hash: hash), let policy = try? CompiledPolicy.load(bytes) {
            byHash[hash] = policy.image.personalInputPaths
          }
        }
      } catch {
        printError("error: \(log.path): \(error)\n")
        throw ExitCode(1)
      }
    }

    func paths(_ hash: String) throws -> [String] {
      if unmasked { return [] }
      guard let paths = byHash[hash] else {
        throw ValidationError(
          "the log does not hold a loadable policy \(hash), so its personal fields are unknown; "
            + "run `regula audit verify`")
      }
      return paths
    }
  }
}

/// Opens a decision log for reading, or exits 1 naming it.
func openLog(_ path: String) throws -> DecisionLog {
  do { return try DecisionLog(readingOnly: path) } catch {
    printError("error: \(error)\n")
    throw ExitCode(1)
  }
}
