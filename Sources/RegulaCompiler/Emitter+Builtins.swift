// Builtins and aggregates to register code.

extension RoundingMode {
  /// The operand that names a rounding mode in `round`, `roundPlaces` and `divideRound`.
  var operand: UInt16 {
    switch self {
    case .halfUp: 0
    case .halfEven: 1
    case .down: 2
    case .up: 3
    case .floor: 4
    case .ceiling: 5
    }
  }
}

extension Emitter {
  mutating func compileCall(
    _ builtin: Builtin, _ arguments: [IRExpr], type: RType, into dst: UInt16
  ) throws(CompileError) {
    try scoped { (emitter: inout Emitter) throws(CompileError) in
      switch builtin {
      case .round(let mode): try emitter.compileRound(mode, arguments[0], type: type, into: dst)
      case .roundToPlaces(let mode, let places):
        try emitter.compileRational(arguments[0], into: dst)
        emitter.recordRounding(
          arguments[0], in: dst, type: emitter.registerType(arguments[0].type, rational: true),
          result: emitter.schema(type))
        emitter.emit(.roundPlaces, dst, dst, mode.operand)
        emitter.emit(.extra, UInt16(places))
      case .roundToMultiple(let mode):
        let unit = emitter.allocate()
        try emitter.compileRational(arguments[0], into: dst)
        try emitter.compile(arguments[1], into: unit)
        emitter.recordRounding(
          arguments[0], in: dst, type: emitter.registerType(arguments[0].type, rational: true),
          result: emitter.schema(type))
        emitter.emit(.roundMultiple, dst, dst, mode.operand)
        emitter.emit(.extra, unit)
      case .addDate(let policy):
        let amount = emitter.allocate()
        try emitter.compile(arguments[0], into: dst)
        try emitter.compile(arguments[1], into: amount)
        switch arguments[1].type {
        case .days: emitter.emit(.dateAddDays, dst, dst, amount)
        case .months:
          emitter.emit(.dateAddMonths, dst, dst, amount)
          emitter.emit(.extra, policy == .roundDown ? 1 : 2)
        default:
          emitter.emit(.dateAddYears, dst, dst, amount)
          emitter.emit(.extra, policy == .roundDown ? 1 : 2)
        }
      case .age, .yearsBetween, .monthsBetween, .daysBetween:
        let end = emitter.allocate()
        try emitter.compile(arguments[0], into: dst)
        try emitter.compile(arguments[1], into: end)
        let opcode: Opcode =
          builtin == .monthsBetween ? .monthsBetween : builtin == .daysBetween ? .daysBetween : .age
        emitter.emit(opcode, dst, dst, end)
      case .year, .month, .day:
        try emitter.compile(arguments[0], into: dst)
        emitter.emit(.datePart, dst, dst, builtin == .year ? 0 : builtin == .month ? 1 : 2)
      case .asOfDate: emitter.emit(.asOf, dst)
      case .noVersionAsOf:
        emitter.emit(Instruction(.fail, 3, wide: UInt32(emitter.currentDefinition)))
      case .makeDate:
        let first = emitter.nextRegister
        for argument in arguments { try emitter.compile(argument, into: emitter.allocate()) }
        emitter.emit(.makeDate, dst, first)
      case .toDays, .toMonths, .toYears, .toFen, .number:
        // The same 64-bit count or fen amount under another type; durations must fit Int64.
        try emitter.compile(arguments[0], into: dst)
        if builtin != .toFen && builtin != .number {
          emitter.emit(.durationAdd, dst, dst, emitter.zero())
        }
      case .toYuan:
        try emitter.compile(arguments[0], into: dst)
        emitter.emit(arguments[0].type == .decimal ? .rationalScale : .scale, dst, dst, 100)
      case .toDecimal, .widen:
        try emitter.compileRational(arguments[0], into: dst)
      case .yearsToMonths:
        try emitter.compile(arguments[0], into: dst)
        let twelve = emitter.allocate()
        emitter.emit(Instruction(.constant, twelve, wide: emitter.constant(.integer(12), .int)))
        emitter.emit(.durationMultiply, dst, dst, twelve)
      case .abs:
        try emitter.compile(arguments[0], into: dst)
        let zero = emitter.allocate()
        let test = emitter.allocate()
        emitter.emit(
          Instruction(
            .constant, zero,
            wide: emitter.constant(
              type.isRational ? Register(word: 0, tag: 1) : .integer(0), emitter.schema(type))))
        emitter.emit(type.isRational ? .rationalLess : .less, test, dst, zero)
        let positive = emitter.emitJump(.jumpIfFalse, test)
        emitter.emit(
          type.isRational ? .rationalNegate : type.isDuration ? .durationNegate : .negate, dst, dst)
        emitter.patchHere(positive)
      case .min, .max:
        let other = emitter.allocate()
        let test = emitter.allocate()
        try emitter.compileValue(arguments[0], as: type, into: dst)
        for argument in arguments.dropFirst() {
          try emitter.compileValue(argument, as: type, into: other)
          if builtin == .min {
            emitter.emit(type.isRational ? .rationalLess : .less, test, other, dst)
          } else {
            emitter.emit(type.isRational ? .rationalLess : .less, test, dst, other)
          }
          let keep = emitter.emitJump(.jumpIfFalse, test)
          emitter.emit(.move, dst, other)
          emitter.patchHere(keep)
        }
      case .count, .sum, .minOf, .maxOf:
        let kind: Aggregate.Kind =
          builtin == .count ? .count : builtin == .sum ? .sum : builtin == .minOf ? .min : .max
        try emitter.compileAggregate(
          kind, slot: -1, source: arguments[0], element: nil, filter: nil, type: type, into: dst)
      }
    }
  }

  /// A register holding 0 (an additive identity for the checked-duration conversion).
  mutating func zero() -> UInt16 {
    let register = allocate()
    emit(Instruction(.constant, register, wide: constant(.integer(0), .int)))
    return register
  }

  /// Compiles `expr` for a result of `type`: integers become rationals when the result is one.
  mutating func compileValue(_ expr: IRExpr, as type: RType, into dst: UInt16) throws(CompileError)
  {
    if type.isRational {
      try compileRational(expr, into: dst)
    } else {
      try compile(expr, into: dst)
    }
  }

  /// `round(a / b, mode)` on integers is fused into `divideRound`; other roundings go through rationals.
  mutating func compileRound(
    _ mode: RoundingMode, _ argument: IRExpr, type: RType, into dst: UInt16
  )
    throws(CompileError)
  {
    if case .binary(.divide, let left, let right) = argument.kind, left.type.isIntegerLike,
      right.type == .int
    {
      let divisor = allocate()
      try compile(left, into: dst)
      try compile(right, into: divisor)
      recordRounding(left, in: dst, type: schema(left.type), result: schema(type))
      emit(.divideRound, dst, dst, divisor)
      emit(.extra, mode.operand)
      return
    }
    if argument.type == .money || argument.type == .int {
      // Already whole: rounding an integer or a Money amount is the identity.
      try compile(argument, into: dst)
      return
    }
    try compileRational(argument, into: dst)
    recordRounding(
      argument, in: dst, type: registerType(argument.type, rational: true), result: schema(type))
    emit(.round, dst, dst, mode.operand)
  }

  mutating func compileAggregate(
    _ kind: Aggregate.Kind, slot: Int, source: IRExpr, element: IRExpr?, filter: IRExpr?,
    type: RType, into dst: UInt16
  ) throws(CompileError) {
    if kind == .count && element == nil && filter == nil {
      // Counting a whole list is its length.
      try compile(source, into: dst)
      emit(.length, dst, dst)
      return
    }
    opaqueAggregateDepth += 1
    defer { opaqueAggregateDepth -= 1 }
    // Inside an opaque node (a scale applied), only an outermost sum shows its elements: the
    // part of each bracket.
    let showsElements = opaqueDepth == 0 || (kind == .sum && opaqueAggregateDepth == 1)
    try scoped { (emitter: inout Emitter) throws(CompileError) in
      let list = emitter.allocate()
      let index = emitter.allocate()
      let item = emitter.allocate()
      let value = emitter.allocate()
      let test = emitter.allocate()
      let one = emitter.allocate()
      try emitter.compile(source, into: list)
      emitter.emit(Instruction(.constant, index, wide: emitter.constant(.integer(0), .int)))
      if kind == .count {
        emitter.emit(Instruction(.constant, one, wide: emitter.constant(.integer(1), .int)))
      }
      emitter.emitAggregateStart(kind, type: type, into: dst)
      let loop = emitter.code.count
      let exit = emitter.emitNext(item, list, index)
      if slot >= 0 {
        emitter.slots[slot] = item
        emitter.slotPaths[slot] = emitter.staticPath(source).map { $0 + "[]" }
      }
      var skip: Int?
      if let filter {
        let start = emitter.openCondition(
          filter, role: .filter, element: (index, emitter.staticPath(source)))
        if kind == .all {
          let pass = try emitter.compileJump(filter, into: test, when: true, start: start)
          emitter.emit(Instruction(.constant, dst, wide: emitter.constant(.bool(false), .bool)))
          let done = emitter.emitJump(.jump)
          emitter.patchHere(pass)
          emitter.emitLoopEnd(item, list, index, loop: loop)
          emitter.patchHere(exit)
          emitter.patchHere(done)
          return
        }
        skip = try emitter.compileJump(filter, into: test, when: false, start: start)
      }
      if let element {
        let valueType =
          kind == .sum || kind == .min || kind == .max ? emitter.unwrapped(type) : element.type
        // A sum of optionals holds each value as it is, possibly `none` (a Decimal is rational
        // already); the step stops at a `none`.
        let asIs = kind == .sum && type.isOptional
        if asIs {
          try emitter.compile(element, into: value)
        } else {
          try emitter.compileValue(element, as: valueType, into: value)
        }
        var contribution = emitter.probe(.element, at: element.span)
        (contribution.a, contribution.b) = (UInt32(value), UInt32(index))
        contribution.typeA = emitter.typeIndex(
          emitter.registerType(element.type, rational: valueType.isRational && !asIs))
        contribution.typeB = emitter.typeIndex(.int)
        if let path = emitter.staticPath(source) { contribution.textB = emitter.probeText(path) }
        if showsElements { emitter.record(contribution) }
      } else {
        emitter.emit(.move, value, item)
        if (kind == .sum || kind == .min || kind == .max) && emitter.unwrapped(type).isRational
          && !source.type.elementIsRational
        {
          emitter.emit(.toRational, value, value)
        }
      }
      let stop = try emitter.emitAggregateStep(
        kind, value: value, test: test, one: one, type: type, into: dst)
      if let skip { emitter.patchHere(skip) }
      emitter.emitLoopEnd(item, list, index, loop: loop)
      emitter.patchHere(exit)
      if let stop { emitter.patchHere(stop) }
      // Typed non-optional (over a list declared non-empty): past this check the register
      // holds a value, for the verifier as for the reader.
      if [.first, .last, .min, .max].contains(kind), !type.isOptional {
        let empty = emitter.emitJump(.jumpIfNone, dst)
        let found = emitter.emitJump(.jump)
        emitter.patchHere(empty)
        emitter.emit(Instruction(.fail, 2, wide: UInt32(emitter.currentDefinition)))
        emitter.patchHere(found)
      }
    }
  }

  func unwrapped(_ type: RType) -> RType {
    if case .optional(let wrapped) = type { return wrapped }
    return type
  }

  /// The head of a loop over `list`: `next` loads the item at `index` into `item` and counts a
  /// step, or leaves the loop. Returns the position of the exit target to patch.
  mutating func emitNext(_ item: UInt16, _ list: UInt16, _ index: UInt16) -> Int {
    emit(.next, item, list, index)
    return emitJump(.extra)
  }

  /// The loop's end: `nextLoop` takes the next item and goes back to the body (just after the
  /// head's `next` and its target word), or falls through once the list is done.
  mutating func emitLoopEnd(_ item: UInt16, _ list: UInt16, _ index: UInt16, loop: Int) {
    emit(.nextLoop, item, list, index)
    emit(Instruction(.extra, 0, wide: UInt32(loop + 2)))
  }

  mutating func emitAggregateStart(_ kind: Aggregate.Kind, type: RType, into dst: UInt16) {
    switch kind {
    case .count, .sum:
      let zero: Register = unwrapped(type).isRational ? Register(word: 0, tag: 1) : .integer(0)
      emit(Instruction(.constant, dst, wide: constant(zero, schema(unwrapped(type)))))
    case .any: emit(Instruction(.constant, dst, wide: constant(.bool(false), .bool)))
    case .all: emit(Instruction(.constant, dst, wide: constant(.bool(true), .bool)))
    case .filter, .map:
      emit(.listBuilder, dst)
      emit(Instruction(.extra, 0, wide: typeIndex(schema(type))))
    case .first, .last, .min, .max: emit(.none, dst)
    }
  }

  /// The loop body's accumulation; returns a jump to patch at the loop's exit for early stops.
  mutating func emitAggregateStep(
    _ kind: Aggregate.Kind, value: UInt16, test: UInt16, one: UInt16, type: RType, into dst: UInt16
  ) throws(CompileError) -> Int? {
    let element = unwrapped(type)
    switch kind {
    case .count:
      emit(.add, dst, dst, one)
    case .sum:
      // A sum of optionals (`type` optional) is `none` at the first `none`, which ends the loop.
      let absent = type.isOptional ? emitJump(.jumpIfNone, value) : nil
      emit(
        element.isRational ? .rationalAdd : element.isDuration ? .durationAdd : .add, dst, dst,
        value)
      if let absent {
        let added = emitJump(.jump)
        patchHere(absent)
        emit(.none, dst)
        let stop = emitJump(.jump)
        patchHere(added)
        return stop
      }
    case .any:
      emit(Instruction(.constant, dst, wide: constant(.bool(true), .bool)))
      return emitJump(.jump)
    case .all: break
    case .filter, .map: emit(.append, dst, value)
    case .first:
      emit(.move, dst, value)
      return emitJump(.jump)
    case .last: emit(.move, dst, value)
    case .min, .max:
      let take = emitJump(.jumpIfNone, dst)
      if kind == .min {
        emit(element.isRational ? .rationalLess : .less, test, value, dst)
      } else {
        emit(element.isRational ? .rationalLess : .less, test, dst, value)
      }
      let keep = emitJump(.jumpIfFalse, test)
      patchHere(take)
      emit(.move, dst, value)
      patchHere(keep)
    }
    return nil
  }
}

extension RType {
  var elementIsRational: Bool {
    if case .list(let element) = self { return element.isRational }
    return false
  }
}
