// The service's batch line splitter: whatever the chunks the body arrives in and wherever a
// block is cut, its blocks hold every line once, in order, numbered as the body is, with the
// same bytes as splitting the whole body at once (CRLF, blank, whitespace-only, unterminated
// and oversized lines included).
import NIOCore
import Testing

@testable import RegulaServer

/// What a body's lines should become, from the body split at once: (number, bytes) for an
/// application, (number, nil, length) for a line over `limit`; blank lines are left out.
private func expectedLines(_ body: [UInt8], limit: Int) -> [(Int, [UInt8]?, Int)] {
  var lines = body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    .map(Array.init)
  if lines.last?.isEmpty == true { lines.removeLast() }
  var expected: [(Int, [UInt8]?, Int)] = []
  for (index, line) in lines.enumerated() {
    if line.count > limit {
      expected.append((index + 1, nil, line.count))
      continue
    }
    var kept = line
    if kept.last == UInt8(ascii: "\r") { kept.removeLast() }
    if kept.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
    expected.append((index + 1, kept, kept.count))
  }
  return expected
}

@Test func theBatchSplitterKeepsEveryLineWhateverTheChunksAndBlocks() {
  var random = SystemRandomNumberGenerator()
  let pieces: [[UInt8]] = [
    Array(#"{"id":"A1","age":3}"#.utf8), Array("x".utf8), Array("  ".utf8), Array("\t".utf8),
    Array("\r".utf8), Array(String(repeating: "y", count: 40).utf8), Array("é中".utf8),
  ]
  for round in 0..<400 {
    let limit = [8, 24, 64, 1 << 20][round % 4]
    var body: [UInt8] = []
    for _ in 0..<Int.random(in: 0...30, using: &random) {
      for _ in 0..<Int.random(in: 0...3, using: &random) {
        body += pieces[Int.random(in: 0..<pieces.count, using: &random)]
      }
      if Bool.random(using: &random) { body += Array("\r".utf8) }
      body.append(UInt8(ascii: "\n"))
    }
    // Sometimes the last line has no line break.
    if Bool.random(using: &random) { body += pieces[Int.random(in: 0..<2, using: &random)] }

    var splitter = LineSplitter(limit: limit)
    var blocks: [BatchBlock] = []
    var offset = 0
    while offset < body.count {
      let size = min(Int.random(in: 1...17, using: &random), body.count - offset)
      splitter.feed(ByteBuffer(bytes: body[offset..<(offset + size)]))
      offset += size
      if Int.random(in: 0..<4, using: &random) == 0 { blocks.append(splitter.takeBlock()) }
    }
    splitter.finish()
    blocks.append(splitter.takeBlock())

    var found: [(Int, [UInt8]?, Int)] = []
    for block in blocks {
      for line in block.lines {
        switch line {
        case .application(let number, let range):
          found.append((number, Array(block.bytes[range]), range.count))
        case .oversized(let number, let count): found.append((number, nil, count))
        }
      }
    }
    let expected = expectedLines(body, limit: limit)
    #expect(found.count == expected.count, "round \(round)")
    for (got, wanted) in zip(found, expected) {
      #expect(got.0 == wanted.0 && got.1 == wanted.1 && got.2 == wanted.2, "round \(round)")
    }
  }
}
