// The catalogue of diagnostic codes. Sorted by code; a code never changes meaning,
// because services and audit logs key on it. Docs/diagnostics.md lists every case (tested).

/// A stable diagnostic code such as `R0201`.
public enum DiagnosticCode: String, CaseIterable, Sendable, Codable, Comparable {
  // Lexical (R00xx)
  case unexpectedCharacter = "R0001"
  case unterminatedString = "R0002"
  case invalidEscape = "R0003"
  case invalidNumber = "R0004"
  case invalidDate = "R0005"
  case invalidUTF8 = "R0006"
  case sourceTooLarge = "R0007"

  // Syntax (R01xx)
  case expectedToken = "R0101"
  case expectedExpression = "R0102"
  case expectedDeclaration = "R0103"
  case expectedType = "R0104"
  case missingPolicyHeader = "R0105"
  case nestingTooDeep = "R0106"
  case misplacedDeclaration = "R0107"
  case expressionTooTall = "R0108"

  // Names (R02xx)
  case undefinedName = "R0201"
  case duplicateDefinition = "R0202"
  case undefinedType = "R0203"
  case undefinedField = "R0204"
  case undefinedEnumCase = "R0205"
  case importNotFound = "R0206"
  case importedNameNotFound = "R0207"
  case importCycle = "R0208"
  case dependencyCycle = "R0209"
  case notAConditionalRule = "R0210"
  case overrideOfUndefined = "R0211"
  case undefinedSource = "R0212"
  case duplicateField = "R0213"
  case reservedReasonCode = "R0214"
  case unknownLabel = "R0215"
  case duplicateLabel = "R0216"
  case functionNotCalled = "R0217"

  // Types (R03xx)
  case typeMismatch = "R0301"
  case invalidOperands = "R0302"
  case mixedDurations = "R0303"
  case nonExhaustiveMatch = "R0304"
  case unreachableMatchArm = "R0305"
  case unhandledOptional = "R0306"
  case wrongArguments = "R0307"
  case unroundedMoney = "R0308"
  case notAList = "R0309"
  case cannotInferEnumCase = "R0310"
  case incompleteTable = "R0311"
  case missingField = "R0312"
  case notARecord = "R0313"
  case invalidConstraint = "R0314"
  case notComparable = "R0315"
  case jurisdictionNotEnum = "R0316"
  case tooManyCases = "R0317"
  case invalidFunction = "R0318"
  case invalidDefault = "R0319"

  // Jurisdictions and validity (R04xx)
  case overlappingValidity = "R0401"
  case validityGap = "R0402"
  case emptyValidity = "R0403"
  case conflictingDefinitions = "R0404"
  case exceptionToNonRule = "R0405"
  case invalidLevel = "R0406"
  case undeclaredJurisdiction = "R0407"

  // Tests (R05xx)
  case undefinedDecision = "R0501"
  case invalidTestInput = "R0502"

  // Compilation (R06xx): the policy checks, but its bytecode would break a limit
  case cannotCompile = "R0601"
  case evaluationTooDeep = "R0602"

  /// The severity a diagnostic with this code has.
  public var severity: Severity { .error }

  /// A short title used by the catalogue and `--format json`.
  public var title: String {
    switch self {
    case .unexpectedCharacter: "unexpected character"
    case .unterminatedString: "unterminated string"
    case .invalidEscape: "invalid escape sequence"
    case .invalidNumber: "invalid number literal"
    case .invalidDate: "invalid date literal"
    case .invalidUTF8: "invalid UTF-8"
    case .sourceTooLarge: "source file too large"
    case .expectedToken: "expected token"
    case .expectedExpression: "expected expression"
    case .expectedDeclaration: "expected declaration"
    case .expectedType: "expected type"
    case .missingPolicyHeader: "missing policy header"
    case .nestingTooDeep: "nesting too deep"
    case .expressionTooTall: "expression too tall"
    case .misplacedDeclaration: "misplaced declaration"
    case .undefinedName: "undefined name"
    case .duplicateDefinition: "duplicate definition"
    case .undefinedType: "undefined type"
    case .undefinedField: "undefined field"
    case .undefinedEnumCase: "undefined enum case"
    case .importNotFound: "import not found"
    case .importedNameNotFound: "imported name not found"
    case .importCycle: "import cycle"
    case .dependencyCycle: "dependency cycle"
    case .notAConditionalRule: "not a conditional rule"
    case .overrideOfUndefined: "override of undefined definition"
    case .undefinedSource: "undefined source"
    case .duplicateField: "duplicate field"
    case .reservedReasonCode: "reserved reason code"
    case .unknownLabel: "unknown label"
    case .duplicateLabel: "duplicate label"
    case .functionNotCalled: "function not called"
    case .typeMismatch: "type mismatch"
    case .invalidOperands: "invalid operands"
    case .mixedDurations: "mixed duration units"
    case .nonExhaustiveMatch: "non-exhaustive match"
    case .unreachableMatchArm: "unreachable match arm"
    case .unhandledOptional: "unhandled optional"
    case .wrongArguments: "wrong arguments"
    case .unroundedMoney: "unrounded money"
    case .notAList: "not a list"
    case .cannotInferEnumCase: "cannot infer enum case"
    case .incompleteTable: "incomplete table"
    case .missingField: "missing field"
    case .notARecord: "not a record"
    case .invalidConstraint: "invalid constraint"
    case .notComparable: "not comparable"
    case .jurisdictionNotEnum: "jurisdiction is not an enum value"
    case .tooManyCases: "too many cases"
    case .invalidFunction: "invalid function"
    case .invalidDefault: "invalid default"
    case .overlappingValidity: "overlapping validity"
    case .validityGap: "validity gap"
    case .emptyValidity: "empty validity range"
    case .conflictingDefinitions: "conflicting definitions"
    case .exceptionToNonRule: "exception to a non-rule"
    case .invalidLevel: "invalid level"
    case .undeclaredJurisdiction: "undeclared jurisdiction"
    case .undefinedDecision: "undefined decision"
    case .invalidTestInput: "invalid test input"
    case .cannotCompile: "cannot compile"
    case .evaluationTooDeep: "evaluation too deep"
    }
  }

  public static func < (a: DiagnosticCode, b: DiagnosticCode) -> Bool { a.rawValue < b.rawValue }
}
