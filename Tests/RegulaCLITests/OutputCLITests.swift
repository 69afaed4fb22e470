// Output that never lies (issue 12, item 3): a failed write to standard output or to a file is
// an error naming it with the OS error and exit 1; `--output` refuses what is not a regular
// file and leaves it as it was; a symbolic link is written through.
import Foundation
import Testing

@testable import RegulaCLI

/// Runs `regula` through the shell, for redirections and resource limits; `script` gets the
/// binary as `$R`.
func regulaInShell(_ script: String) throws -> RunResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/sh")
  process.arguments = ["-c", script]
  process.currentDirectoryURL = cliRepositoryRoot
  process.environment = ["R": regulaBinary.path, "PATH": "/usr/bin:/bin"]
  let errors = Pipe()
  process.standardError = errors
  process.standardOutput = FileHandle.nullDevice
  try process.run()
  let errData = errors.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return RunResult(
    status: process.terminationStatus, output: "", errors: String(decoding: errData, as: UTF8.self))
}

let w1PolicyPath = "Examples/minimum-living-allowance-w1/w1.regula"
let w1SamplePath = "Examples/minimum-living-allowance-w1/sample-applications.jsonl"

@Test func aFullStandardOutputIsAnErrorNotASilentSuccess() throws {
  guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
  let commands = [
    "$R eval \(w1PolicyPath) --input Examples/minimum-living-allowance-w1/example-application.json --as-of 2024-06-01",
    "$R batch \(w1PolicyPath) --input \(w1SamplePath) --as-of 2024-06-01",
    "$R check \(w1PolicyPath)",
    "$R test \(w1PolicyPath)",
  ]
  for command in commands {
    let result = try regulaInShell(command + " > /dev/full")
    #expect(result.status == 1, "\(command): \(result.errors)")
    #expect(result.errors.contains("No space left on device"), "\(command): \(result.errors)")
  }
}

@Test func outputRefusesWhatIsNotARegularFileAndLeavesItAlone() throws {
  let folder = try temporaryDirectory("outputs")
  defer { try? FileManager.default.removeItem(at: folder) }
  let fifo = folder.appendingPathComponent("fifo").path
  #expect(mkfifo(fifo, 0o644) == 0)
  let cases: [(String, String)] = [
    ("/dev/full", "it is a device"), ("/dev/null", "it is a device"),
    (folder.path, "it is a directory"), (fifo, "it is a FIFO"),
  ]
  for (path, reason) in cases {
    let result = try regula([
      "batch", w1PolicyPath, "--input", w1SamplePath, "--as-of", "2024-06-01", "--output", path,
    ])
    #expect(result.status == 1, "\(path)")
    #expect(result.errors.contains("cannot write `\(path)`: \(reason)"), "\(result.errors)")
  }
  var status = stat()
  #expect(stat("/dev/full", &status) == 0 && status.st_mode & S_IFMT == S_IFCHR)
  #expect(stat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
  // A symbolic link is opened, not replaced: the results land in its target.
  let target = folder.appendingPathComponent("target.jsonl")
  let link = folder.appendingPathComponent("link.jsonl")
  try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
  let linked = try regula([
    "batch", w1PolicyPath, "--input", w1SamplePath, "--as-of", "2024-06-01", "--output", link.path,
  ])
  #expect(linked.status == 0, "\(linked.errors)")
  #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == target.path)
  #expect(try String(contentsOf: target, encoding: .utf8).split(separator: "\n").count == 3_000)
}

@Test func aFileThatCannotGrowIsAnErrorNamingIt() throws {
  let folder = try temporaryDirectory("file-size")
  defer { try? FileManager.default.removeItem(at: folder) }
  let output = folder.appendingPathComponent("results.jsonl").path
  // A file size limit (SIGXFSZ ignored) makes writes fail as a full disk does.
  let result = try regulaInShell(
    "ulimit -f 8; trap '' XFSZ; exec $R batch \(w1PolicyPath) --input \(w1SamplePath) --as-of 2024-06-01 --output \(output)"
  )
  #expect(result.status == 1, "\(result.errors)")
  #expect(result.errors.contains("cannot write `\(output)`: File too large"), "\(result.errors)")
}

/// Honest batch lines (issue 12): an error line names the application's `id` when the line
/// has one, a line over `line_size` is one error line (the others are decided), and the
/// summary says "1 error".
@Test func batchErrorLinesNameTheApplicationAndTheLine() throws {
  let folder = try temporaryDirectory("batch-lines")
  defer { try? FileManager.default.removeItem(at: folder) }
  let good = try String(
    contentsOf: cliRepositoryRoot.appendingPathComponent(
      "Examples/minimum-living-allowance-w1/example-application.json"), encoding: .utf8
  ).replacingOccurrences(of: "\n", with: "")
  let oversized =
    #"{"id":"BIG","members":["# + String(repeating: #"{"age":1},"#, count: 1_700_000)
    + #"{"age":1}]}"#
  let input = folder.appendingPathComponent("in.jsonl")
  try Data(
    [good, #"{"id":"X7","members":7}"#, oversized, good].joined(separator: "\n").utf8
  ).write(to: input)
  let result = try regula([
    "batch", w1PolicyPath, "--input", input.path, "--as-of", "2024-06-01",
  ])
  #expect(result.status == 3)
  let lines = result.output.split(separator: "\n").map(String.init)
  #expect(lines.count == 4)
  #expect(lines[1].hasPrefix(#"{"line":2,"id":"X7","error":"#), "\(lines[1])")
  #expect(lines[2].hasPrefix(#"{"line":3,"error":"the line has "#), "\(lines[2].prefix(200))")
  #expect(lines[2].contains("limit `line_size`"))
  #expect(lines[3].contains(#""kind":"decided""#))
  #expect(result.errors.contains("4 applications, 2 errors,"), "\(result.errors)")
  let one = try regula([
    "batch", w1PolicyPath, "--input", input.path, "--as-of", "2024-06-01", "--decision",
    "eligible",
  ])
  #expect(one.output.split(separator: "\n").first?.contains(#""benefit_fen""#) == false)
}

/// `regula fmt --check` shows what it would change as a unified diff (issue 18, item 5).
@Test func formatCheckPrintsADiff() throws {
  let folder = try temporaryDirectory("fmt-diff")
  defer { try? FileManager.default.removeItem(at: folder) }
  let file = folder.appendingPathComponent("p.regula")
  try Data(
    "policy p\ninput application { x: Int }\ndecision d: Int   =   application.x\n".utf8
  ).write(to: file)
  let result = try regula(["fmt", "--check", file.path])
  #expect(result.status == 1)
  #expect(result.output.contains("--- \(file.path)\n+++ \(file.path) (formatted)\n@@ -1,3 +1,5 @@"))
  #expect(result.output.contains("-decision d: Int   =   application.x\n"))
  #expect(result.output.contains("+decision d: Int = application.x\n"))
  #expect(TextDiff.unified(old: "a\nb\n", new: "a\nb\n", oldName: "x", newName: "y") == "")
  let diff = TextDiff.unified(
    old: "1\n2\n3\n4\n5\n6\n7\n8\n9\n", new: "1\n2\n3\n4\nfive\n6\n7\n8\n9\n", oldName: "x",
    newName: "y")
  #expect(diff == "--- x\n+++ y\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n")
}

/// `--resume` reads only the end of the output, back to its last complete line, however long
/// that line is (several of its reading chunks here), and drops a partial line after it.
@Test func resumeFindsTheLastCompleteLineFromTheEnd() throws {
  let folder = try temporaryDirectory("resume-tail")
  defer { try? FileManager.default.removeItem(at: folder) }
  let file = folder.appendingPathComponent("out.jsonl")
  let first = #"{"line":1,"x":1}"# + "\n"
  let long = #"{"line":22,"x":""# + String(repeating: "y", count: 200_000) + "\"}\n"
  try Data((first + long + #"{"line":23,"x"#).utf8).write(to: file)
  let kept = try Resume.keepCompleteLines(of: file.path, csvHeader: false)
  #expect(kept.lastLine == 22)
  #expect(kept.bytes == first.utf8.count + long.utf8.count)
  #expect(try Data(contentsOf: file).count == kept.bytes)
  // A csv file holding only its header resumes from the start; one with no line break is
  // emptied.
  try Data("line,id\n1,a\n".utf8).write(to: file)
  #expect(try Resume.keepCompleteLines(of: file.path, csvHeader: true).lastLine == 1)
  try Data("line,id\n".utf8).write(to: file)
  #expect(try Resume.keepCompleteLines(of: file.path, csvHeader: true).lastLine == 0)
  try Data("partial".utf8).write(to: file)
  #expect(try Resume.keepCompleteLines(of: file.path, csvHeader: false).bytes == 0)
  #expect(try Data(contentsOf: file).isEmpty)
}
