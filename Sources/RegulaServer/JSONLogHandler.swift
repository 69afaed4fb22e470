// Structured logs: one JSON object per line on standard error, for the service's operators
// (time, level, message, and the metadata as fields). Tokens are never logged.
import Foundation
import Logging
import RegulaJSON
import RegulaLog

struct JSONLogHandler: LogHandler {
  let label: String
  var logLevel: Logger.Level
  var metadata: Logger.Metadata = [:]
  static let lock = NSLock()

  init(label: String, level: Logger.Level) {
    self.label = label
    logLevel = level
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var bytes: [UInt8] = Array("{\"time\":".utf8)
    JSONWriter.appendQuoted(Timestamp.now(), to: &bytes)
    bytes.append(contentsOf: ",\"level\":".utf8)
    JSONWriter.appendQuoted(event.level.rawValue, to: &bytes)
    bytes.append(contentsOf: ",\"message\":".utf8)
    JSONWriter.appendQuoted(event.message.description, to: &bytes)
    let fields = metadata.merging(event.metadata ?? [:]) { _, new in new }
    for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
      bytes.append(UInt8(ascii: ","))
      JSONWriter.appendQuoted(key, to: &bytes)
      bytes.append(UInt8(ascii: ":"))
      JSONWriter.appendQuoted(value.description, to: &bytes)
    }
    bytes.append(contentsOf: "}\n".utf8)
    // write(2), its errors ignored: a full disk or a closed pipe must not stop the service
    // (FileHandle.write traps on failure).
    JSONLogHandler.lock.lock()
    bytes.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let written = Glibc.write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
        if written > 0 {
          offset += written
        } else if written < 0 && errno == EINTR {
          continue
        } else {
          break
        }
      }
    }
    JSONLogHandler.lock.unlock()
  }
}
