// The compiled-file container: a versioned, hashed header and a set of typed sections.
//
// Layout (integers little-endian, `varint` is unsigned LEB128, see ByteWriter):
//
//   offset  size  field
//        0     8  magic `REGULA\0\x1A`
//        8     2  format version (u16), currently 5 (history: Docs/bytecode.md)
//       10    32  SHA-256 of every byte from offset 42 to the end of the file
//       42     …  compiler version: varint length, then UTF-8 (at most 256 bytes)
//        …     2  section count (u16, at most 64)
//        …     …  sections, in strictly increasing kind order, each:
//                   kind (u16), payload length (u32), payload bytes
//
// The hash sits at a fixed offset so tools can read it without parsing, and covers the
// compiler version as well as the sections. The encoding is canonical: a decoded file
// re-encodes to exactly the bytes it was decoded from.

/// The kind of a section in a compiled file. Format version 2 defines exactly these kinds;
/// a file naming any other kind is rejected.
public enum SectionKind: UInt16, CaseIterable, Comparable, Sendable, CustomStringConvertible {
  /// The instructions.
  case code = 1
  /// The constant pool.
  case constants = 2
  /// The debug table: instruction to source span, rule and citation.
  case debug = 3
  /// The input schema.
  case schema = 4
  /// The legal citations the rules refer to.
  case citations = 5
  /// Free-form metadata about the build.
  case metadata = 6
  /// What traces need beyond the code: probes and labels (optional).
  case explanations = 7

  /// Orders kinds by raw value: the order in which sections must appear in a file.
  public static func < (a: SectionKind, b: SectionKind) -> Bool { a.rawValue < b.rawValue }

  /// The section's name as written in messages and disassembly.
  public var description: String {
    switch self {
    case .code: "code"
    case .constants: "constants"
    case .debug: "debug"
    case .schema: "schema"
    case .citations: "citations"
    case .metadata: "metadata"
    case .explanations: "explanations"
    }
  }
}

/// A compiled policy file: a format version, the version of the compiler that wrote it, and
/// its sections' payloads. `encoded()` and `decode(_:)` convert to and from bytes.
public struct CompiledFile: Sendable, Equatable {
  /// The first eight bytes of every compiled file: `REGULA`, NUL and Ctrl-Z, so that text
  /// tools take the file for binary (as PNG's signature does).
  public static let magic: [UInt8] = Array("REGULA".utf8) + [0x00, 0x1A]
  /// The format version this build writes and reads.
  public static let currentFormatVersion: UInt16 = 5
  /// The largest file `decode(_:)` accepts: 256 MiB.
  public static let maximumFileSize = 256 << 20
  /// The most sections a file may declare.
  public static let maximumSectionCount = 64
  /// The longest compiler version, in UTF-8 bytes.
  public static let maximumCompilerVersionLength = 256

  /// The offset of the format version.
  public static let formatVersionOffset = 8
  /// The offset of the content hash.
  public static let hashOffset = 10
  /// The offset at which the hashed content starts.
  public static let contentOffset = hashOffset + SHA256.digestByteCount

  /// The format version; `decode(_:)` only returns files of `currentFormatVersion`.
  public var formatVersion: UInt16
  /// The version of the compiler that wrote the file, for diagnostics and audits.
  public var compilerVersion: String
  /// The payload of each section present. An empty payload is distinct from an absent section.
  public var sections: [SectionKind: [UInt8]]

  /// Creates a file from its parts.
  public init(
    formatVersion: UInt16 = CompiledFile.currentFormatVersion,
    compilerVersion: String,
    sections: [SectionKind: [UInt8]] = [:]
  ) {
    self.formatVersion = formatVersion
    self.compilerVersion = compilerVersion
    self.sections = sections
  }

  /// The SHA-256 of the file's content (everything after the hash field): the hash stored in
  /// the header of `encoded()`. Computed on each call.
  ///
  /// - Complexity: O(n) in the size of the sections.
  public var contentHash: [UInt8] { SHA256.hash(encodedContent()) }

  /// The file as bytes. Deterministic: sections are written in kind order, so equal files
  /// encode to equal bytes.
  ///
  /// - Precondition: the compiler version and the total size are within the limits that
  ///   `decode(_:)` enforces, so that every encoded file can be decoded.
  /// - Complexity: O(n) in the size of the sections.
  public func encoded() -> [UInt8] {
    let content = encodedContent()
    var writer = ByteWriter(reservingCapacity: CompiledFile.contentOffset + content.count)
    writer.writeBytes(CompiledFile.magic)
    writer.writeUInt16(formatVersion)
    writer.writeBytes(SHA256.hash(content))
    writer.writeBytes(content)
    precondition(
      writer.count <= CompiledFile.maximumFileSize,
      "compiled file of \(writer.count) bytes exceeds the size limit")
    return writer.bytes
  }

  /// Everything after the hash field: the compiler version, the section count, the sections.
  private func encodedContent() -> [UInt8] {
    precondition(
      compilerVersion.utf8.count <= CompiledFile.maximumCompilerVersionLength,
      "compiler version exceeds \(CompiledFile.maximumCompilerVersionLength) bytes")
    let payloadSize = sections.values.reduce(0) { $0 + $1.count }
    precondition(
      payloadSize <= CompiledFile.maximumFileSize,
      "sections of \(payloadSize) bytes exceed the size limit")
    var writer = ByteWriter(reservingCapacity: 300 + 6 * sections.count + payloadSize)
    writer.writeString(compilerVersion)
    writer.writeUInt16(UInt16(sections.count))
    for kind in SectionKind.allCases {
      guard let payload = sections[kind] else { continue }
      writer.writeUInt16(kind.rawValue)
      writer.writeUInt32(UInt32(payload.count))
      writer.writeBytes(payload)
    }
    return writer.bytes
  }

  /// Decodes and checks a compiled file: its size, magic, format version, header, section
  /// table and content hash. Never traps; a truncated, corrupted or hostile file throws an
  /// error naming the offset of the problem. Allocates at most about twice `bytes.count`.
  ///
  /// Structure is checked before the hash, so that a truncated or malformed file gets the
  /// more precise error.
  ///
  /// - Throws: `CompiledFileError` for the first problem found.
  /// - Complexity: O(n) in `bytes.count`.
  public static func decode(_ bytes: [UInt8]) throws(CompiledFileError) -> CompiledFile {
    guard bytes.count <= maximumFileSize else {
      throw .fileTooLarge(size: bytes.count, limit: maximumFileSize)
    }
    let magicPrefix = min(bytes.count, magic.count)
    guard bytes[0..<magicPrefix].elementsEqual(magic[0..<magicPrefix]) else {
      throw .badMagic(found: Array(bytes.prefix(magic.count)))
    }
    var reader = ByteReader(bytes)
    _ = try reader.readBytes(count: magic.count)
    let formatVersion = try reader.readUInt16()
    guard formatVersion == currentFormatVersion else {
      throw .unsupportedFormatVersion(formatVersion)
    }
    let declaredHash = try reader.readBytes(count: SHA256.digestByteCount)

    let compilerVersion = try reader.readString(maximumLength: maximumCompilerVersionLength)
    let countOffset = reader.offset
    let sectionCount = Int(try reader.readUInt16())
    guard sectionCount <= maximumSectionCount else {
      throw .tooManySections(count: sectionCount, limit: maximumSectionCount, at: countOffset)
    }
    var sections: [SectionKind: [UInt8]] = [:]
    var previous: SectionKind?
    for _ in 0..<sectionCount {
      let headerOffset = reader.offset
      let rawKind = try reader.readUInt16()
      guard let kind = SectionKind(rawValue: rawKind) else {
        throw .unknownSectionKind(rawKind, at: headerOffset)
      }
      guard sections[kind] == nil else { throw .duplicateSection(kind, at: headerOffset) }
      if let previous, kind < previous {
        throw .sectionOutOfOrder(kind, after: previous, at: headerOffset)
      }
      let rawLength = try reader.readUInt32()
      guard let length = Int(exactly: rawLength), length <= reader.remainingCount else {
        throw .sectionOverrun(
          kind, at: headerOffset, length: Int(clamping: rawLength), available: reader.remainingCount
        )
      }
      sections[kind] = try reader.readBytes(count: length)
      previous = kind
    }
    try reader.expectEnd()

    let actualHash = SHA256.hash(bytes[contentOffset...])
    guard actualHash == declaredHash else {
      throw .hashMismatch(expected: declaredHash, found: actualHash)
    }
    return CompiledFile(
      formatVersion: formatVersion, compilerVersion: compilerVersion, sections: sections)
  }
}
