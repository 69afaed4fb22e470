// Reading a JSON Lines file in blocks of whole lines, in constant memory: what `regula batch`
// decides, and what a service reading batches uses. Lines over the limit are skipped (not
// kept in memory) and reported by number and length.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Lines of a JSON Lines file read in one piece: the bytes, and each non-blank line's byte
/// range and 1-based line number.
public struct LineBlock: Sendable {
  /// The bytes of the block (whole lines).
  public var bytes: [UInt8]
  /// Each non-blank line's 1-based number and byte range in `bytes`.
  public var lines: [(number: Int, bytes: Range<Int>)]
  /// Lines longer than `LineReader.maximumLineBytes`, by line number, with their length: not
  /// kept (their range is empty), each answered by an error line.
  public var oversized: [Int: Int] = [:]
}

/// Reads a file in blocks of whole lines (256 KiB at first, then up to 4 MiB), so memory stays
/// bounded. Used by one thread at a time (the batch's reading queue, then the caller after
/// waiting for it), hence `@unchecked Sendable`.
public final class LineReader: @unchecked Sendable {
  let file: UnsafeMutablePointer<FILE>
  /// The file's size when opened (for progress), 0 when unknown.
  public let totalBytes: Int
  var carry: [UInt8] = []
  /// The bytes skipped so far of a line over `maximumLineBytes`, while skipping it.
  var skipped: Int?
  /// Bytes read so far.
  public private(set) var bytesRead = 0
  /// The number of the last line read (blank ones counted).
  public private(set) var lineNumber = 0
  var atEnd = false
  /// The read error that ended the file early, if any.
  public private(set) var failure: String?
  /// Bytes read at a time (a line longer than this spans several reads).
  let chunkSize: Int
  /// Bytes the next read asks for: 256 KiB at first, doubling up to `chunkSize`.
  var readSize: Int

  /// Opens `path`; nil when it cannot be read.
  ///
  /// - Parameter path: the JSON Lines file.
  /// - Parameter chunkSize: bytes read at a time (4 MiB; tests and fuzzing use small ones).
  /// - Parameter maximumLineBytes: the longest line kept; a longer one is skipped as it is
  ///   read and listed in the block's `oversized`.
  public init?(
    path: String, chunkSize: Int = 1 << 22, maximumLineBytes: Int = LineReader.maximumLineBytes
  ) {
    guard let file = fopen(path, "rb") else { return nil }
    self.file = file
    self.chunkSize = max(chunkSize, 1)
    readSize = min(max(chunkSize, 1), 1 << 18)
    self.maximumLineBytes = max(maximumLineBytes, 1)
    var status = stat()
    totalBytes = fstat(fileno(file), &status) == 0 ? Int(status.st_size) : 0
  }

  deinit { fclose(file) }

  /// The next block of whole lines (blank ones left out); nil at the end of the file.
  public func nextBlock() -> LineBlock? {
    while !atEnd {
      // The first blocks are small, so that threads start deciding early; then they double
      // up to `chunkSize`.
      let size = readSize
      readSize = min(readSize * 2, chunkSize)
      var read = 0
      // A block the caller gave back (`recycle`) is read into again when it is large enough:
      // its memory is mapped already. (Fresh memory costs a page fault per page as the read
      // fills it.) A smaller one (the first blocks are) is dropped: growing it would copy it.
      let needed = carry.count + size
      var block = spares.popLast() ?? LineBlock(bytes: [], lines: [])
      var bytes: [UInt8] = []
      swap(&bytes, &block.bytes)
      if bytes.capacity >= needed {
        if bytes.count < needed {
          bytes.append(contentsOf: repeatElement(0, count: needed - bytes.count))
        }
        bytes.withUnsafeMutableBufferPointer { buffer in
          _ = UnsafeMutableBufferPointer(rebasing: buffer[..<carry.count])
            .update(fromContentsOf: carry)
          read = fread(buffer.baseAddress! + carry.count, 1, size, file)
        }
        bytes.removeLast(bytes.count - (carry.count + read))
      } else {
        bytes = [UInt8](unsafeUninitializedCapacity: needed) { buffer, count in
          _ = UnsafeMutableBufferPointer(rebasing: buffer[..<carry.count])
            .initialize(fromContentsOf: carry)
          read = fread(buffer.baseAddress! + carry.count, 1, size, file)
          count = carry.count + read
        }
      }
      bytesRead += read
      if read < size {
        if ferror(file) != 0 { failure = String(cString: strerror(errno)) }
        atEnd = true
      }
      var lineStart = 0
      bytes.withUnsafeBufferPointer { buffer in
        let base = buffer.baseAddress!
        while lineStart < buffer.count {
          guard let found = memchr(base + lineStart, 0x0A, buffer.count - lineStart) else {
            if skipped != nil {
              // Still inside a line over the limit: drop what was read of it.
              skipped! += buffer.count - lineStart
              lineStart = buffer.count
              if atEnd { endOversized(&block) }
            } else if atEnd {
              // The last line, without a line break.
              if buffer.count - lineStart > maximumLineBytes {
                skipped = buffer.count - lineStart
                endOversized(&block)
              } else {
                addLine(&block, base, lineStart..<buffer.count)
              }
              lineStart = buffer.count
            }
            return
          }
          let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
          if skipped != nil {
            skipped! += end - lineStart
            endOversized(&block)
          } else if end - lineStart > maximumLineBytes {
            skipped = end - lineStart
            endOversized(&block)
          } else {
            addLine(&block, base, lineStart..<end)
          }
          lineStart = end + 1
        }
      }
      // A file that ends inside a line over the limit (the last read found no bytes left of
      // it): that line ends here too.
      if atEnd, skipped != nil { endOversized(&block) }
      carry = lineStart < bytes.count && !atEnd ? Array(bytes[lineStart...]) : []
      if carry.count > maximumLineBytes {
        // A line over the limit is not kept in memory: it is counted and skipped.
        skipped = carry.count
        carry = []
      }
      block.bytes = bytes
      if !block.lines.isEmpty { return block }
      recycle(&block)
    }
    return nil
  }

  /// Blocks given back, read into again by `nextBlock`.
  var spares: [LineBlock] = []

  /// Gives `block`'s memory back for the next blocks to be read into (the caller is done with
  /// it; a copy kept elsewhere stays intact, it only makes the reuse a copy).
  public func recycle(_ block: inout LineBlock) {
    guard spares.count < 2 else { return }
    var spare = LineBlock(bytes: [], lines: [])
    swap(&spare, &block)
    spare.lines.removeAll(keepingCapacity: true)
    spare.oversized.removeAll()
    spares.append(spare)
  }

  /// The longest line kept, in bytes (limit `line_size`, the largest JSON document read).
  public static let maximumLineBytes = JSONReader.maximumDocumentBytes

  /// The longest line this reader keeps (`maximumLineBytes` unless told otherwise).
  public let maximumLineBytes: Int

  /// Ends a line that was over the limit: numbered, with an empty range, and its length kept.
  func endOversized(_ block: inout LineBlock) {
    lineNumber += 1
    block.lines.append((lineNumber, 0..<0))
    block.oversized[lineNumber] = skipped ?? 0
    skipped = nil
  }

  /// Numbers a line and keeps it unless it is blank.
  func addLine(_ block: inout LineBlock, _ base: UnsafePointer<UInt8>, _ range: Range<Int>) {
    lineNumber += 1
    for offset in range {
      let byte = base[offset]
      if byte != 0x20 && byte != 0x0D && byte != 0x09 {
        block.lines.append((lineNumber, range))
        return
      }
    }
  }
}
