// How deep an evaluation can nest: the reference interpreter recurses once per expression level
// and once per definition it calls, so the deepest chain of calls, each made from deep inside
// an expression, bounds its stack. The VM does not recurse, but both engines must accept the
// same policies, so the limit is checked here, before either engine runs (R0602).

extension IRProgram {
  /// The most levels an evaluation may nest: expression levels, summed along a chain of calls
  /// (`r1 = r0 + 1` called from `r2 = r1 + 1` nests 2 levels per definition). Far above what a
  /// policy needs (a chain of 100 definitions, each 40 levels deep) and within what the
  /// interpreter's stack holds (`LargeStack`).
  public static let maximumEvaluationDepth = 4_096

  /// The first definition whose evaluation can nest deeper than `maximumEvaluationDepth`, with
  /// that depth; nil when none can.
  ///
  /// - Complexity: O(n) in the size of the program: each definition is measured once, after
  ///   the definitions it calls (an explicit stack, not recursion, over the call graph).
  public func evaluationDepthViolation() -> (definition: DefinitionID, depth: Int)? {
    var callees: [[DefinitionID]] = definitions.map { definition in
      var found: [DefinitionID] = []
      definition.forEachExpression { expr in
        switch expr.kind {
        case .definition(let id), .definitionAt(let id, _), .definitionAsOf(let id, _):
          found.append(id)
        default: break
        }
      }
      return found
    }
    var depth = [Int](repeating: -1, count: definitions.count)
    var onStack = [Bool](repeating: false, count: definitions.count)
    for root in definitions.indices where depth[root] < 0 {
      var stack = [root]
      onStack[root] = true
      while let top = stack.last {
        // A callee not measured yet (and not on the stack: a cycle, which the checker refuses)
        // goes first.
        if let next = callees[top].popLast() {
          if next >= 0, next < definitions.count, depth[next] < 0, !onStack[next] {
            onStack[next] = true
            stack.append(next)
          }
          continue
        }
        stack.removeLast()
        onStack[top] = false
        var deepest = 0
        definitions[top].forEachTopLevelExpression { expr in
          deepest = max(deepest, evaluationDepth(expr, callees: depth))
        }
        depth[top] = deepest
        if deepest > Self.maximumEvaluationDepth { return (top, deepest) }
      }
    }
    callees.removeAll()
    return nil
  }

  /// The levels `expr` nests, a call counting as the callee's own depth below it. Recursive
  /// over one expression, whose height the parser bounds (`Parser.maximumHeight`).
  func evaluationDepth(_ expr: IRExpr, callees depth: [Int]) -> Int {
    var below = 0
    switch expr.kind {
    case .definition(let id), .definitionAt(let id, _), .definitionAsOf(let id, _):
      below = id >= 0 && id < depth.count ? max(depth[id], 0) : 0
    default: break
    }
    for child in expr.children { below = max(below, evaluationDepth(child, callees: depth)) }
    return 1 + below
  }
}

extension IRDefinition {
  /// Visits each top-level expression (bodies, cases, conditions, exception conditions),
  /// without descending into it.
  func forEachTopLevelExpression(_ visit: (IRExpr) -> Void) {
    for variant in variants {
      if case .exception(let condition, _) = variant.kind { visit(condition) }
      for version in variant.versions {
        switch version.body {
        case .value(let expr): visit(expr)
        case .firstOf(let cases):
          for item in cases {
            visit(item.value)
            if let condition = item.condition { visit(condition) }
          }
        case .allOf(let conditions): for item in conditions { visit(item.condition) }
        }
      }
    }
  }
}
