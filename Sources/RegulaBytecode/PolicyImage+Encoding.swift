// A policy image to and from the sections of a compiled file (see Docs/bytecode.md).
//
// Section payloads (`varint` is unsigned LEB128; `zigzag` is a signed value as a varint,
// 0, -1, 1, -2 … → 0, 1, 2, 3 …; `count` is a varint; a list is a count then its items):
//
//   code       list of instructions: opcode u16, a u16, b u16, c u16 (8 bytes each)
//   constants  list of registers (word zigzag, tag zigzag); list of exact-constant strings;
//              list of constant lists (each a list of registers); list of text strings; list
//              of constant types (varint indices into the schema's types, ≤ 0xFFFF_FFFF)
//   debug      list of entries: definition varint (≤ 0xFFFF), file varint (≤ 0xFFFF),
//              start varint (≤ 0xFFFF_FFFF), end varint (≤ 0xFFFF_FFFF), line varint
//              (≤ 0xFFFF_FFFF, 0 when unknown)
//   schema     list of enums (name, list of case names); list of records (name, list of
//              fields: name, type, flags u8 — bit 0 bounds present, bit 1 bounds on length,
//              bit 2 personal, bit 3 no low bound, bit 4 no high bound (`at most`,
//              `at least`; a bounded field has at least one) —
//              then the low and the high register present, if bounded); input record zigzag;
//              list of types;
//              list of definitions (name, kind u8, type, flags u8 — bit 0 has a reason, bit 1
//              the places u8 ≤ 18 follows —, list of entry varints
//              ≤ 0xFFFF_FFFF, frame size varint ≤ 0xFFFF); list of jurisdiction strings; list
//              of jurisdiction maps (each a list of varints ≤ 0xFFFF)
//   metadata   policy name; list of source file strings; default jurisdiction string; the
//              policy's first and last day in force and the as-of date it was specialised
//              for, each a flag u8 (0 absent, 1 present) and an i64 day number (0 when absent);
//              then, only when some enum case has dates, a non-empty list of the enums that
//              have (enum index varint, ascending; one entry per case: flags u8 — bit 0 dated,
//              bit 1 has an end —, then the first day i64 and the last day i64 as flagged),
//              so that a policy without dated cases keeps the bytes it had before them
//
// A type is a tag byte, then its operands: 0 Bool, 1 Int, 2 Decimal, 3 Money, 4 ExactMoney,
// 5 Date, 6 Days, 7 Months, 8 Years, 9 Text, 10 enum (index zigzag), 11 record (index
// zigzag), 12 list (element type), 13 optional (wrapped type), 14 table (key enum index
// zigzag, value type); at most `PolicyImage.maximumTypeDepth` levels deep.
//
// Every encoding is canonical (minimal varints, no trailing bytes, no unused flag bits), so a
// decoded image re-encodes to the bytes it came from. Decoding checks that every count fits in
// the bytes that remain and every value fits its field; whether the indices point anywhere is
// the verifier's business (`Verifier.verify`).

extension PolicyImage {
  /// The deepest nesting of `SchemaType`s that a compiled file may hold.
  public static let maximumTypeDepth = 64

  /// The image as a compiled file with the code, constants, debug, schema, citations and
  /// metadata sections. Deterministic: equal images give equal files.
  ///
  /// - Precondition: every `SchemaType` is nested at most `maximumTypeDepth` levels deep
  ///   (`Verifier.verify` checks this), so that the file decodes.
  /// - Complexity: O(n) in the size of the image.
  public func compiledFile(compilerVersion: String) -> CompiledFile {
    var code = ByteWriter(reservingCapacity: 10 + 8 * self.code.count)
    code.writeCount(self.code.count)
    for instruction in self.code {
      code.writeUInt16(instruction.opcode.rawValue)
      code.writeUInt16(instruction.a)
      code.writeUInt16(instruction.b)
      code.writeUInt16(instruction.c)
    }

    var constants = ByteWriter()
    constants.writeList(self.constants) { $0.writeRegister($1) }
    constants.writeList(exactConstants) { $0.writeString($1) }
    constants.writeList(constantLists) { writer, list in
      writer.writeList(list) { $0.writeRegister($1) }
    }
    constants.writeList(texts) { $0.writeString($1) }
    constants.writeList(constantTypes) { $0.writeVarUInt(UInt64($1)) }

    var debug = ByteWriter(reservingCapacity: 10 + 10 * self.debug.count)
    debug.writeList(self.debug) { writer, entry in
      writer.writeVarUInt(UInt64(entry.definition))
      writer.writeVarUInt(UInt64(entry.file))
      writer.writeVarUInt(UInt64(entry.start))
      writer.writeVarUInt(UInt64(entry.end))
      writer.writeVarUInt(UInt64(entry.line))
      writer.writeVarUInt(UInt64(entry.column))
    }

    var schema = ByteWriter()
    schema.writeList(enums) { writer, schema in
      writer.writeString(schema.name)
      writer.writeList(schema.cases) { $0.writeString($1) }
    }
    schema.writeList(records) { writer, record in
      writer.writeString(record.name)
      writer.writeList(record.fields) { writer, field in
        writer.writeString(field.name)
        writer.writeType(field.type)
        // Bits 3 and 4 are set only for one-sided bounds, so a file without them keeps its
        // bytes (and its content hash).
        writer.writeUInt8(
          (field.bounds == nil ? 0 : 1) | (field.boundsOnLength ? 2 : 0)
            | (field.isPersonal ? 4 : 0)
            | (field.bounds != nil && field.bounds?.low == nil ? 8 : 0)
            | (field.bounds != nil && field.bounds?.high == nil ? 16 : 0))
        if let bounds = field.bounds {
          if let low = bounds.low { writer.writeRegister(low) }
          if let high = bounds.high { writer.writeRegister(high) }
        }
      }
    }
    schema.writeZigzag(Int64(inputRecord))
    schema.writeList(types) { $0.writeType($1) }
    schema.writeList(definitions) { writer, definition in
      writer.writeString(definition.name)
      writer.writeUInt8(definition.kind.rawValue)
      writer.writeType(definition.type)
      // Bit 0: has a reason; bit 1: the places byte follows (so that a definition without
      // places keeps the bytes, and its file the hash, it had before places existed).
      writer.writeUInt8((definition.hasReason ? 1 : 0) | (definition.places != nil ? 2 : 0))
      if let places = definition.places { writer.writeUInt8(places) }
      writer.writeList(definition.entries) { $0.writeVarUInt(UInt64($1)) }
      writer.writeVarUInt(UInt64(definition.frameSize))
    }
    schema.writeList(jurisdictions) { $0.writeString($1) }
    schema.writeList(jurisdictionMaps) { writer, map in
      writer.writeList(map) { $0.writeVarUInt(UInt64($1)) }
    }
    schema.writeList(jurisdictionCodes) { writer, entry in
      writer.writeString(entry.code)
      writer.writeVarUInt(UInt64(entry.target))
    }

    var metadata = ByteWriter()
    metadata.writeString(name)
    metadata.writeList(sourceFiles) { $0.writeString($1) }
    metadata.writeString(defaultJurisdiction)
    for day in [validFrom, validUntil, specialisedAsOf] {
      metadata.writeUInt8(day == nil ? 0 : 1)
      metadata.writeInt64(day ?? 0)
    }
    let dated = enums.indices.filter { enums[$0].caseValidities.contains { $0 != nil } }
    if !dated.isEmpty {
      metadata.writeList(dated) { writer, index in
        writer.writeVarUInt(UInt64(index))
        for validity in enums[index].caseValidities {
          writer.writeUInt8(validity == nil ? 0 : validity?.until == nil ? 1 : 3)
          if let validity {
            writer.writeInt64(validity.from)
            if let until = validity.until { writer.writeInt64(until) }
          }
        }
      }
    }

    var citationSection = ByteWriter()
    citationSection.writeList(citations) { $0.writeString($1) }

    var sections: [SectionKind: [UInt8]] = [
      .citations: citationSection.bytes,
      .code: code.bytes, .constants: constants.bytes, .debug: debug.bytes,
      .schema: schema.bytes, .metadata: metadata.bytes,
    ]
    if !explanations.isEmpty { sections[.explanations] = explanations.encoded() }
    return CompiledFile(compilerVersion: compilerVersion, sections: sections)
  }

  /// Decodes an image from the sections of a compiled file (already checked by
  /// `CompiledFile.decode(_:)`). Never traps: a malformed section throws an error naming the
  /// offset of the problem in the file. The `citations` section holds each definition's
  /// citation, shown in traces.
  ///
  /// The result is not verified: call `Verifier.verify(_:)` before running it.
  ///
  /// - Throws: `CompiledFileError` for a missing section or the first malformed value.
  /// - Complexity: O(n) in the size of the sections.
  public init(decoding file: CompiledFile) throws(CompiledFileError) {
    let offsets = PolicyImage.payloadOffsets(of: file)
    func reader(_ kind: SectionKind) throws(CompiledFileError) -> ByteReader {
      guard let payload = file.sections[kind], let offset = offsets[kind] else {
        throw .missingSection(kind, at: offsets.sectionCount)
      }
      return ByteReader(payload, baseOffset: offset)
    }

    var code = try reader(.code)
    let instructionCount = try code.readCount(elementSize: 8)
    var instructions: [Instruction] = []
    instructions.reserveCapacity(instructionCount)
    for _ in 0..<instructionCount {
      let at = code.offset
      let raw = try code.readUInt16()
      guard let opcode = Opcode(rawValue: raw) else { throw .unknownOpcode(raw, at: at) }
      instructions.append(
        Instruction(opcode, try code.readUInt16(), try code.readUInt16(), try code.readUInt16()))
    }
    try code.expectEnd()

    var constants = try reader(.constants)
    let registers = try constants.readList(elementSize: 2) { (r) throws(CompiledFileError) in
      try r.readRegister()
    }
    let exactConstants = try constants.readList(elementSize: 1) { (r) throws(CompiledFileError) in
      try r.readString()
    }
    let constantLists = try constants.readList(elementSize: 1) {
      (r) throws(CompiledFileError) -> [Register] in
      try r.readList(elementSize: 2) { (r) throws(CompiledFileError) in try r.readRegister() }
    }
    let texts = try constants.readList(elementSize: 1) { (r) throws(CompiledFileError) in
      try r.readString()
    }
    let constantTypes = try constants.readList(elementSize: 1) { (r) throws(CompiledFileError) in
      UInt32(try r.readVarUInt(limit: UInt64(UInt32.max)))
    }
    try constants.expectEnd()

    var debug = try reader(.debug)
    let entries = try debug.readList(elementSize: 6) {
      (r) throws(CompiledFileError) -> DebugEntry in
      DebugEntry(
        definition: UInt16(try r.readVarUInt(limit: UInt64(UInt16.max))),
        file: UInt16(try r.readVarUInt(limit: UInt64(UInt16.max))),
        start: UInt32(try r.readVarUInt(limit: UInt64(UInt32.max))),
        end: UInt32(try r.readVarUInt(limit: UInt64(UInt32.max))),
        line: UInt32(try r.readVarUInt(limit: UInt64(UInt32.max))),
        column: UInt32(try r.readVarUInt(limit: UInt64(UInt32.max))))
    }
    try debug.expectEnd()

    var schema = try reader(.schema)
    var enums = try schema.readList(elementSize: 2) {
      (r) throws(CompiledFileError) -> EnumSchema in
      let name = try r.readString()
      let cases = try r.readList(elementSize: 1) { (r) throws(CompiledFileError) in
        try r.readString()
      }
      return EnumSchema(name: name, cases: cases)
    }
    let records = try schema.readList(elementSize: 2) {
      (r) throws(CompiledFileError) -> RecordSchema in
      let name = try r.readString()
      let fields = try r.readList(elementSize: 3) {
        (r) throws(CompiledFileError) -> RecordSchema.Field in
        let name = try r.readString()
        let type = try r.readType()
        let flagsOffset = r.offset
        let flags = try r.readUInt8()
        // Bits 3 and 4 need bit 0, and not both: a bounded field has at least one bound.
        guard flags & ~31 == 0, flags & 24 == 0 || (flags & 1 != 0 && flags & 24 != 24) else {
          throw .invalidTag(flags, field: "field flags", at: flagsOffset)
        }
        var bounds: (low: Register?, high: Register?)?
        if flags & 1 != 0 {
          let low = flags & 8 == 0 ? try r.readRegister() : nil
          let high = flags & 16 == 0 ? try r.readRegister() : nil
          bounds = (low, high)
        }
        var field = RecordSchema.Field(
          name: name, type: type, bounds: bounds, boundsOnLength: flags & 2 != 0)
        field.isPersonal = flags & 4 != 0
        return field
      }
      return RecordSchema(name: name, fields: fields)
    }
    let inputRecord = Int(truncatingIfNeeded: try schema.readZigzag())
    let types = try schema.readList(elementSize: 1) { (r) throws(CompiledFileError) in
      try r.readType()
    }
    let definitions = try schema.readList(elementSize: 6) {
      (r) throws(CompiledFileError) -> DefinitionInfo in
      let name = try r.readString()
      let kindOffset = r.offset
      let rawKind = try r.readUInt8()
      guard let kind = DefinitionInfo.Kind(rawValue: rawKind) else {
        throw .invalidTag(rawKind, field: "definition kind", at: kindOffset)
      }
      let type = try r.readType()
      let flagsOffset = r.offset
      let flags = try r.readUInt8()
      guard flags <= 3 else { throw .invalidTag(flags, field: "definition flags", at: flagsOffset) }
      let hasReason = flags & 1 != 0
      var places: UInt8?
      if flags & 2 != 0 {
        let placesOffset = r.offset
        let count = try r.readUInt8()
        guard count <= DefinitionInfo.maximumPlaces else {
          throw .invalidTag(count, field: "decimal places", at: placesOffset)
        }
        places = count
      }
      let entries = try r.readList(elementSize: 1) { (r) throws(CompiledFileError) in
        UInt32(try r.readVarUInt(limit: UInt64(UInt32.max)))
      }
      let frameSize = UInt16(try r.readVarUInt(limit: UInt64(UInt16.max)))
      var info = DefinitionInfo(
        name: name, kind: kind, type: type, hasReason: hasReason, entries: entries,
        frameSize: frameSize)
      info.places = places
      return info
    }
    let jurisdictions = try schema.readList(elementSize: 1) { (r) throws(CompiledFileError) in
      try r.readString()
    }
    let jurisdictionMaps = try schema.readList(elementSize: 1) {
      (r) throws(CompiledFileError) -> [UInt16] in
      try r.readList(elementSize: 1) { (r) throws(CompiledFileError) in
        UInt16(try r.readVarUInt(limit: UInt64(UInt16.max)))
      }
    }
    let jurisdictionCodes = try schema.readList(elementSize: 2) {
      (r) throws(CompiledFileError) -> JurisdictionCode in
      JurisdictionCode(
        code: try r.readString(), target: UInt16(try r.readVarUInt(limit: UInt64(UInt16.max))))
    }
    try schema.expectEnd()

    var metadata = try reader(.metadata)
    let name = try metadata.readString()
    let sourceFiles = try metadata.readList(elementSize: 1) { (r) throws(CompiledFileError) in
      try r.readString()
    }
    let defaultJurisdiction = try metadata.readString()
    var bounds: [Int64?] = []
    for _ in 0..<3 {
      let at = metadata.offset
      let present = try metadata.readUInt8()
      let value = try metadata.readInt64()
      // Canonical: an absent bound is written as flag 0 and value 0, and nothing else.
      guard present <= 1, present == 1 || value == 0 else {
        throw .valueOverLimit(at: at, value: UInt64(present), limit: 1)
      }
      bounds.append(present == 1 ? value : nil)
    }
    if !metadata.isAtEnd {
      // Canonical: written only when some case has dates, each enum once, in order, with at
      // least one dated case.
      let listAt = metadata.offset
      let dated = try metadata.readList(elementSize: 2) {
        (r) throws(CompiledFileError) -> (Int, [CaseValidity?]) in
        let at = r.offset
        let index = Int(try r.readVarUInt(limit: UInt64(max(enums.count - 1, 0))))
        guard index < enums.count else {
          throw .valueOverLimit(at: at, value: UInt64(index), limit: UInt64(enums.count))
        }
        var validities: [CaseValidity?] = []
        for _ in enums[index].cases {
          let flagsAt = r.offset
          let flags = try r.readUInt8()
          guard flags == 0 || flags == 1 || flags == 3 else {
            throw .invalidTag(flags, field: "enum case dates", at: flagsAt)
          }
          if flags == 0 {
            validities.append(nil)
            continue
          }
          let from = try r.readInt64()
          let untilAt = r.offset
          let until = flags == 3 ? try r.readInt64() : nil
          // As the checker (R0403): the last day is not before the first.
          if let until, until < from {
            throw .valueOverLimit(
              at: untilAt, value: UInt64(bitPattern: until), limit: UInt64(bitPattern: from))
          }
          validities.append(CaseValidity(from: from, until: until))
        }
        guard validities.contains(where: { $0 != nil }) else {
          throw .invalidTag(0, field: "enum case dates", at: at)
        }
        return (index, validities)
      }
      guard !dated.isEmpty, zip(dated, dated.dropFirst()).allSatisfy({ $0.0 < $1.0 }) else {
        throw .invalidTag(0, field: "dated enums", at: listAt)
      }
      for (index, validities) in dated { enums[index].caseValidities = validities }
    }
    try metadata.expectEnd()

    self.init(
      name: name, code: instructions, constants: registers, exactConstants: exactConstants,
      constantLists: constantLists, texts: texts, definitions: definitions,
      jurisdictions: jurisdictions, jurisdictionMaps: jurisdictionMaps, enums: enums,
      records: records, inputRecord: inputRecord, types: types, debug: entries,
      sourceFiles: sourceFiles)
    self.constantTypes = constantTypes
    self.jurisdictionCodes = jurisdictionCodes
    self.defaultJurisdiction = defaultJurisdiction
    (validFrom, validUntil, specialisedAsOf) = (bounds[0], bounds[1], bounds[2])
    if file.sections[.citations] != nil {
      var citationReader = try reader(.citations)
      citations = try citationReader.readList(elementSize: 1) { (r) throws(CompiledFileError) in
        try r.readString()
      }
      try citationReader.expectEnd()
    }
    if let payload = file.sections[.explanations], let offset = offsets[.explanations] {
      explanations = try Explanations(decoding: payload, at: offset)
      // Canonical: empty tables are written as no section at all.
      guard !explanations.isEmpty else {
        throw .valueOverLimit(at: offset, value: 0, limit: 0)
      }
    }
  }

  /// The file offset of each section's payload, and of the section count. The container's
  /// encoding is canonical, so these follow from the decoded file.
  private static func payloadOffsets(of file: CompiledFile) -> SectionOffsets {
    var version = ByteWriter()
    version.writeString(file.compilerVersion)
    let sectionCount = CompiledFile.contentOffset + version.count
    var offset = sectionCount + 2
    var payloads: [SectionKind: Int] = [:]
    for kind in SectionKind.allCases {
      guard let payload = file.sections[kind] else { continue }
      offset += 6  // kind u16, length u32
      payloads[kind] = offset
      offset += payload.count
    }
    return SectionOffsets(sectionCount: sectionCount, payloads: payloads)
  }
}

private struct SectionOffsets {
  var sectionCount: Int
  var payloads: [SectionKind: Int]
  subscript(kind: SectionKind) -> Int? { payloads[kind] }
}

// MARK: - Primitive encodings of the image's parts

extension ByteWriter {
  mutating func writeCount(_ count: Int) { writeVarUInt(UInt64(count)) }

  mutating func writeList<T>(_ items: [T], _ body: (inout ByteWriter, T) -> Void) {
    writeCount(items.count)
    for item in items { body(&self, item) }
  }

  /// A signed value zigzag-mapped to an unsigned varint, small magnitudes first.
  fileprivate mutating func writeZigzag(_ value: Int64) {
    writeVarUInt(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
  }

  fileprivate mutating func writeRegister(_ register: Register) {
    writeZigzag(register.word)
    writeZigzag(register.tag)
  }

  fileprivate mutating func writeType(_ type: SchemaType) {
    switch type {
    case .bool: writeUInt8(0)
    case .int: writeUInt8(1)
    case .decimal: writeUInt8(2)
    case .money: writeUInt8(3)
    case .exactMoney: writeUInt8(4)
    case .date: writeUInt8(5)
    case .days: writeUInt8(6)
    case .months: writeUInt8(7)
    case .years: writeUInt8(8)
    case .text: writeUInt8(9)
    case .enumeration(let index):
      writeUInt8(10)
      writeZigzag(Int64(index))
    case .record(let index):
      writeUInt8(11)
      writeZigzag(Int64(index))
    case .list(let element):
      writeUInt8(12)
      writeType(element)
    case .optional(let wrapped):
      writeUInt8(13)
      writeType(wrapped)
    case .table(let key, let value):
      writeUInt8(14)
      writeZigzag(Int64(key))
      writeType(value)
    }
  }
}

extension ByteReader {
  /// Reads a count of items each at least `elementSize` bytes long, and checks that they can
  /// fit in the bytes that remain (so no count can make the decoder allocate beyond its input).
  mutating func readCount(elementSize: Int) throws(CompiledFileError) -> Int {
    let start = offset
    let raw = try readVarUInt()
    let available = remainingCount / elementSize
    guard raw <= UInt64(available) else {
      let needed = raw.multipliedReportingOverflow(by: UInt64(elementSize))
      throw .truncated(
        at: start, needed: needed.overflow ? Int.max : Int(clamping: needed.partialValue))
    }
    return Int(raw)
  }

  mutating func readList<T>(
    elementSize: Int, _ body: (inout ByteReader) throws(CompiledFileError) -> T
  ) throws(CompiledFileError) -> [T] {
    let count = try readCount(elementSize: elementSize)
    var items: [T] = []
    items.reserveCapacity(min(count, 1 << 16))  // items may be far larger than their bytes
    for _ in 0..<count { items.append(try body(&self)) }
    return items
  }

  /// Reads a varint no greater than `limit`.
  fileprivate mutating func readVarUInt(limit: UInt64) throws(CompiledFileError) -> UInt64 {
    let start = offset
    let value = try readVarUInt()
    guard value <= limit else { throw .valueOverLimit(at: start, value: value, limit: limit) }
    return value
  }

  fileprivate mutating func readZigzag() throws(CompiledFileError) -> Int64 {
    let raw = try readVarUInt()
    return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
  }

  fileprivate mutating func readRegister() throws(CompiledFileError) -> Register {
    Register(word: try readZigzag(), tag: try readZigzag())
  }

  fileprivate mutating func readType(depth: Int = 1) throws(CompiledFileError) -> SchemaType {
    let at = offset
    guard depth <= PolicyImage.maximumTypeDepth else {
      throw .nestingTooDeep(at: at, limit: PolicyImage.maximumTypeDepth)
    }
    let tag = try readUInt8()
    switch tag {
    case 0: return .bool
    case 1: return .int
    case 2: return .decimal
    case 3: return .money
    case 4: return .exactMoney
    case 5: return .date
    case 6: return .days
    case 7: return .months
    case 8: return .years
    case 9: return .text
    case 10: return .enumeration(Int(truncatingIfNeeded: try readZigzag()))
    case 11: return .record(Int(truncatingIfNeeded: try readZigzag()))
    case 12: return .list(try readType(depth: depth + 1))
    case 13: return .optional(try readType(depth: depth + 1))
    case 14:
      let key = Int(truncatingIfNeeded: try readZigzag())
      return .table(key: key, value: try readType(depth: depth + 1))
    default: throw .invalidTag(tag, field: "type tag", at: at)
    }
  }
}
