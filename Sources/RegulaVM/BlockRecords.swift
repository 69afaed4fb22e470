// The records of one block, copied out of the machine at once: what each lane's evaluation
// decided and read, kept as the block loop wrote it (a column per decision, a bitset of lanes
// per input path), so that keeping a block's records costs a few copies per block rather than
// a gathering per lane. Read a lane's record with the accessors, or make it a machine's
// outcome with `Machine.adoptBlockLane(_:of:)`.

import RegulaBytecode

/// The decision records of the lanes of one `Machine.runBlock` (`Machine.copyBlockRecords`).
public struct BlockRecords: Sendable {
  /// The lanes the block decided: only their records are kept.
  public internal(set) var decided: UInt64 = 0
  /// How many decisions each record holds (the machine's `decisionValues.count`).
  public internal(set) var decisionCount = 0
  /// By decision then lane (`position * blockLanes + lane`).
  var values: [Register] = []
  var reasons: [Int32] = []
  /// By lane, `failedCapacity` places each: the `all of` conditions that failed.
  var failed: [(definition: Int32, reason: Int32)] = []
  var failedCounts: [Int] = Array(repeating: 0, count: Machine.blockLanes)
  /// By path bit: the lanes that read the path, and the path's text index.
  var pathLanes: [UInt64] = []
  var pathsByBit: [Int32] = []
  /// By lane: what the machine needs to take the lane as its outcome.
  var inputs: [Register] = Array(repeating: .none, count: Machine.blockLanes)
  var inputFields: [Int] = Array(repeating: 0, count: Machine.blockLanes)
  var steps: [Int] = Array(repeating: 0, count: Machine.blockLanes)
  /// The block's step counts not yet added to `steps` (`BlockBuffers.stepEvents`): a lane's
  /// steps are added up only when it is made a machine's outcome.
  var stepEvents: [(cost: Int, lanes: UInt64)] = []
  var asOfDays: Int64 = 0

  public init() {}

  /// Decision `position`'s register in lane `lane` (`.none` for a lane not decided).
  public func value(_ position: Int, lane: Int) -> Register {
    guard holds(lane), position >= 0, position < decisionCount else { return .none }
    return values[position &* Machine.blockLanes &+ lane]
  }

  /// Decision `position`'s reason text index in lane `lane` (-1: none).
  public func reason(_ position: Int, lane: Int) -> Int32 {
    guard holds(lane), position >= 0, position < decisionCount else { return -1 }
    return reasons[position &* Machine.blockLanes &+ lane]
  }

  /// Lane `lane`'s application: its input record in the machine's facts (`.none` for a lane
  /// not decided).
  public func input(lane: Int) -> Register { holds(lane) ? inputs[lane] : .none }

  /// The `all of` conditions that failed in lane `lane`, in the order they failed.
  public func failedConditions(lane: Int) -> ArraySlice<(definition: Int32, reason: Int32)> {
    guard holds(lane) else { return [] }
    let start = lane &* BlockBuffers.failedCapacity
    return failed[start..<start &+ failedCounts[lane]]
  }

  /// Calls `body` with each input path lane `lane` read (a text index), in the order of their
  /// texts.
  public func forEachInputRead(lane: Int, _ body: (Int32) -> Void) {
    guard holds(lane) else { return }
    let bit = UInt64(1) << UInt64(lane)
    for index in pathLanes.indices where pathLanes[index] & bit != 0 { body(pathsByBit[index]) }
  }

  func holds(_ lane: Int) -> Bool {
    lane >= 0 && lane < Machine.blockLanes && decided & (1 << UInt64(lane)) != 0
  }
}

extension Machine {
  /// Copies the records of the lanes `decided` of the last `runBlock` (the lanes it returned)
  /// into `records`, replacing what it held; its storage is reused from block to block.
  public func copyBlockRecords(decided: UInt64, into records: inout BlockRecords) {
    guard let state = blockBuffers else {
      records.decided = 0
      return
    }
    let lanes = Machine.blockLanes
    let decisions = decisionIDs.count
    records.decided = decided
    records.decisionCount = decisions
    records.asOfDays = state.asOfDays
    if records.values.count != decisions &* lanes {
      records.values = Array(repeating: .none, count: decisions &* lanes)
      records.reasons = Array(repeating: -1, count: decisions &* lanes)
    }
    if records.failed.isEmpty {
      records.failed = Array(repeating: (0, 0), count: BlockBuffers.failedCapacity &* lanes)
    }
    if records.pathLanes.count != state.pathCount {
      records.pathLanes = Array(repeating: 0, count: state.pathCount)
      records.pathsByBit = Array(repeating: 0, count: state.pathCount)
    }
    // (A policy may have no decision: the columns are then empty.)
    records.values.withUnsafeMutableBufferPointer {
      guard let base = $0.baseAddress else { return }
      base.update(from: state.values, count: decisions &* lanes)
    }
    records.reasons.withUnsafeMutableBufferPointer {
      guard let base = $0.baseAddress else { return }
      base.update(from: state.reasons, count: decisions &* lanes)
    }
    // The paths too: the records may last have held another machine's block.
    records.pathLanes.withUnsafeMutableBufferPointer {
      guard let base = $0.baseAddress else { return }
      base.update(from: state.pathLanes, count: state.pathCount)
    }
    records.pathsByBit.withUnsafeMutableBufferPointer {
      guard let base = $0.baseAddress else { return }
      base.update(from: state.pathsByBit, count: state.pathCount)
    }
    records.failed.withUnsafeMutableBufferPointer { failed in
      records.failedCounts.withUnsafeMutableBufferPointer { counts in
        for lane in 0..<lanes {
          let count = decided & (1 << UInt64(lane)) != 0 ? state.failedCounts[lane] : 0
          counts[lane] = count
          let start = lane &* BlockBuffers.failedCapacity
          for index in 0..<count { failed[start &+ index] = state.failed[start &+ index] }
        }
      }
    }
    records.inputs.withUnsafeMutableBufferPointer {
      $0.baseAddress!.update(from: state.inputs, count: lanes)
    }
    records.inputFields.withUnsafeMutableBufferPointer {
      $0.baseAddress!.update(from: state.inputFields, count: lanes)
    }
    // The lanes' steps, and the counts still pending (added up per lane when it is adopted).
    records.steps.withUnsafeMutableBufferPointer {
      $0.baseAddress!.update(from: state.steps, count: lanes)
    }
    records.stepEvents.removeAll(keepingCapacity: true)
    records.stepEvents.append(
      contentsOf: UnsafeBufferPointer(start: state.stepEvents, count: state.stepEventCount.pointee))
  }

  /// Makes lane `lane` of `records` (copied from this machine's last block, a lane it decided)
  /// this machine's outcome, as if `run(input:asOf:jurisdiction:)` had decided that application
  /// alone: decision values and reasons, failed conditions, the input paths read (in the order
  /// of their texts, where `run` lists them in the order first read), the input record.
  /// A new evaluation begins (the memo is empty), so definitions evaluated afterwards with
  /// `evaluateDefinition` are computed again on the lane's application.
  public mutating func adoptBlockLane(_ lane: Int, of records: BlockRecords) {
    guard records.holds(lane), records.decisionCount == decisionIDs.count else { return }
    beginEvaluation()
    inputRegister = records.inputs[lane]
    inputFields = records.inputFields[lane]
    asOfDays = records.asOfDays
    // What the lane's evaluation counted, as the one-at-a-time loop counts it.
    var counted = records.steps[lane]
    let bit = UInt64(1) << UInt64(lane)
    for event in records.stepEvents where event.lanes & bit != 0 { counted &+= event.cost }
    steps = counted
    if !undecided.isEmpty { undecided.removeAll(keepingCapacity: true) }
    if !notComputable.isEmpty { notComputable.removeAll(keepingCapacity: true) }
    for position in decisionIDs.indices {
      if decisionSelected[position] {
        decisionValues[position] = records.value(position, lane: lane)
        decisionReasons[position] = records.reason(position, lane: lane)
      } else {
        decisionValues[position] = .none
        decisionReasons[position] = -1
      }
    }
    failed.append(contentsOf: records.failedConditions(lane: lane))
    records.forEachInputRead(lane: lane) { path in
      pathEpochs[Int(path)] = pathEpoch
      pathsRead[pathsReadCount] = path
      pathsReadCount &+= 1
    }
  }
}
