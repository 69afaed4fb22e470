// A policy specialised for one as-of date (`regula build --as-of`): its code tests no dates,
// it decides as the general policy does on that date, and it refuses any other date.
import Foundation
import Regula
import Testing

private func jurisdictionsPolicy() throws -> CompiledPolicy {
  try #require(
    compilePolicy(root.appendingPathComponent("Tests/Golden/inputs/jurisdictions.regula").path))
}

@Test func aSpecialisedPolicyDecidesItsDateWithoutDateTests() throws {
  let general = try jurisdictionsPolicy()
  #expect(general.image.code.contains { $0.opcode == .asOf })
  for (day, months) in [("2015-06-01", 12), ("2024-06-01", 6)] {
    let asOf = date(day)
    let special = try general.specialised(asOf: asOf)
    #expect(!special.image.code.contains { $0.opcode == .asOf })
    #expect(special.image.code.count < general.image.code.count)
    #expect(Disassembler.disassemble(special.image).contains("specialised for \(day)"))
    // The image keeps its date through a compiled file.
    let loaded = try CompiledPolicy.load(special.encoded())
    #expect(loaded.image.specialisedAsOf == asOf.daysSince1970)
    for permit in [months - 1, months] {
      for province in ["BJ", "SH"] {
        let json = Array(
          #"{"province":"\#(province)","permit_months":\#(permit),"refugee":false}"#.utf8)
        var both = [Evaluator(policy: general), Evaluator(policy: loaded)]
        let records = try both.indices.map { try both[$0].decide(json: json, asOf: asOf).json }
        #expect(
          records[0]
            == records[1].replacingOccurrences(
              of: loaded.contentHash, with: general.contentHash))
      }
    }
  }
}

@Test func aSpecialisedPolicyRefusesAnotherDate() throws {
  let general = try jurisdictionsPolicy()
  let special = try general.specialised(asOf: date("2024-06-01"))
  let json = Array(#"{"province":"BJ","permit_months":7,"refugee":false}"#.utf8)
  var evaluator = Evaluator(policy: special)
  #expect(try evaluator.decide(json: json, asOf: date("2024-06-01")).decisions.count == 1)
  let message = "was specialised for 2024-06-01 and cannot decide as of 2015-06-01"
  do {
    _ = try evaluator.decide(json: json, asOf: date("2015-06-01"))
    Issue.record("a policy specialised for 2024-06-01 decided 2015-06-01")
  } catch {
    #expect(error.description.contains(message), "\(error)")
  }
  // The machine below the evaluator refuses too, and so does the interpreter.
  var machine = Machine(image: special.image)
  machine.reset()
  let input = try machine.loadApplication(json: json)
  do {
    _ = try machine.evaluate(input: input, asOf: date("2015-06-01"), jurisdiction: 0)
    Issue.record("the machine decided another date")
  } catch {
    #expect(error.description.contains(message), "\(error)")
  }
  let program = try #require(special.program)
  #expect(throws: EvaluationError.self) {
    _ = try Interpreter.evaluate(
      program, input: .record([.enumCase(0), .months(Months(7)), .bool(false)]),
      asOf: date("2015-06-01"))
  }
  // A compiled file has no program left to specialise.
  let loaded = try CompiledPolicy.load(general.encoded())
  #expect(throws: CompileError.self) { _ = try loaded.specialised(asOf: date("2024-06-01")) }
}

/// A date outside the policy's own `from … until …` cannot be specialised for: the file would
/// decide nothing at all.
@Test func aDateOutsideThePolicysValidityIsNotSpecialised() throws {
  let source = """
    policy dated
      from 2020-01-01
    input application { n: Int }
    decision d: Int = application.n
    """
  let files = ["dated.regula": Array(source.utf8)]
  let policy = try #require(
    CompiledPolicy.compile(path: "dated.regula") { files[$0] }.result.output)
  _ = try policy.specialised(asOf: date("2024-06-01"))
  do {
    _ = try policy.specialised(asOf: date("2019-06-01"))
    Issue.record("a policy in force from 2020 was specialised for 2019")
  } catch {
    #expect("\(error)".contains("is not in force on 2019-06-01"), "\(error)")
  }
}
