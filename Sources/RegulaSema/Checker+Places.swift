// `places N`: a Decimal definition whose value has at most N decimal places, which the
// checker proves from how the value is written (Docs/language.md §5.5), so that a decision
// can print with exactly N places ("88.10") without rounding or hiding a digit.

extension Checker {
  /// The most places a definition may declare.
  static let maximumPlaces = 18

  /// The places `places` declares, when valid.
  static func placesCount(_ places: Places) -> Int? {
    guard let count = Int(places.count.filter { $0 != "_" }), (0...maximumPlaces).contains(count)
    else { return nil }
    return count
  }

  /// Checks `places N` on a definition: a Decimal (or `Decimal?`) whose every value is shown
  /// to have at most N places (R0321).
  mutating func checkPlaces(_ places: Places, of entry: DefinitionEntry, type: RType) {
    guard let count = Self.placesCount(places) else {
      report(
        .invalidPlaces, at: places.span,
        "`places` takes a whole number from 0 to \(Self.maximumPlaces), not \(places.count)")
      return
    }
    if type.isError { return }
    guard type == .decimal || type == .optional(.decimal) else {
      report(
        .invalidPlaces, at: places.span,
        "`places` applies to a `Decimal` value; `\(entry.name.text)` is a `\(type)`",
        help: "remove `places \(places.count)`")
      return
    }
    // A function's parameters are values whose places are not known (even one named like a
    // definition declared with places).
    var parameters: [String: Int?] = [:]
    for parameter in entry.parameters ?? [] { parameters[parameter.name.text] = .some(nil) }
    for variant in entry.variants {
      for (value, bound) in values(of: variant.body) {
        // A name a `first of` case binds is a value whose places are not known either.
        var locals = parameters
        for name in bound { locals[name] = .some(nil) }
        guard let found = self.places(of: value, locals: locals) else {
          report(
            .invalidPlaces, at: value.span,
            "`\(entry.name.text)` has at most \(count) decimal places, but nothing shows that "
              + "this value has",
            help: "round it: `round(…, half_up, \(count))`")
          continue
        }
        if found > count {
          report(
            .invalidPlaces, at: value.span,
            "`\(entry.name.text)` has at most \(count) decimal places, but this value may have "
              + "\(found)",
            help: "round it: `round(…, half_up, \(count))`")
        }
      }
    }
    declaredPlaces[entry.name.text] = count
  }

  /// The values a body may give, each with the names its `first of` case binds.
  func values(of body: Body) -> [(value: Expr, bound: [String])] {
    switch body.kind {
    case .expression(let expr): [(expr, [])]
    case .firstOf(let cases): cases.map { ($0.value, $0.binding.map { [$0.name.text] } ?? []) }
    case .allOf, .brackets: []
    case .versions(let versions): versions.flatMap { values(of: $0.body) }
    }
  }

  /// The most decimal places `expr`'s value can have, from how it is written; nil when that
  /// cannot be told (a division, an input, a value read through a record…). `locals` gives
  /// the places of the `let` names in scope.
  func places(of expr: Expr, locals: [String: Int?]) -> Int? {
    if let type = types[expr.id], type == .int || type == .optional(.int) { return 0 }
    switch expr.kind {
    case .literal(.integer): return 0
    case .literal(.decimal(let text)): return Self.fractionDigits(text)
    case .literal(.percent(let text)): return Self.fractionDigits(String(text.dropLast())) + 2
    case .literal(.none): return 0
    case .unary(.negate, let inner): return places(of: inner, locals: locals)
    case .binary(let op, let left, let right):
      guard let a = places(of: left, locals: locals), let b = places(of: right, locals: locals)
      else { return nil }
      switch op {
      case .add, .subtract, .coalesce: return max(a, b)
      case .multiply: return a + b
      default: return nil
      }
    case .ifThenElse(_, let then, let otherwise):
      guard let a = places(of: then, locals: locals),
        let b = places(of: otherwise, locals: locals)
      else { return nil }
      return max(a, b)
    case .letIn(let name, let value, let body):
      var inner = locals
      inner[name.text] = .some(places(of: value, locals: locals))
      return places(of: body, locals: inner)
    case .match(_, let arms):
      var most = 0
      for arm in arms {
        // A `some NAME` binds the subject's value, whose places are not followed here.
        var inner = locals
        for pattern in arm.patterns {
          if case .some(let name) = pattern.kind { inner[name.text] = .some(nil) }
        }
        guard let found = places(of: arm.value, locals: inner) else { return nil }
        most = max(most, found)
      }
      return most
    case .name(let name):
      if let local = locals[name] { return local }
      guard let entry = definitions[name], let declared = entry.places else { return nil }
      return Self.placesCount(declared)
    case .call(let name, let arguments):
      switch name.text {
      case "round":
        guard arguments.count == 3, case .literal(.integer(let text)) = arguments[2].kind
        else { return arguments.count == 2 ? 0 : nil }
        return Int(text.filter { $0 != "_" })
      case "decimal": return 0
      case "abs", "min", "max":
        guard arguments.count >= 1 else { return nil }
        var most = 0
        for argument in arguments {
          guard let found = places(of: argument, locals: locals) else { return nil }
          most = max(most, found)
        }
        return most
      default:
        guard let entry = definitions[name.text], let declared = entry.places else { return nil }
        return Self.placesCount(declared)
      }
    default: return nil
    }
  }
}
