// "Not computable" through the CLI: `regula test` expects it (`expect NAME not computable`),
// `regula eval` exits 3 naming it, and `regula batch` names it in the CSV's `error` column.
import Foundation
import Testing

private let policy = """
  policy nc
    from 2000-01-01

  input application {
    income: Int
  }

  parameter rate: Decimal
    from 2012-01-01 = 0.15

  decision income_tax: Decimal = application.income * rate

  decision benefit: Int = 100

  test "before 2012 the tax is not computable" {
    as of 2010-06-01
    given { income: 1000 }
    expect income_tax not computable
    expect benefit = 100
  }

  test "from 2012 it is" {
    as of 2012-06-01
    given { income: 1000 }
    expect income_tax = 150
  }

  """

@Test func theCLITestsEvaluatesAndBatchesWhatIsNotComputable() throws {
  let folder = try temporaryDirectory("not-computable")
  let file = folder.appendingPathComponent("nc.regula")
  try policy.write(to: file, atomically: true, encoding: .utf8)
  let tested = try regula(["test", file.path])
  #expect(tested.status == 0, "\(tested.output)\(tested.errors)")
  #expect(tested.output.contains("2 passed, 0 failed"), "\(tested.output)")
  // The formatter keeps the expectation as written.
  let formatted = try regula(["fmt", "--check", file.path])
  #expect(formatted.status == 0, "\(formatted.output)\(formatted.errors)")
  // A wrong expectation fails, naming the value.
  let wrong = folder.appendingPathComponent("wrong.regula")
  try policy.replacingOccurrences(of: "as of 2012-06-01", with: "as of 2012-06-01X")
    .replacingOccurrences(of: "expect income_tax = 150", with: "expect income_tax not computable")
    .replacingOccurrences(of: "as of 2012-06-01X", with: "as of 2012-06-01")
    .write(to: wrong, atomically: true, encoding: .utf8)
  let failing = try regula(["test", wrong.path])
  #expect(failing.status != 0)
  #expect(
    (failing.output + failing.errors).contains("income_tax: expected not computable, got \"150\""),
    "\(failing.output)\(failing.errors)")
  let application = folder.appendingPathComponent("a.json")
  try #"{"income":1000}"#.write(to: application, atomically: true, encoding: .utf8)
  let evaluated = try regula([
    "eval", file.path, "--input", application.path, "--as-of", "2010-06-01", "--format", "json",
  ])
  #expect(evaluated.status == 3, "\(evaluated.output)\(evaluated.errors)")
  #expect(
    evaluated.output.contains(
      #""income_tax":{"not_computable":"not computable: `rate` has no version in force on 2010-06-01 in `national`"}"#
    ), "\(evaluated.output)")
  #expect(evaluated.errors.contains("`income_tax`: not computable: `rate`"), "\(evaluated.errors)")
  let lines = folder.appendingPathComponent("in.jsonl")
  try "{\"income\":1000}\n".write(to: lines, atomically: true, encoding: .utf8)
  let csv = folder.appendingPathComponent("out.csv")
  let batch = try regula([
    "batch", file.path, "--input", lines.path, "--output", csv.path, "--as-of", "2010-06-01",
    "--output-format", "csv",
  ])
  #expect(batch.status == 3, "\(batch.errors)")
  let table = try String(contentsOf: csv, encoding: .utf8)
  #expect(
    table.contains(
      ",,100,,income_tax: not computable: `rate` has no version in force on 2010-06-01 in `national`"
    ), "\(table)")
}
