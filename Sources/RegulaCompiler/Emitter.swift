// The bytecode emitter's state: code, constant pools, registers, and the debug table.
@_exported import RegulaBytecode
@_exported import RegulaIR

/// An IR shape the bytecode compiler cannot compile.
///
/// Either a limit of the bytecode (over 65,535 definitions, fields, list items, jurisdictions
/// or registers in one frame), or an internal error that a checked, lowered program never
/// produces (an `at` on a value that is not an enum, an integer `/`, an `in` over a non-list),
/// reported rather than trapped. `CompiledPolicy.compile` reports either as R0601.
public struct CompileError: Error, Sendable, CustomStringConvertible {
  /// What went wrong, in the house style (lowercase, no final period).
  public var message: String
  /// The message.
  public var description: String { message }

  /// Creates an error with `message`.
  public init(message: String) { self.message = message }
}

/// A constant pool entry: a register and the index of its type.
struct ConstantKey: Hashable {
  var register: Register
  var type: UInt32
}

struct Emitter {
  let program: IRProgram
  var code: [Instruction] = []
  var debug: [DebugEntry] = []
  var constants: [Register] = []
  /// Each constant's type, as an index into `types` (what the verifier checks it against).
  var constantTypes: [UInt32] = []
  /// Constants by value and type: `0` as an Int and `0` as a list handle are two constants.
  var constantIndex: [ConstantKey: Int] = [:]
  var exactConstants: [String] = []
  var constantLists: [[Register]] = []
  var texts: [String] = []
  var textIndex: [String: Int] = [:]
  var types: [SchemaType] = []
  var typeIndexes: [SchemaType: Int] = [:]
  var jurisdictions: [String] = ["national"]
  var jurisdictionMaps: [[UInt16]] = []
  var mapIndex: [String: Int] = [:]
  var currentDefinition: UInt16 = 0
  var span = SourceSpan(file: .init(0), bytes: 0..<0)
  /// Registers of the frame being compiled: a stack, so scopes free what they allocate.
  var nextRegister: UInt16 = 0
  var frameSize: UInt16 = 0
  /// IR local slots bound to registers.
  var slots: [Int: UInt16] = [:]
  /// The input path of each slot bound to input data, for missing-fact messages.
  var slotPaths: [Int: String?] = [:]
  /// Set when a register or text index no longer fits its 16-bit operand.
  var overflowed = false
  /// The probes recorded so far, in code order, and the texts they name.
  var probes: [Probe] = []
  /// How many opaque builtin nodes enclose the code being emitted (see `IRFunction.isOpaque`).
  var opaqueDepth = 0
  /// Aggregates nested inside the innermost opaque node, the one being emitted included: only
  /// an outermost `sum`'s elements are traced there (a scale's per-bracket parts).
  var opaqueAggregateDepth = 0
  var probeTexts: [String] = []
  var probeTextIndex: [String: Int] = [:]

  /// The 1-based line and column (bytes) of a byte offset of a source file, 0 when unknown.
  let lineOf: (_ file: Int, _ offset: Int) -> (line: UInt32, column: UInt32)
  /// A span's source text, line and column, for probes.
  let describe: SourceDescriber

  init(
    program: IRProgram,
    lineOf: @escaping (_ file: Int, _ offset: Int) -> (line: UInt32, column: UInt32),
    describe: @escaping SourceDescriber = { _, _ in nil }
  ) {
    self.program = program
    self.lineOf = lineOf
    self.describe = describe
  }

  // MARK: Emitting

  @discardableResult
  mutating func emit(_ instruction: Instruction) -> Int {
    code.append(instruction)
    let position = lineOf(Int(span.file.raw), span.bytes.lowerBound)
    debug.append(
      DebugEntry(
        definition: currentDefinition, file: UInt16(span.file.raw),
        start: UInt32(span.bytes.lowerBound),
        end: UInt32(span.bytes.upperBound),
        line: position.line, column: position.column))
    return code.count - 1
  }

  mutating func emit(_ opcode: Opcode, _ a: UInt16 = 0, _ b: UInt16 = 0, _ c: UInt16 = 0) {
    emit(Instruction(opcode, a, b, c))
  }

  /// Emits a jump whose target is patched later; returns its position.
  mutating func emitJump(_ opcode: Opcode, _ a: UInt16 = 0) -> Int {
    emit(Instruction(opcode, a, wide: 0))
  }

  mutating func patch(_ position: Int, to target: Int) {
    let old = code[position]
    code[position] = Instruction(old.opcode, old.a, wide: UInt32(target))
  }

  mutating func patchHere(_ position: Int) { patch(position, to: code.count) }

  /// Compiles `condition` into `dst` and a jump, to be patched, taken when the condition is
  /// `when`. A `not` is folded into the jump rather than computed.
  ///
  /// - Parameter start: the condition's start probe (`openCondition`), closed at the jump.
  mutating func compileJump(
    _ condition: IRExpr, into dst: UInt16, when: Bool, start: UInt32? = nil
  ) throws(CompileError) -> Int {
    var condition = condition
    var when = when
    let original = when
    while case .unary(.not, let operand) = condition.kind {
      condition = operand
      when.toggle()
    }
    if case .binary(let op, let left, let right) = condition.kind,
      let jump = try compileComparisonJump(op, left, right, into: dst, when: when)
    {
      // `jump` is the operand word; the jump instruction is just before it.
      if let start {
        closeCondition(
          start, at: jump - 1, outcome: original ? .jumpTakenIsTrue : .jumpTakenIsFalse,
          result: nil)
      }
      return jump
    }
    try compile(condition, into: dst)
    if let start {
      closeCondition(
        start, at: code.count,
        outcome: original == when ? .registerBefore : .negatedRegisterBefore, result: dst)
    }
    return emitJump(when ? .jumpIfTrue : .jumpIfFalse, dst)
  }

  /// A comparison of two integer-like values (Int, Money, dates, durations, enums, Bool) and
  /// its jump as one fused instruction; nil for any other condition. Returns the position of
  /// the jump's target word.
  mutating func compileComparisonJump(
    _ op: BinaryOperator, _ left: IRExpr, _ right: IRExpr, into dst: UInt16, when: Bool
  ) throws(CompileError) -> Int? {
    let ordered = op == .less || op == .lessEqual || op == .greater || op == .greaterEqual
    guard ordered || op == .equal || op == .notEqual,
      left.type.isIntegerLike, right.type.isIntegerLike, left.type == right.type
    else { return nil }
    // a < b, a <= b (as not b < a), a == b; `when` says on which outcome to jump. The operands
    // are evaluated in source order (which fact is missing first depends on it); only the
    // registers the jump compares are swapped.
    let swapped = op == .greater || op == .lessEqual
    let opcode: Opcode
    switch op {
    case .less, .greater: opcode = when ? .jumpIfLess : .jumpIfNotLess
    case .lessEqual, .greaterEqual: opcode = when ? .jumpIfNotLess : .jumpIfLess
    case .equal: opcode = when ? .jumpIfEqual : .jumpIfNotEqual
    default: opcode = when ? .jumpIfNotEqual : .jumpIfEqual
    }
    return try scoped { (emitter: inout Emitter) throws(CompileError) -> Int in
      let other = emitter.allocate()
      try emitter.compile(left, into: dst)
      try emitter.compile(right, into: other)
      emitter.recordComparison(
        left, right, dst, other, rational: false,
        outcome: when ? .jumpTakenIsTrue : .jumpTakenIsFalse, result: nil,
        span: left.span.merged(with: right.span))
      emitter.emit(opcode, swapped ? other : dst, swapped ? dst : other)
      return emitter.emitJump(.extra)
    }
  }

  // MARK: Registers

  mutating func allocate() -> UInt16 {
    let register = nextRegister
    // Past the operand width the compile fails (checked in `BytecodeCompiler.compile`)
    // rather than trapping; the verifier's frame limit is far lower anyway.
    if nextRegister == UInt16.max { overflowed = true } else { nextRegister += 1 }
    frameSize = max(frameSize, nextRegister)
    return register
  }

  /// Runs `body` and frees every register it allocated.
  mutating func scoped<T>(_ body: (inout Emitter) throws(CompileError) -> T) throws(CompileError)
    -> T
  {
    let mark = nextRegister
    defer { nextRegister = mark }
    return try body(&self)
  }

  // MARK: Pools

  /// The index of the constant `register` of `type`, added to the pool if new.
  mutating func constant(_ register: Register, _ type: SchemaType) -> UInt32 {
    let key = ConstantKey(register: register, type: typeIndex(type))
    if let index = constantIndex[key] { return UInt32(index) }
    constants.append(register)
    constantTypes.append(key.type)
    constantIndex[key] = constants.count - 1
    return UInt32(constants.count - 1)
  }

  mutating func text(_ value: String) -> UInt16 {
    if let index = textIndex[value] { return UInt16(truncatingIfNeeded: index) }
    texts.append(value)
    textIndex[value] = texts.count - 1
    if texts.count > Int(UInt16.max) { overflowed = true }
    return UInt16(truncatingIfNeeded: texts.count - 1)
  }

  mutating func typeIndex(_ type: SchemaType) -> UInt32 {
    if let index = typeIndexes[type] { return UInt32(index) }
    types.append(type)
    typeIndexes[type] = types.count - 1
    return UInt32(types.count - 1)
  }

  mutating func jurisdictionIndex(_ code: String) -> Int {
    if let index = jurisdictions.firstIndex(of: code) { return index }
    jurisdictions.append(code)
    return jurisdictions.count - 1
  }

  /// The jurisdictions consulted for `code`, most specific first.
  func chain(_ code: String) -> [String] {
    if code == "national" { return ["national"] }
    let parts = code.split(separator: ".").map(String.init)
    return parts.count == 2 ? [code, parts[0], "national"] : [code, "national"]
  }

  // MARK: Values

  /// The register form of a constant value.
  mutating func register(for value: Value) throws(CompileError) -> Register {
    switch value {
    case .bool(let bool): return .bool(bool)
    case .int(let int): return integer(int)
    case .money(let money): return integer(money.fen)
    case .decimal(let decimal): return rational(decimal)
    case .exactMoney(let exact): return rational(exact.fen)
    case .date(let date): return .integer(date.daysSince1970)
    case .days(let days): return .integer(days.count)
    case .months(let months): return .integer(months.count)
    case .years(let years): return .integer(years.count)
    case .text(let text): return .integer(Int64(self.text(text)))
    case .enumCase(let index): return .integer(Int64(index))
    case .record(let items), .list(let items), .table(let items):
      var registers: [Register] = []
      for item in items { registers.append(try register(for: item)) }
      constantLists.append(registers)
      return .integer(Int64(constantLists.count - 1))
    case .none: return .none
    case .unknown: return .unknown
    }
  }

  mutating func integer(_ value: ExactInt) -> Register {
    if let small = value.int64Value { return .integer(small) }
    exactConstants.append(value.description)
    return Register(word: Int64(exactConstants.count - 1), tag: Register.bigTag)
  }

  mutating func rational(_ value: ExactDecimal) -> Register {
    if let numerator = value.numerator.int64Value, let denominator = value.denominator.int64Value {
      return Register(word: numerator, tag: denominator)
    }
    exactConstants.append(value.description)
    return Register(word: Int64(exactConstants.count - 1), tag: Register.bigTag)
  }

  /// The runtime form of a checked type.
  func schema(_ type: RType) -> SchemaType {
    switch type {
    case .bool, .error, .noneLiteral: .bool
    case .int: .int
    case .decimal: .decimal
    case .money: .money
    case .exactMoney: .exactMoney
    case .date: .date
    case .days: .days
    case .months: .months
    case .years: .years
    case .text: .text
    case .enumeration(let name): .enumeration(program.enums.firstIndex { $0.name == name } ?? 0)
    case .record(let name): .record(recordIndex(name))
    case .list(let element): .list(schema(element))
    case .optional(let wrapped): .optional(schema(wrapped))
    case .table(let key, let value):
      .table(key: program.enums.firstIndex { $0.name == key } ?? 0, value: schema(value))
    }
  }

  /// Records are numbered in declaration order with the input last.
  func recordIndex(_ name: String) -> Int {
    program.records.firstIndex { $0.name == name } ?? program.records.count
  }
}
