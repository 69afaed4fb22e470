// The instruction set. Each case's comment gives its operands and effect; this enum is the
// manual (Docs/bytecode.md lists every case, and a test keeps the two in step).
//
// Registers are `Register` values (two Int64 words) in the current frame. The checker knows
// every type, so each opcode is specialised: integer opcodes serve Int, Money and the Int64
// fast path; rational opcodes serve Decimal and ExactMoney; a register marked big holds an
// index into the evaluation's arena of exact values (GMP-backed), used only on overflow.

/// One operation of the Regula VM. Operands `a`, `b`, `c` are 16-bit; `bc` is `b << 16 | c`.
@frozen
public enum Opcode: UInt16, CaseIterable, Sendable {
  /// `move a b`: R[a] = R[b].
  case move
  /// `constant a bc`: R[a] = constants[bc].
  case constant
  /// `input a`: R[a] = the application record.
  case input
  /// `asOf a`: R[a] = the evaluation's as-of date.
  case asOf

  /// `add a b c`: R[a] = R[b] + R[c] on integers (Int, Money), exact on overflow.
  case add
  /// `subtract a b c`: R[a] = R[b] - R[c] on integers.
  case subtract
  /// `multiply a b c`: R[a] = R[b] * R[c] on integers.
  case multiply
  /// `negate a b`: R[a] = -R[b] on integers.
  case negate
  /// `durationAdd a b c`: R[a] = R[b] + R[c] on Days, Months or Years; overflow is an error.
  case durationAdd
  /// `durationSubtract a b c`: R[a] = R[b] - R[c] on durations; overflow is an error.
  case durationSubtract
  /// `durationMultiply a b c`: R[a] = R[b] (duration) * R[c] (Int); overflow is an error.
  case durationMultiply
  /// `durationNegate a b`: R[a] = -R[b] on durations.
  case durationNegate

  /// `toRational a b`: R[a] = R[b] (an integer) as a rational (Int → Decimal, Money → ExactMoney).
  case toRational
  /// `rationalAdd a b c`: R[a] = R[b] + R[c] on rationals.
  case rationalAdd
  /// `rationalSubtract a b c`: R[a] = R[b] - R[c] on rationals.
  case rationalSubtract
  /// `rationalMultiply a b c`: R[a] = R[b] * R[c] on rationals.
  case rationalMultiply
  /// `rationalDivide a b c`: R[a] = R[b] / R[c] on rationals; division by zero is an error.
  case rationalDivide
  /// `rationalNegate a b`: R[a] = -R[b] on rationals.
  case rationalNegate
  /// `divideRound a b c`: R[a] = round(R[b] / R[c]) on integers with the mode in the next
  /// instruction's `a` (a fused Money ÷ Int → Money for the common case).
  case divideRound
  /// `round a b c`: R[a] = R[b] (rational) rounded to an integer with mode c.
  case round
  /// `roundPlaces a b c`: R[a] = R[b] (rational) rounded to places in the next instruction's `a`,
  /// mode c.
  case roundPlaces
  /// `roundMultiple a b c`: R[a] = R[b] (rational) rounded to a multiple of R[next.a] (integer),
  /// mode c.
  case roundMultiple
  /// `scale a b c`: R[a] = R[b] * c on integers (yuan to fen: c = 100; years to months: c = 12).
  case scale
  /// `rationalScale a b c`: R[a] = R[b] * c on rationals.
  case rationalScale

  /// `equal a b c`: R[a] = R[b] == R[c] on integers, booleans, enums, dates, durations.
  case equal
  /// `less a b c`: R[a] = R[b] < R[c] on integers, dates, durations.
  case less
  /// `lessEqual a b c`: R[a] = R[b] <= R[c].
  case lessEqual
  /// `rationalEqual a b c`: R[a] = R[b] == R[c] on rationals (Decimal, ExactMoney).
  case rationalEqual
  /// `rationalLess a b c`: R[a] = R[b] < R[c] on rationals.
  case rationalLess
  /// `rationalLessEqual a b c`: R[a] = R[b] <= R[c] on rationals.
  case rationalLessEqual
  /// `textEqual a b c`: R[a] = the texts R[b] and R[c] are equal.
  case textEqual
  /// `deepEqual a b c`: R[a] = structural equality of R[b] and R[c], whose type is
  /// `types[next.bc]` (records, lists, tables, optionals, texts, rationals).
  case deepEqual
  /// `not a b`: R[a] = !R[b].
  case not

  /// `jump bc`: pc = bc.
  case jump
  /// `jumpIfFalse a bc`: if !R[a], pc = bc.
  case jumpIfFalse
  /// `jumpIfTrue a bc`: if R[a], pc = bc.
  case jumpIfTrue
  /// `jumpIfNotLess a b c`: if !(R[a] < R[b]) on integers, pc = next.bc (fused compare-and-jump).
  case jumpIfNotLess
  /// `jumpIfNone a bc`: if R[a] is none, pc = bc.
  case jumpIfNone

  /// `none a`: R[a] = none.
  case none
  /// `isNone a b`: R[a] = R[b] is none.
  case isNone

  /// `field a b c`: R[a] = field c of the record R[b]; an unknown fact stops with missing
  /// facts, naming the path in text constant next.bc.
  case field
  /// `length a b`: R[a] = the number of items of the list R[b].
  case length
  /// `item a b c`: R[a] = item R[c] of the list R[b].
  case item
  /// `newList a b c; next.bc`: R[a] = a new list or table of the c registers from R[b]; its
  /// type is `types[next.bc]` (a list, or a table with one register per key).
  case newList
  /// `newRecord a b c; next.bc`: R[a] = a new record of the c registers from R[b] (one per
  /// field); its type is `types[next.bc]`.
  case newRecord
  /// `listBuilder a; next.bc`: R[a] = an empty list under construction, of type
  /// `types[next.bc]`.
  case listBuilder
  /// `append a b`: append R[b] to the list under construction R[a].
  case append

  /// `dateAddDays a b c`: R[a] = R[b] (date) + R[c] days.
  case dateAddDays
  /// `dateAddMonths a b c`: R[a] = R[b] + R[c] months; next.a is the month-end policy
  /// (0 reject, 1 end of month, 2 start of next month).
  case dateAddMonths
  /// `dateAddYears a b c`: as `dateAddMonths`, in years.
  case dateAddYears
  /// `age a b c`: R[a] = full years from R[b] to R[c].
  case age
  /// `monthsBetween a b c`: R[a] = whole months from the date R[b] to the date R[c].
  case monthsBetween
  /// `daysBetween a b c`: R[a] = days from the date R[b] to the date R[c].
  case daysBetween
  /// `datePart a b c`: R[a] = the year (c = 0), month (1) or day (2) of R[b].
  case datePart
  /// `makeDate a b c`: R[a] = the date with year R[b], month R[b+1], day R[b+2].
  case makeDate

  /// `call a bc`: R[a] = the value of definition bc in the current jurisdiction (memoised;
  /// computing it counts the longest run from its entry to a loop instruction as steps).
  case call
  /// `callAt a b c`: R[a] = the value of definition next.bc in the jurisdiction that map c
  /// gives for the enum value R[b].
  case callAt
  /// `reasonOf a bc`: R[a] = the reason code (text) of definition bc.
  case reasonOf
  /// `return a b`: the definition's value is R[a] and its reason is text constant b (0xFFFF: none).
  case `return`
  /// `failCondition a bc`: record that `all of` condition with reason text bc failed.
  case failCondition
  /// `fail a bc`: definition bc has no version in force on the date (a = 0: what needs it is
  /// not computable, and the evaluation goes on with the next decision); or stop: no case
  /// applies (a = 1), a list declared non-empty is empty (a = 2), a parameter read `as of` a
  /// date has no version in force on it (a = 3), or the definition has no definition at any
  /// level of the jurisdiction (a = 4).
  case fail
  /// `conflict a bc`: stop: two exceptions of definition bc hold at once in jurisdiction a.
  case conflict
  /// `step`: count the work ahead against the step limit — itself and the longest run of
  /// instructions after it to the next loop instruction (a call counts the callee's run from
  /// its entry, and the verifier rules out call cycles).
  case step
  /// `extra a b c`: operand word for the instruction before it; never executed.
  case extra
  /// `inputField a, c; next.bc`: R[a] = field c of the application record (`input` and `field`
  /// fused); an unknown fact stops the evaluation with missing facts, naming text next.bc.
  case inputField
  /// `next a b c; next.bc`: the head of a loop over the list R[b] with the index R[c]: counts
  /// its work ahead against the step limit (as `step`); when item R[c] exists, R[a] = that
  /// item and R[c] += 1; otherwise pc = next.bc (the loop's exit).
  case next
  /// `jumpIfLess a b; next.bc`: if R[a] < R[b] on integers, pc = next.bc (fused compare-and-jump).
  case jumpIfLess
  /// `jumpIfEqual a b; next.bc`: if R[a] == R[b] on integers, pc = next.bc.
  case jumpIfEqual
  /// `jumpIfNotEqual a b; next.bc`: if R[a] != R[b] on integers, pc = next.bc.
  case jumpIfNotEqual
  /// `nextLoop a b c; next.bc`: a loop's end, as `next` with the jump the other way: counts its
  /// work ahead; when item R[c] of R[b] exists, R[a] = it, R[c] += 1 and pc = next.bc (the
  /// body); otherwise execution falls through (the loop is done).
  case nextLoop
  /// `pushDate a`: the evaluation goes on as of the date R[a], with a memo of its own, until
  /// the `popDate` after the `call` that follows (`NAME as of DATE`); a date outside the
  /// policy's validity stops the evaluation.
  case pushDate
  /// `popDate`: back to the date and memo before the matching `pushDate`.
  case popDate
}

/// One fixed-width instruction: an opcode and three 16-bit operands.
@frozen
public struct Instruction: Sendable, Hashable {
  /// What the instruction does; its `Opcode` case says what `a`, `b` and `c` mean.
  public var opcode: Opcode
  /// The first operand: the destination register for most opcodes.
  public var a: UInt16
  /// The second operand, and the high half of `bc`.
  public var b: UInt16
  /// The third operand, and the low half of `bc`.
  public var c: UInt16

  /// Creates an instruction; operands the opcode does not use are left zero.
  @inlinable
  public init(_ opcode: Opcode, _ a: UInt16 = 0, _ b: UInt16 = 0, _ c: UInt16 = 0) {
    self.opcode = opcode
    self.a = a
    self.b = b
    self.c = c
  }

  /// An instruction whose `b` and `c` hold one 32-bit operand.
  @inlinable
  public init(_ opcode: Opcode, _ a: UInt16, wide: UInt32) {
    self.init(opcode, a, UInt16(wide >> 16), UInt16(wide & 0xFFFF))
  }

  /// `b << 16 | c`.
  @inlinable @inline(__always) public var bc: UInt32 { UInt32(b) << 16 | UInt32(c) }
}

/// A register: two 64-bit words whose meaning the opcode knows from the static type.
///
/// Integers (Int, Money, dates, durations, Bool, enum cases, text and list/record handles)
/// use `word` with `tag == 0`; rationals use `word` / `tag` with `tag > 0`. Negative tags mark
/// the exceptions: `big` (word indexes the exact-value arena), `unknown` (an input fact the
/// application did not give), and `none` (an absent optional).
@frozen
public struct Register: Sendable, Hashable {
  /// The integer, the numerator of a small rational, or an index (text, list, arena slot), as
  /// the static type and `tag` say.
  public var word: Int64
  /// 0 for an integer, the denominator (> 0) of a small rational in lowest terms, or one of the
  /// negative markers `bigTag`, `unknownTag`, `noneTag`.
  public var tag: Int64

  /// Creates a register from its two words; the default tag makes an integer.
  @inlinable public init(word: Int64, tag: Int64 = 0) {
    self.word = word
    self.tag = tag
  }

  /// Marks a number too large for the fast path: `word` indexes the evaluation's exact-value
  /// arena (or, in a constant, `PolicyImage.exactConstants`).
  @inlinable public static var bigTag: Int64 { -1 }
  /// Marks an input fact the application did not give; reading it stops with missing facts.
  @inlinable public static var unknownTag: Int64 { -2 }
  /// Marks an absent optional.
  @inlinable public static var noneTag: Int64 { -3 }

  /// An absent optional.
  @inlinable public static var none: Register { Register(word: 0, tag: noneTag) }
  /// An input fact the application did not give.
  @inlinable public static var unknown: Register { Register(word: 0, tag: unknownTag) }
  /// An integer register: an Int, Money in fen, a date as days since 1970-01-01, a duration's
  /// count, an enum case index, or a text or list handle.
  @inlinable public static func integer(_ value: Int64) -> Register {
    Register(word: value, tag: 0)
  }
  /// A Boolean register: 1 for true, 0 for false.
  @inlinable public static func bool(_ value: Bool) -> Register {
    Register(word: value ? 1 : 0, tag: 0)
  }
}
