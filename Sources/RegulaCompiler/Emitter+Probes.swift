// The probes a traced replay observes: recorded beside the code as it is emitted, never
// emitted into it, so the code an untraced evaluation runs is the code a traced one runs.

/// Where a span is in its source: its text (whitespace runs folded to one space) and its
/// 1-based line and column; nil when the source is not at hand.
public typealias SourceDescriber = (_ file: Int, _ bytes: Range<Int>) -> (
  text: String, line: UInt32, column: UInt32
)?

extension Emitter {
  /// An index into the probe texts, adding `value` if new.
  mutating func probeText(_ value: String) -> UInt32 {
    if let index = probeTextIndex[value] { return UInt32(index) }
    probeTexts.append(value)
    probeTextIndex[value] = probeTexts.count - 1
    return UInt32(probeTexts.count - 1)
  }

  /// A probe of `kind` at the next instruction, positioned at `span` (its source text as the
  /// probe's text).
  mutating func probe(_ kind: Probe.Kind, role: Probe.Role = .none, at span: SourceSpan) -> Probe {
    var probe = Probe(pc: UInt32(code.count), kind: kind, role: role)
    probe.file = UInt32(span.file.raw)
    probe.start = UInt32(span.bytes.lowerBound)
    probe.end = UInt32(span.bytes.upperBound)
    if let described = describe(Int(span.file.raw), span.bytes) {
      probe.text = probeText(described.text)
      probe.line = described.line
      probe.column = described.column
    }
    return probe
  }

  /// The source text of `span`, as a probe text; `Probe.absent` when unknown.
  mutating func probeText(of span: SourceSpan) -> UInt32 {
    describe(Int(span.file.raw), span.bytes).map { probeText($0.text) } ?? Probe.absent
  }

  /// Records `probe`; returns its index (`Probe.absent` for a condition, comparison, lookup or
  /// rounding inside an opaque builtin's node, which are not traced).
  @discardableResult
  mutating func record(_ probe: Probe) -> UInt32 {
    if opaqueDepth > 0 && Self.hiddenInOpaque.contains(probe.kind) { return Probe.absent }
    probes.append(probe)
    return UInt32(probes.count - 1)
  }

  /// Opens a condition: a start probe at the next instruction. `closeCondition` gives the
  /// matching end.
  mutating func openCondition(
    _ condition: IRExpr, role: Probe.Role, position: Int = 0, reason: String? = nil,
    citation: Citation? = nil, element: (index: UInt16, path: String?)? = nil
  ) -> UInt32 {
    var start = probe(.conditionStart, role: role, at: condition.span)
    start.position = UInt32(position)
    if let reason { start.reason = probeText(reason) }
    if let citation { start.citation = probeText(program.citationText(citation)) }
    if let element {
      // The loop index (one past the element) names the element's position.
      start.b = UInt32(element.index)
      start.typeB = typeIndex(.int)
      if let path = element.path { start.textB = probeText(path) }
    }
    return record(start)
  }

  /// The end of the condition opened as `start`, observed at the instruction at `pc` (a jump
  /// or the instruction the outcome register is read before).
  mutating func closeCondition(_ start: UInt32, at pc: Int, outcome: Probe.Outcome, result: UInt16?)
  {
    guard start != Probe.absent else { return }
    var end = probes[Int(start)]
    end.kind = .conditionEnd
    end.pc = UInt32(pc)
    end.partner = start
    end.outcome = outcome
    (end.b, end.typeB, end.textB) = (Probe.absent, Probe.absent, Probe.absent)
    end.result = result.map { UInt32($0) } ?? Probe.absent
    record(end)
  }

  /// The type a register holds for an operand of `type` compiled as a rational when
  /// `rational` is set (`toRational` turns Int into Decimal and Money into ExactMoney).
  func registerType(_ type: RType, rational: Bool) -> SchemaType {
    if rational, case .optional(let wrapped) = type {
      return .optional(registerType(wrapped, rational: true))
    }
    guard rational, !type.isRational else { return schema(type) }
    return type == .money ? .exactMoney : .decimal
  }

  /// A comparison probe at the next instruction: operands `left` in `a` and `right` in `b`.
  mutating func recordComparison(
    _ left: IRExpr, _ right: IRExpr, _ a: UInt16, _ b: UInt16, rational: Bool,
    outcome: Probe.Outcome, result: UInt16?, span: SourceSpan
  ) {
    var comparison = probe(.comparison, at: span)
    (comparison.a, comparison.b) = (UInt32(a), UInt32(b))
    comparison.typeA = typeIndex(registerType(left.type, rational: rational))
    comparison.typeB = typeIndex(registerType(right.type, rational: rational))
    comparison.textA = probeText(of: left.span)
    comparison.textB = probeText(of: right.span)
    comparison.outcome = outcome
    comparison.result = result.map { UInt32($0) } ?? Probe.absent
    record(comparison)
  }

  /// A rounding probe at the next instruction: the value rounded in `register` (of `type`,
  /// from `operand`), and the result of `resultType` in the same register once it has run.
  mutating func recordRounding(
    _ operand: IRExpr, in register: UInt16, type: SchemaType, result resultType: SchemaType
  ) {
    var rounding = probe(.rounding, at: span)
    rounding.a = UInt32(register)
    rounding.typeA = typeIndex(type)
    rounding.textA = probeText(of: operand.span)
    rounding.result = UInt32(register)
    rounding.typeB = typeIndex(resultType)
    rounding.outcome = .valueAfter
    record(rounding)
  }

  /// Opens the node of a call of function `function` (inlined) whose value will be in `dst`,
  /// of `type`; `closeCall` gives the matching end once the body is emitted. For
  /// `NAME as of DATE`, `date` is the register holding DATE, which the node shows.
  mutating func openCall(
    _ function: IRFunction, at span: SourceSpan, into dst: UInt16, type: RType,
    date: UInt16? = nil
  ) -> UInt32 {
    var start = probe(.callStart, at: span)
    if let date {
      start.a = UInt32(date)
      start.typeA = typeIndex(.date)
    }
    start.textA = probeText(function.name)
    if let citation = function.citation {
      start.citation = probeText(program.citationText(citation))
    }
    start.result = UInt32(dst)
    start.typeB = typeIndex(schema(type))
    start.outcome = .valueBefore
    return record(start)
  }

  /// The end of the call opened as `start`, at the next instruction: the value is in the
  /// register the start names.
  mutating func closeCall(_ start: UInt32) {
    var end = probes[Int(start)]
    end.kind = .callEnd
    end.pc = UInt32(code.count)
    end.partner = start
    record(end)
  }

  /// Hidden inside an opaque node; an element is shown there only for an outermost `sum`
  /// (`compileAggregate` decides).
  static let hiddenInOpaque: Set<Probe.Kind> = [
    .conditionStart, .conditionEnd, .comparison, .lookup, .rounding,
  ]

  /// The explanation tables of the emitted code.
  var explanations: Explanations {
    var tables = Explanations()
    tables.probes = probes
    tables.texts = probeTexts
    return tables
  }
}
