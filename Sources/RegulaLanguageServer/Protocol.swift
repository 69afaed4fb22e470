// The Language Server Protocol's transport: JSON-RPC messages framed by `Content-Length`
// headers on standard input and output, JSON written from `JSONValue`, and positions
// converted between the compiler's UTF-8 byte offsets and the client's lines and characters
// (UTF-16 code units unless the client accepts UTF-8).
import Glibc
import Regula

/// Reads framed messages from a file descriptor.
struct MessageReader {
  let descriptor: Int32
  var buffer: [UInt8] = []
  /// The largest message accepted (a document of 16 MiB, with room for its escaping).
  static let limit = 64 << 20

  init(descriptor: Int32) { self.descriptor = descriptor }

  /// Fills the buffer; false at end of input.
  mutating func fill() -> Bool {
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { return false }
      buffer.append(contentsOf: chunk[0..<count])
      return true
    }
  }

  /// The next message's body, nil at end of input.
  ///
  /// - Throws: `ProtocolError` for a header without a valid `Content-Length`, or a body over
  ///   the limit.
  mutating func next() throws(ProtocolError) -> [UInt8]? {
    let separator: [UInt8] = Array("\r\n\r\n".utf8)
    var headerEnd: Int?
    while true {
      if buffer.count >= 4 {
        headerEnd = (0...(buffer.count - 4)).first { buffer[$0..<$0 + 4].elementsEqual(separator) }
      }
      if headerEnd != nil { break }
      if buffer.count > 8192 { throw ProtocolError("a message header is over 8 KiB") }
      guard fill() else { return nil }
    }
    let header = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
    var length: Int?
    for line in header.split(separator: "\r\n") {
      let parts = line.split(separator: ":", maxSplits: 1)
      if parts.count == 2, parts[0].lowercased() == "content-length" {
        length = Int(parts[1].trimmingSpaces)
      }
    }
    guard let length, length >= 0, length <= MessageReader.limit else {
      throw ProtocolError("a message header has no valid Content-Length: \(header)")
    }
    let start = headerEnd! + 4
    while buffer.count < start + length {
      guard fill() else { return nil }
    }
    let body = Array(buffer[start..<start + length])
    buffer.removeFirst(start + length)
    return body
  }
}

struct ProtocolError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

extension Substring {
  var trimmingSpaces: Substring {
    var text = self
    while text.first == " " || text.first == "\t" { text.removeFirst() }
    while text.last == " " || text.last == "\t" { text.removeLast() }
    return text
  }
}

/// Writes one framed message.
func writeMessage(_ value: JSONValue, to descriptor: Int32) {
  var body: [UInt8] = []
  value.write(to: &body)
  let message = Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
  var offset = 0
  while offset < message.count {
    let written = message[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    if written < 0 && errno == EINTR { continue }
    guard written > 0 else { return }
    offset += written
  }
}

extension JSONValue {
  /// Compact JSON text.
  func write(to bytes: inout [UInt8]) {
    switch self {
    case .null: bytes.append(contentsOf: "null".utf8)
    case .bool(let value): bytes.append(contentsOf: (value ? "true" : "false").utf8)
    case .number(let text): bytes.append(contentsOf: text.utf8)
    case .string(let text): bytes.append(contentsOf: JSONWriter.quote(text).utf8)
    case .array(let values):
      bytes.append(UInt8(ascii: "["))
      for (index, value) in values.enumerated() {
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        value.write(to: &bytes)
      }
      bytes.append(UInt8(ascii: "]"))
    case .object(let members):
      bytes.append(UInt8(ascii: "{"))
      for (index, member) in members.enumerated() {
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        bytes.append(contentsOf: JSONWriter.quote(member.key).utf8)
        bytes.append(UInt8(ascii: ":"))
        member.value.write(to: &bytes)
      }
      bytes.append(UInt8(ascii: "}"))
    }
  }

  static func int(_ value: Int) -> JSONValue { .number(String(value)) }

  var int: Int? {
    if case .number(let text) = self { return Int(text) }
    return nil
  }

  var string: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  var array: [JSONValue]? {
    if case .array(let values) = self { return values }
    return nil
  }
}

// MARK: - Positions

/// How the client counts characters in a line.
enum PositionEncoding: String {
  case utf8 = "utf-8"
  case utf16 = "utf-16"
}

/// Lines and characters of one file's bytes.
struct LineMap {
  let file: SourceFile
  let encoding: PositionEncoding
  var bytes: [UInt8] { file.bytes }
  var lineStarts: [Int] { file.lineStarts }

  init(bytes: [UInt8], encoding: PositionEncoding) {
    file = SourceFile(id: SourceFile.ID(0), path: "", bytes: bytes)
    self.encoding = encoding
  }

  /// The 0-based line and character of a byte offset.
  func position(_ offset: Int) -> JSONValue {
    let clamped = max(0, min(offset, bytes.count))
    let line = file.location(of: clamped).line - 1
    let start = lineStarts[line]
    var character = 0
    switch encoding {
    case .utf8:
      character = clamped - start
    case .utf16:
      var index = start
      while index < clamped {
        let byte = bytes[index]
        let length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
        character += length == 4 ? 2 : 1
        index += length
      }
    }
    return .object([("line", .int(line)), ("character", .int(character))])
  }

  func range(_ bytes: Range<Int>) -> JSONValue {
    .object([("start", position(bytes.lowerBound)), ("end", position(bytes.upperBound))])
  }

  /// The byte offset of a 0-based line and character (clamped to the line).
  func offset(line: Int, character: Int) -> Int {
    guard line >= 0 else { return 0 }
    guard line < lineStarts.count else { return bytes.count }
    let start = lineStarts[line]
    let end = line + 1 < lineStarts.count ? lineStarts[line + 1] - 1 : bytes.count
    var index = start
    var counted = 0
    while index < end && counted < character {
      let byte = bytes[index]
      let length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
      counted += encoding == .utf8 ? length : (length == 4 ? 2 : 1)
      index += length
    }
    return min(index, end)
  }
}

// MARK: - URIs

/// The path of a `file://` URI (percent-escapes decoded), or nil.
func path(ofURI uri: String) -> String? {
  guard uri.hasPrefix("file://") else { return nil }
  var bytes: [UInt8] = []
  let raw = Array(uri.utf8.dropFirst(7))
  var index = 0
  while index < raw.count {
    if raw[index] == UInt8(ascii: "%"), index + 2 < raw.count,
      let value = UInt8(String(decoding: raw[index + 1...index + 2], as: UTF8.self), radix: 16)
    {
      bytes.append(value)
      index += 3
    } else {
      bytes.append(raw[index])
      index += 1
    }
  }
  return String(decoding: bytes, as: UTF8.self)
}

/// The `file://` URI of an absolute path, escaping what a URI path may not hold.
func uri(ofPath path: String) -> String {
  var text = "file://"
  for byte in path.utf8 {
    let unreserved =
      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
      || (byte >= 0x61 && byte <= 0x7A) || "-._~/".utf8.contains(byte)
    if unreserved {
      text.append(Character(UnicodeScalar(byte)))
    } else {
      let hex = String(byte, radix: 16, uppercase: true)
      text += "%" + (hex.count == 1 ? "0" + hex : hex)
    }
  }
  return text
}
