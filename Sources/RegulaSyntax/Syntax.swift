// The syntax tree. Every node has a span; expressions also have a NodeID for side tables.

/// Identifies an expression node within one parse, for side tables (types, debug info).
public struct NodeID: Hashable, Sendable, Comparable {
  public var raw: Int32
  public init(_ raw: Int32) { self.raw = raw }
  public static func < (a: NodeID, b: NodeID) -> Bool { a.raw < b.raw }
}

/// A name as written, with its span.
public struct Identifier: Hashable, Sendable {
  public var text: String
  public var span: SourceSpan
  public init(_ text: String, span: SourceSpan) {
    self.text = text
    self.span = span
  }
}

/// A checked `YYYY-MM-DD` literal. Full date arithmetic lives in RegulaNumerics.
public struct DateLiteral: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var year: Int
  public var month: Int
  public var day: Int

  /// Parses `YYYY-MM-DD`; nil unless the day exists in that month of a year 1…9999.
  public init?(_ text: String) {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
      (1...9999).contains(year), (1...12).contains(month),
      (1...DateLiteral.daysIn(month: month, year: year)).contains(day)
    else { return nil }
    (self.year, self.month, self.day) = (year, month, day)
  }

  /// The number of days in a month of the proleptic Gregorian calendar.
  public static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  public var description: String {
    func pad(_ value: Int, _ width: Int) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
  }

  /// The day after, or nil after 9999-12-31.
  public var dayAfter: DateLiteral? {
    var next = self
    if day < DateLiteral.daysIn(month: month, year: year) {
      next.day += 1
    } else if month < 12 {
      (next.month, next.day) = (month + 1, 1)
    } else if year < 9999 {
      (next.year, next.month, next.day) = (year + 1, 1, 1)
    } else {
      return nil
    }
    return next
  }

  /// The day before, or nil before 0001-01-01.
  public var dayBefore: DateLiteral? {
    var previous = self
    if day > 1 {
      previous.day -= 1
    } else if month > 1 {
      (previous.month, previous.day) = (
        month - 1, DateLiteral.daysIn(month: month - 1, year: year)
      )
    } else if year > 1 {
      (previous.year, previous.month, previous.day) = (year - 1, 12, 31)
    } else {
      return nil
    }
    return previous
  }

  public static func < (a: DateLiteral, b: DateLiteral) -> Bool {
    (a.year, a.month, a.day) < (b.year, b.month, b.day)
  }
}

/// A whole source file: header, imports, declarations, and the comments for the formatter.
public struct FileSyntax: Sendable, Hashable {
  public var header: Header
  public var imports: [Import]
  public var declarations: [Declaration]
  public var comments: [SourceComment]
  public var span: SourceSpan
}

/// `policy NAME "title" level … source … from … until …` or `module NAME`.
public struct Header: Sendable, Hashable {
  public enum Kind: String, Sendable, Hashable { case policy, module }
  public var kind: Kind
  public var name: Identifier
  public var title: String?
  public var level: LevelSpec?
  public var sources: [SourceDecl]
  public var validity: Validity?
  /// `jurisdictions ENUM [cities P.C, …]`: the codes decisions may be asked for.
  public var jurisdictions: JurisdictionsDecl?
  public var span: SourceSpan
}

/// `jurisdictions Province cities SH.PD, GD.SZ`: the jurisdiction codes a policy accepts —
/// `national`, every case of the enum (the provinces), and the cities listed (Docs/language.md
/// §12.1). Cities of the policy's level blocks are accepted without being listed.
public struct JurisdictionsDecl: Sendable, Hashable {
  /// The enum whose case names are the province codes.
  public var enumeration: Identifier
  /// The cities, each a `LevelSpec` of kind `.city`.
  public var cities: [LevelSpec]
  public var span: SourceSpan

  public init(enumeration: Identifier, cities: [LevelSpec], span: SourceSpan) {
    self.enumeration = enumeration
    self.cities = cities
    self.span = span
  }
}

/// `source NAME "document" [version "…"]`: a document that citations refer to.
public struct SourceDecl: Sendable, Hashable {
  public var name: Identifier
  public var document: String
  public var version: String?
  public var span: SourceSpan
}

/// `from DATE [until DATE]`; `until` is the last day in force (inclusive).
public struct Validity: Sendable, Hashable {
  public var from: DateLiteral
  public var until: DateLiteral?
  public var span: SourceSpan

  public init(from: DateLiteral, until: DateLiteral?, span: SourceSpan) {
    (self.from, self.until, self.span) = (from, until, span)
  }
}

/// `level national`, `level province SH`, `level city GD.SZ`.
public struct LevelSpec: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    case national
    case province(Identifier)
    case city(province: Identifier, city: Identifier)
  }
  public var kind: Kind
  public var span: SourceSpan

  /// The jurisdiction code this level names (`national`, `SH`, `GD.SZ`).
  public var code: String {
    switch kind {
    case .national: "national"
    case .province(let code): code.text
    case .city(let province, let city): "\(province.text).\(city.text)"
    }
  }

  /// 0 for national, 1 for a province, 2 for a city: higher is more specific.
  public var depth: Int {
    switch kind {
    case .national: 0
    case .province: 1
    case .city: 2
    }
  }
}

/// `import "path.regula" (Name, Name)`.
public struct Import: Sendable, Hashable {
  public var path: String
  public var names: [Identifier]?
  public var span: SourceSpan
}

/// `cite [SOURCE] "article" [unverified|convention|summary|verified]`.
public struct Citation: Sendable, Hashable {
  public var source: Identifier?
  public var text: String
  public var status: Identifier?
  public var span: SourceSpan
}

/// A top-level or level-block declaration.
public struct Declaration: Sendable, Hashable {
  public indirect enum Kind: Sendable, Hashable {
    case enumeration(EnumDecl)
    case record(RecordDecl)
    case input(InputDecl)
    case definition(Definition)
    case levelBlock(LevelBlock)
    case override(Override)
    case exception(ExceptionDecl)
    case test(TestDecl)
    case labels(LabelsDecl)
  }
  public var kind: Kind
  public var span: SourceSpan
}

/// `enum NAME { case, case }`.
public struct EnumDecl: Sendable, Hashable {
  public var name: Identifier
  public var cases: [Identifier]
  public var citation: Citation?
  /// Per case, the name it has in JSON when it differs from the case name
  /// (`no_status as "none"`, `R5_1_hukou as "R5.1_hukou"`); nil otherwise.
  public var outputNames: [String?] = []
  /// Per case, the days it is in force when it has dates (`edge from 2021-01-01`); nil for a
  /// case in force whenever its policy is. Empty when no case has dates.
  public var caseValidities: [Validity?] = []

  /// Each case as written: `name`, `name as "json name"`, then `from D until D` if dated.
  public var writtenCases: [String] {
    cases.indices.map { index in
      let alias = index < outputNames.count ? outputNames[index] : nil
      let validity = index < caseValidities.count ? caseValidities[index] : nil
      return cases[index].text + (alias.map { " as \(RegulaText.quote($0))" } ?? "")
        + (validity.map { " from \($0.from)" + ($0.until.map { " until \($0)" } ?? "") } ?? "")
    }
  }
}

/// `record NAME { field: Type … }`.
public struct RecordDecl: Sendable, Hashable {
  public var name: Identifier
  public var fields: [FieldDecl]
  public var citation: Citation?
}

/// `input NAME { field: Type … }`: the application schema.
public struct InputDecl: Sendable, Hashable {
  public var name: Identifier
  public var fields: [FieldDecl]
}

/// `name: Type [in LOW to HIGH | length LOW to HIGH] [= DEFAULT] [cite …]`.
public struct FieldDecl: Sendable, Hashable {
  public var name: Identifier
  public var type: TypeSyntax
  public var constraint: Constraint?
  public var citation: Citation?
  public var span: SourceSpan
  /// `personal name: Text`: the value identifies a person (masked in decision-log exports).
  public var isPersonal = false
  /// `children: List<Person> = []`: the value when the application leaves the field out (or
  /// gives `null`); nil when the field has none.
  public var defaultValue: Expr? = nil
}

/// A range on a field's value or on a list's length; both bounds inclusive.
public struct Constraint: Sendable, Hashable {
  /// The raw value is the keyword that introduces the constraint.
  public enum Kind: String, Sendable, Hashable {
    case range = "in"
    case length
  }
  public var kind: Kind
  /// The least value (or length) accepted; nil for `at most HIGH`.
  public var low: Expr?
  /// The greatest value (or length) accepted; nil for `at least LOW`.
  public var high: Expr?
  public var span: SourceSpan

  public init(kind: Kind, low: Expr?, high: Expr?, span: SourceSpan) {
    self.kind = kind
    self.low = low
    self.high = high
    self.span = span
  }

  /// The constraint as written, with a leading space: ` in LOW to HIGH`, ` at least LOW`,
  /// ` length at most HIGH`…, its bounds printed by `print`.
  public func text(_ print: (Expr) -> String) -> String {
    let head = kind == .length ? " length" : ""
    switch (low, high) {
    case (let low?, let high?): return " \(kind.rawValue) \(print(low)) to \(print(high))"
    case (let low?, nil): return head + " at least \(print(low))"
    case (nil, let high?): return head + " at most \(print(high))"
    case (nil, nil): return ""
    }
  }
}

/// A type as written: `Money`, `List<Member>`, `Province?`, `Money by Province`.
public struct TypeSyntax: Sendable, Hashable {
  public indirect enum Kind: Sendable, Hashable {
    case named(Identifier)
    case list(TypeSyntax)
    case optional(TypeSyntax)
    case table(value: TypeSyntax, key: Identifier)
  }
  public var kind: Kind
  public var span: SourceSpan
}

/// `parameter`, `rule` or `decision`: a named, typed definition.
public struct Definition: Sendable, Hashable {
  public enum Kind: String, Sendable, Hashable { case parameter, rule, decision }
  public var kind: Kind
  public var name: Identifier
  /// `rule NAME(p: T, …)`: the parameters of a function over values (an element of a list, a
  /// date); nil for a definition, which has none.
  public var parameters: [FunctionParameter]? = nil
  public var type: TypeSyntax?
  /// `: Decimal places 2`: the value has at most this many decimal places (the checker proves
  /// it), and a decision prints with exactly this many; nil when not declared.
  public var places: Places? = nil
  public var citation: Citation?
  public var body: Body

  public init(
    kind: Kind, name: Identifier, parameters: [FunctionParameter]? = nil, type: TypeSyntax?,
    citation: Citation?, body: Body
  ) {
    (self.kind, self.name, self.parameters, self.type) = (kind, name, parameters, type)
    (self.citation, self.body) = (citation, body)
  }

  /// `(m: Member, on: Date)` as written, or empty for a definition without parameters.
  public var parameterText: String {
    parameters.map(Self.parameterText) ?? ""
  }

  /// `(m: Member, on: Date)`: parameters as written.
  public static func parameterText(_ parameters: [FunctionParameter]) -> String {
    "("
      + parameters.map { "\($0.name.text): \(TypePrinter.describe($0.type))" }
      .joined(separator: ", ") + ")"
  }
}

/// `places N` after a definition's type.
public struct Places: Sendable, Hashable {
  /// The count as written: digits, checked by the checker (R0321).
  public var count: String
  public var span: SourceSpan
}

/// `NAME: Type`: one parameter of a function.
public struct FunctionParameter: Sendable, Hashable {
  public var name: Identifier
  public var type: TypeSyntax
  public var span: SourceSpan

  public init(name: Identifier, type: TypeSyntax, span: SourceSpan) {
    (self.name, self.type, self.span) = (name, type, span)
  }
}

/// What a definition's value is.
public struct Body: Sendable, Hashable {
  public indirect enum Kind: Sendable, Hashable {
    case expression(Expr)
    case firstOf([Case])
    case allOf([Condition])
    case versions([Version])
    /// `bracket { threshold: 0, rate: 0.03 from 2013-01-01, 0.04 from 2015-01-01 } …`: a
    /// scale, one bracket per entry, each field with its own dated values (Docs/language.md
    /// §13.1). The checker turns it into versions.
    case brackets([Bracket])
  }
  public var kind: Kind
  public var span: SourceSpan

  public init(kind: Kind, span: SourceSpan) {
    self.kind = kind
    self.span = span
  }
}

/// One bracket of a scale: its fields, each with its values over time.
public struct Bracket: Sendable, Hashable {
  public var fields: [BracketField]
  public var span: SourceSpan
}

/// `NAME: VALUE [from DATE [until DATE]], VALUE from DATE …`: one field of a bracket.
public struct BracketField: Sendable, Hashable {
  public var name: Identifier
  public var values: [DatedValue]
  public var span: SourceSpan
}

/// A value of a bracket's field and the days it holds: from `validity.from` until its
/// `until`, else until the day before the next value's `from`, else on. Without dates (only
/// as the first value), from the beginning.
public struct DatedValue: Sendable, Hashable {
  public var value: Expr
  public var validity: Validity?
  public var span: SourceSpan
}

/// `from DATE [until DATE] BODY [cite …]`: one version of a definition.
public struct Version: Sendable, Hashable {
  public var validity: Validity
  public var body: Body
  public var citation: Citation?

  public init(validity: Validity, body: Body, citation: Citation?) {
    (self.validity, self.body, self.citation) = (validity, body, citation)
  }
}

/// `VALUE when CONDITION reason CODE` or `VALUE otherwise reason CODE` in `first of`.
public struct Case: Sendable, Hashable {
  public var value: Expr
  /// The condition after `when` (after its binding, if any); nil for the `otherwise` case, and
  /// for a case whose condition is its binding alone.
  public var condition: Expr?
  public var reason: Identifier?
  public var citation: Citation?
  public var span: SourceSpan
  /// `when some NAME = EXPR [and …]`: the case applies only when EXPR is present, with NAME its
  /// value in the rest of the condition and in the case's value.
  public var binding: CaseBinding? = nil

  /// True for the `otherwise` case.
  public var isOtherwise: Bool { condition == nil && binding == nil }

  /// The condition as written after `when`: `some NAME = EXPR and CONDITION`. `bound` prints
  /// EXPR, which must keep parentheses around a top-level `and`, `or`, `??`, `if` or `let`
  /// (`ExprPrinter.source(_:context:)` with `BinaryOperator.and.precedence + 1`).
  public func writtenCondition(_ print: (Expr) -> String, bound: ((Expr) -> String)? = nil)
    -> String?
  {
    guard let binding else { return condition.map(print) }
    let value = bound.map { $0(binding.value) } ?? print(binding.value)
    let head = "some \(binding.name.text) = \(value)"
    return condition.map { head + " and " + print($0) } ?? head
  }
}

/// `some NAME = EXPR` at the head of a `first of` case's condition.
public struct CaseBinding: Sendable, Hashable {
  public var name: Identifier
  /// An optional value: the case applies only when it is present.
  public var value: Expr
  /// From `some` to the end of the condition.
  public var span: SourceSpan
}

/// `CONDITION reason CODE` in `all of`.
public struct Condition: Sendable, Hashable {
  public var condition: Expr
  public var reason: Identifier
  public var citation: Citation?
  public var span: SourceSpan
}

/// `level province SH { … }`: definitions for a jurisdiction.
public struct LevelBlock: Sendable, Hashable {
  public var level: LevelSpec
  public var declarations: [Declaration]
}

/// `override NAME BODY [cite …]`: replaces a higher level's definition in this jurisdiction.
public struct Override: Sendable, Hashable {
  public var name: Identifier
  public var body: Body
  public var citation: Citation?
}

/// `exception to NAME = VALUE when CONDITION [reason CODE] [from DATE [until DATE]] [cite …]`.
public struct ExceptionDecl: Sendable, Hashable {
  public var target: Identifier
  public var value: Expr
  public var condition: Expr
  public var reason: Identifier?
  public var citation: Citation?
  /// `from DATE [until DATE]`: the days the exception is in force (it holds on no other day);
  /// nil when it is always in force.
  public var validity: Validity? = nil
}

/// `test "name" { as of DATE  at CODE  given { … }  expect NAME = VALUE [reason CODE] … }`.
public struct TestDecl: Sendable, Hashable {
  public var name: String
  public var asOf: DateLiteral?
  public var jurisdiction: Identifier?
  public var given: Expr
  public var expectations: [Expectation]
}

/// `labels LANG { KEY "text" … }`: the names a policy gives its definitions, reason codes, enum
/// cases, fields, sources and citations in one language, for explanations.
public struct LabelsDecl: Sendable, Hashable {
  /// The language code (`zh`, `en`).
  public var language: Identifier
  public var entries: [LabelEntry]
}

/// One `KEY "text"` of a `labels` block.
public struct LabelEntry: Sendable, Hashable {
  /// What a label names.
  public enum Key: Sendable, Hashable {
    /// A parameter, rule or decision.
    case definition(Identifier)
    /// `reason CODE`.
    case reason(Identifier)
    /// `Enum.Case` or `Record.field` (the input's name for its fields).
    case member(Identifier, Identifier)
    /// `source NAME`.
    case source(Identifier)
    /// `cite SOURCE "ARTICLE"`.
    case citation(Identifier, String)
  }
  public var key: Key
  public var text: String
  public var span: SourceSpan

  /// The key as written.
  public var writtenKey: String {
    switch key {
    case .definition(let name): name.text
    case .reason(let code): "reason \(code.text)"
    case .member(let owner, let member): "\(owner.text).\(member.text)"
    case .source(let name): "source \(name.text)"
    case .citation(let source, let article): "cite \(source.text) \(RegulaText.quote(article))"
    }
  }
}

/// `expect NAME = VALUE [reason CODE]`.
public struct Expectation: Sendable, Hashable {
  public var name: Identifier
  /// The value expected; nil for `expect NAME not computable`.
  public var value: Expr?
  public var reason: Identifier?
  public var span: SourceSpan
}
