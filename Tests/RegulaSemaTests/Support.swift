// Test support: marker-positioned diagnostics (1️⃣ 2️⃣ …) and golden files.
import Foundation
import RegulaSema
import Testing

/// Removes marker emoji from `source` and returns the clean text and each marker's byte offset.
func extractMarkers(_ source: String) -> (text: String, markers: [String: Int]) {
  let names = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]
  var text = source
  var markers: [String: Int] = [:]
  while let (name, range) = names.compactMap({ name in text.range(of: name).map { (name, $0) } })
    .min(by: { $0.1.lowerBound < $1.1.lowerBound })
  {
    markers[name] = text.utf8.distance(from: text.utf8.startIndex, to: range.lowerBound)
    text.removeSubrange(range)
  }
  return (text, markers)
}

/// Checks `source` (a policy at `main.regula`, plus optional other files) and returns the
/// diagnostics and the clean text.
func diagnose(_ source: String, files: [String: String] = [:]) -> (
  diagnostics: [Diagnostic], markers: [String: Int], sources: SourceManager
) {
  let (text, markers) = extractMarkers(source)
  var all = files
  all["main.regula"] = text
  let (result, sources) = TypeChecker.check(path: "main.regula", files: all)
  return (result.diagnostics, markers, sources)
}

/// Asserts that checking `source` reports exactly `expected` (code at marker), in order.
func assertDiagnostics(
  _ source: String, files: [String: String] = [:], _ expected: [(DiagnosticCode, String)],
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let (diagnostics, markers, sources) = diagnose(source, files: files)
  let actual = diagnostics.map { "\($0.code.rawValue)@\($0.span.bytes.lowerBound)" }
  let wanted = expected.map { "\($0.0.rawValue)@\(markers[$0.1] ?? -1)" }
  #expect(
    actual == wanted,
    Comment(rawValue: "\n" + DiagnosticRenderer(sources: sources).render(diagnostics)),
    sourceLocation: sourceLocation)
}

/// The repository root, found from this file's path.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Compares `actual` with the golden file at `Tests/Golden/<relative>`; records it when
/// `RECORD_GOLDEN=1`.
func assertGolden(
  _ actual: String, _ relative: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  let url = repositoryRoot.appendingPathComponent("Tests/Golden").appendingPathComponent(relative)
  if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
    try? FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try? Data(actual.utf8).write(to: url)
    return
  }
  guard let data = FileManager.default.contents(atPath: url.path) else {
    Issue.record(
      "missing golden file \(relative); run `RECORD_GOLDEN=1 swift test`",
      sourceLocation: sourceLocation)
    return
  }
  #expect(
    String(decoding: data, as: UTF8.self) == actual, "golden \(relative) differs",
    sourceLocation: sourceLocation)
}

/// Every `.regula` file under a repository folder, sorted.
func regulaFiles(under folder: String) -> [URL] {
  let root = repositoryRoot.appendingPathComponent(folder)
  guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
  else {
    return []
  }
  return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "regula" }
    .sorted { $0.path < $1.path }
}

/// `source` parses without a diagnostic and formats to itself.
func assertFormatsAsWritten(_ source: String, sourceLocation: SourceLocation = #_sourceLocation) {
  var sources = SourceManager()
  let id = sources.add(path: "p.regula", bytes: Array(source.utf8))
  let parsed = Parser.parse(sources[id])
  #expect(parsed.diagnostics.isEmpty, sourceLocation: sourceLocation)
  #expect(
    Formatter.format(parsed.syntax, file: sources[id]) == source, sourceLocation: sourceLocation)
}
