// Lexer behaviour on the literal forms and on bad input.
import RegulaSyntax
import Testing

func lex(_ text: String) -> (tokens: [Token], comments: [SourceComment], diagnostics: [Diagnostic])
{
  Lexer.tokenize(SourceFile(id: .init(0), path: "t.regula", text: text))
}

func kinds(_ text: String) -> [TokenKind] { lex(text).tokens.map(\.kind) }

@Test func numbersDatesAndPercentagesAreDistinctTokens() {
  #expect(
    kinds("12 1_234 0.15 12% 2024-02-29 3-1")
      == [
        .integer, .integer, .decimal, .percent, .date, .integer, .symbol(.minus), .integer,
        .endOfFile,
      ])
}

@Test func keywordsSymbolsAndIdentifiers() {
  #expect(
    kinds("rule a_1 = x ?? y <= z")
      == [
        .keyword(.rule), .identifier, .symbol(.equal), .identifier, .symbol(.coalesce), .identifier,
        .symbol(.lessEqual), .identifier, .endOfFile,
      ])
}

@Test func stringsDecodeEscapesAndKeepChineseText() {
  let tokens = lex(#""低保 \"标准\"\n""#).tokens
  #expect(tokens[0].text == "低保 \"标准\"\n")
}

@Test func spansAreByteRanges() {
  let tokens = lex("\"低\" x").tokens
  #expect(tokens[0].span.bytes == 0..<5)
  #expect(tokens[1].span.bytes == 6..<7)
}

@Test func commentsAreKeptWithTheirPlacement() {
  let result = lex("rule a = 1 -- trailing\n-- own line\n")
  #expect(result.comments.map(\.text) == [" trailing", " own line"])
  #expect(result.comments.map(\.isOwnLine) == [false, true])
}

@Test func badInputGivesOneDiagnosticEachAndLexingGoesOn() {
  let result = lex("a § b 1__0 2023-13-01 \"open")
  #expect(
    result.diagnostics.map(\.code) == [
      .unexpectedCharacter, .invalidNumber, .invalidDate, .unterminatedString,
    ])
  #expect(result.tokens.map(\.kind).filter { $0 == .identifier }.count == 2)
}

@Test func lineStartsAreTracked() {
  let tokens = lex("a b\n  c").tokens
  #expect(tokens.map(\.isAtLineStart) == [true, false, true, true])
}

@Test func datesAreValidatedAgainstTheCalendar() {
  #expect(DateLiteral("2024-02-29") != nil)
  #expect(DateLiteral("2023-02-29") == nil)
  #expect(DateLiteral("1900-02-29") == nil)
  #expect(DateLiteral("2000-02-29") != nil)
  #expect(DateLiteral("2100-02-29") == nil)
  #expect(DateLiteral("2024-04-31") == nil)
  #expect(DateLiteral("0000-01-01") == nil)
}
