// The work counted ahead for straight-line code (`WorkCosts`): what entering at an instruction
// and passing a loop instruction charge against the step limit.
import Testing

@testable import RegulaVM

@Test func loopInstructionsChargeTheLongestRunToTheNext() {
  let code = [
    Instruction(.constant, 0, wide: 0),  // 0: entry
    Instruction(.step),  // 1: the loop's head
    Instruction(.move, 0, 0),  // 2
    Instruction(.move, 0, 0),  // 3
    Instruction(.jumpIfTrue, 0, wide: 7),  // 4: out of the loop, or on
    Instruction(.move, 0, 0),  // 5
    Instruction(.jump, 0, wide: 1),  // 6: back to the head
    Instruction(.return, 0, PolicyImage.noText),  // 7
  ]
  let costs = WorkCosts(code: code)
  // Entering at 0 runs one instruction before the loop instruction takes over.
  #expect(costs.run(from: 0) == 1)
  // The head charges itself and the longest way round: 2, 3, 4, 5, 6.
  #expect(costs.charge(atLoopInstruction: 1) == 6)
  #expect((2...7).map { costs.run(from: $0) } == [5, 4, 3, 2, 1, 1])
  // A loop instruction ends a run (its own charge covers what follows it).
  #expect(costs.run(from: 1) == 0)
}

@Test func aLongLoopBodyIsChargedOnEveryPass() {
  // A hostile body of 10,000 instructions behind one `step` costs 10,002 per pass, not 1.
  var code = [Instruction(.constant, 0, wide: 0), Instruction(.step)]
  code += Array(repeating: Instruction(.move, 0, 0), count: 10_000)
  code.append(Instruction(.jump, 0, wide: 1))
  let costs = WorkCosts(code: code)
  #expect(costs.charge(atLoopInstruction: 1) == 10_002)
  #expect(costs.run(from: 0) == 1)
}
