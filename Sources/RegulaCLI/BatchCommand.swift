// `regula batch`: decide a JSON Lines file, one result line per input line, in order.
import ArgumentParser
import Dispatch
import Foundation
import Regula

struct BatchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "batch", abstract: "Decide every application of a JSON Lines file.",
    discussion: """
      Writes exactly one line per input line, in input order: the decision record, or \
      {"line":N,"error":…} for an application that fails (the batch goes on). Exit codes: 0 all \
      decided, 3 some lines failed, 1 the policy or the files could not be used.
      """)

  enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl, csv
  }

  @Argument(help: "The policy: a rule file or a compiled file.")
  var policy: String

  @Option(help: "The applications, one JSON object per line.")
  var input: String

  @Option(help: "Where to write the results (default: standard output).")
  var output: String?

  @Option(
    help:
      "jsonl (decision records) or csv (`id,first decision,second decision,reason of the first`).")
  var outputFormat: OutputFormat = .jsonl

  @Option(
    help: "Evaluate as of this date (YYYY-MM-DD); default: each application's `application_date`.")
  var asOf: String?

  @Option(help: "The jurisdiction code; default: the policy's level.")
  var jurisdiction: String?

  func run() throws {
    let compiled: CompiledPolicy
    do { compiled = try loadPolicy(policy) } catch { throw ExitCode(1) }
    guard let data = FileManager.default.contents(atPath: input) else {
      printError("error: cannot read `\(input)`\n")
      throw ExitCode(1)
    }
    let date = try asOf.map { text -> CivilDate in
      guard let parsed = try? CivilDate(iso8601: text) else {
        printError("error: `--as-of \(text)` is not a date YYYY-MM-DD\n")
        throw ExitCode(1)
      }
      return parsed
    }
    var evaluator = Evaluator(policy: compiled)
    var out = ""
    out.reserveCapacity(data.count)
    var count = 0
    var errors = 0
    let start = DispatchTime.now().uptimeNanoseconds
    let bytes = Array(data)
    for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      if line.isEmpty || line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
        if count == 0 && line.isEmpty && data.isEmpty { break }
        continue
      }
      count += 1
      do {
        let record = try evaluator.decide(
          json: Array(line), asOf: date, jurisdiction: jurisdiction,
          listingInputsRead: outputFormat == .jsonl)
        out += (outputFormat == .csv ? csvLine(record, line) : record.json) + "\n"
      } catch {
        errors += 1
        out += "{\"line\":\(count),\"error\":\(JSONWriter.quote(error.description))}\n"
      }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if let output {
      do { try Data(out.utf8).write(to: URL(fileURLWithPath: output)) } catch {
        printError("error: cannot write `\(output)`: \(error.localizedDescription)\n")
        throw ExitCode(1)
      }
    } else {
      FileHandle.standardOutput.write(Data(out.utf8))
    }
    let rate = seconds > 0 ? Int(Double(count) / seconds) : count
    printError("\(count) applications, \(errors) errors, \(rate) decisions/s\n")
    if errors > 0 { throw ExitCode(3) }
  }

  /// `id,first decision,second decision,reason of the first` (the W1 result line).
  func csvLine(_ record: DecisionRecord, _ line: ArraySlice<UInt8>) -> String {
    let id: String
    if case .object(let members)? = try? JSONReader.parse(Array(line)),
      case .string(let text)? = members.first(where: { $0.key == "id" })?.value
    {
      id = text
    } else {
      id = ""
    }
    let first = record.decisions.first
    let second = record.decisions.dropFirst().first
    return "\(id),\(first?.json ?? ""),\(second?.json ?? ""),\(first?.reason ?? "")"
  }
}
