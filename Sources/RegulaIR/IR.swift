// The IR: a checked program with every name resolved to an index, every operator specialised
// to its operand types, and spans kept for errors and traces. One entry pass (`Lowering`),
// passes in Passes/, a printer, and the reference interpreter read it.

/// Identifies a definition: its index in `IRProgram.definitions`.
public typealias DefinitionID = Int

/// A lowered policy.
public struct IRProgram: Sendable {
  /// The policy's (or module's) name, as in decision records.
  public var name: String
  /// The enums that `RType.enumeration` names, in declaration order.
  public var enums: [EnumInfo]
  /// The records that `RType.record` names, other than the input record.
  public var records: [RecordInfo]
  /// The input record: the schema of an application. Nil for a module, which has no input.
  public var input: RecordInfo?
  /// In evaluation order: each definition after the ones it reads.
  public var definitions: [IRDefinition]
  /// City jurisdictions declared by level blocks, as `PROVINCE.CITY`.
  public var cities: [String]
  /// Every jurisdiction code the policy accepts (`CheckedProgram.jurisdictions`): `national`,
  /// the provinces, the cities.
  public var jurisdictions: [String] = ["national"]
  /// The functions whose calls were inlined, for traces: names, citations, declarations.
  public var functions: [IRFunction] = []
  /// The policy's `test` blocks, for `TestRunner`.
  public var tests: [IRTest]
  /// Declared bounds of record and input fields, keyed `Record.field`.
  public var bounds: [String: IRBounds]
  /// The jurisdiction evaluations use by default: the level of the policy's decisions.
  public var level: String = "national"
  /// The as-of date this program was specialised for (`specialised(asOf:)`): its versions
  /// are resolved, so it must be evaluated as of that date only. Nil for a general program.
  public var specialisedAsOf: CivilDate?
  /// The policy's own `from … until …`: evaluating outside it is an error.
  public var from: CivilDate?
  /// The last day of the policy's own validity (inclusive); nil when open-ended.
  public var until: CivilDate?
  /// The documents citations refer to, by source name, in declaration order, each with the
  /// file whose header declares it.
  public var sources: [(name: String, document: String, file: SourceFile.ID)] = []
  /// The labels the policy gives its names, per language (`labels zh { … }`).
  public var labels: [CheckedLabel] = []

  /// A citation as people read it: `国办发〔2009〕66号, Art. 5(2) [unverified]`.
  ///
  /// Sources belong to the file that declares them (Docs/language.md §16–17): `cite "TEXT"`
  /// cites the first source of the file the citation is written in, `cite NAME "TEXT"` that
  /// file's source `NAME` — never a source of another module of the program.
  public func citationText(_ citation: Citation?) -> String {
    guard let citation else { return "" }
    let own = sources.filter { $0.file == citation.span.file }
    let document =
      citation.source.map { name in own.first { $0.name == name.text }?.document }
      ?? own.first?.document
    let status = citation.status.map { " [\($0.text)]" } ?? ""
    return (document.map { "\($0), " } ?? "") + citation.text + status
  }

  /// The canonical code for `code`: `code` itself when the policy accepts it, the one declared
  /// `PROVINCE.CITY` whose city is `code` for a bare city code; nil for any other code.
  ///
  /// - Complexity: O(j) in the number of jurisdiction codes.
  public func jurisdiction(_ code: String) -> String? {
    Self.resolveJurisdiction(code, among: jurisdictions)
  }

  /// `jurisdiction(_:)` over a list of codes (shared with the compiled policy's table).
  public static func resolveJurisdiction(_ code: String, among codes: [String]) -> String? {
    if codes.contains(code) { return code }
    guard !code.contains(".") else { return nil }
    let cities = codes.filter { $0.hasSuffix(".\(code)") }
    return cities.count == 1 ? cities[0] : nil
  }

  /// The error for a jurisdiction code the policy does not accept, listing the valid ones.
  public static func unknownJurisdictionMessage(_ code: String, among codes: [String]) -> String {
    "unknown jurisdiction `\(code)`; this policy's jurisdictions are: "
      + codes.joined(separator: ", ")
  }

  /// The case names of the enum `name`, in declaration order; empty when there is no such enum.
  ///
  /// - Complexity: O(e) in the number of enums.
  public func enumCases(_ name: String) -> [String] { enums.first { $0.name == name }?.cases ?? [] }

  /// The cases of an enum as they are written in JSON (aliases where declared).
  public func enumOutputNames(_ name: String) -> [String] {
    guard let info = enums.first(where: { $0.name == name }) else { return [] }
    return info.outputNames.count == info.cases.count ? info.outputNames : info.cases
  }
  /// The fields of the record `name` (the input record included), in declaration order; empty
  /// when there is no such record.
  ///
  /// - Complexity: O(r) in the number of records.
  public func recordFields(_ name: String) -> [RecordInfo.Field] {
    (input?.name == name ? input : records.first { $0.name == name })?.fields ?? []
  }
  /// The ID of the definition named `name`, or nil when there is none (or it was removed as dead).
  ///
  /// - Complexity: O(d) in the number of definitions.
  public func definitionID(_ name: String) -> DefinitionID? {
    definitions.firstIndex { $0.name == name }
  }
}

/// A function of the policy (`rule NAME(p: T): TYPE = …`). Its calls are inlined, so only
/// what traces show of it is kept.
public struct IRFunction: Sendable {
  /// The function's name.
  public var name: String
  /// The parameters' names, in order.
  public var parameters: [String]
  /// The provision the function cites; nil when it cites none.
  public var citation: Citation?
  /// The declaration.
  public var span: SourceSpan
  /// A builtin written with aggregates (a scale applied to a base): its node shows its value,
  /// its citation and the elements of its outermost `sum` (each bracket's part), not the
  /// conditions, comparisons and other elements of the aggregates it is written with.
  public var isOpaque = false
}

/// `in LOW to HIGH` (on the value) or `length LOW to HIGH` (on a list), both inclusive.
public struct IRBounds: Sendable {
  /// True for `length LOW to HIGH`: the bounds apply to a list's length, not its value.
  public var isLength: Bool
  /// The smallest value (or length) accepted; nil when only an upper bound is declared.
  public var low: Value?
  /// The largest value (or length) accepted; nil when only a lower bound is declared.
  public var high: Value?
}

/// A parameter, rule or decision.
public struct IRDefinition: Sendable {
  /// The definition's name, unique in the program.
  public var name: String
  /// Whether it is a parameter, rule or decision; evaluations compute every decision.
  public var kind: Definition.Kind
  /// The type of the definition's value.
  public var type: RType
  /// The provision the definition cites, shown in traces; nil when it cites none.
  public var citation: Citation?
  /// The definition's declaration, for errors and traces.
  public var span: SourceSpan
  /// The base definition, overrides and exceptions, for every jurisdiction that has one.
  public var variants: [IRVariant]
  /// True for `first of` and `all of` definitions, which give a reason code.
  public var hasReason: Bool
  /// `places N`: a decision prints its Decimal value with exactly N places.
  public var places: Int? = nil
}

/// A base definition, override or exception for one jurisdiction.
public struct IRVariant: Sendable {
  /// How a variant takes part in choosing the definition's value at its jurisdiction.
  public enum Kind: Sendable {
    /// The definition itself, or a jurisdiction's replacement of it; used when no exception at
    /// the same jurisdiction holds.
    case base, override
    /// Used instead when `condition` holds, giving `reason` as the reason code. Two exceptions
    /// holding at once at one jurisdiction is a runtime error (a conflict), never a silent pick.
    case exception(condition: IRExpr, reason: String?)
  }
  /// Whether this is the base definition, an override or an exception.
  public var kind: Kind
  /// The jurisdiction this variant belongs to; evaluations elsewhere fall back along the chain
  /// city, province, national.
  public var jurisdiction: Jurisdiction
  /// The variant's bodies by validity period; the first in force on the as-of date is used.
  public var versions: [IRVersion]
  /// The provision the variant cites, if any.
  public var citation: Citation?
  /// The variant's declaration.
  public var span: SourceSpan
}

/// A body in force from `from` through `until` (inclusive; nil is open).
public struct IRVersion: Sendable {
  /// The first day the body is in force (inclusive); nil when open.
  public var from: CivilDate?
  /// The last day the body is in force (inclusive); nil when open.
  public var until: CivilDate?
  /// How the value is computed while this version is in force.
  public var body: IRBody
  /// The provision this version cites, if any.
  public var citation: Citation?
}

/// How a definition's value is computed.
public enum IRBody: Sendable {
  /// A single expression; the definition gives no reason code.
  case value(IRExpr)
  /// `first of`: the value of the first case whose condition holds, with that case's reason
  /// code. No case holding is a runtime error.
  case firstOf([IRCase])
  /// `all of`: true when every condition holds; otherwise false, with the reason code of the
  /// first condition that failed, which is also recorded in the outcome's failed conditions.
  case allOf([IRCondition])
}

/// `VALUE when CONDITION reason CODE`; a nil condition is `otherwise`.
public struct IRCase: Sendable {
  /// The value given when the case is taken.
  public var value: IRExpr
  /// The condition; nil for `otherwise`, which always holds.
  public var condition: IRExpr?
  /// The reason code the case gives, if it names one.
  public var reason: String?
  /// The provision the case cites, if any.
  public var citation: Citation?
  /// The case in source; test coverage records it when the case is taken.
  public var span: SourceSpan
}

/// `CONDITION reason CODE` in `all of`.
public struct IRCondition: Sendable {
  /// The Boolean condition that must hold.
  public var condition: IRExpr
  /// The reason code the definition gives when this is the first condition that fails.
  public var reason: String
  /// The provision the condition cites, if any.
  public var citation: Citation?
  /// The condition in source; test coverage records it when it is checked.
  public var span: SourceSpan
}

/// A test case with its lowered inputs.
public struct IRTest: Sendable {
  /// The test's name, as the test runner reports it.
  public var name: String
  /// The test's `as of` date; nil to use the runner's default.
  public var asOf: CivilDate?
  /// The jurisdiction the test evaluates for; nil to use the runner's default.
  public var jurisdiction: String?
  /// The application as an input-record expression, fields the test leaves out being unknown
  /// facts; nil when the policy has no input.
  public var given: IRExpr?
  /// The definitions the test checks, each with its expected value (nil: not computable),
  /// expected reason code (nil: not checked) and the span of the expectation.
  public var expectations:
    [(definition: DefinitionID, value: IRExpr?, reason: String?, span: SourceSpan)]
  /// Where failures are reported: the span of the test's `given` block.
  public var span: SourceSpan
}

/// An expression with its type and span.
public struct IRExpr: Sendable {
  /// What an expression computes; children are typed `IRExpr`s with their own spans.
  public indirect enum Kind: Sendable {
    /// A literal, or a subexpression that constant folding evaluated.
    case constant(Value)
    /// The application, the root of the input.
    case input
    /// A local bound by `let`, an aggregate, or `some NAME`, by slot number.
    case local(Int)
    /// Another definition's value in the current jurisdiction (computed once per evaluation).
    case definition(DefinitionID)
    /// A definition evaluated as of the jurisdiction named by an enum value.
    case definitionAt(DefinitionID, IRExpr)
    /// A definition evaluated as of the date the expression gives: every version it and what
    /// it reads choose, and `as_of_date()`, are that date's; nothing it computes is shared
    /// with the evaluation's own date.
    case definitionAsOf(DefinitionID, IRExpr)
    /// The reason code of a definition, as Text (empty when it gives none).
    case reasonOf(DefinitionID)
    /// Field `index` of a record; `name` builds the input paths of missing facts and of the
    /// inputs read.
    case field(IRExpr, index: Int, name: String)
    /// A table looked up by a case of its key enum.
    case index(IRExpr, IRExpr)
    /// A unary operator applied to one operand.
    case unary(UnaryOperator, IRExpr)
    /// A binary operator; the operand types (and so the operation) are fixed by the checker.
    case binary(BinaryOperator, IRExpr, IRExpr)
    /// `if condition then a else b`: only the branch taken is evaluated.
    case ifThenElse(IRExpr, IRExpr, IRExpr)
    /// Binds the first expression's value to `slot` while the second is evaluated.
    case letIn(slot: Int, IRExpr, IRExpr)
    /// The value of the first arm whose pattern matches the subject.
    case match(IRExpr, [IRArm])
    /// A builtin function applied to its arguments.
    case call(Builtin, [IRExpr])
    /// An aggregate over a list: binds each item to `slot`, keeps the items for which `filter`
    /// holds (all, when nil), maps them with `element` (the item, when nil), and combines the
    /// results by `kind`. `any` and `first` stop at the first item kept.
    case aggregate(Aggregate.Kind, slot: Int, source: IRExpr, element: IRExpr?, filter: IRExpr?)
    /// A list of the given items, in order.
    case list([IRExpr])
    /// A record of the given field values, in declaration order.
    case record([IRExpr])
    /// A table: one value per case of the key enum.
    case table([IRExpr])
    /// A call of function `function` (an index into `IRProgram.functions`), inlined: the body
    /// with each parameter bound by `letIn` to its argument. Evaluates as the body; traces show
    /// it as a node of its own.
    case inlined(function: Int, IRExpr)
  }
  /// What the expression computes.
  public var kind: Kind
  /// The expression's checked type.
  public var type: RType
  /// The source the expression was lowered from, for runtime errors.
  public var span: SourceSpan
}

/// A match arm: the case indices it covers (or `none`, `some`, `otherwise`).
public struct IRArm: Sendable {
  /// What a match arm accepts.
  public enum Pattern: Sendable, Hashable {
    /// Any of these enum cases, by index.
    case cases([Int])
    /// An absent optional.
    case none
    /// `some NAME`: binds the present value to a slot.
    case some(slot: Int)
    /// Anything.
    case otherwise
  }
  /// What the arm accepts.
  public var pattern: Pattern
  /// The arm's value when its pattern matches.
  public var value: IRExpr
}

/// A builtin function with its mode words resolved.
public enum Builtin: Sendable, Hashable {
  /// Round a Decimal or ExactMoney to a whole number (ExactMoney to whole fen; Money is
  /// unchanged).
  case round(RoundingMode)
  /// Round a Decimal to places.
  case roundToPlaces(RoundingMode, Int)
  /// Round money to a multiple given by the second argument.
  case roundToMultiple(RoundingMode)
  /// `add(date, duration, …)`: a date plus days, months or years; the policy says where a
  /// month-end overflow (31 January plus one month) lands.
  case addDate(MonthEndPolicy)
  /// Whole years (`age`, `years_between`), whole months or days from the first date to the
  /// second.
  case age, yearsBetween, monthsBetween, daysBetween
  /// A date's year, month or day, and `date(year, month, day)`.
  case year, month, day, makeDate
  /// `as_of_date()`: the date the evaluation is made as of.
  case asOfDate
  /// Stops the evaluation: a parameter read `as of` a date has no version in force on it.
  case noVersionAsOf
  /// Conversions: an Int to a duration, fen or yuan to Money (a Decimal of yuan gives
  /// ExactMoney), a number to Decimal, Years to Months, and `number` (Money or a duration as
  /// its Int count).
  case toDays, toMonths, toYears, toFen, toYuan, toDecimal, yearsToMonths, number
  /// Int → Decimal or Money → ExactMoney where the wider type is declared (none stays none).
  case widen
  /// `abs`; `min` and `max` of their arguments; `count`, `sum`, and `min_of`/`max_of`
  /// (`min`/`max` with one list argument) over a list.
  case abs, min, max, count, sum, minOf, maxOf
}

extension Builtin: CustomStringConvertible {
  /// The builtin as the IR printer shows it: `round.half_up`, `round_places.down.2`.
  public var description: String {
    switch self {
    case .round(let mode): "round.\(RoundingModeName(mode).rawValue)"
    case .roundToPlaces(let mode, let places):
      "round_places.\(RoundingModeName(mode).rawValue).\(places)"
    case .roundToMultiple(let mode): "round_multiple.\(RoundingModeName(mode).rawValue)"
    case .addDate(let policy):
      "add.\(policy == .roundDown ? "end_of_month" : "start_of_next_month")"
    case .age: "age"
    case .yearsBetween: "years_between"
    case .monthsBetween: "months_between"
    case .daysBetween: "days_between"
    case .year: "year"
    case .month: "month"
    case .day: "day"
    case .makeDate: "date"
    case .asOfDate: "as_of_date"
    case .noVersionAsOf: "no_version_as_of"
    case .toDays: "days"
    case .toMonths: "months"
    case .toYears: "years"
    case .toFen: "fen"
    case .toYuan: "yuan"
    case .toDecimal: "decimal"
    case .widen: "widen"
    case .yearsToMonths: "to_months"
    case .number: "number"
    case .abs: "abs"
    case .min: "min"
    case .max: "max"
    case .count: "count"
    case .sum: "sum"
    case .minOf: "min_of"
    case .maxOf: "max_of"
    }
  }
}

extension RoundingModeName {
  /// The word that names a rounding mode in source.
  init(_ mode: RoundingMode) {
    switch mode {
    case .halfUp: self = .halfUp
    case .halfEven: self = .halfEven
    case .down: self = .down
    case .up: self = .up
    case .floor: self = .floor
    case .ceiling: self = .ceiling
    }
  }
}
