// The `regula` command end to end: exit codes, output formats, and fmt over the repository.
import Foundation
import Testing

let cliRepositoryRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `regula` binary, next to the test bundle.
let regulaBinary: URL = {
  let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("regula")
  if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
  return cliRepositoryRoot.appendingPathComponent(".build/debug/regula")
}()

struct RunResult {
  var status: Int32
  var output: String
  var errors: String
}

func regula(_ arguments: [String], input: String? = nil) throws -> RunResult {
  try run(regulaBinary, arguments, in: cliRepositoryRoot, input: input)
}

/// Runs `executable` with `arguments` in `folder` and waits; its status, stdout and stderr.
func run(_ executable: URL, _ arguments: [String], in folder: URL, input: String? = nil) throws
  -> RunResult
{
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  process.currentDirectoryURL = folder
  let output = Pipe()
  let errors = Pipe()
  process.standardOutput = output
  process.standardError = errors
  let standardInput = input.map { _ in Pipe() }
  if let standardInput { process.standardInput = standardInput }
  try process.run()
  if let standardInput, let input {
    // Small inputs only (a pipe's buffer): written whole before the output is read.
    standardInput.fileHandleForWriting.write(Data(input.utf8))
    try standardInput.fileHandleForWriting.close()
  }
  let outData = output.fileHandleForReading.readDataToEndOfFile()
  let errData = errors.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return RunResult(
    status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
    errors: String(decoding: errData, as: UTF8.self))
}

/// A new empty folder for one test (the test removes it with `defer`).
func temporaryDirectory(_ purpose: String) throws -> URL {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
    "regula-\(purpose)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  return directory
}

/// Every `.regula` file under Policies/ and Examples/, as repository-relative paths.
func committedRuleFiles() -> [String] {
  ["Policies", "Examples"].flatMap { folder -> [String] in
    let root = cliRepositoryRoot.appendingPathComponent(folder)
    let enumerator = FileManager.default.enumerator(atPath: root.path)
    return (enumerator?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".regula") }.map {
      "\(folder)/\($0)"
    }
  }.sorted()
}

@Test func checkExitsZeroOnACleanPolicy() throws {
  let result = try regula(["check", "Tests/Golden/inputs/w1.regula"])
  #expect(result.status == 0, "\(result.errors)")
  #expect(result.output.contains("ok, 10 definitions"))
}

@Test func checkExitsOneAndRendersEveryError() throws {
  let result = try regula(["check", "Tests/Golden/inputs/five-errors.regula"])
  #expect(result.status == 1)
  #expect(result.errors.components(separatedBy: "error[").count - 1 == 5)
  #expect(result.errors.contains("--> Tests/Golden/inputs/five-errors.regula:7:22"))
}

@Test func checkPrintsJSONForMachines() throws {
  let result = try regula(["check", "--format", "json", "Tests/Golden/inputs/five-errors.regula"])
  #expect(result.status == 1)
  let parsed = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]]
  #expect(parsed?.map { $0["code"] as? String } == ["R0204", "R0301", "R0201", "R0308", "R0304"])
}

@Test func checkReportsAnUnreadableFile() throws {
  let result = try regula(["check", "no/such/file.regula"])
  #expect(result.status == 1)
  #expect(result.errors.contains("cannot read file `no/such/file.regula`"))
}

@Test func everyCommittedRuleFileChecksAndIsFormatted() throws {
  let files = committedRuleFiles()
  try #require(!files.isEmpty)
  let check = try regula(["check"] + files)
  #expect(check.status == 0, "\(check.errors)")
  let format = try regula(["fmt", "--check"] + files)
  #expect(format.status == 0, "\(format.output)\(format.errors)")
}

@Test func fmtRewritesAFileIntoCanonicalForm() throws {
  let directory = try temporaryDirectory("fmt")
  defer { try? FileManager.default.removeItem(at: directory) }
  let file = directory.appendingPathComponent("a.regula")
  try Data("policy   p\nrule a=1+2 -- sum\n".utf8).write(to: file)
  #expect(try regula(["fmt", "--check", file.path]).status == 1)
  #expect(try regula(["fmt", file.path]).status == 0)
  #expect(
    String(decoding: try Data(contentsOf: file), as: UTF8.self)
      == "policy p\nrule a = 1 + 2  -- sum\n")
  #expect(try regula(["fmt", "--check", file.path]).status == 0)
}

@Test func dumpPrintsEachStage() throws {
  for stage in ["tokens", "syntax", "checked"] {
    let result = try regula(["dump", "--stage", stage, "Tests/Golden/inputs/w1.regula"])
    #expect(result.status == 0, "\(stage): \(result.errors)")
    #expect(!result.output.isEmpty)
  }
}

@Test func evalDecidesTheW1ExampleAndPrintsTheRecord() throws {
  let result = try regula([
    "eval", "Examples/minimum-living-allowance-w1/w1.regula", "--input",
    "Examples/minimum-living-allowance-w1/example-application.json", "--as-of", "2024-06-01",
  ])
  #expect(result.status == 0, "\(result.errors)")
  let record = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
  let decisions = record?["decisions"] as? [String: [String: Any]]
  #expect(decisions?["benefit_fen"]?["value"] as? Int == 67100)
  #expect(decisions?["eligible"]?["reason"] as? String == "ok")
  #expect(record?["schema"] as? String == "regula.decision/2")
  #expect((record?["inputs_read"] as? [String])?.contains("members[].monthly_income_fen") == true)
}

@Test func evalNamesTheFieldOfABadApplication() throws {
  let directory = try temporaryDirectory("eval")
  defer { try? FileManager.default.removeItem(at: directory) }
  let bad = directory.appendingPathComponent("bad.json")
  try Data(
    #"{"id":"x","hukou_province":"GD","residence_province":"SH","residence_permit_months":"14"}"#
      .utf8
  ).write(to: bad)
  let result = try regula([
    "eval", "Examples/minimum-living-allowance-w1/w1.regula", "--input", bad.path, "--as-of",
    "2024-06-01",
  ])
  #expect(result.status == 1)
  #expect(
    result.errors.contains(
      "`residence_permit_months`: expected a whole number, found the string `14`"))
  let missing = directory.appendingPathComponent("missing.json")
  try Data(
    #"{"id":"x","hukou_province":"GD","residence_province":"SH","residence_permit_months":14}"#.utf8
  ).write(to: missing)
  let partial = try regula([
    "eval", "Examples/minimum-living-allowance-w1/w1.regula", "--input", missing.path, "--as-of",
    "2024-06-01",
  ])
  #expect(partial.status == 2)
  #expect(partial.errors.contains("missing facts: `members`"))
}

@Test func testRunsEveryCaseBesideThePolicies() throws {
  let result = try regula(["test", "Policies", "Examples"])
  #expect(result.status == 0, "\(result.output)\(result.errors)")
  #expect(result.output.hasSuffix(" passed, 0 failed\n"))
}

/// `regula batch` of the 3,000 W1 sample applications to CSV lines in `output`.
func batchW1Sample(to output: URL, _ more: [String] = []) throws -> RunResult {
  try regula(
    [
      "batch", "Examples/minimum-living-allowance-w1/w1.regula", "--input",
      "Examples/minimum-living-allowance-w1/sample-applications.jsonl", "--output-format", "csv",
      "--columns", "id,eligible,benefit_fen,eligible.reason", "--no-header",
      "--as-of", "2024-06-01", "--output", output.path,
    ] + more)
}

@Test func batchMatchesTheIndependentW1ResultsByteForByte() throws {
  let directory = try temporaryDirectory("batch")
  defer { try? FileManager.default.removeItem(at: directory) }
  let output = directory.appendingPathComponent("results.csv")
  let result = try batchW1Sample(to: output)
  #expect(result.status == 0, "\(result.errors)")
  let expected = try Data(
    contentsOf: cliRepositoryRoot.appendingPathComponent(
      "Examples/minimum-living-allowance-w1/sample-expected.csv"))
  #expect(try Data(contentsOf: output) == expected)
  #expect(result.errors.contains("3000 applications, 0 errors"))
}

@Test func batchKeepsOneLinePerInputLineAndReportsBadOnes() throws {
  let directory = try temporaryDirectory("batch")
  defer { try? FileManager.default.removeItem(at: directory) }
  let input = directory.appendingPathComponent("in.jsonl")
  let good = try String(
    contentsOf: cliRepositoryRoot.appendingPathComponent(
      "Examples/minimum-living-allowance-w1/example-application.json"),
    encoding: .utf8
  ).replacingOccurrences(of: "\n", with: "")
  try Data((good + "\n{not json\n" + #"{"id":"x"}"# + "\n" + good + "\n").utf8).write(to: input)
  let result = try regula([
    "batch", "Examples/minimum-living-allowance-w1/w1.regula", "--input", input.path, "--as-of",
    "2024-06-01",
  ])
  #expect(result.status == 3)
  let lines = result.output.split(separator: "\n")
  #expect(lines.count == 4)
  #expect(lines[1].hasPrefix(#"{"line":2,"error":"#))
  #expect(lines[2].contains(#""kind":"missing_facts""#))
  #expect(lines[3].contains("\"benefit_fen\":{\"value\":67100}"))
}

@Test func aBuiltFileRunsAndACorruptOneIsRefused() throws {
  let directory = try temporaryDirectory("build")
  defer { try? FileManager.default.removeItem(at: directory) }
  let compiled = directory.appendingPathComponent("w1.rgc")
  #expect(
    try regula(["build", "Examples/minimum-living-allowance-w1/w1.regula", "-o", compiled.path])
      .status == 0)
  let result = try regula([
    "eval", compiled.path, "--input",
    "Examples/minimum-living-allowance-w1/example-application.json", "--as-of",
    "2024-06-01",
  ])
  #expect(result.status == 0, "\(result.errors)")
  #expect(result.output.contains("\"benefit_fen\":{\"value\":67100}"))
  let disassembly = try regula(["disasm", compiled.path])
  #expect(disassembly.status == 0)
  #expect(disassembly.output.contains("`benefit_fen`"))
  // The code untraced evaluations run: `standard` (needed by `local_standard` alone) is
  // inlined, `local_standard` (needed in four places) is still called.
  let inlined = try regula(["disasm", "--inlined", compiled.path])
  #expect(inlined.status == 0, "\(inlined.errors)")
  let section = inlined.output.components(separatedBy: "calls inlined").last ?? ""
  #expect(inlined.output.contains("fast section from @"))
  #expect(!section.contains("call              r0, `standard`"))
  #expect(section.contains("call              r0, `local_standard`"))
  var bytes = Array(try Data(contentsOf: compiled))
  bytes[bytes.count / 2] ^= 0xFF
  try Data(bytes).write(to: compiled)
  let corrupt = try regula([
    "eval", compiled.path, "--input",
    "Examples/minimum-living-allowance-w1/example-application.json",
  ])
  #expect(corrupt.status == 1)
  #expect(corrupt.errors.contains("not a valid compiled policy"))
}

@Test func aFileBuiltForOneDateDecidesThatDateOnly() throws {
  let directory = try temporaryDirectory("special")
  defer { try? FileManager.default.removeItem(at: directory) }
  let compiled = directory.appendingPathComponent("w1.rgc")
  let build = try regula([
    "build", "Examples/minimum-living-allowance-w1/w1.regula", "-o", compiled.path, "--as-of",
    "2024-06-01",
  ])
  #expect(build.status == 0, "\(build.errors)")
  let arguments = [
    "eval", compiled.path, "--input",
    "Examples/minimum-living-allowance-w1/example-application.json",
    "--format", "json", "--as-of",
  ]
  let same = try regula(arguments + ["2024-06-01"])
  #expect(same.status == 0, "\(same.errors)")
  #expect(same.output.contains("\"benefit_fen\":{\"value\":67100}"))
  let other = try regula(arguments + ["2024-07-01"])
  #expect(other.status != 0)
  #expect(other.errors.contains("specialised for 2024-06-01"), "\(other.errors)")
  #expect(try regula(["disasm", compiled.path]).output.contains("specialised for 2024-06-01"))
  let bad = try regula([
    "build", "Examples/minimum-living-allowance-w1/w1.regula", "-o", compiled.path, "--as-of",
    "June",
  ])
  #expect(bad.status == 1)
  #expect(bad.errors.contains("`--as-of June` is not a date"))
}

@Test func evalExplainsADecisionDownToTheArticle() throws {
  let result = try regula([
    "eval", "Examples/minimum-living-allowance-w1/w1.regula", "--input",
    "Examples/minimum-living-allowance-w1/example-application.json", "--as-of", "2024-06-01",
    "--explain", "--format", "text",
  ])
  #expect(result.status == 0, "\(result.errors)")
  #expect(result.output.contains("eligible = true  [reason ok]  — Workload W1, Rule 7"))
  #expect(result.output.contains("    per_capita = 1250.00 yuan  (w1.regula:72:1)"))
  #expect(
    result.output.contains(
      "    per_capita (1250.00 yuan) < local_standard (1510.00 yuan) — true  (w1.regula:77:5)"))
  // With --format json: one document, the record inside the trace.
  let json = try regula([
    "eval", "Examples/minimum-living-allowance-w1/w1.regula", "--input",
    "Examples/minimum-living-allowance-w1/example-application.json", "--as-of", "2024-06-01",
    "--explain", "--format", "json",
  ])
  #expect(json.status == 0, "\(json.errors)")
  let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
  #expect(object?["schema"] as? String == "regula.trace/2")
  #expect((object?["record"] as? [String: Any])?["kind"] as? String == "decided")
}

@Test func batchWithTwoJobsWritesTheSameLinesInTheSameOrder() throws {
  let directory = try temporaryDirectory("jobs")
  defer { try? FileManager.default.removeItem(at: directory) }
  let output = directory.appendingPathComponent("results.csv")
  let result = try batchW1Sample(to: output, ["--jobs", "2"])
  #expect(result.status == 0, "\(result.errors)")
  let expected = try Data(
    contentsOf: cliRepositoryRoot.appendingPathComponent(
      "Examples/minimum-living-allowance-w1/sample-expected.csv"))
  #expect(try Data(contentsOf: output) == expected)
  #expect(try regula(["batch", "x.regula", "--input", "y", "--jobs", "0"]).status != 0)
}

/// Builds and runs `Examples/embedding`, a separate package that depends on Regula by path.
/// Builds `Examples/embedding` as a package of its own (a second debug build of the library:
/// minutes on a fresh clone), so it runs when `REGULA_EMBEDDING=1` — as `.ci/run` sets it.
@Test(
  .timeLimit(.minutes(20)),
  .enabled(if: ProcessInfo.processInfo.environment["REGULA_EMBEDDING"] == "1"))
func theEmbeddingExampleBuildsAndDecides() throws {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
    "regula-embedding-build")
  process.arguments = [
    "swift", "run", "--package-path", "Examples/embedding", "--scratch-path", scratch.path,
    "EmbeddingDemo",
    "Examples/minimum-living-allowance-w1/w1.regula",
    "Examples/minimum-living-allowance-w1/example-application.json",
  ]
  process.currentDirectoryURL = cliRepositoryRoot
  let output = Pipe()
  process.standardOutput = output
  // Errors go to a file (a pipe could fill while standard output is read).
  let errors = scratch.appendingPathExtension("stderr")
  _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
  process.standardError = try FileHandle(forWritingTo: errors)
  try process.run()
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  let text = String(decoding: data, as: UTF8.self)
  let diagnostics = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
  #expect(process.terminationStatus == 0, "\(diagnostics.suffix(4000))")
  #expect(text.contains("benefit_fen = 67100"))
  #expect(text.contains("eligible = true (ok)"))
}

@Test func evalPrintsTheRecordForPeopleOrForMachines() throws {
  let arguments = [
    "eval", "Examples/minimum-living-allowance-w1/w1.regula", "--input",
    "Examples/minimum-living-allowance-w1/example-application.json", "--as-of", "2024-06-01",
  ]
  let people = try regula(arguments + ["--format", "text"])
  #expect(people.status == 0, "\(people.errors)")
  let lines = people.output.split(separator: "\n").map(String.init)
  #expect(lines.contains("  eligible     true  (reason ok)"))
  #expect(lines.contains("  benefit_fen  67100"))
  #expect(lines.contains("  members[].owns_vehicle"))
  #expect(lines.contains("as of         2024-06-01"))
  // Not a terminal: JSON by default, one line, as with --format json.
  let machines = try regula(arguments)
  #expect(machines.output.hasPrefix("{\"schema\":\"regula.decision/2\""))
  #expect(try regula(arguments + ["--format", "json"]).output == machines.output)
  let interpreted = try regula(arguments + ["--format", "text", "--engine", "interpreter"])
  #expect(interpreted.output == people.output)
}

/// `regula bench w1 --profile` counts the opcodes per W1 decision, most frequent first, adding
/// up to the total it states; `--vm-only` times the VM in blocks beside the hand-written
/// function and prints the ratio.
@Test func benchW1ProfilesAndTimesEvaluationAlone() throws {
  let policy = cliRepositoryRoot.appendingPathComponent(
    "Examples/minimum-living-allowance-w1/w1.regula"
  ).path
  let profiled = try regula([
    "bench", "w1", "--policy", policy, "--applications", "300", "--profile",
  ])
  #expect(profiled.status == 0, "\(profiled.errors)")
  let lines = profiled.output.split(separator: "\n")
  let total = try #require(
    lines.first.flatMap { $0.split(separator: ": ").last?.split(separator: " ").first }
      .flatMap { Double($0) }, "\(profiled.output)")
  let counts = lines.dropFirst().map { line -> (Double, String) in
    let parts = line.split(separator: " ")
    return (Double(parts.first ?? "") ?? -1, String(parts.last ?? ""))
  }
  #expect(counts.count >= 10 && counts.allSatisfy { $0.0 > 0 }, "\(profiled.output)")
  #expect(counts.map(\.0) == counts.map(\.0).sorted(by: >))
  #expect(abs(counts.reduce(0) { $0 + $1.0 } - total) < 0.1 * Double(counts.count))
  #expect(counts.contains { $0.1 == "call" } && counts.contains { $0.1 == "nextLoop" })
  let timed = try regula([
    "bench", "w1", "--policy", policy, "--applications", "300", "--runs", "1", "--vm-only",
  ])
  #expect(timed.status == 0, "\(timed.errors)")
  let ratio = timed.output.split(separator: "ratio to (a) ").last.flatMap {
    Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
  }
  #expect((ratio ?? 0) > 0, "\(timed.output)")
}

/// `regula bench policies` decides every test application of each policy found and prints one
/// line per policy; a folder without tests is an error.
@Test func benchPoliciesMeasuresEachPolicysTestApplications() throws {
  let examples = cliRepositoryRoot.appendingPathComponent("Examples/tutorial").path
  let result = try regula(["bench", "policies", examples, "--runs", "1", "--decisions", "50"])
  #expect(result.status == 0, "\(result.errors)")
  let line = result.output.split(separator: "\n").first { $0.hasPrefix("w1-tutorial ") }
  let columns = try #require(line, "\(result.output)").split(separator: " ")
  // The name, the number of cases, and four positive rates (eval only, in blocks, the
  // image's code, end to end).
  #expect(columns.count == 6, "\(columns)")
  #expect(Int(columns[1]) ?? 0 > 0)
  #expect(columns.dropFirst(2).allSatisfy { Int($0.filter(\.isNumber)) ?? 0 > 0 })
  // The opcode profile: shares of the dispatches, the most frequent first, that add up to at
  // most 100%.
  let profiled = try regula(["bench", "policies", examples, "--profile"])
  #expect(profiled.status == 0, "\(profiled.errors)")
  let shares = profiled.output.split(separator: "\n").prefix { !$0.hasPrefix("pairs") }
    .compactMap {
      Double($0.split(separator: "%").first?.trimmingCharacters(in: .whitespaces) ?? "")
    }
  #expect(shares.count >= 5, "\(profiled.output)")
  #expect(shares == shares.sorted(by: >) && shares.reduce(0, +) <= 100.01)
  #expect(profiled.output.contains("% call") || profiled.output.contains("%  call"))
  let empty = try regula([
    "bench", "policies", cliRepositoryRoot.appendingPathComponent("Docs").path,
  ])
  #expect(empty.status != 0)
  #expect(empty.errors.contains("no `*-tests.regula` file"))
}
