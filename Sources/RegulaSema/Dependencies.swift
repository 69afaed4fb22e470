// The rule dependency graph: which definitions each body reads, cycles (reported with the
// whole cycle), and an evaluation order in which every definition follows its inputs.

extension Checker {
  /// Definitions in dependency order; definitions on a cycle are reported and come last.
  mutating func dependencyOrder() -> [String] {
    var edges: [String: [String]] = [:]
    for name in definitionOrder {
      guard let entry = definitions[name] else { continue }
      var found: [String] = []
      // A function's parameters are locals of its body, not reads of definitions.
      let parameters = Set(entry.parameters?.map(\.name.text) ?? [])
      for variant in entry.variants {
        collectReferences(in: variant, bound: parameters, into: &found)
      }
      edges[name] = found.filter { definitions[$0] != nil }.uniqued()
    }
    let components = StronglyConnected.components(of: definitionOrder, edges: edges)
    var order: [String] = []
    for component in components {
      let isCycle = component.count > 1 || (edges[component[0]] ?? []).contains(component[0])
      if isCycle { reportCycle(component, edges: edges) }
      order += component
    }
    return order
  }

  mutating func reportCycle(_ component: [String], edges: [String: [String]]) {
    let members = Set(component)
    // Start from the definition that comes first in the source, and walk inside the component.
    let start = definitionOrder.first(where: members.contains) ?? component[0]
    var path = [start]
    var current = start
    var visited: Set<String> = [start]
    while let next = (edges[current] ?? []).first(where: { members.contains($0) }) {
      path.append(next)
      if visited.contains(next) { break }
      visited.insert(next)
      current = next
    }
    if let first = path.firstIndex(of: path[path.count - 1]), first < path.count - 1 {
      path = Array(path[first...])
    }
    guard let entry = definitions[path[0]] else { return }
    for name in component { definitionTypes[name] = definitionTypes[name] ?? .error }
    report(
      .dependencyCycle, at: entry.name.span,
      "`\(path[0])` depends on itself: " + path.map { "`\($0)`" }.joined(separator: " → "),
      help: "rules cannot be recursive; compute one of them from the inputs instead",
      notes: path.dropFirst().dropLast().compactMap { name in
        definitions[name].map { Diagnostic.Note("`\(name)` is defined here", at: $0.name.span) }
      })
  }

  func collectReferences(in variant: Variant, bound: Set<String>, into found: inout [String]) {
    if case .exception(_, let condition, _) = variant.kind {
      References.collect(condition, bound: bound, into: &found)
    }
    References.collect(variant.body, bound: bound, into: &found)
  }
}

/// Finds the free names an expression reads, honouring local binders.
enum References {
  static func collect(_ body: Body, bound: Set<String> = [], into found: inout [String]) {
    switch body.kind {
    case .expression(let expr): collect(expr, bound: bound, into: &found)
    case .firstOf(let cases):
      for item in cases {
        var inner = bound
        if let binding = item.binding {
          collect(binding.value, bound: bound, into: &found)
          inner.insert(binding.name.text)
        }
        collect(item.value, bound: inner, into: &found)
        if let condition = item.condition { collect(condition, bound: inner, into: &found) }
      }
    case .allOf(let conditions):
      for item in conditions { collect(item.condition, bound: bound, into: &found) }
    case .versions(let versions):
      for version in versions { collect(version.body, bound: bound, into: &found) }
    case .brackets(let brackets):
      for field in brackets.flatMap(\.fields) {
        for value in field.values { collect(value.value, bound: bound, into: &found) }
      }
    }
  }

  static func collect(_ expr: Expr, bound: Set<String>, into found: inout [String]) {
    switch expr.kind {
    case .name(let name):
      if !bound.contains(name) { found.append(name) }
    case .reasonOf(let name):
      // `reason of` always names a definition (a local has no reason), whatever locals are in
      // scope, as the checker and the lowering read it.
      found.append(name.text)
    case .literal, .quantity, .error:
      return
    case .field(let base, _):
      collect(base, bound: bound, into: &found)
    case .index(let a, let b), .at(let a, let b), .asOf(let a, let b), .binary(_, let a, let b):
      collect(a, bound: bound, into: &found)
      collect(b, bound: bound, into: &found)
    case .unary(_, let operand):
      collect(operand, bound: bound, into: &found)
    case .ifThenElse(let c, let t, let e):
      for part in [c, t, e] { collect(part, bound: bound, into: &found) }
    case .letIn(let name, let value, let body):
      collect(value, bound: bound, into: &found)
      collect(body, bound: bound.union([name.text]), into: &found)
    case .match(let subject, let arms):
      collect(subject, bound: bound, into: &found)
      for arm in arms { collect(arm.value, bound: bound.union(arm.binders), into: &found) }
    case .call(let name, let arguments):
      // Mode words (`round(x, half_even)`, `add(d, n, end_of_month)`) are not names.
      // A function of the policy is a dependency like a definition read by name. A call
      // always names a function (locals are never called), whatever locals are in scope.
      if !Builtins.names.contains(name.text) { found.append(name.text) }
      let modeIndex = name.text == "round" ? 1 : name.text == "add" ? 2 : -1
      for (index, argument) in arguments.enumerated() where index != modeIndex {
        collect(argument, bound: bound, into: &found)
      }
    case .list(let arguments):
      for argument in arguments { collect(argument, bound: bound, into: &found) }
    case .aggregate(let aggregate):
      collect(aggregate.source, bound: bound, into: &found)
      let inner = bound.union([aggregate.binder.text])
      if let element = aggregate.element { collect(element, bound: inner, into: &found) }
      if let filter = aggregate.filter { collect(filter, bound: inner, into: &found) }
    case .braces(let entries):
      for entry in entries { collect(entry.value, bound: bound, into: &found) }
    }
  }
}

extension MatchArm {
  /// Names bound by `some NAME` patterns.
  var binders: Set<String> {
    Set(patterns.compactMap { if case .some(let name) = $0.kind { name.text } else { nil } })
  }
}

/// Tarjan's algorithm, iterative so deep chains of rules cannot overflow the stack.
enum StronglyConnected {
  /// Components in reverse topological order of the condensation: each component comes
  /// after every component it has edges to. Within the input order otherwise.
  static func components(of nodes: [String], edges: [String: [String]]) -> [[String]] {
    var index: [String: Int] = [:]
    var lowLink: [String: Int] = [:]
    var onStack = Set<String>()
    var stack: [String] = []
    var result: [[String]] = []
    var counter = 0
    for root in nodes where index[root] == nil {
      var work: [(node: String, next: Int)] = [(root, 0)]
      index[root] = counter
      lowLink[root] = counter
      counter += 1
      stack.append(root)
      onStack.insert(root)
      while let (node, next) = work.last {
        let successors = edges[node] ?? []
        if next < successors.count {
          work[work.count - 1].next += 1
          let successor = successors[next]
          if index[successor] == nil {
            index[successor] = counter
            lowLink[successor] = counter
            counter += 1
            stack.append(successor)
            onStack.insert(successor)
            work.append((successor, 0))
          } else if onStack.contains(successor) {
            lowLink[node] = min(lowLink[node]!, index[successor]!)
          }
          continue
        }
        work.removeLast()
        if let parent = work.last?.node { lowLink[parent] = min(lowLink[parent]!, lowLink[node]!) }
        if lowLink[node] == index[node] {
          var component: [String] = []
          while let top = stack.popLast() {
            onStack.remove(top)
            component.append(top)
            if top == node { break }
          }
          result.append(component.reversed())
        }
      }
    }
    return result
  }
}
