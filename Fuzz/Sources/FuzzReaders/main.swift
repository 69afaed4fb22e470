// The two JSON readers against one policy, differentially: whatever the fast reader accepts,
// the tree reader accepts too, with the same values; whatever either refuses ends in an
// error, never a trap.
import FuzzSupport

/// One machine, reused: libFuzzer calls the target on one thread.
nonisolated(unsafe) var machine = try! Machine(verifying: fuzzPolicy.image)
let schema = SchemaType.record(fuzzPolicy.image.inputRecord)

func fuzzReaders(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let input = bytes(data, size)
  machine.reset()
  let fast = machine.loadApplicationFast(json: input).map { machine.json($0, schema) }
  machine.reset()
  let tree = (try? machine.loadApplication(json: input)).map { machine.json($0, schema) }
  if let fast, fast != tree {
    finding("the fast reader gives \(fast), the tree reader \(tree ?? "an error")")
  }
  // The JSON parser alone, and the whole evaluation, must not trap either.
  _ = try? JSONReader.parse(input)
  var evaluator = Evaluator(policy: fuzzPolicy)
  _ = try? evaluator.decide(json: input, asOf: try! CivilDate(iso8601: "2024-06-01"))
  return 0
}

@_cdecl("FuzzReaders_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt
{
  runFuzzer(argc, argv) { data, size in fuzzReaders(data, size) }
}
