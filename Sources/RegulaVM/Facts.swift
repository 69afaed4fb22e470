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
  /// The index in `PolicyImage.records` of the record type whose schema a reader checked
  /// this record against (an application's input record is one), or -1.
  var record: Int32
}

/// The flat stores of `Facts`, in raw memory that one `FactsStorage` owns: read and written
/// without reference counting, uniqueness or exclusivity checks on the hot path. Copies of a
/// `Facts` share them until one changes something (`Facts.ensureUnique()`, called by the
/// machine's entry points before any write).
struct FactsHeader {
  var items: UnsafeMutablePointer<Register>
  var itemCount: Int
  var itemCapacity: Int
  var lists: UnsafeMutablePointer<ListEntry>
  var listCount: Int
  var listCapacity: Int
}

/// Owns a `FactsHeader` and the buffers it points to.
final class FactsStorage {
  let header: UnsafeMutablePointer<FactsHeader>

  init() {
    header = allocateOnOwnLines(FactsHeader.self, count: 1)
    header.initialize(
      to: FactsHeader(
        items: allocateOnOwnLines(Register.self, count: 256), itemCount: 0, itemCapacity: 256,
        lists: allocateOnOwnLines(ListEntry.self, count: 64), listCount: 0, listCapacity: 64))
  }

  /// A copy of `other`'s items and lists in buffers of its own.
  init(copying other: FactsStorage) {
    let source = other.header.pointee
    let items = allocateOnOwnLines(Register.self, count: source.itemCapacity)
    items.initialize(from: source.items, count: source.itemCount)
    let lists = allocateOnOwnLines(ListEntry.self, count: source.listCapacity)
    lists.initialize(from: source.lists, count: source.listCount)
    header = allocateOnOwnLines(FactsHeader.self, count: 1)
    header.initialize(
      to: FactsHeader(
        items: items, itemCount: source.itemCount, itemCapacity: source.itemCapacity,
        lists: lists, listCount: source.listCount, listCapacity: source.listCapacity))
  }

  deinit {
    header.pointee.items.deallocate()
    header.pointee.lists.deallocate()
    header.deallocate()
  }
}

/// Lists, records (stored as lists of fields), texts and exact values of one evaluation.
public struct Facts {
  var storage = FactsStorage()
  /// The item and list stores (shared by copies of this value until one of them changes:
  /// `ensureUnique()`).
  var header: UnsafeMutablePointer<FactsHeader>
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
    header = storage.header
    texts = image.texts
    for list in image.constantLists { _ = addList(list) }
    constantListCount = header.pointee.listCount
    constantItemCount = header.pointee.itemCount
    constantTextCount = texts.count
    for text in image.exactConstants { exact.append((try? ExactDecimal(parsing: text)) ?? .zero) }
  }

  /// Copy on write: gives this value stores of its own if a copy shares them.
  @inline(__always)
  mutating func ensureUnique() {
    if !isKnownUniquelyReferenced(&storage) {
      storage = FactsStorage(copying: storage)
      header = storage.header
    }
  }

  /// Replaces item `index` of a list or record the reader built (not one under construction):
  /// the counterfactual search changes one input in place and decides again. False when the
  /// handle or index is not one this store holds.
  package mutating func replaceItem(_ list: Register, _ index: Int, with value: Register) -> Bool {
    ensureUnique()
    let handle = Int(truncatingIfNeeded: list.word)
    guard list.tag == 0, handle >= 0, handle < header.pointee.listCount, index >= 0 else {
      return false
    }
    let entry = header.pointee.lists[handle]
    guard entry.builder < 0, index < Int(entry.count) else { return false }
    header.pointee.items[Int(entry.start) &+ index] = value
    return true
  }

  /// The sizes of the stores, to go back to with `restore(_:)`.
  package struct Mark: Equatable {
    var items: Int
    var lists: Int
    var texts: Int
    var exact: Int
  }

  package func mark() -> Mark {
    Mark(
      items: header.pointee.itemCount, lists: header.pointee.listCount, texts: texts.count,
      exact: exact.count)
  }

  /// Forgets what was added since `mark` (a reading attempt that was abandoned).
  package mutating func restore(_ mark: Mark) {
    header.pointee.itemCount = mark.items
    header.pointee.listCount = mark.lists
    if texts.count > mark.texts { texts.removeSubrange(mark.texts...) }
    if exact.count > mark.exact { exact.removeSubrange(mark.exact...) }
  }

  /// Forgets everything the last evaluation added; keeps the storage.
  mutating func reset(exactConstantCount: Int) {
    header.pointee.listCount = constantListCount
    header.pointee.itemCount = constantItemCount
    if texts.count > constantTextCount { texts.removeSubrange(constantTextCount...) }
    if exact.count > exactConstantCount { exact.removeSubrange(exactConstantCount...) }
    for index in 0..<buildersUsed { builders[index].removeAll(keepingCapacity: true) }
    buildersUsed = 0
    exceededNumberSize = false
  }

  /// Room for `more` items: doubles the item store when needed.
  @inline(__always)
  func reserveItems(_ more: Int) -> UnsafeMutablePointer<Register> {
    let count = header.pointee.itemCount
    if count + more > header.pointee.itemCapacity { growItems(count + more) }
    header.pointee.itemCount = count + more
    return header.pointee.items + count
  }

  func growItems(_ needed: Int) {
    let capacity = max(needed, header.pointee.itemCapacity * 2)
    let items = allocateOnOwnLines(Register.self, count: capacity)
    items.moveInitialize(from: header.pointee.items, count: header.pointee.itemCount)
    header.pointee.items.deallocate()
    header.pointee.items = items
    header.pointee.itemCapacity = capacity
  }

  /// Appends a list entry; returns its handle.
  @inline(__always)
  func addEntry(_ entry: ListEntry) -> Register {
    let count = header.pointee.listCount
    if count == header.pointee.listCapacity {
      let capacity = count * 2
      let lists = allocateOnOwnLines(ListEntry.self, count: capacity)
      lists.moveInitialize(from: header.pointee.lists, count: count)
      header.pointee.lists.deallocate()
      header.pointee.lists = lists
      header.pointee.listCapacity = capacity
    }
    header.pointee.lists[count] = entry
    header.pointee.listCount = count + 1
    return .integer(Int64(count))
  }

  /// Adds a list (or record) of items; returns its handle. `record` marks a record checked
  /// against the schema of `PolicyImage.records[record]` (-1: no such claim): the VM accepts
  /// only a record so marked as an application.
  ///
  /// - Complexity: O(n) in `values.count`.
  package mutating func addList<Items: Collection<Register>>(_ values: Items, record: Int32 = -1)
    -> Register
  {
    let start = header.pointee.itemCount
    let count = values.count
    let items = reserveItems(count)
    var offset = 0
    for value in values {
      items[offset] = value
      offset += 1
    }
    return addEntry(
      ListEntry(start: Int32(start), count: Int32(count), builder: -1, record: record))
  }

  /// Adds a list of the items of `values` (the fast reader's scratch stack); returns its handle.
  ///
  /// - Complexity: O(n) in `values.count`.
  mutating func addList(_ values: ArraySlice<Register>, record: Int32 = -1) -> Register {
    values.withUnsafeBufferPointer { buffer in
      guard let start = buffer.baseAddress else {
        return addEntry(
          ListEntry(start: Int32(header.pointee.itemCount), count: 0, builder: -1, record: -1))
      }
      return addList(copying: start, count: buffer.count, record: record)
    }
  }

  /// Adds a list of `count` items copied from `registers`; returns its handle.
  @inline(__always)
  mutating func addList(copying registers: UnsafePointer<Register>, count: Int, record: Int32 = -1)
    -> Register
  {
    let start = header.pointee.itemCount
    reserveItems(count).update(from: registers, count: count)
    return addEntry(
      ListEntry(start: Int32(start), count: Int32(count), builder: -1, record: record))
  }

  /// Adds a list of the `count` lists or records whose handles start at `first` (records read
  /// one after the other); returns its handle.
  @inline(__always)
  mutating func addList(handlesFrom first: Int, count: Int) -> Register {
    let start = header.pointee.itemCount
    let items = reserveItems(count)
    for index in 0..<count { items[index] = .integer(Int64(first &+ index)) }
    return addEntry(ListEntry(start: Int32(start), count: Int32(count), builder: -1, record: -1))
  }

  /// Reserves a record of `count` fields, to be filled with `setItem`; returns its handle.
  ///
  /// - Complexity: O(n) in `count`.
  mutating func reserveList(count: Int, record: Int32) -> Register {
    let start = header.pointee.itemCount
    reserveItems(count).update(repeating: .unknown, count: count)
    return addEntry(
      ListEntry(start: Int32(start), count: Int32(count), builder: -1, record: record))
  }

  /// Reserves a list of `count` items left unset: the caller writes every one before the
  /// handle is used (the fast reader's compact records).
  @inline(__always)
  mutating func reserveUnsetList(count: Int, record: Int32) -> Register {
    let start = header.pointee.itemCount
    _ = reserveItems(count)
    return addEntry(
      ListEntry(start: Int32(start), count: Int32(count), builder: -1, record: record))
  }

  /// Fills item `index` of a list made by `reserveList(count:)` (or `addList(_:)`).
  ///
  /// The handle must be one of those and `index` below its count, or this traps.
  @inline(__always)
  mutating func setItem(_ list: Register, _ index: Int, _ value: Register) {
    precondition(holdsList(list), "not a list handle of this store")
    let entry = header.pointee.lists[Int(list.word)]
    precondition(entry.builder < 0 && index >= 0 && index < Int(entry.count), "no such item")
    header.pointee.items[Int(entry.start) + index] = value
  }

  /// Adds a text; returns its handle.
  public mutating func addText(_ text: String) -> Register {
    texts.append(text)
    return .integer(Int64(texts.count - 1))
  }

  /// The largest exact value the arena takes, in bits of numerator and denominator together
  /// (limit `number_size`, about 19,700 decimal digits): only a hostile compiled file, which
  /// can square a number in a loop, comes near it.
  public static let maximumExactBits = NumberLimits.maximumExactBits

  /// Set when a value over `maximumExactBits` was refused; the machine then stops with a limit.
  var exceededNumberSize = false

  /// Stores an exact value that does not fit a register; returns the big register, or none
  /// (setting `exceededNumberSize`) for a value over `maximumExactBits`.
  public mutating func addExact(_ value: ExactDecimal) -> Register {
    if NumberLimits.exceeds(value) {
      exceededNumberSize = true
      return .none
    }
    exact.append(value)
    return Register(word: Int64(exact.count - 1), tag: Register.bigTag)
  }

  mutating func newBuilder() -> Register {
    if buildersUsed == builders.count { builders.append([]) }
    buildersUsed += 1
    return addEntry(ListEntry(start: 0, count: 0, builder: Int32(buildersUsed - 1), record: -1))
  }

  /// Appends to a list under construction; the handle must be one (`newBuilder()`).
  mutating func append(_ list: Register, _ value: Register) {
    let entry = header.pointee.lists[Int(list.word)]
    builders[Int(entry.builder)].append(value)
  }

  /// True when `list` is a handle this store holds and `index` is one of its items: a check
  /// that a hostile compiled file cannot make the VM read outside its stores.
  @inline(__always)
  func holds(_ list: Register, _ index: Int) -> Bool {
    let handle = Int(list.word)
    guard list.tag == 0, handle >= 0, handle < header.pointee.listCount, index >= 0 else {
      return false
    }
    let entry = header.pointee.lists[handle]
    return index < (entry.builder < 0 ? Int(entry.count) : builders[Int(entry.builder)].count)
  }

  /// The item, or nil when the handle or index is not one this store holds.
  @inline(__always)
  public func checkedItem(_ list: Register, _ index: Int) -> Register? {
    let handle = Int(truncatingIfNeeded: list.word)
    guard list.tag == 0, handle >= 0, handle < header.pointee.listCount, index >= 0 else {
      return nil
    }
    let entry = header.pointee.lists[handle]
    if entry.builder < 0 {
      return index < Int(entry.count) ? header.pointee.items[Int(entry.start) &+ index] : nil
    }
    let builder = Int(entry.builder)
    return index < builders[builder].count ? builders[builder][index] : nil
  }

  /// True when `text` is a text handle this store holds.
  @inline(__always)
  public func holdsText(_ text: Register) -> Bool {
    text.tag == 0 && text.word >= 0 && text.word < Int64(texts.count)
  }

  /// True when `list` is a list, record or table handle this store holds.
  @inline(__always)
  public func holdsList(_ list: Register) -> Bool {
    list.tag == 0 && list.word >= 0 && list.word < Int64(header.pointee.listCount)
  }

  /// The number of items of a list, record or table handle.
  ///
  /// Unchecked: the handle must be one this store holds, or this traps. For a handle that may
  /// come from untrusted data, use `checkedItem(_:_:)`.
  @inline(__always)
  public func count(_ list: Register) -> Int {
    precondition(holdsList(list), "not a list handle of this store")
    let entry = header.pointee.lists[Int(list.word)]
    return entry.builder < 0 ? Int(entry.count) : builders[Int(entry.builder)].count
  }

  /// True when `record` is a record that a reader built and checked against the schema of
  /// `PolicyImage.records[index]`: what `Machine` requires of the application it evaluates.
  public func holdsRecord(_ record: Register, of index: Int) -> Bool {
    holdsList(record) && header.pointee.lists[Int(record.word)].record == Int32(index)
  }

  /// Item `index` of a record or table, unchecked: the handle must be a flat list with more
  /// than `index` items (what the verifier proves of `field` and `item` operands).
  @inline(__always)
  func field(_ record: Register, _ index: Int) -> Register {
    let header = header.pointee
    return header.items[Int(header.lists[Int(record.word)].start) &+ index]
  }

  /// Where a record's fields start among the items, unchecked: `field(record, i)` is
  /// `item(at: itemsStart(record) + i)` for as long as the store is not reset.
  @inline(__always)
  func itemsStart(_ record: Register) -> Int {
    Int(header.pointee.lists[Int(record.word)].start)
  }

  /// The item at `position` among all items, unchecked.
  @inline(__always)
  func item(at position: Int) -> Register {
    header.pointee.items[position]
  }

  /// The number of items of a list, record or table, unchecked: the handle must be valid.
  @inline(__always)
  func listCount(_ list: Register) -> Int {
    let entry = header.pointee.lists[Int(list.word)]
    return entry.builder < 0 ? Int(entry.count) : builders[Int(entry.builder)].count
  }

  /// Item `index` of a list, unchecked: the handle must be valid and `index` below its count.
  @inline(__always)
  func listItem(_ list: Register, _ index: Int) -> Register {
    let entry = header.pointee.lists[Int(list.word)]
    if entry.builder < 0 { return header.pointee.items[Int(entry.start) &+ index] }
    return builders[Int(entry.builder)][index]
  }

  /// Item `index` of a list, record or table handle (a record's items are its fields).
  ///
  /// Unchecked: the handle and index must be valid, or this traps; see `checkedItem(_:_:)`.
  @inline(__always)
  public func item(_ list: Register, _ index: Int) -> Register {
    precondition(holdsList(list), "not a list handle of this store")
    let entry = header.pointee.lists[Int(list.word)]
    if entry.builder >= 0 { return builders[Int(entry.builder)][index] }
    precondition(index >= 0 && index < Int(entry.count), "item index out of range")
    return header.pointee.items[Int(entry.start) + index]
  }
}
