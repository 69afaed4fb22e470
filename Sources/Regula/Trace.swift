// The full trace of a decision (schema `regula.trace/2`): the tree of definitions the VM
// evaluated and, inside each, the conditions, comparisons, aggregate elements, table lookups
// and versions it reached, with values in their units, reasons, citations and source
// positions. Produced by replaying the same bytecode with its probes observed; the text, JSON
// and HTML renderings (TraceRendering.swift) all walk this one tree.

/// A value as the trace shows it: JSON for machines (Money in fen, as in records) and a
/// display form in its unit for people (`774.68 yuan`, `14 months`, `2024-06-01`).
public struct TraceValue: Sendable, Hashable {
  /// The value as JSON text, as a decision record spells it.
  public var json: String
  /// The value in its unit.
  public var display: String
}

/// A decision's trace (schema `regula.trace/2`).
public struct Trace: Sendable {
  /// One step of the evaluation.
  public struct Node: Sendable {
    /// What a node records.
    public enum Kind: String, Sendable {
      /// A parameter, rule or decision evaluated (or read from the memo: `isCached`).
      case definition
      /// A condition of an `all of`, a `first of` case, an `if`, a `where` filter or an
      /// exception's `when`: its outcome, with what it evaluated as children.
      case condition
      /// A comparison with both operands' values and its outcome.
      case comparison
      /// One element's contribution to an aggregate.
      case element
      /// A table lookup: the key and the entry used.
      case lookup
      /// The variant and version of a definition in force.
      case version
      /// A `first of` case taken without a condition (`otherwise`).
      case otherwise
      /// A rounding: the value rounded (the operand) and the result (the value).
      case rounding
      /// A call of a function of the policy (`rule NAME(p: T): …`): its name, citation and
      /// value, with what its body evaluated as children.
      case call
    }
    /// An operand of a comparison.
    public struct Operand: Sendable {
      /// Its source text.
      public var text: String
      public var value: TraceValue
    }

    public var kind: Kind
    /// The definition's name (for every kind: the definition the node belongs to).
    public var name: String
    /// `parameter`, `rule` or `decision` for a definition node.
    public var definitionKind: String?
    /// For a condition: `all_of`, `first_of`, `if`, `where` or `exception`.
    public var role: String?
    /// The jurisdiction code the definition was evaluated for.
    public var jurisdiction: String
    /// The source text of a condition, comparison, element, lookup or version.
    public var text: String?
    /// A definition's value, an element's contribution, a lookup's entry.
    public var value: TraceValue?
    /// The reason code a definition gave, a condition gives when it fails (`all of`) or when
    /// taken (`first of`, exception).
    public var reason: String?
    /// The provision cited, or empty.
    public var citation: String
    /// A condition's or comparison's outcome; nil when not known (the evaluation stopped
    /// inside it) or not evaluated.
    public var outcome: Bool?
    /// False for a condition after the one that decided (short-circuited): shown, not run.
    public var isEvaluated: Bool
    /// The 0-based position of a condition among its `all of` conditions or `first of` cases.
    public var position: Int?
    /// The positioned path of an element or of a `where` filter's element (`members[1]`).
    public var element: String?
    /// A comparison's operands.
    public var operands: [Operand]
    /// A lookup's table (source text) and key (its enum case).
    public var table: String?
    public var key: String?
    /// True when a definition's value had been computed earlier in the same evaluation.
    public var isCached: Bool
    /// For a call: the function called.
    public var function: String?
    /// For `NAME as of DATE`: the date NAME was evaluated on (`2024-01-01`).
    public var asOf: String?
    /// The source file, byte offset, 1-based line and column (0 line: unknown).
    public var file: String?
    public var offset: Int
    public var line: Int?
    public var column: Int?
    /// What this node needed, in evaluation order.
    public var children: [Node]

    init(kind: Kind, name: String, jurisdiction: String) {
      self.kind = kind
      self.name = name
      self.jurisdiction = jurisdiction
      citation = ""
      isEvaluated = true
      operands = []
      isCached = false
      offset = 0
      children = []
    }
  }

  /// One input the evaluation read: its positioned path and value.
  public struct Input: Sendable {
    /// `members[1].age`.
    public var path: String
    /// The value; for a list, its length (`2`, shown `2 items`): what reading a list reads,
    /// its elements' fields read being listed each with its position.
    public var value: TraceValue
    /// True when `value` is a list's length.
    public var isLength: Bool = false
  }

  /// The decisions evaluated at top level, in definition order. A decision that an earlier
  /// decision already needed appears only as that decision's child, not again as a root.
  public var roots: [Node]
  /// The inputs read: every field path the evaluation read, over every element of the lists
  /// on its way, with values, in path order.
  public var inputs: [Input]
  /// The depth of the deepest node (a root is at 1).
  public var depth: Int = 0
  /// The SHA-256 (lowercase hex) of the application's bytes as given, when the trace was made
  /// from them (`Evaluator.explain(json:…)`): what ties a report to the exact application.
  public var inputHash: String?

  /// Past this depth, the recursive renderings run on a thread with a large stack: a
  /// decision may nest thousands of definitions (`IRProgram.maximumEvaluationDepth`), and the
  /// caller's thread may have 512 KiB.
  static let inlineDepth = 64

  /// Runs `body` on the calling thread, or on a large stack for a trace deeper than
  /// `inlineDepth`.
  static func onStack<T>(depth: Int, _ body: () -> T) -> T {
    depth > inlineDepth ? LargeStack.run(body) : body()
  }
}

extension Evaluator {
  /// Decides with tracing on and returns the record and the trace. The record is the one an
  /// untraced evaluation gives (the same bytecode runs; tracing only observes it).
  ///
  /// - Throws: `DecisionError`, exactly as `decide(json:asOf:jurisdiction:listingInputsRead:)`.
  public mutating func explain(
    json bytes: [UInt8], asOf: CivilDate? = nil, jurisdiction: String? = nil
  )
    throws(DecisionError) -> (record: DecisionRecord, trace: Trace)
  {
    machine.isTracing = true
    defer { machine.isTracing = false }
    let record = try decide(json: bytes, asOf: asOf, jurisdiction: jurisdiction)
    var trace = buildTrace()
    trace.inputHash = SHA256.hex(SHA256.hash(bytes))
    return (record, trace)
  }

  /// The tree of the last evaluation, made with `machine.isTracing` on.
  public mutating func buildTrace() -> Trace {
    let read = Array(machine.sortedInputsRead())
    let builder = TraceBuilder(evaluator: self, read: read)
    let depth = machine.traceDepth
    var trace = Trace.onStack(depth: depth) { builder.build() }
    trace.depth = depth
    return trace
  }

  /// A register of `type` in its unit, for people: Money in yuan with two decimals, exact
  /// amounts and decimals exactly, dates as dates, durations with their unit, enum cases by
  /// their JSON names, texts quoted, and anything larger as its JSON.
  public func display(_ register: Register, _ type: SchemaType) -> String {
    if register.tag == Register.noneTag { return "none" }
    if register.tag == Register.unknownTag { return "unknown" }
    switch type {
    case .optional(let wrapped): return display(register, wrapped)
    case .money:
      let value = machine.exact(register)
      guard value.isInteger else { return value.description + " fen" }
      return Money(fen: value.numerator).yuanDescription + " yuan"
    case .exactMoney:
      let fen = machine.exact(register)
      if fen.isInteger { return Money(fen: fen.numerator).yuanDescription + " yuan" }
      return ExactMoney(fen: fen).description + " yuan (exact)"
    case .decimal: return machine.exact(register).description
    case .int: return machine.exact(register).description
    case .days: return Evaluator.count(register.word, "day")
    case .months: return Evaluator.count(register.word, "month")
    case .years: return Evaluator.count(register.word, "year")
    case .date, .bool, .text, .enumeration:
      let json = machine.json(register, type)
      if case .string(let text)? = try? JSONReader.parse(Array(json.utf8)), type != .text {
        return text
      }
      return json
    case .table(let key, _): return Evaluator.tableDisplay(key, policy.image)
    case .list:
      guard machine.facts.holdsList(register) else { return "null" }
      return listDisplay(machine.json(register, type), register)
    case .record:
      let json = machine.json(register, type)
      return json.count <= 200 ? json : String(json.prefix(197)) + "…"
    }
  }

  /// A table, shown by the entries looked up in it, never whole: `table by Province (31
  /// entries)`.
  static func tableDisplay(_ key: Int, _ image: PolicyImage) -> String {
    let cases = key < image.enums.count ? image.enums[key].cases.count : 0
    return "table by \(image.typeName(.enumeration(key))) (\(cases) entries)"
  }

  static func count(_ value: Int64, _ unit: String) -> String {
    "\(value) \(unit)" + (value == 1 || value == -1 ? "" : "s")
  }

  /// A list shown by its JSON when short, else by its count.
  func listDisplay(_ json: String, _ register: Register) -> String {
    json.count <= 80 ? json : Evaluator.count(Int64(machine.facts.count(register)), "item")
  }

  /// A register as a trace value (a table's JSON is `null`: shown by its lookups).
  func traceValue(_ register: Register, _ type: SchemaType) -> TraceValue {
    if case .table = type { return TraceValue(json: "null", display: display(register, type)) }
    var listType = type
    if case .optional(let wrapped) = listType { listType = wrapped }
    if case .list = listType, register.tag == 0, machine.facts.holdsList(register) {
      let json = machine.json(register, type)
      return TraceValue(json: json, display: listDisplay(json, register))
    }
    return TraceValue(json: machine.json(register, type), display: display(register, type))
  }
}

/// Builds the tree from the machine's trace nodes.
struct TraceBuilder {
  let evaluator: Evaluator
  /// The input paths read (text indexes), sorted.
  let read: [Int32]
  let image: PolicyImage
  let context: Context
  var machine: Machine { evaluator.machine }

  init(evaluator: Evaluator, read: [Int32]) {
    self.evaluator = evaluator
    self.read = read
    image = evaluator.policy.image
    context = Context(image: image)
  }

  func build() -> Trace {
    let nodes = machine.trace
    var children: [[Int]] = Array(repeating: [], count: nodes.count)
    var roots: [Int] = []
    for (index, node) in nodes.enumerated() {
      if node.parent >= 0 && node.parent < nodes.count {
        children[node.parent].append(index)
      } else {
        roots.append(index)
      }
    }
    // A value needed again (a cached node) is rendered once: a large value needed at every
    // pass of a loop would otherwise be rendered at each. (Keyed by the register too: as of
    // another date, a definition has another value.)
    var rendered: [Int: (register: Register, value: TraceValue)] = [:]
    func build(_ index: Int) -> Trace.Node {
      let node = nodes[index]
      var built =
        node.probe >= 0
        ? probeNode(node) : definitionNode(node, index: index, rendered: &rendered)
      built.children = children[index].map(build)
      addNotEvaluated(to: &built, childIndexes: children[index])
      return built
    }
    return Trace(roots: roots.map(build), inputs: inputs())
  }

  func definitionNode(
    _ node: TraceNode, index: Int, rendered: inout [Int: (register: Register, value: TraceValue)]
  ) -> Trace.Node {
    let definition = image.definitions[node.definition]
    var built = Trace.Node(
      kind: .definition, name: definition.name,
      jurisdiction: image.jurisdictions[node.jurisdiction])
    built.definitionKind = TraceBuilder.kindName(definition.kind)
    let slot = node.definition * image.jurisdictions.count + node.jurisdiction
    let value =
      rendered[slot].flatMap { $0.register == node.value ? $0.value : nil }
      ?? evaluator.traceValue(node.value, definition.type)
    rendered[slot] = (node.value, value)
    // A node the evaluation stopped inside (a missing fact, not computable) has no value,
    // even of an optional type: only one that returned (`outcome` 1) or came from the memo.
    if node.value.tag != Register.noneTag || node.isCached || node.outcome == 1 {
      built.value = value
    }
    built.reason = node.reason >= 0 ? machine.facts.texts[Int(node.reason)] : nil
    built.citation =
      node.definition < image.citations.count ? image.citations[node.definition] : ""
    built.isCached = node.isCached
    let position = context.definitionPosition(node.definition, entry: node.entry)
    (built.file, built.offset, built.line, built.column) =
      (position.file, position.offset, position.line, position.column)
    return built
  }

  /// A source position as the trace shows it.
  typealias Position = (file: String?, offset: Int, line: Int?, column: Int?)

  /// A probe's source position.
  static func probePosition(_ probe: Probe, _ image: PolicyImage) -> Position {
    (
      Int(probe.file) < image.sourceFiles.count ? image.sourceFiles[Int(probe.file)] : nil,
      Int(probe.start), probe.line > 0 ? Int(probe.line) : nil,
      probe.column > 0 ? Int(probe.column) : nil
    )
  }

  static func kindName(_ kind: DefinitionInfo.Kind) -> String {
    switch kind {
    case .parameter: "parameter"
    case .rule: "rule"
    case .decision: "decision"
    }
  }

  static func nodeKind(_ kind: Probe.Kind) -> Trace.Node.Kind {
    switch kind {
    case .conditionStart, .conditionEnd: .condition
    case .comparison: .comparison
    case .element: .element
    case .lookup: .lookup
    case .version: .version
    case .otherwise: .otherwise
    case .rounding: .rounding
    case .callStart, .callEnd: .call
    }
  }

  static func isOptional(_ type: SchemaType) -> Bool {
    if case .optional = type { return true }
    return false
  }

  func text(_ index: UInt32) -> String? {
    index == Probe.absent ? nil : image.explanations.texts[Int(index)]
  }

  func type(_ index: UInt32) -> SchemaType {
    index == Probe.absent ? .bool : image.types[Int(index)]
  }

  static func role(_ role: Probe.Role) -> String? {
    switch role {
    case .none: nil
    case .allOf: "all_of"
    case .firstOf: "first_of"
    case .ifThen: "if"
    case .filter: "where"
    case .exception: "exception"
    }
  }

  /// `members[1]`: the element before loop index `index` of the list at `path`.
  func elementPath(_ path: String?, _ index: Register) -> String? {
    guard index.tag == 0, index.word > Int64.min else { return nil }
    return (path ?? "") + "[\(index.word - 1)]"
  }

  func probeNode(_ node: TraceNode) -> Trace.Node {
    let probe = image.explanations.probes[Int(node.probe)]
    let kind = TraceBuilder.nodeKind(probe.kind)
    var built = Trace.Node(
      kind: kind, name: image.definitions[node.definition].name,
      jurisdiction: image.jurisdictions[node.jurisdiction])
    built.role = TraceBuilder.role(probe.role)
    built.text = text(probe.text)
    built.reason = text(probe.reason)
    built.citation = text(probe.citation) ?? ""
    built.outcome = node.outcome < 0 ? nil : node.outcome == 1
    if probe.kind == .conditionStart || probe.kind == .otherwise {
      if probe.role == .allOf || probe.role == .firstOf { built.position = Int(probe.position) }
    }
    position(&built, probe)
    switch probe.kind {
    case .conditionStart:
      if probe.b != Probe.absent { built.element = elementPath(text(probe.textB), node.second) }
    case .comparison:
      built.operands = [
        .init(
          text: text(probe.textA) ?? "", value: evaluator.traceValue(node.value, type(probe.typeA))),
        .init(
          text: text(probe.textB) ?? "",
          value: evaluator.traceValue(node.second, type(probe.typeB))),
      ]
    case .element:
      built.element = elementPath(text(probe.textB), node.second)
      built.value = evaluator.traceValue(node.value, type(probe.typeA))
    case .rounding:
      built.operands = [
        .init(
          text: text(probe.textA) ?? "", value: evaluator.traceValue(node.value, type(probe.typeA)))
      ]
      built.value = evaluator.traceValue(node.second, type(probe.typeB))
    case .callStart:
      built.function = text(probe.textA)
      if probe.a != Probe.absent { built.asOf = evaluator.display(node.value, .date) }
      // Without its end the call did not finish (the evaluation stopped inside it).
      if node.outcome == 1 { built.value = evaluator.traceValue(node.second, type(probe.typeB)) }
      built.outcome = nil
    case .lookup:
      built.table = text(probe.textA)
      let key = type(probe.typeB)
      built.key = evaluator.display(node.second, key)
      if case .table(_, let entryType) = type(probe.typeA), node.second.tag == 0,
        let entry = machine.facts.checkedItem(node.value, Int(node.second.word))
      {
        built.value = evaluator.traceValue(entry, entryType)
      }
    default: break
    }
    return built
  }

  func position(_ node: inout Trace.Node, _ probe: Probe) {
    let position = TraceBuilder.probePosition(probe, image)
    (node.file, node.offset, node.line, node.column) =
      (position.file, position.offset, position.line, position.column)
  }

  /// Appends, after the last `all of` condition or `first of` case a definition evaluated,
  /// the ones after it that it did not (short-circuited), marked not evaluated.
  func addNotEvaluated(to node: inout Trace.Node, childIndexes: [Int]) {
    guard node.kind == .definition, !node.isCached else { return }
    for index in context.notEvaluated(after: childIndexes, in: machine.trace) {
      let probe = image.explanations.probes[index]
      var skipped = Trace.Node(
        kind: probe.kind == .otherwise ? .otherwise : .condition, name: node.name,
        jurisdiction: node.jurisdiction)
      skipped.role = TraceBuilder.role(probe.role)
      skipped.text = text(probe.text)
      skipped.reason = text(probe.reason)
      skipped.citation = text(probe.citation) ?? ""
      skipped.isEvaluated = false
      skipped.position = Int(probe.position)
      position(&skipped, probe)
      node.children.append(skipped)
    }
  }

  /// Every input field path read, expanded over the elements of the lists on its way, with
  /// the values the application gave.
  func inputs() -> [Trace.Input] {
    evaluator.positionedInputs(read).map { input in
      var type = input.type
      if case .optional(let wrapped) = type { type = wrapped }
      if case .list = type, input.value.tag == 0, machine.facts.holdsList(input.value) {
        let count = Int64(machine.facts.count(input.value))
        return Trace.Input(
          path: input.path,
          value: TraceValue(json: String(count), display: Evaluator.count(count, "item")),
          isLength: true)
      }
      return Trace.Input(path: input.path, value: evaluator.traceValue(input.value, input.type))
    }
  }
}

extension TraceBuilder {
  /// What the tree and `Evaluator.traceJSON()` both derive from the policy alone.
  struct Context {
    let image: PolicyImage

    /// The declaration's position when the compiled file has it, else the position of the
    /// entry's first instruction (`entry`; -1: none).
    func definitionPosition(_ definition: Int, entry: Int) -> Position {
      let declarations = image.explanations.declarations
      func file(_ index: Int) -> String? {
        index < image.sourceFiles.count ? image.sourceFiles[index] : nil
      }
      if definition < declarations.count {
        let declared = declarations[definition]
        return (
          file(Int(declared.file)), Int(declared.offset),
          declared.line > 0 ? Int(declared.line) : nil,
          declared.column > 0 ? Int(declared.column) : nil
        )
      }
      guard entry >= 0, entry < image.debug.count else { return (nil, 0, nil, nil) }
      let debug = image.debug[entry]
      return (
        file(Int(debug.file)), Int(debug.start), debug.line > 0 ? Int(debug.line) : nil,
        debug.column > 0 ? Int(debug.column) : nil
      )
    }

    /// The probes of the `all of` conditions or `first of` cases after the last one among
    /// `children` (a definition's nodes in `nodes`): the ones it did not evaluate.
    func notEvaluated<Children: BidirectionalCollection<Int>>(
      after children: Children, in nodes: [TraceNode]
    ) -> [Int] {
      let probes = image.explanations.probes
      func decides(_ probe: Probe) -> Bool {
        (probe.role == .allOf || probe.role == .firstOf)
          && (probe.kind == .conditionStart || probe.kind == .otherwise)
      }
      guard
        let last = children.last(where: {
          $0 >= 0 && nodes[$0].probe >= 0 && decides(probes[Int(nodes[$0].probe)])
        })
      else { return [] }
      let decided = probes[Int(nodes[last].probe)]
      let owner = image.debug[Int(decided.pc)].definition
      // Positions come from the compiled file: compared as Int, they cannot overflow.
      var expected = Int(decided.position) + 1
      var index = Int(nodes[last].probe) + 1
      var found: [Int] = []
      while index < probes.count {
        let probe = probes[index]
        index += 1
        guard image.debug[Int(probe.pc)].definition == owner else { break }
        guard probe.role == decided.role, probe.kind == .conditionStart || probe.kind == .otherwise
        else { continue }
        guard Int(probe.position) == expected else { break }
        expected += 1
        found.append(index - 1)
      }
      return found
    }

    /// The steps of an input path read (`members[].age`): each field's index, whether it goes
    /// through a list, and its name escaped for JSON; empty when it does not walk the schema.
    func inputSteps(_ path: String) -> [(field: Int, isList: Bool, name: [UInt8])] {
      var steps: [(field: Int, isList: Bool, name: [UInt8])] = []
      var record = image.inputRecord
      for part in path.split(separator: ".") {
        var name = part
        let isList = name.hasSuffix("[]")
        if isList { name.removeLast(2) }
        guard record < image.records.count,
          let field = image.records[record].fields.firstIndex(where: { $0.name == name })
        else { return [] }
        var escaped: [UInt8] = []
        Evaluator.appendEscaped(String(name), to: &escaped)
        steps.append((field, isList, escaped))
        var type = image.records[record].fields[field].type
        if case .optional(let wrapped) = type { type = wrapped }
        switch type {
        case .list(.record(let next)) where isList: record = next
        case .record(let next): record = next
        default: record = image.records.count
        }
      }
      return steps
    }
  }
}
