// The checker's entry point and its declaration passes: collect enums and records,
// definitions with their jurisdiction variants and validity ranges, then check bodies in
// dependency order (Checker+Expressions.swift) and tests.

/// Resolves names and assigns a type to every expression of a policy and its imports.
public enum TypeChecker {
  /// Loads `path` and its imports with `read`, then checks them.
  ///
  /// - Returns: the checked program (nil if any error), all diagnostics in display order,
  ///   and the files read, for rendering.
  public static func check(path: String, read: @escaping FileReader) -> (
    result: Staged<CheckedProgram>, sources: SourceManager
  ) {
    let analysis = analyze(path: path, read: read)
    let output = analysis.diagnostics.containsErrors ? nil : analysis.program
    return (Staged(output: output, diagnostics: analysis.diagnostics), analysis.sources)
  }

  /// What an editor needs while a file is being written: as `check`, but the program is kept
  /// even when there are errors (its types and resolutions cover what could be checked), with
  /// the syntax of every file read.
  ///
  /// - Returns: the program (nil only when the root file could not be read), the diagnostics
  ///   in display order, the files read, and their syntax trees (imports first, root last).
  public static func analyze(path: String, read: @escaping FileReader) -> Analysis {
    var loader = ModuleLoader(read: read)
    loader.load(path, importedAt: nil)
    guard let root = loader.files.last, root.path == Paths.normalize(path) else {
      return Analysis(
        program: nil, diagnostics: loader.diagnostics.sortedForDisplay(),
        sources: loader.sources, files: loader.files)
    }
    var checker = Checker(files: loader.files, sources: loader.sources)
    checker.diagnostics = loader.diagnostics
    let program = checker.run()
    return Analysis(
      program: program, diagnostics: Checker.rootCauses(checker.diagnostics).sortedForDisplay(),
      sources: loader.sources, files: loader.files)
  }

  /// A checked file and its imports, errors or not (`analyze`).
  public struct Analysis: Sendable {
    public var program: CheckedProgram?
    public var diagnostics: [Diagnostic]
    public var sources: SourceManager
    public var files: [LoadedFile]
  }

  /// Checks in-memory files; `files` maps paths to source text and `path` is the root.
  public static func check(path: String, files: [String: String]) -> (
    result: Staged<CheckedProgram>, sources: SourceManager
  ) {
    let bytes = files.mapValues { Array($0.utf8) }
    return check(path: path) { bytes[Paths.normalize($0)] }
  }
}

/// A definition as collected from the syntax, before its body is checked.
struct DefinitionEntry {
  var kind: Definition.Kind
  var name: Identifier
  var typeSyntax: TypeSyntax?
  var citation: Citation?
  var file: SourceFile.ID
  var variants: [Variant]
  var span: SourceSpan
  /// The parameters of a function (`rule NAME(m: Member): T = …`); nil for a definition.
  var parameters: [FunctionParameter]? = nil
  /// `places N` as written after the type.
  var places: Places? = nil
}

struct Checker {
  let files: [LoadedFile]
  let sources: SourceManager
  var diagnostics: [Diagnostic] = []
  var enums: [String: EnumInfo] = [:]
  var records: [String: RecordInfo] = [:]
  var typeOrder: [String] = []
  var input: RecordInfo?
  var inputName: String?
  var definitions: [String: DefinitionEntry] = [:]
  var definitionOrder: [String] = []
  var definitionTypes: [String: RType] = [:]
  var sourceDecls: [String: SourceDecl] = [:]
  /// The source names each file's header declares: the sources its citations may name.
  var fileSources: [SourceFile.ID: Set<String>] = [:]
  /// The enum of province codes the `jurisdictions` header declares, if any.
  var jurisdictionEnum: String?
  /// Every jurisdiction code the policy accepts, `national` first (Checker+Jurisdictions).
  var jurisdictionCodes: [String] = ["national"]
  var jurisdictionCodeSet: Set<String> = ["national"]
  var owner: [String: SourceFile.ID] = [:]
  /// Where each top-level definition name was first declared; later ones are duplicates.
  var firstDeclaration: [String: SourceSpan] = [:]
  /// The overrides written as brackets, by declaration span (checked against their target
  /// once it is known).
  var bracketOverrides: Set<SourceSpan> = []
  /// The decimal places declared (`places N`) and accepted, by definition.
  var declaredPlaces: [String: Int] = [:]
  /// The last NodeID given to an expression the checker made (counting down from -1).
  var nextSyntheticID: Int32 = 0
  var visible: [SourceFile.ID: Set<String>] = [:]
  var types: [NodeID: RType] = [:]
  var resolutions: [NodeID: Resolution] = [:]
  var widenings: [NodeID: RType] = [:]
  var tests: [TestDecl] = []
  /// The `labels` blocks, with their files (checked last: `Checker+Labels.swift`).
  var labelDecls: [(decl: LabelsDecl, file: SourceFile.ID)] = []
  /// The definition whose body is being checked, for dependency edges.
  var currentDefinition: String?
  var currentFile: SourceFile.ID
  var dependencies: [String: Set<String>] = [:]
  /// The resolved parameter types of each function, by function name.
  var functionParameters: [String: [(name: String, type: RType)]] = [:]

  init(files: [LoadedFile], sources: SourceManager) {
    self.files = files
    self.sources = sources
    self.currentFile = files.last?.id ?? SourceFile.ID(0)
  }

  var root: LoadedFile { files[files.count - 1] }

  mutating func report(
    _ code: DiagnosticCode, at span: SourceSpan, _ message: String, help: String? = nil,
    notes: [Diagnostic.Note] = []
  ) {
    diagnostics.append(Diagnostic(code, at: span, message: message, help: help, notes: notes))
  }

  /// Drops diagnostics that repeat an earlier one at the same place (one root cause, one report).
  static func rootCauses(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
    var seen = Set<SourceSpan>()
    return diagnostics.filter { seen.insert($0.span).inserted }
  }

  // MARK: The passes

  mutating func run() -> CheckedProgram {
    for file in files { collectTypes(file) }
    for file in files { collectSources(file) }
    for file in files { declareDefinitionNames(file) }
    computeVisibility()
    collectJurisdictions()
    for file in files { resolveRecordFields(file) }
    for file in files { collectDefinitions(file) }
    for file in files { collectVariants(file) }
    for name in definitionOrder { resolveDeclaredType(name) }
    let order = dependencyOrder()
    for name in order { checkDefinition(name) }
    for file in files {
      currentFile = file.id
      for test in tests where test.given.span.file == file.id { checkTest(test) }
    }
    var program = makeProgram(order: order)
    program.labels = checkLabels()
    return program
  }

  mutating func makeProgram(order: [String]) -> CheckedProgram {
    let functions = order.compactMap { name -> CheckedFunction? in
      guard let entry = definitions[name], entry.parameters != nil,
        case .expression(let body) = entry.variants.first?.body.kind
      else { return nil }
      return CheckedFunction(
        name: name, parameters: functionParameters[name] ?? [],
        type: definitionTypes[name] ?? .error, citation: entry.citation, span: entry.span,
        body: body, dependencies: (dependencies[name] ?? []).sorted())
    }
    let checked = order.compactMap { name -> CheckedDefinition? in
      guard let entry = definitions[name], entry.parameters == nil else { return nil }
      var definition = CheckedDefinition(
        kind: entry.kind, name: name, type: definitionTypes[name] ?? .error,
        citation: entry.citation, span: entry.span, variants: entry.variants,
        dependencies: (dependencies[name] ?? []).sorted())
      definition.places = declaredPlaces[name]
      return definition
    }
    var program = CheckedProgram(
      header: root.syntax.header, sources: files.flatMap(\.syntax.header.sources),
      enums: typeOrder.compactMap { enums[$0] }, records: typeOrder.compactMap { records[$0] },
      input: input, definitions: checked, tests: tests, types: types, resolutions: resolutions,
      widenings: widenings, jurisdictions: jurisdictionCodes,
      policyHeader: files.reversed().map(\.syntax.header).first { $0.kind == .policy })
    program.functions = functions
    return program
  }

  // MARK: Types

  mutating func declareName(_ name: Identifier, file: SourceFile.ID) -> Bool {
    if let existing = owner[name.text] {
      let existingSpan =
        enums[name.text]?.span ?? records[name.text]?.span
        ?? firstDeclaration[name.text] ?? input.map(\.span)
      report(
        .duplicateDefinition, at: name.span, "`\(name.text)` is defined more than once",
        help:
          "rename one; a value that changes over time is one definition with versions "
          + "(`from DATE = …`), and a province's own value an `override` in its level block",
        notes: existingSpan.map { [Diagnostic.Note("first defined here", at: $0)] } ?? [])
      _ = existing
      return false
    }
    owner[name.text] = file
    return true
  }

  mutating func collectTypes(_ file: LoadedFile) {
    for declaration in file.syntax.declarations {
      switch declaration.kind {
      case .enumeration(let decl): collectEnum(decl, file: file.id, span: declaration.span)
      case .record(let decl):
        guard declareName(decl.name, file: file.id) else { continue }
        typeOrder.append(decl.name.text)
        records[decl.name.text] = RecordInfo(
          name: decl.name.text, fields: [], citation: decl.citation, span: decl.name.span)
      default: continue
      }
    }
  }

  /// Declares every top-level definition name before visibility is computed, so imports
  /// and forward references see them.
  mutating func declareDefinitionNames(_ file: LoadedFile) {
    for declaration in file.syntax.declarations {
      switch declaration.kind {
      case .definition(let decl) where !decl.name.text.isEmpty:
        if declareName(decl.name, file: file.id) {
          firstDeclaration[decl.name.text] = decl.name.span
        }
      case .input(let decl) where !decl.name.text.isEmpty && file.syntax.header.kind == .policy:
        // The input is visible to files that import the policy, such as its test files.
        if declareName(decl.name, file: file.id) {
          firstDeclaration[decl.name.text] = decl.name.span
        }
      default: continue
      }
    }
  }

  /// The most cases an enum may have (and so entries a table over it): every stage is linear
  /// in them (100,000 cases build in about 4 s in a debug build).
  static let maximumEnumCases = 100_000

  mutating func collectEnum(_ decl: EnumDecl, file: SourceFile.ID, span: SourceSpan) {
    guard declareName(decl.name, file: file) else { return }
    if decl.cases.count > Self.maximumEnumCases {
      report(
        .tooManyCases, at: decl.name.span,
        "`\(decl.name.text)` has \(decl.cases.count) cases, over the limit of "
          + "\(Self.maximumEnumCases)",
        help: "split it, or read such codes as Text")
    }
    var seen = Set<String>()
    var seenOutputs = Set<String>()
    var outputNames: [String] = []
    for (index, item) in decl.cases.enumerated() {
      let output = (index < decl.outputNames.count ? decl.outputNames[index] : nil) ?? item.text
      if !seen.insert(item.text).inserted {
        report(.duplicateDefinition, at: item.span, "enum case `\(item.text)` is listed twice")
      } else if !seenOutputs.insert(output).inserted {
        report(
          .duplicateDefinition, at: item.span,
          "two cases of `\(decl.name.text)` are written `\(output)` in JSON")
      } else {
        outputNames.append(output)
      }
    }
    for case let validity? in decl.caseValidities {
      guard let until = validity.until, until < validity.from else { continue }
      report(
        .emptyValidity, at: validity.span,
        "this case is in force until \(until), before it starts on \(validity.from)",
        help: "`until` is the last day in force and must not precede `from`")
    }
    typeOrder.append(decl.name.text)
    var info = EnumInfo(
      name: decl.name.text, cases: decl.cases.map(\.text).uniqued(), citation: decl.citation,
      span: decl.name.span, outputNames: outputNames)
    // Only when every case was kept (a duplicate was reported above).
    if info.cases.count == decl.caseValidities.count { info.caseValidities = decl.caseValidities }
    enums[decl.name.text] = info
  }

  mutating func collectSources(_ file: LoadedFile) {
    for source in file.syntax.header.sources {
      fileSources[file.id, default: []].insert(source.name.text)
      if sourceDecls[source.name.text] != nil, file.id == root.id {
        report(
          .duplicateDefinition, at: source.name.span,
          "source `\(source.name.text)` is declared twice")
      }
      sourceDecls[source.name.text] = sourceDecls[source.name.text] ?? source
    }
  }

  /// Each file sees its own names and what it imports (every name of a module imported
  /// without a list).
  mutating func computeVisibility() {
    for file in files {
      var names = Set(owner.filter { $0.value == file.id }.keys)
      for item in file.syntax.imports {
        let target = Paths.normalize(Paths.join(Paths.directory(of: file.path), item.path))
        guard let imported = files.first(where: { $0.path == target }) else { continue }
        let exported = Set(owner.filter { $0.value == imported.id }.keys)
        guard let list = item.names else {
          names.formUnion(exported)
          continue
        }
        for name in list {
          if exported.contains(name.text) {
            names.insert(name.text)
          } else {
            report(
              .importedNameNotFound, at: name.span, "`\(target)` does not define `\(name.text)`",
              help: Suggestions.help(Suggestions.closest(to: name.text, among: exported)))
          }
        }
      }
      visible[file.id] = names
    }
  }

  /// True when `name` may be used in `file`.
  func isVisible(_ name: String, in file: SourceFile.ID) -> Bool {
    visible[file]?.contains(name) ?? true
  }

  mutating func resolveRecordFields(_ file: LoadedFile) {
    currentFile = file.id
    for declaration in file.syntax.declarations {
      switch declaration.kind {
      case .record(let decl):
        guard owner[decl.name.text] == file.id, records[decl.name.text]?.fields.isEmpty == true
        else {
          continue
        }
        let fields = resolveFields(decl.fields, of: decl.name.text, isInput: false)
        records[decl.name.text]?.fields = fields
      case .input(let decl):
        collectInput(decl, file: file, span: declaration.span)
      default: continue
      }
    }
  }

  mutating func collectInput(_ decl: InputDecl, file: LoadedFile, span: SourceSpan) {
    guard file.syntax.header.kind == .policy else {
      report(
        .misplacedDeclaration, at: decl.name.span, "an `input` block belongs in the policy file",
        help: "modules share enums, records and parameters; the policy declares its input")
      return
    }
    if let inputName {
      report(
        .duplicateDefinition, at: decl.name.span, "a policy has one `input` block",
        help: "`input \(inputName)` is already declared; add the fields there")
      return
    }
    guard firstDeclaration[decl.name.text] == decl.name.span else { return }
    inputName = decl.name.text
    input = RecordInfo(
      name: decl.name.text, fields: resolveFields(decl.fields, of: decl.name.text, isInput: true),
      citation: nil, span: decl.name.span)
  }

  mutating func resolveFields(_ fields: [FieldDecl], of owner: String, isInput: Bool)
    -> [RecordInfo.Field]
  {
    var seen = Set<String>()
    var result: [RecordInfo.Field] = []
    for field in fields {
      let type = resolveType(field.type)
      guard seen.insert(field.name.text).inserted else {
        report(
          .duplicateField, at: field.name.span, "field `\(field.name.text)` is declared twice",
          help: "remove one of them, or give the second its own name")
        continue
      }
      if let constraint = field.constraint { checkConstraint(constraint, on: type) }
      if let value = field.defaultValue {
        if isInput {
          checkDefault(value, of: field, type: type)
        } else {
          // A record's value is compared and output whole, where a default left as `none`
          // would show; the input's fields are only ever read one by one.
          report(
            .invalidDefault, at: value.span,
            "only a field of the input may have a default; `\(owner)` is a record",
            help:
              "make `\(field.name.text)` optional (`\(TypePrinter.describe(field.type))?`) and write `?? DEFAULT` where it is read"
          )
        }
      }
      checkCitation(field.citation)
      result.append(
        RecordInfo.Field(
          name: field.name.text, type: type, constraint: field.constraint, citation: field.citation,
          span: field.span, isPersonal: field.isPersonal, defaultValue: field.defaultValue))
    }
    return result
  }

  /// Resolves a written type, reporting unknown names with a suggestion.
  mutating func resolveType(_ syntax: TypeSyntax) -> RType {
    switch syntax.kind {
    case .named(let name):
      if name.text.isEmpty { return .error }
      if let builtin = RType.builtins[name.text] { return builtin }
      if enums[name.text] != nil, isVisible(name.text, in: currentFile) {
        return .enumeration(name.text)
      }
      if records[name.text] != nil, isVisible(name.text, in: currentFile) {
        return .record(name.text)
      }
      reportUndefinedType(name)
      return .error
    case .list(let element):
      return .list(resolveType(element))
    case .optional(let wrapped):
      let inner = resolveType(wrapped)
      return inner.isError ? .error : .optional(inner)
    case .table(let value, let key):
      let valueType = resolveType(value)
      guard enums[key.text] != nil, isVisible(key.text, in: currentFile) else {
        reportUndefinedType(key, help: "a table's key must be an enum, as in `Money by Province`")
        return .error
      }
      return valueType.isError ? .error : .table(key: key.text, value: valueType)
    }
  }

  mutating func reportUndefinedType(_ name: Identifier, help: String? = nil) {
    let typeNames = Array(RType.builtins.keys) + typeOrder.filter { isVisible($0, in: currentFile) }
    let suggestion = Suggestions.closest(to: name.text, among: typeNames)
    var help = Suggestions.help(suggestion) ?? help
    if suggestion == nil, owner[name.text] != nil,
      enums[name.text] != nil || records[name.text] != nil
    {
      help = "`\(name.text)` is defined in another file; add it to an `import`"
    }
    report(.undefinedType, at: name.span, "undefined type `\(name.text)`", help: help)
  }

  mutating func checkCitation(_ citation: Citation?) {
    guard let source = citation?.source else { return }
    // A citation names a source of its own file's header (§16): a module's source is not
    // visible to the policy that imports it, nor the other way round.
    let own = fileSources[source.span.file] ?? []
    guard !own.contains(source.text) else { return }
    let help =
      sourceDecls[source.text] != nil
      ? "`\(source.text)` is declared in another file; a citation names a source of its own file's header"
      : Suggestions.help(Suggestions.closest(to: source.text, among: own))
        ?? "declare it in the header: `source \(source.text) \"document title\"`"
    report(.undefinedSource, at: source.span, "undefined source `\(source.text)`", help: help)
  }
}

extension Array where Element: Hashable {
  func uniqued() -> [Element] {
    var seen = Set<Element>()
    return filter { seen.insert($0).inserted }
  }
}
