// Numbers in registers: the Int64 fast path, and the exact arena when a value leaves it.

extension Machine {
  /// Any integer or rational register as an exact rational.
  @inline(__always)
  public func exact(_ register: Register) -> ExactDecimal {
    if register.tag == Register.bigTag {
      // A hostile image could name an arena slot that does not exist: read it as zero.
      return register.word >= 0 && register.word < Int64(facts.exact.count)
        ? facts.exact[Int(register.word)] : .zero
    }
    if register.tag == 0 { return ExactDecimal(ExactInt(register.word)) }
    // INVARIANT: small rationals are stored in lowest terms with a positive denominator.
    return
      (try? ExactDecimal(numerator: ExactInt(register.word), denominator: ExactInt(register.tag)))
      ?? .zero
  }

  /// An integer result: small when it fits, else in the arena.
  mutating func storeInteger(_ value: ExactDecimal) -> Register {
    if let small = value.numerator.int64Value, value.isInteger { return .integer(small) }
    return facts.addExact(value)
  }

  /// A rational result: small numerator and denominator when they fit, else in the arena.
  public mutating func storeRational(_ value: ExactDecimal) -> Register {
    if let numerator = value.numerator.int64Value, let denominator = value.denominator.int64Value {
      return Register(word: numerator, tag: denominator)
    }
    return facts.addExact(value)
  }

  @inline(__always)
  mutating func integerAdd(_ a: Register, _ b: Register) -> Register {
    if a.tag == 0 && b.tag == 0 {
      let (sum, overflow) = a.word.addingReportingOverflow(b.word)
      if !overflow { return .integer(sum) }
    }
    return storeInteger(exact(a) + exact(b))
  }

  @inline(__always)
  mutating func integerSubtract(_ a: Register, _ b: Register) -> Register {
    if a.tag == 0 && b.tag == 0 {
      let (difference, overflow) = a.word.subtractingReportingOverflow(b.word)
      if !overflow { return .integer(difference) }
    }
    return storeInteger(exact(a) - exact(b))
  }

  @inline(__always)
  mutating func integerMultiply(_ a: Register, _ b: Register) -> Register {
    if a.tag == 0 && b.tag == 0 {
      let (product, overflow) = a.word.multipliedReportingOverflow(by: b.word)
      if !overflow { return .integer(product) }
    }
    return storeInteger(exact(a) * exact(b))
  }

  /// Integer comparison: -1, 0, 1.
  @inline(__always)
  func compareIntegers(_ a: Register, _ b: Register) -> Int {
    if a.tag == 0 && b.tag == 0 { return a.word < b.word ? -1 : (a.word == b.word ? 0 : 1) }
    let x = exact(a)
    let y = exact(b)
    return x < y ? -1 : (x == y ? 0 : 1)
  }

  /// `compareIntegers` off the fast path, out of line (and `mutating` so that the call does not
  /// copy the machine).
  @inline(never)
  mutating func exactCompare(_ a: Register, _ b: Register) -> Int {
    let x = exact(a)
    let y = exact(b)
    return x < y ? -1 : (x == y ? 0 : 1)
  }

  func compareRationals(_ a: Register, _ b: Register) -> Int {
    if a.tag == b.tag && a.tag > 0 && a.tag == 1 {
      return a.word < b.word ? -1 : (a.word == b.word ? 0 : 1)
    }
    let x = exact(a)
    let y = exact(b)
    return x < y ? -1 : (x == y ? 0 : 1)
  }

  static func roundingMode(_ operand: UInt16) -> RoundingMode {
    switch operand {
    case 0: .halfUp
    case 1: .halfEven
    case 2: .down
    case 3: .up
    case 4: .floor
    default: .ceiling
    }
  }

  /// `round(a / b)` on small integers without leaving Int64; nil when the slow path is needed.
  @inline(__always)
  static func divideRounding(_ a: Int64, _ b: Int64, _ mode: UInt16) -> Int64? {
    if b == 0 || (a == .min && b == -1) { return nil }
    let quotient = a / b
    let remainder = a % b
    if remainder == 0 { return quotient }
    let away = (a < 0) == (b < 0) ? quotient + 1 : quotient - 1
    let remainderMagnitude = remainder.magnitude
    let divisorMagnitude = b.magnitude
    switch mode {
    case 2: return quotient
    case 3: return away
    case 4: return (a < 0) != (b < 0) ? quotient - 1 : quotient
    case 5: return (a < 0) == (b < 0) ? quotient + 1 : quotient
    default:
      let other = divisorMagnitude - remainderMagnitude
      if remainderMagnitude > other { return away }
      if remainderMagnitude < other { return quotient }
      return mode == 0 || quotient & 1 != 0 ? away : quotient
    }
  }

  static func monthEnd(_ operand: UInt16) -> MonthEndPolicy {
    operand == 1 ? .roundDown : operand == 2 ? .roundUp : .reject
  }

  /// The date in `register`; `pc` is the dispatch loop's (past the instruction).
  func date(_ register: Register, _ pc: Int) throws(VMError) -> CivilDate {
    do { return try CivilDate(daysSince1970: register.word) } catch {
      throw .runtime(
        message: "a date left the range 0001-01-01 … 9999-12-31", instruction: faulting(pc))
    }
  }

  /// The error of the instruction the dispatch loop just read; `pc` is the loop's (past the
  /// instruction, and past its `extra` word when it read one).
  func numericError(_ error: NumericError, _ pc: Int) -> VMError {
    .runtime(message: error.description, instruction: faulting(pc))
  }

  /// The instruction that ends just before `pc`: the one at fault, not the one after it,
  /// whose definition and source position may be another's (the first of an inlined rule's,
  /// or the next definition's).
  func faulting(_ pc: Int) -> Int {
    let last = pc - 1
    return last > 0 && code[last].opcode == .extra ? last - 1 : last
  }

  /// Checked Int64 arithmetic for durations.
  func checked(_ result: (partialValue: Int64, overflow: Bool), _ pc: Int) throws(VMError)
    -> Register
  {
    if result.overflow { throw numericError(.overflow, pc) }
    return .integer(result.partialValue)
  }
}
