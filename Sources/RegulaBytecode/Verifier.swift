// The load-time verifier: proves of a policy image everything the VM's dispatch loop assumes,
// so that the loop itself checks nothing. A compiled file is decoded, then verified, then run.

/// Why a policy image failed verification: the instruction at fault (if the problem is in the
/// code) and a one-line message in the house style (lowercase, no final period).
public struct VerificationError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The index of the instruction at fault, or nil for a problem in the tables.
  public var instruction: Int?
  /// What is wrong, naming the opcode and operand for a problem in the code.
  public var message: String

  /// Creates an error about `instruction` (or the tables, when nil).
  public init(instruction: Int?, message: String) {
    self.instruction = instruction
    self.message = message
  }

  /// `instruction N: message`, or the message alone for a problem in the tables.
  public var description: String {
    guard let instruction else { return message }
    return "instruction \(instruction): \(message)"
  }
}

/// Checks a `PolicyImage` before the VM runs it. See `verify(_:)` for what is proved.
public enum Verifier {
  /// The most registers one definition's frame may have.
  public static let maximumFrameSize = 4096
  /// The most instructions an image may have (16 Mi).
  public static let maximumCodeCount = 1 << 24
  /// The most registers all frames together may have: the VM allocates them all up front,
  /// since calls are acyclic and a call chain visits each definition at most once.
  public static let maximumTotalFrameSize = 1 << 22
  /// The most entry points (definitions × jurisdictions): the size of the VM's memo table.
  public static let maximumEntryPointCount = 1 << 22
  /// The longest chain of calls (a definition needing one needing one …): traces are trees of
  /// that depth, built and rendered by recursion, so it must fit any thread's stack. Real
  /// policies are a few dozen deep.
  public static let maximumCallDepth = 1000

  /// Verifies `image`, throwing the first problem found. On success the VM may run any entry
  /// point with no checks of its own, because:
  ///
  /// - every register operand (including the runs of `newList`/`newRecord`, the three
  ///   registers of `makeDate` and the unit register in `roundMultiple`'s `extra`) is below
  ///   the frame size of the definition the instruction belongs to (its debug entry's
  ///   `definition`), and execution never leaves that definition: every entry point, jump
  ///   target and fall-through successor lies in the same definition;
  /// - every constant, text, type, definition, jurisdiction-map and jurisdiction operand is in
  ///   range, and the enumerated operands (rounding mode, month-end policy, date part, fail
  ///   kind) are defined values;
  /// - jump targets are in the code and never an `extra` word; each opcode that reads an
  ///   `extra` word has one after it, and no `extra` word stands anywhere else;
  /// - `pushDate` stands only in a `pushDate`, `call`, `popDate` group, which no jump target or
  ///   entry point enters but at its start (so the dates the VM stacks stay paired and
  ///   bounded by the calls under way);
  /// - no path falls off the end of the code: every instruction but `return`, `fail`,
  ///   `conflict` and `jump` has a successor;
  /// - every loop passes a `step` instruction (so the step limit bounds the work), and the
  ///   call graph has no cycles (so the frame stack is bounded);
  /// - the debug table has one entry per instruction; each definition has one entry point per
  ///   jurisdiction; each jurisdiction map has one entry per case of some enum, each naming a
  ///   jurisdiction; every type's enum and record indices and the input record are in range;
  ///   every big constant (in the pool, in constant lists, in field bounds) names an exact
  ///   constant, and every exact constant is decimal or `p/q` text;
  /// - the limits hold: frames of at most `maximumFrameSize` registers, at most
  ///   `maximumCodeCount` instructions, `maximumTotalFrameSize` registers in all,
  ///   `maximumEntryPointCount` entry points and `maximumCallDepth` calls in a chain, types
  ///   nested at most
  ///   `PolicyImage.maximumTypeDepth` levels.
  ///
  /// - every register an instruction reads holds a value of the kind it expects, on every
  ///   path (a dataflow analysis over each definition, joining kinds where paths meet): a
  ///   record with the field `field` names, a list for `length` and the loops, a table and a
  ///   case of its key enum for `item`, texts for `textEqual`, a list under construction for
  ///   `append`, an enum case with one jurisdiction-map entry per case for `callAt`; the
  ///   registers of `newList` and `newRecord` hold the items their type (`types[next.bc]`)
  ///   says, `return` gives a value of its definition's type, and no register is read before
  ///   it is written. The sources of kinds are checked too: every constant is a value of its
  ///   type (`constantTypes`: texts, enum cases and constant lists in range, records and
  ///   tables with one item per field or key). So the handles and case indices the VM follows
  ///   are in range, and the dispatch loop follows them unchecked.
  ///
  /// - Throws: `VerificationError` for the first problem found.
  /// - Complexity: O(n) in the size of the image (code, tables and call graph) for the
  ///   structural checks. The dataflow's fixed point is O(i + j·f) per definition in practice
  ///   (instructions, jump targets, frame registers), O(j·f²) at worst; it stops with an error
  ///   past `KindChecker.maximumAnalysisCost` (2^28 register states) rather than run long.
  public static func verify(_ image: PolicyImage) throws(VerificationError) {
    var checker = Checker(image: image)
    try checker.checkLimits()
    try checker.checkSchema()
    try checker.checkConstants()
    try checker.checkDefinitions()
    try checker.checkCode()
    try checker.checkLoops()
    try checker.checkCalls()
    try checker.checkExplanations()
    var kinds = KindChecker(image: image)
    try kinds.check()
  }
}

// MARK: - Operand layouts (shared with the disassembler)

/// Which field of an instruction an operand occupies.
enum OperandSlot: Sendable {
  case a, b, c, bc
}

/// What an operand means: how the verifier checks it and the disassembler prints it.
enum OperandKind: Sendable {
  /// A register of the current frame.
  case register
  /// The first of `c` consecutive registers (`c` is the `count` operand).
  case registerRun
  /// The number of registers in a `registerRun`.
  case count
  /// The first of three consecutive registers.
  case registerTriple
  /// An index into `constants`.
  case constant
  /// An index into `texts`.
  case text
  /// An index into `texts`, or `PolicyImage.noText`.
  case optionalText
  /// An index into `definitions`.
  case definition
  /// An instruction index.
  case target
  /// An index into `jurisdictionMaps`.
  case map
  /// An index into `jurisdictions`.
  case jurisdiction
  /// An index into `types`.
  case type
  /// A rounding mode, 0 through 5.
  case roundingMode
  /// A month-end policy, 0 through 2.
  case monthEnd
  /// A date part, 0 through 2.
  case datePart
  /// 0: no version in force; 1: no case applies.
  case failKind
  /// Decimal places (any value).
  case places
  /// A scale factor (any value).
  case factor
  /// A field index within a record (checked against the record's type by the kind analysis).
  case field
}

/// The operands of an opcode, in print order, and the operand its `extra` word carries.
struct OperandLayout: Sendable {
  var operands: [(slot: OperandSlot, kind: OperandKind)]
  var extra: (slot: OperandSlot, kind: OperandKind)?
}

extension Opcode {
  /// Whether execution never continues to the next instruction.
  var isTerminator: Bool {
    switch self {
    case .return, .fail, .conflict, .jump: true
    default: false
    }
  }

  /// True when the instruction is followed by an `extra` operand word (which it skips).
  public var hasExtraWord: Bool { layout.extra != nil }

  /// The layout of each opcode, indexed by raw value.
  static let layouts: [OperandLayout] = allCases.map(\.computedLayout)

  var layout: OperandLayout { Opcode.layouts[Int(rawValue)] }

  private var computedLayout: OperandLayout {
    let abc: [(slot: OperandSlot, kind: OperandKind)] = [
      (.a, .register), (.b, .register), (.c, .register),
    ]
    let ab: [(slot: OperandSlot, kind: OperandKind)] = [(.a, .register), (.b, .register)]
    switch self {
    case .move, .negate, .durationNegate, .toRational, .rationalNegate, .not, .isNone, .length,
      .append:
      return OperandLayout(operands: ab)
    case .add, .subtract, .multiply, .durationAdd, .durationSubtract, .durationMultiply,
      .rationalAdd, .rationalSubtract, .rationalMultiply, .rationalDivide, .equal, .less,
      .lessEqual, .rationalEqual, .rationalLess, .rationalLessEqual, .textEqual, .item,
      .dateAddDays, .age, .monthsBetween, .daysBetween:
      return OperandLayout(operands: abc)
    case .constant: return OperandLayout(operands: [(.a, .register), (.bc, .constant)])
    case .input, .asOf, .none, .pushDate: return OperandLayout(operands: [(.a, .register)])
    case .listBuilder: return OperandLayout(operands: [(.a, .register)], extra: (.bc, .type))
    case .divideRound: return OperandLayout(operands: abc, extra: (.a, .roundingMode))
    case .round: return OperandLayout(operands: ab + [(.c, .roundingMode)])
    case .roundPlaces:
      return OperandLayout(operands: ab + [(.c, .roundingMode)], extra: (.a, .places))
    case .roundMultiple:
      return OperandLayout(operands: ab + [(.c, .roundingMode)], extra: (.a, .register))
    case .scale, .rationalScale: return OperandLayout(operands: ab + [(.c, .factor)])
    case .deepEqual: return OperandLayout(operands: abc, extra: (.bc, .type))
    case .jump: return OperandLayout(operands: [(.bc, .target)])
    case .jumpIfFalse, .jumpIfTrue, .jumpIfNone:
      return OperandLayout(operands: [(.a, .register), (.bc, .target)])
    case .jumpIfNotLess, .jumpIfLess, .jumpIfEqual, .jumpIfNotEqual:
      return OperandLayout(operands: ab, extra: (.bc, .target))
    case .field: return OperandLayout(operands: ab + [(.c, .field)], extra: (.bc, .text))
    case .inputField:
      return OperandLayout(operands: [(.a, .register), (.c, .field)], extra: (.bc, .text))
    case .next, .nextLoop: return OperandLayout(operands: abc, extra: (.bc, .target))
    case .newList, .newRecord:
      return OperandLayout(
        operands: [(.a, .register), (.b, .registerRun), (.c, .count)], extra: (.bc, .type))
    case .dateAddMonths, .dateAddYears: return OperandLayout(operands: abc, extra: (.a, .monthEnd))
    case .datePart: return OperandLayout(operands: ab + [(.c, .datePart)])
    case .makeDate: return OperandLayout(operands: [(.a, .register), (.b, .registerTriple)])
    case .call, .reasonOf: return OperandLayout(operands: [(.a, .register), (.bc, .definition)])
    case .callAt:
      return OperandLayout(
        operands: [(.a, .register), (.b, .register), (.c, .map)], extra: (.bc, .definition))
    case .return: return OperandLayout(operands: [(.a, .register), (.b, .optionalText)])
    case .failCondition: return OperandLayout(operands: [(.bc, .text)])
    case .fail: return OperandLayout(operands: [(.a, .failKind), (.bc, .definition)])
    case .conflict: return OperandLayout(operands: [(.a, .jurisdiction), (.bc, .definition)])
    case .step, .extra, .popDate: return OperandLayout(operands: [])
    }
  }
}

extension Instruction {
  /// The value of the operand in `slot`.
  func operand(_ slot: OperandSlot) -> Int {
    switch slot {
    case .a: Int(a)
    case .b: Int(b)
    case .c: Int(c)
    case .bc: Int(bc)
    }
  }
}

// MARK: - The checks

private struct Checker {
  let image: PolicyImage
  /// Calls made by each definition: (callee, instruction).
  var calls: [[(callee: Int, instruction: Int)]] = []

  init(image: PolicyImage) { self.image = image }

  private func fail(_ message: String) -> VerificationError {
    VerificationError(instruction: nil, message: message)
  }

  private func name(ofDefinition index: Int) -> String {
    image.definitions.indices.contains(index) ? "`\(image.definitions[index].name)`" : "d\(index)"
  }

  // MARK: Limits and tables

  func checkLimits() throws(VerificationError) {
    guard image.code.count <= Verifier.maximumCodeCount else {
      throw fail(
        "code of \(image.code.count) instructions exceeds the limit of \(Verifier.maximumCodeCount)"
      )
    }
    guard image.debug.count == image.code.count else {
      throw fail(
        "debug table has \(image.debug.count) \(plural(image.debug.count, "entry", "entries")) "
          + "for \(image.code.count) \(plural(image.code.count, "instruction"))")
    }
    guard !image.jurisdictions.isEmpty else {
      throw fail("no jurisdictions: index 0 must name `national`")
    }
    let entryPoints = image.definitions.count.multipliedReportingOverflow(
      by: image.jurisdictions.count)
    guard !entryPoints.overflow, entryPoints.partialValue <= Verifier.maximumEntryPointCount else {
      throw fail(
        "\(image.definitions.count) definitions in \(image.jurisdictions.count) jurisdictions "
          + "exceed the limit of \(Verifier.maximumEntryPointCount) entry points")
    }
    var totalFrame = 0
    for (index, definition) in image.definitions.enumerated() {
      guard Int(definition.frameSize) <= Verifier.maximumFrameSize else {
        throw fail(
          "definition \(index) `\(definition.name)`: frame of \(definition.frameSize) registers "
            + "exceeds the limit of \(Verifier.maximumFrameSize)")
      }
      totalFrame += Int(definition.frameSize)
    }
    guard totalFrame <= Verifier.maximumTotalFrameSize else {
      throw fail(
        "frames of \(totalFrame) registers in all exceed the limit of "
          + "\(Verifier.maximumTotalFrameSize)")
    }
  }

  func checkSchema() throws(VerificationError) {
    for (index, record) in image.records.enumerated() {
      for field in record.fields {
        let context = "record \(index) `\(record.name)` field `\(field.name)`"
        try checkType(field.type, context)
        if field.boundsOnLength {
          switch field.type {
          case .list, .optional(.list): break
          default: throw fail("\(context) has length bounds but is not a list")
          }
        }
        if let bounds = field.bounds {
          guard bounds.low != nil || bounds.high != nil else {
            throw fail("\(context) has bounds with neither a low nor a high one")
          }
          if let low = bounds.low { try checkRegister(low, "\(context) low bound") }
          if let high = bounds.high { try checkRegister(high, "\(context) high bound") }
        }
      }
    }
    guard image.records.indices.contains(image.inputRecord) else {
      throw fail(
        "input record \(image.inputRecord) is out of range "
          + "(\(image.records.count) \(plural(image.records.count, "record")))")
    }
    for (index, type) in image.types.enumerated() { try checkType(type, "type \(index)") }
    for (index, definition) in image.definitions.enumerated() {
      try checkType(definition.type, "definition \(index) `\(definition.name)` type")
    }
    var codes: Set<String> = []
    for (index, entry) in image.jurisdictionCodes.enumerated() {
      guard Int(entry.target) < image.jurisdictions.count else {
        throw fail(
          "jurisdiction code \(index) `\(entry.code)` names jurisdiction j\(entry.target), "
            + "out of range (\(image.jurisdictions.count) "
            + "\(plural(image.jurisdictions.count, "jurisdiction")))")
      }
      guard codes.insert(entry.code).inserted else {
        throw fail("jurisdiction code `\(entry.code)` is listed twice")
      }
    }
    for (index, map) in image.jurisdictionMaps.enumerated() {
      guard image.enums.contains(where: { $0.cases.count == map.count }) else {
        throw fail(
          "jurisdiction map m\(index) has \(map.count) \(plural(map.count, "entry", "entries")), "
            + "but no enum has \(map.count) \(plural(map.count, "case"))")
      }
      for (position, jurisdiction) in map.enumerated()
      where Int(jurisdiction) >= image.jurisdictions.count {
        throw fail(
          "jurisdiction map m\(index) entry \(position) names jurisdiction j\(jurisdiction), "
            + "out of range (\(image.jurisdictions.count) "
            + "\(plural(image.jurisdictions.count, "jurisdiction")))")
      }
    }
  }

  func checkType(_ type: SchemaType, _ context: String, depth: Int = 1)
    throws(VerificationError)
  {
    guard depth <= PolicyImage.maximumTypeDepth else {
      throw fail("\(context) is nested more than \(PolicyImage.maximumTypeDepth) levels deep")
    }
    switch type {
    case .bool, .int, .decimal, .money, .exactMoney, .date, .days, .months, .years, .text: return
    case .enumeration(let index): try checkEnum(index, context)
    case .record(let index):
      guard image.records.indices.contains(index) else {
        throw fail(
          "\(context) names record \(index), out of range "
            + "(\(image.records.count) \(plural(image.records.count, "record")))")
      }
    case .list(let element): try checkType(element, context, depth: depth + 1)
    case .optional(let wrapped): try checkType(wrapped, context, depth: depth + 1)
    case .table(let key, let value):
      try checkEnum(key, context)
      try checkType(value, context, depth: depth + 1)
    }
  }

  func checkEnum(_ index: Int, _ context: String) throws(VerificationError) {
    guard image.enums.indices.contains(index) else {
      throw fail(
        "\(context) names enum \(index), out of range "
          + "(\(image.enums.count) \(plural(image.enums.count, "enum")))")
    }
  }

  func checkConstants() throws(VerificationError) {
    for (index, text) in image.exactConstants.enumerated() where !isExactLiteral(text) {
      throw fail("exact constant x\(index) `\(text)` is not a decimal or `p/q` number")
    }
    for (index, register) in image.constants.enumerated() {
      try checkRegister(register, "constant k\(index)")
    }
    for (list, items) in image.constantLists.enumerated() {
      for (position, register) in items.enumerated() {
        try checkRegister(register, "constant list l\(list) item \(position)")
      }
    }
  }

  /// A constant register: a defined tag; a big value names an exact constant; a small
  /// rational is in lowest terms.
  func checkRegister(_ register: Register, _ context: String) throws(VerificationError) {
    switch register.tag {
    case 0, Register.unknownTag, Register.noneTag: return
    case Register.bigTag:
      guard register.word >= 0, register.word < Int64(image.exactConstants.count) else {
        throw fail(
          "\(context) names exact constant x\(register.word), out of range "
            + "(\(image.exactConstants.count) exact "
            + "\(plural(image.exactConstants.count, "constant")))"
        )
      }
    case 1...:
      guard greatestCommonDivisor(register.word.magnitude, register.tag.magnitude) == 1 else {
        throw fail(
          "\(context) is the rational \(register.word)/\(register.tag), not in lowest terms")
      }
    default: throw fail("\(context) has the undefined tag \(register.tag)")
    }
  }

  // MARK: Definitions

  mutating func checkDefinitions() throws(VerificationError) {
    calls = Array(repeating: [], count: image.definitions.count)
    for (index, entry) in image.debug.enumerated()
    where Int(entry.definition) >= image.definitions.count {
      throw VerificationError(
        instruction: index,
        message:
          "`\(image.code[index].opcode)` belongs to definition d\(entry.definition), out of range "
          + "(\(image.definitions.count) \(plural(image.definitions.count, "definition")))")
    }
    for (index, definition) in image.definitions.enumerated() {
      let context = "definition \(index) `\(definition.name)`"
      guard definition.entries.count == image.jurisdictions.count else {
        throw fail(
          "\(context) has \(definition.entries.count) "
            + "\(plural(definition.entries.count, "entry point")) for "
            + "\(image.jurisdictions.count) \(plural(image.jurisdictions.count, "jurisdiction"))")
      }
      for (jurisdiction, rawEntry) in definition.entries.enumerated() {
        let entry = Int(rawEntry)
        let code = image.jurisdictions[jurisdiction]
        guard entry < image.code.count else {
          throw fail(
            "\(context) entry point for `\(code)` @\(entry) is outside the code "
              + "(\(image.code.count) \(plural(image.code.count, "instruction")))")
        }
        guard image.code[entry].opcode != .extra else {
          throw fail("\(context) entry point for `\(code)` @\(entry) is an `extra` operand word")
        }
        guard !isInsideDateGroup(entry) else {
          throw fail(
            "\(context) entry point for `\(code)` @\(entry) is inside a "
              + "`pushDate`, `call`, `popDate` group")
        }
        let owner = Int(image.debug[entry].definition)
        guard owner == index else {
          throw fail(
            "\(context) entry point for `\(code)` @\(entry) is in the code of "
              + "\(name(ofDefinition: owner))")
        }
      }
    }
  }

  // MARK: Code

  mutating func checkCode() throws(VerificationError) {
    let code = image.code
    let debug = image.debug
    for index in code.indices {
      let instruction = code[index]
      let owner = Int(debug[index].definition)
      func fail(_ message: String) -> VerificationError {
        VerificationError(instruction: index, message: "`\(instruction.opcode)` \(message)")
      }
      if !image.sourceFiles.isEmpty, Int(debug[index].file) >= image.sourceFiles.count {
        throw fail(
          "has source file \(debug[index].file), out of range (\(image.sourceFiles.count) "
            + "source \(plural(image.sourceFiles.count, "file")))")
      }
      guard debug[index].start <= debug[index].end else {
        throw fail(
          "has the source range \(debug[index].start)-\(debug[index].end), which is reversed")
      }
      if instruction.opcode == .extra {
        guard index > 0 else { throw fail("operand word starts the code") }
        guard code[index - 1].opcode.layout.extra != nil else {
          throw fail("operand word follows `\(code[index - 1].opcode)`, which takes none")
        }
        guard debug[index - 1].definition == debug[index].definition else {
          throw fail("operand word is in a different definition from its instruction")
        }
        continue  // checked with the instruction it belongs to
      }
      let layout = instruction.opcode.layout
      var extra: Instruction?
      if layout.extra != nil {
        guard index + 1 < code.count, code[index + 1].opcode == .extra else {
          let found = index + 1 < code.count ? "`\(code[index + 1].opcode)`" : "the end of the code"
          throw fail("needs an `extra` operand word after it, found \(found)")
        }
        extra = code[index + 1]
      }
      let frame = Int(image.definitions[owner].frameSize)
      for operand in layout.operands {
        if let problem = problem(
          operand.kind, instruction.operand(operand.slot), in: instruction, index: index,
          owner: owner, frame: frame)
        {
          throw fail("operand \(operand.slot): \(problem)")
        }
      }
      if let slot = layout.extra, let extra {
        if let problem = problem(
          slot.kind, extra.operand(slot.slot), in: extra, index: index, owner: owner,
          frame: frame)
        {
          throw fail("operand extra.\(slot.slot): \(problem)")
        }
      }
      // `NAME as of DATE` is exactly `pushDate`, `call`, `popDate`, entered only at its
      // `pushDate` (jump targets and entry points are checked against `isInsideDateGroup`):
      // so every date pushed is popped, and the dates stacked never outnumber the calls.
      if instruction.opcode == .pushDate {
        guard index + 2 < code.count, code[index + 1].opcode == .call,
          code[index + 2].opcode == .popDate
        else { throw fail("is not followed by `call` and `popDate`") }
      }
      if instruction.opcode == .popDate, !isInsideDateGroup(index) {
        throw fail("does not follow `pushDate` and `call`")
      }
      switch instruction.opcode {
      case .call, .reasonOf: calls[owner].append((Int(instruction.bc), index))
      case .callAt: if let extra { calls[owner].append((Int(extra.bc), index)) }
      default: break
      }
      if !instruction.opcode.isTerminator {
        let next = index + (extra == nil ? 1 : 2)
        guard next < code.count else { throw fail("falls off the end of the code") }
        let nextOwner = Int(debug[next].definition)
        guard nextOwner == owner else {
          throw fail(
            "falls through from \(name(ofDefinition: owner)) into \(name(ofDefinition: nextOwner))")
        }
      }
    }
  }

  /// True for the `call` and the `popDate` of a `pushDate`, `call`, `popDate` group: places
  /// where execution may not start or jump to.
  func isInsideDateGroup(_ index: Int) -> Bool {
    let code = image.code
    switch code[index].opcode {
    case .call: return index >= 1 && code[index - 1].opcode == .pushDate
    case .popDate:
      return index >= 2 && code[index - 1].opcode == .call && code[index - 2].opcode == .pushDate
    default: return false
    }
  }

  /// What is wrong with an operand of `kind` and `value`, or nil.
  func problem(
    _ kind: OperandKind, _ value: Int, in instruction: Instruction, index: Int, owner: Int,
    frame: Int
  ) -> String? {
    func range(_ what: String, _ count: Int, _ noun: String) -> String? {
      value < count ? nil : "\(what) is out of range (\(count) \(plural(count, noun)))"
    }
    let frameName = "the \(frame)-register frame of \(name(ofDefinition: owner))"
    switch kind {
    case .register: return value < frame ? nil : "register r\(value) is outside \(frameName)"
    case .registerRun:
      let count = Int(instruction.c)
      return value + count <= frame
        ? nil : "registers r\(value)..<r\(value + count) extend outside \(frameName)"
    case .registerTriple:
      return value + 3 <= frame
        ? nil : "registers r\(value)...r\(value + 2) extend outside \(frameName)"
    case .constant: return range("constant k\(value)", image.constants.count, "constant")
    case .text: return range("text t\(value)", image.texts.count, "text")
    case .optionalText:
      return value == Int(PolicyImage.noText)
        ? nil : range("text t\(value)", image.texts.count, "text")
    case .definition: return range("definition d\(value)", image.definitions.count, "definition")
    case .map: return range("jurisdiction map m\(value)", image.jurisdictionMaps.count, "map")
    case .jurisdiction:
      return range("jurisdiction j\(value)", image.jurisdictions.count, "jurisdiction")
    case .type: return range("type \(value)", image.types.count, "type")
    case .target:
      guard value < image.code.count else {
        return "jump target @\(value) is outside the code "
          + "(\(image.code.count) \(plural(image.code.count, "instruction")))"
      }
      guard image.code[value].opcode != .extra else {
        return "jump target @\(value) is an `extra` operand word"
      }
      guard !isInsideDateGroup(value) else {
        return "jump target @\(value) is inside a `pushDate`, `call`, `popDate` group"
      }
      let targetOwner = Int(image.debug[value].definition)
      guard targetOwner == owner else {
        return "jump target @\(value) is in the code of \(name(ofDefinition: targetOwner))"
      }
      return nil
    case .roundingMode: return value <= 5 ? nil : "rounding mode \(value) is not 0 through 5"
    case .monthEnd: return value <= 2 ? nil : "month-end policy \(value) is not 0 through 2"
    case .datePart: return value <= 2 ? nil : "date part \(value) is not 0 through 2"
    case .failKind: return value <= 4 ? nil : "fail kind \(value) is not 0 through 4"
    case .count, .places, .factor, .field: return nil
    }
  }

  // MARK: Loops and calls

  /// The instructions that can run after `index` without passing a `step`.
  func successors(_ index: Int) -> (Int?, Int?) {
    let instruction = image.code[index]
    switch instruction.opcode {
    // `next` and `nextLoop` count a step themselves, so a loop through it is bounded like one through `step`.
    case .return, .fail, .conflict, .step, .next, .nextLoop, .extra: return (nil, nil)
    case .jump: return (Int(instruction.bc), nil)
    case .jumpIfFalse, .jumpIfTrue, .jumpIfNone: return (index + 1, Int(instruction.bc))
    case .jumpIfNotLess, .jumpIfLess, .jumpIfEqual, .jumpIfNotEqual:
      return (index + 2, Int(image.code[index + 1].bc))
    default: return (index + (instruction.opcode.layout.extra == nil ? 1 : 2), nil)
    }
  }

  /// Every cycle of the control-flow graph passes a `step` (depth-first search with the
  /// edges out of `step` removed; a back edge is a loop without one).
  func checkLoops() throws(VerificationError) {
    let count = image.code.count
    var state = [UInt8](repeating: 0, count: count)  // 0 new, 1 on the stack, 2 done
    var stack: [(node: Int, next: Int)] = []
    for root in 0..<count where state[root] == 0 {
      state[root] = 1
      stack.append((root, 0))
      while let top = stack.last {
        let pair = successors(top.node)
        let successor = top.next == 0 ? pair.0 : top.next == 1 ? pair.1 : nil
        guard top.next < 2 else {
          state[top.node] = 2
          stack.removeLast()
          continue
        }
        stack[stack.count - 1].next += 1
        guard let successor else { continue }
        if state[successor] == 1 {
          throw VerificationError(
            instruction: top.node,
            message:
              "`\(image.code[top.node].opcode)` continues to @\(successor), closing a loop "
              + "that passes no `step` instruction")
        }
        if state[successor] == 0 {
          state[successor] = 1
          stack.append((successor, 0))
        }
      }
    }
  }

  /// The call graph is acyclic (depth-first search; a back edge is a cycle of calls), and no
  /// chain of calls is longer than `Verifier.maximumCallDepth` (its length is known when a
  /// definition is done: one more than its longest callee's).
  func checkCalls() throws(VerificationError) {
    var state = [UInt8](repeating: 0, count: image.definitions.count)
    var depth = [Int](repeating: 0, count: image.definitions.count)
    var stack: [(definition: Int, next: Int)] = []
    for root in image.definitions.indices where state[root] == 0 {
      state[root] = 1
      stack.append((root, 0))
      while let top = stack.last {
        guard top.next < calls[top.definition].count else {
          state[top.definition] = 2
          depth[top.definition] = 1 + (calls[top.definition].map { depth[$0.callee] }.max() ?? 0)
          guard depth[top.definition] <= Verifier.maximumCallDepth else {
            throw fail(
              "\(name(ofDefinition: top.definition)) starts a chain of "
                + "\(depth[top.definition]) calls, over the limit of \(Verifier.maximumCallDepth) "
                + "(limit `call_depth`)")
          }
          stack.removeLast()
          continue
        }
        let call = calls[top.definition][top.next]
        stack[stack.count - 1].next += 1
        if state[call.callee] == 1 {
          let start = stack.firstIndex { $0.definition == call.callee } ?? 0
          let cycle = (stack[start...].map(\.definition) + [call.callee]).map {
            name(ofDefinition: $0)
          }
          throw VerificationError(
            instruction: call.instruction,
            message:
              "`\(image.code[call.instruction].opcode)` of \(name(ofDefinition: call.callee)) "
              + "closes a cycle of calls: \(cycle.joined(separator: " → "))")
        }
        if state[call.callee] == 0 {
          state[call.callee] = 1
          stack.append((call.callee, 0))
        }
      }
    }
  }
}

// MARK: - Explanations

extension Checker {
  /// The probes are ordered by instruction, each on an instruction (not an operand word) with
  /// its registers inside the frame of the instruction's definition, its types valid, its texts
  /// and partner in range, and a jump outcome only on a jump. The kinds of the registers a
  /// probe renders are checked by the dataflow (`KindChecker`).
  func checkExplanations() throws(VerificationError) {
    let explanations = image.explanations
    let probes = explanations.probes
    guard
      explanations.declarations.isEmpty
        || explanations.declarations.count == image.definitions.count
    else {
      throw VerificationError(
        instruction: nil,
        message:
          "the explanations give \(explanations.declarations.count) declaration positions for "
          + "\(image.definitions.count) \(plural(image.definitions.count, "definition"))")
    }
    var previous: UInt32 = 0
    for (index, probe) in probes.enumerated() {
      func fail(_ message: String) -> VerificationError {
        VerificationError(instruction: nil, message: "probe \(index): \(message)")
      }
      let pc = Int(probe.pc)
      guard pc < image.code.count else {
        throw fail("observes @\(pc), outside the code (\(image.code.count) instructions)")
      }
      guard probe.pc >= previous else { throw fail("is out of order (@\(pc) after @\(previous))") }
      previous = probe.pc
      guard image.code[pc].opcode != .extra else { throw fail("observes an `extra` operand word") }
      let frame = UInt32(image.definitions[Int(image.debug[pc].definition)].frameSize)
      for register in [probe.a, probe.b, probe.result] where register != Probe.absent {
        guard register < frame else {
          throw fail("reads r\(register), outside the frame of \(frame) registers")
        }
      }
      for type in [probe.typeA, probe.typeB] where type != Probe.absent {
        guard type < image.types.count, image.isValid(image.types[Int(type)]) else {
          throw fail("has type \(type), out of range or invalid")
        }
      }
      // A rounding's `typeB` is its result's type (read from `result`), with no `b`.
      guard (probe.a == Probe.absent) == (probe.typeA == Probe.absent),
        (probe.b == Probe.absent) == (probe.typeB == Probe.absent)
          || ((probe.outcome == .valueAfter || probe.outcome == .valueBefore)
            && probe.b == Probe.absent)
      else { throw fail("has an operand without a type, or a type without an operand") }
      for text in [probe.text, probe.textA, probe.textB, probe.reason, probe.citation]
      where text != Probe.absent {
        guard text < explanations.texts.count else {
          throw fail("names text \(text), out of range (\(explanations.texts.count) texts)")
        }
      }
      if probe.kind == .conditionEnd {
        guard probe.partner < probes.count, probes[Int(probe.partner)].kind == .conditionStart
        else { throw fail("closes probe \(probe.partner), which is not a condition start") }
      }
      if probe.kind == .callEnd {
        guard probe.partner < probes.count, probes[Int(probe.partner)].kind == .callStart
        else { throw fail("closes probe \(probe.partner), which is not a call start") }
      }
      switch probe.outcome {
      case .jumpTakenIsTrue, .jumpTakenIsFalse:
        guard jumpTarget(of: pc) != nil else {
          throw fail("reads a jump's outcome from `\(image.code[pc].opcode)`, not a jump")
        }
      case .register, .negatedRegister, .registerBefore, .negatedRegisterBefore, .valueAfter,
        .valueBefore:
        guard probe.result != Probe.absent else { throw fail("reads its outcome from no register") }
      case .none: break
      }
    }
  }

  /// The target of the jump at `pc`, or nil when it is not a conditional jump.
  func jumpTarget(of pc: Int) -> Int? {
    let instruction = image.code[pc]
    switch instruction.opcode {
    case .jumpIfFalse, .jumpIfTrue, .jumpIfNone: return Int(instruction.bc)
    case .jumpIfNotLess, .jumpIfLess, .jumpIfEqual, .jumpIfNotEqual:
      return pc + 1 < image.code.count ? Int(image.code[pc + 1].bc) : nil
    default: return nil
    }
  }
}

// MARK: - Helpers

/// `-`? digits, then optionally `.` digits or `/` digits with a nonzero denominator: the text
/// `ExactInt` and `ExactDecimal` print.
func isExactLiteral(_ text: String) -> Bool {
  var bytes = Substring(text).utf8[...]
  if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
  let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
  let whole = bytes.prefix(while: isDigit)
  guard !whole.isEmpty else { return false }
  let rest = bytes.dropFirst(whole.count)
  guard let separator = rest.first else { return true }
  let tail = rest.dropFirst()
  guard !tail.isEmpty, tail.allSatisfy(isDigit) else { return false }
  switch separator {
  case UInt8(ascii: "."): return true
  case UInt8(ascii: "/"): return tail.contains { $0 != UInt8(ascii: "0") }
  default: return false
  }
}

func greatestCommonDivisor(_ x: UInt64, _ y: UInt64) -> UInt64 {
  var (x, y) = (x, y)
  while y != 0 { (x, y) = (y, x % y) }
  return x
}

func plural(_ count: Int, _ singular: String, _ pluralForm: String? = nil) -> String {
  count == 1 ? singular : pluralForm ?? singular + "s"
}
