// Limits (issue 12, Docs/limits.md): every input past a limit ends in a diagnostic or an
// error naming the limit, never a crash; just under it, both engines decide and agree.
import Foundation
import Regula
import Testing

/// A policy deciding `d` from a chain of `terms` operands joined by `op`.
func chainPolicy(_ op: String, terms: Int) -> (String, String) {
  let header = "policy chain\ninput application { x: Int, b: Bool, o: Int? }\n"
  switch op {
  case "and", "or":
    return (
      header + "decision d: Bool = "
        + Array(repeating: "application.b", count: terms).joined(separator: " \(op) ") + "\n",
      #"{"x":1,"b":true}"#
    )
  case "??":
    return (
      header + "decision d: Int = "
        + Array(repeating: "application.o", count: terms).joined(separator: " ?? ") + " ?? 0\n",
      #"{"x":1,"b":true,"o":null}"#
    )
  case "not":
    return (
      header + "decision d: Bool = " + String(repeating: "not ", count: terms) + "application.b\n",
      #"{"x":1,"b":true}"#
    )
  case "neg":
    return (
      header + "decision d: Int = " + String(repeating: "- ", count: terms) + "application.x\n",
      #"{"x":1,"b":true}"#
    )
  default:
    return (
      header + "decision d: Int = "
        + Array(repeating: "application.x", count: terms).joined(separator: " \(op) ") + "\n",
      #"{"x":1,"b":true}"#
    )
  }
}

let chainOperators = ["+", "-", "*", "and", "or", "??", "not", "neg"]

/// Just under the height limit, a chain of every operator compiles, formats, and decides the
/// same on both engines — on the test's own thread, a worker of the cooperative pool.
@Test(arguments: chainOperators)
func aChainJustUnderTheLimitIsDecided(_ op: String) throws {
  let (source, json) = chainPolicy(op, terms: 250)
  let files = ["chain.regula": Array(source.utf8)]
  let compiled = CompiledPolicy.compile(path: "chain.regula") { files[$0] }
  let policy = try #require(compiled.result.output, "\(op): \(compiled.result.diagnostics)")
  let input = try InputReader(program: try #require(policy.program)).read(
    try JSONReader.parse(Array(json.utf8)))
  let (interpreted, machined) = bothAnswers(
    policy, input: input, asOf: date("2024-06-01"), jurisdiction: "national")
  #expect(interpreted == machined, "\(op)")
  #expect(!interpreted.hasPrefix("error"), "\(op): \(interpreted)")
  let file = SourceFile(id: .init(0), path: "chain.regula", text: source)
  let parsed = Parser.parse(file)
  #expect(parsed.diagnostics.isEmpty)
  #expect(!Formatter.format(parsed.syntax, file: file).isEmpty)
}

/// Far past it — a million terms of `+`, a hundred thousand of each other operator, a
/// hundred thousand `.field`s — the result is one R0108 diagnostic (R0106 for alternating
/// prefixes), with no crash in the parser, the checker or the renderer.
@Test(arguments: chainOperators + ["field", "alternating"])
func aChainFarPastTheLimitIsOneDiagnostic(_ op: String) throws {
  var source: String
  switch op {
  case "field":
    source =
      "policy chain\ninput application { x: Int }\ndecision d: Int = application"
      + String(repeating: ".x", count: 100_000) + "\n"
  case "alternating":
    source =
      "policy chain\ninput application { x: Int }\ndecision d: Int = "
      + String(repeating: "- not ", count: 100_000) + "application.x\n"
  default:
    source = chainPolicy(op, terms: op == "+" ? 1_000_000 : 100_000).0
  }
  let files = ["chain.regula": Array(source.utf8)]
  let (result, sources) = CompiledPolicy.compile(path: "chain.regula") { files[$0] }
  #expect(result.output == nil)
  let codes = result.diagnostics.map(\.code.rawValue)
  #expect(codes.first == (op == "alternating" ? "R0106" : "R0108"), "\(op): \(codes)")
  // The rendered diagnostic shows a window of the long line, not all of it.
  let rendered = DiagnosticRenderer(sources: sources).render(result.diagnostics[0])
  #expect(rendered.count < 1_000, "\(rendered.count) characters")
}

/// A chain of 998 rules, each calling the previous, is decided by both engines (the
/// interpreter recurses on a thread with a large stack); a chain whose summed depth passes
/// `IRProgram.maximumEvaluationDepth` is R0602 before either engine runs.
@Test func deepChainsOfCallsAreDecidedOrRefusedBeforeRunning() throws {
  func rules(_ count: Int, terms: Int) -> String {
    var lines = ["policy calls", "input application { x: Int }", "rule r0: Int = application.x"]
    for index in 1...count {
      lines.append("rule r\(index): Int = r\(index - 1)" + String(repeating: " + 1", count: terms))
    }
    lines.append("decision d: Int = r\(count)")
    return lines.joined(separator: "\n") + "\n"
  }
  let files = ["calls.regula": Array(rules(998, terms: 1).utf8)]
  let policy = try #require(
    CompiledPolicy.compile(path: "calls.regula") { files[$0] }.result.output)
  let (interpreted, machined) = bothAnswers(
    policy, input: .record([.int(1)]), asOf: date("2024-06-01"), jurisdiction: "national")
  #expect(interpreted == machined)
  #expect(interpreted.contains(#""d":{"value":999}"#), "\(interpreted)")
  let deep = ["calls.regula": Array(rules(40, terms: 200).utf8)]
  let refused = CompiledPolicy.compile(path: "calls.regula") { deep[$0] }.result
  #expect(refused.output == nil)
  #expect(refused.diagnostics.map(\.code.rawValue) == ["R0602"])
}

/// Limit `number_size` is the same on both engines (issue 12, items 4 and 5): squaring an
/// input 40 times stops both with the same error; a number literal or an input number over
/// 9,000 characters is refused where it is read, naming the limit, never read as `none`.
@Test func numberSizeIsOneLimitForBothEnginesAndTheReaders() throws {
  var rules = [
    "policy squares", "input application { x: Int, y: Int?, z: Decimal }",
    "rule r0: Int = application.x",
  ]
  for index in 1...40 { rules.append("rule r\(index): Int = r\(index - 1) * r\(index - 1)") }
  rules.append("decision d: Int = r40")
  rules.append("decision e: Int = (application.y ?? 0) + 1")
  rules.append("decision f: Decimal = application.z + 1")
  let source = rules.joined(separator: "\n") + "\n"
  let files = ["squares.regula": Array(source.utf8)]
  let policy = try #require(
    CompiledPolicy.compile(path: "squares.regula") { files[$0] }.result.output)
  let program = try #require(policy.program)
  let input = try InputReader(program: program).read(
    try JSONReader.parse(Array(#"{"x":3,"z":"0.5"}"#.utf8)))
  let (interpreted, machined) = bothAnswers(
    policy, input: input, asOf: date("2024-06-01"), jurisdiction: "national")
  #expect(interpreted == machined)
  #expect(
    interpreted == "error: a number exceeded 65536 bits (limit `number_size`)", "\(interpreted)")

  // Input numbers: 9,000 characters are read and decided alike; 9,001 are an input error of
  // the field, on both readers, for an Int, an Int? and a Decimal given as a string.
  let long = String(repeating: "7", count: 9_000)
  let tooLong = String(repeating: "7", count: 9_001)
  let fits = #"{"x":0,"y":\#(long),"z":"0.\#(String(long.dropFirst(2)))"}"#
  let read = try InputReader(program: program).read(try JSONReader.parse(Array(fits.utf8)))
  let (fitInterpreted, fitMachined) = bothAnswers(
    policy, input: read, asOf: date("2024-06-01"), jurisdiction: "national")
  #expect(fitInterpreted == fitMachined)
  #expect(fitInterpreted.contains(#""e":{"value":"#), "\(fitInterpreted.prefix(300))")
  for (json, path) in [
    (#"{"x":\#(tooLong),"z":"1"}"#, "x"), (#"{"x":1,"y":\#(tooLong),"z":"1"}"#, "y"),
    (#"{"x":1,"z":"\#(tooLong)"}"#, "z"), (#"{"x":1,"z":\#(tooLong)}"#, "z"),
  ] {
    var evaluator = Evaluator(policy: policy)
    do {
      _ = try evaluator.decide(json: Array(json.utf8), asOf: date("2024-06-01"))
      Issue.record("\(path): decided")
    } catch {
      guard case .application(let problem) = error else {
        Issue.record("\(path): \(error)")
        continue
      }
      #expect(problem.path == path)
      #expect("\(problem)".contains("limit `number_size`"), "\(problem)")
    }
    #expect(throws: (any Error).self) {
      _ = try InputReader(program: program).read(try JSONReader.parse(Array(json.utf8)))
    }
  }
  // A literal over the limit is R0004 when the file is read.
  let literal = "policy l\ninput application { x: Int }\ndecision d: Int = \(tooLong)\n"
  let literalFiles = ["l.regula": Array(literal.utf8)]
  let refused = CompiledPolicy.compile(path: "l.regula") { literalFiles[$0] }.result
  #expect(refused.diagnostics.map(\.code.rawValue) == ["R0004"])
  #expect(Lexer.maximumNumberLength == NumberLimits.maximumNumberCharacters)
}

/// Input sizes (issue 12, item 7): a document, an array and a string over their limits are
/// refused by the JSON reader (an array as soon as it passes the limit, not after reading
/// the rest), and by the evaluator before its fast reader looks at the bytes.
@Test func inputSizesAreLimitedWhereTheyAreRead() throws {
  let items = Array(repeating: "1", count: JSONReader.maximumArrayItems + 1).joined(separator: ",")
  #expect(throws: JSONError.self) { _ = try JSONReader.parse(Array("[\(items)]".utf8)) }
  do {
    _ = try JSONReader.parse(Array("[\(items)]".utf8))
  } catch {
    #expect("\(error)".contains("limit `list_length`"), "\(error)")
  }
  let fits = Array(repeating: "1", count: JSONReader.maximumArrayItems).joined(separator: ",")
  #expect((try? JSONReader.parse(Array("[\(fits)]".utf8))) != nil)
  let text = String(repeating: "x", count: JSONReader.maximumStringBytes + 1)
  #expect(throws: JSONError.self) { _ = try JSONReader.parse(Array("\"\(text)\"".utf8)) }
  #expect((try? JSONReader.parse(Array("\"\(text.dropFirst())\"".utf8))) != nil)
  let document =
    [UInt8](repeating: UInt8(ascii: " "), count: JSONReader.maximumDocumentBytes) + [
      UInt8(ascii: "1")
    ]
  #expect(throws: JSONError.self) { _ = try JSONReader.parse(document) }
  // The evaluator refuses the document before reading it, fast path included.
  let policy = try #require(compilePolicy(tutorialPath))
  var evaluator = Evaluator(policy: policy)
  #expect(throws: DecisionError.self) {
    _ = try evaluator.decide(json: document, asOf: date("2024-06-01"))
  }
  // A Text field over the limit is an input error on the fast path too.
  let source = "policy t\ninput application { name: Text }\ndecision d: Text = application.name\n"
  let files = ["t.regula": Array(source.utf8)]
  let texts = try #require(CompiledPolicy.compile(path: "t.regula") { files[$0] }.result.output)
  var reader = Evaluator(policy: texts)
  #expect(throws: DecisionError.self) {
    _ = try reader.decide(json: Array(#"{"name":"\#(text)"}"#.utf8), asOf: date("2024-06-01"))
  }
  #expect(
    (try? reader.decide(
      json: Array(#"{"name":"\#(text.dropFirst())"}"#.utf8), asOf: date("2024-06-01")))
      != nil)
}

/// Source sizes: a rule file over 64 MiB is R0007 without being parsed; an enum over 100,000
/// cases is R0317; 50,000 cases with a table over them check and build (in linear time: the
/// quadratic lookups of issue 12, item 6, are gone).
@Test func sourceAndEnumSizesAreLimited() throws {
  let huge = [UInt8](repeating: UInt8(ascii: " "), count: (64 << 20) + 1)
  let (result, _) = CompiledPolicy.compile(path: "huge.regula") { _ in huge }
  #expect(result.diagnostics.map(\.code.rawValue) == ["R0007"])
  func enumPolicy(_ count: Int) -> [UInt8] {
    let cases = (0..<count).map { "c\($0)" }.joined(separator: ", ")
    let table = (0..<count).map { "c\($0): \($0)" }.joined(separator: ", ")
    return Array(
      "policy e\nenum E { \(cases) }\ninput application { e: E }\nparameter t: Int by E = { \(table) }\ndecision d: Int = t[application.e]\n"
        .utf8)
  }
  let tooMany = enumPolicy(100_001)
  let refused = CompiledPolicy.compile(path: "e.regula") { _ in tooMany }.result
  #expect(refused.diagnostics.map(\.code.rawValue).contains("R0317"))
  let many = enumPolicy(50_000)
  let clock = ContinuousClock()
  var built: CompiledPolicy?
  let elapsed = clock.measure {
    built = CompiledPolicy.compile(path: "e.regula") { _ in many }.result.output
  }
  let policy = try #require(built)
  // Generous: a quadratic step took minutes at this size.
  #expect(elapsed < .seconds(60), "\(elapsed)")
  var evaluator = Evaluator(policy: policy)
  let record = try evaluator.decide(json: Array(#"{"e":"c49999"}"#.utf8), asOf: date("2024-06-01"))
  #expect(record.decisions.first?.json == "49999")
}

/// The batch line reader on lines over its limit at the end of the file, with or without a
/// line break, whatever the chunk size: each is one oversized line, never a lost one (both
/// found by `Fuzz/run-all.sh`, target FuzzBatchLines).
@Test func theLineReaderNeverLosesALineOverTheLimit() throws {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "regula-lines-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: folder) }
  let cases: [(String, [(Int, Int?)])] = [
    (String(repeating: "x", count: 30), [(1, 30)]),
    ("ab\n" + String(repeating: "y", count: 40), [(1, nil), (2, 40)]),
    (String(repeating: "z", count: 50) + "\n\nok\n", [(1, 50), (3, nil)]),
    ("{}\n  \n" + String(repeating: "w", count: 25) + "\r\n", [(1, nil), (3, 26)]),
  ]
  for (index, (text, expected)) in cases.enumerated() {
    let path = folder.appendingPathComponent("\(index).jsonl").path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    for chunk in [1, 2, 7, 64, 1 << 22] {
      let reader = try #require(LineReader(path: path, chunkSize: chunk, maximumLineBytes: 24))
      var found: [(Int, Int?)] = []
      while let block = reader.nextBlock() {
        for line in block.lines { found.append((line.number, block.oversized[line.number])) }
      }
      #expect(
        found.map(\.0) == expected.map(\.0) && found.map(\.1) == expected.map(\.1),
        "case \(index), chunks of \(chunk): \(found)")
    }
  }
}

/// Blocks given back to the line reader (`recycle`) are read into again: the lines read are
/// the same as without recycling, whatever the chunk size (lines split across reads, over the
/// limit, blank), and a block the caller kept a copy of stays as it was read.
@Test func recycledBlocksReadTheSameLinesAndKeptCopiesStayIntact() throws {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "regula-recycle-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: folder) }
  var random = SplitMix64(seed: 0x5EC_1C1E)
  var text = ""
  for number in 0..<400 {
    let length = Int(random.next() % (number % 50 == 0 ? 90 : 40))
    text += String(repeating: Character(UnicodeScalar(UInt8(97 + number % 26))), count: length)
    text += random.next() % 9 == 0 ? "\r\n" : "\n"
  }
  let path = folder.appendingPathComponent("lines.jsonl").path
  try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  typealias Line = (number: Int, text: String, oversized: Int?)
  func lines(of block: LineBlock) -> [Line] {
    block.lines.map {
      (
        $0.number, String(decoding: block.bytes[$0.bytes], as: UTF8.self),
        block.oversized[$0.number]
      )
    }
  }
  for chunk in [1, 5, 64, 300, 1 << 22] {
    let plain = try #require(LineReader(path: path, chunkSize: chunk, maximumLineBytes: 60))
    var expected: [Line] = []
    while let block = plain.nextBlock() { expected += lines(of: block) }
    let reader = try #require(LineReader(path: path, chunkSize: chunk, maximumLineBytes: 60))
    var found: [Line] = []
    var kept: [(block: LineBlock, lines: [Line])] = []
    var count = 0
    while var block = reader.nextBlock() {
      let read = lines(of: block)
      found += read
      // Every third block is kept (a copy), the others are only given back.
      if count % 3 == 0 { kept.append((block, read)) }
      count += 1
      reader.recycle(&block)
    }
    #expect(found.count == expected.count && (count > 1 || chunk == 1 << 22), "chunks of \(chunk)")
    for (one, other) in zip(found, expected) {
      #expect(one.number == other.number && one.text == other.text)
      #expect(one.oversized == other.oversized)
    }
    for (block, read) in kept {
      #expect(lines(of: block).map(\.text) == read.map(\.text), "chunks of \(chunk)")
    }
  }
}
