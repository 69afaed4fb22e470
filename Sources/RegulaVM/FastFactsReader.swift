// The fast path for reading applications: parses JSON bytes straight into facts, driven by the
// compiled schema, with no intermediate tree. It accepts only input it can read exactly and
// gives up (returns nil) on anything else — escapes, an unknown or duplicate field, a value out
// of bounds, a malformed document — so that the tree reader (FactsReader) reports the precise
// error with its path. Both readers give the same facts for the same valid input (tested).

extension Machine {
  /// Loads a valid application quickly; nil sends the caller to `loadApplication(json:)`.
  public mutating func loadApplicationFast(json bytes: [UInt8]) -> Register? {
    bytes.withUnsafeBufferPointer { buffer -> Register? in
      var cursor = FastCursor(bytes: buffer)
      guard let record = fastRecord(&cursor, image.inputRecord, depth: 0) else { return nil }
      cursor.skipSpace()
      return cursor.position == buffer.count ? record : nil
    }
  }

  mutating func fastRecord(_ cursor: inout FastCursor, _ index: Int, depth: Int) -> Register? {
    guard depth < 64, cursor.consume(UInt8(ascii: "{")) else { return nil }
    let fields = image.records[index].fields
    let handle = facts.reserveList(count: fields.count)
    var seen = 0 as UInt64
    var seenCount = 0
    cursor.skipSpace()
    if !cursor.consume(UInt8(ascii: "}")) {
      repeat {
        cursor.skipSpace()
        guard let key = cursor.plainString() else { return nil }
        guard let position = fields.firstIndex(where: { cursor.equals(key, $0.name) }) else {
          return nil
        }
        if position < 64 {
          guard seen & (1 << position) == 0 else { return nil }
          seen |= 1 << position
        } else if fields.count > 64 {
          return nil  // duplicate detection needs the tree reader beyond 64 fields
        }
        seenCount += 1
        cursor.skipSpace()
        guard cursor.consume(UInt8(ascii: ":")) else { return nil }
        cursor.skipSpace()
        guard let value = fastValue(&cursor, fields[position].type, depth: depth + 1) else {
          return nil
        }
        if (try? checkBounds(value, fields[position], path: "")) == nil { return nil }
        facts.setItem(handle, position, value)
        cursor.skipSpace()
      } while cursor.consume(UInt8(ascii: ","))
      guard cursor.consume(UInt8(ascii: "}")) else { return nil }
    }
    // Fields not given: optional ones are none, the others stay unknown facts.
    if seenCount < fields.count {
      for (position, field) in fields.enumerated()
      where position >= 64 || seen & (1 << position) == 0 {
        if case .optional = field.type { facts.setItem(handle, position, .none) }
      }
    }
    return handle
  }

  mutating func fastValue(_ cursor: inout FastCursor, _ type: SchemaType, depth: Int) -> Register? {
    if case .optional(let wrapped) = type {
      if cursor.consumeWord("null") { return Register.none }
      return fastValue(&cursor, wrapped, depth: depth)
    }
    switch type {
    case .bool:
      if cursor.consumeWord("true") { return .bool(true) }
      if cursor.consumeWord("false") { return .bool(false) }
      return nil
    case .int, .money, .days, .months, .years: return cursor.integer().map { .integer($0) }
    case .decimal, .exactMoney:
      // A Decimal may come as a number or, like the tree reader allows, as a string.
      var text: String?
      if type == .decimal, let key = cursor.plainString() {
        text = String(decoding: cursor.bytes[key], as: UTF8.self)
      } else {
        text = cursor.numberText()
      }
      guard let text, !text.contains(where: { $0 == "e" || $0 == "E" }),
        let value = try? ExactDecimal(parsing: text)
      else { return nil }
      return storeRational(value)
    case .date:
      guard let key = cursor.plainString(), key.count == 10 else { return nil }
      let text = String(decoding: cursor.bytes[key], as: UTF8.self)
      return (try? CivilDate(iso8601: text)).map { .integer($0.daysSince1970) }
    case .text:
      guard let key = cursor.plainString() else { return nil }
      return facts.addText(String(decoding: cursor.bytes[key], as: UTF8.self))
    case .enumeration(let index):
      guard let key = cursor.plainString() else { return nil }
      return image.enums[index].cases.firstIndex { cursor.equals(key, $0) }.map {
        .integer(Int64($0))
      }
    case .record(let index): return fastRecord(&cursor, index, depth: depth)
    case .list(let element):
      guard depth < 64, cursor.consume(UInt8(ascii: "[")) else { return nil }
      var items: [Register] = []
      cursor.skipSpace()
      if !cursor.consume(UInt8(ascii: "]")) {
        repeat {
          cursor.skipSpace()
          guard items.count < maximumListLength,
            let item = fastValue(&cursor, element, depth: depth + 1)
          else {
            return nil
          }
          items.append(item)
          cursor.skipSpace()
        } while cursor.consume(UInt8(ascii: ","))
        guard cursor.consume(UInt8(ascii: "]")) else { return nil }
      }
      return facts.addList(items)
    case .optional, .table: return nil
    }
  }
}

/// A position in JSON bytes with the few scans the fast reader needs.
struct FastCursor {
  let bytes: UnsafeBufferPointer<UInt8>
  var position = 0

  init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  mutating func skipSpace() {
    while position < bytes.count {
      let byte = bytes[position]
      guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
      position += 1
    }
  }

  mutating func consume(_ byte: UInt8) -> Bool {
    guard position < bytes.count, bytes[position] == byte else { return false }
    position += 1
    return true
  }

  mutating func consumeWord(_ word: StaticString) -> Bool {
    let count = word.utf8CodeUnitCount
    guard bytes.count - position >= count else { return false }
    for index in 0..<count where bytes[position + index] != word.utf8Start[index] { return false }
    position += count
    return true
  }

  /// The byte range of a string without escapes or control characters, after its quotes.
  mutating func plainString() -> Range<Int>? {
    guard consume(UInt8(ascii: "\"")) else { return nil }
    let start = position
    while position < bytes.count {
      let byte = bytes[position]
      if byte == UInt8(ascii: "\"") {
        position += 1
        // Only well-formed UTF-8 is taken on the fast path.
        var iterator = bytes[start..<(position - 1)].makeIterator()
        var codec = UTF8()
        while true {
          switch codec.decode(&iterator) {
          case .scalarValue: continue
          case .emptyInput: return start..<(position - 1)
          case .error: return nil
          }
        }
      }
      if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
      position += 1
    }
    return nil
  }

  func equals(_ range: Range<Int>, _ text: String) -> Bool {
    var index = range.lowerBound
    for byte in text.utf8 {
      guard index < range.upperBound, bytes[index] == byte else { return false }
      index += 1
    }
    return index == range.upperBound
  }

  /// A JSON integer that fits Int64 (no fraction, exponent or leading zero).
  mutating func integer() -> Int64? {
    var negative = false
    if position < bytes.count, bytes[position] == UInt8(ascii: "-") {
      negative = true
      position += 1
    }
    let start = position
    var value: Int64 = 0
    while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
      let digit = Int64(bytes[position] - 0x30)
      let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
      let (next, overflow2) =
        negative
        ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
      guard !overflow1, !overflow2 else { return nil }
      value = next
      position += 1
    }
    let digits = position - start
    guard digits > 0, !(digits > 1 && bytes[start] == 0x30) else { return nil }
    if position < bytes.count,
      [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position])
    {
      return nil
    }
    return value
  }

  /// A JSON number's text (`-`, digits without a leading zero, an optional fraction with at
  /// least one digit; no exponent), for exact decimal parsing.
  mutating func numberText() -> String? {
    let start = position
    if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
    let integerStart = position
    skipDigits()
    let integerDigits = position - integerStart
    guard integerDigits > 0, !(integerDigits > 1 && bytes[integerStart] == 0x30) else { return nil }
    if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
      position += 1
      let fractionStart = position
      skipDigits()
      guard position > fractionStart else { return nil }
    }
    if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") { return nil }
    return String(decoding: bytes[start..<position], as: UTF8.self)
  }

  mutating func skipDigits() {
    while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
  }
}
