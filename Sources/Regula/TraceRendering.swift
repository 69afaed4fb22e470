// The renderings of a trace for auditors: an indented text tree and JSON (`regula.trace/2`).
// Both walk the same `Trace` tree; the HTML report (Report.swift) does too.

extension Substring {
  func trimmingCharacters(in set: Character) -> String {
    var text = self
    while text.first == set { text.removeFirst() }
    while text.last == set { text.removeLast() }
    return String(text)
  }
}

extension Trace.Node {
  /// `members[1]`-style positions and operands, shared by the renderings: one line that says
  /// what the node found, without its children.
  public var summary: String {
    switch kind {
    case .definition:
      var line = "\(name) = \(value?.display ?? "(not computed)")"
      if let reason { line += "  [reason \(reason)]" }
      if jurisdiction != "national" { line += "  at \(jurisdiction)" }
      return line
    case .condition:
      let what: String =
        switch role {
        case "all_of": "condition \((position ?? 0) + 1) of all of"
        case "first_of": "case \((position ?? 0) + 1) of first of"
        case "if": "if"
        case "where": "where" + (element.map { " (\($0))" } ?? "")
        case "exception": "exception when"
        default: "condition"
        }
      var line = "\(what): \(text ?? "?") — "
      if !isEvaluated {
        line += "not evaluated"
      } else {
        line += outcome.map { $0 ? "holds" : "does not hold" } ?? "outcome unknown"
      }
      if let reason {
        switch role {
        case "all_of" where isEvaluated && outcome == false: line += " → reason \(reason)"
        case "all_of": line += " (reason \(reason) if it fails)"
        default:
          line += isEvaluated && outcome == true ? " → reason \(reason)" : " (reason \(reason))"
        }
      }
      return line
    case .comparison:
      return "\(comparisonText) — " + (outcome.map { $0 ? "true" : "false" } ?? "unknown")
    case .element:
      return "\(element ?? "element") counts \(value?.display ?? "?")  (\(text ?? "?"))"
    case .lookup:
      return "\(table ?? "?")[\(key ?? "?")] = \(value?.display ?? "?")"
    case .version:
      return "version: \(text ?? "?")"
    case .rounding:
      let from = operands.first.map { " (from \($0.text) = \($0.value.display))" } ?? ""
      return "rounding \(text ?? "?") = \(value?.display ?? "?")" + from
    case .call:
      let date = asOf.map { " (evaluated as of \($0))" } ?? ""
      return "call \(text ?? function ?? "?")\(date) = \(value?.display ?? "(not computed)")"
    case .otherwise:
      return "case \((position ?? 0) + 1) of first of: otherwise — "
        + (isEvaluated ? "taken" : "not evaluated")
        + (reason.map { isEvaluated ? " → reason \($0)" : " (reason \($0))" } ?? "")
    }
  }

  /// A comparison with its operands' values: `per_capita (774.68 yuan) < local_standard
  /// (690.00 yuan)`; an operand whose text is its value (a literal) is shown once.
  public var comparisonText: String {
    guard operands.count == 2, let text else { return text ?? "?" }
    let (left, right) = (operands[0], operands[1])
    func shown(_ operand: Operand) -> String {
      operand.text == operand.value.display || operand.text == operand.value.json
        ? operand.text : "\(operand.text) (\(operand.value.display))"
    }
    guard text.hasPrefix(left.text), text.hasSuffix(right.text),
      text.count >= left.text.count + right.text.count
    else {
      return "\(text): \(left.value.display), \(right.value.display)"
    }
    let middle = text.dropFirst(left.text.count).dropLast(right.text.count)
      .trimmingCharacters(in: " ")
    return "\(shown(left)) \(middle) \(shown(right))"
  }

  /// `file:line:column`, or the file alone, or nil.
  public var location: String? {
    guard let file else { return nil }
    return file + (line.map { ":\($0)" + (column.map { ":\($0)" } ?? "") } ?? "")
  }
}

extension Trace {
  /// An indented tree, one node a line: what it found, its citation and its source position.
  public func text() -> String {
    Trace.onStack(depth: depth) { textInline() }
  }

  func textInline() -> String {
    var labels: PolicyLabels?
    var out = tree(labels: &labels)
    if !inputs.isEmpty {
      out += "inputs read\n"
      for input in inputs { out += "  \(input.path) = \(input.value.display)\n" }
    }
    return out
  }

  /// The tree, a node a line: what it found, its citation and its source position; with
  /// `labels`, each definition's label after its name (`eligible «是否符合条件» = …`) and the
  /// citations by their labels.
  func tree(labels: inout PolicyLabels?) -> String {
    var out = ""
    func write(_ node: Node, depth: Int) {
      var summary = node.summary
      if node.kind == .definition, let label = labels?.definition(node.name), label != node.name {
        summary = "\(node.name) «\(label)»" + summary.dropFirst(node.name.count)
      }
      out += String(repeating: "  ", count: depth) + summary
      if !node.citation.isEmpty {
        out += "  — " + (labels?.citation(node.citation) ?? node.citation)
      }
      if let location = node.location { out += "  (\(location))" }
      if node.isCached { out += "  (computed above)" }
      out += "\n"
      if !node.isCached { for child in node.children { write(child, depth: depth + 1) } }
    }
    for root in roots { write(root, depth: 0) }
    return out
  }

  /// The trace as JSON: `{"schema":"regula.trace/2","inputs":[…],"decisions":[…]}`; with
  /// `record`, the decision record is included as `"record"` (one document per request).
  ///
  /// - Parameter record: when given, the document's `"record"`.
  /// - Parameter whyNot: when given, the document's `"counterfactuals"`.
  public func json(record: DecisionRecord? = nil, whyNot: [WhyNot]? = nil) -> String {
    Trace.onStack(depth: depth) { jsonInline(record: record, whyNot: whyNot) }
  }

  func jsonInline(record: DecisionRecord?, whyNot: [WhyNot]?) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(8192)
    Trace.appendDocumentStart(record: record, whyNot: whyNot, inputHash: inputHash, to: &bytes)
    for (index, input) in inputs.enumerated() {
      Trace.appendInput(path: input.path, index == 0, to: &bytes)
      if input.isLength {
        bytes.appendLiteral("\"length\":")
        bytes.append(contentsOf: input.value.json.utf8)
        bytes.appendLiteral(",\"display\":")
        JSONWriter.appendQuoted(input.value.display, to: &bytes)
      } else {
        Trace.appendValue(input.value, to: &bytes)
      }
      bytes.append(UInt8(ascii: "}"))
    }
    bytes.appendLiteral("],\"decisions\":[")
    for (index, root) in roots.enumerated() {
      if index > 0 { bytes.append(UInt8(ascii: ",")) }
      Trace.append(root, to: &bytes)
    }
    bytes.appendLiteral("]}")
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The trace alone as JSON (`json(record: nil)`).
  public var json: String { json() }

  /// `{"schema":"regula.trace/2"`, the record and counterfactuals when given, and
  /// `,"inputs":[`.
  static func appendDocumentStart(
    record: DecisionRecord?, whyNot: [WhyNot]?, inputHash: String? = nil, to bytes: inout [UInt8]
  ) {
    bytes.appendLiteral("{\"schema\":\"regula.trace/2\"")
    if let inputHash { appendField("input_sha256", inputHash, to: &bytes) }
    if let record {
      bytes.appendLiteral(",\"record\":")
      bytes.append(contentsOf: record.json.utf8)
    }
    if let whyNot {
      bytes.appendLiteral(",\"counterfactuals\":[")
      bytes.append(contentsOf: whyNot.map(\.json).joined(separator: ",").utf8)
      bytes.append(UInt8(ascii: "]"))
    }
    bytes.appendLiteral(",\"inputs\":[")
  }

  /// `{"path":…,` (after a comma unless first).
  static func appendInput(path: String, _ first: Bool, to bytes: inout [UInt8]) {
    bytes.append(contentsOf: first ? "{\"path\":".utf8 : ",{\"path\":".utf8)
    JSONWriter.appendQuoted(path, to: &bytes)
    bytes.append(UInt8(ascii: ","))
  }

  /// `"value":…,"display":"…"`.
  static func appendValue(_ value: TraceValue, to bytes: inout [UInt8]) {
    bytes.appendLiteral("\"value\":")
    bytes.append(contentsOf: value.json.utf8)
    bytes.appendLiteral(",\"display\":")
    JSONWriter.appendQuoted(value.display, to: &bytes)
  }

  /// `,"KEY":"TEXT"`.
  static func appendField(_ key: String, _ text: String, to bytes: inout [UInt8]) {
    bytes.appendLiteral(",\"")
    bytes.append(contentsOf: key.utf8)
    bytes.appendLiteral("\":")
    JSONWriter.appendQuoted(text, to: &bytes)
  }

  /// One node, its members in the order of Docs/explanations.md: what is fixed by the policy
  /// (kind, definition, definition_kind, role, position, text), then the jurisdiction (both
  /// only on definitions: the nodes inside one belong to it) and what this evaluation found (element, table, key, operands, value, display, evaluated,
  /// outcome, cached, reason), then the provision and position (citation, source), then the
  /// children. `Evaluator.traceJSON()` writes the same bytes from the machine's nodes.
  static func append(_ node: Node, to bytes: inout [UInt8]) {
    // A definition names itself and its jurisdiction; the nodes inside it belong to it.
    let isDefinition = node.kind == .definition
    appendStatic(
      kind: node.kind.rawValue, definition: isDefinition ? node.name : nil,
      definitionKind: node.definitionKind, role: node.role, position: node.position,
      text: node.text, function: node.function, to: &bytes)
    if isDefinition { appendField("jurisdiction", node.jurisdiction, to: &bytes) }
    if let asOf = node.asOf { appendField("as_of", asOf, to: &bytes) }
    if let element = node.element { appendField("element", element, to: &bytes) }
    if let table = node.table { appendField("table", table, to: &bytes) }
    if let key = node.key { appendField("key", key, to: &bytes) }
    if !node.operands.isEmpty {
      bytes.appendLiteral(",\"operands\":[")
      for (index, operand) in node.operands.enumerated() {
        bytes.append(contentsOf: index == 0 ? "{\"text\":".utf8 : ",{\"text\":".utf8)
        JSONWriter.appendQuoted(operand.text, to: &bytes)
        bytes.append(UInt8(ascii: ","))
        appendValue(operand.value, to: &bytes)
        bytes.append(UInt8(ascii: "}"))
      }
      bytes.append(UInt8(ascii: "]"))
    }
    if let value = node.value {
      bytes.append(UInt8(ascii: ","))
      appendValue(value, to: &bytes)
    }
    appendOutcome(kind: node.kind, evaluated: node.isEvaluated, outcome: node.outcome, to: &bytes)
    if node.isCached { bytes.appendLiteral(",\"cached\":true") }
    appendTail(
      reason: node.reason, citation: node.citation, file: node.file, offset: node.offset,
      line: node.line, column: node.column, to: &bytes)
    bytes.appendLiteral(",\"children\":[")
    for (index, child) in node.children.enumerated() {
      if index > 0 { bytes.append(UInt8(ascii: ",")) }
      append(child, to: &bytes)
    }
    bytes.appendLiteral("]}")
  }

  /// `{"kind":…,"definition":…` and the members the policy fixes.
  static func appendStatic(
    kind: String, definition: String?, definitionKind: String?, role: String?, position: Int?,
    text: String?, function: String? = nil, to bytes: inout [UInt8]
  ) {
    bytes.appendLiteral("{\"kind\":")
    JSONWriter.appendQuoted(kind, to: &bytes)
    if let definition { appendField("definition", definition, to: &bytes) }
    if let definitionKind { appendField("definition_kind", definitionKind, to: &bytes) }
    if let role { appendField("role", role, to: &bytes) }
    if let position {
      bytes.appendLiteral(",\"position\":")
      Evaluator.appendInteger(Int64(position), to: &bytes)
    }
    if let text { appendField("text", text, to: &bytes) }
    if let function { appendField("function", function, to: &bytes) }
  }

  /// `,"evaluated":…,"outcome":…` for conditions, comparisons and otherwise cases.
  static func appendOutcome(
    kind: Node.Kind, evaluated: Bool, outcome: Bool?, to bytes: inout [UInt8]
  ) {
    guard kind == .condition || kind == .comparison || kind == .otherwise else { return }
    bytes.append(contentsOf: evaluated ? ",\"evaluated\":true".utf8 : ",\"evaluated\":false".utf8)
    guard kind != .otherwise else { return }
    bytes.append(
      contentsOf: outcome.map { $0 ? ",\"outcome\":true" : ",\"outcome\":false" }?.utf8
        ?? ",\"outcome\":null".utf8)
  }

  /// `,"reason":…,"citation":…,"source":{…}` as far as given.
  static func appendTail(
    reason: String?, citation: String, file: String?, offset: Int, line: Int?, column: Int?,
    to bytes: inout [UInt8]
  ) {
    if let reason { appendField("reason", reason, to: &bytes) }
    if !citation.isEmpty { appendField("citation", citation, to: &bytes) }
    guard let file else { return }
    bytes.appendLiteral(",\"source\":{\"file\":")
    JSONWriter.appendQuoted(file, to: &bytes)
    bytes.appendLiteral(",\"offset\":")
    Evaluator.appendInteger(Int64(offset), to: &bytes)
    if let line {
      bytes.appendLiteral(",\"line\":")
      Evaluator.appendInteger(Int64(line), to: &bytes)
    }
    if let column {
      bytes.appendLiteral(",\"column\":")
      Evaluator.appendInteger(Int64(column), to: &bytes)
    }
    bytes.append(UInt8(ascii: "}"))
  }
}
