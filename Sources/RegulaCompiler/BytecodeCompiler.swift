// IR → bytecode: one entry point per (definition, jurisdiction), each choosing the exception,
// override or base version in force, then the body's code.

/// Compiles an IR program to a `PolicyImage` for the VM.
public enum BytecodeCompiler {
  /// Compiles `program` to an image with one entry point per (definition, jurisdiction).
  ///
  /// Each entry point selects, at run time, the exception, override or base version in force
  /// and falls back along the jurisdiction chain (city, province, national). The image is not
  /// verified: `CompiledPolicy.compile` runs `Verifier.verify(_:)` on it.
  ///
  /// - Parameter sourceFiles: the paths that the spans' file IDs index (the order of
  ///   `SourceManager.files`), kept in the image for traces and error positions.
  /// - Throws: `CompileError` for an IR shape a checked program never has.
  /// - Complexity: O(n × j) for n IR nodes and j jurisdictions: each definition is emitted
  ///   once per jurisdiction.
  ///
  /// - Parameter lineStarts: per source file, the byte offsets where its lines start, so that
  ///   every instruction's debug entry names its line; empty to leave lines unknown (0).
  /// - Parameter knownLines: lines already known, by file and byte offset (from the debug
  ///   entries of an image compiled from the same sources), used where `lineStarts` has none.
  ///
  /// - Parameter sources: per source file, its bytes, so that probes carry the source text of
  ///   the conditions they observe; empty to leave them without text.
  /// - Parameter knownExplanations: the explanations of an image compiled from the same
  ///   sources, whose probe texts and positions are used where `sources` has none.
  public static func compile(
    _ program: IRProgram, sourceFiles: [String] = [], lineStarts: [[Int]] = [],
    knownLines: [DebugEntry] = [], sources: [[UInt8]] = [],
    knownExplanations: Explanations? = nil
  ) throws(CompileError) -> PolicyImage {
    try checkOperandLimits(program)
    var known: [Int: [Int: (UInt32, UInt32)]] = [:]
    for entry in knownLines where entry.line > 0 {
      known[Int(entry.file), default: [:]][Int(entry.start)] = (entry.line, entry.column)
    }
    var knownTexts: [SpanKey: (String, UInt32, UInt32)] = [:]
    if let knownExplanations {
      for declared in knownExplanations.declarations where declared.line > 0 {
        known[Int(declared.file), default: [:]][Int(declared.offset)] = (
          declared.line, declared.column
        )
      }
      for probe in knownExplanations.probes where probe.text != Probe.absent {
        knownTexts[SpanKey(file: probe.file, start: probe.start, end: probe.end)] = (
          knownExplanations.texts[Int(probe.text)], probe.line, probe.column
        )
      }
    }
    var emitter = Emitter(
      program: program,
      lineOf: { file, offset in
        if file >= 0, file < lineStarts.count, !lineStarts[file].isEmpty {
          let line = Emitter.line(of: offset, starts: lineStarts[file])
          return (line, UInt32(offset - lineStarts[file][Int(line) - 1] + 1))
        }
        return known[file]?[offset] ?? (0, 0)
      },
      describe: { file, bytes in
        if file >= 0, file < sources.count, bytes.upperBound <= sources[file].count,
          file < lineStarts.count, !lineStarts[file].isEmpty
        {
          return Emitter.describe(sources[file], lineStarts[file], bytes)
        }
        return knownTexts[
          SpanKey(
            file: UInt32(max(file, 0)), start: UInt32(bytes.lowerBound),
            end: UInt32(bytes.upperBound))]
      })
    for definition in program.definitions {
      for variant in definition.variants {
        _ = emitter.jurisdictionIndex(variant.jurisdiction.code)
      }
    }
    for code in emitter.jurisdictions where code.contains(".") {
      _ = emitter.jurisdictionIndex(String(code.split(separator: ".")[0]))
    }
    var infos: [DefinitionInfo] = []
    for (id, definition) in program.definitions.enumerated() {
      emitter.currentDefinition = UInt16(id)
      emitter.frameSize = 0
      var entries: [UInt32] = []
      for jurisdiction in emitter.jurisdictions {
        entries.append(UInt32(emitter.code.count))
        try emitter.emitEntry(definition, id: id, jurisdiction: jurisdiction)
      }
      var info = DefinitionInfo(
        name: definition.name, kind: DefinitionInfo.Kind(definition.kind),
        type: emitter.schema(definition.type),
        hasReason: definition.hasReason, entries: entries, frameSize: max(emitter.frameSize, 1))
      info.places = definition.places.map { UInt8($0) }
      infos.append(info)
    }
    emitter.threadJumps()
    var records = (program.records + (program.input.map { [$0] } ?? [])).map { record in
      RecordSchema(
        name: record.name, fields: record.fields.map { emitter.fieldSchema(record.name, $0) })
    }
    // A module has no input; an empty input record keeps `inputRecord` a valid index.
    if program.input == nil { records.append(RecordSchema(name: "input", fields: [])) }
    var image = PolicyImage(
      name: program.name, code: emitter.code, constants: emitter.constants,
      exactConstants: emitter.exactConstants,
      constantLists: emitter.constantLists, texts: emitter.texts, definitions: infos,
      jurisdictions: emitter.jurisdictions, jurisdictionMaps: emitter.jurisdictionMaps,
      enums: program.enums.map { info in
        var schema = EnumSchema(name: info.name, cases: program.enumOutputNames(info.name))
        func day(_ literal: DateLiteral) -> Int64? {
          (try? CivilDate(
            year: Int64(literal.year), month: Int64(literal.month), day: Int64(literal.day)))?
            .daysSince1970
        }
        schema.caseValidities = info.caseValidities.map { validity in
          validity.flatMap { validity in
            day(validity.from).map { CaseValidity(from: $0, until: validity.until.flatMap(day)) }
          }
        }
        return schema
      }, records: records,
      inputRecord: program.records.count, types: emitter.types, debug: emitter.debug,
      sourceFiles: sourceFiles)
    if emitter.overflowed {
      throw CompileError(
        message: "the policy needs more than 65,535 registers or texts in one definition")
    }
    image.constantTypes = emitter.constantTypes
    // Each accepted code decides with the most specific level of its chain that has code.
    image.jurisdictionCodes = program.jurisdictions.map { code in
      let level = emitter.chain(code).first { emitter.jurisdictions.contains($0) } ?? "national"
      return JurisdictionCode(
        code: code, target: UInt16(emitter.jurisdictions.firstIndex(of: level) ?? 0))
    }
    image.defaultJurisdiction = program.level
    image.citations = program.definitions.map { program.citationText($0.citation) }
    image.explanations = emitter.explanations
    image.explanations.labels = program.labels.map { label in
      let kind: Label.Kind =
        switch label.kind {
        case .definition: .definition
        case .reason: .reason
        case .enumCase: .enumCase
        case .field: .field
        case .source: .source
        case .citation: .citation
        }
      return Label(language: label.language, kind: kind, key: label.key, text: label.text)
    }
    image.explanations.declarations = program.definitions.map { definition in
      let span = definition.span
      let position = emitter.lineOf(Int(span.file.raw), span.bytes.lowerBound)
      return DeclarationPosition(
        file: UInt32(span.file.raw), offset: UInt32(span.bytes.lowerBound), line: position.line,
        column: position.column)
    }
    image.validFrom = program.from?.daysSince1970
    image.validUntil = program.until?.daysSince1970
    image.specialisedAsOf = program.specialisedAsOf?.daysSince1970
    return image
  }
}

/// A source range, for probe texts known from an earlier compilation.
struct SpanKey: Hashable {
  var file: UInt32
  var start: UInt32
  var end: UInt32
}

/// Everything an operand numbers must fit its 16 bits; a policy beyond that is refused with an
/// error instead of a trap (no real policy comes near it).
func checkOperandLimits(_ program: IRProgram) throws(CompileError) {
  let limit = Int(UInt16.max)
  var widest = 0
  for definition in program.definitions {
    definition.forEachExpression { expr in
      switch expr.kind {
      case .list(let items), .record(let items), .table(let items):
        widest = max(widest, items.count)
      default: break
      }
    }
  }
  let fields = (program.records + (program.input.map { [$0] } ?? [])).map(\.fields.count).max() ?? 0
  let jurisdictions =
    Set(program.definitions.flatMap { $0.variants.map(\.jurisdiction.code) }).count + 1
  guard program.definitions.count < limit, widest < limit, fields < limit, jurisdictions < limit
  else {
    throw CompileError(
      message: "the policy exceeds 65,535 definitions, fields, list items or jurisdictions")
  }
}

extension DefinitionInfo.Kind {
  init(_ kind: Definition.Kind) {
    switch kind {
    case .parameter: self = .parameter
    case .rule: self = .rule
    case .decision: self = .decision
    }
  }
}

extension Emitter {
  mutating func fieldSchema(_ record: String, _ field: RecordInfo.Field) -> RecordSchema.Field {
    var bounds: (Register?, Register?)?
    let irBounds = program.bounds["\(record).\(field.name)"]
    if let irBounds {
      let low = irBounds.low.map { try? register(for: $0) }
      let high = irBounds.high.map { try? register(for: $0) }
      // A bound given that has no register leaves the field unbounded, as before.
      if low != .some(nil), high != .some(nil) { bounds = (low ?? nil, high ?? nil) }
    }
    // A field with a default reads as optional (absent or null is `none`); every read of it
    // in the code gives the default for `none` (`Lowering.lowerField`).
    var compiled = RecordSchema.Field(
      name: field.name,
      type: schema(field.defaultValue == nil ? field.type : .optional(field.type)), bounds: bounds,
      boundsOnLength: irBounds?.isLength ?? false)
    compiled.isPersonal = field.isPersonal
    return compiled
  }

  /// The code for one definition in one jurisdiction: each level of the chain in turn, most
  /// specific first, tries its exceptions, then its override or base version in force.
  mutating func emitEntry(_ definition: IRDefinition, id: Int, jurisdiction: String)
    throws(CompileError)
  {
    nextRegister = 0
    slots = [:]
    span = definition.span
    for level in chain(jurisdiction) {
      let variants = definition.variants.filter { $0.jurisdiction.code == level }
      let exceptions = variants.filter { if case .exception = $0.kind { true } else { false } }
      if !exceptions.isEmpty {
        try emitExceptions(exceptions, definition: definition, id: id, level: level)
      }
      for variant in variants where !exceptions.contains(where: { $0.span == variant.span }) {
        for (index, version) in variant.versions.enumerated() {
          try emitVersion(
            version, definition: definition, id: id, variant: variant, index: index,
            observed: definition.variants.count > 1 || variant.versions.count > 1
              || version.from != nil || version.until != nil)
        }
      }
    }
    // No version in force on the date: not computable. No definition at any level of the
    // chain (only exceptions, or none at all): the definition does not exist there, an error.
    let defined = chain(jurisdiction).contains { level in
      definition.variants.contains {
        if case .exception = $0.kind { return false }
        return $0.jurisdiction.code == level
      }
    }
    emit(Instruction(.fail, defined ? 0 : 4, wide: UInt32(id)))
  }

  /// Skips the version's body unless the as-of date is within its range.
  ///
  /// - Parameter observed: when set, a probe marks the version's body (traces name the
  ///   variant and version in force).
  mutating func emitVersion(
    _ version: IRVersion, definition: IRDefinition, id: Int, variant: IRVariant, index: Int,
    observed: Bool
  ) throws(CompileError) {
    var skips: [Int] = []
    // A version in force always needs no date test.
    if version.from != nil || version.until != nil {
      try emitDateTests(version, skips: &skips)
    }
    if observed {
      var marker = probe(.version, at: variant.span)
      marker.position = UInt32(index)
      let which = if case .override = variant.kind { "override" } else { "base" }
      let range =
        switch (version.from, version.until) {
        case (nil, nil): "always in force"
        case (let from?, nil): "in force from \(from)"
        case (nil, let until?): "in force until \(until)"
        case (let from?, let until?): "in force from \(from) until \(until)"
        }
      marker.text = probeText("\(which) at \(variant.jurisdiction.code), \(range)")
      if let citation = version.citation ?? variant.citation {
        marker.citation = probeText(program.citationText(citation))
      }
      record(marker)
    }
    try emitBody(version.body, definition: definition, id: id)
    for skip in skips { patchHere(skip) }
  }

  /// Jumps past the version's body when the as-of date is outside its range.
  mutating func emitDateTests(_ version: IRVersion, skips: inout [Int]) throws(CompileError) {
    var found: [Int] = []
    try scoped { (emitter: inout Emitter) throws(CompileError) in
      let date = emitter.allocate()
      let bound = emitter.allocate()
      let test = emitter.allocate()
      emitter.emit(.asOf, date)
      if let from = version.from {
        emitter.emit(
          Instruction(.constant, bound, wide: emitter.constant(.integer(from.daysSince1970), .date))
        )
        emitter.emit(.less, test, date, bound)
        found.append(emitter.emitJump(.jumpIfTrue, test))
      }
      if let until = version.until {
        emitter.emit(
          Instruction(
            .constant, bound, wide: emitter.constant(.integer(until.daysSince1970), .date)))
        emitter.emit(.less, test, bound, date)
        found.append(emitter.emitJump(.jumpIfTrue, test))
      }
    }
    skips += found
  }

  /// At most one exception may hold: the first sets `chosen`, a second is a conflict.
  mutating func emitExceptions(
    _ exceptions: [IRVariant], definition: IRDefinition, id: Int, level: String
  ) throws(CompileError) {
    let chosen = allocate()
    emit(.none, chosen)
    for (index, exception) in exceptions.enumerated() {
      guard case .exception(let condition, let reason) = exception.kind else { continue }
      try scoped { (emitter: inout Emitter) throws(CompileError) in
        let holds = emitter.allocate()
        let start = emitter.openCondition(
          condition, role: .exception, position: index, reason: reason,
          citation: exception.citation)
        try emitter.compile(condition, into: holds)
        emitter.closeCondition(
          start, at: emitter.code.count, outcome: .registerBefore, result: holds)
        let skip = emitter.emitJump(.jumpIfFalse, holds)
        let first = emitter.emitJump(.jumpIfNone, chosen)
        emitter.emit(
          Instruction(.conflict, UInt16(emitter.jurisdictionIndex(level)), wide: UInt32(id)))
        emitter.patchHere(first)
        emitter.emit(
          Instruction(.constant, chosen, wide: emitter.constant(.integer(Int64(index)), .int)))
        emitter.patchHere(skip)
      }
    }
    let none = emitJump(.jumpIfNone, chosen)
    for (index, exception) in exceptions.enumerated() {
      guard case .exception(_, let reason) = exception.kind else { continue }
      try scoped { (emitter: inout Emitter) throws(CompileError) in
        let test = emitter.allocate()
        let wanted = emitter.allocate()
        emitter.emit(
          Instruction(.constant, wanted, wide: emitter.constant(.integer(Int64(index)), .int)))
        emitter.emit(.equal, test, chosen, wanted)
        let next = emitter.emitJump(.jumpIfFalse, test)
        guard case .value(let value) = exception.versions.first?.body else { return }
        let result = emitter.allocate()
        try emitter.compile(value, into: result)
        emitter.emit(.return, result, emitter.text(reason ?? ""))
        emitter.patchHere(next)
      }
    }
    patchHere(none)
  }

  mutating func emitBody(_ body: IRBody, definition: IRDefinition, id: Int) throws(CompileError) {
    try scoped { (emitter: inout Emitter) throws(CompileError) in
      let result = emitter.allocate()
      switch body {
      case .value(let expr):
        try emitter.compile(expr, into: result)
        emitter.emit(.return, result, PolicyImage.noText)
      case .firstOf(let cases):
        for (position, item) in cases.enumerated() {
          emitter.span = item.span
          var next: Int?
          if let condition = item.condition {
            let start = emitter.openCondition(
              condition, role: .firstOf, position: position, reason: item.reason,
              citation: item.citation)
            next = try emitter.compileJump(condition, into: result, when: false, start: start)
          } else {
            var taken = emitter.probe(.otherwise, role: .firstOf, at: item.span)
            taken.position = UInt32(position)
            if let reason = item.reason { taken.reason = emitter.probeText(reason) }
            if let citation = item.citation {
              taken.citation = emitter.probeText(emitter.program.citationText(citation))
            }
            emitter.record(taken)
          }
          try emitter.compile(item.value, into: result)
          emitter.emit(.return, result, emitter.text(item.reason ?? ""))
          if let next { emitter.patchHere(next) }
        }
        emitter.emit(Instruction(.fail, 1, wide: UInt32(id)))
      case .allOf(let conditions):
        var failures: [(Int, String)] = []
        for (position, item) in conditions.enumerated() {
          emitter.span = item.span
          let start = emitter.openCondition(
            item.condition, role: .allOf, position: position, reason: item.reason,
            citation: item.citation)
          failures.append(
            (
              try emitter.compileJump(item.condition, into: result, when: false, start: start),
              item.reason
            ))
        }
        emitter.emit(Instruction(.constant, result, wide: emitter.constant(.bool(true), .bool)))
        emitter.emit(.return, result, emitter.text("ok"))
        for (jump, reason) in failures {
          emitter.patchHere(jump)
          emitter.emit(Instruction(.failCondition, 0, wide: UInt32(emitter.text(reason))))
          emitter.emit(Instruction(.constant, result, wide: emitter.constant(.bool(false), .bool)))
          emitter.emit(.return, result, emitter.text(reason))
        }
      }
    }
  }

  /// The text of `bytes` in `source` with whitespace runs folded to one space, and the line and
  /// column (in characters) where it starts.
  static func describe(_ source: [UInt8], _ lineStarts: [Int], _ bytes: Range<Int>) -> (
    String, UInt32, UInt32
  ) {
    let line = line(of: bytes.lowerBound, starts: lineStarts)
    let lineStart = lineStarts[Int(line) - 1]
    let column = String(decoding: source[lineStart..<bytes.lowerBound], as: UTF8.self).count + 1
    let text = String(decoding: source[bytes], as: UTF8.self)
      .split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
      .joined(separator: " ")
    return (text, line, UInt32(column))
  }

  /// The 1-based line holding byte `offset`, given the offsets where lines start.
  static func line(of offset: Int, starts: [Int]) -> UInt32 {
    var low = 0
    var high = starts.count
    while low < high {
      let middle = (low + high) / 2
      if starts[middle] <= offset { low = middle + 1 } else { high = middle }
    }
    return UInt32(clamping: max(low, 1))
  }
}
