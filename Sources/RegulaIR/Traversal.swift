// Generic walks over IR expressions, so passes name only the nodes they change.

extension IRExpr {
  /// The direct subexpressions.
  public var children: [IRExpr] {
    switch kind {
    case .constant, .input, .local, .definition, .reasonOf: []
    case .definitionAt(_, let place), .definitionAsOf(_, let place): [place]
    case .field(let base, _, _): [base]
    case .index(let a, let b), .binary(_, let a, let b), .letIn(_, let a, let b): [a, b]
    case .unary(_, let a), .inlined(_, let a): [a]
    case .ifThenElse(let a, let b, let c): [a, b, c]
    case .match(let subject, let arms): [subject] + arms.map(\.value)
    case .call(_, let arguments), .list(let arguments), .record(let arguments),
      .table(let arguments):
      arguments
    case .aggregate(_, _, let source, let element, let filter):
      [source] + [element, filter].compactMap { $0 }
    }
  }

  /// Calls `visit` on this node and every node below it, parents first.
  ///
  /// - Complexity: O(n) in the number of nodes below this one.
  public func forEach(_ visit: (IRExpr) -> Void) {
    visit(self)
    for child in children { child.forEach(visit) }
  }

  /// Rebuilds the tree bottom-up, applying `transform` to each node after its children.
  ///
  /// - Complexity: O(n) in the number of nodes below this one, plus the cost of `transform`.
  public func rewritten(_ transform: (IRExpr) -> IRExpr) -> IRExpr {
    var copy = self
    func r(_ expr: IRExpr) -> IRExpr { expr.rewritten(transform) }
    switch kind {
    case .constant, .input, .local, .definition, .reasonOf: break
    case .definitionAt(let id, let place): copy.kind = .definitionAt(id, r(place))
    case .definitionAsOf(let id, let date): copy.kind = .definitionAsOf(id, r(date))
    case .field(let base, let index, let name):
      copy.kind = .field(r(base), index: index, name: name)
    case .index(let a, let b): copy.kind = .index(r(a), r(b))
    case .binary(let op, let a, let b): copy.kind = .binary(op, r(a), r(b))
    case .letIn(let slot, let a, let b): copy.kind = .letIn(slot: slot, r(a), r(b))
    case .unary(let op, let a): copy.kind = .unary(op, r(a))
    case .inlined(let function, let body): copy.kind = .inlined(function: function, r(body))
    case .ifThenElse(let a, let b, let c): copy.kind = .ifThenElse(r(a), r(b), r(c))
    case .match(let subject, let arms):
      copy.kind = .match(r(subject), arms.map { IRArm(pattern: $0.pattern, value: r($0.value)) })
    case .call(let builtin, let arguments): copy.kind = .call(builtin, arguments.map(r))
    case .list(let items): copy.kind = .list(items.map(r))
    case .record(let items): copy.kind = .record(items.map(r))
    case .table(let items): copy.kind = .table(items.map(r))
    case .aggregate(let kind, let slot, let source, let element, let filter):
      copy.kind = .aggregate(
        kind, slot: slot, source: r(source), element: element.map(r), filter: filter.map(r))
    }
    return transform(copy)
  }
}

extension IRDefinition {
  /// Visits every expression of every variant, version, case and condition.
  public func forEachExpression(_ visit: (IRExpr) -> Void) {
    for variant in variants {
      if case .exception(let condition, _) = variant.kind { condition.forEach(visit) }
      for version in variant.versions { version.body.forEachExpression(visit) }
    }
  }

  /// The definition with every top-level expression transformed.
  func mappingExpressions(_ transform: (IRExpr) -> IRExpr) -> IRDefinition {
    var copy = self
    copy.variants = variants.map { variant in
      var variant = variant
      if case .exception(let condition, let reason) = variant.kind {
        variant.kind = .exception(condition: transform(condition), reason: reason)
      }
      variant.versions = variant.versions.map { version in
        var version = version
        version.body = version.body.mapping(transform)
        return version
      }
      return variant
    }
    return copy
  }
}

extension IRBody {
  func forEachExpression(_ visit: (IRExpr) -> Void) {
    switch self {
    case .value(let expr): expr.forEach(visit)
    case .firstOf(let cases):
      for item in cases {
        item.value.forEach(visit)
        item.condition?.forEach(visit)
      }
    case .allOf(let conditions): for item in conditions { item.condition.forEach(visit) }
    }
  }

  func mapping(_ transform: (IRExpr) -> IRExpr) -> IRBody {
    switch self {
    case .value(let expr): return .value(transform(expr))
    case .firstOf(let cases):
      return .firstOf(
        cases.map {
          IRCase(
            value: transform($0.value), condition: $0.condition.map(transform), reason: $0.reason,
            citation: $0.citation, span: $0.span)
        })
    case .allOf(let conditions):
      return .allOf(
        conditions.map {
          IRCondition(
            condition: transform($0.condition), reason: $0.reason, citation: $0.citation,
            span: $0.span)
        })
    }
  }
}
