// Who may do what: bearer tokens with roles, read from a file that holds only their SHA-256
// hashes, so the file (and the logs) never hold a usable token.
import Foundation
import RegulaBytecode
import RegulaJSON
import RegulaLog

/// What a token allows.
public enum Role: String, Sendable, CaseIterable {
  /// Decide applications (services).
  case decide
  /// Read logged decisions and their traces, and export them.
  case audit
  /// Reload the policies.
  case admin
  /// See the input fields a policy marks personal unmasked (with `audit`).
  case personal
}

/// A caller the tokens file names.
public struct Caller: Sendable {
  /// The token's name, recorded as the caller of each decision it asks for.
  public var name: String
  public var roles: Set<Role>
}

/// The tokens file: `{"tokens":[{"name":…,"sha256":…,"roles":[…]}]}`.
public struct TokenTable: Sendable {
  var byHash: [String: Caller]

  /// Reads and checks the tokens file.
  ///
  /// - Throws: `PolicyLoadError` naming the file and the entry at fault.
  public static func load(path: String) throws(PolicyLoadError) -> TokenTable {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw PolicyLoadError(file: path, message: "cannot read the tokens file")
    }
    return try parse(Array(data), file: path)
  }

  static func parse(_ bytes: [UInt8], file: String) throws(PolicyLoadError) -> TokenTable {
    let document: JSONValue
    do { document = try JSONReader.parse(bytes) } catch {
      throw PolicyLoadError(file: file, message: "not JSON: \(error)")
    }
    guard case .array(let entries)? = document["tokens"] else {
      throw PolicyLoadError(file: file, message: "expected {\"tokens\": [...]}")
    }
    var byHash: [String: Caller] = [:]
    var names = Set<String>()
    for (index, entry) in entries.enumerated() {
      let place = "tokens[\(index)]"
      guard case .string(let name)? = entry["name"], !name.isEmpty else {
        throw PolicyLoadError(file: file, message: "\(place): `name` must be a non-empty string")
      }
      guard case .string(let hash)? = entry["sha256"], hash.utf8.count == 64,
        hash.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
      else {
        throw PolicyLoadError(
          file: file,
          message: "\(place): `sha256` must be the token's SHA-256 as 64 lowercase hex digits "
            + "(`regula token` makes one)")
      }
      guard case .array(let roleValues)? = entry["roles"], !roleValues.isEmpty else {
        throw PolicyLoadError(file: file, message: "\(place): `roles` must be a non-empty array")
      }
      var roles = Set<Role>()
      for value in roleValues {
        guard case .string(let text) = value, let role = Role(rawValue: text) else {
          throw PolicyLoadError(
            file: file,
            message: "\(place): unknown role \(value.summary); roles are "
              + Role.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))
        }
        roles.insert(role)
      }
      guard names.insert(name).inserted else {
        throw PolicyLoadError(file: file, message: "\(place): the name `\(name)` is used twice")
      }
      guard byHash[hash] == nil else {
        throw PolicyLoadError(file: file, message: "\(place): the same token is listed twice")
      }
      byHash[hash] = Caller(name: name, roles: roles)
    }
    return TokenTable(byHash: byHash)
  }

  /// The caller a presented token belongs to, or nil.
  func caller(token: Substring) -> Caller? {
    byHash[SHA256.hex(DecisionLog.sha256(Array(token.utf8)))]
  }

  /// A new random token (32 bytes from the system's generator, as hex) and its hash.
  public static func newToken() -> (token: String, sha256: String) {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let token = SHA256.hex(bytes)
    return (token, SHA256.hex(SHA256.hash(Array(token.utf8))))
  }
}
