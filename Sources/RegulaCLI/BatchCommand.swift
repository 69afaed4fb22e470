// `regula batch`: decide a JSON Lines file, one result line per input line, in order.
// Streams blocks of lines in constant memory; with `--jobs N` N threads take each block's lines
// in chunks, each thread with its own evaluator over the one shared compiled policy.
import ArgumentParser
import Dispatch
import Foundation
import Regula
import Synchronization

struct BatchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "batch", abstract: "Decide every application of a JSON Lines file.",
    discussion: """
      Writes exactly one line per non-blank input line, in input order: the decision record \
      with its input line number, {"line":N,…} (kind `missing_facts` when a decision needs an \
      absent fact, `not_computable` when one needs a definition with no version in force; the \
      others are decided), or {"line":N,"id":…,"error":…} for an application \
      that fails (the batch goes on). With --output-format csv, the --columns chosen, quoted as \
      RFC 4180 asks, after a header. An interrupted run continues with --resume. Shows \
      progress on a terminal. Exit codes: 0 all decided, 3 some lines failed or left a \
      decision undecided or not computable, 1 the policy or the files could not be used.
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

  @Option(help: "jsonl (decision records) or csv (the --columns chosen).")
  var outputFormat: OutputFormat = .jsonl

  @Option(
    help: """
      csv columns, comma-separated: line, a top-level input field (id), a decision \
      (eligible), a decision's reason (eligible.reason), missing_facts, error. Default: line, \
      id, every decision, missing_facts, error.
      """)
  var columns: String?

  @Flag(inversion: .prefixedNo, help: "Write a csv header line.")
  var header = true

  @Flag(
    help: """
      Continue an interrupted run: keep the complete lines of --output (a partial last line \
      is dropped), and decide the input lines after the last one written.
      """)
  var resume = false

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
    guard columns == nil || outputFormat == .csv else {
      throw ValidationError("--columns applies to --output-format csv")
    }
    guard !resume || output != nil else {
      throw ValidationError("--resume continues the file named by --output")
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
    var layout: CSVLayout?
    if outputFormat == .csv {
      do { layout = try CSVLayout(columns, policy: compiled) } catch {
        printError("error: --columns: \(error)\n")
        throw ExitCode(1)
      }
      if resume, layout?.columns.first != .line {
        printError("error: --resume needs `line` as the first csv column\n")
        throw ExitCode(1)
      }
    }
    // Resuming: the complete lines already written stay; decide the input lines after them.
    var after = 0
    var writesHeader = layout != nil && header
    if resume, let output {
      do {
        let kept = try Resume.keepCompleteLines(of: output, csvHeader: layout != nil && header)
        after = kept.lastLine
        if kept.bytes > 0 { writesHeader = false }
      } catch {
        printError("error: --resume: \(error)\n")
        throw ExitCode(1)
      }
    }
    let sink: OutputSink
    do { sink = try OutputSink(path: output, append: resume) } catch {
      printError("error: \(error)\n")
      throw ExitCode(1)
    }
    if writesHeader, let layout { sink.write(layout.header) }
    let workers = (0..<jobs).map { _ in
      BatchWorker(
        policy: compiled, asOf: date, jurisdiction: jurisdiction,
        shape: layout.map(BatchShape.csv) ?? .jsonl, after: after)
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
        + "\(undecided) with a decision undecided or not computable, \(rate) decisions/s\n")
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
  /// more, each block's chunks go to whichever thread is free, and the first thread to start
  /// on a block reads the next one, the second writes the last one's results (from the
  /// workers' `written` buffers), so only the workers' threads run. (Reading on a queue of its
  /// own put three busy threads on two cores: a worker preempted in its last chunk held the
  /// block's end, while the other waited; writing on one delayed the next block's start.)
  static func process(
    _ reader: LineReader, _ workers: [BatchWorker], _ sink: OutputSink, progress: Progress?
  ) -> (decided: Int, errors: Int, undecided: Int) {
    var decided = 0
    var errors = 0
    var undecided = 0
    let jobs = workers.count
    // The last block's chunks, whose results are in the workers' `written` buffers until a
    // thread of the next block (or the end) writes them.
    var unwritten: ChunkPlan?
    let assembled = BytesBox()
    @Sendable func write(_ plan: ChunkPlan) {
      // One write per block, the chunks in line order.
      assembled.bytes.removeAll(keepingCapacity: true)
      for (worker, range) in plan.spans { assembled.bytes += workers[worker].written[range] }
      sink.write(assembled.bytes)
    }
    var next = reader.nextBlock()
    while var block = next {
      // The block's only reference is `block`, so that its memory can be recycled.
      next = nil
      let ahead = BlockBox()
      if jobs > 1 {
        // Chunks of lines go to whichever thread is free: a fixed half each left one thread
        // idle whenever the other was preempted (by the reading or writing of blocks).
        let plan = ChunkPlan(lines: block.lines.count)
        let block = block
        let previous = unwritten
        for worker in workers { worker.beginBlock(keepingOutput: true) }
        DispatchQueue.concurrentPerform(iterations: jobs) { index in
          let worker = workers[index]
          switch plan.claimChore() {
          case 0: ahead.block = reader.nextBlock()
          case 1: if let previous { write(previous) }
          default: break
          }
          while let chunk = plan.claim() {
            let start = worker.output.count
            worker.decide(block, plan.lines(chunk))
            plan.done(chunk, worker: index, output: start..<worker.output.count)
          }
        }
        unwritten = plan
      } else {
        workers[0].beginBlock()
        workers[0].decide(block, 0..<block.lines.count)
      }
      errors += workers.reduce(0) { $0 + $1.errors }
      undecided += workers.reduce(0) { $0 + $1.undecided }
      // Lines already decided by an interrupted run (`--resume`) are not counted again.
      let skipped = block.lines.prefix { $0.number <= workers[0].after }.count
      decided += block.lines.count - skipped
      let lineCount = block.lines.count
      reader.recycle(&block)
      if jobs == 1 {
        sink.write(workers[0].output)
        ahead.block = reader.nextBlock()
      }
      progress?.update(bytes: reader.bytesRead, decided: lineCount - skipped)
      next = ahead.block
    }
    if let unwritten {
      for worker in workers { worker.beginBlock(keepingOutput: true) }
      write(unwritten)
    }
    return (decided, errors, undecided)
  }
}

/// Bytes that one thread at a time owns.
final class BytesBox: @unchecked Sendable {
  var bytes: [UInt8] = []
}

/// A block's lines in chunks that threads claim one at a time, and where each chunk's result
/// lines went (which worker's output, which bytes), so they are written in line order.
final class ChunkPlan: @unchecked Sendable {
  /// Lines per chunk: small enough that threads finish a block together, large enough that
  /// claiming one costs nothing (about 50 µs of W1).
  static let chunkLines = 128
  let lineCount: Int
  let chunks: Int
  let next = Atomic<Int>(0)
  /// Each chunk's worker and output bytes, in line order: written by the one thread that
  /// decided the chunk, read after all have finished.
  let spans: UnsafeMutableBufferPointer<(worker: Int, output: Range<Int>)>

  init(lines: Int) {
    lineCount = lines
    chunks = (lines + ChunkPlan.chunkLines - 1) / ChunkPlan.chunkLines
    spans = .allocate(capacity: max(chunks, 1))
    spans.initialize(repeating: (0, 0..<0))
  }

  deinit { spans.deallocate() }

  let chores = Atomic<Int>(0)

  /// The chore of the thread asking, in the order threads ask: 0 for the first (reading the
  /// next block), 1 for the second (writing the last block's results), then none.
  func claimChore() -> Int {
    chores.add(1, ordering: .relaxed).oldValue
  }

  /// The next chunk nobody has claimed, or nil when all are taken.
  func claim() -> Int? {
    let chunk = next.add(1, ordering: .relaxed).oldValue
    return chunk < chunks ? chunk : nil
  }

  func lines(_ chunk: Int) -> Range<Int> {
    (chunk * ChunkPlan.chunkLines)..<min((chunk + 1) * ChunkPlan.chunkLines, lineCount)
  }

  func done(_ chunk: Int, worker: Int, output: Range<Int>) { spans[chunk] = (worker, output) }
}

/// What a batch writes for each line.
enum BatchShape {
  /// Decision records, each starting with its input line number.
  case jsonl
  /// The chosen columns.
  case csv(CSVLayout)
}

/// One thread's evaluator and the results of its share of a block. Each worker is used by
/// one thread at a time (concurrentPerform gives each iteration its own index).
final class BatchWorker: @unchecked Sendable {
  var evaluator: Evaluator
  let asOf: CivilDate?
  let jurisdiction: String?
  let shape: BatchShape
  /// Input lines up to this number are already decided (`--resume`): skipped.
  let after: Int
  var output: [UInt8] = []
  var errors = 0
  var undecided = 0
  var count = 0
  /// True to decide in blocks (`Machine.runBlock`) when the policy runs in blocks; false
  /// decides every line alone (the tests compare the two).
  var inBlocks = true
  /// The lines of the block being decided (reused).
  var lanes = BatchLanes()

  init(
    policy: CompiledPolicy, asOf: CivilDate?, jurisdiction: String?, shape: BatchShape,
    after: Int = 0
  ) {
    evaluator = Evaluator(policy: policy)
    self.asOf = asOf
    self.jurisdiction = jurisdiction
    self.shape = shape
    self.after = after
  }

  /// The output of the block before, kept while it waits to be written
  /// (`beginBlock(keepingOutput: true)`).
  var written: [UInt8] = []

  /// Empties the output and the counts for a new block; with `keepingOutput`, the output is
  /// kept as `written` first (and the one kept before is reused).
  func beginBlock(keepingOutput: Bool = false) {
    if keepingOutput { swap(&output, &written) }
    output.removeAll(keepingCapacity: true)
    errors = 0
    undecided = 0
  }

  /// Decides lines `range` of `block`, appending one result line each to `output` and adding
  /// to the counts.
  func decide(_ block: LineBlock, _ range: Range<Int>) {
    let (newErrors, newUndecided) =
      inBlocks && evaluator.machine.runsInBlocks
      ? BatchWorker.decideInBlocks(
        block, range, with: &evaluator, into: &output, lanes: &lanes, asOf: asOf,
        jurisdiction: jurisdiction, shape: shape, after: after)
      : BatchWorker.decide(
        block, range, with: &evaluator, into: &output, asOf: asOf, jurisdiction: jurisdiction,
        shape: shape, after: after)
    errors += newErrors
    undecided += newUndecided
    count += range.count
  }

  /// The loop, on an `inout` evaluator so that it is borrowed, not copied, per call.
  ///
  /// - Returns: the number of error lines written, and of records with an undecided decision.
  static func decide(
    _ block: LineBlock, _ range: Range<Int>, with evaluator: inout Evaluator,
    into output: inout [UInt8], asOf: CivilDate?, jurisdiction: String?, shape: BatchShape,
    after: Int = 0
  ) -> (errors: Int, undecided: Int) {
    var errors = 0
    var undecided = 0
    block.bytes.withUnsafeBufferPointer { bytes in
      for index in range {
        let line = block.lines[index]
        if line.number <= after { continue }
        if let size = block.oversized[line.number] {
          errors += 1
          appendOversized(line: line.number, size: size, shape: shape, to: &output)
          continue
        }
        do {
          let (date, place) = try evaluator.evaluate(
            json: UnsafeBufferPointer(rebasing: bytes[line.bytes]), asOf: asOf,
            jurisdiction: jurisdiction)
          if appendRecord(
            line: line.number, &evaluator, asOf: date, jurisdiction: place, shape: shape,
            to: &output)
          {
            undecided += 1
          }
        } catch {
          errors += 1
          appendRefused(
            line: line.number, bytes[line.bytes], error, shape: shape, to: &output)
        }
      }
    }
    return (errors, undecided)
  }

  /// `decide(_:_:with:into:asOf:jurisdiction:shape:after:)` in blocks of up to
  /// `Machine.blockLanes` lines: each block's applications are read into the facts together,
  /// those with the first one's date and jurisdiction decided at once (`Machine.runBlock`),
  /// and the result lines written in input order — a line the block set aside, or one of
  /// another date or jurisdiction, is decided alone, a line refused gets its error line. The
  /// same lines as deciding every line alone (tested).
  static func decideInBlocks(
    _ block: LineBlock, _ range: Range<Int>, with evaluator: inout Evaluator,
    into output: inout [UInt8], lanes: inout BatchLanes, asOf: CivilDate?, jurisdiction: String?,
    shape: BatchShape, after: Int
  ) -> (errors: Int, undecided: Int) {
    var errors = 0
    var undecided = 0
    block.bytes.withUnsafeBufferPointer { bytes in
      var next = range.lowerBound
      while next < range.upperBound {
        // Read up to a block of lines.
        evaluator.machine.reset()
        lanes.removeAll()
        while next < range.upperBound && lanes.inputs.count < Machine.blockLanes {
          let line = block.lines[next]
          next += 1
          if line.number <= after { continue }
          if block.oversized[line.number] != nil {
            lanes.append(line: line.number, bytes: line.bytes, .oversized)
            continue
          }
          do throws(DecisionError) {
            let loaded = try evaluator.load(
              json: UnsafeBufferPointer(rebasing: bytes[line.bytes]), asOf: asOf,
              jurisdiction: jurisdiction)
            lanes.append(line: line.number, bytes: line.bytes, .loaded(loaded))
          } catch {
            lanes.append(line: line.number, bytes: line.bytes, .refused(error))
          }
        }
        let decided =
          lanes.inputs.isEmpty
          ? 0
          : lanes.inputs.withUnsafeBufferPointer {
            evaluator.machine.runBlock(
              inputs: $0, asOf: lanes.blockDate, jurisdiction: lanes.blockJurisdiction)
          }
        evaluator.machine.copyBlockRecords(decided: decided, into: &lanes.records)
        // Write them in input order.
        for index in lanes.lines.indices {
          let number = lanes.lines[index]
          let lineBytes = lanes.ranges[index]
          let loaded: Evaluator.LoadedApplication
          switch lanes.outcomes[index] {
          case .oversized:
            errors += 1
            appendOversized(
              line: number, size: block.oversized[number] ?? 0, shape: shape, to: &output)
            continue
          case .refused(let error):
            errors += 1
            appendRefused(line: number, bytes[lineBytes], error, shape: shape, to: &output)
            continue
          case .loaded(let application): loaded = application
          }
          let lane = lanes.lanes[index]
          if lane >= 0 && decided & (1 << UInt64(lane)) != 0 {
            // A CSV line is written straight from the block's records.
            if case .csv(let layout) = shape {
              layout.appendRecord(
                line: number, &evaluator, lane: lane, of: lanes.records, to: &output)
              continue
            }
            evaluator.machine.adoptBlockLane(lane, of: lanes.records)
          } else {
            do { try evaluator.decide(loaded) } catch {
              errors += 1
              appendRefused(line: number, bytes[lineBytes], error, shape: shape, to: &output)
              continue
            }
          }
          if appendRecord(
            line: number, &evaluator, asOf: loaded.asOf, jurisdiction: loaded.jurisdiction,
            shape: shape, to: &output)
          {
            undecided += 1
          }
        }
      }
    }
    return (errors, undecided)
  }

  /// The result line of the outcome in `evaluator`'s machine (decided as of `asOf` in
  /// `jurisdiction`); true when a decision of it is undecided or not computable.
  static func appendRecord(
    line: Int, _ evaluator: inout Evaluator, asOf: CivilDate, jurisdiction: String,
    shape: BatchShape, to output: inout [UInt8]
  ) -> Bool {
    switch shape {
    case .csv(let layout):
      layout.appendRecord(line: line, &evaluator, to: &output)
    case .jsonl:
      evaluator.appendRecordJSON(asOf: asOf, jurisdiction: jurisdiction, line: line, to: &output)
      output.append(UInt8(ascii: "\n"))
    }
    return !evaluator.machine.undecided.isEmpty || !evaluator.machine.notComputable.isEmpty
  }

  /// The error line of a line over the size limit (not read).
  static func appendOversized(line: Int, size: Int, shape: BatchShape, to output: inout [UInt8]) {
    appendError(
      line: line, id: nil,
      message: "the line has \(size) bytes, over the limit `line_size` of "
        + "\(LineReader.maximumLineBytes) bytes", shape: shape, to: &output)
  }

  /// The error line of a line refused or stopped with `error` (its `id`, when it has one):
  /// the error's description, as a `DecisionError` describes itself.
  static func appendRefused(
    line: Int, _ bytes: Slice<UnsafeBufferPointer<UInt8>>, _ error: any Error,
    shape: BatchShape, to output: inout [UInt8]
  ) {
    appendError(
      line: line, id: applicationID(Array(bytes)), message: String(describing: error),
      shape: shape, to: &output)
  }

  /// The result line of a line that got no record.
  static func appendError(
    line: Int, id: String?, message: String, shape: BatchShape, to output: inout [UInt8]
  ) {
    switch shape {
    case .csv(let layout): layout.appendError(line: line, id: id, message: message, to: &output)
    case .jsonl:
      output.append(contentsOf: "{\"line\":\(line),".utf8)
      if let id {
        output.append(contentsOf: "\"id\":".utf8)
        JSONWriter.appendQuoted(id, to: &output)
        output.append(UInt8(ascii: ","))
      }
      output.append(contentsOf: "\"error\":".utf8)
      JSONWriter.appendQuoted(message, to: &output)
      output.append(contentsOf: "}\n".utf8)
    }
  }

  /// The application's `id`, when the line is a JSON object with a text `id` (an error line
  /// names it, so that a caller can match errors to applications without counting lines).
  static func applicationID(_ line: [UInt8]) -> String? {
    guard case .object(let members)? = try? JSONReader.parse(line),
      case .string(let id)? = members.first(where: { $0.key == "id" })?.value
    else { return nil }
    return id
  }
}

/// `--resume`: what an interrupted run left in its output file.
enum Resume {
  struct Kept {
    /// The input line number of the last complete result line (0 when there is none).
    var lastLine: Int
    /// The bytes kept.
    var bytes: Int
  }

  /// Truncates `path` after its last complete line (a line a kill cut short is dropped) and
  /// reads that line's input line number: `{"line":N,…` for jsonl, the first column for csv.
  /// A file that does not exist is an empty start.
  ///
  /// Reads only the end of the file, back to the start of its last complete line, so that
  /// resuming a large output costs no more memory than the batch itself.
  static func keepCompleteLines(of path: String, csvHeader: Bool) throws -> Kept {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      return Kept(lastLine: 0, bytes: 0)
    }
    defer { try? handle.close() }
    let size = Int(try handle.seekToEnd())
    // `tail` holds the file's bytes from `tailStart` to its end, grown backwards by chunks.
    var tailStart = size
    var tail: [UInt8] = []
    func grow() throws -> Bool {
      guard tailStart > 0 else { return false }
      let step = min(1 << 16, tailStart)
      tailStart -= step
      try handle.seek(toOffset: UInt64(tailStart))
      tail = Array(try handle.read(upToCount: step) ?? Data()) + tail
      return true
    }
    var lastBreak: Int?
    while lastBreak == nil {
      if let index = tail.lastIndex(of: 0x0A) {
        lastBreak = tailStart + index
      } else if try !grow() {
        break
      }
    }
    guard let lastBreak else {
      try truncate(path, to: 0)
      return Kept(lastLine: 0, bytes: 0)
    }
    let kept = lastBreak + 1
    if kept < size { try truncate(path, to: kept) }
    var found: Int?
    while found == nil {
      if let index = tail[..<(lastBreak - tailStart)].lastIndex(of: 0x0A) {
        found = tailStart + index + 1
      } else if try !grow() {
        found = 0
      }
    }
    let lineStart = found ?? 0
    let last = Array(tail[(lineStart - tailStart)..<(lastBreak - tailStart)])
    if csvHeader && lineStart == 0 { return Kept(lastLine: 0, bytes: kept) }
    let digits: ArraySlice<UInt8>
    if last.starts(with: Array(#"{"line":"#.utf8)) {
      digits = last.dropFirst(8).prefix { $0 >= 0x30 && $0 <= 0x39 }
    } else {
      digits = last.prefix { $0 >= 0x30 && $0 <= 0x39 }
    }
    guard let number = Int(String(decoding: digits, as: UTF8.self)) else {
      throw OutputError(
        path: path, reason: "its last line does not start with an input line number")
    }
    return Kept(lastLine: number, bytes: kept)
  }

  static func truncate(_ path: String, to size: Int) throws {
    guard Foundation.truncate(path, off_t(size)) == 0 else { throw OutputError.system(path) }
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

/// The lines of one batch block (`BatchWorker.decideInBlocks`), reused from block to block.
struct BatchLanes {
  /// By line of the block: its number, bytes, what reading it gave and its lane in `inputs`
  /// (-1: decided alone).
  var lines: [Int] = []
  var ranges: [Range<Int>] = []
  var outcomes: [BatchLanes.Outcome] = []
  var lanes: [Int] = []
  enum Outcome {
    case loaded(Evaluator.LoadedApplication)
    case refused(DecisionError)
    /// Over the line size limit: not read.
    case oversized
  }
  /// The applications decided at once: those of the first one's date and jurisdiction.
  var inputs: [Register] = []
  var blockDate = CivilDate.earliest
  var blockJurisdiction = 0
  /// The block's records, copied out of the machine once per block (storage reused).
  var records = BlockRecords()

  init() {
    let capacity = Machine.blockLanes
    lines.reserveCapacity(capacity)
    ranges.reserveCapacity(capacity)
    outcomes.reserveCapacity(capacity)
    lanes.reserveCapacity(capacity)
    inputs.reserveCapacity(capacity)
  }

  mutating func removeAll() {
    lines.removeAll(keepingCapacity: true)
    ranges.removeAll(keepingCapacity: true)
    outcomes.removeAll(keepingCapacity: true)
    lanes.removeAll(keepingCapacity: true)
    inputs.removeAll(keepingCapacity: true)
  }

  mutating func append(
    line: Int, bytes: Range<Int>, _ outcome: BatchLanes.Outcome
  ) {
    lines.append(line)
    ranges.append(bytes)
    outcomes.append(outcome)
    guard case .loaded(let loaded) = outcome else {
      lanes.append(-1)
      return
    }
    if inputs.isEmpty {
      blockDate = loaded.asOf
      blockJurisdiction = loaded.jurisdictionIndex
    }
    if loaded.asOf == blockDate && loaded.jurisdictionIndex == blockJurisdiction {
      lanes.append(inputs.count)
      inputs.append(loaded.input)
    } else {
      lanes.append(-1)
    }
  }
}
