// The decision service over HTTP, as other programs use it: its records equal the command
// line's byte for byte, every decision answered is in the log (also after SIGKILL), the
// chain names a tampered entry, traces replay the exact policy that decided, personal fields
// are masked, and bad input and bad callers get precise 4xx answers while the service goes on.
import Foundation
import Testing

let w1Folder = "Examples/minimum-living-allowance-w1"
let w1PolicyName = "w1_minimum_living_allowance"
let w1Decisions = "/v1/policies/\(w1PolicyName)/decisions"

/// The sample applications, one per line, as bytes.
func w1Applications() throws -> [[UInt8]] {
  let text = try String(
    contentsOf: cliRepositoryRoot.appendingPathComponent("\(w1Folder)/sample-applications.jsonl"),
    encoding: .utf8)
  return text.split(separator: "\n").map { Array($0.utf8) }
}

/// `{"line":N,"decision_id":ID,"record":R}` → (ID, R as text).
func batchAnswer(_ line: Substring) -> (id: Int, record: String)? {
  guard let idStart = line.range(of: ",\"decision_id\":"),
    let recordStart = line.range(of: ",\"record\":", range: idStart.upperBound..<line.endIndex),
    let id = Int(line[idStart.upperBound..<recordStart.lowerBound])
  else { return nil }
  return (id, String(line[recordStart.upperBound..<line.index(before: line.endIndex)]))
}

/// A single decision's answer `{"decision_id":ID,"logged_at":T,"record":R}` → (ID, R as text).
func singleAnswer(_ text: String) -> (id: Int, record: String)? {
  let line = Substring(text.trimmingCharacters(in: .newlines))
  guard let recordStart = line.range(of: ",\"record\":"),
    let id = parseObject(line)["decision_id"] as? Int
  else { return nil }
  var record = line[recordStart.upperBound...].dropLast()
  if let trace = record.range(of: ",\"trace\":{\"schema\":\"regula.trace/2\"") {
    record = record[..<trace.lowerBound]
  }
  return (id, String(record))
}

/// A small self-contained policy whose parameter `threshold` the tests change, with personal
/// fields (one of them read by a decision).
func personalPolicy(threshold: Int) -> String {
  """
  policy personal_demo "Personal demo"
    level national
    source demo "Demo rules" version "1"
    from 2024-01-01

  record Person {
    personal name: Text
    age: Int at least 0
  }

  input application {
    personal id_number: Text
    applicant: Person
    members: List<Person> length at most 5
  }

  parameter threshold: Int cite demo "Art. 1" = \(threshold)

  decision adult: Bool cite demo "Art. 2" = application.applicant.age >= threshold

  decision named: Bool cite demo "Art. 3" = application.applicant.name != ""

  """
}

let personalApplication = Array(
  #"{"id_number": "110101199003070011", "applicant": {"name": "Zhang San", "age": 20}, "members": [{"name": "Li Si", "age": 7}]}"#
    .utf8)

@Suite(.serialized) struct ServiceTests {
  @Test func decisionsOverHTTPEqualTheCommandLine() throws {
    let folder = try temporaryDirectory("serve-w1")
    defer { try? FileManager.default.removeItem(at: folder) }
    let service = try ServiceProcess(policies: w1Folder, folder: folder)
    defer { service.stop() }
    let applications = try w1Applications()
    // The CLI's records for every application, as of the same date.
    let cli = try regula([
      "batch", "\(w1Folder)/w1.regula", "--input", "\(w1Folder)/sample-applications.jsonl",
      "--as-of", "2024-06-01",
    ])
    let expected = cli.output.split(separator: "\n").map(String.init)
    #expect(expected.count == applications.count)

    // Single decisions on one keep-alive connection: ids 1, 2, 3…, records equal the CLI's.
    let client = try service.client()
    let auth = ["Authorization": "Bearer \(service.tokens["intake"]!)"]
    for index in 0..<60 {
      let response = try client.send(
        "POST", "\(w1Decisions)?as_of=2024-06-01", headers: auth, body: applications[index])
      #expect(response.status == 200)
      let answer = try #require(singleAnswer(response.text))
      #expect(answer.id == index + 1)
      #expect("{\"line\":\(index + 1)," + answer.record.dropFirst() == expected[index])
    }

    // The batch: one answer per line, in order, each record equal to the CLI's, ids following.
    let batch = try client.send(
      "POST", "\(w1Decisions)/batch?as_of=2024-06-01", headers: auth,
      body: Array(
        applications.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n").utf8))
    #expect(batch.status == 200)
    #expect(batch.headers["content-type"] == "application/x-ndjson")
    let lines = batch.text.split(separator: "\n")
    #expect(lines.count == applications.count)
    for (index, line) in lines.enumerated() {
      let answer = try #require(batchAnswer(line), "\(line)")
      #expect(answer.id == 61 + index)
      #expect("{\"line\":\(index + 1)," + answer.record.dropFirst() == expected[index])
    }

    // The logged entry: the application as received (compacted), the record, the caller.
    let auditor = ["Authorization": "Bearer \(service.tokens["auditor"]!)"]
    let stored = try client.send("GET", "/v1/decisions/2", headers: auditor)
    #expect(stored.status == 200)
    let entry = stored.object
    #expect(entry["caller"] as? String == "intake")
    #expect(entry["decision_id"] as? Int == 2)
    #expect(
      canonical(entry["input"])
        == canonical(try JSONSerialization.jsonObject(with: Data(applications[1]))))
    #expect(stored.text.contains(",\"record\":" + singleAnswerRecord(expected[1]) + ","))

    // The trace, replayed from the log, equals `regula eval --explain` on the same bytes; so do
    // the account and the report.
    let input = folder.appendingPathComponent("application.json")
    try Data(applications[1]).write(to: input)
    let trace = try client.send("GET", "/v1/decisions/2/trace", headers: auditor)
    #expect(trace.status == 200)
    let explained = try regula([
      "eval", "\(w1Folder)/w1.regula", "--input", input.path, "--as-of", "2024-06-01",
      "--explain", "--format", "json",
    ])
    #expect(trace.text == explained.output)
    let account = try client.send(
      "GET", "/v1/decisions/2/trace?audience=citizen&lang=en", headers: auditor)
    let told = try regula([
      "eval", "\(w1Folder)/w1.regula", "--input", input.path, "--as-of", "2024-06-01",
      "--audience", "citizen", "--lang", "en", "--format", "json",
    ])
    #expect(account.text == told.output)
    let report = try client.send("GET", "/v1/decisions/2/trace?format=html", headers: auditor)
    #expect(report.headers["content-type"] == "text/html; charset=utf-8")
    let page = try regula([
      "eval", "\(w1Folder)/w1.regula", "--input", input.path, "--as-of", "2024-06-01",
      "--explain", "--format", "html",
    ])
    #expect(report.text == page.output)

    // Explain at decision time gives the same trace as the replay.
    let explainedNow = try client.send(
      "POST", "\(w1Decisions)?as_of=2024-06-01&explain=true", headers: auth, body: applications[1])
    #expect(
      canonical(explainedNow.object["trace"]) == canonical(trace.json))

    // Metrics count what was decided; the policy list gives the input schema.
    let metrics = try client.send("GET", "/metrics", headers: auditor)
    #expect(metrics.headers["content-type"] == "text/plain; version=0.0.4")
    let total = applications.count + 61
    #expect(metrics.text.contains("regula_decisions_total{policy=\"\(w1PolicyName)\"} \(total)"))
    #expect(metrics.text.contains("regula_decision_seconds_count 61"))
    #expect(metrics.text.contains("regula_log_entries \(total)"))
    let policies = try client.send("GET", "/v1/policies", headers: auth)
    let listed = try #require((policies.object["policies"] as? [[String: Any]])?.first)
    #expect(listed["name"] as? String == w1PolicyName)
    #expect(listed["hash"] as? String == parseObject(expected[0])["policy_hash"] as? String)
    #expect(listed["decisions"] as? [String] == ["eligible", "benefit_fen"])
    let schema = listed["input_schema"] as? [String: Any]
    let properties = schema?["properties"] as? [String: Any]
    #expect(
      canonical(properties?["members"])
        == canonical(
          parseObject(
            #"{"type":"array","items":{"type":"object","properties":{"age":{"type":"integer","minimum":0,"maximum":100},"monthly_income_fen":{"type":"integer","minimum":0,"maximum":2000000,"description":"fen"},"disabled":{"type":"boolean"},"owns_vehicle":{"type":"boolean"}}},"minItems":1,"maxItems":6}"#
          )))

    // The OpenAPI document served is the one in Docs/.
    let openAPI = try client.send("GET", "/openapi.yaml", headers: auditor)
    #expect(
      openAPI.body
        == Array(
          try Data(contentsOf: cliRepositoryRoot.appendingPathComponent("Docs/openapi.yaml"))))

    #expect(service.stop() == 0)
    // The log verifies, exports every entry, and shows one as the service does.
    let verified = try regula(["audit", "verify", "--db", service.database.path])
    #expect(verified.status == 0)
    #expect(verified.output.contains("\(total) entries and 1 policy verify"))
    let exported = try regula(["audit", "export", "--db", service.database.path])
    #expect(exported.output.split(separator: "\n").count == total)
    let shown = try regula(["audit", "show", "2", "--db", service.database.path])
    #expect(shown.output == stored.text)
  }

  /// `{"line":N,…rest}` from `regula batch` → the record `{…rest}`.
  func singleAnswerRecord(_ line: String) -> String {
    "{" + line[line.index(after: line.firstIndex(of: ",")!)...]
  }

  @Test func badCallersAndBadInputGetPreciseRefusals() throws {
    let folder = try temporaryDirectory("serve-refusals")
    defer { try? FileManager.default.removeItem(at: folder) }
    let service = try ServiceProcess(
      policies: w1Folder, folder: folder,
      arguments: ["--max-body", "4096", "--idle-timeout", "1", "--io-threads", "3"])
    defer { service.stop() }
    let application = try w1Applications()[0]
    let path = "\(w1Decisions)?as_of=2024-06-01"

    // Who may do what.
    let health = try service.request("GET", "/health")
    #expect(health.status == 200)
    #expect(health.text == "{\"status\":\"ok\",\"policies\":1,\"log\":\"ok\"}")
    for (method, route) in [
      ("POST", path), ("GET", "/v1/policies"), ("GET", "/v1/decisions/1"), ("GET", "/metrics"),
      ("GET", "/openapi.yaml"), ("POST", "/v1/admin/reload"), ("GET", "/nowhere"),
    ] {
      let anonymous = try service.request(method, route, body: application)
      #expect(anonymous.status == 401, "\(route)")
      #expect(anonymous.headers["www-authenticate"] == "Bearer")
      #expect(anonymous.object["kind"] as? String == "unauthorized")
      let stranger = try service.request(method, route, token: "not-a-token", body: application)
      #expect(stranger.status == 401, "\(route)")
    }
    for (method, route, token) in [
      ("POST", path, "auditor"), ("POST", "\(w1Decisions)/batch", "admin"),
      ("GET", "/v1/decisions/1", "intake"), ("GET", "/v1/decisions/1/trace", "intake"),
      ("POST", "/v1/admin/reload", "intake"), ("POST", "/v1/admin/reload", "auditor"),
    ] {
      let refused = try service.request(method, route, token: token, body: application)
      #expect(refused.status == 403, "\(route) \(token)")
      #expect(refused.object["kind"] as? String == "forbidden")
      #expect((refused.object["message"] as? String)?.contains("`\(token)`") == true)
    }

    // Bad input: the same message as `regula eval`, a 4xx, never a 5xx.
    let input = folder.appendingPathComponent("bad.json")
    for body in [
      #"{"id": 3}"#, #"{"id": "A", "members": [{"age": -1}]}"#, #"{"id": "#, "[1, 2]", "",
      #"{"id": "A", "id": "B"}"#, #"{"members": [{"age": 1e999999}]}"#,
    ] {
      let response = try service.request("POST", path, token: "intake", body: Array(body.utf8))
      #expect(response.status == 422, "\(body)")
      try Data(body.utf8).write(to: input)
      let cli = try regula([
        "eval", "\(w1Folder)/w1.regula", "--input", input.path, "--as-of", "2024-06-01",
        "--format", "json",
      ])
      #expect(response.text == cli.output, "\(body)")
    }
    for (route, status, kind) in [
      ("\(w1Decisions)?as_of=2024-13-01", 400, "bad_request"),
      ("\(w1Decisions)?asof=2024-06-01", 400, "bad_request"),
      ("\(w1Decisions)?explain=maybe", 400, "bad_request"),
      ("\(w1Decisions)?as_of=2024-06-01&jurisdiction=XX", 422, "unknown_jurisdiction"),
      ("\(w1Decisions)?as_of=1999-01-01", 422, "runtime_error"),
      ("/v1/policies/nope/decisions", 404, "unknown_policy"),
    ] {
      let response = try service.request("POST", route, token: "intake", body: application)
      #expect(response.status == status, "\(route)")
      #expect(response.object["kind"] as? String == kind, "\(route)")
    }
    for (route, status) in [
      ("/v1/decisions/0", 400), ("/v1/decisions/x", 400), ("/v1/decisions/99", 404),
      ("/v1/decisions/99/trace", 404), ("/v1/decisions/1/trace?format=pdf", 400),
      ("/v1/decisions/1/trace?audience=judge", 400),
    ] {
      let response = try service.request("GET", route, token: "auditor")
      #expect(response.status == status, "\(route)")
    }
    // Too large: one decision over --max-body; in a batch, that line only.
    let large = Array(repeating: UInt8(ascii: " "), count: 5000) + application
    #expect(try service.request("POST", path, token: "intake", body: large).status == 413)
    let batch = try service.request(
      "POST", "\(w1Decisions)/batch?as_of=2024-06-01", token: "intake",
      body: application + Array("\n".utf8) + large + Array("\n\n".utf8) + application)
    let lines = batch.text.split(separator: "\n")
    #expect(lines.count == 3)
    #expect(parseObject(lines[1])["line"] as? Int == 2)
    #expect((parseObject(lines[1])["error"] as? [String: Any])?["kind"] as? String == "too_large")
    #expect(parseObject(lines[2])["line"] as? Int == 4)

    // A slow client that never finishes its request is cut off; others are served meanwhile.
    let slow = try service.client()
    try slow.write(Array("POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{".utf8))
    #expect(try service.request("GET", "/health").status == 200)
    #expect(slow.waitForClose(seconds: 10))

    // Still serving; the refusals were logged, the tokens never.
    #expect(try service.request("POST", path, token: "intake", body: application).status == 200)
    #expect(service.stop() == 0)
    let logs = service.errors
    #expect(logs.contains("\"message\":\"refused\""))
    #expect(logs.contains("\"status\":\"403\""))
    for token in service.tokens.values { #expect(!logs.contains(token)) }
    // Every log line is one JSON object.
    for line in logs.split(separator: "\n") { #expect(!parseObject(line).isEmpty, "\(line)") }
  }

  @Test func personalFieldsAreMaskedUnlessTheRoleAllows() throws {
    let folder = try temporaryDirectory("serve-personal")
    defer { try? FileManager.default.removeItem(at: folder) }
    let policies = folder.appendingPathComponent("policies")
    try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
    try personalPolicy(threshold: 18).write(
      to: policies.appendingPathComponent("demo.regula"), atomically: true, encoding: .utf8)
    let service = try ServiceProcess(policies: policies.path, folder: folder)
    defer { service.stop() }
    let decided = try service.request(
      "POST", "/v1/policies/personal_demo/decisions?as_of=2024-06-01", token: "intake",
      body: personalApplication)
    #expect(decided.status == 200)
    let listed = try service.request("GET", "/v1/policies", token: "auditor")
    let policy = (listed.object["policies"] as? [[String: Any]])?.first
    #expect(
      policy?["personal_fields"] as? [String] == ["id_number", "applicant.name", "members[].name"])
    // One-sided bounds give one side of the JSON Schema.
    let members = (policy?["input_schema"] as? [String: Any]).flatMap {
      ($0["properties"] as? [String: Any])?["members"] as? [String: Any]
    }
    #expect(members?["maxItems"] as? Int == 5 && members?["minItems"] == nil, "\(members ?? [:])")
    let age = ((members?["items"] as? [String: Any])?["properties"] as? [String: Any])?["age"]
    #expect(canonical(age) == canonical(parseObject(#"{"type":"integer","minimum":0}"#)))

    let masked = try service.request("GET", "/v1/decisions/1", token: "auditor").object
    #expect(
      canonical(masked["input"])
        == canonical(
          parseObject(
            #"{"id_number":"[masked]","applicant":{"name":"[masked]","age":20},"members":[{"name":"[masked]","age":7}]}"#
          )))
    let open = try service.request("GET", "/v1/decisions/1", token: "officer").object
    #expect(
      canonical(open["input"])
        == canonical(try JSONSerialization.jsonObject(with: Data(personalApplication))))
    // The trace shows `applicant.name` (the decision `named` reads it): personal role only.
    let refused = try service.request("GET", "/v1/decisions/1/trace", token: "auditor")
    #expect(refused.status == 403)
    #expect((refused.object["message"] as? String)?.contains("`applicant.name`") == true)
    #expect(try service.request("GET", "/v1/decisions/1/trace", token: "officer").status == 200)
    #expect(service.stop() == 0)

    let exported = try regula(["audit", "export", "--db", service.database.path])
    #expect(exported.output.contains("\"id_number\":\"[masked]\""))

    // A personal field of record type: the trace shows the fields under it, so it is refused.
    let whole = folder.appendingPathComponent("whole")
    try FileManager.default.createDirectory(at: whole, withIntermediateDirectories: true)
    try personalPolicy(threshold: 18).replacingOccurrences(
      of: "\n  applicant: Person", with: "\n  personal applicant: Person"
    ).write(to: whole.appendingPathComponent("demo.regula"), atomically: true, encoding: .utf8)
    let second = try ServiceProcess(
      policies: whole.path, folder: folder,
      database: folder.appendingPathComponent("whole.sqlite"), tokens: service.tokens)
    defer { second.stop() }
    #expect(
      try second.request(
        "POST", "/v1/policies/personal_demo/decisions?as_of=2024-06-01", token: "intake",
        body: personalApplication
      ).status == 200)
    let wholeTrace = try second.request("GET", "/v1/decisions/1/trace", token: "auditor")
    #expect(wholeTrace.status == 403)
    #expect((wholeTrace.object["message"] as? String)?.contains("`applicant`") == true)
    let wholeEntry = try second.request("GET", "/v1/decisions/1", token: "auditor").object
    #expect(canonical((wholeEntry["input"] as? [String: Any])?["applicant"]) == "\"[masked]\"")
    #expect(!exported.output.contains("Zhang San"))
    let unmasked = try regula([
      "audit", "export", "--db", service.database.path, "--unmask-personal",
    ])
    #expect(unmasked.output.contains("\"name\":\"Zhang San\""))
  }

  @Test func aTraceFetchedLaterReplaysThePolicyThatDecided() throws {
    let folder = try temporaryDirectory("serve-replay")
    defer { try? FileManager.default.removeItem(at: folder) }
    let policies = folder.appendingPathComponent("policies")
    try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
    let file = policies.appendingPathComponent("demo.regula")
    try personalPolicy(threshold: 18).write(to: file, atomically: true, encoding: .utf8)
    var service = try ServiceProcess(policies: policies.path, folder: folder)
    let path = "/v1/policies/personal_demo/decisions?as_of=2024-06-01&explain=true"
    let first = try service.request("POST", path, token: "intake", body: personalApplication)
    #expect(first.status == 200)
    let traceThen = canonical(first.object["trace"])
    let hashThen = (first.object["record"] as? [String: Any])?["policy_hash"] as? String

    // The policy changes (the age threshold rises) and is reloaded: new decisions differ.
    try personalPolicy(threshold: 21).write(to: file, atomically: true, encoding: .utf8)
    #expect(try service.request("POST", "/v1/admin/reload", token: "admin").status == 200)
    let second = try service.request("POST", path, token: "intake", body: personalApplication)
    let record = second.object["record"] as? [String: Any]
    #expect(record?["policy_hash"] as? String != hashThen)
    #expect(
      ((record?["decisions"] as? [String: Any])?["adult"] as? [String: Any])?["value"] as? Bool
        == false)
    // "A month later": the service restarted on the new file; the old decision's trace is the
    // trace it had when it was made.
    #expect(service.stop() == 0)
    service = try ServiceProcess(
      policies: policies.path, folder: folder, database: service.database, tokens: service.tokens)
    defer { service.stop() }
    let later = try service.request("GET", "/v1/decisions/1/trace", token: "officer")
    #expect(later.status == 200)
    #expect(canonical(later.json) == traceThen)
    #expect(later.text.contains("\"policy_hash\":\"\(hashThen ?? "")\""))
  }

  @Test func aTamperedEntryIsNamed() throws {
    let folder = try temporaryDirectory("serve-tamper")
    defer { try? FileManager.default.removeItem(at: folder) }
    let service = try ServiceProcess(policies: w1Folder, folder: folder)
    let applications = try w1Applications()
    let client = try service.client()
    for index in 0..<12 {
      let response = try client.send(
        "POST", "\(w1Decisions)?as_of=2024-06-01",
        headers: ["Authorization": "Bearer \(service.tokens["intake"]!)"], body: applications[index]
      )
      #expect(response.status == 200)
    }
    #expect(service.stop() == 0)
    #expect(try regula(["audit", "verify", "--db", service.database.path]).status == 0)
    // Someone with the database file turns decision 7's outcome around.
    let edit = try run(
      URL(fileURLWithPath: "/usr/bin/env"),
      [
        "python3", "-c",
        """
        import sqlite3, sys, zstandard
        db = sqlite3.connect(sys.argv[1])
        # One client sending one decision at a time: each commit, so each segment, holds one entry.
        (blob,) = db.execute("SELECT entries FROM segments WHERE first_id = 7 AND last_id = 7").fetchone()
        # A segment is stored packed: 0, 1, its length unpacked (a varint), a Zstandard frame.
        assert blob[0] == 0 and blob[1] == 1
        start = 2
        while blob[start] & 0x80: start += 1
        data = bytearray(zstandard.ZstdDecompressor().decompress(blob[start + 1:]))
        at = data.index(b'"benefit_fen":{"value":') + len(b'"benefit_fen":{"value":')
        data[at] = ord('9') if data[at] != ord('9') else ord('8')
        packer = zstandard.ZstdCompressor(level=1, write_checksum=True)
        packed = bytes(blob[:start + 1]) + packer.compress(bytes(data))
        db.execute("UPDATE segments SET entries = ? WHERE first_id = 7", (packed,))
        db.commit()
        """,
        service.database.path,
      ], in: folder)
    #expect(edit.status == 0, "\(edit.errors)")
    let verified = try regula(["audit", "verify", "--db", service.database.path])
    #expect(verified.status == 1)
    #expect(verified.output.contains("entry 7 breaks the chain"))
    // Replaying it shows the record is not what the policy decides.
    let restarted = try ServiceProcess(
      policies: w1Folder, folder: folder, database: service.database, tokens: service.tokens)
    defer { restarted.stop() }
    let trace = try restarted.request("GET", "/v1/decisions/7/trace", token: "auditor")
    #expect(trace.status == 500)
    #expect(trace.object["kind"] as? String == "replay_mismatch")
    #expect(try restarted.request("GET", "/v1/decisions/6/trace", token: "auditor").status == 200)
  }

  @Test func aKilledServiceLosesNoAnsweredDecision() throws {
    let folder = try temporaryDirectory("serve-kill")
    defer { try? FileManager.default.removeItem(at: folder) }
    let service = try ServiceProcess(policies: w1Folder, folder: folder)
    let applications = try w1Applications()
    let answered = Answered()
    // Four connections send decisions (one at a time each) and a batch, until the kill.
    let group = DispatchGroup()
    for worker in 0..<4 {
      DispatchQueue.global().async(group: group) {
        guard let client = try? service.client() else { return }
        var index = worker
        while true {
          let request = Array(applications[index % applications.count])
          guard
            let response = try? client.send(
              "POST", "\(w1Decisions)?as_of=2024-06-01",
              headers: ["Authorization": "Bearer \(service.tokens["intake"]!)"], body: request),
            response.status == 200, let answer = singleAnswer(response.text)
          else { return }
          answered.add(answer.id, answer.record)
          index += 4
        }
      }
    }
    Thread.sleep(forTimeInterval: 1.5)
    service.stop(SIGKILL)
    group.wait()
    let acknowledged = answered.all
    #expect(acknowledged.count > 50)
    // Every decision answered 2xx is in the log with the record it was answered with, and the
    // chain verifies.
    let verified = try regula(["audit", "verify", "--db", service.database.path])
    #expect(verified.status == 0, "\(verified.output)")
    let exported = try regula(["audit", "export", "--db", service.database.path])
    var logged: [Int: String] = [:]
    for line in exported.output.split(separator: "\n") {
      let id = parseObject(line)["decision_id"] as? Int ?? 0
      let start = line.range(of: ",\"record\":")!.upperBound
      let end = line.range(of: ",\"previous_hash\":")!.lowerBound
      logged[id] = String(line[start..<end])
    }
    for (id, record) in acknowledged { #expect(logged[id] == record, "decision \(id)") }
  }

  @Test func aStoppedServiceFinishesTheBatchInFlight() throws {
    let folder = try temporaryDirectory("serve-drain")
    defer { try? FileManager.default.removeItem(at: folder) }
    let service = try ServiceProcess(policies: w1Folder, folder: folder)
    let applications = try w1Applications()
    let lines = (0..<20_000).map {
      String(decoding: applications[$0 % applications.count], as: UTF8.self)
    }
    let body = Array(lines.joined(separator: "\n").utf8)
    let client = try service.client()
    var head = "POST \(w1Decisions)/batch?as_of=2024-06-01 HTTP/1.1\r\nHost: x\r\n"
    head +=
      "Authorization: Bearer \(service.tokens["intake"]!)\r\nContent-Length: \(body.count)\r\n\r\n"
    try client.write(Array(head.utf8) + body)
    // SIGTERM once the answers have started to flow.
    _ = try client.fill()
    kill(service.process.processIdentifier, SIGTERM)
    let response = try client.readResponse()
    #expect(response.status == 200)
    #expect(response.text.split(separator: "\n").count == lines.count)
    #expect(service.stop() == 0)
    let verified = try regula(["audit", "verify", "--db", service.database.path])
    #expect(verified.output.contains("\(lines.count) entries"))
  }

  /// A batch is read ahead of the block being decided (Handlers.swift): a client that goes
  /// away halfway through its body, or without reading its answers, stops its request only.
  /// The service goes on serving, each decision logged is whole, and the chain verifies.
  @Test func batchClientsThatGoAwayStopTheirRequestOnly() throws {
    let folder = try temporaryDirectory("serve-gone")
    defer { try? FileManager.default.removeItem(at: folder) }
    let service = try ServiceProcess(policies: w1Folder, folder: folder)
    let applications = try w1Applications()
    let body = Array(
      (0..<20_000).map { String(decoding: applications[$0 % applications.count], as: UTF8.self) }
        .joined(separator: "\n").utf8)
    let head =
      "POST \(w1Decisions)/batch?as_of=2024-06-01 HTTP/1.1\r\nHost: x\r\n"
      + "Authorization: Bearer \(service.tokens["intake"]!)\r\nContent-Length: \(body.count)\r\n\r\n"
    // Half the body (several blocks), then the connection closes.
    do {
      let client = try service.client()
      try client.write(Array(head.utf8) + body[..<(body.count / 2)])
    }
    // The whole body, no answer read, then the connection closes.
    do {
      let client = try service.client()
      try client.write(Array(head.utf8) + body)
    }
    #expect(try service.request("GET", "/health").status == 200)
    let batch = try service.request(
      "POST", "\(w1Decisions)/batch?as_of=2024-06-01", token: "intake",
      body: Array(body[..<body.firstIndex(of: UInt8(ascii: "\n"))!]))
    #expect(batch.status == 200)
    #expect(batch.text.split(separator: "\n").count == 1)
    #expect(service.stop() == 0)
    let verified = try regula(["audit", "verify", "--db", service.database.path])
    #expect(verified.status == 0, "\(verified.output)")
  }

  /// scripts/batch-load.py, the load generator Docs/service.md measures batches with, sends a
  /// batch and counts its answers: every line answered, a bad line as an error, exit 0.
  @Test func theBatchLoadGeneratorCountsEveryAnswer() throws {
    let folder = try temporaryDirectory("serve-batch-load")
    defer { try? FileManager.default.removeItem(at: folder) }
    let service = try ServiceProcess(policies: w1Folder, folder: folder)
    defer { service.stop() }
    var lines = try String(
      contentsOfFile: "\(cliRepositoryRoot.path)/\(w1Folder)/sample-applications.jsonl",
      encoding: .utf8)
    lines += "{\"not\": \"an application\"}\n"
    let file = folder.appendingPathComponent("batch.jsonl")
    try lines.write(to: file, atomically: true, encoding: .utf8)
    let count = lines.split(separator: "\n").count
    let result = try run(
      URL(fileURLWithPath: "/usr/bin/env"),
      [
        "python3", "scripts/batch-load.py", "--port", "\(service.port)", "--token",
        service.tokens["intake"]!, "--policy", w1PolicyName, "--as-of", "2024-06-01", file.path,
      ], in: cliRepositoryRoot)
    #expect(result.status == 0, "\(result.output)\(result.errors)")
    #expect(
      result.output.contains("\(count) of \(count) lines answered (1 errors)"), "\(result.output)")
    // A token without the decide role: refused, and the script says so.
    let refused = try run(
      URL(fileURLWithPath: "/usr/bin/env"),
      [
        "python3", "scripts/batch-load.py", "--port", "\(service.port)", "--token", "nope",
        "--policy", w1PolicyName, file.path,
      ], in: cliRepositoryRoot)
    #expect(refused.status == 1)
    #expect(refused.errors.contains("the server answered `HTTP/1.1 401"), "\(refused.errors)")
  }

  /// Docs/openapi.yaml is valid OpenAPI 3.1 and every response the service gives — each
  /// operation, each refusal — matches it (Tests/Server/openapi_check.py).
  @Test(.enabled(if: openAPICheckerRuns))
  func responsesMatchTheOpenAPIDocument() throws {
    let folder = try temporaryDirectory("serve-openapi")
    defer { try? FileManager.default.removeItem(at: folder) }
    let service = try ServiceProcess(
      policies: w1Folder, folder: folder, arguments: ["--max-body", "1048576"])
    defer { service.stop() }
    let result = try run(
      URL(fileURLWithPath: "/usr/bin/env"),
      [
        "python3", "Tests/Server/openapi_check.py", "--spec", "Docs/openapi.yaml", "--base",
        "http://127.0.0.1:\(service.port)", "--decide-token", service.tokens["intake"]!,
        "--audit-token", service.tokens["auditor"]!, "--admin-token", service.tokens["admin"]!,
        "--policy", w1PolicyName, "--application", "\(w1Folder)/example-application.json",
        "--batch", "\(w1Folder)/sample-applications.jsonl",
      ], in: cliRepositoryRoot)
    #expect(result.status == 0, "\(result.output)\(result.errors)")
  }
}

/// Whether the OpenAPI check runs: always in CI (`REGULA_SERVICE_OPENAPI=1`, which `.ci/run`
/// sets after installing the Python packages), never with `0`, and otherwise when python3 has
/// the packages.
let openAPICheckerRuns: Bool = {
  switch ProcessInfo.processInfo.environment["REGULA_SERVICE_OPENAPI"] {
  case "1": return true
  case "0": return false
  default:
    let probe = try? run(
      URL(fileURLWithPath: "/usr/bin/env"),
      ["python3", "-c", "import yaml, jsonschema, referencing, openapi_spec_validator"],
      in: cliRepositoryRoot)
    return probe?.status == 0
  }
}()

/// Decisions answered 2xx, collected from several threads.
final class Answered: @unchecked Sendable {
  let lock = NSLock()
  var records: [Int: String] = [:]
  func add(_ id: Int, _ record: String) {
    lock.lock()
    records[id] = record
    lock.unlock()
  }
  var all: [Int: String] {
    lock.lock()
    defer { lock.unlock() }
    return records
  }
}

/// `regula serve` refuses bad configuration before it listens, naming the setting, whether it
/// came from a flag or the environment; and refuses a bad tokens file or policy folder.
@Test func serveRefusesBadConfiguration() throws {
  let folder = try temporaryDirectory("serve-config")
  defer { try? FileManager.default.removeItem(at: folder) }
  let tokens = folder.appendingPathComponent("tokens.json")
  try #"{"tokens":[{"name":"a","sha256":"00","roles":["decide"]}]}"#.write(
    to: tokens, atomically: true, encoding: .utf8)
  let database = folder.appendingPathComponent("log.sqlite").path
  func serve(_ arguments: [String], environment: [String: String] = [:]) throws -> RunResult {
    var command = ["env"]
    for (key, value) in environment { command.append("\(key)=\(value)") }
    return try run(
      URL(fileURLWithPath: "/usr/bin/env"), command + [regulaBinary.path, "serve"] + arguments,
      in: cliRepositoryRoot)
  }
  var result = try serve([w1Folder, "--tokens", tokens.path])
  #expect(result.status == 64)
  #expect(result.errors.contains("--db FILE (or REGULA_DB)"))
  result = try serve(
    [w1Folder, "--tokens", tokens.path],
    environment: ["REGULA_DB": database, "REGULA_PORT": "http"])
  #expect(result.status == 64)
  #expect(result.errors.contains("port must be a number from 0 to 65535, not `http`"))
  result = try serve([w1Folder, "--db", database, "--tokens", tokens.path, "--sync", "sometimes"])
  #expect(result.status == 64)
  result = try serve(
    [w1Folder, "--tokens", tokens.path],
    environment: ["REGULA_DB": database, "REGULA_IO_THREADS": "none"])
  #expect(result.status == 64)
  #expect(result.errors.contains("io-threads must be a number from 1 to 256, not `none`"))
  result = try serve([w1Folder, "--db", database, "--tokens", tokens.path])
  #expect(result.status == 1)
  #expect(result.errors.contains("tokens[0]: `sha256` must be the token's SHA-256"))
  try #"{"tokens":[]}"#.write(to: tokens, atomically: true, encoding: .utf8)
  result = try serve(["Policies/common", "--db", database, "--tokens", tokens.path])
  #expect(result.status == 1)
  #expect(result.errors.contains("no policy here"))
  result = try serve(["no/such/folder", "--db", database, "--tokens", tokens.path])
  #expect(result.status == 1)
  #expect(result.errors.contains("no/such/folder: no such file or folder"))
  // A policy that does not compile is named with its diagnostics.
  let broken = folder.appendingPathComponent("broken.regula")
  try "policy broken\ndecision x: Int = nope\n".write(to: broken, atomically: true, encoding: .utf8)
  result = try serve([broken.path, "--db", database, "--tokens", tokens.path])
  #expect(result.status == 1)
  #expect(result.errors.contains("broken.regula: the policy does not compile"))
}
