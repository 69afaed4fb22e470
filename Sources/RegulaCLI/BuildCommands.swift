// `regula build` and `regula disasm`: the compiled file and its printed form.
import ArgumentParser
import Foundation
import Regula

struct BuildCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "build", abstract: "Compile a policy to a verified bytecode file.")

  @Argument(help: "The policy file.")
  var policy: String

  @Option(name: .shortAndLong, help: "The compiled file to write.")
  var output: String

  @Option(
    name: .customLong("as-of"),
    help: ArgumentHelp(
      "Specialise for this date (YYYY-MM-DD): keep only the versions in force on it.",
      discussion:
        "The file then decides applications as of that date only, with no date tests in its code."
    ))
  var asOf: String?

  func run() throws {
    var compiled: CompiledPolicy
    do { compiled = try loadPolicy(policy) } catch { throw ExitCode(1) }
    if let asOf {
      guard let date = try? CivilDate(iso8601: asOf) else {
        printError("error: `--as-of \(asOf)` is not a date `YYYY-MM-DD`\n")
        throw ExitCode(1)
      }
      do { compiled = try compiled.specialised(asOf: date) } catch {
        printError("error: cannot specialise `\(policy)`: \(error)\n")
        throw ExitCode(1)
      }
    }
    let bytes = compiled.encoded()
    do { try Data(bytes).write(to: URL(fileURLWithPath: output)) } catch {
      printError("error: cannot write `\(output)`: \(error.localizedDescription)\n")
      throw ExitCode(1)
    }
    print(
      "\(output): \(bytes.count) bytes, \(compiled.image.code.count) instructions, policy hash \(compiled.contentHash)"
    )
  }
}

struct DisasmCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "disasm",
    abstract: "Print the bytecode of a compiled file (or of a policy, compiled first).")

  @Argument(help: "A compiled file or a policy file.")
  var file: String

  func run() throws {
    let compiled: CompiledPolicy
    do { compiled = try loadPolicy(file) } catch { throw ExitCode(1) }
    print(Disassembler.disassemble(compiled.image), terminator: "")
  }
}
