// RegulaNumericsBench: operations per second on the 64-bit fast path and the GMP path,
// and a `leak-check` mode that exercises every GMP path for valgrind.
//
//   swift run -c release RegulaNumericsBench               # the benchmark
//   RegulaNumericsBench leak-check 2000                    # GMP workout for valgrind
import RegulaNumerics

/// Receives benchmark results so the optimiser cannot drop the work.
nonisolated(unsafe) var sink: Int = 0

@inline(never)
func consume(_ value: ExactInt) { sink &+= value.signum }

@inline(never)
func consume(_ value: ExactDecimal) { sink &+= value.signum }

@inline(never)
func consume(_ value: Bool) { sink &+= value ? 1 : 0 }

@inline(never)
func consume(_ value: Int64) { sink &+= Int(truncatingIfNeeded: value) }

/// SplitMix64, for reproducible operands.
struct SplitMix64 {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// A value in -bound...bound.
  mutating func int64(within bound: Int64) -> Int64 {
    Int64(next() % UInt64(2 * bound + 1)) - bound
  }
}

/// Operand pools: 1024 values each, indexed with a mask.
struct Operands {
  static let count = 1024
  var smallInts: [ExactInt] = []
  var bigInts: [ExactInt] = []
  var rawInts: [Int64] = []
  var smallDecimals: [ExactDecimal] = []
  var bigDecimals: [ExactDecimal] = []
  var percentRates: [ExactDecimal] = []

  init(seed: UInt64) {
    var random = SplitMix64(state: seed)
    let big = ExactInt(Int64.max) * ExactInt(Int64.max)  // about 2^126
    for _ in 0..<Operands.count {
      let a = random.int64(within: 1_000_000_000)
      rawInts.append(a)
      smallInts.append(ExactInt(a))
      bigInts.append(big + ExactInt(a))
      let d = ExactInt(random.int64(within: 999) + 1000)  // 1...1999
      smallDecimals.append((try? ExactDecimal(numerator: ExactInt(a), denominator: d)) ?? .zero)
      let percent = ExactInt(Int64(random.next() % 101))
      percentRates.append((try? ExactDecimal(numerator: percent, denominator: 100)) ?? .zero)
      bigDecimals.append(
        (try? ExactDecimal(numerator: big + ExactInt(a), denominator: big - d)) ?? .zero)
    }
  }
}

/// Runs `body(i)` for i in 0..<iterations `runs` times; returns the median ops/second.
func opsPerSecond(iterations: Int, runs: Int = 7, _ body: (Int) -> Void) -> Int64 {
  let clock = ContinuousClock()
  var rates: [Int64] = []
  for _ in 0..<runs {
    let start = clock.now
    for i in 0..<iterations { body(i & (Operands.count - 1)) }
    let elapsed = clock.now - start
    let (seconds, attoseconds) = elapsed.components
    let nanoseconds = max(1, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    rates.append(Int64(iterations) * 1_000_000_000 / nanoseconds)
  }
  rates.sort()
  return rates[runs / 2]
}

/// Formats a rate with thousands separators and the time per operation.
func report(_ name: String, _ rate: Int64) {
  var digits = String(rate)
  var grouped = ""
  while digits.count > 3 {
    grouped = "," + digits.suffix(3) + grouped
    digits.removeLast(3)
  }
  let perOp = 1_000_000_000_000 / max(rate, 1)  // picoseconds
  let nsText =
    "\(perOp / 1000).\(String(perOp % 1000 / 10).count == 1 ? "0" : "")\(perOp % 1000 / 10)"
  let label = name.padding(toLength: 34)
  let count = (digits + grouped).leftPadding(toLength: 15)
  print("\(label) \(count) ops/s  \(nsText.leftPadding(toLength: 9)) ns/op")
}

extension String {
  func padding(toLength length: Int) -> String {
    self + String(repeating: " ", count: max(0, length - count))
  }
  func leftPadding(toLength length: Int) -> String {
    String(repeating: " ", count: max(0, length - count)) + self
  }
}

/// The benchmark proper.
func runBenchmark() {
  let o = Operands(seed: 42)
  let fast = 2_000_000
  let slow = 200_000
  print("RegulaNumerics benchmark (median of 7 runs)")
  report(
    "Int64 &+ (baseline, raw)",
    opsPerSecond(iterations: fast) { consume(o.rawInts[$0] &+ o.rawInts[$0 ^ 1]) })
  report(
    "ExactInt add, fast",
    opsPerSecond(iterations: fast) { consume(o.smallInts[$0] + o.smallInts[$0 ^ 1]) })
  report(
    "ExactInt multiply, fast",
    opsPerSecond(iterations: fast) { consume(o.smallInts[$0] * o.smallInts[$0 ^ 1]) })
  report(
    "ExactInt compare, fast",
    opsPerSecond(iterations: fast) { consume(o.smallInts[$0] < o.smallInts[$0 ^ 1]) })
  report(
    "ExactInt add, GMP",
    opsPerSecond(iterations: slow) { consume(o.bigInts[$0] + o.bigInts[$0 ^ 1]) })
  report(
    "ExactInt multiply, GMP",
    opsPerSecond(iterations: slow) { consume(o.bigInts[$0] * o.bigInts[$0 ^ 1]) })
  report(
    "ExactInt compare, GMP",
    opsPerSecond(iterations: slow) { consume(o.bigInts[$0] < o.bigInts[$0 ^ 1]) })
  report(
    "ExactDecimal add, fast",
    opsPerSecond(iterations: fast) { consume(o.smallDecimals[$0] + o.smallDecimals[$0 ^ 1]) })
  report(
    "ExactDecimal multiply, fast",
    opsPerSecond(iterations: fast) { consume(o.smallDecimals[$0] * o.smallDecimals[$0 ^ 1]) })
  report(
    "ExactDecimal compare, fast",
    opsPerSecond(iterations: fast) { consume(o.smallDecimals[$0] < o.smallDecimals[$0 ^ 1]) })
  report(
    "ExactDecimal round halfEven, fast",
    opsPerSecond(iterations: fast) { consume(o.smallDecimals[$0].roundedToInteger(.halfEven)) })
  report(
    "ExactDecimal add, GMP",
    opsPerSecond(iterations: slow) { consume(o.bigDecimals[$0] + o.bigDecimals[$0 ^ 1]) })
  report(
    "ExactDecimal multiply, GMP",
    opsPerSecond(iterations: slow) { consume(o.bigDecimals[$0] * o.bigDecimals[$0 ^ 1]) })
  report(
    "ExactDecimal compare, GMP",
    opsPerSecond(iterations: slow) { consume(o.bigDecimals[$0] < o.bigDecimals[$0 ^ 1]) })
  report(
    "ExactDecimal round halfEven, GMP",
    opsPerSecond(iterations: slow) { consume(o.bigDecimals[$0].roundedToInteger(.halfEven)) })
  report(
    "ExactDecimal add p/100, fast",
    opsPerSecond(iterations: fast) { consume(o.percentRates[$0] + o.percentRates[$0 ^ 1]) })
  report(
    "Money × p/100 → fen halfUp, fast",
    opsPerSecond(iterations: fast) {
      consume((Money(fen: o.smallInts[$0]) * o.percentRates[$0 ^ 1]).rounded(.halfUp).fen)
    })
  report(
    "Money × a/b → fen halfUp, fast",
    opsPerSecond(iterations: fast) {
      consume((Money(fen: o.smallInts[$0]) * o.smallDecimals[$0 ^ 1]).rounded(.halfUp).fen)
    })
  print("(sink \(sink))")
}

/// Exercises every GMP-backed path `iterations` times; run under valgrind to see that all
/// GMP memory is freed.
func runLeakCheck(iterations: Int) {
  let o = Operands(seed: 7)
  var checksum = 0
  for i in 0..<iterations {
    let k = i & (Operands.count - 1)
    let (a, b) = (o.bigInts[k], o.bigInts[k ^ 1])
    let (x, y) = (o.bigDecimals[k], o.bigDecimals[k ^ 1])
    checksum &+= (a + b - a * b).signum + (-a).signum
    if let (q, r) = try? (a * b).quotientAndRemainder(dividingBy: b, .flooring) {
      checksum &+= q.signum + r.signum
    }
    checksum &+= (x + y).signum + (x * y).signum + (-x).signum + ((try? x / y)?.signum ?? 0)
    checksum &+= x.roundedToInteger(.halfEven).signum + x.rounded(toPlaces: 3, .up).signum
    checksum &+= (x < y ? 1 : 0) + (a == b ? 1 : 0) + x.hashValue & 1 + a.hashValue & 1
    checksum &+= ExactInt(a.description) == a ? 1 : 0
    checksum &+= ExactDecimal(x.description) == x ? 1 : 0
    checksum &+= (ExactInt(Int64.max) + ExactInt(Int64(k))).signum  // overflow into GMP
    checksum &+= (o.smallDecimals[k] * o.smallDecimals[k ^ 1] * o.smallDecimals[k ^ 2]).signum
  }
  print("leak-check: \(iterations) iterations, checksum \(checksum)")
}

let arguments = CommandLine.arguments
if arguments.count >= 2, arguments[1] == "leak-check" {
  runLeakCheck(iterations: arguments.count >= 3 ? Int(arguments[2]) ?? 1000 : 1000)
} else {
  runBenchmark()
}
