// Replicas of the decision service on one PostgreSQL log, under failure: two replicas take
// load, one is killed with SIGKILL and the server is restarted mid-run; afterwards every
// decision answered 2xx is in the log exactly once with the record it was answered with, and
// the chain verifies. With the server down a replica answers 503 with Retry-After, and once
// it is back the replica decides again without being restarted.
//
// Each test runs its own throw-away cluster (scripts/postgres.sh, on a free port), so that
// restarting it disturbs no other test. It runs where PostgreSQL's server is installed, and
// must run (fails instead of skipping) under REGULA_REQUIRE_POSTGRES=1, as in CI.
import Foundation
import Glibc
import Testing

/// A PostgreSQL cluster of its own for one test, on a free loopback port.
final class PostgresCluster {
  let folder: URL
  let port: Int
  let url: String

  static var serverInstalled: Bool {
    let versions =
      (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
    return versions.contains {
      FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/pg_ctl")
    }
  }

  static var runs: Bool {
    serverInstalled || ProcessInfo.processInfo.environment["REGULA_REQUIRE_POSTGRES"] == "1"
  }

  init() throws {
    folder = URL(fileURLWithPath: "/tmp/regula-pg-\(UUID().uuidString.prefix(8))")
    port = try freePort()
    url = "postgres://postgres@127.0.0.1:\(port)/postgres"
    try control("start")
  }

  /// Runs `scripts/postgres.sh COMMAND` on this cluster. (Spawned and waited for directly:
  /// Foundation's `Process` can wait forever for a script that leaves a server running.)
  func control(_ command: String) throws {
    let log = folder.path + "-\(command).log"
    let arguments = [
      "/usr/bin/env", "REGULA_PG_DIR=\(folder.path)", "REGULA_PG_PORT=\(port)", "bash",
      cliRepositoryRoot.appendingPathComponent("scripts/postgres.sh").path, command,
    ]
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var pointers = arguments.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    var pid = pid_t()
    guard posix_spawn(&pid, arguments[0], &actions, nil, pointers, environ) == 0 else {
      throw ServiceFailure(message: "cannot run scripts/postgres.sh")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    try? FileManager.default.removeItem(atPath: log)
    guard status == 0 else {
      throw ServiceFailure(message: "scripts/postgres.sh \(command): \(output)")
    }
  }

  deinit { try? control("destroy") }
}

/// A loopback port no one listens on now.
func freePort() throws -> Int {
  let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  defer { close(socket) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  address.sin_port = 0
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  let bound = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
    }
  }
  guard bound else { throw ServiceFailure(message: "no free port") }
  return Int(UInt16(bigEndian: address.sin_port))
}

/// What the load's clients were answered: each 2xx decision's id, application id and record,
/// and every other answer's status, kind and Retry-After.
final class LoadAnswers: @unchecked Sendable {
  let lock = NSLock()
  var decided: [(id: Int, application: String, record: String)] = []
  var refused: [(status: Int, kind: String, retryAfter: String?)] = []
  var decidedAfter: [String: Int] = [:]

  func add(_ id: Int, _ application: String, _ record: String, phase: String) {
    lock.withLock {
      decided.append((id, application, record))
      decidedAfter[phase, default: 0] += 1
    }
  }

  func refuse(_ response: HTTPResponse) {
    lock.withLock {
      refused.append(
        (
          response.status, response.object["kind"] as? String ?? "",
          response.headers["retry-after"]
        ))
    }
  }
}

/// The phase of the run a worker's answer belongs to.
final class Phase: @unchecked Sendable {
  let lock = NSLock()
  var name = "before"
  var stopping = false
  func set(_ value: String) { lock.withLock { name = value } }
  var current: String { lock.withLock { name } }
  func stop() { lock.withLock { stopping = true } }
  var stopped: Bool { lock.withLock { stopping } }
}

@Suite(.enabled(if: PostgresCluster.runs, "PostgreSQL's server is not installed"))
struct ReplicaTests {
  @Test func replicasLoseNoAnsweredDecisionWhenOneIsKilledAndTheServerRestarts() throws {
    let cluster = try PostgresCluster()
    let folder = try temporaryDirectory("replicas")
    defer { try? FileManager.default.removeItem(at: folder) }
    let first = try ServiceProcess(policies: w1Folder, folder: folder, postgres: cluster.url)
    let second = try ServiceProcess(
      policies: w1Folder, folder: folder, postgres: cluster.url, tokens: first.tokens)
    defer { second.stop() }
    let applications = try w1Applications()
    let answers = LoadAnswers()
    let phase = Phase()
    let group = DispatchGroup()
    // Two keep-alive clients per replica, each application with an id of its own.
    for worker in 0..<4 {
      let service = worker % 2 == 0 ? first : second
      DispatchQueue.global().async(group: group) {
        var client = try? service.client()
        var index = 0
        while !phase.stopped {
          index += 1
          let template = String(decoding: applications[index % applications.count], as: UTF8.self)
          let application = "R\(worker)-\(index)-" + (parseObject(template)["id"] as? String ?? "")
          let body = template.replacingOccurrences(
            of: #"{"id":"A"#, with: #"{"id":"R\#(worker)-\#(index)-A"#)
          let now = phase.current
          guard let open = client,
            let response = try? open.send(
              "POST", "\(w1Decisions)?as_of=2024-06-01",
              headers: ["Authorization": "Bearer \(service.tokens["intake"]!)"],
              body: Array(body.utf8))
          else {
            // The replica was killed: this client is done; the others go on.
            if service === first { return }
            Thread.sleep(forTimeInterval: 0.05)
            client = try? service.client()
            continue
          }
          if response.status == 200, let answer = singleAnswer(response.text) {
            answers.add(answer.id, application, answer.record, phase: now)
          } else {
            answers.refuse(response)
            Thread.sleep(forTimeInterval: 0.02)
          }
        }
      }
    }
    Thread.sleep(forTimeInterval: 1.5)
    phase.set("killed")
    first.stop(SIGKILL)
    Thread.sleep(forTimeInterval: 0.5)
    phase.set("restarting")
    try cluster.control("restart")
    phase.set("restarted")
    Thread.sleep(forTimeInterval: 1.5)
    phase.stop()
    group.wait()
    #expect(second.stop() == 0)

    // Both replicas decided before the kill, and the survivor decided again after the
    // restart without being restarted itself.
    #expect(answers.decidedAfter["before", default: 0] > 20)
    #expect(answers.decidedAfter["restarted", default: 0] > 20)
    // The restart cut the survivor off for a while (seen: 18 refusals in 0.3 s): what was not
    // decided then was refused as unavailable, with Retry-After.
    #expect(!answers.refused.isEmpty)
    for refusal in answers.refused {
      #expect(refusal.status == 503 && refusal.kind == "unavailable", "\(refusal)")
      #expect(refusal.retryAfter == "1")
    }

    let verified = try regula(["audit", "verify", "--db", cluster.url])
    #expect(verified.status == 0, "\(verified.output) \(verified.errors)")
    let exported = try regula(["audit", "export", "--db", cluster.url])
    var logged: [Int: (application: String, record: String)] = [:]
    var timesLogged: [String: Int] = [:]
    for line in exported.output.split(separator: "\n") {
      let object = parseObject(line)
      let id = object["decision_id"] as? Int ?? 0
      let application = (object["input"] as? [String: Any])?["id"] as? String ?? ""
      let start = line.range(of: ",\"record\":")!.upperBound
      let end = line.range(of: ",\"previous_hash\":")!.lowerBound
      logged[id] = (application, String(line[start..<end]))
      timesLogged[application, default: 0] += 1
    }
    #expect(answers.decided.count > 100)
    for answer in answers.decided {
      #expect(logged[answer.id]?.application == answer.application, "decision \(answer.id)")
      #expect(logged[answer.id]?.record == answer.record, "decision \(answer.id)")
      #expect(timesLogged[answer.application] == 1, "\(answer.application)")
    }
    #expect(Set(answers.decided.map(\.id)).count == answers.decided.count)
  }

  /// With the server stopped, a replica refuses with 503 and Retry-After (and stays up);
  /// started again, the replica reconnects by itself.
  @Test func aReplicaAnswers503WhileTheServerIsDownAndReconnects() throws {
    let cluster = try PostgresCluster()
    let folder = try temporaryDirectory("replica-down")
    defer { try? FileManager.default.removeItem(at: folder) }
    let service = try ServiceProcess(policies: w1Folder, folder: folder, postgres: cluster.url)
    defer { service.stop() }
    let application = try w1Applications()[0]
    func decide() throws -> HTTPResponse {
      try service.request(
        "POST", "\(w1Decisions)?as_of=2024-06-01", token: "intake", body: application)
    }
    #expect(try decide().status == 200)
    try cluster.control("stop")
    for _ in 0..<3 {
      let refused = try decide()
      #expect(refused.status == 503)
      #expect(refused.headers["retry-after"] == "1")
      #expect(refused.object["kind"] as? String == "unavailable")
    }
    // Alive, but not ready: a load balancer sends its decisions elsewhere.
    #expect(try service.request("GET", "/health").status == 200)
    let notReady = try service.request("GET", "/ready")
    #expect(notReady.status == 503)
    #expect(notReady.object["status"] as? String == "unavailable")
    #expect(notReady.headers["retry-after"] == "1")
    try cluster.control("start")
    let decided = try decide()
    #expect(decided.status == 200, "\(decided.text)")
    Thread.sleep(forTimeInterval: 1.1)
    #expect(try service.request("GET", "/ready").status == 200)
    #expect(singleAnswer(decided.text)?.id == 2)
    let verified = try regula(["audit", "verify", "--db", cluster.url])
    #expect(verified.output.contains("2 entries"), "\(verified.output)")
  }

  /// A batch whose entries cannot be committed (the server is down) gives no decision: every
  /// line it decided is answered with an `unavailable` error in its place, a line that was
  /// not an application keeps its own error, nothing is lost or reordered, the metrics count
  /// the refusals, and the log holds only what was answered with a decision id.
  @Test func aBatchWhoseCommitFailsAnswersEveryDecidedLineUnavailable() throws {
    let cluster = try PostgresCluster()
    let folder = try temporaryDirectory("replica-batch-down")
    defer { try? FileManager.default.removeItem(at: folder) }
    let service = try ServiceProcess(policies: w1Folder, folder: folder, postgres: cluster.url)
    defer { service.stop() }
    let applications = try w1Applications()
    // More lines than a block (2,048), so that several blocks fail, each on its own; line 3
    // is not an application, and line 5 is blank (skipped, as in `regula batch`).
    var body: [UInt8] = []
    var expected: [(line: Int, application: Bool)] = []
    for line in 1...4500 {
      if line == 3 {
        body += Array("{\"id\": oops}\n".utf8)
        expected.append((line, false))
      } else if line == 5 {
        body += [UInt8(ascii: "\n")]
      } else {
        body += applications[line % applications.count] + [UInt8(ascii: "\n")]
        expected.append((line, true))
      }
    }
    let batch = "\(w1Decisions)/batch?as_of=2024-06-01"

    try cluster.control("stop")
    let refused = try service.request("POST", batch, token: "intake", body: body)
    #expect(refused.status == 200)
    let answers = refused.text.split(separator: "\n").map { parseObject($0) }
    #expect(answers.count == expected.count)
    for (answer, wanted) in zip(answers, expected) {
      #expect(answer["line"] as? Int == wanted.line)
      #expect(answer["decision_id"] == nil && answer["record"] == nil, "line \(wanted.line)")
      let error = answer["error"] as? [String: Any]
      let kind = error?["kind"] as? String
      if wanted.application {
        #expect(kind == "unavailable", "line \(wanted.line): \(answer)")
        #expect(
          (error?["message"] as? String)?.hasPrefix(
            "the decision could not be logged, so it is not given: ") == true)
      } else {
        #expect(kind == "input_error", "\(answer)")
      }
    }
    let metrics = try service.request("GET", "/metrics", token: "auditor")
    #expect(
      metrics.text.contains("regula_decision_errors_total{kind=\"unavailable\"} \(4498)"),
      "\(metrics.text)")
    #expect(!metrics.text.contains("regula_decisions_total{policy="))

    // Back up (a single decision tells when: it is refused until the replica has reconnected):
    // the same batch is decided in full, its ids following the single decision's, and the
    // log holds exactly the answered decisions.
    try cluster.control("start")
    var single = try service.request(
      "POST", "\(w1Decisions)?as_of=2024-06-01", token: "intake", body: applications[0])
    for _ in 0..<40 where single.status != 200 {
      Thread.sleep(forTimeInterval: 0.25)
      single = try service.request(
        "POST", "\(w1Decisions)?as_of=2024-06-01", token: "intake", body: applications[0])
    }
    #expect(singleAnswer(single.text)?.id == 1, "\(single.text)")
    let decided = try service.request("POST", batch, token: "intake", body: body)
    let lines = decided.text.split(separator: "\n")
    #expect(lines.count == expected.count)
    var ids: [Int] = []
    for (line, wanted) in zip(lines, expected) where wanted.application {
      if let answer = batchAnswer(line) { ids.append(answer.id) }
    }
    #expect(ids == Array(2...4499))
    let verified = try regula(["audit", "verify", "--db", cluster.url])
    #expect(verified.status == 0, "\(verified.output) \(verified.errors)")
    #expect(verified.output.contains("4499 entries"), "\(verified.output)")
  }

  /// A decision made by one replica is replayed by another that never loaded the policy
  /// version that decided it (the log keeps compiled policies by content hash); `regula audit
  /// show` reads the PostgreSQL log too.
  @Test func aReplicaReplaysWhatAnotherDecided() throws {
    let cluster = try PostgresCluster()
    let folder = try temporaryDirectory("replica-replay")
    defer { try? FileManager.default.removeItem(at: folder) }
    var services: [ServiceProcess] = []
    for threshold in [18, 21] {
      let policies = folder.appendingPathComponent("policies-\(threshold)")
      try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
      try personalPolicy(threshold: threshold).write(
        to: policies.appendingPathComponent("demo.regula"), atomically: true, encoding: .utf8)
      services.append(
        try ServiceProcess(
          policies: policies.path, folder: folder, postgres: cluster.url,
          tokens: services.first?.tokens))
    }
    defer { for service in services { service.stop() } }
    let path = "/v1/policies/personal_demo/decisions?as_of=2024-06-01&explain=true"
    let decided = try services[0].request("POST", path, token: "intake", body: personalApplication)
    #expect(decided.status == 200)
    let other = try services[1].request("POST", path, token: "intake", body: personalApplication)
    let hashes = [decided, other].map {
      ($0.object["record"] as? [String: Any])?["policy_hash"] as? String
    }
    #expect(hashes[0] != hashes[1])
    let replayed = try services[1].request("GET", "/v1/decisions/1/trace", token: "officer")
    #expect(replayed.status == 200, "\(replayed.text)")
    #expect(canonical(replayed.json) == canonical(decided.object["trace"]))
    let shown = try regula(["audit", "show", "1", "--db", cluster.url])
    #expect(shown.status == 0)
    #expect(shown.output.contains("\"policy_hash\":\"\(hashes[0] ?? "")\""))
    #expect(shown.output.contains("[masked]"))
  }
}
