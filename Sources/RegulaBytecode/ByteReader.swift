// Reads the compiled file's primitive encodings back, bounds-checking every byte.

/// Reads what `ByteWriter` writes. Every read is bounds-checked and throws a
/// `CompiledFileError` naming the offset; no input can make a reader trap, and no length
/// read from the input can make it allocate more than the bytes it was given.
public struct ByteReader: Sendable {
  /// The bytes being read.
  public let bytes: [UInt8]
  /// The offset of `bytes[0]` in the enclosing file; added to every offset in errors.
  public let baseOffset: Int
  /// The index in `bytes` of the next byte to read.
  public private(set) var position = 0

  /// Creates a reader at the start of `bytes`, which begin at `baseOffset` in their file.
  public init(_ bytes: [UInt8], baseOffset: Int = 0) {
    self.bytes = bytes
    self.baseOffset = baseOffset
  }

  /// The file offset of the next byte to read.
  public var offset: Int { baseOffset + position }
  /// The number of bytes left to read.
  public var remainingCount: Int { bytes.count - position }
  /// Whether every byte has been read.
  public var isAtEnd: Bool { position == bytes.count }

  /// Reads one byte.
  public mutating func readUInt8() throws(CompiledFileError) -> UInt8 {
    guard position < bytes.count else { throw .truncated(at: offset, needed: 1) }
    defer { position += 1 }
    return bytes[position]
  }

  /// Reads a little-endian `UInt16`.
  public mutating func readUInt16() throws(CompiledFileError) -> UInt16 {
    try readLittleEndian(UInt16.self)
  }

  /// Reads a little-endian `UInt32`.
  public mutating func readUInt32() throws(CompiledFileError) -> UInt32 {
    try readLittleEndian(UInt32.self)
  }

  /// Reads a little-endian `UInt64`.
  public mutating func readUInt64() throws(CompiledFileError) -> UInt64 {
    try readLittleEndian(UInt64.self)
  }

  /// Reads a little-endian two's-complement `Int64`.
  public mutating func readInt64() throws(CompiledFileError) -> Int64 {
    Int64(bitPattern: try readLittleEndian(UInt64.self))
  }

  /// Reads an unsigned LEB128 integer of at most 10 bytes. Rejects encodings that overflow
  /// 64 bits or end in a redundant zero group, so every value has exactly one encoding.
  public mutating func readVarUInt() throws(CompiledFileError) -> UInt64 {
    let start = offset
    var value: UInt64 = 0
    for index in 0..<10 {
      let byte = try readUInt8()
      if index == 9, byte > 1 {
        throw byte & 0x80 != 0 ? .varintTooLong(at: start) : .varintOverflow(at: start)
      }
      value |= UInt64(byte & 0x7F) << UInt64(7 * index)
      if byte & 0x80 == 0 {
        guard byte != 0 || index == 0 else { throw .varintNotMinimal(at: start) }
        return value
      }
    }
    throw .varintTooLong(at: start)  // unreachable: the tenth byte either ends or throws
  }

  /// Reads `count` bytes.
  ///
  /// - Complexity: O(n) in `count`.
  public mutating func readBytes(count: Int) throws(CompiledFileError) -> [UInt8] {
    Array(bytes[try take(count)])
  }

  /// Reads a varint length no greater than `limit` whose bytes are all present.
  public mutating func readLength(limit: Int = .max) throws(CompiledFileError) -> Int {
    let start = offset
    let raw = try readVarUInt()
    guard let length = Int(exactly: raw), length <= limit else {
      throw .lengthOverLimit(at: start, length: raw, limit: limit)
    }
    guard length <= remainingCount else { throw .truncated(at: offset, needed: length) }
    return length
  }

  /// Reads a varint length (at most `maximumLength`), then that many bytes.
  ///
  /// - Complexity: O(n) in the length read.
  public mutating func readBlob(maximumLength: Int = .max) throws(CompiledFileError) -> [UInt8] {
    try readBytes(count: try readLength(limit: maximumLength))
  }

  /// Reads a varint length (at most `maximumLength`), then that many bytes of valid UTF-8.
  ///
  /// - Complexity: O(n) in the length read.
  public mutating func readString(maximumLength: Int = .max) throws(CompiledFileError) -> String {
    let range = try take(try readLength(limit: maximumLength))
    let utf8 = bytes[range]
    var iterator = utf8.makeIterator()
    var parser = Unicode.UTF8.ForwardParser()
    var validCount = 0
    parsing: while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let scalar): validCount += scalar.count
      case .error: throw .invalidUTF8(at: baseOffset + range.lowerBound + validCount)
      case .emptyInput: break parsing
      }
    }
    return String(decoding: utf8, as: UTF8.self)
  }

  /// Throws unless every byte has been read.
  public func expectEnd() throws(CompiledFileError) {
    guard isAtEnd else { throw .trailingBytes(at: offset, count: remainingCount) }
  }

  /// Advances past `count` bytes and returns their indices in `bytes`.
  private mutating func take(_ count: Int) throws(CompiledFileError) -> Range<Int> {
    guard count >= 0, count <= remainingCount else {
      throw .truncated(at: offset, needed: count)
    }
    defer { position += count }
    return position..<position + count
  }

  private mutating func readLittleEndian<T: FixedWidthInteger & UnsignedInteger>(
    _: T.Type
  ) throws(CompiledFileError) -> T {
    let range = try take(T.bitWidth / 8)
    var value: T = 0
    for (index, byteIndex) in range.enumerated() {
      value |= T(bytes[byteIndex]) << (index * 8)
    }
    return value
  }
}
