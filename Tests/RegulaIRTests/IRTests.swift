// IR golden files and the passes: constant folding and dead-definition elimination.
import Foundation
import RegulaIR
import Testing

@Test(arguments: ["w1", "jurisdictions", "functions"])
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

/// `regula test` checks a second engine (the VM) on every expectation: a different value, or a
/// stop where the interpreter gives one, fails the test with a message naming the defect.
@Test func theTestRunnerReportsAnEngineThatDisagrees() throws {
  let program = try compile(
    """
    policy p
    input application { a: Int }
    decision double: Int = application.a * 2
    test "doubles" {
      as of 2024-01-01
      given { a: 21 }
      expect double = 42
    }
    """)
  struct Stop: Error, CustomStringConvertible { var description: String { "stopped" } }
  let agreeing: TestRunner.Engine = { _, _, _, _ in ("42", nil) }
  let agreed = TestRunner.run(program, defaultAsOf: nil, engine: agreeing)
  #expect(agreed.count == 1 && agreed[0].passed)
  let wrong: TestRunner.Engine = { _, _, _, _ in ("41", nil) }
  let failures = TestRunner.run(program, defaultAsOf: nil, engine: wrong).flatMap(\.failures)
  #expect(
    failures == [
      "double: the VM gives 41 (reason ``) where the interpreter gives 42 (reason ``): "
        + "a defect of Regula, please report it"
    ])
  let stopping: TestRunner.Engine = { _, _, _, _ in throw Stop() }
  let stops = TestRunner.run(program, defaultAsOf: nil, engine: stopping).flatMap(\.failures)
  #expect(stops.count == 1 && stops[0].contains("the VM stops (stopped)"))
}
