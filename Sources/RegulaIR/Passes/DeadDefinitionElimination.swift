// Removes definitions that no decision or test can reach, and renumbers the rest.

extension IRProgram {
  /// The program without definitions unreachable from decisions, exceptions and tests.
  ///
  /// - Complexity: O(n) in the number of IR nodes.
  public func removingDeadDefinitions() -> IRProgram {
    var live = Set<DefinitionID>()
    var work = definitions.indices.filter { definitions[$0].kind == .decision }
    work += tests.flatMap { $0.expectations.map(\.definition) }
    while let id = work.popLast() {
      guard live.insert(id).inserted else { continue }
      definitions[id].forEachExpression { expr in work += expr.referencedDefinitions }
    }
    var renumbered: [DefinitionID: DefinitionID] = [:]
    for id in definitions.indices where live.contains(id) { renumbered[id] = renumbered.count }
    var result = self
    result.definitions = definitions.indices.filter(live.contains).map { id in
      definitions[id].mappingExpressions { $0.renumberingDefinitions(renumbered) }
    }
    result.tests = tests.map { test in
      var copy = test
      copy.expectations = test.expectations.map {
        (
          definition: renumbered[$0.definition] ?? $0.definition, value: $0.value,
          reason: $0.reason, span: $0.span
        )
      }
      return copy
    }
    return result
  }
}

extension IRExpr {
  /// The definition this node itself reads (its value, at a jurisdiction, as of a date, or
  /// its reason), not looking below it; nil for any other node.
  var definitionRead: DefinitionID? {
    switch kind {
    case .definition(let id), .definitionAt(let id, _), .definitionAsOf(let id, _),
      .reasonOf(let id):
      id
    default: nil
    }
  }

  /// The definitions this expression reads directly.
  var referencedDefinitions: [DefinitionID] {
    var found: [DefinitionID] = []
    forEach { expr in if let id = expr.definitionRead { found.append(id) } }
    return found
  }

  func renumberingDefinitions(_ map: [DefinitionID: DefinitionID]) -> IRExpr {
    rewritten { expr in
      var copy = expr
      switch expr.kind {
      case .definition(let id): copy.kind = .definition(map[id] ?? id)
      case .definitionAt(let id, let place): copy.kind = .definitionAt(map[id] ?? id, place)
      case .definitionAsOf(let id, let date): copy.kind = .definitionAsOf(map[id] ?? id, date)
      case .reasonOf(let id): copy.kind = .reasonOf(map[id] ?? id)
      default: break
      }
      return copy
    }
  }
}
