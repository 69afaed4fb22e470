// The disassembly of compiled golden policies, golden-tested like the other stages
// (`RECORD_GOLDEN=1 swift test` re-records): a change to code generation shows here first.
import Foundation
import Regula
import RegulaBytecode
import Testing

@Test(arguments: ["w1", "jurisdictions"])
func disassemblyMatchesGolden(_ name: String) throws {
  // Paths relative to the repository root, so the text is the same in any clone.
  let (result, _) = CompiledPolicy.compile(path: "Tests/Golden/inputs/\(name).regula") {
    FileManager.default.contents(atPath: root.appendingPathComponent($0).path).map { Array($0) }
  }
  let policy = try #require(result.output)
  let text = Disassembler.disassemble(policy.image)
  try expectGolden(text, at: "Tests/Golden/bytecode/\(name).txt")
}
