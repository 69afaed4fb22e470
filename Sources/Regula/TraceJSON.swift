// The trace's JSON written straight from the machine's nodes, without building the `Trace`
// tree: what a service logs for every decision it explains, at a rate close to deciding. The
// bytes the policy fixes (each definition's and each probe's kind, name, text, reason,
// citation and source) are prepared once per evaluator (`TracePieces`); a decision adds only
// its jurisdictions, values and outcomes. It walks the same tree as `TraceBuilder` (children by
// parent, then the conditions not evaluated) and writes the same bytes as `Trace.json` — a test
// holds the two equal for every generated program.

/// The constant parts of a policy's trace JSON, built once per evaluator.
///
/// `@unchecked Sendable`: written only in `init`, read-only after.
final class TracePieces: @unchecked Sendable {
  /// Per definition: `{"kind":"definition",…,"definition_kind":"rule"`.
  let definitionHeads: [Rendering.Piece]
  /// Per definition: `,"citation":…,"source":{…}` (after the reason, which varies).
  let definitionTails: [Rendering.Piece]
  /// Per probe: `{"kind":…,"definition":…,"role":…,"position":…,"text":…`.
  let probeHeads: [Rendering.Piece]
  /// Per probe: `,"reason":…,"citation":…,"source":{…}`.
  let probeTails: [Rendering.Piece]
  /// Per probe: `,"operands":[{"text":"A",` for a comparison; `},{"text":"B",` in `probeMiddles`.
  let probeOperands: [Rendering.Piece]
  let probeMiddles: [Rendering.Piece]
  /// Per probe: `,"element":"PATH[` (elements and filters), or `,"table":"T"` (lookups).
  let probeElements: [Rendering.Piece]
  /// Per jurisdiction: `,"jurisdiction":"CODE"`.
  let jurisdictions: [Rendering.Piece]
  /// Per record, per field: `"name":`.
  let fieldKeys: [[Rendering.Piece]]
  /// The image's tables a trace reads per node, kept here so that reading them does not copy
  /// the image: probes, types, each definition's type, and each
  /// record's field types.
  let probes: [Probe]
  let types: [SchemaType]
  let definitionTypes: [SchemaType]
  let fieldTypes: [[SchemaType]]
  let hasDeclarations: Bool
  let inputRecord: Int
  /// Per text that is an input path: its steps (field index, through a list) and each step's
  /// name escaped.
  let inputSteps: [Int: [(field: Int, isList: Bool, name: [UInt8])]]
  /// The value bytes of each table key enum (`"value":null,"display":"table by …"`).
  let tables: [Int: [UInt8]]
  /// The policy's tables, for what varies with the evaluation.
  let context: TraceBuilder.Context

  /// The bytes the pieces point into.
  let pool: UnsafeMutablePointer<UInt8>

  init(image: PolicyImage) {
    context = TraceBuilder.Context(image: image)
    let explanations = image.explanations
    func text(_ index: UInt32) -> String? {
      index == Probe.absent ? nil : explanations.texts[Int(index)]
    }
    var all: [UInt8] = []
    func bytes(_ write: (inout [UInt8]) -> Void) -> Rendering.Piece {
      let start = all.count
      write(&all)
      return Rendering.Piece(start: Int32(start), count: Int32(all.count - start))
    }
    let builder = context
    definitionHeads = image.definitions.map { definition in
      bytes {
        Trace.appendStatic(
          kind: "definition", definition: definition.name,
          definitionKind: TraceBuilder.kindName(definition.kind), role: nil, position: nil,
          text: nil, to: &$0)
      }
    }
    definitionTails = image.definitions.indices.map { index in
      let position = builder.definitionPosition(index, entry: -1)
      return bytes {
        Trace.appendTail(
          reason: nil, citation: index < image.citations.count ? image.citations[index] : "",
          file: position.file, offset: position.offset, line: position.line,
          column: position.column, to: &$0)
      }
    }
    probeHeads = explanations.probes.indices.map { index in
      let probe = explanations.probes[index]
      let kind = TraceBuilder.nodeKind(probe.kind)
      let hasPosition =
        (probe.kind == .conditionStart || probe.kind == .otherwise)
        && (probe.role == .allOf || probe.role == .firstOf)
      return bytes {
        Trace.appendStatic(
          kind: kind.rawValue, definition: nil, definitionKind: nil,
          role: TraceBuilder.role(probe.role), position: hasPosition ? Int(probe.position) : nil,
          text: text(probe.text), function: probe.kind == .callStart ? text(probe.textA) : nil,
          to: &$0)
      }
    }
    probeTails = explanations.probes.map { probe in
      let position = TraceBuilder.probePosition(probe, image)
      return bytes {
        Trace.appendTail(
          reason: text(probe.reason), citation: text(probe.citation) ?? "", file: position.file,
          offset: position.offset, line: position.line, column: position.column, to: &$0)
      }
    }
    probeOperands = explanations.probes.map { probe in
      bytes {
        $0.appendLiteral(",\"operands\":[{\"text\":")
        JSONWriter.appendQuoted(text(probe.textA) ?? "", to: &$0)
        $0.append(UInt8(ascii: ","))
      }
    }
    probeMiddles = explanations.probes.map { probe in
      bytes {
        $0.appendLiteral("},{\"text\":")
        JSONWriter.appendQuoted(text(probe.textB) ?? "", to: &$0)
        $0.append(UInt8(ascii: ","))
      }
    }
    probeElements = explanations.probes.map { probe in
      bytes {
        if probe.kind == .lookup {
          if let table = text(probe.textA) { Trace.appendField("table", table, to: &$0) }
          return
        }
        $0.appendLiteral(",\"element\":\"")
        if let path = text(probe.textB) { Evaluator.appendEscaped(path, to: &$0) }
        $0.append(UInt8(ascii: "["))
      }
    }
    jurisdictions = image.jurisdictions.map { code in
      bytes { Trace.appendField("jurisdiction", code, to: &$0) }
    }
    fieldKeys = image.records.map { record in
      record.fields.map { field in
        bytes {
          JSONWriter.appendQuoted(field.name, to: &$0)
          $0.append(UInt8(ascii: ":"))
        }
      }
    }
    probes = explanations.probes
    types = image.types
    definitionTypes = image.definitions.map(\.type)
    fieldTypes = image.records.map { $0.fields.map(\.type) }
    hasDeclarations = explanations.declarations.count == image.definitions.count
    // Everything a trace reads is prepared here: the pieces are shared by copies of an
    // evaluator, which may run on other threads, so nothing is written after `init`.
    var steps: [Int: [(field: Int, isList: Bool, name: [UInt8])]] = [:]
    for (index, text) in image.texts.enumerated() {
      let found = context.inputSteps(text)
      if !found.isEmpty { steps[index] = found }
    }
    inputSteps = steps
    var tables: [Int: [UInt8]] = [:]
    for key in image.enums.indices {
      var rendered: [UInt8] = []
      Trace.appendValue(
        TraceValue(json: "null", display: Evaluator.tableDisplay(key, image)), to: &rendered)
      tables[key] = rendered
    }
    self.tables = tables
    inputRecord = image.inputRecord
    pool = .allocate(capacity: max(all.count, 1))
    pool.initialize(from: all, count: all.count)
  }

  deinit { pool.deallocate() }

  /// Appends a piece of the pool.
  @inline(__always)
  func append(_ piece: Rendering.Piece, to bytes: inout [UInt8]) {
    bytes.append(
      contentsOf: UnsafeBufferPointer(start: pool + Int(piece.start), count: Int(piece.count)))
  }
}

extension Evaluator {
  /// The trace of the last evaluation (made with `machine.isTracing` on) as a `regula.trace/2`
  /// document, the same text as `buildTrace().json`.
  public mutating func traceJSON() -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(16_384)
    appendTraceJSON(to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Appends the trace of the last evaluation as `traceJSON()` gives it.
  ///
  /// - Parameter inputHash: the SHA-256 (hex) of the application's bytes, written as
  ///   `"input_sha256"` as `explain(json:…)` records it; nil to leave it out.
  /// - Parameter bytes: where the document is appended.
  public mutating func appendTraceJSON(inputHash: String? = nil, to bytes: inout [UInt8]) {
    if tracePieces == nil { tracePieces = TracePieces(image: policy.image) }
    let pieces = tracePieces!
    let read = machine.sortedInputsRead()
    Trace.appendDocumentStart(record: nil, whyNot: nil, inputHash: inputHash, to: &bytes)
    var first = true
    var path: [UInt8] = []
    for text in read {
      appendInputs(Int(text), pieces, &path, &first, to: &bytes)
    }
    bytes.appendLiteral("],\"decisions\":[")
    let count = machine.trace.count
    // Children in order, as first child and next sibling.
    var firstChild = [Int32](repeating: -1, count: count)
    var lastChild = [Int32](repeating: -1, count: count)
    var nextSibling = [Int32](repeating: -1, count: count)
    var roots: [Int] = []
    for index in 0..<count {
      let parent = machine.trace[index].parent
      guard parent >= 0 && parent < count else {
        roots.append(index)
        continue
      }
      if lastChild[parent] < 0 {
        firstChild[parent] = Int32(index)
      } else {
        nextSibling[Int(lastChild[parent])] = Int32(index)
      }
      lastChild[parent] = Int32(index)
    }
    var children: [Int] = []
    func writeRoots(_ bytes: inout [UInt8]) {
      for (position, root) in roots.enumerated() {
        if position > 0 { bytes.append(UInt8(ascii: ",")) }
        appendNode(root, pieces, firstChild, nextSibling, &children, to: &bytes)
      }
    }
    if count > 64 && machine.traceDepth > Trace.inlineDepth {
      // A deep trace: the recursion runs on a large stack.
      var deep = bytes
      LargeStack.run { writeRoots(&deep) }
      bytes = deep
    } else {
      writeRoots(&bytes)
    }
    bytes.appendLiteral("]}")
  }

  /// The inputs under one path read, over every list element, as `Trace.json` writes them.
  mutating func appendInputs(
    _ text: Int, _ pieces: TracePieces, _ path: inout [UInt8], _ first: inout Bool,
    to bytes: inout [UInt8]
  ) {
    guard let steps = pieces.inputSteps[text] else { return }
    walkInputs(
      machine.currentInput, pieces.inputRecord, steps, 0, pieces, &path, &first, to: &bytes)
  }

  /// One step of `appendInputs` (a method, not a closure: a closure would copy the evaluator).
  mutating func walkInputs(
    _ record: Register, _ schema: Int, _ steps: [(field: Int, isList: Bool, name: [UInt8])],
    _ step: Int, _ pieces: TracePieces, _ path: inout [UInt8], _ first: inout Bool,
    to bytes: inout [UInt8]
  ) {
    guard step < steps.count else { return }
    let field = steps[step].field
    guard let value = machine.facts.checkedItem(record, field) else { return }
    let mark = path.count
    if !path.isEmpty { path.append(UInt8(ascii: ".")) }
    steps.withUnsafeBufferPointer { path.append(contentsOf: $0[step].name) }
    defer { path.removeSubrange(mark...) }
    let declared = pieces.fieldTypes[schema][field]
    var type = declared
    if case .optional(let wrapped) = type { type = wrapped }
    if step == steps.count - 1 {
      bytes.append(contentsOf: first ? "{\"path\":\"".utf8 : ",{\"path\":\"".utf8)
      first = false
      bytes.append(contentsOf: path)
      bytes.appendLiteral("\",")
      if case .list = type, value.tag == 0, machine.facts.holdsList(value) {
        // A list read is its length; its elements' fields read are listed each.
        let count = Int64(machine.facts.count(value))
        bytes.appendLiteral("\"length\":")
        Evaluator.appendInteger(count, to: &bytes)
        bytes.appendLiteral(",\"display\":\"")
        Evaluator.appendInteger(count, to: &bytes)
        bytes.appendLiteral(count == 1 || count == -1 ? " item\"}" : " items\"}")
        return
      }
      appendTraceValue(value, declared, to: &bytes)
      bytes.append(UInt8(ascii: "}"))
      return
    }
    if steps[step].isList, case .list(.record(let index)) = type, machine.facts.holdsList(value) {
      for position in 0..<machine.facts.count(value) {
        let base = path.count
        path.append(UInt8(ascii: "["))
        Evaluator.appendInteger(Int64(position), to: &path)
        path.append(UInt8(ascii: "]"))
        walkInputs(
          machine.facts.item(value, position), index, steps, step + 1, pieces, &path, &first,
          to: &bytes)
        path.removeSubrange(base...)
      }
    } else if case .record(let index) = type {
      walkInputs(value, index, steps, step + 1, pieces, &path, &first, to: &bytes)
    }
  }

  /// One machine node and its children, as `Trace.append(_:to:)` writes the tree's.
  mutating func appendNode(
    _ index: Int, _ pieces: TracePieces, _ firstChild: [Int32], _ nextSibling: [Int32],
    _ children: inout [Int], to bytes: inout [UInt8]
  ) {
    let node = machine.trace[index]
    if node.probe < 0 {
      pieces.append(pieces.definitionHeads[node.definition], to: &bytes)
      pieces.append(pieces.jurisdictions[node.jurisdiction], to: &bytes)
      if node.value.tag != Register.noneTag || node.isCached || node.outcome == 1 {
        bytes.append(UInt8(ascii: ","))
        appendTraceValue(node.value, pieces.definitionTypes[node.definition], to: &bytes)
      }
      if node.isCached { bytes.appendLiteral(",\"cached\":true") }
      if node.reason >= 0 {
        bytes.appendLiteral(",\"reason\":")
        appendText(node.reason, to: &bytes)
      }
      if pieces.hasDeclarations {
        pieces.append(pieces.definitionTails[node.definition], to: &bytes)
      } else {
        // Without declaration positions the source is the entry's (which varies).
        let position = pieces.context.definitionPosition(node.definition, entry: node.entry)
        let citations = policy.image.citations
        let citation = node.definition < citations.count ? citations[node.definition] : ""
        Trace.appendTail(
          reason: nil, citation: citation, file: position.file, offset: position.offset,
          line: position.line, column: position.column, to: &bytes)
      }
    } else {
      appendProbeNode(node, pieces, to: &bytes)
    }
    bytes.appendLiteral(",\"children\":[")
    let start = children.count
    var child = firstChild[index]
    while child >= 0 {
      if children.count > start { bytes.append(UInt8(ascii: ",")) }
      children.append(Int(child))
      appendNode(Int(child), pieces, firstChild, nextSibling, &children, to: &bytes)
      child = nextSibling[Int(child)]
    }
    if node.probe < 0 && !node.isCached {
      let skipped = pieces.context.notEvaluated(after: children[start...], in: machine.trace)
      for probe in skipped {
        if children.count > start { bytes.append(UInt8(ascii: ",")) }
        children.append(-1)
        let kind: Trace.Node.Kind =
          pieces.probes[probe].kind == .otherwise ? .otherwise : .condition
        pieces.append(pieces.probeHeads[probe], to: &bytes)
        Trace.appendOutcome(kind: kind, evaluated: false, outcome: nil, to: &bytes)
        pieces.append(pieces.probeTails[probe], to: &bytes)
        bytes.appendLiteral(",\"children\":[]}")
      }
    }
    children.removeSubrange(start...)
    bytes.appendLiteral("]}")
  }

  mutating func appendProbeNode(
    _ node: TraceNode, _ pieces: TracePieces, to bytes: inout [UInt8]
  ) {
    let index = Int(node.probe)
    let probe = pieces.probes[index]
    func type(_ index: UInt32) -> SchemaType {
      index == Probe.absent ? .bool : pieces.types[Int(index)]
    }
    pieces.append(pieces.probeHeads[index], to: &bytes)
    func element() {
      guard node.second.tag == 0, node.second.word > Int64.min else { return }
      pieces.append(pieces.probeElements[index], to: &bytes)
      Evaluator.appendInteger(node.second.word - 1, to: &bytes)
      bytes.appendLiteral("]\"")
    }
    switch probe.kind {
    case .conditionStart where probe.b != Probe.absent: element()
    case .element:
      element()
      bytes.append(UInt8(ascii: ","))
      appendTraceValue(node.value, type(probe.typeA), to: &bytes)
    case .comparison:
      pieces.append(pieces.probeOperands[index], to: &bytes)
      appendTraceValue(node.value, type(probe.typeA), to: &bytes)
      pieces.append(pieces.probeMiddles[index], to: &bytes)
      appendTraceValue(node.second, type(probe.typeB), to: &bytes)
      bytes.appendLiteral("}]")
    case .rounding:
      pieces.append(pieces.probeOperands[index], to: &bytes)
      appendTraceValue(node.value, type(probe.typeA), to: &bytes)
      bytes.appendLiteral("}],")
      appendTraceValue(node.second, type(probe.typeB), to: &bytes)
    case .callStart:
      if probe.a != Probe.absent {
        Trace.appendField("as_of", display(node.value, .date), to: &bytes)
      }
      if node.outcome == 1 {
        bytes.append(UInt8(ascii: ","))
        appendTraceValue(node.second, type(probe.typeB), to: &bytes)
      }
    case .lookup:
      pieces.append(pieces.probeElements[index], to: &bytes)
      if case .enumeration(let key) = type(probe.typeB), node.second.tag == 0,
        key < rendering.caseStarts.count - 1, node.second.word >= 0,
        node.second.word < Int64(rendering.caseStarts[key + 1] - rendering.caseStarts[key])
      {
        bytes.appendLiteral(",\"key\":")
        rendering.append(
          rendering.quotedCases[rendering.caseStarts[key] + Int(node.second.word)], to: &bytes)
      } else {
        Trace.appendField("key", display(node.second, type(probe.typeB)), to: &bytes)
      }
      if case .table(_, let entryType) = type(probe.typeA), node.second.tag == 0,
        let entry = machine.facts.checkedItem(node.value, Int(node.second.word))
      {
        bytes.append(UInt8(ascii: ","))
        appendTraceValue(entry, entryType, to: &bytes)
      }
    default: break
    }
    Trace.appendOutcome(
      kind: TraceBuilder.nodeKind(probe.kind), evaluated: true,
      outcome: node.outcome < 0 ? nil : node.outcome == 1, to: &bytes)
    pieces.append(pieces.probeTails[index], to: &bytes)
  }

  /// `text` JSON-escaped, without the quotes.
  static func appendEscaped(_ text: String, to bytes: inout [UInt8]) {
    let start = bytes.count
    JSONWriter.appendQuoted(text, to: &bytes)
    bytes.removeLast()
    bytes.remove(at: start)
  }

  /// `"value":…,"display":"…"` for a register of `type`, as `traceValue(_:_:)` gives them:
  /// scalars written directly, anything else through `traceValue`.
  mutating func appendTraceValue(_ register: Register, _ type: SchemaType, to bytes: inout [UInt8])
  {
    var type = type
    if case .optional(let wrapped) = type, register.tag != Register.noneTag,
      register.tag != Register.unknownTag
    {
      type = wrapped
    }
    guard register.tag == 0 else {
      Trace.appendValue(traceValue(register, type), to: &bytes)
      return
    }
    let word = register.word
    func number(_ unit: String?) {
      bytes.appendLiteral("\"value\":")
      Evaluator.appendInteger(word, to: &bytes)
      bytes.appendLiteral(",\"display\":\"")
      Evaluator.appendInteger(word, to: &bytes)
      if let unit {
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: unit.utf8)
        if word != 1 && word != -1 { bytes.append(UInt8(ascii: "s")) }
      }
      bytes.append(UInt8(ascii: "\""))
    }
    switch type {
    case .bool:
      bytes.append(
        contentsOf: word != 0
          ? "\"value\":true,\"display\":\"true\"".utf8
          : "\"value\":false,\"display\":\"false\"".utf8)
    case .int: number(nil)
    case .days: number("day")
    case .months: number("month")
    case .years: number("year")
    case .money:
      bytes.appendLiteral("\"value\":")
      Evaluator.appendInteger(word, to: &bytes)
      bytes.appendLiteral(",\"display\":\"")
      Evaluator.appendYuan(word, to: &bytes)
      bytes.appendLiteral(" yuan\"")
    case .date:
      guard let date = try? CivilDate(daysSince1970: word) else {
        Trace.appendValue(traceValue(register, type), to: &bytes)
        return
      }
      bytes.appendLiteral("\"value\":\"")
      date.appendISO8601(to: &bytes)
      bytes.appendLiteral("\",\"display\":\"")
      date.appendISO8601(to: &bytes)
      bytes.append(UInt8(ascii: "\""))
    case .enumeration(let index) where index < rendering.caseStarts.count - 1:
      let first = rendering.caseStarts[index]
      guard word >= 0, word < Int64(rendering.caseStarts[index + 1] - first) else {
        Trace.appendValue(traceValue(register, type), to: &bytes)
        return
      }
      let piece = rendering.quotedCases[first + Int(word)]
      bytes.appendLiteral("\"value\":")
      rendering.append(piece, to: &bytes)
      bytes.appendLiteral(",\"display\":")
      rendering.append(piece, to: &bytes)
    case .list:
      // A list shows its JSON when short (80 characters), else its count.
      var json: [UInt8] = []
      guard appendValueJSON(register, type, depth: 0, to: &json),
        !json.contains(where: { $0 >= 0x80 })
      else {
        Trace.appendValue(traceValue(register, type), to: &bytes)
        return
      }
      bytes.appendLiteral("\"value\":")
      bytes.append(contentsOf: json)
      bytes.appendLiteral(",\"display\":")
      if json.count <= 80 {
        JSONWriter.appendQuoted(String(decoding: json, as: UTF8.self), to: &bytes)
      } else {
        bytes.append(UInt8(ascii: "\""))
        Evaluator.appendInteger(Int64(machine.facts.count(register)), to: &bytes)
        bytes.append(
          contentsOf: machine.facts.count(register) == 1 ? " item\"".utf8 : " items\"".utf8)
      }
    case .table(let key, _):
      // Shown by its lookups: the display depends on the key enum alone.
      if let known = tracePieces?.tables[key] {
        bytes.append(contentsOf: known)
      } else {
        Trace.appendValue(traceValue(register, type), to: &bytes)
      }
    default:
      Trace.appendValue(traceValue(register, type), to: &bytes)
    }
  }

  /// Appends `register` as JSON exactly as `Machine.json(_:_:)` spells it, for the values
  /// that need no exact arithmetic; false (with `bytes` partly written) for any other, which
  /// the caller renders through `Machine.json`.
  mutating func appendValueJSON(
    _ register: Register, _ type: SchemaType, depth: Int, to bytes: inout [UInt8]
  )
    -> Bool
  {
    guard depth < Machine.maximumRenderingDepth else {
      bytes.appendLiteral("null")
      return true
    }
    if register.tag == Register.noneTag || register.tag == Register.unknownTag {
      bytes.appendLiteral("null")
      return true
    }
    switch type {
    case .optional(let wrapped):
      return appendValueJSON(register, wrapped, depth: depth + 1, to: &bytes)
    case .bool: bytes.append(contentsOf: register.word != 0 ? "true".utf8 : "false".utf8)
    case .int, .money, .days, .months, .years:
      guard register.tag == 0 else { return false }
      Evaluator.appendInteger(register.word, to: &bytes)
    case .date:
      guard register.tag == 0, let date = try? CivilDate(daysSince1970: register.word) else {
        return false
      }
      bytes.append(UInt8(ascii: "\""))
      date.appendISO8601(to: &bytes)
      bytes.append(UInt8(ascii: "\""))
    case .text:
      guard machine.facts.holdsText(register) else {
        bytes.appendLiteral("null")
        return true
      }
      JSONWriter.appendQuoted(machine.facts.texts[Int(register.word)], to: &bytes)
    case .enumeration(let index):
      guard index < rendering.caseStarts.count - 1 else { return false }
      let first = rendering.caseStarts[index]
      guard register.word >= 0, register.word < Int64(rendering.caseStarts[index + 1] - first)
      else {
        bytes.appendLiteral("null")
        return true
      }
      rendering.append(rendering.quotedCases[first + Int(register.word)], to: &bytes)
    case .record(let index):
      guard let pieces = tracePieces, index < pieces.fieldTypes.count else { return false }
      let keys = pieces.fieldKeys[index]
      let types = pieces.fieldTypes[index]
      bytes.append(UInt8(ascii: "{"))
      for position in types.indices {
        if position > 0 { bytes.append(UInt8(ascii: ",")) }
        pieces.append(keys[position], to: &bytes)
        let item = machine.facts.checkedItem(register, position) ?? .none
        guard appendValueJSON(item, types[position], depth: depth + 1, to: &bytes) else {
          return false
        }
      }
      bytes.append(UInt8(ascii: "}"))
    case .list(let element):
      guard machine.facts.holdsList(register) else {
        bytes.appendLiteral("null")
        return true
      }
      bytes.append(UInt8(ascii: "["))
      for position in 0..<machine.facts.count(register) {
        if position > 0 { bytes.append(UInt8(ascii: ",")) }
        guard
          appendValueJSON(
            machine.facts.item(register, position), element, depth: depth + 1, to: &bytes)
        else { return false }
      }
      bytes.append(UInt8(ascii: "]"))
    default: return false
    }
    return true
  }

  /// `fen` as yuan with two decimals (`1234.56`, `-0.05`), as `Money.yuanDescription`.
  static func appendYuan(_ fen: Int64, to bytes: inout [UInt8]) {
    if fen < 0 { bytes.append(UInt8(ascii: "-")) }
    let magnitude = fen.magnitude
    let yuan = magnitude / 100
    let cents = magnitude % 100
    if yuan <= UInt64(Int64.max) {
      appendInteger(Int64(yuan), to: &bytes)
    } else {
      bytes.append(contentsOf: String(yuan).utf8)
    }
    bytes.append(UInt8(ascii: "."))
    bytes.append(UInt8(truncatingIfNeeded: cents / 10) &+ 0x30)
    bytes.append(UInt8(truncatingIfNeeded: cents % 10) &+ 0x30)
  }
}

extension Array where Element == UInt8 {
  /// Appends a literal's bytes in one copy.
  @inline(__always)
  mutating func appendLiteral(_ literal: StaticString) {
    literal.withUTF8Buffer { append(contentsOf: $0) }
  }
}
