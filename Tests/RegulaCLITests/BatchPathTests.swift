// The main job's path inside the process: the block line reader (lines split across reads,
// CRLF, blank and unterminated lines), and allocations per decision once warm.
import CAllocationCounter
import Foundation
import Regula
import Testing

@testable import RegulaCLI

private let w1Directory = cliRepositoryRoot.appendingPathComponent(
  "Examples/minimum-living-allowance-w1")

private func w1Policy() throws -> CompiledPolicy {
  try #require(
    CompiledPolicy.compile(path: w1Directory.appendingPathComponent("w1.regula").path) {
      FileManager.default.contents(atPath: $0).map { Array($0) }
    }.result.output)
}

/// Every line the reader yields, as (number, text), for any chunk size.
private func lines(of text: String, chunkSize: Int) throws -> [(Int, String)] {
  let directory = try temporaryDirectory("lines")
  defer { try? FileManager.default.removeItem(at: directory) }
  let path = directory.appendingPathComponent("in.jsonl").path
  try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  let reader = try #require(LineReader(path: path, chunkSize: chunkSize))
  var result: [(Int, String)] = []
  while let block = reader.nextBlock() {
    for line in block.lines {
      result.append((line.number, String(decoding: block.bytes[line.bytes], as: UTF8.self)))
    }
  }
  #expect(reader.bytesRead == text.utf8.count)
  return result
}

@Test(arguments: [1, 2, 3, 7, 64, 1 << 22])
func theLineReaderKeepsEveryLineWhateverTheChunkSize(chunkSize: Int) throws {
  let text = "{\"a\":1}\r\n\n   \n{\"b\":\"two words\"}\n\t\r\n{\"c\":3}"
  let got = try lines(of: text, chunkSize: chunkSize)
  #expect(got.map(\.0) == [1, 4, 6])
  #expect(got.map(\.1) == ["{\"a\":1}\r", "{\"b\":\"two words\"}", "{\"c\":3}"])
}

@Test func theLineReaderReadsAFileOfOnlyBlankLinesAsNothing() throws {
  #expect(try lines(of: "\n \n\r\n", chunkSize: 2).isEmpty)
  #expect(try lines(of: "", chunkSize: 2).isEmpty)
}

@Test func batchResultsDoNotDependOnTheChunkSize() throws {
  let policy = try w1Policy()
  let input = w1Directory.appendingPathComponent("sample-applications.jsonl").path
  let expected = try String(
    contentsOf: w1Directory.appendingPathComponent("sample-expected.csv"), encoding: .utf8)
  let directory = try temporaryDirectory("chunks")
  defer { try? FileManager.default.removeItem(at: directory) }
  // Many blocks, decided by one worker or by several (one reading the next block, one
  // writing the last, a third with no chore); with 64 KiB reads a block holds about 150
  // lines, so the threads share its chunks of 128.
  for chunkSize in [97, 4096, 1 << 16] {
    for jobs in [1, 2, 3] {
      let output = directory.appendingPathComponent("out-\(chunkSize)-\(jobs).csv").path
      let reader = try #require(LineReader(path: input, chunkSize: chunkSize))
      let sink = try OutputSink(path: output)
      let workers = try (0..<jobs).map { _ in
        BatchWorker(
          policy: policy, asOf: try CivilDate(iso8601: "2024-06-01"), jurisdiction: nil,
          shape: .csv(try CSVLayout(CSVLayout.w1Columns, policy: policy)))
      }
      let (decided, errors, _) = BatchCommand.process(reader, workers, sink, progress: nil)
      try sink.finish()
      #expect(decided == 3_000 && errors == 0)
      #expect(try String(contentsOfFile: output, encoding: .utf8) == expected)
    }
  }
}

/// Deciding in blocks writes exactly the lines deciding every line alone writes, in order:
/// refused lines (bad JSON, a value out of bounds, a wrong type, an unknown field) among the
/// decided ones, lines over the size limit, blocks split across threads, both output shapes,
/// with the date given and taken from the applications.
@Test func batchLinesAreTheSameInBlocksAndAlone() throws {
  let policy = try w1Policy()
  #expect(Evaluator(policy: policy).machine.runsInBlocks)
  let sample = try String(
    contentsOf: w1Directory.appendingPathComponent("sample-applications.jsonl"), encoding: .utf8
  ).split(separator: "\n").map(String.init)
  var lines: [String] = []
  for (index, line) in sample.prefix(700).enumerated() {
    lines.append(line)
    switch index % 97 {
    case 5: lines.append("{not json")
    case 17:
      lines.append(
        line.replacingOccurrences(
          of: "\"residence_permit_months\":", with: "\"residence_permit_months\":9999"))
    case 41:
      lines.append(
        line.replacingOccurrences(of: "\"owns_second_home\":false", with: "\"owns_second_home\":7"))
    case 63: lines.append(line.replacingOccurrences(of: "{\"id\"", with: "{\"extra\":1,\"id\""))
    case 80 where index < 97:
      lines.append(
        "{\"id\":\"" + String(repeating: "x", count: LineReader.maximumLineBytes) + "\"}")
    default: break
    }
  }
  let directory = try temporaryDirectory("blocks")
  defer { try? FileManager.default.removeItem(at: directory) }
  let input = directory.appendingPathComponent("in.jsonl").path
  try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: input))
  let shapes: [(String, BatchShape)] = [
    ("csv", .csv(try CSVLayout(CSVLayout.w1Columns, policy: policy))), ("jsonl", .jsonl),
  ]
  for (name, shape) in shapes {
    for jobs in [1, 2] {
      var outputs: [String] = []
      var counts: [String] = []
      for inBlocks in [true, false] {
        let (output, decided, errors, undecided) = try batchOutput(
          policy, input: input, shape: shape, asOf: "2024-06-01", jurisdiction: nil, jobs: jobs,
          inBlocks: inBlocks, in: directory)
        counts.append("\(decided) \(errors) \(undecided)")
        // The refused lines (four kinds, 30 in all) and the line over the limit.
        #expect(errors == 31, "\(errors) error lines")
        outputs.append(output)
      }
      #expect(outputs[0] == outputs[1], "\(name), \(jobs) jobs")
      #expect(counts[0] == counts[1] && counts[0].hasPrefix("\(lines.count) "), "\(counts)")
      // Every kind of refused line is among them.
      #expect(outputs[0].components(separatedBy: "\n").count == lines.count + 1)
    }
  }
}

/// The output of `regula batch` on the file `input` (through `BatchCommand.process`), in blocks
/// or every line alone, and its counts.
private func batchOutput(
  _ policy: CompiledPolicy, input: String, shape: BatchShape, asOf: String,
  jurisdiction: String?, jobs: Int, inBlocks: Bool, in directory: URL
) throws -> (output: String, decided: Int, errors: Int, undecided: Int) {
  let output = directory.appendingPathComponent("out-\(jobs)-\(inBlocks)").path
  let reader = try #require(LineReader(path: input, chunkSize: 1 << 16))
  let sink = try OutputSink(path: output)
  let workers = try (0..<jobs).map { _ in
    let worker = BatchWorker(
      policy: policy, asOf: try CivilDate(iso8601: asOf), jurisdiction: jurisdiction,
      shape: shape)
    worker.inBlocks = inBlocks
    return worker
  }
  let (decided, errors, undecided) = BatchCommand.process(reader, workers, sink, progress: nil)
  try sink.finish()
  return (try String(contentsOfFile: output, encoding: .utf8), decided, errors, undecided)
}

/// Every repository policy's test applications, in CSV with every column (the line, each
/// scalar input field, each decision and its reason, the missing facts, the error): the same
/// lines in blocks (written straight from the block's records) as decided alone.
@Test func csvLinesAreTheSameInBlocksAndAloneForEveryPolicy() throws {
  let directory = try temporaryDirectory("csv-blocks")
  defer { try? FileManager.default.removeItem(at: directory) }
  var files = 0
  var lines = 0
  for path in committedRuleFiles() {
    guard
      let policy = CompiledPolicy.compile(
        path: cliRepositoryRoot.appendingPathComponent(path).path,
        read: {
          FileManager.default.contents(atPath: $0).map { Array($0) }
        }
      ).result.output, let program = policy.program, let input = program.input,
      Evaluator(policy: policy).machine.runsInBlocks
    else { continue }
    let fields = policy.image.records[policy.image.inputRecord].fields
    let decisions = policy.image.definitions.filter { $0.kind == .decision }.map(\.name)
    let columns =
      ["line"] + fields.filter { CSVLayout.isScalar($0.type) }.map(\.name) + decisions
      + decisions.map { "\($0).reason" } + ["missing_facts", "error"]
    let layout = try CSVLayout(columns.joined(separator: ","), policy: policy)
    // The applications of each date and jurisdiction, a file each.
    var groups: [String: [String]] = [:]
    let firstDay = try CivilDate(iso8601: "2024-01-01")
    for test in program.tests {
      let asOf = test.asOf ?? firstDay
      var builder = Interpreter(
        program: program, input: .none, asOf: asOf, jurisdiction: "national")
      guard let given = test.given, let application = try? builder.evaluate(given) else {
        continue
      }
      let place = test.jurisdiction ?? program.level
      groups["\(asOf) \(place)", default: []].append(
        application.json(.record(input.name), in: program))
    }
    for (key, applications) in groups {
      let parts = key.split(separator: " ").map(String.init)
      let file = directory.appendingPathComponent("in.jsonl").path
      try Data((applications.joined(separator: "\n") + "\n").utf8).write(
        to: URL(fileURLWithPath: file))
      let outputs = try [true, false].map { inBlocks in
        try batchOutput(
          policy, input: file, shape: .csv(layout), asOf: parts[0], jurisdiction: parts[1],
          jobs: 1, inBlocks: inBlocks, in: directory
        ).output
      }
      #expect(outputs[0] == outputs[1], "\(path) \(key)")
      // Read back as RFC 4180 says: one row per application, one cell per column.
      let rows = parseCSV(outputs[0])
      #expect(rows?.count == applications.count, "\(path) \(key)")
      #expect(rows?.allSatisfy { $0.count == columns.count } == true, "\(path) \(key)")
      lines += applications.count
    }
    files += 1
  }
  #expect(files >= 8 && lines > 300, "\(files) policies, \(lines) lines")
}

/// Cells with commas, quotes and line breaks (a text input, a text decision, an enum case
/// named with a comma) are quoted, their quotes doubled; numbers, Booleans and reason codes,
/// which hold none, are written as they are. In blocks and alone, with and without a header.
@Test func csvCellsAreQuotedWhereverTheyNeedIt() throws {
  let directory = try temporaryDirectory("csv-quotes")
  defer { try? FileManager.default.removeItem(at: directory) }
  let source = """
    policy q
    enum Kind { plain, odd as "a, b" }
    input application { id: Text, k: Kind, n: Int, due: Date, ok: Bool }
    decision kind: Kind = application.k
    decision name: Text = application.id
    decision count: Int = application.n
    decision deadline: Date = application.due
    decision fine: Bool
      all of
        application.ok reason checked
    """
  let files = ["q.regula": Array(source.utf8)]
  let policy = try #require(CompiledPolicy.compile(path: "q.regula") { files[$0] }.result.output)
  let file = directory.appendingPathComponent("in.jsonl").path
  try Data(
    (#"{"id":"x\"y,\nz","k":"a, b","n":5,"due":"2024-02-29","ok":true}"# + "\n"
      + #"{"id":"p\r","k":"plain","n":-7,"due":"2023-01-01","ok":false}"# + "\n").utf8
  ).write(to: URL(fileURLWithPath: file))
  let layout = try CSVLayout(
    "line,id,k,n,due,ok,kind,name,count,deadline,fine,fine.reason,kind.reason", policy: policy)
  let expected =
    "1,\"x\"\"y,\nz\",\"a, b\",5,2024-02-29,true,\"a, b\",\"x\"\"y,\nz\",5,2024-02-29,true,ok,\n"
    + "2,\"p\r\",plain,-7,2023-01-01,false,plain,\"p\r\",-7,2023-01-01,false,checked,\n"
  for inBlocks in [true, false] {
    let output = try batchOutput(
      policy, input: file, shape: .csv(layout), asOf: "2024-06-01", jurisdiction: nil, jobs: 1,
      inBlocks: inBlocks, in: directory)
    #expect(output.output == expected, "in blocks: \(inBlocks)")
  }
  #expect(
    layout.header
      == Array("line,id,k,n,due,ok,kind,name,count,deadline,fine,fine.reason,kind.reason\n".utf8))
}

/// The rows of an RFC 4180 text (quoted cells may hold commas, doubled quotes, line breaks), or
/// nil when it is not one.
func parseCSV(_ text: String) -> [[String]]? {
  var rows: [[String]] = []
  var row: [String] = []
  var cell = String.UnicodeScalarView()
  var quoted = false
  var cellStarted = false
  let scalars = Array(text.unicodeScalars)
  var index = 0
  while index < scalars.count {
    let scalar = scalars[index]
    let next = index + 1 < scalars.count ? scalars[index + 1] : nil
    index += 1
    if quoted {
      if scalar == "\"" {
        if next == "\"" {
          cell.append("\"")
          index += 1
        } else {
          quoted = false
          // After a closing quote comes a comma or the line's end.
          guard next == "," || next == "\n" || next == nil else { return nil }
        }
      } else {
        cell.append(scalar)
      }
      continue
    }
    switch scalar {
    case "\"":
      guard !cellStarted else { return nil }
      quoted = true
      cellStarted = true
    case ",", "\n":
      row.append(String(cell))
      cell = String.UnicodeScalarView()
      cellStarted = false
      if scalar == "\n" {
        rows.append(row)
        row = []
      }
    case "\r":
      return nil
    default:
      cell.append(scalar)
      cellStarted = true
    }
  }
  guard !quoted, row.isEmpty, cell.isEmpty else { return nil }
  return rows
}

/// Once warm, deciding a W1 application and writing its result line allocates nothing.
@Test func decidingAndWritingALineAllocatesNothingOnceWarm() throws {
  guard regula_allocation_count_available() != 0 else { return }
  // The counter counts: a fresh array is one allocation.
  let before = regula_allocation_count()
  let probe = [Int](repeating: 7, count: 100)
  #expect(regula_allocation_count() - before >= 1 && probe.count == 100)

  let text = try String(
    contentsOf: w1Directory.appendingPathComponent("sample-applications.jsonl"), encoding: .utf8)
  let bytes = Array(text.utf8)
  var ranges: [Range<Int>] = []
  var start = 0
  for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
    ranges.append(start..<index)
    start = index + 1
  }
  var evaluator = Evaluator(policy: try w1Policy())
  let asOf = try CivilDate(iso8601: "2024-06-01")
  let layout = try CSVLayout(CSVLayout.w1Columns, policy: try w1Policy())
  var output: [UInt8] = []
  output.reserveCapacity(1 << 20)
  func decideAll() throws {
    try bytes.withUnsafeBufferPointer { buffer in
      var index = 0  // an index loop: an iterator allocates in an unoptimised build
      while index < ranges.count {
        let range = ranges[index]
        index += 1
        _ = try evaluator.evaluate(json: UnsafeBufferPointer(rebasing: buffer[range]), asOf: asOf)
        layout.appendRecord(line: index, &evaluator, to: &output)
      }
    }
  }
  try decideAll()  // warm: every buffer reaches its size
  output.removeAll(keepingCapacity: true)
  let counted = regula_allocation_count()
  try decideAll()
  let allocations = regula_allocation_count() - counted
  #expect(allocations == 0, "\(allocations) allocations for \(ranges.count) decisions")
  #expect(output.count > 3_000 * 10)
}
