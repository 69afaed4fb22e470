// Random input never crashes or hangs the lexer, parser, checker or formatter.
// Seeded, so a failure reproduces; `REGULA_FUZZ_CASES` raises the count for long runs.
import Foundation
import RegulaSema
import Testing

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64).
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

let fuzzCases = Int(ProcessInfo.processInfo.environment["REGULA_FUZZ_CASES"] ?? "") ?? 600

/// Runs every front-end stage on `bytes`; the test passes if this returns.
func runFrontEnd(_ bytes: [UInt8]) {
  let (result, sources) = TypeChecker.check(
    path: "f.regula", read: { $0 == "f.regula" ? bytes : nil })
  _ = DiagnosticRenderer(sources: sources).render(result.diagnostics)
  let file = SourceFile(id: .init(0), path: "f.regula", bytes: bytes)
  let parsed = Parser.parse(file)
  if !parsed.diagnostics.containsErrors {
    let text = Formatter.format(parsed.syntax, file: file)
    #expect(
      !Parser.parse(SourceFile(id: .init(0), path: "g", text: text)).diagnostics.containsErrors)
  }
}

@Test func randomBytesNeverCrash() {
  var rng = SplitMix64(seed: 0xC0FFEE)
  for _ in 0..<fuzzCases {
    let count = Int.random(in: 0..<300, using: &rng)
    runFrontEnd((0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) })
  }
}

@Test func randomTokenSoupNeverCrashes() {
  var rng = SplitMix64(seed: 0xBADC0DE)
  let vocabulary =
    Keyword.allCases.map(\.rawValue) + Symbol.allCases.map(\.rawValue)
    + [
      "x", "application", "Money", "Int", "12", "0.5", "3%", "2024-01-31", "\"t\"", "months",
      "yuan", "\n", "round", "SH",
    ]
  for _ in 0..<fuzzCases {
    let count = Int.random(in: 0..<120, using: &rng)
    let text =
      "policy p\n"
      + (0..<count).map { _ in vocabulary.randomElement(using: &rng)! }.joined(separator: " ")
    runFrontEnd(Array(text.utf8))
  }
}

@Test func mutatedRuleFilesNeverCrash() throws {
  var rng = SplitMix64(seed: 0x5EED)
  let seeds = repositoryRuleFiles.compactMap {
    FileManager.default.contents(atPath: $0.path).map(Array.init)
  }
  try #require(!seeds.isEmpty)
  for _ in 0..<fuzzCases {
    var bytes = seeds.randomElement(using: &rng)!
    for _ in 0..<Int.random(in: 1...8, using: &rng) where !bytes.isEmpty {
      let position = Int.random(in: 0..<bytes.count, using: &rng)
      switch Int.random(in: 0..<4, using: &rng) {
      case 0: bytes.remove(at: position)
      case 1: bytes.insert(bytes[Int.random(in: 0..<bytes.count, using: &rng)], at: position)
      case 2: bytes[position] = UInt8.random(in: 0...255, using: &rng)
      default:
        let end = min(bytes.count, position + Int.random(in: 1...40, using: &rng))
        bytes.removeSubrange(position..<end)
      }
    }
    runFrontEnd(bytes)
  }
}
