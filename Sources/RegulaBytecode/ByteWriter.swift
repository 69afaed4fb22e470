// Appends the compiled file's primitive encodings: little-endian integers, LEB128, blobs.

/// Builds a byte buffer: fixed-width integers are little-endian, varints are unsigned LEB128
/// (minimal), and strings and blobs are prefixed with their length as a varint.
///
/// Every method here has a matching `ByteReader` method that reads back exactly what it wrote.
public struct ByteWriter: Sendable {
  /// The bytes written so far.
  public private(set) var bytes: [UInt8] = []

  /// Creates an empty writer.
  public init() {}

  /// Creates an empty writer with room for `capacity` bytes.
  public init(reservingCapacity capacity: Int) { bytes.reserveCapacity(capacity) }

  /// The number of bytes written so far: the offset of the next byte.
  public var count: Int { bytes.count }

  /// Writes one byte.
  public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }
  /// Writes two bytes, little-endian.
  public mutating func writeUInt16(_ value: UInt16) { writeLittleEndian(value) }
  /// Writes four bytes, little-endian.
  public mutating func writeUInt32(_ value: UInt32) { writeLittleEndian(value) }
  /// Writes eight bytes, little-endian.
  public mutating func writeUInt64(_ value: UInt64) { writeLittleEndian(value) }
  /// Writes eight bytes, little-endian two's complement.
  public mutating func writeInt64(_ value: Int64) { writeLittleEndian(UInt64(bitPattern: value)) }

  /// Writes `value` as unsigned LEB128: seven bits per byte, low groups first, the high bit
  /// set on every byte but the last. Takes 1 to 10 bytes.
  public mutating func writeVarUInt(_ value: UInt64) {
    var rest = value
    while rest >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
      rest >>= 7
    }
    bytes.append(UInt8(rest))
  }

  /// Writes `data` as is, with no length prefix.
  ///
  /// - Complexity: O(n) in the number of bytes written (amortised).
  public mutating func writeBytes(_ data: some Sequence<UInt8>) { bytes.append(contentsOf: data) }

  /// Writes the length of `data` as a varint, then `data`.
  ///
  /// - Complexity: O(n) in `data.count` (amortised).
  public mutating func writeBlob(_ data: some Collection<UInt8>) {
    writeVarUInt(UInt64(data.count))
    bytes.append(contentsOf: data)
  }

  /// Writes the UTF-8 length of `text` as a varint, then its UTF-8 bytes.
  ///
  /// - Complexity: O(n) in the UTF-8 length of `text` (amortised).
  public mutating func writeString(_ text: String) { writeBlob(text.utf8) }

  private mutating func writeLittleEndian<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
    for index in 0..<(T.bitWidth / 8) {
      bytes.append(UInt8(truncatingIfNeeded: value >> (index * 8)))
    }
  }
}
