// The full trace of a decision: the tree of definitions the VM evaluated, with values,
// reasons, citations and source positions. Produced by replaying the same bytecode with
// tracing on; rendering (text for people, JSON for machines) happens here, not in the VM.

/// A decision's trace (schema `regula.trace/1`).
public struct Trace: Sendable {
  /// One definition evaluated, with the definitions it needed.
  public struct Node: Sendable {
    /// The definition's name.
    public var name: String
    /// `parameter`, `rule` or `decision`.
    public var kind: String
    /// The jurisdiction code the definition was evaluated for.
    public var jurisdiction: String
    /// The value as JSON text.
    public var value: String
    /// The reason code the definition gave, or nil when it gives none.
    public var reason: String?
    /// The provision the definition cites, or empty.
    public var citation: String
    /// True when the value had been computed earlier in the same evaluation.
    public var isCached: Bool
    /// The source file and byte offset of the definition.
    public var file: String?
    /// The byte offset of the definition in `file` (0 when there is no debug entry).
    public var offset: Int
    /// The 1-based line of the definition in `file`, from the compiled file's debug entries;
    /// nil when it was compiled without its sources' lines.
    public var line: Int?
    /// The definitions this one needed, in call order (a repeated need appears again, as a
    /// cached node); always empty for a cached node, whose children appear where it was
    /// first computed.
    public var children: [Node]
  }
  /// The decisions evaluated at top level, in definition order. A decision that an earlier
  /// decision already needed appears only as that decision's child, not again as a root.
  public var roots: [Node]

  /// An indented tree: `name = value  [reason]  — citation  (file:line)`, with the lines the
  /// compiled file records.
  /// - Parameter line: maps a file and byte offset to a 1-based line, for a node whose line
  ///   the compiled file does not know (a policy compiled without its sources' lines).
  public func text(line: (String, Int) -> Int? = { _, _ in nil }) -> String {
    var out = ""
    func write(_ node: Node, depth: Int) {
      out += String(repeating: "  ", count: depth) + "\(node.name) = \(node.value)"
      if let reason = node.reason { out += "  [reason \(reason)]" }
      if node.jurisdiction != "national" { out += "  at \(node.jurisdiction)" }
      if !node.citation.isEmpty { out += "  — \(node.citation)" }
      if let file = node.file {
        out += "  (\(file)" + ((node.line ?? line(file, node.offset)).map { ":\($0)" } ?? "") + ")"
      }
      if node.isCached { out += "  (computed above)" }
      out += "\n"
      if !node.isCached { for child in node.children { write(child, depth: depth + 1) } }
    }
    for root in roots { write(root, depth: 0) }
    return out
  }

  /// The trace as JSON: nested nodes with name, kind, jurisdiction, value, reason, citation,
  /// source file and offset, and children.
  public var json: String {
    func encode(_ node: Node) -> String {
      var fields = [
        "\"name\":\(JSONWriter.quote(node.name))", "\"kind\":\(JSONWriter.quote(node.kind))",
        "\"jurisdiction\":\(JSONWriter.quote(node.jurisdiction))", "\"value\":\(node.value)",
      ]
      if let reason = node.reason { fields.append("\"reason\":\(JSONWriter.quote(reason))") }
      if !node.citation.isEmpty { fields.append("\"citation\":\(JSONWriter.quote(node.citation))") }
      if let file = node.file {
        fields.append(
          "\"source\":{\"file\":\(JSONWriter.quote(file)),\"offset\":\(node.offset)"
            + (node.line.map { ",\"line\":\($0)" } ?? "") + "}")
      }
      if node.isCached { fields.append("\"cached\":true") }
      fields.append("\"children\":[" + node.children.map(encode).joined(separator: ",") + "]")
      return "{" + fields.joined(separator: ",") + "}"
    }
    return "{\"schema\":\"regula.trace/1\",\"decisions\":["
      + roots.map(encode).joined(separator: ",") + "]}"
  }
}

extension Evaluator {
  /// Decides with tracing on and returns the record and the trace. The record is the one an
  /// untraced evaluation gives (the same bytecode runs; tracing only observes calls).
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
    return (record, buildTrace())
  }

  func buildTrace() -> Trace {
    let image = policy.image
    var children: [[Int]] = Array(repeating: [], count: machine.trace.count)
    var roots: [Int] = []
    for (index, node) in machine.trace.enumerated() {
      if node.parent >= 0 { children[node.parent].append(index) } else { roots.append(index) }
    }
    // A value needed again (a cached node) is rendered once: a large value needed at every
    // pass of a loop would otherwise be rendered at each.
    var rendered: [Int: String] = [:]
    func build(_ index: Int) -> Trace.Node {
      let node = machine.trace[index]
      let slot = node.definition * image.jurisdictions.count + node.jurisdiction
      let value =
        rendered[slot] ?? machine.json(node.value, image.definitions[node.definition].type)
      rendered[slot] = value
      let definition = image.definitions[node.definition]
      let debug = node.entry < image.debug.count ? image.debug[node.entry] : nil
      let file = debug.flatMap {
        Int($0.file) < image.sourceFiles.count ? image.sourceFiles[Int($0.file)] : nil
      }
      let kind: String =
        switch definition.kind {
        case .parameter: "parameter"
        case .rule: "rule"
        case .decision: "decision"
        }
      return Trace.Node(
        name: definition.name, kind: kind, jurisdiction: image.jurisdictions[node.jurisdiction],
        value: value,
        reason: node.reason >= 0 ? machine.facts.texts[Int(node.reason)] : nil,
        citation: node.definition < image.citations.count ? image.citations[node.definition] : "",
        isCached: node.isCached, file: file, offset: Int(debug?.start ?? 0),
        line: debug.flatMap { $0.line > 0 ? Int($0.line) : nil },
        children: children[index].map(build))
    }
    return Trace(roots: roots.map(build))
  }
}
