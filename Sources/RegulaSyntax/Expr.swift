// Expressions: the part of the tree the type checker annotates, keyed by NodeID.

/// An expression with its identity and span.
public struct Expr: Sendable, Hashable {
  public indirect enum Kind: Sendable, Hashable {
    case literal(Literal)
    /// A name: a definition, a local, an input block, a builtin, or a bare enum case.
    case name(String)
    case field(Expr, Identifier)
    /// `table[key]`.
    case index(Expr, Expr)
    /// `NAME at JURISDICTION`: a definition evaluated as of another jurisdiction.
    case at(Expr, Expr)
    /// `NAME as of DATE`: a parameter's value in force on another date.
    case asOf(Expr, Expr)
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    case ifThenElse(Expr, Expr, Expr)
    case letIn(Identifier, Expr, Expr)
    case match(Expr, [MatchArm])
    /// A builtin call such as `round(x, half_up)` or `age(birth, on)`.
    case call(Identifier, [Expr])
    /// `count(x in L where c)`, `sum(e for x in L where c)`, …
    case aggregate(Aggregate)
    case list([Expr])
    /// `{ key: value … }`: a record or a table, typed by context.
    case braces([Entry])
    /// `reason of NAME`: the reason code of a conditional rule.
    case reasonOf(Identifier)
    /// `12 months`, `1510 yuan`: a literal with a unit.
    case quantity(Literal, Unit)
    /// Stands for an expression that failed to parse; never reaches later stages.
    case error
  }

  public var id: NodeID
  public var kind: Kind
  public var span: SourceSpan

  public init(id: NodeID, kind: Kind, span: SourceSpan) {
    (self.id, self.kind, self.span) = (id, kind, span)
  }
}

/// A literal as written.
public enum Literal: Sendable, Hashable {
  case integer(String)
  case decimal(String)
  case percent(String)
  case text(String)
  case date(DateLiteral)
  case bool(Bool)
  case none
}

/// Units that follow a number literal.
public enum Unit: String, Sendable, Hashable, CaseIterable {
  case days, months, years, fen, yuan

  /// The unit for a written word, singular or plural.
  public init?(word: String) {
    switch word {
    case "day", "days": self = .days
    case "month", "months": self = .months
    case "year", "years": self = .years
    case "fen": self = .fen
    case "yuan": self = .yuan
    default: return nil
    }
  }

  /// How the unit is written after a given literal (`1 month`, `2 months`).
  public func word(after literal: String) -> String {
    let isOne = literal == "1"
    switch self {
    case .days: return isOne ? "day" : "days"
    case .months: return isOne ? "month" : "months"
    case .years: return isOne ? "year" : "years"
    case .fen, .yuan: return rawValue
    }
  }
}

/// Prefix operators.
public enum UnaryOperator: String, Sendable, Hashable {
  case negate = "-"
  case not = "not"
}

/// Infix operators, loosest first in `precedence`.
public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
  case coalesce = "??"
  case or, and
  case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">"
  case greaterEqual = ">=", `in`
  case add = "+", subtract = "-", multiply = "*", divide = "/"

  /// Binding strength: higher binds tighter.
  public var precedence: Int {
    switch self {
    case .coalesce: 1
    case .or: 2
    case .and: 3
    case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .in: 5
    case .add, .subtract: 6
    case .multiply, .divide: 7
    }
  }

  /// Comparisons do not chain: `a < b < c` is a syntax error.
  public var isComparison: Bool { precedence == 5 }
}

/// The precedence of `not`: looser than comparisons, tighter than `and`.
public let notPrecedence = 4

/// One `PATTERN, PATTERN: VALUE` arm of a `match`.
public struct MatchArm: Sendable, Hashable {
  public var patterns: [Pattern]
  public var value: Expr
  public var span: SourceSpan
}

/// A match pattern: an enum case, `none`, `some NAME`, or `otherwise`.
public struct Pattern: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    case enumCase(String)
    case none
    case some(Identifier)
    case otherwise
  }
  public var kind: Kind
  public var span: SourceSpan
}

/// `key: value` inside braces; `otherwise: value` gives a table's default.
public struct Entry: Sendable, Hashable {
  /// nil for `otherwise`.
  public var key: Identifier?
  public var value: Expr
  public var span: SourceSpan

  public init(key: Identifier?, value: Expr, span: SourceSpan) {
    (self.key, self.value, self.span) = (key, value, span)
  }
}

/// An aggregate over a list.
public struct Aggregate: Sendable, Hashable {
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    case count, sum, min, max, any, all, filter, first, last
    /// `map(e for m in L [where c])`: the list of `e` for each element, in order.
    case map
  }
  public var kind: Kind
  /// The mapped element (`sum(e for x in L)`); nil when the binder itself is aggregated.
  public var element: Expr?
  public var binder: Identifier
  public var source: Expr
  public var filter: Expr?
}
