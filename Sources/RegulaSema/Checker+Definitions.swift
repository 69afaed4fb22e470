// Definitions and their variants: base definitions, level blocks with overrides and
// exceptions, validity ranges, and declared types.

extension Checker {
  /// The jurisdiction a file's top-level definitions belong to (its header's level).
  func fileJurisdiction(_ file: LoadedFile) -> Jurisdiction {
    file.syntax.header.level.map(Jurisdiction.init) ?? .national
  }

  /// First pass: the base definitions, so that variants may precede their target in a file.
  mutating func collectDefinitions(_ file: LoadedFile) {
    currentFile = file.id
    let level = fileJurisdiction(file)
    for declaration in file.syntax.declarations {
      if case .definition(let decl) = declaration.kind {
        collectBase(decl, file: file.id, level: level, span: declaration.span, inBlock: false)
      }
    }
  }

  /// Second pass: level blocks, overrides, exceptions and tests.
  mutating func collectVariants(_ file: LoadedFile) {
    currentFile = file.id
    let level = fileJurisdiction(file)
    for declaration in file.syntax.declarations {
      if case .definition = declaration.kind { continue }
      collectDefinition(declaration, file: file, level: level, inBlock: false)
    }
  }

  mutating func collectDefinition(
    _ declaration: Declaration, file: LoadedFile, level: Jurisdiction, inBlock: Bool
  ) {
    switch declaration.kind {
    case .definition(let decl):
      collectBase(decl, file: file.id, level: level, span: declaration.span, inBlock: inBlock)
    case .levelBlock(let block):
      collectLevelBlock(block, file: file, outer: level, inBlock: inBlock)
    case .override(let decl):
      if case .brackets = decl.body.kind { bracketOverrides.insert(declaration.span) }
      let body = scaleVersions(of: decl.body, name: decl.name.text, kind: nil, type: nil)
      addVariant(
        to: decl.name,
        Variant(
          kind: .override, jurisdiction: level, body: body, citation: decl.citation,
          span: declaration.span),
        file: file, level: level)
    case .exception(let decl):
      let body = Body(kind: .expression(decl.value), span: decl.value.span)
      let kind = Variant.Kind.exception(
        value: decl.value, condition: decl.condition, reason: decl.reason)
      if let validity = decl.validity {
        checkNotEmpty(validity, what: "the exception to `\(decl.target.text)`")
      }
      addVariant(
        to: decl.target,
        Variant(
          kind: kind, jurisdiction: level, body: body, citation: decl.citation,
          span: declaration.span, validity: decl.validity),
        file: file, level: level)
    case .test(let decl):
      if inBlock {
        report(
          .misplacedDeclaration, at: declaration.span, "tests belong at the top level of a file")
      }
      tests.append(decl)
    case .labels(let decl):
      if inBlock {
        report(
          .misplacedDeclaration, at: declaration.span,
          "labels belong at the top level of a file, not inside a `level` block")
      }
      labelDecls.append((decl, file.id))
    case .enumeration, .record, .input:
      if inBlock {
        report(
          .misplacedDeclaration, at: declaration.span,
          "enums, records and inputs belong at the top level, not inside a `level` block")
      }
    }
  }

  mutating func collectBase(
    _ decl: Definition, file: SourceFile.ID, level: Jurisdiction, span: SourceSpan, inBlock: Bool
  ) {
    if inBlock {
      report(
        .misplacedDeclaration, at: decl.name.span,
        "a `level` block changes existing definitions; it cannot declare `\(decl.name.text)`",
        help: "declare `\(decl.name.text)` at the top level, then `override` it in the block")
      return
    }
    guard !decl.name.text.isEmpty, firstDeclaration[decl.name.text] == decl.name.span else {
      return
    }
    checkCitation(decl.citation)
    let body = scaleVersions(of: decl.body, name: decl.name.text, kind: decl.kind, type: decl.type)
    checkValidity(of: body, name: decl.name.text)
    definitionOrder.append(decl.name.text)
    definitions[decl.name.text] = DefinitionEntry(
      kind: decl.kind, name: decl.name, typeSyntax: decl.type, citation: decl.citation, file: file,
      variants: [
        Variant(
          kind: .base, jurisdiction: level, body: body, citation: decl.citation, span: span)
      ],
      span: span, parameters: decl.parameters, places: decl.places)
  }

  mutating func collectLevelBlock(
    _ block: LevelBlock, file: LoadedFile, outer: Jurisdiction, inBlock: Bool
  ) {
    let level = Jurisdiction(block.level)
    if inBlock || level.depth <= outer.depth || !isNested(block.level, in: file) {
      report(
        .invalidLevel, at: block.level.span,
        "level `\(level.code)` is not below the enclosing level `\(outer.code)`",
        help: "a level block refines a more general level: national, then province, then city")
      return
    }
    declareLevel(block.level)
    for declaration in block.declarations {
      collectDefinition(declaration, file: file, level: level, inBlock: true)
    }
  }

  /// A city block in a province policy must be a city of that province.
  func isNested(_ level: LevelSpec, in file: LoadedFile) -> Bool {
    guard case .province(let province) = file.syntax.header.level?.kind else { return true }
    if case .city(let cityProvince, _) = level.kind { return cityProvince.text == province.text }
    return true
  }

  /// Adds an override or exception; the target is resolved once all files are collected.
  mutating func addVariant(
    to target: Identifier, _ variant: Variant, file: LoadedFile, level: Jurisdiction
  ) {
    checkCitation(variant.citation)
    // An exception may sit at any level, the base's included; an override replaces a more
    // general definition, so it needs a level below national.
    if case .override = variant.kind, level.depth == 0 {
      report(
        .invalidLevel, at: variant.span, "`\(target.text)` is overridden at the national level",
        help: "overrides go in a `level province …` or `level city …` block, "
          + "or in a policy whose header says `level province …`")
      return
    }
    guard var entry = definitions[target.text], isVisible(target.text, in: file.id) else {
      report(
        .overrideOfUndefined, at: target.span,
        "`\(target.text)` is not a definition that can be changed here",
        help: Suggestions.help(Suggestions.closest(to: target.text, among: definitionOrder))
          ?? "an override or exception changes a parameter or rule the policy (or a module it imports) defines"
      )
      return
    }
    if entry.parameters != nil {
      let what = if case .override = variant.kind { "overridden" } else { "given exceptions" }
      report(
        .invalidFunction, at: target.span,
        "`\(target.text)` is a function; a function cannot be \(what)",
        help:
          "override or add an exception to the rule that calls it, or give the function a parameter for what differs"
      )
      return
    }
    if case .exception = variant.kind, entry.kind == .parameter {
      report(
        .exceptionToNonRule, at: target.span,
        "`\(target.text)` is a parameter; exceptions apply to rules",
        help: "use `override \(target.text)` to give a parameter another value in this jurisdiction"
      )
      return
    }
    if bracketOverrides.contains(variant.span) {
      var isList = false
      if case .list? = entry.typeSyntax?.kind { isList = true }
      guard entry.kind == .parameter, isList else {
        report(
          .invalidScale, at: target.span,
          "`\(target.text)` is not a scale parameter (a `parameter` of a list type), so its "
            + "override cannot be written as brackets",
          help: "override it with `= …` or versions")
        return
      }
    }
    if case .override = variant.kind {
      checkValidity(of: variant.body, name: target.text)
      checkOverrideConflict(entry, variant, target: target)
    }
    entry.variants.append(variant)
    definitions[target.text] = entry
  }

  /// Two overrides for the same jurisdiction whose validity ranges meet are a conflict.
  mutating func checkOverrideConflict(
    _ entry: DefinitionEntry, _ variant: Variant, target: Identifier
  ) {
    for existing in entry.variants
    where existing.kind == .override
      && existing.jurisdiction == variant.jurisdiction
    {
      let overlap = ranges(of: existing.body).contains { a in
        ranges(of: variant.body).contains { b in Self.overlaps(a, b) }
      }
      if overlap {
        report(
          .conflictingDefinitions, at: target.span,
          "`\(target.text)` is overridden twice for `\(variant.jurisdiction.code)` with overlapping dates",
          help: "give the overrides disjoint `from … until …` ranges, or merge them",
          notes: [Diagnostic.Note("the other override is here", at: existing.span)])
      }
    }
  }

  /// The validity ranges of a body; an unversioned body is in force always.
  func ranges(of body: Body) -> [(DateLiteral, DateLiteral?)] {
    guard case .versions(let versions) = body.kind else {
      return [(DateLiteral("0001-01-01")!, nil)]
    }
    return versions.map { ($0.validity.from, $0.validity.until) }
  }

  static func overlaps(_ a: (DateLiteral, DateLiteral?), _ b: (DateLiteral, DateLiteral?)) -> Bool {
    let aEndsBeforeB = a.1.map { $0 < b.0 } ?? false
    let bEndsBeforeA = b.1.map { $0 < a.0 } ?? false
    return !aEndsBeforeB && !bEndsBeforeA
  }

  /// Versions must be non-empty ranges, in order, with no overlap and no gap.
  mutating func checkValidity(of body: Body, name: String) {
    guard case .versions(let versions) = body.kind else { return }
    for version in versions {
      checkCitation(version.citation)
      checkNotEmpty(version.validity, what: "`\(name)`")
    }
    let sorted = versions.sorted { $0.validity.from < $1.validity.from }
    for (earlier, later) in zip(sorted, sorted.dropFirst()) {
      checkAdjacent(earlier.validity, later.validity, name: name)
    }
  }

  /// `until` (the last day in force) must not precede `from` (R0403).
  mutating func checkNotEmpty(_ validity: Validity, what: String) {
    guard let until = validity.until, until < validity.from else { return }
    report(
      .emptyValidity, at: validity.span,
      "\(what) is in force until \(until), before it starts on \(validity.from)",
      help: "`until` is the last day in force and must not precede `from`")
  }

  mutating func checkAdjacent(_ earlier: Validity, _ later: Validity, name: String) {
    guard let until = earlier.until else {
      report(
        .overlappingValidity, at: later.span,
        "this version of `\(name)` starts on \(later.from) while the version from \(earlier.from) has no end",
        help: "end the earlier version with `until` the day before \(later.from)",
        notes: [Diagnostic.Note("the earlier version", at: earlier.span)])
      return
    }
    if later.from <= until {
      report(
        .overlappingValidity, at: later.span,
        "versions of `\(name)` overlap: \(later.from) is already covered by the version until \(until)",
        help:
          "end the earlier version the day before: `until \(DateArithmetic.previousDay(later.from))`",
        notes: [Diagnostic.Note("the earlier version", at: earlier.span)])
    } else if later.from != DateArithmetic.nextDay(until) {
      report(
        .validityGap, at: later.span,
        "no version of `\(name)` is in force from \(DateArithmetic.nextDay(until)) to the day before \(later.from)",
        help:
          "start this version on \(DateArithmetic.nextDay(until)), or end the earlier one later",
        notes: [Diagnostic.Note("the earlier version", at: earlier.span)])
    }
  }

  /// Resolves a definition's declared type; parameters and decisions must declare one.
  mutating func resolveDeclaredType(_ name: String) {
    guard let entry = definitions[name] else { return }
    currentFile = entry.file
    if let parameters = entry.parameters {
      resolveFunction(entry, parameters)
      return
    }
    if let syntax = entry.typeSyntax {
      definitionTypes[name] = resolveType(syntax)
    } else if entry.kind != .rule {
      report(
        .expectedType, at: entry.name.span,
        "\(entry.kind.rawValue) `\(name)` needs a declared type",
        help:
          "write `\(entry.kind.rawValue) \(name): TYPE …`; only rules may leave their type to inference"
      )
    }
  }
}

extension Checker {
  /// Checks a function's declaration (the body is checked in dependency order, with its
  /// parameters in scope) and resolves its parameter and result types.
  mutating func resolveFunction(_ entry: DefinitionEntry, _ parameters: [FunctionParameter]) {
    let name = entry.name.text
    func refuse(_ message: String, at span: SourceSpan, help: String) {
      report(.invalidFunction, at: span, message, help: help)
    }
    if entry.kind != .rule {
      refuse(
        "a \(entry.kind.rawValue) takes no parameters", at: entry.name.span,
        help: "only a rule may be a function: `rule \(name)(m: Member): TYPE = …`")
    } else if parameters.isEmpty {
      refuse(
        "function `\(name)` has no parameters", at: entry.name.span,
        help: "a rule without parameters is written without parentheses: `rule \(name) = …`")
    } else if Builtins.names.contains(name) {
      refuse(
        "`\(name)` is a builtin function; a function of the policy needs another name",
        at: entry.name.span, help: "rename the function, as in `\(name)_of`")
    }
    let isExpression =
      if case .expression? = entry.variants.first?.body.kind { true } else { false }
    if !isExpression {
      refuse(
        "the body of function `\(name)` must be `= EXPRESSION`", at: entry.name.span,
        help:
          "a function gives one value for its arguments: write conditions with `if … then … else`; "
          + "`first of`, `all of` and dated versions belong to rules without parameters")
    }
    var resolved: [(name: String, type: RType)] = []
    var seen: Set<String> = []
    for parameter in parameters {
      if !seen.insert(parameter.name.text).inserted {
        report(
          .duplicateDefinition, at: parameter.name.span,
          "parameter `\(parameter.name.text)` is declared twice in `\(name)`",
          help: "give each parameter its own name")
      }
      resolved.append((parameter.name.text, resolveType(parameter.type)))
    }
    functionParameters[name] = resolved
    if let syntax = entry.typeSyntax {
      definitionTypes[name] = resolveType(syntax)
    } else {
      definitionTypes[name] = .error
      refuse(
        "function `\(name)` needs a declared type", at: entry.name.span,
        help: "write `rule \(name)\(Definition.parameterText(parameters)): TYPE = …`")
    }
  }
}

/// Calendar steps the checker needs for validity ranges.
enum DateArithmetic {
  static func nextDay(_ date: DateLiteral) -> DateLiteral {
    var next = date
    if date.day < DateLiteral.daysIn(month: date.month, year: date.year) {
      next.day += 1
    } else if date.month < 12 {
      (next.month, next.day) = (date.month + 1, 1)
    } else {
      (next.year, next.month, next.day) = (date.year + 1, 1, 1)
    }
    return next
  }

  static func previousDay(_ date: DateLiteral) -> DateLiteral {
    var previous = date
    if date.day > 1 {
      previous.day -= 1
    } else if date.month > 1 {
      previous.month -= 1
      previous.day = DateLiteral.daysIn(month: previous.month, year: date.year)
    } else {
      (previous.year, previous.month, previous.day) = (date.year - 1, 12, 31)
    }
    return previous
  }
}

extension Checker {
  /// `in LOW to HIGH` (or `at least LOW`, `at most HIGH`) bounds have the field's type;
  /// `length …` applies to lists.
  mutating func checkConstraint(_ constraint: Constraint, on type: RType) {
    var target = type
    if case .optional(let wrapped) = type { target = wrapped }
    if target.isError { return }
    switch constraint.kind {
    case .range:
      guard target.isOrdered else {
        report(
          .invalidConstraint, at: constraint.span,
          "bounds (`in … to …`, `at least …`, `at most …`) need an ordered type; this field is `\(type)`",
          help: "bound a number, an amount, a date or a duration; for a list, bound its `length`")
        return
      }
    case .length:
      guard case .list = target else {
        report(
          .invalidConstraint, at: constraint.span,
          "`length …` bounds apply to lists; this field is `\(type)`")
        return
      }
      target = .int
    }
    for bound in [constraint.low, constraint.high].compactMap({ $0 }) {
      checkExpecting(bound, target, scope: [:])
      // The readers check literal bounds only: anything else would leave the field unbounded
      // without a word.
      guard Self.isLiteralBound(bound) else {
        report(
          .invalidConstraint, at: bound.span,
          "a bound must be a literal, such as `0`, `-5`, `100 yuan` or `2024-01-01`",
          help: "write the bound's value; a parameter or an expression cannot bound an input")
        continue
      }
    }
    if let low = constraint.low.flatMap(Self.constantOrder),
      let high = constraint.high.flatMap(Self.constantOrder),
      low.lexicographicallyPrecedes(high) == false, low != high
    {
      report(.invalidConstraint, at: constraint.span, "the lower bound is above the upper bound")
    }
  }

  /// A field's default: a constant of the field's type (a literal, an enum case, or a list of
  /// them) that respects the field's bounds, on a field that is not optional.
  mutating func checkDefault(_ value: Expr, of field: FieldDecl, type: RType) {
    if type.isError { return }
    if type.isOptional {
      report(
        .invalidDefault, at: value.span,
        "an optional field needs no default: left out, `\(field.name.text)` is `none`",
        help: "remove `= …`, or make the field `\(TypePrinter.describe(field.type).dropLast())`")
      return
    }
    func refuseNonConstant() {
      report(
        .invalidDefault, at: value.span,
        "a default must be a constant: a literal, an enum case, or a list of them",
        help: "write the value itself; a parameter or an expression cannot be a default")
    }
    // A name is only an enum case here (definitions are not in scope for fields).
    var element = type
    if case .list(let inner) = type { element = inner }
    if case .name = value.kind, !element.isEnumerationType {
      refuseNonConstant()
      return
    }
    let found = checkExpecting(value, type, scope: [:])
    if found.isError { return }
    guard isConstantDefault(value) else {
      refuseNonConstant()
      return
    }
    guard let constraint = field.constraint else { return }
    // What the bounds apply to: the list's length, or the value itself.
    var order: [Int]?
    switch (constraint.kind, value.kind) {
    case (.length, .list(let items)): order = [items.count]
    case (.range, _): order = Self.constantOrder(value)
    default: order = nil
    }
    guard let order else { return }
    let belowLow =
      constraint.low.flatMap(Self.constantOrder).map { order.lexicographicallyPrecedes($0) }
      ?? false
    let aboveHigh =
      constraint.high.flatMap(Self.constantOrder).map { $0.lexicographicallyPrecedes(order) }
      ?? false
    if belowLow || aboveHigh {
      report(
        .invalidDefault, at: value.span,
        "the default is outside the field's bounds\(constraint.text(ExprPrinter.source))",
        help: "a default must be a value the field accepts")
    }
  }

  /// A literal (possibly negated), an enum case, or a list of them.
  func isConstantDefault(_ expr: Expr) -> Bool {
    switch expr.kind {
    case .literal, .quantity: return true
    case .unary(.negate, let inner): return isConstantDefault(inner)
    case .name, .field:
      if case .enumCase? = resolutions[expr.id] { return true }
      return false
    case .list(let items): return items.allSatisfy(isConstantDefault)
    default: return false
    }
  }

  /// A literal, possibly negated: what a bound may be (`Lowering.constantValue` reads it).
  static func isLiteralBound(_ expr: Expr) -> Bool {
    switch expr.kind {
    case .literal, .quantity: true
    case .unary(.negate, let inner): isLiteralBound(inner)
    default: false
    }
  }

  /// A sortable key for literal bounds (integers, amounts, durations, dates), when simple.
  static func constantOrder(_ expr: Expr) -> [Int]? {
    switch expr.kind {
    case .literal(.integer(let text)), .quantity(.integer(let text), .days),
      .quantity(.integer(let text), .months), .quantity(.integer(let text), .years),
      .quantity(.integer(let text), .fen):
      return Int(text.filter { $0 != "_" }).map { [$0] }
    case .quantity(.integer(let text), .yuan):
      return Int(text.filter { $0 != "_" }).map { [$0 * 100] }
    case .literal(.date(let date)): return [date.year, date.month, date.day]
    case .unary(.negate, let inner):
      return constantOrder(inner).map { $0.count == 1 ? [-$0[0]] : $0 }
    default: return nil
    }
  }
}

extension RType {
  /// True for an enum type: the only type whose defaults are written as names.
  var isEnumerationType: Bool {
    if case .enumeration = self { return true }
    return false
  }
}
