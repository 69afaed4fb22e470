// Rendering log entries for auditors: one JSON object per entry (`regula.log-entry/1`), with
// the application compacted to one line and its personal fields masked unless allowed.
import Glibc
import RegulaBytecode
import RegulaJSON

/// Wall-clock time stamps for the log: RFC 3339 in UTC with milliseconds, which sort as text.
public enum Timestamp {
  /// Now, as `2026-03-03T09:15:42.120Z`.
  public static func now() -> String {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return format(seconds: Int64(time.tv_sec), milliseconds: Int(time.tv_nsec / 1_000_000))
  }

  /// Seconds since 1970 (UTC) and milliseconds as RFC 3339.
  public static func format(seconds: Int64, milliseconds: Int) -> String {
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let rest = Int(seconds - days * 86_400)
    let (year, month, day) = civil(days)
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    let millis =
      milliseconds < 10
      ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
    return
      "\(year)-\(two(month))-\(two(day))T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)).\(millis)Z"
  }

  /// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
  static func civil(_ days: Int64) -> (Int64, Int, Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
    let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  /// The bounds of a `--from`/`--until` argument as texts comparable with stored time stamps:
  /// a date `YYYY-MM-DD` covers its whole day; a full time stamp is itself.
  /// Nil when the text is neither.
  public static func bound(_ text: String, upper: Bool) -> String? {
    let bytes = Array(text.utf8)
    func digits(_ range: Range<Int>) -> Bool {
      range.allSatisfy { bytes[$0] >= UInt8(ascii: "0") && bytes[$0] <= UInt8(ascii: "9") }
    }
    guard bytes.count >= 10, digits(0..<4), bytes[4] == UInt8(ascii: "-"), digits(5..<7),
      bytes[7] == UInt8(ascii: "-"), digits(8..<10)
    else { return nil }
    if bytes.count == 10 { return text + (upper ? "T23:59:59.999Z" : "T00:00:00.000Z") }
    guard bytes[10] == UInt8(ascii: "T"), text.hasSuffix("Z") else { return nil }
    return text
  }
}

/// The placeholder a masked personal field's value becomes.
public let maskedValue = "[masked]"

extension LogEntry {
  /// The entry as one line of JSON (`regula.log-entry/1` fields): the application compacted,
  /// with the values at `masking` (input paths such as `members[].name`) replaced by
  /// `"[masked]"`.
  public func json(masking: [String] = []) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(input.count + record.count + 512)
    bytes.append(contentsOf: "{\"decision_id\":\(id),\"logged_at\":".utf8)
    JSONWriter.appendQuoted(loggedAt, to: &bytes)
    bytes.append(contentsOf: ",\"policy\":".utf8)
    JSONWriter.appendQuoted(policy, to: &bytes)
    bytes.append(contentsOf: ",\"policy_hash\":".utf8)
    JSONWriter.appendQuoted(policyHash, to: &bytes)
    bytes.append(contentsOf: ",\"as_of\":".utf8)
    JSONWriter.appendQuoted(asOf, to: &bytes)
    bytes.append(contentsOf: ",\"jurisdiction\":".utf8)
    JSONWriter.appendQuoted(jurisdiction, to: &bytes)
    bytes.append(contentsOf: ",\"caller\":".utf8)
    JSONWriter.appendQuoted(caller, to: &bytes)
    bytes.append(contentsOf: ",\"input\":".utf8)
    if let value = try? JSONReader.parse(input) {
      CompactJSON.append(Masking.mask(value, paths: masking), to: &bytes)
    } else {
      // Only applications that decoded are logged; a stored input that no longer parses has
      // been tampered with, and is shown as the text it is (`audit verify` reports it).
      JSONWriter.appendQuoted(String(decoding: input, as: UTF8.self), to: &bytes)
    }
    bytes.append(contentsOf: ",\"record\":".utf8)
    bytes.append(contentsOf: record)
    bytes.append(
      contentsOf: ",\"previous_hash\":\"\(SHA256.hex(previousHash))\"".utf8)
    bytes.append(contentsOf: ",\"entry_hash\":\"\(SHA256.hex(entryHash))\"}".utf8)
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// Writes a parsed JSON value back as compact text (numbers as they were written).
public enum CompactJSON {
  public static func append(_ value: JSONValue, to bytes: inout [UInt8]) {
    switch value {
    case .null: bytes.append(contentsOf: "null".utf8)
    case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
    case .number(let text): bytes.append(contentsOf: text.utf8)
    case .string(let text): JSONWriter.appendQuoted(text, to: &bytes)
    case .array(let items):
      bytes.append(UInt8(ascii: "["))
      for (index, item) in items.enumerated() {
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        append(item, to: &bytes)
      }
      bytes.append(UInt8(ascii: "]"))
    case .object(let members):
      bytes.append(UInt8(ascii: "{"))
      for (index, member) in members.enumerated() {
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        JSONWriter.appendQuoted(member.key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        append(member.value, to: &bytes)
      }
      bytes.append(UInt8(ascii: "}"))
    }
  }

  public static func text(_ value: JSONValue) -> String {
    var bytes: [UInt8] = []
    append(value, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// Replaces the values at input paths (`name`, `applicant.id_number`, `members[].name`) with
/// `"[masked]"`. A path the value does not have is left alone; `null` stays `null` (an absent
/// fact reveals nothing).
public enum Masking {
  public static func mask(_ value: JSONValue, paths: [String]) -> JSONValue {
    var value = value
    for path in paths {
      let steps = path.split(separator: ".").map(String.init)
      value = mask(value, steps[...])
    }
    return value
  }

  static func mask(_ value: JSONValue, _ steps: ArraySlice<String>) -> JSONValue {
    guard let step = steps.first else {
      if case .null = value { return value }
      return .string(maskedValue)
    }
    let isList = step.hasSuffix("[]")
    let key = isList ? String(step.dropLast(2)) : step
    guard case .object(var members) = value else { return value }
    for index in members.indices where members[index].key == key {
      if isList {
        if case .array(let items) = members[index].value {
          members[index].value = .array(items.map { mask($0, steps.dropFirst()) })
        } else {
          members[index].value = mask(members[index].value, steps.dropFirst())
        }
      } else {
        members[index].value = mask(members[index].value, steps.dropFirst())
      }
    }
    return .object(members)
  }
}
