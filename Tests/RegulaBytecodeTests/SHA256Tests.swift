// SHA-256 against the NIST FIPS 180-4 examples and digests computed with Python's hashlib.
import RegulaBytecode
import Testing

private func digest(_ text: String) -> String { SHA256.hex(SHA256.hash(Array(text.utf8))) }

@Test func nistShortMessages() {
  #expect(digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  #expect(digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
}

@Test func nist448BitMessage() {
  #expect(
    digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
      == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
}

@Test func nist896BitMessage() {
  let message =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
    + "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
  #expect(digest(message) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
}

@Test func nistOneMillionAs() {
  let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
  #expect(
    SHA256.hex(SHA256.hash(message))
      == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
}

/// `python3 -c 'hashlib.sha256(bytes((i*31+7)&0xFF for i in range(n))).hexdigest()'`, at
/// lengths either side of the padding and block boundaries (55/56, 63/64, 119/120, 127/128).
private let patternDigests: [(Int, String)] = [
  (0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
  (1, "ca358758f6d27e6cf45272937977a748fd88391db679ceda7dc7bf1f005ee879"),
  (3, "647674a296197442f518bcca323ec605dd8d098b2d4f22ee1fdcdd2bb753a189"),
  (55, "8aa994584139d128848eeebc4e815639ba5ab6e6e39574195a63ac4f14f7c43b"),
  (56, "ad574708f75c044c9b85de64cb568ee7711ff4f36448c6242f053ba8f6cc2b63"),
  (57, "5b46e502092be01b1100193e089fdda95638c12e19a1d24f308eb2c3d3ae849d"),
  (63, "280ed3e8ff1df845b2e7dfe6ac6cee817bef20e783cc65abc41b818b4d2fe076"),
  (64, "c6ab9724ade5b6a7a1edfffb12f3aa9181351355af8fd08c919952ad211339dd"),
  (65, "788367c73c7ddf4c53f65e68cc0d943e6227ab55b0e78ba63ace822b1c6301c0"),
  (111, "dd1413178fb627f9abbc041ffe39c44aa7aaa0e2e6d2ca5c4528ac7073a2da45"),
  (112, "a65c92dac124062d0ab951a42773cb04fc98d1d4bf8897b176f8cff3509d379e"),
  (119, "3d610547d68216dedf7435a4fb6260353911f6b3fd3f18805ddb8be285d726fe"),
  (120, "1f80156a804cb7862ad113e8200e9d74499723e7c7854d5f48776d3148e09656"),
  (127, "192409cd280e14b743642ad1343fbd3e82d9305de72c078117745a679210cc3d"),
  (128, "cc548ca2dec1f6fe4f58b2e27aa9c7521607df1130d140b55a4dad0665302356"),
  (129, "81e89a7b2911aaa7795f9e3d4910cb47d6cd2b00d83b8399481527261a1a7519"),
  (1000, "5097e7d587352f5097062ae679f37bda5802d9f875aba14c8cb4d1a188ada179"),
  (4097, "bb37fb3430fb3bc003f70512ee0189aec84b029b221885c8f16280d1b935483e"),
]

private func pattern(_ count: Int) -> [UInt8] {
  (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
}

@Test func hashlibAtBlockBoundaries() {
  for (count, expected) in patternDigests {
    #expect(SHA256.hex(SHA256.hash(pattern(count))) == expected, "length \(count)")
  }
}

/// Python's hashlib over `n = next() % 3000` bytes, each the low byte of `next()`, from a
/// SplitMix64 seeded with `seed` (the generator in Support.swift, transcribed to Python).
private let randomDigests: [(seed: UInt64, count: Int, digest: String)] = [
  (1, 2465, "9dee25d7bf7c3771e24f5804ca6a0615bec1e5e7d8b493413b7227c8c8e7e140"),
  (2, 2110, "b7d04d126c960612941782140b8c54bfab77ae27fc0df42489f5f295c2aa624d"),
  (3, 1053, "a418bdcbc2fe92a8bc1cef887ea9758728044acee16f3c3665b390a2967bae54"),
  (42, 2413, "0b84ceeea04673107191c5dc2a2f2909175a71ca636e528bf24ddf21a48a2d2f"),
  (0xDEAD_BEEF, 67, "b75e255293f42a2f982108ffb2fc2391163a89049f5bdb51f3b58e6c0cd70f43"),
]

@Test func hashlibOnRandomInputs() {
  for (seed, count, expected) in randomDigests {
    var random = SplitMix64(seed: seed)
    let length = Int(random.next() % 3000)
    #expect(length == count, "seed \(seed)")
    #expect(SHA256.hex(SHA256.hash(random.bytes(length))) == expected, "seed \(seed)")
  }
}

@Test func nonContiguousSequencesHashLikeArrays() {
  for count in [0, 55, 64, 200] {
    let lazy = (0..<count).lazy.map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    #expect(SHA256.hash(lazy) == SHA256.hash(pattern(count)))
    #expect(
      SHA256.hash(pattern(count + 10)[5..<count + 5])
        == SHA256.hash(Array(pattern(count + 10)[5..<count + 5])))
  }
}

@Test func hexIsLowercaseTwoDigitsPerByte() {
  #expect(SHA256.hex([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
  #expect(SHA256.hex([UInt8]()) == "")
  #expect(SHA256.hash([UInt8]()).count == SHA256.digestByteCount)
}
