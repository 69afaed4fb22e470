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
      Writes exactly one line per input line, in input order: the decision record (kind \
      `missing_facts` when a decision needs an absent fact; the others are decided), or \
      {"line":N,"error":…} for an application that fails (the batch goes on). Blank lines are \
      skipped and not counted. Shows progress on a terminal. Exit codes: 0 all decided, 3 some \
      lines failed or left a decision undecided, 1 the policy or the files could not be used.
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

  @Option(
    name: .customLong("decision"),
    help: "Decide only this decision (repeat for several); default: every decision.")
  var decisions: [String] = []

  func validate() throws {
    guard (1...256).contains(jobs) else {
      throw ValidationError("--jobs must be between 1 and 256")
    }
    guard decisions.isEmpty || outputFormat == .jsonl else {
      throw ValidationError("--decision chooses the decisions of jsonl records, not csv columns")
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
    let sink: OutputSink
    do { sink = try OutputSink(path: output) } catch {
      printError("error: \(error)\n")
      throw ExitCode(1)
    }
    let workers = (0..<jobs).map { _ in
      BatchWorker(policy: compiled, asOf: date, jurisdiction: jurisdiction, format: outputFormat)
    }
    if !decisions.isEmpty {
      for worker in workers {
        do { try worker.evaluator.select(decisions: decisions) } catch {
          printError("error: \(error)\n")
          throw ExitCode(1)
        }
      }
    }
    let progress = Progress(total: reader.totalBytes, isShown: isatty(2) == 1)
    let start = DispatchTime.now().uptimeNanoseconds
    let (decided, errors, undecided) = BatchCommand.process(
      reader, workers, sink, progress: progress)
    if let failure = reader.failure {
      printError("error: reading `\(input)` failed: \(failure)\n")
      throw ExitCode(1)
    }
    do { try sink.finish() } catch {
      printError("error: \(error)\n")
      throw ExitCode(1)
    }
    progress.finish()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let rate = seconds > 0 ? Int(Double(decided) / seconds) : decided
    printError(
      "\(counted(decided, "application")), \(counted(errors, "error")), "
        + "\(undecided) with missing facts, \(rate) decisions/s\n")
    if errors > 0 || undecided > 0 { throw ExitCode(3) }
  }
}

extension BatchCommand {
  /// Decides every line `reader` gives, splitting each block between the workers (a thread
  /// each), and writes the result lines to `sink` in input order. The main job, also timed by
  /// `regula bench w1` as (c).
  ///
  /// - Returns: the lines decided, how many of them are error lines, and how many are records
  ///   with an undecided decision (missing facts).
  ///
  /// With one worker everything happens on the calling thread, one block after the other. With
  /// more, the next block is read and the last one's results are written while the workers
  /// decide (a reading and a writing queue), so the cores are not left idle between blocks.
  static func process(
    _ reader: LineReader, _ workers: [BatchWorker], _ sink: OutputSink, progress: Progress?
  ) -> (decided: Int, errors: Int, undecided: Int) {
    var decided = 0
    var errors = 0
    var undecided = 0
    let jobs = workers.count
    let readQueue = DispatchQueue(label: "regula.batch.read")
    let writeQueue = DispatchQueue(label: "regula.batch.write")
    var next = reader.nextBlock()
    while let block = next {
      let ahead = BlockBox()
      let reading = DispatchWorkItem { ahead.block = reader.nextBlock() }
      if jobs > 1 { readQueue.async(execute: reading) }
      DispatchQueue.concurrentPerform(iterations: jobs) { index in
        let lines = block.lines.count
        workers[index].decide(block, (index * lines / jobs)..<((index + 1) * lines / jobs))
      }
      let outputs = workers.map(\.output)
      errors += workers.reduce(0) { $0 + $1.errors }
      undecided += workers.reduce(0) { $0 + $1.undecided }
      decided += block.lines.count
      if jobs > 1 {
        writeQueue.async { for output in outputs { sink.write(output) } }
        reading.wait()
      } else {
        for output in outputs { sink.write(output) }
        reading.perform()
      }
      progress?.update(bytes: reader.bytesRead, decided: block.lines.count)
      next = ahead.block
    }
    writeQueue.sync {}
    return (decided, errors, undecided)
  }
}

/// One thread's evaluator and the results of its share of a block. Each worker is used by
/// one thread at a time (concurrentPerform gives each iteration its own index).
final class BatchWorker: @unchecked Sendable {
  var evaluator: Evaluator
  let asOf: CivilDate?
  let jurisdiction: String?
  let format: BatchCommand.OutputFormat
  /// The input's `id` field, written first on a csv line.
  let idField: Int?
  var output: [UInt8] = []
  var errors = 0
  var undecided = 0
  var count = 0

  init(
    policy: CompiledPolicy, asOf: CivilDate?, jurisdiction: String?,
    format: BatchCommand.OutputFormat
  ) {
    evaluator = Evaluator(policy: policy)
    self.asOf = asOf
    self.jurisdiction = jurisdiction
    self.format = format
    idField = evaluator.inputTextField("id")
  }

  /// Decides lines `range` of `block` into `output`, one result line each.
  func decide(_ block: LineBlock, _ range: Range<Int>) {
    output.removeAll(keepingCapacity: true)
    (errors, undecided) = BatchWorker.decide(
      block, range, with: &evaluator, into: &output, asOf: asOf, jurisdiction: jurisdiction,
      csvID: format == .csv ? .some(idField) : nil)
    count += range.count
  }

  /// The loop, on an `inout` evaluator so that it is borrowed, not copied, per call.
  ///
  /// - Parameter csvID: nil for jsonl records; else csv lines, starting with this text field.
  /// - Returns: the number of error lines written, and of records with an undecided decision.
  static func decide(
    _ block: LineBlock, _ range: Range<Int>, with evaluator: inout Evaluator,
    into output: inout [UInt8], asOf: CivilDate?, jurisdiction: String?, csvID: Int??
  ) -> (errors: Int, undecided: Int) {
    var errors = 0
    var undecided = 0
    block.bytes.withUnsafeBufferPointer { bytes in
      for index in range {
        let line = block.lines[index]
        if let size = block.oversized[line.number] {
          errors += 1
          output.append(contentsOf: "{\"line\":\(line.number),\"error\":".utf8)
          JSONWriter.appendQuoted(
            "the line has \(size) bytes, over the limit `line_size` of "
              + "\(LineReader.maximumLineBytes) bytes", to: &output)
          output.append(contentsOf: "}\n".utf8)
          continue
        }
        do {
          let (date, place) = try evaluator.evaluate(
            json: UnsafeBufferPointer(rebasing: bytes[line.bytes]), asOf: asOf,
            jurisdiction: jurisdiction)
          if !evaluator.machine.undecided.isEmpty { undecided += 1 }
          if let csvID {
            appendCSVLine(&evaluator, idField: csvID, to: &output)
          } else {
            evaluator.appendRecordJSON(asOf: date, jurisdiction: place, to: &output)
          }
        } catch {
          errors += 1
          output.append(contentsOf: "{\"line\":\(line.number),".utf8)
          if let id = applicationID(Array(bytes[line.bytes])) {
            output.append(contentsOf: "\"id\":".utf8)
            JSONWriter.appendQuoted(id, to: &output)
            output.append(UInt8(ascii: ","))
          }
          output.append(contentsOf: "\"error\":".utf8)
          JSONWriter.appendQuoted(String(describing: error), to: &output)
          output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "\n"))
      }
    }
    return (errors, undecided)
  }

  /// The application's `id`, when the line is a JSON object with a text `id` (an error line
  /// names it, so that a caller can match errors to applications without counting lines).
  static func applicationID(_ line: [UInt8]) -> String? {
    guard case .object(let members)? = try? JSONReader.parse(line),
      case .string(let id)? = members.first(where: { $0.key == "id" })?.value
    else { return nil }
    return id
  }

  /// `id,first decision,second decision,reason of the first` (the W1 result line).
  static func appendCSVLine(
    _ evaluator: inout Evaluator, idField: Int?, to output: inout [UInt8]
  ) {
    if let idField { evaluator.appendInputText(field: idField, to: &output) }
    output.append(UInt8(ascii: ","))
    let decisions = evaluator.machine.decisionValues.count
    if decisions > 0 { evaluator.appendDecisionJSON(0, to: &output) }
    output.append(UInt8(ascii: ","))
    if decisions > 1 { evaluator.appendDecisionJSON(1, to: &output) }
    output.append(UInt8(ascii: ","))
    if decisions > 0 { evaluator.appendReason(0, to: &output) }
  }
}

/// The block read ahead by the reading queue, handed to the deciding thread after `wait()`.
final class BlockBox: @unchecked Sendable {
  var block: LineBlock?
}

/// "1 error", "2 errors".
func counted(_ count: Int, _ noun: String) -> String {
  "\(count) \(noun)\(count == 1 ? "" : "s")"
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
