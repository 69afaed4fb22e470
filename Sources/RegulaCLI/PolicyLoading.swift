// Loading a policy for the commands that run it: a rule file is compiled, a compiled file
// (`regula build`) is decoded and verified.
import Foundation
import Regula

/// Compiles or loads `path`; prints diagnostics or the load error and exits 1 on failure.
func loadPolicy(_ path: String) throws -> CompiledPolicy {
  guard let bytes = readFile(path) else {
    printError("error: cannot read `\(path)`\n")
    throw ExitCodeError.failure
  }
  if bytes.starts(with: CompiledFile.magic) {
    do { return try CompiledPolicy.load(bytes) } catch {
      printError("error: \(path): \(error)\n")
      throw ExitCodeError.failure
    }
  }
  let (compiled, sources) = CompiledPolicy.compile(path: path, read: { readFile($0) })
  guard let policy = compiled.output else {
    printError(DiagnosticRenderer(sources: sources).render(compiled.diagnostics) + "\n")
    throw ExitCodeError.failure
  }
  return policy
}

/// Exit statuses shared by the commands.
enum ExitCodeError: Error {
  case failure
}
