// ByteWriter and ByteReader: exact encodings, round trips, and a typed error for every bad input.
import RegulaBytecode
import Testing

@Test func fixedWidthIntegersAreLittleEndian() throws {
  var writer = ByteWriter()
  writer.writeUInt8(0xAB)
  writer.writeUInt16(0x0102)
  writer.writeUInt32(0x0304_0506)
  writer.writeUInt64(0x0708_090A_0B0C_0D0E)
  writer.writeInt64(-2)
  #expect(
    writer.bytes == [
      0xAB, 0x02, 0x01, 0x06, 0x05, 0x04, 0x03, 0x0E, 0x0D, 0x0C, 0x0B, 0x0A, 0x09, 0x08, 0x07,
      0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ])
  var reader = ByteReader(writer.bytes)
  #expect(try reader.readUInt8() == 0xAB)
  #expect(try reader.readUInt16() == 0x0102)
  #expect(try reader.readUInt32() == 0x0304_0506)
  #expect(try reader.readUInt64() == 0x0708_090A_0B0C_0D0E)
  #expect(try reader.readInt64() == -2)
  #expect(reader.isAtEnd)
  try reader.expectEnd()
}

@Test func varintsAreMinimalLEB128() {
  let cases: [(UInt64, [UInt8])] = [
    (0, [0x00]), (1, [0x01]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
    (16_383, [0xFF, 0x7F]), (16_384, [0x80, 0x80, 0x01]),
    (UInt64(Int64.max), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
    (UInt64.max, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
  ]
  for (value, encoding) in cases {
    var writer = ByteWriter()
    writer.writeVarUInt(value)
    #expect(writer.bytes == encoding, "\(value)")
    var reader = ByteReader(encoding)
    #expect(caught { () throws(CompiledFileError) in try reader.readVarUInt() } == nil)
    var again = ByteReader(encoding)
    #expect((try? again.readVarUInt()) == value)
  }
}

@Test func randomValuesRoundTrip() throws {
  var random = SplitMix64(seed: 7)
  for _ in 0..<2_000 {
    let shift = UInt64(random.below(64))
    let value = random.next() >> shift
    let blob = random.bytes(random.below(40))
    let text = String(decoding: random.bytes(random.below(20)), as: UTF8.self)  // repaired
    var writer = ByteWriter()
    writer.writeVarUInt(value)
    writer.writeUInt64(value)
    writer.writeInt64(Int64(bitPattern: value))
    writer.writeBlob(blob)
    writer.writeString(text)
    writer.writeUInt32(UInt32(truncatingIfNeeded: value))
    var reader = ByteReader(writer.bytes)
    #expect(try reader.readVarUInt() == value)
    #expect(try reader.readUInt64() == value)
    #expect(try reader.readInt64() == Int64(bitPattern: value))
    #expect(try reader.readBlob() == blob)
    #expect(try reader.readString() == text)
    #expect(try reader.readUInt32() == UInt32(truncatingIfNeeded: value))
    try reader.expectEnd()
  }
}

@Test func truncationAtEveryLengthNamesTheOffset() {
  var writer = ByteWriter()
  writer.writeUInt32(7)
  writer.writeVarUInt(UInt64.max)
  writer.writeString("grüße")
  writer.writeUInt64(9)
  let full = writer.bytes
  for length in 0..<full.count {
    var reader = ByteReader(Array(full[..<length]), baseOffset: 100)
    let error = caught { () throws(CompiledFileError) in
      _ = try reader.readUInt32()
      _ = try reader.readVarUInt()
      _ = try reader.readString()
      return try reader.readUInt64()
    }
    guard case .truncated(let at, let needed)? = error else {
      Issue.record("length \(length): expected truncation, got \(String(describing: error))")
      continue
    }
    #expect(at >= 100 && at <= 100 + length && needed > 0, "length \(length)")
    #expect(error?.description.contains("offset \(at)") == true)
  }
}

@Test func varintErrors() {
  func error(_ bytes: [UInt8]) -> CompiledFileError? {
    var reader = ByteReader([0xEE] + bytes, baseOffset: 10)
    return caught { () throws(CompiledFileError) in
      _ = try reader.readUInt8()
      return try reader.readVarUInt()
    }
  }
  #expect(error([0x80]) == .truncated(at: 12, needed: 1))
  #expect(error([0x80, 0x00]) == .varintNotMinimal(at: 11))
  #expect(error([0xFF, 0x80, 0x00]) == .varintNotMinimal(at: 11))
  #expect(error([UInt8](repeating: 0xFF, count: 9) + [0x02]) == .varintOverflow(at: 11))
  #expect(error([UInt8](repeating: 0xFF, count: 9) + [0x00]) == .varintNotMinimal(at: 11))
  #expect(error([UInt8](repeating: 0x80, count: 10) + [0x01]) == .varintTooLong(at: 11))
  #expect(error([UInt8](repeating: 0xFF, count: 12)) == .varintTooLong(at: 11))
  #expect(error([0x00]) == nil)
}

@Test func lengthsAreCheckedBeforeAllocating() {
  // A length of 2^63 - 1 with three bytes behind it.
  var huge = ByteReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3])
  #expect(
    caught { () throws(CompiledFileError) in try huge.readBlob() }
      == .truncated(at: 9, needed: Int.max))
  var overLimit = ByteReader([0x05, 1, 2, 3, 4, 5])
  #expect(
    caught { () throws(CompiledFileError) in try overLimit.readBlob(maximumLength: 4) }
      == .lengthOverLimit(at: 0, length: 5, limit: 4))
  var beyondInt = ByteReader([UInt8](repeating: 0xFF, count: 9) + [0x01])
  #expect(
    caught { () throws(CompiledFileError) in try beyondInt.readString() }
      == .lengthOverLimit(at: 0, length: UInt64.max, limit: Int.max))
  var negative = ByteReader([1, 2, 3])
  #expect(
    caught { () throws(CompiledFileError) in try negative.readBytes(count: -1) }
      == .truncated(at: 0, needed: -1))
}

@Test func invalidUTF8NamesTheBadByte() {
  let cases: [([UInt8], Int)] = [
    ([0x61, 0x62, 0xFF], 3),  // a byte that never appears in UTF-8
    ([0xC3], 1),  // a truncated two-byte sequence
    ([0x61, 0xC0, 0xAF], 2),  // an overlong encoding of `/`
    ([0xED, 0xA0, 0x80], 1),  // a surrogate
    ([0x61, 0x62, 0x63, 0x80], 4),  // a lone continuation byte
  ]
  for (text, offset) in cases {
    var writer = ByteWriter()
    writer.writeBlob(text)
    var reader = ByteReader(writer.bytes, baseOffset: 1000)
    let error = caught { () throws(CompiledFileError) in try reader.readString() }
    #expect(error == .invalidUTF8(at: 1000 + offset), "\(text)")
    #expect(error?.description == "invalid UTF-8 in string at offset \(1000 + offset)")
  }
  var valid = ByteWriter()
  valid.writeString("\u{0}ü€😀")
  var reader = ByteReader(valid.bytes)
  #expect((try? reader.readString()) == "\u{0}ü€😀")
}

@Test func trailingBytesAreReported() {
  var reader = ByteReader([1, 2, 3], baseOffset: 5)
  _ = try? reader.readUInt8()
  #expect(
    caught { () throws(CompiledFileError) in try reader.expectEnd() }
      == .trailingBytes(at: 6, count: 2))
  #expect(reader.offset == 6 && reader.position == 1 && reader.remainingCount == 2)
}
