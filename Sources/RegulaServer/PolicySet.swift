// The policies a service decides with: every policy under a folder (rule files whose header is
// `policy`, and compiled files), compiled once, each with a pool of evaluators — one per
// request in flight, reused, so that a machine's buffers are allocated once per worker.
import Foundation
import Regula
import RegulaLog
import RegulaSema

/// Why the policies could not be loaded: the file and what was wrong with it.
public struct PolicyLoadError: Error, Sendable, CustomStringConvertible {
  public var file: String
  public var message: String
  public var description: String { "\(file): \(message)" }
}

/// One loaded policy.
final class LoadedPolicy: Sendable {
  let name: String
  let file: String
  let compiled: CompiledPolicy
  let hash: String
  let evaluators: EvaluatorPool
  /// The input paths the policy marks personal (masked in exports).
  let personalPaths: [String]

  init(name: String, file: String, compiled: CompiledPolicy) {
    self.name = name
    self.file = file
    self.compiled = compiled
    hash = compiled.contentHash
    evaluators = EvaluatorPool(policy: compiled)
    personalPaths = compiled.image.personalInputPaths
  }
}

/// Evaluators of one policy, lent to one request at a time. Each lives in a box, so lending
/// one moves a reference, not the evaluator (a large struct whose copy retains every buffer).
final class EvaluatorPool: @unchecked Sendable {
  final class Slot {
    var evaluator: Evaluator
    init(_ evaluator: Evaluator) { self.evaluator = evaluator }
  }

  let policy: CompiledPolicy
  let lock = NSLock()
  var free: [Slot] = []

  init(policy: CompiledPolicy) { self.policy = policy }

  /// Runs `body` with an evaluator of its own, then keeps the evaluator for the next caller.
  func with<T, E: Error>(_ body: (inout Evaluator) throws(E) -> T) throws(E) -> T {
    lock.lock()
    let slot = free.popLast() ?? Slot(Evaluator(policy: policy))
    lock.unlock()
    defer {
      lock.lock()
      free.append(slot)
      lock.unlock()
    }
    return try body(&slot.evaluator)
  }
}

/// The policies of one folder, by name.
struct PolicySet: Sendable {
  let folder: String
  let byName: [String: LoadedPolicy]
  var names: [String] { byName.keys.sorted() }

  /// Loads every policy under `folder` (or the one file `folder` names): rule files whose
  /// header is `policy` are compiled, files starting with the compiled-file magic are loaded
  /// and verified; modules and test files are skipped.
  ///
  /// - Throws: `PolicyLoadError` for the first file that does not compile or load, or for
  ///   two files declaring the same policy name.
  static func load(_ folder: String) throws(PolicyLoadError) -> PolicySet {
    var byName: [String: LoadedPolicy] = [:]
    for file in try files(folder) {
      guard let policy = try load(file: file) else { continue }
      if let other = byName[policy.name] {
        throw PolicyLoadError(
          file: file, message: "the policy `\(policy.name)` is also declared by `\(other.file)`")
      }
      byName[policy.name] = policy
    }
    guard !byName.isEmpty else {
      throw PolicyLoadError(
        file: folder,
        message: "no policy here (a rule file starting `policy NAME`, or a compiled file)")
    }
    return PolicySet(folder: folder, byName: byName)
  }

  /// The `.regula` and `.rgc` files under `path`, sorted; `path` itself when it is a file.
  static func files(_ path: String) throws(PolicyLoadError) -> [String] {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw PolicyLoadError(file: path, message: "no such file or folder")
    }
    guard isFolder.boolValue else { return [path] }
    guard let walker = FileManager.default.enumerator(atPath: path) else {
      throw PolicyLoadError(file: path, message: "cannot list the folder")
    }
    var found: [String] = []
    while let relative = walker.nextObject() as? String {
      if relative.hasSuffix(".regula") || relative.hasSuffix(".rgc") {
        found.append(path.hasSuffix("/") ? path + relative : path + "/" + relative)
      }
    }
    return found.sorted()
  }

  static func load(file: String) throws(PolicyLoadError) -> LoadedPolicy? {
    guard let data = FileManager.default.contents(atPath: file) else {
      throw PolicyLoadError(file: file, message: "cannot read the file")
    }
    let bytes = Array(data)
    if bytes.starts(with: CompiledFile.magic) {
      do {
        let compiled = try CompiledPolicy.load(bytes)
        return LoadedPolicy(name: compiled.image.name, file: file, compiled: compiled)
      } catch {
        throw PolicyLoadError(file: file, message: "\(error)")
      }
    }
    var sources = SourceManager()
    let id = sources.add(path: file, bytes: bytes)
    let parsed = Parser.parse(sources[id])
    if parsed.syntax.header.kind == .module { return nil }
    let (compiled, allSources) = CompiledPolicy.compile(
      path: file, read: { FileManager.default.contents(atPath: $0).map { Array($0) } })
    guard let policy = compiled.output else {
      let rendered = DiagnosticRenderer(sources: allSources).render(
        compiled.diagnostics.filter { $0.severity == .error })
      throw PolicyLoadError(file: file, message: "the policy does not compile:\n\(rendered)")
    }
    return LoadedPolicy(name: policy.image.name, file: file, compiled: policy)
  }
}
