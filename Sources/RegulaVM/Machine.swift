// The VM: one dispatch loop over a flat instruction buffer. Registers are plain two-word
// values; numbers take the Int64 path and move to the exact (GMP-backed) arena on overflow.
// One machine per thread: it owns its registers and stores and reuses them across evaluations.

/// Why an evaluation produced no decision.
public enum VMError: Error, Sendable, Hashable, CustomStringConvertible {
  case missingFacts([String])
  case runtime(message: String, instruction: Int)
  case limit(message: String, instruction: Int)

  public var description: String {
    switch self {
    case .missingFacts(let paths):
      "missing facts: " + paths.map { "`\($0)`" }.joined(separator: ", ")
    case .runtime(let message, _), .limit(let message, _): message
    }
  }
}

/// The result of one evaluation: each decision's register and reason, and the record.
public struct VMOutcome: Sendable {
  public var values: [Register]
  /// Reason text per decision (nil for a plain value).
  public var reasons: [String?]
  /// `all of` failures as (definition name, reason).
  public var failedConditions: [(definition: String, reason: String)]
}

struct Frame {
  var returnPC: Int
  var base: Int
  var size: Int
  /// The caller's register (absolute) that receives the value.
  var destination: Int
  var memoSlot: Int
  var jurisdiction: Int
  var wantsReason: Bool
}

/// Evaluates a compiled policy. Not shared between threads: give each thread its own.
public struct Machine {
  public let image: PolicyImage
  public var facts: Facts
  var registers: [Register]
  var frames: [Frame] = []
  var memoValues: [Register]
  var memoReasons: [Int32]
  var memoEpochs: [UInt32]
  var epoch: UInt32 = 0
  var steps = 0
  public var stepLimit = 10_000_000
  var asOfDays: Int64 = 0
  var inputRegister = Register.none
  var failed: [(definition: String, reason: String)] = []
  var decisionIDs: [Int]
  /// The last evaluation's decision values and reason text indexes (-1: none), by decision.
  public private(set) var decisionValues: [Register]
  public private(set) var decisionReasons: [Int32]
  let exactConstantCount: Int
  /// Text indexes of input paths read in this evaluation (stamped with the epoch).
  var pathEpochs: [UInt32]

  public init(image: PolicyImage) {
    self.image = image
    facts = Facts(image: image)
    exactConstantCount = image.exactConstants.count
    let frameTotal = image.definitions.reduce(0) { $0 + Int($1.frameSize) } + 16
    registers = Array(repeating: .none, count: frameTotal)
    let memoCount = image.definitions.count * max(image.jurisdictions.count, 1)
    memoValues = Array(repeating: .none, count: memoCount)
    memoReasons = Array(repeating: -1, count: memoCount)
    memoEpochs = Array(repeating: 0, count: memoCount)
    pathEpochs = Array(repeating: 0, count: image.texts.count)
    decisionIDs = image.definitions.indices.filter { image.definitions[$0].kind == .decision }
    decisionValues = Array(repeating: .none, count: decisionIDs.count)
    decisionReasons = Array(repeating: -1, count: decisionIDs.count)
    frames.reserveCapacity(image.definitions.count + 1)
    failed.reserveCapacity(8)
  }

  /// Clears the last evaluation's facts; call before loading a new application.
  public mutating func reset() {
    facts.reset(exactConstantCount: exactConstantCount)
    beginEvaluation()
  }

  /// The index of a jurisdiction code (`SH`, `GD.SZ` or `SZ`); codes without definitions of
  /// their own behave as national.
  public func jurisdictionIndex(_ code: String) -> Int {
    if let index = image.jurisdictions.firstIndex(of: code) { return index }
    return image.jurisdictions.firstIndex { $0.hasSuffix(".\(code)") } ?? 0
  }

  /// Starts a new evaluation over the facts already loaded (memo and record cleared).
  public mutating func beginEvaluation() {
    epoch &+= 1
    if epoch == 0 {
      for index in memoEpochs.indices { memoEpochs[index] = 0 }
      for index in pathEpochs.indices { pathEpochs[index] = 0 }
      epoch = 1
    }
    steps = 0
    failed.removeAll(keepingCapacity: true)
  }

  /// Evaluates every decision into `decisionValues` and `decisionReasons`; allocates nothing
  /// once warm.
  public mutating func run(input: Register, asOf: CivilDate, jurisdiction: Int) throws(VMError) {
    inputRegister = input
    asOfDays = asOf.daysSince1970
    for (position, id) in decisionIDs.enumerated() {
      let (value, reason) = try evaluateDefinition(id, jurisdiction: jurisdiction)
      decisionValues[position] = value
      decisionReasons[position] = reason
    }
  }

  /// Evaluates every decision for the application in `input` (loaded into `facts`).
  public mutating func evaluate(input: Register, asOf: CivilDate, jurisdiction: Int) throws(VMError) -> VMOutcome {
    try run(input: input, asOf: asOf, jurisdiction: jurisdiction)
    let reasons = decisionReasons.map { $0 >= 0 ? facts.texts[Int($0)] : nil }
    return VMOutcome(values: decisionValues, reasons: reasons, failedConditions: failed)
  }

  /// Input paths (as texts) read by the last evaluation.
  public var inputsRead: [String] {
    pathEpochs.indices.filter { pathEpochs[$0] == epoch }.map { facts.texts[$0] }.sorted()
  }

  /// Evaluates one definition (memoised) and returns its register and reason text index.
  public mutating func evaluateDefinition(_ id: Int, jurisdiction: Int) throws(VMError) -> (
    Register, Int32
  ) {
    let slot = id * image.jurisdictions.count + jurisdiction
    if memoEpochs[slot] != epoch {
      frames.removeAll(keepingCapacity: true)
      frames.append(
        Frame(
          returnPC: -1, base: 0, size: 0, destination: 0, memoSlot: -1, jurisdiction: jurisdiction,
          wantsReason: false))
      var pc = 0
      enter(
        id, jurisdiction: jurisdiction, destination: 0, wantsReason: false, returnPC: -1, pc: &pc)
      try run(from: pc)
    }
    return (memoValues[slot], memoReasons[slot])
  }

  /// Pushes a frame for definition `id`; sets `pc` to its entry for the jurisdiction.
  mutating func enter(
    _ id: Int, jurisdiction: Int, destination: Int, wantsReason: Bool, returnPC: Int, pc: inout Int
  ) {
    let caller = frames[frames.count - 1]
    let base = caller.base + caller.size
    let size = Int(image.definitions[id].frameSize)
    if base + size > registers.count {
      registers.append(contentsOf: repeatElement(.none, count: base + size - registers.count))
    }
    frames.append(
      Frame(
        returnPC: returnPC, base: base, size: size, destination: destination,
        memoSlot: id * image.jurisdictions.count + jurisdiction, jurisdiction: jurisdiction,
        wantsReason: wantsReason))
    pc = Int(image.definitions[id].entries[jurisdiction])
  }
}
