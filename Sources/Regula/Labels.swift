// The labels a policy gives its names in one language (`labels zh { … }`, carried in the
// compiled file), looked up by the explanations for citizens and caseworkers. A name without a
// label falls back to the name itself, and the lookup remembers it, so that tests (and
// `regula check --labels`) can say which labels are missing.

/// A policy's labels in one language.
public struct PolicyLabels: Sendable {
  /// The language code (`zh`, `en`).
  public let language: String
  let table: [Label.Kind: [String: String]]
  /// Every key looked up without a label, in the order first met, as `kind key`.
  public private(set) var missing: [String] = []

  /// The labels of `image` in `language`.
  public init(image: PolicyImage, language: String) {
    self.language = language
    var table: [Label.Kind: [String: String]] = [:]
    for label in image.explanations.labels where label.language == language {
      table[label.kind, default: [:]][label.key] = label.text
    }
    self.table = table
  }

  /// The label of `key`, or nil (remembered as missing).
  mutating func label(_ kind: Label.Kind, _ key: String) -> String? {
    if let text = table[kind]?[key] { return text }
    let name = "\(kind.name) \(key)"
    if !missing.contains(name) { missing.append(name) }
    return nil
  }

  /// A definition's label, else its name.
  public mutating func definition(_ name: String) -> String {
    label(.definition, name) ?? name
  }

  /// A reason code's sentence, else the code.
  public mutating func reason(_ code: String) -> String { label(.reason, code) ?? code }

  /// An enum case's label (`Province.GZ`), else the case.
  public mutating func enumCase(_ enumName: String, _ caseName: String) -> String {
    label(.enumCase, "\(enumName).\(caseName)") ?? caseName
  }

  /// A field's label (`Member.age`), else the field's name.
  public mutating func field(_ record: String, _ field: String) -> String {
    label(.field, "\(record).\(field)") ?? field
  }

  /// A citation as traces show it (`Document, Art. 9 [verified]`): its label, else the
  /// document's label with the article, else the citation as it is.
  public mutating func citation(_ text: String) -> String {
    guard !text.isEmpty else { return text }
    var key = text
    if key.hasSuffix("]"), let open = key.lastIndex(of: "["), open > key.startIndex,
      key[key.index(before: open)] == " "
    {
      key = String(key[..<key.index(before: open)])
    }
    if let text = label(.citation, key) { return text }
    // The document's label, then the article as cited.
    let characters = Array(key)
    var index = characters.count - 2
    while index >= 0 {
      if characters[index] == ",", characters[index + 1] == " " {
        let document = String(characters[..<index])
        if let source = table[.source]?[document] {
          return source + ", " + String(characters[(index + 2)...])
        }
      }
      index -= 1
    }
    return text
  }
}

extension Label.Kind {
  /// The kind as `regula check --labels` names it.
  var name: String {
    switch self {
    case .definition: "definition"
    case .reason: "reason"
    case .enumCase: "enum case"
    case .field: "field"
    case .source: "source"
    case .citation: "citation"
    }
  }
}

extension CompiledPolicy {
  /// What a citizen's or caseworker's account may need a label for and has none in
  /// `language`: every decision, every reason code a definition can give, and every provision
  /// cited (by definitions, versions, cases, conditions and exceptions), each as
  /// (what, its span). Needs the program (a policy compiled from source).
  public func missingLabels(_ language: String) -> [(what: String, span: SourceSpan)] {
    guard let program else { return [] }
    var have: Set<String> = []
    for label in program.labels where label.language == language {
      have.insert("\(label.kind.rawValue)\u{0}\(label.key)")
    }
    var missing: [(String, SourceSpan)] = []
    var seen: Set<String> = []
    func need(_ kind: CheckedLabel.Kind, _ key: String, _ what: String, _ span: SourceSpan) {
      let identity = "\(kind.rawValue)\u{0}\(key)"
      guard !have.contains(identity), seen.insert(identity).inserted else { return }
      missing.append((what, span))
    }
    func cite(_ citation: Citation?) {
      guard let citation else { return }
      var key = program.citationText(citation)
      if let status = citation.status {
        key = String(key.dropLast(" [\(status.text)]".count))
      }
      need(.citation, key, "cited provision `\(key)`", citation.span)
    }
    for definition in program.definitions {
      if definition.kind == .decision {
        need(.definition, definition.name, "decision `\(definition.name)`", definition.span)
      }
      cite(definition.citation)
      for variant in definition.variants {
        cite(variant.citation)
        if case .exception(_, let reason?) = variant.kind {
          need(.reason, reason, "reason code `\(reason)`", variant.span)
        }
        for version in variant.versions {
          cite(version.citation)
          switch version.body {
          case .value: break
          case .firstOf(let cases):
            for item in cases {
              cite(item.citation)
              if let reason = item.reason {
                need(.reason, reason, "reason code `\(reason)`", item.span)
              }
            }
          case .allOf(let conditions):
            need(.reason, "ok", "reason code `ok`", definition.span)
            for condition in conditions {
              cite(condition.citation)
              need(.reason, condition.reason, "reason code `\(condition.reason)`", condition.span)
            }
          }
        }
      }
    }
    return missing
  }
}
