// `regula serve`: the decision service. Services POST applications and get decision records;
// every decision is appended to the decision log before its response is sent; auditors fetch
// any logged decision and its trace, replayed against the exact compiled policy that decided
// it (Docs/service.md). Built on Hummingbird 2, in its own module: the library stays free of it.
import COpenAPI
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Regula
import RegulaLog

/// How the service is run: from `regula serve`'s flags and environment.
public struct ServiceOptions: Sendable {
  /// A folder of policies (rule files and compiled files), or one policy file.
  public var policies: String
  /// The SQLite database of the decision log (created if absent).
  public var database: String
  /// The tokens file (`regula token` makes entries for it).
  public var tokens: String
  public var host = "127.0.0.1"
  /// The port; 0 picks a free one (printed when the service is up).
  public var port = 8080
  /// The largest request body for one decision, and the longest line of a batch, in bytes.
  public var maxBody = 1 << 20
  public var synchronous = Synchronous.full
  /// Seconds a connection may stay idle (or a client take to send) before it is closed.
  public var idleTimeout = 30
  public var logLevel = Logger.Level.info
  /// Threads for the connections' I/O. Half the cores by default: on two cores one I/O
  /// thread served 20,300–21,900 single decisions/s where two (NIO's default, one per core)
  /// served 17,900–19,100, measured alternately (five busy threads had been switching on
  /// two cores).
  public var ioThreads = ServiceOptions.defaultIOThreads

  public static var defaultIOThreads: Int {
    max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
  }

  public init(policies: String, database: String, tokens: String) {
    self.policies = policies
    self.database = database
    self.tokens = tokens
  }
}

/// The running service's state, shared by every request.
public final class DecisionService: @unchecked Sendable {
  let options: ServiceOptions
  let log: DecisionLog
  let tokens: TokenTable
  let metrics = Metrics()
  let logger: Logger
  let lock = NSLock()
  var current: PolicySet
  /// Policies loaded back from the log by hash, for trace replays.
  var replayPolicies: [String: CompiledPolicy] = [:]

  /// Loads the tokens and the policies, opens the log, and stores each policy in it by its
  /// content hash.
  ///
  /// - Throws: `PolicyLoadError` for a bad tokens file or policy, `LogError` when the log
  ///   cannot be opened.
  public init(options: ServiceOptions) throws {
    self.options = options
    var logger = Logger(label: "regula") { JSONLogHandler(label: $0, level: options.logLevel) }
    logger.logLevel = options.logLevel
    self.logger = logger
    tokens = try TokenTable.load(path: options.tokens)
    current = try PolicySet.load(options.policies)
    log = try DecisionLog(path: options.database, synchronous: options.synchronous)
    try store(current)
  }

  /// The policies now in force.
  var policies: PolicySet {
    lock.lock()
    defer { lock.unlock() }
    return current
  }

  func store(_ set: PolicySet) throws(LogError) {
    for policy in set.byName.values {
      try log.storePolicy(hash: policy.hash, name: policy.name, compiled: policy.compiled.encoded())
    }
  }

  /// The OpenAPI document (Docs/openapi.yaml, embedded at build time).
  static let openAPI: [UInt8] = Array(
    UnsafeBufferPointer(start: regula_openapi_bytes(), count: Int(regula_openapi_count())))

  /// Serves until SIGTERM or SIGINT, then drains the requests in flight, writes the entries
  /// waiting, and closes the log.
  ///
  /// - Parameter onRunning: called with the bound port once the service accepts connections.
  public func run(onRunning: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
    let router = Router(context: ServiceContext.self)
    router.middlewares.add(ServiceMiddleware(service: self))
    addRoutes(to: router)
    // The threads that read and write connections (HTTP parsing and framing); the requests
    // are decided on Swift's concurrency pool, one thread per core.
    let connections = MultiThreadedEventLoopGroup(numberOfThreads: options.ioThreads)
    let app = Application(
      router: router,
      server: .http1(configuration: .init(idleTimeout: .seconds(Int64(options.idleTimeout)))),
      configuration: .init(
        address: .hostname(options.host, port: options.port), serverName: "regula",
        backlog: 1024),
      onServerRunning: { [logger, options, log] channel in
        let port = channel.localAddress?.port ?? options.port
        logger.info(
          "serving", metadata: ["address": "\(options.host):\(port)", "log": "\(log.path)"])
        onRunning(port)
      },
      eventLoopGroupProvider: .shared(connections),
      logger: logger)
    defer { log.close() }
    try await app.runService()
    // The connection threads are left to end with the process (which ends with the service):
    // shut down while a closing connection still scheduled its last work, they made SwiftNIO
    // print a line that is not JSON into the log stream (seen once in CI).
    logger.info("stopped", metadata: ["log_entries": "\(log.committedCount)"])
  }

  func addRoutes(to router: Router<ServiceContext>) {
    router.get("/health") { _, _ in
      Response.json(
        "{\"status\":\"ok\",\"policies\":\(self.policies.byName.count),\"log\":\"ok\"}")
    }
    // Readiness: whether this replica can log decisions now (its database answers). Open,
    // like /health; the database is asked at most once a second.
    router.get("/ready") { _, _ in
      if let error = self.log.availability() {
        // Why goes to the service's log only: this route needs no token, and a database's
        // message can name its server and user.
        self.logger.warning("not ready", metadata: ["error": "\(error)"])
        return Response(
          status: .serviceUnavailable,
          headers: [.contentType: "application/json", .retryAfter: "1"],
          body: ResponseBody(
            byteBuffer: ByteBuffer(
              string: "{\"status\":\"unavailable\",\"log\":\"unavailable\"}\n")))
      }
      return Response.json("{\"status\":\"ready\",\"log\":\"ok\"}")
    }
    router.get("/openapi.yaml") { _, context in
      _ = try context.require([])
      return Response(
        status: .ok, headers: [.contentType: "application/yaml"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: DecisionService.openAPI)))
    }
    router.get("/metrics") { _, context in
      _ = try context.require([])
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
        body: ResponseBody(
          byteBuffer: ByteBuffer(string: self.metrics.text(logEntries: self.log.committedCount))))
    }
    router.get("/v1/policies") { _, context in
      _ = try context.require([.decide, .audit, .admin])
      return Response.json(self.policyList())
    }
    router.post("/v1/policies/:name/decisions") { request, context in
      try await self.decide(request, context)
    }
    router.post("/v1/policies/:name/decisions/batch") { request, context in
      try await self.batch(request, context)
    }
    router.get("/v1/decisions/:id") { _, context in
      let caller = try context.require([.audit])
      return try self.storedDecision(context, caller)
    }
    router.get("/v1/decisions/:id/trace") { request, context in
      let caller = try context.require([.audit])
      return try self.trace(request, context, caller)
    }
    router.post("/v1/admin/reload") { _, context in
      let caller = try context.require([.admin])
      return try self.reload(caller)
    }
  }

  /// Reloads the policies folder; requests in flight finish with the policies they started
  /// with.
  func reload(_ caller: Caller) throws -> Response {
    let set: PolicySet
    do { set = try PolicySet.load(options.policies) } catch {
      logger.error("reload refused", metadata: ["caller": "\(caller.name)", "error": "\(error)"])
      throw ServiceError(.unprocessableContent, kind: "input_error", message: "\(error)")
    }
    do { try store(set) } catch {
      throw ServiceError(
        .serviceUnavailable, kind: "unavailable", message: "the decision log: \(error)")
    }
    lock.lock()
    current = set
    lock.unlock()
    logger.notice(
      "policies reloaded", metadata: ["caller": "\(caller.name)", "policies": "\(set.names)"])
    let items = set.names.map {
      "{\"name\":\(JSONWriter.quote($0)),\"hash\":\"\(set.byName[$0]!.hash)\"}"
    }
    return Response.json("{\"policies\":[\(items.joined(separator: ","))]}")
  }

  /// The policy a route names, or 404.
  func policy(_ context: ServiceContext) throws(ServiceError) -> LoadedPolicy {
    let name = context.parameters.get("name") ?? ""
    let set = policies
    guard let policy = set.byName[name] else {
      throw ServiceError(
        .notFound, kind: "unknown_policy",
        message: "no policy `\(name)`; the service has "
          + set.names.map { "`\($0)`" }.joined(separator: ", "),
        extra: ["\"valid\":[\(set.names.map(JSONWriter.quote).joined(separator: ","))]"])
    }
    return policy
  }

  /// The compiled policy with content hash `hash`, from the log (cached).
  func replayPolicy(_ hash: String) throws(ServiceError) -> CompiledPolicy {
    lock.lock()
    let cached = replayPolicies[hash]
    lock.unlock()
    if let cached { return cached }
    let bytes: [UInt8]?
    do { bytes = try log.policy(hash: hash) } catch {
      throw ServiceError(
        .serviceUnavailable, kind: "unavailable", message: "the decision log: \(error)")
    }
    guard let bytes else {
      throw ServiceError(
        .internalServerError, kind: "replay_mismatch",
        message: "the log does not hold the policy \(hash) that made this decision")
    }
    let policy: CompiledPolicy
    do { policy = try CompiledPolicy.load(bytes) } catch {
      throw ServiceError(
        .internalServerError, kind: "replay_mismatch",
        message: "the stored policy \(hash) does not load: \(error)")
    }
    lock.lock()
    replayPolicies[hash] = policy
    lock.unlock()
    return policy
  }
}

extension Response {
  static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(
      status: status, headers: [.contentType: "application/json"],
      body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
  }
}

/// A request's context: Hummingbird's, and the caller its token names.
struct ServiceContext: RequestContext {
  var coreContext: CoreRequestContextStorage
  var caller: Caller?

  init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
  }

  /// The caller, who must hold one of `roles` (any role when empty); 403 otherwise.
  func require(_ roles: Set<Role>) throws(ServiceError) -> Caller {
    guard let caller else { throw ServiceError.unauthorized("a bearer token is required") }
    guard roles.isEmpty || !caller.roles.isDisjoint(with: roles) else {
      throw ServiceError(
        .forbidden, kind: "forbidden",
        message: "the token `\(caller.name)` lacks the role "
          + roles.map { "`\($0.rawValue)`" }.sorted().joined(separator: " or ")
          + " this needs")
    }
    return caller
  }
}

/// Finds the caller from the bearer token (every route but /health and /ready needs one), turns every
/// error into a JSON response with its status, counts statuses, and logs refusals.
struct ServiceMiddleware: RouterMiddleware {
  typealias Context = ServiceContext
  let service: DecisionService

  func handle(
    _ request: Request, context: ServiceContext,
    next: (Request, ServiceContext) async throws -> Response
  ) async throws -> Response {
    var context = context
    let response: Response
    do {
      if request.uri.path != "/health" && request.uri.path != "/ready" {
        guard let header = request.headers[.authorization] else {
          throw ServiceError.unauthorized("a bearer token is required (Authorization: Bearer …)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
          let caller = service.tokens.caller(token: parts[1].drop { $0 == " " })
        else {
          throw ServiceError.unauthorized("the bearer token is not one the service knows")
        }
        context.caller = caller
      }
      response = try await next(request, context)
    } catch let error as ServiceError {
      response = error.response
      if error.status.code >= 500 {
        service.logger.error(
          "failed",
          metadata: [
            "status": "\(error.status.code)", "method": "\(request.method)",
            "path": "\(request.uri.path)", "caller": "\(context.caller?.name ?? "-")",
            "reason": "\(error.kind)", "message": "\(error.json)",
          ])
      } else if error.status == .unauthorized || error.status == .forbidden {
        service.logger.warning(
          "refused",
          metadata: [
            "status": "\(error.status.code)", "method": "\(request.method)",
            "path": "\(request.uri.path)", "caller": "\(context.caller?.name ?? "-")",
            "reason": "\(error.kind)",
          ])
      }
    } catch let error as HTTPError {
      let kind = error.status == .notFound ? "not_found" : "bad_request"
      let message =
        error.status == .notFound
        ? "no route \(request.method) \(request.uri.path)" : (error.body ?? "\(error.status)")
      response = ServiceError(error.status, kind: kind, message: message).response
    } catch {
      service.logger.error(
        "request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
      response =
        ServiceError(
          .internalServerError, kind: "internal_error", message: "the service failed: \(error)"
        ).response
    }
    service.metrics.responded(status: response.status.code)
    return response
  }
}
