// The record a service or an auditor reads from the command line: the same policy hash from
// any working folder, and one JSON document on stdout for every outcome with `--format json`.
import Foundation
import Testing

func regula(_ arguments: [String], in folder: URL) throws -> RunResult {
  try run(regulaBinary, arguments, in: folder)
}

func jsonObject(_ text: String) throws -> [String: Any] {
  try #require(
    JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
}

@Test func thePolicyHashIsTheSameFromEveryWorkingFolder() throws {
  let tutorial = cliRepositoryRoot.appendingPathComponent("Examples/tutorial")
  let policy = tutorial.appendingPathComponent("w1-tutorial.regula").path
  let application = tutorial.appendingPathComponent("example-application.json").path
  let runs: [(URL, String)] = [
    (cliRepositoryRoot, "Examples/tutorial/w1-tutorial.regula"),
    (tutorial, "w1-tutorial.regula"),
    (URL(fileURLWithPath: "/tmp"), policy),
    (cliRepositoryRoot.appendingPathComponent("Docs"), "../Examples/tutorial/./w1-tutorial.regula"),
  ]
  var hashes: Set<String> = []
  for (folder, path) in runs {
    let result = try regula(
      ["eval", path, "--input", application, "--as-of", "2024-06-01", "--format", "json"],
      in: folder)
    #expect(result.status == 0, "\(result.errors)")
    hashes.insert(try #require(try jsonObject(result.output)["policy_hash"] as? String))
  }
  #expect(hashes.count == 1, "\(hashes)")
}

@Test func everyOutcomeIsOneJSONDocumentOnStandardOutput() throws {
  let folder = try temporaryDirectory("outcomes")
  defer { try? FileManager.default.removeItem(at: folder) }
  let policy = cliRepositoryRoot.appendingPathComponent("Examples/tutorial/w1-tutorial.regula")
    .path
  let cases: [(String, [String], String, Int32)] = [
    (#"{"id":"x"}"#, [], "missing_facts", 2),
    ("@example", [], "decided", 0),
    (#"{"id":"x"}"#, ["--decision", "nope"], "unknown_decision", 1),
    (#"{"id":7}"#, [], "input_error", 1),
    ("{", [], "input_error", 1),
    (#"{"id":"x"}"#, ["--jurisdiction", "XX"], "unknown_jurisdiction", 1),
    (#"{"id":"x"}"#, ["--as-of", "2024-13-01"], "input_error", 1),
    // A field outside its bounds: the error names the path in its own field, on both engines.
    (#"{"id":"x","residence_permit_months":-1}"#, [], "input_error", 1),
  ]
  for (index, (json, extra, kind, status)) in cases.enumerated() {
    let input = folder.appendingPathComponent("a\(index).json")
    if json == "@example" {
      try FileManager.default.copyItem(
        at: cliRepositoryRoot.appendingPathComponent("Examples/tutorial/example-application.json"),
        to: input)
    } else {
      try Data(json.utf8).write(to: input)
    }
    var documents: [String] = []
    for engine in ["vm", "interpreter"] {
      let result = try regula(
        ["eval", policy, "--input", input.path, "--format", "json", "--engine", engine]
          + (extra.contains("--as-of") ? extra : extra + ["--as-of", "2024-06-01"]),
        in: cliRepositoryRoot)
      #expect(result.status == status, "\(json) \(extra) \(engine): \(result.errors)")
      let lines = result.output.split(separator: "\n")
      #expect(lines.count == 1, "\(json) \(engine): \(result.output)")
      let document = try jsonObject(String(lines.first ?? ""))
      let isRecord = kind == "decided" || kind == "missing_facts"
      #expect(document["schema"] as? String == (isRecord ? "regula.decision/2" : "regula.error/1"))
      #expect(document["kind"] as? String == kind, "\(json) \(extra) \(engine): \(result.output)")
      #expect(result.errors.isEmpty == (status == 0), "\(result.errors)")
      documents.append(String(lines.first ?? ""))
    }
    // The two engines' documents are the same, whole.
    #expect(documents[0] == documents[1], "\(json) \(extra)")
  }
}
