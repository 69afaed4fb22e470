// The IR: a checked program with every name resolved to an index, every operator specialised
// to its operand types, and spans kept for errors and traces. One entry pass (`Lowering`),
// passes in Passes/, a printer, and the reference interpreter read it.

/// Identifies a definition: its index in `IRProgram.definitions`.
public typealias DefinitionID = Int

/// A lowered policy.
public struct IRProgram: Sendable {
  public var name: String
  public var enums: [EnumInfo]
  public var records: [RecordInfo]
  public var input: RecordInfo?
  /// In evaluation order: each definition after the ones it reads.
  public var definitions: [IRDefinition]
  /// City jurisdictions declared by level blocks, as `PROVINCE.CITY`.
  public var cities: [String]
  public var tests: [IRTest]
  /// Declared bounds of record and input fields, keyed `Record.field`.
  public var bounds: [String: IRBounds]
  /// The jurisdiction evaluations use by default: the level of the policy's decisions.
  public var level: String = "national"
  /// The policy's own `from … until …`: evaluating outside it is an error.
  public var from: CivilDate?
  public var until: CivilDate?
  /// The documents citations refer to, by source name, in declaration order.
  public var sources: [(name: String, document: String)] = []

  /// A citation as people read it: `国办发〔2009〕66号, Art. 5(2) [unverified]`.
  public func citationText(_ citation: Citation?) -> String {
    guard let citation else { return "" }
    let document =
      citation.source.flatMap { name in sources.first { $0.name == name.text }?.document }
      ?? sources.first?.document
    let status = citation.status.map { " [\($0.text)]" } ?? ""
    return (document.map { "\($0), " } ?? "") + citation.text + status
  }

  public func enumCases(_ name: String) -> [String] { enums.first { $0.name == name }?.cases ?? [] }
  public func recordFields(_ name: String) -> [RecordInfo.Field] {
    (input?.name == name ? input : records.first { $0.name == name })?.fields ?? []
  }
  public func definitionID(_ name: String) -> DefinitionID? {
    definitions.firstIndex { $0.name == name }
  }
}

/// `in LOW to HIGH` (on the value) or `length LOW to HIGH` (on a list), both inclusive.
public struct IRBounds: Sendable {
  public var isLength: Bool
  public var low: Value
  public var high: Value
}

/// A parameter, rule or decision.
public struct IRDefinition: Sendable {
  public var name: String
  public var kind: Definition.Kind
  public var type: RType
  public var citation: Citation?
  public var span: SourceSpan
  public var variants: [IRVariant]
  /// True for `first of` and `all of` definitions, which give a reason code.
  public var hasReason: Bool
}

/// A base definition, override or exception for one jurisdiction.
public struct IRVariant: Sendable {
  public enum Kind: Sendable {
    case base, override
    case exception(condition: IRExpr, reason: String?)
  }
  public var kind: Kind
  public var jurisdiction: Jurisdiction
  public var versions: [IRVersion]
  public var citation: Citation?
  public var span: SourceSpan
}

/// A body in force from `from` through `until` (inclusive; nil is open).
public struct IRVersion: Sendable {
  public var from: CivilDate?
  public var until: CivilDate?
  public var body: IRBody
  public var citation: Citation?
}

/// How a definition's value is computed.
public enum IRBody: Sendable {
  case value(IRExpr)
  case firstOf([IRCase])
  case allOf([IRCondition])
}

/// `VALUE when CONDITION reason CODE`; a nil condition is `otherwise`.
public struct IRCase: Sendable {
  public var value: IRExpr
  public var condition: IRExpr?
  public var reason: String?
  public var citation: Citation?
  public var span: SourceSpan
}

/// `CONDITION reason CODE` in `all of`.
public struct IRCondition: Sendable {
  public var condition: IRExpr
  public var reason: String
  public var citation: Citation?
  public var span: SourceSpan
}

/// A test case with its lowered inputs.
public struct IRTest: Sendable {
  public var name: String
  public var asOf: CivilDate?
  public var jurisdiction: String?
  public var given: IRExpr?
  public var expectations:
    [(definition: DefinitionID, value: IRExpr, reason: String?, span: SourceSpan)]
  public var span: SourceSpan
}

/// An expression with its type and span.
public struct IRExpr: Sendable {
  public indirect enum Kind: Sendable {
    case constant(Value)
    /// The application, the root of the input.
    case input
    /// A local bound by `let`, an aggregate, or `some NAME`, by slot number.
    case local(Int)
    case definition(DefinitionID)
    /// A definition evaluated as of the jurisdiction named by an enum value.
    case definitionAt(DefinitionID, IRExpr)
    case reasonOf(DefinitionID)
    case field(IRExpr, index: Int, name: String)
    case index(IRExpr, IRExpr)
    case unary(UnaryOperator, IRExpr)
    case binary(BinaryOperator, IRExpr, IRExpr)
    case ifThenElse(IRExpr, IRExpr, IRExpr)
    case letIn(slot: Int, IRExpr, IRExpr)
    case match(IRExpr, [IRArm])
    case call(Builtin, [IRExpr])
    case aggregate(Aggregate.Kind, slot: Int, source: IRExpr, element: IRExpr?, filter: IRExpr?)
    case list([IRExpr])
    case record([IRExpr])
    /// A table: one value per case of the key enum.
    case table([IRExpr])
  }
  public var kind: Kind
  public var type: RType
  public var span: SourceSpan
}

/// A match arm: the case indices it covers (or `none`, `some`, `otherwise`).
public struct IRArm: Sendable {
  public enum Pattern: Sendable, Hashable {
    case cases([Int])
    case none
    /// `some NAME`: binds the present value to a slot.
    case some(slot: Int)
    case otherwise
  }
  public var pattern: Pattern
  public var value: IRExpr
}

/// A builtin function with its mode words resolved.
public enum Builtin: Sendable, Hashable {
  case round(RoundingMode)
  /// Round a Decimal to places.
  case roundToPlaces(RoundingMode, Int)
  /// Round money to a multiple given by the second argument.
  case roundToMultiple(RoundingMode)
  case addDate(MonthEndPolicy)
  case age, yearsBetween, monthsBetween, daysBetween
  case year, month, day, makeDate
  case toDays, toMonths, toYears, toFen, toYuan, toDecimal, yearsToMonths, number
  /// Int → Decimal or Money → ExactMoney where the wider type is declared (none stays none).
  case widen
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
