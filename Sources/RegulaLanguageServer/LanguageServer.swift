// `regula lsp`: a Language Server over standard input and output. Open documents are checked
// on every change (with their imports, read from the open buffers first and the disk
// otherwise) and their diagnostics published; hover shows the checked type and the citation;
// go to definition crosses imports; document symbols list the declarations; formatting is
// `regula fmt`'s. The checker runs on the whole file each time: a 1,000-line policy takes
// milliseconds (Docs/editors.md).
import Glibc
import Regula

public final class LanguageServer {
  /// The open documents' text, by path.
  var documents: [String: [UInt8]] = [:]
  /// The files whose diagnostics were last published for each open document, so that those
  /// that became clean are cleared.
  var published: [String: Set<String>] = [:]
  var encoding = PositionEncoding.utf16
  var shuttingDown = false
  let output: Int32

  public init(output: Int32 = STDOUT_FILENO) { self.output = output }

  /// Serves until `exit` or the end of input; the process's exit status (0 after `shutdown`).
  public func run(input: Int32 = STDIN_FILENO) -> Int32 {
    var reader = MessageReader(descriptor: input)
    while true {
      let body: [UInt8]?
      do { body = try reader.next() } catch {
        log("regula lsp: \(error)")
        return 1
      }
      guard let body else { return shuttingDown ? 0 : 1 }
      let message: JSONValue
      do { message = try JSONReader.parse(body) } catch {
        send(errorResponse(id: .null, code: -32700, message: "parse error: \(error)"))
        continue
      }
      if let status = handle(message) { return status }
    }
  }

  func log(_ text: String) {
    let line = Array((text + "\n").utf8)
    line.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
  }

  func send(_ value: JSONValue) { writeMessage(value, to: output) }

  func respond(_ id: JSONValue, _ result: JSONValue) {
    send(.object([("jsonrpc", .string("2.0")), ("id", id), ("result", result)]))
  }

  func errorResponse(id: JSONValue, code: Int, message: String) -> JSONValue {
    .object([
      ("jsonrpc", .string("2.0")), ("id", id),
      ("error", .object([("code", .int(code)), ("message", .string(message))])),
    ])
  }

  func notify(_ method: String, _ parameters: JSONValue) {
    send(
      .object([("jsonrpc", .string("2.0")), ("method", .string(method)), ("params", parameters)]))
  }

  /// Handles one message; an exit status when the server must stop.
  func handle(_ message: JSONValue) -> Int32? {
    let method = message["method"]?.string ?? ""
    let id = message["id"]
    let parameters = message["params"] ?? .null
    switch method {
    case "initialize":
      let offered = parameters["capabilities"]?["general"]?["positionEncodings"]?.array ?? []
      encoding = offered.contains(.string("utf-8")) ? .utf8 : .utf16
      respond(
        id ?? .null,
        .object([
          (
            "capabilities",
            .object([
              ("positionEncoding", .string(encoding.rawValue)),
              ("textDocumentSync", .object([("openClose", .bool(true)), ("change", .int(1))])),
              ("hoverProvider", .bool(true)),
              ("definitionProvider", .bool(true)),
              ("documentSymbolProvider", .bool(true)),
              ("documentFormattingProvider", .bool(true)),
            ])
          ),
          (
            "serverInfo",
            .object([("name", .string("regula")), ("version", .string(RegulaVersion.string))])
          ),
        ]))
    case "initialized", "$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration":
      break
    case "shutdown":
      shuttingDown = true
      respond(id ?? .null, .null)
    case "exit":
      return shuttingDown ? 0 : 1
    case "textDocument/didOpen":
      guard let uri = parameters["textDocument"]?["uri"]?.string, let path = path(ofURI: uri),
        let text = parameters["textDocument"]?["text"]?.string
      else { break }
      documents[Paths.normalize(path)] = Array(text.utf8)
      publishDiagnostics(for: Paths.normalize(path))
    case "textDocument/didChange":
      guard let uri = parameters["textDocument"]?["uri"]?.string, let path = path(ofURI: uri),
        let text = parameters["contentChanges"]?.array?.last?["text"]?.string
      else { break }
      documents[Paths.normalize(path)] = Array(text.utf8)
      publishDiagnostics(for: Paths.normalize(path))
    case "textDocument/didClose":
      guard let address = parameters["textDocument"]?["uri"]?.string,
        let path = path(ofURI: address)
      else { break }
      let key = Paths.normalize(path)
      documents[key] = nil
      for file in published[key] ?? [] {
        notify(
          "textDocument/publishDiagnostics",
          .object([("uri", .string(uri(ofPath: file))), ("diagnostics", .array([]))]))
      }
      published[key] = nil
    case "textDocument/hover", "textDocument/definition", "textDocument/documentSymbol",
      "textDocument/formatting":
      guard let id else { break }
      guard let uri = parameters["textDocument"]?["uri"]?.string, let path = path(ofURI: uri)
      else {
        send(errorResponse(id: id, code: -32602, message: "no textDocument.uri"))
        break
      }
      let key = Paths.normalize(path)
      let offset = parameters["position"].map { position in
        LineMap(bytes: text(of: key) ?? [], encoding: encoding).offset(
          line: position["line"]?.int ?? 0, character: position["character"]?.int ?? 0)
      }
      switch method {
      case "textDocument/hover": respond(id, hover(key, at: offset ?? 0))
      case "textDocument/definition": respond(id, definition(key, at: offset ?? 0))
      case "textDocument/documentSymbol": respond(id, symbols(key))
      default: respond(id, formatting(key))
      }
    default:
      // A request this server does not answer gets "method not found"; a notification is
      // ignored, as the protocol asks.
      if let id {
        send(errorResponse(id: id, code: -32601, message: "`\(method)` is not supported"))
      }
    }
    return nil
  }

  /// An open document's text, or the file's on disk.
  func text(of path: String) -> [UInt8]? {
    if let open = documents[path] { return open }
    return LanguageServer.readDisk(path)
  }

  static func readDisk(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = fread(&chunk, 1, chunk.count, file)
      if count <= 0 { break }
      bytes.append(contentsOf: chunk[0..<count])
    }
    return ferror(file) == 0 ? bytes : nil
  }

  /// Checks `path` with its imports, open buffers first.
  func analyze(_ path: String) -> TypeChecker.Analysis {
    let open = documents
    return TypeChecker.analyze(path: path) { candidate in
      open[Paths.normalize(candidate)] ?? LanguageServer.readDisk(candidate)
    }
  }
}
