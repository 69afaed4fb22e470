// The HTML report in a real browser (issue 13, item 5): `regula eval --explain --format html`
// for the W1 denied and granted examples, rendered by headless Chromium to a PNG and its DOM
// checked for the nodes an auditor reads. CI installs Debian's `chromium` and sets
// REGULA_BROWSER_TESTS=1, which makes a missing browser a failure; elsewhere the test says it
// skipped.
import Foundation
import Testing

/// The Chromium binary on PATH, if any.
func chromiumBinary() -> URL? {
  let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
  for folder in path.split(separator: ":") {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
      let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
  }
  return nil
}

/// Runs headless Chromium on `arguments`; its standard output (the DOM for `--dump-dom`).
func chromium(_ binary: URL, _ arguments: [String]) throws -> RunResult {
  try run(
    binary,
    ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
      + arguments, in: cliRepositoryRoot)
}

@Test func theHTMLReportRendersInAHeadlessBrowser() throws {
  guard let browser = chromiumBinary() else {
    let required = ProcessInfo.processInfo.environment["REGULA_BROWSER_TESTS"] == "1"
    #expect(!required, "REGULA_BROWSER_TESTS=1 but no chromium on PATH")
    print("skipped: no chromium on PATH (CI installs it)")
    return
  }
  let directory = try temporaryDirectory("report")
  defer { try? FileManager.default.removeItem(at: directory) }
  let sample = try String(
    contentsOf: cliRepositoryRoot.appendingPathComponent(
      "Examples/minimum-living-allowance-w1/sample-applications.jsonl"), encoding: .utf8)
  let denied = directory.appendingPathComponent("denied.json")
  try Data(sample.split(separator: "\n")[0].utf8).write(to: denied)
  let cases: [(name: String, input: String, expected: [String], absent: [String], more: [String])] =
    [
      (
        "denied", denied.path,
        [
          "id=\"policy-hash\"", "class=\"failed-condition\"",
          "per_capita (774.68 yuan) &lt; local_standard (690.00 yuan) — false",
          "standard[GZ] = 690.00 yuan", "class=\"node condition failed\"",
          "class=\"node condition not-evaluated\"", "id=\"counterfactuals\"",
          "members[0].monthly_income_fen", "Workload W1, Rule 7",
        ],
        ["139500"], []
      ),
      (
        "granted", "Examples/minimum-living-allowance-w1/example-application.json",
        [
          "id=\"policy-hash\"", "None: every condition evaluated held.", "671.00 yuan",
          "members[1] counts 0.00 yuan", "class=\"node comparison true\"",
        ],
        ["class=\"failed-condition\""], []
      ),
      (
        "denied-zh", denied.path,
        [
          "id=\"account\" lang=\"zh\"", "是否符合最低生活保障条件：否",
          "原因：家庭人均月收入不低于当地最低生活保障标准", "class=\"failed-condition\"",
        ],
        [], ["--lang", "zh"]
      ),
    ]
  for (name, input, expected, absent, more) in cases {
    let result = try regula(
      [
        "eval", "Examples/minimum-living-allowance-w1/w1.regula", "--input", input, "--as-of",
        "2024-06-01", "--explain", "--counterfactual", "--format", "html",
      ] + more)
    #expect(result.status == 0, "\(result.errors)")
    let page = directory.appendingPathComponent("\(name).html")
    try Data(result.output.utf8).write(to: page)
    // Self-contained: nothing is fetched from anywhere.
    #expect(!result.output.contains("http://") && !result.output.contains("https://"))
    let dom = try chromium(browser, ["--dump-dom", page.absoluteString])
    #expect(dom.status == 0, "\(dom.errors)")
    #expect(dom.output.contains("<details"), "the browser parsed no trace tree")
    for text in expected { #expect(dom.output.contains(text), "\(name): \(text)") }
    for text in absent { #expect(!dom.output.contains(text), "\(name): \(text)") }
    let png = directory.appendingPathComponent("\(name).png")
    let shot = try chromium(
      browser, ["--screenshot=\(png.path)", "--window-size=1200,1800", page.absoluteString])
    #expect(shot.status == 0, "\(shot.errors)")
    let bytes = try Data(contentsOf: png)
    #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    #expect(bytes.count > 20_000, "a blank page? \(bytes.count) bytes")
  }
}
