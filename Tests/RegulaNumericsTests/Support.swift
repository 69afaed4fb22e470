// Test support: a seeded SplitMix64 generator, edge-biased operands, and a failure collector.
@testable import RegulaNumerics

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same on every platform.
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
}

/// The number of random cases each property checks.
let casesPerProperty = 100_000

/// Values where 64-bit arithmetic breaks or changes sign.
let edgeValues: [Int64] = [
  0, 1, -1, 2, -2, 3, -3, .max, .max - 1, .min, .min + 1, 1 << 62, -(1 << 62),
  (1 << 62) - 1, 1 << 32, -(1 << 32), 1 << 31, Int64(Int32.max), Int64(Int32.min),
  3_037_000_499, -3_037_000_499, 3_037_000_500, 1_000_000_007,
]

extension SplitMix64 {
  /// A value in `0..<bound` (bound > 0).
  mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

  /// An Int64 concentrated at the edges: edges and their neighbours, small values around
  /// zero, powers of two, and uniformly random values.
  mutating func edgyInt64() -> Int64 {
    switch below(10) {
    case 0...3: return edgeValues[below(edgeValues.count)] &+ Int64(below(3) - 1)
    case 4, 5: return Int64(below(2001)) - 1000
    case 6: return Int64(bitPattern: (1 << UInt64(below(64)))) &+ Int64(below(3) - 1)
    default: return Int64(bitPattern: next())
    }
  }

  /// An ExactInt that is usually small and sometimes big (just past or far past Int64).
  mutating func edgyExactInt() -> ExactInt {
    switch below(8) {
    case 0: return ExactInt(edgyInt64()) * ExactInt(edgyInt64())
    case 1: return ExactInt(Int64.max) + ExactInt(edgyInt64() % 4)
    case 2: return ExactInt(Int64.min) - ExactInt(edgyInt64() % 4)
    default: return ExactInt(edgyInt64())
    }
  }

  /// A non-zero ExactInt.
  mutating func nonZeroExactInt() -> ExactInt {
    while true {
      let value = edgyExactInt()
      if !value.isZero { return value }
    }
  }

  /// An ExactDecimal with edge numerators and denominators (usually small, sometimes big).
  mutating func edgyDecimal() -> ExactDecimal {
    let numerator = below(6) == 0 ? edgyExactInt() : ExactInt(edgyInt64())
    var denominator = ExactInt(1)
    switch below(6) {
    case 0: denominator = ExactInt(1)
    case 1: denominator = ExactInt(Int64(below(100) + 1))
    case 2: denominator = ExactInt(10).power(UInt(below(20)))
    default: denominator = nonZeroExactInt()
    }
    // denominator is never zero here
    return (try? ExactDecimal(numerator: numerator, denominator: denominator)) ?? .zero
  }
}

/// Collects the first few failures of a property so one `#expect` reports them.
struct Failures {
  private(set) var count = 0
  private(set) var first: [String] = []

  mutating func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if condition { return }
    count += 1
    if first.count < 5 { first.append(message()) }
  }

  var summary: String { "\(count) failures, first: \(first.joined(separator: " | "))" }
}
