// Why the decision log could not do what was asked, whichever database holds it.
import CSQLite

/// A decision log failure: what failed, with the database's own message.
public struct LogError: Error, Sendable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable {
    /// The database refused or failed the statement.
    case failed
    /// The log was changed outside Regula, or the file is not a log.
    case corrupt
    /// Another service holds the log (SQLite: one writer per file).
    case inUse
    /// The database cannot be reached now (a lost connection, a server restarting): the
    /// same call may succeed later.
    case unavailable
    /// The log was closed.
    case closed
  }

  public var kind: Kind
  /// What failed, with the database's message.
  public var message: String
  public var description: String { message }

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  /// An SQLite result code's kind.
  init(code: Int32, message: String) {
    switch code & 0xFF {
    case SQLITE_CORRUPT, SQLITE_NOTADB: kind = .corrupt
    case SQLITE_BUSY, SQLITE_LOCKED: kind = .inUse
    case SQLITE_MISUSE: kind = .closed
    default: kind = .failed
    }
    self.message = message
  }
}
