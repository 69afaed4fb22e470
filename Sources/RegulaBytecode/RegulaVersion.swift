/// The version of Regula's compiler: written into compiled files and covered by the policy
/// hash (`CompiledPolicy.contentHash`), so a decision names the compiler that built its policy.
public enum RegulaVersion {
  /// Semantic version of this build of Regula.
  public static let string = "0.2.0"
}
