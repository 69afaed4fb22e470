// A decision told to its audience in its language, from the same trace tree as the text, JSON
// and HTML renderings: a citizen reads the outcome, each reason as a sentence with the
// provision it rests on, and what was counted; a caseworker also the conditions checked with
// their values; an auditor the full trace with the policy's hash. Names come from the policy's
// labels (`labels zh { … }`), falling back to the names themselves.

/// Who reads an explanation.
public enum Audience: String, Sendable, CaseIterable {
  /// The outcome, the reasons in sentences with their provisions, what was counted.
  case citizen
  /// The citizen's account and the conditions checked, with their values.
  case caseworker
  /// The full trace, with the policy's hash and the positions in its source.
  case auditor
}

/// An account of a decision for one audience in one language.
public struct Account: Sendable {
  /// The text, one item a line.
  public var text: String
  /// The labels the account needed and the policy does not have (`kind key`), which it showed
  /// by their names instead.
  public var missingLabels: [String]
}

/// The words of an account that are not the policy's.
struct AccountWords {
  let outcome, reason, basis, counted, conditions, values, yes, no, holds, fails, notEvaluated,
    undecided, missing, policy, asOf, jurisdiction, yuan, trace, none, colon, national,
    separator, notComputable: String
  /// The name of list element `n` (from 1): `第2项`, `no. 2`.
  let member: (Int) -> String
  let unit: (String, Int64) -> String

  static func of(_ language: String) -> AccountWords {
    if language == "zh" {
      return AccountWords(
        outcome: "审核结果", reason: "原因", basis: "依据", counted: "计入的情况",
        conditions: "逐项审查", values: "计算所得", yes: "是", no: "否", holds: "成立",
        fails: "不成立", notEvaluated: "未审查（前一项不成立）", undecided: "无法决定，缺少",
        missing: "缺少的情况", policy: "政策", asOf: "依据日期", jurisdiction: "适用地区",
        yuan: "元", trace: "完整审查记录", none: "无", colon: "：",
        national: "全国", separator: "；", notComputable: "无法计算（所需的规定在该日期无有效版本）",
        member: { "第\($0)项" },
        unit: { unit, count in
          "\(count) " + ["day": "天", "month": "个月", "year": "年"][unit, default: unit]
        })
    }
    return AccountWords(
      outcome: "Outcome", reason: "Reason", basis: "Provision", counted: "What was counted",
      conditions: "Conditions checked", values: "Values computed", yes: "yes", no: "no",
      holds: "holds", fails: "does not hold",
      notEvaluated: "not checked (an earlier condition failed)", undecided: "undecided, missing",
      missing: "Missing facts", policy: "Policy", asOf: "As of", jurisdiction: "Jurisdiction",
      yuan: "yuan", trace: "Full trace", none: "none", colon: ": ",
      national: "national", separator: "; ",
      notComputable: "not computable (a provision it needs has no version in force on that date)",
      member: { "no. \($0)" },
      unit: { unit, count in "\(count) \(unit)" + (count == 1 || count == -1 ? "" : "s") })
  }
}

extension Evaluator {
  /// The decision `record` (with its `trace`) told to `audience` in `language`.
  public func account(
    record: DecisionRecord, trace: Trace, audience: Audience, language: String
  ) -> Account {
    var writer = AccountWriter(
      image: policy.image, labels: PolicyLabels(image: policy.image, language: language),
      words: .of(language))
    return Trace.onStack(depth: trace.depth) {
      let text = writer.write(record: record, trace: trace, audience: audience)
      return Account(text: text, missingLabels: writer.labels.missing)
    }
  }
}

struct AccountWriter {
  let image: PolicyImage
  var labels: PolicyLabels
  let words: AccountWords
  var lines: [String] = []

  mutating func write(record: DecisionRecord, trace: Trace, audience: Audience) -> String {
    let jurisdiction = jurisdictionLabel(record.jurisdiction)
    lines.append(
      "\(words.policy)\(words.colon)\(record.policy)  \(words.asOf)\(words.colon)\(record.asOf)  "
        + "\(words.jurisdiction)\(words.colon)\(jurisdiction)")
    if audience == .auditor { lines.append("policy hash \(record.policyHash)") }
    lines.append("")
    lines.append(words.outcome)
    for decision in record.decisions {
      let name = labels.definition(decision.name)
      if let why = decision.notComputable, decision.missingFacts.isEmpty {
        lines.append("  \(name)\(words.colon)\(words.notComputable)")
        // The exact cause (definition, date, jurisdiction) for caseworkers and auditors.
        if audience != .citizen { lines.append("    \(why)") }
        continue
      }
      guard decision.isDecided else {
        lines.append(
          "  \(name)\(words.colon)\(words.undecided) "
            + decision.missingFacts.map { inputLabel($0) }.joined(separator: ", "))
        continue
      }
      let type = definitionType(decision.name)
      lines.append("  \(name)\(words.colon)\(value(decision.json, type))")
      if let reason = decision.reason {
        lines.append("    \(words.reason)\(words.colon)\(labels.reason(reason))")
        if let root = trace.roots.first(where: { $0.name == decision.name }) {
          for basis in provisions(for: root, reason: reason) {
            lines.append("    \(words.basis)\(words.colon)\(basis)")
          }
        }
      }
    }
    if audience != .citizen {
      lines.append("")
      lines.append(words.conditions)
      for root in trace.roots { conditions(root, depth: 1) }
      lines.append("")
      lines.append(words.values)
      var shown: Set<String> = []
      for root in trace.roots { definitionValues(root, &shown) }
    }
    lines.append("")
    lines.append(words.counted)
    for input in trace.inputs where !isList(input.path) {
      lines.append(
        "  \(inputLabel(input.path))\(words.colon)\(value(input.value.json, inputType(input.path)))"
      )
    }
    if trace.inputs.isEmpty { lines.append("  \(words.none)") }
    if !record.missingFacts.isEmpty {
      lines.append("")
      lines.append(words.missing)
      for path in record.missingFacts { lines.append("  \(inputLabel(path))") }
    }
    if audience == .auditor {
      lines.append("")
      lines.append(words.trace)
      var labelled: PolicyLabels? = labels
      lines.append(trace.tree(labels: &labelled))
      labels = labelled ?? labels
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The provisions a decision's outcome rests on: the citation of the condition or case that
  /// gave its reason, else the decision's own.
  mutating func provisions(for root: Trace.Node, reason: String) -> [String] {
    var found: [String] = []
    for child in root.children
    where (child.kind == .condition || child.kind == .otherwise) && child.isEvaluated
      && child.reason == reason && !child.citation.isEmpty
    {
      let decided =
        child.role == "all_of"
        ? child.outcome == false : child.outcome == true || child.kind == .otherwise
      if decided { found.append(labels.citation(child.citation)) }
    }
    if found.isEmpty && !root.citation.isEmpty { found.append(labels.citation(root.citation)) }
    return found
  }

  /// The conditions each definition checked, with their outcomes and the values compared.
  mutating func conditions(_ node: Trace.Node, depth: Int) {
    guard !node.isCached else { return }
    for child in node.children {
      // What a `NAME as of DATE` read checked belongs to that other date: its value is shown
      // with the date (`definitionValues`), its conditions are not listed as the evaluation's.
      if child.kind == .call, child.asOf != nil { continue }
      switch child.kind {
      case .condition
      where child.role == "all_of" || child.role == "first_of" || child.role == "exception":
        let outcome =
          !child.isEvaluated
          ? words.notEvaluated : child.outcome.map { $0 ? words.holds : words.fails } ?? "?"
        var line =
          "  \(labels.definition(child.name)) #\((child.position ?? 0) + 1)\(words.colon)"
          + "\(child.text ?? "?") — \(outcome)"
        if let reason = child.reason, child.isEvaluated,
          (child.role == "all_of" && child.outcome == false)
            || (child.role != "all_of" && child.outcome == true)
        {
          line += " → \(labels.reason(reason))"
        }
        lines.append(line)
        for comparison in child.children where comparison.kind == .comparison {
          lines.append("      " + comparisonLine(comparison))
        }
        conditions(child, depth: depth + 1)
      case .definition: conditions(child, depth: depth + 1)
      default: conditions(child, depth: depth + 1)
      }
    }
  }

  /// `人均月收入 (774.68 元) < 当地最低生活保障标准 (690.00 元)`.
  mutating func comparisonLine(_ node: Trace.Node) -> String {
    var parts: [String] = []
    for operand in node.operands {
      let name =
        image.definitions.contains { $0.name == operand.text }
        ? labels.definition(operand.text) : operand.text
      let shown = localized(operand.value.display)
      parts.append(name == shown ? name : "\(name) (\(shown))")
    }
    let verdict = node.outcome.map { $0 ? words.holds : words.fails } ?? "?"
    guard parts.count == 2, let text = node.text, node.operands.count == 2,
      text.hasPrefix(node.operands[0].text), text.hasSuffix(node.operands[1].text),
      text.count >= node.operands[0].text.count + node.operands[1].text.count
    else { return (node.text ?? "?") + " — " + verdict }
    let middle = text.dropFirst(node.operands[0].text.count).dropLast(node.operands[1].text.count)
      .trimmingCharacters(in: " ")
    return "\(parts[0]) \(middle) \(parts[1]) — \(verdict)"
  }

  /// Each definition evaluated, once, with its value; a `NAME as of DATE` read once with its
  /// date, and not what it evaluated on that date.
  mutating func definitionValues(_ node: Trace.Node, _ shown: inout Set<String>) {
    if node.kind == .call, let date = node.asOf, let function = node.function {
      if let value = node.value, shown.insert(function + "@" + date).inserted {
        lines.append(
          "  \(labels.definition(function)) (\(date)) = "
            + self.value(value.json, definitionType(function), display: value.display))
      }
      return
    }
    if node.kind == .definition, !node.isCached, let value = node.value,
      !isTable(definitionType(node.name)),
      shown.insert(node.name + "@" + node.jurisdiction).inserted
    {
      lines.append(
        "  \(labels.definition(node.name)) = \(self.value(value.json, definitionType(node.name), display: value.display))"
      )
    }
    for child in node.children { definitionValues(child, &shown) }
  }

  /// Tables are shown by the entries looked up in them, never whole.
  func isTable(_ type: SchemaType?) -> Bool {
    if case .table? = type { return true }
    return false
  }

  func definitionType(_ name: String) -> SchemaType? {
    image.definitions.first { $0.name == name }?.type
  }

  /// A value in the audience's language: Bool as yes/no, Money in yuan (元), enum cases by
  /// their labels, durations with their unit; anything else as shown in the trace.
  mutating func value(_ json: String, _ type: SchemaType?, display: String? = nil) -> String {
    var type = type
    if case .optional(let wrapped)? = type { type = wrapped }
    switch type {
    case .bool?: return json == "true" ? words.yes : json == "false" ? words.no : json
    case .money?, .exactMoney?:
      return localized(display ?? Money.yuanText(json) ?? json)
    case .enumeration(let index)? where index < image.enums.count:
      guard json.hasPrefix("\""), json.hasSuffix("\""), json.count >= 2 else { return json }
      return labels.enumCase(image.enums[index].name, String(json.dropFirst().dropLast()))
    case .days?, .months?, .years?:
      guard let count = Int64(json) else { return json }
      let unit = type == .days ? "day" : type == .months ? "month" : "year"
      return words.unit(unit, count)
    case .date?, .text?:
      return json.hasPrefix("\"") ? String(json.dropFirst().dropLast()) : json
    case .record(let index)? where index < image.records.count:
      // `field label：value；…`, each field by its label and in its unit.
      guard case .object(let members)? = try? JSONReader.parse(Array(json.utf8)) else {
        return json
      }
      let record = image.records[index]
      var parts: [String] = []
      for (key, member) in members {
        guard let field = record.fields.first(where: { $0.name == key }) else { continue }
        if case .null = member { continue }
        parts.append(
          labels.field(record.name, key) + words.colon
            + value(JSONValue.text(member), field.type))
      }
      return parts.joined(separator: words.separator)
    case .list(let element)?:
      guard case .array(let items)? = try? JSONReader.parse(Array(json.utf8)) else { return json }
      if items.isEmpty { return words.none }
      return items.map { "[" + value(JSONValue.text($0), element) + "]" }.joined(separator: " ")
    default: return localized(display ?? json)
    }
  }

  /// `774.68 yuan` → `774.68 元` in Chinese; the rest as it is.
  func localized(_ display: String) -> String {
    guard words.yuan != "yuan", display.hasSuffix(" yuan") else { return display }
    return String(display.dropLast(" yuan".count)) + " " + words.yuan
  }

  /// `national`, or a province or city code by the label of the enum case it names.
  mutating func jurisdictionLabel(_ code: String) -> String {
    if code == "national" { return words.national }
    let last = code.split(separator: ".").last.map(String.init) ?? code
    for schema in image.enums where schema.cases.contains(last) {
      return code.contains(".") ? code : labels.enumCase(schema.name, last)
    }
    return code
  }

  /// True for an input path whose value is a list (its elements are listed instead).
  func isList(_ path: String) -> Bool {
    if case .list? = fieldType(path) { return true }
    return false
  }

  func inputType(_ path: String) -> SchemaType? { fieldType(path) }

  /// The declared type of the field at `path` (`members[1].age`).
  func fieldType(_ path: String) -> SchemaType? {
    var record = image.inputRecord
    var type: SchemaType?
    for part in path.split(separator: ".") {
      let name = part.split(separator: "[").first.map(String.init) ?? String(part)
      guard record < image.records.count,
        let field = image.records[record].fields.first(where: { $0.name == name })
      else { return nil }
      type = field.type
      var inner = field.type
      if case .optional(let wrapped) = inner { inner = wrapped }
      switch inner {
      case .list(.record(let next)) where part.contains("["): record = next
      case .record(let next): record = next
      default: record = image.records.count
      }
    }
    return type
  }

  /// `members[1].age` → `家庭成员 第2项 · 年龄`: each field by its label, positions from 1.
  mutating func inputLabel(_ path: String) -> String {
    var record = image.inputRecord
    var parts: [String] = []
    for part in path.split(separator: ".") {
      let pieces = part.split(separator: "[")
      let name = pieces.first.map(String.init) ?? String(part)
      guard record < image.records.count,
        let field = image.records[record].fields.first(where: { $0.name == name })
      else {
        parts.append(String(part))
        record = image.records.count
        continue
      }
      var shown = labels.field(image.records[record].name, name)
      if pieces.count > 1, let index = Int(pieces[1].dropLast()), index < Int.max {
        shown += " " + words.member(index + 1)
      }
      parts.append(shown)
      var inner = field.type
      if case .optional(let wrapped) = inner { inner = wrapped }
      switch inner {
      case .list(.record(let next)): record = next
      case .record(let next): record = next
      default: record = image.records.count
      }
    }
    return parts.joined(separator: " · ")
  }
}

extension Money {
  /// `77468` (fen, as JSON) → `774.68 yuan`; nil when not an integer.
  static func yuanText(_ json: String) -> String? {
    guard let fen = ExactInt(json) else { return nil }
    return Money(fen: fen).yuanDescription + " yuan"
  }
}

extension JSONValue {
  /// `value` as JSON text again (members in their order).
  static func text(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool(let bool): bool ? "true" : "false"
    case .number(let number): number
    case .string(let string): JSONWriter.quote(string)
    case .array(let items): "[" + items.map(text).joined(separator: ",") + "]"
    case .object(let members):
      "{" + members.map { JSONWriter.quote($0.key) + ":" + text($0.value) }.joined(separator: ",")
        + "}"
    }
  }
}
