// `regula batch --output-format csv`: columns the caller chooses (`--columns`), a header,
// and fields quoted as RFC 4180 asks (a field with a comma, a quote or a line break is put in
// quotes, its quotes doubled). The W1 result line is one choice of columns:
// `--columns id,eligible,benefit_fen,eligible.reason --no-header`.
import Regula

/// One column of a CSV result line.
enum CSVColumn: Equatable {
  /// The input line number (what `--resume` reads back).
  case line
  /// A top-level field of the application, by index, as it was given.
  case input(Int)
  /// A decision's value, by position among the decisions; empty when undecided.
  case decision(Int)
  /// A decision's reason code; empty when it has none.
  case reason(Int)
  /// The missing facts of the record, separated by spaces.
  case missingFacts
  /// The error of a line that got no record; empty otherwise.
  case error
}

/// The columns of a CSV output, checked against the policy.
struct CSVLayout {
  var columns: [CSVColumn]
  var names: [String]
  /// Per column, whether its cells may hold a comma, a quote or a line break, and so are
  /// scanned for quoting: numbers, Booleans, dates and line numbers never do, nor reason codes
  /// when no text of the policy does.
  var mayNeedQuotes: [Bool]

  /// The W1 benchmark's result line (../shared/bench), written without a header.
  static let w1Columns = "id,eligible,benefit_fen,eligible.reason"

  /// The columns named in `spec` (comma-separated), or the default: the line, the `id` field
  /// when the application has one, every decision, the missing facts and the error.
  init(_ spec: String?, policy: CompiledPolicy) throws(CSVLayoutError) {
    let image = policy.image
    let fields = image.records[image.inputRecord].fields
    let decisions = image.definitions.filter { $0.kind == .decision }.map(\.name)
    let names =
      spec.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
      ?? (["line"] + (fields.contains { $0.name == "id" } ? ["id"] : []) + decisions
        + ["missing_facts", "error"])
    var columns: [CSVColumn] = []
    for name in names {
      if name == "line" {
        columns.append(.line)
      } else if name == "missing_facts" {
        columns.append(.missingFacts)
      } else if name == "error" {
        columns.append(.error)
      } else if let position = decisions.firstIndex(of: name) {
        columns.append(.decision(position))
      } else if name.hasSuffix(".reason"),
        let position = decisions.firstIndex(of: String(name.dropLast(".reason".count)))
      {
        columns.append(.reason(position))
      } else if let index = fields.firstIndex(where: { $0.name == name }),
        Self.isScalar(fields[index].type)
      {
        columns.append(.input(index))
      } else {
        let valid =
          ["line"] + fields.filter { Self.isScalar($0.type) }.map(\.name) + decisions
          + decisions.map { "\($0).reason" } + ["missing_facts", "error"]
        throw CSVLayoutError(
          message:
            "`\(name)` is not a column; the columns are "
            + valid.map { "`\($0)`" }.joined(separator: ", "))
      }
    }
    self.columns = columns
    self.names = names
    let decisionTypes = image.definitions.filter { $0.kind == .decision }.map(\.type)
    let plainReasons = !image.texts.contains { CSV.mayNeedQuotes($0.utf8) }
    mayNeedQuotes = columns.map { column in
      switch column {
      case .line: false
      case .input(let index): !Self.isPlainText(fields[index].type)
      case .decision(let position): !Self.isPlainText(decisionTypes[position])
      case .reason: !plainReasons
      case .missingFacts, .error: true
      }
    }
  }

  /// True for a type whose values are written with digits, signs, points, dashes and letters
  /// only (numbers, Booleans, dates; `null` when absent).
  static func isPlainText(_ type: SchemaType) -> Bool {
    switch type {
    case .bool, .int, .money, .days, .months, .years, .decimal, .exactMoney, .date: true
    case .optional(let wrapped): isPlainText(wrapped)
    default: false
    }
  }

  static func isScalar(_ type: SchemaType) -> Bool {
    switch type {
    case .record, .list, .table: false
    case .optional(let wrapped): isScalar(wrapped)
    default: true
    }
  }

  /// The header line.
  var header: [UInt8] {
    var bytes: [UInt8] = []
    for (index, name) in names.enumerated() {
      if index > 0 { bytes.append(UInt8(ascii: ",")) }
      let start = bytes.count
      bytes.append(contentsOf: name.utf8)
      CSV.quoteIfNeeded(&bytes, from: start)
    }
    bytes.append(UInt8(ascii: "\n"))
    return bytes
  }

  /// Appends the result line of the application the evaluator decided last.
  ///
  /// Allocates nothing once warm for the common columns (an index loop: an iterator
  /// allocates in an unoptimised build).
  func appendRecord(line: Int, _ evaluator: inout Evaluator, to output: inout [UInt8]) {
    appendLine(line: line, &evaluator, MachineRow(), to: &output)
  }

  /// Appends the result line of lane `lane` of `records` (copied from the last block of
  /// `evaluator`'s machine, a lane it decided): the line `appendRecord` writes after
  /// `adoptBlockLane(lane, of: records)`, without making the lane the machine's outcome (a
  /// lane a block decided has every decision decided: no missing fact, no error).
  func appendRecord(
    line: Int, _ evaluator: inout Evaluator, lane: Int, of records: BlockRecords,
    to output: inout [UInt8]
  ) {
    appendLine(line: line, &evaluator, LaneRow(records: records, lane: lane), to: &output)
  }

  private func appendLine<Row: CSVRow>(
    line: Int, _ evaluator: inout Evaluator, _ row: Row, to output: inout [UInt8]
  ) {
    var index = 0
    while index < columns.count {
      let column = columns[index]
      if index > 0 { output.append(UInt8(ascii: ",")) }
      index += 1
      let start = output.count
      switch column {
      case .line: Evaluator.appendInteger(Int64(line), to: &output)
      case .input(let field):
        evaluator.appendInputField(field, of: row.input(&evaluator), to: &output)
      case .decision(let position):
        guard let value = row.value(position, &evaluator) else { continue }
        evaluator.appendDecisionJSON(position, value: value, to: &output)
        CSV.unquoteJSONString(&output, from: start)
      case .reason(let position):
        evaluator.appendReasonText(row.reason(position, &evaluator), to: &output)
      case .missingFacts: row.appendMissingFacts(&evaluator, to: &output)
      case .error: row.appendErrors(&evaluator, to: &output)
      }
      if mayNeedQuotes[index - 1] { CSV.quoteIfNeeded(&output, from: start) }
    }
    output.append(UInt8(ascii: "\n"))
  }

  /// Appends the result line of a line that got no record: its number, the `id` when the
  /// line had one, and the error.
  func appendError(line: Int, id: String?, message: String, to output: inout [UInt8]) {
    for (index, column) in columns.enumerated() {
      if index > 0 { output.append(UInt8(ascii: ",")) }
      let start = output.count
      switch column {
      case .line: Evaluator.appendInteger(Int64(line), to: &output)
      case .error: output.append(contentsOf: message.utf8)
      case .input:
        if names[index] == "id", let id { output.append(contentsOf: id.utf8) }
      default: break
      }
      CSV.quoteIfNeeded(&output, from: start)
    }
    output.append(UInt8(ascii: "\n"))
  }
}

/// Where a result line's cells come from: the machine's outcome, or a lane of a block's records.
private protocol CSVRow {
  func input(_ evaluator: inout Evaluator) -> Register
  /// Decision `position`'s value; nil when it is undecided or not computable.
  func value(_ position: Int, _ evaluator: inout Evaluator) -> Register?
  func reason(_ position: Int, _ evaluator: inout Evaluator) -> Int32
  func appendMissingFacts(_ evaluator: inout Evaluator, to output: inout [UInt8])
  func appendErrors(_ evaluator: inout Evaluator, to output: inout [UInt8])
}

/// The outcome of the application the evaluator's machine decided last.
private struct MachineRow: CSVRow {
  func input(_ evaluator: inout Evaluator) -> Register { evaluator.machine.currentInput }

  func value(_ position: Int, _ evaluator: inout Evaluator) -> Register? {
    evaluator.machine.hasNoValue(position) ? nil : evaluator.machine.decisionValues[position]
  }

  func reason(_ position: Int, _ evaluator: inout Evaluator) -> Int32 {
    evaluator.machine.decisionReasons[position]
  }

  func appendMissingFacts(_ evaluator: inout Evaluator, to output: inout [UInt8]) {
    output.append(contentsOf: evaluator.machine.missingFacts.joined(separator: " ").utf8)
  }

  func appendErrors(_ evaluator: inout Evaluator, to output: inout [UInt8]) {
    // A decision not computable is named here (its cell is empty).
    var next = 0
    let notComputable = evaluator.machine.notComputable
    while next < notComputable.count {
      if next > 0 { output.append(contentsOf: "; ".utf8) }
      output.append(contentsOf: evaluator.decisionNames[notComputable[next].position].utf8)
      output.append(contentsOf: ": ".utf8)
      output.append(contentsOf: notComputable[next].message.utf8)
      next += 1
    }
  }
}

/// A lane a block decided: every decision has a value, no fact was missing, nothing failed.
private struct LaneRow: CSVRow {
  let records: BlockRecords
  let lane: Int

  func input(_ evaluator: inout Evaluator) -> Register { records.input(lane: lane) }

  // (A decision not asked for, `select`, holds `.none` and no reason, as after `run`.)
  func value(_ position: Int, _ evaluator: inout Evaluator) -> Register? {
    records.value(position, lane: lane)
  }

  func reason(_ position: Int, _ evaluator: inout Evaluator) -> Int32 {
    records.reason(position, lane: lane)
  }

  func appendMissingFacts(_ evaluator: inout Evaluator, to output: inout [UInt8]) {}
  func appendErrors(_ evaluator: inout Evaluator, to output: inout [UInt8]) {}
}

struct CSVLayoutError: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

enum CSV {
  /// Puts the field that starts at `start` in quotes, its quotes doubled, when it holds a
  /// comma, a quote or a line break (RFC 4180); leaves it as it is otherwise (the common case:
  /// one scan of a few bytes).
  static func quoteIfNeeded(_ bytes: inout [UInt8], from start: Int) {
    let needs = bytes.withUnsafeBufferPointer {
      mayNeedQuotes(UnsafeBufferPointer(rebasing: $0[start...]))
    }
    guard needs else { return }
    var quoted: [UInt8] = [UInt8(ascii: "\"")]
    for byte in bytes[start...] {
      if byte == UInt8(ascii: "\"") { quoted.append(byte) }
      quoted.append(byte)
    }
    quoted.append(UInt8(ascii: "\""))
    bytes.replaceSubrange(start..., with: quoted)
  }

  /// True when `bytes` hold a comma, a quote or a line break.
  static func mayNeedQuotes<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
    bytes.contains {
      $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D
    }
  }

  /// A decision rendered as a JSON string (a Text, an enum case) becomes its raw text.
  static func unquoteJSONString(_ bytes: inout [UInt8], from start: Int) {
    guard start < bytes.count, bytes[start] == UInt8(ascii: "\""),
      case .string(let text)? = try? JSONReader.parse(Array(bytes[start...]))
    else { return }
    bytes.replaceSubrange(start..., with: Array(text.utf8))
  }
}
