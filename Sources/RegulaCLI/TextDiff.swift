// A unified diff of two texts by line, for `regula fmt --check`: what the formatter would
// change, not only that it would.

enum TextDiff {
  /// The unified diff (`---`/`+++` headers, `@@` hunks with `context` lines around each
  /// change) that turns `old` into `new`; empty when they are equal.
  ///
  /// - Complexity: O(n·m) in the lines that differ after the common start and end are set
  ///   aside (beyond 4,000,000 line pairs, the differing middle is shown as replaced whole).
  static func unified(
    old: String, new: String, oldName: String, newName: String, context: Int = 3
  ) -> String {
    let a = lines(old)
    let b = lines(new)
    if a == b { return "" }
    var prefix = 0
    while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < a.count - prefix, suffix < b.count - prefix,
      a[a.count - 1 - suffix] == b[b.count - 1 - suffix]
    {
      suffix += 1
    }
    let middleA = Array(a[prefix..<(a.count - suffix)])
    let middleB = Array(b[prefix..<(b.count - suffix)])
    // Each line of both texts as (kind, text): " " kept, "-" removed, "+" added.
    var edits: [(kind: Character, text: String)] = a[..<prefix].map { (" ", $0) }
    edits += middle(middleA, middleB)
    edits += a[(a.count - suffix)...].map { (" ", $0) }
    return "--- \(oldName)\n+++ \(newName)\n" + hunks(edits, context: context)
  }

  static func lines(_ text: String) -> [String] {
    var result = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if result.last == "" { result.removeLast() }
    return result
  }

  /// The edits of the differing middle, by longest common subsequence.
  static func middle(_ a: [String], _ b: [String]) -> [(kind: Character, text: String)] {
    guard a.count * b.count <= 4_000_000, !a.isEmpty, !b.isEmpty else {
      return a.map { ("-", $0) } + b.map { ("+", $0) }
    }
    // lengths[i][j]: the longest common subsequence of a[i...] and b[j...].
    var lengths = [[Int32]](
      repeating: [Int32](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in stride(from: a.count - 1, through: 0, by: -1) {
      for j in stride(from: b.count - 1, through: 0, by: -1) {
        lengths[i][j] =
          a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
      }
    }
    var edits: [(kind: Character, text: String)] = []
    var i = 0
    var j = 0
    while i < a.count || j < b.count {
      if i < a.count, j < b.count, a[i] == b[j] {
        edits.append((" ", a[i]))
        i += 1
        j += 1
      } else if i < a.count, j == b.count || lengths[i + 1][j] >= lengths[i][j + 1] {
        // Removals before additions, as diff(1) shows them.
        edits.append(("-", a[i]))
        i += 1
      } else {
        edits.append(("+", b[j]))
        j += 1
      }
    }
    return edits
  }

  /// The hunks: runs of changes with `context` unchanged lines around them, each headed by
  /// `@@ -oldStart,oldCount +newStart,newCount @@`.
  static func hunks(_ edits: [(kind: Character, text: String)], context: Int) -> String {
    let changed = edits.indices.filter { edits[$0].kind != " " }
    var output = ""
    var index = 0
    while index < changed.count {
      let start = max(0, changed[index] - context)
      var end = min(edits.count, changed[index] + context + 1)
      index += 1
      while index < changed.count, changed[index] - context <= end {
        end = min(edits.count, changed[index] + context + 1)
        index += 1
      }
      let before = edits[..<start]
      let oldStart = before.filter { $0.kind != "+" }.count + 1
      let newStart = before.filter { $0.kind != "-" }.count + 1
      let hunk = edits[start..<end]
      let oldCount = hunk.filter { $0.kind != "+" }.count
      let newCount = hunk.filter { $0.kind != "-" }.count
      output += "@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@\n"
      for edit in hunk { output += "\(edit.kind)\(edit.text)\n" }
    }
    return output
  }
}
