// Policy images to compiled files and back: round trips of hand-built images, every section's
// rejections, and a mutation test that runs decoder and verifier on thousands of forged files.
import RegulaBytecode
import Testing

/// Builds code and its debug table together, one definition at a time.
struct CodeBuilder {
  var code: [Instruction] = []
  var debug: [DebugEntry] = []
  var definition: UInt16 = 0

  /// Appends an instruction of the current definition; returns its index.
  @discardableResult
  mutating func emit(_ opcode: Opcode, _ a: UInt16 = 0, _ b: UInt16 = 0, _ c: UInt16 = 0) -> Int {
    emit(Instruction(opcode, a, b, c))
  }

  @discardableResult
  mutating func emit(_ instruction: Instruction) -> Int {
    code.append(instruction)
    let start = UInt32(10 * code.count)
    debug.append(
      DebugEntry(definition: definition, file: UInt16(code.count % 2), start: start, end: start + 7)
    )
    return code.count - 1
  }

  var next: UInt32 { UInt32(code.count) }
}

/// A small policy using every section and every operand kind: two jurisdictions with a map,
/// big constants, constant lists, records with bounds, a loop, calls across jurisdictions.
///
/// Definitions: d0 `threshold` (a parameter, 100 nationally, a big value in SH);
/// d1 `eligible` (a decision with a reason); d2 `total` (a rule summing a list in a loop).
func sampleImage() -> PolicyImage {
  var builder = CodeBuilder()

  // d0 `threshold`, national @0 and SH @2.
  builder.definition = 0
  builder.emit(Instruction(.constant, 0, wide: 1))  // k1 = 100
  builder.emit(.return, 0, PolicyImage.noText)
  builder.emit(Instruction(.constant, 0, wide: 3))  // k3 = big x0
  builder.emit(.return, 0, PolicyImage.noText)

  // d1 `eligible`, both jurisdictions @4.
  builder.definition = 1
  builder.emit(.input, 0)  // 4
  builder.emit(.field, 1, 0, 1)  // 5: province
  builder.emit(Instruction(.extra, 0, wide: 0))  // 6: text t0
  builder.emit(.asOf, 2)  // 7
  builder.emit(.age, 3, 1, 2)  // 8
  builder.emit(Instruction(.constant, 4, wide: 5))  // 9: k5 = 18
  builder.emit(.jumpIfNotLess, 3, 4)  // 10
  builder.emit(Instruction(.extra, 0, wide: 15))  // 11: → 15
  builder.emit(Instruction(.failCondition, 0, wide: 2))  // 12: "too young"
  builder.emit(Instruction(.constant, 5, wide: 6))  // 13: false
  builder.emit(.return, 5, 2)  // 14
  builder.emit(.field, 6, 0, 1)  // 15: province
  builder.emit(Instruction(.extra, 0, wide: 3))  // 16: text t3
  builder.emit(.step)  // 17
  builder.emit(.callAt, 7, 6, 0)  // 18: threshold at the map m0 of the province
  builder.emit(Instruction(.extra, 0, wide: 0))  // 19: d0
  builder.emit(Instruction(.call, 8, wide: 2))  // 20: total
  builder.emit(.lessEqual, 9, 8, 7)  // 21
  builder.emit(.datePart, 10, 1, 0)  // 22: birth year
  builder.emit(Instruction(.constant, 11, wide: 7))  // 23: k7 = 1
  builder.emit(.move, 12, 11)  // 24
  builder.emit(.makeDate, 13, 10)  // 25: date(year, 1, 1) from r10...r12
  builder.emit(.newList, 14, 9, 3)  // 26: [r9, r10, r11]
  builder.emit(Instruction(.extra, 0, wide: 1))  // 27: type 1
  builder.emit(.newRecord, 15, 10, 2)  // 28: a `Period` of r10, r11
  builder.emit(Instruction(.extra, 0, wide: 0))  // 29: type 0
  builder.emit(.deepEqual, 16, 14, 14)  // 30
  builder.emit(Instruction(.extra, 0, wide: 1))  // 31: type 1
  builder.emit(.dateAddMonths, 13, 13, 11)  // 32
  builder.emit(.extra, 1)  // 33: end of month
  builder.emit(Instruction(.reasonOf, 16, wide: 0))  // 34
  builder.emit(.return, 9, 1)  // 35: "eligible"

  // d2 `total`, both jurisdictions @36: sum of the constant list l0.
  builder.definition = 2
  builder.emit(Instruction(.constant, 0, wide: 4))  // 36: l0
  builder.emit(.length, 1, 0)  // 37
  builder.emit(Instruction(.constant, 2, wide: 0))  // 38: index = 0
  builder.emit(Instruction(.constant, 3, wide: 0))  // 39: sum = 0
  builder.emit(Instruction(.constant, 4, wide: 7))  // 40: one
  builder.emit(.less, 5, 2, 1)  // 41: loop
  builder.emit(Instruction(.jumpIfFalse, 5, wide: 48))  // 42
  builder.emit(.move, 6, 2)  // 43
  builder.emit(.add, 3, 3, 6)  // 44
  builder.emit(.add, 2, 2, 4)  // 45
  builder.emit(.step)  // 46
  builder.emit(Instruction(.jump, 0, wide: 41))  // 47
  builder.emit(.toRational, 7, 3)  // 48
  builder.emit(.roundPlaces, 7, 7, 1)  // 49
  builder.emit(.extra, 2)  // 50: places 2
  builder.emit(.divideRound, 8, 3, 4)  // 51
  builder.emit(.extra, 0)  // 52: half up
  builder.emit(.roundMultiple, 8, 7, 4)  // 53
  builder.emit(.extra, 4)  // 54: unit r4
  builder.emit(.return, 3, PolicyImage.noText)  // 55

  let money = SchemaType.money
  var image = PolicyImage(
    name: "sample benefit",
    code: builder.code,
    constants: [
      .integer(0), .integer(100), Register(word: 3, tag: 2),
      Register(word: 0, tag: Register.bigTag),
      .integer(0), .integer(18), .bool(false), .integer(1), .none, .unknown,
      Register(word: 1, tag: Register.bigTag), .integer(.min), .integer(.max),
    ],
    exactConstants: ["123456789012345678901234567890", "-1/3"],
    constantLists: [
      [.integer(1), .integer(2), .integer(-3)], [Register(word: 1, tag: Register.bigTag), .none],
      [],
    ],
    texts: ["applicant.birth", "eligible", "too young", "province", "税额 “quoted” \\ \n"],
    definitions: [
      DefinitionInfo(
        name: "threshold", kind: .parameter, type: money, hasReason: false, entries: [0, 2],
        frameSize: 1),
      DefinitionInfo(
        name: "eligible", kind: .decision, type: .bool, hasReason: true, entries: [4, 4],
        frameSize: 17),
      DefinitionInfo(
        name: "total", kind: .rule, type: money, hasReason: false, entries: [36, 36],
        frameSize: 9),
    ],
    jurisdictions: ["national", "SH"],
    jurisdictionMaps: [[0, 1]],
    enums: [
      EnumSchema(name: "Province", cases: ["beijing", "shanghai"]),
      EnumSchema(name: "Status", cases: ["single", "married", "widowed"]),
    ],
    records: [
      RecordSchema(
        name: "Person",
        fields: [
          .init(name: "name", type: .text, bounds: nil, boundsOnLength: false),
          .init(name: "birth", type: .date, bounds: nil, boundsOnLength: false),
          .init(
            name: "income", type: money,
            bounds: (low: .integer(0), high: Register(word: 0, tag: Register.bigTag)),
            boundsOnLength: false),
          .init(
            name: "children", type: .list(.record(0)),
            bounds: (low: .integer(0), high: .integer(20)),
            boundsOnLength: true),
        ]),
      RecordSchema(
        name: "Input",
        fields: [
          .init(name: "applicant", type: .record(0), bounds: nil, boundsOnLength: false),
          .init(name: "province", type: .enumeration(0), bounds: nil, boundsOnLength: false),
          .init(
            name: "rate", type: .optional(.decimal),
            bounds: (low: Register(word: -1, tag: 2), high: Register(word: 7, tag: 3)),
            boundsOnLength: false),
          .init(
            name: "allowances", type: .table(key: 1, value: .exactMoney), bounds: nil,
            boundsOnLength: false),
        ]),
      RecordSchema(
        name: "Period",
        fields: [
          .init(name: "from", type: .date, bounds: nil, boundsOnLength: false),
          .init(name: "until", type: .date, bounds: nil, boundsOnLength: false),
        ]),
      // One-sided bounds, in a record no code builds: `at least 0`, and `length at most 3`.
      RecordSchema(
        name: "Bounded",
        fields: [
          .init(
            name: "age", type: .int, bounds: (low: .integer(0), high: nil),
            boundsOnLength: false),
          .init(
            name: "kids", type: .list(.int), bounds: (low: nil, high: .integer(3)),
            boundsOnLength: true),
        ]),
    ],
    inputRecord: 1,
    types: [
      .record(2), .list(.optional(.decimal)), .table(key: 0, value: .list(.years)), .days, .months,
      .int, .bool, .text,
    ],
    debug: builder.debug,
    sourceFiles: ["benefit.regula", "rates/shanghai.regula"])
  // k4 is the list l0; the others are plain values.
  image.constantTypes = [5, 5, 5, 5, 1, 5, 6, 5, 5, 5, 5, 5, 5]
  return image
}

/// Replaces the stored hash with the hash of the content, as a forger would, so that a
/// mutation reaches the section decoders.
func forged(_ bytes: [UInt8]) -> [UInt8] {
  guard bytes.count >= CompiledFile.contentOffset else { return bytes }
  var result = bytes
  let hash = SHA256.hash(bytes[CompiledFile.contentOffset...])
  result.replaceSubrange(CompiledFile.hashOffset..<CompiledFile.contentOffset, with: hash)
  return result
}

private func roundTripped(_ image: PolicyImage) throws -> PolicyImage {
  let bytes = image.compiledFile(compilerVersion: "regula test").encoded()
  let file = try CompiledFile.decode(bytes)
  #expect(file.compilerVersion == "regula test")
  return try PolicyImage(decoding: file)
}

private func decodingError(_ file: CompiledFile) -> CompiledFileError? {
  caught { () throws(CompiledFileError) in try PolicyImage(decoding: file) }
}

private func emptyImage() -> PolicyImage {
  PolicyImage(
    name: "", code: [], constants: [], exactConstants: [], constantLists: [], texts: [],
    definitions: [], jurisdictions: [], jurisdictionMaps: [], enums: [], records: [],
    inputRecord: 0, types: [], debug: [], sourceFiles: [])
}

@Test func sampleImageVerifies() throws {
  try Verifier.verify(sampleImage())
}

@Test func imagesRoundTripThroughCompiledFiles() throws {
  var deep = SchemaType.int
  for _ in 1..<PolicyImage.maximumTypeDepth { deep = .optional(deep) }
  var odd = sampleImage()
  odd.inputRecord = -7
  odd.types.append(.enumeration(Int.max))
  odd.types.append(.table(key: Int.min, value: .int))
  odd.types.append(deep)
  odd.constants.append(Register(word: .min, tag: .min))
  odd.debug[0] = DebugEntry(definition: .max, file: .max, start: .max, end: 0)
  odd.definitions[0].frameSize = .max
  odd.definitions[0].entries = [.max, 0]
  odd.jurisdictionMaps.append([.max, 0, 1])
  for image in [sampleImage(), emptyImage(), odd] {
    #expect(try roundTripped(image) == image)
  }
}

@Test func encodingIsDeterministicAndCanonical() throws {
  let image = sampleImage()
  let bytes = image.compiledFile(compilerVersion: "v1").encoded()
  #expect(sampleImage().compiledFile(compilerVersion: "v1").encoded() == bytes)
  let decoded = try PolicyImage(decoding: CompiledFile.decode(bytes))
  #expect(decoded.compiledFile(compilerVersion: "v1").encoded() == bytes)
  let file = image.compiledFile(compilerVersion: "v1")
  #expect(Set(file.sections.keys) == [.code, .constants, .debug, .schema, .metadata, .citations])
  #expect(file.sections[.code]?.count == 1 + 8 * image.code.count)
}

@Test func codeSectionLayout() {
  var image = emptyImage()
  image.code = [Instruction(.add, 1, 0x0203, 0xFFFF)]
  let payload = image.compiledFile(compilerVersion: "").sections[.code]
  #expect(
    payload == [0x01, UInt8(Opcode.add.rawValue), 0x00, 0x01, 0x00, 0x03, 0x02, 0xFF, 0xFF])
}

@Test func sectionErrorsNameFileOffsets() throws {
  let good = sampleImage().compiledFile(compilerVersion: "rc")
  // Payload offsets: header 42, "rc" 3 bytes, section count 2, then 6 header bytes per section.
  let codeOffset = 42 + 3 + 2 + 6
  let constantsOffset = codeOffset + (good.sections[.code]?.count ?? 0) + 6

  var file = good
  file.sections[.debug] = nil
  #expect(decodingError(file) == .missingSection(.debug, at: 45))

  file = good
  file.sections[.code]?[1] = 0xFF  // the first opcode, low byte
  file.sections[.code]?[2] = 0xFF
  #expect(decodingError(file) == .unknownOpcode(0xFFFF, at: codeOffset + 1))

  file = good
  file.sections[.code]?.removeLast()
  #expect(decodingError(file) == .truncated(at: codeOffset, needed: 8 * 56))

  file = good
  file.sections[.code]?.append(0)
  #expect(decodingError(file) == .trailingBytes(at: codeOffset + 1 + 8 * 56, count: 1))

  file = good
  file.sections[.constants] = [0x01, 0x80, 0x00]  // one register whose word is not minimal
  #expect(decodingError(file) == .varintNotMinimal(at: constantsOffset + 1))

  file = good
  file.sections[.debug] = [0x01, 0x80, 0x80, 0x04, 0, 0, 0]  // definition 65536
  let error = decodingError(file)
  #expect(error == .valueOverLimit(at: error?.offset ?? 0, value: 65536, limit: 65535))

  var image = emptyImage()
  image.types = [.int]
  file = image.compiledFile(compilerVersion: "")
  file.sections[.schema]?[4] = 15  // the type tag after enums, records, input record, count
  #expect(decodingError(file)?.description.hasPrefix("invalid type tag 15 at offset") == true)

  image.types = [.optional(.int)]
  file = image.compiledFile(compilerVersion: "")
  let tooDeep = [UInt8](repeating: 13, count: PolicyImage.maximumTypeDepth) + [1]
  file.sections[.schema]?.replaceSubrange(4..<6, with: tooDeep)
  #expect(
    decodingError(file)?.description.contains(
      "is nested more than \(PolicyImage.maximumTypeDepth) levels deep") == true)

  image = emptyImage()
  image.records = [
    RecordSchema(
      name: "", fields: [.init(name: "", type: .int, bounds: nil, boundsOnLength: false)])
  ]
  file = image.compiledFile(compilerVersion: "")
  // Field flags: a bit no version defines; "no low bound" on a field without bounds; both
  // bounds absent.
  for flags: UInt8 in [32, 8, 1 | 8 | 16] {
    file.sections[.schema]?[6] = flags
    #expect(
      decodingError(file)?.description.hasPrefix("invalid field flags \(flags) at offset") == true)
  }

  // A count beyond the remaining bytes is rejected before anything is allocated.
  file = good
  file.sections[.metadata] = [0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
  #expect(decodingError(file)?.description.hasPrefix("unexpected end of data") == true)

  // Every error names its offset.
  for error in [decodingError(file), decodingError(good)].compactMap(\.self) {
    #expect(error.description.contains("offset \(error.offset)"))
  }
}

@Test func disassemblyIsDeterministicAndTotal() {
  let text = Disassembler.disassemble(sampleImage())
  #expect(text == Disassembler.disassemble(sampleImage()))
  let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  #expect(lines.first == "policy `sample benefit`")
  #expect(lines.contains("  d1  `eligible`  decision  Bool  frame 17  reason"))
  #expect(lines.contains("      SH        @0002"))
  #expect(lines.contains("`threshold` in SH:"))
  #expect(
    lines.contains(
      "  0005  field             r1, r0, field 1                        ; benefit.regula:60-67"))
  #expect(
    lines.contains(
      "  0006    extra           \"applicant.birth\"                      "
        + "; rates/shanghai.regula:70-77"
    ))
  #expect(
    lines.contains(
      "  0017  step                                                     ; benefit.regula:180-187"))
  #expect(
    lines.contains {
      $0.hasPrefix("  0002  constant          r0, k3 (x0 123456789012345678901234567890: Int)")
    })
  #expect(lines.contains { $0.hasPrefix("  0018  callAt            r7, r6, m0") })
  #expect(lines.contains { $0.hasPrefix("  0019    extra           `threshold`") })
  #expect(lines.contains { $0.hasPrefix("  0026  newList           r14, [r9, r10, r11]") })
  #expect(lines.contains { $0.hasPrefix("  0027    extra           List<Decimal?>") })
  #expect(lines.contains { $0.hasPrefix("  0028  newRecord         r15, [r10, r11]") })
  #expect(lines.contains { $0.hasPrefix("  0029    extra           Period") })
  #expect(lines.contains { $0.hasPrefix("  0031    extra           List<Decimal?>") })
  #expect(lines.contains { $0.hasPrefix("  0033    extra           endOfMonth") })
  #expect(lines.contains { $0.hasPrefix("  0035  return            r9, \"eligible\"") })
  #expect(lines.contains { $0.hasPrefix("  0042  jumpIfFalse       r5, @0048") })

  // An unverified image prints without trapping, marking what is out of range.
  var broken = sampleImage()
  broken.code[1] = Instruction(.return, 0, 77)
  broken.code[2] = Instruction(.call, 0, wide: 99)
  broken.debug.removeLast()
  broken.definitions[0].entries.append(5000)
  broken.types[0] = .record(42)
  let printed = Disassembler.disassemble(broken)
  #expect(printed.contains("return            r0, t77?"))
  #expect(printed.contains("call              r0, d99?"))
  #expect(printed.contains("      j2?       @5000\n"))
}

/// Flips, truncates and splices bytes of an encoded image, re-hashing each mutant so that it
/// reaches the section decoders. Each must be rejected by the decoder, rejected by the
/// verifier, or verify — and whatever decodes must disassemble and re-encode to its own bytes.
/// A crash fails the whole run. Four shards of the same seeded mutants run in parallel.
@Test(arguments: 0..<4)
func mutatedImagesAreRejectedOrVerify(shard: Int) {
  let good = forged(sampleImage().compiledFile(compilerVersion: "mutation").encoded())
  var random = SplitMix64(seed: 0xB17E_C0DE + UInt64(shard))
  var mutants: [[UInt8]] = []
  for offset in CompiledFile.contentOffset..<good.count where offset % 4 == shard {
    var flipped = good
    flipped[offset] ^= 1 << UInt8(random.below(8))
    mutants.append(flipped)
  }
  for length in stride(from: shard, to: good.count, by: 16) {
    mutants.append(Array(good[..<length]))
  }
  for _ in 0..<900 {
    var bytes = good
    let start = CompiledFile.contentOffset + random.below(bytes.count - CompiledFile.contentOffset)
    let end = min(bytes.count, start + 1 + random.below(24))
    switch random.below(5) {
    case 0: bytes.replaceSubrange(start..<end, with: random.bytes(end - start))
    case 1: bytes.removeSubrange(start..<end)
    case 2: bytes.insert(contentsOf: random.bytes(1 + random.below(24)), at: start)
    case 3:  // a small value in a random place: counts, indices and tags go out of range
      bytes[start] = UInt8(random.below(4)) &+ (random.below(2) == 0 ? 0 : 0x7C)
    default:
      let chunk = Array(good[start..<end])
      bytes.insert(contentsOf: chunk, at: random.below(bytes.count + 1))
    }
    mutants.append(bytes)
  }

  var rejectedByDecoder = 0
  var rejectedByVerifier = 0
  var verified = 0
  for mutant in mutants {
    let bytes = forged(mutant)
    let image: PolicyImage
    let file: CompiledFile
    do {
      file = try CompiledFile.decode(bytes)
      image = try PolicyImage(decoding: file)
    } catch {
      rejectedByDecoder += 1
      #expect(error.description.contains("offset \(error.offset)"), "\(error)")
      continue
    }
    _ = Disassembler.disassemble(image)
    if file.sections[.citations] == nil {
      #expect(image.compiledFile(compilerVersion: file.compilerVersion).encoded() == bytes)
    }
    do {
      try Verifier.verify(image)
      verified += 1
    } catch {
      rejectedByVerifier += 1
      #expect(!error.description.isEmpty && error.description.last != ".")
    }
  }
  #expect(rejectedByDecoder + rejectedByVerifier + verified == mutants.count)
  #expect(mutants.count > 1_200)
  #expect(rejectedByDecoder > 300)
  #expect(rejectedByVerifier > 100)
  #expect(verified > 20)
}
