// The dispatch loop: the one function allowed to be long (like Lua's luaV_execute). After
// verification, operands are in range and registers hold the kinds of values their
// instructions expect, so the loop follows handles without checks of its own.

/// Whether a dispatch loop observes probes: the loop is specialised for each, so the plain
/// one has no trace of them.
extension Machine {
  /// `fail 2`: `first`, `last`, `min` or `max` found no element in a list declared non-empty.
  /// Unreachable for a list read from an application (its length was checked); the
  /// interpreter words it the same.
  static let emptyListMessage = "a list declared to hold at least one element is empty"
  /// `fail 3`: a parameter read `as of` a date has no version in force on it (as the
  /// interpreter words it).
  static func noVersionAsOfMessage(in name: String) -> String {
    "not computable: a parameter read with `as of` in `\(name)` has no version in force on that date"
  }
  /// `fail 0`: the definition `name` has no version in force on `date` in `jurisdiction` (the
  /// jurisdiction whose definitions it was looked up among), as the interpreter words it.
  static func notInForceMessage(_ name: String, _ date: String, _ jurisdiction: String) -> String {
    "not computable: `\(name)` has no version in force on \(date) in `\(jurisdiction)`"
  }
  /// `fail 4`: the definition `name` is defined at no level of `jurisdiction` (as the
  /// interpreter words it).
  static func notDefinedMessage(_ name: String, _ jurisdiction: String) -> String {
    "`\(name)` is not defined in `\(jurisdiction)` (nor at any less specific level)"
  }
  /// `pushDate` on a date outside the policy's validity (as the interpreter words it).
  static func notInForceAsOfMessage(_ date: String) -> String {
    "a definition read `as of` \(date) cannot be evaluated: the policy is not in force on that date"
  }
}

protocol DispatchMode {
  static var observes: Bool { get }
  static var profiles: Bool { get }
}
extension DispatchMode {
  static var profiles: Bool { false }
}
enum PlainDispatch: DispatchMode { static var observes: Bool { false } }
enum ObservedDispatch: DispatchMode { static var observes: Bool { true } }
/// The plain loop counting the opcodes it dispatches (`Machine.opcodeProfile`).
enum ProfiledDispatch: DispatchMode {
  static var observes: Bool { false }
  static var profiles: Bool { true }
}

/// Counts of the opcodes a machine dispatched, and of each opcode following another: what
/// superinstructions would save (`regula bench policies --profile`). A class, so that copies
/// of a machine count into one profile.
public final class OpcodeProfile: @unchecked Sendable {
  /// By opcode raw value.
  public private(set) var counts: [Int]
  /// By previous opcode × 256 + opcode, within one run of the loop.
  public private(set) var pairs: [Int]

  public init() {
    counts = Array(repeating: 0, count: 256)
    pairs = Array(repeating: 0, count: 256 * 256)
  }

  @inline(__always)
  func count(_ opcode: Opcode, after previous: Opcode?) {
    counts[Int(opcode.rawValue)] += 1
    if let previous { pairs[Int(previous.rawValue) * 256 + Int(opcode.rawValue)] += 1 }
  }
}

extension Machine {
  /// Runs from `start` until the outermost frame returns.
  mutating func run(from start: Int) throws(VMError) {
    do { try dispatch(from: start, PlainDispatch.self) } catch { throw tables.inImageCode(error) }
  }

  /// `run(from:)` counting every opcode into `opcodeProfile`.
  @inline(never)
  mutating func runProfiled(from start: Int) throws(VMError) {
    do { try dispatch(from: start, ProfiledDispatch.self) } catch {
      throw tables.inImageCode(error)
    }
  }

  /// `run(from:)` for a traced replay: the same instructions, with every probe observed.
  @inline(never)
  mutating func runObserved(from start: Int) throws(VMError) {
    defer { resolvePendingOutcomes(at: -1) }
    try dispatch(from: start, ObservedDispatch.self)
  }

  @inline(__always)
  mutating func dispatch<Mode: DispatchMode>(from start: Int, _ mode: Mode.Type) throws(VMError) {
    var pc = start
    var base = frames[frameCount - 1].base
    let code = self.code
    let constants = self.constants
    let registers = self.registers
    var previous: Opcode? = nil
    while true {
      if Mode.observes && (firstProbe[pc] >= 0 || !pendingOutcomes.isEmpty) {
        observe(pc, base: base)
      }
      let instruction = code[pc]
      if Mode.profiles {
        opcodeProfile?.count(instruction.opcode, after: previous)
        previous = instruction.opcode
      }
      // INVARIANT: the verifier proved every register operand lies inside its frame.
      let a = base &+ Int(instruction.a)
      let b = base &+ Int(instruction.b)
      let c = base &+ Int(instruction.c)
      pc &+= 1
      switch instruction.opcode {
      case .move: registers[a] = registers[b]
      case .constant: registers[a] = constants[Int(instruction.bc)]
      case .input: registers[a] = inputRegister
      case .asOf: registers[a] = .integer(asOfDays)
      case .add: registers[a] = integerAdd(registers[b], registers[c])
      case .subtract: registers[a] = integerSubtract(registers[b], registers[c])
      case .multiply: registers[a] = integerMultiply(registers[b], registers[c])
      case .negate: registers[a] = integerSubtract(.integer(0), registers[b])
      // A duration is always a 64-bit count (tag 0); an Int operand may be a big number
      // (`bigTag`), which no duration can hold: that is the 64-bit overflow, not its handle.
      case .durationAdd:
        if registers[b].tag | registers[c].tag != 0 { throw numericError(.overflow, pc) }
        registers[a] = try checked(registers[b].word.addingReportingOverflow(registers[c].word), pc)
      case .durationSubtract:
        if registers[b].tag | registers[c].tag != 0 { throw numericError(.overflow, pc) }
        registers[a] = try checked(
          registers[b].word.subtractingReportingOverflow(registers[c].word), pc)
      case .durationMultiply:
        if registers[b].tag | registers[c].tag != 0 { throw numericError(.overflow, pc) }
        registers[a] = try checked(
          registers[b].word.multipliedReportingOverflow(by: registers[c].word), pc)
      case .durationNegate:
        if registers[b].tag != 0 { throw numericError(.overflow, pc) }
        registers[a] = try checked(Int64(0).subtractingReportingOverflow(registers[b].word), pc)
      case .toRational:
        let value = registers[b]
        registers[a] = value.tag == 0 ? Register(word: value.word, tag: 1) : value
      case .rationalAdd: registers[a] = storeRational(exact(registers[b]) + exact(registers[c]))
      case .rationalSubtract:
        registers[a] = storeRational(exact(registers[b]) - exact(registers[c]))
      case .rationalMultiply:
        registers[a] = storeRational(exact(registers[b]) * exact(registers[c]))
      case .rationalDivide:
        do { registers[a] = storeRational(try exact(registers[b]) / exact(registers[c])) } catch {
          throw numericError(error, pc)
        }
      case .rationalNegate: registers[a] = storeRational(-exact(registers[b]))
      case .divideRound:
        let mode = code[pc].a
        pc += 1
        let x = registers[b]
        let y = registers[c]
        if x.tag == 0 && y.tag == 0, let result = Machine.divideRounding(x.word, y.word, mode) {
          registers[a] = .integer(result)
        } else {
          do {
            let quotient = try exact(x) / exact(y)
            registers[a] = storeInteger(
              ExactDecimal(quotient.roundedToInteger(Machine.roundingMode(mode))))
          } catch { throw numericError(error, pc) }
        }
      case .round:
        registers[a] = storeInteger(
          ExactDecimal(exact(registers[b]).roundedToInteger(Machine.roundingMode(instruction.c))))
      case .roundPlaces:
        let places = Int(code[pc].a)
        pc += 1
        registers[a] = storeRational(
          exact(registers[b]).rounded(toPlaces: places, Machine.roundingMode(instruction.c)))
      case .roundMultiple:
        let unit = base + Int(code[pc].a)
        pc += 1
        do {
          let rounded = try exact(registers[b]).rounded(
            toMultipleOf: exact(registers[unit]), Machine.roundingMode(instruction.c))
          registers[a] = storeInteger(rounded)
        } catch { throw numericError(error, pc) }
      case .scale: registers[a] = integerMultiply(registers[b], .integer(Int64(instruction.c)))
      case .rationalScale:
        registers[a] = storeRational(
          exact(registers[b]) * ExactDecimal(ExactInt(Int64(instruction.c))))
      case .equal: registers[a] = .bool(compareIntegers(registers[b], registers[c]) == 0)
      case .less: registers[a] = .bool(compareIntegers(registers[b], registers[c]) < 0)
      case .lessEqual: registers[a] = .bool(compareIntegers(registers[b], registers[c]) <= 0)
      case .rationalEqual: registers[a] = .bool(compareRationals(registers[b], registers[c]) == 0)
      case .rationalLess: registers[a] = .bool(compareRationals(registers[b], registers[c]) < 0)
      case .rationalLessEqual:
        registers[a] = .bool(compareRationals(registers[b], registers[c]) <= 0)
      case .textEqual:
        // INVARIANT: the verifier proved both registers hold texts.
        registers[a] = .bool(
          facts.texts[Int(registers[b].word)] == facts.texts[Int(registers[c].word)])
      case .deepEqual:
        let type = image.types[Int(code[pc].bc)]
        pc += 1
        registers[a] = .bool(try deepEqual(registers[b], registers[c], type, pc: pc))
      case .not: registers[a] = .bool(registers[b].word == 0)
      case .jump: pc = Int(instruction.bc)
      case .jumpIfFalse: if registers[a].word == 0 { pc = Int(instruction.bc) }
      case .jumpIfTrue: if registers[a].word != 0 { pc = Int(instruction.bc) }
      case .jumpIfNotLess, .jumpIfLess:
        let x = registers[a]
        let y = registers[b]
        let less = x.tag == 0 && y.tag == 0 ? x.word < y.word : exactCompare(x, y) < 0
        pc = less == (instruction.opcode == .jumpIfLess) ? Int(code[pc].bc) : pc &+ 1
      case .jumpIfEqual, .jumpIfNotEqual:
        let x = registers[a]
        let y = registers[b]
        let equal = x.tag == 0 && y.tag == 0 ? x.word == y.word : exactCompare(x, y) == 0
        pc = equal == (instruction.opcode == .jumpIfEqual) ? Int(code[pc].bc) : pc &+ 1
      case .jumpIfNone: if registers[a].tag == Register.noneTag { pc = Int(instruction.bc) }
      case .none: registers[a] = .none
      case .isNone: registers[a] = .bool(registers[b].tag == Register.noneTag)
      case .field, .inputField:
        let path = Int(code[pc].bc)
        let isInputPath = code[pc].a == 0
        pc &+= 1
        // INVARIANT: the verifier proved R[b] is a record with field c; `evaluateDefinition`
        // checked the input and noted where its fields start (one load fewer).
        let value =
          instruction.opcode == .field
          ? facts.field(registers[b], Int(instruction.c))
          : facts.item(at: inputFields &+ Int(instruction.c))
        if isInputPath, pathEpochs[path] != pathEpoch {
          pathEpochs[path] = pathEpoch
          pathsRead[pathsReadCount] = Int32(path)
          pathsReadCount &+= 1
        }
        if value.tag == Register.unknownTag {
          let record = instruction.opcode == .field ? registers[b] : inputRegister
          throw .missingFacts([
            positionedPath(of: record, field: Int(instruction.c)) ?? facts.texts[path]
          ])
        }
        registers[a] = value
      case .next, .nextLoop:
        // `next` (a loop's head) goes on with the item and jumps out when there is none;
        // `nextLoop` (its end) jumps back with the item and goes on when there is none.
        // Every pass counts its work ahead (itself and the longest run after it), whichever
        // way it goes: the verifier accepts a cycle through `next` or `nextLoop` as it does one
        // through `step`.
        steps &+= stepCosts[pc &- 1]
        if steps > stepLimit || facts.exceededNumberSize {
          if facts.exceededNumberSize { throw numberSizeLimit(pc) }
          throw .limit(
            message: "the evaluation exceeded \(stepLimit) steps (limit `steps`)",
            instruction: pc - 1)
        }
        // INVARIANT: the verifier proved R[b] is a list; the index is data, compared with
        // its count (unsigned, so a negative index ends the loop too).
        let list = registers[b]
        let index = registers[c].word
        let isHead = instruction.opcode == .next
        if UInt64(bitPattern: index) < UInt64(facts.listCount(list)) {
          registers[a] = facts.listItem(list, Int(index))
          registers[c] = .integer(index &+ 1)
          pc = isHead ? pc &+ 1 : Int(code[pc].bc)
        } else {
          pc = isHead ? Int(code[pc].bc) : pc &+ 1
        }
      case .length:
        // INVARIANT: the verifier proved R[b] is a list.
        registers[a] = .integer(Int64(facts.listCount(registers[b])))
      case .item:
        // INVARIANT: the verifier proved R[b] is a table (one item per key) and R[c] a case
        // of its key enum.
        registers[a] = facts.field(registers[b], Int(registers[c].word))
      case .newList, .newRecord:
        pc &+= 1
        registers[a] = facts.addList(
          copying: registers + base + Int(instruction.b), count: Int(instruction.c))
      case .listBuilder:
        pc &+= 1
        registers[a] = facts.newBuilder()
      case .append:
        // INVARIANT: the verifier proved R[a] is a list under construction.
        facts.append(registers[a], registers[b])
      case .dateAddDays:
        do {
          registers[a] = .integer(
            try date(registers[b], pc).adding(Days(registers[c].word)).daysSince1970)
        } catch let error as VMError {
          throw error
        } catch { throw numericError(error as? NumericError ?? .overflow, pc) }
      case .dateAddMonths, .dateAddYears:
        let policy = Machine.monthEnd(code[pc].a)
        pc += 1
        let start = try date(registers[b], pc)
        do {
          let result =
            instruction.opcode == .dateAddMonths
            ? try start.adding(Months(registers[c].word), policy: policy)
            : try start.adding(Years(registers[c].word), policy: policy)
          registers[a] = .integer(result.daysSince1970)
        } catch { throw numericError(error, pc) }
      case .age:
        registers[a] = .integer(
          try date(registers[b], pc).age(on: try date(registers[c], pc)).count)
      case .monthsBetween:
        registers[a] = .integer(
          try date(registers[b], pc).wholeMonths(until: try date(registers[c], pc)).count)
      case .daysBetween:
        registers[a] = .integer(
          try date(registers[b], pc).days(until: try date(registers[c], pc)).count)
      case .datePart:
        let parts = try date(registers[b], pc).components
        registers[a] = .integer(
          instruction.c == 0 ? parts.year : instruction.c == 1 ? parts.month : parts.day)
      case .makeDate:
        let first = base + Int(instruction.b)
        if registers[first].tag | registers[first + 1].tag | registers[first + 2].tag != 0 {
          throw numericError(.overflow, pc)
        }
        do {
          let made = try CivilDate(
            year: registers[first].word, month: registers[first + 1].word,
            day: registers[first + 2].word)
          registers[a] = .integer(made.daysSince1970)
        } catch { throw numericError(error, pc) }
      case .call, .reasonOf:
        let id = Int(instruction.bc)
        let frame = frames[frameCount - 1]
        let slot = id * jurisdictionCount + frame.jurisdiction
        let wantsReason = instruction.opcode == .reasonOf
        if memo[slot].epoch == epoch {
          registers[a] = wantsReason ? .integer(Int64(max(memo[slot].reason, 0))) : memo[slot].value
          // Only a traced replay (the observed loop) traces: the plain loop has no check.
          if Mode.observes && isTracing {
            traceCached(id, jurisdiction: frame.jurisdiction, slot: slot)
          }
        } else {
          enter(
            id, jurisdiction: frame.jurisdiction, destination: a, wantsReason: wantsReason,
            returnPC: pc, pc: &pc, observed: Mode.observes)
          base = frames[frameCount - 1].base
        }
      case .callAt:
        let id = Int(code[pc].bc)
        pc += 1
        // INVARIANT: the verifier proved R[b] is a case of an enum with one map entry per case.
        let jurisdiction = Int(image.jurisdictionMaps[Int(instruction.c)][Int(registers[b].word)])
        let slot = id * jurisdictionCount + jurisdiction
        if memo[slot].epoch == epoch {
          registers[a] = memo[slot].value
          if Mode.observes && isTracing { traceCached(id, jurisdiction: jurisdiction, slot: slot) }
        } else {
          enter(
            id, jurisdiction: jurisdiction, destination: a, wantsReason: false, returnPC: pc,
            pc: &pc, observed: Mode.observes)
          base = frames[frameCount - 1].base
        }
      case .return:
        let frame = frames[frameCount - 1]
        // Limits that straight-line code can pass: the definition's length was counted against
        // the steps when it was entered, and a value built of shared parts is measured.
        if facts.exceededNumberSize || steps > stepLimit || sizeChecked[frame.memoSlot] {
          try checkReturnLimits(registers[a], frame.memoSlot / jurisdictionCount, pc)
        }
        frameCount -= 1
        let reason: Int32 = instruction.b == PolicyImage.noText ? -1 : Int32(instruction.b)
        memo[frame.memoSlot] = MemoEntry(value: registers[a], reason: reason, epoch: epoch)
        if Mode.observes && isTracing { traceReturned(registers[a], reason: reason) }
        if frame.returnPC < 0 { return }
        registers[frame.destination] =
          frame.wantsReason ? .integer(Int64(max(reason, 0))) : registers[a]
        pc = frame.returnPC
        base = frames[frameCount - 1].base
      case .failCondition:
        let frame = frames[frameCount - 1]
        let id = frame.memoSlot / jurisdictionCount
        failed.append((Int32(id), Int32(instruction.bc)))
      case .fail:
        let name = image.definitions[Int(instruction.bc)].name
        let frame = frames[frameCount - 1]
        if instruction.a == 0 {
          // Not an error of the evaluation: the decisions that need it are not computable.
          throw .notComputable(
            message: Self.notInForceMessage(
              name, (try? CivilDate(daysSince1970: asOfDays))?.description ?? "?",
              image.jurisdictions[frame.jurisdiction]),
            instruction: pc - 1)
        }
        if instruction.a == 3 {
          throw .notComputable(message: Self.noVersionAsOfMessage(in: name), instruction: pc - 1)
        }
        let message =
          instruction.a == 1
          ? "no case of `\(name)` applies"
          : instruction.a == 2
            ? Self.emptyListMessage
            : Self.notDefinedMessage(name, image.jurisdictions[frame.jurisdiction])
        throw .runtime(message: message, instruction: pc - 1)
      case .conflict:
        let name = image.definitions[Int(instruction.bc)].name
        throw .runtime(
          message:
            "two exceptions to `\(name)` hold at once in `\(image.jurisdictions[Int(instruction.a)])` (conflict; no silent pick)",
          instruction: pc - 1)
      case .step:
        steps &+= stepCosts[pc &- 1]
        if facts.exceededNumberSize { throw numberSizeLimit(pc) }
        if steps > stepLimit {
          throw .limit(
            message: "the evaluation exceeded \(stepLimit) steps (limit `steps`)",
            instruction: pc - 1)
        }
      case .extra: break
      case .pushDate:
        // INVARIANT: the verifier proved R[a] holds a scalar (the date, in days).
        try pushDate(registers[a].word, pc: pc)
      case .popDate: try popDate(pc: pc)
      }
    }
  }

  /// The limit error for a number over `Facts.maximumExactBits`.
  func numberSizeLimit(_ pc: Int) -> VMError {
    .limit(message: NumberLimits.exceededMessage, instruction: pc - 1)
  }

  /// Structural equality by type. Each value compared counts a step against the step limit:
  /// a value that shares its parts (a list of the same list, twice, 64 levels down) is
  /// compared as the tree it stands for, so only the limit bounds the work.
  ///
  /// A list that contains itself (only a hostile compiled file can build one) compares unequal
  /// past `maximumRenderingDepth` instead of recursing without end.
  mutating func deepEqual(_ x: Register, _ y: Register, _ type: SchemaType, pc: Int, depth: Int = 0)
    throws(VMError) -> Bool
  {
    steps &+= 1
    if steps > stepLimit {
      throw .limit(
        message: "the evaluation exceeded \(stepLimit) steps (limit `steps`)",
        instruction: pc - 1)
    }
    guard depth < Machine.maximumRenderingDepth else { return false }
    // A fact the application left out (a field of a compared record) equals only another
    // left-out fact, as in the reference interpreter.
    if x.tag == Register.unknownTag || y.tag == Register.unknownTag { return x.tag == y.tag }
    switch type {
    case .optional(let wrapped):
      if x.tag == Register.noneTag || y.tag == Register.noneTag { return x.tag == y.tag }
      return try deepEqual(x, y, wrapped, pc: pc, depth: depth + 1)
    case .text:
      guard facts.holdsText(x), facts.holdsText(y) else { return false }
      return facts.texts[Int(x.word)] == facts.texts[Int(y.word)]
    case .decimal, .exactMoney: return compareRationals(x, y) == 0
    case .list(let element), .table(_, let element):
      guard facts.holdsList(x), facts.holdsList(y) else { return false }
      let count = facts.count(x)
      guard count == facts.count(y) else { return false }
      for index in 0..<count
      where
        !(try deepEqual(
          facts.item(x, index), facts.item(y, index), element, pc: pc, depth: depth + 1))
      {
        return false
      }
      return true
    case .record(let index):
      guard index < image.records.count else { return false }
      let fields = image.records[index].fields
      guard fields.isEmpty || (facts.holds(x, fields.count - 1) && facts.holds(y, fields.count - 1))
      else { return false }
      for position in fields.indices
      where
        !(try deepEqual(
          facts.item(x, position), facts.item(y, position), fields[position].type, pc: pc,
          depth: depth + 1))
      {
        return false
      }
      return true
    default: return compareIntegers(x, y) == 0
    }
  }
}

extension Machine {
  /// The most parts (list items, record fields, at every level) a definition's value may
  /// have, counted as the tree it stands for (limit `value_size`): a value built of shared
  /// parts — a list holding the same list twice, 64 levels down — would otherwise take longer
  /// to render or compare than anyone can wait.
  public static let maximumValueSize = 1 << 24

  /// The limits checked when a definition returns (out of line: rarely reached).
  @inline(never)
  mutating func checkReturnLimits(_ value: Register, _ definition: Int, _ pc: Int)
    throws(VMError)
  {
    if facts.exceededNumberSize { throw numberSizeLimit(pc) }
    if steps > stepLimit {
      throw .limit(
        message: "the evaluation exceeded \(stepLimit) steps (limit `steps`)", instruction: pc - 1)
    }
    var budget = Machine.maximumValueSize
    let fits = fitsSize(value, image.definitions[definition].type, budget: &budget, depth: 0)
    guard fits else {
      throw .limit(
        message:
          "the value of `\(image.definitions[definition].name)` has more than "
          + "\(Machine.maximumValueSize) parts (limit `value_size`)",
        instruction: pc - 1)
    }
    // Measuring is work too: each part counted is a step.
    steps &+= Machine.maximumValueSize - budget
    if steps > stepLimit {
      throw .limit(
        message: "the evaluation exceeded \(stepLimit) steps (limit `steps`)", instruction: pc - 1)
    }
  }

  /// Takes the parts of `value` (a value of `type`) from `budget`; false when it runs out.
  /// Lists and records of plain values are counted without visiting their items.
  func fitsSize(_ value: Register, _ type: SchemaType, budget: inout Int, depth: Int) -> Bool {
    guard depth < Machine.maximumRenderingDepth, value.tag == 0 else { return true }
    switch type {
    case .optional(let wrapped): return fitsSize(value, wrapped, budget: &budget, depth: depth)
    case .list(let element), .table(_, let element):
      guard facts.holdsList(value) else { return true }
      let count = facts.count(value)
      budget -= count
      guard budget >= 0 else { return false }
      guard Machine.hasParts(element) else { return true }
      for index in 0..<count
      where !fitsSize(facts.item(value, index), element, budget: &budget, depth: depth + 1) {
        return false
      }
      return true
    case .record(let index):
      let fields = image.records[index].fields
      budget -= fields.count
      guard budget >= 0 else { return false }
      for (position, field) in fields.enumerated() where Machine.hasParts(field.type) {
        guard let item = facts.checkedItem(value, position) else { return true }
        if !fitsSize(item, field.type, budget: &budget, depth: depth + 1) { return false }
      }
      return true
    default: return true
    }
  }

  /// True for a list, table or record (or an optional one): a value with parts.
  static func hasParts(_ type: SchemaType) -> Bool {
    switch type {
    case .list, .table, .record: true
    case .optional(let wrapped): hasParts(wrapped)
    default: false
    }
  }

  /// The code untraced evaluations of `image` run (`PolicyImage.fastCode`): definitions whose
  /// values `return` measures are not inlined. Nil when nothing is inlined, or when the
  /// inlined code does not verify (`inlinedCodeOrError`): the image's code runs then.
  public static func inlinedCode(for image: PolicyImage) -> FastCode? {
    try? inlinedCodeOrError(for: image)
  }

  /// `inlinedCode(for:)`, with the verifier's error when the inlined code does not verify.
  public static func inlinedCodeOrError(for image: PolicyImage) throws(VerificationError)
    -> FastCode?
  {
    try image.fastCode { !needsSizeCheck(image.definitions[$0].type) }
  }

  /// True for a type whose values can be built of shared parts: a list, table or record with
  /// a part that has parts itself. `return` measures such values (`maximumValueSize`).
  static func needsSizeCheck(_ type: SchemaType) -> Bool {
    switch type {
    case .optional(let wrapped): needsSizeCheck(wrapped)
    case .list(let element), .table(_, let element): hasParts(element)
    case .record: true
    default: false
    }
  }
}
