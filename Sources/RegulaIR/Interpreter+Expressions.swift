// Expression evaluation in the reference interpreter: one case per IR form.

extension Interpreter {
  /// Evaluates one expression in the current jurisdiction, counting one step per node.
  ///
  /// Definitions it reads are memoised for the life of this interpreter.
  ///
  /// - Throws: `EvaluationError` at the first missing fact, runtime failure or limit.
  /// - Complexity: O(n) in the nodes evaluated, plus the definitions it needs.
  public mutating func evaluate(_ expr: IRExpr) throws(EvaluationError) -> Value {
    let value = try evaluateNode(expr)
    // Every number an expression makes is checked against the VM's own limit, so that the two
    // engines stop on the same values.
    if Self.exceedsNumberSize(value) {
      throw .limit(message: NumberLimits.exceededMessage, span: expr.span)
    }
    return value
  }

  /// True for a number larger than `NumberLimits.maximumExactBits` (an integer counts a
  /// denominator of 1, one bit, as the VM's arena does).
  static func exceedsNumberSize(_ value: Value) -> Bool {
    switch value {
    case .int(let int): int.bitWidth + 1 > NumberLimits.maximumExactBits
    case .money(let money): money.fen.bitWidth + 1 > NumberLimits.maximumExactBits
    case .decimal(let decimal): NumberLimits.exceeds(decimal)
    case .exactMoney(let money): NumberLimits.exceeds(money.fen)
    default: false
    }
  }

  mutating func evaluateNode(_ expr: IRExpr) throws(EvaluationError) -> Value {
    steps += 1
    if steps > limits.steps {
      let name = current.map { program.definitions[$0].name } ?? "?"
      throw .limit(
        message: "the evaluation exceeded \(limits.steps) steps (limit `steps`) in `\(name)`",
        span: expr.span)
    }
    switch expr.kind {
    case .constant(let value): return value
    case .input: return input
    case .local(let slot): return slots[slot]?.value ?? .unknown
    case .definition(let id): return try evaluateDefinition(id).0
    case .definitionAt(let id, let place): return try evaluateAt(id, place)
    case .definitionAsOf(let id, let date): return try evaluateAsOf(id, date)
    case .reasonOf(let id): return .text(try evaluateDefinition(id).1 ?? "")
    case .field(let base, let index, let name):
      return try evaluateField(base, index, name, span: expr.span)
    case .index(let base, let key):
      guard case .table(let values) = try evaluate(base),
        case .enumCase(let index) = try evaluate(key),
        values.indices.contains(index)
      else { throw .runtime(message: "internal error: bad table lookup", span: expr.span) }
      return values[index]
    case .unary(let op, let operand):
      return try evaluateUnary(op, try evaluate(operand), span: expr.span)
    case .binary(let op, let left, let right):
      return try evaluateBinary(op, left, right, span: expr.span)
    case .ifThenElse(let c, let t, let e):
      return try evaluateBool(c) ? try evaluate(t) : try evaluate(e)
    case .letIn(let slot, let value, let body):
      let bound = try evaluate(value)
      return try withSlot(slot, bound, path: path(of: value)) {
        (interpreter: inout Interpreter) throws(EvaluationError) in
        try interpreter.evaluate(body)
      }
    case .inlined(_, let body): return try evaluate(body)
    case .match(let subject, let arms): return try evaluateMatch(subject, arms)
    case .call(let builtin, let arguments):
      return try evaluateCall(builtin, arguments, span: expr.span)
    case .aggregate(let kind, let slot, let source, let element, let filter):
      return try evaluateAggregate(
        kind, slot: slot, source: source, element: element, filter: filter, type: expr.type)
    case .list(let items): return .list(try evaluateAll(items))
    case .record(let items): return .record(try evaluateAll(items))
    case .table(let items): return .table(try evaluateAll(items))
    }
  }

  mutating func evaluateAll(_ items: [IRExpr]) throws(EvaluationError) -> [Value] {
    var values: [Value] = []
    for item in items { values.append(try evaluate(item)) }
    return values
  }

  mutating func withSlot(
    _ slot: Int, _ value: Value, path: String?,
    _ body: (inout Interpreter) throws(EvaluationError) -> Value
  ) throws(EvaluationError) -> Value {
    let saved = slots[slot]
    slots[slot] = (value, path)
    defer { slots[slot] = saved }
    return try body(&self)
  }

  /// The input path an expression reads, such as `members[2].age`, when it reads the input.
  func path(of expr: IRExpr) -> String? {
    switch expr.kind {
    case .input: return ""
    case .local(let slot): return slots[slot]?.path
    case .field(let base, _, let name):
      return path(of: base).map { $0.isEmpty ? name : "\($0).\(name)" }
    default: return nil
    }
  }

  mutating func evaluateField(_ base: IRExpr, _ index: Int, _ name: String, span: SourceSpan)
    throws(EvaluationError) -> Value
  {
    let record = try evaluate(base)
    let basePath = path(of: base)
    let fullPath = basePath.map { $0.isEmpty ? name : "\($0).\(name)" }
    if let fullPath { inputsRead.insert(Self.withoutPositions(fullPath)) }
    guard case .record(let values) = record, values.indices.contains(index) else {
      throw .runtime(message: "internal error: `.\(name)` of a non-record", span: span)
    }
    if case .unknown = values[index] {
      let located: String? =
        if let fullPath, !fullPath.isEmpty { fullPath } else { locate(record, field: name) }
      throw .missingFacts([located ?? name])
    }
    return values[index]
  }

  /// The positioned path (`members[2].age`) of field `name` of `record`, for a record reached
  /// through a definition (a filtered list, a `first` bound by `match`): the first record of
  /// the application, in field and list order, equal to it. Nil when none is.
  ///
  /// - Complexity: O(n) in the size of the application: called only when a fact is missing.
  func locate(_ record: Value, field name: String) -> String? {
    func walk(_ value: Value, _ type: RType, _ path: String) -> String? {
      switch (type, value) {
      case (.optional(let wrapped), _): return walk(value, wrapped, path)
      case (.record(let recordName), .record(let values)):
        if value == record { return path.isEmpty ? name : "\(path).\(name)" }
        for (field, item) in zip(program.recordFields(recordName), values) {
          let inner = path.isEmpty ? field.name : "\(path).\(field.name)"
          if let found = walk(item, field.type, inner) { return found }
        }
        return nil
      case (.list(let element), .list(let items)):
        for (position, item) in items.enumerated() {
          if let found = walk(item, element, "\(path)[\(position)]") { return found }
        }
        return nil
      default: return nil
      }
    }
    guard let inputName = program.input?.name else { return nil }
    return walk(input, .record(inputName), "")
  }

  /// `members[2].age` → `members[].age`, for the decision record's list of inputs read.
  static func withoutPositions(_ path: String) -> String {
    var result = ""
    var skipping = false
    for character in path {
      if character == "[" {
        skipping = true
        result += "[]"
      } else if character == "]" {
        skipping = false
      } else if !skipping {
        result.append(character)
      }
    }
    return result
  }

  mutating func evaluateAt(_ id: DefinitionID, _ place: IRExpr) throws(EvaluationError) -> Value {
    guard case .enumCase(let index) = try evaluate(place),
      case .enumeration(let enumName) = place.type,
      let code = program.enumCases(enumName)[safe: index]
    else {
      throw .runtime(
        message: "internal error: a jurisdiction is not an enum value", span: place.span)
    }
    let saved = jurisdiction
    jurisdiction = code
    defer { jurisdiction = saved }
    return try evaluateDefinition(id).0
  }

  /// `NAME as of DATE`: the definition evaluated with DATE as the as-of date, with a memo of
  /// its own. A definition it evaluated, at any depth, is evaluated again when the date it
  /// returns to needs it afterwards (as the VM, whose memo the other date's values replace).
  mutating func evaluateAsOf(_ id: DefinitionID, _ date: IRExpr) throws(EvaluationError) -> Value {
    guard case .date(let day) = try evaluate(date) else {
      throw .runtime(message: "internal error: `as of` without a date", span: date.span)
    }
    let before = program.from.map { day < $0 } ?? false
    let after = program.until.map { $0 < day } ?? false
    if before || after {
      throw .runtime(message: IRProgram.notInForceAsOfMessage(day), span: date.span)
    }
    let (savedDate, savedMemo, mark) = (asOf, memo, writtenOnOtherDates.count)
    asOf = day
    memo = [:]
    asOfDepth += 1
    defer {
      let written = Set(writtenOnOtherDates[mark...])
      asOf = savedDate
      memo = savedMemo.filter { !written.contains($0.key) }
      asOfDepth -= 1
      if asOfDepth == 0 { writtenOnOtherDates.removeAll() }
    }
    return try evaluateDefinition(id).0
  }

  mutating func evaluateMatch(_ subject: IRExpr, _ arms: [IRArm]) throws(EvaluationError) -> Value {
    let value = try evaluate(subject)
    for arm in arms {
      switch (arm.pattern, value) {
      case (.otherwise, _): return try evaluate(arm.value)
      case (.none, .none): return try evaluate(arm.value)
      case (.cases(let indices), .enumCase(let index)) where indices.contains(index):
        return try evaluate(arm.value)
      case (.some(let slot), _) where value != .none:
        return try withSlot(slot, value, path: path(of: subject)) {
          (interpreter: inout Interpreter) throws(EvaluationError) in
          try interpreter.evaluate(arm.value)
        }
      default: continue
      }
    }
    throw .runtime(message: "internal error: no match arm applies", span: subject.span)
  }

  mutating func evaluateAggregate(
    _ kind: Aggregate.Kind, slot: Int, source: IRExpr, element: IRExpr?, filter: IRExpr?,
    type: RType
  ) throws(EvaluationError) -> Value {
    guard case .list(let items) = try evaluate(source) else {
      throw .runtime(message: "internal error: an aggregate over a non-list", span: source.span)
    }
    let sourcePath = path(of: source)
    var selected: [Value] = []
    var mapped: [Value] = []
    for (position, item) in items.enumerated() {
      let itemPath = sourcePath.map { "\($0)[\(position)]" }
      let keep = try withSlot(slot, item, path: itemPath) {
        (interpreter: inout Interpreter) throws(EvaluationError) in
        guard let filter else { return .bool(true) }
        return .bool(try interpreter.evaluateBool(filter))
      }
      guard keep == .bool(true) else { continue }
      selected.append(item)
      if let element {
        mapped.append(
          try withSlot(slot, item, path: itemPath) {
            (interpreter: inout Interpreter) throws(EvaluationError) in
            try interpreter.evaluate(element)
          })
      } else {
        mapped.append(item)
      }
      // `any` and `first` stop at the first element that qualifies; a sum of optionals at the
      // first `none`.
      if kind == .any || kind == .first { break }
      if kind == .sum, type.isOptional, mapped.last == Value.none { break }
    }
    let result = try aggregateResult(
      kind, selected: selected, mapped: mapped, total: items.count, type: type, span: source.span)
    // Typed non-optional only over a list declared non-empty (the VM's `fail 2`).
    if result == .none, !type.isOptional, [.first, .last, .min, .max].contains(kind) {
      throw .runtime(message: Self.emptyListMessage, span: source.span)
    }
    return result
  }

  func aggregateResult(
    _ kind: Aggregate.Kind, selected: [Value], mapped: [Value], total: Int, type: RType,
    span: SourceSpan
  ) throws(EvaluationError) -> Value {
    switch kind {
    case .count: return .int(ExactInt(Int64(selected.count)))
    case .any: return .bool(!selected.isEmpty)
    case .all: return .bool(selected.count == total)
    case .filter: return .list(selected)
    case .map: return .list(mapped)
    case .first: return mapped.first ?? .none
    case .last: return mapped.last ?? .none
    case .sum:
      if case .optional(let wrapped) = type {
        // Added up to the first `none`, as the VM adds as it goes (an overflow before it is
        // an overflow), then `none`.
        let present = mapped.prefix { $0 != Value.none }
        let total = try sum(Array(present), type: wrapped, span: span)
        return present.count < mapped.count ? .none : total
      }
      return try sum(mapped, type: type, span: span)
    case .min, .max:
      guard var best = mapped.first else { return .none }
      for value in mapped.dropFirst() {
        let isLess = try less(value, best, span: span)
        if kind == .min ? isLess : try less(best, value, span: span) { best = value }
      }
      return best
    }
  }

  func sum(_ values: [Value], type: RType, span: SourceSpan) throws(EvaluationError) -> Value {
    var total = Self.zero(of: type)
    for value in values { total = try add(total, value, span: span) }
    return total
  }

  /// Zero of a type that adds up (Int for any other).
  static func zero(of type: RType) -> Value {
    switch type {
    case .decimal: .decimal(ExactDecimal(ExactInt(0)))
    case .money: .money(Money(fen: ExactInt(0)))
    case .exactMoney: .exactMoney(ExactMoney(fen: ExactDecimal(ExactInt(0))))
    case .days: .days(Days(0))
    case .months: .months(Months(0))
    case .years: .years(Years(0))
    default: .int(ExactInt(0))
    }
  }
}
