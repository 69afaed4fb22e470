// Jurisdictions are a checked type (Docs/language.md §12.1): a policy's header declares the
// enum whose cases are its province codes, and the cities it knows; level blocks, tests and
// `NAME at J` may use only those codes, and the codes travel to both engines, which refuse any
// other code with the list of valid ones.
import RegulaSource
import RegulaSyntax

extension Checker {
  /// After the types are collected: the `jurisdictions` declaration (one enum for the whole
  /// program, wherever it is declared), the header levels, and the codes known so far.
  mutating func collectJurisdictions() {
    for file in files {
      guard let decl = file.syntax.header.jurisdictions else { continue }
      currentFile = file.id
      let name = decl.enumeration
      if let declared = jurisdictionEnum, declared != name.text {
        report(
          .undeclaredJurisdiction, at: name.span,
          "the jurisdictions are declared as `\(declared)` in another file and as `\(name.text)` here",
          help: "declare them once, with one enum of province codes")
        continue
      }
      guard let info = enums[name.text] else {
        reportUndefinedType(name)
        continue
      }
      if jurisdictionEnum == nil {
        jurisdictionEnum = name.text
        for code in info.cases { addJurisdictionCode(code) }
      }
      for city in decl.cities { declareLevel(city) }
    }
    for file in files {
      if let level = file.syntax.header.level { declareLevel(level) }
    }
  }

  /// A level named by a header or a level block: its code becomes valid; with a declared enum,
  /// its province must be one of the enum's cases.
  mutating func declareLevel(_ level: LevelSpec) {
    let province: Identifier
    switch level.kind {
    case .national: return
    case .province(let code): province = code
    case .city(let code, _): province = code
    }
    if let name = jurisdictionEnum, let cases = enums[name]?.cases,
      !cases.contains(province.text)
    {
      report(
        .undeclaredJurisdiction, at: province.span,
        "`\(province.text)` is not a case of `\(name)`, the policy's jurisdictions",
        help: Suggestions.help(Suggestions.closest(to: province.text, among: cases))
          ?? "the provinces are the cases of `\(name)`")
      return
    }
    addJurisdictionCode(province.text)
    if case .city = level.kind { addJurisdictionCode(level.code) }
  }

  mutating func addJurisdictionCode(_ code: String) {
    if jurisdictionCodeSet.insert(code).inserted { jurisdictionCodes.append(code) }
  }

  /// A test's `at CODE` must be one of the policy's codes.
  mutating func checkTestJurisdiction(_ code: Identifier) {
    guard !jurisdictionCodeSet.contains(code.text) else { return }
    report(
      .undeclaredJurisdiction, at: code.span,
      "`\(code.text)` is not one of the policy's jurisdictions",
      help: Suggestions.help(Suggestions.closest(to: code.text, among: jurisdictionCodes))
        ?? "the jurisdictions are: \(jurisdictionCodes.joined(separator: ", "))")
  }

  /// `NAME at J` with a declared jurisdiction enum: `J` must be a value of that enum.
  mutating func checkAtEnum(_ name: String, at span: SourceSpan) {
    guard let declared = jurisdictionEnum, declared != name else { return }
    report(
      .undeclaredJurisdiction, at: span,
      "`at` takes a `\(declared)`, the policy's jurisdictions; this is a `\(name)`",
      help: "its cases are not jurisdiction codes of this policy")
  }
}
