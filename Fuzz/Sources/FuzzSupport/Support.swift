// What the fuzz targets share: a fixed policy to read applications against, compiled once,
// and the repair that lets mutated compiled files reach the verifier (their content hash is
// recomputed, as an attacker who rewrites a file would).
@_exported import Regula

/// The policy the reader and evaluation targets decide with: every input type, a list of
/// records, optionals, an enum, constraints.
public let fuzzPolicySource = """
  policy fuzz
    from 2000-01-01
  enum Place { north, south, east }
  record Member {
    name: Text
    age: Int in 0 to 150
    income: Money
    share: Decimal?
  }
  input application {
    id: Text
    place: Place
    members: List<Member> length 0 to 50
    day: Date
    months: Months
    flag: Bool
    rate: Decimal
    cap: Money?
  }
  rule adults: Int = count(m in application.members where m.age >= 18)
  decision total: Money = sum(m.income for m in application.members)
  decision many: Bool = adults > 2 and application.flag
  decision later: Date = add(application.day, application.months, end_of_month)
  decision capped: Money = round(application.rate * (application.cap ?? 0 fen), half_up, 1 fen)
  decision where: Int = (match application.place { north: 1, south: 2, east: 3 })
  decision fine: Bool
    all of
      adults < 10 reason too_many
      application.flag reason no_flag
  labels zh {
    total "合计"
    reason too_many "人太多"
    Place.north "北"
    application.flag "标志"
  }

  """

/// The fuzz policy, compiled once.
public let fuzzPolicy: CompiledPolicy = {
  let files = ["fuzz.regula": Array(fuzzPolicySource.utf8)]
  guard let policy = CompiledPolicy.compile(path: "fuzz.regula", read: { files[$0] }).result.output
  else { fatalError("the fuzz policy does not compile") }
  return policy
}()

/// `bytes` with the content hash of a compiled file recomputed (when long enough to have
/// one), so that mutations reach the structure checks and the verifier.
public func withContentHash(_ bytes: [UInt8]) -> [UInt8] {
  var bytes = bytes
  let end = CompiledFile.contentOffset
  let start = end - SHA256.digestByteCount
  guard bytes.count >= end else { return bytes }
  bytes.replaceSubrange(start..<end, with: SHA256.hash(Array(bytes[end...])))
  return bytes
}

/// Stops the fuzzer with a finding: libFuzzer reports the input that caused it.
public func finding(_ message: String) -> Never {
  fatalError("finding: \(message)")
}

/// libFuzzer's driver, for an entry point of our own: SwiftPM links an executable target's
/// `main` to `<Module>_main`, so each target defines that and hands its callback here.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>,
  _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Runs libFuzzer with `callback` as the target, with the process's arguments.
public func runFuzzer(
  _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
  var count = argc
  var arguments = argv
  return LLVMFuzzerRunDriver(&count, &arguments, callback)
}

/// The input as an array (libFuzzer may pass a null pointer for an empty input).
public func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
  guard let data, size > 0 else { return [] }
  return Array(UnsafeBufferPointer(start: data, count: size))
}
