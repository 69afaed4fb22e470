// Loads a policy and the modules it imports, depth first, rejecting import cycles.

/// A parsed file of the compilation.
public struct LoadedFile: Sendable {
  public var id: SourceFile.ID
  public var path: String
  public var syntax: FileSyntax
}

/// Reads files for the compiler; the CLI reads the disk, tests read a dictionary.
public typealias FileReader = @Sendable (String) -> [UInt8]?

struct ModuleLoader {
  /// The largest rule file read, in bytes (64 MiB: a chain of a million terms fits, and
  /// every stage after reading is linear in it).
  static let maximumSourceBytes = 64 << 20

  var sources = SourceManager()
  var diagnostics: [Diagnostic] = []
  /// Imported modules before their importers; the root file last.
  var files: [LoadedFile] = []
  var nextNodeID: Int32 = 0
  var loading: [String] = []
  let read: FileReader

  init(read: @escaping FileReader) { self.read = read }

  /// Loads `path` and, recursively, its imports.
  mutating func load(_ path: String, importedAt site: SourceSpan?) {
    let path = Paths.normalize(path)
    if files.contains(where: { $0.path == path }) { return }
    if let start = loading.firstIndex(of: path) {
      reportCycle(loading[start...] + [path], at: site)
      return
    }
    guard let bytes = read(path) else {
      reportMissing(path, at: site)
      return
    }
    guard bytes.count <= Self.maximumSourceBytes else {
      // Not parsed: the diagnostic points at the start of an empty stand-in.
      let id = sources.add(path: path, bytes: [])
      diagnostics.append(
        Diagnostic(
          .sourceTooLarge, at: SourceSpan(file: id, bytes: 0..<0),
          message:
            "`\(path)` has \(bytes.count) bytes, over the limit of \(Self.maximumSourceBytes) bytes "
            + "for a rule file",
          help: "split the policy into modules"))
      return
    }
    let id = sources.add(path: path, bytes: bytes)
    let parsed = Parser.parse(sources[id], firstNodeID: nextNodeID)
    nextNodeID = parsed.nextNodeID
    diagnostics += parsed.diagnostics
    loading.append(path)
    for item in parsed.syntax.imports {
      load(Paths.join(Paths.directory(of: path), item.path), importedAt: item.span)
    }
    loading.removeLast()
    files.append(LoadedFile(id: id, path: path, syntax: parsed.syntax))
  }

  mutating func reportCycle(_ cycle: some Collection<String>, at site: SourceSpan?) {
    guard let site else { return }
    diagnostics.append(
      Diagnostic(
        .importCycle, at: site,
        message: "import cycle: " + cycle.map { "`\($0)`" }.joined(separator: " → "),
        help: "move the shared definitions into a module that both files import"))
  }

  mutating func reportMissing(_ path: String, at site: SourceSpan?) {
    if let site {
      diagnostics.append(
        Diagnostic(
          .importNotFound, at: site, message: "cannot read imported file `\(path)`",
          help: "import paths are relative to the importing file"))
    } else {
      // The root file itself is unreadable: give the diagnostic an empty file to point into.
      let id = sources.add(path: path, bytes: [])
      diagnostics.append(
        Diagnostic(
          .importNotFound, at: SourceSpan(file: id, bytes: 0..<0),
          message: "cannot read file `\(path)`"))
    }
  }
}

/// POSIX-style path arithmetic without Foundation.
/// Path arithmetic on `/`-separated paths, without touching the file system.
public enum Paths {
  public static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    return String(path[..<slash])
  }

  public static func join(_ directory: String, _ relative: String) -> String {
    if relative.hasPrefix("/") || directory.isEmpty { return relative }
    return directory + "/" + relative
  }

  /// Removes `.` segments and folds `name/..`; keeps leading `..` of relative paths.
  public static func normalize(_ path: String) -> String {
    let isAbsolute = path.hasPrefix("/")
    var parts: [Substring] = []
    for part in path.split(separator: "/") where part != "." {
      if part == "..", let last = parts.last, last != ".." {
        parts.removeLast()
      } else if part != ".." || !isAbsolute {
        parts.append(part)
      }
    }
    return (isAbsolute ? "/" : "") + parts.joined(separator: "/")
  }

  /// `path` written relative to `directory` (both normalised first; both relative to the same
  /// folder, or both absolute), or nil when that cannot be done without knowing the working
  /// folder (the directory climbs above the path's common prefix with more `..` than known).
  ///
  /// - Complexity: O(n) in the lengths of the two paths.
  public static func relative(_ path: String, from directory: String) -> String? {
    let target = normalize(path)
    let base = normalize(directory)
    guard target.hasPrefix("/") == base.hasPrefix("/") else { return nil }
    let targetParts = target.split(separator: "/")
    let baseParts = base.split(separator: "/")
    var common = 0
    while common < targetParts.count, common < baseParts.count,
      targetParts[common] == baseParts[common]
    {
      common += 1
    }
    let climbs = baseParts[common...]
    guard !climbs.contains("..") else { return nil }
    let parts = Array(repeating: Substring(".."), count: climbs.count) + targetParts[common...]
    return parts.joined(separator: "/")
  }
}
