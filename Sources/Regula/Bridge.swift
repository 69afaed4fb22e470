// Moving values between the reference interpreter's `Value` and the VM's registers and facts.
@_exported import RegulaCompiler
@_exported import RegulaVM

extension Machine {
  /// Loads a value of `type` into the machine's facts and returns its register.
  ///
  /// What is loaded always fits `type`, since the VM follows handles without checks: a record
  /// field whose value does not fit its type (or is missing) loads as unknown, as an absent
  /// fact would, and a list or table with an item that does not fit (or a table without one
  /// item per key) loads as unknown as a whole, and so does anything of a type naming enums or
  /// records this image does not have. Lists, records and texts are added to
  /// `facts`, so the register is valid until the next `reset()`.
  ///
  /// - Complexity: O(n) in the number of scalars in `value`.
  public mutating func load(_ value: Value, as type: SchemaType) -> Register {
    ensureUnique()
    guard image.isValid(type) else { return .unknown }
    return loadFitting(value, as: type, depth: 0) ?? .unknown
  }

  /// The register of `value` as a value of `type`, or nil when it does not fit (or nests
  /// deeper than `maximumRenderingDepth`, which no application does).
  mutating func loadFitting(_ value: Value, as type: SchemaType, depth: Int) -> Register? {
    guard depth < Machine.maximumRenderingDepth else { return nil }
    switch type {
    case .optional(let wrapped):
      if case .none = value { return Register.none }
      return loadFitting(value, as: wrapped, depth: depth + 1)
    case .text:
      guard case .text(let text) = value else { return nil }
      return facts.addText(text)
    case .enumeration(let index):
      guard case .enumCase(let position) = value, position >= 0,
        position < image.enums[index].cases.count
      else { return nil }
      return .integer(Int64(position))
    case .record(let index):
      guard case .record(let items) = value else { return nil }
      let fields = image.records[index].fields
      let loaded = fields.indices.map { position in
        position < items.count
          ? loadFitting(items[position], as: fields[position].type, depth: depth + 1) ?? .unknown
          : .unknown
      }
      return facts.addList(loaded, record: Int32(index))
    case .list(let element), .table(_, let element):
      let items: [Value]
      switch (value, type) {
      case (.list(let values), .list): items = values
      case (.table(let values), .table(let key, _))
      where values.count == image.enums[key].cases.count:
        items = values
      default: return nil
      }
      var loaded: [Register] = []
      loaded.reserveCapacity(items.count)
      for item in items {
        guard let register = loadFitting(item, as: element, depth: depth + 1) else { return nil }
        loaded.append(register)
      }
      return facts.addList(loaded)
    case .bool, .int, .decimal, .money, .exactMoney, .date, .days, .months, .years:
      return scalar(value, as: type)
    }
  }

  /// A number, date, duration or Bool of `type` as a register; nil for a value of another
  /// case (an Int where Days belong would be read as a day count, a big one as an arena index).
  /// An Int is also taken as a Decimal, as the language widens it.
  mutating func scalar(_ value: Value, as type: SchemaType) -> Register? {
    switch (value, type) {
    case (.bool(let bool), .bool): .bool(bool)
    case (.int(let int), .int): integer(int)
    case (.money(let money), .money): integer(money.fen)
    case (.decimal(let decimal), .decimal): storeRational(decimal)
    case (.int(let int), .decimal): storeRational(ExactDecimal(int))
    case (.exactMoney(let exact), .exactMoney): storeRational(exact.fen)
    case (.date(let date), .date): .integer(date.daysSince1970)
    case (.days(let days), .days): .integer(days.count)
    case (.months(let months), .months): .integer(months.count)
    case (.years(let years), .years): .integer(years.count)
    default: nil
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
  /// not hold, a value nested deeper than a valid one can be (a hostile compiled file's), or a
  /// type naming enums or records this image does not have: never a trap.
  ///
  /// - Complexity: O(n) in the number of scalars in the value.
  public func value(_ register: Register, as type: SchemaType) -> Value {
    guard image.isValid(type) else { return .unknown }
    return value(register, as: type, depth: 0)
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
