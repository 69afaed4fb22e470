// The batch line reader: with tiny chunks and a tiny line limit, every byte string splits
// into exactly the lines a plain split gives — blank lines left out, each numbered, those
// over the limit listed as oversized with their length — whatever the chunk boundaries.
import FuzzSupport

#if canImport(Glibc)
  import Glibc
#endif

let path = "/tmp/regula-fuzz-lines-\(getpid()).jsonl"

func fuzzBatchLines(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let input = bytes(data, size)
  guard let file = fopen(path, "wb") else { return 0 }
  _ = input.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
  fclose(file)
  let limit = 24
  // The expected split.
  var expected: [(number: Int, line: [UInt8]?, length: Int)] = []
  var pieces = input.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
  if input.last == 0x0A { pieces.removeLast() }
  for (index, piece) in pieces.enumerated() {
    if piece.count > limit {
      expected.append((index + 1, nil, piece.count))
    } else if piece.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) {
      expected.append((index + 1, piece, piece.count))
    }
  }
  for chunk in [1, 3, 7, 64] {
    guard let reader = LineReader(path: path, chunkSize: chunk, maximumLineBytes: limit) else {
      return 0
    }
    var found: [(number: Int, line: [UInt8]?, length: Int)] = []
    while let block = reader.nextBlock() {
      for line in block.lines {
        if let length = block.oversized[line.number] {
          found.append((line.number, nil, length))
        } else {
          found.append((line.number, Array(block.bytes[line.bytes]), line.bytes.count))
        }
      }
    }
    guard found.count == expected.count,
      zip(found, expected).allSatisfy({
        $0.number == $1.number && $0.line == $1.line && $0.length == $1.length
      })
    else {
      finding("chunks of \(chunk): \(found.map(\.number)) where \(expected.map(\.number))")
    }
  }
  return 0
}

@_cdecl("FuzzBatchLines_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt
{
  runFuzzer(argc, argv) { data, size in fuzzBatchLines(data, size) }
}
