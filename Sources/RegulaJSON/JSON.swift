// A small exact JSON reader: numbers stay text (never binary floating point), positions are
// kept for error messages, nesting is bounded, and duplicate keys are rejected.

/// A parsed JSON value. Numbers keep their source text so they convert exactly.
public indirect enum JSONValue: Sendable, Hashable {
  /// `null`.
  case null
  /// `true` or `false`.
  case bool(Bool)
  /// A number as its source text (RFC 8259 syntax, checked); the caller converts it exactly.
  case number(String)
  /// A string, with its escapes decoded.
  case string(String)
  /// An array, items in order.
  case array([JSONValue])
  /// Members in source order.
  case object([(key: String, value: JSONValue)])

  /// Structural equality on source text: numbers compare as written (`1.0` is not `1`), and
  /// objects member by member in source order, so key order matters.
  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): true
    case (.bool(let x), .bool(let y)): x == y
    case (.number(let x), .number(let y)), (.string(let x), .string(let y)): x == y
    case (.array(let x), .array(let y)): x == y
    case (.object(let x), .object(let y)):
      x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: false
    }
  }

  /// Hashes the same parts that `==` compares.
  public func hash(into hasher: inout Hasher) {
    switch self {
    case .null: hasher.combine(0)
    case .bool(let value): hasher.combine(value)
    case .number(let text), .string(let text): hasher.combine(text)
    case .array(let items): hasher.combine(items)
    case .object(let members):
      for member in members {
        hasher.combine(member.key)
        hasher.combine(member.value)
      }
    }
  }

  /// How error messages name a value: `the number `12``, `an object`.
  ///
  /// Arrays and objects are named by kind only, never printed in full.
  public var summary: String {
    switch self {
    case .null: "null"
    case .bool(let value): "`\(value)`"
    case .number(let text): "the number `\(text)`"
    case .string(let text): "the string `\(text)`"
    case .array: "an array"
    case .object: "an object"
    }
  }

  /// The member with a given key.
  ///
  /// Nil when this is not an object or has no such member.
  ///
  /// - Complexity: O(n) in the number of members.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }
}

/// A JSON syntax error with its 1-based line and column.
public struct JSONError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The 1-based line of the problem.
  public var line: Int
  /// The 1-based column of the problem, counted in Unicode scalars, not bytes.
  public var column: Int
  /// What is wrong, in the house style (lowercase, no final period).
  public var message: String
  /// `line L, column C: message`.
  public var description: String { "line \(line), column \(column): \(message)" }
}

/// Parses JSON text (RFC 8259) exactly.
public struct JSONReader {
  let bytes: [UInt8]
  var position = 0
  var depth = 0
  /// Deeper documents are rejected rather than overflowing the stack.
  public static let maximumDepth = 64
  /// The largest document read, in bytes (limit `line_size`: one application, one batch
  /// line): larger ones are refused before parsing.
  public static let maximumDocumentBytes = 16 << 20
  /// The most items an array may have (limit `list_length`, the longest list an input may
  /// give): the parser stops at the next one rather than reading the rest.
  public static let maximumArrayItems = 100_000
  /// The longest string, in bytes of UTF-8 (limit `text_size`).
  public static let maximumStringBytes = 1 << 20

  /// Parses one complete JSON document; trailing non-space is an error.
  ///
  /// Stricter than many parsers, on purpose: duplicate member names, invalid UTF-8, unpaired
  /// surrogates, leading zeros and nesting deeper than `maximumDepth` are errors.
  ///
  /// - Throws: `JSONError` at the first problem, with its line and column.
  /// - Complexity: O(n) in `bytes.count`.
  public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
    guard bytes.count <= maximumDocumentBytes else {
      throw JSONError(
        line: 1, column: 1,
        message:
          "the document has \(bytes.count) bytes, over the limit `line_size` of "
          + "\(maximumDocumentBytes) bytes")
    }
    var reader = JSONReader(bytes: bytes)
    reader.skipSpace()
    let value = try reader.parseValue()
    reader.skipSpace()
    guard reader.position == bytes.count else {
      throw reader.error("unexpected text after the JSON value")
    }
    return value
  }

  func error(_ message: String, at offset: Int? = nil) -> JSONError {
    let offset = min(offset ?? position, bytes.count)
    var line = 1
    var lineStart = 0
    for index in 0..<offset where bytes[index] == UInt8(ascii: "\n") {
      line += 1
      lineStart = index + 1
    }
    let column = bytes[lineStart..<offset].filter { $0 & 0xC0 != 0x80 }.count + 1
    return JSONError(line: line, column: column, message: message)
  }

  mutating func skipSpace() {
    while position < bytes.count,
      [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains(
        bytes[position])
    {
      position += 1
    }
  }

  mutating func parseValue() throws(JSONError) -> JSONValue {
    guard position < bytes.count else { throw error("unexpected end of input, expected a value") }
    switch bytes[position] {
    case UInt8(ascii: "{"):
      return try nested { (reader: inout JSONReader) throws(JSONError) in try reader.parseObject() }
    case UInt8(ascii: "["):
      return try nested { (reader: inout JSONReader) throws(JSONError) in try reader.parseArray() }
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): return try parseWord("true", .bool(true))
    case UInt8(ascii: "f"): return try parseWord("false", .bool(false))
    case UInt8(ascii: "n"): return try parseWord("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
    default: throw error("unexpected character, expected a value")
    }
  }

  mutating func nested(_ body: (inout JSONReader) throws(JSONError) -> JSONValue) throws(JSONError)
    -> JSONValue
  {
    depth += 1
    defer { depth -= 1 }
    guard depth <= Self.maximumDepth else {
      throw error("nesting deeper than \(Self.maximumDepth) levels")
    }
    return try body(&self)
  }

  mutating func parseWord(_ word: String, _ value: JSONValue) throws(JSONError) -> JSONValue {
    let expected = Array(word.utf8)
    guard bytes.count - position >= expected.count,
      Array(bytes[position..<(position + expected.count)]) == expected
    else {
      throw error("unexpected word, expected `\(word)`")
    }
    position += expected.count
    return value
  }

  mutating func parseObject() throws(JSONError) -> JSONValue {
    position += 1
    var members: [(key: String, value: JSONValue)] = []
    var seen = Set<String>()
    skipSpace()
    if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
      position += 1
      return .object([])
    }
    while true {
      skipSpace()
      let keyStart = position
      guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
        throw error("expected a member name in quotes")
      }
      let key = try parseString()
      guard seen.insert(key).inserted else {
        throw error("duplicate member `\(key)`", at: keyStart)
      }
      skipSpace()
      try expect(UInt8(ascii: ":"), "`:` after the member name")
      skipSpace()
      members.append((key, try parseValue()))
      skipSpace()
      if try endOrComma(UInt8(ascii: "}")) { return .object(members) }
    }
  }

  mutating func parseArray() throws(JSONError) -> JSONValue {
    position += 1
    var items: [JSONValue] = []
    skipSpace()
    if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
      position += 1
      return .array([])
    }
    while true {
      skipSpace()
      guard items.count < Self.maximumArrayItems else {
        throw error(
          "the array has more than \(Self.maximumArrayItems) items (limit `list_length`)")
      }
      items.append(try parseValue())
      skipSpace()
      if try endOrComma(UInt8(ascii: "]")) { return .array(items) }
    }
  }

  mutating func endOrComma(_ closer: UInt8) throws(JSONError) -> Bool {
    guard position < bytes.count else { throw error("unexpected end of input") }
    if bytes[position] == closer {
      position += 1
      return true
    }
    try expect(UInt8(ascii: ","), "`,` or `\(Character(Unicode.Scalar(closer)))`")
    return false
  }

  mutating func expect(_ byte: UInt8, _ what: String) throws(JSONError) {
    guard position < bytes.count, bytes[position] == byte else { throw error("expected \(what)") }
    position += 1
  }

  mutating func parseNumber() throws(JSONError) -> String {
    let start = position
    if bytes[position] == UInt8(ascii: "-") { position += 1 }
    let digitsStart = position
    scanDigits()
    let integerDigits = position - digitsStart
    guard integerDigits > 0 else { throw error("expected digits", at: start) }
    if integerDigits > 1, bytes[digitsStart] == UInt8(ascii: "0") {
      throw error("leading zeros are not allowed", at: start)
    }
    if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
      position += 1
      let fractionStart = position
      scanDigits()
      guard position > fractionStart else { throw error("expected digits after `.`") }
    }
    if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
      position += 1
      if position < bytes.count,
        bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")
      {
        position += 1
      }
      let exponentStart = position
      scanDigits()
      guard position > exponentStart else { throw error("expected digits in the exponent") }
    }
    return String(decoding: bytes[start..<position], as: UTF8.self)
  }

  mutating func scanDigits() {
    while position < bytes.count, bytes[position] >= UInt8(ascii: "0"),
      bytes[position] <= UInt8(ascii: "9")
    { position += 1 }
  }

  mutating func parseString() throws(JSONError) -> String {
    let start = position
    position += 1
    var scalars = String.UnicodeScalarView()
    while position < bytes.count {
      let byte = bytes[position]
      if byte == UInt8(ascii: "\"") {
        guard position - start - 1 <= Self.maximumStringBytes else {
          throw error(
            "the string has \(position - start - 1) bytes, over the limit `text_size` of "
              + "\(Self.maximumStringBytes) bytes", at: start)
        }
        position += 1
        return String(scalars)
      }
      if byte < 0x20 { throw error("control character in a string") }
      if byte == UInt8(ascii: "\\") {
        scalars.append(try parseEscape())
        continue
      }
      scalars.append(try decodeScalar())
    }
    throw error("unterminated string", at: start)
  }

  mutating func parseEscape() throws(JSONError) -> Unicode.Scalar {
    position += 1
    guard position < bytes.count else { throw error("unterminated escape") }
    let byte = bytes[position]
    position += 1
    switch byte {
    case UInt8(ascii: "\""): return "\""
    case UInt8(ascii: "\\"): return "\\"
    case UInt8(ascii: "/"): return "/"
    case UInt8(ascii: "b"): return "\u{08}"
    case UInt8(ascii: "f"): return "\u{0C}"
    case UInt8(ascii: "n"): return "\n"
    case UInt8(ascii: "r"): return "\r"
    case UInt8(ascii: "t"): return "\t"
    case UInt8(ascii: "u"): return try parseUnicodeEscape()
    default: throw error("invalid escape", at: position - 2)
    }
  }

  mutating func parseUnicodeEscape() throws(JSONError) -> Unicode.Scalar {
    let first = try parseHex4()
    if (0xD800...0xDBFF).contains(first) {
      guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
        bytes[position + 1] == UInt8(ascii: "u")
      else {
        throw error("unpaired surrogate in `\\u` escape")
      }
      position += 2
      let second = try parseHex4()
      guard (0xDC00...0xDFFF).contains(second) else {
        throw error("invalid low surrogate in `\\u` escape")
      }
      let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
      guard let scalar = Unicode.Scalar(value) else { throw error("invalid `\\u` escape") }
      return scalar
    }
    guard let scalar = Unicode.Scalar(first) else {
      throw error("unpaired surrogate in `\\u` escape")
    }
    return scalar
  }

  mutating func parseHex4() throws(JSONError) -> UInt32 {
    guard bytes.count - position >= 4 else { throw error("expected four hex digits") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[position]
      let digit: UInt32
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
      default: throw error("expected a hex digit")
      }
      value = value * 16 + digit
      position += 1
    }
    return value
  }

  mutating func decodeScalar() throws(JSONError) -> Unicode.Scalar {
    let lead = bytes[position]
    let length: Int =
      switch lead {
      case 0x00...0x7F: 1
      case 0xC2...0xDF: 2
      case 0xE0...0xEF: 3
      case 0xF0...0xF4: 4
      default: 0
      }
    guard length > 0, position + length <= bytes.count else { throw error("invalid UTF-8") }
    var codec = UTF8()
    var iterator = bytes[position..<(position + length)].makeIterator()
    guard case .scalarValue(let scalar) = codec.decode(&iterator) else {
      throw error("invalid UTF-8")
    }
    position += length
    return scalar
  }
}

/// JSON text output helpers for the runtime (which does not import the front end).
public enum JSONWriter {
  /// A JSON string literal for `text`.
  ///
  /// Escapes quotes, backslashes and control characters; leaves everything else (including
  /// non-ASCII) as UTF-8.
  ///
  /// - Complexity: O(n) in the length of `text`.
  public static func quote(_ text: String) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count + 2)
    appendQuoted(text, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Appends `text` as a JSON string literal (as `quote` writes it) to UTF-8 bytes, without
  /// building a string: what record rendering on the hot path uses.
  ///
  /// - Complexity: O(n) in the length of `text`.
  public static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
    var text = text
    text.withUTF8 { utf8 in
      bytes.append(UInt8(ascii: "\""))
      // Most texts need no escape: copied in one piece.
      if !utf8.contains(where: needsEscape) {
        bytes.append(contentsOf: utf8)
      } else {
        for byte in utf8 { appendEscaped(byte, to: &bytes) }
      }
      bytes.append(UInt8(ascii: "\""))
    }
  }

  /// True for the bytes a JSON string literal spells with an escape: quote, backslash and
  /// control characters.
  @inline(__always)
  public static func needsEscape(_ byte: UInt8) -> Bool {
    byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
  }

  /// Appends one byte of a string literal's content, escaped if it must be.
  public static func appendEscaped(_ byte: UInt8, to bytes: inout [UInt8]) {
    switch byte {
    case UInt8(ascii: "\""): bytes.append(contentsOf: "\\\"".utf8)
    case UInt8(ascii: "\\"): bytes.append(contentsOf: "\\\\".utf8)
    case UInt8(ascii: "\n"): bytes.append(contentsOf: "\\n".utf8)
    case UInt8(ascii: "\r"): bytes.append(contentsOf: "\\r".utf8)
    case UInt8(ascii: "\t"): bytes.append(contentsOf: "\\t".utf8)
    case 0..<0x20:
      let hex: StaticString = "0123456789abcdef"
      bytes.append(contentsOf: "\\u00".utf8)
      bytes.append(hex.utf8Start[Int(byte >> 4)])
      bytes.append(hex.utf8Start[Int(byte & 15)])
    default: bytes.append(byte)
    }
  }

}
