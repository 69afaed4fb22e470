// Why not, and what would change it: for each decision whose reason is not `ok`, the smallest
// change to one input — a number, a date, a duration or a Bool the evaluation read — that
// gives the decision another value, found by deciding again on the VM with that one input
// changed in place, and verified by that very evaluation.
//
// The method (Docs/explanations.md, "Counterfactuals"): a Bool is flipped. A number is first
// tried at the bound of its declared range (`in LOW to HIGH`; without one, 2^40 away, and a
// date a century away) in each direction; when the decision changes there, a binary search
// between the current value and that bound finds the value nearest the current one at which
// it changes, assuming the decision changes once on the way (a decision that changes and
// changes back between the two can be missed). Of the two directions the nearer is reported.
// Inputs are changed one at a time; list lengths, enum cases, texts and Decimals are not
// changed.

/// One change to one input that gives a decision another value.
public struct Counterfactual: Sendable {
  /// The input's positioned path (`members[0].monthly_income_fen`).
  public var path: String
  /// `at_most` (the input lowered to `needed` or below), `at_least` (raised), or `flip` (a
  /// Bool negated).
  public var direction: String
  /// The input's value now.
  public var current: TraceValue
  /// The value nearest `current` at which the decision changes (verified).
  public var needed: TraceValue
  /// The decision's value and reason with that change.
  public var value: String
  public var reason: String?
}

/// A decision whose reason is not `ok`, with the single changes that would change it.
public struct WhyNot: Sendable {
  public var decision: String
  /// The decision's value (JSON) and reason now.
  public var value: String
  public var reason: String
  /// The changes found, nearest first by input path order; empty when no single change
  /// suffices.
  public var changes: [Counterfactual]
  /// The inputs tried and the evaluations the search made.
  public var inputsTried: Int
  public var evaluations: Int
}

/// An input the evaluation read, where it sits in the application.
struct PositionedInput {
  /// `members[1].age`.
  var path: String
  /// The record holding it and the field's index there.
  var record: Register
  var field: Int
  var type: SchemaType
  var value: Register
  /// The field's declared bounds on its value, if any.
  var bounds: (low: Register?, high: Register?)?
}

extension Evaluator {
  /// Every input field path the last evaluation read (`paths`, text indexes), over every
  /// element of the lists on its way, with the records holding them. The paths are resolved as
  /// `appendTraceJSON` resolves them (`TraceBuilder.Context.inputSteps`).
  func positionedInputs(_ paths: [Int32]) -> [PositionedInput] {
    let image = policy.image
    let context = TraceBuilder.Context(image: image)
    var inputs: [PositionedInput] = []
    for text in paths {
      let steps = context.inputSteps(image.texts[Int(text)])
      func walk(_ record: Register, _ schema: Int, _ step: Int, _ prefix: String) {
        guard step < steps.count,
          let value = machine.facts.checkedItem(record, steps[step].field)
        else { return }
        let declared = image.records[schema].fields[steps[step].field]
        let path = prefix.isEmpty ? declared.name : "\(prefix).\(declared.name)"
        if step == steps.count - 1 {
          inputs.append(
            PositionedInput(
              path: path, record: record, field: steps[step].field, type: declared.type,
              value: value, bounds: declared.boundsOnLength ? nil : declared.bounds))
          return
        }
        var type = declared.type
        if case .optional(let wrapped) = type { type = wrapped }
        if steps[step].isList, case .list(.record(let index)) = type,
          machine.facts.holdsList(value)
        {
          for position in 0..<machine.facts.count(value) {
            walk(machine.facts.item(value, position), index, step + 1, "\(path)[\(position)]")
          }
        } else if case .record(let index) = type {
          walk(value, index, step + 1, path)
        }
      }
      walk(machine.currentInput, image.inputRecord, 0, "")
    }
    return inputs
  }

  /// Decides the application, then, for each decision whose reason is not `ok`, searches the
  /// single input changes that would give it another value (see the file's header for the
  /// method and its limits).
  ///
  /// - Returns: the record and one `WhyNot` per such decision.
  /// - Throws: as `decide(json:asOf:jurisdiction:listingInputsRead:)`.
  public mutating func counterfactuals(
    json bytes: [UInt8], asOf: CivilDate? = nil, jurisdiction: String? = nil
  ) throws(DecisionError) -> (record: DecisionRecord, whyNot: [WhyNot]) {
    let (date, place) = try bytes.withUnsafeBufferPointer { buffer throws(DecisionError) in
      try evaluate(json: buffer, asOf: asOf, jurisdiction: jurisdiction)
    }
    let record = record(asOf: date, jurisdiction: place, listingInputsRead: true)
    guard let placeIndex = machine.jurisdictionIndex(place) else { return (record, []) }
    let inputs = positionedInputs(Array(machine.sortedInputsRead()))
    let input = machine.currentInput
    var result: [WhyNot] = []
    for (position, id) in decisionIndexes.enumerated() {
      let decision = record.decisions[position]
      guard decision.isDecided, let reason = decision.reason, reason != "ok",
        machine.decisionSelected[position]
      else { continue }
      let type = policy.image.definitions[id].type
      let places = policy.image.definitions[id].places
      var evaluations = 0
      /// The decision's value and reason with `input` set to `value`; nil when the evaluation
      /// fails or leaves the decision undecided. The input is put back afterwards.
      func decide(_ changed: PositionedInput, _ value: Register) -> (String, String?)? {
        evaluations += 1
        let mark = machine.facts.mark()
        defer {
          _ = machine.facts.replaceItem(changed.record, changed.field, with: changed.value)
          machine.facts.restore(mark)
        }
        guard machine.facts.replaceItem(changed.record, changed.field, with: value) else {
          return nil
        }
        machine.beginEvaluation()
        do { try machine.run(input: input, asOf: date, jurisdiction: placeIndex) } catch {
          return nil
        }
        guard !machine.hasNoValue(position) else { return nil }
        let reasonIndex = machine.decisionReasons[position]
        // Written as the record writes it, so that an unchanged value compares equal.
        let json = machine.json(machine.decisionValues[position], type)
        return (
          DecisionRecord.json(json, places: places),
          reasonIndex >= 0 ? machine.facts.texts[Int(reasonIndex)] : nil
        )
      }
      var changes: [Counterfactual] = []
      var tried = 0
      for candidate in inputs {
        guard let change = search(candidate, original: decision.json, decide: decide) else {
          if Evaluator.isSearchable(candidate) { tried += 1 }
          continue
        }
        tried += 1
        changes.append(change)
      }
      result.append(
        WhyNot(
          decision: decision.name, value: decision.json, reason: reason, changes: changes,
          inputsTried: tried, evaluations: evaluations))
    }
    // The machine holds the original application's outcome again.
    machine.beginEvaluation()
    try run(input, asOf: date, jurisdiction: placeIndex)
    return (record, result)
  }

  static func isSearchable(_ input: PositionedInput) -> Bool {
    guard input.value.tag == 0 else { return false }
    switch searchedType(input) {
    case .bool, .int, .money, .date, .days, .months, .years: return true
    default: return false
    }
  }

  /// The type of the value an input holds: an optional one (or one with a default, which the
  /// image types optional) that holds a value is searched as that value.
  static func searchedType(_ input: PositionedInput) -> SchemaType {
    if case .optional(let wrapped) = input.type { return wrapped }
    return input.type
  }

  /// The nearest change of `input` that gives the decision another value than `original`.
  func search(
    _ input: PositionedInput, original: String,
    decide: (PositionedInput, Register) -> (String, String?)?
  ) -> Counterfactual? {
    guard Evaluator.isSearchable(input) else { return nil }
    let type = Evaluator.searchedType(input)
    func changes(_ value: Int64) -> (String, String?)? {
      guard let outcome = decide(input, .integer(value)), outcome.0 != original else { return nil }
      return outcome
    }
    let current = input.value.word
    if type == .bool {
      guard let outcome = changes(current == 0 ? 1 : 0) else { return nil }
      return Counterfactual(
        path: input.path, direction: "flip", current: traceValue(input.value, type),
        needed: traceValue(.integer(current == 0 ? 1 : 0), type), value: outcome.0,
        reason: outcome.1)
    }
    let reach: Int64 = type == .date ? 36_525 : 1 << 40
    var low = current.subtractingReportingOverflow(reach).overflow ? Int64.min : current - reach
    var high = current.addingReportingOverflow(reach).overflow ? Int64.max : current + reach
    if let bound = input.bounds?.low ?? nil, bound.tag == 0 { low = max(low, bound.word) }
    if let bound = input.bounds?.high ?? nil, bound.tag == 0 { high = min(high, bound.word) }
    var best: (Int64, (String, String?))?
    for extreme in [low, high] where extreme != current {
      guard let atExtreme = changes(extreme) else { continue }
      // Invariant: the decision is unchanged at `unchanged`, changed at `changed`.
      var (unchanged, changed, outcome) = (current, extreme, atExtreme)
      while changed.distance(to: unchanged).magnitude > 1 {
        let middle = unchanged + (changed - unchanged) / 2
        if let found = changes(middle) {
          (changed, outcome) = (middle, found)
        } else {
          unchanged = middle
        }
      }
      if best == nil || (changed - current).magnitude < (best!.0 - current).magnitude {
        best = (changed, outcome)
      }
    }
    guard let (needed, outcome) = best else { return nil }
    return Counterfactual(
      path: input.path, direction: needed < current ? "at_most" : "at_least",
      current: traceValue(input.value, type),
      needed: traceValue(.integer(needed), type),
      value: outcome.0, reason: outcome.1)
  }
}

extension WhyNot {
  /// One sentence per change: "`eligible` would be true (reason ok) if
  /// `members[0].monthly_income_fen` were at most 689.99 yuan (now 774.68 yuan)"; or "no single
  /// change to an input suffices".
  public var sentences: [String] {
    guard !changes.isEmpty else {
      return [
        "`\(decision)` = \(value) (reason \(reason)): no single change to one of the "
          + "\(inputsTried) inputs it read suffices"
      ]
    }
    return changes.map { change in
      let verb =
        switch change.direction {
        case "at_most": "were at most \(change.needed.display)"
        case "at_least": "were at least \(change.needed.display)"
        default: "were \(change.needed.display)"
        }
      return "`\(decision)` would be \(change.value)"
        + (change.reason.map { " (reason \($0))" } ?? "")
        + " if `\(change.path)` \(verb) (now \(change.current.display))"
    }
  }

  /// As JSON: `{"decision":…,"value":…,"reason":…,"changes":[…],"inputs_tried":N,…}`.
  public var json: String {
    func shown(_ value: TraceValue) -> String {
      "{\"value\":\(value.json),\"display\":\(JSONWriter.quote(value.display))}"
    }
    let changes = changes.map { change in
      "{\"path\":\(JSONWriter.quote(change.path)),\"direction\":\(JSONWriter.quote(change.direction)),"
        + "\"current\":\(shown(change.current)),\"needed\":\(shown(change.needed)),"
        + "\"outcome\":{\"value\":\(change.value)"
        + (change.reason.map { ",\"reason\":\(JSONWriter.quote($0))" } ?? "") + "}}"
    }
    return "{\"decision\":\(JSONWriter.quote(decision)),\"value\":\(value),"
      + "\"reason\":\(JSONWriter.quote(reason)),\"changes\":[" + changes.joined(separator: ",")
      + "],\"no_single_change_suffices\":\(self.changes.isEmpty),\"inputs_tried\":\(inputsTried),"
      + "\"evaluations\":\(evaluations)}"
  }
}
