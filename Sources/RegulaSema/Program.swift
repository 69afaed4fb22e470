// The checked program: declarations with resolved types, definitions in evaluation order,
// and side tables from expression NodeIDs to types and name resolutions.

/// An enum declaration after checking.
public struct EnumInfo: Sendable, Hashable {
  public var name: String
  public var cases: [String] {
    didSet { caseIndexes = Self.indexes(cases) }
  }
  public var citation: Citation?
  public var span: SourceSpan
  /// Each case's name in JSON (its alias, or the case name), parallel to `cases`.
  public var outputNames: [String] = []
  /// The days each case is in force, parallel to `cases`, nil for a case without dates; empty
  /// when no case has dates. An application may give a case only on its days.
  public var caseValidities: [Validity?] = []
  /// Each case's position, so that looking a case up is O(1): a table or a `match` over an
  /// enum of 100,000 cases checks in linear time.
  public private(set) var caseIndexes: [String: Int]

  public init(
    name: String, cases: [String], citation: Citation?, span: SourceSpan,
    outputNames: [String] = []
  ) {
    self.name = name
    self.cases = cases
    self.citation = citation
    self.span = span
    self.outputNames = outputNames
    caseIndexes = Self.indexes(cases)
  }

  static func indexes(_ cases: [String]) -> [String: Int] {
    var indexes: [String: Int] = [:]
    indexes.reserveCapacity(cases.count)
    for (index, name) in cases.enumerated() where indexes[name] == nil { indexes[name] = index }
    return indexes
  }

  /// True when the enum has a case `name`.
  public func hasCase(_ name: String) -> Bool { caseIndexes[name] != nil }

  /// The position of case `name`, or nil.
  public func index(ofCase name: String) -> Int? { caseIndexes[name] }
}

/// A record (or the input block) after checking.
public struct RecordInfo: Sendable, Hashable {
  public struct Field: Sendable, Hashable {
    public var name: String
    public var type: RType
    public var constraint: Constraint?
    public var citation: Citation?
    public var span: SourceSpan
    /// Marked `personal`: masked in decision-log exports unless the reader may see it.
    public var isPersonal = false
    /// `= VALUE`: the value of the field when an application leaves it out or gives `null`
    /// (a literal, an enum case or a list of them); nil when the field has none.
    public var defaultValue: Expr? = nil
    /// True when the application may leave the field out: it is optional or has a default.
    public var mayBeAbsent: Bool { type.isOptional || defaultValue != nil }
  }
  public var name: String
  public var fields: [Field]
  public var citation: Citation?
  public var span: SourceSpan

  /// The field with a given name.
  public func field(_ name: String) -> Field? { fields.first { $0.name == name } }
}

/// Where a definition applies: a jurisdiction code at a depth (0 national, 1 province, 2 city).
public struct Jurisdiction: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var code: String
  public var depth: Int
  public static let national = Jurisdiction(code: "national", depth: 0)

  public init(code: String, depth: Int) {
    self.code = code
    self.depth = depth
  }

  public init(_ level: LevelSpec) { self.init(code: level.code, depth: level.depth) }

  public var description: String { code }
  public static func < (a: Jurisdiction, b: Jurisdiction) -> Bool {
    (a.depth, a.code) < (b.depth, b.code)
  }
}

/// One way a definition may be computed: the base definition, an override, or an exception.
public struct Variant: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    case base
    case override
    /// `exception to NAME = value when condition`.
    case exception(value: Expr, condition: Expr, reason: Identifier?)
  }
  public var kind: Kind
  public var jurisdiction: Jurisdiction
  /// The body; for an exception, an expression body holding the value.
  public var body: Body
  public var citation: Citation?
  public var span: SourceSpan
  /// For an exception: the days it is in force (`from … until …`); nil when always.
  public var validity: Validity? = nil
}

/// A parameter, rule or decision after checking.
public struct CheckedDefinition: Sendable, Hashable {
  public var kind: Definition.Kind
  public var name: String
  public var type: RType
  public var citation: Citation?
  public var span: SourceSpan
  /// The base variant first, then overrides and exceptions in source order.
  public var variants: [Variant]
  /// Names of the definitions this one reads, sorted.
  public var dependencies: [String]
  /// `places N`: the value has at most N decimal places, and a decision prints with exactly
  /// N; nil when not declared.
  public var places: Int? = nil

  /// True for `first of` and `all of` rules, which carry a reason code.
  public var hasReason: Bool {
    func bodyHasReason(_ body: Body) -> Bool {
      switch body.kind {
      case .firstOf, .allOf: true
      case .expression, .brackets: false
      case .versions(let versions): versions.contains { bodyHasReason($0.body) }
      }
    }
    return variants.contains { variant in
      if case .exception(_, _, let reason) = variant.kind, reason != nil { return true }
      return bodyHasReason(variant.body)
    }
  }
}

/// A function over values after checking: `rule NAME(p: T, …): TYPE = BODY`. Calls are
/// inlined when the program is lowered; the body reads its parameters as locals.
public struct CheckedFunction: Sendable, Hashable {
  public var name: String
  /// The parameters in order, with their types.
  public var parameters: [Parameter]
  /// The declared type of the result.
  public var type: RType
  public var citation: Citation?
  /// The declaration.
  public var span: SourceSpan
  /// The body, checked with the parameters in scope.
  public var body: Expr
  /// Names of the definitions and functions the body reads, sorted.
  public var dependencies: [String]

  /// One parameter: its name and type.
  public struct Parameter: Sendable, Hashable {
    public var name: String
    public var type: RType
  }

  init(
    name: String, parameters: [(name: String, type: RType)], type: RType, citation: Citation?,
    span: SourceSpan, body: Expr, dependencies: [String]
  ) {
    self.name = name
    self.parameters = parameters.map { Parameter(name: $0.name, type: $0.type) }
    self.type = type
    self.citation = citation
    self.span = span
    self.body = body
    self.dependencies = dependencies
  }
}

/// What a name in an expression refers to.
public enum Resolution: Sendable, Hashable {
  case definition(String)
  case input(String)
  case local(String)
  case enumCase(enumName: String, caseName: String)
  case enumType(String)
  /// `NAME as of DATE` (on the `as of` expression) where NAME is evaluated on DATE as a whole,
  /// everything it reads on that date too; absent for a parameter of constant versions, read
  /// by choosing its version.
  case evaluatedAsOf
}

/// A checked policy: everything later stages need, with no unresolved names.
/// A label a policy gives one of its names in one language (`labels zh { … }`), with its
/// key resolved to what traces show.
public struct CheckedLabel: Sendable, Hashable {
  /// What a label names.
  public enum Kind: String, Sendable, CaseIterable {
    case definition, reason, enumCase = "enum_case", field, source, citation
  }
  /// The language code (`zh`, `en`).
  public var language: String
  public var kind: Kind
  /// The name (`eligible`), reason code, `Enum.Case` (its JSON name), `Record.field`, the
  /// source's document title, or the citation as traces show it without its status
  /// (`Document, Art. 9`).
  public var key: String
  public var text: String

  /// Creates a label.
  public init(language: String, kind: Kind, key: String, text: String) {
    (self.language, self.kind, self.key, self.text) = (language, kind, key, text)
  }
}

public struct CheckedProgram: Sendable {
  /// The labels of every file, in declaration order.
  public var labels: [CheckedLabel] = []
  public var header: Header
  public var sources: [SourceDecl]
  public var enums: [EnumInfo]
  public var records: [RecordInfo]
  /// The application schema; nil for a module.
  public var input: RecordInfo?
  /// Definitions in an order where each comes after everything it depends on.
  public var definitions: [CheckedDefinition]
  /// The functions (`rule NAME(p: T): …`), in dependency order; their calls are inlined.
  public var functions: [CheckedFunction] = []
  public var tests: [TestDecl]
  /// The type of every expression node.
  public var types: [NodeID: RType]
  /// What every name node refers to.
  public var resolutions: [NodeID: Resolution]
  /// Expressions whose Int or Money value is used where a Decimal or ExactMoney is declared.
  public var widenings: [NodeID: RType] = [:]
  /// Every jurisdiction code the policy accepts: `national`, the provinces (the cases of the
  /// `jurisdictions` enum, or the provinces of level blocks), then the cities.
  public var jurisdictions: [String] = ["national"]
  /// The header of the policy the program decides with: the root's when it is a policy, else
  /// (a test module importing a policy) the imported policy's — its level and its `from …
  /// until …` apply to the tests too.
  public var policyHeader: Header?

  /// The definition with a given name.
  public func definition(_ name: String) -> CheckedDefinition? {
    definitions.first { $0.name == name }
  }

  /// The function with a given name.
  public func function(_ name: String) -> CheckedFunction? {
    functions.first { $0.name == name }
  }
}
