// A compiled policy: code, constants, definitions with their per-jurisdiction entry points,
// the input schema and the debug table. Immutable and shared by every evaluation.

/// A type as the runtime needs it: to read inputs and to compare values structurally.
public indirect enum SchemaType: Sendable, Hashable {
  case bool, int, decimal, money, exactMoney, date, days, months, years, text
  case enumeration(Int)
  case record(Int)
  case list(SchemaType)
  case optional(SchemaType)
  /// A table is stored as a list with one item per case of the key enum.
  case table(key: Int, value: SchemaType)
}

/// An enum: its name and case names.
public struct EnumSchema: Sendable, Hashable {
  public var name: String
  public var cases: [String]
  public init(name: String, cases: [String]) {
    self.name = name
    self.cases = cases
  }
}

/// A record: its name and fields, with declared bounds.
public struct RecordSchema: Sendable, Hashable {
  public struct Field: Sendable, Hashable {
    public var name: String
    public var type: SchemaType
    /// Inclusive bounds on the value (or on a list's length when `boundsOnLength`).
    public var bounds: (low: Register, high: Register)?
    public var boundsOnLength: Bool

    public init(
      name: String, type: SchemaType, bounds: (low: Register, high: Register)?, boundsOnLength: Bool
    ) {
      self.name = name
      self.type = type
      self.bounds = bounds
      self.boundsOnLength = boundsOnLength
    }

    public static func == (a: Field, b: Field) -> Bool {
      a.name == b.name && a.type == b.type && a.boundsOnLength == b.boundsOnLength
        && a.bounds?.low == b.bounds?.low && a.bounds?.high == b.bounds?.high
    }
    public func hash(into hasher: inout Hasher) {
      hasher.combine(name)
      hasher.combine(type)
    }
  }
  public var name: String
  public var fields: [Field]
  public init(name: String, fields: [Field]) {
    self.name = name
    self.fields = fields
  }
}

/// A definition as the runtime sees it.
public struct DefinitionInfo: Sendable, Hashable {
  public enum Kind: UInt8, Sendable { case parameter, rule, decision }
  public var name: String
  public var kind: Kind
  public var type: SchemaType
  public var hasReason: Bool
  /// Entry points by jurisdiction index (see `PolicyImage.jurisdictions`).
  public var entries: [UInt32]
  /// Registers the definition's frame needs.
  public var frameSize: UInt16

  public init(
    name: String, kind: Kind, type: SchemaType, hasReason: Bool, entries: [UInt32],
    frameSize: UInt16
  ) {
    self.name = name
    self.kind = kind
    self.type = type
    self.hasReason = hasReason
    self.entries = entries
    self.frameSize = frameSize
  }
}

/// Where an instruction came from: its definition and source position.
public struct DebugEntry: Sendable, Hashable {
  public var definition: UInt16
  public var file: UInt16
  public var start: UInt32
  public var end: UInt32
  public init(definition: UInt16, file: UInt16, start: UInt32, end: UInt32) {
    self.definition = definition
    self.file = file
    self.start = start
    self.end = end
  }
}

/// A compiled policy, ready for the VM.
public struct PolicyImage: Sendable, Hashable {
  public var name: String
  public var code: [Instruction]
  /// Register constants; a constant whose tag is `Register.bigTag` indexes `exactConstants`.
  public var constants: [Register]
  /// Exact values too large for a register, as decimal or `p/q` text.
  public var exactConstants: [String]
  /// Constant lists (and records and tables): their items.
  public var constantLists: [[Register]]
  public var texts: [String]
  public var definitions: [DefinitionInfo]
  /// Jurisdiction codes; index 0 is `national`.
  public var jurisdictions: [String]
  /// For each enum used with `at`: case index → jurisdiction index.
  public var jurisdictionMaps: [[UInt16]]
  public var enums: [EnumSchema]
  public var records: [RecordSchema]
  /// The input record's index in `records`.
  public var inputRecord: Int
  /// Types used by `deepEqual`.
  public var types: [SchemaType]
  public var debug: [DebugEntry]
  public var sourceFiles: [String]
  /// The jurisdiction evaluations use when none is given: the level of the policy's decisions.
  public var defaultJurisdiction = "national"
  /// The policy's own `from … until …` as day numbers (days since 1970-01-01); evaluating
  /// outside it is an error.
  public var validFrom: Int64?
  public var validUntil: Int64?
  /// Each definition's citation as shown in traces (`国办发〔2009〕66号, Art. 5(2) [unverified]`),
  /// by definition index; empty when a definition cites nothing.
  public var citations: [String] = []

  public init(
    name: String, code: [Instruction], constants: [Register], exactConstants: [String],
    constantLists: [[Register]],
    texts: [String], definitions: [DefinitionInfo], jurisdictions: [String],
    jurisdictionMaps: [[UInt16]],
    enums: [EnumSchema], records: [RecordSchema], inputRecord: Int, types: [SchemaType],
    debug: [DebugEntry],
    sourceFiles: [String]
  ) {
    self.name = name
    self.code = code
    self.constants = constants
    self.exactConstants = exactConstants
    self.constantLists = constantLists
    self.texts = texts
    self.definitions = definitions
    self.jurisdictions = jurisdictions
    self.jurisdictionMaps = jurisdictionMaps
    self.enums = enums
    self.records = records
    self.inputRecord = inputRecord
    self.types = types
    self.debug = debug
    self.sourceFiles = sourceFiles
  }

  /// Marks "no text" in `return` and optional text operands.
  public static let noText: UInt16 = 0xFFFF
}
