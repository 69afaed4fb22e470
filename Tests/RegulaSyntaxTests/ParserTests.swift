// Parser shapes: precedence, associativity, and the constructs drafters write.
import RegulaSyntax
import Testing

func parseExpression(_ text: String) -> String {
  let file = SourceFile(id: .init(0), path: "t.regula", text: "policy p\nrule r = " + text)
  let parsed = Parser.parse(file)
  if let first = parsed.diagnostics.first { return "<error \(first.code.rawValue)>" }
  guard case .definition(let definition) = parsed.syntax.declarations.first?.kind,
    case .expression(let expr) = definition.body.kind
  else { return "<no rule>" }
  return ExprPrinter.print(expr)
}

@Test(arguments: [
  ("1 + 2 * 3", "(+ 1 (* 2 3))"),
  ("1 - 2 - 3", "(- (- 1 2) 3)"),
  ("a or b and not c", "(or a (and b (not c)))"),
  ("not a == b", "(not (== a b))"),
  ("a ?? b ?? c", "(?? a (?? b c))"),
  ("x in [A, B] and y", "(and (in x [A B]) y)"),
  ("-a.b[c]", "(- ([] (. a b) c))"),
  ("standard at p.province * 2", "(* (at standard (. p province)) 2)"),
  ("12 months + 1 year", "(+ (months 12) (years 1))"),
  ("1510.50 yuan", "(yuan 1510.50)"),
  ("if a then 1 else if b then 2 else 3", "(if a 1 (if b 2 3))"),
  ("let x = a in x + 1", "(let x a (+ x 1))"),
  ("let x = (a in l) in x", "(let x (in a l) x)"),
  ("match s { M, F: 1, otherwise: 2 }", "(match s (M, F 1) (otherwise 2))"),
  ("match o { none: 0, some v: v }", "(match o (none 0) (some v v))"),
  ("count(m in ms where m.age >= 60)", "(count m ms where (>= (. m age) 60))"),
  ("sum(m.x for m in ms)", "(sum (. m x) m ms)"),
  ("all(m in ms where m.ok)", "(all m ms where (. m ok))"),
  ("round(x / 2, half_up, 1 yuan)", "(round (/ x 2) half_up (yuan 1))"),
  ("reason of eligible", "(reason-of eligible)"),
  ("{ a: 1, otherwise: 2 }", "{a: 1, otherwise: 2}"),
  ("a < b < c", "<error R0101>"),
  ("first(p in ps where p.ok)", "(first p ps where (. p ok))"),
  ("last(p.province for p in ps)", "(last (. p province) p ps)"),
])
func expressionsParseWithTheDocumentedPrecedence(_ source: String, _ tree: String) {
  #expect(parseExpression(source) == tree)
}

@Test func everyIndependentSyntaxErrorIsReported() {
  let text = """
    policy p
    rule a = 1 +
    rule b: Int = if true then 1
    enum E { x y
    rule c = (2 * 3
    decision d: Int = 4
    """
  let parsed = Parser.parse(SourceFile(id: .init(0), path: "t.regula", text: text))
  #expect(parsed.diagnostics.count == 4)
  guard case .definition(let last)? = parsed.syntax.declarations.last?.kind else {
    Issue.record("the last declaration was lost")
    return
  }
  #expect(last.name.text == "d")
}

@Test func keywordsMayNameFields() {
  let text = "policy p\nrecord R { rule: Int  reason: Text }\nrule x = r.rule"
  let parsed = Parser.parse(SourceFile(id: .init(0), path: "t.regula", text: text))
  #expect(parsed.diagnostics.isEmpty)
}

@Test func aLevelBlockRightAfterTheHeaderIsABlock() {
  let text = "policy p\n  level national\nlevel province SH {\n  override a = 1\n}"
  let parsed = Parser.parse(SourceFile(id: .init(0), path: "t.regula", text: text))
  #expect(parsed.diagnostics.isEmpty)
  #expect(parsed.syntax.header.level?.code == "national")
  #expect(parsed.syntax.declarations.count == 1)
}

@Test func aTestsJurisdictionLineIsNotAPostfixAt() {
  let text = "policy p\ntest \"t\" {\n  given { a: 1 }\n  at SH\n  expect d = x\n  at BJ\n}"
  let parsed = Parser.parse(SourceFile(id: .init(0), path: "t.regula", text: text))
  #expect(parsed.diagnostics.isEmpty)
  guard case .test(let test)? = parsed.syntax.declarations.first?.kind else {
    Issue.record("no test parsed")
    return
  }
  #expect(test.jurisdiction?.text == "BJ")
  #expect(test.expectations.count == 1)
}
