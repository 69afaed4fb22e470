// A compiled policy: code, constants, definitions with their per-jurisdiction entry points,
// the input schema and the debug table. Immutable and shared by every evaluation.

/// A type as the runtime needs it: to read inputs and to compare values structurally.
public indirect enum SchemaType: Sendable, Hashable {
  /// A scalar in one register: an integer (dates as days since 1970-01-01, Money in fen),
  /// a rational (`decimal`, `exactMoney`), or a handle (`text`, into the evaluation's texts).
  case bool, int, decimal, money, exactMoney, date, days, months, years, text
  /// An enum, by index into `PolicyImage.enums`; the register holds the case index.
  case enumeration(Int)
  /// A record, by index into `PolicyImage.records`; the register is a list handle with one
  /// item per field, in declaration order.
  case record(Int)
  /// A list of elements of one type; the register is a list handle.
  case list(SchemaType)
  /// A value of the wrapped type, or none (`Register.none`).
  case optional(SchemaType)
  /// A table is stored as a list with one item per case of the key enum.
  case table(key: Int, value: SchemaType)
}

/// The days an enum case is in force: from `from`, until `until` (inclusive) when given.
public struct CaseValidity: Sendable, Hashable {
  /// The first day, as days since 1970-01-01.
  public var from: Int64
  /// The last day, or nil for no end.
  public var until: Int64?
  /// Creates a validity.
  public init(from: Int64, until: Int64?) { (self.from, self.until) = (from, until) }
  /// True when `day` is within it.
  public func contains(_ day: Int64) -> Bool { from <= day && (until.map { day <= $0 } ?? true) }
}

/// An enum: its name and case names.
public struct EnumSchema: Sendable, Hashable {
  /// The enum's name as declared, for messages.
  public var name: String
  /// Case names in declaration order: a case's index is its register value, and its name is
  /// how JSON spells it.
  public var cases: [String]
  /// The days each case is in force (days since 1970, `until` inclusive), parallel to
  /// `cases`, nil for a case without dates; empty when no case has dates. An application may
  /// give a case only on its days.
  public var caseValidities: [CaseValidity?] = []
  /// Creates an enum schema.
  public init(name: String, cases: [String]) {
    self.name = name
    self.cases = cases
  }
}

/// A record: its name and fields, with declared bounds.
public struct RecordSchema: Sendable, Hashable {
  /// A field: its name, its type, and the bounds an application's value must respect.
  public struct Field: Sendable, Hashable {
    /// The field's name, which is also the member name in an application's JSON.
    public var name: String
    /// The field's type, which drives how its JSON is read.
    public var type: SchemaType
    /// Inclusive bounds on the value (or on a list's length when `boundsOnLength`); one of
    /// them is nil for a one-sided bound (`at least LOW`, `at most HIGH`).
    public var bounds: (low: Register?, high: Register?)?
    /// True when `bounds` constrain a list's length (`length LOW to HIGH`), not its value.
    public var boundsOnLength: Bool
    /// True when the policy marks the field `personal`: its value identifies a person, and
    /// decision-log exports mask it unless the reader may see it.
    public var isPersonal = false

    /// Creates a field; `bounds` are registers of the field's type (or integers, for a length).
    public init(
      name: String, type: SchemaType, bounds: (low: Register?, high: Register?)?,
      boundsOnLength: Bool
    ) {
      self.name = name
      self.type = type
      self.bounds = bounds
      self.boundsOnLength = boundsOnLength
    }

    /// Equal when every property is; written out because the bounds tuple is not `Equatable`.
    public static func == (a: Field, b: Field) -> Bool {
      a.name == b.name && a.type == b.type && a.boundsOnLength == b.boundsOnLength
        && a.bounds?.low == b.bounds?.low && a.bounds?.high == b.bounds?.high
        && a.isPersonal == b.isPersonal
    }
    /// Hashes the name and type only, which is consistent with `==`.
    public func hash(into hasher: inout Hasher) {
      hasher.combine(name)
      hasher.combine(type)
    }
  }
  /// The record's name as declared, for messages.
  public var name: String
  /// Fields in declaration order: a field's index is its item index in the record's list.
  public var fields: [Field]
  /// Creates a record schema.
  public init(name: String, fields: [Field]) {
    self.name = name
    self.fields = fields
  }
}

/// A definition as the runtime sees it.
public struct DefinitionInfo: Sendable, Hashable {
  /// What a definition is. Decisions are what an evaluation computes and records; parameters
  /// and rules are computed only when a decision needs them.
  public enum Kind: UInt8, Sendable { case parameter, rule, decision }
  /// The definition's name, as in decision records, traces and messages.
  public var name: String
  /// Whether the definition is a parameter, rule or decision.
  public var kind: Kind
  /// The type of the definition's value, for reading and printing its register.
  public var type: SchemaType
  /// True for `first of` and `all of` definitions, which give a reason code.
  public var hasReason: Bool
  /// Entry points by jurisdiction index (see `PolicyImage.jurisdictions`).
  public var entries: [UInt32]
  /// Registers the definition's frame needs.
  public var frameSize: UInt16
  /// `places N`: the decimal places a decision's Decimal value is printed with (it has no more,
  /// the checker proved); nil when not declared.
  public var places: UInt8? = nil
  /// The most places a compiled file may declare.
  public static let maximumPlaces: UInt8 = 18

  /// Creates a definition's entry.
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
  /// The index in `PolicyImage.definitions` of the definition the instruction belongs to; the
  /// verifier checks registers against that definition's frame size.
  public var definition: UInt16
  /// The index of the source file in `PolicyImage.sourceFiles`.
  public var file: UInt16
  /// The UTF-8 byte offset where the source span starts.
  public var start: UInt32
  /// The UTF-8 byte offset just past the end of the source span.
  public var end: UInt32
  /// The 1-based line of `start`, so that traces name lines without the source at hand; 0
  /// when the compiler did not know it.
  public var line: UInt32
  /// The 1-based column (in bytes) of `start` on its line; 0 when unknown.
  public var column: UInt32
  /// Creates a debug entry.
  public init(
    definition: UInt16, file: UInt16, start: UInt32, end: UInt32, line: UInt32 = 0,
    column: UInt32 = 0
  ) {
    self.definition = definition
    self.file = file
    self.start = start
    self.end = end
    self.line = line
    self.column = column
  }
}

/// A jurisdiction code a policy accepts, and the index in `PolicyImage.jurisdictions` that
/// decides for it.
public struct JurisdictionCode: Sendable, Hashable {
  public var code: String
  public var target: UInt16

  public init(code: String, target: UInt16) {
    self.code = code
    self.target = target
  }
}

/// A compiled policy, ready for the VM.
public struct PolicyImage: Sendable, Hashable {
  /// The policy's name, as in decision records.
  public var name: String
  /// Every definition's code, one block per (definition, jurisdiction) entry point.
  public var code: [Instruction]
  /// Register constants; a constant whose tag is `Register.bigTag` indexes `exactConstants`.
  public var constants: [Register]
  /// The type of each constant, as an index into `types` (same index as `constants`): what
  /// the verifier proves a `constant` instruction puts in its register. Empty until set.
  public var constantTypes: [UInt32] = []
  /// Exact values too large for a register, as decimal or `p/q` text.
  public var exactConstants: [String]
  /// Constant lists (and records and tables): their items.
  public var constantLists: [[Register]]
  /// Text constants (text literals, reason codes, input paths for missing-fact messages), by
  /// the index that text registers and text operands hold.
  public var texts: [String]
  /// Every definition, by the index that `call` operands and the debug table use.
  public var definitions: [DefinitionInfo]
  /// Jurisdiction codes; index 0 is `national`.
  public var jurisdictions: [String]
  /// For each enum used with `at`: case index → jurisdiction index.
  public var jurisdictionMaps: [[UInt16]]
  /// Every jurisdiction code the policy accepts (`national`, provinces, cities), each with the
  /// index in `jurisdictions` whose code decides for it: the most specific level of its chain
  /// (city → province → national) that has definitions of its own. A code not listed here is
  /// refused (`Machine.jurisdictionIndex(_:)`).
  public var jurisdictionCodes: [JurisdictionCode] = [JurisdictionCode(code: "national", target: 0)]
  /// The enums that `SchemaType.enumeration` indexes.
  public var enums: [EnumSchema]
  /// The records that `SchemaType.record` indexes, the input record included.
  public var records: [RecordSchema]
  /// The input record's index in `records`.
  public var inputRecord: Int
  /// Types used by `deepEqual`.
  public var types: [SchemaType]
  /// One entry per instruction (same index as `code`): where it came from, for errors and
  /// traces.
  public var debug: [DebugEntry]
  /// The source file paths that `DebugEntry.file` indexes; empty when compiled without them.
  public var sourceFiles: [String]
  /// The jurisdiction evaluations use when none is given: the level of the policy's decisions.
  public var defaultJurisdiction = "national"
  /// The policy's own `from … until …` as day numbers (days since 1970-01-01); evaluating
  /// outside it is an error.
  public var validFrom: Int64?
  /// The last day on which the policy is in force (inclusive); nil when open-ended.
  public var validUntil: Int64?
  /// The as-of date (day number) the code was specialised for: its versions are resolved, so
  /// evaluating as of any other date is an error. Nil for a general image.
  public var specialisedAsOf: Int64?
  /// Each definition's citation as shown in traces (`国办发〔2009〕66号, Art. 5(2) [unverified]`),
  /// by definition index; empty when a definition cites nothing.
  public var citations: [String] = []
  /// The probes a traced replay observes and the labels the policy gives its names.
  public var explanations = Explanations()

  /// Creates an image from its parts; `defaultJurisdiction`, `validFrom`, `validUntil` and
  /// `citations` keep their defaults until set.
  ///
  /// The image is not verified: pass it to `Verifier.verify(_:)` before a `Machine` runs it.
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
  @inlinable public static var noText: UInt16 { 0xFFFF }
}

extension PolicyImage {
  /// True when every enum and record `type` names is one of this image's, and it is nested at
  /// most `maximumTypeDepth` levels: a type the machine's readers and renderers can follow.
  public func isValid(_ type: SchemaType, depth: Int = 1) -> Bool {
    guard depth <= PolicyImage.maximumTypeDepth else { return false }
    switch type {
    case .bool, .int, .decimal, .money, .exactMoney, .date, .days, .months, .years, .text:
      return true
    case .enumeration(let index): return enums.indices.contains(index)
    case .record(let index): return records.indices.contains(index)
    case .list(let element), .optional(let element): return isValid(element, depth: depth + 1)
    case .table(let key, let value):
      return enums.indices.contains(key) && isValid(value, depth: depth + 1)
    }
  }

  /// A type as written in Regula (`Money by Province`, `List<Member>?`), for messages and the
  /// disassembler. Indices out of range (an unverified image) print with a `?`.
  public func typeName(_ type: SchemaType) -> String {
    switch type {
    case .bool: "Bool"
    case .int: "Int"
    case .decimal: "Decimal"
    case .money: "Money"
    case .exactMoney: "ExactMoney"
    case .date: "Date"
    case .days: "Days"
    case .months: "Months"
    case .years: "Years"
    case .text: "Text"
    case .enumeration(let index):
      enums.indices.contains(index) ? enums[index].name : "enum \(index)?"
    case .record(let index):
      records.indices.contains(index) ? records[index].name : "record \(index)?"
    case .list(let element): "List<\(typeName(element))>"
    case .optional(let wrapped): "\(typeName(wrapped))?"
    case .table(let key, let value): "\(typeName(value)) by \(typeName(.enumeration(key)))"
    }
  }
}

extension PolicyImage {
  /// The input paths of the fields the policy marks `personal`, as masks name them: `name`,
  /// `applicant.id_number`, `members[].name` (a list's elements written `[]`), in schema order.
  public var personalInputPaths: [String] {
    var paths: [String] = []
    var open = Set<Int>()
    func walk(_ record: Int, _ prefix: String) {
      guard record < records.count, open.insert(record).inserted else { return }
      defer { open.remove(record) }
      for field in records[record].fields {
        if field.isPersonal {
          paths.append(prefix + field.name)
        } else {
          walk(type: field.type, prefix + field.name)
        }
      }
    }
    func walk(type: SchemaType, _ path: String) {
      switch type {
      case .record(let record): walk(record, path + ".")
      case .list(let element): walk(type: element, path + "[]")
      case .optional(let wrapped): walk(type: wrapped, path)
      default: break
      }
    }
    walk(inputRecord, "")
    return paths
  }
}
