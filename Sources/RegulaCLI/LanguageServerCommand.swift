// `regula lsp`: the Language Server over standard input and output, for editors.
import ArgumentParser
import RegulaLanguageServer

struct LanguageServerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lsp",
    abstract: "Serve the Language Server Protocol on standard input and output (for editors).",
    discussion: """
      Diagnostics as you type, hover with the checked type and citation, go to definition \
      across imports, document symbols and formatting (Docs/editors.md). Exit codes: 0 after \
      `shutdown` and `exit`, 1 when the input ends without them or is not the protocol.
      """)

  func run() throws {
    let status = LanguageServer().run()
    if status != 0 { throw ExitCode(status) }
  }
}
