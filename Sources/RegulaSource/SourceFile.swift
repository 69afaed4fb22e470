// Source files and byte-range spans: every later stage points into these.

/// One source file, held as UTF-8 bytes with a lazily usable line table.
public struct SourceFile: Sendable, Hashable {
  /// A small integer naming a file inside one compilation.
  public struct ID: Hashable, Sendable, Codable, Comparable {
    public var raw: Int32
    public init(_ raw: Int32) { self.raw = raw }
    public static func < (a: ID, b: ID) -> Bool { a.raw < b.raw }
  }

  public let id: ID
  /// The path as given by the user; printed in diagnostics.
  public let path: String
  /// The file's bytes; need not be valid UTF-8 (the lexer reports bad bytes).
  public let bytes: [UInt8]
  /// Byte offsets at which each line starts; `lineStarts[0] == 0`.
  public let lineStarts: [Int]

  /// Creates a file from raw bytes.
  public init(id: ID, path: String, bytes: [UInt8]) {
    self.id = id
    self.path = path
    self.bytes = bytes
    var starts = [0]
    for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
      starts.append(offset + 1)
    }
    self.lineStarts = starts
  }

  /// Creates a file from text.
  public init(id: ID, path: String, text: String) {
    self.init(id: id, path: path, bytes: Array(text.utf8))
  }

  /// The 1-based line and column (in characters, counting Unicode scalars) of a byte offset.
  public func location(of offset: Int) -> (line: Int, column: Int) {
    let clamped = max(0, min(offset, bytes.count))
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let mid = (low + high + 1) / 2
      if lineStarts[mid] <= clamped { low = mid } else { high = mid - 1 }
    }
    let start = lineStarts[low]
    return (low + 1, scalarCount(start..<clamped) + 1)
  }

  /// The text of a 1-based line, without its line break.
  public func lineText(_ line: Int) -> String {
    guard line >= 1, line <= lineStarts.count else { return "" }
    let start = lineStarts[line - 1]
    var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
    if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
  }

  /// The text covered by a byte range.
  public func text(_ range: Range<Int>) -> String {
    let lower = max(0, min(range.lowerBound, bytes.count))
    let upper = max(lower, min(range.upperBound, bytes.count))
    return String(decoding: bytes[lower..<upper], as: UTF8.self)
  }

  /// Counts Unicode scalars (not continuation bytes) in a byte range.
  func scalarCount(_ range: Range<Int>) -> Int {
    var count = 0
    for index in range where bytes[index] & 0xC0 != 0x80 { count += 1 }
    return count
  }
}

/// A half-open range of UTF-8 byte offsets into one source file.
public struct SourceSpan: Hashable, Sendable, Codable, Comparable {
  public var file: SourceFile.ID
  public var bytes: Range<Int>

  public init(file: SourceFile.ID, bytes: Range<Int>) {
    self.file = file
    self.bytes = bytes
  }

  /// The smallest span covering both spans (which must be in the same file).
  public func merged(with other: SourceSpan) -> SourceSpan {
    SourceSpan(
      file: file,
      bytes: min(
        bytes.lowerBound, other.bytes.lowerBound)..<max(
          bytes.upperBound, other.bytes.upperBound))
  }

  public static func < (a: SourceSpan, b: SourceSpan) -> Bool {
    (a.file, a.bytes.lowerBound, a.bytes.upperBound) < (
      b.file, b.bytes.lowerBound, b.bytes.upperBound
    )
  }
}

/// The files of one compilation, indexed by ID.
public struct SourceManager: Sendable {
  public private(set) var files: [SourceFile] = []

  public init() {}

  /// Adds a file and returns its ID.
  public mutating func add(path: String, bytes: [UInt8]) -> SourceFile.ID {
    let id = SourceFile.ID(Int32(files.count))
    files.append(SourceFile(id: id, path: path, bytes: bytes))
    return id
  }

  /// The file with the given ID.
  public subscript(id: SourceFile.ID) -> SourceFile { files[Int(id.raw)] }

  /// The file already added under `path`, if any.
  public func file(atPath path: String) -> SourceFile? { files.first { $0.path == path } }
}
