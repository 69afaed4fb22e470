// `regula lsp` driven as an editor drives it: a scripted JSON-RPC session against the real
// binary, over its standard input and output.
import Foundation
import Testing

/// A running `regula lsp` and the messages it has sent.
final class LanguageServerSession {
  let process = Process()
  let input = Pipe()
  let output = Pipe()
  var buffer: [UInt8] = []
  var nextID = 0

  init() throws {
    process.executableURL = regulaBinary
    process.arguments = ["lsp"]
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
  }

  func send(_ message: [String: Any]) throws {
    var object = message
    object["jsonrpc"] = "2.0"
    let body = try JSONSerialization.data(withJSONObject: object)
    input.fileHandleForWriting.write(Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
  }

  /// The next message, waiting at most 30 s.
  func next() throws -> [String: Any] {
    let descriptor = output.fileHandleForReading.fileDescriptor
    func fill() throws {
      var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      guard poll(&poller, 1, 30_000) > 0 else { throw ServiceFailure(message: "no answer in 30 s") }
      var chunk = [UInt8](repeating: 0, count: 65_536)
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      guard count > 0 else { throw ServiceFailure(message: "regula lsp closed its output") }
      buffer += chunk[0..<count]
    }
    let separator = Array("\r\n\r\n".utf8)
    while true {
      if let end = (0..<max(0, buffer.count - 3)).first(where: {
        Array(buffer[$0..<$0 + 4]) == separator
      }) {
        let header = String(decoding: buffer[0..<end], as: UTF8.self)
        let length = Int(header.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))!
        while buffer.count < end + 4 + length { try fill() }
        let body = Data(buffer[(end + 4)..<(end + 4 + length)])
        buffer.removeFirst(end + 4 + length)
        return try JSONSerialization.jsonObject(with: body) as! [String: Any]
      }
      try fill()
    }
  }

  /// Sends a request and returns its response (notifications before it are kept).
  var notifications: [[String: Any]] = []
  func request(_ method: String, _ parameters: [String: Any]) throws -> [String: Any] {
    nextID += 1
    try send(["id": nextID, "method": method, "params": parameters])
    while true {
      let message = try next()
      if message["id"] as? Int == nextID { return message }
      notifications.append(message)
    }
  }

  /// The next `textDocument/publishDiagnostics` for `uri`.
  func diagnostics(for uri: String) throws -> [[String: Any]] {
    while true {
      let message: [String: Any]
      if let index = notifications.firstIndex(where: {
        ($0["params"] as? [String: Any])?["uri"] as? String == uri
      }) {
        message = notifications.remove(at: index)
      } else {
        message = try next()
      }
      let parameters = message["params"] as? [String: Any]
      if message["method"] as? String == "textDocument/publishDiagnostics",
        parameters?["uri"] as? String == uri
      {
        return parameters?["diagnostics"] as? [[String: Any]] ?? []
      }
      notifications.append(message)
    }
  }
}

let languageServerPolicy = """
  policy lsp_demo "LSP demo"
    level national
    source demo "Demo rules" version "1"
    from 2024-01-01

  import "common/provinces.regula" (Province)

  input application {
    home: Province
    age: Int in 0 to 150
  }

  parameter threshold: Int cite demo "Art. 1" = 18

  decision adult: Bool cite demo "Art. 2" = application.age >= threshold

  decision in_shanghai: Bool cite demo "Art. 3" = application.home == Province.SH

  rule older_than(years: Int): Bool cite demo "Art. 4" = application.age > years

  decision senior: Bool = older_than(65)

  """

/// The 0-based line and character of the first `needle` in `text` (ASCII text).
func position(of needle: String, in text: String, after skip: Int = 0) -> [String: Int] {
  let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
  var seen = 0
  for (number, line) in lines.enumerated() {
    if let range = line.range(of: needle) {
      if seen == skip {
        return [
          "line": number, "character": line.distance(from: line.startIndex, to: range.lowerBound),
        ]
      }
      seen += 1
    }
  }
  return ["line": -1, "character": -1]
}

@Test func theLanguageServerAnswersAnEditorSession() throws {
  let folder = try temporaryDirectory("lsp")
  defer { try? FileManager.default.removeItem(at: folder) }
  let common = folder.appendingPathComponent("common")
  try FileManager.default.createDirectory(at: common, withIntermediateDirectories: true)
  let provinces = try String(
    contentsOf: cliRepositoryRoot.appendingPathComponent("Policies/common/provinces.regula"),
    encoding: .utf8)
  try provinces.write(
    to: common.appendingPathComponent("provinces.regula"), atomically: true, encoding: .utf8)
  let file = folder.appendingPathComponent("demo.regula")
  let uri = file.absoluteURL.absoluteString
  let session = try LanguageServerSession()

  let initialized = try session.request(
    "initialize", ["processId": NSNull(), "rootUri": NSNull(), "capabilities": [:]])
  let capabilities = (initialized["result"] as? [String: Any])?["capabilities"] as? [String: Any]
  #expect(capabilities?["hoverProvider"] as? Bool == true)
  #expect(capabilities?["positionEncoding"] as? String == "utf-16")
  try session.send(["method": "initialized", "params": [:]])

  // Opened with a misspelt name: one diagnostic, with its code and place.
  let broken = languageServerPolicy.replacingOccurrences(
    of: ">= threshold", with: ">= threshhold")
  try session.send([
    "method": "textDocument/didOpen",
    "params": [
      "textDocument": ["uri": uri, "languageId": "regula", "version": 1, "text": broken]
    ],
  ])
  let reported = try session.diagnostics(for: uri)
  #expect(reported.count == 1)
  let first = try #require(reported.first)
  #expect((first["code"] as? String)?.hasPrefix("R") == true)
  #expect((first["message"] as? String)?.contains("threshhold") == true)
  let start = (first["range"] as? [String: Any])?["start"] as? [String: Int]
  #expect(start == position(of: "threshhold", in: broken))

  // Fixed: the diagnostics are cleared.
  try session.send([
    "method": "textDocument/didChange",
    "params": [
      "textDocument": ["uri": uri, "version": 2],
      "contentChanges": [["text": languageServerPolicy]],
    ],
  ])
  #expect(try session.diagnostics(for: uri).isEmpty)

  // Hover on a use of the parameter: its checked type and the article it cites.
  let hover = try session.request(
    "textDocument/hover",
    [
      "textDocument": ["uri": uri],
      "position": position(of: "threshold", in: languageServerPolicy, after: 1),
    ])
  let shown = ((hover["result"] as? [String: Any])?["contents"] as? [String: Any])?["value"]
  #expect((shown as? String)?.contains("parameter threshold: Int") == true, "\(hover)")
  #expect((shown as? String)?.contains("Demo rules") == true)
  #expect((shown as? String)?.contains("Art. 1") == true)
  // Hover on an input field: its type.
  let field = try session.request(
    "textDocument/hover",
    [
      "textDocument": ["uri": uri],
      "position": position(of: "age >=", in: languageServerPolicy),
    ])
  let fieldText = ((field["result"] as? [String: Any])?["contents"] as? [String: Any])?["value"]
  #expect((fieldText as? String)?.contains("age: Int") == true, "\(field)")

  // Hover on a call of a function: its parameters, its type and the article it cites; go to
  // definition on the call jumps to the function.
  let call = try session.request(
    "textDocument/hover",
    [
      "textDocument": ["uri": uri],
      "position": position(of: "older_than(65)", in: languageServerPolicy),
    ])
  let callText = ((call["result"] as? [String: Any])?["contents"] as? [String: Any])?["value"]
  #expect((callText as? String)?.contains("rule older_than(years: Int): Bool") == true, "\(call)")
  #expect((callText as? String)?.contains("Art. 4") == true)
  let jump = try session.request(
    "textDocument/definition",
    [
      "textDocument": ["uri": uri],
      "position": position(of: "older_than(65)", in: languageServerPolicy),
    ])
  let jumped = ((jump["result"] as? [String: Any])?["range"] as? [String: Any])?["start"]
  #expect(
    (jumped as? [String: Int])?["line"]
      == position(of: "rule older_than", in: languageServerPolicy)["line"],
    "\(jump)")

  // Go to definition across the import: the enum, and one of its cases, in the module.
  let module = common.appendingPathComponent("provinces.regula").absoluteURL.absoluteString
  for (needle, target) in [("Province\n", "enum Province"), ("SH\n", "  SH")] {
    let found = try session.request(
      "textDocument/definition",
      [
        "textDocument": ["uri": uri],
        "position": position(
          of: needle.dropLast().description, in: languageServerPolicy,
          after: needle == "Province\n" ? 1 : 0),
      ])
    let location = found["result"] as? [String: Any]
    #expect(location?["uri"] as? String == module, "\(found)")
    let line = ((location?["range"] as? [String: Any])?["start"] as? [String: Int])?["line"]
    #expect(line == position(of: target, in: provinces)["line"], "\(needle) \(found)")
  }

  // The document's symbols, as declared.
  let symbols = try session.request("textDocument/documentSymbol", ["textDocument": ["uri": uri]])
  let names = (symbols["result"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
  #expect(
    names == [
      "lsp_demo", "application", "threshold", "adult", "in_shanghai", "older_than", "senior",
    ])

  // Formatting gives `regula fmt`'s text.
  let messy = languageServerPolicy.replacingOccurrences(
    of: "parameter threshold:", with: "parameter   threshold :")
  try session.send([
    "method": "textDocument/didChange",
    "params": ["textDocument": ["uri": uri, "version": 3], "contentChanges": [["text": messy]]],
  ])
  let edits = try session.request(
    "textDocument/formatting",
    ["textDocument": ["uri": uri], "options": ["tabSize": 2, "insertSpaces": true]])
  let newText = (edits["result"] as? [[String: Any]])?.first?["newText"] as? String
  try messy.write(to: file, atomically: true, encoding: .utf8)
  #expect(try regula(["fmt", file.path], in: folder).status == 0)
  #expect(newText == (try String(contentsOf: file, encoding: .utf8)))
  #expect(newText != messy)

  // Bad input is answered, not crashed on: an unknown request, a body that is not JSON, a
  // position far outside the text, a file that does not exist, a request without its
  // document. Shutdown and exit then end the server with status 0.
  let unknown = try session.request("textDocument/rename", ["textDocument": ["uri": uri]])
  #expect((unknown["error"] as? [String: Any])?["code"] as? Int == -32601)
  session.input.fileHandleForWriting.write(Data("Content-Length: 9\r\n\r\n{\"id\": [}".utf8))
  #expect((try session.next()["error"] as? [String: Any])?["code"] as? Int == -32700)
  let far = try session.request(
    "textDocument/hover",
    ["textDocument": ["uri": uri], "position": ["line": 99_999, "character": -5]])
  #expect(far["error"] == nil)
  let missing = try session.request(
    "textDocument/definition",
    [
      "textDocument": ["uri": "file:///nonexistent/none.regula"],
      "position": ["line": 0, "character": 0],
    ])
  #expect(missing["error"] == nil && missing["result"] is NSNull)
  let noDocument = try session.request("textDocument/documentSymbol", [:])
  #expect((noDocument["error"] as? [String: Any])?["code"] as? Int == -32602)
  _ = try session.request("shutdown", [:])
  try session.send(["method": "exit"])
  session.process.waitUntilExit()
  #expect(session.process.terminationStatus == 0)
}
