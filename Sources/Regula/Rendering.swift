// Renders a decision straight from the machine's registers into bytes: the record's JSON line
// and single values, with the constant parts (quoted names, texts and enum cases, the record's
// start) prepared once per evaluator. `DecisionRecord.json` is the same text built from
// strings; a test keeps the two equal.

/// The constant bytes an evaluator's renderers copy, in one buffer: a piece is appended from
/// raw memory, with no array to retain.
///
/// `@unchecked Sendable`: the buffer is written only in `init` and read-only after.
final class Rendering: @unchecked Sendable {
  /// How a decision's value renders: the common scalars directly, anything else through
  /// `Machine.json(_:_:)`.
  enum Shape: Sendable {
    case bool, integer, text, other
    case enumeration(Int)
    /// A Decimal declared `places N`: written with exactly N digits after the point.
    case places(Int)
  }
  /// A byte string in `pool`.
  struct Piece {
    var start: Int32
    var count: Int32
  }

  let pool: UnsafeMutablePointer<UInt8>
  /// `,"policy":…,"policy_hash":…,"as_of":` without the date (after the schema and kind).
  let recordStart: Piece
  /// Per decision: `"name":{`.
  let decisionKeys: [Piece]
  let decisionShapes: [Shape]
  let decisionTypes: [SchemaType]
  /// The image's texts quoted as JSON strings (reasons, paths).
  let quotedTexts: [Piece]
  /// Enum e's cases quoted, at `quotedCases[caseStarts[e] + case]`.
  let quotedCases: [Piece]
  let caseStarts: [Int]
  /// Each definition's name quoted.
  let quotedDefinitions: [Piece]
  /// Per top-level input field: true for Text or Text? (written raw by `appendInputField`).
  let inputIsText: [Bool]

  init(image: PolicyImage, policyHash: String) {
    var bytes: [UInt8] = []
    func piece(_ text: String) -> Piece {
      let start = bytes.count
      bytes += Array(text.utf8)
      return Piece(start: Int32(start), count: Int32(bytes.count - start))
    }
    func quoted(_ text: String) -> Piece { piece(JSONWriter.quote(text)) }
    recordStart = piece(
      ",\"policy\":\(JSONWriter.quote(image.name)),\"policy_hash\":\(JSONWriter.quote(policyHash)),\"as_of\":"
    )
    let decisions = image.definitions.filter { $0.kind == .decision }
    decisionKeys = decisions.map { definition in
      piece("\(JSONWriter.quote(definition.name)):{")
    }
    decisionTypes = decisions.map(\.type)
    decisionShapes = decisions.map { definition in
      if let places = definition.places { return .places(Int(places)) }
      var type = definition.type
      if case .optional(let wrapped) = type { type = wrapped }
      switch type {
      case .bool: return .bool
      case .int, .money, .days, .months, .years: return .integer
      case .text: return .text
      case .enumeration(let index): return .enumeration(index)
      default: return .other
      }
    }
    quotedTexts = image.texts.map(quoted)
    var cases: [Piece] = []
    var starts: [Int] = []
    for schema in image.enums {
      starts.append(cases.count)
      cases += schema.cases.map(quoted)
    }
    starts.append(cases.count)
    quotedCases = cases
    caseStarts = starts
    quotedDefinitions = image.definitions.map { quoted($0.name) }
    inputIsText = image.records[image.inputRecord].fields.map {
      $0.type == .text || $0.type == .optional(.text)
    }
    pool = .allocate(capacity: max(bytes.count, 1))
    pool.initialize(from: bytes, count: bytes.count)
  }

  deinit { pool.deallocate() }

  /// Appends a piece of the pool.
  @inline(__always)
  func append(_ piece: Piece, to bytes: inout [UInt8]) {
    bytes.append(
      contentsOf: UnsafeBufferPointer(start: pool + Int(piece.start), count: Int(piece.count)))
  }

  /// Writes a piece of the pool.
  @inline(__always)
  func write<Output: ByteOutput & ~Copyable>(_ piece: Piece, to sink: inout Output) {
    sink.write(pool + Int(piece.start), count: Int(piece.count))
  }
}

// The renderers are `mutating` although they change nothing: called on a `var`, they read the
// machine in place, where a non-mutating call copies the whole machine (a large struct) first.
extension Evaluator {
  /// Appends decision `position`'s value (in definition order among decisions) as JSON, as
  /// `DecisionRecord.Decision.json` spells it, without building strings for common types.
  public mutating func appendDecisionJSON(_ position: Int, to bytes: inout [UInt8]) {
    writeDecisionJSON(position, value: machine.decisionValues[position], to: &bytes)
  }

  /// `appendDecisionJSON(_:to:)` of the value `register` of decision `position` (a register of
  /// this machine's facts: a lane's value in `BlockRecords`, say).
  public mutating func appendDecisionJSON(
    _ position: Int, value register: Register, to bytes: inout [UInt8]
  ) {
    writeDecisionJSON(position, value: register, to: &bytes)
  }

  /// `appendDecisionJSON(_:value:to:)` into an array or a sink.
  mutating func writeDecisionJSON<Output: ByteOutput & ~Copyable>(
    _ position: Int, value register: Register, to sink: inout Output
  ) {
    if register.tag == Register.noneTag || register.tag == Register.unknownTag {
      sink.write("null")
      return
    }
    switch rendering.decisionShapes[position] {
    case .bool:
      sink.write(register.word != 0 ? "true" : "false")
    case .integer where register.tag == 0:
      sink.write(integer: register.word)
    case .enumeration(let index) where register.word >= 0:
      let first = rendering.caseStarts[index]
      if register.word < Int64(rendering.caseStarts[index + 1] - first) {
        rendering.write(rendering.quotedCases[first + Int(register.word)], to: &sink)
      } else {
        sink.write("null")
      }
    case .text where machine.facts.holdsText(register):
      sink.write(quoted: machine.facts.texts[Int(register.word)])
    case .places(let places):
      let json = machine.json(register, rendering.decisionTypes[position])
      sink.write(text: DecisionRecord.json(json, places: places))
    default:
      sink.write(text: machine.json(register, rendering.decisionTypes[position]))
    }
  }

  /// Appends the last decision's record as one line of JSON (without the line break): the
  /// same text as `record(…).json`, rendered from the registers.
  ///
  /// - Parameter asOf: the as-of date the decision was made for (`evaluate` returns it).
  /// - Parameter jurisdiction: the jurisdiction code it was made for (`evaluate` returns it).
  /// - Parameter line: when given, the record starts with `"line":N` (the input line number
  ///   of a batch, which `regula batch --resume` reads back).
  /// - Parameter bytes: where the line is appended.
  public mutating func appendRecordJSON(
    asOf: CivilDate, jurisdiction: String, line: Int? = nil, to bytes: inout [UInt8]
  ) {
    ByteSink.writing(to: &bytes) { sink in
      writeRecordJSON(asOf: asOf, jurisdiction: jurisdiction, line: line, to: &sink)
    }
  }

  /// `appendRecordJSON` into a sink: a few dozen pieces, each a copy into the sink's buffer.
  mutating func writeRecordJSON(
    asOf: CivilDate, jurisdiction: String, line: Int?, to sink: inout ByteSink
  ) {
    let undecided = machine.undecided
    let notComputable = machine.notComputable
    sink.write(UInt8(ascii: "{"))
    if let line {
      sink.write("\"line\":")
      sink.write(integer: Int64(line))
      sink.write(UInt8(ascii: ","))
    }
    sink.write(
      !undecided.isEmpty
        ? "\"schema\":\"regula.decision/2\",\"kind\":\"missing_facts\""
        : notComputable.isEmpty
          ? "\"schema\":\"regula.decision/2\",\"kind\":\"decided\""
          : "\"schema\":\"regula.decision/2\",\"kind\":\"not_computable\"")
    rendering.write(rendering.recordStart, to: &sink)
    sink.write(UInt8(ascii: "\""))
    asOf.writeISO8601(to: &sink)
    sink.write("\",\"jurisdiction\":")
    sink.write(quoted: jurisdiction)
    sink.write(",\"decisions\":{")
    var first = true
    var next = 0
    var nextNotComputable = 0
    for position in rendering.decisionKeys.indices where machine.decisionSelected[position] {
      if !first { sink.write(UInt8(ascii: ",")) }
      first = false
      rendering.write(rendering.decisionKeys[position], to: &sink)
      if next < undecided.count, undecided[next].position == position {
        sink.write("\"missing_facts\":[")
        writeQuotedList(undecided[next].paths, to: &sink)
        sink.write("]}")
        next += 1
        continue
      }
      if nextNotComputable < notComputable.count,
        notComputable[nextNotComputable].position == position
      {
        sink.write("\"not_computable\":")
        sink.write(quoted: notComputable[nextNotComputable].message)
        sink.write(UInt8(ascii: "}"))
        nextNotComputable += 1
        continue
      }
      sink.write("\"value\":")
      writeDecisionJSON(position, value: machine.decisionValues[position], to: &sink)
      let reason = machine.decisionReasons[position]
      if reason >= 0 {
        sink.write(",\"reason\":")
        writeText(reason, to: &sink)
      }
      sink.write(UInt8(ascii: "}"))
    }
    sink.write("},\"failed_conditions\":[")
    let failures = machine.failedConditionCount
    var index = 0
    while index < failures {
      let failure = machine.failedCondition(index)
      sink.write(index == 0 ? "{\"definition\":" : ",{\"definition\":")
      rendering.write(rendering.quotedDefinitions[Int(failure.definition)], to: &sink)
      sink.write(",\"reason\":")
      writeText(failure.reason, to: &sink)
      sink.write(UInt8(ascii: "}"))
      index += 1
    }
    sink.write("],\"inputs_read\":[")
    let paths = machine.sortedInputsRead()
    var path = 0
    while path < paths.count {
      if path > 0 { sink.write(UInt8(ascii: ",")) }
      writeText(paths[path], to: &sink)
      path += 1
    }
    sink.write("],\"missing_facts\":[")
    if !undecided.isEmpty { writeQuotedList(machine.missingFacts, to: &sink) }
    sink.write("]}")
  }

  /// Writes texts quoted and separated by commas.
  func writeQuotedList(_ texts: [String], to sink: inout ByteSink) {
    for (index, text) in texts.enumerated() {
      if index > 0 { sink.write(UInt8(ascii: ",")) }
      sink.write(quoted: text)
    }
  }

  /// Writes text `index` of the machine's texts, quoted.
  mutating func writeText(_ index: Int32, to sink: inout ByteSink) {
    let text = Int(index)
    if text < rendering.quotedTexts.count {
      rendering.write(rendering.quotedTexts[text], to: &sink)
    } else {
      sink.write(quoted: machine.facts.texts[text])
    }
  }

  /// Appends text `index` of the machine's texts, quoted.
  mutating func appendText(_ index: Int32, to bytes: inout [UInt8]) {
    let text = Int(index)
    if text < rendering.quotedTexts.count {
      rendering.append(rendering.quotedTexts[text], to: &bytes)
    } else {
      JSONWriter.appendQuoted(machine.facts.texts[text], to: &bytes)
    }
  }

  /// Appends `value` in decimal.
  public static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
    writeInteger(value, to: &bytes)
  }

  /// Writes `value` in decimal.
  static func writeInteger<Output: ByteOutput & ~Copyable>(_ value: Int64, to output: inout Output)
  {
    if value < 0 { output.write(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var count = 0
      repeat {
        digits[19 - count] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
        magnitude /= 10
        count += 1
      } while magnitude > 0
      output.write(digits.baseAddress! + (20 - count), count: count)
    }
  }

}

extension CivilDate {
  /// Writes `YYYY-MM-DD` (the `description`) without building a string.
  func writeISO8601<Output: ByteOutput & ~Copyable>(to output: inout Output) {
    let (year, month, day) = components
    guard (0...9999).contains(year) else {
      output.write(text: description)
      return
    }
    func two(_ value: Int64, _ output: inout Output) {
      output.write(UInt8(truncatingIfNeeded: value / 10) &+ 0x30)
      output.write(UInt8(truncatingIfNeeded: value % 10) &+ 0x30)
    }
    two(year / 100, &output)
    two(year % 100, &output)
    output.write(UInt8(ascii: "-"))
    two(month, &output)
    output.write(UInt8(ascii: "-"))
    two(day, &output)
  }

  /// Appends `YYYY-MM-DD` (the `description`) without building a string.
  func appendISO8601(to bytes: inout [UInt8]) { writeISO8601(to: &bytes) }
}

extension Evaluator {
  /// The index of the input record's Text field `name`, for `appendInputText(field:to:)`.
  public func inputTextField(_ name: String) -> Int? {
    policy.image.records[policy.image.inputRecord].fields.firstIndex {
      $0.name == name && $0.type == .text
    }
  }

  /// Appends the raw text (not quoted) of a top-level Text field of the last application
  /// decided; nothing when the application did not give it.
  public mutating func appendInputText(field: Int, to bytes: inout [UInt8]) {
    guard let value = machine.facts.checkedItem(machine.currentInput, field), value.tag == 0,
      machine.facts.holdsText(value)
    else { return }
    bytes.append(contentsOf: machine.facts.texts[Int(value.word)].utf8)
  }

  /// Appends a top-level field of the last application decided, as it was given: a Text raw
  /// (not quoted), anything else as JSON; nothing when the application did not give it.
  public mutating func appendInputField(_ field: Int, to bytes: inout [UInt8]) {
    appendInputField(field, of: machine.currentInput, to: &bytes)
  }

  /// `appendInputField(_:to:)` of the input record `input` (a register of this machine's facts:
  /// a lane's application in `BlockRecords`, say).
  public mutating func appendInputField(_ field: Int, of input: Register, to bytes: inout [UInt8]) {
    // The image's arrays are touched only past the text case: they are shared by every
    // thread's evaluator, and retaining them per line made two threads contend for their
    // reference counts.
    guard field < rendering.inputIsText.count,
      let value = machine.facts.checkedItem(input, field),
      value.tag != Register.unknownTag, value.tag != Register.noneTag
    else { return }
    if rendering.inputIsText[field] {
      guard machine.facts.holdsText(value) else { return }
      bytes.write(text: machine.facts.texts[Int(value.word)])
      return
    }
    let record = policy.image.records[policy.image.inputRecord]
    var json = machine.json(value, record.fields[field].type)
    if json.hasPrefix("\""), case .string(let text)? = try? JSONReader.parse(Array(json.utf8)) {
      json = text
    }
    bytes.append(contentsOf: json.utf8)
  }

  /// Appends the raw reason code (not quoted) of decision `position`; nothing when it has none.
  public mutating func appendReason(_ position: Int, to bytes: inout [UInt8]) {
    appendReasonText(machine.decisionReasons[position], to: &bytes)
  }

  /// `appendReason(_:to:)` of the reason text index `reason` (-1: none).
  public mutating func appendReasonText(_ reason: Int32, to bytes: inout [UInt8]) {
    guard reason >= 0, Int(reason) < machine.facts.texts.count else { return }
    bytes.write(text: machine.facts.texts[Int(reason)])
  }
}

extension DecisionRecord {
  /// The record for people: the policy and its hash, the date and jurisdiction, one line per
  /// decision with its reason, the failed conditions and the inputs read. `json` is the same
  /// record for machines.
  public var text: String {
    let width = decisions.map(\.name.count).max() ?? 0
    var lines = [
      "policy        \(policy)",
      "policy hash   \(policyHash)",
      "as of         \(asOf)",
      "jurisdiction  \(jurisdiction)",
      "decisions",
    ]
    for decision in decisions {
      let name = decision.name + String(repeating: " ", count: width - decision.name.count)
      if let why = decision.notComputable, decision.missingFacts.isEmpty {
        lines.append("  \(name)  \(why)")
        continue
      }
      guard decision.isDecided else {
        lines.append(
          "  \(name)  undecided: missing "
            + decision.missingFacts.map { "`\($0)`" }.joined(separator: ", "))
        continue
      }
      lines.append(
        "  \(name)  \(decision.json)" + (decision.reason.map { "  (reason \($0))" } ?? ""))
    }
    lines.append("failed conditions")
    lines +=
      failedConditions.isEmpty
      ? ["  none"] : failedConditions.map { "  \($0.definition): \($0.reason)" }
    lines.append("inputs read")
    lines += inputsRead.isEmpty ? ["  none"] : inputsRead.map { "  \($0)" }
    if !missingFacts.isEmpty {
      lines.append("missing facts")
      lines += missingFacts.map { "  \($0)" }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
