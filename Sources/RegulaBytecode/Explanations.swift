// What a trace needs beyond the code: the probes (points of the code a traced replay observes,
// each naming the construct it belongs to, its source text and position, and the registers
// that hold its operands) and the labels a policy gives its names in each language. Both live
// in the `explanations` section of a compiled file; an untraced evaluation never reads them.

/// A point of the code that a traced replay observes (`Machine.isTracing`): the VM records a
/// trace node when it reaches the probe's instruction, before executing it. The plain dispatch
/// loop does not look at probes at all.
public struct Probe: Sendable, Hashable {
  /// What the probe observes.
  public enum Kind: UInt8, Sendable, CaseIterable {
    /// The start of a condition (an `all of` condition, a `first of` case, an `if`, a `where`
    /// filter, an exception's `when`): opens a node that the matching `conditionEnd` closes.
    case conditionStart = 0
    /// The end of a condition: its outcome, read from `result` or from the jump taken.
    case conditionEnd = 1
    /// A comparison: its two operands (`a`, `b`) and its outcome.
    case comparison = 2
    /// One element of an aggregate (`sum`, `count`, `min`, `max`): the element's value (`a`)
    /// and the loop index just past it (`b`).
    case element = 3
    /// A table lookup: the table (`a`) and the key (`b`); the entry is read from them.
    case lookup = 4
    /// The version (or exception) of a definition in force: entering its body.
    case version = 5
    /// A `first of` case taken without a condition (`otherwise`).
    case otherwise = 6
    /// A rounding: the value rounded (`a`) and, once the instruction has run, the result
    /// (`result`, of type `typeB`).
    case rounding = 7
    /// The start of a call of a function of the policy (inlined): opens a node that the
    /// matching `callEnd` closes. `textA` names the function; `result` (of type `typeB`) is
    /// where its value will be.
    case callStart = 8
    /// The end of a function call: its value is in `result` before the instruction runs.
    case callEnd = 9
  }

  /// The construct a condition belongs to.
  public enum Role: UInt8, Sendable, CaseIterable {
    case none = 0, allOf = 1, firstOf = 2, ifThen = 3, filter = 4, exception = 5
  }

  /// How the outcome of a `conditionEnd` or `comparison` is known.
  public enum Outcome: UInt8, Sendable, CaseIterable {
    /// No outcome (elements, lookups, versions, starts).
    case none = 0
    /// The register `result` holds it once the instruction has run (a Bool).
    case register = 1
    /// The register `result` holds the negation (`!=` computed as `not ==`).
    case negatedRegister = 2
    /// The instruction is a jump: taken means the condition holds.
    case jumpTakenIsTrue = 3
    /// The instruction is a jump: taken means the condition does not hold.
    case jumpTakenIsFalse = 4
    /// The register `result` holds it before the instruction runs (a `jumpIfFalse` on it).
    case registerBefore = 5
    /// The register `result` holds its negation before the instruction runs (a condition
    /// `not C` whose `not` was folded into the jump).
    case negatedRegisterBefore = 6
    /// Not an outcome: the register `result` holds the probe's value once the instruction has
    /// run (a rounding's result, of type `typeB`).
    case valueAfter = 7
    /// Not an outcome: the register `result` holds the probe's value before the instruction
    /// runs (a function call's value at its `callEnd`, of type `typeB`).
    case valueBefore = 8
  }

  /// Marks an absent register, type or text.
  public static let absent: UInt32 = 0xFFFF_FFFF

  /// The instruction the probe observes (before it runs).
  public var pc: UInt32
  public var kind: Kind
  public var role: Role
  public var outcome: Outcome
  /// The registers of the operands, frame-relative; `absent` when unused.
  public var a: UInt32
  public var b: UInt32
  /// The register the outcome is read from (`outcome` says when); `absent` when unused.
  public var result: UInt32
  /// The types of `a` and `b`, as indexes into `PolicyImage.types`; `absent` when unused.
  public var typeA: UInt32
  public var typeB: UInt32
  /// The source text of the construct, and of the operands of a comparison (indexes into
  /// `Explanations.texts`; `absent` when unknown).
  public var text: UInt32
  public var textA: UInt32
  public var textB: UInt32
  /// For a condition: its position among its definition's `all of` conditions or `first of`
  /// cases (0-based); for a version: the index of the version in its variant.
  public var position: UInt32
  /// For a `conditionEnd` (`callEnd`): the index of its `conditionStart` (`callStart`) probe.
  public var partner: UInt32
  /// The reason code an `all of` condition gives when it fails, or a case gives when taken
  /// (an index into `Explanations.texts`), and the citation; `absent` when none.
  public var reason: UInt32
  public var citation: UInt32
  /// The source position: file index, byte range, and 1-based line and column (0: unknown).
  public var file: UInt32
  public var start: UInt32
  public var end: UInt32
  public var line: UInt32
  public var column: UInt32

  /// Creates a probe with every optional part absent.
  public init(pc: UInt32, kind: Kind, role: Role = .none) {
    self.pc = pc
    self.kind = kind
    self.role = role
    outcome = .none
    (a, b, result) = (Probe.absent, Probe.absent, Probe.absent)
    (typeA, typeB) = (Probe.absent, Probe.absent)
    (text, textA, textB) = (Probe.absent, Probe.absent, Probe.absent)
    (position, partner, reason, citation) = (0, Probe.absent, Probe.absent, Probe.absent)
    (file, start, end, line, column) = (0, 0, 0, 0, 0)
  }
}

/// One label: the text a policy gives a name in one language (`labels zh { … }`).
public struct Label: Sendable, Hashable {
  /// What a label names.
  public enum Kind: UInt8, Sendable, CaseIterable {
    /// A parameter, rule or decision: key = its name.
    case definition = 0
    /// A reason code: key = the code.
    case reason = 1
    /// An enum case: key = `Enum.case` with the case's JSON name.
    case enumCase = 2
    /// A record or input field: key = `Record.field`.
    case field = 3
    /// A header source: key = the source's document title.
    case source = 4
    /// A cited provision: key = the citation as traces show it, without its status
    /// (`Document, Art. 9`).
    case citation = 5
  }
  /// The language code (`zh`, `en`).
  public var language: String
  public var kind: Kind
  public var key: String
  public var text: String

  /// Creates a label.
  public init(language: String, kind: Kind, key: String, text: String) {
    self.language = language
    self.kind = kind
    self.key = key
    self.text = text
  }
}

/// Where a definition is declared.
public struct DeclarationPosition: Sendable, Hashable {
  public var file: UInt32
  public var offset: UInt32
  public var line: UInt32
  public var column: UInt32
  /// Creates a position.
  public init(file: UInt32, offset: UInt32, line: UInt32, column: UInt32) {
    (self.file, self.offset, self.line, self.column) = (file, offset, line, column)
  }
}

/// The explanation tables of a policy image.
public struct Explanations: Sendable, Hashable {
  /// The probes, ordered by `pc` (several may share one).
  public var probes: [Probe] = []
  /// The texts probes name (source slices, reason codes, citations).
  public var texts: [String] = []
  /// The labels, in the order the policy declares them.
  public var labels: [Label] = []
  /// Each definition's declaration, by definition index: (file, byte offset, line, column);
  /// empty when unknown.
  public var declarations: [DeclarationPosition] = []

  /// Creates empty tables.
  public init() {}

  /// True when there is nothing to encode.
  public var isEmpty: Bool {
    probes.isEmpty && texts.isEmpty && labels.isEmpty && declarations.isEmpty
  }
}

extension Explanations {
  /// The section's payload.
  public func encoded() -> [UInt8] {
    var writer = ByteWriter()
    writer.writeList(texts) { $0.writeString($1) }
    writer.writeList(probes) { writer, probe in
      writer.writeVarUInt(UInt64(probe.pc))
      writer.writeUInt8(probe.kind.rawValue)
      writer.writeUInt8(probe.role.rawValue)
      writer.writeUInt8(probe.outcome.rawValue)
      for field in [
        probe.a, probe.b, probe.result, probe.typeA, probe.typeB, probe.text, probe.textA,
        probe.textB, probe.position, probe.partner, probe.reason, probe.citation, probe.file,
        probe.start, probe.end, probe.line, probe.column,
      ] {
        // absent (all ones) is written as 0, anything else as value + 1: small either way.
        writer.writeVarUInt(field == Probe.absent ? 0 : UInt64(field) + 1)
      }
    }
    writer.writeList(labels) { writer, label in
      writer.writeString(label.language)
      writer.writeUInt8(label.kind.rawValue)
      writer.writeString(label.key)
      writer.writeString(label.text)
    }
    writer.writeList(declarations) { writer, position in
      for field in [position.file, position.offset, position.line, position.column] {
        writer.writeVarUInt(UInt64(field))
      }
    }
    return writer.bytes
  }

  /// Decodes the section's payload; `offset` is where it starts in the file (for errors).
  public init(decoding bytes: [UInt8], at offset: Int) throws(CompiledFileError) {
    var reader = ByteReader(bytes, baseOffset: offset)
    texts = try reader.readList(elementSize: 1) { (r) throws(CompiledFileError) in
      try r.readString()
    }
    probes = try reader.readList(elementSize: 20) { (r) throws(CompiledFileError) in
      let at = r.offset
      let pc = try r.readVarUInt()
      let kind = try r.readUInt8()
      let role = try r.readUInt8()
      let outcome = try r.readUInt8()
      guard pc < UInt64(UInt32.max), let kind = Probe.Kind(rawValue: kind),
        let role = Probe.Role(rawValue: role), let outcome = Probe.Outcome(rawValue: outcome)
      else { throw .valueOverLimit(at: at, value: pc, limit: UInt64(UInt32.max - 1)) }
      var probe = Probe(pc: UInt32(pc), kind: kind, role: role)
      probe.outcome = outcome
      var fields: [UInt32] = []
      for _ in 0..<17 {
        let at = r.offset
        let value = try r.readVarUInt()
        guard value <= UInt64(UInt32.max) else {
          throw .valueOverLimit(at: at, value: value, limit: UInt64(UInt32.max))
        }
        fields.append(value == 0 ? Probe.absent : UInt32(value - 1))
      }
      (probe.a, probe.b, probe.result, probe.typeA, probe.typeB) =
        (fields[0], fields[1], fields[2], fields[3], fields[4])
      (probe.text, probe.textA, probe.textB, probe.position, probe.partner) =
        (fields[5], fields[6], fields[7], fields[8], fields[9])
      (probe.reason, probe.citation, probe.file, probe.start, probe.end) =
        (fields[10], fields[11], fields[12], fields[13], fields[14])
      (probe.line, probe.column) = (fields[15], fields[16])
      return probe
    }
    labels = try reader.readList(elementSize: 4) { (r) throws(CompiledFileError) in
      let language = try r.readString()
      let at = r.offset
      let raw = try r.readUInt8()
      guard let kind = Label.Kind(rawValue: raw) else {
        throw .valueOverLimit(at: at, value: UInt64(raw), limit: 5)
      }
      return Label(
        language: language, kind: kind, key: try r.readString(), text: try r.readString())
    }
    declarations = try reader.readList(elementSize: 4) { (r) throws(CompiledFileError) in
      var fields: [UInt32] = []
      for _ in 0..<4 {
        let at = r.offset
        let value = try r.readVarUInt()
        guard value <= UInt64(UInt32.max) else {
          throw .valueOverLimit(at: at, value: value, limit: UInt64(UInt32.max))
        }
        fields.append(UInt32(value))
      }
      return DeclarationPosition(
        file: fields[0], offset: fields[1], line: fields[2], column: fields[3])
    }
    try reader.expectEnd()
  }
}
