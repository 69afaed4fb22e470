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
    var out = ""
    func write(_ node: Node, depth: Int) {
      out += String(repeating: "  ", count: depth) + node.summary
      if !node.citation.isEmpty { out += "  — \(node.citation)" }
      if let location = node.location { out += "  (\(location))" }
      if node.isCached { out += "  (computed above)" }
      out += "\n"
      if !node.isCached { for child in node.children { write(child, depth: depth + 1) } }
    }
    for root in roots { write(root, depth: 0) }
    if !inputs.isEmpty {
      out += "inputs read\n"
      for input in inputs { out += "  \(input.path) = \(input.value.display)\n" }
    }
    return out
  }

  /// The trace as JSON: `{"schema":"regula.trace/2","inputs":[…],"decisions":[…]}`; with
  /// `record`, the decision record is included as `"record"` (one document per request).
  ///
  /// - Parameter whyNot: when given, the document's `"counterfactuals"`.
  public func json(record: DecisionRecord? = nil, whyNot: [WhyNot]? = nil) -> String {
    var out = "{\"schema\":\"regula.trace/2\""
    if let record { out += ",\"record\":" + record.json }
    if let whyNot {
      out += ",\"counterfactuals\":[" + whyNot.map(\.json).joined(separator: ",") + "]"
    }
    out += ",\"inputs\":["
    out += inputs.map {
      "{\"path\":\(JSONWriter.quote($0.path)),\"value\":\($0.value.json),\"display\":\(JSONWriter.quote($0.value.display))}"
    }.joined(separator: ",")
    out += "],\"decisions\":[" + roots.map(Trace.json).joined(separator: ",") + "]}"
    return out
  }

  /// The trace alone as JSON (`json(record: nil)`).
  public var json: String { json() }

  static func json(_ node: Node) -> String {
    var fields = [
      "\"kind\":\(JSONWriter.quote(node.kind.rawValue))",
      "\"definition\":\(JSONWriter.quote(node.name))",
    ]
    func add(_ key: String, _ text: String?) {
      if let text { fields.append("\"\(key)\":\(JSONWriter.quote(text))") }
    }
    add("definition_kind", node.definitionKind)
    add("role", node.role)
    if let position = node.position { fields.append("\"position\":\(position)") }
    fields.append("\"jurisdiction\":\(JSONWriter.quote(node.jurisdiction))")
    add("text", node.text)
    add("element", node.element)
    add("table", node.table)
    add("key", node.key)
    if !node.operands.isEmpty {
      fields.append(
        "\"operands\":["
          + node.operands.map {
            "{\"text\":\(JSONWriter.quote($0.text)),\"value\":\($0.value.json),\"display\":\(JSONWriter.quote($0.value.display))}"
          }.joined(separator: ",") + "]")
    }
    if let value = node.value {
      fields.append("\"value\":\(value.json)")
      add("display", value.display)
    }
    if node.kind == .condition || node.kind == .comparison || node.kind == .otherwise {
      fields.append("\"evaluated\":\(node.isEvaluated)")
      if node.kind != .otherwise {
        fields.append("\"outcome\":" + (node.outcome.map { $0 ? "true" : "false" } ?? "null"))
      }
    }
    add("reason", node.reason)
    if !node.citation.isEmpty { add("citation", node.citation) }
    if node.isCached { fields.append("\"cached\":true") }
    if let file = node.file {
      fields.append(
        "\"source\":{\"file\":\(JSONWriter.quote(file)),\"offset\":\(node.offset)"
          + (node.line.map { ",\"line\":\($0)" } ?? "")
          + (node.column.map { ",\"column\":\($0)" } ?? "") + "}")
    }
    fields.append("\"children\":[" + node.children.map(json).joined(separator: ",") + "]")
    return "{" + fields.joined(separator: ",") + "}"
  }
}
