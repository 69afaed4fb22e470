// One negative test per diagnostic code, each at an exact position given by a marker.
import RegulaSema
import Testing

let prelude = """
  policy p
    source law "Test Law"
  enum Sex { M, F }
  record Member { age: Int }
  input application {
    sex: Sex
    members: List<Member>
    birth: Date
    income: Money
    months: Months
    maybe: Int?
  }

  """

/// (code, source after the prelude with a 1️⃣ marker where the diagnostic must point).
let negativeCases: [(DiagnosticCode, String)] = [
  (.unexpectedCharacter, "rule a = 1 1️⃣§"),
  (.unterminatedString, "rule a = 1️⃣\"abc\n"),
  (.invalidEscape, "rule a = \"x1️⃣\\q\""),
  (.invalidNumber, "rule a = 1️⃣1__2"),
  (.invalidDate, "rule a = 1️⃣2023-02-29"),
  (.expectedToken, "rule a: Int = if true 1️⃣1 else 2"),
  (.expectedExpression, "rule a = 1️⃣)"),
  (.expectedDeclaration, "1️⃣foo"),
  (.expectedType, "rule a: 1️⃣= 1"),
  (.misplacedDeclaration, "rule a = 1\n1️⃣import \"x.regula\""),
  (.undefinedName, "rule bb = 1\nrule a = 1️⃣bc + 1"),
  (.duplicateDefinition, "rule a = 1\nrule 1️⃣a = 2"),
  (.undefinedType, "rule a: 1️⃣Mony = 1 fen"),
  (.undefinedField, "rule a = application.1️⃣sx"),
  (.undefinedEnumCase, "rule a = Sex.1️⃣X"),
  (.dependencyCycle, "rule 1️⃣a = b + 1\nrule b = a"),
  (.notAConditionalRule, "rule a = 1\nrule b = reason of 1️⃣a"),
  (.overrideOfUndefined, "level province SH {\n  override 1️⃣nope = 1\n}"),
  (.undefinedSource, "rule a cite 1️⃣nosrc \"x\" = 1"),
  (.duplicateField, "record R { x: Int  1️⃣x: Int }"),
  (.reservedReasonCode, "decision d: Bool\n  all of\n    true reason 1️⃣ok"),
  (.unknownLabel, "rule a = 1\nlabels zh {\n  1️⃣b \"乙\"\n}"),
  (.duplicateLabel, "rule a = 1\nlabels zh {\n  a \"甲\"\n  1️⃣a \"乙\"\n}"),
  (.functionNotCalled, "rule f(m: Member): Int = m.age\nrule a = 1️⃣f + 1"),
  (.typeMismatch, "rule a: Int = 1️⃣true"),
  (.invalidOperands, "rule a = 1️⃣application.income + 1"),
  (.mixedDurations, "rule a = 1️⃣application.months < 1 year"),
  (.nonExhaustiveMatch, "rule a: Int = 1️⃣match application.sex { M: 1 }"),
  (.unreachableMatchArm, "rule a: Int = match application.sex { M: 1, F: 2, 1️⃣M: 3 }"),
  (.unhandledOptional, "rule a: Int = 1️⃣application.maybe"),
  (.wrongArguments, "rule a = 1️⃣age(application.birth)"),
  (.unroundedMoney, "rule a: Money = 1️⃣application.income / 2"),
  (.notAList, "rule a = count(x in 1️⃣application.sex)"),
  (.cannotInferEnumCase, "enum A { x }\nenum B { x }\nrule a = 1️⃣x"),
  (.incompleteTable, "parameter t: Int by Sex = 1️⃣{ M: 1 }"),
  (.missingField, "rule a: Member = 1️⃣{}"),
  (.notARecord, "rule a = application.sex.1️⃣x"),
  (.invalidConstraint, "record R { x: Bool 1️⃣in 1 to 2 }"),
  (.notComparable, "rule a = 1️⃣application.sex < F"),
  (.jurisdictionNotEnum, "rule a = 1\nrule b = a at 1️⃣3"),
  (.invalidFunction, "decision 1️⃣f(m: Member): Int = m.age"),
  (.invalidDefault, "record R { n: Int = 1️⃣3 }"),
  (.invalidPlaces, "decision d: Decimal places 2 = 1️⃣1 / 3"),
  (
    .invalidScale,
    "record B { threshold: Int  rate: Decimal }\nparameter s: List<B>\n"
      + "  bracket { threshold: 10, rate: 0.1 }\n  bracket { threshold: 1️⃣5, rate: 0.2 }"
  ),
  (
    .overlappingValidity,
    "rule a: Int\n  from 2020-01-01 until 2020-12-31 = 1\n  1️⃣from 2020-06-01 = 2"
  ),
  (.validityGap, "rule a: Int\n  from 2020-01-01 until 2020-05-31 = 1\n  1️⃣from 2020-06-02 = 2"),
  (.emptyValidity, "rule a: Int\n  1️⃣from 2020-01-01 until 2019-12-31 = 1"),
  (
    .conflictingDefinitions,
    "parameter p: Int = 1\nlevel province SH {\n  override p = 2\n  override 1️⃣p = 3\n}"
  ),
  (
    .exceptionToNonRule,
    "parameter p: Int = 1\nlevel province SH {\n  exception to 1️⃣p = 2 when true\n}"
  ),
  (.invalidLevel, "level 1️⃣county X { }"),
  (.undefinedDecision, "rule a = 1\ntest \"t\" {\n  expect 1️⃣a = 1\n}"),
  (.invalidTestInput, "test \"t\" {\n  given 1️⃣3\n}"),
]

@Test(arguments: negativeCases.indices)
func diagnosticIsReportedAtItsMarker(_ index: Int) {
  let (code, body) = negativeCases[index]
  assertDiagnostics(prelude + body, [(code, "1️⃣")])
}

@Test func invalidUTF8IsReported() {
  let bytes = Array("policy p\nrule a = \"".utf8) + [0xFF, 0x22]
  let (result, _) = TypeChecker.check(path: "main.regula", read: { _ in bytes })
  #expect(result.diagnostics.map(\.code) == [.invalidUTF8])
  #expect(result.diagnostics.first?.span.bytes.lowerBound == bytes.count - 2)
}

@Test func missingHeaderIsReported() {
  assertDiagnostics("1️⃣rule a = 1", [(.missingPolicyHeader, "1️⃣")])
}

@Test func deepNestingIsALimitNotACrash() {
  let deep = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
  let (diagnostics, _, _) = diagnose("policy p\nrule a = " + deep)
  #expect(diagnostics.map(\.code) == [.nestingTooDeep])
}

@Test func importErrorsNameTheFileAndTheName() {
  assertDiagnostics(
    "policy p\n1️⃣import \"missing.regula\"\n", [(.importNotFound, "1️⃣")])
  assertDiagnostics(
    "policy p\nimport \"m.regula\" (Sex, 1️⃣Provnce)\n",
    files: ["m.regula": "module m\nenum Sex { M, F }\nenum Province { SH }\n"],
    [(.importedNameNotFound, "1️⃣")])
}

@Test func importCycleShowsTheWholeCycle() {
  let (diagnostics, _, _) = diagnose(
    "policy p\nimport \"a.regula\"\n",
    files: [
      "a.regula": "module a\nimport \"b.regula\"\n", "b.regula": "module b\nimport \"a.regula\"\n",
    ])
  #expect(diagnostics.map(\.code) == [.importCycle])
  #expect(diagnostics.first?.message == "import cycle: `a.regula` → `b.regula` → `a.regula`")
}

@Test func undeclaredJurisdictionsAreReportedWhereTheyAreUsed() {
  let header = "policy p\n  jurisdictions Province cities SH.PD\nenum Province { SH, GD }\n"
  assertDiagnostics(header + "level province 1️⃣XX { }", [(.undeclaredJurisdiction, "1️⃣")])
  assertDiagnostics(
    "policy p\n  jurisdictions Province cities 1️⃣HI.SY\nenum Province { SH, GD }\n",
    [(.undeclaredJurisdiction, "1️⃣")])
  assertDiagnostics(
    header + "enum Color { red }\nrule a = 1\nrule b = a at 1️⃣Color.red",
    [(.undeclaredJurisdiction, "1️⃣")])
  assertDiagnostics(
    header + "input application { x: Int }\ndecision d: Int = 1\n"
      + "test \"t\" {\n  at 1️⃣HI\n  given { x: 1 }\n  expect d = 1\n}",
    [(.undeclaredJurisdiction, "1️⃣")])
  // Declared codes and level blocks are accepted.
  assertDiagnostics(
    header + "input application { x: Int }\ndecision d: Int = 1\nlevel city GD.SZ { }\n"
      + "test \"t\" {\n  at SH\n  given { x: 1 }\n  expect d = 1\n}", [])
}

@Test func everyCodeHasANegativeTest() {
  let covered = Set(negativeCases.map(\.0)).union([
    .undeclaredJurisdiction,
    .invalidUTF8, .missingPolicyHeader, .nestingTooDeep, .importNotFound, .importedNameNotFound,
    .importCycle,
    .cannotCompile,  // found after checking: Tests/RegulaTests/CompileErrorTests.swift
    // Need inputs too large to write here: Tests/RegulaTests/LimitTests.swift.
    .expressionTooTall, .evaluationTooDeep, .sourceTooLarge, .tooManyCases,
  ])
  let missing = DiagnosticCode.allCases.filter { !covered.contains($0) }
  #expect(missing.isEmpty, "codes without a negative test: \(missing)")
}
