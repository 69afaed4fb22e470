// libFuzzer entry point: every input runs through lexer, parser, checker and formatter.
// Built with `Fuzz/build.sh` (see Docs/testing.md); libFuzzer supplies `main`.
import RegulaSema

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrontend(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
  let (result, sources) = TypeChecker.check(
    path: "fuzz.regula", read: { $0 == "fuzz.regula" ? bytes : nil })
  _ = DiagnosticRenderer(sources: sources).render(result.diagnostics)
  let file = SourceFile(id: .init(0), path: "fuzz.regula", bytes: bytes)
  let parsed = Parser.parse(file)
  if !parsed.diagnostics.containsErrors {
    let text = Formatter.format(parsed.syntax, file: file)
    let again = Parser.parse(SourceFile(id: .init(0), path: "again.regula", text: text))
    // A formatted file that no longer parses is a formatter bug: make libFuzzer report it.
    precondition(!again.diagnostics.containsErrors, "formatted output does not parse")
  }
  return 0
}
