// Test support: a seeded SplitMix64 generator and a typed-error catcher.
import RegulaBytecode

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same on every platform.
/// The Python tables in SHA256Tests were generated with the same generator.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A value in `0..<bound` (bound > 0).
  mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

  /// `count` random bytes: the low byte of each successive output.
  mutating func bytes(_ count: Int) -> [UInt8] {
    (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
  }
}

/// Runs `body` and returns the `CompiledFileError` it throws, or nil if it returns.
func caught<T>(_ body: () throws(CompiledFileError) -> T) -> CompiledFileError? {
  do {
    _ = try body()
    return nil
  } catch {
    return error
  }
}
