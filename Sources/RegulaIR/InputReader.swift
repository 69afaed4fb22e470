// Reads an application from JSON by the policy's input schema into a `Value`. Absent required
// fields become unknown facts (reported only if the evaluation needs them); present fields of
// the wrong type, out of their bounds, or not in the schema are input errors naming the path.

/// An application that does not fit the input schema.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The field path, such as `members[1].age`; empty for the whole document.
  public var path: String
  /// What is wrong, in the house style (lowercase, no final period).
  public var message: String
  /// `` `path`: message ``, or the message alone for the whole document.
  public var description: String { path.isEmpty ? message : "`\(path)`: \(message)" }
}

/// Schema-driven conversion from JSON to values.
public struct InputReader {
  let program: IRProgram
  /// Lists longer than this are rejected (limit `list_length`).
  public static let maximumListLength = 100_000

  /// Creates a reader for `program`'s input schema and field bounds.
  public init(program: IRProgram) { self.program = program }

  /// Reads the application object.
  ///
  /// The reference twin of `Machine.loadApplication(json:)`: absent fields become `.unknown`
  /// (`.none` when optional), and only fail if the evaluation reads them.
  ///
  /// - Throws: `InputError` when the policy has no input, or for the first value of the wrong
  ///   type, outside its bounds, not in the schema, or a list over `maximumListLength`.
  public func read(_ json: JSONValue) throws(InputError) -> Value {
    guard let input = program.input else {
      throw InputError(path: "", message: "this policy declares no input")
    }
    return try readRecord(json, input, path: "")
  }

  func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

  func readRecord(_ json: JSONValue, _ record: RecordInfo, path: String) throws(InputError) -> Value
  {
    guard case .object(let members) = json else {
      throw InputError(
        path: path, message: "expected an object for `\(record.name)`, found \(json.summary)")
    }
    for member in members where record.field(member.key) == nil {
      throw InputError(
        path: join(path, member.key),
        message:
          "`\(record.name)` has no field `\(member.key)` (fields not in the schema are rejected)")
    }
    var values: [Value] = []
    for field in record.fields {
      let fieldPath = join(path, field.name)
      guard let member = members.first(where: { $0.key == field.name }) else {
        values.append(field.mayBeAbsent ? .none : .unknown)
        continue
      }
      // A field with a default reads as optional: `null` is `none`, as when left out.
      let type = field.defaultValue == nil ? field.type : .optional(field.type)
      let value = try readValue(member.value, type, path: fieldPath)
      try check(value, against: program.bounds["\(record.name).\(field.name)"], path: fieldPath)
      values.append(value)
    }
    return .record(values)
  }

  func readValue(_ json: JSONValue, _ type: RType, path: String) throws(InputError) -> Value {
    if case .optional(let wrapped) = type {
      if json == .null { return .none }
      return try readValue(json, wrapped, path: path)
    }
    if json == .null {
      throw InputError(
        path: path, message: "expected \(type), found null (the field is not optional)")
    }
    // A number longer than any engine holds is refused as it is read (limit `number_size`),
    // never read as a value an engine cannot hold.
    if case .number(let text) = json, text.utf8.count > NumberLimits.maximumNumberCharacters {
      throw InputError(path: path, message: NumberLimits.tooLongMessage(text.utf8.count))
    }
    if case .decimal = type, case .string(let text) = json,
      text.utf8.count > NumberLimits.maximumNumberCharacters
    {
      throw InputError(path: path, message: NumberLimits.tooLongMessage(text.utf8.count))
    }
    switch (type, json) {
    case (.bool, .bool(let value)): return .bool(value)
    case (.int, .number(let text)): return .int(try integer(text, path: path))
    case (.money, .number(let text)): return .money(Money(fen: try integer(text, path: path)))
    case (.decimal, .number(let text)), (.decimal, .string(let text)):
      guard !text.contains(where: { $0 == "e" || $0 == "E" }),
        let value = try? ExactDecimal(parsing: text)
      else {
        throw InputError(
          path: path, message: "expected a decimal number such as `0.15`, found `\(text)`")
      }
      return .decimal(value)
    case (.days, .number(let text)): return .days(Days(try count(text, path: path)))
    case (.months, .number(let text)): return .months(Months(try count(text, path: path)))
    case (.years, .number(let text)): return .years(Years(try count(text, path: path)))
    case (.date, .string(let text)):
      guard let date = try? CivilDate(iso8601: text) else {
        throw InputError(path: path, message: "expected a date `YYYY-MM-DD`, found `\(text)`")
      }
      return .date(date)
    case (.text, .string(let text)): return .text(text)
    case (.enumeration(let name), .string(let text)):
      let cases = program.enumOutputNames(name)
      guard let index = cases.firstIndex(of: text) else {
        throw InputError(
          path: path,
          message:
            "expected one of \(cases.map { "`\($0)`" }.joined(separator: ", ")), found `\(text)`")
      }
      return .enumCase(index)
    case (.record(let name), _):
      guard let record = program.records.first(where: { $0.name == name }) else { break }
      return try readRecord(json, record, path: path)
    case (.list(let element), .array(let items)):
      guard items.count <= Self.maximumListLength else {
        throw InputError(
          path: path,
          message:
            "the list has \(items.count) items, over the limit `list_length` of \(Self.maximumListLength)"
        )
      }
      var values: [Value] = []
      for (index, item) in items.enumerated() {
        values.append(try readValue(item, element, path: "\(path)[\(index)]"))
      }
      return .list(values)
    default: break
    }
    throw InputError(path: path, message: "expected \(expectation(type)), found \(json.summary)")
  }

  func integer(_ text: String, path: String) throws(InputError) -> ExactInt {
    guard text.allSatisfy({ $0.isNumber || $0 == "-" }), let value = ExactInt(text) else {
      throw InputError(path: path, message: "expected a whole number, found `\(text)`")
    }
    return value
  }

  func count(_ text: String, path: String) throws(InputError) -> Int64 {
    guard let value = try integer(text, path: path).int64Value else {
      throw InputError(path: path, message: "`\(text)` is out of the range of a duration")
    }
    return value
  }

  func check(_ value: Value, against bounds: IRBounds?, path: String) throws(InputError) {
    guard let bounds, value != .none else { return }
    var subject = value
    if bounds.isLength, case .list(let items) = value {
      subject = .int(ExactInt(Int64(items.count)))
    }
    let interpreter = Interpreter(
      program: program, input: .none, asOf: (try? CivilDate(daysSince1970: 0))!,
      jurisdiction: "national")
    let span = SourceSpan(file: .init(0), bytes: 0..<0)
    let below =
      bounds.low.map { (try? interpreter.less(subject, $0, span: span)) ?? false } ?? false
    let above =
      bounds.high.map { (try? interpreter.less($0, subject, span: span)) ?? false } ?? false
    if below || above {
      throw InputError(
        path: path,
        message: Self.outOfBounds(
          bounds.isLength ? "the list's length" : "the value", show(subject),
          low: bounds.low.map(show), high: bounds.high.map(show)))
    }
  }

  /// The message for a value outside its declared bounds (the VM's reader says the same).
  public static func outOfBounds(_ what: String, _ subject: String, low: String?, high: String?)
    -> String
  {
    switch (low, high) {
    case (let low?, let high?): "\(what) \(subject) is outside \(low) to \(high)"
    case (let low?, nil): "\(what) \(subject) is below \(low), the least accepted"
    case (nil, let high?): "\(what) \(subject) is above \(high), the greatest accepted"
    case (nil, nil): "\(what) \(subject) is out of bounds"
    }
  }

  func show(_ value: Value) -> String {
    switch value {
    case .int(let int): int.description
    case .decimal(let decimal): decimal.description
    case .money(let money): "\(money.fen) fen"
    case .date(let date): date.description
    case .days(let days): days.description
    case .months(let months): months.description
    case .years(let years): years.description
    default: "\(value)"
    }
  }

  func expectation(_ type: RType) -> String {
    switch type {
    case .money: "an integer number of fen"
    case .int: "a whole number"
    case .date: "a date string `YYYY-MM-DD`"
    case .enumeration(let name): "a `\(name)` case name as a string"
    case .record(let name): "an object for `\(name)`"
    case .list: "an array"
    default: "a `\(type)`"
    }
  }

}
