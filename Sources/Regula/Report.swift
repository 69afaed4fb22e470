// The HTML report of a decision: one self-contained page (no script or style from the network,
// no external font or image) for an auditor who must defend the decision: the policy's hash
// and the as-of date, each decision with its reason, the failed conditions highlighted with
// their citations, what single change would have changed it, the inputs with their values, and
// the trace as a tree of collapsible nodes. It renders the same `Trace` tree as the text and
// JSON, and prints on paper with every node open.

extension Evaluator {
  /// The HTML report of a decision (`Trace.html`), opening with the citizen's account of it in
  /// `language`, by the policy's labels.
  public func report(
    record: DecisionRecord, trace: Trace, whyNot: [WhyNot]? = nil, language: String
  ) -> String {
    let account = self.account(record: record, trace: trace, audience: .citizen, language: language)
    return trace.html(record: record, whyNot: whyNot, account: (account.text, language))
  }
}

extension Trace {
  /// The report as one HTML document.
  ///
  /// - Parameter record: the decision record the trace explains.
  /// - Parameter whyNot: the counterfactuals, when searched (`Evaluator.counterfactuals`).
  /// - Parameter account: when given, shown first, for the applicant, in its language
  ///   (`Evaluator.report(record:trace:whyNot:language:)` makes it).
  public func html(
    record: DecisionRecord, whyNot: [WhyNot]? = nil,
    account: (text: String, language: String)? = nil
  ) -> String {
    Trace.onStack(depth: depth) { htmlInline(record: record, whyNot: whyNot, account: account) }
  }

  func htmlInline(
    record: DecisionRecord, whyNot: [WhyNot]?, account: (text: String, language: String)?
  ) -> String {
    var page = Report()
    page.head(title: "Decision — \(record.policy)")
    page.line("<header>")
    page.line("<h1>Decision of <code>\(escape(record.policy))</code></h1>")
    page.line("<dl class=\"facts\">")
    page.item("Policy hash", "<code id=\"policy-hash\">\(escape(record.policyHash))</code>")
    page.item("As of", "<span id=\"as-of\">\(record.asOf)</span>")
    page.item("Jurisdiction", escape(record.jurisdiction))
    if let inputHash {
      page.item("Application SHA-256", "<code id=\"input-hash\">\(escape(inputHash))</code>")
    }
    page.item("Record", "<code>regula.decision/2</code>, kind <code>\(record.kind)</code>")
    page.line("</dl>")
    page.line("</header>")
    if let account {
      page.line(
        "<section id=\"account\" lang=\"\(escape(account.language))\"><h2>For the applicant</h2>"
          + "<pre class=\"account\">\(escape(account.text))</pre></section>")
    }

    page.line("<section id=\"decisions\"><h2>Decisions</h2><table>")
    page.line("<tr><th>Decision</th><th>Value</th><th>Reason</th></tr>")
    for decision in record.decisions {
      let root = roots.first { $0.name == decision.name }
      let shown =
        decision.isDecided
        ? escape(root?.value?.display ?? decision.json)
        : decision.missingFacts.isEmpty
          ? escape(decision.notComputable ?? "")
          : "undecided: missing "
            + decision.missingFacts.map { "<code>\(escape($0))</code>" }
            .joined(separator: ", ")
      let denied = decision.reason.map { $0 != "ok" } ?? false
      page.line(
        "<tr class=\"decision\(denied ? " denied" : "")\" data-decision=\"\(escape(decision.name))\">"
          + "<td><code>\(escape(decision.name))</code></td><td>\(shown)</td>"
          + "<td>\(decision.reason.map { "<code>\(escape($0))</code>" } ?? "—")</td></tr>")
    }
    page.line("</table></section>")

    let failed = failedConditions
    page.line("<section id=\"why-not\"><h2>Failed conditions</h2>")
    if failed.isEmpty {
      page.line("<p>None: every condition evaluated held.</p>")
    } else {
      page.line("<ul>")
      for node in failed {
        page.line(
          "<li class=\"failed-condition\"><code>\(escape(node.name))</code>: "
            + "<code>\(escape(node.text ?? "?"))</code> does not hold"
            + (node.reason.map { " → reason <code>\(escape($0))</code>" } ?? "")
            + (node.citation.isEmpty ? "" : " <cite>\(escape(node.citation))</cite>")
            + (node.location.map { " <span class=\"source\">\(escape($0))</span>" } ?? "")
            + "</li>")
      }
      page.line("</ul>")
    }
    page.line("</section>")

    if let whyNot {
      page.line("<section id=\"counterfactuals\"><h2>What would change it</h2>")
      if whyNot.isEmpty { page.line("<p>Every decision's reason is ok (or it gives none).</p>") }
      page.line("<ul>")
      for line in whyNot.flatMap(\.sentences) {
        page.line("<li class=\"counterfactual\">\(escape(line))</li>")
      }
      page.line("</ul>")
      page.line(
        "<p class=\"note\">Each change is to one input alone and was verified by deciding "
          + "again; see Docs/explanations.md for the method.</p></section>")
    }

    page.line("<section id=\"inputs\"><h2>Inputs read</h2><table>")
    page.line("<tr><th>Input</th><th>Value</th></tr>")
    for input in inputs {
      page.line(
        "<tr class=\"input\"><td><code>\(escape(input.path))</code></td>"
          + "<td>\(escape(input.value.display))</td></tr>")
    }
    page.line("</table></section>")

    page.line("<section id=\"trace\"><h2>Trace</h2>")
    page.line(
      "<p class=\"note\">Each step of the evaluation, in order; open a step to see what it "
        + "needed. Failed conditions are marked.</p>")
    for root in roots { page.node(root) }
    page.line("</section>")
    page.line(
      "<footer>Rendered by Regula from the decision's trace (schema <code>regula.trace/2</code>)."
        + "</footer>")
    page.line("</body></html>")
    return page.text
  }

  /// The `all of` conditions that were evaluated and failed, in trace order, each with the
  /// provision it rests on: its own citation, else its definition's.
  var failedConditions: [Node] {
    var found: [Node] = []
    func walk(_ node: Node, _ citation: String) {
      if node.kind == .condition, node.role == "all_of", node.isEvaluated, node.outcome == false {
        var failed = node
        if failed.citation.isEmpty { failed.citation = citation }
        found.append(failed)
      }
      let inner = node.kind == .definition ? node.citation : citation
      if !node.isCached { for child in node.children { walk(child, inner) } }
    }
    for root in roots { walk(root, root.citation) }
    return found
  }
}

/// `&`, `<`, `>` and quotes as HTML entities.
func escape(_ text: String) -> String {
  var out = ""
  out.reserveCapacity(text.utf8.count)
  for character in text {
    switch character {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&#39;"
    default: out.append(character)
    }
  }
  return out
}

/// An HTML page being written.
struct Report {
  var text = ""

  mutating func line(_ line: String) { text += line + "\n" }

  mutating func item(_ term: String, _ value: String) {
    line("<dt>\(escape(term))</dt><dd>\(value)</dd>")
  }

  mutating func head(title: String) {
    line("<!DOCTYPE html>")
    line("<html lang=\"en\"><head><meta charset=\"utf-8\">")
    line("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    line("<title>\(escape(title))</title>")
    line("<style>\(Report.style)</style></head><body>")
  }

  /// A trace node: a `<details>` when it has children (open down to failed conditions), a
  /// plain line otherwise.
  mutating func node(_ node: Trace.Node) {
    var classes = ["node", node.kind.rawValue]
    if node.kind == .condition || node.kind == .comparison {
      if !node.isEvaluated {
        classes.append("not-evaluated")
      } else if node.outcome == false {
        classes.append(node.role == "all_of" ? "failed" : "false")
      } else if node.outcome == true {
        classes.append("true")
      }
    }
    if node.isCached { classes.append("cached") }
    var summary = "<span class=\"summary\">\(escape(node.summary))</span>"
    if !node.citation.isEmpty { summary += " <cite>\(escape(node.citation))</cite>" }
    if let location = node.location {
      summary += " <span class=\"source\">\(escape(location))</span>"
    }
    if node.isCached { summary += " <span class=\"note\">(computed above)</span>" }
    let attributes =
      "class=\"\(classes.joined(separator: " "))\" data-kind=\"\(node.kind.rawValue)\""
      + " data-definition=\"\(escape(node.name))\""
    guard !node.children.isEmpty, !node.isCached else {
      line("<div \(attributes)>\(summary)</div>")
      return
    }
    let open =
      node.kind == .definition && node.definitionKind == "decision" || classes.contains("failed")
    line("<details \(attributes)\(open ? " open" : "")><summary>\(summary)</summary>")
    for child in node.children { self.node(child) }
    line("</details>")
  }

  static let style = """
    body{font:15px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;\
    margin:2em auto;max-width:70em;padding:0 1em;color:#1b1b1b}
    h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}
    code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
    dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dt{font-weight:600}
    dd{margin:0;word-break:break-all}
    table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}
    tr.denied td{background:#fdecea}
    li.failed-condition{color:#a01414}cite{color:#555;font-style:normal}cite::before{content:"— "}
    .source{color:#777;font-size:.85em}.note{color:#666;font-size:.9em}
    .node{margin-left:1.2em;padding:.05em 0}details>summary{cursor:pointer}
    .node.failed>summary,.node.failed{background:#fdecea;color:#a01414;font-weight:600}
    .node.false>.summary,.node.false>summary{color:#8a4b00}
    .node.not-evaluated{color:#888;font-style:italic}
    .node.cached{color:#666}
    footer{margin-top:2em;color:#777;font-size:.85em}
    pre.account{font:inherit;white-space:pre-wrap;background:#f6f6f2;padding:.8em 1em;\
    border-left:3px solid #bbb}
    @media print{details{display:block}details>summary{list-style:none}
    details:not([open])>*{display:block}body{margin:0;max-width:none}}
    """
}
