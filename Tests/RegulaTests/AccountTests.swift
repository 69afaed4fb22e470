// Accounts for citizens, caseworkers and auditors (issue 13, item 4): every decision of every
// test case of the repository's policies, told to each audience in Chinese and in English,
// needs no label the policy lacks; and the labels themselves are checked like code.
import Foundation
import Regula
import Testing

@Test(arguments: repositoryPolicies + ["Examples/tutorial/w1-tutorial-tests.regula"])
func everyTestCaseIsToldToEveryAudienceWithoutAMissingLabel(_ path: String) throws {
  let policy = try #require(compilePolicy(root.appendingPathComponent(path).path))
  #expect(policy.missingLabels("zh").isEmpty && policy.missingLabels("en").isEmpty)
  var evaluator = Evaluator(policy: policy)
  var told = 0
  let decided = try forEachTracedTestCase(policy, on: &evaluator) { test, record, evaluator in
    let trace = evaluator.buildTrace()
    for audience in Audience.allCases {
      for language in ["zh", "en"] {
        let account = evaluator.account(
          record: record, trace: trace, audience: audience, language: language)
        #expect(
          account.missingLabels.isEmpty,
          "\(path), test \(test.name), \(audience) in \(language): \(account.missingLabels)")
        #expect(!account.text.isEmpty)
        told += 1
      }
    }
    return true
  }
  #expect(decided > 0 && told == 6 * decided, "\(path): \(told) accounts")
  print("accounts: \(path.split(separator: "/").last!): \(told) told without a missing label")
}

/// W1's denial for a citizen, in Chinese: the outcome, the reason as a sentence with its
/// provision, and what was counted, by their labels and in their units.
@Test func aCitizenReadsTheDenialInChinese() throws {
  var evaluator = Evaluator(policy: try w1Policy())
  let application = Array(
    #"{"id":"A0000001","hukou_province":"JS","residence_province":"GZ","residence_permit_months":196,"financial_assets_fen":1630163,"owns_second_home":false,"members":[{"age":20,"monthly_income_fen":77468,"disabled":false,"owns_vehicle":true}]}"#
      .utf8)
  let (record, trace) = try evaluator.explain(json: application, asOf: date("2024-06-01"))
  let citizen = evaluator.account(record: record, trace: trace, audience: .citizen, language: "zh")
  #expect(citizen.text.contains("是否符合最低生活保障条件：否"), "\(citizen.text)")
  #expect(citizen.text.contains("原因：家庭人均月收入不低于当地最低生活保障标准"))
  #expect(citizen.text.contains("依据：W1 规则 第 7 条"))
  #expect(citizen.text.contains("家庭成员 第1项 · 月收入：774.68 元"))
  #expect(citizen.text.contains("居住地省份：贵州省"))
  #expect(!citizen.text.contains("per_capita"))
  let caseworker = evaluator.account(
    record: record, trace: trace, audience: .caseworker, language: "en")
  #expect(caseworker.text.contains("(774.68 yuan) < "), "\(caseworker.text)")
  #expect(caseworker.text.contains("not checked (an earlier condition failed)"))
  let auditor = evaluator.account(record: record, trace: trace, audience: .auditor, language: "en")
  #expect(auditor.text.contains("policy hash \(record.policyHash)"))
  #expect(auditor.text.contains("standard[GZ] = 690.00 yuan"))
}

/// Labels are checked like code: a key that names nothing is an error with a suggestion, a key
/// labelled twice in one language too; a policy without labels shows names and says which
/// labels it lacks.
@Test func labelsAreCheckedAndMissingOnesAreNamed() throws {
  let source = """
    policy p
      source law "Test Law"
    input application { income: Money }
    decision eligible: Bool cite law "Art. 1"
      all of
        application.income < 100 yuan reason income
    labels zh {
      eligible "符合条件"
      reason income "收入过高"
      reason incme "收入过高"
      application.income "收入"
      cite law "Art. 1" "《测试法》第一条"
      eligible "又一个"
    }
    """
  let (result, _) = CompiledPolicy.compile(path: "p.regula") { path in
    path == "p.regula" ? Array(source.utf8) : nil
  }
  let messages = result.diagnostics.map { "\($0.code.rawValue) \($0.message)" }
  #expect(messages.contains { $0.hasPrefix("R0215 no reason code `incme`") }, "\(messages)")
  #expect(messages.contains { $0.hasPrefix("R0216") }, "\(messages)")
  let fixed = source.replacingOccurrences(of: "  reason incme \"收入过高\"\n", with: "")
    .replacingOccurrences(of: "  eligible \"又一个\"\n", with: "")
  let (good, _) = CompiledPolicy.compile(path: "p.regula") { path in
    path == "p.regula" ? Array(fixed.utf8) : nil
  }
  let policy = try #require(good.output, "\(good.diagnostics)")
  #expect(policy.missingLabels("zh").map(\.what) == ["reason code `ok`"])
  #expect(policy.missingLabels("en").count == 4)
  var evaluator = Evaluator(policy: policy)
  let (record, trace) = try evaluator.explain(
    json: Array(#"{"income":20000}"#.utf8), asOf: date("2024-06-01"))
  let zh = evaluator.account(record: record, trace: trace, audience: .citizen, language: "zh")
  #expect(zh.text.contains("符合条件：否") && zh.text.contains("《测试法》第一条"), "\(zh.text)")
  #expect(zh.missingLabels.isEmpty)
  let en = evaluator.account(record: record, trace: trace, audience: .citizen, language: "en")
  #expect(en.text.contains("eligible: no"))
  #expect(en.missingLabels.contains("definition eligible"))
  // Labels travel in the compiled file.
  #expect(try CompiledPolicy.load(policy.encoded()).image.explanations.labels.count == 4)
}
