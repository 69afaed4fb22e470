// The VM: one dispatch loop over a flat instruction buffer. Registers are plain two-word
// values; numbers take the Int64 path and move to the exact (GMP-backed) arena on overflow.
// One machine per thread: it owns its registers and stores and reuses them across evaluations.

/// Why an evaluation produced no decision.
public enum VMError: Error, Sendable, Hashable, CustomStringConvertible {
  /// Input facts a definition needed that the application did not give, as positioned field
  /// paths (`members[2].age`). A definition stops at the first, so there is one path; `run`
  /// catches it per decision (`Machine.undecided`) and decides the others.
  case missingFacts([String])
  /// The policy failed on this application (division by zero, a date out of range, no version
  /// in force, no case applies, two exceptions at once), or it was asked for something the
  /// policy does not have (an input it did not load, a definition or jurisdiction out of
  /// range). `instruction` indexes `PolicyImage.debug`, which gives the definition and source
  /// position; it is -1 when no instruction is at fault.
  case runtime(message: String, instruction: Int)
  /// The evaluation hit a limit (`steps`, see `Machine.stepLimit`); `instruction` as in
  /// `runtime`.
  case limit(message: String, instruction: Int)
  /// A definition the evaluation needed has no version in force on the date in the
  /// jurisdiction: what needs it is not computable. `run` catches it per decision
  /// (`Machine.notComputable`) and decides the others; `instruction` as in `runtime`.
  case notComputable(message: String, instruction: Int)

  /// The message alone, without the instruction index.
  public var description: String {
    switch self {
    case .missingFacts(let paths):
      "missing facts: " + paths.map { "`\($0)`" }.joined(separator: ", ")
    case .runtime(let message, _), .limit(let message, _), .notComputable(let message, _): message
    }
  }
}

/// The result of one evaluation: each decision's register and reason, and the record.
public struct VMOutcome: Sendable {
  /// Each decision's register, in definition order. Handles index the machine's `facts`: read
  /// them (`Machine.value(_:as:)`, `Machine.json(_:_:)`) before the next `reset()`.
  public var values: [Register]
  /// Reason text per decision (nil for a plain value).
  public var reasons: [String?]
  /// `all of` failures as (definition name, reason).
  public var failedConditions: [(definition: String, reason: String)]
}

/// One definition evaluated while tracing: its value, reason, and the call that needed it.
public struct TraceNode: Sendable, Hashable {
  /// The definition's index in `PolicyImage.definitions`.
  public var definition: Int
  /// The index in `PolicyImage.jurisdictions` of the jurisdiction it was evaluated for.
  public var jurisdiction: Int
  /// The index of the node that needed this one; -1 for a decision.
  public var parent: Int
  /// The definition's value once it returned; `.none` if the evaluation stopped inside it.
  public var value: Register
  /// The reason text index, or -1.
  public var reason: Int32
  /// True when the value came from the memo (computed earlier in this evaluation).
  public var isCached: Bool
  /// The first instruction of the definition's entry (for its source position).
  public var entry: Int
  /// The probe (`PolicyImage.explanations.probes`) this node records, or -1 for a
  /// definition. A probe node's `definition` is the definition whose code it observed.
  public var probe: Int32 = -1
  /// A probe's second operand (`value` holds the first).
  public var second: Register = .none
  /// A condition's or comparison's outcome: 1 holds, 0 does not, -1 not known (the
  /// evaluation stopped inside it). A definition node's: 1 once it returned, -1 while the
  /// evaluation is inside it (or when it stopped there).
  public var outcome: Int8 = -1
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

/// A definition's memoised value in one jurisdiction: valid when `epoch` is the evaluation's.
/// One entry, one cache line: the check and the value are read together.
struct MemoEntry {
  var value: Register
  var reason: Int32
  var epoch: UInt32
}

/// Evaluates a compiled policy. Not shared between threads: give each thread its own.
public struct Machine {
  /// The image this machine runs. It must have passed `Verifier.verify(_:)`: the dispatch loop
  /// trusts every operand.
  public let image: PolicyImage
  /// The stores of the current application: the registers that `loadApplication(json:)`,
  /// `load(_:as:)` and evaluation return index into them until the next `reset()`.
  public package(set) var facts: Facts
  /// Owns the buffers the machine writes (registers, frames, memo, inputs read); copies of a
  /// machine share them until one of them changes something (copy on write).
  var buffers: Buffers
  /// Owns the tables the machine only reads (code, constants, entry points): shared.
  let tables: Tables
  var registers: UnsafeMutablePointer<Register>
  var frames: UnsafeMutablePointer<Frame>
  var frameCount = 0
  var memo: UnsafeMutablePointer<MemoEntry>
  let memoCount: Int
  let code: UnsafeMutablePointer<Instruction>
  let constants: UnsafeMutablePointer<Register>
  /// Entry point of definition d in jurisdiction j at `d * jurisdictionCount + j`: the
  /// image's code, which traced replays run.
  let entryPoints: UnsafeMutablePointer<Int>
  let frameSizes: UnsafeMutablePointer<Int>
  let entryCosts: UnsafeMutablePointer<Int>
  /// The entry points and costs untraced evaluations use: the fast section's
  /// (`Tables.fastEntryPoints`), or the image's when `runsInlinedCode` is off.
  var plainEntryPoints: UnsafeMutablePointer<Int>
  var plainEntryCosts: UnsafeMutablePointer<Int>
  /// True (the default) when untraced evaluations run the code with single-use calls inlined
  /// (`PolicyImage.fastCode`); false when they run the image's code as traced replays do.
  /// Both compute the same records: tests compare them.
  public var runsInlinedCode = true {
    didSet {
      plainEntryPoints = runsInlinedCode ? tables.fastEntryPoints : tables.entryPoints
      plainEntryCosts = runsInlinedCode ? tables.fastEntryCosts : tables.entryCosts
    }
  }
  let stepCosts: UnsafeMutablePointer<Int>
  let sizeChecked: UnsafeMutablePointer<Bool>
  /// `Tables.firstProbe`.
  let firstProbe: UnsafeMutablePointer<Int32>
  let jurisdictionCount: Int
  /// The current evaluation's stamp on memo entries and paths read; entries start at 0, so a
  /// machine that has not begun an evaluation finds nothing memoised.
  var epoch: UInt32 = 1
  /// The last epoch handed out: to an evaluation, or to a `NAME as of DATE` inside one (whose
  /// memo is its own).
  package var lastEpoch: UInt32 = 1
  /// The evaluation's epoch, which stamps the input paths read whatever the date.
  var pathEpoch: UInt32 = 1
  /// The date and epoch to return to at each `popDate`, innermost last.
  var dateStack: [(days: Int64, epoch: UInt32)] = []
  var steps = 0
  /// The most work one evaluation may do before it stops with `VMError.limit` (limit
  /// `steps`), in instructions, counted ahead: entering a definition counts the longest run of
  /// instructions from its entry to a loop instruction, and each pass of a loop instruction
  /// (`step`, `next`, `nextLoop`) the longest run after it to the next. Calls follow an acyclic
  /// graph and every loop passes a loop instruction, so this bounds all the dispatch loop's
  /// work (about a second's worth by default).
  public var stepLimit = 100_000_000
  /// When true, every definition evaluated is recorded in `trace` (a replay of the image's
  /// bytecode by the observed loop; off, the plain loop runs, which has no check for it).
  public var isTracing = false
  /// When set, untraced evaluations count the opcodes they dispatch into it (a loop of its
  /// own: the plain loop counts nothing).
  public var opcodeProfile: OpcodeProfile?
  /// The definitions the last traced evaluation evaluated, in call order; a node's `parent`
  /// indexes this array. An evaluation with `isTracing` off leaves it as it was.
  public internal(set) var trace: [TraceNode] = []
  var traceStack: [Int] = []
  /// Outcomes to read at the next instruction a traced replay reaches: (trace node, probe,
  /// the absolute register holding a comparison's result or -1).
  var pendingOutcomes: [(node: Int, probe: Int, register: Int)] = []
  var asOfDays: Int64 = 0
  var inputRegister = Register.none
  /// Where the input record's fields start among the facts' items (`Facts.itemsStart`): set
  /// by `evaluateDefinition` once it has checked the input, read by `inputField`.
  var inputFields = 0
  /// `all of` failures of the current evaluation as (definition index, reason text index).
  @usableFromInline var failed: [(definition: Int32, reason: Int32)] = []
  var decisionIDs: [Int]
  /// The last evaluation's decision values and reason text indexes (-1: none), by decision.
  public internal(set) var decisionValues: [Register]
  /// The reason text index (into `facts.texts`) of each decision, or -1 when it gives none.
  public internal(set) var decisionReasons: [Int32]
  /// Which decisions `run` evaluates, by position among the decisions: all by default. One
  /// not selected is left `.none` and is neither decided nor undecided.
  public var decisionSelected: [Bool]
  /// The decisions the last `run` could not decide because a fact they need is absent, as
  /// (position among the decisions, the positioned paths of the absent facts), in order.
  /// Their values are left `.none`; the other decisions are decided as usual.
  public internal(set) var undecided: [(position: Int, paths: [String])] = []
  /// The decisions the last `run` could not compute because a definition they need has no
  /// version in force (as (position among the decisions, the message naming it and the
  /// date), in order). Their values are left `.none`, as the undecided ones'.
  public internal(set) var notComputable: [(position: Int, message: String)] = []

  /// True when decision `position` got no value in the last `run`: undecided (a fact is
  /// missing) or not computable.
  public func hasNoValue(_ position: Int) -> Bool {
    var index = 0
    while index < undecided.count {
      if undecided[index].position == position { return true }
      index += 1
    }
    index = 0
    while index < notComputable.count {
      if notComputable[index].position == position { return true }
      index += 1
    }
    return false
  }
  let exactConstantCount: Int
  /// Text indexes of input paths read in this evaluation (stamped with the epoch).
  var pathEpochs: UnsafeMutablePointer<UInt32>
  /// The same paths as a list, in the order first read (`pathsReadCount` of them).
  var pathsRead: UnsafeMutablePointer<Int32>
  var pathsReadCount = 0
  /// Each text's position among the image's texts sorted (`inputsRead` sorts by it).
  let textRanks: UnsafeMutablePointer<Int32>
  /// True when some enum case has dates: each evaluation then checks the application's cases.
  let hasDatedCases: Bool
  /// The input schema compiled for the fast JSON reader.
  let reader: ReaderPlan
  /// Items of the lists the fast reader is reading (kept to reuse its storage).
  var scratch: [Register] = []
  /// The columns of block evaluations (`runBlock`), made at the first.
  var blockBuffers: BlockBuffers?
  /// When true, policies whose code has opcodes the block loop does not run are run in
  /// blocks too: a lane that reaches one is set aside (for the differential tests).
  package var blocksForced = false
  /// The steps the last evaluation counted (for the tests: a lane adopted from a block has
  /// the count it has alone).
  package var stepsCounted: Int { steps }
  /// Where `warm` leaves what it read, so that the reads are not optimised away.
  var blockSink: Int64 = 0

  /// Verifies `image` (`Verifier.verify`), then makes a machine for it: the dispatch loop
  /// trusts what the verifier proves, so an image that does not verify is refused here.
  ///
  /// A `CompiledPolicy` is verified already; `Evaluator` makes its machine without verifying
  /// again.
  ///
  /// - Throws: `VerificationError` for an image that does not verify.
  /// - Complexity: O(n) in the size of the image, plus definitions × jurisdictions.
  public init(verifying image: PolicyImage) throws(VerificationError) {
    try Verifier.verify(image)
    self.init(image: image)
  }

  /// Allocates every buffer `image` can need, once: registers, frames and memo are sized
  /// from the image (calls are acyclic), so evaluations allocate little once warm.
  ///
  /// The image must have passed `Verifier.verify(_:)` (within the package: `CompiledPolicy`'s
  /// image has); outside it, use `init(verifying:)`.
  ///
  /// - Complexity: O(n) in the size of the image, plus definitions × jurisdictions.
  package init(image: PolicyImage) {
    self.init(image: image, inlinedCode: Machine.inlinedCode(for: image))
  }

  /// `init(image:)` with the inlined code derived already: `inlinedCode` must be
  /// `Machine.inlinedCode(for: image)` (a `CompiledPolicy` keeps it, so that its evaluators
  /// do not each derive and verify it again).
  package init(image: PolicyImage, inlinedCode: FastCode?) {
    self.image = image
    facts = Facts(image: image)
    exactConstantCount = image.exactConstants.count
    hasDatedCases = image.enums.contains { !$0.caseValidities.isEmpty }
    // No recursion: a definition is on the stack at most once per jurisdiction.
    let jurisdictionCount = max(image.jurisdictions.count, 1)
    // The verifier rules out call cycles, so the stack never exceeds the sum of the frames.
    let tables = Tables(image: image, fast: inlinedCode)
    self.tables = tables
    var registerCount = 16
    for id in image.definitions.indices { registerCount += tables.frameSizes[id] }
    memoCount = image.definitions.count * jurisdictionCount
    buffers = Buffers(
      registers: registerCount, frames: image.definitions.count * jurisdictionCount + 2,
      memo: memoCount, paths: image.texts.count)
    registers = buffers.registers
    frames = buffers.frames
    memo = buffers.memo
    pathEpochs = buffers.pathEpochs
    pathsRead = buffers.pathsRead
    textRanks = tables.textRanks
    code = tables.code
    constants = tables.constants
    entryPoints = tables.entryPoints
    frameSizes = tables.frameSizes
    entryCosts = tables.entryCosts
    plainEntryPoints = tables.fastEntryPoints
    plainEntryCosts = tables.fastEntryCosts
    stepCosts = tables.stepCosts
    sizeChecked = tables.sizeChecked
    firstProbe = tables.firstProbe
    self.jurisdictionCount = jurisdictionCount
    decisionIDs = image.definitions.indices.filter { image.definitions[$0].kind == .decision }
    decisionValues = Array(repeating: .none, count: decisionIDs.count)
    decisionReasons = Array(repeating: -1, count: decisionIDs.count)
    decisionSelected = Array(repeating: true, count: decisionIDs.count)
    failed.reserveCapacity(8)
    reader = ReaderPlan(image: image)
    scratch.reserveCapacity(64)
  }

  /// Clears the last evaluation's facts; call before loading a new application.
  public mutating func reset() {
    ensureUnique()
    facts.reset(exactConstantCount: exactConstantCount)
    beginEvaluation()
  }

  /// The index in `PolicyImage.jurisdictions` that decides for a jurisdiction code (`SH`,
  /// `SH.PD`, or a bare city `PD` naming one declared city): the code's own level, else its
  /// province's, else national — the chain of Docs/language.md §12.4. Nil for a code the
  /// policy does not accept.
  ///
  /// - Complexity: O(j) in the number of jurisdiction codes.
  public func jurisdictionIndex(_ code: String) -> Int? {
    guard let canonical = canonicalJurisdiction(code) else { return nil }
    return image.jurisdictionCodes.first { $0.code == canonical }.map { Int($0.target) }
  }

  /// The code as records name it: `code` when the policy accepts it, `PROVINCE.CITY` for a
  /// bare city code; nil for a code the policy does not accept.
  public func canonicalJurisdiction(_ code: String) -> String? {
    let codes = image.jurisdictionCodes.map(\.code)
    if codes.contains(code) { return code }
    guard !code.contains(".") else { return nil }
    let cities = codes.filter { $0.hasSuffix(".\(code)") }
    return cities.count == 1 ? cities[0] : nil
  }

  /// Starts a new evaluation over the facts already loaded (memo and record cleared).
  public mutating func beginEvaluation() {
    ensureUnique()
    if !dateStack.isEmpty { dateStack.removeAll(keepingCapacity: true) }
    pathsReadCount = 0
    epoch = nextEpoch()
    pathEpoch = epoch
    steps = 0
    facts.exceededNumberSize = false
    failed.removeAll(keepingCapacity: true)
    if isTracing {
      trace.removeAll(keepingCapacity: true)
      traceStack.removeAll(keepingCapacity: true)
    }
  }

  /// Starts an evaluation of the application `input` as of `asOf` (memo and record cleared),
  /// for `evaluateDefinition(_:jurisdiction:)` on single definitions.
  public mutating func begin(input: Register, asOf: CivilDate) {
    beginEvaluation()
    inputRegister = input
    asOfDays = asOf.daysSince1970
  }

  /// A new memo epoch, never handed out before. When the counter wraps, every memo entry and
  /// path stamp is cleared and the epochs still in use (the dates stacked by `pushDate`, and
  /// the paths read) are numbered again from 1, so that no stamp left from before the wrap can
  /// match an epoch handed out after it; the paths this evaluation read are stamped again, so
  /// each stays listed once.
  mutating func nextEpoch() -> UInt32 {
    lastEpoch &+= 1
    if lastEpoch == 0 {
      for slot in 0..<memoCount { memo[slot].epoch = 0 }
      pathEpochs.update(repeating: 0, count: image.texts.count)
      for level in dateStack.indices {
        lastEpoch += 1
        dateStack[level].epoch = lastEpoch
      }
      lastEpoch += 1
      // The evaluation's own epoch stamps its paths: the outermost stacked date's, or the one
      // handed out now when no date is stacked (`beginEvaluation` sets it again).
      pathEpoch = dateStack.first?.epoch ?? lastEpoch
      for index in 0..<pathsReadCount { pathEpochs[Int(pathsRead[index])] = pathEpoch }
    }
    return lastEpoch
  }

  /// The largest stamp on the memo and the input paths: never above `lastEpoch`, so that no
  /// stamp can match an epoch handed out later (for the tests of the counter's wrap).
  package var largestStamp: UInt32 {
    var largest: UInt32 = 0
    for slot in 0..<memoCount { largest = max(largest, memo[slot].epoch) }
    for text in 0..<image.texts.count { largest = max(largest, pathEpochs[text]) }
    return largest
  }

  /// `pushDate`: goes on as of the day `days` (since 1970) with a memo of its own; a day
  /// outside the policy's own `from … until …` stops the evaluation.
  @inline(never)
  mutating func pushDate(_ days: Int64, pc: Int) throws(VMError) {
    let before = image.validFrom.map { days < $0 } ?? false
    let after = image.validUntil.map { $0 < days } ?? false
    guard !before && !after, let date = try? CivilDate(daysSince1970: days) else {
      let date = (try? CivilDate(daysSince1970: days))?.description ?? "?"
      throw .runtime(message: Self.notInForceAsOfMessage(date), instruction: pc - 1)
    }
    _ = date
    dateStack.append((asOfDays, epoch))
    asOfDays = days
    epoch = nextEpoch()
  }

  /// `popDate`: back to the date and memo of the matching `pushDate`.
  @inline(never)
  mutating func popDate(pc: Int) throws(VMError) {
    guard let (days, saved) = dateStack.popLast() else {
      throw .runtime(message: "internal error: `popDate` without `pushDate`", instruction: pc - 1)
    }
    asOfDays = days
    epoch = saved
  }

  /// After a decision stopped inside `NAME as of DATE`: back to the evaluation's own date.
  mutating func leaveOtherDates() {
    guard let outermost = dateStack.first else { return }
    (asOfDays, epoch) = (outermost.days, outermost.epoch)
    dateStack.removeAll(keepingCapacity: true)
  }

  /// Evaluates every selected decision into `decisionValues` and `decisionReasons`; allocates
  /// nothing once warm.
  ///
  /// Decisions are independent: one that needs an absent fact is listed in `undecided` with
  /// the fact's positioned path, and the others are decided as usual. Does not check the
  /// policy's own `from … until …`; `Evaluator.decide` does.
  ///
  /// - Throws: `VMError.runtime` or `.limit` at the first runtime failure or limit (these stop
  ///   the whole evaluation).
  public mutating func run(input: Register, asOf: CivilDate, jurisdiction: Int) throws(VMError) {
    inputRegister = input
    asOfDays = asOf.daysSince1970
    if hasDatedCases, let message = caseNotInForce(on: asOf) {
      throw .runtime(message: message, instruction: -1)
    }
    if !undecided.isEmpty { undecided.removeAll(keepingCapacity: true) }
    if !notComputable.isEmpty { notComputable.removeAll(keepingCapacity: true) }
    // An index loop: no iterator (nor `first`), so nothing is allocated even unoptimised. The
    // first decision evaluated makes the per-evaluation checks for all of them.
    var position = 0
    var checked = false
    while position < decisionIDs.count {
      decisionValues[position] = .none
      decisionReasons[position] = -1
      if !decisionSelected[position] {
        position += 1
        continue
      }
      let id = decisionIDs[position]
      do {
        let (value, reason) =
          checked
          ? try evaluateChecked(id, jurisdiction: jurisdiction)
          : try evaluateDefinition(id, jurisdiction: jurisdiction)
        decisionValues[position] = value
        decisionReasons[position] = reason
      } catch {
        // Only a missing fact or a definition not in force reaches here after the checks, so
        // they have passed.
        switch error {
        case .missingFacts(let paths): undecided.append((position, paths))
        case .notComputable(let message, _): notComputable.append((position, message))
        case .runtime, .limit: throw error
        }
        leaveOtherDates()
        if isTracing { traceStack.removeAll(keepingCapacity: true) }
      }
      checked = true
      position += 1
    }
  }

  /// The error for the first enum case of the application (fields in declaration order, list
  /// elements in order) that is not in force on `date`, naming its positioned path; nil when
  /// every case is (as the interpreter's `IRProgram.checkCasesInForce`).
  ///
  /// - Complexity: O(n) in the size of the application.
  func caseNotInForce(on date: CivilDate) -> String? {
    let day = date.daysSince1970
    return firstInApplication { value, type, path in
      guard case .enumeration(let index) = type, value.tag == 0, index < image.enums.count else {
        return nil
      }
      let schema = image.enums[index]
      guard value.word >= 0, value.word < Int64(schema.caseValidities.count),
        let validity = schema.caseValidities[Int(value.word)], !validity.contains(day)
      else { return nil }
      // A day outside the calendar (only a hand-made compiled file has one) prints as a count.
      func text(_ day: Int64) -> String {
        (try? CivilDate(daysSince1970: day))?.description ?? "day \(day)"
      }
      return "`\(path)`: the case `\(schema.cases[Int(value.word)])` of `\(schema.name)` is not "
        + "in force on \(date) (it is in force from \(text(validity.from))"
        + "\(validity.until.map { " until \(text($0))" } ?? ""))"
    }
  }

  /// Walks the application depth first (fields in declaration order, list elements in
  /// order), calling `visit` with each value, its type (optionals unwrapped) and its
  /// positioned path (`members[1].status`), and returns its first answer.
  ///
  /// - Complexity: O(n) in the size of the application.
  func firstInApplication(_ visit: (Register, SchemaType, String) -> String?) -> String? {
    func walk(_ value: Register, _ type: SchemaType, _ path: String) -> String? {
      if case .optional(let wrapped) = type { return walk(value, wrapped, path) }
      if let found = visit(value, type, path) { return found }
      switch type {
      case .record(let index):
        guard facts.holdsList(value), index < image.records.count else { return nil }
        for (position, field) in image.records[index].fields.enumerated() {
          guard let item = facts.checkedItem(value, position) else { continue }
          let inner = path.isEmpty ? field.name : "\(path).\(field.name)"
          if let found = walk(item, field.type, inner) { return found }
        }
        return nil
      case .list(let element):
        guard facts.holdsList(value) else { return nil }
        for position in 0..<facts.count(value) {
          if let found = walk(facts.item(value, position), element, "\(path)[\(position)]") {
            return found
          }
        }
        return nil
      default: return nil
      }
    }
    return walk(inputRegister, .record(image.inputRecord), "")
  }

  /// The absent facts of the last `run`, each once, in the order the decisions met them.
  public var missingFacts: [String] {
    var seen = Set<String>()
    return undecided.flatMap(\.paths).filter { seen.insert($0).inserted }
  }

  /// The positioned path (`members[2].age`) of field `field` of `record`, found by walking
  /// the application from its root (a record handle is where the reader put it, and filters
  /// and bindings copy the handle); nil when the record is not part of the application.
  ///
  /// - Complexity: O(n) in the size of the application: called only when a fact is missing.
  func positionedPath(of record: Register, field: Int) -> String? {
    firstInApplication { value, type, path in
      guard case .record(let index) = type, facts.holdsList(value), value.word == record.word,
        index < image.records.count, field < image.records[index].fields.count
      else { return nil }
      let name = image.records[index].fields[field].name
      return path.isEmpty ? name : "\(path).\(name)"
    }
  }

  /// Evaluates every decision for the application in `input` (loaded into `facts`).
  ///
  /// The convenient form of `run(input:asOf:jurisdiction:)`: it allocates the outcome's arrays.
  ///
  /// - Throws: `VMError`, as `run(input:asOf:jurisdiction:)` does; `.missingFacts` with every
  ///   absent fact when a decision is undecided (the others are in `decisionValues`).
  public mutating func evaluate(input: Register, asOf: CivilDate, jurisdiction: Int) throws(VMError)
    -> VMOutcome
  {
    try run(input: input, asOf: asOf, jurisdiction: jurisdiction)
    if !undecided.isEmpty { throw .missingFacts(missingFacts) }
    if let first = notComputable.first {
      throw .notComputable(message: first.message, instruction: -1)
    }
    let reasons = decisionReasons.map { $0 >= 0 ? facts.texts[Int($0)] : nil }
    return VMOutcome(values: decisionValues, reasons: reasons, failedConditions: failedConditions)
  }

  /// The input record of the last evaluation.
  public var currentInput: Register { inputRegister }

  /// `all of` conditions that failed in the last evaluation, as (definition, reason).
  public var failedConditions: [(definition: String, reason: String)] {
    failed.map { (image.definitions[Int($0.definition)].name, facts.texts[Int($0.reason)]) }
  }

  /// `all of` failures of the last evaluation as (definition index, reason text index), in
  /// the order met: the record without its strings.
  @inlinable public var failedConditionIndexes: [(definition: Int32, reason: Int32)] { failed }

  /// The number of `all of` failures of the last evaluation.
  @inlinable public var failedConditionCount: Int { failed.count }

  /// Failure `index` of the last evaluation as (definition index, reason text index).
  @inlinable public func failedCondition(_ index: Int) -> (definition: Int32, reason: Int32) {
    failed[index]
  }

  /// Input paths (as texts) read by the last evaluation.
  ///
  /// Paths are written with list positions as `[]` (`members[].age`), sorted.
  ///
  /// - Complexity: O(p²) in the number of paths read (p is small: one per field read).
  public var inputsRead: [String] {
    (0..<pathsReadCount).map { pathsRead[$0] }.sorted { textRanks[Int($0)] < textRanks[Int($1)] }
      .map { facts.texts[Int($0)] }
  }

  /// The text indexes of the input paths the last evaluation read, in the order first read
  /// (each once; after `adoptBlockLane`, in the order of their texts), in the machine's own
  /// buffer: valid until the next evaluation. The record's content without the sorting that
  /// rendering it needs.
  public mutating func inputsReadInReadingOrder() -> UnsafeBufferPointer<Int32> {
    ensureUnique()
    return UnsafeBufferPointer(start: pathsRead, count: pathsReadCount)
  }

  /// The text indexes of the input paths the last evaluation read, in the order of their
  /// text (as `inputsRead`), sorted in place in the machine's own buffer: valid until the next
  /// evaluation, and read without allocating.
  ///
  /// - Complexity: O(p²) in the number of paths read, by insertion sort on precomputed ranks.
  public mutating func sortedInputsRead() -> UnsafeBufferPointer<Int32> {
    ensureUnique()
    let paths = pathsRead
    let ranks = textRanks
    if pathsReadCount > 32 {
      // Many paths (a large policy, or a hostile file): O(p log p) instead.
      var buffer = UnsafeMutableBufferPointer(start: paths, count: pathsReadCount)
      buffer.sort { ranks[Int($0)] < ranks[Int($1)] }
      return UnsafeBufferPointer(start: paths, count: pathsReadCount)
    }
    var index = 1
    while index < pathsReadCount {
      let path = paths[index]
      var hole = index
      while hole > 0 && ranks[Int(paths[hole - 1])] > ranks[Int(path)] {
        paths[hole] = paths[hole - 1]
        hole -= 1
      }
      paths[hole] = path
      index += 1
    }
    return UnsafeBufferPointer(start: paths, count: pathsReadCount)
  }

  /// Evaluates one definition (memoised) and returns its register and reason text index.
  ///
  /// Call `beginEvaluation()` (or `reset()`) first: the memo is kept for the current
  /// evaluation only. A value computed earlier in it is returned without running code, and
  /// without a trace node.
  ///
  /// - Throws: `VMError` at the first missing fact, runtime failure or limit.
  public mutating func evaluateDefinition(_ id: Int, jurisdiction: Int) throws(VMError) -> (
    Register, Int32
  ) {
    ensureUnique()
    guard id >= 0, id < image.definitions.count, jurisdiction >= 0,
      jurisdiction < jurisdictionCount
    else {
      throw .runtime(
        message: "no definition \(id) in jurisdiction \(jurisdiction) in this policy",
        instruction: -1)
    }
    // The dispatch loop follows the input's handles unchecked: it must be an application a
    // reader built and checked against the input schema (checked before the memo too, so that
    // no answer is given for an input that is not one).
    guard facts.holdsRecord(inputRegister, of: image.inputRecord) else {
      throw .runtime(
        message: "the input is not an application loaded into this machine since its last reset",
        instruction: -1)
    }
    inputFields = facts.itemsStart(inputRegister)
    if let special = image.specialisedAsOf, special != asOfDays {
      throw .runtime(message: specialisedMessage(special, asOfDays), instruction: -1)
    }
    if hasDatedCases, let date = try? CivilDate(daysSince1970: asOfDays),
      let message = caseNotInForce(on: date)
    {
      throw .runtime(message: message, instruction: -1)
    }
    do {
      return try evaluateChecked(id, jurisdiction: jurisdiction)
    } catch {
      // A missing fact met on another date: the next definition is on the evaluation's own.
      leaveOtherDates()
      throw error
    }
  }

  /// `evaluateDefinition` once its checks have passed for the current evaluation (the machine
  /// unshared, the input an application, `id` and `jurisdiction` in range, the date allowed).
  @inline(__always)
  mutating func evaluateChecked(_ id: Int, jurisdiction: Int) throws(VMError) -> (
    Register, Int32
  ) {
    let slot = id * jurisdictionCount + jurisdiction
    if memo[slot].epoch != epoch {
      frameCount = 0
      push(
        Frame(
          returnPC: -1, base: 0, size: 0, destination: 0, memoSlot: -1, jurisdiction: jurisdiction,
          wantsReason: false))
      var pc = 0
      enter(
        id, jurisdiction: jurisdiction, destination: 0, wantsReason: false, returnPC: -1, pc: &pc,
        observed: isTracing)
      if isTracing {
        try runObserved(from: pc)
      } else if opcodeProfile != nil {
        try runProfiled(from: pc)
      } else {
        try run(from: pc)
      }
    }
    return (memo[slot].value, memo[slot].reason)
  }

  /// Pushes a frame for definition `id`; sets `pc` to its entry for the jurisdiction.
  @inline(__always)
  mutating func enter(
    _ id: Int, jurisdiction: Int, destination: Int, wantsReason: Bool, returnPC: Int, pc: inout Int,
    observed: Bool
  ) {
    let caller = frames[frameCount - 1]
    let base = caller.base + caller.size
    let size = frameSizes[id]
    let slot = id * jurisdictionCount + jurisdiction
    push(
      Frame(
        returnPC: returnPC, base: base, size: size, destination: destination, memoSlot: slot,
        jurisdiction: jurisdiction, wantsReason: wantsReason))
    pc = observed ? entryPoints[slot] : plainEntryPoints[slot]
    steps &+= observed ? entryCosts[slot] : plainEntryCosts[slot]
    if observed && isTracing { traceEntered(id, jurisdiction: jurisdiction, entry: pc) }
  }

  /// Records a definition entered while tracing (out of line: the untraced path stays short).
  @inline(never)
  mutating func traceEntered(_ id: Int, jurisdiction: Int, entry: Int) {
    trace.append(
      TraceNode(
        definition: id, jurisdiction: jurisdiction, parent: traceStack.last ?? -1, value: .none,
        reason: -1, isCached: false, entry: entry))
    traceStack.append(trace.count - 1)
  }

  /// Completes the trace node of the definition returning `value` (out of line).
  @inline(never)
  mutating func traceReturned(_ value: Register, reason: Int32) {
    // Conditions still open (none in a well-formed trace) close with the definition.
    while let top = traceStack.last, trace[top].probe >= 0 { traceStack.removeLast() }
    if let node = traceStack.popLast() {
      trace[node].value = value
      trace[node].reason = reason
      // A definition node's `outcome`: 1 once it returned (a value, `none` included).
      trace[node].outcome = 1
    }
  }

  /// Records a definition whose value came from the memo.
  @inline(never)
  mutating func traceCached(_ id: Int, jurisdiction: Int, slot: Int) {
    trace.append(
      TraceNode(
        definition: id, jurisdiction: jurisdiction, parent: traceStack.last ?? -1,
        value: memo[slot].value,
        reason: memo[slot].reason, isCached: true,
        entry: entryPoints[id * jurisdictionCount + jurisdiction]))
  }

  @inline(__always)
  mutating func push(_ frame: Frame) {
    frames[frameCount] = frame
    frameCount += 1
  }

  /// Copy on write: a copy of a machine shares its buffers and facts until one of the two
  /// changes something; the one that does takes its own first, so neither sees the other's
  /// evaluations (a memoised handle into another copy's facts would be out of range).
  @inline(__always)
  package mutating func ensureUnique() {
    if !isKnownUniquelyReferenced(&buffers) { separateBuffers() }
    facts.ensureUnique()
  }

  @inline(never)
  mutating func separateBuffers() {
    buffers = Buffers(copying: buffers)
    registers = buffers.registers
    frames = buffers.frames
    memo = buffers.memo
    pathEpochs = buffers.pathEpochs
    pathsRead = buffers.pathsRead
  }
}

/// Memory for `count` values of `T` on cache lines of its own (64-byte aligned, whole lines):
/// buffers that a machine writes while it runs never share a line with another machine's, so
/// machines on different threads do not slow each other down (false sharing).
func allocateOnOwnLines<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
  let bytes = (max(count, 1) * MemoryLayout<T>.stride + 63) & ~63
  return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    .bindMemory(to: T.self, capacity: max(count, 1))
}

/// The buffers a machine writes while it runs, freed with it. Copies of a machine share them
/// until one of the copies changes something: it then takes its own (`Machine.ensureUnique()`),
/// as Swift's collections do.
final class Buffers {
  let registers: UnsafeMutablePointer<Register>
  let frames: UnsafeMutablePointer<Frame>
  let memo: UnsafeMutablePointer<MemoEntry>
  var pathEpochs: UnsafeMutablePointer<UInt32>
  var pathsRead: UnsafeMutablePointer<Int32>
  let sizes: (registers: Int, frames: Int, memo: Int, paths: Int)

  init(registers registerCount: Int, frames frameCount: Int, memo: Int, paths: Int) {
    sizes = (registerCount, frameCount, max(memo, 1), max(paths, 1))
    registers = allocateOnOwnLines(Register.self, count: registerCount)
    registers.initialize(repeating: .none, count: registerCount)
    frames = allocateOnOwnLines(Frame.self, count: frameCount)
    frames.initialize(
      repeating: Frame(
        returnPC: -1, base: 0, size: 0, destination: 0, memoSlot: 0, jurisdiction: 0,
        wantsReason: false),
      count: frameCount)
    self.memo = allocateOnOwnLines(MemoEntry.self, count: sizes.memo)
    self.memo.initialize(
      repeating: MemoEntry(value: .none, reason: -1, epoch: 0), count: sizes.memo)
    pathEpochs = allocateOnOwnLines(UInt32.self, count: sizes.paths)
    pathEpochs.initialize(repeating: 0, count: sizes.paths)
    pathsRead = allocateOnOwnLines(Int32.self, count: sizes.paths)
    pathsRead.initialize(repeating: 0, count: sizes.paths)
  }

  /// A copy of `other`'s contents in buffers of its own.
  init(copying other: Buffers) {
    sizes = other.sizes
    registers = allocateOnOwnLines(Register.self, count: sizes.registers)
    registers.initialize(from: other.registers, count: sizes.registers)
    frames = allocateOnOwnLines(Frame.self, count: sizes.frames)
    frames.initialize(from: other.frames, count: sizes.frames)
    memo = allocateOnOwnLines(MemoEntry.self, count: sizes.memo)
    memo.initialize(from: other.memo, count: sizes.memo)
    pathEpochs = allocateOnOwnLines(UInt32.self, count: sizes.paths)
    pathEpochs.initialize(from: other.pathEpochs, count: sizes.paths)
    pathsRead = allocateOnOwnLines(Int32.self, count: sizes.paths)
    pathsRead.initialize(from: other.pathsRead, count: sizes.paths)
  }

  deinit {
    registers.deallocate()
    frames.deallocate()
    memo.deallocate()
    pathEpochs.deallocate()
    pathsRead.deallocate()
  }
}

/// What a machine reads but never writes, built from its image once: shared by every copy.
final class Tables {
  let textRanks: UnsafeMutablePointer<Int32>
  let code: UnsafeMutablePointer<Instruction>
  let constants: UnsafeMutablePointer<Register>
  let entryPoints: UnsafeMutablePointer<Int>
  let frameSizes: UnsafeMutablePointer<Int>
  /// By memo slot (definition × jurisdiction): what entering the definition there counts
  /// against the step limit — the longest run of instructions from its entry point to a loop
  /// instruction or the end (`WorkCosts`).
  let entryCosts: UnsafeMutablePointer<Int>
  /// By instruction: what a loop instruction (`step`, `next`, `nextLoop`) counts when it runs —
  /// itself and the longest run of instructions after it to the next loop instruction.
  let stepCosts: UnsafeMutablePointer<Int>
  /// By memo slot (definition × jurisdiction): true when the definition's value is measured
  /// on return (`Machine.needsSizeCheck`).
  let sizeChecked: UnsafeMutablePointer<Bool>
  /// By instruction: the index of the first probe observing it, or -1 (read by traced
  /// replays only).
  let firstProbe: UnsafeMutablePointer<Int32>
  /// The inlined code (`PolicyImage.fastCode`), when the image has calls to inline: `code`
  /// holds the image's code, then its fast section.
  let fast: FastCode?
  /// By memo slot: entry points into the fast section (the image's own when there is none).
  let fastEntryPoints: UnsafeMutablePointer<Int>
  /// By memo slot: `entryCosts` for the fast entry points.
  let fastEntryCosts: UnsafeMutablePointer<Int>
  /// The image's instruction count: pcs from here on are in the fast section.
  let sectionStart: Int
  /// The instruction count of `code` (both sections).
  let codeCount: Int
  /// What the code allows of block evaluation (`Machine.runBlock`).
  let blocks: BlockPlan

  init(image: PolicyImage, fast: FastCode?) {
    self.fast = fast
    let allCode = fast?.code ?? image.code
    sectionStart = image.code.count
    firstProbe = .allocate(capacity: max(image.code.count, 1))
    firstProbe.initialize(repeating: -1, count: max(image.code.count, 1))
    for (index, probe) in image.explanations.probes.enumerated().reversed()
    where Int(probe.pc) < image.code.count {
      firstProbe[Int(probe.pc)] = Int32(index)
    }
    textRanks = .allocate(capacity: max(image.texts.count, 1))
    textRanks.initialize(repeating: 0, count: max(image.texts.count, 1))
    for (rank, index) in image.texts.indices.sorted(by: { image.texts[$0] < image.texts[$1] })
      .enumerated()
    {
      textRanks[index] = Int32(rank)
    }
    code = .allocate(capacity: max(allCode.count, 1))
    _ = UnsafeMutableBufferPointer(start: code, count: allCode.count).initialize(from: allCode)
    codeCount = allCode.count
    let jurisdictionCount = max(image.jurisdictions.count, 1)
    let slots = max(image.definitions.count * jurisdictionCount, 1)
    entryPoints = .allocate(capacity: slots)
    fastEntryPoints = .allocate(capacity: slots)
    // A frame is the fast section's size in both: the inlined registers come after the own.
    frameSizes = .allocate(capacity: max(image.definitions.count, 1))
    for (id, definition) in image.definitions.enumerated() {
      frameSizes[id] = Int(fast?.frameSizes[id] ?? definition.frameSize)
      for jurisdiction in 0..<jurisdictionCount {
        let slot = id * jurisdictionCount + jurisdiction
        entryPoints[slot] = Int(definition.entries[jurisdiction])
        fastEntryPoints[slot] = Int(
          fast?.entries[id][jurisdiction] ?? definition.entries[jurisdiction])
      }
    }
    constants = .allocate(capacity: max(image.constants.count, 1))
    _ = UnsafeMutableBufferPointer(start: constants, count: image.constants.count).initialize(
      from: image.constants)
    let costs = WorkCosts(code: allCode)
    stepCosts = .allocate(capacity: max(allCode.count, 1))
    stepCosts.initialize(repeating: 1, count: max(allCode.count, 1))
    for pc in allCode.indices where costs.isLoopInstruction(pc) {
      stepCosts[pc] = costs.charge(atLoopInstruction: pc)
    }
    entryCosts = .allocate(capacity: slots)
    entryCosts.initialize(repeating: 0, count: slots)
    fastEntryCosts = .allocate(capacity: slots)
    fastEntryCosts.initialize(repeating: 0, count: slots)
    for slot in 0..<image.definitions.count * jurisdictionCount {
      entryCosts[slot] = costs.run(from: entryPoints[slot])
      fastEntryCosts[slot] = costs.run(from: fastEntryPoints[slot])
    }
    sizeChecked = .allocate(capacity: slots)
    sizeChecked.initialize(repeating: false, count: slots)
    for (id, definition) in image.definitions.enumerated() {
      for jurisdiction in 0..<jurisdictionCount {
        sizeChecked[id * jurisdictionCount + jurisdiction] = Machine.needsSizeCheck(definition.type)
      }
    }
    let (fastEntries, imageEntries) = (fastEntryPoints, entryPoints)
    let allSlots = 0..<image.definitions.count * jurisdictionCount
    blocks = BlockPlan(
      code: allCode, image: image,
      entries: [allSlots.map { fastEntries[$0] }, allSlots.map { imageEntries[$0] }])
  }

  deinit {
    entryCosts.deallocate()
    stepCosts.deallocate()
    sizeChecked.deallocate()
    firstProbe.deallocate()
    textRanks.deallocate()
    code.deallocate()
    constants.deallocate()
    entryPoints.deallocate()
    fastEntryPoints.deallocate()
    fastEntryCosts.deallocate()
    frameSizes.deallocate()
  }

  /// `error` with its instruction in the image's code: a fast-section instruction is reported
  /// as the one it was copied from (its definition and source position).
  func inImageCode(_ error: VMError) -> VMError {
    guard let fast else { return error }
    switch error {
    case .runtime(let message, let pc) where pc >= sectionStart:
      return .runtime(message: message, instruction: fast.origin(of: pc))
    case .limit(let message, let pc) where pc >= sectionStart:
      return .limit(message: message, instruction: fast.origin(of: pc))
    case .notComputable(let message, let pc) where pc >= sectionStart:
      return .notComputable(message: message, instruction: fast.origin(of: pc))
    default: return error
    }
  }
}

/// The error for evaluating a policy specialised for the day `special` as of the day `asOf`
/// (day numbers since 1970-01-01).
public func specialisedMessage(_ special: Int64, _ asOf: Int64) -> String {
  func text(_ day: Int64) -> String {
    (try? CivilDate(daysSince1970: day))?.description ?? "day \(day)"
  }
  return "this compiled policy was specialised for \(text(special)) and cannot decide as of "
    + "\(text(asOf)) (build it without `--as-of` to decide any date)"
}

/// The work a stretch of straight-line code can do, computed once per image: for each
/// instruction, the longest run of instructions from it to a loop instruction (`step`, `next`,
/// `nextLoop`) or the end of a path (`return`, `fail`, `conflict`). The verifier proved that
/// every cycle passes a loop instruction, so the graph without the edges out of them has no
/// cycle, and the longest runs are well defined (a depth-first pass, no recursion).
struct WorkCosts {
  let code: [Instruction]
  /// `runs[pc]`: instructions run from `pc` up to (not including) the next loop instruction;
  /// 0 for a loop instruction itself.
  private(set) var runs: [Int]

  init(code: [Instruction]) {
    self.code = code
    runs = Array(repeating: 0, count: code.count)
    var state = [UInt8](repeating: 0, count: code.count)  // 0 new, 1 on the stack, 2 done
    for root in code.indices where state[root] == 0 && code[root].opcode != .extra {
      state[root] = 1
      var stack: [(pc: Int, next: Int)] = [(root, 0)]
      while let top = stack.last {
        // A loop instruction ends a run: its successors are costed when it charges.
        let successors = isLoopInstruction(top.pc) ? [] : self.successors(top.pc)
        if top.next < successors.count {
          stack[stack.count - 1].next += 1
          let successor = successors[top.next]
          // A successor on the stack would close a cycle without a loop instruction, which the
          // verifier rules out; it is not followed (counted as 0) rather than trusted absent.
          if successor < code.count, state[successor] == 0 {
            state[successor] = 1
            stack.append((successor, 0))
          }
          continue
        }
        if !isLoopInstruction(top.pc) {
          runs[top.pc] =
            1
            + (successors.map { $0 < code.count && !isLoopInstruction($0) ? runs[$0] : 0 }.max()
              ?? 0)
        }
        state[top.pc] = 2
        stack.removeLast()
      }
    }
  }

  func isLoopInstruction(_ pc: Int) -> Bool {
    switch code[pc].opcode {
    case .step, .next, .nextLoop: true
    default: false
    }
  }

  /// The instructions that can run after `pc`.
  func successors(_ pc: Int) -> [Int] { code.successors(of: pc) }

  /// The instructions run from `pc` up to the next loop instruction.
  func run(from pc: Int) -> Int { pc < runs.count ? runs[pc] : 0 }

  /// What the loop instruction at `pc` counts when it runs: itself and the longest run after it.
  func charge(atLoopInstruction pc: Int) -> Int {
    1 + (successors(pc).map { run(from: $0) }.max() ?? 0)
  }
}
