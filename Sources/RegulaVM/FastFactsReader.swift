// The fast path for reading applications: parses JSON bytes straight into facts, driven by the
// input schema compiled into flat tables (ReaderPlan), with no intermediate tree and no
// reference counting on the way. It accepts only input it can read exactly and gives up
// (returns nil) on anything else — escapes, an unknown or duplicate field, a value out of
// bounds, a malformed document — so that the tree reader (FactsReader) reports the precise
// error with its path. Both readers give the same facts for the same valid input (tested).

extension Machine {
  /// Loads a valid application quickly; nil sends the caller to `loadApplication(json:)`.
  public mutating func loadApplicationFast(json bytes: [UInt8]) -> Register? {
    bytes.withUnsafeBufferPointer { loadApplicationFast(json: $0) }
  }

  /// Loads a valid application from bytes the caller owns (a line of a larger buffer, say);
  /// nil sends the caller to `loadApplication(json:)`.
  ///
  /// - Complexity: O(n) in the size of the document; a field is found in O(1) when the
  ///   document lists fields in schema order, else in O(fields).
  public mutating func loadApplicationFast(json buffer: UnsafeBufferPointer<UInt8>) -> Register? {
    ensureUnique()
    return readFast(buffer, generalPass: true)
  }

  /// The first pass of `loadApplicationFast` alone: the document read as compact records
  /// (`{"a":…,"b":…}` in schema order), or nil. For tests: machine-written lines must take
  /// this pass, or the reader silently reads them twice.
  package mutating func loadApplicationCompact(json bytes: [UInt8]) -> Register? {
    ensureUnique()
    let mark = facts.mark()
    let read = bytes.withUnsafeBufferPointer { readFast($0, generalPass: false) }
    // A document it gives up on leaves nothing behind, as `loadApplicationFast` does.
    if read == nil { facts.restore(mark) }
    return read
  }

  /// First as a compact document (every record written `{"a":…,"b":…}` in schema order); at
  /// the first record that is not, once more from the start in general (when `generalPass`).
  /// At most two passes, whatever the nesting.
  mutating func readFast(_ buffer: UnsafeBufferPointer<UInt8>, generalPass: Bool) -> Register? {
    guard let start = buffer.baseAddress else { return nil }
    let tables = reader.tables
    let mark = facts.mark()
    var compact = true
    while true {
      var cursor = FastCursor(start: start, count: buffer.count, compact: compact)
      if let record = fastRecord(&cursor, tables, Int(tables.inputRecord), depth: 0) {
        cursor.skipSpace()
        if cursor.position == buffer.count { return record }
        // Trailing bytes: the document is refused, and what was read goes with it.
        facts.restore(mark)
        return nil
      }
      // What a pass that gave up read goes, whether or not another pass follows.
      facts.restore(mark)
      guard generalPass, compact, cursor.compactFailed else { return nil }
      compact = false
    }
  }

  mutating func fastRecord(
    _ cursor: inout FastCursor, _ tables: ReaderTables, _ index: Int, depth: Int
  ) -> Register? {
    guard depth < 64 else { return nil }
    let first = Int(tables.recordStarts[index])
    let fieldCount = Int(tables.recordStarts[index + 1]) - first
    guard fieldCount <= 64 else { return nil }  // duplicate detection needs the tree reader
    // Machine-written JSON Lines list every field, in schema order, without spaces: match the
    // text between values literally. Anything else sends the whole document to the general
    // pass (see `loadApplicationFast`).
    if cursor.compact {
      if fieldCount > 0,
        let handle = compactRecord(
          &cursor, tables, record: index, first: first, count: fieldCount, depth: depth)
      {
        return handle
      }
      cursor.compactFailed = true
      return nil
    }
    guard cursor.consume(UInt8(ascii: "{")) else { return nil }
    let handle = facts.reserveList(count: fieldCount, record: Int32(index))
    var seen = 0 as UInt64
    var expected = 0
    cursor.skipSpace()
    if !cursor.consume(UInt8(ascii: "}")) {
      repeat {
        cursor.skipSpace()
        // Documents usually list fields in schema order: try the next one first, matching
        // `"name"` in place without scanning for the closing quote.
        var position = -1
        if expected < fieldCount,
          cursor.consumeKey(tables.fields[first + expected].name, tables.names)
        {
          position = expected
        } else {
          guard let key = cursor.plainString() else { return nil }
          for candidate in 0..<fieldCount
          where tables.nameEquals(tables.fields[first + candidate].name, cursor, key) {
            position = candidate
            break
          }
        }
        guard position >= 0, seen & (1 << position) == 0 else { return nil }
        seen |= 1 << position
        expected = position + 1
        cursor.skipSpace()
        guard cursor.consume(UInt8(ascii: ":")) else { return nil }
        cursor.skipSpace()
        let field = tables.fields[first + position]
        guard let value = fastValue(&cursor, tables, Int(field.type), depth: depth + 1),
          !field.hasBounds || withinBounds(value, field)
        else { return nil }
        facts.setItem(handle, position, value)
        cursor.skipSpace()
      } while cursor.consume(UInt8(ascii: ","))
      guard cursor.consume(UInt8(ascii: "}")) else { return nil }
    }
    // Fields not given: optional ones are none, the others stay unknown facts.
    if seen != (fieldCount == 64 ? ~0 : (1 << fieldCount) - 1) {
      for position in 0..<fieldCount where seen & (1 << position) == 0 {
        let field = tables.fields[first + position]
        if tables.nodes[Int(field.type)].kind == .optional {
          facts.setItem(handle, position, .none)
        }
      }
    }
    return handle
  }

  /// A record written exactly as `{"a":…,"b":…}` with every field in schema order, or nil.
  ///
  /// Each field is read as its `CompactField` says: the common kinds (bounded integers,
  /// Booleans, short enum cases, texts, lists of records) here, without a call per value;
  /// the others through `fastValue` and the tree reader's bounds check.
  @inline(__always)
  mutating func compactRecord(
    _ cursor: inout FastCursor, _ tables: ReaderTables, record: Int, first: Int, count: Int,
    depth: Int
  ) -> Register? {
    let items = facts.header.pointee.itemCount
    // Every field is written below before the record can be returned.
    let handle = facts.reserveUnsetList(count: count, record: Int32(record))
    for position in 0..<count {
      let field = tables.compactFields[first + position]
      guard cursor.consumeLiteral(field.literal, tables.names) else { return nil }
      let value: Register
      switch field.operation {
      case .integer:
        guard let integer = cursor.integer(), field.low <= integer, integer <= field.high else {
          return nil
        }
        value = .integer(integer)
      case .bool:
        guard let bool = cursor.bool() else { return nil }
        value = .bool(bool)
      case .enumeration:
        guard let read = enumCase(&cursor, tables, Int(field.argument)) else { return nil }
        value = read
      case .text:
        guard let read = text(&cursor) else { return nil }
        value = read
      case .records, .flatRecords:
        let items = ListItems.records(
          Int(field.argument), flat: field.operation == .flatRecords)
        guard let (list, length) = list(&cursor, tables, items, depth: depth + 1),
          field.low <= Int64(length), Int64(length) <= field.high
        else { return nil }
        value = list
      case .other:
        let general = tables.fields[first + position]
        guard let read = fastValue(&cursor, tables, Int(general.type), depth: depth + 1),
          !general.hasBounds || withinBounds(read, general)
        else { return nil }
        value = read
      }
      // The item store may have moved while the value was read: index it afresh.
      facts.header.pointee.items[items + position] = value
    }
    return cursor.consume(UInt8(ascii: "}")) ? handle : nil
  }

  /// The bounds check of the tree reader, on the fast path: integers compared directly.
  @inline(__always)
  /// (`mutating` only so that the call borrows the machine instead of copying it.)
  mutating func withinBounds(_ value: Register, _ field: ReaderTables.Field) -> Bool {
    guard value.tag != Register.noneTag else { return true }
    if field.boundsOnLength && !facts.holdsList(value) { return false }
    let subject = field.boundsOnLength ? Register.integer(Int64(facts.count(value))) : value
    // Plain integers (the common case) compare directly; a missing bound holds `none`, whose
    // tag is not 0, so it is tested by `has…` first.
    if subject.tag == 0, !field.hasLow || field.low.tag == 0, !field.hasHigh || field.high.tag == 0
    {
      return (!field.hasLow || field.low.word <= subject.word)
        && (!field.hasHigh || subject.word <= field.high.word)
    }
    func notLess(_ a: Register, _ b: Register) -> Bool {
      a.tag > 0 || b.tag > 0 ? compareRationals(a, b) >= 0 : compareIntegers(a, b) >= 0
    }
    return (!field.hasLow || notLess(subject, field.low))
      && (!field.hasHigh || notLess(field.high, subject))
  }

  mutating func fastValue(
    _ cursor: inout FastCursor, _ tables: ReaderTables, _ nodeIndex: Int, depth: Int
  ) -> Register? {
    let node = tables.nodes[nodeIndex]
    switch node.kind {
    case .optional:
      if cursor.consumeWord(FastCursor.null, length: 4) { return Register.none }
      return fastValue(&cursor, tables, Int(node.argument), depth: depth)
    case .bool: return cursor.bool().map { .bool($0) }
    case .integer: return cursor.integer().map { .integer($0) }
    case .decimal, .exactMoney:
      // A Decimal may come as a number or, like the tree reader allows, as a string.
      var text: String?
      if cursor.position < cursor.count && cursor.start[cursor.position] == UInt8(ascii: "\"") {
        guard node.kind == .decimal, let key = cursor.plainString() else { return nil }
        text = cursor.string(key)
      } else {
        text = cursor.numberText()
      }
      // A number too long to hold is left to the tree reader, which names the limit.
      guard let text, text.utf8.count <= NumberLimits.maximumNumberCharacters,
        !text.contains(where: { $0 == "e" || $0 == "E" }),
        let value = try? ExactDecimal(parsing: text)
      else { return nil }
      return storeRational(value)
    case .date:
      guard let key = cursor.plainString(), key.count == 10 else { return nil }
      return (try? CivilDate(iso8601: cursor.string(key))).map { .integer($0.daysSince1970) }
    case .text: return text(&cursor)
    case .enumeration: return enumCase(&cursor, tables, Int(node.argument))
    case .record: return fastRecord(&cursor, tables, Int(node.argument), depth: depth)
    case .list: return list(&cursor, tables, .values(Int(node.argument)), depth: depth)?.list
    case .unsupported: return nil
    }
  }

  /// A text without escapes, or nil (a text over the limit is left to the tree reader, which
  /// names it).
  @inline(__always)
  mutating func text(_ cursor: inout FastCursor) -> Register? {
    guard let key = cursor.plainString(), key.count <= JSONReader.maximumStringBytes else {
      return nil
    }
    return facts.addText(cursor.string(key))
  }

  /// A case of enum `enumeration` given by its name, as its index, or nil.
  @inline(__always)
  func enumCase(_ cursor: inout FastCursor, _ tables: ReaderTables, _ enumeration: Int)
    -> Register?
  {
    guard let key = cursor.plainString() else { return nil }
    let table = tables.enumTables[enumeration]
    if table.bits > 0 {
      // Every case is at most eight bytes: a longer key is none of them.
      guard key.count <= 8 else { return nil }
      return tables.lookUp(cursor.word(key), length: key.count, in: table).map {
        .integer(Int64($0))
      }
    }
    let first = Int(tables.enumStarts[enumeration])
    let last = Int(tables.enumStarts[enumeration + 1])
    for index in first..<last where tables.nameEquals(tables.cases[index], cursor, key) {
      return .integer(Int64(index - first))
    }
    return nil
  }

  /// How a list's items are read: as values of a schema node, or as compact records (see
  /// `compactRecord`); records with no list of their own (`flat`) take consecutive list
  /// handles as they are read, so the list is made from the first and the count.
  enum ListItems {
    case values(Int)
    case records(Int, flat: Bool)
  }

  /// A list (spaces allowed around its items) and its length, or nil. Items other than flat
  /// records gather on the machine's scratch stack (nested lists stack up), then move to the
  /// facts in one piece: no array per list.
  mutating func list(
    _ cursor: inout FastCursor, _ tables: ReaderTables, _ items: ListItems, depth: Int
  ) -> (list: Register, length: Int)? {
    guard depth < 64, cursor.consume(UInt8(ascii: "[")) else { return nil }
    var record = 0
    var first = 0
    var count = 0
    var flat = false
    if case .records(let type, let isFlat) = items {
      // A record is read one level down, where `fastRecord` would check the depth.
      guard depth + 1 < 64 else { return nil }
      record = type
      first = Int(tables.recordStarts[record])
      count = Int(tables.recordStarts[record + 1]) - first
      flat = isFlat
    }
    let firstHandle = facts.header.pointee.listCount
    let bottom = scratch.count
    defer { if !flat { scratch.removeSubrange(bottom...) } }
    var length = 0
    cursor.skipSpace()
    if !cursor.consume(UInt8(ascii: "]")) {
      repeat {
        cursor.skipSpace()
        guard length < maximumListLength else { return nil }
        let item: Register?
        switch items {
        case .values(let node): item = fastValue(&cursor, tables, node, depth: depth + 1)
        case .records:
          item = compactRecord(
            &cursor, tables, record: record, first: first, count: count, depth: depth + 1)
        }
        guard let item else { return nil }
        if !flat { scratch.append(item) }
        length &+= 1
        cursor.skipSpace()
      } while cursor.consume(UInt8(ascii: ","))
      guard cursor.consume(UInt8(ascii: "]")) else { return nil }
    }
    let list =
      flat
      ? facts.addList(handlesFrom: firstHandle, count: length) : facts.addList(scratch[bottom...])
    return (list, length)
  }
}

/// The input schema as flat tables of trivial values, built once per machine: the fast reader
/// walks them without touching `PolicyImage`'s arrays (and their reference counts).
struct ReaderTables {
  enum Kind: UInt8 {
    case bool, integer, decimal, exactMoney, date, text, enumeration, record, list, optional
    case unsupported
  }
  /// A type: its kind and the enum, record or element node it refers to.
  struct Node {
    var kind: Kind
    var argument: Int32
  }
  /// A name's bytes in `names`.
  struct Name {
    var start: Int32
    var count: Int32
  }
  struct Field {
    var name: Name
    /// `{"name":` for a record's first field, `,"name":` for the others.
    var literal: Name
    var type: Int32
    var hasBounds: Bool
    var boundsOnLength: Bool
    /// Whether `low` (`high`) is a bound: one-sided bounds have only one.
    var hasLow: Bool
    var hasHigh: Bool
    var low: Register
    var high: Register
  }

  /// How the compact pass reads a field: its literal, then its value by `operation`.
  struct CompactField {
    enum Operation: UInt8 {
      /// An integer within `low...high` (the field's bounds, or Int64's).
      case integer
      case bool
      /// A case of enum `argument`.
      case enumeration
      /// A text without bounds.
      case text
      /// A list of records of type `argument` (1 to 64 fields), of length within `low...high`.
      case records
      /// `records` whose fields hold no list or record: reading one adds one list entry.
      case flatRecords
      /// Anything else: `fastValue` and `withinBounds` with the field's `Field`.
      case other
    }
    var literal: Name
    var operation: Operation
    var argument: Int32
    var low: Int64
    var high: Int64
  }

  var nodes: UnsafeMutablePointer<Node>
  var fields: UnsafeMutablePointer<Field>
  /// `fields`' compact forms, index for index.
  var compactFields: UnsafeMutablePointer<CompactField>
  /// Record r's fields are `fields[recordStarts[r] ..< recordStarts[r + 1]]`.
  var recordStarts: UnsafeMutablePointer<Int32>
  var cases: UnsafeMutablePointer<Name>
  /// Enum e's cases are `cases[enumStarts[e] ..< enumStarts[e + 1]]`.
  var enumStarts: UnsafeMutablePointer<Int32>
  var names: UnsafeMutablePointer<UInt8>
  var inputRecord: Int32
  /// Per enum, a hash table of its case names when all are at most eight bytes (else
  /// `bits == 0` and cases are compared one by one).
  var enumTables: UnsafeMutablePointer<EnumTable>
  var slots: UnsafeMutablePointer<Slot>

  struct EnumTable {
    var start: Int32
    var bits: Int32
  }
  /// A case name as a little-endian word (zero-padded), its length and its index; index -1
  /// marks an empty slot.
  struct Slot {
    var word: UInt64
    var length: Int32
    var index: Int32
  }

  static func hash(_ word: UInt64, bits: Int32) -> Int {
    Int(truncatingIfNeeded: (word &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
  }

  /// The case index whose name is `word` of `length` bytes, or nil.
  @inline(__always)
  func lookUp(_ word: UInt64, length: Int, in table: EnumTable) -> Int? {
    let mask = (1 << Int(table.bits)) - 1
    var slot = ReaderTables.hash(word, bits: table.bits)
    while true {
      let entry = slots[Int(table.start) + slot]
      if entry.index < 0 { return nil }
      if entry.word == word && Int(entry.length) == length { return Int(entry.index) }
      slot = (slot + 1) & mask
    }
  }

  /// True when the key's bytes spell `name` (see `bytesEqual`).
  @inline(__always)
  func nameEquals(_ name: Name, _ cursor: FastCursor, _ key: Range<Int>) -> Bool {
    Int(name.count) == key.count  // a count of -1 never matches
      && bytesEqual(
        UnsafeRawPointer(names + Int(name.start)), UnsafeRawPointer(cursor.start + key.lowerBound),
        count: key.count, readable: cursor.count - key.lowerBound)
  }
}

/// True when `count` bytes at `text` (a name in `ReaderTables.names`, which has eight bytes of
/// padding at its end) equal those at `bytes`, of which `readable` may be read: compared eight
/// at a time, the tail under a mask when eight bytes can be read there.
@inline(__always)
func bytesEqual(_ text: UnsafeRawPointer, _ bytes: UnsafeRawPointer, count: Int, readable: Int)
  -> Bool
{
  var offset = 0
  while count - offset >= 8 {
    guard
      text.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        == bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    else { return false }
    offset &+= 8
  }
  let rest = count - offset
  if rest == 0 { return true }
  #if _endian(little)
    if readable - offset >= 8 {
      let difference =
        text.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
      return difference & ((1 << (8 &* UInt64(rest))) &- 1) == 0
    }
  #endif
  while offset < count {
    guard
      text.load(fromByteOffset: offset, as: UInt8.self)
        == bytes.load(fromByteOffset: offset, as: UInt8.self)
    else { return false }
    offset &+= 1
  }
  return true
}

/// Owns the memory of a machine's `ReaderTables`.
final class ReaderPlan {
  let tables: ReaderTables
  let counts:
    (
      nodes: Int, fields: Int, records: Int, cases: Int, enums: Int, names: Int, tables: Int,
      slots: Int
    )

  init(image: PolicyImage) {
    var nodes: [ReaderTables.Node] = []
    var names: [UInt8] = []
    func name(_ text: String, raw: Bool = false) -> ReaderTables.Name {
      // A name that JSON must escape (a quote, a backslash, a control character) never
      // matches raw bytes: count -1, so documents using it go to the tree reader. (A field's
      // literal, `{"name":`, is `raw`: its quotes are JSON's, and its name was checked.)
      if !raw, text.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) {
        return ReaderTables.Name(start: 0, count: -1)
      }
      defer { names += Array(text.utf8) }
      return ReaderTables.Name(start: Int32(names.count), count: Int32(text.utf8.count))
    }
    func node(_ type: SchemaType) -> Int32 {
      let made: ReaderTables.Node
      switch type {
      case .bool: made = .init(kind: .bool, argument: 0)
      case .int, .money, .days, .months, .years: made = .init(kind: .integer, argument: 0)
      case .decimal: made = .init(kind: .decimal, argument: 0)
      case .exactMoney: made = .init(kind: .exactMoney, argument: 0)
      case .date: made = .init(kind: .date, argument: 0)
      case .text: made = .init(kind: .text, argument: 0)
      case .enumeration(let index): made = .init(kind: .enumeration, argument: Int32(index))
      case .record(let index): made = .init(kind: .record, argument: Int32(index))
      case .list(let element): made = .init(kind: .list, argument: node(element))
      case .optional(let wrapped): made = .init(kind: .optional, argument: node(wrapped))
      case .table: made = .init(kind: .unsupported, argument: 0)
      }
      nodes.append(made)
      return Int32(nodes.count - 1)
    }
    var fields: [ReaderTables.Field] = []
    var recordStarts: [Int32] = []
    for record in image.records {
      recordStarts.append(Int32(fields.count))
      for (position, field) in record.fields.enumerated() {
        let fieldName = name(field.name)
        let literal =
          fieldName.count < 0
          ? fieldName
          : name((position == 0 ? "{" : ",") + "\"" + field.name + "\":", raw: true)
        fields.append(
          ReaderTables.Field(
            name: fieldName, literal: literal, type: node(field.type),
            hasBounds: field.bounds != nil,
            boundsOnLength: field.boundsOnLength, hasLow: field.bounds?.low != nil,
            hasHigh: field.bounds?.high != nil, low: (field.bounds?.low ?? nil) ?? .none,
            high: (field.bounds?.high ?? nil) ?? .none))
      }
    }
    recordStarts.append(Int32(fields.count))
    var cases: [ReaderTables.Name] = []
    var enumStarts: [Int32] = []
    for schema in image.enums {
      enumStarts.append(Int32(cases.count))
      for text in schema.cases { cases.append(name(text)) }
    }
    enumStarts.append(Int32(cases.count))
    var enumTables: [ReaderTables.EnumTable] = []
    var slots: [ReaderTables.Slot] = []
    for schema in image.enums {
      let words = schema.cases.map { Array($0.utf8) }
      guard !words.isEmpty, words.allSatisfy({ $0.count <= 8 && !$0.contains(0) }) else {
        enumTables.append(.init(start: 0, bits: 0))
        continue
      }
      var bits: Int32 = 1
      while (1 << bits) < words.count * 2 { bits += 1 }
      let start = slots.count
      slots += repeatElement(ReaderTables.Slot(word: 0, length: 0, index: -1), count: 1 << bits)
      for (index, bytes) in words.enumerated() {
        let word = bytes.reversed().reduce(0 as UInt64) { $0 << 8 | UInt64($1) }
        var slot = ReaderTables.hash(word, bits: bits)
        while slots[start + slot].index >= 0 { slot = (slot + 1) & ((1 << Int(bits)) - 1) }
        slots[start + slot] = .init(word: word, length: Int32(bytes.count), index: Int32(index))
      }
      enumTables.append(.init(start: Int32(start), bits: bits))
    }
    let compactFields = fields.map { field in
      ReaderPlan.compactField(
        field, fields: fields, nodes: nodes, recordStarts: recordStarts)
    }
    names += [UInt8](repeating: 0, count: 8)  // padding for nameEquals' word loads
    counts = (
      nodes.count, fields.count, recordStarts.count, cases.count, enumStarts.count, names.count,
      enumTables.count, slots.count
    )
    func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
      let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(array.count, 1))
      pointer.initialize(from: array, count: array.count)
      return pointer
    }
    tables = ReaderTables(
      nodes: copy(nodes), fields: copy(fields), compactFields: copy(compactFields),
      recordStarts: copy(recordStarts),
      cases: copy(cases), enumStarts: copy(enumStarts), names: copy(names),
      inputRecord: Int32(image.inputRecord), enumTables: copy(enumTables), slots: copy(slots))
  }

  /// How the compact pass reads `field`: the common kinds directly, whatever else as `other`.
  static func compactField(
    _ field: ReaderTables.Field, fields: [ReaderTables.Field], nodes: [ReaderTables.Node],
    recordStarts: [Int32]
  ) -> ReaderTables.CompactField {
    var compact = ReaderTables.CompactField(
      literal: field.literal, operation: .other, argument: 0, low: .min, high: .max)
    // Bounds the compact pass checks itself: plain integers on either side, or none.
    let plainBounds =
      (!field.hasLow || field.low.tag == 0) && (!field.hasHigh || field.high.tag == 0)
    if field.hasBounds {
      guard plainBounds else { return compact }
      if field.hasLow { compact.low = field.low.word }
      if field.hasHigh { compact.high = field.high.word }
    }
    let node = nodes[Int(field.type)]
    switch node.kind {
    case .integer where !field.boundsOnLength:
      compact.operation = .integer
    case .bool where !field.hasBounds:
      compact.operation = .bool
    case .enumeration where !field.hasBounds:
      compact.operation = .enumeration
      compact.argument = node.argument
    case .text where !field.hasBounds:
      compact.operation = .text
    case .list where !field.hasBounds || field.boundsOnLength:
      let element = nodes[Int(node.argument)]
      guard element.kind == .record else { break }
      let record = Int(element.argument)
      let fieldCount = recordStarts[record + 1] - recordStarts[record]
      // `fastRecord` hands records of more than 64 fields (or none) to other readers.
      guard fieldCount > 0 && fieldCount <= 64 else { break }
      // A record holds lists when one of its fields is (or may be) a list or a record.
      let holdsLists = (Int(recordStarts[record])..<Int(recordStarts[record + 1])).contains {
        var type = nodes[Int(fields[$0].type)]
        while type.kind == .optional { type = nodes[Int(type.argument)] }
        return type.kind == .list || type.kind == .record || type.kind == .unsupported
      }
      compact.operation = holdsLists ? .records : .flatRecords
      compact.argument = element.argument
    default: break
    }
    return compact
  }

  deinit {
    tables.nodes.deinitialize(count: counts.nodes).deallocate()
    tables.fields.deinitialize(count: counts.fields).deallocate()
    tables.compactFields.deinitialize(count: counts.fields).deallocate()
    tables.recordStarts.deinitialize(count: counts.records).deallocate()
    tables.cases.deinitialize(count: counts.cases).deallocate()
    tables.enumStarts.deinitialize(count: counts.enums).deallocate()
    tables.names.deinitialize(count: counts.names).deallocate()
    tables.enumTables.deinitialize(count: counts.tables).deallocate()
    tables.slots.deinitialize(count: counts.slots).deallocate()
  }
}

/// A position in JSON bytes with the few scans the fast reader needs.
struct FastCursor {
  let start: UnsafePointer<UInt8>
  let count: Int
  var position = 0
  /// True in the first pass, which reads records only in their compact form.
  let compact: Bool
  /// Set when a record was not in compact form: the document needs the general pass.
  var compactFailed = false

  init(start: UnsafePointer<UInt8>, count: Int, compact: Bool = false) {
    self.start = start
    self.count = count
    self.compact = compact
  }

  @inline(__always)
  mutating func skipSpace() {
    while position < count {
      let byte = start[position]
      guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
      position &+= 1
    }
  }

  @inline(__always)
  mutating func consume(_ byte: UInt8) -> Bool {
    guard position < count, start[position] == byte else { return false }
    position &+= 1
    return true
  }

  /// `null`, `true` and `false` as little-endian words, for `consumeWord(_:length:)`.
  static var null: UInt64 { 0x6C6C_756E }
  static var `true`: UInt64 { 0x6575_7274 }
  static var `false`: UInt64 { 0x65_736C_6166 }

  /// Consumes a literal of `length` (at most 8) bytes given as a little-endian word.
  @inline(__always)
  mutating func consumeWord(_ word: UInt64, length: Int) -> Bool {
    guard count - position >= length else { return false }
    var loaded: UInt64 = 0
    #if _endian(little)
      if count - position >= 8 {
        // One load, the bytes past the literal masked off.
        loaded =
          UnsafeRawPointer(start + position).loadUnaligned(as: UInt64.self)
          & (length == 8 ? ~0 : (1 << (8 &* UInt64(length))) &- 1)
        guard loaded == word else { return false }
        position &+= length
        return true
      }
    #endif
    for index in 0..<length { loaded |= UInt64(start[position &+ index]) << (8 &* UInt64(index)) }
    guard loaded == word else { return false }
    position &+= length
    return true
  }

  /// `true` or `false`, consumed; else nil and nothing consumed.
  @inline(__always)
  mutating func bool() -> Bool? {
    if consumeWord(FastCursor.true, length: 4) { return true }
    if consumeWord(FastCursor.false, length: 5) { return false }
    return nil
  }

  /// Consumes the bytes of `literal` when they come next; else nothing.
  @inline(__always)
  mutating func consumeLiteral(_ literal: ReaderTables.Name, _ names: UnsafeMutablePointer<UInt8>)
    -> Bool
  {
    let length = Int(literal.count)
    guard length >= 0, count - position >= length,
      bytesEqual(
        UnsafeRawPointer(names + Int(literal.start)), UnsafeRawPointer(start + position),
        count: length, readable: count - position)
    else { return false }
    position &+= length
    return true
  }

  /// The bytes of `range` (at most eight) as a little-endian word, zero-padded.
  @inline(__always)
  func word(_ range: Range<Int>) -> UInt64 {
    var word: UInt64 = 0
    var offset = range.count
    while offset > 0 {
      offset &-= 1
      word = word << 8 | UInt64(start[range.lowerBound &+ offset])
    }
    return word
  }

  /// Consumes `"name"` when the next bytes are exactly that (a key in place); else nothing.
  @inline(__always)
  mutating func consumeKey(_ name: ReaderTables.Name, _ names: UnsafeMutablePointer<UInt8>)
    -> Bool
  {
    let length = Int(name.count)
    guard length >= 0, count - position >= length &+ 2, start[position] == UInt8(ascii: "\""),
      start[position &+ 1 &+ length] == UInt8(ascii: "\"")
    else { return false }
    guard
      bytesEqual(
        UnsafeRawPointer(names + Int(name.start)), UnsafeRawPointer(start + (position &+ 1)),
        count: length, readable: count - position - 1)
    else { return false }
    position &+= length &+ 2
    return true
  }

  /// The byte range of a string without escapes or control characters, after its quotes.
  ///
  /// Scans eight bytes at a time: a word with no quote, backslash, control byte or non-ASCII
  /// byte is skipped whole; any other goes byte by byte.
  mutating func plainString() -> Range<Int>? {
    let opening = position
    guard let range = scanPlainString() else {
      position = opening
      return nil
    }
    return range
  }

  @inline(__always)
  mutating func scanPlainString() -> Range<Int>? {
    guard consume(UInt8(ascii: "\"")) else { return nil }
    let first = position
    var cursor = position
    var high: UInt8 = 0
    let ones: UInt64 = 0x0101_0101_0101_0101
    let tops: UInt64 = 0x8080_8080_8080_8080
    while true {
      if count - cursor >= 8 {
        let word = UnsafeRawPointer(start + cursor).loadUnaligned(as: UInt64.self)
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let special =
          (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
            | ((word &- ones &* 0x20) & ~word) | word) & tops
        if special == 0 {
          cursor &+= 8
          continue
        }
        #if _endian(little)
          // The lowest flagged byte is truly special (a false flag only follows a true one):
          // when it is the closing quote, every byte before it is plain ASCII.
          let offset = special.trailingZeroBitCount &>> 3
          if start[cursor &+ offset] == UInt8(ascii: "\"") && high < 0x80 {
            position = cursor &+ offset &+ 1
            return first..<(cursor &+ offset)
          }
        #endif
      }
      // Byte by byte through the next eight (or to the end).
      let stop = min(cursor &+ 8, count)
      while cursor < stop {
        let byte = start[cursor]
        if byte == UInt8(ascii: "\"") {
          position = cursor &+ 1
          let range = first..<cursor
          // Only well-formed UTF-8 is taken on the fast path; ASCII needs no decoding.
          return high < 0x80 || isValidUTF8(range) ? range : nil
        }
        if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
        high |= byte
        cursor &+= 1
      }
      if cursor >= count { return nil }
    }
  }

  func isValidUTF8(_ range: Range<Int>) -> Bool {
    var iterator = UnsafeBufferPointer(start: start + range.lowerBound, count: range.count)
      .makeIterator()
    var codec = UTF8()
    while true {
      switch codec.decode(&iterator) {
      case .scalarValue: continue
      case .emptyInput: return true
      case .error: return false
      }
    }
  }

  /// The text of a range that `plainString()` accepted.
  func string(_ range: Range<Int>) -> String {
    String(
      decoding: UnsafeBufferPointer(start: start + range.lowerBound, count: range.count),
      as: UTF8.self)
  }

  /// A JSON integer that fits Int64 (no fraction, exponent or leading zero).
  @inline(__always)
  mutating func integer() -> Int64? {
    #if _endian(little)
      // Up to seven digits followed by another byte (every integer of a compact record): the
      // digits are found and converted eight bytes at a time, as simdjson does.
      if count - position >= 9 {
        let negative = start[position] == UInt8(ascii: "-")
        let first = negative ? position &+ 1 : position
        let word = UnsafeRawPointer(start + first).loadUnaligned(as: UInt64.self)
        let digits = word &- 0x3030_3030_3030_3030
        // A byte is not a digit when subtracting "0" wrapped (top bit set) or when adding 0x76
        // reaches the top bit (above "9"). Bytes after the first non-digit do not matter.
        let others = (digits | (digits &+ 0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080
        let length = others.trailingZeroBitCount &>> 3
        if length < 8 {
          guard length > 0, length == 1 || word & 0xFF != 0x30 else { return nil }
          let next = UInt8(truncatingIfNeeded: word &>> (8 &* UInt64(length)))
          if next == UInt8(ascii: ".") || next | 0x20 == UInt8(ascii: "e") { return nil }
          // The digits moved to the top bytes (zeros before them), then summed pairwise.
          var value = (word &<< (8 &* UInt64(8 &- length))) & 0x0F0F_0F0F_0F0F_0F0F
          value = (value &* 2561) &>> 8
          value = ((value & 0x00FF_00FF_00FF_00FF) &* 6_553_601) &>> 16
          value = ((value & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) &>> 32
          position = first &+ length
          let magnitude = Int64(truncatingIfNeeded: value)
          return negative ? -magnitude : magnitude
        }
      }
    #endif
    // Up to 18 digits cannot overflow: accumulate without checks.
    var cursor = position
    let negative = cursor < count && start[cursor] == UInt8(ascii: "-")
    if negative { cursor &+= 1 }
    let first = cursor
    var value: Int64 = 0
    while cursor < count {
      let digit = start[cursor] &- 0x30
      if digit >= 10 { break }
      value = value &* 10 &+ Int64(digit)
      cursor &+= 1
    }
    let digits = cursor - first
    guard digits < 19 else { return checkedInteger() }
    guard digits > 0, !(digits > 1 && start[first] == 0x30) else { return nil }
    if cursor < count {
      let next = start[cursor]
      if next == UInt8(ascii: ".") || next | 0x20 == UInt8(ascii: "e") { return nil }
    }
    position = cursor
    return negative ? -value : value
  }

  /// `integer()` with overflow checks, for 19 digits or more.
  mutating func checkedInteger() -> Int64? {
    var negative = false
    if position < count, start[position] == UInt8(ascii: "-") {
      negative = true
      position &+= 1
    }
    let first = position
    var value: Int64 = 0
    while position < count, start[position] &- 0x30 < 10 {
      let digit = Int64(start[position] &- 0x30)
      let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
      let (next, overflow2) =
        negative
        ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
      guard !overflow1, !overflow2 else { return nil }
      value = next
      position &+= 1
    }
    let digits = position - first
    guard digits > 0, !(digits > 1 && start[first] == 0x30) else { return nil }
    if position < count {
      let next = start[position]
      if next == UInt8(ascii: ".") || next | 0x20 == UInt8(ascii: "e") { return nil }
    }
    return value
  }

  /// A JSON number's text (`-`, digits without a leading zero, an optional fraction with at
  /// least one digit; no exponent), for exact decimal parsing.
  mutating func numberText() -> String? {
    let first = position
    if position < count, start[position] == UInt8(ascii: "-") { position += 1 }
    let integerStart = position
    skipDigits()
    let integerDigits = position - integerStart
    guard integerDigits > 0, !(integerDigits > 1 && start[integerStart] == 0x30) else { return nil }
    if position < count, start[position] == UInt8(ascii: ".") {
      position += 1
      let fractionStart = position
      skipDigits()
      guard position > fractionStart else { return nil }
    }
    if position < count, start[position] | 0x20 == UInt8(ascii: "e") { return nil }
    return string(first..<position)
  }

  mutating func skipDigits() {
    while position < count, start[position] &- 0x30 < 10 { position += 1 }
  }
}
