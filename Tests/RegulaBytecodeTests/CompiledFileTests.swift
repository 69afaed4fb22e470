// The compiled-file container: layout, round trips, every rejection, and a mutation test.
import RegulaBytecode
import Testing

/// A file with every section, a few hundred bytes in all.
private func sampleFile() -> CompiledFile {
  var random = SplitMix64(seed: 2024)
  var sections: [SectionKind: [UInt8]] = [:]
  for kind in SectionKind.allCases {
    sections[kind] = random.bytes(20 + Int(kind.rawValue) * 17)
  }
  sections[.metadata] = Array("{\"policy\":\"housing-benefit\",\"built\":\"2025-01-01\"}".utf8)
  return CompiledFile(compilerVersion: "regula 0.1.0 (test)", sections: sections)
}

/// Replaces the stored hash with the hash of the content, as a forger would.
private func rehashed(_ bytes: [UInt8]) -> [UInt8] {
  guard bytes.count >= CompiledFile.contentOffset else { return bytes }
  var result = bytes
  let hash = SHA256.hash(bytes[CompiledFile.contentOffset...])
  result.replaceSubrange(CompiledFile.hashOffset..<CompiledFile.contentOffset, with: hash)
  return result
}

private func decodeError(_ bytes: [UInt8]) -> CompiledFileError? {
  caught { () throws(CompiledFileError) in try CompiledFile.decode(bytes) }
}

@Test func headerLayout() {
  let file = CompiledFile(compilerVersion: "rc", sections: [.code: [0xAA, 0xBB]])
  let bytes = file.encoded()
  let content: [UInt8] = [
    0x02, 0x72, 0x63,  // compiler version "rc"
    0x01, 0x00,  // one section
    0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0xAA, 0xBB,  // code, 2 bytes
  ]
  #expect(Array(bytes[0..<8]) == Array("REGULA".utf8) + [0x00, 0x1A])
  #expect(Array(bytes[8..<10]) == [0x05, 0x00])
  #expect(Array(bytes[10..<42]) == SHA256.hash(content))
  #expect(Array(bytes[42...]) == content)
  #expect(file.contentHash == SHA256.hash(content))
}

@Test(arguments: [
  [SectionKind: [UInt8]](),
  [.code: []],
  [.code: [1, 2, 3], .constants: [4]],
  [.metadata: [9, 9], .debug: [UInt8](repeating: 7, count: 1000)],
  [.schema: [], .citations: Array("Art. 3 §2".utf8), .code: [0]],
])
func roundTrip(sections: [SectionKind: [UInt8]]) throws {
  for version in ["", "regula 1.2.3", "régula ✓", String(repeating: "v", count: 256)] {
    let file = CompiledFile(compilerVersion: version, sections: sections)
    let bytes = file.encoded()
    let decoded = try CompiledFile.decode(bytes)
    #expect(decoded == file)
    #expect(decoded.formatVersion == CompiledFile.currentFormatVersion)
    #expect(decoded.encoded() == bytes)
    #expect(decoded.contentHash == Array(bytes[10..<42]))
  }
}

@Test func fullFileRoundTripsAndIsDeterministic() throws {
  let file = sampleFile()
  let bytes = file.encoded()
  #expect(bytes.count > 300 && bytes.count < 1000)
  #expect(try CompiledFile.decode(bytes) == file)
  // The same sections inserted in the opposite order encode to the same bytes.
  var reversed: [SectionKind: [UInt8]] = [:]
  for kind in SectionKind.allCases.reversed() { reversed[kind] = file.sections[kind] }
  #expect(
    CompiledFile(compilerVersion: file.compilerVersion, sections: reversed).encoded() == bytes)
}

@Test func eachRejectionNamesItsOffset() {
  let good = CompiledFile(compilerVersion: "rc", sections: [.code: [1], .schema: [2, 3]]).encoded()
  // good: magic 0..<8, version 8..<10, hash 10..<42, "rc" 42..<45, count 45..<47,
  // code header 47..<53 + 1 byte, schema header 54..<60 + 2 bytes, end 62.
  #expect(good.count == 62)
  func with(_ edits: [Int: UInt8], appending tail: [UInt8] = [], rehash: Bool = true) -> [UInt8] {
    var bytes = good + tail
    for (offset, value) in edits { bytes[offset] = value }
    return rehash ? rehashed(bytes) : bytes
  }
  let goodHash = Array(good[10..<42])
  let payloadFlip = with([61: good[61] ^ 0x44], rehash: false)
  let hashFlip = with([11: good[11] ^ 1], rehash: false)
  let cases: [([UInt8], CompiledFileError)] = [
    ([], .truncated(at: 0, needed: 8)),
    (Array("REG".utf8), .truncated(at: 0, needed: 8)),
    (Array("PK\u{3}\u{4}".utf8), .badMagic(found: Array("PK\u{3}\u{4}".utf8))),
    (with([0: 0x72]), .badMagic(found: [0x72] + Array(good[1..<8]))),
    (with([8: 1]), .unsupportedFormatVersion(1)),
    (Array(good[..<20]), .truncated(at: 10, needed: 32)),
    (with([42: 0xFF]), .lengthOverLimit(at: 42, length: 0x7F | 0x72 << 7, limit: 256)),
    (with([42: 0x7F]), .truncated(at: 43, needed: 127)),
    (with([43: 0xC3]), .invalidUTF8(at: 43)),
    (with([45: 65]), .tooManySections(count: 65, limit: 64, at: 45)),
    (with([45: 3]), .truncated(at: 62, needed: 2)),
    (with([47: 9]), .unknownSectionKind(9, at: 47)),
    (with([54: 1]), .duplicateSection(.code, at: 54)),
    (with([47: 4, 54: 1]), .sectionOutOfOrder(.code, after: .schema, at: 54)),
    (with([49: 200]), .sectionOverrun(.code, at: 47, length: 200, available: 9)),
    (with([52: 0x80]), .sectionOverrun(.code, at: 47, length: 0x8000_0001, available: 9)),
    (with([:], appending: [0, 0, 0]), .trailingBytes(at: 62, count: 3)),
    (payloadFlip, .hashMismatch(expected: goodHash, found: SHA256.hash(payloadFlip[42...]))),
    (hashFlip, .hashMismatch(expected: Array(hashFlip[10..<42]), found: goodHash)),
  ]
  for (bytes, expected) in cases {
    let error = decodeError(bytes)
    #expect(error == expected)
    guard let error else { continue }
    #expect(error.description.contains("offset \(error.offset)"), "\(error)")
    #expect(!error.description.hasSuffix(".") && !error.description.contains("\n"))
    #expect(error.description.first?.isUppercase == false, "\(error)")
  }
  #expect(
    decodeError(with([49: 200])).map(String.init(describing:))
      == "`code` section at offset 47 declares 200 bytes but only 9 remain")
  #expect(
    decodeError(with([8: 1])).map(String.init(describing:))
      == "unsupported format version 1 at offset 8: this build reads version 5")
}

@Test func oversizedFilesAreRejectedBeforeParsing() {
  let size = CompiledFile.maximumFileSize + 1
  let error = decodeError([UInt8](repeating: 0, count: size))
  #expect(error == .fileTooLarge(size: size, limit: CompiledFile.maximumFileSize))
  #expect(error?.description == "file of \(size) bytes exceeds the size limit at offset 268435456")
}

/// Flips, truncates and splices bytes of a valid file. Each mutant must be rejected with a
/// `CompiledFileError` or decode to a file that re-encodes to exactly the mutant's bytes (and,
/// unless the mutant was re-hashed, equals the original). A crash fails the whole run.
@Test func mutatedFilesAreRejectedOrCanonical() {
  let original = sampleFile()
  let good = original.encoded()
  var mutants: [[UInt8]] = []
  for offset in good.indices {
    for bit in 0..<8 {
      var flipped = good
      flipped[offset] ^= 1 << UInt8(bit)
      mutants.append(flipped)
    }
    var inverted = good
    inverted[offset] ^= 0xFF
    mutants.append(inverted)
  }
  for length in 0..<good.count { mutants.append(Array(good[..<length])) }
  var random = SplitMix64(seed: 0x5EED)
  for _ in 0..<4_000 {
    var bytes = good
    let start = random.below(bytes.count + 1)
    let end = min(bytes.count, start + random.below(48))
    switch random.below(4) {
    case 0: bytes.replaceSubrange(start..<end, with: random.bytes(end - start))  // overwrite
    case 1: bytes.removeSubrange(start..<end)  // delete
    case 2: bytes.insert(contentsOf: random.bytes(random.below(48)), at: start)  // insert
    default:  // copy a chunk of the file elsewhere in it
      let chunk = Array(good[start..<end])
      bytes.insert(contentsOf: chunk, at: random.below(bytes.count + 1))
    }
    mutants.append(bytes)
  }

  var rejected = 0
  var accepted = 0  // unforged mutants that decode: only those identical to the original
  var acceptedForgeries = 0
  for mutant in mutants {
    for forged in [false, true] {
      let bytes = forged ? rehashed(mutant) : mutant
      do {
        let decoded = try CompiledFile.decode(bytes)
        #expect(decoded.encoded() == bytes)
        if forged {
          acceptedForgeries += 1
        } else {
          accepted += 1
          #expect(decoded == original)
          #expect(bytes == good)
        }
      } catch {
        rejected += 1
        #expect(error.description.contains("offset \(error.offset)"), "\(error)")
      }
    }
  }
  // Only the splices that changed nothing (empty ranges) survive without forging the hash.
  #expect(accepted == mutants.count { $0 == good })
  #expect(rejected + accepted + acceptedForgeries == 2 * mutants.count)
  #expect(acceptedForgeries > 0)  // payload bytes are opaque to the container
}
