// Renders diagnostics for people (carets under the span) and for machines (JSON).
import RegulaJSON

/// Renders diagnostics against the files they point into.
public struct DiagnosticRenderer: Sendable {
  public let sources: SourceManager

  public init(sources: SourceManager) { self.sources = sources }

  /// The human form: `error[CODE]: message`, `--> file:line:col`, the line, carets, help.
  public func render(_ diagnostic: Diagnostic) -> String {
    var out =
      "\(diagnostic.severity.rawValue)[\(diagnostic.code.rawValue)]: \(diagnostic.message)\n"
    out += snippet(for: diagnostic.span, label: nil)
    if let help = diagnostic.help { out += "   = help: \(help)\n" }
    for note in diagnostic.notes {
      if let span = note.span {
        out += "note: \(note.message)\n" + snippet(for: span, label: nil)
      } else {
        out += "   = note: \(note.message)\n"
      }
    }
    return out
  }

  /// All diagnostics in display order, separated by blank lines.
  public func render(_ diagnostics: [Diagnostic]) -> String {
    diagnostics.sortedForDisplay().map(render).joined(separator: "\n")
  }

  /// `file:line:col` of the start of a span.
  public func position(of span: SourceSpan) -> (path: String, line: Int, column: Int) {
    let file = sources[span.file]
    let (line, column) = file.location(of: span.bytes.lowerBound)
    return (file.path, line, column)
  }

  /// The shown line is cut around the span, so that a diagnostic on a very long line (a
  /// generated file, a 16 MB chain) stays a few lines: at most this many characters before
  /// the span, of the span, and after it, with `…` where text is left out.
  static let shownBefore = 60
  static let shownCovered = 80
  static let shownAfter = 40

  func snippet(for span: SourceSpan, label: String?) -> String {
    let file = sources[span.file]
    let (line, column) = file.location(of: span.bytes.lowerBound)
    let gutter = String(repeating: " ", count: String(line).count)
    let lineStart = file.lineStarts[line - 1]
    // The shown line drops its line break (`\r\n` or a lone `\r`), which a span may start
    // on: the covered text is then empty, never a reversed range.
    var lineEnd = line < file.lineStarts.count ? file.lineStarts[line] - 1 : file.bytes.count
    if lineEnd > lineStart, file.bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
    lineEnd = max(lineStart, lineEnd)
    let start = min(max(lineStart, span.bytes.lowerBound), lineEnd)
    let coveredEnd = max(start, min(span.bytes.upperBound, lineEnd))
    // Up to 4 bytes a character: a window of bytes, then of characters. A window cut inside
    // a character decodes it as U+FFFD first, which the cut in characters then drops.
    var before = file.text(max(lineStart, start - 4 * Self.shownBefore)..<start)
    if start - lineStart > 4 * Self.shownBefore || before.count > Self.shownBefore {
      before = "…" + before.suffix(Self.shownBefore - 1)
    }
    var covered = file.text(start..<min(coveredEnd, start + 4 * Self.shownCovered))
    var coveredCut = coveredEnd - start > 4 * Self.shownCovered
    if covered.count > Self.shownCovered {
      covered = String(covered.prefix(Self.shownCovered))
      coveredCut = true
    }
    var after = file.text(coveredEnd..<min(lineEnd, coveredEnd + 4 * Self.shownAfter))
    if coveredCut {
      after = "…"
    } else if lineEnd - coveredEnd > 4 * Self.shownAfter || after.count > Self.shownAfter {
      after = String(after.prefix(Self.shownAfter - 1)) + "…"
    }
    let caretCount = max(1, displayWidth(covered))
    var out = "\(gutter)--> \(file.path):\(line):\(column)\n"
    out += "\(gutter) |\n"
    out += "\(line) | \(before)\(covered)\(after)\n"
    out += "\(gutter) | " + String(repeating: " ", count: displayWidth(before))
    out += String(repeating: "^", count: caretCount)
    if let label { out += " \(label)" }
    return out + "\n"
  }

  /// Terminal columns taken by a string: East Asian wide characters take two.
  func displayWidth(_ text: String) -> Int {
    text.unicodeScalars.reduce(0) { $0 + (Self.isWide($1) ? 2 : ($1 == "\t" ? 4 : 1)) }
  }

  static func isWide(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
      0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
      true
    default: false
    }
  }

  /// The machine form: a JSON array of objects with code, severity, message, file, line,
  /// column, end position, help and notes.
  public func renderJSON(_ diagnostics: [Diagnostic]) -> String {
    let items = diagnostics.sortedForDisplay().map { diagnostic -> String in
      let start = position(of: diagnostic.span)
      let file = sources[diagnostic.span.file]
      let end = file.location(of: diagnostic.span.bytes.upperBound)
      var fields = [
        "\"code\":\(JSONText.quote(diagnostic.code.rawValue))",
        "\"severity\":\(JSONText.quote(diagnostic.severity.rawValue))",
        "\"message\":\(JSONText.quote(diagnostic.message))",
        "\"file\":\(JSONText.quote(start.path))",
        "\"line\":\(start.line)", "\"column\":\(start.column)",
        "\"endLine\":\(end.line)", "\"endColumn\":\(end.column)",
      ]
      if let help = diagnostic.help { fields.append("\"help\":\(JSONText.quote(help))") }
      if !diagnostic.notes.isEmpty {
        let notes = diagnostic.notes.map { "\(JSONText.quote($0.message))" }
        fields.append("\"notes\":[\(notes.joined(separator: ","))]")
      }
      return "{" + fields.joined(separator: ",") + "}"
    }
    return "[" + items.joined(separator: ",\n") + "]\n"
  }
}

/// JSON text helpers for the front end's printers; the one implementation is in RegulaJSON.
public enum JSONText {
  /// A JSON string literal for `text`, escaping quotes, backslashes and control characters.
  public static func quote(_ text: String) -> String { JSONWriter.quote(text) }
}
