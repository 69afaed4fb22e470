// Labels (`labels zh { … }`): each key must name something the policy has — a definition, a
// reason code some definition gives, an enum case or a field, a source of the file's header, a
// provision cited from one of them — once per language. Checked after everything else, so that
// every name, reason code and source is known.

extension Checker {
  mutating func checkLabels() -> [CheckedLabel] {
    guard !labelDecls.isEmpty else { return [] }
    let reasons = reasonCodes()
    var labels: [CheckedLabel] = []
    var seen: [String: SourceSpan] = [:]
    for (decl, file) in labelDecls {
      let language = decl.language.text
      for entry in decl.entries {
        guard let (kind, key) = resolve(entry, file: file, reasons: reasons) else { continue }
        let identity = "\(language)\u{0}\(kind.rawValue)\u{0}\(key)"
        if let first = seen[identity] {
          let line = sources[first.file].location(of: first.bytes.lowerBound).line
          report(
            .duplicateLabel, at: entry.span,
            "`\(entry.writtenKey)` already has a `\(language)` label (line \(line))",
            help: "keep one label per key and language")
          continue
        }
        seen[identity] = entry.span
        labels.append(CheckedLabel(language: language, kind: kind, key: key, text: entry.text))
      }
    }
    return labels
  }

  /// Every reason code a definition can give: its `all of` conditions', `first of` cases' and
  /// exceptions' codes, and `ok` for an `all of`.
  func reasonCodes() -> Set<String> {
    var codes: Set<String> = []
    func collect(_ body: Body) {
      switch body.kind {
      case .expression, .brackets: break
      case .firstOf(let cases):
        for item in cases { if let reason = item.reason { codes.insert(reason.text) } }
      case .allOf(let conditions):
        codes.insert("ok")
        for condition in conditions { codes.insert(condition.reason.text) }
      case .versions(let versions): for version in versions { collect(version.body) }
      }
    }
    for entry in definitions.values {
      for variant in entry.variants {
        if case .exception(_, _, let reason?) = variant.kind { codes.insert(reason.text) }
        collect(variant.body)
      }
    }
    return codes
  }

  /// The label's kind and key as traces show it, or nil (reported) when it names nothing.
  mutating func resolve(_ entry: LabelEntry, file: SourceFile.ID, reasons: Set<String>)
    -> (CheckedLabel.Kind, String)?
  {
    func unknown(_ name: Identifier, _ what: String, among candidates: [String]) {
      let help =
        Suggestions.help(Suggestions.closest(to: name.text, among: candidates))
        ?? "a label names a definition, `reason CODE`, `Enum.Case`, `Record.field`, "
        + "`source NAME` or `cite SOURCE \"ARTICLE\"` of the policy"
      report(.unknownLabel, at: name.span, "no \(what) `\(name.text)` to label", help: help)
    }
    switch entry.key {
    case .definition(let name):
      guard definitions[name.text] != nil else {
        unknown(name, "parameter, rule or decision", among: Array(definitions.keys))
        return nil
      }
      return (.definition, name.text)
    case .reason(let code):
      guard reasons.contains(code.text) else {
        unknown(code, "reason code", among: Array(reasons))
        return nil
      }
      return (.reason, code.text)
    case .member(let owner, let member):
      if let info = enums[owner.text] {
        guard let index = info.cases.firstIndex(of: member.text) else {
          unknown(member, "case of `\(owner.text)`", among: info.cases)
          return nil
        }
        let name = index < info.outputNames.count ? info.outputNames[index] : member.text
        return (.enumCase, "\(owner.text).\(name)")
      }
      let record = owner.text == inputName ? input : records[owner.text]
      guard let record else {
        unknown(
          owner, "enum, record or input",
          among: Array(enums.keys) + Array(records.keys) + (inputName.map { [$0] } ?? []))
        return nil
      }
      guard record.fields.contains(where: { $0.name == member.text }) else {
        unknown(member, "field of `\(owner.text)`", among: record.fields.map(\.name))
        return nil
      }
      return (.field, "\(record.name).\(member.text)")
    case .source(let name):
      guard let source = ownSource(name.text, file: file) else {
        unknown(name, "source in this file's header", among: Array(fileSources[file] ?? []))
        return nil
      }
      return (.source, source.document)
    case .citation(let name, let article):
      guard let source = ownSource(name.text, file: file) else {
        unknown(name, "source in this file's header", among: Array(fileSources[file] ?? []))
        return nil
      }
      return (.citation, "\(source.document), \(article)")
    }
  }

  /// The source `name` of `file`'s own header.
  func ownSource(_ name: String, file: SourceFile.ID) -> SourceDecl? {
    files.first { $0.id == file }?.syntax.header.sources.first { $0.name.text == name }
  }
}
