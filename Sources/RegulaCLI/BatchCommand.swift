// `regula batch`: decide a JSON Lines file, one result line per input line, in order.
// Streams blocks of lines in constant memory; with `--jobs N` each block is split between N
// threads, each with its own evaluator over the one shared compiled policy.
import ArgumentParser
import Dispatch
import Foundation
import Regula

struct BatchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "batch", abstract: "Decide every application of a JSON Lines file.",
    discussion: """
      Writes exactly one line per input line, in input order: the decision record, or \
      {"line":N,"error":…} for an application that fails (the batch goes on). Blank lines are \
      skipped and not counted. Shows progress on a terminal. Exit codes: 0 all decided, 3 some \
      lines failed, 1 the policy or the files could not be used.
      """)

  enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl, csv
  }

  @Argument(help: "The policy: a rule file or a compiled file.")
  var policy: String

  @Option(help: "The applications, one JSON object per line.")
  var input: String

  @Option(help: "Where to write the results (default: standard output).")
  var output: String?

  @Option(
    help:
      "jsonl (decision records) or csv (`id,first decision,second decision,reason of the first`).")
  var outputFormat: OutputFormat = .jsonl

  @Option(
    help: "Evaluate as of this date (YYYY-MM-DD); default: each application's `application_date`.")
  var asOf: String?

  @Option(help: "The jurisdiction code; default: the policy's level.")
  var jurisdiction: String?

  @Option(help: "Threads deciding applications (each with its own evaluator).")
  var jobs = 1

  /// Lines decided per block: bounds memory whatever the file's size.
  static let blockSize = 8192

  func validate() throws {
    guard (1...256).contains(jobs) else {
      throw ValidationError("--jobs must be between 1 and 256")
    }
  }

  func run() throws {
    let compiled: CompiledPolicy
    do { compiled = try loadPolicy(policy) } catch { throw ExitCode(1) }
    guard let reader = LineReader(path: input) else {
      printError("error: cannot read `\(input)`\n")
      throw ExitCode(1)
    }
    let date = try asOf.map { text -> CivilDate in
      guard let parsed = try? CivilDate(iso8601: text) else {
        printError("error: `--as-of \(text)` is not a date YYYY-MM-DD\n")
        throw ExitCode(1)
      }
      return parsed
    }
    let sink = try OutputSink(path: output)
    let workers = (0..<jobs).map { _ in
      BatchWorker(policy: compiled, asOf: date, jurisdiction: jurisdiction, format: outputFormat)
    }
    let progress = Progress(total: reader.totalBytes, isShown: isatty(2) == 1)
    var lineNumber = 0
    var errors = 0
    let start = DispatchTime.now().uptimeNanoseconds
    while true {
      let block = reader.nextLines(Self.blockSize)
      if block.isEmpty { break }
      let numbered = block.map { line -> (Int, [UInt8]) in
        lineNumber += 1
        return (lineNumber, line)
      }.filter {
        !$0.1.allSatisfy {
          $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t")
        }
      }
      let chunks = (0..<jobs).map { index in
        Array(numbered[(index * numbered.count / jobs)..<((index + 1) * numbered.count / jobs)])
      }
      DispatchQueue.concurrentPerform(iterations: jobs) { workers[$0].decide(chunks[$0]) }
      for worker in workers {
        sink.write(worker.output)
        errors += worker.errors
      }
      progress.update(bytes: reader.bytesRead, decided: numbered.count)
    }
    sink.close()
    progress.finish()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let decided = workers.reduce(0) { $0 + $1.count }
    let rate = seconds > 0 ? Int(Double(decided) / seconds) : decided
    printError("\(decided) applications, \(errors) errors, \(rate) decisions/s\n")
    if errors > 0 { throw ExitCode(3) }
  }
}

/// One thread's evaluator and the results of its share of a block. Each worker is used by
/// one thread at a time (concurrentPerform gives each iteration its own index).
final class BatchWorker: @unchecked Sendable {
  var evaluator: Evaluator
  let asOf: CivilDate?
  let jurisdiction: String?
  let format: BatchCommand.OutputFormat
  var output = ""
  var errors = 0
  var count = 0

  init(
    policy: CompiledPolicy, asOf: CivilDate?, jurisdiction: String?,
    format: BatchCommand.OutputFormat
  ) {
    evaluator = Evaluator(policy: policy)
    self.asOf = asOf
    self.jurisdiction = jurisdiction
    self.format = format
  }

  func decide(_ lines: [(Int, [UInt8])]) {
    output.removeAll(keepingCapacity: true)
    errors = 0
    for (number, line) in lines {
      count += 1
      do {
        let record = try evaluator.decide(
          json: line, asOf: asOf, jurisdiction: jurisdiction, listingInputsRead: format == .jsonl)
        output += (format == .csv ? csvLine(record, line) : record.json) + "\n"
      } catch {
        errors += 1
        output += "{\"line\":\(number),\"error\":\(JSONWriter.quote(error.description))}\n"
      }
    }
  }

  /// `id,first decision,second decision,reason of the first` (the W1 result line).
  func csvLine(_ record: DecisionRecord, _ line: [UInt8]) -> String {
    let id = evaluator.inputText("id") ?? ""
    let first = record.decisions.first
    let second = record.decisions.dropFirst().first
    return "\(id),\(first?.json ?? ""),\(second?.json ?? ""),\(first?.reason ?? "")"
  }
}

/// Reads a file line by line in blocks of 1 MiB, so memory stays bounded.
final class LineReader {
  let handle: FileHandle
  let totalBytes: Int
  var buffer: [UInt8] = []
  var bytesRead = 0
  var atEnd = false

  init?(path: String) {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    self.handle = handle
    totalBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
  }

  /// Up to `count` lines (without their line breaks); empty at the end of the file.
  func nextLines(_ count: Int) -> [[UInt8]] {
    var lines: [[UInt8]] = []
    while lines.count < count {
      if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
        lines.append(Array(buffer[..<newline]))
        buffer.removeSubrange(...newline)
        continue
      }
      if atEnd {
        if !buffer.isEmpty { lines.append(buffer) }
        buffer = []
        break
      }
      let chunk = handle.readData(ofLength: 1 << 20)
      bytesRead += chunk.count
      if chunk.isEmpty { atEnd = true } else { buffer += chunk }
    }
    return lines
  }
}

/// Standard output or a file, written block by block.
final class OutputSink {
  let handle: FileHandle

  init(path: String?) throws {
    guard let path else {
      handle = .standardOutput
      return
    }
    guard FileManager.default.createFile(atPath: path, contents: nil),
      let file = FileHandle(forWritingAtPath: path)
    else {
      printError("error: cannot write `\(path)`\n")
      throw ExitCode(1)
    }
    handle = file
  }

  func write(_ text: String) { if !text.isEmpty { handle.write(Data(text.utf8)) } }

  func close() { if handle !== FileHandle.standardOutput { handle.closeFile() } }
}

/// A progress line on a terminal: applications decided, rate, and time left by bytes read.
final class Progress {
  let total: Int
  let isShown: Bool
  let start = DispatchTime.now().uptimeNanoseconds
  var decided = 0

  init(total: Int, isShown: Bool) {
    self.total = total
    self.isShown = isShown
  }

  func update(bytes: Int, decided more: Int) {
    decided += more
    guard isShown else { return }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let rate = seconds > 0 ? Double(decided) / seconds : 0
    let fraction = total > 0 ? min(1, Double(bytes) / Double(total)) : 0
    let left = fraction > 0 ? seconds * (1 - fraction) / fraction : 0
    printError(
      "\r\(decided) decided  \(Int(fraction * 100))%  \(Int(rate)) decisions/s  ETA \(Int(left.rounded())) s   "
    )
  }

  func finish() { if isShown { printError("\n") } }
}
