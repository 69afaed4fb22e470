// Reads an application from JSON straight into a machine's facts, driven by the compiled
// input schema: no intermediate values. Absent required fields become unknown facts; wrong
// types, values outside their bounds and fields not in the schema are errors naming the path.
@_exported import RegulaJSON

/// An application that does not fit the compiled input schema.
public struct ApplicationError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The field path, such as `members[1].age`; empty for the whole document.
  public var path: String
  /// What is wrong, in the house style (lowercase, no final period, user text in backticks).
  public var message: String
  /// `` `path`: message ``, or the message alone for the whole document.
  public var description: String { path.isEmpty ? message : "`\(path)`: \(message)" }

  /// Creates an error at `path` (empty for the whole document).
  public init(path: String, message: String) {
    self.path = path
    self.message = message
  }
}

/// Lists longer than this are rejected (limit `list_length`).
public let maximumListLength = 100_000

extension Machine {
  /// Parses `bytes` and loads the application; returns the input record's register.
  ///
  /// Fields the application leaves out load as unknown facts (or none, when optional): they
  /// are an error only if the evaluation reads them. Call `reset()` first.
  ///
  /// - Throws: `ApplicationError` for invalid JSON (empty path), a value of the wrong type or
  ///   outside its declared bounds, a field not in the schema, or a list over
  ///   `maximumListLength`. The first problem found is reported.
  /// - Complexity: O(n) in the size of the document, times the number of fields per record.
  public mutating func loadApplication(json bytes: [UInt8]) throws(ApplicationError) -> Register {
    ensureUnique()
    let document: JSONValue
    do { document = try JSONReader.parse(bytes) } catch {
      throw ApplicationError(path: "", message: "invalid JSON at \(error)")
    }
    return try loadRecord(document, image.inputRecord, path: "")
  }

  /// `loadApplication(json:)`, leaving the facts as they were when it throws (a refused
  /// application among others read since the last reset leaves nothing behind).
  public mutating func loadApplicationKeepingFacts(json bytes: [UInt8]) throws(ApplicationError)
    -> Register
  {
    ensureUnique()
    let mark = facts.mark()
    do { return try loadApplication(json: bytes) } catch {
      facts.restore(mark)
      throw error
    }
  }

  func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

  mutating func loadRecord(_ json: JSONValue, _ index: Int, path: String) throws(ApplicationError)
    -> Register
  {
    let record = image.records[index]
    guard case .object(let members) = json else {
      throw ApplicationError(
        path: path, message: "expected an object for `\(record.name)`, found \(json.summary)")
    }
    for member in members where !record.fields.contains(where: { $0.name == member.key }) {
      throw ApplicationError(
        path: join(path, member.key),
        message:
          "`\(record.name)` has no field `\(member.key)` (fields not in the schema are rejected)")
    }
    var values: [Register] = []
    values.reserveCapacity(record.fields.count)
    for field in record.fields {
      guard let member = members.first(where: { $0.key == field.name }) else {
        if case .optional = field.type { values.append(.none) } else { values.append(.unknown) }
        continue
      }
      let fieldPath = join(path, field.name)
      let value = try loadValue(member.value, field.type, path: fieldPath)
      try checkBounds(value, field, path: fieldPath)
      values.append(value)
    }
    return facts.addList(values, record: Int32(index))
  }

  mutating func loadValue(_ json: JSONValue, _ type: SchemaType, path: String)
    throws(ApplicationError) -> Register
  {
    if case .optional(let wrapped) = type {
      if json == .null { return .none }
      return try loadValue(json, wrapped, path: path)
    }
    if json == .null {
      throw ApplicationError(
        path: path, message: "expected \(typeName(type)), found null (the field is not optional)")
    }
    // A number longer than any engine holds is refused as it is read (limit `number_size`),
    // never stored as `none` by the arena.
    if case .number(let text) = json, text.utf8.count > NumberLimits.maximumNumberCharacters {
      throw ApplicationError(path: path, message: NumberLimits.tooLongMessage(text.utf8.count))
    }
    if case .decimal = type, case .string(let text) = json,
      text.utf8.count > NumberLimits.maximumNumberCharacters
    {
      throw ApplicationError(path: path, message: NumberLimits.tooLongMessage(text.utf8.count))
    }
    switch (type, json) {
    case (.bool, .bool(let value)): return .bool(value)
    case (.int, .number(let text)), (.money, .number(let text)):
      return try integerRegister(text, path: path)
    case (.decimal, .number(let text)), (.decimal, .string(let text)),
      (.exactMoney, .number(let text)):
      guard !text.contains(where: { $0 == "e" || $0 == "E" }),
        let value = try? ExactDecimal(parsing: text)
      else {
        throw ApplicationError(
          path: path, message: "expected a decimal number such as `0.15`, found `\(text)`")
      }
      return storeRational(value)
    case (.days, .number(let text)), (.months, .number(let text)), (.years, .number(let text)):
      guard text.allSatisfy({ $0.isNumber || $0 == "-" }), let count = Int64(text) else {
        throw ApplicationError(
          path: path, message: "expected a whole number of \(typeName(type)), found `\(text)`")
      }
      return .integer(count)
    case (.date, .string(let text)):
      guard let date = try? CivilDate(iso8601: text) else {
        throw ApplicationError(path: path, message: "expected a date `YYYY-MM-DD`, found `\(text)`")
      }
      return .integer(date.daysSince1970)
    case (.text, .string(let text)): return facts.addText(text)
    case (.enumeration(let index), .string(let text)):
      let cases = image.enums[index].cases
      guard let position = cases.firstIndex(of: text) else {
        throw ApplicationError(
          path: path,
          message:
            "expected one of \(cases.map { "`\($0)`" }.joined(separator: ", ")), found `\(text)`")
      }
      return .integer(Int64(position))
    case (.record(let index), _): return try loadRecord(json, index, path: path)
    case (.list(let element), .array(let items)):
      guard items.count <= maximumListLength else {
        throw ApplicationError(
          path: path,
          message:
            "the list has \(items.count) items, over the limit `list_length` of \(maximumListLength)"
        )
      }
      var values: [Register] = []
      values.reserveCapacity(items.count)
      for (index, item) in items.enumerated() {
        values.append(try loadValue(item, element, path: "\(path)[\(index)]"))
      }
      return facts.addList(values)
    default: break
    }
    throw ApplicationError(
      path: path, message: "expected \(expectation(type)), found \(json.summary)")
  }

  mutating func integerRegister(_ text: String, path: String) throws(ApplicationError) -> Register {
    guard text.allSatisfy({ $0.isNumber || $0 == "-" }), let value = ExactInt(text) else {
      throw ApplicationError(path: path, message: "expected a whole number, found `\(text)`")
    }
    if let small = value.int64Value { return .integer(small) }
    return facts.addExact(ExactDecimal(value))
  }

  func checkBounds(_ value: Register, _ field: RecordSchema.Field, path: String)
    throws(ApplicationError)
  {
    guard let bounds = field.bounds, value.tag != Register.noneTag else { return }
    var subject = value
    if field.boundsOnLength {
      // The verifier allows length bounds on lists only; checked again rather than trusted.
      guard facts.holdsList(value) else {
        throw ApplicationError(path: path, message: "length bounds on a value that is not a list")
      }
      subject = .integer(Int64(facts.count(value)))
    }
    func less(_ a: Register, _ b: Register) -> Bool {
      a.tag > 0 || b.tag > 0 ? compareRationals(a, b) < 0 : compareIntegers(a, b) < 0
    }
    let below = bounds.low.map { less(subject, $0) } ?? false
    let above = bounds.high.map { less($0, subject) } ?? false
    guard below || above else { return }
    let what = field.boundsOnLength ? "the list's length" : "the value"
    // The interpreter's reader says the same (InputReader.outOfBounds); the differential
    // tests compare them.
    let shown = show(subject, field)
    let message =
      switch (bounds.low.map { show($0, field) }, bounds.high.map { show($0, field) }) {
      case (let low?, let high?): "\(what) \(shown) is outside \(low) to \(high)"
      case (let low?, nil): "\(what) \(shown) is below \(low), the least accepted"
      case (nil, let high?): "\(what) \(shown) is above \(high), the greatest accepted"
      case (nil, nil): "\(what) \(shown) is out of bounds"
      }
    throw ApplicationError(path: path, message: message)
  }

  func show(_ register: Register, _ field: RecordSchema.Field) -> String {
    if field.boundsOnLength { return exact(register).description }
    switch field.type {
    case .money, .optional(.money): return "\(exact(register).description) fen"
    case .date, .optional(.date):
      return (try? CivilDate(daysSince1970: register.word))?.description ?? "?"
    case .days, .optional(.days): return Days(register.word).description
    case .months, .optional(.months): return Months(register.word).description
    case .years, .optional(.years): return Years(register.word).description
    default: return exact(register).description
    }
  }

  func typeName(_ type: SchemaType) -> String { image.typeName(type) }

  func expectation(_ type: SchemaType) -> String {
    switch type {
    case .money: "an integer number of fen"
    case .int: "a whole number"
    case .date: "a date string `YYYY-MM-DD`"
    case .enumeration(let index): "a `\(image.enums[index].name)` case name as a string"
    case .record(let index): "an object for `\(image.records[index].name)`"
    case .list: "an array"
    default: "a `\(typeName(type))`"
    }
  }

  /// A register of `type` as JSON text (Money in fen, Decimal as an exact string).
  ///
  /// Never traps: a handle or case index that this machine does not hold prints as `null`, and
  /// so does a value of a type that names enums or records this image does not have.
  ///
  /// - Complexity: O(n) in the number of scalars in the value.
  public func json(_ register: Register, _ type: SchemaType) -> String {
    guard image.isValid(type) else { return "null" }
    return json(register, type, depth: 0)
  }

  /// Values nest at most 64 deep in JSON input and types at most 64 deep, but a hostile
  /// compiled file can build a list that contains itself: past this depth, `null`.
  public static let maximumRenderingDepth = 256

  func json(_ register: Register, _ type: SchemaType, depth: Int) -> String {
    guard depth < Machine.maximumRenderingDepth else { return "null" }
    if register.tag == Register.noneTag || register.tag == Register.unknownTag { return "null" }
    switch type {
    case .optional(let wrapped): return json(register, wrapped, depth: depth + 1)
    case .bool: return register.word != 0 ? "true" : "false"
    case .int, .money: return exact(register).description
    case .decimal, .exactMoney: return JSONWriter.quote(exact(register).description)
    case .date:
      return JSONWriter.quote((try? CivilDate(daysSince1970: register.word))?.description ?? "?")
    case .days, .months, .years: return String(register.word)
    case .text:
      return facts.holdsText(register) ? JSONWriter.quote(facts.texts[Int(register.word)]) : "null"
    case .enumeration(let index):
      let cases = image.enums[index].cases
      return register.word >= 0 && register.word < Int64(cases.count)
        ? JSONWriter.quote(cases[Int(register.word)]) : "null"
    case .record(let index):
      let fields = image.records[index].fields
      let parts = fields.indices.map { position -> String in
        let item = facts.checkedItem(register, position) ?? .none
        return
          "\(JSONWriter.quote(fields[position].name)):\(json(item, fields[position].type, depth: depth + 1))"
      }
      return "{" + parts.joined(separator: ",") + "}"
    case .list(let element):
      guard facts.holdsList(register) else { return "null" }
      return "["
        + (0..<facts.count(register)).map {
          json(facts.item(register, $0), element, depth: depth + 1)
        }.joined(
          separator: ",") + "]"
    case .table(let key, let element):
      guard facts.holdsList(register) else { return "null" }
      let cases = image.enums[key].cases
      let parts = (0..<min(cases.count, facts.count(register))).map {
        "\(JSONWriter.quote(cases[$0])):\(json(facts.item(register, $0), element, depth: depth + 1))"
      }
      return "{" + parts.joined(separator: ",") + "}"
    }
  }
}
