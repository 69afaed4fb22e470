// SHA-256 (FIPS 180-4) in pure Swift: the content hash of compiled files and the policy hash
// of decision records.

/// The SHA-256 hash function (FIPS 180-4).
public enum SHA256 {
  /// The number of bytes in a digest.
  public static let digestByteCount = 32

  /// The 32-byte SHA-256 digest of `bytes`.
  ///
  /// - Complexity: O(n) in the number of bytes; a sequence without contiguous storage is
  ///   copied into an array first.
  public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
    var state = State()
    let hashedInPlace: Void? = bytes.withContiguousStorageIfAvailable { state.absorb($0) }
    if hashedInPlace == nil {
      Array(bytes).withUnsafeBufferPointer { state.absorb($0) }
    }
    return state.finish()
  }

  /// `bytes` as lowercase hexadecimal, two digits per byte. (Inlinable, so that callers in
  /// other modules get it specialised: the generic copy went through a witness table per
  /// byte, on every token a service checks.)
  ///
  /// - Complexity: O(n) in the number of bytes.
  @inlinable
  public static func hex(_ bytes: some Sequence<UInt8>) -> String {
    var text: [UInt8] = []
    text.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes {
      text.append(hexDigit(byte >> 4))
      text.append(hexDigit(byte & 0x0F))
    }
    return String(decoding: text, as: UTF8.self)
  }

  /// The lowercase hexadecimal digit of `value` (below 16).
  @inlinable
  static func hexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? UInt8(ascii: "0") &+ value : UInt8(ascii: "a") &- 10 &+ value
  }
}

extension SHA256 {
  /// The running state: the eight working words, a partial block, and the message length.
  struct State {
    private var words: [UInt32] = [
      0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a,
      0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    /// Bytes not yet compressed; always fewer than 64 between calls.
    private var pending: [UInt8] = []
    /// The message length so far, in bytes.
    private var byteCount: UInt64 = 0

    init() { pending.reserveCapacity(64) }

    mutating func absorb(_ buffer: UnsafeBufferPointer<UInt8>) {
      byteCount &+= UInt64(buffer.count)
      var index = 0
      if !pending.isEmpty {
        let taken = min(64 - pending.count, buffer.count)
        pending.append(contentsOf: buffer[0..<taken])
        index = taken
        guard pending.count == 64 else { return }
        let block = pending
        block.withUnsafeBufferPointer { compress($0, at: 0) }
        pending.removeAll(keepingCapacity: true)
      }
      while buffer.count - index >= 64 {
        compress(buffer, at: index)
        index += 64
      }
      pending.append(contentsOf: buffer[index...])
    }

    /// Pads the message (0x80, zeros, the 64-bit big-endian bit length) and returns the digest.
    mutating func finish() -> [UInt8] {
      let bitCount = byteCount &* 8
      var tail = pending
      tail.append(0x80)
      while tail.count % 64 != 56 { tail.append(0) }
      for shift in stride(from: 56, through: 0, by: -8) {
        tail.append(UInt8(truncatingIfNeeded: bitCount >> UInt64(shift)))
      }
      tail.withUnsafeBufferPointer { buffer in
        var index = 0
        while index < buffer.count {
          compress(buffer, at: index)
          index += 64
        }
      }
      var digest: [UInt8] = []
      digest.reserveCapacity(SHA256.digestByteCount)
      for word in words {
        digest.append(UInt8(truncatingIfNeeded: word >> 24))
        digest.append(UInt8(truncatingIfNeeded: word >> 16))
        digest.append(UInt8(truncatingIfNeeded: word >> 8))
        digest.append(UInt8(truncatingIfNeeded: word))
      }
      return digest
    }

    /// Compresses the 64-byte block at `buffer[start..<start + 64]` into `words`.
    private mutating func compress(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int) {
      precondition(start >= 0 && buffer.count - start >= 64, "SHA-256 block out of range")
      var a = words[0]
      var b = words[1]
      var c = words[2]
      var d = words[3]
      var e = words[4]
      var f = words[5]
      var g = words[6]
      var h = words[7]
      roundConstants.withUnsafeBufferPointer { constants in
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
          for t in 0..<16 {
            let base = start + 4 * t
            schedule[t] =
              UInt32(buffer[base]) << 24 | UInt32(buffer[base + 1]) << 16
              | UInt32(buffer[base + 2]) << 8 | UInt32(buffer[base + 3])
          }
          for t in 16..<64 {
            let w15 = schedule[t - 15]
            let w2 = schedule[t - 2]
            let s0 = rotateRight(w15, 7) ^ rotateRight(w15, 18) ^ (w15 >> 3)
            let s1 = rotateRight(w2, 17) ^ rotateRight(w2, 19) ^ (w2 >> 10)
            schedule[t] = schedule[t - 16] &+ s0 &+ schedule[t - 7] &+ s1
          }
          for t in 0..<64 {
            let s1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25)
            let choice = (e & f) ^ (~e & g)
            let temp1 = h &+ s1 &+ choice &+ constants[t] &+ schedule[t]
            let s0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let temp2 = s0 &+ majority
            h = g
            g = f
            f = e
            e = d &+ temp1
            d = c
            c = b
            b = a
            a = temp1 &+ temp2
          }
        }
      }
      words[0] &+= a
      words[1] &+= b
      words[2] &+= c
      words[3] &+= d
      words[4] &+= e
      words[5] &+= f
      words[6] &+= g
      words[7] &+= h
    }
  }
}

@inline(__always)
private func rotateRight(_ value: UInt32, _ count: UInt32) -> UInt32 {
  (value >> count) | (value << (32 - count))
}

/// The first 32 bits of the fractional parts of the cube roots of the first 64 primes.
private let roundConstants: [UInt32] = [
  0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5,
  0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
  0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3,
  0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
  0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc,
  0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
  0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7,
  0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
  0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13,
  0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
  0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3,
  0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
  0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5,
  0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
  0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208,
  0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
]
