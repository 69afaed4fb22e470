// Expressions to register code. Every operator is specialised here by its operand types.

extension RType {
  /// Types held as 64-bit integers in registers (with the exact arena on overflow for Int and Money).
  var isIntegerLike: Bool {
    switch self {
    case .int, .money, .date, .days, .months, .years, .bool, .enumeration: true
    default: false
    }
  }
  var isRational: Bool { self == .decimal || self == .exactMoney }
}

extension Emitter {
  mutating func compile(_ expr: IRExpr, into dst: UInt16) throws(CompileError) {
    let saved = span
    span = expr.span
    defer { span = saved }
    switch expr.kind {
    case .constant(let value):
      emit(Instruction(.constant, dst, wide: constant(try register(for: value), schema(expr.type))))
    case .input: emit(.input, dst)
    case .local(let slot): emit(.move, dst, slots[slot] ?? 0)
    case .definition(let id):
      // No `step` here: calls follow the acyclic dependency graph, so only loops need counting.
      emit(Instruction(.call, dst, wide: UInt32(id)))
    case .definitionAt(let id, let place): try compileAt(id, place, into: dst)
    case .definitionAsOf(let id, let date):
      try compile(date, into: dst)
      emitAsOf(id, date: dst, into: dst)
    case .reasonOf(let id): emit(Instruction(.reasonOf, dst, wide: UInt32(id)))
    case .field(let base, let index, let name):
      // A field of a bound element reads its register directly, without a copy; a field of
      // the application is one instruction.
      if case .local(let slot) = base.kind, let register = slots[slot] {
        emit(.field, dst, register, UInt16(index))
      } else if case .input = base.kind {
        emit(.inputField, dst, 0, UInt16(index))
      } else {
        try compile(base, into: dst)
        emit(.field, dst, dst, UInt16(index))
      }
      // The operand word names the input path read (`members[].age`), or, for a field of a
      // value that is not the application's (a parameter's record, a `first(…)` result), just
      // the field's name with `a` = 1: not an input path, so not listed in `inputs_read`.
      if let path = staticPath(expr) {
        emit(Instruction(.extra, 0, wide: UInt32(text(path))))
      } else {
        emit(Instruction(.extra, 1, wide: UInt32(text(name))))
      }
    case .index(let base, let key):
      try scoped { (emitter: inout Emitter) throws(CompileError) in
        let keyRegister = emitter.allocate()
        try emitter.compile(base, into: dst)
        try emitter.compile(key, into: keyRegister)
        var lookup = emitter.probe(.lookup, at: expr.span)
        (lookup.a, lookup.b) = (UInt32(dst), UInt32(keyRegister))
        lookup.typeA = emitter.typeIndex(emitter.schema(base.type))
        lookup.typeB = emitter.typeIndex(emitter.schema(key.type))
        lookup.textA = emitter.probeText(of: base.span)
        lookup.textB = emitter.probeText(of: key.span)
        emitter.record(lookup)
        emitter.emit(.item, dst, dst, keyRegister)
      }
    case .unary(let op, let operand): try compileUnary(op, operand, type: expr.type, into: dst)
    case .binary(let op, let left, let right):
      try compileBinary(op, left, right, type: expr.type, into: dst)
    case .ifThenElse(let condition, let then, let otherwise):
      let start = openCondition(condition, role: .ifThen)
      let toElse = try compileJump(condition, into: dst, when: false, start: start)
      try compile(then, into: dst)
      let toEnd = emitJump(.jump)
      patchHere(toElse)
      try compile(otherwise, into: dst)
      patchHere(toEnd)
    case .letIn(let slot, let value, let body):
      try scoped { (emitter: inout Emitter) throws(CompileError) in
        let bound = emitter.allocate()
        try emitter.compile(value, into: bound)
        emitter.slots[slot] = bound
        emitter.slotPaths[slot] = emitter.staticPath(value)
        try emitter.compile(body, into: dst)
      }
    case .inlined(let function, let body):
      try compileInlined(function, body, span: expr.span, type: expr.type, into: dst)
    case .match(let subject, let arms): try compileMatch(subject, arms, into: dst)
    case .call(let builtin, let arguments):
      try compileCall(builtin, arguments, type: expr.type, into: dst)
    case .aggregate(let kind, let slot, let source, let element, let filter):
      try compileAggregate(
        kind, slot: slot, source: source, element: element, filter: filter, type: expr.type,
        into: dst)
    case .list(let items), .record(let items), .table(let items):
      try scoped { (emitter: inout Emitter) throws(CompileError) in
        let first = emitter.nextRegister
        let registers = (0..<items.count).map { _ in emitter.allocate() }
        for (item, register) in zip(items, registers) { try emitter.compile(item, into: register) }
        let isRecord = if case .record = expr.kind { true } else { false }
        emitter.emit(isRecord ? .newRecord : .newList, dst, first, UInt16(items.count))
        emitter.emit(
          Instruction(.extra, 0, wide: emitter.typeIndex(emitter.schema(expr.type))))
      }
    }
  }

  /// `members[].age`: the input path a field expression reads, for `inputs_read` and
  /// missing-fact messages; nil when the expression does not read the application (as the
  /// interpreter's `path(of:)`).
  func staticPath(_ expr: IRExpr) -> String? {
    switch expr.kind {
    case .input: return ""
    case .field(let base, _, let name):
      return staticPath(base).map { $0.isEmpty ? name : "\($0).\(name)" }
    case .local(let slot): return slotPaths[slot] ?? nil
    default: return nil
    }
  }

  mutating func compileAt(_ id: Int, _ place: IRExpr, into dst: UInt16) throws(CompileError) {
    guard case .enumeration(let enumName) = place.type else {
      throw CompileError(message: "`at` needs an enum value")
    }
    let map: Int
    if let existing = mapIndex[enumName] {
      map = existing
    } else {
      let cases = program.enumCases(enumName)
      let entries = cases.map { name -> UInt16 in
        if let index = jurisdictions.firstIndex(of: name) { return UInt16(index) }
        if let index = jurisdictions.firstIndex(where: { $0.hasSuffix(".\(name)") }) {
          return UInt16(index)
        }
        return 0
      }
      jurisdictionMaps.append(entries)
      map = jurisdictionMaps.count - 1
      mapIndex[enumName] = map
    }
    try compile(place, into: dst)
    emit(.callAt, dst, dst, UInt16(map))
    emit(Instruction(.extra, 0, wide: UInt32(id)))
  }

  /// A call of a function, inlined, as a node of its own; `NAME as of DATE` opens its node
  /// once the date is computed, so that the node shows it. Out of line, so that the frame of
  /// `compile`, which recurses once per level of an expression, stays small.
  @inline(never)
  mutating func compileInlined(
    _ function: Int, _ body: IRExpr, span: SourceSpan, type: RType, into dst: UInt16
  ) throws(CompileError) {
    if case .definitionAsOf(let id, let date) = body.kind {
      // The node opens with the date computed, so that it shows which date.
      try compile(date, into: dst)
      let start = openCall(
        program.functions[function], at: span, into: dst, type: type, date: dst)
      emitAsOf(id, date: dst, into: dst)
      closeCall(start)
      return
    }
    let start = openCall(program.functions[function], at: span, into: dst, type: type)
    let opaque = program.functions[function].isOpaque
    let aggregates = opaqueAggregateDepth
    if opaque { (opaqueDepth, opaqueAggregateDepth) = (opaqueDepth + 1, 0) }
    try compile(body, into: dst)
    if opaque { (opaqueDepth, opaqueAggregateDepth) = (opaqueDepth - 1, aggregates) }
    closeCall(start)
  }

  /// `pushDate`, `call`, `popDate`: definition `id` evaluated as of the date in `date`, with a
  /// memo of its own, its value in `dst`.
  mutating func emitAsOf(_ id: Int, date: UInt16, into dst: UInt16) {
    emit(.pushDate, date)
    emit(Instruction(.call, dst, wide: UInt32(id)))
    emit(.popDate)
  }

  mutating func compileUnary(_ op: UnaryOperator, _ operand: IRExpr, type: RType, into dst: UInt16)
    throws(CompileError)
  {
    try compile(operand, into: dst)
    switch op {
    case .not: emit(.not, dst, dst)
    case .negate:
      if type.isRational {
        emit(.rationalNegate, dst, dst)
      } else if type.isDuration {
        emit(.durationNegate, dst, dst)
      } else {
        emit(.negate, dst, dst)
      }
    }
  }

  /// Compiles `expr` as a rational: integers are converted.
  mutating func compileRational(_ expr: IRExpr, into dst: UInt16) throws(CompileError) {
    try compile(expr, into: dst)
    if !expr.type.isRational { emit(.toRational, dst, dst) }
  }

  mutating func compileBinary(
    _ op: BinaryOperator, _ left: IRExpr, _ right: IRExpr, type: RType, into dst: UInt16
  ) throws(CompileError) {
    switch op {
    case .and, .or:
      try compile(left, into: dst)
      let skip = emitJump(op == .and ? .jumpIfFalse : .jumpIfTrue, dst)
      try compile(right, into: dst)
      patchHere(skip)
    case .coalesce:
      try compile(left, into: dst)
      let present = emitJump(.jumpIfNone, dst)
      let end = emitJump(.jump)
      patchHere(present)
      try compile(right, into: dst)
      patchHere(end)
    case .in: try compileMembership(left, right, into: dst)
    case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
      try compileComparison(op, left, right, into: dst)
    case .add, .subtract, .multiply, .divide:
      try compileArithmetic(op, left, right, type: type, into: dst)
    }
  }

  mutating func compileArithmetic(
    _ op: BinaryOperator, _ left: IRExpr, _ right: IRExpr, type: RType, into dst: UInt16
  ) throws(CompileError) {
    try scoped { (emitter: inout Emitter) throws(CompileError) in
      let other = emitter.allocate()
      if type.isRational {
        try emitter.compileRational(left, into: dst)
        try emitter.compileRational(right, into: other)
        let opcode: Opcode =
          [.add: .rationalAdd, .subtract: .rationalSubtract, .multiply: .rationalMultiply][op]
          ?? .rationalDivide
        emitter.emit(opcode, dst, dst, other)
        return
      }
      // Durations multiply with the Int on either side; keep the duration on the left.
      let (first, second) = op == .multiply && right.type.isDuration ? (right, left) : (left, right)
      try emitter.compile(first, into: dst)
      try emitter.compile(second, into: other)
      switch (op, type) {
      case (.add, .date), (.subtract, .date):
        try emitter.emitDateArithmetic(op, first, second, dst, other)
      case (.add, _) where type.isDuration: emitter.emit(.durationAdd, dst, dst, other)
      case (.subtract, _) where type.isDuration: emitter.emit(.durationSubtract, dst, dst, other)
      case (.multiply, _) where type.isDuration: emitter.emit(.durationMultiply, dst, dst, other)
      case (.add, _): emitter.emit(.add, dst, dst, other)
      case (.subtract, _): emitter.emit(.subtract, dst, dst, other)
      case (.multiply, _): emitter.emit(.multiply, dst, dst, other)
      default: throw CompileError(message: "no integer division: `/` gives a rational")
      }
    }
  }

  mutating func emitDateArithmetic(
    _ op: BinaryOperator, _ left: IRExpr, _ right: IRExpr, _ dst: UInt16, _ other: UInt16
  ) throws(CompileError) {
    var (date, amount, amountType) = (dst, other, right.type)
    if left.type != .date { (date, amount, amountType) = (other, dst, left.type) }
    if op == .subtract { emit(.durationNegate, amount, amount) }
    switch amountType {
    case .days: emit(.dateAddDays, dst, date, amount)
    case .months:
      emit(.dateAddMonths, dst, date, amount)
      emit(.extra, 0)
    default:
      emit(.dateAddYears, dst, date, amount)
      emit(.extra, 0)
    }
  }

  mutating func compileComparison(
    _ op: BinaryOperator, _ left: IRExpr, _ right: IRExpr, into dst: UInt16
  ) throws(CompileError) {
    try scoped { (emitter: inout Emitter) throws(CompileError) in
      let other = emitter.allocate()
      let (a, b) = (left, right)
      let rational =
        a.type.isRational || b.type.isRational || (a.type == .int && b.type == .decimal)
        || (a.type == .decimal && b.type == .int)
      let plain = a.type.isIntegerLike && b.type.isIntegerLike && a.type == b.type
      // Operands in source order, as the interpreter evaluates them (the first missing fact
      // or failure reported depends on it); `>` and `>=` compare the registers swapped.
      if rational {
        try emitter.compileRational(a, into: dst)
        try emitter.compileRational(b, into: other)
      } else {
        try emitter.compile(a, into: dst)
        try emitter.compile(b, into: other)
      }
      let (x, y) = op == .greater || op == .greaterEqual ? (other, dst) : (dst, other)
      emitter.recordComparison(
        a, b, dst, other, rational: rational,
        outcome: op == .notEqual ? .negatedRegister : .register, result: dst,
        span: a.span.merged(with: b.span))
      // An optional operand may hold `none`, which `rationalEqual` cannot read: compared
      // whole, as optional rationals.
      let optional = [a.type, b.type].contains { $0.isOptional || $0 == .noneLiteral }
      switch op {
      case .equal, .notEqual:
        if plain {
          emitter.emit(.equal, dst, dst, other)
        } else if rational && optional {
          let money = [a.type, b.type].contains {
            [.money, .exactMoney].contains(emitter.unwrapped($0))
          }
          emitter.emit(.deepEqual, dst, dst, other)
          emitter.emit(
            Instruction(
              .extra, 0, wide: emitter.typeIndex(.optional(money ? .exactMoney : .decimal))))
        } else if rational {
          emitter.emit(.rationalEqual, dst, dst, other)
        } else if a.type == .text && b.type == .text {
          emitter.emit(.textEqual, dst, dst, other)
        } else {
          let type = a.type.isOptional || a.type == .noneLiteral ? a.type : b.type
          emitter.emit(.deepEqual, dst, dst, other)
          emitter.emit(Instruction(.extra, 0, wide: emitter.typeIndex(emitter.schema(type))))
        }
        if op == .notEqual { emitter.emit(.not, dst, dst) }
      case .less, .greater: emitter.emit(rational ? .rationalLess : .less, dst, x, y)
      default: emitter.emit(rational ? .rationalLessEqual : .lessEqual, dst, x, y)
      }
    }
  }

  mutating func compileMembership(_ left: IRExpr, _ right: IRExpr, into dst: UInt16)
    throws(CompileError)
  {
    guard case .list(let element) = right.type else {
      throw CompileError(message: "`in` needs a list")
    }
    try scoped { (emitter: inout Emitter) throws(CompileError) in
      let value = emitter.allocate()
      let list = emitter.allocate()
      let index = emitter.allocate()
      let item = emitter.allocate()
      try emitter.compile(left, into: value)
      try emitter.compile(right, into: list)
      emitter.emit(Instruction(.constant, index, wide: emitter.constant(.integer(0), .int)))
      emitter.emit(Instruction(.constant, dst, wide: emitter.constant(.bool(false), .bool)))
      let loop = emitter.code.count
      let exit = emitter.emitNext(item, list, index)
      emitter.emitEquality(item, value, type: element, leftType: left.type, into: item)
      let found = emitter.emitJump(.jumpIfTrue, item)
      emitter.emitLoopEnd(item, list, index, loop: loop)
      // The loop's end falls through when the list is done: not found.
      let notFound = emitter.emitJump(.jump)
      emitter.patchHere(found)
      emitter.emit(Instruction(.constant, dst, wide: emitter.constant(.bool(true), .bool)))
      emitter.patchHere(exit)
      emitter.patchHere(notFound)
    }
  }

  /// Equality of two registers of (compatible) types into `dst`.
  mutating func emitEquality(
    _ a: UInt16, _ b: UInt16, type: RType, leftType: RType, into dst: UInt16
  ) {
    if type.isIntegerLike && type == leftType {
      emit(.equal, dst, a, b)
    } else if type == .text {
      emit(.textEqual, dst, a, b)
    } else {
      emit(.deepEqual, dst, a, b)
      emit(Instruction(.extra, 0, wide: typeIndex(schema(type))))
    }
  }

  mutating func compileMatch(_ subject: IRExpr, _ arms: [IRArm], into dst: UInt16)
    throws(CompileError)
  {
    try scoped { (emitter: inout Emitter) throws(CompileError) in
      let value = emitter.allocate()
      let test = emitter.allocate()
      let wanted = emitter.allocate()
      try emitter.compile(subject, into: value)
      var ends: [Int] = []
      for arm in arms {
        var next: [Int] = []
        switch arm.pattern {
        case .otherwise: break
        case .none:
          let isNone = emitter.emitJump(.jumpIfNone, value)
          next.append(emitter.emitJump(.jump))
          emitter.patchHere(isNone)
        case .some(let slot):
          next.append(emitter.emitJump(.jumpIfNone, value))
          emitter.slots[slot] = value
          emitter.slotPaths[slot] = emitter.staticPath(subject)
        case .cases(let indices):
          var hits: [Int] = []
          for index in indices {
            emitter.emit(
              Instruction(.constant, wanted, wide: emitter.constant(.integer(Int64(index)), .int)))
            emitter.emit(.equal, test, value, wanted)
            hits.append(emitter.emitJump(.jumpIfTrue, test))
          }
          next.append(emitter.emitJump(.jump))
          for hit in hits { emitter.patchHere(hit) }
        }
        try emitter.compile(arm.value, into: dst)
        ends.append(emitter.emitJump(.jump))
        for jump in next { emitter.patchHere(jump) }
      }
      emitter.emit(Instruction(.fail, 1, wide: UInt32(emitter.currentDefinition)))
      for end in ends { emitter.patchHere(end) }
    }
  }
}
