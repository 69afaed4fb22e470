// Renders a decision straight from the machine's registers into bytes: the record's JSON line
// and single values, with the constant parts (quoted names, texts and enum cases, the record's
// start) prepared once per evaluator. `DecisionRecord.json` is the same text built from
// strings; a test keeps the two equal.

/// The constant bytes an evaluator's renderers copy.
final class Rendering: Sendable {
  /// How a decision's value renders: the common scalars directly, anything else through
  /// `Machine.json(_:_:)`.
  enum Shape: Sendable {
    case bool, integer, text, other
    case enumeration(Int)
  }

  /// `{"schema":"regula.decision/1","policy":…,"policy_hash":…,"as_of":` without the date.
  let recordStart: [UInt8]
  /// Per decision: `"name":{"value":`, with a leading comma after the first.
  let decisionKeys: [[UInt8]]
  let decisionShapes: [Shape]
  let decisionTypes: [SchemaType]
  /// The image's texts quoted as JSON strings (reasons, paths).
  let quotedTexts: [[UInt8]]
  /// Each enum's cases quoted as JSON strings.
  let quotedCases: [[[UInt8]]]
  /// Each definition's name quoted.
  let quotedDefinitions: [[UInt8]]

  init(image: PolicyImage, policyHash: String) {
    func quoted(_ text: String) -> [UInt8] { Array(JSONWriter.quote(text).utf8) }
    recordStart = Array(
      "{\"schema\":\"regula.decision/1\",\"policy\":\(JSONWriter.quote(image.name)),\"policy_hash\":\(JSONWriter.quote(policyHash)),\"as_of\":"
        .utf8)
    let decisions = image.definitions.filter { $0.kind == .decision }
    decisionKeys = decisions.enumerated().map { position, definition in
      Array(((position > 0 ? "," : "") + "\(JSONWriter.quote(definition.name)):{\"value\":").utf8)
    }
    decisionTypes = decisions.map(\.type)
    decisionShapes = decisions.map { definition in
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
    quotedCases = image.enums.map { $0.cases.map(quoted) }
    quotedDefinitions = image.definitions.map { quoted($0.name) }
  }
}

// The renderers are `mutating` although they change nothing: called on a `var`, they read the
// machine in place, where a non-mutating call copies the whole machine (a large struct) first.
extension Evaluator {
  /// Appends decision `position`'s value (in definition order among decisions) as JSON, as
  /// `DecisionRecord.Decision.json` spells it, without building strings for common types.
  public mutating func appendDecisionJSON(_ position: Int, to bytes: inout [UInt8]) {
    let register = machine.decisionValues[position]
    if register.tag == Register.noneTag || register.tag == Register.unknownTag {
      bytes.append(contentsOf: "null".utf8)
      return
    }
    switch rendering.decisionShapes[position] {
    case .bool:
      bytes.append(contentsOf: register.word != 0 ? "true".utf8 : "false".utf8)
    case .integer where register.tag == 0:
      Evaluator.appendInteger(register.word, to: &bytes)
    case .enumeration(let index) where register.word >= 0:
      let cases = rendering.quotedCases[index]
      if register.word < Int64(cases.count) {
        bytes.append(contentsOf: cases[Int(register.word)])
      } else {
        bytes.append(contentsOf: "null".utf8)
      }
    case .text where machine.facts.holdsText(register):
      Evaluator.appendQuoted(machine.facts.texts[Int(register.word)], to: &bytes)
    default:
      bytes.append(contentsOf: machine.json(register, rendering.decisionTypes[position]).utf8)
    }
  }

  /// Appends the last decision's record as one line of JSON (without the line break): the
  /// same text as `record(…).json`, rendered from the registers.
  public mutating func appendRecordJSON(
    asOf: CivilDate, jurisdiction: String, to bytes: inout [UInt8]
  ) {
    bytes.append(contentsOf: rendering.recordStart)
    bytes.append(UInt8(ascii: "\""))
    asOf.appendISO8601(to: &bytes)
    bytes.append(contentsOf: "\",\"jurisdiction\":".utf8)
    Evaluator.appendQuoted(jurisdiction, to: &bytes)
    bytes.append(contentsOf: ",\"decisions\":{".utf8)
    for position in rendering.decisionKeys.indices {
      bytes.append(contentsOf: rendering.decisionKeys[position])
      appendDecisionJSON(position, to: &bytes)
      let reason = machine.decisionReasons[position]
      if reason >= 0 {
        bytes.append(contentsOf: ",\"reason\":".utf8)
        appendText(reason, to: &bytes)
      }
      bytes.append(UInt8(ascii: "}"))
    }
    bytes.append(contentsOf: "},\"failed_conditions\":[".utf8)
    for (index, failure) in machine.failedConditionIndexes.enumerated() {
      bytes.append(contentsOf: index == 0 ? "{\"definition\":".utf8 : ",{\"definition\":".utf8)
      bytes.append(contentsOf: rendering.quotedDefinitions[Int(failure.definition)])
      bytes.append(contentsOf: ",\"reason\":".utf8)
      appendText(failure.reason, to: &bytes)
      bytes.append(UInt8(ascii: "}"))
    }
    bytes.append(contentsOf: "],\"inputs_read\":[".utf8)
    machine.withInputsRead { paths in
      for (index, path) in paths.enumerated() {
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        appendText(path, to: &bytes)
      }
    }
    bytes.append(contentsOf: "]}".utf8)
  }

  /// Appends text `index` of the machine's texts, quoted.
  mutating func appendText(_ index: Int32, to bytes: inout [UInt8]) {
    let text = Int(index)
    if text < rendering.quotedTexts.count {
      bytes.append(contentsOf: rendering.quotedTexts[text])
    } else {
      Evaluator.appendQuoted(machine.facts.texts[text], to: &bytes)
    }
  }

  /// Appends `value` in decimal.
  public static func appendInteger(_ value: Int64, to bytes: inout [UInt8]) {
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var count = 0
      repeat {
        digits[19 - count] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
        magnitude /= 10
        count += 1
      } while magnitude > 0
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
    }
  }

  /// Appends `text` as a JSON string, escaped as `JSONWriter.quote` escapes it.
  public static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
    bytes.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): bytes.append(contentsOf: "\\\"".utf8)
      case UInt8(ascii: "\\"): bytes.append(contentsOf: "\\\\".utf8)
      case UInt8(ascii: "\n"): bytes.append(contentsOf: "\\n".utf8)
      case UInt8(ascii: "\r"): bytes.append(contentsOf: "\\r".utf8)
      case UInt8(ascii: "\t"): bytes.append(contentsOf: "\\t".utf8)
      case 0..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        bytes.append(contentsOf: "\\u00".utf8)
        bytes.append(hex[Int(byte >> 4)])
        bytes.append(hex[Int(byte & 15)])
      default: bytes.append(byte)
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }
}

extension CivilDate {
  /// Appends `YYYY-MM-DD` (the `description`) without building a string.
  func appendISO8601(to bytes: inout [UInt8]) {
    let (year, month, day) = components
    guard (0...9999).contains(year) else {
      bytes.append(contentsOf: description.utf8)
      return
    }
    func two(_ value: Int64) {
      bytes.append(UInt8(truncatingIfNeeded: value / 10) &+ 0x30)
      bytes.append(UInt8(truncatingIfNeeded: value % 10) &+ 0x30)
    }
    two(year / 100)
    two(year % 100)
    bytes.append(UInt8(ascii: "-"))
    two(month)
    bytes.append(UInt8(ascii: "-"))
    two(day)
  }
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

  /// Appends the raw reason code (not quoted) of decision `position`; nothing when it has none.
  public mutating func appendReason(_ position: Int, to bytes: inout [UInt8]) {
    let reason = machine.decisionReasons[position]
    guard reason >= 0 else { return }
    bytes.append(contentsOf: machine.facts.texts[Int(reason)].utf8)
  }
}
