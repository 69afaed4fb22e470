// The printed form of a policy image (`regula disasm`): deterministic, golden-tested, and
// total — an unverified image prints too, with out-of-range operands marked by `?`.

/// Prints a policy image as text.
public enum Disassembler {
  /// The image as text: a header with the name and counts, the jurisdictions, each
  /// definition with its entry point per jurisdiction, then every instruction, one per line:
  ///
  ///     0042  add               r3, r1, r2                    ; rules.regula:120-135
  ///
  /// with operands printed by kind (`r3` registers, `k4 (12/5: Decimal)` constants with their
  /// value and type, `"…"` texts, `@0042` jump targets, `` `name` `` definitions) and each
  /// `extra` operand word indented under the instruction it belongs to.
  ///
  /// - Complexity: O(n) in the size of the image.
  public static func disassemble(_ image: PolicyImage) -> String {
    var printer = Printer(image: image)
    printer.header()
    printer.definitions()
    printer.code()
    return printer.output
  }

  /// The image as the VM runs it untraced: `disassemble` of the image with its fast section
  /// (`PolicyImage.withFastSection`), definitions entering there, and only that section's
  /// instructions printed (the image's own print as `disassemble` shows them).
  public static func disassemble(_ image: PolicyImage, fast: FastCode) -> String {
    var printer = Printer(image: image.withFastSection(fast))
    printer.header()
    printer.line(
      "  fast section from @\(fast.sectionStart): \(fast.inlinedCalls) "
        + "\(plural(fast.inlinedCalls, "call")) inlined")
    printer.line()
    printer.definitions()
    printer.code(from: fast.sectionStart)
    return printer.output
  }
}

private struct Printer {
  let image: PolicyImage
  var output = ""
  /// Digits in an instruction index.
  let width: Int

  init(image: PolicyImage) {
    self.image = image
    width = max(4, String(max(image.code.count - 1, 0)).count)
  }

  mutating func line(_ text: String = "") { output += text + "\n" }

  mutating func header() {
    line("policy \(quoted(image.name))")
    line(
      "  \(image.code.count) \(plural(image.code.count, "instruction")), "
        + "\(image.constants.count) \(plural(image.constants.count, "constant")), "
        + "\(image.exactConstants.count) exact \(plural(image.exactConstants.count, "constant")), "
        + "\(image.constantLists.count) constant \(plural(image.constantLists.count, "list")), "
        + "\(image.texts.count) \(plural(image.texts.count, "text")), "
        + "\(image.types.count) \(plural(image.types.count, "type"))")
    line(
      "  \(image.definitions.count) \(plural(image.definitions.count, "definition")), "
        + "\(image.jurisdictions.count) \(plural(image.jurisdictions.count, "jurisdiction")), "
        + "\(image.jurisdictionMaps.count) jurisdiction "
        + "\(plural(image.jurisdictionMaps.count, "map")), "
        + "\(image.enums.count) \(plural(image.enums.count, "enum")), "
        + "\(image.records.count) \(plural(image.records.count, "record")) "
        + "(input: \(recordName(image.inputRecord))), "
        + "\(image.sourceFiles.count) source \(plural(image.sourceFiles.count, "file"))")
    if let special = image.specialisedAsOf {
      line("  specialised for \(dayText(special)): versions resolved, no other as-of date decided")
    }
    line()
    line("jurisdictions")
    for (index, code) in image.jurisdictions.enumerated() { line("  j\(index)  \(code)") }
    for (index, map) in image.jurisdictionMaps.enumerated() {
      let entries = map.enumerated().map { "\($0.offset) → \(jurisdiction(Int($0.element)))" }
      line("  m\(index)  [\(entries.joined(separator: ", "))]")
    }
    line()
  }

  mutating func definitions() {
    line("definitions")
    let codeWidth = image.jurisdictions.map(\.count).max() ?? 0
    for (index, definition) in image.definitions.enumerated() {
      line(
        "  d\(index)  \(quoted(definition.name))  \(definition.kind)  "
          + "\(typeName(definition.type))  frame \(definition.frameSize)"
          + (definition.hasReason ? "  reason" : ""))
      for (position, entry) in definition.entries.enumerated() {
        let code =
          image.jurisdictions.indices.contains(position)
          ? image.jurisdictions[position] : "j\(position)?"
        line("      \(padded(code, codeWidth))  \(target(Int(entry)))")
      }
    }
    line()
  }

  mutating func code(from start: Int = 0) {
    line("code")
    var entryLabels: [Int: [String]] = [:]
    for (index, definition) in image.definitions.enumerated() {
      for (position, entry) in definition.entries.enumerated() {
        entryLabels[Int(entry), default: []].append(
          "\(self.definition(index)) in \(jurisdiction(position))")
      }
    }
    for (index, instruction) in image.code.enumerated() where index >= start {
      if let labels = entryLabels[index] {
        if index > start { line() }
        for label in labels { line("\(label):") }
      }
      let layout = instruction.opcode.layout
      var operands: [String]
      var mnemonic = "\(instruction.opcode)"
      if instruction.opcode == .extra {
        mnemonic = "  extra"
        let owner = index > 0 ? image.code[index - 1].opcode.layout.extra : nil
        if let owner {
          operands = [render(owner.kind, instruction.operand(owner.slot), instruction)]
        } else {
          operands = ["\(instruction.a), \(instruction.b), \(instruction.c)"]
        }
      } else {
        operands = layout.operands.compactMap {
          $0.kind == .count || ($0.kind == .optionalText && instruction.b == PolicyImage.noText)
            ? nil : render($0.kind, instruction.operand($0.slot), instruction)
        }
      }
      var text =
        "  \(padded(String(index), width, leading: true, fill: "0"))  \(padded(mnemonic, 17)) "
      text += operands.joined(separator: ", ")
      if image.debug.indices.contains(index) {
        let entry = image.debug[index]
        let file =
          image.sourceFiles.indices.contains(Int(entry.file))
          ? image.sourceFiles[Int(entry.file)] : "file\(entry.file)"
        text = padded(text, 64) + " ; \(file):\(entry.start)-\(entry.end)"
      }
      while text.last == " " { text.removeLast() }
      line(text)
    }
  }

  // MARK: Operands

  func render(_ kind: OperandKind, _ value: Int, _ instruction: Instruction) -> String {
    switch kind {
    case .register: return "r\(value)"
    case .registerRun: return registers(from: value, count: Int(instruction.c))
    case .registerTriple: return registers(from: value, count: 3)
    case .count: return "\(value)"
    case .constant:
      guard image.constants.indices.contains(value) else { return "k\(value)?" }
      let type =
        image.constantTypes.indices.contains(value)
          && image.types.indices.contains(Int(image.constantTypes[value]))
        ? typeName(image.types[Int(image.constantTypes[value])]) : "?"
      return "k\(value) (\(registerValue(image.constants[value])): \(type))"
    case .text, .optionalText:
      guard image.texts.indices.contains(value) else { return "t\(value)?" }
      return quotedText(image.texts[value])
    case .definition: return definition(value)
    case .target: return target(value)
    case .map: return image.jurisdictionMaps.indices.contains(value) ? "m\(value)" : "m\(value)?"
    case .jurisdiction: return jurisdiction(value)
    case .type:
      guard image.types.indices.contains(value) else { return "type \(value)?" }
      return typeName(image.types[value])
    case .roundingMode:
      let names = ["halfUp", "halfEven", "down", "up", "floor", "ceiling"]
      return value < names.count ? names[value] : "mode \(value)?"
    case .monthEnd:
      let names = ["reject", "endOfMonth", "startOfNextMonth"]
      return value < names.count ? names[value] : "month end \(value)?"
    case .datePart:
      let names = ["year", "month", "day"]
      return value < names.count ? names[value] : "part \(value)?"
    case .failKind:
      let names = ["noVersion", "noCase", "emptyList", "noVersionAsOf", "notDefined"]
      return value < names.count ? names[value] : "kind \(value)?"
    case .places: return "places \(value)"
    case .factor: return "×\(value)"
    case .field: return "field \(value)"
    }
  }

  func registers(from first: Int, count: Int) -> String {
    if count > 8 { return "[r\(first) … r\(first + count - 1)]" }
    return "[" + (0..<count).map { "r\(first + $0)" }.joined(separator: ", ") + "]"
  }

  func registerValue(_ register: Register) -> String {
    switch register.tag {
    case 0: return "\(register.word)"
    case Register.noneTag: return "none"
    case Register.unknownTag: return "unknown"
    case Register.bigTag:
      guard register.word >= 0, register.word < Int64(image.exactConstants.count) else {
        return "x\(register.word)?"
      }
      return "x\(register.word) \(image.exactConstants[Int(register.word)])"
    case 1...: return "\(register.word)/\(register.tag)"
    default: return "\(register.word) tag \(register.tag)?"
    }
  }

  func definition(_ index: Int) -> String {
    image.definitions.indices.contains(index)
      ? quoted(image.definitions[index].name) : "d\(index)?"
  }

  func jurisdiction(_ index: Int) -> String {
    image.jurisdictions.indices.contains(index) ? image.jurisdictions[index] : "j\(index)?"
  }

  func recordName(_ index: Int) -> String {
    image.records.indices.contains(index) ? image.records[index].name : "record \(index)?"
  }

  func target(_ index: Int) -> String {
    "@" + padded(String(index), width, leading: true, fill: "0")
  }

  func typeName(_ type: SchemaType) -> String { image.typeName(type) }

}

/// `name` in backticks.
private func quoted(_ name: String) -> String { "`\(name)`" }

/// A text in double quotes, with `"`, `\` and control characters escaped.
private func quotedText(_ text: String) -> String {
  var result = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": result += "\\\""
    case "\\": result += "\\\\"
    case "\n": result += "\\n"
    case "\t": result += "\\t"
    case "\r": result += "\\r"
    default:
      if scalar.value < 0x20 || scalar.value == 0x7F {
        result += "\\u{\(String(scalar.value, radix: 16))}"
      } else {
        result.unicodeScalars.append(scalar)
      }
    }
  }
  return result + "\""
}

private func padded(_ text: String, _ width: Int, leading: Bool = false, fill: Character = " ")
  -> String
{
  let count = text.count
  guard count < width else { return text }
  let padding = String(repeating: fill, count: width - count)
  return leading ? padding + text : text + padding
}

/// A day number since 1970-01-01 as `YYYY-MM-DD` (the proleptic Gregorian calendar, by Howard
/// Hinnant's `civil_from_days`), or `day N` outside years ±1,000,000.
func dayText(_ day: Int64) -> String {
  guard abs(day) < 365_000_000 else { return "day \(day)" }
  let z = day + 719_468
  let era = (z >= 0 ? z : z - 146_096) / 146_097
  let dayOfEra = z - era * 146_097
  let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
  let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
  let shifted = (5 * dayOfYear + 2) / 153
  let dayOfMonth = dayOfYear - (153 * shifted + 2) / 5 + 1
  let month = shifted < 10 ? shifted + 3 : shifted - 9
  let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
  return "\(year)-\(two(month))-\(two(dayOfMonth))"
}
