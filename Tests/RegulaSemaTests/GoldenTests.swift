// Golden tests of every stage's printed form. Re-record with `RECORD_GOLDEN=1 swift test`.
import Foundation
import RegulaSema
import Testing

let goldenInputs = regulaFiles(under: "Tests/Golden/inputs")

func readSource(_ url: URL) -> SourceFile {
  SourceFile(
    id: .init(0), path: url.lastPathComponent,
    bytes: Array(FileManager.default.contents(atPath: url.path) ?? Data()))
}

@Test(arguments: goldenInputs)
func tokensMatchGolden(_ url: URL) {
  assertGolden(
    TokenPrinter.print(readSource(url)),
    "tokens/\(url.deletingPathExtension().lastPathComponent).txt")
}

@Test(arguments: goldenInputs)
func syntaxTreeMatchesGolden(_ url: URL) {
  let file = readSource(url)
  let parsed = Parser.parse(file)
  assertGolden(
    SyntaxPrinter.print(parsed.syntax, file: file),
    "syntax/\(url.deletingPathExtension().lastPathComponent).txt")
}

/// The checked program when the file is clean, else the rendered diagnostics.
@Test(arguments: goldenInputs)
func checkedProgramOrDiagnosticsMatchGolden(_ url: URL) {
  let name = url.deletingPathExtension().lastPathComponent
  let directory = url.deletingLastPathComponent().path
  let (result, sources) = TypeChecker.check(path: url.lastPathComponent) { path in
    FileManager.default.contents(atPath: directory + "/" + path).map { Array($0) }
  }
  if let program = result.output {
    assertGolden(CheckedPrinter.print(program), "checked/\(name).txt")
  } else {
    assertGolden(
      DiagnosticRenderer(sources: sources).render(result.diagnostics), "diagnostics/\(name).txt")
  }
}

@Test func fiveIndependentErrorsAreAllReportedAtTheirPositions() {
  let url = repositoryRoot.appendingPathComponent("Tests/Golden/inputs/five-errors.regula")
  let text = String(decoding: FileManager.default.contents(atPath: url.path)!, as: UTF8.self)
  let (result, sources) = TypeChecker.check(
    path: "five-errors.regula", files: ["five-errors.regula": text])
  let renderer = DiagnosticRenderer(sources: sources)
  let found = result.diagnostics.map { diagnostic -> String in
    let position = renderer.position(of: diagnostic.span)
    return "\(diagnostic.code.rawValue) \(position.line):\(position.column)"
  }
  #expect(found == ["R0204 7:22", "R0301 8:15", "R0201 9:10", "R0308 10:17", "R0304 11:15"])
}

@Test func anUndefinedNameIsReportedOnceNotAsACascade() {
  let (diagnostics, _, _) = diagnose(
    """
    policy p
    rule a: Money = (1️⃣missing + 1) * 2 - 3
    rule b = a + a
    rule c: Bool = b > 3 fen and missing2 == 1
    """)
  #expect(diagnostics.map(\.code) == [.undefinedName, .undefinedName])
}

@Test func anUndefinedTypeDoesNotCascadeIntoItsUses() {
  let (diagnostics, _, _) = diagnose(
    """
    policy p
    enum Mode { a, b }
    decision m: Mood
      first of
        a when true reason x
        b otherwise reason y
    parameter t: Int by Provnce = { SH: 1 }
    """)
  #expect(diagnostics.map(\.code) == [.undefinedType, .undefinedType])
}

@Test func suggestionsNameTheClosestDefinition() {
  let (diagnostics, _, _) = diagnose("policy p\nrule income_thresh = 1\nrule a = income_tresh")
  #expect(diagnostics.first?.help == "did you mean `income_thresh`?")
}

@Test func cycleMessageShowsTheWholeCycle() {
  let (diagnostics, _, _) = diagnose("policy p\nrule a = b + 1\nrule b = c\nrule c = a\nrule d = 1")
  #expect(diagnostics.map(\.message) == ["`a` depends on itself: `a` → `b` → `c` → `a`"])
}

@Test func diagnosticsRenderWithCaretsUnderTheSpan() {
  let (diagnostics, _, sources) = diagnose(
    "policy p\nrule income_thresh = 1\nrule a = 2 + income_tresh")
  let text = DiagnosticRenderer(sources: sources).render(diagnostics)
  #expect(
    text == """
      error[R0201]: undefined name `income_tresh`
       --> main.regula:3:14
        |
      3 | rule a = 2 + income_tresh
        |              ^^^^^^^^^^^^
         = help: did you mean `income_thresh`?

      """)
}

@Test func caretsLineUpUnderChineseText() {
  let (diagnostics, _, sources) = diagnose("policy p\nrule a: Int = \"低保\" ")
  let lines = DiagnosticRenderer(sources: sources).render(diagnostics).split(separator: "\n")
  #expect(lines.contains("  |               ^^^^^^"))
}

@Test func jsonDiagnosticsCarryCodeAndPosition() {
  let (diagnostics, _, sources) = diagnose("policy p\nrule a = nope")
  let json = DiagnosticRenderer(sources: sources).renderJSON(diagnostics)
  #expect(json.contains("\"code\":\"R0201\""))
  #expect(json.contains("\"line\":2,\"column\":10"))
}

@Test func firstAndLastGiveOptionalsThatMustBeHandled() {
  assertDiagnostics(
    """
    policy p
    record Period { province: Text  months: Int }
    input application { periods: List<Period> }
    rule latest = last(p in application.periods where p.months >= 120)
    rule months: Int = 1️⃣latest
    rule province: Text = match latest { none: "none", some p: p.province }
    rule earliest_months: Int = first(p.months for p in application.periods) ?? 0
    """, [(.typeMismatch, "1️⃣")])
}

@Test func noneJoinsAValueIntoAnOptional() {
  assertDiagnostics(
    """
    policy p
    rule a = if true then none else 3
    rule b: Int? = a
    rule c: Int = 1️⃣a
    """, [(.unhandledOptional, "1️⃣")])
}

@Test func anExceptionMayPrecedeItsRuleAndSitAtTheBaseLevel() {
  assertDiagnostics(
    """
    policy p
    exception to a = 0 when true reason zero
    rule a: Int = 1
    """, [])
}

@Test func coalescingTwoOptionalsStaysOptional() {
  assertDiagnostics(
    """
    policy p
    input application { a: Int?  b: Int? }
    rule either: Int? = application.a ?? application.b
    rule sure: Int = application.a ?? application.b ?? 0
    rule wrong: Int = 1️⃣application.a ?? application.b
    """, [(.unhandledOptional, "1️⃣")])
}

@Test func aBareCaseFitsAnOptionalEnumFromAnotherFile() {
  assertDiagnostics(
    """
    module t
    import "p.regula"
    test "x" {
      as of 2024-01-01
      given { a: red, b: red }
      expect same = true
    }
    """,
    files: [
      "colors.regula": "module colors\nenum Color { red, green }\n",
      "p.regula": """
      policy p
      import "colors.regula" (Color)
      input app { a: Color  b: Color? }
      decision same: Bool = match app.b { none: false, some x: x == app.a }
      """,
    ], [])
}
