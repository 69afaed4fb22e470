// The JSON reader and the schema-driven input reader: exact numbers, precise errors.
import RegulaIR
import Testing

func parseJSON(_ text: String) -> String {
  do { return "\(try JSONReader.parse(Array(text.utf8)))" } catch { return "error: \(error)" }
}

@Test func jsonNumbersStayExactText() throws {
  #expect(
    try JSONReader.parse(Array("12345678901234567890123".utf8))
      == .number("12345678901234567890123"))
  #expect(try JSONReader.parse(Array("-0.10".utf8)) == .number("-0.10"))
}

@Test func jsonEscapesAndUnicode() throws {
  #expect(
    try JSONReader.parse(Array(#""\u4F4E\u4FDD \ud83d\ude00 \n\"""#.utf8)) == .string("低保 😀 \n\""))
}

@Test(arguments: [
  ("{\"a\":1,\"a\":2}", "error: line 1, column 8: duplicate member `a`"),
  ("[1,2] x", "error: line 1, column 7: unexpected text after the JSON value"),
  ("{\"a\":01}", "error: line 1, column 6: leading zeros are not allowed"),
  ("\"\\ud800\"", "error: line 1, column 8: unpaired surrogate in `\\u` escape"),
  ("[1,\n 2,]", "error: line 2, column 4: unexpected character, expected a value"),
  (String(repeating: "[", count: 100), "error: line 1, column 65: nesting deeper than 64 levels"),
  ("", "error: line 1, column 1: unexpected end of input, expected a value"),
])
func malformedJSONGivesALineAndColumn(_ text: String, _ expected: String) {
  #expect(parseJSON(text) == expected)
}

let schema = """
  policy p
  import "provinces.regula"
  record Member { age: Int in 0 to 120  income: Money }
  input application {
    province: Province
    members: List<Member> length 1 to 3
    rate: Decimal
    start: Date
    note: Text?
  }
  decision d: Int = count(application.members)
  """

func readInput(_ json: String) throws -> String {
  let program = try compile(schema)
  do {
    _ = try InputReader(program: program).read(try JSONReader.parse(Array(json.utf8)))
    return "ok"
  } catch { return "\(error)" }
}

@Test(arguments: [
  (
    #"{"province":"SH","members":[{"age":30,"income":100}],"rate":"0.15","start":"2024-01-31"}"#,
    "ok"
  ),
  (
    #"{"province":"XX","members":[],"rate":1,"start":"2024-01-31"}"#,
    "`province`: expected one of `BJ`, `TJ`, `HE`, `SX`, `NM`, `LN`, `JL`, `HL`, `SH`, `JS`, `ZJ`, `AH`, `FJ`, `JX`, `SD`, `HA`, `HB`, `HN`, `GD`, `GX`, `HI`, `CQ`, `SC`, `GZ`, `YN`, `XZ`, `SN`, `GS`, `QH`, `NX`, `XJ`, found `XX`"
  ),
  (
    #"{"province":"SH","members":[{"age":130,"income":1}],"rate":1,"start":"2024-01-31"}"#,
    "`members[0].age`: the value 130 is outside 0 to 120"
  ),
  (
    #"{"province":"SH","members":[],"rate":1,"start":"2024-01-31"}"#,
    "`members`: the list's length 0 is outside 1 to 3"
  ),
  (
    #"{"province":"SH","members":[{"age":1,"income":1.5}],"rate":1,"start":"2024-01-31"}"#,
    "`members[0].income`: expected a whole number, found `1.5`"
  ),
  (
    #"{"province":"SH","members":[{"age":1,"income":1}],"rate":1,"start":"2024-02-30"}"#,
    "`start`: expected a date `YYYY-MM-DD`, found `2024-02-30`"
  ),
  (
    #"{"province":"SH","members":[{"age":1,"income":1}],"rate":1e3,"start":"2024-02-01"}"#,
    "`rate`: expected a decimal number such as `0.15`, found `1e3`"
  ),
  (
    #"{"province":"SH","members":[{"age":1,"income":1}],"rate":1,"start":"2024-02-01","extra":1}"#,
    "`extra`: `application` has no field `extra` (fields not in the schema are rejected)"
  ),
  (
    #"{"province":"SH","members":[{"age":1,"income":1}],"rate":1,"start":"2024-02-01","note":null}"#,
    "ok"
  ),
  (#"{"province":null}"#, "`province`: expected Province, found null (the field is not optional)"),
])
func inputErrorsNameTheFieldPath(_ json: String, _ expected: String) throws {
  #expect(try readInput(json) == expected)
}

/// One-sided bounds reject what is below the least or above the greatest value accepted, and
/// say which.
@Test(arguments: [
  (#"{"age":0,"debt":0,"members":[1]}"#, "ok"),
  (#"{"age":-1,"debt":0,"members":[1]}"#, "`age`: the value -1 is below 0, the least accepted"),
  (
    #"{"age":1,"debt":501,"members":[1]}"#,
    "`debt`: the value 501 fen is above 500 fen, the greatest accepted"
  ),
  (
    #"{"age":1,"debt":-7,"members":[]}"#,
    "`members`: the list's length 0 is below 1, the least accepted"
  ),
])
func oneSidedBoundsNameTheBoundCrossed(_ json: String, _ expected: String) throws {
  let program = try compile(
    """
    policy p
    input application {
      age: Int at least 0
      debt: Money at most 5 yuan
      members: List<Int> length at least 1
    }
    decision d: Int = application.age
    """)
  do {
    _ = try InputReader(program: program).read(try JSONReader.parse(Array(json.utf8)))
    #expect(expected == "ok")
  } catch {
    #expect("\(error)" == expected)
  }
}
