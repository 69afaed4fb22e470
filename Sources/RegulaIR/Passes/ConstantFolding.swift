// Folds subexpressions whose operands are all constants, using the reference interpreter so
// the folded value is exactly what evaluation would give.

extension IRProgram {
  /// The program with constant subexpressions replaced by their values.
  ///
  /// - Complexity: O(n) in the number of IR nodes.
  public func foldingConstants() -> IRProgram {
    var result = self
    result.definitions = definitions.map { $0.mappingExpressions { fold($0) } }
    return result
  }

  func fold(_ expr: IRExpr) -> IRExpr {
    expr.rewritten { node in
      guard node.isFoldable, node.children.allSatisfy(\.isConstant) else { return node }
      // An operation that fails (a division by a literal zero) is left unfolded: the runtime
      // error must point at the user's expression, with its span.
      var interpreter = Interpreter(
        program: self, input: .none, asOf: (try? CivilDate(daysSince1970: 0))!,
        jurisdiction: "national")
      guard let value = try? interpreter.evaluate(node) else { return node }
      return IRExpr(kind: .constant(value), type: node.type, span: node.span)
    }
  }
}

extension IRExpr {
  var isConstant: Bool {
    if case .constant = kind { return true }
    return false
  }

  /// Forms whose value depends only on their operands (no input, definitions, or locals).
  var isFoldable: Bool {
    switch kind {
    // Roundings stay in the IR so that each one appears in the trace.
    case .call(.round, _), .call(.roundToPlaces, _), .call(.roundToMultiple, _): false
    // The as-of date is the evaluation's, not a constant (a specialised program folds it).
    case .call(.asOfDate, _), .call(.noVersionAsOf, _): false
    case .unary, .binary, .ifThenElse, .call, .list, .record, .table, .index: true
    // A function call stays, so that the trace shows it.
    case .constant, .input, .local, .definition, .definitionAt, .definitionAsOf, .reasonOf, .field,
      .letIn, .match,
      .aggregate, .inlined:
      false
    }
  }
}
