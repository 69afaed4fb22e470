// The verifier's proof about values: which kind of value each register holds at each
// instruction (a forward dataflow analysis over each definition's code, like the JVM's
// type-inferring verifier), so that the instructions that follow a handle — `field`, `item`,
// `length`, `next`, `append`, `textEqual`, `callAt` — need no check at run time.

/// What the verifier knows about a register: a kind, interned as an `Int32`. Kinds form a
/// lattice ordered by "holds at least the values of"; `join` is its least upper bound.
///
///     undefined                    (not written on some path: cannot be read)
///         |
///       scalar                     (any value read as bits: numbers, dates, Bool, …)
///      /   |   \
///  text  K?  enum e … record r     (a handle or case index the VM may follow)
///         |
///     K, none                      (K? holds a K or none)
///
/// and a list under construction (`builder`) is also a list of the same elements.
struct KindTable {
  enum Node: Hashable {
    case undefined, scalar, none, text
    case enumeration(Int)
    case record(Int)
    case list(Int32)
    case table(key: Int, value: Int32)
    case optional(Int32)
    case builder(Int32)
  }

  static let undefined: Int32 = 0
  static let scalar: Int32 = 1
  static let none: Int32 = 2
  static let text: Int32 = 3

  private(set) var nodes: [Node] = [.undefined, .scalar, .none, .text]
  private var ids: [Node: Int32] = [.undefined: 0, .scalar: 1, .none: 2, .text: 3]
  private var joins: [UInt64: Int32] = [:]

  subscript(kind: Int32) -> Node { nodes[Int(kind)] }

  mutating func id(_ node: Node) -> Int32 {
    if let id = ids[node] { return id }
    nodes.append(node)
    ids[node] = Int32(nodes.count - 1)
    return Int32(nodes.count - 1)
  }

  /// The kind of a value of `type` (whose indices the verifier has already checked).
  mutating func of(_ type: SchemaType) -> Int32 {
    switch type {
    case .bool, .int, .decimal, .money, .exactMoney, .date, .days, .months, .years:
      return KindTable.scalar
    case .text: return KindTable.text
    case .enumeration(let index): return id(.enumeration(index))
    case .record(let index): return id(.record(index))
    case .list(let element): return id(.list(of(element)))
    case .table(let key, let value): return id(.table(key: key, value: of(value)))
    case .optional(let wrapped): return optional(of(wrapped))
    }
  }

  /// `kind` or none.
  mutating func optional(_ kind: Int32) -> Int32 {
    switch self[kind] {
    case .undefined, .scalar, .optional: return kind
    case .none: return KindTable.none
    case .builder(let element): return id(.optional(id(.list(element))))
    default: return id(.optional(kind))
    }
  }

  /// True for the kinds whose registers the VM follows: a handle or an enum case.
  func isHandle(_ kind: Int32) -> Bool {
    switch self[kind] {
    case .undefined, .scalar, .none, .optional: false
    default: true
    }
  }

  /// The least kind that holds the values of both.
  mutating func join(_ a: Int32, _ b: Int32) -> Int32 {
    if a == b { return a }
    if a == KindTable.undefined || b == KindTable.undefined { return KindTable.undefined }
    if a == KindTable.scalar || b == KindTable.scalar { return KindTable.scalar }
    let key = UInt64(UInt32(min(a, b))) << 32 | UInt64(UInt32(max(a, b)))
    if let known = joins[key] { return known }
    let result: Int32
    switch (self[a], self[b]) {
    case (.none, _): result = optional(b)
    case (_, .none): result = optional(a)
    case (.optional(let x), .optional(let y)): result = optionalJoin(x, y)
    case (.optional(let x), _): result = optionalJoin(x, b)
    case (_, .optional(let y)): result = optionalJoin(a, y)
    case (.builder(let x), .list(let y)) where x == y: result = b
    case (.list(let x), .builder(let y)) where x == y: result = a
    default: result = KindTable.scalar
    }
    joins[key] = result
    return result
  }

  private mutating func optionalJoin(_ a: Int32, _ b: Int32) -> Int32 {
    let joined = join(a, b)
    return isHandle(joined) ? optional(joined) : KindTable.scalar
  }

  /// True when a register of kind `kind` may be used where `required` is expected.
  mutating func conforms(_ kind: Int32, to required: Int32) -> Bool {
    kind != KindTable.undefined && join(kind, required) == required
  }

  /// The kind in words, for messages (`nested` inside another kind's name).
  func describe(_ kind: Int32, _ image: PolicyImage, nested: Bool = false) -> String {
    switch self[kind] {
    case .undefined: "no value on some path to it"
    case .scalar: nested ? "scalar" : "a scalar (a number, date, duration or Bool)"
    case .none: "none"
    case .text: "Text"
    case .enumeration(let index): image.enums[index].name
    case .record(let index): image.records[index].name
    case .list(let element): "List<\(describe(element, image, nested: true))>"
    case .table(let key, let value):
      "\(describe(value, image, nested: true)) by \(image.enums[key].name)"
    case .optional(let wrapped): "\(describe(wrapped, image, nested: true))?"
    case .builder(let element):
      "a list of \(describe(element, image, nested: true)) under construction"
    }
  }
}

/// Proves that every instruction reads registers of the kinds it expects. Runs after the
/// structural checks: operands, jump targets and `extra` words are known to be in range.
struct KindChecker {
  let image: PolicyImage
  var kinds = KindTable()
  /// The kind each constant puts in its register.
  var constantKinds: [Int32] = []
  /// The kind of each definition's value.
  var definitionKinds: [Int32] = []
  /// Constant lists proved to hold values of a type, so that each is checked once per type.
  var provenLists: Set<ProvenList> = []

  struct ProvenList: Hashable {
    var list: Int
    var type: SchemaType
  }

  /// The most cells (jump targets × frame registers) the analysis of one definition may keep.
  static let maximumStateCells = 1 << 24
  /// The most work the analysis of a whole image may do, in register states visited (each
  /// instruction analysed counts one, each state joined or copied its frame size): a hostile
  /// file can make the fixed point slow (every pass around a loop widening one register), and
  /// is refused rather than verified for minutes. Real policies use a millionth of it.
  static let maximumAnalysisCost = 1 << 28
  /// The work done so far, against `maximumAnalysisCost`.
  var analysisCost = 0

  /// The probes at each instruction that has some, as a range of `explanations.probes`.
  var probesAt: [Int: Range<Int>] = [:]

  init(image: PolicyImage) {
    self.image = image
    let probes = image.explanations.probes
    var index = 0
    while index < probes.count {
      var end = index + 1
      while end < probes.count && probes[end].pc == probes[index].pc { end += 1 }
      probesAt[Int(probes[index].pc)] = index..<end
      index = end
    }
  }

  /// The registers a probe at `pc` renders hold values of the types it declares (a traced
  /// replay renders them by those types), and a register it reads an outcome from before the
  /// instruction holds a scalar.
  mutating func checkProbes(at pc: Int, _ state: [Int32]) throws(VerificationError) {
    guard let range = probesAt[pc] else { return }
    for probe in image.explanations.probes[range] {
      for (register, type, slot) in [(probe.a, probe.typeA, "a"), (probe.b, probe.typeB, "b")]
      where register != Probe.absent {
        try read(
          UInt16(register), "probe.\(slot)", as: kinds.of(image.types[Int(type)]), state, at: pc)
      }
      if probe.outcome == .registerBefore || probe.outcome == .negatedRegisterBefore {
        try read(UInt16(probe.result), "probe.result", as: KindTable.scalar, state, at: pc)
      }
      // A call's end renders its value from `result` by `typeB`, before the instruction runs
      // (its start names the same register before it is written: not read there).
      if probe.kind == .callEnd, probe.result != Probe.absent, probe.typeB != Probe.absent {
        try read(
          UInt16(probe.result), "probe.result", as: kinds.of(image.types[Int(probe.typeB)]), state,
          at: pc)
      }
    }
  }

  mutating func check() throws(VerificationError) {
    try checkConstantKinds()
    definitionKinds = image.definitions.map { kinds.of($0.type) }
    try checkCode()
  }

  // MARK: Constants

  mutating func checkConstantKinds() throws(VerificationError) {
    guard image.constantTypes.count == image.constants.count else {
      throw VerificationError(
        instruction: nil,
        message:
          "\(image.constantTypes.count) constant \(plural(image.constantTypes.count, "type")) "
          + "for \(image.constants.count) \(plural(image.constants.count, "constant"))")
    }
    for (index, register) in image.constants.enumerated() {
      let typeIndex = Int(image.constantTypes[index])
      guard typeIndex < image.types.count else {
        throw VerificationError(
          instruction: nil,
          message:
            "constant k\(index) has type \(typeIndex), out of range (\(image.types.count) "
            + "\(plural(image.types.count, "type")))")
      }
      let type = image.types[typeIndex]
      let kind = kinds.of(type)
      if register.tag == Register.noneTag {
        constantKinds.append(KindTable.none)
      } else if register.tag == Register.unknownTag {
        guard kind == KindTable.scalar else {
          throw VerificationError(
            instruction: nil,
            message: "constant k\(index) of type \(image.typeName(type)) holds an unknown value")
        }
        constantKinds.append(kind)
      } else {
        guard holds(register, type) else {
          throw VerificationError(
            instruction: nil,
            message:
              "constant k\(index) is not a value of its type \(image.typeName(type)) "
              + "(a handle or case out of range, or a list of the wrong shape)")
        }
        constantKinds.append(kind)
      }
    }
  }

  /// True when the constant `register` (or constant list item) is a value of `type`: texts,
  /// enum cases and constant lists in range, records and tables with one item per field or
  /// key, items of the element type. Tags were checked by `checkConstants`.
  ///
  /// An explicit worklist, not recursion: a hostile file can chain constant lists as deep as
  /// it likes. Each (list, type) pair is checked once, and assumed while its items are, so
  /// that a list that contains itself (a record whose optional field is the record) is
  /// finite work; a failure anywhere fails the verification, so nothing assumed needs undoing.
  mutating func holds(_ register: Register, _ type: SchemaType) -> Bool {
    var work: [(register: Register, type: SchemaType)] = [(register, type)]
    while let (register, type) = work.popLast() {
      switch type {
      case .bool, .int, .decimal, .money, .exactMoney, .date, .days, .months, .years:
        guard register.tag != Register.unknownTag else { return false }
      case .text:
        guard register.tag == 0, register.word >= 0, register.word < Int64(image.texts.count)
        else { return false }
      case .enumeration(let index):
        guard register.tag == 0, register.word >= 0,
          register.word < Int64(image.enums[index].cases.count)
        else { return false }
      case .optional(let wrapped):
        if register.tag != Register.noneTag { work.append((register, wrapped)) }
      case .record, .list, .table:
        guard register.tag == 0, register.word >= 0,
          register.word < Int64(image.constantLists.count)
        else { return false }
        let list = Int(register.word)
        guard provenLists.insert(ProvenList(list: list, type: type)).inserted else { continue }
        let items = image.constantLists[list]
        switch type {
        case .record(let index):
          let fields = image.records[index].fields
          guard items.count == fields.count else { return false }
          for (item, field) in zip(items, fields) { work.append((item, field.type)) }
        case .list(let element):
          for item in items { work.append((item, element)) }
        case .table(let key, let value):
          guard items.count == image.enums[key].cases.count else { return false }
          for item in items { work.append((item, value)) }
        default: return false
        }
      }
    }
    return true
  }

  // MARK: Code

  mutating func checkCode() throws(VerificationError) {
    // Each definition's labels: its entry points and the targets of its jumps.
    var labels: [[Int]] = Array(repeating: [], count: image.definitions.count)
    for (index, definition) in image.definitions.enumerated() {
      labels[index] = definition.entries.map { Int($0) }
    }
    for index in image.code.indices {
      if let target = jumpTarget(index) {
        labels[Int(image.debug[index].definition)].append(target)
      }
    }
    var labelIndex = [Int32](repeating: -1, count: image.code.count)
    for definition in image.definitions.indices {
      let unique = Array(Set(labels[definition])).sorted()
      for (position, pc) in unique.enumerated() { labelIndex[pc] = Int32(position) }
      try checkDefinition(definition, labels: unique, labelIndex: labelIndex)
      for pc in unique { labelIndex[pc] = -1 }
    }
  }

  /// The jump target of the instruction at `index` (read from its `extra` word for the fused
  /// jumps and loops), or nil.
  func jumpTarget(_ index: Int) -> Int? {
    let instruction = image.code[index]
    switch instruction.opcode {
    case .jump, .jumpIfFalse, .jumpIfTrue, .jumpIfNone: return Int(instruction.bc)
    case .jumpIfNotLess, .jumpIfLess, .jumpIfEqual, .jumpIfNotEqual, .next, .nextLoop:
      return Int(image.code[index + 1].bc)
    default: return nil
    }
  }

  /// Runs the analysis over one definition's code to a fixed point: a state (the kind of
  /// every register) is kept at each label and joined where paths meet.
  mutating func checkDefinition(_ definition: Int, labels: [Int], labelIndex: [Int32])
    throws(VerificationError)
  {
    let frame = Int(image.definitions[definition].frameSize)
    guard labels.count * max(frame, 1) <= KindChecker.maximumStateCells else {
      throw VerificationError(
        instruction: nil,
        message:
          "definition \(definition) `\(image.definitions[definition].name)`: \(labels.count) "
          + "jump targets × \(frame) registers are too many to verify (limit "
          + "\(KindChecker.maximumStateCells))")
    }
    var states = [Int32](repeating: KindTable.undefined, count: labels.count * frame)
    var reached = [Bool](repeating: false, count: labels.count)
    var queued = [Bool](repeating: false, count: labels.count)
    var work: [Int] = []
    for entry in Set(image.definitions[definition].entries) {
      let label = Int(labelIndex[Int(entry)])
      reached[label] = true
      queued[label] = true
      work.append(label)
    }

    var cost = analysisCost
    /// Joins `incoming` into the state at `pc` (a label); queues it when it changed.
    func merge(_ pc: Int, _ incoming: [Int32], _ kinds: inout KindTable) {
      cost += frame
      let label = Int(labelIndex[pc])
      let base = label * frame
      let first = !reached[label]
      var changed = first
      for register in 0..<frame {
        let joined =
          first ? incoming[register] : kinds.join(states[base + register], incoming[register])
        if joined != states[base + register] {
          states[base + register] = joined
          changed = true
        }
      }
      reached[label] = true
      if changed && !queued[label] {
        queued[label] = true
        work.append(label)
      }
    }

    var state = [Int32](repeating: KindTable.undefined, count: frame)
    while let label = work.popLast() {
      queued[label] = false
      for register in 0..<frame { state[register] = states[label * frame + register] }
      cost += frame
      var pc = labels[label]
      while true {
        guard cost <= KindChecker.maximumAnalysisCost else {
          throw VerificationError(
            instruction: pc,
            message:
              "the analysis of `\(image.definitions[definition].name)` exceeds its work limit "
              + "(\(KindChecker.maximumAnalysisCost) register states): too costly to verify")
        }
        let instruction = image.code[pc]
        let next = pc + (instruction.opcode.layout.extra == nil ? 1 : 2)
        var branchState: [Int32]?
        let edges = try transfer(pc, &state, &branchState, owner: definition)
        cost += 1 + (branchState == nil ? 0 : frame)
        if let branch = edges.branch { merge(branch, branchState ?? state, &kinds) }
        guard edges.fallsThrough else { break }
        if labelIndex[next] >= 0 {
          merge(next, state, &kinds)
          break
        }
        pc = next
      }
    }
    analysisCost = cost
  }

  // MARK: One instruction

  func failure(_ pc: Int, _ message: String) -> VerificationError {
    VerificationError(instruction: pc, message: "`\(image.code[pc].opcode)` \(message)")
  }

  func describe(_ kind: Int32) -> String { kinds.describe(kind, image) }

  /// The kind of `register`, which must have been written on every path to `pc`.
  func read(_ register: UInt16, _ slot: String, _ state: [Int32], at pc: Int)
    throws(VerificationError) -> Int32
  {
    let kind = state[Int(register)]
    guard kind != KindTable.undefined else {
      throw failure(pc, "operand \(slot): r\(register) holds \(describe(kind))")
    }
    return kind
  }

  /// Reads a register that must hold a value of kind `required`.
  mutating func read(
    _ register: UInt16, _ slot: String, as required: Int32, _ state: [Int32], at pc: Int
  ) throws(VerificationError) {
    let kind = try read(register, slot, state, at: pc)
    guard kinds.conforms(kind, to: required) else {
      throw failure(
        pc, "operand \(slot): r\(register) holds \(describe(kind)), not \(describe(required))")
    }
  }

  /// The kind of the items of the list, table or list under construction in `register`.
  func element(of register: UInt16, _ state: [Int32], at pc: Int) throws(VerificationError)
    -> Int32
  {
    let kind = try read(register, "b", state, at: pc)
    switch kinds[kind] {
    case .list(let element), .builder(let element), .table(_, let element): return element
    default: throw failure(pc, "operand b: r\(register) holds \(describe(kind)), not a list")
    }
  }

  /// Applies the instruction at `pc` to `state`: checks the kinds of the registers it reads
  /// and sets those it writes. Returns its branch target (whose state is `branchState` when
  /// set, else `state`) and whether execution can continue to the next instruction.
  mutating func transfer(
    _ pc: Int, _ state: inout [Int32], _ branchState: inout [Int32]?, owner: Int
  ) throws(VerificationError) -> (branch: Int?, fallsThrough: Bool) {
    let i = image.code[pc]
    let (a, b, c) = (i.a, i.b, i.c)
    let scalar = KindTable.scalar
    if !probesAt.isEmpty { try checkProbes(at: pc, state) }
    func any(_ register: UInt16, _ slot: String) throws(VerificationError) {
      _ = try read(register, slot, state, at: pc)
    }
    var extra: Instruction { image.code[pc + 1] }
    switch i.opcode {
    case .move: state[Int(a)] = try read(b, "b", state, at: pc)
    case .constant: state[Int(a)] = constantKinds[Int(i.bc)]
    case .input: state[Int(a)] = kinds.id(.record(image.inputRecord))
    case .asOf, .none:
      state[Int(a)] = i.opcode == .none ? KindTable.none : scalar
    case .add, .subtract, .multiply, .durationAdd, .durationSubtract, .durationMultiply,
      .rationalAdd, .rationalSubtract, .rationalMultiply, .rationalDivide, .equal, .less,
      .lessEqual, .rationalEqual, .rationalLess, .rationalLessEqual, .dateAddDays, .age,
      .monthsBetween, .daysBetween, .deepEqual, .divideRound, .dateAddMonths, .dateAddYears:
      try any(b, "b")
      try any(c, "c")
      state[Int(a)] = scalar
    case .negate, .durationNegate, .toRational, .rationalNegate, .not, .isNone, .round,
      .roundPlaces, .datePart, .scale, .rationalScale:
      try any(b, "b")
      state[Int(a)] = scalar
    case .roundMultiple:
      try any(b, "b")
      try any(extra.a, "extra.a")
      state[Int(a)] = scalar
    case .makeDate:
      for offset in 0..<3 { try any(b + UInt16(offset), "b") }
      state[Int(a)] = scalar
    case .textEqual:
      try read(b, "b", as: KindTable.text, state, at: pc)
      try read(c, "c", as: KindTable.text, state, at: pc)
      state[Int(a)] = scalar
    case .jump: return (Int(i.bc), false)
    case .jumpIfFalse, .jumpIfTrue:
      try any(a, "a")
      return (Int(i.bc), true)
    case .jumpIfNotLess, .jumpIfLess, .jumpIfEqual, .jumpIfNotEqual:
      try any(a, "a")
      try any(b, "b")
      return (Int(extra.bc), true)
    case .jumpIfNone:
      // Taken for none: past it an optional register holds its value. An edge that no value
      // of the register's kind can take is not followed.
      let kind = try read(a, "a", state, at: pc)
      var branch: Int? = Int(i.bc)
      if kinds.isHandle(kind) {
        branch = nil
      } else {
        var taken = state
        taken[Int(a)] = KindTable.none
        branchState = taken
      }
      switch kinds[kind] {
      case .none: return (branch, false)
      case .optional(let wrapped): state[Int(a)] = wrapped
      default: break
      }
      return (branch, true)
    case .field, .inputField:
      let record =
        i.opcode == .field
        ? try read(b, "b", state, at: pc) : kinds.id(.record(image.inputRecord))
      guard case .record(let index) = kinds[record] else {
        throw failure(pc, "operand b: r\(b) holds \(describe(record)), not a record")
      }
      let fields = image.records[index].fields
      guard Int(c) < fields.count else {
        throw failure(
          pc,
          "operand c: field \(c) is out of range (`\(image.records[index].name)` has "
            + "\(fields.count) \(plural(fields.count, "field")))")
      }
      state[Int(a)] = kinds.of(fields[Int(c)].type)
    case .length:
      _ = try element(of: b, state, at: pc)
      state[Int(a)] = scalar
    case .item:
      let table = try read(b, "b", state, at: pc)
      guard case .table(let key, let value) = kinds[table] else {
        throw failure(pc, "operand b: r\(b) holds \(describe(table)), not a table")
      }
      try read(c, "c", as: kinds.id(.enumeration(key)), state, at: pc)
      state[Int(a)] = value
    case .next, .nextLoop:
      // The edge into the loop's body writes the item and the index; the exit edge leaves
      // them as they were.
      let item = try element(of: b, state, at: pc)
      try any(c, "c")
      let exit = state
      state[Int(a)] = item
      state[Int(c)] = scalar
      if i.opcode == .nextLoop {
        branchState = state
        state = exit
      } else {
        branchState = exit
      }
      return (Int(extra.bc), true)
    case .newList, .newRecord:
      let type = image.types[Int(extra.bc)]
      let itemTypes: [SchemaType]
      switch (i.opcode, type) {
      case (.newList, .list(let element)):
        itemTypes = Array(repeating: element, count: Int(c))
      case (.newList, .table(let key, let value)):
        let count = image.enums[key].cases.count
        guard Int(c) == count else {
          throw failure(
            pc,
            "makes a table of \(image.typeName(type)) from \(c) "
              + "\(plural(Int(c), "register")), not one per key (\(count))")
        }
        itemTypes = Array(repeating: value, count: count)
      case (.newRecord, .record(let index)):
        let fields = image.records[index].fields
        guard Int(c) == fields.count else {
          throw failure(
            pc,
            "makes a `\(image.records[index].name)` from \(c) "
              + "\(plural(Int(c), "register")), not one per field (\(fields.count))")
        }
        itemTypes = fields.map(\.type)
      default:
        throw failure(
          pc,
          "operand extra.bc: type \(image.typeName(type)) is not a "
            + (i.opcode == .newList ? "list or table" : "record"))
      }
      for (offset, itemType) in itemTypes.enumerated() {
        try read(b + UInt16(offset), "b", as: kinds.of(itemType), state, at: pc)
      }
      state[Int(a)] = kinds.of(type)
    case .listBuilder:
      let type = image.types[Int(extra.bc)]
      guard case .list(let element) = type else {
        throw failure(pc, "operand extra.bc: type \(image.typeName(type)) is not a list")
      }
      state[Int(a)] = kinds.id(.builder(kinds.of(element)))
    case .append:
      let list = try read(a, "a", state, at: pc)
      guard case .builder(let element) = kinds[list] else {
        throw failure(
          pc, "operand a: r\(a) holds \(describe(list)), not a list under construction")
      }
      try read(b, "b", as: element, state, at: pc)
    case .call: state[Int(a)] = definitionKinds[Int(i.bc)]
    case .reasonOf:
      // A definition without a reason gives text 0, which must exist.
      guard !image.texts.isEmpty else { throw failure(pc, "needs a text, and there is none") }
      state[Int(a)] = KindTable.text
    case .callAt:
      let place = try read(b, "b", state, at: pc)
      guard case .enumeration(let index) = kinds[place] else {
        throw failure(pc, "operand b: r\(b) holds \(describe(place)), not an enum case")
      }
      let map = image.jurisdictionMaps[Int(c)]
      let cases = image.enums[index].cases.count
      guard map.count == cases else {
        throw failure(
          pc,
          "operand c: jurisdiction map m\(c) has \(map.count) "
            + "\(plural(map.count, "entry", "entries")), not one per case of "
            + "\(image.enums[index].name) (\(cases))")
      }
      state[Int(a)] = definitionKinds[Int(extra.bc)]
    case .return:
      try read(a, "a", as: definitionKinds[owner], state, at: pc)
      return (nil, false)
    case .fail, .conflict: return (nil, false)
    case .pushDate: try read(a, "a", as: scalar, state, at: pc)
    case .failCondition, .step, .extra, .popDate: break
    }
    return (nil, true)
  }
}
