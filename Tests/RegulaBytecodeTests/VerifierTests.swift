// The verifier: the sample image passes; one broken image per check fails, naming the
// instruction (for problems in the code) and the problem.
import RegulaBytecode
import Testing

/// A way to break the sample image and the error it must cause.
struct BrokenImage: Sendable, CustomTestStringConvertible {
  var name: String
  var instruction: Int?
  var message: String
  var breakImage: @Sendable (inout PolicyImage) -> Void

  init(
    _ name: String, at instruction: Int?, _ message: String,
    _ breakImage: @escaping @Sendable (inout PolicyImage) -> Void
  ) {
    self.name = name
    self.instruction = instruction
    self.message = message
    self.breakImage = breakImage
  }

  var testDescription: String { name }
}

/// The sample's code, for reference: d0 `threshold` (frame 1) @0–3; d1 `eligible` (frame 17)
/// @4–35 with `extra` words at 6, 11, 16, 19, 27, 29, 31, 33; d2 `total` (frame 9) @36–55, a
/// loop 41–47 with its `step` at 46, and `extra` words at 50, 52, 54.
let brokenImages: [BrokenImage] = [
  // Registers.
  BrokenImage(
    "register outside the frame", at: 8,
    "`age` operand c: register r17 is outside the 17-register frame of `eligible`"
  ) {
    $0.code[8] = Instruction(.age, 3, 1, 17)
  },
  BrokenImage(
    "register outside a one-register frame", at: 0,
    "`constant` operand a: register r1 is outside the 1-register frame of `threshold`"
  ) {
    $0.code[0] = Instruction(.constant, 1, wide: 1)
  },
  BrokenImage(
    "register run outside the frame", at: 26,
    "`newList` operand b: registers r9..<r18 extend outside the 17-register frame"
  ) {
    $0.code[26] = Instruction(.newList, 14, 9, 9)
  },
  BrokenImage(
    "date registers outside the frame", at: 25,
    "`makeDate` operand b: registers r15...r17 extend outside"
  ) {
    $0.code[25] = Instruction(.makeDate, 13, 15)
  },
  BrokenImage(
    "register in an extra word outside the frame", at: 53,
    "`roundMultiple` operand extra.a: register r9 is outside the 9-register frame of `total`"
  ) {
    $0.code[54] = Instruction(.extra, 9)
  },

  // Jumps.
  BrokenImage(
    "jump past the end", at: 47,
    "`jump` operand bc: jump target @56 is outside the code (56 instructions)"
  ) {
    $0.code[47] = Instruction(.jump, 0, wide: 56)
  },
  BrokenImage("jump far past the end", at: 42, "jump target @4294967295 is outside the code") {
    $0.code[42] = Instruction(.jumpIfFalse, 5, wide: .max)
  },
  BrokenImage(
    "jump onto an extra word", at: 42,
    "`jumpIfFalse` operand bc: jump target @50 is an `extra` operand word"
  ) {
    $0.code[42] = Instruction(.jumpIfFalse, 5, wide: 50)
  },
  BrokenImage(
    "jump into another definition", at: 47, "jump target @0 is in the code of `threshold`"
  ) {
    $0.code[47] = Instruction(.jump, 0, wide: 0)
  },
  BrokenImage(
    "fused jump past the end", at: 10,
    "`jumpIfNotLess` operand extra.bc: jump target @1000 is outside the code"
  ) {
    $0.code[11] = Instruction(.extra, 0, wide: 1000)
  },

  // Extra words.
  BrokenImage(
    "missing extra word", at: 5, "`field` needs an `extra` operand word after it, found `step`"
  ) {
    $0.code[6] = Instruction(.step)
  },
  BrokenImage(
    "missing extra word at the end", at: 56,
    "`divideRound` needs an `extra` operand word after it, found the end of the code"
  ) {
    $0.code.append(Instruction(.divideRound))
    $0.debug.append(DebugEntry(definition: 2, file: 0, start: 0, end: 0))
  },
  BrokenImage("stray extra word", at: 17, "`extra` operand word follows `extra`, which takes none")
  {
    $0.code[17] = Instruction(.extra)
  },
  BrokenImage("extra word first", at: 0, "`extra` operand word starts the code") {
    $0.code[0] = Instruction(.extra)
    $0.definitions[0].entries[0] = 2
  },
  BrokenImage(
    "extra word of another definition", at: 6,
    "operand word is in a different definition from its instruction"
  ) {
    $0.debug[6].definition = 0
  },

  // Pool and table indices.
  BrokenImage(
    "constant index", at: 9, "`constant` operand bc: constant k13 is out of range (13 constants)"
  ) {
    $0.code[9] = Instruction(.constant, 4, wide: 13)
  },
  BrokenImage("text index", at: 12, "`failCondition` operand bc: text t5 is out of range (5 texts)")
  {
    $0.code[12] = Instruction(.failCondition, 0, wide: 5)
  },
  BrokenImage("reason text index", at: 35, "`return` operand b: text t5 is out of range") {
    $0.code[35] = Instruction(.return, 9, 5)
  },
  BrokenImage(
    "path text index in an extra word", at: 5, "`field` operand extra.bc: text t9 is out of range"
  ) {
    $0.code[6] = Instruction(.extra, 0, wide: 9)
  },
  BrokenImage(
    "type index", at: 30, "`deepEqual` operand extra.bc: type 8 is out of range (8 types)"
  ) {
    $0.code[31] = Instruction(.extra, 0, wide: 8)
  },
  BrokenImage(
    "map index", at: 18, "`callAt` operand c: jurisdiction map m1 is out of range (1 map)"
  ) {
    $0.code[18] = Instruction(.callAt, 7, 6, 1)
  },
  BrokenImage(
    "definition index", at: 20, "`call` operand bc: definition d3 is out of range (3 definitions)"
  ) {
    $0.code[20] = Instruction(.call, 8, wide: 3)
  },
  BrokenImage(
    "definition index in an extra word", at: 18,
    "`callAt` operand extra.bc: definition d7 is out of range"
  ) {
    $0.code[19] = Instruction(.extra, 0, wide: 7)
  },
  BrokenImage(
    "jurisdiction index", at: 12,
    "`conflict` operand a: jurisdiction j2 is out of range (2 jurisdictions)"
  ) {
    $0.code[12] = Instruction(.conflict, 2, wide: 1)
  },

  // Enumerated operands.
  BrokenImage("fail kind", at: 12, "`fail` operand a: fail kind 5 is not 0 through 4") {
    $0.code[12] = Instruction(.fail, 5, wide: 1)
  },
  BrokenImage(
    "rounding mode", at: 49, "`roundPlaces` operand c: rounding mode 6 is not 0 through 5"
  ) {
    $0.code[49] = Instruction(.roundPlaces, 7, 7, 6)
  },
  BrokenImage(
    "month-end policy", at: 32,
    "`dateAddMonths` operand extra.a: month-end policy 3 is not 0 through 2"
  ) {
    $0.code[33] = Instruction(.extra, 3)
  },
  BrokenImage("date part", at: 22, "`datePart` operand c: date part 3 is not 0 through 2") {
    $0.code[22] = Instruction(.datePart, 10, 1, 3)
  },

  // Control flow.
  BrokenImage("falling off the end", at: 55, "`add` falls off the end of the code") {
    $0.code[55] = Instruction(.add, 3, 3, 3)
  },
  BrokenImage(
    "falling into another definition", at: 35, "`move` falls through from `eligible` into `total`"
  ) {
    $0.code[35] = Instruction(.move, 9, 9)
  },
  BrokenImage(
    "loop without a step", at: 47,
    "`jump` continues to @41, closing a loop that passes no `step` instruction"
  ) {
    $0.code[46] = Instruction(.move, 0, 0)
  },
  BrokenImage(
    "cycle of calls", at: 37,
    "`call` of `eligible` closes a cycle of calls: `eligible` → `total` → `eligible`"
  ) {
    $0.code[37] = Instruction(.call, 1, wide: 1)
  },
  BrokenImage(
    "definition calling itself", at: 0,
    "`reasonOf` of `threshold` closes a cycle of calls: `threshold` → `threshold`"
  ) {
    $0.code[0] = Instruction(.reasonOf, 0, wide: 0)
  },

  // The debug table.
  BrokenImage("debug table too short", at: nil, "debug table has 55 entries for 56 instructions") {
    $0.debug.removeLast()
  },
  BrokenImage(
    "debug entry naming no definition", at: 55,
    "`return` belongs to definition d3, out of range (3 definitions)"
  ) {
    $0.debug[55].definition = 3
  },
  BrokenImage(
    "debug entry naming no source file", at: 0,
    "`constant` has source file 2, out of range (2 source files)"
  ) {
    $0.debug[0].file = 2
  },
  BrokenImage(
    "reversed source range", at: 1, "`return` has the source range 9-8, which is reversed"
  ) {
    $0.debug[1].start = 9
    $0.debug[1].end = 8
  },

  // Definitions and entry points.
  BrokenImage(
    "entry point per jurisdiction", at: nil,
    "definition 1 `eligible` has 1 entry point for 2 jurisdictions"
  ) {
    $0.definitions[1].entries = [4]
  },
  BrokenImage(
    "entry point past the end", at: nil,
    "definition 2 `total` entry point for `SH` @56 is outside the code (56 instructions)"
  ) {
    $0.definitions[2].entries[1] = 56
  },
  BrokenImage(
    "entry point onto an extra word", at: nil,
    "definition 1 `eligible` entry point for `national` @6 is an `extra` operand word"
  ) {
    $0.definitions[1].entries[0] = 6
  },
  BrokenImage(
    "entry point into another definition", at: nil,
    "definition 0 `threshold` entry point for `SH` @4 is in the code of `eligible`"
  ) {
    $0.definitions[0].entries[1] = 4
  },
  BrokenImage("no jurisdictions", at: nil, "no jurisdictions: index 0 must name `national`") {
    $0.jurisdictions = []
  },

  // The schema.
  BrokenImage(
    "map of no enum's size", at: nil, "jurisdiction map m0 has 4 entries, but no enum has 4 cases"
  ) {
    $0.jurisdictionMaps = [[0, 1, 1, 1]]
  },
  BrokenImage(
    "map naming no jurisdiction", at: nil,
    "jurisdiction map m0 entry 1 names jurisdiction j2, out of range (2 jurisdictions)"
  ) {
    $0.jurisdictionMaps = [[0, 2]]
  },
  BrokenImage("type naming no enum", at: nil, "type 2 names enum 2, out of range (2 enums)") {
    $0.types[2] = .table(key: 2, value: .int)
  },
  BrokenImage(
    "field type naming no record", at: nil,
    "record 0 `Person` field `children` names record 4, out of range (4 records)"
  ) {
    $0.records[0].fields[3].type = .list(.record(4))
  },
  BrokenImage(
    "definition type naming no enum", at: nil,
    "definition 1 `eligible` type names enum -1, out of range"
  ) {
    $0.definitions[1].type = .optional(.enumeration(-1))
  },
  BrokenImage("bounds with neither side", at: nil, "has bounds with neither a low nor a high one") {
    $0.records[3].fields[0].bounds = (nil, nil)
  },
  BrokenImage("input record", at: nil, "input record 4 is out of range (4 records)") {
    $0.inputRecord = 4
  },
  BrokenImage("type nested too deep", at: nil, "type 8 is nested more than 64 levels deep") {
    var type = SchemaType.int
    for _ in 0..<PolicyImage.maximumTypeDepth { type = .list(type) }
    $0.types.append(type)
  },

  // Constants.
  BrokenImage(
    "big constant naming no exact constant", at: nil,
    "constant k3 names exact constant x2, out of range (2 exact constants)"
  ) {
    $0.constants[3] = Register(word: 2, tag: Register.bigTag)
  },
  BrokenImage(
    "big constant in a list", at: nil,
    "constant list l1 item 0 names exact constant x-1, out of range"
  ) {
    $0.constantLists[1][0] = Register(word: -1, tag: Register.bigTag)
  },
  BrokenImage(
    "big bound", at: nil,
    "record 0 `Person` field `income` high bound names exact constant x5, out of range"
  ) {
    $0.records[0].fields[2].bounds = (.integer(0), Register(word: 5, tag: Register.bigTag))
  },
  BrokenImage(
    "malformed exact constant", at: nil, "exact constant x0 `12e3` is not a decimal or `p/q` number"
  ) {
    $0.exactConstants[0] = "12e3"
  },
  BrokenImage(
    "exact constant dividing by zero", at: nil,
    "exact constant x1 `1/00` is not a decimal or `p/q` number"
  ) {
    $0.exactConstants[1] = "1/00"
  },
  BrokenImage(
    "rational not in lowest terms", at: nil, "constant k2 is the rational 4/2, not in lowest terms"
  ) {
    $0.constants[2] = Register(word: 4, tag: 2)
  },
  BrokenImage("undefined register tag", at: nil, "constant k2 has the undefined tag -4") {
    $0.constants[2] = Register(word: 1, tag: -4)
  },

  // Kinds: what registers hold.
  BrokenImage(
    "field of a value that is not a record", at: 15,
    "`field` operand b: r3 holds a scalar (a number, date, duration or Bool), not a record"
  ) {
    $0.code[15] = Instruction(.field, 6, 3, 1)
  },
  BrokenImage(
    "field past the record's fields", at: 15,
    "`field` operand c: field 4 is out of range (`Input` has 4 fields)"
  ) {
    $0.code[15] = Instruction(.field, 6, 0, 4)
  },
  BrokenImage(
    "register read before it is written", at: 8,
    "`age` operand c: r16 holds no value on some path to it"
  ) {
    $0.code[8] = Instruction(.age, 3, 1, 16)
  },
  BrokenImage(
    "register written on one path only", at: 41,
    "`less` operand c: r6 holds no value on some path to it"
  ) {
    // r6 is written in the loop's body, not before the loop is first entered.
    $0.code[41] = Instruction(.less, 5, 2, 6)
  },
  BrokenImage(
    "jurisdiction of a value that is not an enum case", at: 18,
    "`callAt` operand b: r3 holds a scalar (a number, date, duration or Bool), not an enum case"
  ) {
    $0.code[18] = Instruction(.callAt, 7, 3, 0)
  },
  BrokenImage(
    "jurisdiction map of another enum", at: 18,
    "`callAt` operand c: jurisdiction map m0 has 3 entries, not one per case of Province (2)"
  ) {
    $0.jurisdictionMaps = [[0, 1, 1]]
  },
  BrokenImage(
    "length of a value that is not a list", at: 37,
    "`length` operand b: r0 holds a scalar (a number, date, duration or Bool), not a list"
  ) {
    $0.code[36] = Instruction(.constant, 0, wide: 0)
  },
  BrokenImage(
    "item of a list", at: 43, "`item` operand b: r0 holds List<scalar>, not a table"
  ) {
    $0.code[43] = Instruction(.item, 6, 0, 2)
  },
  BrokenImage(
    "append to a finished list", at: 43,
    "`append` operand a: r0 holds List<scalar>, not a list under construction"
  ) {
    $0.code[43] = Instruction(.append, 0, 2)
  },
  BrokenImage(
    "texts compared that are not texts", at: 21,
    "`textEqual` operand b: r8 holds a scalar (a number, date, duration or Bool), not Text"
  ) {
    $0.code[21] = Instruction(.textEqual, 9, 8, 7)
  },
  BrokenImage(
    "record of the wrong size", at: 28,
    "`newRecord` makes a `Period` from 3 registers, not one per field (2)"
  ) {
    $0.code[28] = Instruction(.newRecord, 15, 10, 3)
  },
  BrokenImage(
    "list made with a record type", at: 26,
    "`newList` operand extra.bc: type Period is not a list or table"
  ) {
    $0.code[27] = Instruction(.extra, 0, wide: 0)
  },
  BrokenImage(
    "value of the wrong type returned", at: 14,
    "`return` operand a: r5 holds a scalar (a number, date, duration or Bool), not Text"
  ) {
    $0.definitions[1].type = .text
  },
  BrokenImage("constant types missing", at: nil, "0 constant types for 13 constants") {
    $0.constantTypes = []
  },
  BrokenImage("constant type out of range", at: nil, "constant k3 has type 8, out of range") {
    $0.constantTypes[3] = 8
  },
  BrokenImage(
    "constant list of the wrong shape", at: nil,
    "constant k4 is not a value of its type Period"
  ) {
    $0.constantTypes[4] = 0
  },
  BrokenImage(
    "text constant out of range", at: nil, "constant k5 is not a value of its type Text"
  ) {
    $0.constantTypes[5] = 7
  },
  BrokenImage(
    "unknown constant of a record type", at: nil,
    "constant k9 of type Period holds an unknown value"
  ) {
    $0.constantTypes[9] = 0
  },

  // Limits.
  BrokenImage(
    "frame too large", at: nil,
    "definition 1 `eligible`: frame of 4097 registers exceeds the limit of 4096"
  ) {
    $0.definitions[1].frameSize = 4097
  },
  BrokenImage(
    "frames too large in all", at: nil,
    "frames of 4198400 registers in all exceed the limit of 4194304"
  ) {
    $0.definitions = Array(
      repeating: DefinitionInfo(
        name: "big", kind: .rule, type: .int, hasReason: false, entries: [0, 0], frameSize: 4096),
      count: 1025)
  },
  BrokenImage(
    "too many entry points", at: nil,
    "2049 definitions in 2048 jurisdictions exceed the limit of 4194304 entry points"
  ) {
    $0.jurisdictions = (0..<2048).map { "j\($0)" }
    $0.definitions = Array(
      repeating: DefinitionInfo(
        name: "small", kind: .rule, type: .int, hasReason: false, entries: [], frameSize: 1),
      count: 2049)
  },
]

@Test func theSampleImageIsAccepted() throws {
  try Verifier.verify(sampleImage())
  // So is its round trip through a compiled file.
  let file = try CompiledFile.decode(sampleImage().compiledFile(compilerVersion: "t").encoded())
  try Verifier.verify(try PolicyImage(decoding: file))
}

@Test(arguments: brokenImages)
func eachCheckRejectsItsBrokenImage(_ broken: BrokenImage) {
  var image = sampleImage()
  broken.breakImage(&image)
  do {
    try Verifier.verify(image)
    Issue.record("\(broken.name): accepted")
  } catch {
    #expect(error.instruction == broken.instruction, "\(error)")
    #expect(error.message.contains(broken.message), "\(error)")
    #expect(error.description.last != ".")
    if let instruction = broken.instruction {
      #expect(error.description.hasPrefix("instruction \(instruction): `"))
    }
  }
}

@Test func errorsDescribeTheirInstruction() {
  let error = VerificationError(instruction: 42, message: "`add` falls off the end of the code")
  #expect(error.description == "instruction 42: `add` falls off the end of the code")
  #expect(
    VerificationError(instruction: nil, message: "no jurisdictions").description
      == "no jurisdictions")
}

@Test func aLoopThroughAStepIsAccepted() throws {
  // The smallest loop: a definition that steps forever is bounded by the step limit.
  var builder = CodeBuilder()
  builder.emit(.step)
  builder.emit(Instruction(.jump, 0, wide: 0))
  var image = sampleImage()
  image.code = builder.code
  image.debug = builder.debug
  image.definitions = [
    DefinitionInfo(
      name: "spin", kind: .rule, type: .int, hasReason: false, entries: [0, 0], frameSize: 0)
  ]
  try Verifier.verify(image)
  image.code[0] = Instruction(.jump, 0, wide: 0)
  #expect(throws: VerificationError.self) { try Verifier.verify(image) }
}

/// Length bounds belong to lists: on another field the readers would count the items of a
/// value that has none.
@Test func lengthBoundsOnANonListFieldAreRejected() throws {
  var image = sampleImage()
  image.records[0].fields[2].boundsOnLength = true  // `income: Money`
  do {
    try Verifier.verify(image)
    Issue.record("length bounds on a Money field verified")
  } catch {
    #expect(error.description.contains("has length bounds but is not a list"), "\(error)")
  }
}

/// A tiny image whose input has an optional record: `d0` returns the record's `from` date, or
/// the as-of date when there is none.
private func optionalRecordImage(guarded: Bool) -> PolicyImage {
  var builder = CodeBuilder()
  builder.emit(.input, 0)  // 0
  builder.emit(.field, 1, 0, 0)  // 1: application.period (Period?)
  builder.emit(Instruction(.extra, 0, wide: 0))  // 2
  // 3: the guard (jump to @7 when none), or a `step` in its place.
  builder.emit(guarded ? Instruction(.jumpIfNone, 1, wide: 7) : Instruction(.step))
  builder.emit(.field, 0, 1, 0)  // 4: its `from`
  builder.emit(Instruction(.extra, 0, wide: 0))  // 5
  builder.emit(.return, 0, PolicyImage.noText)  // 6
  builder.emit(.asOf, 0)  // 7
  builder.emit(.return, 0, PolicyImage.noText)  // 8
  let field = { (name: String, type: SchemaType) in
    RecordSchema.Field(name: name, type: type, bounds: nil, boundsOnLength: false)
  }
  return PolicyImage(
    name: "optional", code: builder.code, constants: [], exactConstants: [], constantLists: [],
    texts: ["period"],
    definitions: [
      DefinitionInfo(
        name: "d0", kind: .decision, type: .date, hasReason: false, entries: [0], frameSize: 2)
    ],
    jurisdictions: ["national"], jurisdictionMaps: [], enums: [],
    records: [
      RecordSchema(name: "Period", fields: [field("from", .date), field("until", .date)]),
      RecordSchema(name: "In", fields: [field("period", .optional(.record(0)))]),
    ],
    inputRecord: 1, types: [], debug: builder.debug, sourceFiles: ["p.regula", "q.regula"])
}

/// Past a `jumpIfNone`, an optional record is a record; without the guard it is not.
@Test func aGuardedOptionalRecordIsARecordPastItsGuard() throws {
  try Verifier.verify(optionalRecordImage(guarded: true))
  do {
    try Verifier.verify(optionalRecordImage(guarded: false))
    Issue.record("a field of an optional record was read unguarded")
  } catch {
    #expect(error.instruction == 4)
    #expect(error.message == "`field` operand b: r1 holds Period?, not a record")
  }
}

/// Kinds join where paths meet: a register that is a record on one path and none on the other
/// is an optional record after the join, and reading a field of it needs a guard.
@Test func kindsJoinWherePathsMeet() throws {
  var image = optionalRecordImage(guarded: true)
  // @3 jumps to @7 when none; make @7 fall into the field read at @4's kind check instead:
  // `none r1` on the jump's path, then both paths meet at a field read of r1.
  image.code[6] = Instruction(.jump, 0, wide: 9)
  image.code[7] = Instruction(.none, 1)
  image.code[8] = Instruction(.jump, 0, wide: 9)
  image.code += [
    Instruction(.field, 0, 1, 1), Instruction(.extra, 0, wide: 0),
    Instruction(.return, 0, PolicyImage.noText),
  ]
  image.debug += Array(repeating: image.debug[0], count: 3)
  do {
    try Verifier.verify(image)
    Issue.record("a record joined with none was read as a record")
  } catch {
    #expect(error.instruction == 9)
    #expect(error.message == "`field` operand b: r1 holds Period?, not a record")
  }
}

/// An image of one definition `d0` with `frame` registers, the given code and texts, for the
/// tests of what verification costs.
private func oneDefinitionImage(
  frame: UInt16, code: [Instruction], type: SchemaType = .bool, constants: [Register] = [],
  constantTypes: [UInt32] = [], constantLists: [[Register]] = [], records: [RecordSchema] = [],
  types: [SchemaType] = []
) -> PolicyImage {
  var image = PolicyImage(
    name: "cost", code: code, constants: constants, exactConstants: [],
    constantLists: constantLists, texts: ["t"],
    definitions: [
      DefinitionInfo(
        name: "d0", kind: .decision, type: type, hasReason: false, entries: [0],
        frameSize: frame)
    ],
    jurisdictions: ["national"], jurisdictionMaps: [], enums: [],
    records: records + [RecordSchema(name: "In", fields: [])],
    inputRecord: records.count, types: types,
    debug: Array(
      repeating: DebugEntry(definition: 0, file: 0, start: 0, end: 0), count: code.count),
    sourceFiles: [])
  image.constantTypes = constantTypes
  return image
}

/// A constant record whose field is the next constant list, 200,000 deep: checked with a
/// worklist, not recursion, so the verifier does not run out of stack.
@Test func aDeepChainOfConstantListsIsCheckedWithoutRecursion() throws {
  let depth = 200_000
  let node = RecordSchema(
    name: "Node",
    fields: [.init(name: "next", type: .optional(.record(0)), bounds: nil, boundsOnLength: false)])
  var lists = (0..<depth).map { [Register.integer(Int64($0 + 1))] }
  lists.append([.none])
  let image = oneDefinitionImage(
    frame: 1,
    code: [Instruction(.constant, 0, wide: 0), Instruction(.return, 0, PolicyImage.noText)],
    type: .record(0), constants: [.integer(0)], constantTypes: [0], constantLists: lists,
    records: [node], types: [.record(0)])
  try Verifier.verify(image)
  // A link deep down that names no constant list is found.
  var broken = image
  broken.constantLists[depth - 1] = [.integer(Int64(depth + 5))]
  do {
    try Verifier.verify(broken)
    Issue.record("a chain with a broken link verified")
  } catch {
    #expect(error.message.contains("constant k0 is not a value of its type Node"), "\(error)")
  }
}

/// A loop that widens one register per pass, past thousands of jump targets, with a frame of
/// 4,096 registers: the fixed point would take ~7·10^10 steps; the analysis stops at its work
/// limit instead.
@Test func anImageTooCostlyToAnalyseIsRefused() throws {
  let frame = 4096
  let targets = 4000
  var code: [Instruction] = (0..<frame).map { Instruction(.constant, UInt16($0), wide: 0) }
  let head = code.count
  code.append(Instruction(.step))
  for _ in 0..<targets { code.append(Instruction(.jump, 0, wide: UInt32(code.count + 1))) }
  for register in stride(from: frame - 1, to: 0, by: -1) {
    code.append(Instruction(.move, UInt16(register), UInt16(register - 1)))
  }
  code.append(Instruction(.asOf, 0))
  code.append(Instruction(.jump, 0, wide: UInt32(head)))
  let image = oneDefinitionImage(
    frame: UInt16(frame), code: code, constants: [.integer(0)], constantTypes: [0],
    types: [.text])
  do {
    try Verifier.verify(image)
    Issue.record("an image whose analysis never ends in time verified")
  } catch {
    #expect(error.message.contains("exceeds its work limit"), "\(error)")
  }
}

/// `d0` needs `d1`, which needs `d2`, … `count` definitions deep.
private func callChainImage(_ count: Int) -> PolicyImage {
  var builder = CodeBuilder()
  var definitions: [DefinitionInfo] = []
  for index in 0..<count {
    builder.definition = UInt16(index)
    let entry = builder.next
    if index + 1 < count {
      builder.emit(Instruction(.call, 0, wide: UInt32(index + 1)))
    } else {
      builder.emit(Instruction(.constant, 0, wide: 0))
    }
    builder.emit(.return, 0, PolicyImage.noText)
    definitions.append(
      DefinitionInfo(
        name: "d\(index)", kind: index == 0 ? .decision : .rule, type: .int, hasReason: false,
        entries: [entry], frameSize: 1))
  }
  var image = PolicyImage(
    name: "chain", code: builder.code, constants: [.integer(1)], exactConstants: [],
    constantLists: [], texts: [], definitions: definitions, jurisdictions: ["national"],
    jurisdictionMaps: [], enums: [], records: [RecordSchema(name: "In", fields: [])],
    inputRecord: 0, types: [.int], debug: builder.debug, sourceFiles: ["a", "b"])
  image.constantTypes = [0]
  return image
}

/// Traces are trees as deep as the longest chain of calls, built and rendered by recursion: a
/// chain over `maximumCallDepth` is refused, one at the limit verifies.
@Test func aChainOfCallsOverTheDepthLimitIsRefused() throws {
  try Verifier.verify(callChainImage(Verifier.maximumCallDepth))
  do {
    try Verifier.verify(callChainImage(Verifier.maximumCallDepth + 1))
    Issue.record("a chain of 1,001 calls verified")
  } catch {
    #expect(
      error.message
        == "`d0` starts a chain of 1001 calls, over the limit of 1000 (limit `call_depth`)")
  }
}
