// What the decision log needs of a database: segment rows, the recorded head, the stored
// policies, and a transaction that holds the right to append. Two stores implement it: an
// SQLite file (embedded, one service) and a PostgreSQL server (any number of replicas). The
// chain, the segments' encoding, the group commit and the checks are the log's, not theirs.

/// One stored segment: the entries of one group commit.
struct SegmentRow {
  var first: Int64
  var last: Int64
  /// The earliest and latest `loggedAt` of its entries (exports select segments by them).
  var earliest: String
  var latest: String
  /// The hash of the entry before `first` (32 zero bytes before entry 1).
  var previousHash: [UInt8]
  /// The entries, in `Segment`'s encoding.
  var entries: [UInt8]
}

/// The last entry of the chain as the last commit recorded it.
struct Head: Equatable {
  var id: Int64
  /// SHA-256 hex of the entry's hash.
  var hash: String
}

protocol LogStore: AnyObject, Sendable {
  /// The database, for messages (a PostgreSQL address without its password).
  var name: String { get }

  // MARK: Appending, from the writer thread only

  /// Begins a transaction that alone may append until it ends, and returns the head as
  /// committed (nil when nothing was ever appended). Other writers wait.
  func beginAppend() throws(LogError) -> Head?
  func insert(_ segment: SegmentRow) throws(LogError)
  func setHead(_ head: Head) throws(LogError)
  func commit() throws(LogError)
  func rollback()
  /// Called once the writer has stopped: leaves the database complete on its own.
  func finishWriting()

  // MARK: Reading, from any thread

  /// Runs `body` with the reads it makes seeing one snapshot of the database.
  func snapshot<T>(_ body: () throws -> T) throws -> T
  /// The segment that holds entry `id` (or would: the last with `first <= id`).
  func segment(atMost id: Int64) throws(LogError) -> SegmentRow?
  /// The last segment.
  func lastSegment() throws(LogError) -> SegmentRow?
  /// The segments in id order; with bounds, those whose time range meets [from, until].
  /// Stops when `body` returns false.
  func segments(
    from: String?, until: String?, _ body: (SegmentRow) throws -> Bool
  ) throws
  /// The head the last commit recorded.
  func recordedHead() throws(LogError) -> Head?
  /// Throws when the database cannot be read now (reconnecting first if the connection was
  /// lost).
  func probe() throws(LogError)

  func storePolicy(hash: String, name: String, compiled: [UInt8]) throws(LogError)
  func policy(hash: String) throws(LogError) -> [UInt8]?
  func policies() throws(LogError) -> [(hash: String, name: String)]

  /// Replaces the entries of the segment starting at `first`, keeping everything else, as
  /// someone with write access to the database could: for the tests of the checks.
  func replaceEntries(first: Int64, with bytes: [UInt8]) throws(LogError)
}
