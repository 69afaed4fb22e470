// The tutorial's transcripts are true: every `regula eval` it shows, run on the repository's
// files, prints what the tutorial says (policy hashes, records and traces included), so the
// tutorial cannot go stale silently.
import Foundation
import Testing

/// A command the tutorial shows, what it reads on standard input, and the lines it shows.
typealias Transcript = (command: String, input: String?, output: [String])

/// Each `$ regula eval …` line of a text block with the lines after it (up to the next `$`
/// line or the end of the block); piped commands keep their pipe, for the caller to handle.
/// `$ echo 'TEXT' \` followed by `| regula eval … --input -` is the command with TEXT as its
/// input (once skipped, and a policy hash shown there went stale unnoticed).
func tutorialTranscripts() throws -> [Transcript] {
  let text = try String(
    contentsOf: cliRepositoryRoot.appendingPathComponent("Docs/tutorial.md"), encoding: .utf8)
  var transcripts: [Transcript] = []
  var inBlock = false
  var current: Transcript?
  var echoed: String?
  for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
    if line.hasPrefix("```") {
      if let done = current { transcripts.append(done) }
      current = nil
      echoed = nil
      inBlock.toggle()
      continue
    }
    guard inBlock else { continue }
    let trimmed = line.drop { $0 == " " }
    if line.hasPrefix("$ ") {
      if let done = current { transcripts.append(done) }
      current = line.hasPrefix("$ regula eval ") ? (String(line.dropFirst(2)), nil, []) : nil
      echoed = nil
      if line.hasPrefix("$ echo '"), line.hasSuffix("' \\") {
        echoed = String(line.dropFirst("$ echo '".count).dropLast("' \\".count))
      }
    } else if let input = echoed, trimmed.hasPrefix("| regula eval ") {
      current = (String(trimmed.dropFirst(2)), input + "\n", [])
      echoed = nil
    } else if current != nil {
      current!.output.append(line)
    }
  }
  return transcripts
}

@Test func theTutorialsTranscriptsAreWhatRegulaPrints() throws {
  let transcripts = try tutorialTranscripts()
  #expect(transcripts.count >= 4)
  #expect(transcripts.contains { $0.input != nil })
  for (command, input, shown) in transcripts {
    var words = command.split(separator: " ").map(String.init)
    let piped = words.firstIndex(of: "|")
    if let piped { words = Array(words[..<piped]) }
    // The tutorial shows a terminal, where records are text unless told otherwise.
    if !words.contains("--format") { words += ["--format", "text"] }
    let result = try regula(Array(words.dropFirst()), input: input)
    if piped != nil {
      // `| python3 -m json.tool`: the same JSON document.
      let printed = try jsonObject(result.output)
      let expected = try jsonObject(shown.joined(separator: "\n"))
      #expect(NSDictionary(dictionary: printed) == NSDictionary(dictionary: expected), "\(command)")
      continue
    }
    // Every line shown appears, in order (a transcript may leave lines out, and says so).
    // A terminal shows both streams: an error transcript is what goes to standard error.
    let printed = (result.output + result.errors).split(
      separator: "\n", omittingEmptySubsequences: false
    ).map(String.init)
    var position = 0
    for line in shown where !line.isEmpty {
      guard let found = printed[position...].firstIndex(of: line) else {
        Issue.record("`\(command)` does not print\n\(line)\nit prints\n\(result.output)")
        break
      }
      position = found + 1
    }
  }
}
