// Docs/bytecode.md documents every opcode, with its numeric code, and nothing else.
import Foundation
import RegulaBytecode
import Testing

private func bytecodeDocument() throws -> String {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  return try String(contentsOf: root.appendingPathComponent("Docs/bytecode.md"), encoding: .utf8)
}

@Test func everyOpcodeIsDocumentedWithItsCode() throws {
  let document = try bytecodeDocument()
  for opcode in Opcode.allCases {
    let row = "| \(opcode.rawValue) | `\(opcode)` | "
    #expect(document.contains(row), "Docs/bytecode.md has no row starting `\(row)`")
  }
}

@Test func theOpcodeTableHasNoStaleRows() throws {
  // Rows of the opcode table: `| code | opcode | operands | effect |` with a numeric code.
  let documented = try bytecodeDocument().split(separator: "\n").compactMap { line -> String? in
    let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
    guard line.hasPrefix("| "), cells.count == 4, Int(cells[0]) != nil else { return nil }
    return cells[1]
  }
  #expect(documented == Opcode.allCases.map { "`\($0)`" })
}
