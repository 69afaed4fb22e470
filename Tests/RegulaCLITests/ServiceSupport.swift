// What the decision-service tests share: a running `regula serve` process on a loopback port,
// tokens for each role, and a small HTTP/1.1 client over a socket (keep-alive, chunked
// responses), so that the tests use the service exactly as another program would.
import Foundation
import Testing

/// A `regula serve` process, started on a free loopback port.
final class ServiceProcess: @unchecked Sendable {
  let process = Process()
  let port: Int
  let folder: URL
  let database: URL
  /// The log's location as given to `--db`: the database file's path, or a PostgreSQL address.
  let db: String
  let stderrFile: URL
  let tokens: [String: String]

  /// The roles of each test token, by name.
  static let roles: [String: [String]] = [
    "intake": ["decide"], "auditor": ["audit"], "officer": ["audit", "personal"],
    "admin": ["admin"],
  ]

  /// Starts the service on `policies` with a new database in `folder` (or the one given, or
  /// the PostgreSQL log at `postgres`), and waits until it listens.
  init(
    policies: String, folder: URL, database: URL? = nil, postgres: String? = nil,
    tokens: [String: String]? = nil, arguments: [String] = []
  ) throws {
    self.folder = folder
    self.database = database ?? folder.appendingPathComponent("log.sqlite")
    db = postgres ?? self.database.path
    stderrFile = folder.appendingPathComponent("serve-\(UUID().uuidString).log")
    let tokenFile = folder.appendingPathComponent("tokens.json")
    if let tokens {
      self.tokens = tokens
    } else {
      var made: [String: String] = [:]
      var entries: [String] = []
      for (name, roles) in ServiceProcess.roles.sorted(by: { $0.key < $1.key }) {
        let result = try regula(["token", "--name", name] + roles.flatMap { ["--role", $0] })
        let lines = result.output.split(separator: "\n").map(String.init)
        made[name] = lines[0]
        entries.append(lines[1])
      }
      self.tokens = made
      try "{\"tokens\":[\(entries.joined(separator: ","))]}".write(
        to: tokenFile, atomically: true, encoding: .utf8)
    }
    process.executableURL = regulaBinary
    process.arguments =
      [
        "serve", policies, "--db", db, "--tokens", tokenFile.path, "--port", "0",
      ] + arguments
    process.currentDirectoryURL = cliRepositoryRoot
    let output = Pipe()
    process.standardOutput = output
    _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
    process.standardError = try FileHandle(forWritingTo: stderrFile)
    try process.run()
    // The first line on stdout says where it listens; EOF means it failed to start.
    var line: [UInt8] = []
    let handle = output.fileHandleForReading
    while true {
      let byte = handle.readData(ofLength: 1)
      if byte.isEmpty || byte.first == UInt8(ascii: "\n") { break }
      line.append(byte.first!)
    }
    let text = String(decoding: line, as: UTF8.self)
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...])
    else {
      process.waitUntilExit()
      let errors = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
      throw ServiceFailure(message: "regula serve did not start: \(text) \(errors)")
    }
    self.port = port
  }

  /// Sends `signal` and waits for the process to end; its exit status. Every line the
  /// service wrote to its log stream must be one JSON object (a library's own line there, as
  /// SwiftNIO's at shutdown once was, breaks the operators' log parsing): checked once, for
  /// every service test.
  @discardableResult
  func stop(_ signal: Int32 = SIGTERM) -> Int32 {
    if process.isRunning { kill(process.processIdentifier, signal) }
    process.waitUntilExit()
    if !logChecked {
      logChecked = true
      for line in errors.split(separator: "\n") where parseObject(line).isEmpty {
        Issue.record("the service's log has a line that is not a JSON object: \(line)")
      }
    }
    return process.terminationStatus
  }
  private var logChecked = false

  var errors: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

  func client() throws -> HTTPClient { try HTTPClient(port: port) }

  /// One request on a new connection.
  func request(
    _ method: String, _ path: String, token: String? = nil, body: [UInt8] = [],
    headers: [String: String] = [:]
  ) throws -> HTTPResponse {
    let client = try self.client()
    var all = headers
    if let token { all["Authorization"] = "Bearer \(tokens[token] ?? token)" }
    return try client.send(method, path, headers: all, body: body)
  }
}

struct ServiceFailure: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

struct HTTPResponse {
  var status: Int
  var headers: [String: String]
  var body: [UInt8]
  var text: String { String(decoding: body, as: UTF8.self) }
  var json: Any? {
    try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
  }
  var object: [String: Any] { json as? [String: Any] ?? [:] }
}

/// An HTTP/1.1 client on one keep-alive connection to 127.0.0.1.
final class HTTPClient {
  let socket: Int32
  var buffer: [UInt8] = []

  init(port: Int) throws {
    socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      close(socket)
      throw ServiceFailure(message: "cannot connect to port \(port): errno \(errno)")
    }
    var timeout = timeval(tv_sec: 60, tv_usec: 0)
    setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
  }

  deinit { close(socket) }

  func write(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes {
        Foundation.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      guard sent > 0 else { throw ServiceFailure(message: "send failed: errno \(errno)") }
      offset += sent
    }
  }

  /// Reads more bytes into the buffer; false at end of stream.
  func fill() throws -> Bool {
    var chunk = [UInt8](repeating: 0, count: 65_536)
    let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
    if count == 0 { return false }
    guard count > 0 else { throw ServiceFailure(message: "recv failed: errno \(errno)") }
    buffer.append(contentsOf: chunk[0..<count])
    return true
  }

  /// Waits up to `seconds` for the server to close the connection (reading and dropping
  /// anything it sends first); false when it is still open.
  func waitForClose(seconds: Int) -> Bool {
    var timeout = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
      if count == 0 { return true }
      if count < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
    }
  }

  func send(
    _ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8] = []
  ) throws -> HTTPResponse {
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    try write(Array((head + "\r\n").utf8) + body)
    return try readResponse()
  }

  func readLine() throws -> String {
    while true {
      if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
        let line = String(decoding: buffer[..<end], as: UTF8.self)
        buffer.removeSubrange(...end)
        return line.hasSuffix("\r") ? String(line.dropLast()) : line
      }
      guard try fill() else { throw ServiceFailure(message: "connection closed mid-response") }
    }
  }

  func readBytes(_ count: Int) throws -> [UInt8] {
    while buffer.count < count {
      guard try fill() else { throw ServiceFailure(message: "connection closed mid-body") }
    }
    let bytes = Array(buffer[..<count])
    buffer.removeSubrange(..<count)
    return bytes
  }

  func readResponse() throws -> HTTPResponse {
    let status = try readLine().split(separator: " ")
    guard status.count >= 2, let code = Int(status[1]) else {
      throw ServiceFailure(message: "not an HTTP status line: \(status)")
    }
    var headers: [String: String] = [:]
    while true {
      let line = try readLine()
      if line.isEmpty { break }
      if let colon = line.firstIndex(of: ":") {
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
          .trimmingCharacters(in: .whitespaces)
      }
    }
    var body: [UInt8] = []
    if let length = headers["content-length"].flatMap(Int.init) {
      body = try readBytes(length)
    } else if headers["transfer-encoding"]?.lowercased() == "chunked" {
      while true {
        let size = Int(try readLine().split(separator: ";")[0], radix: 16) ?? 0
        if size == 0 {
          _ = try readLine()
          break
        }
        body += try readBytes(size)
        _ = try readLine()
      }
    }
    return HTTPResponse(status: code, headers: headers, body: body)
  }
}

/// Parses one line of JSON.
func parseObject(_ text: some StringProtocol) -> [String: Any] {
  (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
}

/// A JSON value re-serialised with sorted keys, for whole-document comparisons.
func canonical(_ value: Any?) -> String {
  guard let value else { return "nil" }
  let data = try? JSONSerialization.data(
    withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
  return data.map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
}
