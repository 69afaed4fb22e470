// `sum(e for x in L)` with `e: T?` is a `T?`: `none` as soon as one element's `e` is `none`
// (the elements after it are not evaluated), on both engines; the short form over a list of
// optionals is refused.
import Foundation
import Regula
import RegulaSema
import Testing

@Test func aSumOfOptionalsIsNoneAtTheFirstNone() throws {
  let source = """
    policy s
      from 2000-01-01
    record Item { n: Int?  d: Decimal?  m: Money? }
    input application { items: List<Item>  other: List<Item> }
    decision ints: Int? = sum(i.n for i in application.items)
    decision decimals: Decimal? = sum(i.d for i in application.items where i.n != 0)
    decision money: Money? = sum(i.m for i in application.items)
    decision none_then_missing: Int? = sum(i.n for i in application.other)

    """
  let files = ["s.regula": Array(source.utf8)]
  let policy = try #require(CompiledPolicy.compile(path: "s.regula") { files[$0] }.result.output)
  func item(_ n: Value, _ d: Value, _ m: Value) -> Value { .record([n, d, m]) }
  let one = item(.int(ExactInt(1)), .decimal(ExactDecimal("0.5")!), .money(Money(fen: ExactInt(7))))
  let two = item(.int(ExactInt(2)), .decimal(ExactDecimal("1/3")!), .money(Money(fen: ExactInt(3))))
  let absent = item(.none, .none, .none)
  let zero = item(.int(ExactInt(0)), .none, .none)
  // After a none, an element whose fact is missing is not read: no missing facts.
  let unknown = item(.unknown, .unknown, .unknown)
  let cases: [(items: [Value], other: [Value], expected: String)] = [
    (
      [one, two], [],
      #""ints":{"value":3},"decimals":{"value":"5/6"},"money":{"value":10},"none_then_missing":{"value":0}"#
    ),
    (
      [], [absent, unknown],
      #""ints":{"value":0},"decimals":{"value":"0"},"money":{"value":0},"none_then_missing":{"value":null}"#
    ),
    (
      [one, absent, two], [],
      #""ints":{"value":null},"decimals":{"value":null},"money":{"value":null}"#
    ),
    // The filtered-out element's none does not count.
    ([one, zero], [], #""ints":{"value":1},"decimals":{"value":"0.5"},"money":{"value":null}"#),
  ]
  for item in cases {
    let input = Value.record([.list(item.items), .list(item.other)])
    let (interpreted, machined) = bothAnswers(
      policy, input: input, asOf: date("2024-01-01"), jurisdiction: "national")
    #expect(interpreted == machined)
    #expect(machined.contains(item.expected), "\(machined)")
    #expect(machined.contains(#""missing_facts":[]"#), "\(machined)")
  }
}

@Test func theShortSumOverOptionalsIsRefused() {
  let source = """
    policy s
    input application { values: List<Int?> }
    decision d: Int? = sum(v in application.values)
    decision e: Int = sum(application.values)

    """
  let (result, _) = TypeChecker.check(path: "s.regula", files: ["s.regula": source])
  #expect(result.diagnostics.map(\.code) == [.invalidOperands, .invalidOperands])
}
