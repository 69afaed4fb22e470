// Specialises a program for one as-of date: every base definition and override keeps only the
// version in force on that date, with its date range dropped, so the compiled code tests no
// dates. Exceptions keep their versions (which exception holds is decided by their conditions).
// A definition read `as of` another date, and everything it reads, keeps all its versions: it
// is also evaluated on that other date.

extension IRProgram {
  /// The program as evaluated on `asOf` only: each base definition's and override's versions
  /// are replaced by the one in force on `asOf`, without a date range, or by none (the next
  /// jurisdiction in the chain then applies, as it would on that date). Marks the result with
  /// `specialisedAsOf`, so that engines refuse to evaluate it as of another date. What a
  /// `NAME as of DATE` evaluates on its own date is left as it is.
  ///
  /// - Complexity: O(n) in the number of versions and expression nodes.
  public func specialised(asOf: CivilDate) -> IRProgram {
    var result = self
    result.specialisedAsOf = asOf
    let onOtherDates = definitionsEvaluatedOnOtherDates()
    for id in result.definitions.indices where !onOtherDates.contains(id) {
      for index in result.definitions[id].variants.indices {
        var variant = result.definitions[id].variants[index]
        if case .exception = variant.kind { continue }
        let inForce = variant.versions.first { version in
          (version.from.map { $0 <= asOf } ?? true) && (version.until.map { asOf <= $0 } ?? true)
        }
        variant.versions =
          inForce.map { [IRVersion(from: nil, until: nil, body: $0.body, citation: $0.citation)] }
          ?? []
        result.definitions[id].variants[index] = variant
      }
      // `as_of_date()` is the one date this program is evaluated on.
      result.definitions[id] = result.definitions[id].mappingExpressions { expr in
        expr.rewritten { node in
          guard case .call(.asOfDate, _) = node.kind else { return node }
          return IRExpr(kind: .constant(.date(asOf)), type: .date, span: node.span)
        }
      }
    }
    return result
  }

  /// The definitions a `NAME as of DATE` evaluates on DATE: each NAME and every definition it
  /// reads, directly or not.
  func definitionsEvaluatedOnOtherDates() -> Set<DefinitionID> {
    var found = Set<DefinitionID>()
    var pending: [DefinitionID] = []
    for definition in definitions {
      // Visits every node.
      definition.forEachExpression { node in
        if case .definitionAsOf(let id, _) = node.kind { pending.append(id) }
      }
    }
    while let id = pending.popLast() {
      guard id >= 0, id < definitions.count, found.insert(id).inserted else { continue }
      // Visits every node.
      definitions[id].forEachExpression { node in
        if let callee = node.definitionRead { pending.append(callee) }
      }
    }
    return found
  }
}
