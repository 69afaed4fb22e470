// Compiled files: decode, verify, disassemble. Any input must end in an error or a verified
// image, never a trap; a verified image must disassemble and load into a machine.
import FuzzSupport

func fuzzCompiledFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = withContentHash(bytes(data, size))
  guard let policy = try? CompiledPolicy.load(bytes) else { return 0 }
  _ = Disassembler.disassemble(policy.image)
  _ = Evaluator(policy: policy)
  // A verified image encodes back to a file that loads as the same image.
  guard let again = try? CompiledPolicy.load(policy.encoded()), again.image == policy.image else {
    finding("a verified image does not survive encoding")
  }
  return 0
}

@_cdecl("FuzzCompiledFile_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt
{
  runFuzzer(argc, argv) { data, size in fuzzCompiledFile(data, size) }
}
