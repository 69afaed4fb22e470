// `personal` fields (Docs/language.md §5.2): parsed, formatted, carried through the checker and
// the compiled file, and named by input path for the decision log's masks.
import Foundation
import Regula
import RegulaSyntax
import Testing

let personalSource = """
  policy marked
    level national
    source rules "Rules" version "1"

  record Person {
    personal name: Text
    personal: Bool
    age: Int in 0 to 150
  }

  record Household { head: Person, size: Int }

  input application {
    personal id_number: Text
    personal personal: Bool?
    applicant: Person
    members: List<Person> length 0 to 5
    household: Household?
  }

  decision adult: Bool cite rules "1" = application.applicant.age >= 18

  """

@Test func personalFieldsAreNamedByInputPath() throws {
  let policy = try #require(compileFiles([("marked.regula", personalSource)]))
  let expected = [
    "id_number", "personal", "applicant.name", "members[].name", "household.head.name",
  ]
  #expect(policy.image.personalInputPaths == expected)
  // A field named `personal` is a field, not a mark.
  let person = try #require(policy.image.records.first { $0.name == "Person" })
  #expect(person.fields.map(\.name) == ["name", "personal", "age"])
  #expect(person.fields.map(\.isPersonal) == [true, false, false])

  // The marks survive the compiled file, and belong to the policy's identity.
  let loaded = try CompiledPolicy.load(policy.encoded())
  #expect(loaded.image.personalInputPaths == expected)
  #expect(loaded.contentHash == policy.contentHash)
  let unmarked = try #require(
    compileFiles([
      ("marked.regula", personalSource.replacingOccurrences(of: "personal name", with: "name"))
    ]))
  #expect(unmarked.contentHash != policy.contentHash)
  #expect(unmarked.image.personalInputPaths == ["id_number", "personal"])

  // A policy without marks sets no flag bit: its compiled bytes are what they were before
  // `personal` existed (the committed goldens and transcripts keep their hashes).
  let none = try #require(
    compileFiles([
      ("marked.regula", personalSource.replacingOccurrences(of: "personal ", with: ""))
    ]))
  #expect(none.image.personalInputPaths.isEmpty)
  #expect(none.image.records.allSatisfy { $0.fields.allSatisfy { !$0.isPersonal } })
}

@Test func personalMarksAreFormattedAndPrinted() throws {
  var sources = SourceManager()
  let id = sources.add(path: "marked.regula", bytes: Array(personalSource.utf8))
  let parsed = Parser.parse(sources[id])
  #expect(parsed.diagnostics.isEmpty)
  let formatted = Formatter.format(parsed.syntax, file: sources[id])
  #expect(formatted.contains("  personal name: Text\n"))
  #expect(formatted.contains("  personal: Bool\n"))
  #expect(formatted.contains("  personal personal: Bool?\n"))
  // Formatting is a fixed point.
  var again = SourceManager()
  let second = again.add(path: "marked.regula", bytes: Array(formatted.utf8))
  #expect(Formatter.format(Parser.parse(again[second]).syntax, file: again[second]) == formatted)
  #expect(
    SyntaxPrinter.print(parsed.syntax, file: sources[id]).contains("field personal name: Text"))
}
