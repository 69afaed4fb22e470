// The printed form of a checked program: declarations with resolved types, definitions in
// evaluation order with their dependencies, and every expression annotated with its type.

/// Prints a checked program for people and golden tests.
public enum CheckedPrinter {
  public static func print(_ program: CheckedProgram) -> String {
    var lines: [String] = []
    let header = program.header
    lines.append(
      "\(header.kind.rawValue) \(header.name.text)"
        + (header.level.map { " level \($0.code)" } ?? ""))
    for item in program.enums {
      lines.append("enum \(item.name) = " + item.cases.joined(separator: " | "))
    }
    for item in program.records { lines += record("record \(item.name)", item) }
    if let input = program.input { lines += record("input \(input.name)", input) }
    for function in program.functions {
      let parameters = function.parameters.map { "\($0.name): \($0.type)" }
      lines.append(
        "function \(function.name)(\(parameters.joined(separator: ", "))): \(function.type)")
      if !function.dependencies.isEmpty {
        lines.append("  reads " + function.dependencies.joined(separator: ", "))
      }
      lines.append("  = " + typed(function.body, program))
    }
    for definition in program.definitions { lines += self.definition(definition, program) }
    for test in program.tests {
      lines.append(
        "test \(JSONText.quote(test.name)) expects "
          + test.expectations.map(\.name.text).joined(separator: ", "))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func record(_ title: String, _ info: RecordInfo) -> [String] {
    [title]
      + info.fields.map {
        "  \($0.isPersonal ? "personal " : "")\($0.name): \($0.type)"
          + ($0.constraint.map { $0.text(ExprPrinter.source) } ?? "")
          + ($0.defaultValue.map { " = " + ExprPrinter.source($0) } ?? "")
      }
  }

  static func definition(_ definition: CheckedDefinition, _ program: CheckedProgram) -> [String] {
    var lines = ["\(definition.kind.rawValue) \(definition.name): \(definition.type)"]
    if !definition.dependencies.isEmpty {
      lines.append("  reads " + definition.dependencies.joined(separator: ", "))
    }
    for variant in definition.variants {
      let title: String
      switch variant.kind {
      case .base: title = "base"
      case .override: title = "override"
      case .exception(_, let condition, let reason):
        title =
          "exception when \(typed(condition, program))"
          + (reason.map { " reason \($0.text)" } ?? "")
          + (variant.validity.map { " from \($0.from)" + ($0.until.map { " until \($0)" } ?? "") }
            ?? "")
      }
      lines.append("  \(title) at \(variant.jurisdiction.code)")
      lines += body(variant.body, program, indent: 2)
    }
    return lines
  }

  static func body(_ body: Body, _ program: CheckedProgram, indent: Int) -> [String] {
    let pad = String(repeating: "  ", count: indent)
    switch body.kind {
    case .expression(let expr): return [pad + "= " + typed(expr, program)]
    case .firstOf(let cases):
      return cases.map { item in
        let condition =
          item.writtenCondition { typed($0, program) }.map { "when " + $0 } ?? "otherwise"
        return pad + "\(typed(item.value, program)) \(condition)"
          + (item.reason.map { " reason \($0.text)" } ?? "")
      }
    case .allOf(let conditions):
      return conditions.map {
        pad + "require \(typed($0.condition, program)) reason \($0.reason.text)"
      }
    case .versions(let versions):
      return versions.flatMap { version in
        [
          pad + "from \(version.validity.from)"
            + (version.validity.until.map { " until \($0)" } ?? "")
        ]
          + self.body(version.body, program, indent: indent + 1)
      }
    case .brackets:
      // INVARIANT: checked programs hold brackets as versions (`Checker.scaleVersions`).
      return []
    }
  }

  /// An S-expression with `:Type` after every node and `→` after resolved names.
  static func typed(_ expr: Expr, _ program: CheckedProgram) -> String {
    let type = program.types[expr.id].map { ":\($0)" } ?? ""
    switch expr.kind {
    case .name(let name):
      return name + resolution(program.resolutions[expr.id]) + type
    case .field(let base, let name):
      if case .enumCase(let enumName, let caseName)? = program.resolutions[expr.id] {
        return "\(enumName).\(caseName)\(type)"
      }
      return "(. \(typed(base, program)) \(name.text))\(type)"
    case .binary(let op, let left, let right):
      return "(\(op.rawValue) \(typed(left, program)) \(typed(right, program)))\(type)"
    case .unary(let op, let operand):
      return "(\(op.rawValue) \(typed(operand, program)))\(type)"
    case .ifThenElse(let c, let t, let e):
      return "(if \(typed(c, program)) \(typed(t, program)) \(typed(e, program)))\(type)"
    case .index(let base, let key):
      return "([] \(typed(base, program)) \(typed(key, program)))\(type)"
    case .call(let name, let arguments):
      return "(\(name.text)" + arguments.map { " " + typed($0, program) }.joined() + ")\(type)"
    default:
      return ExprPrinter.print(expr) + type
    }
  }

  static func resolution(_ resolution: Resolution?) -> String {
    switch resolution {
    case .definition?: ""
    case .input?: "→input"
    case .local?: "→local"
    case .enumCase(let enumName, _)?: "→\(enumName)"
    case .enumType?: "→type"
    case .evaluatedAsOf?: ""
    case nil: ""
    }
  }
}
