// Whole decision records from both engines for an application already read into a `Value`:
// what `regula test` and the differential tests compare, byte for byte, so that a difference
// anywhere in a record (a value, a reason, a failed condition, an input read, a missing fact,
// an error) is found, not only a difference of values.

extension CompiledPolicy {
  /// The reference interpreter's decision record for `input` (the policy must have been
  /// compiled from source: `program` is needed).
  ///
  /// - Parameter input: the application, read by `InputReader`.
  /// - Parameter asOf: the date to decide as of.
  /// - Parameter jurisdiction: a jurisdiction code the policy accepts.
  /// - Parameter only: the decisions to decide; nil for all of them.
  /// - Throws: `DecisionError.unknownJurisdiction` for a code the policy does not accept;
  ///   `.evaluation` (without a definition name) when the interpreter stops.
  public func interpretedRecord(
    _ input: Value, asOf: CivilDate, jurisdiction: String, only: Set<String>? = nil
  ) throws(DecisionError) -> DecisionRecord {
    guard let program else {
      throw .evaluation(message: "the interpreter needs the policy's source", definition: nil)
    }
    guard program.jurisdiction(jurisdiction) != nil else {
      throw .unknownJurisdiction(jurisdiction, valid: program.jurisdictions)
    }
    let outcome: Outcome
    do {
      outcome = try Interpreter.evaluate(
        program, input: input, asOf: asOf, jurisdiction: jurisdiction, only: only)
    } catch {
      throw .evaluation(message: error.description, definition: nil)
    }
    return DecisionRecord(
      policy: program.name, policyHash: contentHash, asOf: asOf,
      jurisdiction: outcome.jurisdiction,
      decisions: outcome.decisions.map {
        let hasValue = $0.missingFacts.isEmpty && $0.notComputable == nil
        return DecisionRecord.Decision(
          name: $0.name,
          json: hasValue ? program.json(of: $0.value, $0.type, decision: $0.name) : "null",
          reason: hasValue ? $0.reason : nil, missingFacts: $0.missingFacts,
          notComputable: $0.notComputable)
      },
      failedConditions: outcome.failedConditions, inputsRead: outcome.inputsRead)
  }

  /// Nil when both engines give the same whole record for `input` (the same JSON text, or the
  /// same error message), and a traced replay on the VM gives it too (building its trace);
  /// else a message that shows the two that differ.
  ///
  /// - Parameter input: the application, read by `InputReader`.
  /// - Parameter asOf: the date to decide as of.
  /// - Parameter jurisdiction: a jurisdiction code the policy accepts.
  /// - Parameter evaluator: an evaluator of this policy (reused between calls).
  public func engineDifference(
    _ input: Value, asOf: CivilDate, jurisdiction: String, with evaluator: inout Evaluator
  ) -> String? {
    let interpreted: String
    do {
      interpreted = try interpretedRecord(input, asOf: asOf, jurisdiction: jurisdiction).json
    } catch {
      interpreted = "error: \(error.messageWithoutDefinition)"
    }
    let machined: String
    do {
      machined = try evaluator.record(for: input, asOf: asOf, jurisdiction: jurisdiction).json
    } catch {
      machined = "error: \(error.messageWithoutDefinition)"
    }
    if interpreted != machined {
      return
        "the VM's record differs from the interpreter's: a defect of Regula, please report it\n"
        + "    interpreter: \(interpreted)\n    vm:          \(machined)"
    }
    // A traced replay observes the same code: its record must be the same, and its trace
    // must build (every probe rendered).
    evaluator.machine.isTracing = true
    defer { evaluator.machine.isTracing = false }
    let traced: String
    do {
      traced = try evaluator.record(for: input, asOf: asOf, jurisdiction: jurisdiction).json
      if evaluator.traceJSON() != evaluator.buildTrace().json {
        return "the trace JSON written from the machine differs from the trace tree's: a defect "
          + "of Regula, please report it"
      }
    } catch {
      traced = "error: \(error.messageWithoutDefinition)"
    }
    guard traced != machined else { return nil }
    return
      "the traced replay's record differs from the VM's: a defect of Regula, please report it\n"
      + "    vm:     \(machined)\n    traced: \(traced)"
  }
}

extension DecisionError {
  /// The message without the definition a VM error names (the interpreter names none).
  var messageWithoutDefinition: String {
    if case .evaluation(let message, _) = self { return message }
    return description
  }
}

extension Evaluator {
  /// The VM's decision record for an application already read into a reference `Value`, as
  /// `decide(json:…)` gives it for the same application written as JSON (without checking that
  /// the policy is in force on `asOf`, as `interpretedRecord` does not).
  ///
  /// - Throws: `DecisionError.unknownJurisdiction`, or `.evaluation` on a runtime failure or
  ///   a limit.
  public mutating func record(for application: Value, asOf: CivilDate, jurisdiction: String)
    throws(DecisionError) -> DecisionRecord
  {
    guard let index = machine.jurisdictionIndex(jurisdiction),
      let canonical = machine.canonicalJurisdiction(jurisdiction)
    else {
      throw .unknownJurisdiction(jurisdiction, valid: policy.image.jurisdictionCodes.map(\.code))
    }
    machine.reset()
    let input = machine.load(application, as: .record(policy.image.inputRecord))
    try run(input, asOf: asOf, jurisdiction: index)
    return record(asOf: asOf, jurisdiction: canonical, listingInputsRead: true)
  }

  /// The records of `applications` decided together, `Machine.blockLanes` at a time
  /// (`Machine.runBlock`): each the record `record(for:asOf:jurisdiction:)` gives it alone, or
  /// its error. An application a block sets aside (or every one, when the policy does not run
  /// in blocks) is decided alone. `inBlocks` counts those a block decided.
  ///
  /// - Throws: `DecisionError.unknownJurisdiction`.
  public mutating func records(
    for applications: [Value], asOf: CivilDate, jurisdiction: String
  ) throws(DecisionError) -> (records: [Result<DecisionRecord, DecisionError>], inBlocks: Int) {
    guard let index = machine.jurisdictionIndex(jurisdiction),
      let canonical = machine.canonicalJurisdiction(jurisdiction)
    else {
      throw .unknownJurisdiction(jurisdiction, valid: policy.image.jurisdictionCodes.map(\.code))
    }
    var records: [Result<DecisionRecord, DecisionError>] = []
    var inBlocks = 0
    var blockRecords = BlockRecords()
    var start = 0
    while start < applications.count {
      let end = min(start + Machine.blockLanes, applications.count)
      machine.reset()
      let inputs = applications[start..<end].map {
        machine.load($0, as: .record(policy.image.inputRecord))
      }
      let decided = inputs.withUnsafeBufferPointer {
        machine.runBlock(inputs: $0, asOf: asOf, jurisdiction: index)
      }
      machine.copyBlockRecords(decided: decided, into: &blockRecords)
      for lane in inputs.indices {
        if decided & (1 << UInt64(lane)) != 0 {
          machine.adoptBlockLane(lane, of: blockRecords)
          inBlocks += 1
          records.append(
            .success(record(asOf: asOf, jurisdiction: canonical, listingInputsRead: true)))
          continue
        }
        machine.beginEvaluation()
        do {
          try run(inputs[lane], asOf: asOf, jurisdiction: index)
          records.append(
            .success(record(asOf: asOf, jurisdiction: canonical, listingInputsRead: true)))
        } catch {
          records.append(.failure(error))
        }
      }
      start = end
    }
    return (records, inBlocks)
  }
}

extension IRProgram {
  /// A decision's value as its record writes it: JSON, with the decision's `places` applied.
  public func json(of value: Value, _ type: RType, decision: String) -> String {
    let json = value.json(type, in: self)
    guard let places = definitions.first(where: { $0.name == decision })?.places else {
      return json
    }
    return DecisionRecord.json(json, places: places)
  }
}
