// Money and ExactMoney: whole fen, exact intermediate amounts, explicit rounding, printing.
import Testing

@testable import RegulaNumerics

@Suite("Money")
struct MoneyTests {
  @Test func arithmeticStaysInWholeFen() throws {
    let rent = try Money(yuan: "1234.56")
    #expect(rent.fen == ExactInt(123_456))
    #expect((rent + Money(fen: 44)).yuanDescription == "1235.00")
    #expect((rent - Money(fen: 123_457)).yuanDescription == "-0.01")
    #expect((rent * 3).fenDescription == "370368")
    #expect((3 * rent) == rent * 3)
    #expect((-rent).description == "-1234.56")
  }

  @Test func ratesAndSharesNeedExplicitRounding() throws {
    let base = Money(fen: 1001)
    let half = try ExactDecimal(parsing: "50%")
    let exact: ExactMoney = base * half  // 500.5 fen
    #expect(exact.rounded(.halfUp) == Money(fen: 501))
    #expect(exact.rounded(.halfEven) == Money(fen: 500))
    #expect(exact.rounded(.down) == Money(fen: 500))
    #expect((-exact).rounded(.floor) == Money(fen: -501))
    let third = try base / 3  // 333.666… fen
    #expect(third.rounded(.halfUp) == Money(fen: 334))
    #expect(third.rounded(.down) == Money(fen: 333))
    #expect(third.description == "1001/300")
    #expect(try (base / Money(fen: 7)) == ExactDecimal(parsing: "143"))
    #expect(throws: NumericError.divisionByZero) { try base / Money.zero }
    #expect(throws: NumericError.divisionByZero) { try base / 0 }
  }

  @Test func roundingToWholeYuan() throws {
    let amount = try Money(yuan: "1234.50")
    let yuan = Money(fen: 100)
    #expect(try amount.rounded(toMultipleOf: yuan, .halfUp).yuanDescription == "1235.00")
    #expect(try amount.rounded(toMultipleOf: yuan, .halfEven).yuanDescription == "1234.00")
    #expect(try (-amount).rounded(toMultipleOf: yuan, .ceiling).yuanDescription == "-1234.00")
    let exact = amount * (try ExactDecimal(parsing: "1/3"))  // 41150 fen
    #expect(try exact.rounded(toMultipleOf: yuan, .up).yuanDescription == "412.00")
    #expect(throws: NumericError.divisionByZero) { try amount.rounded(toMultipleOf: .zero, .up) }
  }

  @Test func comparingMoneyWithExactMoney() throws {
    let base = Money(fen: 100)
    let exact = base * (try ExactDecimal(parsing: "1.005"))  // 100.5 fen
    #expect(base < exact && exact > base && base <= exact && exact >= base)
    #expect(base != exact && !(base == exact))
    #expect(Money(fen: 201) == (Money(fen: 402) * (try ExactDecimal(parsing: "0.5"))))
  }

  @Test func parsingAndPrintingYuan() throws {
    #expect(try Money(yuan: "-0.05").fen == ExactInt(-5))
    #expect(try Money(yuan: "1_000").yuanDescription == "1000.00")
    #expect(Money(fen: 7).yuanDescription == "0.07")
    #expect(throws: NumericError.invalidLiteral("0.125")) { try Money(yuan: "0.125") }
    #expect(throws: NumericError.invalidLiteral("5%")) { try Money(yuan: "5%") }
    let huge = Money(fen: ExactInt(Int64.max) * 1000)
    #expect(huge.yuanDescription == "92233720368547758070.00")
    #expect((huge + huge - huge) == huge)
  }
}
