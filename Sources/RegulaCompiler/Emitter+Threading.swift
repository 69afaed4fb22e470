// Jump threading: a pass over the finished code that makes jumps go straight where they end up.
// Nested `if`s, `??` and optional matches leave jumps that land on another `jump` (the end of
// an inner branch jumping to the end of the outer one) and branches that jump to a `return`.
// Over the repository policies' test applications those were about one dispatch in twenty
// (`jump` then `jumpIfNone`, `jump` then `jump`, `jump` then `return`). No instruction moves,
// so probes, entry points and the debug table keep their positions.

extension Emitter {
  /// Retargets every jump whose target is an unconditional `jump` to that jump's own target
  /// (following chains), and replaces a `jump` to a `return` by a copy of the `return`.
  ///
  /// Neither crosses a probe: a traced replay observes every probe on its path, so a `jump` or
  /// `return` that a probe observes is kept in the path. A cycle of the new code is a cycle of
  /// the old one less some `jump`s, so it still passes the `step` (or `next`) the verifier
  /// requires.
  mutating func threadJumps() {
    let observed = Set(probes.map { Int($0.pc) })
    /// Where a jump to `target` ends up, through unconditional jumps no probe observes (a
    /// chain of at most 64, which a well-formed program never nears; a cycle of jumps without
    /// a step cannot pass the verifier, and the bound keeps this pass finite even then).
    func destination(_ target: Int) -> Int {
      var target = target
      var hops = 0
      while hops < 64, target < code.count, code[target].opcode == .jump,
        !observed.contains(target)
      {
        target = Int(code[target].bc)
        hops += 1
      }
      return target
    }
    var index = 0
    while index < code.count {
      let instruction = code[index]
      switch instruction.opcode {
      case .jump:
        let target = destination(Int(instruction.bc))
        if target < code.count, code[target].opcode == .return, !observed.contains(target) {
          code[index] = code[target]
          debug[index] = debug[target]
        } else {
          patch(index, to: target)
        }
      case .jumpIfFalse, .jumpIfTrue, .jumpIfNone:
        patch(index, to: destination(Int(instruction.bc)))
      case .jumpIfNotLess, .jumpIfLess, .jumpIfEqual, .jumpIfNotEqual, .next, .nextLoop:
        // The target is in the operand word after the instruction.
        if index + 1 < code.count { patch(index + 1, to: destination(Int(code[index + 1].bc))) }
      default: break
      }
      index += instruction.opcode.hasExtraWord ? 2 : 1
    }
  }
}
