// A policy's input schema as JSON Schema (draft 2020-12), for `GET /v1/policies`: what a
// client must send, with the same types and bounds the reader checks (Docs/language.md §14).
import Regula

enum InputSchema {
  /// The JSON Schema of `image`'s input record.
  static func json(_ image: PolicyImage) -> String {
    var writer = Writer(image: image)
    let root = writer.type(.record(image.inputRecord), bounds: nil, onLength: false)
    return "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
      + "\"title\":\(JSONWriter.quote(image.records[image.inputRecord].name)),"
      + "\"description\":\"A field left out is an unknown fact, not an error: decisions that need it are undecided (an optional field is null, a field with a default has its default).\","
      + String(root.dropFirst())
  }

  struct Writer {
    let image: PolicyImage
    var open = Set<Int>()

    mutating func type(
      _ type: SchemaType, bounds: (low: Register?, high: Register?)?, onLength: Bool
    ) -> String {
      func integer(_ extra: String = "") -> String {
        var text = "{\"type\":\"integer\""
        if !onLength, let low = bounds?.low ?? nil, low.tag == 0 {
          text += ",\"minimum\":\(low.word)"
        }
        if !onLength, let high = bounds?.high ?? nil, high.tag == 0 {
          text += ",\"maximum\":\(high.word)"
        }
        return text + extra + "}"
      }
      switch type {
      case .bool: return "{\"type\":\"boolean\"}"
      case .int: return integer()
      case .money: return integer(",\"description\":\"fen\"")
      case .days: return integer(",\"description\":\"days\"")
      case .months: return integer(",\"description\":\"months\"")
      case .years: return integer(",\"description\":\"years\"")
      case .decimal, .exactMoney:
        return "{\"type\":[\"number\",\"string\"],\"description\":\"an exact decimal\"}"
      case .date: return "{\"type\":\"string\",\"format\":\"date\"}"
      case .text: return "{\"type\":\"string\"}"
      case .enumeration(let index):
        guard index < image.enums.count else { return "{}" }
        return
          "{\"enum\":[\(image.enums[index].cases.map(JSONWriter.quote).joined(separator: ","))]}"
      case .record(let index):
        guard index < image.records.count, open.insert(index).inserted else { return "{}" }
        defer { open.remove(index) }
        let fields = image.records[index].fields.map { field in
          JSONWriter.quote(field.name) + ":"
            + self.type(field.type, bounds: field.bounds, onLength: field.boundsOnLength)
        }
        return "{\"type\":\"object\",\"properties\":{\(fields.joined(separator: ","))}}"
      case .list(let element):
        var text =
          "{\"type\":\"array\",\"items\":\(self.type(element, bounds: nil, onLength: false))"
        if onLength, let low = bounds?.low ?? nil { text += ",\"minItems\":\(low.word)" }
        if onLength, let high = bounds?.high ?? nil { text += ",\"maxItems\":\(high.word)" }
        return text + "}"
      case .optional(let wrapped):
        return
          "{\"anyOf\":[\(self.type(wrapped, bounds: bounds, onLength: onLength)),{\"type\":\"null\"}]}"
      case .table:
        return "{\"type\":\"object\"}"
      }
    }
  }
}
