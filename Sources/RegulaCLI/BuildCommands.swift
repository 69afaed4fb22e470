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

  @Flag(
    help:
      "Print the code untraced evaluations run: the fast section, with calls to rules needed in one place replaced by the rules' instructions."
  )
  var inlined = false

  func run() throws {
    let compiled: CompiledPolicy
    do { compiled = try loadPolicy(file) } catch { throw ExitCode(1) }
    guard inlined else {
      print(Disassembler.disassemble(compiled.image), terminator: "")
      return
    }
    let inlinedCode: FastCode?
    do { inlinedCode = try Machine.inlinedCodeOrError(for: compiled.image) } catch {
      // Not the drafter's fault: the machine falls back to the image's code.
      printError(
        "error: the inlined code of `\(file)` does not verify (\(error)); evaluations run "
          + "the code `regula disasm` prints\n")
      throw ExitCode(1)
    }
    guard let fast = inlinedCode else {
      print("no call in `\(file)` is inlined: evaluations run the code `regula disasm` prints")
      return
    }
    print(Disassembler.disassemble(compiled.image, fast: fast), terminator: "")
  }
}
