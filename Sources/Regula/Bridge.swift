// Moving values between the reference interpreter's `Value` and the VM's registers and facts.
@_exported import RegulaCompiler
@_exported import RegulaVM

extension Machine {
  /// Loads a value of `type` into the machine's facts and returns its register.
  ///
  /// A value whose case does not fit `type` loads as unknown, as an absent fact would. Lists,
  /// records and texts are added to `facts`, so the register is valid until the next `reset()`.
  ///
  /// - Complexity: O(n) in the number of scalars in `value`.
  public mutating func load(_ value: Value, as type: SchemaType) -> Register {
    switch (value, type) {
    case (.none, _): return .none
    case (.unknown, _): return .unknown
    case (_, .optional(let wrapped)): return load(value, as: wrapped)
    case (.bool(let bool), _): return .bool(bool)
    case (.int(let int), _): return integer(int)
    case (.money(let money), _): return integer(money.fen)
    case (.decimal(let decimal), _): return storeRational(decimal)
    case (.exactMoney(let exact), _): return storeRational(exact.fen)
    case (.date(let date), _): return .integer(date.daysSince1970)
    case (.days(let days), _): return .integer(days.count)
    case (.months(let months), _): return .integer(months.count)
    case (.years(let years), _): return .integer(years.count)
    case (.text(let text), _): return facts.addText(text)
    case (.enumCase(let index), _): return .integer(Int64(index))
    case (.record(let items), .record(let index)):
      let fields = image.records[index].fields
      let loaded = zip(items, fields).map { load($0, as: $1.type) }
      return facts.addList(loaded)
    case (.list(let items), .list(let element)), (.table(let items), .table(_, let element)):
      let loaded = items.map { load($0, as: element) }
      return facts.addList(loaded)
    default: return .unknown
    }
  }

  mutating func integer(_ value: ExactInt) -> Register {
    if let small = value.int64Value { return .integer(small) }
    return facts.addExact(ExactDecimal(value))
  }

  /// The value in a register of `type`.
  ///
  /// The inverse of `load(_:as:)`, for comparing the VM with the reference interpreter. Handles
  /// are read from this machine's `facts`, so call it before the next `reset()`. A date register
  /// outside 0001-01-01 … 9999-12-31 reads as `.unknown`, and so does a handle this machine does
  /// not hold, or a value nested deeper than a valid one can be (a hostile compiled file's):
  /// never a trap.
  ///
  /// - Complexity: O(n) in the number of scalars in the value.
  public func value(_ register: Register, as type: SchemaType) -> Value {
    value(register, as: type, depth: 0)
  }

  func value(_ register: Register, as type: SchemaType, depth: Int) -> Value {
    if register.tag == Register.noneTag { return .none }
    if register.tag == Register.unknownTag || depth >= Machine.maximumRenderingDepth {
      return .unknown
    }
    /// The items of a list, record or table handle, or nil when this machine holds no such list.
    func items(_ count: Int?) -> [Register]? {
      guard facts.holdsList(register) else { return nil }
      let total = count ?? facts.count(register)
      var items: [Register] = []
      for index in 0..<total {
        guard let item = facts.checkedItem(register, index) else { return nil }
        items.append(item)
      }
      return items
    }
    switch type {
    case .optional(let wrapped): return value(register, as: wrapped, depth: depth + 1)
    case .bool: return .bool(register.word != 0)
    case .int: return .int(exact(register).numerator)
    case .money: return .money(Money(fen: exact(register).numerator))
    case .decimal: return .decimal(exact(register))
    case .exactMoney: return .exactMoney(ExactMoney(fen: exact(register)))
    case .date: return (try? CivilDate(daysSince1970: register.word)).map(Value.date) ?? .unknown
    case .days: return .days(Days(register.word))
    case .months: return .months(Months(register.word))
    case .years: return .years(Years(register.word))
    case .text:
      return facts.holdsText(register) ? .text(facts.texts[Int(register.word)]) : .unknown
    case .enumeration: return .enumCase(Int(register.word))
    case .record(let index):
      guard index < image.records.count else { return .unknown }
      let fields = image.records[index].fields
      guard let values = items(fields.count) else { return .unknown }
      return .record(
        zip(values, fields).map { value($0, as: $1.type, depth: depth + 1) })
    case .list(let element):
      guard let values = items(nil) else { return .unknown }
      return .list(values.map { value($0, as: element, depth: depth + 1) })
    case .table(_, let element):
      guard let values = items(nil) else { return .unknown }
      return .table(values.map { value($0, as: element, depth: depth + 1) })
    }
  }
}
