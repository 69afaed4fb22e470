// The printed form of the IR, compared by golden tests: definitions by `@name`, locals by
// `$slot`, constants with their types, every operator with its result type.

/// Prints an IR program.
public enum IRPrinter {
  /// The program as text, one line per definition, variant, version and case, compared by the
  /// golden tests; definitions are `#id kind name: type`.
  ///
  /// - Complexity: O(n) in the number of IR nodes.
  public static func print(_ program: IRProgram) -> String {
    var lines = ["ir \(program.name)"]
    for (id, definition) in program.definitions.enumerated() {
      lines.append(
        "#\(id) \(definition.kind.rawValue) \(definition.name): \(definition.type)"
          + (definition.hasReason ? " (reason)" : ""))
      for variant in definition.variants {
        var title = "  "
        switch variant.kind {
        case .base: title += "base"
        case .override: title += "override"
        case .exception(let condition, let reason):
          title +=
            "exception when \(expr(condition, program))" + (reason.map { " reason \($0)" } ?? "")
        }
        lines.append(title + " at \(variant.jurisdiction.code)")
        for version in variant.versions {
          let dates = version.from.map { " from \($0)" } ?? ""
          let until = version.until.map { " until \($0)" } ?? ""
          lines.append("    version\(dates)\(until)")
          lines += body(version.body, program).map { "      " + $0 }
        }
      }
    }
    for test in program.tests {
      lines.append(
        "test \(JSONText.quote(test.name)) expects "
          + test.expectations.map { program.definitions[$0.definition].name }.joined(
            separator: ", "))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func body(_ body: IRBody, _ program: IRProgram) -> [String] {
    switch body {
    case .value(let value): return ["= " + expr(value, program)]
    case .firstOf(let cases):
      return cases.map { item in
        (item.condition.map { "when " + expr($0, program) } ?? "otherwise") + " → "
          + expr(item.value, program)
          + (item.reason.map { " reason \($0)" } ?? "")
      }
    case .allOf(let conditions):
      return conditions.map { "require " + expr($0.condition, program) + " reason \($0.reason)" }
    }
  }

  /// An S-expression for an IR expression.
  ///
  /// - Complexity: O(n) in the number of nodes below `expr`.
  public static func expr(_ expr: IRExpr, _ program: IRProgram) -> String {
    let e = { (inner: IRExpr) in Self.expr(inner, program) }
    switch expr.kind {
    case .constant(let value): return constant(value, expr.type, program)
    case .input: return "input"
    case .local(let slot): return "$\(slot)"
    case .definition(let id): return "@\(program.definitions[id].name)"
    case .definitionAt(let id, let place):
      return "(at @\(program.definitions[id].name) \(e(place)))"
    case .definitionAsOf(let id, let date):
      return "(as-of @\(program.definitions[id].name) \(e(date)))"
    case .reasonOf(let id): return "(reason @\(program.definitions[id].name))"
    case .field(let base, let index, let name): return "(. \(e(base)) \(name)#\(index))"
    case .index(let base, let key): return "([] \(e(base)) \(e(key)))"
    case .unary(let op, let operand): return "(\(op.rawValue):\(expr.type) \(e(operand)))"
    case .binary(let op, let left, let right):
      return "(\(op.rawValue):\(expr.type) \(e(left)) \(e(right)))"
    case .ifThenElse(let c, let t, let f): return "(if \(e(c)) \(e(t)) \(e(f)))"
    case .letIn(let slot, let value, let body): return "(let $\(slot) \(e(value)) \(e(body)))"
    case .inlined(let function, let body): return "(inlined #\(function) \(e(body)))"
    case .match(let subject, let arms):
      return "(match \(e(subject))"
        + arms.map { " [\(pattern($0.pattern)) \(e($0.value))]" }.joined() + ")"
    case .call(let builtin, let arguments):
      return "(\(builtin)" + arguments.map { " " + e($0) }.joined() + ")"
    case .aggregate(let kind, let slot, let source, let element, let filter):
      var text = "(\(kind.rawValue) $\(slot) \(e(source))"
      if let element { text += " map \(e(element))" }
      if let filter { text += " where \(e(filter))" }
      return text + ")"
    case .list(let items): return "[" + items.map(e).joined(separator: " ") + "]"
    case .record(let items): return "{" + items.map(e).joined(separator: " ") + "}"
    case .table(let items): return "(table " + items.map(e).joined(separator: " ") + ")"
    }
  }

  static func pattern(_ pattern: IRArm.Pattern) -> String {
    switch pattern {
    case .cases(let indices): indices.map(String.init).joined(separator: ",")
    case .none: "none"
    case .some(let slot): "some $\(slot)"
    case .otherwise: "otherwise"
    }
  }

  static func constant(_ value: Value, _ type: RType, _ program: IRProgram) -> String {
    switch (value, type) {
    case (.enumCase(let index), .enumeration(let name)):
      return "\(name).\(program.enumCases(name)[safe: index] ?? "?")"
    case (.unknown, _): return "unknown"
    default: return value.json(type, in: program)
    }
  }
}
