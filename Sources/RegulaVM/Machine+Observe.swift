// What a traced replay observes at each probe (`PolicyImage.explanations`): a node in `trace`
// for every condition, comparison, aggregate element, table lookup and version reached, with
// the registers the probe names, read before the instruction runs. Only `runObserved` calls
// this; the plain dispatch loop is compiled without it.

extension Machine {
  /// Records the probes at `pc` (before the instruction runs), and first the outcomes that
  /// the previous instruction decided.
  @inline(never)
  mutating func observe(_ pc: Int, base: Int) {
    if !pendingOutcomes.isEmpty { resolvePendingOutcomes(at: pc) }
    var index = Int(firstProbe[pc])
    guard index >= 0 else { return }
    let probes = image.explanations.probes
    while index < probes.count && Int(probes[index].pc) == pc {
      record(probes[index], index, base: base)
      index += 1
    }
  }

  /// Appends the node for probe `index`.
  mutating func record(_ probe: Probe, _ index: Int, base: Int) {
    let frame = frames[frameCount - 1]
    func register(_ operand: UInt32) -> Register {
      operand == Probe.absent ? .none : registers[base + Int(operand)]
    }
    if probe.kind == .callEnd {
      // Close the call this probe ends; its value is in `result` now, before the instruction.
      guard let node = closeNode(startedBy: probe.partner) else { return }
      trace[node].second = register(probe.result)
      trace[node].outcome = 1
      return
    }
    if probe.kind == .conditionEnd {
      guard let node = closeNode(startedBy: probe.partner) else { return }
      switch probe.outcome {
      case .registerBefore: trace[node].outcome = register(probe.result).word != 0 ? 1 : 0
      case .negatedRegisterBefore: trace[node].outcome = register(probe.result).word != 0 ? 0 : 1
      default: pendingOutcomes.append((node, index, base + Int(probe.result)))
      }
      return
    }
    trace.append(
      TraceNode(
        definition: frame.memoSlot / jurisdictionCount, jurisdiction: frame.jurisdiction,
        parent: traceStack.last ?? -1, value: register(probe.a), reason: -1, isCached: false,
        entry: Int(probe.pc), probe: Int32(index), second: register(probe.b), outcome: -1))
    switch probe.kind {
    case .conditionStart, .callStart: traceStack.append(trace.count - 1)
    case .comparison, .rounding:
      let target = probe.result == Probe.absent ? -1 : base + Int(probe.result)
      pendingOutcomes.append((trace.count - 1, index, target))
    default: break
    }
  }

  /// Closes the innermost open node of start probe `start` (and any left open inside it);
  /// returns it, or nil when none is open (its start was not reached).
  mutating func closeNode(startedBy start: UInt32) -> Int? {
    guard let position = traceStack.lastIndex(where: { trace[$0].probe == Int32(start) }) else {
      return nil
    }
    let node = traceStack[position]
    traceStack.removeSubrange(position...)
    return node
  }

  /// Sets the outcomes waiting for the instruction after theirs, now that the replay has
  /// reached `pc` (-1: the run ended; a jump's outcome is then unknown).
  mutating func resolvePendingOutcomes(at pc: Int) {
    let probes = image.explanations.probes
    for (node, index, register) in pendingOutcomes {
      let probe = probes[index]
      switch probe.outcome {
      case .valueAfter:
        if register >= 0 { trace[node].second = registers[register] }
      case .register, .negatedRegister:
        guard register >= 0 else { continue }
        let holds = registers[register].word != 0
        trace[node].outcome = holds == (probe.outcome == .register) ? 1 : 0
      case .jumpTakenIsTrue, .jumpTakenIsFalse:
        let at = Int(probe.pc)
        let instruction = image.code[at]
        // The fused compare-and-jumps keep their target in the operand word after them.
        let fused: Bool =
          switch instruction.opcode {
          case .jumpIfNotLess, .jumpIfLess, .jumpIfEqual, .jumpIfNotEqual: true
          default: false
          }
        let fallThrough = at + (fused ? 2 : 1)
        let target = fused ? Int(image.code[at + 1].bc) : Int(instruction.bc)
        guard pc >= 0, target != fallThrough, pc == target || pc == fallThrough else { continue }
        let taken = pc == target
        trace[node].outcome = taken == (probe.outcome == .jumpTakenIsTrue) ? 1 : 0
      default: break
      }
    }
    pendingOutcomes.removeAll(keepingCapacity: true)
  }
}

extension Machine {
  /// The depth of the deepest node of the last trace (a root is at 1), found without recursion.
  public var traceDepth: Int {
    var depths = [Int](repeating: 1, count: trace.count)
    var deepest = trace.isEmpty ? 0 : 1
    for index in trace.indices {
      let parent = trace[index].parent
      // A parent comes before its children.
      if parent >= 0 && parent < index { depths[index] = depths[parent] + 1 }
      deepest = max(deepest, depths[index])
    }
    return deepest
  }
}
