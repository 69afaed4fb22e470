// The per-evaluation store of lists, records and texts, reset (not reallocated) between
// evaluations, and the exact-value arena used when a number leaves the 64-bit fast path.
@_exported import RegulaBytecode
@_exported import RegulaNumerics

/// Where a list's items live: a range of the flat item store, or a list being built.
struct ListEntry {
  var start: Int32
  var count: Int32
  /// -1 for a flat range; otherwise the index of a builder.
  var builder: Int32
}

/// Lists, records (stored as lists of fields), texts and exact values of one evaluation.
public struct Facts {
  var lists: [ListEntry] = []
  var items: [Register] = []
  var builders: [[Register]] = []
  var buildersUsed = 0
  /// Every text of the evaluation: the image's texts first, then those the application and the
  /// run added. A text register's `word` indexes it; `Machine.reset()` trims it to the image's.
  public internal(set) var texts: [String] = []
  var exact: [ExactDecimal] = []
  /// Counts of the image's constant lists and texts, kept across resets.
  var constantListCount = 0
  var constantItemCount = 0
  var constantTextCount = 0

  init(image: PolicyImage) {
    texts = image.texts
    for list in image.constantLists {
      lists.append(ListEntry(start: Int32(items.count), count: Int32(list.count), builder: -1))
      items += list
    }
    constantListCount = lists.count
    constantItemCount = items.count
    constantTextCount = texts.count
    for text in image.exactConstants { exact.append((try? ExactDecimal(parsing: text)) ?? .zero) }
  }

  /// Forgets everything the last evaluation added; keeps the storage.
  mutating func reset(exactConstantCount: Int) {
    lists.removeSubrange(constantListCount...)
    items.removeSubrange(constantItemCount...)
    texts.removeSubrange(constantTextCount...)
    exact.removeSubrange(exactConstantCount...)
    for index in 0..<buildersUsed { builders[index].removeAll(keepingCapacity: true) }
    buildersUsed = 0
  }

  /// Adds a list (or record) of items; returns its handle.
  ///
  /// - Complexity: O(n) in `values.count`.
  public mutating func addList(_ values: [Register]) -> Register {
    lists.append(ListEntry(start: Int32(items.count), count: Int32(values.count), builder: -1))
    items += values
    return .integer(Int64(lists.count - 1))
  }

  /// Reserves a record of `count` fields, to be filled with `setItem`; returns its handle.
  ///
  /// - Complexity: O(n) in `count`.
  public mutating func reserveList(count: Int) -> Register {
    lists.append(ListEntry(start: Int32(items.count), count: Int32(count), builder: -1))
    items.append(contentsOf: repeatElement(Register.unknown, count: count))
    return .integer(Int64(lists.count - 1))
  }

  /// Fills item `index` of a list made by `reserveList(count:)` (or `addList(_:)`).
  ///
  /// Unchecked: the handle must be one of those and `index` below its count, or this traps.
  public mutating func setItem(_ list: Register, _ index: Int, _ value: Register) {
    let entry = lists[Int(list.word)]
    items[Int(entry.start) + index] = value
  }

  /// Adds a text; returns its handle.
  public mutating func addText(_ text: String) -> Register {
    texts.append(text)
    return .integer(Int64(texts.count - 1))
  }

  /// Stores an exact value that does not fit a register; returns the big register.
  public mutating func addExact(_ value: ExactDecimal) -> Register {
    exact.append(value)
    return Register(word: Int64(exact.count - 1), tag: Register.bigTag)
  }

  mutating func newBuilder() -> Register {
    if buildersUsed == builders.count { builders.append([]) }
    buildersUsed += 1
    lists.append(ListEntry(start: 0, count: 0, builder: Int32(buildersUsed - 1)))
    return .integer(Int64(lists.count - 1))
  }

  mutating func append(_ list: Register, _ value: Register) {
    let entry = lists[Int(list.word)]
    builders[Int(entry.builder)].append(value)
  }

  /// True when `list` is a handle this store holds and `index` is one of its items: a check
  /// that a hostile compiled file cannot make the VM read outside its stores.
  @inline(__always)
  func holds(_ list: Register, _ index: Int) -> Bool {
    let handle = Int(list.word)
    guard list.tag == 0, handle >= 0, handle < lists.count, index >= 0 else { return false }
    let entry = lists[handle]
    return index < (entry.builder < 0 ? Int(entry.count) : builders[Int(entry.builder)].count)
  }

  /// The item, or nil when the handle or index is not one this store holds.
  @inline(__always)
  public func checkedItem(_ list: Register, _ index: Int) -> Register? {
    let handle = Int(truncatingIfNeeded: list.word)
    guard list.tag == 0, handle >= 0, handle < lists.count, index >= 0 else { return nil }
    let entry = lists[handle]
    if entry.builder < 0 {
      return index < Int(entry.count) ? items[Int(entry.start) &+ index] : nil
    }
    let builder = Int(entry.builder)
    return index < builders[builder].count ? builders[builder][index] : nil
  }

  @inline(__always)
  func holdsText(_ text: Register) -> Bool { text.word >= 0 && text.word < Int64(texts.count) }

  @inline(__always)
  func holdsList(_ list: Register) -> Bool {
    list.tag == 0 && list.word >= 0 && list.word < Int64(lists.count)
  }

  /// The number of items of a list, record or table handle.
  ///
  /// Unchecked: the handle must be one this store holds, or this traps. For a handle that may
  /// come from untrusted data, use `checkedItem(_:_:)`.
  @inline(__always)
  public func count(_ list: Register) -> Int {
    let entry = lists[Int(list.word)]
    return entry.builder < 0 ? Int(entry.count) : builders[Int(entry.builder)].count
  }

  /// Item `index` of a list, record or table handle (a record's items are its fields).
  ///
  /// Unchecked: the handle and index must be valid, or this traps; see `checkedItem(_:_:)`.
  @inline(__always)
  public func item(_ list: Register, _ index: Int) -> Register {
    let entry = lists[Int(list.word)]
    return entry.builder < 0 ? items[Int(entry.start) + index] : builders[Int(entry.builder)][index]
  }
}
