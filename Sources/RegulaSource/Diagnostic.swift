// Diagnostics as values: a stable code, a span, a message in Cedar style, help and notes.

/// How serious a diagnostic is.
public enum Severity: String, Sendable, Codable, Comparable {
  case error, warning, note

  public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
  var rank: Int {
    switch self {
    case .error: 0
    case .warning: 1
    case .note: 2
    }
  }
}

/// One problem found in a source file.
///
/// Messages are lowercase, have no final period, and put user text in backticks
/// (see Docs/diagnostics.md). Extra context goes into `help` or `notes`.
public struct Diagnostic: Sendable, Hashable {
  /// A secondary location with its own short message.
  public struct Note: Sendable, Hashable {
    public var span: SourceSpan?
    public var message: String
    public init(_ message: String, at span: SourceSpan? = nil) {
      self.message = message
      self.span = span
    }
  }

  public var code: DiagnosticCode
  public var severity: Severity
  public var span: SourceSpan
  public var message: String
  public var help: String?
  public var notes: [Note]

  /// Creates a diagnostic; the severity defaults to the code's own.
  public init(
    _ code: DiagnosticCode, at span: SourceSpan, message: String, help: String? = nil,
    notes: [Note] = []
  ) {
    self.code = code
    self.severity = code.severity
    self.span = span
    self.message = message
    self.help = help
    self.notes = notes
  }
}

extension Array where Element == Diagnostic {
  /// True when any element is an error.
  public var containsErrors: Bool { contains { $0.severity == .error } }

  /// Sorted by file, position, then code: the deterministic order every printer uses.
  public func sortedForDisplay() -> [Diagnostic] {
    sorted { a, b in
      if a.span != b.span { return a.span < b.span }
      if a.code != b.code { return a.code.rawValue < b.code.rawValue }
      return a.message < b.message
    }
  }
}

/// The output of a pipeline stage: a value unless an error was reported, plus diagnostics.
public struct Staged<Output> {
  /// `nil` only if an error was reported.
  public var output: Output?
  public var diagnostics: [Diagnostic]

  public init(output: Output?, diagnostics: [Diagnostic]) {
    self.output = output
    self.diagnostics = diagnostics
  }
}

extension Staged: Sendable where Output: Sendable {}
