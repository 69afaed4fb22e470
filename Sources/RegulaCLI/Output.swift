// Output that never lies: every write is checked, a failure names the path and the OS error,
// a file is synced before success is reported, and `--output` opens the path it is given
// (refusing a directory, a device or a FIFO) instead of replacing whatever is there.
import CProcess
import Foundation

/// A write that failed, or an output path that cannot be used: the path and the reason.
struct OutputError: Error, CustomStringConvertible {
  var path: String
  var reason: String
  var description: String { "cannot write `\(path)`: \(reason)" }

  /// The error for the current `errno`.
  static func system(_ path: String, _ what: String = "") -> OutputError {
    OutputError(path: path, reason: what + String(cString: strerror(errno)))
  }
}

/// Standard output or a file, written block by block by one thread at a time (the batch's
/// writing queue, whose last write the caller waits for), hence `@unchecked Sendable`.
///
/// A failed write is kept (`failure`) and later writes are skipped: the caller reports it
/// once, from `finish()`.
final class OutputSink: @unchecked Sendable {
  let descriptor: Int32
  /// The name used in messages: the path, or `standard output`.
  let name: String
  let isStandardOutput: Bool
  private(set) var failure: OutputError?

  /// Opens `path` for writing (nil: standard output). A regular file is truncated, or with
  /// `append` written after its end; a path that does not exist is created. A directory, a
  /// device, a FIFO or a socket is refused with a clear error.
  init(path: String?, append: Bool = false) throws(OutputError) {
    guard let path else {
      descriptor = STDOUT_FILENO
      name = "standard output"
      isStandardOutput = true
      return
    }
    name = path
    isStandardOutput = false
    var status = stat()
    if stat(path, &status) == 0 { try Self.requireRegularFile(status, path) }
    // Non-blocking, so that a FIFO that appeared since is refused instead of waited on.
    let flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK | (append ? O_APPEND : O_TRUNC)
    let opened = open(path, flags, 0o644)
    guard opened >= 0 else { throw .system(path) }
    if fstat(opened, &status) != 0 {
      let error = OutputError.system(path)
      close(opened)
      throw error
    }
    do { try Self.requireRegularFile(status, path) } catch {
      close(opened)
      throw error
    }
    _ = fcntl(opened, F_SETFL, fcntl(opened, F_GETFL) & ~O_NONBLOCK)
    descriptor = opened
  }

  static func requireRegularFile(_ status: stat, _ path: String) throws(OutputError) {
    let kind = status.st_mode & S_IFMT
    let what: String? =
      switch kind {
      case S_IFREG: nil
      case S_IFDIR: "it is a directory"
      case S_IFCHR, S_IFBLK: "it is a device, not a file"
      case S_IFIFO: "it is a FIFO, not a file"
      case S_IFSOCK: "it is a socket, not a file"
      default: "it is not a regular file"
      }
    if let what { throw OutputError(path: path, reason: what) }
  }

  /// Writes all of `bytes`, or records the failure (the first one is kept).
  func write(_ bytes: [UInt8]) {
    guard failure == nil, !bytes.isEmpty else { return }
    bytes.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = Foundation.write(
          descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          failure = .system(name)
          return
        }
        offset += written
      }
    }
    if !isStandardOutput {
      // Start writing these bytes to storage now, as the next ones are decided, so that
      // `finish`'s fsync does not wait for the whole file at the end.
      let end = lseek(descriptor, 0, SEEK_CUR)
      if end >= bytes.count {
        regula_start_writeback(descriptor, Int64(end) - Int64(bytes.count), Int64(bytes.count))
      }
    }
  }

  /// Makes the output durable and closes a file: `fsync` (a pipe or a terminal has nothing to
  /// sync), then `close`, each checked.
  ///
  /// - Throws: the first failed write, or the failed sync or close.
  func finish() throws(OutputError) {
    if let failure { throw failure }
    if fsync(descriptor) != 0, errno != EINVAL, errno != EROFS, errno != ENOTSUP {
      throw .system(name, "sync failed: ")
    }
    if !isStandardOutput, close(descriptor) != 0 { throw .system(name, "close failed: ") }
  }
}

/// Registered at start: when the process exits, whatever was printed to standard output must
/// have reached it. A failed write or flush (a full disk, `/dev/full`, a closed pipe) is
/// reported with the OS error and the exit status becomes 1, instead of 0 with output lost.
func checkStandardOutputAtExit() {
  atexit {
    if regula_standard_output_failed() != 0 {
      let message = "error: writing standard output failed: \(String(cString: strerror(errno)))\n"
      _ = message.withCString { Foundation.write(STDERR_FILENO, $0, strlen($0)) }
      _exit(1)
    }
  }
}
