// The front end on any text: lexer, parser, checker, lowering, bytecode compiler, verifier,
// formatter and renderer. Every input ends in a policy or diagnostics, never a trap; a file
// that parses formats to text that parses again.
import FuzzSupport

func fuzzFrontEnd(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let input = bytes(data, size)
  let (result, sources) = CompiledPolicy.compile(
    path: "fuzz.regula",
    read: { path in
      path == "fuzz.regula" ? input : nil
    })
  _ = DiagnosticRenderer(sources: sources).render(result.diagnostics)
  let file = SourceFile(id: .init(0), path: "fuzz.regula", bytes: input)
  let parsed = Parser.parse(file)
  if parsed.diagnostics.isEmpty {
    let formatted = Formatter.format(parsed.syntax, file: file)
    let again = Parser.parse(SourceFile(id: .init(0), path: "f.regula", text: formatted))
    if !again.diagnostics.isEmpty { finding("formatted text does not parse: \(formatted)") }
  }
  return 0
}

@_cdecl("FuzzFrontEnd_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt
{
  runFuzzer(argc, argv) { data, size in fuzzFrontEnd(data, size) }
}
