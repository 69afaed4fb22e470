// Block evaluation: up to 64 applications at once, each instruction dispatched once for every
// application (a lane) that reaches it, as OpenFisca runs a formula over a column of people
// but compiled. Registers are columns (register r of lane l at row r, column l); a branch that
// lanes take different ways splits them into groups, and the group at the lowest instruction
// runs first, so the groups meet again where the paths join (after an `if`, after a loop).
//
// Only the common case runs here: integers on the 64-bit path, input facts present, no error.
// A lane that meets anything else (a number leaving the 64-bit path, a missing fact, `fail`, a
// limit) is set aside ("evicted") and decided again from the start by the one-at-a-time loop,
// which gives every error and record its exact form. A policy whose code has an opcode this
// loop does not run (`callAt`, `as of`) is not run in blocks.

import CPrefetch

extension Machine {
  /// How many applications one block decides.
  public static let blockLanes = 64

  /// True when this machine's policy can be decided in blocks (`runBlock`): its code has
  /// only opcodes the block loop runs, at most 64 input paths, and calls at most 64 deep (the
  /// loop enters a callee by a call of its own).
  public var runsInBlocks: Bool {
    (tables.blocks.isEligible || (blocksForced && tables.blocks.fits)) && !isTracing
      && opcodeProfile == nil
  }

  /// Decides the applications `inputs` (at most `blockLanes`, each loaded into this machine's
  /// facts since its last reset) as of `asOf` in the jurisdiction `jurisdiction`, all at once,
  /// and returns the lanes decided: bit `l` set when application `l` was, its outcome then
  /// read with `blockDecision(_:lane:)`, or the block's records copied at once with
  /// `copyBlockRecords(decided:into:)`. The others (their evaluation met a missing fact, an
  /// error, a limit or a number off the 64-bit path, or the policy does not run in blocks)
  /// must be decided one at a time with `run(input:asOf:jurisdiction:)`, which gives their
  /// errors and records in full.
  ///
  /// - Complexity: the instructions the applications run, each dispatched once per group of
  ///   lanes that reach it together.
  ///
  /// - Parameter upcoming: the applications of the next block, when the caller loaded them
  ///   already: their memory is asked of the CPU while this block runs (hints, a few cache
  ///   lines at each instruction dispatched), so that the next block finds them in the cache.
  ///   Without it, this block's own applications are read into the cache first, for all
  ///   lanes at once (`warm`).
  public mutating func runBlock(
    inputs: UnsafeBufferPointer<Register>, asOf: CivilDate, jurisdiction: Int,
    upcoming: UnsafeBufferPointer<Register>? = nil
  ) -> UInt64 {
    let lanes = Machine.blockLanes
    guard runsInBlocks, !inputs.isEmpty, inputs.count <= lanes, jurisdiction >= 0,
      jurisdiction < jurisdictionCount
    else { return 0 }
    let day = asOf.daysSince1970
    if let special = image.specialisedAsOf, special != day { return 0 }
    ensureUnique()
    if !isKnownUniquelyReferenced(&blockBuffers) {
      blockBuffers = BlockBuffers(
        registers: buffers.sizes.registers, definitions: image.definitions.count,
        decisions: decisionIDs.count, paths: tables.blocks.pathsByBit,
        groups: tables.codeCount + 8, listItems: tables.blocks.listItems)
    }
    let state = blockBuffers!
    state.asOfDays = day
    var all: UInt64 = inputs.count == 64 ? ~0 : (1 << UInt64(inputs.count)) &- 1
    for lane in 0..<inputs.count {
      let input = inputs[lane]
      guard facts.holdsRecord(input, of: image.inputRecord) else {
        all &= ~(1 << UInt64(lane))
        continue
      }
      if hasDatedCases {
        // An enum case not in force on the date stops the evaluation (as `run` checks).
        inputRegister = input
        if caseNotInForce(on: asOf) != nil {
          all &= ~(1 << UInt64(lane))
          continue
        }
      }
      state.inputs[lane] = input
      state.inputFields[lane] = facts.itemsStart(input)
      state.failedCounts[lane] = 0
    }
    state.memoValid.update(repeating: 0, count: max(image.definitions.count, 1))
    state.pathLanes.update(repeating: 0, count: max(state.pathCount, 1))
    state.evicted.pointee = ~all
    state.steps.update(repeating: 0, count: Machine.blockLanes)
    state.stepEventCount.pointee = 0
    state.stepBound.pointee = 0
    var prefetching = false
    if let upcoming, !upcoming.isEmpty {
      // This block's were asked for while the last one ran: `warm` would only repeat them.
      prefetching = planPrefetch(
        after: inputs[inputs.count &- 1], through: upcoming[upcoming.count &- 1], into: state)
    } else {
      state.planNoPrefetch()
      warm(inputs, all)
    }
    let positions = decisionIDs
    let selected = decisionSelected
    // The loop reaches the machine only through this pointer (the facts it adds lists to).
    withUnsafeMutablePointer(to: &self) { machine in
      let run = BlockRun(machine: machine, state: state, jurisdiction: jurisdiction)
      for position in positions.indices {
        guard selected[position] else {
          // Not asked for: no value, as `run` leaves it.
          for lane in 0..<lanes {
            state.values[position &* lanes &+ lane] = .none
            state.reasons[position &* lanes &+ lane] = -1
          }
          continue
        }
        let id = positions[position]
        let active = all & ~state.evicted.pointee
        let missing = active & ~state.memoValid[id]
        if missing != 0 {
          if prefetching {
            run.enter(id, missing, base: 0, Prefetching.self)
          } else {
            run.enter(id, missing, base: 0, NoPrefetching.self)
          }
        }
        var decided = active & ~state.evicted.pointee
        while decided != 0 {
          let lane = decided.trailingZeroBitCount
          decided &= decided &- 1
          state.values[position &* lanes &+ lane] = state.memoValues[id &* lanes &+ lane]
          state.reasons[position &* lanes &+ lane] = state.memoReasons[id &* lanes &+ lane]
        }
      }
    }
    // The lines the loop did not get to ask for (a short block).
    let ahead = state.prefetching
    while ahead[0] < ahead[1] || ahead[2] < ahead[3] { Prefetching.step(ahead) }
    return all & ~state.evicted.pointee
  }

  /// Plans asking the CPU for the stores of the applications loaded after the input record
  /// `last` up to the input record `next`: the list entries and items between the two
  /// records' (a reader loads an application's lists and records together, before its input
  /// record). The block loop asks for three cache lines of them at each instruction it
  /// dispatches (`Prefetching.step`), and the block asks for any left when it ends.
  /// (Asking for all ~490 lines of a W1 block at once, as before, left the loop waiting on
  /// memory all the same — the CPU keeps only a few dozen misses in flight; spread out, W1 in
  /// blocks went from 0.18–0.20 to 0.23–0.29 of the hand-written function.) Only hints: an
  /// order of loading other than that makes them useless, never wrong. At most 1 MiB of each
  /// store is asked for. Returns false when it plans nothing (the registers are not two input
  /// records in order).
  func planPrefetch(after last: Register, through next: Register, into state: BlockBuffers)
    -> Bool
  {
    state.planNoPrefetch()
    let header = facts.header.pointee
    guard last.tag == 0, next.tag == 0, last.word >= 0, last.word < next.word,
      Int(next.word) < header.listCount
    else { return false }
    let limit = 1 << 20
    let lists = Int(bitPattern: header.lists)
    let stride = MemoryLayout<ListEntry>.stride
    let listsStart = (Int(last.word) &+ 1) &* stride
    let listsEnd = min((Int(next.word) &+ 1) &* stride, listsStart &+ limit)
    let from = header.lists[Int(last.word)]
    let to = header.lists[Int(next.word)]
    let items = Int(bitPattern: header.items)
    let itemStride = MemoryLayout<Register>.stride
    let itemsStart = (Int(from.start) &+ Int(from.count)) &* itemStride
    let itemsEnd = min((Int(to.start) &+ Int(to.count)) &* itemStride, itemsStart &+ limit)
    state.prefetching[0] = items &+ itemsStart
    state.prefetching[1] = items &+ max(itemsEnd, itemsStart)
    state.prefetching[2] = lists &+ listsStart
    state.prefetching[3] = lists &+ max(listsEnd, listsStart)
    return true
  }

  /// Reads the block's applications into the cache before the loop does, a level at a time
  /// for all lanes (each lane's loads wait on none of the other lanes'): their input records,
  /// then the lists of records among their fields, then those records. The loop's own reads,
  /// an instruction for all lanes at a time, would otherwise wait on memory lane by lane.
  mutating func warm(_ inputs: UnsafeBufferPointer<Register>, _ lanes: UInt64) {
    let header = facts.header.pointee
    let items = header.items
    let lists = header.lists
    let fieldCount = image.records[image.inputRecord].fields.count
    var sink: Int64 = 0
    var each = lanes
    while each != 0 {
      let lane = each.trailingZeroBitCount
      each &= each &- 1
      guard fieldCount > 0 else { break }
      let start = Int(lists[Int(inputs[lane].word)].start)
      sink ^= items[start].word ^ items[start &+ fieldCount &- 1].word
    }
    for field in tables.blocks.recordListFields {
      each = lanes
      while each != 0 {
        let lane = each.trailingZeroBitCount
        each &= each &- 1
        let list = items[Int(lists[Int(inputs[lane].word)].start) &+ field]
        guard list.tag == 0 else { continue }
        let entry = lists[Int(list.word)]
        guard entry.builder < 0, entry.count > 0 else { continue }
        sink ^= items[Int(entry.start)].word ^ items[Int(entry.start) &+ Int(entry.count) &- 1].word
      }
      each = lanes
      while each != 0 {
        let lane = each.trailingZeroBitCount
        each &= each &- 1
        let list = items[Int(lists[Int(inputs[lane].word)].start) &+ field]
        guard list.tag == 0 else { continue }
        let entry = lists[Int(list.word)]
        guard entry.builder < 0 else { continue }
        for index in 0..<Int(entry.count) {
          let record = items[Int(entry.start) &+ index]
          guard record.tag == 0 else { continue }
          let fields = lists[Int(record.word)]
          guard fields.count > 0, fields.builder < 0 else { continue }
          sink ^= items[Int(fields.start)].word
        }
      }
    }
    blockSink = sink
  }

  /// Decision `position`'s register and reason text index (-1: none) in lane `lane` of the
  /// last `runBlock`, a lane it decided: read without making the lane the machine's outcome.
  public func blockDecision(_ position: Int, lane: Int) -> (value: Register, reason: Int32) {
    guard let state = blockBuffers, position >= 0, position < decisionIDs.count, lane >= 0,
      lane < Machine.blockLanes
    else { return (.none, -1) }
    let index = position &* Machine.blockLanes &+ lane
    return (state.values[index], state.reasons[index])
  }
}

/// What a policy's code allows of block evaluation, worked out once per image.
struct BlockPlan {
  /// True when the block loop runs every opcode of the code (`fail` and `conflict` set lanes
  /// aside, as errors), and the code `fits`.
  var isEligible = false
  /// True when the code has at most 64 input paths and calls at most `maximumCallDepth`
  /// deep: blocks can run it, setting lanes aside at the opcodes the loop does not run
  /// (`Machine.blocksForced`).
  var fits = false
  /// By text index: the bit an input path has in a lane's set of paths read, or -1.
  var pathBits: [Int8] = []
  /// How many input paths the code reads.
  var pathCount = 0
  /// By bit: the path's text index (bits in the order of the paths' texts).
  var pathsByBit: [Int32] = []
  /// The input record's fields that hold lists of records (`Machine.warm`).
  var recordListFields: [Int] = []
  /// The most items a `newList` or `newRecord` of the code builds.
  var listItems = 0

  /// The deepest chain of calls the block loop may follow (it enters a callee by a call of
  /// its own: the chain bounds its depth on the thread's stack).
  static let maximumCallDepth = 64

  /// - Parameter entries: by memo slot (definition × jurisdiction), the entry points of the
  ///   code untraced evaluations may run: the inlined code's, and the image's.
  init(code instructions: [Instruction], image: PolicyImage, entries: [[Int]]) {
    pathBits = Array(repeating: -1, count: max(image.texts.count, 1))
    for points in entries {
      guard
        BlockPlan.callDepth(instructions, image: image, entries: points)
          <= BlockPlan.maximumCallDepth
      else { return }
    }
    let count = instructions.count
    var paths = Set<Int>()
    var runsAll = true
    var pc = 0
    while pc < count {
      let instruction = instructions[pc]
      switch instruction.opcode {
      case .move, .constant, .input, .asOf, .add, .subtract, .multiply, .negate, .scale, .equal,
        .less, .lessEqual, .textEqual, .not, .jump, .jumpIfFalse, .jumpIfTrue, .jumpIfNotLess,
        .jumpIfLess, .jumpIfEqual, .jumpIfNotEqual, .jumpIfNone, .none, .isNone, .next, .nextLoop,
        .length, .item, .divideRound, .call, .reasonOf, .return, .failCondition, .fail, .conflict,
        .step, .extra, .durationAdd, .durationSubtract, .durationMultiply, .durationNegate,
        .toRational, .rationalAdd, .rationalSubtract, .rationalMultiply, .rationalDivide,
        .rationalEqual, .rationalLess, .rationalLessEqual, .rationalNegate, .rationalScale, .round,
        .roundPlaces, .roundMultiple, .dateAddDays, .dateAddMonths, .dateAddYears, .age,
        .monthsBetween, .daysBetween, .datePart, .makeDate, .listBuilder, .append, .deepEqual:
        break
      case .newList, .newRecord:
        listItems = max(listItems, Int(instruction.c))
      case .field, .inputField:
        if pc + 1 < count, instructions[pc + 1].a == 0 {
          paths.insert(Int(instructions[pc + 1].bc))
        }
      default:
        runsAll = false
      }
      pc += 1
    }
    guard paths.count <= 64, paths.allSatisfy({ $0 < image.texts.count }) else { return }
    // Bits in the order of the paths' texts: a lane's set lists them sorted.
    for (bit, path) in paths.sorted(by: { image.texts[$0] < image.texts[$1] }).enumerated() {
      pathBits[path] = Int8(bit)
      pathsByBit.append(Int32(path))
    }
    pathCount = paths.count
    if image.inputRecord < image.records.count {
      for (index, field) in image.records[image.inputRecord].fields.enumerated() {
        if case .list(.record) = field.type { recordListFields.append(index) }
      }
    }
    fits = true
    isEligible = runsAll
  }
}

extension BlockPlan {
  /// The longest chain of definitions calling one another (a definition alone: 1) in the code
  /// from `entries`, each definition's code followed from its entries for every jurisdiction
  /// (`callAt` included); no recursion. The verifier proved the calls acyclic; a cycle met
  /// anyway counts as too deep.
  static func callDepth(_ code: [Instruction], image: PolicyImage, entries: [Int]) -> Int {
    let definitions = image.definitions.count
    guard definitions > 0 else { return 0 }
    let jurisdictions = max(entries.count / definitions, 1)
    // The definitions each definition's code calls.
    var callees = [[Int]](repeating: [], count: definitions)
    var seen = [Int](repeating: -1, count: code.count)
    for id in 0..<definitions {
      var stack = (0..<jurisdictions).map { entries[id * jurisdictions + $0] }
        .filter { $0 >= 0 && $0 < code.count }
      while let pc = stack.popLast() {
        guard seen[pc] != id else { continue }
        seen[pc] = id
        let instruction = code[pc]
        switch instruction.opcode {
        case .call, .reasonOf:
          if Int(instruction.bc) < definitions { callees[id].append(Int(instruction.bc)) }
        case .callAt:
          if pc + 1 < code.count, Int(code[pc + 1].bc) < definitions {
            callees[id].append(Int(code[pc + 1].bc))
          }
        default: break
        }
        stack.append(contentsOf: code.successors(of: pc).filter { $0 < code.count })
      }
    }
    // Depths, children first (0 unknown, -1 on the path being walked).
    var depth = [Int](repeating: 0, count: definitions)
    var deepest = 0
    for root in 0..<definitions where depth[root] == 0 {
      var path: [(id: Int, next: Int)] = [(root, 0)]
      depth[root] = -1
      while let top = path.last {
        if top.next < callees[top.id].count {
          path[path.count - 1].next += 1
          let callee = callees[top.id][top.next]
          if depth[callee] == -1 { return Int.max }
          if depth[callee] == 0 {
            depth[callee] = -1
            path.append((callee, 0))
          }
          continue
        }
        depth[top.id] = 1 + (callees[top.id].map { depth[$0] }.max() ?? 0)
        deepest = max(deepest, depth[top.id])
        path.removeLast()
      }
    }
    return deepest
  }
}

/// The columns a machine's block evaluations write, allocated at its first block.
final class BlockBuffers {
  /// The `all of` failures a lane can record before it is set aside.
  static let failedCapacity = 16
  let registers: UnsafeMutablePointer<Register>
  let memoValues: UnsafeMutablePointer<Register>
  let memoReasons: UnsafeMutablePointer<Int32>
  /// By definition: the lanes whose memo holds its value (in the block's jurisdiction).
  let memoValid: UnsafeMutablePointer<UInt64>
  let values: UnsafeMutablePointer<Register>
  let reasons: UnsafeMutablePointer<Int32>
  let inputs: UnsafeMutablePointer<Register>
  let inputFields: UnsafeMutablePointer<Int>
  /// By lane: the steps its evaluation counted (definitions entered, loop passes), as the
  /// one-at-a-time loop counts them — with the counts still pending in `stepEvents`.
  let steps: UnsafeMutablePointer<Int>
  /// Counts not yet added to `steps`: each a cost and the lanes it was counted on. While no
  /// lane can pass the limit — `stepBound`, the sum of every cost counted in the block, is at
  /// most the limit — a count is only noted here, once for all its lanes; the lanes' own sums
  /// are made (`foldSteps`) when a lane's steps are read (a value measured, `deepEqual`), or
  /// before a count that could pass the limit, which is then counted lane by lane
  /// (`copyBlockRecords` copies the pending counts; a lane's are added up when it is adopted).
  let stepEvents: UnsafeMutablePointer<(cost: Int, lanes: UInt64)>
  let stepEventCount: UnsafeMutablePointer<Int>
  /// At least the steps of any lane not set aside.
  let stepBound: UnsafeMutablePointer<Int>
  static let stepEventCapacity = 256
  /// By path bit (`BlockPlan.pathBits`): the lanes that read the path.
  let pathLanes: UnsafeMutablePointer<UInt64>
  /// How many input paths the code reads, and by bit the path's text index (`BlockPlan`).
  let pathCount: Int
  let pathsByBit: UnsafeMutablePointer<Int32>
  /// Room for one lane's items of a list or record built (`newList`, `newRecord`).
  let listScratch: UnsafeMutablePointer<Register>
  let failed: UnsafeMutablePointer<(definition: Int32, reason: Int32)>
  let failedCounts: UnsafeMutablePointer<Int>
  /// Pending groups of lanes (instruction, lanes), a stack of each entered definition's.
  let groups: UnsafeMutablePointer<(pc: Int, mask: UInt64)>
  let groupTop: UnsafeMutablePointer<Int>
  let evicted: UnsafeMutablePointer<UInt64>
  /// The addresses still to ask the CPU for (`Machine.planPrefetch`): the next and the end of
  /// the items', then of the list entries'.
  let prefetching: UnsafeMutablePointer<Int>
  var asOfDays: Int64 = 0
  let sizes: (registers: Int, definitions: Int, decisions: Int, groups: Int)

  init(
    registers: Int, definitions: Int, decisions: Int, paths: [Int32], groups: Int, listItems: Int
  ) {
    let lanes = Machine.blockLanes
    sizes = (registers, max(definitions, 1), max(decisions, 1), groups)
    self.registers = allocateOnOwnLines(Register.self, count: registers * lanes)
    self.registers.initialize(repeating: .none, count: registers * lanes)
    memoValues = allocateOnOwnLines(Register.self, count: sizes.definitions * lanes)
    memoValues.initialize(repeating: .none, count: sizes.definitions * lanes)
    memoReasons = allocateOnOwnLines(Int32.self, count: sizes.definitions * lanes)
    memoReasons.initialize(repeating: -1, count: sizes.definitions * lanes)
    memoValid = allocateOnOwnLines(UInt64.self, count: sizes.definitions)
    memoValid.initialize(repeating: 0, count: sizes.definitions)
    values = allocateOnOwnLines(Register.self, count: sizes.decisions * lanes)
    values.initialize(repeating: .none, count: sizes.decisions * lanes)
    reasons = allocateOnOwnLines(Int32.self, count: sizes.decisions * lanes)
    reasons.initialize(repeating: -1, count: sizes.decisions * lanes)
    inputs = allocateOnOwnLines(Register.self, count: lanes)
    inputs.initialize(repeating: .none, count: lanes)
    inputFields = allocateOnOwnLines(Int.self, count: lanes)
    inputFields.initialize(repeating: 0, count: lanes)
    steps = allocateOnOwnLines(Int.self, count: lanes)
    steps.initialize(repeating: 0, count: lanes)
    stepEvents = allocateOnOwnLines(
      (cost: Int, lanes: UInt64).self, count: BlockBuffers.stepEventCapacity)
    stepEvents.initialize(repeating: (0, 0), count: BlockBuffers.stepEventCapacity)
    // The count and the bound share a line (the bound is the second word).
    stepEventCount = allocateOnOwnLines(Int.self, count: 2)
    stepEventCount.initialize(repeating: 0, count: 2)
    stepBound = stepEventCount + 1
    pathLanes = allocateOnOwnLines(UInt64.self, count: max(paths.count, 1))
    pathLanes.initialize(repeating: 0, count: max(paths.count, 1))
    pathCount = paths.count
    pathsByBit = allocateOnOwnLines(Int32.self, count: max(paths.count, 1))
    pathsByBit.initialize(repeating: 0, count: max(paths.count, 1))
    for (bit, path) in paths.enumerated() { pathsByBit[bit] = path }
    listScratch = allocateOnOwnLines(Register.self, count: max(listItems, 1))
    listScratch.initialize(repeating: .none, count: max(listItems, 1))
    failed = allocateOnOwnLines(
      (definition: Int32, reason: Int32).self, count: BlockBuffers.failedCapacity * lanes)
    failed.initialize(repeating: (0, 0), count: BlockBuffers.failedCapacity * lanes)
    failedCounts = allocateOnOwnLines(Int.self, count: lanes)
    failedCounts.initialize(repeating: 0, count: lanes)
    self.groups = allocateOnOwnLines((pc: Int, mask: UInt64).self, count: groups)
    self.groups.initialize(repeating: (0, 0), count: groups)
    groupTop = allocateOnOwnLines(Int.self, count: 1)
    groupTop.initialize(to: 0)
    evicted = allocateOnOwnLines(UInt64.self, count: 1)
    evicted.initialize(to: 0)
    prefetching = allocateOnOwnLines(Int.self, count: 4)
    prefetching.initialize(repeating: Int(bitPattern: prefetching), count: 4)
  }

  /// Plans no prefetching: every range empty, at the plan's own line (which
  /// `Prefetching.step` then asks for, in the cache already).
  func planNoPrefetch() {
    prefetching.update(repeating: Int(bitPattern: prefetching), count: 4)
  }

  /// Adds the counts pending in `events` to the lanes' `steps` (`stepEvents`).
  static func foldSteps(
    _ steps: UnsafeMutablePointer<Int>, _ events: UnsafeMutablePointer<(cost: Int, lanes: UInt64)>,
    _ count: UnsafeMutablePointer<Int>
  ) {
    for index in 0..<count.pointee {
      let (cost, lanes) = events[index]
      var each = lanes
      while each != 0 {
        let l = each.trailingZeroBitCount
        each &= each &- 1
        steps[l] &+= cost
      }
    }
    count.pointee = 0
  }

  deinit {
    registers.deallocate()
    memoValues.deallocate()
    memoReasons.deallocate()
    memoValid.deallocate()
    values.deallocate()
    reasons.deallocate()
    inputs.deallocate()
    inputFields.deallocate()
    steps.deallocate()
    stepEvents.deallocate()
    stepEventCount.deallocate()
    pathLanes.deallocate()
    pathsByBit.deallocate()
    listScratch.deallocate()
    failed.deallocate()
    failedCounts.deallocate()
    groups.deallocate()
    groupTop.deallocate()
    evicted.deallocate()
    prefetching.deallocate()
  }
}

/// Whether the block loop asks for the next block's memory as it goes (`Machine.planPrefetch`):
/// a type parameter, so that the loop without it (no next block given) has no trace of it.
protocol PrefetchPace {
  static func step(_ ahead: UnsafeMutablePointer<Int>)
}

/// The loop asks for nothing.
enum NoPrefetching: PrefetchPace {
  @inline(__always)
  static func step(_ ahead: UnsafeMutablePointer<Int>) {}
}

/// The loop asks for a few lines at each instruction it dispatches.
enum Prefetching: PrefetchPace {
  /// Asks the CPU for the next cache lines of those `ahead` plans (`Machine.planPrefetch`):
  /// two of the items, one of the list entries. Without a branch, so that it costs the loop
  /// it runs in no more than its own few instructions: past its end, a range asks for its last
  /// line again (in the cache by then, or the plan's own line when nothing is planned).
  @inline(__always)
  static func step(_ ahead: UnsafeMutablePointer<Int>) {
    let items = ahead[0]
    regula_prefetch(UnsafeRawPointer(bitPattern: items))
    regula_prefetch(UnsafeRawPointer(bitPattern: items &+ 64))
    ahead[0] = min(items &+ 128, ahead[1])
    let lists = ahead[2]
    regula_prefetch(UnsafeRawPointer(bitPattern: lists))
    ahead[2] = min(lists &+ 64, ahead[3])
  }
}

/// One block evaluation: the machine's tables and the block's columns, as plain pointers (the
/// loop writes only through them, so it needs no exclusive access to the machine).
struct BlockRun {
  static let lanes = Machine.blockLanes
  let registers: UnsafeMutablePointer<Register>
  let code: UnsafeMutablePointer<Instruction>
  let constants: UnsafeMutablePointer<Register>
  let entryPoints: UnsafeMutablePointer<Int>
  let entryCosts: UnsafeMutablePointer<Int>
  let frameSizes: UnsafeMutablePointer<Int>
  let stepCosts: UnsafeMutablePointer<Int>
  let sizeChecked: UnsafeMutablePointer<Bool>
  /// The machine running the block: its facts grow when lanes build lists, and its helpers
  /// compare and measure values.
  let machine: UnsafeMutablePointer<Machine>
  /// The facts' stores (`items` and `lists` move when a list built makes them grow).
  let header: UnsafeMutablePointer<FactsHeader>
  let memoValues: UnsafeMutablePointer<Register>
  let memoReasons: UnsafeMutablePointer<Int32>
  let memoValid: UnsafeMutablePointer<UInt64>
  let inputs: UnsafeMutablePointer<Register>
  let inputFields: UnsafeMutablePointer<Int>
  let steps: UnsafeMutablePointer<Int>
  let stepEvents: UnsafeMutablePointer<(cost: Int, lanes: UInt64)>
  let stepEventCount: UnsafeMutablePointer<Int>
  let stepBound: UnsafeMutablePointer<Int>
  let pathLanes: UnsafeMutablePointer<UInt64>
  let failed: UnsafeMutablePointer<(definition: Int32, reason: Int32)>
  let failedCounts: UnsafeMutablePointer<Int>
  let groups: UnsafeMutablePointer<(pc: Int, mask: UInt64)>
  let groupTop: UnsafeMutablePointer<Int>
  let groupCapacity: Int
  let listScratch: UnsafeMutablePointer<Register>
  let evicted: UnsafeMutablePointer<UInt64>
  let prefetching: UnsafeMutablePointer<Int>
  let asOfDays: Int64
  let texts: [String]
  /// The exact values of the facts (the image's exact constants): a block adds none.
  let exactArena: [ExactDecimal]
  let pathBits: [Int8]
  let jurisdiction: Int
  let jurisdictionCount: Int
  let stepLimit: Int

  init(machine pointer: UnsafeMutablePointer<Machine>, state: BlockBuffers, jurisdiction: Int) {
    self.machine = pointer
    registers = state.registers
    code = pointer.pointee.code
    constants = pointer.pointee.constants
    entryPoints = pointer.pointee.plainEntryPoints
    entryCosts = pointer.pointee.plainEntryCosts
    frameSizes = pointer.pointee.frameSizes
    stepCosts = pointer.pointee.stepCosts
    sizeChecked = pointer.pointee.sizeChecked
    header = pointer.pointee.facts.header
    memoValues = state.memoValues
    memoReasons = state.memoReasons
    memoValid = state.memoValid
    inputs = state.inputs
    inputFields = state.inputFields
    steps = state.steps
    stepEvents = state.stepEvents
    stepEventCount = state.stepEventCount
    stepBound = state.stepBound
    pathLanes = state.pathLanes
    failed = state.failed
    failedCounts = state.failedCounts
    groups = state.groups
    groupTop = state.groupTop
    groupCapacity = state.sizes.groups
    listScratch = state.listScratch
    evicted = state.evicted
    prefetching = state.prefetching
    asOfDays = state.asOfDays
    texts = pointer.pointee.facts.texts
    exactArena = pointer.pointee.facts.exact
    pathBits = pointer.pointee.tables.blocks.pathBits
    self.jurisdiction = jurisdiction
    jurisdictionCount = pointer.pointee.jurisdictionCount
    stepLimit = pointer.pointee.stepLimit
  }

  /// Counts `cost` steps on each lane of `mask`; returns the lanes still within the limit
  /// (the others are set aside: the one-at-a-time loop stops them with the limit's error).
  /// While no lane can pass the limit the count is only noted (`BlockBuffers.stepEvents`).
  @inline(__always)
  func count(_ cost: Int, _ mask: UInt64) -> UInt64 {
    let (raised, overflow) = stepBound.pointee.addingReportingOverflow(cost)
    let pending = stepEventCount.pointee
    if !overflow && raised <= stepLimit && pending < BlockBuffers.stepEventCapacity {
      stepBound.pointee = raised
      stepEvents[pending] = (cost, mask)
      stepEventCount.pointee = pending &+ 1
      return mask
    }
    return countEachLane(cost, mask)
  }

  /// `count` lane by lane, on the lanes' exact sums: a lane may pass the limit.
  @inline(never)
  func countEachLane(_ cost: Int, _ mask: UInt64) -> UInt64 {
    BlockBuffers.foldSteps(steps, stepEvents, stepEventCount)
    var over: UInt64 = 0
    var lanes = mask
    while lanes != 0 {
      let l = lanes.trailingZeroBitCount
      lanes &= lanes &- 1
      let counted = steps[l] &+ cost
      steps[l] = counted
      if counted > stepLimit { over |= 1 << UInt64(l) }
    }
    evicted.pointee |= over
    // The bound afresh: the largest sum among the lanes still decided here.
    var bound = 0
    lanes = ~evicted.pointee
    while lanes != 0 {
      let l = lanes.trailingZeroBitCount
      lanes &= lanes &- 1
      bound = max(bound, steps[l])
    }
    stepBound.pointee = bound
    return mask & ~over
  }

  /// Evaluates definition `id` on the lanes of `mask` (none of which has it memoised) with its
  /// registers from row `base`, leaving its value in the memo of each lane not set aside.
  func enter<Pace: PrefetchPace>(_ id: Int, _ mask: UInt64, base: Int, _ pace: Pace.Type) {
    let slot = id &* jurisdictionCount &+ jurisdiction
    let lanes = count(entryCosts[slot], mask)
    if lanes != 0 { execute(id, slot: slot, from: entryPoints[slot], lanes, base: base, pace) }
  }

  /// A number register as an exact rational (as `Machine.exact`); nil for a register that
  /// holds no number (an absent optional): the one-at-a-time loop decides that lane.
  func exact(_ register: Register) -> ExactDecimal? {
    if register.tag == Register.bigTag {
      return register.word >= 0 && register.word < Int64(exactArena.count)
        ? exactArena[Int(register.word)] : .zero
    }
    if register.tag == 0 { return ExactDecimal(ExactInt(register.word)) }
    guard register.tag > 0 else { return nil }
    return
      (try? ExactDecimal(numerator: ExactInt(register.word), denominator: ExactInt(register.tag)))
      ?? .zero
  }

  /// A rational result as `Machine.storeRational` stores it, when it fits a register; nil
  /// when it needs the exact arena (which a block does not write).
  static func small(rational value: ExactDecimal) -> Register? {
    guard let numerator = value.numerator.int64Value,
      let denominator = value.denominator.int64Value
    else { return nil }
    return Register(word: numerator, tag: denominator)
  }

  /// An integer result as `Machine.storeInteger` stores it, when it fits; else nil.
  static func small(integer value: ExactDecimal) -> Register? {
    guard let small = value.numerator.int64Value, value.isInteger else { return nil }
    return .integer(small)
  }

  /// The rational opcodes (and `round`) on one lane, as the one-at-a-time loop computes them;
  /// nil when the lane must be decided there (a result off the fast path, a division by zero).
  @inline(never)
  func rational(_ opcode: Opcode, _ x: Register, _ y: Register, _ c: UInt16) -> Register? {
    // Whole numbers as rationals (denominator 1): the common case, without leaving Int64.
    if x.tag == 1 && y.tag == 1 {
      switch opcode {
      case .rationalAdd:
        let (sum, overflow) = x.word.addingReportingOverflow(y.word)
        if !overflow { return Register(word: sum, tag: 1) }
      case .rationalSubtract:
        let (difference, overflow) = x.word.subtractingReportingOverflow(y.word)
        if !overflow { return Register(word: difference, tag: 1) }
      case .rationalMultiply:
        let (product, overflow) = x.word.multipliedReportingOverflow(by: y.word)
        if !overflow { return Register(word: product, tag: 1) }
      case .rationalEqual: return .bool(x.word == y.word)
      case .rationalLess: return .bool(x.word < y.word)
      case .rationalLessEqual: return .bool(x.word <= y.word)
      default: break
      }
    }
    guard let a = exact(x) else { return nil }
    switch opcode {
    case .rationalNegate: return BlockRun.small(rational: -a)
    case .rationalScale: return BlockRun.small(rational: a * ExactDecimal(ExactInt(Int64(c))))
    case .round:
      return BlockRun.small(integer: ExactDecimal(a.roundedToInteger(Machine.roundingMode(c))))
    default: break
    }
    guard let b = exact(y) else { return nil }
    switch opcode {
    case .rationalAdd: return BlockRun.small(rational: a + b)
    case .rationalSubtract: return BlockRun.small(rational: a - b)
    case .rationalMultiply: return BlockRun.small(rational: a * b)
    case .rationalDivide:
      guard let quotient = try? a / b else { return nil }
      return BlockRun.small(rational: quotient)
    case .rationalEqual: return .bool(a == b)
    case .rationalLess: return .bool(a < b)
    default: return .bool(a <= b)
    }
  }

  /// `roundPlaces` on one lane; nil as `rational`.
  @inline(never)
  func roundedToPlaces(_ x: Register, _ places: Int, _ mode: UInt16) -> Register? {
    guard let a = exact(x) else { return nil }
    return BlockRun.small(rational: a.rounded(toPlaces: places, Machine.roundingMode(mode)))
  }

  /// `roundMultiple` on one lane; nil as `rational` (a unit of zero included).
  @inline(never)
  func roundedToMultiple(_ x: Register, _ unit: Register, _ mode: UInt16) -> Register? {
    guard let a = exact(x), let step = exact(unit),
      let rounded = try? a.rounded(toMultipleOf: step, Machine.roundingMode(mode))
    else { return nil }
    return BlockRun.small(integer: rounded)
  }

  /// The date opcodes without an `extra` word on one lane; nil when a date leaves the
  /// calendar (the one-at-a-time loop gives the error).
  @inline(never)
  static func date(_ opcode: Opcode, _ x: Register, _ y: Register, _ c: UInt16) -> Register? {
    guard let start = try? CivilDate(daysSince1970: x.word) else { return nil }
    switch opcode {
    case .dateAddDays:
      return (try? start.adding(Days(y.word))).map { .integer($0.daysSince1970) }
    case .datePart:
      let parts = start.components
      return .integer(c == 0 ? parts.year : c == 1 ? parts.month : parts.day)
    default: break
    }
    guard let end = try? CivilDate(daysSince1970: y.word) else { return nil }
    switch opcode {
    case .age: return .integer(start.age(on: end).count)
    case .monthsBetween: return .integer(start.wholeMonths(until: end).count)
    default: return .integer(start.days(until: end).count)
    }
  }

  /// `dateAddMonths` and `dateAddYears` on one lane; nil as `date`.
  @inline(never)
  static func dateAdding(_ x: Register, _ y: Register, months: Bool, _ policy: MonthEndPolicy)
    -> Register?
  {
    guard let start = try? CivilDate(daysSince1970: x.word),
      let result = months
        ? try? start.adding(Months(y.word), policy: policy)
        : try? start.adding(Years(y.word), policy: policy)
    else { return nil }
    return .integer(result.daysSince1970)
  }

  /// An integer opcode on the lanes of `mask`: `R[a] = operation(R[b], R[c])` on the 64-bit
  /// path (a comparison gives 1 or 0, a Boolean); returns the lanes to set aside (an operand
  /// off the path, or an overflow).
  @inline(__always)
  static func integers(
    _ mask: UInt64, _ ra: UnsafeMutablePointer<Register>, _ rb: UnsafeMutablePointer<Register>,
    _ rc: UnsafeMutablePointer<Register>,
    _ operation: (Int64, Int64) -> (partialValue: Int64, overflow: Bool)
  ) -> UInt64 {
    var off: UInt64 = 0
    var lanes = mask
    while lanes != 0 {
      let l = lanes.trailingZeroBitCount
      lanes &= lanes &- 1
      let (result, overflow) = operation(rb[l].word, rc[l].word)
      if rb[l].tag | rc[l].tag != 0 || overflow {
        off |= 1 << UInt64(l)
      } else {
        ra[l] = .integer(result)
      }
    }
    return off
  }

  /// Hands the lanes of `taken` to the group waiting at `target` among the groups from
  /// `groupBase` up (made if none), and lowers `lowest` to `target` if it is lower.
  @inline(__always)
  func split(_ taken: UInt64, to target: Int, above groupBase: Int, _ lowest: inout Int) {
    var index = groupBase
    let top = groupTop.pointee
    while index < top {
      if groups[index].pc == target {
        groups[index].mask |= taken
        return
      }
      index &+= 1
    }
    guard top < groupCapacity else {
      // More groups pending than instructions (only a hostile file's definitions sharing
      // code could make so many): those lanes are decided one at a time.
      evicted.pointee |= taken
      return
    }
    groups[top] = (target, taken)
    groupTop.pointee = top &+ 1
    if target < lowest { lowest = target }
  }

  // The loop. Each case runs its instruction for every lane of `mask` (`while lanes != 0`
  // takes them lowest first); lanes that jump elsewhere go to a pending group (`split`), lanes
  // that meet what only the one-at-a-time loop does are set aside (`off`).
  func execute<Pace: PrefetchPace>(
    _ id: Int, slot: Int, from entry: Int, _ start: UInt64, base: Int, _ pace: Pace.Type
  ) {
    let width = BlockRun.lanes
    // This definition's registers: register r of lane l at `frame[r * width + l]`.
    let frame = registers + base &* width
    var items = header.pointee.items
    var lists = header.pointee.lists
    let groups = self.groups
    let groupBase = groupTop.pointee
    var pc = entry
    var mask = start
    // The lowest instruction a pending group waits at (Int.max: none).
    var lowest = Int.max
    let calleeBase = base &+ frameSizes[id]

    while true {
      Pace.step(prefetching)
      let instruction = code[pc]
      let ra = frame + Int(instruction.a) &* width
      let rb = frame + Int(instruction.b) &* width
      let rc = frame + Int(instruction.c) &* width
      pc &+= 1
      var lanes = mask
      var off: UInt64 = 0
      switch instruction.opcode {
      case .move:
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          ra[l] = rb[l]
        }
      case .constant:
        let value = constants[Int(instruction.bc)]
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          ra[l] = value
        }
      case .input:
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          ra[l] = inputs[l]
        }
      case .asOf:
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          ra[l] = .integer(asOfDays)
        }
      case .add, .durationAdd:
        off = BlockRun.integers(lanes, ra, rb, rc) { $0.addingReportingOverflow($1) }
      case .subtract, .durationSubtract:
        off = BlockRun.integers(lanes, ra, rb, rc) { $0.subtractingReportingOverflow($1) }
      case .multiply, .durationMultiply:
        off = BlockRun.integers(lanes, ra, rb, rc) { $0.multipliedReportingOverflow(by: $1) }
      case .scale:
        let factor = Int64(instruction.c)
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          let (product, overflow) = rb[l].word.multipliedReportingOverflow(by: factor)
          if rb[l].tag != 0 || overflow {
            off |= 1 << UInt64(l)
          } else {
            ra[l] = .integer(product)
          }
        }
      case .negate, .durationNegate:
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          let (negated, overflow) = Int64(0).subtractingReportingOverflow(rb[l].word)
          if rb[l].tag != 0 || overflow {
            off |= 1 << UInt64(l)
          } else {
            ra[l] = .integer(negated)
          }
        }
      case .equal: off = BlockRun.integers(lanes, ra, rb, rc) { ($0 == $1 ? 1 : 0, false) }
      case .less: off = BlockRun.integers(lanes, ra, rb, rc) { ($0 < $1 ? 1 : 0, false) }
      case .lessEqual: off = BlockRun.integers(lanes, ra, rb, rc) { ($0 <= $1 ? 1 : 0, false) }
      case .textEqual:
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          // INVARIANT: the verifier proved both registers hold texts.
          ra[l] = .bool(texts[Int(rb[l].word)] == texts[Int(rc[l].word)])
        }
      case .not:
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          ra[l] = .bool(rb[l].word == 0)
        }
      case .none:
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          ra[l] = .none
        }
      case .isNone:
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          ra[l] = .bool(rb[l].tag == Register.noneTag)
        }
      case .jump: pc = Int(instruction.bc)
      case .jumpIfFalse, .jumpIfTrue, .jumpIfNone:
        var taken: UInt64 = 0
        switch instruction.opcode {
        case .jumpIfFalse:
          while lanes != 0 {
            let l = lanes.trailingZeroBitCount
            lanes &= lanes &- 1
            if ra[l].word == 0 { taken |= 1 << UInt64(l) }
          }
        case .jumpIfTrue:
          while lanes != 0 {
            let l = lanes.trailingZeroBitCount
            lanes &= lanes &- 1
            if ra[l].word != 0 { taken |= 1 << UInt64(l) }
          }
        default:
          while lanes != 0 {
            let l = lanes.trailingZeroBitCount
            lanes &= lanes &- 1
            if ra[l].tag == Register.noneTag { taken |= 1 << UInt64(l) }
          }
        }
        if taken == mask {
          pc = Int(instruction.bc)
        } else if taken != 0 {
          split(taken, to: Int(instruction.bc), above: groupBase, &lowest)
          mask &= ~taken
        }
      case .jumpIfNotLess, .jumpIfLess, .jumpIfEqual, .jumpIfNotEqual:
        var holds: UInt64 = 0
        let comparesEqual =
          instruction.opcode == .jumpIfEqual || instruction.opcode == .jumpIfNotEqual
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          let x = ra[l]
          let y = rb[l]
          if x.tag | y.tag != 0 { off |= 1 << UInt64(l) }
          if comparesEqual ? x.word == y.word : x.word < y.word { holds |= 1 << UInt64(l) }
        }
        if off != 0 {
          evicted.pointee |= off
          mask &= ~off
          off = 0
        }
        let taken =
          instruction.opcode == .jumpIfLess || instruction.opcode == .jumpIfEqual
          ? holds & mask : ~holds & mask
        let target = Int(code[pc].bc)
        pc &+= 1
        if taken == mask {
          if mask != 0 { pc = target }
        } else if taken != 0 {
          split(taken, to: target, above: groupBase, &lowest)
          mask &= ~taken
        }
      case .inputField:
        let path = Int(code[pc].bc)
        if code[pc].a == 0 { pathLanes[Int(pathBits[path])] |= mask }
        pc &+= 1
        let field = Int(instruction.c)
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          let value = items[inputFields[l] &+ field]
          if value.tag == Register.unknownTag { off |= 1 << UInt64(l) }
          ra[l] = value
        }
      case .field:
        let path = Int(code[pc].bc)
        if code[pc].a == 0 { pathLanes[Int(pathBits[path])] |= mask }
        pc &+= 1
        let field = Int(instruction.c)
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          // INVARIANT: the verifier proved R[b] is a record with field c.
          let value = items[Int(lists[Int(rb[l].word)].start) &+ field]
          if value.tag == Register.unknownTag { off |= 1 << UInt64(l) }
          ra[l] = value
        }
      case .next, .nextLoop:
        mask = count(stepCosts[pc &- 1], mask)
        lanes = mask
        var going: UInt64 = 0
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          // INVARIANT: the verifier proved R[b] is a list.
          let index = rc[l].word
          let entry = lists[Int(rb[l].word)]
          if entry.builder >= 0 {
            // A list built by `append`: its items are the builder's.
            let list = rb[l]
            if UInt64(bitPattern: index) < UInt64(machine.pointee.facts.listCount(list)) {
              ra[l] = machine.pointee.facts.listItem(list, Int(index))
              rc[l] = .integer(index &+ 1)
              going |= 1 << UInt64(l)
            }
          } else if UInt64(bitPattern: index) < UInt64(entry.count) {
            ra[l] = items[Int(entry.start) &+ Int(index)]
            rc[l] = .integer(index &+ 1)
            going |= 1 << UInt64(l)
          }
        }
        if off != 0 {
          evicted.pointee |= off
          mask &= ~off
          going &= ~off
          off = 0
        }
        let target = Int(code[pc].bc)
        pc &+= 1
        // `next` goes on with an item and jumps out without; `nextLoop` jumps back with one.
        let jumping = instruction.opcode == .next ? mask & ~going : going
        if jumping == mask {
          if mask != 0 { pc = target }
        } else if jumping != 0 {
          split(jumping, to: target, above: groupBase, &lowest)
          mask &= ~jumping
        }
      case .length:
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          let entry = lists[Int(rb[l].word)]
          ra[l] = .integer(
            Int64(entry.builder >= 0 ? machine.pointee.facts.listCount(rb[l]) : Int(entry.count)))
        }
      case .item:
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          // INVARIANT: the verifier proved R[b] is a table and R[c] a case of its key enum.
          ra[l] = items[Int(lists[Int(rb[l].word)].start) &+ Int(rc[l].word)]
        }
      case .divideRound:
        let mode = code[pc].a
        pc &+= 1
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          let x = rb[l]
          let y = rc[l]
          if x.tag | y.tag == 0, let result = Machine.divideRounding(x.word, y.word, mode) {
            ra[l] = .integer(result)
          } else {
            off |= 1 << UInt64(l)
          }
        }
      case .call, .reasonOf:
        let callee = Int(instruction.bc)
        let missing = mask & ~memoValid[callee]
        if missing != 0 {
          enter(callee, missing, base: calleeBase, pace)
          mask &= ~evicted.pointee
          lanes = mask
          // The callee may have built lists: the stores may have moved.
          items = header.pointee.items
          lists = header.pointee.lists
        }
        let values = memoValues + callee &* width
        if instruction.opcode == .call {
          while lanes != 0 {
            let l = lanes.trailingZeroBitCount
            lanes &= lanes &- 1
            ra[l] = values[l]
          }
        } else {
          let reasons = memoReasons + callee &* width
          while lanes != 0 {
            let l = lanes.trailingZeroBitCount
            lanes &= lanes &- 1
            ra[l] = .integer(Int64(max(reasons[l], 0)))
          }
        }
      case .return:
        if sizeChecked[slot] {
          // A value with parts is measured (as the one-at-a-time loop measures it); a lane
          // whose value is over the limit is set aside, and gets the limit's error there.
          BlockBuffers.foldSteps(steps, stepEvents, stepEventCount)
          while lanes != 0 {
            let l = lanes.trailingZeroBitCount
            lanes &= lanes &- 1
            // Measuring counts steps, on the lane's own count.
            machine.pointee.steps = steps[l]
            do { try machine.pointee.checkReturnLimits(ra[l], id, pc) } catch {
              off |= 1 << UInt64(l)
            }
            steps[l] = machine.pointee.steps
            stepBound.pointee = max(stepBound.pointee, steps[l])
          }
          lanes = mask & ~off
        }
        let reason: Int32 = instruction.b == PolicyImage.noText ? -1 : Int32(instruction.b)
        let values = memoValues + id &* width
        let reasons = memoReasons + id &* width
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          values[l] = ra[l]
          reasons[l] = reason
        }
        memoValid[id] |= mask & ~off
        mask = 0
      case .failCondition:
        let capacity = BlockBuffers.failedCapacity
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          let recorded = failedCounts[l]
          if recorded == capacity {
            off |= 1 << UInt64(l)
          } else {
            failed[l &* capacity &+ recorded] = (Int32(id), Int32(instruction.bc))
            failedCounts[l] = recorded &+ 1
          }
        }
      case .toRational:
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          let value = rb[l]
          ra[l] = value.tag == 0 ? Register(word: value.word, tag: 1) : value
        }
      case .rationalAdd, .rationalSubtract, .rationalMultiply, .rationalDivide, .rationalEqual,
        .rationalLess, .rationalLessEqual, .rationalNegate, .rationalScale, .round:
        let opcode = instruction.opcode
        // `c` is a register of the binary opcodes only (of the others, a factor or a mode).
        let binary = opcode != .rationalNegate && opcode != .rationalScale && opcode != .round
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          if let result = rational(opcode, rb[l], binary ? rc[l] : .none, instruction.c) {
            ra[l] = result
          } else {
            off |= 1 << UInt64(l)
          }
        }
      case .roundPlaces, .roundMultiple:
        let operand = code[pc].a
        pc &+= 1
        let opcode = instruction.opcode
        let unit = frame + Int(operand) &* width
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          let result =
            opcode == .roundPlaces
            ? roundedToPlaces(rb[l], Int(operand), instruction.c)
            : roundedToMultiple(rb[l], unit[l], instruction.c)
          if let result { ra[l] = result } else { off |= 1 << UInt64(l) }
        }
      case .dateAddDays, .age, .monthsBetween, .daysBetween, .datePart:
        let opcode = instruction.opcode
        // `datePart`'s `c` is the part, not a register.
        let binary = opcode != .datePart
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          if let result = BlockRun.date(opcode, rb[l], binary ? rc[l] : .none, instruction.c) {
            ra[l] = result
          } else {
            off |= 1 << UInt64(l)
          }
        }
      case .dateAddMonths, .dateAddYears:
        let policy = Machine.monthEnd(code[pc].a)
        pc &+= 1
        let months = instruction.opcode == .dateAddMonths
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          if let result = BlockRun.dateAdding(rb[l], rc[l], months: months, policy) {
            ra[l] = result
          } else {
            off |= 1 << UInt64(l)
          }
        }
      case .makeDate:
        let parts = frame + Int(instruction.b) &* width
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          let year = parts[l]
          let month = parts[width &+ l]
          let day = parts[2 &* width &+ l]
          if year.tag | month.tag | day.tag == 0,
            let made = try? CivilDate(year: year.word, month: month.word, day: day.word)
          {
            ra[l] = .integer(made.daysSince1970)
          } else {
            off |= 1 << UInt64(l)
          }
        }
      case .newList, .newRecord:
        pc &+= 1
        let count = Int(instruction.c)
        let first = frame + Int(instruction.b) &* width
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          for item in 0..<count { listScratch[item] = first[item &* width &+ l] }
          ra[l] = machine.pointee.facts.addList(copying: listScratch, count: count)
        }
        items = header.pointee.items
        lists = header.pointee.lists
      case .listBuilder:
        pc &+= 1
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          ra[l] = machine.pointee.facts.newBuilder()
        }
        items = header.pointee.items
        lists = header.pointee.lists
      case .append:
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          // INVARIANT: the verifier proved R[a] is a list under construction.
          machine.pointee.facts.append(ra[l], rb[l])
        }
      case .deepEqual:
        let type = machine.pointee.image.types[Int(code[pc].bc)]
        pc &+= 1
        BlockBuffers.foldSteps(steps, stepEvents, stepEventCount)
        while lanes != 0 {
          let l = lanes.trailingZeroBitCount
          lanes &= lanes &- 1
          // Each value compared counts a step, on the lane's own count.
          machine.pointee.steps = steps[l]
          do { ra[l] = .bool(try machine.pointee.deepEqual(rb[l], rc[l], type, pc: pc)) } catch {
            off |= 1 << UInt64(l)
          }
          steps[l] = machine.pointee.steps
          stepBound.pointee = max(stepBound.pointee, steps[l])
        }
      case .step:
        mask = count(stepCosts[pc &- 1], mask)
      case .extra: break
      default:
        // `fail`, `conflict`, and anything the plan did not admit: the one-at-a-time loop
        // gives the error.
        off = mask
      }
      if off != 0 {
        evicted.pointee |= off
        mask &= ~off
      }
      // The lowest pending group runs first: the lanes meet again where their paths join.
      if mask == 0 || pc >= lowest {
        if mask != 0 { split(mask, to: pc, above: groupBase, &lowest) }
        while true {
          let top = groupTop.pointee
          if top == groupBase { return }
          var best = groupBase
          var index = groupBase &+ 1
          while index < top {
            if groups[index].pc < groups[best].pc { best = index }
            index &+= 1
          }
          pc = groups[best].pc
          mask = groups[best].mask & ~evicted.pointee
          groups[best] = groups[top &- 1]
          groupTop.pointee = top &- 1
          lowest = Int.max
          index = groupBase
          while index < top &- 1 {
            if groups[index].pc < lowest { lowest = groups[index].pc }
            index &+= 1
          }
          if mask != 0 { break }
        }
      }
    }
  }
}
