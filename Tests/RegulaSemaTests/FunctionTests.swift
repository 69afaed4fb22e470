// Functions (`rule NAME(p: T, …): TYPE = …`): every way a declaration or a call can be wrong
// is reported at its place with its code, and a function formats back as written.
import RegulaSema
import RegulaSyntax
import Testing

let functionPrelude = """
  policy p
  record Member { age: Int  income: Money }
  input application { members: List<Member>  n: Int }

  """

@Test func wellFormedFunctionsCheck() {
  assertDiagnostics(
    functionPrelude + """
      rule adult(m: Member, from_age: Int): Bool = m.age >= from_age
      rule counted(m: Member): Money = if adult(m, 18) then m.income else 0 fen
      decision total: Money = sum(counted(m) for m in application.members)
      """, [])
  // An Int argument widens to a Decimal parameter, as everywhere a Decimal is declared.
  assertDiagnostics(
    functionPrelude
      + "rule half(x: Decimal): Decimal = x / 2\ndecision h: Decimal = half(application.n)\n",
    [])
}

@Test func functionDeclarationsAreChecked() {
  // Only rules take parameters.
  assertDiagnostics(
    functionPrelude + "parameter 1️⃣p(m: Member): Int = 1\n", [(.invalidFunction, "1️⃣")])
  // At least one parameter, a declared type, a name that is not a builtin's.
  assertDiagnostics(functionPrelude + "rule 1️⃣f(): Int = 1\n", [(.invalidFunction, "1️⃣")])
  assertDiagnostics(functionPrelude + "rule 1️⃣f(m: Member) = m.age\n", [(.invalidFunction, "1️⃣")])
  assertDiagnostics(
    functionPrelude + "rule 1️⃣age(m: Member): Int = m.age\n", [(.invalidFunction, "1️⃣")])
  // One expression body: no `first of`, `all of` or dated versions.
  assertDiagnostics(
    functionPrelude
      + "rule 1️⃣f(m: Member): Int\n  first of\n    1 when m.age > 3 reason a\n    2 otherwise reason b\n",
    [(.invalidFunction, "1️⃣")])
  assertDiagnostics(
    functionPrelude + "rule 1️⃣f(m: Member): Int\n  from 2020-01-01 = m.age\n",
    [(.invalidFunction, "1️⃣")])
  // Parameters have distinct names and known types.
  assertDiagnostics(
    functionPrelude + "rule f(m: Member, 1️⃣m: Int): Int = 1\n", [(.duplicateDefinition, "1️⃣")])
  assertDiagnostics(
    functionPrelude + "rule f(m: 1️⃣Membr): Int = 1\n", [(.undefinedType, "1️⃣")])
  // The body has the declared type, and sees its parameters but not the caller's locals.
  assertDiagnostics(
    functionPrelude + "rule f(m: Member): Bool = 1️⃣m.age\n", [(.typeMismatch, "1️⃣")])
  assertDiagnostics(
    functionPrelude
      + "rule f(m: Member): Int = 1️⃣k\ndecision d: Int = let k = 1 in sum(f(m) for m in application.members)\n",
    [(.undefinedName, "1️⃣")])
  // A function may not override or be overridden, nor take an exception.
  assertDiagnostics(
    functionPrelude
      + "rule f(m: Member): Int = m.age\nlevel province SH {\n  override 1️⃣f = 1\n}\n",
    [(.invalidFunction, "1️⃣")])
  assertDiagnostics(
    functionPrelude
      + "rule f(m: Member): Int = m.age\nexception to 1️⃣f = 1 when application.n > 0\n",
    [(.invalidFunction, "1️⃣")])
}

@Test func functionCallsAreChecked() {
  let declared = functionPrelude + "rule f(m: Member, k: Int): Int = m.age + k\n"
  // One argument per parameter, each of its parameter's type.
  assertDiagnostics(
    declared + "decision d: Int = sum(1️⃣f(m) for m in application.members)\n",
    [(.wrongArguments, "1️⃣")])
  assertDiagnostics(
    declared + "decision d: Int = sum(f(m, 1️⃣true) for m in application.members)\n",
    [(.typeMismatch, "1️⃣")])
  // A function is called, never read bare; a definition is read bare, never called.
  assertDiagnostics(declared + "decision d: Int = 1️⃣f\n", [(.functionNotCalled, "1️⃣")])
  assertDiagnostics(
    functionPrelude + "rule r: Int = 1\ndecision d: Int = 1️⃣r(1)\n", [(.wrongArguments, "1️⃣")])
  // Functions are not recursive, directly or through another.
  assertDiagnostics(
    functionPrelude + "rule 1️⃣f(m: Member): Int = f(m)\n", [(.dependencyCycle, "1️⃣")])
  assertDiagnostics(
    functionPrelude
      + "rule 1️⃣f(m: Member): Int = g(m)\nrule g(m: Member): Int = f(m) + 1\n",
    [(.dependencyCycle, "1️⃣")])
  // The message names the parameters a call needs.
  let (wrong, _, _) = diagnose(
    declared + "decision d: Int = sum(f(m) for m in application.members)\n")
  #expect(wrong.count == 1)
  #expect(wrong.first?.message == "`f` takes 2 arguments, but 1 is given")
  #expect(wrong.first?.help == "call it as `f(m: Member, k: Int)`")
}

@Test func functionsFormatAsWritten() {
  let source = """
    policy p

    record Member {
      age: Int
    }

    rule adult(m: Member, from_age: Int): Bool cite "Art. 1" = m.age >= from_age

    """
  assertFormatsAsWritten(source)
}

@Test func mapGivesOneValuePerElement() {
  assertDiagnostics(
    functionPrelude
      + "rule adult(m: Member): Bool = m.age >= 18\n"
      + "decision ages: List<Int> = map(m.age for m in application.members)\n"
      + "decision adults: List<Bool> = map(adult(m) for m in application.members where m.age > 0)\n",
    [])
  // `map` needs a value for each element; to keep the elements, `filter` is the form.
  assertDiagnostics(
    functionPrelude + "decision d: List<Member> = 1️⃣map(m in application.members where m.age > 3)\n",
    [(.wrongArguments, "1️⃣")])
  assertDiagnostics(
    functionPrelude + "decision d: List<Bool> = 1️⃣map(m.age for m in application.members)\n",
    [(.typeMismatch, "1️⃣")])
}

@Test func callsAreDependenciesWhateverLocalsAndParametersAreNamed() {
  // A local named like the function does not hide a call of it: recursion is still a cycle.
  assertDiagnostics(
    functionPrelude + "rule 1️⃣f(x: Int): Int = let f = x in f(x)\ndecision d: Int = f(1)\n",
    [(.dependencyCycle, "1️⃣")])
  // A parameter named like a rule is the parameter, not a read of the rule.
  assertDiagnostics(
    functionPrelude
      + "rule income: Int = net(application.n)\nrule net(income: Int): Int = income - 1\n", [])
  // `reason of` a rule named like a builtin is a dependency too.
  assertDiagnostics(
    functionPrelude
      + "rule 1️⃣age: Text\n  first of\n    reason of age when application.n > 0 reason a\n    \"x\" otherwise reason b\n",
    [(.dependencyCycle, "1️⃣")])
}
