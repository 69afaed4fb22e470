// IR golden files and the passes: constant folding and dead-definition elimination.
import Foundation
import RegulaIR
import Testing

@Test(arguments: ["w1", "jurisdictions"])
func irMatchesGolden(_ name: String) throws {
  let program = try compile(try goldenInput("\(name).regula"))
  let text = IRPrinter.print(program)
  let url = irRepositoryRoot.appendingPathComponent("Tests/Golden/ir/\(name).txt")
  if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    return
  }
  let golden = try String(contentsOf: url, encoding: .utf8)
  #expect(text == golden, "IR golden \(name) differs; re-record with RECORD_GOLDEN=1")
}

@Test func constantsFoldButDivisionByZeroAndRoundingStay() throws {
  let program = try compile(
    """
    policy p
    input application { a: Int }
    decision sum: Int = application.a + (2 * 3 + 4)
    decision zero: Decimal = 1 / 0
    decision rounded: Int = round(7 / 2, half_up)
    """)
  let printed = IRPrinter.print(program)
  #expect(printed.contains("(+:Int (. input a#0) 10)"))
  #expect(printed.contains("(/:Decimal 1 0)"))
  #expect(printed.contains(#"(round.half_up "3.5")"#))
}

@Test func definitionsNoDecisionNeedsAreRemoved() throws {
  let source = """
    policy p
    input application { a: Int }
    rule unused = application.a * 2
    rule used = application.a + 1
    decision d: Int = used
    """
  let optimized = try compile(source)
  #expect(optimized.definitions.map(\.name) == ["used", "d"])
  #expect(try compile(source, optimize: false).definitions.count == 3)
  #expect(decide(optimized, #"{"a":4}"#)["d"] == "5")
}
