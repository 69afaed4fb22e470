// Scales: a parameter written as brackets, each field of each bracket with its own dated
// values (Docs/language.md §13.1), becomes versions of a list of bracket records — one
// version per span of days over which no value changes — so that everything after the
// checker (memoised reads, `as of`, traces naming the version in force) treats it as any
// other versioned parameter.

extension Checker {
  /// One value of a bracket's field and the days it holds.
  struct HeldValue {
    var value: Expr
    var from: DateLiteral
    var until: DateLiteral?

    func holds(on day: DateLiteral) -> Bool { from <= day && until.map { day <= $0 } ?? true }
  }

  /// The versions a `bracket { … }` body stands for; any other body as it is.
  mutating func scaleVersions(
    of body: Body, name: String, kind: Definition.Kind?, type: TypeSyntax?
  ) -> Body {
    guard case .brackets(let brackets) = body.kind else { return body }
    let reportedBefore = diagnostics.count
    if let kind, kind != .parameter {
      report(
        .invalidScale, at: body.span, "only a parameter can be written as brackets",
        help: "declare `\(name)` as a `parameter`: a scale is a value the regulation fixes")
      return Body(kind: .expression(synthesized(.error, at: body.span)), span: body.span)
    } else if kind == nil {
      // An override: its type is the definition's.
    } else if let type, case .list = type.kind {
    } else {
      report(
        .invalidScale, at: type?.span ?? body.span,
        "`\(name)` is written as brackets, so its type is a list of its bracket record",
        help: "declare it as `parameter \(name): List<Bracket>`, with "
          + "`record Bracket { threshold: Decimal, rate: Decimal }`")
      return Body(kind: .expression(synthesized(.error, at: body.span)), span: body.span)
    }
    let beginning = DateLiteral("0001-01-01")!
    // Per bracket, per field: the values and their days.
    var fields: [(span: SourceSpan, fields: [(name: Identifier, values: [HeldValue])])] = []
    var changes: Set<DateLiteral> = [beginning]
    for bracket in brackets {
      var held: [(name: Identifier, values: [HeldValue])] = []
      for field in bracket.fields {
        if let first = held.first(where: { $0.name.text == field.name.text }) {
          report(
            .duplicateField, at: field.name.span,
            "the bracket gives `\(field.name.text)` twice",
            notes: [Diagnostic.Note("first given here", at: first.name.span)])
          continue
        }
        let values = heldValues(field, from: beginning)
        for value in values {
          changes.insert(value.from)
          if let after = value.until?.dayAfter { changes.insert(after) }
        }
        held.append((field.name, values))
      }
      if held.isEmpty {
        report(
          .invalidScale, at: bracket.span, "a bracket needs its fields",
          help: "write them as `bracket { threshold: 0, rate: 0.03 }`")
      }
      fields.append((bracket.span, held))
    }
    // One version per span of days between two changes, merged while nothing changes.
    let days = changes.sorted()
    var spans: [(from: DateLiteral, values: [(span: SourceSpan, entries: [(Identifier, Expr)])])] =
      []
    for day in days {
      let values: [(span: SourceSpan, entries: [(Identifier, Expr)])] = fields.compactMap {
        bracket in
        guard !bracket.fields.isEmpty else { return nil }
        var entries: [(Identifier, Expr)] = []
        for field in bracket.fields {
          guard let value = field.values.first(where: { $0.holds(on: day) }) else { return nil }
          entries.append((field.name, value.value))
        }
        return (bracket.span, entries)
      }
      if let last = spans.last,
        last.values.map({ $0.entries.map(\.1.id) }) == values.map({ $0.entries.map(\.1.id) })
      {
        continue
      }
      spans.append((day, values))
      checkThresholdsIncrease(values.map(\.entries), on: day, name: name)
    }
    // A value never in force with its bracket's other fields is a mistake (and would never be
    // checked against its field's type); not repeated after a date error in the scale.
    var used: Set<NodeID> =
      diagnostics.count > reportedBefore
      ? Set(
        fields.flatMap { $0.fields.flatMap { $0.values.map(\.value.id) } }) : []
    for span in spans {
      for bracket in span.values { for entry in bracket.entries { used.insert(entry.1.id) } }
    }
    for bracket in fields {
      for field in bracket.fields {
        for value in field.values where !used.contains(value.value.id) {
          report(
            .invalidScale, at: value.value.span,
            "this value of `\(field.name.text)` is never in force in the scale: on its days the "
              + "bracket's other fields have no value",
            help: "give the other fields values on those days, or remove this one")
        }
      }
    }
    // Each span runs until the day before the next one starts.
    var ranged = spans.enumerated().map { index, span in
      (
        from: span.from, until: index + 1 < spans.count ? spans[index + 1].from.dayBefore : nil,
        values: span.values
      )
    }
    // An override applies only on the days it gives brackets: before and after them the less
    // specific definition does (§13).
    if kind == nil {
      while ranged.first?.values.isEmpty == true { ranged.removeFirst() }
      while ranged.last?.values.isEmpty == true { ranged.removeLast() }
      if ranged.isEmpty {
        report(
          .invalidScale, at: body.span, "the override of `\(name)` gives no bracket on any day")
        return Body(kind: .expression(synthesized(.error, at: body.span)), span: body.span)
      }
    }
    var versions: [Version] = []
    for span in ranged {
      let until = span.until
      let items = span.values.map { bracket in
        synthesized(
          .braces(
            bracket.entries.map { key, value in
              Entry(key: key, value: value, span: value.span)
            }), at: bracket.span)
      }
      versions.append(
        Version(
          validity: Validity(from: span.from, until: until, span: body.span),
          body: Body(kind: .expression(synthesized(.list(items), at: body.span)), span: body.span),
          citation: nil))
    }
    return Body(kind: .versions(versions), span: body.span)
  }

  /// A field's values with their days: each holds from its `from` until its `until`, or else
  /// until the day before the next value's `from`. Only the first may be undated (from the
  /// beginning); the others come in date order, without overlap (R0401, R0403).
  mutating func heldValues(_ field: BracketField, from beginning: DateLiteral) -> [HeldValue] {
    var values: [HeldValue] = []
    for (index, dated) in field.values.enumerated() {
      guard let validity = dated.validity else {
        if index > 0 {
          report(
            .invalidScale, at: dated.span,
            "only the first value of `\(field.name.text)` may be written without a date",
            help: "give the day it takes effect: `VALUE from YYYY-MM-DD`")
          continue
        }
        values.append(HeldValue(value: dated.value, from: beginning, until: nil))
        continue
      }
      checkNotEmpty(validity, what: "this value of `\(field.name.text)`")
      if let previous = values.last {
        if validity.from <= previous.from {
          report(
            .overlappingValidity, at: validity.span,
            "the values of `\(field.name.text)` are written in date order: this one takes "
              + "effect on \(validity.from), not after the one from \(previous.from)",
            help: "write each value after the one it replaces")
          continue
        }
        if let until = previous.until {
          if until >= validity.from {
            report(
              .overlappingValidity, at: validity.span,
              "this value of `\(field.name.text)` takes effect on \(validity.from), while the "
                + "one from \(previous.from) holds until \(until)",
              help: "end the earlier value before this one takes effect")
            continue
          }
        } else {
          values[values.count - 1].until = validity.from.dayBefore
        }
      }
      values.append(HeldValue(value: dated.value, from: validity.from, until: validity.until))
    }
    return values
  }

  /// On each day, the brackets' thresholds (where they are numbers written out) increase
  /// from one bracket to the next (R0320).
  mutating func checkThresholdsIncrease(
    _ brackets: [[(Identifier, Expr)]], on day: DateLiteral, name: String
  ) {
    // Each threshold written as a number against the last one before it written as a number.
    let thresholds = brackets.compactMap { bracket in
      bracket.first { $0.0.text == "threshold" }.flatMap { entry in
        ExactConstant(entry.1).map { (expr: entry.1, value: $0) }
      }
    }
    for (lowerEntry, higherEntry) in zip(thresholds, thresholds.dropFirst()) {
      let (lower, higher) = (lowerEntry.expr, higherEntry.expr)
      guard !(lowerEntry.value < higherEntry.value) else { continue }
      report(
        .invalidScale, at: higher.span,
        "the thresholds of `\(name)` increase from bracket to bracket, but on \(day) this "
          + "threshold, \(ExprPrinter.source(higher)), is not above the previous bracket's, "
          + "\(ExprPrinter.source(lower))",
        help: "write the brackets in increasing order of threshold")
    }
  }

  /// An expression node made by the checker (numbered below the parser's, which count up
  /// from 0).
  mutating func synthesized(_ kind: Expr.Kind, at span: SourceSpan) -> Expr {
    nextSyntheticID -= 1
    return Expr(id: NodeID(nextSyntheticID), kind: kind, span: span)
  }
}

/// A number written out (an integer, a decimal, a percentage, or money in yuan or fen,
/// possibly negated), exactly, for comparing thresholds: sign, then the digits before and
/// after the point (yuan for money).
struct ExactConstant: Comparable {
  var negative: Bool
  var whole: String
  var fraction: String

  init?(_ expr: Expr) {
    switch expr.kind {
    case .unary(.negate, let inner):
      guard let value = ExactConstant(inner) else { return nil }
      self = value
      negative = !(value.whole.isEmpty && value.fraction.isEmpty) && !value.negative
    case .literal(.integer(let text)), .literal(.decimal(let text)),
      .quantity(.integer(let text), .yuan), .quantity(.decimal(let text), .yuan):
      self.init(digits: text, shift: 0)
    case .literal(.percent(let text)):
      self.init(digits: String(text.dropLast()), shift: 2)
    case .quantity(.integer(let text), .fen):
      self.init(digits: text, shift: 2)
    default: return nil
    }
  }

  /// `digits` (with `_` and at most one `.`) divided by 10^shift.
  init(digits text: String, shift: Int) {
    let plain = text.filter { $0 != "_" }
    let parts = plain.split(separator: ".", omittingEmptySubsequences: false)
    var whole = String(parts[0])
    var fraction = parts.count > 1 ? String(parts[1]) : ""
    for _ in 0..<shift {
      let digit = whole.popLast() ?? "0"
      fraction = String(digit) + fraction
    }
    whole = String(whole.drop { $0 == "0" })
    while fraction.last == "0" { fraction.removeLast() }
    (negative, self.whole, self.fraction) = (false, whole, fraction)
  }

  static func < (a: ExactConstant, b: ExactConstant) -> Bool {
    if a.negative != b.negative { return a.negative }
    return a.negative ? magnitudeLess(b, a) : magnitudeLess(a, b)
  }

  static func magnitudeLess(_ a: ExactConstant, _ b: ExactConstant) -> Bool {
    if a.whole.count != b.whole.count { return a.whole.count < b.whole.count }
    if a.whole != b.whole { return a.whole < b.whole }
    let width = max(a.fraction.count, b.fraction.count)
    func padded(_ text: String) -> String {
      text + String(repeating: "0", count: width - text.count)
    }
    return padded(a.fraction) < padded(b.fraction)
  }
}
