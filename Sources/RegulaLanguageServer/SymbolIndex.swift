// Every name a checked file and its imports declare, with where its name is written: what go
// to definition jumps to and hover describes.
import Regula

struct SymbolIndex {
  enum Kind {
    case definition(Definition.Kind, TypeSyntax?)
    case record
    case enumeration
    case input
    case inputField(TypeSyntax)
  }

  struct Declared {
    var name: String
    var kind: Kind
    var nameSpan: SourceSpan
    var citation: Citation?
  }

  /// In declaration order, imports first (the first declaration of a name wins).
  var declared: [Declared] = []
  var fields: [String: [String: SourceSpan]] = [:]
  var cases: [String: [String: SourceSpan]] = [:]
  /// Each file's header sources, for citations that name none.
  var headerSources: [SourceFile.ID: [SourceDecl]] = [:]

  init(_ analysis: TypeChecker.Analysis) {
    for file in analysis.files {
      headerSources[file.id] = file.syntax.header.sources
      add(file.syntax.declarations)
    }
  }

  mutating func add(_ list: [Declaration]) {
    for declaration in list {
      switch declaration.kind {
      case .definition(let definition):
        declared.append(
          Declared(
            name: definition.name.text, kind: .definition(definition.kind, definition.type),
            nameSpan: definition.name.span, citation: definition.citation))
      case .record(let record):
        declared.append(
          Declared(
            name: record.name.text, kind: .record, nameSpan: record.name.span,
            citation: record.citation))
        for field in record.fields {
          fields[record.name.text, default: [:]][field.name.text] = field.name.span
        }
      case .enumeration(let enumeration):
        declared.append(
          Declared(
            name: enumeration.name.text, kind: .enumeration, nameSpan: enumeration.name.span,
            citation: enumeration.citation))
        for item in enumeration.cases {
          cases[enumeration.name.text, default: [:]][item.text] = item.span
        }
      case .input(let input):
        declared.append(
          Declared(name: input.name.text, kind: .input, nameSpan: input.name.span, citation: nil))
        for field in input.fields {
          declared.append(
            Declared(
              name: field.name.text, kind: .inputField(field.type), nameSpan: field.name.span,
              citation: field.citation))
        }
      case .levelBlock(let block):
        add(block.declarations)
      case .override, .exception, .test, .labels:
        break
      }
    }
  }

  func lookup(_ name: String) -> SourceSpan? {
    declared.first { $0.name == name }?.nameSpan
  }

  func field(_ record: String, _ name: String) -> SourceSpan? { fields[record]?[name] }

  func enumCase(_ enumeration: String, _ name: String) -> SourceSpan? { cases[enumeration]?[name] }

  /// The declaration whose name is written at `offset` in `file`.
  func declaration(at offset: Int, in file: SourceFile.ID) -> Declared? {
    declared.first {
      $0.nameSpan.file == file && $0.nameSpan.bytes.lowerBound <= offset
        && offset <= $0.nameSpan.bytes.upperBound
    }
  }

  func describeDefinition(_ name: String, program: CheckedProgram) -> String? {
    guard let found = declared.first(where: { $0.name == name }) else { return nil }
    return describe(found, program: program)
  }

  /// Markdown: the declaration as checked (its type), then the article it cites.
  func describe(_ item: Declared, program: CheckedProgram) -> String {
    var head: String
    switch item.kind {
    case .definition(let kind, _):
      if let function = program.function(item.name) {
        let parameters = function.parameters.map { "\($0.name): \($0.type)" }
        head =
          "\(kind.rawValue) \(item.name)(\(parameters.joined(separator: ", "))): \(function.type)"
      } else {
        let type = program.definition(item.name).map { "\($0.type)" } ?? "?"
        head = "\(kind.rawValue) \(item.name): \(type)"
      }
    case .record:
      let fields = program.records.first { $0.name == item.name }?.fields ?? []
      head =
        "record \(item.name) {\n" + fields.map { "  \($0.name): \($0.type)\n" }.joined() + "}"
    case .enumeration:
      let cases = program.enums.first { $0.name == item.name }?.cases ?? []
      head = "enum \(item.name) { \(cases.joined(separator: ", ")) }"
    case .input:
      head = "input \(item.name)"
    case .inputField(let type):
      let checked =
        program.input?.field(item.name).map { "\($0.type)" } ?? TypePrinter.describe(type)
      head = "input \(item.name): \(checked)"
    }
    return "```regula\n\(head)\n```"
      + (item.citation.map { "\n\n" + citationText($0, program: program) } ?? "")
  }

  /// "Cites DOCUMENT (version): ARTICLE", the document found by the citation's source name or,
  /// when it names none, the first source of its file.
  func citationText(_ citation: Citation, program: CheckedProgram) -> String {
    let sources = headerSources[citation.span.file] ?? []
    let source =
      citation.source.flatMap { name in
        (sources + program.sources).first { $0.name.text == name.text }
      } ?? sources.first
    var text = "Cites "
    if let source {
      text += "**\(source.document)**" + (source.version.map { " (version \($0))" } ?? "") + ": "
    }
    text += citation.text
    if let status = citation.status { text += " — \(status.text)" }
    return text
  }
}
