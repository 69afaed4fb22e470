// Why a compiled file (or a byte range inside one) was rejected; every case names an offset.

/// An error found while reading a compiled file: the file is truncated, corrupted, hostile, or
/// from an unsupported format version. Loading never traps; it throws one of these.
///
/// Offsets are byte offsets from the start of the file (or from the reader's `baseOffset`).
public enum CompiledFileError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The data ended at `at` while `needed` more bytes were expected there.
  case truncated(at: Int, needed: Int)
  /// The string starting its bytes at or before `at` has an invalid UTF-8 sequence at `at`.
  case invalidUTF8(at: Int)
  /// The LEB128 integer starting at `at` continues past the tenth byte.
  case varintTooLong(at: Int)
  /// The LEB128 integer starting at `at` does not fit in 64 bits.
  case varintOverflow(at: Int)
  /// The LEB128 integer starting at `at` has redundant trailing zero groups.
  case varintNotMinimal(at: Int)
  /// A length read at `at` exceeds the limit for what it measures.
  case lengthOverLimit(at: Int, length: UInt64, limit: Int)
  /// The data does not end at `at`: `count` bytes follow where the end was expected.
  case trailingBytes(at: Int, count: Int)
  /// The file does not start with the compiled-file magic; `found` holds its first bytes.
  case badMagic(found: [UInt8])
  /// The format version (at offset 8) is not one this build reads.
  case unsupportedFormatVersion(UInt16)
  /// The file is larger than `limit` bytes.
  case fileTooLarge(size: Int, limit: Int)
  /// The section count at `at` exceeds `limit`.
  case tooManySections(count: Int, limit: Int, at: Int)
  /// The section header at `at` names a kind this format version does not define.
  case unknownSectionKind(UInt16, at: Int)
  /// The section header at `at` repeats a kind already seen.
  case duplicateSection(SectionKind, at: Int)
  /// The section header at `at` has a kind lower than its predecessor's.
  case sectionOutOfOrder(SectionKind, after: SectionKind, at: Int)
  /// The section header at `at` declares `length` payload bytes but only `available` remain.
  case sectionOverrun(SectionKind, at: Int, length: Int, available: Int)
  /// The hash stored in the header (`expected`) differs from the hash of the content (`found`).
  case hashMismatch(expected: [UInt8], found: [UInt8])
  /// A section the policy image needs is absent; `at` is the offset of the section count.
  case missingSection(SectionKind, at: Int)
  /// The instruction at `at` has an opcode this format version does not define.
  case unknownOpcode(UInt16, at: Int)
  /// The integer read at `at` exceeds the largest value of the field it fills.
  case valueOverLimit(at: Int, value: UInt64, limit: UInt64)
  /// The byte at `at` is not one of the values defined for `field` (a type tag, a flag set).
  case invalidTag(UInt8, field: String, at: Int)
  /// The type starting at or before `at` is nested more than `limit` levels deep.
  case nestingTooDeep(at: Int, limit: Int)

  /// The byte offset at which the problem was detected.
  public var offset: Int {
    switch self {
    case .truncated(let at, _), .invalidUTF8(let at), .varintTooLong(let at),
      .varintOverflow(let at), .varintNotMinimal(let at), .lengthOverLimit(let at, _, _),
      .trailingBytes(let at, _), .tooManySections(_, _, let at), .unknownSectionKind(_, let at),
      .duplicateSection(_, let at), .sectionOutOfOrder(_, _, let at),
      .sectionOverrun(_, let at, _, _), .missingSection(_, let at), .unknownOpcode(_, let at),
      .valueOverLimit(let at, _, _), .invalidTag(_, _, let at), .nestingTooDeep(let at, _):
      return at
    case .badMagic: return 0
    case .unsupportedFormatVersion: return CompiledFile.formatVersionOffset
    case .fileTooLarge(_, let limit): return limit
    case .hashMismatch: return CompiledFile.hashOffset
    }
  }

  /// A one-line message in the house style: lowercase, no final period, names the offset.
  public var description: String {
    switch self {
    case .truncated(let at, let needed):
      return "unexpected end of data at offset \(at): needed \(needed) more \(bytes(needed))"
    case .invalidUTF8(let at):
      return "invalid UTF-8 in string at offset \(at)"
    case .varintTooLong(let at):
      return "variable-length integer at offset \(at) is longer than 10 bytes"
    case .varintOverflow(let at):
      return "variable-length integer at offset \(at) does not fit in 64 bits"
    case .varintNotMinimal(let at):
      return "variable-length integer at offset \(at) is not minimally encoded"
    case .lengthOverLimit(let at, let length, let limit):
      return "length \(length) at offset \(at) exceeds the limit of \(limit) \(bytes(limit))"
    case .trailingBytes(let at, let count):
      return "expected end of data at offset \(at), found \(count) more \(bytes(count))"
    case .badMagic(let found):
      let shown = found.isEmpty ? "nothing" : "`\(SHA256.hex(found))`"
      return "not a Regula compiled file: expected magic `\(SHA256.hex(CompiledFile.magic))` "
        + "at offset 0, found \(shown)"
    case .unsupportedFormatVersion(let version):
      return "unsupported format version \(version) at offset \(CompiledFile.formatVersionOffset): "
        + "this build reads version \(CompiledFile.currentFormatVersion)"
    case .fileTooLarge(let size, let limit):
      return "file of \(size) bytes exceeds the size limit at offset \(limit)"
    case .tooManySections(let count, let limit, let at):
      return "section count \(count) at offset \(at) exceeds the limit of \(limit)"
    case .unknownSectionKind(let kind, let at):
      return "unknown section kind \(kind) at offset \(at)"
    case .duplicateSection(let kind, let at):
      return "duplicate `\(kind)` section at offset \(at)"
    case .sectionOutOfOrder(let kind, let previous, let at):
      return "`\(kind)` section at offset \(at) follows the `\(previous)` section: "
        + "sections must appear in increasing kind order"
    case .sectionOverrun(let kind, let at, let length, let available):
      return "`\(kind)` section at offset \(at) declares \(length) \(bytes(length)) "
        + "but only \(available) remain"
    case .hashMismatch(let expected, let found):
      return "content hash mismatch at offset \(CompiledFile.hashOffset): header declares "
        + "`\(SHA256.hex(expected))`, content hashes to `\(SHA256.hex(found))`"
    case .missingSection(let kind, let at):
      return "missing `\(kind)` section in the section table at offset \(at)"
    case .unknownOpcode(let opcode, let at):
      return "unknown opcode \(opcode) at offset \(at)"
    case .valueOverLimit(let at, let value, let limit):
      return "value \(value) at offset \(at) exceeds the limit of \(limit)"
    case .invalidTag(let tag, let field, let at):
      return "invalid \(field) \(tag) at offset \(at)"
    case .nestingTooDeep(let at, let limit):
      return "type at offset \(at) is nested more than \(limit) levels deep"
    }
  }
}

private func bytes(_ count: some BinaryInteger) -> String { count == 1 ? "byte" : "bytes" }
