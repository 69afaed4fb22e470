// Inlining for the untraced path. The VM runs a second copy of the code in which a call to a
// rule needed at one place only (not in a loop) is replaced by the rule's own instructions: no
// frame pushed, no memo written, no return. The image's code stays as compiled: traced
// replays, probes, debug positions and the policy's hash are the image's, and every error the
// copy raises is reported at the image instruction it was copied from. The copy is verified
// like any code before a machine runs it (`PolicyImage.fastCode`).

/// The code the VM runs when it records no trace: the image's code followed by a fast section
/// in which single-use calls are inlined (`PolicyImage.fastCode(mayInline:)`).
public struct FastCode: Sendable {
  /// The image's code, then the fast section (from `sectionStart` on).
  public var code: [Instruction]
  /// Where the fast section starts: the image's instruction count.
  public var sectionStart: Int
  /// Each definition's entry points in the fast section, by jurisdiction.
  public var entries: [[UInt32]]
  /// Each definition's frame size in the fast section: its own registers, then room for the
  /// registers of the definitions inlined into it.
  public var frameSizes: [UInt16]
  /// For each instruction of the fast section, the image instruction it was copied from.
  public var origins: [UInt32]
  /// For each instruction of the fast section, the definition it runs in (the caller, for
  /// inlined instructions).
  public var owners: [UInt16]
  /// How many calls in the fast section were replaced by the callee's instructions (a call
  /// inside a body that is itself inlined counts once in each copy).
  public var inlinedCalls: Int

  /// The image instruction that `pc` (in either section) stands for.
  public func origin(of pc: Int) -> Int {
    pc >= sectionStart && pc - sectionStart < origins.count ? Int(origins[pc - sectionStart]) : pc
  }
}

extension PolicyImage {
  /// The image's code with every call inlined that can be without changing a decision or
  /// doing more work: a plain `call` (not `reasonOf`, `callAt`, nor one evaluated `as of`
  /// another date), from a place in no loop, of a rule or parameter that no other place calls
  /// in the jurisdictions that place runs for (a `callAt` may call it in any), that enters at
  /// the same instruction in each of them, records no failed condition, and that `mayInline`
  /// accepts (the VM refuses values it measures on return). Such a callee runs at most once
  /// per run of its caller, as it did through the memo, and computes the same value; the
  /// image's own code (what traces replay) is unchanged.
  ///
  /// The image must have passed `Verifier.verify(_:)`. Nil when nothing can be inlined; the
  /// result is verified (`withFastSection`), and the verifier's error thrown when it does not
  /// verify (past a limit, such as the frame size): a machine then runs the image's code.
  public func fastCode(mayInline: (Int) -> Bool) throws(VerificationError) -> FastCode? {
    guard debug.count == code.count, !definitions.isEmpty else { return nil }
    let inliner = Inliner(image: self, allowed: definitions.indices.map(mayInline))
    guard let fast = inliner.build(), fast.inlinedCalls > 0 else { return nil }
    try Verifier.verify(withFastSection(fast))
    return fast
  }

  /// This image with `fast`'s code, its definitions entering the fast section with its frame
  /// sizes, and a debug entry for each fast instruction: its origin's position, owned by the
  /// definition it was inlined into. What the verifier checks and `regula disasm --inlined`
  /// prints.
  public func withFastSection(_ fast: FastCode) -> PolicyImage {
    var image = self
    image.code = fast.code
    for (offset, origin) in fast.origins.enumerated() {
      var entry = debug[Int(origin)]
      entry.definition = fast.owners[offset]
      image.debug.append(entry)
    }
    for index in definitions.indices {
      image.definitions[index].entries = fast.entries[index]
      image.definitions[index].frameSize = fast.frameSizes[index]
    }
    return image
  }
}

/// Builds `FastCode`: each definition's body translated once, callees before callers, so a
/// body inlined into its caller already has its own callees inlined.
private struct Inliner {
  /// Past this many instructions no call is inlined (real policies have thousands): the
  /// image's code runs, and making a machine stays linear in the image.
  static let maximumCodeCount = 1 << 20
  /// Past this much work finding the jurisdictions each instruction runs for (instructions
  /// reached × jurisdictions), no call is inlined.
  static let maximumWork = 1 << 24

  let image: PolicyImage
  /// By definition: whether the VM lets it be inlined (`fastCode`'s `mayInline`).
  let allowed: [Bool]

  /// One definition's translated code, with targets local to it.
  struct Body {
    var words: [Instruction] = []
    var origins: [UInt32] = []
    /// Entry points by jurisdiction, local.
    var entries: [Int] = []
    var frame = 0
    var inlinedCalls = 0
  }

  init(image: PolicyImage, allowed: [Bool]) {
    self.image = image
    self.allowed = allowed
  }

  func build() -> FastCode? {
    let code = image.code
    let jurisdictionCount = max(image.jurisdictions.count, 1)
    var pcs = [[Int]](repeating: [], count: image.definitions.count)
    var callees = [[Int]](repeating: [], count: image.definitions.count)
    for pc in code.indices {
      let owner = Int(image.debug[pc].definition)
      guard owner < pcs.count else { return nil }
      pcs[owner].append(pc)
      if let callee = calledDefinition(at: pc), callee < image.definitions.count {
        callees[owner].append(callee)
      }
    }
    // The jurisdictions each instruction runs for (its definition's entry points that reach
    // it), and the places that call each definition in each jurisdiction (a `callAt` calls it
    // in any).
    guard code.count <= Inliner.maximumCodeCount else { return nil }
    var runsFor = [Set<Int>](repeating: [], count: code.count)
    var work = 0
    for (definition, info) in image.definitions.enumerated() where !pcs[definition].isEmpty {
      var byEntry: [UInt32: [Int]] = [:]
      for (jurisdiction, entry) in info.entries.enumerated() {
        byEntry[entry, default: []].append(jurisdiction)
      }
      for (entry, jurisdictions) in byEntry {
        let reached = reached(from: Int(entry))
        work += reached.count * (1 + jurisdictions.count)
        guard work <= Inliner.maximumWork else { return nil }
        for pc in reached { runsFor[pc].formUnion(jurisdictions) }
      }
    }
    let inLoop = loopInstructions()
    var callSites = [Int](repeating: 0, count: image.definitions.count * jurisdictionCount)
    for pc in code.indices {
      guard let callee = calledDefinition(at: pc), callee < image.definitions.count else {
        continue
      }
      let places =
        code[pc].opcode == .callAt ? Set(0..<jurisdictionCount) : runsFor[pc]
      for jurisdiction in places where jurisdiction < jurisdictionCount {
        callSites[callee * jurisdictionCount + jurisdiction] += 1
      }
    }
    let sites = CallSites(
      jurisdictionCount: jurisdictionCount, counts: callSites, runsFor: runsFor, inLoop: inLoop)
    var bodies = [Body?](repeating: nil, count: image.definitions.count)
    for definition in postOrder(callees) {
      // (Jumps shortened again: a load gone may leave a jump to the next word.)
      bodies[definition] = Inliner.withShorterJumps(
        Inliner.withLoadsTrimmed(
          Inliner.withShorterJumps(
            translate(definition, pcs: pcs[definition], sites: sites, bodies: bodies))))
    }
    var fast = FastCode(
      code: code, sectionStart: code.count, entries: [], frameSizes: [], origins: [], owners: [],
      inlinedCalls: 0)
    for (definition, body) in bodies.enumerated() {
      guard let body else { return nil }
      let base = fast.code.count
      fast.code += Inliner.relocated(body.words, registerOffset: 0) { base + $0 }
      fast.origins += body.origins
      fast.owners += Array(repeating: UInt16(definition), count: body.words.count)
      fast.entries.append(body.entries.map { UInt32(base + $0) })
      fast.frameSizes.append(UInt16(body.frame))
      fast.inlinedCalls += body.inlinedCalls
    }
    guard fast.code.count <= Verifier.maximumCodeCount else { return nil }
    return fast
  }

  /// The definition a `call`, `reasonOf` or `callAt` at `pc` needs.
  func calledDefinition(at pc: Int) -> Int? {
    switch image.code[pc].opcode {
    case .call, .reasonOf: Int(image.code[pc].bc)
    case .callAt: pc + 1 < image.code.count ? Int(image.code[pc + 1].bc) : nil
    default: nil
    }
  }

  /// Definitions ordered so that each comes after every definition it calls (the verifier
  /// proved the call graph acyclic). An explicit stack, not recursion.
  func postOrder(_ callees: [[Int]]) -> [Int] {
    var state = [UInt8](repeating: 0, count: callees.count)  // 0 new, 1 open, 2 done
    var order: [Int] = []
    for root in callees.indices where state[root] == 0 {
      var stack: [(node: Int, next: Int)] = [(root, 0)]
      state[root] = 1
      while let top = stack.last {
        if top.next < callees[top.node].count {
          stack[stack.count - 1].next += 1
          let callee = callees[top.node][top.next]
          if callee < callees.count, state[callee] == 0 {
            state[callee] = 1
            stack.append((callee, 0))
          }
          continue
        }
        state[top.node] = 2
        order.append(top.node)
        stack.removeLast()
      }
    }
    return order
  }

  /// The instructions that can run after the one at `pc`.
  func successors(_ pc: Int) -> [Int] { image.code.successors(of: pc) }

  /// The instructions reached from `entry` (in its definition: the verifier proved control
  /// never leaves it).
  func reached(from entry: Int) -> [Int] {
    guard entry < image.code.count else { return [] }
    var seen: Set<Int> = [entry]
    var work = [entry]
    while let pc = work.popLast() {
      if image.code[pc].opcode.hasExtraWord, pc + 1 < image.code.count { seen.insert(pc + 1) }
      for next in successors(pc) where seen.insert(next).inserted { work.append(next) }
    }
    return Array(seen)
  }

  /// By instruction: true when it can run again after it ran (it is on a cycle of the control
  /// flow). Tarjan's strongly connected components, with an explicit stack: O(n).
  func loopInstructions() -> [Bool] {
    let code = image.code
    var index = [Int](repeating: -1, count: code.count)
    var lowLink = [Int](repeating: 0, count: code.count)
    var onStack = [Bool](repeating: false, count: code.count)
    var inLoop = [Bool](repeating: false, count: code.count)
    var stack: [Int] = []
    var counter = 0
    for root in code.indices where index[root] < 0 && code[root].opcode != .extra {
      var frames: [(pc: Int, successors: [Int], next: Int)] = []
      func open(_ pc: Int) {
        index[pc] = counter
        lowLink[pc] = counter
        counter += 1
        stack.append(pc)
        onStack[pc] = true
        frames.append((pc, successors(pc), 0))
      }
      open(root)
      while let top = frames.last {
        if top.next < top.successors.count {
          frames[frames.count - 1].next += 1
          let next = top.successors[top.next]
          if next == top.pc { inLoop[next] = true }
          if index[next] < 0 {
            open(next)
          } else if onStack[next] {
            lowLink[top.pc] = min(lowLink[top.pc], index[next])
          }
          continue
        }
        frames.removeLast()
        if let parent = frames.last {
          lowLink[parent.pc] = min(lowLink[parent.pc], lowLink[top.pc])
        }
        guard lowLink[top.pc] == index[top.pc] else { continue }
        // `top` roots a component: pop it; more than one instruction makes a cycle.
        var members: [Int] = []
        while let member = stack.popLast() {
          onStack[member] = false
          members.append(member)
          if member == top.pc { break }
        }
        if members.count > 1 { for member in members { inLoop[member] = true } }
      }
    }
    return inLoop
  }

  /// Where each definition is called from, by jurisdiction.
  struct CallSites {
    let jurisdictionCount: Int
    /// By definition × jurisdiction: the places that call it there.
    let counts: [Int]
    /// By instruction: the jurisdictions it runs for.
    let runsFor: [Set<Int>]
    /// By instruction: whether it is in a loop (`loopInstructions`).
    let inLoop: [Bool]
  }

  /// The definition the `call` at `pc` in `caller` may be replaced by, and its entry point
  /// (in every jurisdiction the call runs for), or nil.
  func inlinedCallee(
    at pc: Int, in caller: Int, sites: CallSites, bodies: [Body?]
  ) -> (callee: Int, entry: Int)? {
    let instruction = image.code[pc]
    guard instruction.opcode == .call else { return nil }
    let callee = Int(instruction.bc)
    let places = sites.runsFor[pc]
    guard callee < image.definitions.count, callee != caller, let body = bodies[callee],
      let first = places.first,
      places.allSatisfy({ sites.counts[callee * sites.jurisdictionCount + $0] == 1 })
    else { return nil }
    let entry = body.entries[first]
    guard image.definitions[callee].kind != .decision,
      places.allSatisfy({ body.entries[$0] == entry }), allowed[callee],
      !body.words.contains(where: { $0.opcode == .failCondition }),
      Int(image.definitions[caller].frameSize) + body.frame <= Verifier.maximumFrameSize,
      pc == 0 || image.code[pc - 1].opcode != .pushDate,
      !sites.inLoop[pc]
    else { return nil }
    return (callee, entry)
  }

  /// `definition`'s code with its inlinable calls replaced, targets local to the body.
  func translate(_ definition: Int, pcs: [Int], sites: CallSites, bodies: [Body?]) -> Body {
    let code = image.code
    let ownFrame = Int(image.definitions[definition].frameSize)
    var body = Body(frame: ownFrame)
    var position: [Int: Int] = [:]
    // Words whose target operands still hold image instruction indexes.
    var pending: [Int] = []
    for pc in pcs where code[pc].opcode != .extra {
      position[pc] = body.words.count
      let instruction = code[pc]
      if let (callee, entry) = inlinedCallee(at: pc, in: definition, sites: sites, bodies: bodies),
        let inlined = bodies[callee]
      {
        append(
          inlined, entry: entry, into: &body, result: instruction.a, registerOffset: ownFrame)
        continue
      }
      pending.append(body.words.count)
      body.words.append(instruction)
      body.origins.append(UInt32(pc))
      if instruction.opcode.hasExtraWord, pc + 1 < code.count {
        position[pc + 1] = body.words.count
        body.words.append(code[pc + 1])
        body.origins.append(UInt32(pc + 1))
      }
    }
    // Targets are image indexes inside the definition (the verifier proved it): map them.
    for index in pending {
      let count = body.words[index].opcode.hasExtraWord ? 2 : 1
      let words = Inliner.relocated(
        Array(body.words[index..<min(index + count, body.words.count)]), registerOffset: 0
      ) {
        position[$0] ?? $0
      }
      body.words.replaceSubrange(index..<index + words.count, with: words)
    }
    body.entries = image.definitions[definition].entries.map { position[Int($0)] ?? 0 }
    return body
  }

  /// Appends `callee`'s body from `entry` in place of a call writing `result`: its registers
  /// moved past the caller's own, each `return` made a `move` to `result` and a jump past the body. Words no
  /// path from the entry reaches (the `fail` after the last `return`) are left out; a jump to
  /// the word after the body is left out; and a `return` that only the instruction before it
  /// reaches, when that instruction just writes the returned register, becomes that
  /// instruction writing `result` itself.
  func append(
    _ callee: Body, entry: Int, into body: inout Body, result: UInt16, registerOffset: Int
  ) {
    let words = callee.words
    // Reachable words (an instruction and its extra word together) and jump targets.
    var reachable = [Bool](repeating: false, count: words.count)
    var targeted = [Bool](repeating: false, count: words.count)
    var work = [entry]
    reachable[entry] = true
    while let index = work.popLast() {
      if words[index].opcode.hasExtraWord, index + 1 < words.count { reachable[index + 1] = true }
      let fallThrough = index + (words[index].opcode.hasExtraWord ? 2 : 1)
      for next in words.successors(of: index) {
        if next != fallThrough { targeted[next] = true }
        if !reachable[next] {
          reachable[next] = true
          work.append(next)
        }
      }
    }
    // The instruction before each return that writes the returned register and is its only way
    // in: it writes `result` instead.
    var forwarded = [Bool](repeating: false, count: words.count)
    var writesResult = [Bool](repeating: false, count: words.count)
    for index in words.indices where reachable[index] && words[index].opcode == .return {
      guard index > 0, !targeted[index], index != entry else { continue }
      let owner = words[index - 1].opcode == .extra ? index - 2 : index - 1
      guard owner >= 0, reachable[owner], words[owner].opcode != .extra,
        owner + (words[owner].opcode.hasExtraWord ? 2 : 1) == index,
        Inliner.writesOnlyA(words[owner].opcode), words[owner].a == words[index].a
      else { continue }
      forwarded[index] = true
      writesResult[owner] = true
    }
    let last = words.indices.last { reachable[$0] } ?? 0
    let start = body.words.count
    let prefix = entry == 0 ? 0 : 1
    var newPosition = [Int](repeating: 0, count: words.count + 1)
    var length = prefix
    for (index, word) in words.enumerated() {
      newPosition[index] = length
      guard reachable[index] else { continue }
      if word.opcode == .return {
        length += (forwarded[index] ? 0 : 1) + (index == last ? 0 : 1)
      } else {
        length += 1
      }
    }
    newPosition[words.count] = length
    let end = start + length
    if prefix == 1 {
      body.words.append(Instruction(.jump, 0, wide: UInt32(start + newPosition[entry])))
      body.origins.append(callee.origins[entry])
    }
    let moved = Inliner.relocated(words, registerOffset: registerOffset) {
      start + newPosition[min($0, words.count)]
    }
    for (index, word) in moved.enumerated() where reachable[index] {
      if word.opcode == .return {
        if !forwarded[index] {
          body.words.append(Instruction(.move, result, word.a))
          body.origins.append(callee.origins[index])
        }
        if index != last {
          body.words.append(Instruction(.jump, 0, wide: UInt32(end)))
          body.origins.append(callee.origins[index])
        }
      } else {
        var word = word
        if writesResult[index] { word.a = result }
        body.words.append(word)
        body.origins.append(callee.origins[index])
      }
    }
    body.frame = max(body.frame, registerOffset + callee.frame)
    body.inlinedCalls += 1 + callee.inlinedCalls
  }

  // MARK: Jumps

  /// `body` with fewer jumps dispatched, none of them changing what runs: a jump to a `jump`
  /// goes to that jump's target; a `jump` to a `return` becomes the `return`; a conditional
  /// jump over a `jump` becomes the opposite condition to its target; a `jump` to the next
  /// word goes. (Inlined bodies end in jumps past them, and the compiler's `if` and `match`
  /// leave jumps over jumps.)
  static func withShorterJumps(_ input: Body) -> Body {
    var body = input
    for _ in 0..<4 {
      let words = body.words
      var changed = false
      var deleted = [Bool](repeating: false, count: words.count)
      // Where a jump's target leads once through any chain of `jump`s (at most a few steps).
      func final(_ target: Int) -> Int {
        var target = target
        var steps = 0
        while target < words.count, words[target].opcode == .jump, steps < 8 {
          let next = Int(words[target].bc)
          if next == target { break }
          target = next
          steps += 1
        }
        return target
      }
      var targeted = [Bool](repeating: false, count: words.count)
      for index in words.indices where words[index].opcode != .extra {
        for next in words.successors(of: index)
        where next != index + (words[index].opcode.hasExtraWord ? 2 : 1) {
          targeted[next] = true
        }
      }
      for entry in body.entries where entry < targeted.count { targeted[entry] = true }
      var index = 0
      while index < words.count {
        let word = words[index]
        let layout = word.opcode.layout
        let size = layout.extra == nil ? 1 : 2
        // Threading: every target through the jumps it meets.
        var threaded = body.words[index]
        for operand in layout.operands where operand.kind == .target {
          let target = threaded.operand(operand.slot)
          let through = final(target)
          if through != target {
            threaded = threaded.with(operand.slot, through)
            changed = true
          }
        }
        body.words[index] = threaded
        if let extra = layout.extra, extra.kind == .target, index + 1 < words.count {
          let target = body.words[index + 1].operand(extra.slot)
          let through = final(target)
          if through != target {
            body.words[index + 1] = body.words[index + 1].with(extra.slot, through)
            changed = true
          }
        }
        let current = body.words[index]
        if current.opcode == .jump {
          let target = Int(current.bc)
          if target < words.count, words[target].opcode == .return {
            body.words[index] = words[target]
            body.origins[index] = body.origins[target]
            changed = true
          } else if target == index + 1 {
            // What jumps here goes on to the next word, as this jump did.
            deleted[index] = true
            changed = true
          }
        } else if let opposite = Inliner.opposite(current.opcode),
          index + size < words.count, words[index + size].opcode == .jump,
          !targeted[index + size], !deleted[index + size]
        {
          // `if c goto A; goto B; A:` is `if not c goto B; A:`.
          let jumpsTo = layout.extra == nil ? current.bc : body.words[index + 1].bc
          if jumpsTo == index + size + 1 {
            let destination = Int(words[index + size].bc)
            var flipped = current
            flipped.opcode = opposite
            if layout.extra == nil {
              flipped = flipped.with(.bc, destination)
            } else {
              body.words[index + 1] = body.words[index + 1].with(.bc, destination)
            }
            body.words[index] = flipped
            deleted[index + size] = true
            changed = true
          }
        }
        index += size
      }
      guard changed else { break }
      body = compacted(body, deleting: deleted)
    }
    return body
  }

  /// The conditional jump that jumps when `opcode` does not (nil for one with no opposite).
  static func opposite(_ opcode: Opcode) -> Opcode? {
    switch opcode {
    case .jumpIfTrue: .jumpIfFalse
    case .jumpIfFalse: .jumpIfTrue
    case .jumpIfLess: .jumpIfNotLess
    case .jumpIfNotLess: .jumpIfLess
    case .jumpIfEqual: .jumpIfNotEqual
    case .jumpIfNotEqual: .jumpIfEqual
    default: nil
    }
  }

  // MARK: Constants

  /// `body` with fewer loads run: a `move` or `constant` to a register no word reads goes (the
  /// variable an `any … where` binds, say); and a register that only `constant` words of one
  /// constant write (every other word that names it only reads it), one of them in a loop, is
  /// loaded once before each entry point instead, and those words go. Every read of such a
  /// register follows a load on every path (the verifier proved it), so every read sees the
  /// same value as before; a load neither fails nor counts a step.
  static func withLoadsTrimmed(_ body: Body) -> Body {
    let words = body.words
    // By register: the constant its loads load, and the index of one of them.
    var loads: [Int: (constant: Int, at: Int)] = [:]
    var excluded = Set<Int>()
    // The registers some word reads (or may: every register a word names that it does not
    // only write).
    var read = Set<Int>()
    var inLoop = Set<Int>()
    // The loops: the words between a backward jump's target and the jump (the compiler's and
    // the inliner's code is structured: that is each loop's body).
    var backward: [(from: Int, to: Int)] = []
    var index = 0
    while index < words.count {
      let word = words[index]
      let layout = word.opcode.layout
      for next in words.successors(of: index) where next <= index {
        backward.append((index, next))
      }
      if word.opcode == .constant {
        let register = Int(word.a)
        if let known = loads[register], known.constant != Int(word.bc) {
          excluded.insert(register)
        } else if loads[register] == nil {
          loads[register] = (Int(word.bc), index)
        }
      } else {
        // What the word may write: `a` of an opcode that writes only `a`; every register named
        // by an opcode that is neither that nor a jump or `return` (which only read).
        let writesA = writesOnlyA(word.opcode)
        let onlyReads = readsOnly(word.opcode)
        var operands = layout.operands.map { (operand: $0, holder: word, isExtra: false) }
        if let extra = layout.extra, index + 1 < words.count {
          operands.append((extra, words[index + 1], true))
        }
        for (operand, holder, isExtra) in operands {
          let value = holder.operand(operand.slot)
          let named: Range<Int>
          switch operand.kind {
          case .register: named = value..<value + 1
          case .registerRun: named = value..<value + Int(word.c)
          case .registerTriple: named = value..<value + 3
          default: continue
          }
          let writtenA = !isExtra && operand.slot == .a && operand.kind == .register
          if !onlyReads && (!writesA || writtenA) { excluded.formUnion(named) }
          if !(writesA && writtenA) { read.formUnion(named) }
        }
      }
      index += layout.extra == nil ? 1 : 2
    }
    for (register, load) in loads where !excluded.contains(register) {
      if backward.contains(where: { $0.to <= load.at && load.at <= $0.from }) {
        inLoop.insert(register)
      }
    }
    // Every load of a register whose loads are in a loop goes, loaded before each entry
    // instead; a load or move to a register no word reads goes.
    let hoisted = inLoop.filter { read.contains($0) }.sorted()
    var deleted = [Bool](repeating: false, count: words.count)
    for (position, word) in words.enumerated() {
      let register = Int(word.a)
      switch word.opcode {
      case .constant: deleted[position] = inLoop.contains(register) || !read.contains(register)
      case .move: deleted[position] = !read.contains(register)
      default: break
      }
    }
    guard !hoisted.isEmpty || deleted.contains(true) else { return body }
    let entries = Set(body.entries)
    var newPosition = [Int](repeating: 0, count: words.count + 1)
    var length = 0
    for position in words.indices {
      newPosition[position] = length
      if entries.contains(position) { length += hoisted.count }
      if !deleted[position] { length += 1 }
    }
    newPosition[words.count] = length
    let moved = relocated(words, registerOffset: 0) { newPosition[min($0, words.count)] }
    var result = body
    result.words = []
    result.origins = []
    for position in words.indices {
      if entries.contains(position) {
        for register in hoisted {
          let load = loads[register]!
          result.words.append(Instruction(.constant, UInt16(register), wide: UInt32(load.constant)))
          result.origins.append(body.origins[load.at])
        }
      }
      if !deleted[position] {
        result.words.append(moved[position])
        result.origins.append(body.origins[position])
      }
    }
    result.entries = body.entries.map { newPosition[min($0, words.count)] }
    return result
  }

  /// True for an opcode that only reads the registers it names (a jump's condition, the value
  /// returned).
  static func readsOnly(_ opcode: Opcode) -> Bool {
    switch opcode {
    case .jumpIfFalse, .jumpIfTrue, .jumpIfNone, .jumpIfNotLess, .jumpIfLess, .jumpIfEqual,
      .jumpIfNotEqual, .return:
      true
    default: false
    }
  }

  /// `body` without the words marked in `deleted` (single-word jumps: a target of a deleted
  /// word moves to the word after it), targets and entries moved with the words.
  static func compacted(_ body: Body, deleting deleted: [Bool]) -> Body {
    guard deleted.contains(true) else { return body }
    var newPosition = [Int](repeating: 0, count: body.words.count + 1)
    var count = 0
    for index in body.words.indices {
      newPosition[index] = count
      if !deleted[index] { count += 1 }
    }
    newPosition[body.words.count] = count
    let kept = body.words.indices.filter { !deleted[$0] }
    var result = body
    result.words = relocated(kept.map { body.words[$0] }, registerOffset: 0) {
      newPosition[min($0, body.words.count)]
    }
    result.origins = kept.map { body.origins[$0] }
    result.entries = body.entries.map { newPosition[min($0, body.words.count)] }
    return result
  }

  /// True for an opcode that writes register `a` and reads only its other operands: its
  /// destination can be renamed without changing what it computes.
  static func writesOnlyA(_ opcode: Opcode) -> Bool {
    switch opcode {
    case .move, .constant, .input, .asOf, .add, .subtract, .multiply, .negate, .durationAdd,
      .durationSubtract, .durationMultiply, .durationNegate, .toRational, .rationalAdd,
      .rationalSubtract, .rationalMultiply, .rationalDivide, .rationalNegate, .divideRound,
      .round, .roundPlaces, .roundMultiple, .scale, .rationalScale, .equal, .less, .lessEqual,
      .rationalEqual, .rationalLess, .rationalLessEqual, .textEqual, .deepEqual, .not, .none,
      .isNone, .field, .inputField, .length, .item, .dateAddDays, .dateAddMonths,
      .dateAddYears, .age, .monthsBetween, .daysBetween, .datePart, .makeDate, .call,
      .reasonOf, .callAt, .newList, .newRecord:
      true
    default: false
    }
  }

  /// `words` (instructions with their `extra` words) with every register operand moved by
  /// `registerOffset` and every target operand mapped by `target`.
  static func relocated(_ words: [Instruction], registerOffset: Int, target: (Int) -> Int)
    -> [Instruction]
  {
    var result = words
    var index = 0
    while index < words.count {
      let layout = words[index].opcode.layout
      for operand in layout.operands {
        result[index] = moved(result[index], operand, registerOffset, target)
      }
      if let extra = layout.extra, index + 1 < words.count {
        result[index + 1] = moved(result[index + 1], extra, registerOffset, target)
        index += 2
      } else {
        index += 1
      }
    }
    return result
  }

  static func moved(
    _ word: Instruction, _ operand: (slot: OperandSlot, kind: OperandKind), _ registerOffset: Int,
    _ target: (Int) -> Int
  ) -> Instruction {
    let value = word.operand(operand.slot)
    switch operand.kind {
    case .register, .registerRun, .registerTriple:
      return word.with(operand.slot, value + registerOffset)
    case .target: return word.with(operand.slot, target(value))
    default: return word
    }
  }
}

extension Instruction {
  /// This instruction with the operand in `slot` set to `value` (truncated to the slot).
  func with(_ slot: OperandSlot, _ value: Int) -> Instruction {
    var result = self
    switch slot {
    case .a: result.a = UInt16(truncatingIfNeeded: value)
    case .b: result.b = UInt16(truncatingIfNeeded: value)
    case .c: result.c = UInt16(truncatingIfNeeded: value)
    case .bc:
      result.b = UInt16(truncatingIfNeeded: value >> 16)
      result.c = UInt16(truncatingIfNeeded: value)
    }
    return result
  }
}

extension Array where Element == Instruction {
  /// The instructions that can run after the one at `index`: the next one unless it ends a
  /// path, and its jump target (none after an `extra` word). What the inliner and the VM's
  /// work costs follow.
  package func successors(of index: Int) -> [Int] {
    let instruction = self[index]
    guard instruction.opcode != .extra else { return [] }
    let layout = instruction.opcode.layout
    var result: [Int] = []
    if !instruction.opcode.isTerminator { result.append(index + (layout.extra == nil ? 1 : 2)) }
    for operand in layout.operands where operand.kind == .target {
      result.append(instruction.operand(operand.slot))
    }
    if let extra = layout.extra, extra.kind == .target, index + 1 < count {
      result.append(self[index + 1].operand(extra.slot))
    }
    return result.filter { $0 < count }
  }
}
